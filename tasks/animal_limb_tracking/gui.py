"""Animal Limb Tracking GUI (paper A.2.5, Figure 12).

Window 444x340: title, a 256x256 canvas with the current frame and the
keypoints placed on it, a tabbed sidebar, and a status bar (frame number,
keypoints placed on this frame, selected keypoint).

| control | action | does | enabled when |
|---|---|---|---|
| tab (Body, Legs, Wings / Spine) | `Press("tab_body")` … | show that body part's keypoint buttons (clears the selected keypoint) | always; the open tab has the active look |
| keypoint button (e.g. Beak, L tip) | `Press("kp_beak")` … | select that keypoint for the next placement | its tab is open (only the open tab's buttons exist) |
| Prev / Next | `Press("prev")` / `Press("next")` | previous / next frame (tab and selection kept) | not on the first / last frame |
| Undo | `Press("undo")` | remove the latest placement made on this frame | this frame has a placement |
| Done | `Press("done")` | finish the episode | always |
| canvas | `Place(u, v)` | put the selected keypoint on this frame at (u, v) | a keypoint is selected |

Semantics the paper leaves open, as chosen here:
- Each keypoint has at most one marker per frame. Placing it again moves it;
  `markers` keeps every placement in order and the one in force (shown and
  scored) is the latest. Undo removes the latest placement on the current
  frame, bringing back the one it had replaced.
- The selected keypoint stays selected after a placement and after Undo (a
  near error is corrected by placing again), and across frames.
- A keypoint button placed on this frame shows a check mark; markers are dots
  coloured by tab, the selected keypoint's marker ringed. The species' tabs
  are fixed: bird Body/Legs/Wings, insect Body/Wings/Legs, spider Body/Legs,
  snake Spine (see `world.KEYPOINTS`).
After Done every action is ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from tasks.common import on_frame, require, require_bool, require_finite_unit, require_int, to_json
from types import MappingProxyType

from widgets import (PANEL_LOOKS, Button, Canvas, Circle, Column, Image, Place, Row, Theme, by_identity, one_object,
                     window)

from .world import KEYPOINTS, SIZE, Instance, tabs_of

WINDOW_H = 340
PANEL_W = 152      # (152 - 2 x 4) / 3 tabs and (152 - 6) / 2 buttons are whole pixels, as CSS needs
BTN_H = 24
GRID_ROWS = 4        # keypoint grid: 2 columns x 4 rows fits the largest tab (8 buttons)
TAB_COLORS = {"Body": "#ff5a5a", "Legs": "#4dd2ff", "Wings": "#ffd24d", "Spine": "#ff5a5a"}


def tab_action(tab: str) -> str:
    return f"tab_{tab.lower()}"


def kp_action(kp_id: str) -> str:
    return f"kp_{kp_id}"


@dataclass(frozen=True)
class State:
    frame: int = 0
    tab: int = 0                        # open tab (index into the species' tabs)
    keypoint: int | None = None         # selected keypoint (index into KEYPOINTS[species]) or none
    markers: tuple[tuple[int, int, float, float], ...] = ()   # (frame, keypoint, u, v) in placement order
    done: bool = False


def initial_state(instance: Instance) -> State:
    return State()


def current_markers(state: State) -> MappingProxyType:
    """(frame, keypoint) -> (u, v) of the marker in force: the latest placement of each (read-only)."""
    return _latest(state.markers)


@by_identity()
def _latest(markers: tuple) -> MappingProxyType:
    return MappingProxyType({(f, k): (u, v) for f, k, u, v in markers})


def apply(state: State, action, instance: Instance) -> State:
    if state.done:
        return state
    if isinstance(action, Place):
        if state.keypoint is None:
            return state
        m = (state.frame, state.keypoint, float(action.u), float(action.v))
        return replace(state, markers=state.markers + (m,))
    name = getattr(action, "name", None)
    tabs = tabs_of(instance.species)
    kps = KEYPOINTS[instance.species]
    for i, tab in enumerate(tabs):
        if name == tab_action(tab):
            return state if i == state.tab else replace(state, tab=i, keypoint=None)
    for k, (tab, _, kid) in enumerate(kps):
        if name == kp_action(kid):
            return replace(state, keypoint=k) if tab == tabs[state.tab] else state
    if name == "prev" and state.frame > 0:
        return replace(state, frame=state.frame - 1)
    if name == "next" and state.frame < instance.n_frames - 1:
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
def _overlay(markers: tuple, frame: int, keypoint: int | None, species: str) -> tuple:
    """The markers of `frame`, the selected keypoint's ringed (the same objects while nothing changes)."""
    kps = KEYPOINTS[species]
    items = []
    for k, (u, v) in on_frame(_latest(markers), frame, 0):
        x, y = u * SIZE, v * SIZE
        items.append(Circle(x, y, 3.0, fill=TAB_COLORS[kps[k][0]], stroke="#ffffff", stroke_width=1.0))
        if k == keypoint:
            items.append(Circle(x, y, 6.5, stroke="#ffffff", stroke_width=1.5))
    return tuple(items)


@by_identity()
def _placed_on(markers: tuple, frame: int) -> frozenset:
    """Keypoints with a marker on `frame`: one object per set of keypoints, so that the panel, memoised by
    identity, is built once per look however the markers came to be."""
    return one_object(frozenset(k for (f, k) in _latest(markers) if f == frame))


@by_identity()
def _any_on(markers: tuple, frame: int) -> bool:
    return any(m[0] == frame for m in markers)


@by_identity(maxsize=PANEL_LOOKS)
def _panel(live: bool, species: str, tab: int, keypoint: int | None, here: frozenset, can_prev: bool,
           can_next: bool, can_undo: bool, theme: Theme) -> tuple:
    """The controls, a function of a few flags: built again only when one changes."""
    tabs = tabs_of(species)
    kps = KEYPOINTS[species]
    open_tab = [k for k, (t, _, _) in enumerate(kps) if t == tabs[tab]]
    half = (PANEL_W - theme.gap) // 2     # fixed widths: a lone button in the last row keeps its size
    buttons = [Button(kps[k][1] + (" \u2713" if k in here else ""), kp_action(kps[k][2]), enabled=live,
                      active=keypoint == k, width=half, height=BTN_H, font_size=11) for k in open_tab]
    grid = [Row(*buttons[i:i + 2], gap=theme.gap) for i in range(0, len(buttons), 2)]
    return (
        Row(*(Button(t, tab_action(t), enabled=live, active=i == tab, height=BTN_H, flex=1, font_size=11)
              for i, t in enumerate(tabs)), gap=4),
        Column(*grid, height=GRID_ROWS * BTN_H + (GRID_ROWS - 1) * 4, gap=4),
        Row(Button("Prev", "prev", enabled=can_prev, height=BTN_H + 2, flex=1, font_size=12),
            Button("Next", "next", enabled=can_next, height=BTN_H + 2, flex=1, font_size=12), gap=theme.gap),
        Button("Undo", "undo", enabled=can_undo, height=BTN_H + 2),
        Button("Done", "done", enabled=live, height=BTN_H + 2),
    )


def view(state: State, instance: Instance, theme: Theme, layout: str = "right"):
    overlay = _overlay(state.markers, state.frame, state.keypoint, instance.species)
    canvas = Canvas(SIZE, SIZE, items=(Image(instance.frame_views[state.frame]), *overlay))
    live = not state.done
    kps = KEYPOINTS[instance.species]
    here = _placed_on(state.markers, state.frame)
    panel = _panel(live, instance.species, state.tab, state.keypoint, here, live and state.frame > 0,
                   live and state.frame < instance.n_frames - 1, live and _any_on(state.markers, state.frame), theme)
    sel = kps[state.keypoint][1] if state.keypoint is not None else "-"
    status = f"frame {state.frame + 1}/{instance.n_frames}   keypoints {len(here)}/{len(kps)}   selected: {sel}"
    return window("Animal Limb Tracking", canvas, panel, status, theme, panel_width=PANEL_W, height=WINDOW_H,
                  layout=layout)


def twin_data(instance: Instance) -> dict:
    """What the HTML twin (playwright_parity/web/animal_limb_tracking.html) needs: frames, tabs, keypoint buttons."""
    return {"size": SIZE, "n_frames": instance.n_frames, "tabs": list(tabs_of(instance.species)),
            "keypoints": [list(k) for k in KEYPOINTS[instance.species]], "frames": list(instance.frame_views)}


def task_fields(state: State) -> dict:
    return {"frame": state.frame, "tab": state.tab, "keypoint": -1 if state.keypoint is None else state.keypoint,
            "n_markers": len(current_markers(state))}


def state_to_json(state: State) -> dict:
    return to_json(state)


def state_from_json(obj: dict, instance: Instance | None = None) -> State:
    require(isinstance(obj, dict), "state", f"expected an object, got {type(obj).__name__}")
    unknown = set(obj) - {"frame", "tab", "keypoint", "markers", "done"}
    require(not unknown, "state", f"unknown fields {sorted(unknown)}")
    n_frames = instance.n_frames if instance is not None else 40
    n_kp = len(KEYPOINTS[instance.species]) if instance is not None else max(len(v) for v in KEYPOINTS.values())
    n_tabs = len(tabs_of(instance.species)) if instance is not None else 3
    tab = require_int(obj.get("tab", 0), "state.tab", 0, n_tabs - 1)
    kp = obj.get("keypoint")
    if kp is not None:
        kp = require_int(kp, "state.keypoint", 0, n_kp - 1)
        if instance is not None:
            require(KEYPOINTS[instance.species][kp][0] == tabs_of(instance.species)[tab], "state.keypoint",
                    "the selected keypoint must belong to the open tab")
    markers = obj.get("markers", [])
    require(isinstance(markers, (list, tuple)), "state.markers", "expected a list of [frame, keypoint, u, v]")
    parsed = []
    for i, m in enumerate(markers):
        f = f"state.markers[{i}]"
        require(isinstance(m, (list, tuple)) and len(m) == 4, f, f"expected [frame, keypoint, u, v], got {m!r}")
        parsed.append((require_int(m[0], f"{f}[0]", 0, n_frames - 1), require_int(m[1], f"{f}[1]", 0, n_kp - 1),
                       require_finite_unit(m[2], f"{f}[2]"), require_finite_unit(m[3], f"{f}[3]")))
    return State(frame=require_int(obj.get("frame", 0), "state.frame", 0, n_frames - 1), tab=tab, keypoint=kp,
                 markers=tuple(parsed), done=require_bool(obj.get("done", False), "state.done"))


def validate_state(state, instance: Instance) -> State:
    require(isinstance(state, State), "state", f"expected an animal_limb_tracking State, got {type(state).__name__}")
    return state_from_json(state_to_json(state), instance)
