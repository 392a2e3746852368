"""Animal Behavioral Tracking GUI (paper A.2.4, Figure 11).

Window 524x436: a 384x384 canvas with the current video frame and the
markers placed on it, a narrow control panel, and a status bar (frame,
selected animal and marker type, markers on this frame). There is no title
row, and the window padding is 10 px instead of the theme's 12: the paper's
largest frame is 524x436 and a 384-px canvas leaves no more room.

| control | action | does | enabled when |
|---|---|---|---|
| 01 … 08 | `Press("animal_01")` … | select that animal (clears the marker type) | the animal exists (4–8 per sequence) |
| Front | `Press("front")` | next placement is the selected animal's head marker | an animal is selected |
| Back | `Press("back")` | next placement is its tail marker | an animal is selected |
| Prev / Next | `Press("prev")` / `Press("next")` | previous / next frame (selection kept) | not on the first / last frame |
| Undo | `Press("undo")` | remove the latest placement made on this frame | this frame has a placement |
| Done | `Press("done")` | finish the episode | always |
| canvas | `Place(u, v)` | put the selected animal's Front or Back marker on this frame at (u, v) | an animal and a marker type are selected |

Semantics the paper leaves open, as chosen here:
- Each animal has at most one Front and one Back marker per frame. Placing
  one again moves it; `markers` keeps every placement in order, and the
  marker shown (and scored) for a (frame, animal, type) is the latest one.
  Undo removes the latest placement *on the current frame* (the one the
  annotator just saw go wrong), which brings back the one it had replaced.
- Selecting an animal clears the marker type, so each animal's pair is
  "select, Front, place, Back, place" as the paper describes; the marker type
  stays selected after a placement and after undo (a corrected placement is
  just placed again).
- Markers are circles in the animal's colour (Front filled, Back a ring),
  labelled "01F" / "01B", with a thin line from front to back showing the
  animal's orientation. Only the current frame's markers are shown.
After Done every action is ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from tasks.common import require, require_bool, require_finite_unit, require_int, to_json
from types import MappingProxyType

from widgets import (
    PANEL_LOOKS, Button, Canvas, Circle, Image, Label, Line, Place, Row, Text, Theme, by_identity, window)

from .world import N_FRAMES, N_MAX, SIZE, Instance

PANEL_W = 110
PAD = 10             # window padding: 10 + 384 + 10 + 110 + 10 = 524 wide, 10 + 384 + 6 + 26 + 10 = 436 high
BTN_H = 26
KINDS = ("F", "B")
KIND_OF_ACTION = {"front": "F", "back": "B"}
# marker colours per animal id (bright, unlike the animals' muted bodies)
MARKER_COLORS = ("#ff4d4d", "#4dd2ff", "#ffd24d", "#7dff4d", "#ff4dd2", "#4d7dff", "#ff9a3c", "#b84dff")


def animal_action(i: int) -> str:
    return f"animal_{i + 1:02d}"


ANIMAL_ACTIONS = {animal_action(i): i for i in range(N_MAX)}


@dataclass(frozen=True)
class State:
    frame: int = 0
    animal: int | None = None          # selected animal (0-based) or none
    kind: str | None = None            # "F" | "B" | None: marker type to place
    markers: tuple[tuple[int, int, str, float, float], ...] = ()   # (frame, animal, kind, u, v) in placement order
    done: bool = False


def initial_state(instance: Instance) -> State:
    return State()


def current_markers(state: State) -> MappingProxyType:
    """(frame, animal, kind) -> (u, v) of the marker in force: the latest placement of each (read-only)."""
    return _latest(state.markers)


@by_identity()
def _latest(markers: tuple) -> MappingProxyType:
    return MappingProxyType({(f, a, k): (u, v) for f, a, k, u, v in markers})


def apply(state: State, action, instance: Instance) -> State:
    if state.done:
        return state
    if isinstance(action, Place):
        if state.animal is None or state.kind is None:
            return state
        m = (state.frame, state.animal, state.kind, float(action.u), float(action.v))
        return replace(state, markers=state.markers + (m,))
    name = getattr(action, "name", None)
    if name in ANIMAL_ACTIONS and ANIMAL_ACTIONS[name] < instance.n:
        return replace(state, animal=ANIMAL_ACTIONS[name], kind=None)
    if name in KIND_OF_ACTION and state.animal is not None:
        return replace(state, kind=KIND_OF_ACTION[name])
    if name == "prev" and state.frame > 0:
        return replace(state, frame=state.frame - 1)
    if name == "next" and state.frame < N_FRAMES - 1:
        return replace(state, frame=state.frame + 1)
    if name == "undo":
        for i in range(len(state.markers) - 1, -1, -1):
            if state.markers[i][0] == state.frame:
                return replace(state, markers=state.markers[:i] + state.markers[i + 1:])
        return state
    if name == "done":
        return replace(state, done=True)
    return state


@by_identity()
def _overlay(markers: tuple, frame: int) -> tuple:
    """The markers of `frame` (the same objects while the annotation is unchanged)."""
    shown = {(a, k): uv for (f, a, k), uv in _latest(markers).items() if f == frame}
    items = []
    for a in range(N_MAX):      # orientation lines first, under the circles
        if (a, "F") in shown and (a, "B") in shown:
            (u0, v0), (u1, v1) = shown[(a, "F")], shown[(a, "B")]
            items.append(Line(u0 * SIZE, v0 * SIZE, u1 * SIZE, v1 * SIZE, color=MARKER_COLORS[a] + "aa", width=1.0))
    for (a, k), (u, v) in sorted(shown.items()):
        x, y, c = u * SIZE, v * SIZE, MARKER_COLORS[a]
        if k == "F":
            items.append(Circle(x, y, 5.0, fill=c + "cc", stroke="#ffffff", stroke_width=1.0))
        else:
            items.append(Circle(x, y, 5.0, stroke=c, stroke_width=2.0))
        items.append(Text(x + 14, y - 9, f"{a + 1:02d}{k}", color=c, size=9, bold=True))
    return tuple(items)


@by_identity(maxsize=PANEL_LOOKS)
def _panel(live: bool, n: int, animal: int | None, kind: str | None, can_prev: bool, can_next: bool,
           can_undo: bool, theme: Theme) -> tuple:
    """The controls, a function of a few flags: built again only when one changes."""
    small = theme.small_size
    animals = [Button(f"{i + 1:02d}", animal_action(i), enabled=live and i < n, active=animal == i, height=BTN_H,
                      flex=1) for i in range(N_MAX)]
    chosen = live and animal is not None
    return (
        Label("Animal", height=16, font_size=small, color=theme.text_dim),
        *(Row(animals[i], animals[i + 1], gap=theme.gap) for i in range(0, N_MAX, 2)),
        Label("Marker", height=16, font_size=small, color=theme.text_dim),
        Row(Button("Front", "front", enabled=chosen, active=kind == "F", height=BTN_H, flex=1, font_size=12),
            Button("Back", "back", enabled=chosen, active=kind == "B", height=BTN_H, flex=1, font_size=12),
            gap=theme.gap),
        Label("Frame", height=16, font_size=small, color=theme.text_dim),
        Row(Button("Prev", "prev", enabled=can_prev, height=BTN_H, flex=1, font_size=12),
            Button("Next", "next", enabled=can_next, height=BTN_H, flex=1, font_size=12), gap=theme.gap),
        Label("", height=4),
        Button("Undo", "undo", enabled=can_undo, height=BTN_H),
        Button("Done", "done", enabled=live, height=BTN_H),
    )


def view(state: State, instance: Instance, theme: Theme, layout: str = "right"):
    current = current_markers(state)
    overlay = _overlay(state.markers, state.frame)
    canvas = Canvas(SIZE, SIZE, items=(Image(instance.frame_views[state.frame]), *overlay))
    live = not state.done
    on_frame = any(m[0] == state.frame for m in state.markers)
    panel = _panel(live, instance.n, state.animal, state.kind, live and state.frame > 0,
                   live and state.frame < N_FRAMES - 1, live and on_frame, theme)
    sel = f"{state.animal + 1:02d}" if state.animal is not None else "--"
    kind = {"F": "Front", "B": "Back", None: "-"}[state.kind]
    placed = sum(1 for (f, _, _) in current if f == state.frame)
    status = (f"frame {state.frame + 1}/{N_FRAMES}   animal {sel}   marker {kind}   "
              f"placed {placed}/{2 * instance.n}")
    return window(None, canvas, panel, status, _padded(theme), panel_width=PANEL_W, layout=layout)


@lru_cache(maxsize=16)
def _padded(theme: Theme) -> Theme:
    """The theme with this window's padding (built once: `dataclasses.replace` costs more than the view)."""
    return replace(theme, padding=PAD)


def twin_data(instance: Instance) -> dict:
    """What the HTML twin (playwright_parity/web/animal_behavioral_tracking.html) needs: the frames and the animal count."""
    return {"size": SIZE, "n_frames": N_FRAMES, "n_max": N_MAX, "n_animals": instance.n,
            "frames": list(instance.frame_views)}


def task_fields(state: State) -> dict:
    return {"frame": state.frame, "animal": -1 if state.animal is None else state.animal,
            "kind": {"F": 1, "B": 2, None: 0}[state.kind], "n_markers": len(current_markers(state))}


def state_to_json(state: State) -> dict:
    return to_json(state)


def state_from_json(obj: dict, instance: Instance | None = None) -> State:
    require(isinstance(obj, dict), "state", f"expected an object, got {type(obj).__name__}")
    unknown = set(obj) - {"frame", "animal", "kind", "markers", "done"}
    require(not unknown, "state", f"unknown fields {sorted(unknown)}")
    n = instance.n if instance is not None else N_MAX
    animal = obj.get("animal")
    if animal is not None:
        animal = require_int(animal, "state.animal", 0, n - 1)
    kind = obj.get("kind")
    require(kind is None or kind in KINDS, "state.kind", f"expected null, 'F' or 'B', got {kind!r}")
    require(kind is None or animal is not None, "state.kind", "a marker type needs a selected animal")
    markers = obj.get("markers", [])
    require(isinstance(markers, (list, tuple)), "state.markers", "expected a list of [frame, animal, kind, u, v]")
    parsed = []
    for i, m in enumerate(markers):
        f = f"state.markers[{i}]"
        require(isinstance(m, (list, tuple)) and len(m) == 5, f, f"expected [frame, animal, kind, u, v], got {m!r}")
        require(m[2] in KINDS, f"{f}[2]", f"expected 'F' or 'B', got {m[2]!r}")
        parsed.append((require_int(m[0], f"{f}[0]", 0, N_FRAMES - 1), require_int(m[1], f"{f}[1]", 0, n - 1), m[2],
                       require_finite_unit(m[3], f"{f}[3]"), require_finite_unit(m[4], f"{f}[4]")))
    return State(frame=require_int(obj.get("frame", 0), "state.frame", 0, N_FRAMES - 1), animal=animal,
                 kind=kind, markers=tuple(parsed), done=require_bool(obj.get("done", False), "state.done"))


def validate_state(state, instance: Instance) -> State:
    require(isinstance(state, State), "state",
            f"expected an animal_behavioral_tracking State, got {type(state).__name__}")
    return state_from_json(state_to_json(state), instance)
