"""Animal Behavioral Tracking metrics (paper A.2.4), per sample.

Scored markers are the ones in force: the latest placement of each
(frame, animal, Front/Back) — see `gui.py`. A marker is correct when it lies
within 5 % of the canvas (0.05 normalized, ~19 px on 384) of its ground truth.

- animal match rate (primary): pairs with both Front and Back correct, over
  all expected pairs (animals x frames);
- position RMSE: root-mean-square distance (normalized) of the placed markers
  that are not correct; NaN when there are none (the paper pools these over
  samples: `wrong_sq_sum` / `n_wrong` let a caller pool them the same way);
- detection rate: 1 when every required marker (2 x animals x frames) is
  placed, else 0 (the paper's fraction of samples with no missing marker).
"""
from __future__ import annotations

import numpy as np

from .gui import current_markers
from .world import Instance

TOL = 0.05
PRIMARY = "animal_match_rate"


def metrics(state, instance: Instance) -> dict[str, float]:
    placed = current_markers(state)
    gt = {"F": instance.fronts, "B": instance.backs}
    correct, wrong = set(), []
    for (f, a, k), (u, v) in placed.items():
        d = float(np.hypot(u - gt[k][f, a, 0], v - gt[k][f, a, 1]))
        if d <= TOL:
            correct.add((f, a, k))
        else:
            wrong.append(d)
    n_pairs = instance.n_frames * instance.n
    matched = sum(1 for f in range(instance.n_frames) for a in range(instance.n)
                  if (f, a, "F") in correct and (f, a, "B") in correct)
    rate = matched / n_pairs
    wrong_sq = float(np.sum(np.square(wrong)))
    return {
        "primary": rate, "animal_match_rate": rate,
        "position_rmse": float(np.sqrt(wrong_sq / len(wrong))) if wrong else float("nan"),
        "detection_rate": float(len(placed) == 2 * n_pairs),
        "wrong_sq_sum": wrong_sq, "n_wrong": float(len(wrong)),
        "n_markers": float(len(placed)), "done": float(state.done),
    }
