"""The virtual annotator of Shape Matching (paper A.3).

The paper: the annotator scans the scene and clicks each object matching
the template (the counter increments with each correct click), then clicks
Done. `plan` scans in reading order (rows of about one object height, top to
bottom, left to right within a row) and clicks each matching object near its
centre (hand jitter about 2 px, always inside the 17 px hit radius), then
Done: 2–5 clicks + Done. The paper describes no mistakes for this task and its
GUI has no undo, so the plan makes none (see `__init__` on lengths).

`oracle`: click the first matching object not yet clicked, else Done. Wrong
clicks cannot be taken back, and the primary metric (all targets) does not
count them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from widgets import Place, Press

from .world import SIZE, Instance


@dataclass(frozen=True)
class Style:
    jitter_px: float = 2.0   # s.d. of a click around the object's centre
    clip_px: float = 6.0     # never farther than this (the hit radius is 17 px)
    row_px: float = 30.0     # height of a scan row


STYLES = {
    "default": Style(),
    "hasty": Style(jitter_px=4.0, clip_px=10.0, row_px=60.0),
}


def scan_order(instance: Instance, row_px: float) -> list[int]:
    px = instance.centers * SIZE
    return sorted(instance.matches.tolist(), key=lambda k: (int(px[k, 1] // row_px), px[k, 0]))


def plan(instance: Instance, rng: np.random.Generator, style: str = "default") -> list:
    s = STYLES[style]
    acts = []
    for k in scan_order(instance, s.row_px):
        d = np.clip(rng.normal(0, s.jitter_px, 2), -s.clip_px, s.clip_px)
        u, v = (instance.centers[k] * SIZE + d) / SIZE
        acts.append(Place(float(u), float(v)))
    return acts + [Press("done")]


def oracle(state, instance: Instance):
    """The greedy correct next action from `state`."""
    if not state.done:
        for k in scan_order(instance, Style().row_px):
            if k not in state.clicked:
                return Place(*(float(c) for c in instance.centers[k]))
    return Press("done")
