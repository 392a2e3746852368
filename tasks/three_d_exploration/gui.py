"""3D Exploration GUI (paper A.2.9, Figure 16).

Window 482x365: the 256x256 3-D view (pyrender, see `render.py`) on the
left; on the right the rotation buttons, the 9 class buttons in two columns
(planar left, 3-D right) and Confirm; a status bar (rotations done, class
selected).

| control | action | does | enabled when |
|---|---|---|---|
| +X / −X | `Press("+x")` / `Press("-x")` | turn the object 30° about the screen's horizontal axis | not confirmed |
| +Y / −Y | `Press("+y")` / `Press("-y")` | turn the object 30° about the screen's vertical axis | not confirmed |
| class buttons | `Press("class:<name>")`, name in `world.CLASSES` | select that class (replaces the selection) | not confirmed |
| Confirm | `Press("confirm")` | finalize the selection, end the episode | a class is selected |
| canvas | `Place(u, v)` | nothing (the view only shows the object) | — |

Rotations turn about the fixed screen axes (the camera's X and Y), as a
person dragging a trackball expects, so +X then −X returns exactly to the
previous view. The state keeps the rotation presses in order: their count is
the exploration the paper's metrics need, and the orientation follows from
them exactly. Pressing the selected class again changes nothing. After
Confirm every action is ignored.

HTML twin: `playwright_parity/web/three_d_exploration.html` renders the view
with Three.js from `twin_data` (the scene's inputs, never the class);
`TWIN_3D` tells the parity harness to judge the canvas by its 3-D tolerance
(playwright_parity/README.md, "A 3-D view").
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from tasks.common import require, require_bool, require_int, to_json
from widgets import PANEL_LOOKS, Button, Canvas, Column, Image, Label, Row, Theme, by_identity, window

from .render import SIZE, background_bytes, scene_description, view_raster
from .world import CLASSES, COLORS, IS_3D, N_CLASSES, ROTATIONS, Instance

PANEL_W = 190
ROT_LABELS = {"+x": "+X", "-x": "\u2212X", "+y": "+Y", "-y": "\u2212Y"}
CLASS_LABELS = ("Line", "Plus", "Pentagon", "T-shape", "L-shape",
                "Methane", "Sq. pyramid", "Trig. bipyr.", "Bowtie")
CLASS_PREFIX = "class:"
MAX_ROTATIONS = 10_000   # a bound for JSON input only; any real episode is far below it


@dataclass(frozen=True)
class State:
    rotations: tuple[str, ...] = ()   # rotation presses in order ("+x", "-x", "+y", "-y")
    selected: int = -1                # selected class index, -1 for none
    done: bool = False


def initial_state(instance: Instance) -> State:
    return State()


def class_action(cls: int) -> str:
    return CLASS_PREFIX + CLASSES[cls]


def apply(state: State, action, instance: Instance) -> State:
    if state.done:
        return state
    name = getattr(action, "name", None)   # a canvas Place has no name: nothing happens
    if name in ROTATIONS:
        return replace(state, rotations=state.rotations + (name,))
    if isinstance(name, str) and name.startswith(CLASS_PREFIX) and name[len(CLASS_PREFIX):] in CLASSES:
        cls = CLASSES.index(name[len(CLASS_PREFIX):])
        return state if cls == state.selected else replace(state, selected=cls)
    if name == "confirm" and state.selected >= 0:
        return replace(state, done=True)
    return state


@by_identity(maxsize=PANEL_LOOKS)
def _panel(live: bool, selected: int, theme: Theme) -> tuple:
    """The controls, a function of two fields: built again only when one changes."""
    small = theme.small_size
    rot = Row(*(Button(ROT_LABELS[r], r, enabled=live, height=26, flex=1) for r in ROTATIONS), gap=4)

    def cls_button(c: int) -> Button:
        return Button(CLASS_LABELS[c], class_action(c), enabled=live, active=selected == c,
                      height=24, font_size=small, flex=1)

    flat = [c for c in range(N_CLASSES) if not IS_3D[c]]
    solid = [c for c in range(N_CLASSES) if IS_3D[c]]
    rows = [Row(cls_button(f), cls_button(s) if i < len(solid) else Label("", flex=1), gap=4)
            for i, (f, s) in enumerate(zip(flat, solid + [None]))]
    return (
        Label("Rotate 30\u00b0", height=16, font_size=small, color=theme.text_dim),
        rot,
        Row(Label("Planar", height=16, font_size=small, color=theme.text_dim, flex=1),
            Label("3-D", height=16, font_size=small, color=theme.text_dim, flex=1), gap=4),
        Column(*rows, gap=4),
        Button("Confirm", "confirm", enabled=live and selected >= 0, height=28),
    )


def view(state: State, instance: Instance, theme: Theme, layout: str = "right"):
    canvas = Canvas(SIZE, SIZE, items=(Image(view_raster(instance, state.rotations)),))
    panel = _panel(not state.done, state.selected, theme)
    chosen = CLASS_LABELS[state.selected] if state.selected >= 0 else "none"
    status = f"rotations: {len(state.rotations)}   class: {chosen}" + ("   confirmed" if state.done else "")
    hint = "Rotate the object to see its 3-D structure, then pick its shape and confirm."
    return window("3D Exploration", canvas, panel, status, theme, panel_width=PANEL_W,
                  layout=layout, hint=hint)


# The 3-D view for the parity harness (playwright_parity/compare3d.py): the canvas is rasterized by two
# renderers, compared by silhouettes and colour. Hues as rendered: pyrender's shader treats base colours
# as linear and gamma-encodes (1/2.2) the lit result, so a sphere shows (c/255)^(1/2.2) scaled by shading.
TWIN_3D = {"region": "canvas", "background": background_bytes(),
           "colors": (255.0 * (COLORS / 255.0) ** (1 / 2.2)).round(1).tolist()}


def twin_data(instance: Instance) -> dict:
    """What the HTML twin needs to render the view with Three.js and run the GUI (never the class)."""
    return {
        "scene": scene_description(),
        "points": instance.points, "start": instance.start, "colors": instance.colors.tolist(),
        "classes": list(CLASSES), "class_labels": list(CLASS_LABELS), "is_3d": list(IS_3D),
        "rotations": list(ROTATIONS), "rot_labels": [ROT_LABELS[r] for r in ROTATIONS],
        "panel_width": PANEL_W, "max_rotations": MAX_ROTATIONS,
    }


def task_fields(state: State) -> dict:
    return {"n_rotations": len(state.rotations), "selected": state.selected, "done": int(state.done)}


def state_to_json(state: State) -> dict:
    return to_json(state)


def state_from_json(obj: dict, instance: Instance | None = None) -> State:
    require(isinstance(obj, dict), "state", f"expected an object, got {type(obj).__name__}")
    unknown = set(obj) - {"rotations", "selected", "done"}
    require(not unknown, "state", f"unknown fields {sorted(unknown)}")
    rots = obj.get("rotations", [])
    require(isinstance(rots, (list, tuple)) and len(rots) <= MAX_ROTATIONS, "state.rotations",
            f"expected a list of at most {MAX_ROTATIONS} of {list(ROTATIONS)}")
    for i, r in enumerate(rots):
        require(isinstance(r, str) and r in ROTATIONS, f"state.rotations[{i}]",
                f"expected one of {list(ROTATIONS)}, got {r!r}")
    selected = require_int(obj.get("selected", -1), "state.selected", -1, N_CLASSES - 1)
    done = require_bool(obj.get("done", False), "state.done")
    require(not done or selected >= 0, "state.done", "a confirmed state needs a selected class")
    return State(rotations=tuple(rots), selected=selected, done=done)


def validate_state(state, instance: Instance) -> State:
    require(isinstance(state, State), "state", f"expected a three_d_exploration State, got {type(state).__name__}")
    return state_from_json(state_to_json(state), instance)
