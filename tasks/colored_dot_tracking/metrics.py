"""Colored Dot Tracking metrics (paper A.2.1).

Markers and ground-truth dots are matched by the Hungarian algorithm on XY
distance; a pair counts only if XY <= 0.02 (normalized) and |dz| <= 1.5
slices, with ground truth `z_slice = z * 16 - 0.5`. Recall, precision and their
F1 (primary); RMSE_xy (normalized) and MAE_z (slices) over matched pairs
(NaN when nothing matched).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from .world import N_SLICES, Instance

XY_TOL = 0.02
Z_TOL = 1.5
PRIMARY = "f1"


def metrics(state, instance: Instance) -> dict[str, float]:
    gt = instance.points
    pred = np.array([m for m in state.markers], np.float64).reshape(-1, 3)
    n_gt, n_pred = len(gt), len(pred)
    matched_xy, matched_z = [], []
    if n_gt and n_pred:
        dxy = np.linalg.norm(pred[:, None, :2] - gt[None, :, :2], axis=2)
        dz = np.abs(pred[:, None, 2] - (gt[None, :, 2] * N_SLICES - 0.5))
        ok = (dxy <= XY_TOL) & (dz <= Z_TOL)
        rows, cols = linear_sum_assignment(np.where(ok, dxy, 1e6))
        keep = ok[rows, cols]
        matched_xy, matched_z = dxy[rows, cols][keep], dz[rows, cols][keep]
    tp = len(matched_xy)
    recall = tp / n_gt if n_gt else 0.0
    precision = tp / n_pred if n_pred else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {
        "primary": f1, "f1": f1, "recall": recall, "precision": precision,
        "rmse_xy": float(np.sqrt(np.mean(np.square(matched_xy)))) if tp else float("nan"),
        "mae_z": float(np.mean(matched_z)) if tp else float("nan"),
        "n_markers": float(n_pred), "done": float(state.done),
    }
