"""Multichannel Image Alignment GUI (paper A.2.6, Figure 13).

Window 426x400: a 256x256 canvas with the current channel, a panel with the
channel selector dots (one small button per channel, its pseudo-colour swatch
underneath), the point buttons, Undo and Done, and a status bar (current
channel, current point, completed landmarks).

| control | action | does | enabled when |
|---|---|---|---|
| 1 … C (channel dots) | `Press("ch1")` … | show channel c | not done |
| P1 … PK (point buttons) | `Press("p1")` … | make landmark k the current point | not done |
| Undo | `Press("undo")` | remove the last placement; go back to its point and channel | a placement exists |
| Done | `Press("done")` | finish the episode | not done |
| canvas | `Place(u, v)` | put the current point's marker on the current channel at (u, v) | not done |

Semantics the paper leaves open, as defined here:
- Channel 1 is the reference: the landmark sites to register are shown on it
  as faint numbered crosshairs (the current point's in yellow); the work is
  finding each site again in the distorted channels 2…C. Without a cue the
  sites would be arbitrary and a cloned policy could not know them.
- One marker per (point, channel): placing again moves it. The state keeps
  the placement history; a marker is the latest placement of its (point,
  channel), so Undo of a move brings the previous position back.
- When a placement completes the current point (a marker on every channel),
  the current point advances to the next incomplete one (the channel stays).
  This is the paper's loop "place, switch to next channel, repeat"; the point
  buttons are for going back to a landmark.
- Markers of the current channel are numbered circles (the current point's in
  yellow); point buttons of completed landmarks carry a check mark.
After Done every action is ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from tasks.common import hex_color, require, require_bool, require_finite_unit, require_int, to_json
from widgets import (PANEL_LOOKS, Button, Canvas, Circle, Image, Label, Line, Place, Press, Row, Text, Theme,
                     by_identity, one_object, window)

from .world import CHANNELS, LANDMARKS, SIZE, Instance

WINDOW_H = 400
PANEL_W = 134
DOT_H = 22
POINT_H = 24
POINTS_PER_ROW = 3
CURRENT = "#ffd400"


@dataclass(frozen=True)
class State:
    channel: int = 0
    point: int = 0
    placements: tuple[tuple[int, int, float, float], ...] = ()   # (point, channel, u, v) in placement order
    done: bool = False


def initial_state(instance: Instance) -> State:
    return State()


def markers(state: State) -> dict[tuple[int, int], tuple[float, float]]:
    """(point, channel) -> (u, v): the latest placement of each."""
    return {(k, c): (u, v) for k, c, u, v in state.placements}


def complete_points(state: State, instance: Instance) -> list[int]:
    return sorted(_complete(state.placements, instance))


@by_identity()
def _complete(placements: tuple, instance: Instance) -> frozenset:
    """The points placed on every channel: one object per set, so that the panel, memoised by identity,
    is built once per look however the placements came to be."""
    placed = {(k, c) for k, c, _, _ in placements}
    return one_object(frozenset(k for k in range(instance.n_landmarks)
                                if all((k, c) in placed for c in range(instance.n_channels))))


def _next_incomplete(state: State, instance: Instance) -> int:
    done = set(complete_points(state, instance))
    n = instance.n_landmarks
    for step in range(1, n + 1):
        k = (state.point + step) % n
        if k not in done:
            return k
    return state.point


def apply(state: State, action, instance: Instance) -> State:
    if state.done:
        return state
    if isinstance(action, Place):
        k = state.point
        new = replace(state, placements=state.placements + ((k, state.channel, float(action.u), float(action.v)),))
        if k in complete_points(new, instance) and k not in complete_points(state, instance):
            new = replace(new, point=_next_incomplete(new, instance))
        return new
    name = getattr(action, "name", "")
    if name.startswith("ch") and name[2:].isdigit() and 1 <= int(name[2:]) <= instance.n_channels:
        return replace(state, channel=int(name[2:]) - 1)
    if name.startswith("p") and name[1:].isdigit() and 1 <= int(name[1:]) <= instance.n_landmarks:
        return replace(state, point=int(name[1:]) - 1)
    if name == "undo" and state.placements:
        k, c, _, _ = state.placements[-1]
        return replace(state, placements=state.placements[:-1], point=k, channel=c)
    if name == "done":
        return replace(state, done=True)
    return state


@by_identity(maxsize=4)
def _crosshairs(instance: Instance, point: int) -> list:
    """The reference crosshairs of the landmark sites (channel 1), the current point's highlighted."""
    items = []
    for k, (x, y) in enumerate(instance.landmarks[:, 0].tolist()):
        col = CURRENT if k == point else "#ffffffa0"
        items += [Line(x - 6, y, x - 2, y, col, 1.0), Line(x + 2, y, x + 6, y, col, 1.0),
                  Line(x, y - 6, x, y - 2, col, 1.0), Line(x, y + 2, x, y + 6, col, 1.0),
                  Text(x - 9, y + 9, str(k + 1), color=col, size=9)]
    return items


def _overlay(state: State, instance: Instance) -> list:
    items = list(_crosshairs(instance, state.point)) if state.channel == 0 else []
    for (k, c), (u, v) in sorted(markers(state).items()):
        if c == state.channel:
            col = CURRENT if k == state.point else "#ffffff"
            x, y = u * SIZE, v * SIZE
            items += [Circle(x, y, 5.0, stroke="#000000", stroke_width=3.0), Circle(x, y, 5.0, stroke=col, stroke_width=1.5),
                      Text(x + 10, y - 9, str(k + 1), color=col, size=10, bold=True)]
    return items


@by_identity(maxsize=4)
def _swatches(instance: Instance, dot_w: int) -> Row:
    """The channels' tint swatches under their buttons (an instance's, never changing)."""
    return Row(*(Label("", width=dot_w, height=4, background=hex_color(instance.tints[c]))
                 for c in range(instance.n_channels)), gap=4, height=4)


@by_identity(maxsize=PANEL_LOOKS)
def _panel(instance: Instance, live: bool, channel: int, point: int, done_pts: frozenset, can_undo: bool,
           theme: Theme) -> tuple:
    """The controls, a function of a few flags: built again only when one changes."""
    n_ch, n_pt = instance.n_channels, instance.n_landmarks
    small = theme.small_size
    dot_w = (PANEL_W - (CHANNELS[1] - 1) * 4) // CHANNELS[1]
    dots = Row(*(Button(str(c + 1), f"ch{c + 1}", enabled=live, active=c == channel, width=dot_w, height=DOT_H,
                        font_size=small) for c in range(n_ch)), gap=4, height=DOT_H)
    pt_w = (PANEL_W - (POINTS_PER_ROW - 1) * 4) // POINTS_PER_ROW
    point_rows = [Row(*(Button(f"P{k + 1}" + (" \u2713" if k in done_pts else ""), f"p{k + 1}", enabled=live,
                               active=k == point, width=pt_w, height=POINT_H, font_size=small)
                        for k in range(r, min(r + POINTS_PER_ROW, n_pt))), gap=4, height=POINT_H)
                  for r in range(0, n_pt, POINTS_PER_ROW)]
    return (
        Label("Channel", height=14, font_size=small, color=theme.text_dim),
        dots, _swatches(instance, dot_w),
        Label("Point", height=14, font_size=small, color=theme.text_dim),
        *point_rows,
        Button("Undo", "undo", enabled=can_undo),
        Button("Done", "done", enabled=live),
    )


def view(state: State, instance: Instance, theme: Theme, layout: str = "right"):
    canvas = Canvas(SIZE, SIZE, items=(Image(instance.channel_views[state.channel]), *_overlay(state, instance)))
    live = not state.done
    n_ch, n_pt = instance.n_channels, instance.n_landmarks
    done_pts = _complete(state.placements, instance)
    panel = _panel(instance, live, state.channel, state.point, done_pts, bool(state.placements) and live, theme)
    status = (f"channel {state.channel + 1}/{n_ch}   point {state.point + 1}/{n_pt}   "
              f"complete {len(done_pts)}/{n_pt}")
    hint = "Place every landmark (crosshairs on channel 1) on each channel."
    return window("Multichannel Image Alignment", canvas, panel, status, theme, panel_width=PANEL_W,
                  height=WINDOW_H, layout=layout, hint=hint)


def twin_data(instance: Instance) -> dict:
    """What the HTML twin (playwright_parity/web/multichannel_image_alignment.html) needs: the channel
    rasters, their swatch colours and the reference crosshairs (shown on channel 1)."""
    return {"size": SIZE, "n_channels": instance.n_channels, "n_landmarks": instance.n_landmarks,
            "channels": list(instance.channel_views), "tints": [hex_color(t) for t in instance.tints],
            "sites": [[float(x), float(y)] for x, y in instance.landmarks[:, 0]]}


def task_fields(state: State) -> dict:
    return {"channel": state.channel, "point": state.point, "n_placements": len(state.placements),
            "n_markers": len(markers(state))}


def state_to_json(state: State) -> dict:
    return to_json(state)


def state_from_json(obj: dict, instance: Instance | None = None) -> State:
    require(isinstance(obj, dict), "state", f"expected an object, got {type(obj).__name__}")
    unknown = set(obj) - {"channel", "point", "placements", "done"}
    require(not unknown, "state", f"unknown fields {sorted(unknown)}")
    n_ch = instance.n_channels if instance is not None else CHANNELS[1]
    n_pt = instance.n_landmarks if instance is not None else LANDMARKS[1]
    placements = obj.get("placements", [])
    require(isinstance(placements, (list, tuple)), "state.placements", "expected a list of [point, channel, u, v]")
    parsed = []
    for i, p in enumerate(placements):
        f = f"state.placements[{i}]"
        require(isinstance(p, (list, tuple)) and len(p) == 4, f, f"expected [point, channel, u, v], got {p!r}")
        parsed.append((require_int(p[0], f + "[0]", 0, n_pt - 1), require_int(p[1], f + "[1]", 0, n_ch - 1),
                       require_finite_unit(p[2], f + "[2]"), require_finite_unit(p[3], f + "[3]")))
    return State(channel=require_int(obj.get("channel", 0), "state.channel", 0, n_ch - 1),
                 point=require_int(obj.get("point", 0), "state.point", 0, n_pt - 1),
                 placements=tuple(parsed), done=require_bool(obj.get("done", False), "state.done"))


def validate_state(state, instance: Instance) -> State:
    require(isinstance(state, State), "state",
            f"expected a multichannel_image_alignment State, got {type(state).__name__}")
    return state_from_json(state_to_json(state), instance)
