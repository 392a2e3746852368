"""The virtual annotator of Cell Lineage Tracking (paper A.2.3, Figure 10).

`plan`: at frame 0 place the root marker on the single cell; then, division
by division in frame order (left to right within a frame), navigate to the
division frame, select the parent marker (a click on it), and place markers
on both daughters (left one first). Non-dividing cells propagate by
themselves. With probability `mistake_rate` (15 %) a marker is first
misplaced — on a wrong cell next to the intended one (Figure 10c); where no
other cell is near (the first division), on the already-marked sister or
just off the embryo, as for the root — and undone at once (the undo selects the parent
again, so the annotator re-places the daughter without re-selecting). Done.

`oracle` gives the greedy correct next action from any state: undo while any
marker is wrong (wrong cell, wrong parent, a cell marked twice), else the
first incomplete division's next step (navigate, select, place), else Done.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from widgets import Place, Press

from . import gui
from .metrics import marker_cells
from .world import SELECT_R, SIZE, Instance

PLACE_SD = 0.003     # normalized hand jitter (under 1 px)
FREE = SELECT_R + 0.012   # a placement this far from every marker on screen cannot select one


@dataclass(frozen=True)
class Style:
    mistake_rate: float = 0.15      # paper: 15 % of markers misplaced, then undone


STYLES = {
    "default": Style(),
    "careful": Style(mistake_rate=0.08),
    "hasty": Style(mistake_rate=0.25),
}


def _jitter(rng: np.random.Generator, x: float, y: float, sd: float = PLACE_SD) -> tuple[float, float]:
    d = np.clip(rng.normal(0, sd, 2), -2.5 * sd, 2.5 * sd)
    u, v = np.clip([x + d[0], y + d[1]], 0.0, 0.999)
    return float(u), float(v)


def _clear_of_markers(state, u: float, v: float) -> bool:
    return all(np.hypot(state.markers[i][0] - u, state.markers[i][1] - v) >= FREE
               for i in gui.on_screen(state.markers, state.frame))


def _off_embryo(rng, instance: Instance, x: float, y: float) -> tuple[float, float]:
    """A miss just outside the embryo: out from (x, y) along a random direction, 0.01–0.04 past the edge."""
    ang = rng.uniform(0, 2 * np.pi)
    step = np.array([np.cos(ang), np.sin(ang)])
    for r in np.arange(0.0, 0.7, 0.005):
        u, v = np.array([x, y]) + r * step
        if not (0.0 <= u < 1.0 and 0.0 <= v < 1.0) or instance.cell_at(0, u, v) < 0:
            u, v = np.clip(np.array([x, y]) + (r + rng.uniform(0.01, 0.04)) * step, 0.01, 0.99)
            return float(u), float(v)
    return float(np.clip(x, 0.02, 0.98)), 0.01


def _wrong_spot(rng, instance: Instance, state, frame: int, x: float, y: float, avoid: set) -> tuple[float, float] | None:
    """A misplacement 0.05–0.15 from (x, y) on a cell not in `avoid`, clear of markers; None if there is none."""
    for _ in range(300):
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(0.05, 0.15)
        u, v = x + dist * np.cos(ang), y + dist * np.sin(ang)
        if 0.02 <= u <= 0.98 and 0.02 <= v <= 0.98 and instance.cell_at(frame, u, v) not in avoid \
                and _clear_of_markers(state, u, v):
            return float(u), float(v)
    return None      # the canvas's top edge: always off the embryo


def plan(instance: Instance, rng: np.random.Generator, style: str = "default") -> list:
    s = STYLES[style]
    state, acts = gui.initial_state(instance), []

    def act(a):
        nonlocal state
        state = gui.apply(state, a, instance)
        acts.append(a)

    def place(cell: int, frame: int, family: tuple = (), sister_marked: bool = False) -> None:
        """Mark `cell`; a miss lands on a neighbouring cell, else on the marked sister, else off the embryo."""
        x, y = instance.centroid[cell]
        if rng.random() < s.mistake_rate:
            miss = None
            if cell:
                miss = _wrong_spot(rng, instance, state, frame, x, y, {-1, *family})
                if miss is None and sister_marked:
                    miss = _wrong_spot(rng, instance, state, frame, x, y, {-1, cell})
            act(Place(*(miss or _off_embryo(rng, instance, x, y)), tag="mistake"))
            act(Press("undo", tag="correction"))
        act(Place(*_jitter(rng, x, y)))

    place(0, 0)                                             # the root: a miss lands off the embryo
    marker_of = {0: 0}
    divisions = sorted(instance.divisions(), key=lambda d: (d[0], instance.centroid[d[1], 0]))
    for t, p, a, b in divisions:
        while state.frame != t:
            act(Press("next" if t > state.frame else "prev"))
        u, v = state.markers[marker_of[p]][:2]
        act(Place(*_jitter(rng, u, v, 0.002)))              # select the parent
        for k, c in enumerate(sorted((a, b), key=lambda c: instance.centroid[c, 0])):
            place(c, t, (p, a, b), sister_marked=k == 1)
            marker_of[c] = len(state.markers) - 1
    act(Press("done"))
    return acts


def _wrong_marker(state, instance: Instance) -> bool:
    """Any marker on a wrong cell, under a wrong parent, or marking a cell twice."""
    cells, seen, ok = marker_cells(state, instance), set(), []
    for i, (_, _, _, p) in enumerate(state.markers):
        c = cells[i]
        good = c == 0 if p < 0 else (ok[p] and c >= 0 and instance.parent[c] == cells[p])
        good = good and c not in seen
        seen.add(c)
        ok.append(good)
    return not all(ok)


def _free_spot(state, instance: Instance, cell: int, frame: int) -> tuple[float, float]:
    """The cell's centroid, or, if a marker is near it, the cell's pixel farthest from the markers on screen."""
    x, y = instance.centroid[cell] if instance.birth[cell] == frame else (np.nan, np.nan)
    if np.isfinite(x) and instance.cell_at(frame, x, y) == cell and _clear_of_markers(state, x, y):
        return float(x), float(y)
    ys, xs = np.nonzero(instance.labels[frame] == cell)
    pts = (np.stack([xs, ys], axis=1) + 0.5) / SIZE
    shown = [state.markers[i][:2] for i in gui.on_screen(state.markers, frame)]
    gap = np.min(np.linalg.norm(pts[:, None] - np.array(shown)[None], axis=2), axis=1) if shown else np.ones(len(pts))
    centre = pts.mean(axis=0)
    best = np.argmax(np.minimum(gap, FREE) - 0.1 * np.linalg.norm(pts - centre, axis=1))
    return float(pts[best, 0]), float(pts[best, 1])


def oracle(state, instance: Instance):
    """The greedy correct next action from `state`."""
    if state.done:
        return Press("done")
    if _wrong_marker(state, instance):
        return Press("undo", tag="correction")
    if not state.markers:
        if state.frame != 0:
            return Press("prev")
        return Place(*_free_spot(state, instance, 0, 0))
    cells = marker_cells(state, instance)
    marker_of = {c: i for i, c in enumerate(cells)}
    for t, p, a, b in sorted(instance.divisions(), key=lambda d: (d[0], instance.centroid[d[1], 0])):
        missing = [c for c in (a, b) if c not in marker_of]
        if not missing:
            continue
        if state.frame != t:
            return Press("next" if t > state.frame else "prev")
        if state.selected != marker_of[p]:
            return Place(*(float(x) for x in state.markers[marker_of[p]][:2]))
        return Place(*_free_spot(state, instance, missing[0], t))
    return Press("done")
