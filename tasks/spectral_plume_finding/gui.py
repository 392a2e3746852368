"""Spectral Plume Finding GUI (paper A.2.7, Figure 14).

Window 426x400: a 256x256 canvas with the current spectral band, a panel
with the band toggles b1–b5 (a strip under them marks the bands already
viewed), Draw, Cancel, Undo and Done, and a status bar (band, bands viewed,
markers, polygons, drawing progress).

| control | action | does | enabled when |
|---|---|---|---|
| b1 … b5 | `Press("b1")` … | show band k (and mark it viewed) | not done |
| Draw | `Press("draw")` | enter polygon mode | not drawing, not done |
| Cancel | `Press("cancel")` | discard the ongoing polygon, leave polygon mode | drawing |
| Undo | `Press("undo")` | drawing: remove the last vertex (none left: leave polygon mode); else remove the last marker or polygon | drawing, or an annotation exists |
| Done | `Press("done")` | finish the episode | not drawing, not done |
| canvas | `Place(u, v)` | drawing: add a vertex, or close the polygon (see below); else put a candidate marker | not done |

Semantics the paper leaves open, as defined here:
- Closing: in polygon mode a click within `CLOSE_PX` (5 px) of the first
  vertex closes the polygon when it has at least 3 vertices (the click itself
  is not a vertex); with fewer vertices such a click is ignored.
- Only closed polygons are predictions; markers are the annotator's notes
  (they never enter the metrics) and show on every band as cyan rings.
- Band buttons switch the view, also in polygon mode. Done is disabled while
  a polygon is open, so an open outline is never silently dropped.
- Undo outside polygon mode removes the last annotation, marker or whole
  closed polygon (annotations are undone in the order they were made).
After Done every action is ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from tasks.common import require, require_bool, require_finite_unit, require_int, to_json
from widgets import (
    PANEL_LOOKS, Button, Canvas, Circle, Image, Label, Place, Polyline, Press, Row, Theme, by_identity, window)

from .world import CLOSE_PX, N_BANDS, SIZE, Instance

WINDOW_H = 400
PANEL_W = 134
BAND_H = 24
POLY_COLOR = "#3ddc84"
DRAW_COLOR = "#ffd400"
MARKER_COLOR = "#00e5ff"


@dataclass(frozen=True)
class State:
    band: int = 0
    seen: tuple[bool, ...] = (True, False, False, False, False)
    markers: tuple[tuple[float, float], ...] = ()
    polygons: tuple[tuple[tuple[float, float], ...], ...] = ()   # closed polygons (u, v vertices)
    log: str = ""                 # "m"/"p" per annotation in the order made (what Undo removes)
    drawing: bool = False
    vertices: tuple[tuple[float, float], ...] = ()                # the open polygon
    done: bool = False


def initial_state(instance: Instance) -> State:
    return State()


def near_first(vertices, u: float, v: float) -> bool:
    """Within CLOSE_PX of the first vertex (squared distances: the HTML twin computes the same bits)."""
    if not vertices:
        return False
    dx, dy = (u - vertices[0][0]) * SIZE, (v - vertices[0][1]) * SIZE
    return dx * dx + dy * dy <= CLOSE_PX * CLOSE_PX


def apply(state: State, action, instance: Instance) -> State:
    if state.done:
        return state
    if isinstance(action, Place):
        u, v = float(action.u), float(action.v)
        if not state.drawing:
            return replace(state, markers=state.markers + ((u, v),), log=state.log + "m")
        if near_first(state.vertices, u, v):
            if len(state.vertices) < 3:
                return state
            return replace(state, polygons=state.polygons + (state.vertices,), log=state.log + "p",
                           drawing=False, vertices=())
        return replace(state, vertices=state.vertices + ((u, v),))
    name = getattr(action, "name", "")
    if len(name) == 2 and name[0] == "b" and name[1] in "12345":
        k = int(name[1]) - 1
        return replace(state, band=k, seen=tuple(s or i == k for i, s in enumerate(state.seen)))
    if name == "draw" and not state.drawing:
        return replace(state, drawing=True, vertices=())
    if name == "cancel" and state.drawing:
        return replace(state, drawing=False, vertices=())
    if name == "undo":
        if state.drawing:
            return replace(state, vertices=state.vertices[:-1]) if state.vertices else replace(state, drawing=False)
        if state.log:
            last, log = state.log[-1], state.log[:-1]
            if last == "m":
                return replace(state, markers=state.markers[:-1], log=log)
            return replace(state, polygons=state.polygons[:-1], log=log)
    if name == "done" and not state.drawing:
        return replace(state, done=True)
    return state


def _px(points) -> tuple:
    return tuple((u * SIZE, v * SIZE) for u, v in points)


def _overlay(state: State) -> tuple:
    return _annotations(state.polygons, state.markers) + _drawing(state.drawing, state.vertices)


@by_identity()
def _annotations(polygons: tuple, markers: tuple) -> tuple:
    """The finished polygons and the markers: the same objects while only the band changes."""
    items = []
    for poly in polygons:
        items.append(Polyline(_px(poly), color=POLY_COLOR, width=1.5, closed=True, fill=POLY_COLOR + "30"))
    for u, v in markers:
        items += [Circle(u * SIZE, v * SIZE, 5.0, stroke=MARKER_COLOR, stroke_width=1.5),
                  Circle(u * SIZE, v * SIZE, 1.2, fill=MARKER_COLOR)]
    return tuple(items)


@by_identity()
def _drawing(drawing: bool, vertices: tuple) -> tuple:
    """The polygon being traced and its closing target."""
    items = []
    if drawing and vertices:
        pts = _px(vertices)
        if len(pts) > 1:
            items.append(Polyline(pts, color=DRAW_COLOR, width=1.5))
        items += [Circle(x, y, 1.8, fill=DRAW_COLOR) for x, y in pts]
        items.append(Circle(*pts[0], CLOSE_PX, stroke=DRAW_COLOR, stroke_width=1.0))   # the closing target
    return tuple(items)


@by_identity(maxsize=PANEL_LOOKS)
def _panel(live: bool, band: int, seen: tuple, drawing: bool, can_undo: bool, theme: Theme) -> tuple:
    """The controls, a function of a few flags: built again only when one changes."""
    band_w = (PANEL_W - 4 * (N_BANDS - 1)) // N_BANDS
    bands = Row(*(Button(f"b{k + 1}", f"b{k + 1}", enabled=live, active=k == band, width=band_w,
                         height=BAND_H, font_size=theme.small_size) for k in range(N_BANDS)), gap=4, height=BAND_H)
    seen_row = Row(*(Label("", width=band_w, height=3, background=theme.accent if s else theme.button_disabled_bg)
                     for s in seen), gap=4, height=3)
    return (
        Label("Bands", height=14, font_size=theme.small_size, color=theme.text_dim),
        bands, seen_row,
        Label("Annotate", height=14, font_size=theme.small_size, color=theme.text_dim),
        Button("Draw", "draw", enabled=live and not drawing, active=drawing),
        Button("Cancel", "cancel", enabled=live and drawing),
        Button("Undo", "undo", enabled=can_undo),
        Button("Done", "done", enabled=live and not drawing),
    )


def view(state: State, instance: Instance, theme: Theme, layout: str = "right"):
    canvas = Canvas(SIZE, SIZE, items=(Image(instance.band_views[state.band]), *_overlay(state)))
    live = not state.done
    panel = _panel(live, state.band, state.seen, state.drawing, live and (state.drawing or bool(state.log)), theme)
    status = (f"band b{state.band + 1}  viewed {sum(state.seen)}/5  markers {len(state.markers)}  "
              f"polygons {len(state.polygons)}" + (f"  drawing {len(state.vertices)}" if state.drawing else ""))
    hint = "Outline every plume seen in exactly 3 of the 5 bands."
    return window("Spectral Plume Finding", canvas, panel, status, theme, panel_width=PANEL_W,
                  height=WINDOW_H, layout=layout, hint=hint)


def twin_data(instance: Instance) -> dict:
    """What the HTML twin (playwright_parity/web/spectral_plume_finding.html) needs: the 5 band rasters."""
    return {"size": SIZE, "n_bands": N_BANDS, "close_px": CLOSE_PX, "bands": list(instance.band_views)}


def task_fields(state: State) -> dict:
    return {"band": state.band, "n_seen": sum(state.seen), "n_markers": len(state.markers),
            "n_polygons": len(state.polygons), "drawing": int(state.drawing), "n_vertices": len(state.vertices)}


def state_to_json(state: State) -> dict:
    return to_json(state)


def _points(obj, field: str, min_len: int = 0) -> tuple:
    require(isinstance(obj, (list, tuple)) and len(obj) >= min_len, field,
            f"expected a list of at least {min_len} [u, v] points, got {obj!r}")
    out = []
    for i, p in enumerate(obj):
        require(isinstance(p, (list, tuple)) and len(p) == 2, f"{field}[{i}]", f"expected [u, v], got {p!r}")
        out.append((require_finite_unit(p[0], f"{field}[{i}][0]"), require_finite_unit(p[1], f"{field}[{i}][1]")))
    return tuple(out)


def state_from_json(obj: dict, instance: Instance | None = None) -> State:
    require(isinstance(obj, dict), "state", f"expected an object, got {type(obj).__name__}")
    fields = {"band", "seen", "markers", "polygons", "log", "drawing", "vertices", "done"}
    unknown = set(obj) - fields
    require(not unknown, "state", f"unknown fields {sorted(unknown)}")
    seen = obj.get("seen", [True, False, False, False, False])
    require(isinstance(seen, (list, tuple)) and len(seen) == N_BANDS, "state.seen", f"expected 5 booleans, got {seen!r}")
    seen = tuple(require_bool(s, f"state.seen[{i}]") for i, s in enumerate(seen))
    markers = _points(obj.get("markers", []), "state.markers")
    polys = obj.get("polygons", [])
    require(isinstance(polys, (list, tuple)), "state.polygons", "expected a list of polygons")
    polygons = tuple(_points(p, f"state.polygons[{i}]", 3) for i, p in enumerate(polys))
    log = obj.get("log", "")
    require(isinstance(log, str) and set(log) <= {"m", "p"}, "state.log", f"expected a string of 'm'/'p', got {log!r}")
    require(log.count("m") == len(markers) and log.count("p") == len(polygons), "state.log",
            "must hold one 'm' per marker and one 'p' per polygon")
    drawing = require_bool(obj.get("drawing", False), "state.drawing")
    vertices = _points(obj.get("vertices", []), "state.vertices")
    require(drawing or not vertices, "state.vertices", "an open polygon needs drawing = true")
    band = require_int(obj.get("band", 0), "state.band", 0, N_BANDS - 1)
    require(seen[band], "state.seen", "the current band must be marked viewed")
    return State(band=band, seen=seen, markers=markers, polygons=polygons, log=log, drawing=drawing,
                 vertices=vertices, done=require_bool(obj.get("done", False), "state.done"))


def validate_state(state, instance: Instance) -> State:
    require(isinstance(state, State), "state", f"expected a spectral_plume_finding State, got {type(state).__name__}")
    return state_from_json(state_to_json(state), instance)
