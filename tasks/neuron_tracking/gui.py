"""Neuron Tracking GUI (paper A.2.2, Figure 9).

Window 426x400: a 256x256 canvas with the current frame and the markers
placed on it (labelled circles, one colour per neuron ID); a side panel with
the neuron ID buttons 01–10 (a 2x5 grid; IDs beyond the instance's neuron
count are disabled), prev/next frame, cancel, undo and done; a status bar
(frame, selected neuron, markers placed).

| control | action | does | enabled when |
|---|---|---|---|
| 01 … 10 | `Press("n01")` … `Press("n10")` | select that neuron ID (pressing the selected one keeps it) | ID <= neuron count |
| ◀ Prev | `Press("prev")` | previous frame | frame > 0 |
| Next ▶ | `Press("next")` | next frame | frame < 9 |
| Cancel | `Press("cancel")` | clear the neuron selection (markers stay) | a neuron is selected |
| Undo | `Press("undo")` | take back the last placement | a placement exists |
| Done | `Press("done")` | finish the episode | always |
| canvas | `Place(u, v)` | put the selected neuron's marker for this frame at (u, v) | a neuron is selected |

Semantics the paper leaves open, as defined here:
- Selection is sticky: a neuron ID stays selected across placements and
  frame changes until another ID is pressed or Cancel clears it. A canvas
  click with nothing selected does nothing.
- A neuron has at most one marker per frame: placing it again on the same
  frame moves it. The state keeps every placement in order, and the marker
  of (neuron, frame) is its last placement, so Undo (which drops the last
  placement) also brings a moved marker back to where it was.
- "Cancel" cancels the current selection, not any marker: it is the safe way
  out of "I picked the wrong ID" without touching the annotation.
- Only the current frame's markers are drawn; the selected neuron's marker
  is drawn bolder. After Done every action is ignored.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from tasks.common import on_frame, require, require_bool, require_finite_unit, require_int, to_json
from types import MappingProxyType

from widgets import (
    PANEL_LOOKS, Button, Canvas, Circle, Column, Image, Label, Place, Press, Row, Text, Theme, by_identity, window)

from .world import MAX_NEURONS, N_FRAMES, SIZE, Instance

WINDOW_H = 400
PANEL_W = 134
BUTTON_H = 26
# one colour per neuron ID (Tableau-like, none of them the neurons' green)
ID_COLORS = ("#ff6b6b", "#4dabf7", "#ffd43b", "#f783ac", "#ff922b",
             "#b197fc", "#e9ecef", "#66d9e8", "#ffa8a8", "#d8f5a2")


def id_action(k: int) -> str:
    return f"n{k:02d}"


@dataclass(frozen=True)
class State:
    frame: int = 0
    selected: int = 0      # neuron ID 1..10, 0 = none
    placements: tuple[tuple[int, int, float, float], ...] = ()   # (id, frame, u, v) in placement order
    done: bool = False


def initial_state(instance: Instance) -> State:
    return State()


def markers(state: State) -> MappingProxyType:
    """The current markers: (id, frame) -> (u, v), each the last placement of its key (read-only)."""
    return _latest(state.placements)


@by_identity()
def _latest(placements: tuple) -> MappingProxyType:
    return MappingProxyType({(k, f): (u, v) for k, f, u, v in placements})


def apply(state: State, action, instance: Instance) -> State:
    if state.done:
        return state
    if isinstance(action, Place):
        if not state.selected:
            return state
        return replace(state, placements=state.placements
                       + ((state.selected, state.frame, float(action.u), float(action.v)),))
    name = getattr(action, "name", None)
    if isinstance(name, str) and len(name) == 3 and name[0] == "n" and name[1:].isdigit():
        k = int(name[1:])
        return replace(state, selected=k) if 1 <= k <= instance.n else state
    if name == "prev" and state.frame > 0:
        return replace(state, frame=state.frame - 1)
    if name == "next" and state.frame < N_FRAMES - 1:
        return replace(state, frame=state.frame + 1)
    if name == "cancel" and state.selected:
        return replace(state, selected=0)
    if name == "undo" and state.placements:
        return replace(state, placements=state.placements[:-1])
    if name == "done":
        return replace(state, done=True)
    return state


@by_identity()
def _overlay(placements: tuple, frame: int, selected: int) -> tuple:
    """The markers of `frame` with their IDs (the same objects while nothing changes)."""
    items = []
    for k, (u, v) in on_frame(_latest(placements), frame, 1):
        x, y, color, sel = u * SIZE, v * SIZE, ID_COLORS[k - 1], k == selected
        items.append(Circle(x, y, 7.0, stroke=color, stroke_width=2.5 if sel else 1.5))
        # the label's anchor snapped to whole pixels: glyphs at arbitrary sub-pixel offsets are where
        # Skia and Chromium's canvas text differ (the HTML twin snaps the same way)
        items.append(Text(math.floor(x + 13.5), math.floor(y - 9.5), f"{k:02d}", color=color, size=10, bold=sel))
    return tuple(items)


@by_identity(maxsize=PANEL_LOOKS)
def _panel(live: bool, n: int, selected: int, can_prev: bool, can_next: bool, can_undo: bool, theme: Theme) -> tuple:
    """The controls, a function of a few flags: built again only when one changes."""
    def id_button(k: int) -> Button:
        return Button(f"{k:02d}", id_action(k), enabled=live and k <= n, active=k == selected, height=BUTTON_H, flex=1)

    grid = Column(*(Row(id_button(2 * r + 1), id_button(2 * r + 2), gap=4) for r in range(MAX_NEURONS // 2)), gap=4)
    return (
        Label("Neuron ID", height=16, font_size=theme.small_size, color=theme.text_dim),
        grid,
        Row(Button("\u25c0 Prev", "prev", enabled=can_prev, height=BUTTON_H, flex=1),
            Button("Next \u25b6", "next", enabled=can_next, height=BUTTON_H, flex=1), gap=4),
        Row(Button("Cancel", "cancel", enabled=live and selected > 0, height=BUTTON_H, flex=1),
            Button("Undo", "undo", enabled=can_undo, height=BUTTON_H, flex=1), gap=4),
        Button("Done", "done", enabled=live, height=BUTTON_H),
    )


def view(state: State, instance: Instance, theme: Theme, layout: str = "right"):
    overlay = _overlay(state.placements, state.frame, state.selected)
    canvas = Canvas(SIZE, SIZE, items=(Image(instance.frame_views[state.frame]), *overlay))
    live = not state.done
    panel = _panel(live, instance.n, state.selected, live and state.frame > 0, live and state.frame < N_FRAMES - 1,
                   live and bool(state.placements), theme)
    sel = f"{state.selected:02d}" if state.selected else "\u2013"
    status = f"frame {state.frame + 1}/{N_FRAMES}   neuron {sel}   markers {len(markers(state))}"
    hint = "Select an ID, click its neuron, go to the next frame."
    return window("Neuron Tracking", canvas, panel, status, theme, panel_width=PANEL_W, height=WINDOW_H,
                  layout=layout, hint=hint)


def twin_data(instance: Instance) -> dict:
    """What the HTML twin (playwright_parity/web/neuron_tracking.html) needs: the frames and the neuron count."""
    return {"size": SIZE, "n_frames": N_FRAMES, "n_neurons": instance.n, "frames": list(instance.frame_views)}


def task_fields(state: State) -> dict:
    return {"frame": state.frame, "selected": state.selected, "n_markers": len(markers(state))}


def state_to_json(state: State) -> dict:
    return to_json(state)


def state_from_json(obj: dict, instance: Instance | None = None) -> State:
    require(isinstance(obj, dict), "state", f"expected an object, got {type(obj).__name__}")
    unknown = set(obj) - {"frame", "selected", "placements", "done"}
    require(not unknown, "state", f"unknown fields {sorted(unknown)}")
    n_ids = instance.n if instance is not None else MAX_NEURONS
    placements = obj.get("placements", [])
    require(isinstance(placements, (list, tuple)), "state.placements", "expected a list of [id, frame, u, v]")
    parsed = []
    for i, p in enumerate(placements):
        where = f"state.placements[{i}]"
        require(isinstance(p, (list, tuple)) and len(p) == 4, where, f"expected [id, frame, u, v], got {p!r}")
        parsed.append((require_int(p[0], f"{where}[0]", 1, n_ids), require_int(p[1], f"{where}[1]", 0, N_FRAMES - 1),
                       require_finite_unit(p[2], f"{where}[2]"), require_finite_unit(p[3], f"{where}[3]")))
    return State(frame=require_int(obj.get("frame", 0), "state.frame", 0, N_FRAMES - 1),
                 selected=require_int(obj.get("selected", 0), "state.selected", 0, n_ids),
                 placements=tuple(parsed), done=require_bool(obj.get("done", False), "state.done"))


def validate_state(state, instance: Instance) -> State:
    require(isinstance(state, State), "state", f"expected a neuron_tracking State, got {type(state).__name__}")
    return state_from_json(state_to_json(state), instance)
