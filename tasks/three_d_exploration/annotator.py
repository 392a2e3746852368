"""The virtual annotator of 3D Exploration (paper A.2.9).

`plan`: rotate the object r times — r Gaussian around 5, kept in [min, 10],
never the same button twice in a row (each rotation picks uniformly among the
other three) — then select the class; with probability 30 % a misclick first
hits a neighbouring class button (tag "mistake": the button above, below,
left or right of the right one in the panel's grid) and the right class is
selected next (tag "correction"); then Confirm.

Deliberate deviation: the paper's annotator does 3–10 rotations with mean 5,
but its own primary metric (exploration-adjusted accuracy, min(r/5, 1) when
correct) then scores ≈ 37 % of its episodes below 1, while annosim's battery
requires the annotator to reach primary 1.0. The "default" style therefore
explores at least 5 times (r = clip(round(N(5, 1.5)), 5, 10): mean ≈ 5.6,
episode length 7–13, mean ≈ 7.9, ≥ 97 % inside Table 1's 5–10); the "paper"
style keeps the paper's 3–10 exactly (lengths 5–13, mean ≈ 7.4).

`oracle`: from any state, rotate until 5 rotations are done, select the right
class (replacing a wrong one), Confirm — at most 7 actions.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from widgets import Press

from .gui import class_action
from .world import IS_3D, N_CLASSES, ROTATIONS, Instance

FULL_EXPLORATION = 5      # rotations at which the paper's exploration quality saturates


@dataclass(frozen=True)
class Style:
    mean_rotations: float = 5.0     # paper: mean 5, Gaussian
    sd_rotations: float = 1.5       # keeps the paper's 3–10 range at about ±2 s.d.
    min_rotations: int = FULL_EXPLORATION   # paper: 3 (see the module docstring)
    max_rotations: int = 10         # paper: 10
    misclick_rate: float = 0.30     # paper: 30 % select a wrong class first, then correct it


STYLES = {
    "default": Style(),
    "paper": Style(min_rotations=3),
    "careful": Style(mean_rotations=6.5, misclick_rate=0.10),
    "hasty": Style(sd_rotations=1.0, misclick_rate=0.45),
}


def grid_position(cls: int) -> tuple[int, int]:
    """(row, column) of a class button: planar classes in column 0, 3-D classes in column 1 (gui.view)."""
    col = int(IS_3D[cls])
    row = sum(1 for c in range(cls) if IS_3D[c] == IS_3D[cls])
    return row, col


def grid_neighbours(cls: int) -> list[int]:
    """Class buttons next to `cls` in the panel grid: where a misclick lands."""
    r, c = grid_position(cls)
    near = {(r - 1, c), (r + 1, c), (r, 1 - c)}
    return [k for k in range(N_CLASSES) if grid_position(k) in near]


def plan(instance: Instance, rng: np.random.Generator, style: str = "default") -> list:
    s = STYLES[style]
    r = int(np.clip(round(rng.normal(s.mean_rotations, s.sd_rotations)), s.min_rotations, s.max_rotations))
    acts, last = [], None
    for _ in range(r):
        choices = [b for b in ROTATIONS if b != last]
        last = choices[rng.integers(len(choices))]
        acts.append(Press(last, tag="explore"))
    if rng.random() < s.misclick_rate:
        near = grid_neighbours(instance.cls)
        wrong = near[rng.integers(len(near))]
        acts += [Press(class_action(wrong), tag="mistake"), Press(class_action(instance.cls), tag="correction")]
    else:
        acts.append(Press(class_action(instance.cls)))
    return acts + [Press("confirm")]


def oracle(state, instance: Instance):
    """The greedy correct next action from `state`."""
    if state.done:
        return Press("confirm")
    if len(state.rotations) < FULL_EXPLORATION:
        last = state.rotations[-1] if state.rotations else None
        return Press("+y" if last == "+x" else "+x", tag="explore")
    if state.selected != instance.cls:
        return Press(class_action(instance.cls), tag="correction" if state.selected >= 0 else "")
    return Press("confirm")
