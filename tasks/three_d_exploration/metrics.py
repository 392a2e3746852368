"""3D Exploration metrics (paper A.2.9), per sample.

- `flat_vs_3d_accuracy`: 1 if the selected class is planar (I, +, P, T, L)
  exactly when the true class is, else 0.
- `class_similarity`: 1.0 for the right class, 0.3 for another class of the
  same group (planar or 3-D), 0 across groups.
- `exploration_quality`: min(r / 5, 1), r the number of rotations performed.
- `exploration_adjusted_accuracy` (primary): min(r / 5, 1) for a correct
  class, 0 otherwise.

The prediction is the selected class (the paper's episodes end with Confirm;
`done` says whether this one did). With no class selected every
classification metric is 0.
"""
from __future__ import annotations

from .world import IS_3D, Instance

PRIMARY = "exploration_adjusted_accuracy"
SAME_GROUP_CREDIT = 0.3
FULL_EXPLORATION = 5


def metrics(state, instance: Instance) -> dict[str, float]:
    pred, true = state.selected, instance.cls
    r = len(state.rotations)
    quality = min(r / FULL_EXPLORATION, 1.0)
    chosen = pred >= 0
    correct = chosen and pred == true
    same_group = chosen and IS_3D[pred] == IS_3D[true]
    similarity = 1.0 if correct else (SAME_GROUP_CREDIT if same_group else 0.0)
    adjusted = quality if correct else 0.0
    return {
        "primary": adjusted, "exploration_adjusted_accuracy": adjusted,
        "flat_vs_3d_accuracy": float(same_group), "class_similarity": similarity,
        "exploration_quality": quality, "accuracy": float(correct),
        "n_rotations": float(r), "done": float(state.done),
    }
