"""Road Network Construction GUI (paper A.2.8, Figure 15).

Window 426x436: the 256x256 road image with the graph drawn over it, a
control panel, a status bar (node and edge counts, mode), a hint.

| control | action | does | enabled when |
|---|---|---|---|
| canvas, off nodes | `Place(u, v)` | add a node at (u, v), select it | not connecting (else ignored) |
| canvas, on a node | `Place(u, v)` | select that node | not connecting |
| canvas, on a node | `Place(u, v)` | edge selected–node, select node, leave the mode | connecting |
| Connect to… | `Press("connect")` | enter connect mode from the selected node (press again: leave it) | a node is selected |
| Undo | `Press("undo")` | revert the last edit (add node, add edge, remove node) | an edit exists |
| Remove | `Press("remove")` | delete the selected node and its edges | a node is selected |
| Done | `Press("done")` | finish the episode | always |

Semantics the paper leaves open, fixed here:
- "on a node" means within `PICK_PX` (8 px) of its centre (nearest node wins);
  a click farther away adds a node, so two nodes are never closer than 8 px.
  A near duplicate (8–15 px from a node) is the annotator's "duplicate node"
  mistake; the GUI does not judge placements, the annotator notices and undoes.
- Edges are undirected; connecting a pair that is already joined adds
  nothing (selection still moves to the target). Connecting a node to itself
  is impossible (clicking the source in connect mode leaves the mode).
- After an edge the target is selected and connect mode is off, so a road is
  traced as Connect to…, click, Connect to…, click, …
- Undo reverts graph edits only (selection and mode are not edits); it leaves
  connect mode and keeps the selection if that node still exists.
- Remove acts on nodes (the paper's "selected elements"); an edge goes with
  Undo or with one of its nodes.
The selected node has a cyan ring (green in connect mode); edges are yellow lines.
After Done every action is ignored.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from tasks.common import require, require_bool, require_finite_unit, require_int, to_json
from widgets import PANEL_LOOKS, Button, Canvas, Circle, Image, Line, Place, Theme, by_identity, window

from .world import SIZE, Instance

WINDOW_H = 436
PANEL_W = 134
PICK_PX = 8.0        # a click this close to a node's centre picks the node
MAX_ID = 10 ** 6

Node = tuple[int, float, float]   # (id, u, v)


@dataclass(frozen=True)
class State:
    nodes: tuple[Node, ...] = ()                 # sorted by id
    edges: tuple[tuple[int, int], ...] = ()      # (a, b) node ids, a < b, sorted
    selected: int = -1                           # node id, -1 for none
    connecting: bool = False                     # "Connect to…" mode from the selected node
    next_id: int = 0
    # undo records: ("node", id) | ("edge", a, b) | ("remove", id, u, v, ((a, b), ...))
    history: tuple = ()
    done: bool = False


def initial_state(instance: Instance) -> State:
    return State()


def node_at(state: State, u: float, v: float) -> int:
    """Id of the node picked by a click at (u, v), or -1."""
    best, best_d = -1, PICK_PX
    for i, nu, nv in state.nodes:
        du, dv = nu - u, nv - v
        d = math.sqrt(du * du + dv * dv) * SIZE   # sqrt, not pow or hypot: bit-identical in the HTML twin
        if d <= best_d:
            best, best_d = i, d
    return best


def _place(state: State, u: float, v: float) -> State:
    hit = node_at(state, u, v)
    if state.connecting:
        if hit < 0:
            return state
        if hit == state.selected:
            return replace(state, connecting=False)
        edge = (min(hit, state.selected), max(hit, state.selected))
        if edge in state.edges:
            return replace(state, selected=hit, connecting=False)
        return replace(state, edges=tuple(sorted(state.edges + (edge,))), selected=hit, connecting=False,
                       history=state.history + (("edge",) + edge,))
    if hit >= 0:
        return replace(state, selected=hit)
    i = state.next_id
    return replace(state, nodes=state.nodes + ((i, u, v),), selected=i, next_id=i + 1,
                   history=state.history + (("node", i),))


def _remove(state: State) -> State:
    k = state.selected
    node = next(n for n in state.nodes if n[0] == k)
    gone = tuple(e for e in state.edges if k in e)
    return replace(state, nodes=tuple(n for n in state.nodes if n[0] != k),
                   edges=tuple(e for e in state.edges if k not in e), selected=-1, connecting=False,
                   history=state.history + (("remove", k, node[1], node[2], gone),))


def _undo(state: State) -> State:
    rec, history = state.history[-1], state.history[:-1]
    nodes, edges = state.nodes, state.edges
    if rec[0] == "node":
        nodes = tuple(n for n in nodes if n[0] != rec[1])
        edges = tuple(e for e in edges if rec[1] not in e)
    elif rec[0] == "edge":
        edges = tuple(e for e in edges if e != (rec[1], rec[2]))
    elif not any(n[0] == rec[1] for n in nodes):
        nodes = tuple(sorted(nodes + ((rec[1], rec[2], rec[3]),)))
        edges = tuple(sorted(set(edges) | set(rec[4])))
    # a history read from JSON need not be consistent: never leave an edge without its nodes
    ids = {n[0] for n in nodes}
    edges = tuple(e for e in edges if e[0] in ids and e[1] in ids)
    selected = state.selected if any(n[0] == state.selected for n in nodes) else -1
    return replace(state, nodes=nodes, edges=edges, selected=selected, connecting=False, history=history)


def apply(state: State, action, instance: Instance) -> State:
    if state.done:
        return state
    if isinstance(action, Place):
        return _place(state, float(action.u), float(action.v))
    name = getattr(action, "name", None)
    if name == "connect" and state.selected >= 0:
        return replace(state, connecting=not state.connecting)
    if name == "undo" and state.history:
        return _undo(state)
    if name == "remove" and state.selected >= 0:
        return _remove(state)
    if name == "done":
        return replace(state, done=True, connecting=False)
    return state


# --- view ------------------------------------------------------------------

EDGE_COLOR = "#ffd54f"
NODE_FILL = "#ff7043"
SELECT_COLOR = "#00e5ff"
CONNECT_COLOR = "#76ff03"


def _overlay(state: State) -> list:
    pos = {i: (u * SIZE, v * SIZE) for i, u, v in state.nodes}
    items = [Line(*pos[a], *pos[b], color=EDGE_COLOR, width=2.5) for a, b in state.edges]
    for i, (x, y) in pos.items():
        items.append(Circle(x, y, 4.5, fill=NODE_FILL, stroke="#ffffff", stroke_width=1.5))
        if i == state.selected:
            items.append(Circle(x, y, 8.0, stroke=CONNECT_COLOR if state.connecting else SELECT_COLOR,
                                stroke_width=2.0))
    return items


@by_identity(maxsize=PANEL_LOOKS)
def _panel(live: bool, has_sel: bool, connecting: bool, can_undo: bool) -> tuple:
    """The controls, a function of a few flags: built again only when one changes."""
    return (
        Button("Connect to\u2026", "connect", enabled=has_sel, active=connecting),
        Button("Undo", "undo", enabled=can_undo),
        Button("Remove", "remove", enabled=has_sel),
        Button("Done", "done", enabled=live),
    )


def view(state: State, instance: Instance, theme: Theme, layout: str = "right"):
    canvas = Canvas(SIZE, SIZE, items=(Image(instance.image), *_overlay(state)))
    live = not state.done
    has_sel = live and state.selected >= 0
    panel = _panel(live, has_sel, state.connecting, live and bool(state.history))
    mode = "connect" if state.connecting else "place"
    status = f"nodes: {len(state.nodes)}   edges: {len(state.edges)}   mode: {mode}"
    hint = "Place nodes on intersections and road ends, then connect them."
    return window("Road Network Construction", canvas, panel, status, theme, panel_width=PANEL_W,
                  height=WINDOW_H, layout=layout, hint=hint)


def twin_data(instance: Instance) -> dict:
    """What the HTML twin (playwright_parity/web/road_network_construction.html) needs: the road raster."""
    return {"size": SIZE, "pick_px": PICK_PX, "image": instance.image}


def task_fields(state: State) -> dict:
    return {"n_nodes": len(state.nodes), "n_edges": len(state.edges), "selected": state.selected,
            "connecting": int(state.connecting), "n_history": len(state.history)}


# --- JSON ------------------------------------------------------------------

def state_to_json(state: State) -> dict:
    return to_json(state)


def _pair(e, field: str) -> tuple[int, int]:
    require(isinstance(e, (list, tuple)) and len(e) == 2, field, f"expected [a, b], got {e!r}")
    a, b = require_int(e[0], f"{field}[0]", 0, MAX_ID), require_int(e[1], f"{field}[1]", 0, MAX_ID)
    require(a < b, field, f"expected a < b, got {e!r}")
    return a, b


def _edge(e, field: str, ids: set[int]) -> tuple[int, int]:
    a, b = _pair(e, field)
    require(a in ids and b in ids, field, f"edge {e!r} names a node that does not exist")
    return a, b


def _record(r, field: str) -> tuple:
    require(isinstance(r, (list, tuple)) and r and r[0] in ("node", "edge", "remove"), field,
            f"expected ['node', id] | ['edge', a, b] | ['remove', id, u, v, edges], got {r!r}")
    kind = r[0]
    size = {"node": 2, "edge": 3, "remove": 5}[kind]
    require(len(r) == size, field, f"a {kind!r} record has {size} entries, got {r!r}")
    if kind == "node":
        return ("node", require_int(r[1], f"{field}[1]", 0, MAX_ID))
    if kind == "edge":
        return ("edge",) + _pair(r[1:], field)
    require(isinstance(r[4], (list, tuple)), f"{field}[4]", f"expected a list of edges, got {r[4]!r}")
    gone = tuple(_pair(e, f"{field}[4][{k}]") for k, e in enumerate(r[4]))
    return ("remove", require_int(r[1], f"{field}[1]", 0, MAX_ID), require_finite_unit(r[2], f"{field}[2]"),
            require_finite_unit(r[3], f"{field}[3]"), gone)


def state_from_json(obj: dict, instance: Instance | None = None) -> State:
    require(isinstance(obj, dict), "state", f"expected an object, got {type(obj).__name__}")
    fields = {"nodes", "edges", "selected", "connecting", "next_id", "history", "done"}
    unknown = set(obj) - fields
    require(not unknown, "state", f"unknown fields {sorted(unknown)}")
    next_id = require_int(obj.get("next_id", 0), "state.next_id", 0, MAX_ID)
    raw = obj.get("nodes", [])
    require(isinstance(raw, (list, tuple)), "state.nodes", "expected a list of [id, u, v]")
    nodes = []
    for k, n in enumerate(raw):
        require(isinstance(n, (list, tuple)) and len(n) == 3, f"state.nodes[{k}]", f"expected [id, u, v], got {n!r}")
        nodes.append((require_int(n[0], f"state.nodes[{k}][0]", 0, max(next_id - 1, 0)),
                      require_finite_unit(n[1], f"state.nodes[{k}][1]"),
                      require_finite_unit(n[2], f"state.nodes[{k}][2]")))
        require(nodes[-1][0] < next_id, f"state.nodes[{k}][0]", f"id must be < next_id ({next_id})")
    ids = [n[0] for n in nodes]
    require(ids == sorted(set(ids)), "state.nodes", "ids must be distinct and in increasing order")
    raw = obj.get("edges", [])
    require(isinstance(raw, (list, tuple)), "state.edges", "expected a list of [a, b]")
    edges = tuple(_edge(e, f"state.edges[{k}]", set(ids)) for k, e in enumerate(raw))
    require(list(edges) == sorted(set(edges)), "state.edges", "edges must be distinct and sorted")
    selected = require_int(obj.get("selected", -1), "state.selected", -1, MAX_ID)
    require(selected == -1 or selected in ids, "state.selected", f"no node with id {selected}")
    connecting = require_bool(obj.get("connecting", False), "state.connecting")
    require(not connecting or selected >= 0, "state.connecting", "connect mode needs a selected node")
    raw = obj.get("history", [])
    require(isinstance(raw, (list, tuple)), "state.history", "expected a list of undo records")
    history = tuple(_record(r, f"state.history[{k}]") for k, r in enumerate(raw))
    return State(nodes=tuple(nodes), edges=edges, selected=selected, connecting=connecting, next_id=next_id,
                 history=history, done=require_bool(obj.get("done", False), "state.done"))


def validate_state(state, instance: Instance) -> State:
    require(isinstance(state, State), "state",
            f"expected a road_network_construction State, got {type(state).__name__}")
    return state_from_json(state_to_json(state), instance)
