"""Shape Matching GUI (paper A.3, Figures 4a and 17): the held-out (OOD) task.

Window 426x436: a "MATCH THIS" sidebar on the LEFT (the template shape in a
picture, the "FOUND: X/N" counter, Done), the 256x256 scene of 12 objects, a
status bar, a hint.

| control | action | does | enabled when |
|---|---|---|---|
| canvas, within 17 px of an object | `Place(u, v)` | click that object (recorded once) | not done |
| canvas, elsewhere | `Place(u, v)` | nothing | — |
| Done | `Press("done")` | finish the episode | not done |

Semantics the paper leaves open, fixed here:
- A click hits the object whose centre is within 17 px (paper: radius 12 +
  5 px tolerance); centres are >= 36 px apart, so at most one object is hit.
  A click elsewhere changes nothing (it is not recorded).
- Every clicked object is recorded once, in order; clicking it again does
  nothing. There is no undo (the paper's GUI has none), so a wrong click stays.
- FOUND counts the clicked objects that match; only those get the green check
  mark. A non-matching click shows nothing (the counter simply does not move).
- Matching is by shape class alone; colours vary and the template is white.
- Layout: unlike every training task the panel is on the LEFT (paper §5 and
  Figure 4a). The `layout` argument names the variant relative to the other
  tasks: "right" (everyone's default) is the paper's own GUI, which for this
  task has the sidebar on the left; "left" mirrors it (sidebar on the right).
After Done every action is ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tasks.common import require, require_bool, require_int, to_json
from widgets import Button, Canvas, Circle, Image, Label, Picture, Place, Polyline, Theme, by_identity, window

from .world import N_OBJECTS, SIZE, Instance, shape_outline

WINDOW_H = 436
PANEL_W = 134
HIT_PX = 17.0          # paper: a click within 17 px of an object's centre hits it
SIDE = {"right": "left", "left": "right"}   # layout variant -> where this task's sidebar goes
CHECK = "#00e676"
TEMPLATE_XYR = (PANEL_W / 2, 44.0, 28.0)   # the template shape's centre and radius in its 134x88 picture


@dataclass(frozen=True)
class State:
    clicked: tuple[int, ...] = ()   # indices of the objects clicked, in order, each once
    done: bool = False


def initial_state(instance: Instance) -> State:
    return State()


def object_at(instance: Instance, u: float, v: float) -> int:
    """Index of the object within 17 px of (u, v), or -1."""
    du, dv = instance.centers[:, 0] - u, instance.centers[:, 1] - v
    d = np.sqrt(du * du + dv * dv) * SIZE   # sqrt, not hypot: bit-identical in the HTML twin
    k = int(np.argmin(d))
    return k if d[k] <= HIT_PX else -1


def found(state: State, instance: Instance) -> int:
    return sum(int(instance.shapes[k] == instance.template) for k in state.clicked)


def apply(state: State, action, instance: Instance) -> State:
    if state.done:
        return state
    if isinstance(action, Place):
        k = object_at(instance, float(action.u), float(action.v))
        if k < 0 or k in state.clicked:
            return state
        return replace(state, clicked=state.clicked + (k,))
    if getattr(action, "name", None) == "done":
        return replace(state, done=True)
    return state


def _check(x: float, y: float) -> tuple:
    """A green ring and check mark over a found object."""
    return (Circle(x, y, 15.0, stroke=CHECK, stroke_width=2.0),
            Polyline(((x - 6, y), (x - 2, y + 5), (x + 7, y - 6)), color="#0b1a10", width=5.0),  # contrast edge
            Polyline(((x - 6, y), (x - 2, y + 5), (x + 7, y - 6)), color=CHECK, width=3.0))


@by_identity(maxsize=4)
def _template(kind: int) -> Picture:
    x, y, r = TEMPLATE_XYR
    pts = shape_outline(kind, x, y, r)
    item = Circle(x, y, r, fill="#f0f0f0") if not pts else Polyline(pts, color=None, closed=True, fill="#f0f0f0")
    return Picture(PANEL_W, 88, items=(item,), background="#101216")


def view(state: State, instance: Instance, theme: Theme, layout: str = "right"):
    items = [Image(instance.image)]
    for k in state.clicked:
        if instance.shapes[k] == instance.template:
            x, y = instance.centers[k] * SIZE
            items += _check(float(x), float(y))
    canvas = Canvas(SIZE, SIZE, items=tuple(items))
    n, hits = len(instance.matches), found(state, instance)
    panel = [
        Label("MATCH THIS", height=20, bold=True, align="center"),
        _template(instance.template),
        Label(f"FOUND: {hits}/{n}", height=24, bold=True, align="center", color=CHECK),
        Button("Done", "done", enabled=not state.done),
    ]
    status = f"found: {hits}/{n}   clicks: {len(state.clicked)}"
    hint = "Click every object that matches the template, then Done."
    return window("Shape Matching", canvas, panel, status, theme, panel_width=PANEL_W, height=WINDOW_H,
                  layout=SIDE[layout], hint=hint)


def twin_data(instance: Instance) -> dict:
    """What the HTML twin (playwright_parity/web/shape_matching.html) needs: the scene raster, the objects,
    and the template picture's geometry (computed here, so both GUIs draw the same polygon)."""
    x, y, r = TEMPLATE_XYR
    return {"size": SIZE, "hit_px": HIT_PX, "image": instance.image,
            "shapes": [int(k) for k in instance.shapes], "template": int(instance.template),
            "centers": [[float(u), float(v)] for u, v in instance.centers],
            "template_xyr": [x, y, r], "template_points": [list(p) for p in shape_outline(instance.template, x, y, r)]}


def task_fields(state: State) -> dict:
    return {"n_clicked": len(state.clicked)}


def state_to_json(state: State) -> dict:
    return to_json(state)


def state_from_json(obj: dict, instance: Instance | None = None) -> State:
    require(isinstance(obj, dict), "state", f"expected an object, got {type(obj).__name__}")
    unknown = set(obj) - {"clicked", "done"}
    require(not unknown, "state", f"unknown fields {sorted(unknown)}")
    raw = obj.get("clicked", [])
    require(isinstance(raw, (list, tuple)), "state.clicked", "expected a list of object indices")
    n = N_OBJECTS if instance is None else len(instance.shapes)
    clicked = tuple(require_int(k, f"state.clicked[{i}]", 0, n - 1) for i, k in enumerate(raw))
    require(len(set(clicked)) == len(clicked), "state.clicked", "an object is clicked at most once")
    return State(clicked=clicked, done=require_bool(obj.get("done", False), "state.done"))


def validate_state(state, instance: Instance) -> State:
    require(isinstance(state, State), "state", f"expected a shape_matching State, got {type(state).__name__}")
    return state_from_json(state_to_json(state), instance)
