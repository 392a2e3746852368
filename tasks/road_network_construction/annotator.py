"""The virtual annotator of Road Network Construction (paper A.2.8).

`plan` works in the paper's two phases. Nodes: it scans the image along a
nearest-neighbour tour from the node closest to the top-left corner and
places a node on every intersection and road end (about 1 px of hand
jitter). Before a placement, with probability `mistake_rate` (15 %, inside the
paper's 10–30 %), it first makes one of the paper's invalid placements, off
the road or a near duplicate of a node already placed, and undoes it at once.
Edges: it traces the roads as walks, continuing straight on where it can, each
walk starting at a road end (an odd-degree node) nearest to where it is; a
walk is "click its first node" (unless already selected), then per road
segment "Connect to…, click the next node". Then Done.

`oracle` is the greedy correct next action from any state: undo a bad last
edit; remove extra nodes and one node of each wrong edge; place missing
nodes; connect missing edges (continuing from the selected node); Done.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from widgets import Place, Press

from .gui import PICK_PX, State, apply, initial_state, node_at
from .metrics import match_nodes
from .world import SIZE, Instance

PLACE_SD_PX = 1.0     # hand jitter of a node placement (s.d., pixels), clipped at 2.5 px
CLICK_SD_PX = 1.5     # jitter of a click that picks an existing node, clipped at 4 px


@dataclass(frozen=True)
class Style:
    mistake_rate: float = 0.15   # invalid placements per node (paper: 10–30 % of placements)
    duplicate_share: float = 0.5  # of those, near duplicates of a placed node (else off-road)


STYLES = {
    "default": Style(),
    "careful": Style(mistake_rate=0.08),
    "hasty": Style(mistake_rate=0.28),
}


def _jitter(rng: np.random.Generator, x: float, y: float, sd: float, clip: float) -> Place:
    d = np.clip(rng.normal(0, sd, 2), -clip, clip)
    u, v = np.clip(np.array([x, y]) + d, 0.5, SIZE - 0.5) / SIZE
    return Place(float(u), float(v))


def _scan_order(px: np.ndarray) -> list[int]:
    """Nearest-neighbour tour from the node nearest the top-left corner."""
    left = set(range(len(px)))
    cur = int(np.argmin(px.sum(axis=1)))
    order = [cur]
    left.remove(cur)
    while left:
        cur = min(left, key=lambda k: np.hypot(*(px[k] - px[cur])))
        order.append(cur)
        left.remove(cur)
    return order


def _walks(instance: Instance, start: int) -> list[list[int]]:
    """Cover every road segment by walks that go straight on where possible."""
    px = instance.px
    remaining = {(int(a), int(b)) for a, b in instance.edges}

    def incident(k):
        return [e for e in remaining if k in e]

    walks, cur = [], start
    while remaining:
        # start at the current node if a walk from it cannot be wasted, else at the nearest road end
        cands = [k for k in range(instance.n) if incident(k)]
        odd = [k for k in cands if len(incident(k)) % 2 == 1]
        if not (incident(cur) and (cur in odd or not odd)):
            cur = min(odd or cands, key=lambda k: np.hypot(*(px[k] - px[cur])))
        walk, heading = [cur], None
        while incident(cur):
            def turn(e):
                nxt = e[0] if e[1] == cur else e[1]
                d = px[nxt] - px[cur]
                return 0.0 if heading is None else -float(np.dot(d / np.linalg.norm(d), heading))
            e = min(incident(cur), key=lambda e: (turn(e), e))
            remaining.discard(e)
            nxt = e[0] if e[1] == cur else e[1]
            heading = (px[nxt] - px[cur]) / np.linalg.norm(px[nxt] - px[cur])
            walk.append(nxt)
            cur = nxt
        walks.append(walk)
    return walks


def _mistake(instance: Instance, rng: np.random.Generator, state: State, target: int, dup_share: float):
    """An invalid placement near the next target: a near duplicate of a placed node, or off the road."""
    px = instance.px
    if state.nodes and rng.random() < dup_share:
        i, u, v = state.nodes[-1]
        at = np.array([u, v]) * SIZE
        k = int(np.argmin(np.linalg.norm(px - at, axis=1)))
        roads = [(a if b == k else b) for a, b in instance.edges if k in (a, b)]
        for _ in range(20):
            other = px[roads[rng.integers(len(roads))]]
            d = (other - px[k]) / np.linalg.norm(other - px[k])
            spot = at + d * rng.uniform(PICK_PX + 2, PICK_PX + 6) + rng.normal(0, 1, 2)
            if (0 <= spot).all() and (spot < SIZE).all() and node_at(state, *(spot / SIZE)) < 0:
                return Place(float(spot[0] / SIZE), float(spot[1] / SIZE), tag="mistake")
    ys, xs = np.nonzero(instance.road_dist > 18)
    ok = (xs > 8) & (xs < SIZE - 8) & (ys > 8) & (ys < SIZE - 8)
    near = np.hypot(xs + 0.5 - px[target, 0], ys + 0.5 - px[target, 1]) < 50
    pool = np.flatnonzero(ok & near) if (ok & near).any() else np.flatnonzero(ok)
    j = pool[rng.integers(len(pool))]
    return Place(float((xs[j] + 0.5) / SIZE), float((ys[j] + 0.5) / SIZE), tag="mistake")


def plan(instance: Instance, rng: np.random.Generator, style: str = "default") -> list:
    s = STYLES[style]
    state, acts = initial_state(instance), []

    def do(action):
        nonlocal state
        acts.append(action)
        state = apply(state, action, instance)

    px = instance.px
    placed: dict[int, int] = {}   # ground-truth node -> node id
    order = _scan_order(px)
    for g in order:
        if rng.random() < s.mistake_rate:
            do(_mistake(instance, rng, state, g, s.duplicate_share))
            do(Press("undo", tag="correction"))
        do(_jitter(rng, *px[g], PLACE_SD_PX, 2.5))
        placed[g] = state.selected
    pos = {i: (u * SIZE, v * SIZE) for i, u, v in state.nodes}
    for walk in _walks(instance, order[-1]):
        if state.selected != placed[walk[0]]:
            do(_jitter(rng, *pos[placed[walk[0]]], CLICK_SD_PX, 4.0))
        for g in walk[1:]:
            do(Press("connect"))
            do(_jitter(rng, *pos[placed[g]], CLICK_SD_PX, 4.0))
    do(Press("done"))
    return acts


def _select_then(state: State, node: int, action, pos: dict):
    """`action` once `node` is selected (leaving connect mode first, where a click would make an edge)."""
    if state.selected == node:
        return action
    if state.connecting:
        return Press("connect", tag="correction")
    return Place(*pos[node])


def oracle(state: State, instance: Instance):
    """The greedy correct next action from `state`."""
    if state.done:
        return Press("done")
    match = match_nodes(state, instance)
    gt_edges = {(int(a), int(b)) for a, b in instance.edges}
    pos = {i: (u, v) for i, u, v in state.nodes}
    extra = [i for i, _, _ in state.nodes if i not in match]
    wrong = [e for e in state.edges
             if not (e[0] in match and e[1] in match and tuple(sorted((match[e[0]], match[e[1]]))) in gt_edges)]
    if state.history:   # the last edit was bad: undo it
        rec = state.history[-1]
        if (rec[0] == "node" and rec[1] in extra) or (rec[0] == "edge" and (rec[1], rec[2]) in wrong):
            return Press("undo", tag="correction")
    if extra or wrong:
        degree = {i: sum(i in e for e in state.edges) for i in pos}
        bad = extra[0] if extra else min(wrong[0], key=lambda i: (degree[i], i))
        return _select_then(state, bad, Press("remove", tag="correction"), pos)
    found = {g: i for i, g in match.items()}
    missing_nodes = [g for g in range(instance.n) if g not in found]
    if missing_nodes:
        if state.connecting:
            return Press("connect")
        g = missing_nodes[0]
        return Place(*(float(c) for c in instance.nodes[g]))
    missing = [(found[a], found[b]) for a, b in sorted(gt_edges)
               if tuple(sorted((found[a], found[b]))) not in state.edges]
    if not missing:
        return Press("done")
    incident = [e for e in missing if state.selected in e]
    if state.connecting:
        if incident:
            a, b = incident[0]
            return Place(*pos[b if a == state.selected else a])
        return Press("connect")
    if incident:
        return Press("connect")
    return Place(*pos[missing[0][0]])
