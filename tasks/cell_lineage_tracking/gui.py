"""Cell Lineage Tracking GUI (paper A.2.3, Figure 10).

Window 426x400: a 256x256 canvas with the current frame's embryo (cells as
coloured Voronoi regions) and the lineage markers on screen; a side panel
with prev/next, undo and done; a status bar (frame, cells marked, selection).

| control | action | does | enabled when |
|---|---|---|---|
| ◀ Prev | `Press("prev")` | previous frame (clears the selection) | frame > 0 |
| Next ▶ | `Press("next")` | next frame (clears the selection) | frame < 9 |
| Undo | `Press("undo")` | remove the last placed marker | a marker exists |
| Done | `Press("done")` | finish the episode | always |
| canvas, on a marker | `Place(u, v)` | select that marker as the parent | a marker is on screen within 0.025 |
| canvas, elsewhere | `Place(u, v)` | place a marker: the root (first marker), or a daughter of the selected marker | see below |

Semantics the paper leaves open, as defined here:
- A marker is a cell in the frame it was placed in; a daughter marker
  records its parent marker. A marker is on screen in its own frame (green)
  and propagates to later frames (white) until two daughters of it have been
  placed on or before the shown frame: a non-dividing cell needs no clicks.
- Clicking within `SELECT_R` (0.025, ~6 px) of a marker on screen selects it
  (the nearest one) instead of placing; the selection is drawn yellow.
- A click elsewhere places a marker: with nothing selected only the first
  marker (the root) can be placed, later clicks do nothing; with a marker
  selected, the click places a daughter of it on the current frame; after
  its second daughter the selection clears (a cell divides into two).
- Changing frame clears the selection (a parent is chosen in the division
  frame, where its daughters are).
- Undo removes the last placed marker; if it was a daughter and its parent
  is on screen, the parent is selected again, so the annotator simply places
  the daughter again. After Done every action is ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from tasks.common import require, require_bool, require_finite_unit, require_int, to_json
from widgets import PANEL_LOOKS, Button, Canvas, Circle, Image, Label, Place, Press, Row, Theme, by_identity, window

from .world import N_FRAMES, SELECT_R, SIZE, Instance

WINDOW_H = 400
PANEL_W = 134
CURRENT, PROPAGATED, SELECTED = "#39e75f", "#ffffff", "#ffd43b"


@dataclass(frozen=True)
class State:
    frame: int = 0
    selected: int = -1      # index of the selected marker, -1 = none
    markers: tuple[tuple[float, float, int, int], ...] = ()   # (u, v, frame, parent marker index or -1)
    done: bool = False


def initial_state(instance: Instance) -> State:
    return State()


def n_children(markers, i: int, frame: int = N_FRAMES) -> int:
    """Daughters of marker i placed on or before `frame`."""
    return sum(1 for m in markers if m[3] == i and m[2] <= frame)


def on_screen(markers, frame: int) -> list[int]:
    """Markers shown on `frame`: placed on or before it, and not yet replaced by two daughters."""
    daughters: dict[int, int] = {}   # n_children of every marker, in one pass over the markers
    for m in markers:
        if m[2] <= frame:
            daughters[m[3]] = daughters.get(m[3], 0) + 1
    return [i for i, m in enumerate(markers) if m[2] <= frame and daughters.get(i, 0) < 2]


def marker_at(state: State, u: float, v: float) -> int:
    """The on-screen marker nearest to (u, v) within SELECT_R, or -1."""
    best, best_d2 = -1, SELECT_R * SELECT_R     # squared distances: the same bits in the HTML twin
    for i in on_screen(state.markers, state.frame):
        du, dv = state.markers[i][0] - u, state.markers[i][1] - v
        d2 = du * du + dv * dv
        if d2 <= best_d2:
            best, best_d2 = i, d2
    return best


def _place(state: State, u: float, v: float) -> State:
    hit = marker_at(state, u, v)
    if hit >= 0:
        return replace(state, selected=hit)
    sel = state.selected
    if sel < 0:
        if state.markers:
            return state                       # one root only: a parentless click needs a selected parent
        return replace(state, markers=((u, v, state.frame, -1),))
    if n_children(state.markers, sel) >= 2:
        return state
    markers = state.markers + ((u, v, state.frame, sel),)
    return replace(state, markers=markers, selected=sel if n_children(markers, sel) < 2 else -1)


def apply(state: State, action, instance: Instance) -> State:
    if state.done:
        return state
    if isinstance(action, Place):
        return _place(state, float(action.u), float(action.v))
    name = getattr(action, "name", None)
    if name == "prev" and state.frame > 0:
        return replace(state, frame=state.frame - 1, selected=-1)
    if name == "next" and state.frame < N_FRAMES - 1:
        return replace(state, frame=state.frame + 1, selected=-1)
    if name == "undo" and state.markers:
        markers, parent = state.markers[:-1], state.markers[-1][3]
        again = parent >= 0 and parent in on_screen(markers, state.frame) and n_children(markers, parent) < 2
        return replace(state, markers=markers, selected=parent if again else -1)
    if name == "done":
        return replace(state, done=True)
    return state


def _overlay(state: State) -> list:
    items = []
    for i in on_screen(state.markers, state.frame):
        u, v, f, _ = state.markers[i]
        if i == state.selected:
            items.append(Circle(u * SIZE, v * SIZE, 6.0, stroke=SELECTED, stroke_width=3.0))
        else:
            items.append(Circle(u * SIZE, v * SIZE, 5.0, stroke=CURRENT if f == state.frame else PROPAGATED,
                                stroke_width=2.0))
    return items


@by_identity(maxsize=PANEL_LOOKS)
def _panel(live: bool, can_prev: bool, can_next: bool, can_undo: bool, theme: Theme) -> tuple:
    """The controls, a function of a few flags: built again only when one changes."""
    return (
        # buttons in a row get an explicit height: a CSS row does not give them the natural height widgets does
        Row(Button("\u25c0 Prev", "prev", enabled=can_prev, height=theme.button_height, flex=1),
            Button("Next \u25b6", "next", enabled=can_next, height=theme.button_height, flex=1), gap=4),
        Button("Undo", "undo", enabled=can_undo),
        Button("Done", "done", enabled=live),
        Label("\u25cb green: this frame", height=18, font_size=theme.small_size, color=CURRENT),
        Label("\u25cb white: propagated", height=18, font_size=theme.small_size, color=theme.text_dim),
    )


def view(state: State, instance: Instance, theme: Theme, layout: str = "right"):
    canvas = Canvas(SIZE, SIZE, items=(Image(instance.frame_views[state.frame]), *_overlay(state)))
    live = not state.done
    panel = _panel(live, live and state.frame > 0, live and state.frame < N_FRAMES - 1, live and bool(state.markers),
                   theme)
    sel = f"#{state.selected + 1}" if state.selected >= 0 else "\u2013"
    status = f"frame {state.frame + 1}/{N_FRAMES}   markers {len(state.markers)}   parent {sel}"
    hint = "Click a parent marker, then both daughter cells."
    return window("Cell Lineage Tracking", canvas, panel, status, theme, panel_width=PANEL_W, height=WINDOW_H,
                  layout=layout, hint=hint)


def twin_data(instance: Instance) -> dict:
    """What the HTML twin (playwright_parity/web/cell_lineage_tracking.html) needs: the frames and the sizes."""
    return {"size": SIZE, "n_frames": N_FRAMES, "select_r": SELECT_R, "frames": list(instance.frame_views)}


def task_fields(state: State) -> dict:
    return {"frame": state.frame, "selected": state.selected, "n_markers": len(state.markers)}


def state_to_json(state: State) -> dict:
    return to_json(state)


def state_from_json(obj: dict, instance: Instance | None = None) -> State:
    require(isinstance(obj, dict), "state", f"expected an object, got {type(obj).__name__}")
    unknown = set(obj) - {"frame", "selected", "markers", "done"}
    require(not unknown, "state", f"unknown fields {sorted(unknown)}")
    markers = obj.get("markers", [])
    require(isinstance(markers, (list, tuple)), "state.markers", "expected a list of [u, v, frame, parent]")
    parsed = []
    for i, m in enumerate(markers):
        where = f"state.markers[{i}]"
        require(isinstance(m, (list, tuple)) and len(m) == 4, where, f"expected [u, v, frame, parent], got {m!r}")
        frame = require_int(m[2], f"{where}[2]", 0, N_FRAMES - 1)
        parent = require_int(m[3], f"{where}[3]", -1, i - 1)          # parents precede their daughters
        require((parent == -1) == (i == 0), f"{where}[3]", "the first marker is the root, every later one a daughter")
        require(parent < 0 or parsed[parent][2] <= frame, f"{where}[2]", "a daughter cannot precede its parent's frame")
        parsed.append((require_finite_unit(m[0], f"{where}[0]"), require_finite_unit(m[1], f"{where}[1]"), frame, parent))
    selected = require_int(obj.get("selected", -1), "state.selected", -1, len(parsed) - 1)
    return State(frame=require_int(obj.get("frame", 0), "state.frame", 0, N_FRAMES - 1), selected=selected,
                 markers=tuple(parsed), done=require_bool(obj.get("done", False), "state.done"))


def validate_state(state, instance: Instance) -> State:
    require(isinstance(state, State), "state", f"expected a cell_lineage_tracking State, got {type(state).__name__}")
    return state_from_json(state_to_json(state), instance)
