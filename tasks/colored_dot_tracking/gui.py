"""Colored Dot Tracking GUI (paper A.2.1, Figures 2a and 8).

Window 426x436: a 256x256 canvas with the current z-slice or the MIP, a
control panel, a status bar (z position, points placed).

| control | action | does | enabled when |
|---|---|---|---|
| +z | `Press("+z")` | next slice | slice view and z < 15 |
| −z | `Press("-z")` | previous slice | slice view and z > 0 |
| MIP | `Press("mip")` | toggle the maximum intensity projection | always |
| Undo | `Press("undo")` | remove the last marker | a marker exists |
| Done | `Press("done")` | finish the episode | always |
| canvas | `Place(u, v)` | marker at (u, v) on the current slice | slice view (ignored on the MIP: it has no depth) |

Markers on the current slice are white rings; the MIP shows all markers and
the order in which they were placed. After Done every action is ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from tasks.common import require, require_bool, require_finite_unit, require_int, to_json
from widgets import PANEL_LOOKS, Button, Canvas, Circle, Image, Place, Polyline, Press, Text, Theme, by_identity, window

from .world import N_SLICES, SIZE, Instance

WINDOW_H = 436
PANEL_W = 134


@dataclass(frozen=True)
class State:
    z: int = 0
    mip: bool = False
    markers: tuple[tuple[float, float, int], ...] = ()   # (u, v, slice) in placement order
    done: bool = False


def initial_state(instance: Instance) -> State:
    return State()


def apply(state: State, action, instance: Instance) -> State:
    if state.done:
        return state
    if isinstance(action, Place):
        if state.mip:
            return state
        return replace(state, markers=state.markers + ((float(action.u), float(action.v), state.z),))
    name = getattr(action, "name", None)
    if name == "+z" and not state.mip and state.z < N_SLICES - 1:
        return replace(state, z=state.z + 1)
    if name == "-z" and not state.mip and state.z > 0:
        return replace(state, z=state.z - 1)
    if name == "mip":
        return replace(state, mip=not state.mip)
    if name == "undo" and state.markers:
        return replace(state, markers=state.markers[:-1])
    if name == "done":
        return replace(state, done=True)
    return state


def _overlay(state: State) -> list:
    items = []
    if state.mip:
        pts = tuple((u * SIZE, v * SIZE) for u, v, _ in state.markers)
        if len(pts) > 1:
            items.append(Polyline(pts, color="#ffffff99", width=1.0))
        shown = list(enumerate(state.markers))
    else:
        shown = [(i, m) for i, m in enumerate(state.markers) if m[2] == state.z]
    for i, (u, v, _) in shown:
        items.append(Circle(u * SIZE, v * SIZE, 6.0, stroke="#ffffff", stroke_width=2.0))
        items.append(Text(u * SIZE + 11, v * SIZE - 9, str(i + 1), color="#ffffff", size=10))
    return items


@by_identity(maxsize=PANEL_LOOKS)
def _panel(can_up: bool, can_down: bool, mip: bool, can_undo: bool, done: bool) -> tuple:
    """The controls, a function of a few flags: built again only when one changes."""
    return (
        Button("+z", "+z", enabled=can_up),
        Button("\u2212z", "-z", enabled=can_down),
        Button("MIP", "mip", active=mip, enabled=not done),
        Button("Undo", "undo", enabled=can_undo and not done),
        Button("Done", "done", enabled=not done),
    )


def view(state: State, instance: Instance, theme: Theme, layout: str = "right"):
    raster = instance.mip if state.mip else instance.slice_views[state.z]
    canvas = Canvas(SIZE, SIZE, items=(Image(raster), *_overlay(state)))
    free = not state.mip and not state.done
    panel = _panel(free and state.z < N_SLICES - 1, free and state.z > 0, state.mip, bool(state.markers),
                   state.done)
    mode = "MIP" if state.mip else "slice"
    status = f"z: {state.z} / {N_SLICES - 1}   points: {len(state.markers)}   view: {mode}"
    hint = "Place a marker on every dot in colour order (blue \u2192 red)."
    return window("Colored Dot Tracking", canvas, panel, status, theme, panel_width=PANEL_W,
                  height=WINDOW_H, layout=layout, hint=hint)


def twin_data(instance: Instance) -> dict:
    """What the HTML twin (playwright_parity/web/colored_dot_tracking.html) needs: the slice rasters and the MIP."""
    return {"n_slices": N_SLICES, "size": SIZE, "slices": list(instance.slice_views), "mip": instance.mip}


def task_fields(state: State) -> dict:
    return {"z": state.z, "mip": int(state.mip), "n_markers": len(state.markers)}


def state_to_json(state: State) -> dict:
    return to_json(state)


def state_from_json(obj: dict, instance: Instance | None = None) -> State:
    require(isinstance(obj, dict), "state", f"expected an object, got {type(obj).__name__}")
    unknown = set(obj) - {"z", "mip", "markers", "done"}
    require(not unknown, "state", f"unknown fields {sorted(unknown)}")
    markers = obj.get("markers", [])
    require(isinstance(markers, (list, tuple)), "state.markers", "expected a list of [u, v, z]")
    parsed = []
    for i, m in enumerate(markers):
        require(isinstance(m, (list, tuple)) and len(m) == 3, f"state.markers[{i}]", f"expected [u, v, z], got {m!r}")
        parsed.append((require_finite_unit(m[0], f"state.markers[{i}][0]"),
                       require_finite_unit(m[1], f"state.markers[{i}][1]"),
                       require_int(m[2], f"state.markers[{i}][2]", 0, N_SLICES - 1)))
    return State(z=require_int(obj.get("z", 0), "state.z", 0, N_SLICES - 1),
                 mip=require_bool(obj.get("mip", False), "state.mip"), markers=tuple(parsed),
                 done=require_bool(obj.get("done", False), "state.done"))


def validate_state(state, instance: Instance) -> State:
    require(isinstance(state, State), "state", f"expected a colored_dot_tracking State, got {type(state).__name__}")
    return state_from_json(state_to_json(state), instance)
