"""Animal Limb Tracking metrics (paper A.2.5), per sample.

Scored markers are the ones in force: the latest placement of each
(frame, keypoint) — see `gui.py`. A keypoint is correct when its marker lies
within 3 pixels of the ground truth on the 256-px canvas.

- PCK (primary): correct keypoints / total keypoints, where the total is every
  keypoint of every frame (the paper's `correct_keypoints / total_keypoints`;
  a missing keypoint counts as not correct, so placing one keypoint well is
  not a perfect score);
- PCK of placed: correct / placed (the paper's wording "fraction of placed
  keypoints"), NaN when nothing is placed;
- completion rate: 1 when Done was clicked, else 0;
- partial credit: PCK when completed, 0.5 x PCK otherwise.
"""
from __future__ import annotations

import numpy as np

from .gui import current_markers
from .world import SIZE, Instance

TOL_PX = 3.0
PRIMARY = "pck"


def metrics(state, instance: Instance) -> dict[str, float]:
    placed = current_markers(state)
    correct = 0
    for (f, k), (u, v) in placed.items():
        gx, gy = instance.keypoints[f, k]
        correct += bool(np.hypot(u - gx, v - gy) * SIZE <= TOL_PX)
    total = instance.n_frames * instance.n_keypoints
    pck = correct / total
    done = float(state.done)
    return {
        "primary": pck, "pck": pck,
        "pck_placed": correct / len(placed) if placed else float("nan"),
        "completion_rate": done,
        "partial_credit": pck if state.done else 0.5 * pck,
        "n_markers": float(len(placed)),
    }
