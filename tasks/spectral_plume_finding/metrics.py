"""Spectral Plume Finding metrics (paper A.2.7), per sample.

Predictions are the closed polygons (open outlines and markers do not
count); ground truth is the real plumes' polygons. Both are rasterized with
the same rule (`world.polygon_mask`: pixel centres inside, even-odd) and
compared by IoU. Greedy matching: all (prediction, plume) pairs sorted by IoU
descending (ties in index order), a pair is taken when IoU >= 0.3 and
neither side is taken yet.

- recall = min(1, matched / n_plumes); precision = matched / n_predictions
  (0 without predictions); F1 their harmonic mean (0 when both are 0).
- count accuracy = max(0, 1 - |n_predictions - n_plumes| / max(n_plumes, 3)).
- mean IoU over matched pairs (0 when nothing matched).
- combined (primary) = 0.5 * F1 + 0.5 * mean IoU.
"""
from __future__ import annotations

import numpy as np

from .world import SIZE, Instance, polygon_mask

IOU_MIN = 0.3
PRIMARY = "combined"


def iou_matrix(pred: list[np.ndarray], gt: list[np.ndarray]) -> np.ndarray:
    pm, gm = [polygon_mask(p) for p in pred], [polygon_mask(g) for g in gt]
    out = np.zeros((len(pm), len(gm)))
    for i, a in enumerate(pm):
        for j, b in enumerate(gm):
            union = np.count_nonzero(a | b)
            out[i, j] = np.count_nonzero(a & b) / union if union else 0.0
    return out


def greedy_match(iou: np.ndarray) -> list[tuple[int, int, float]]:
    order = np.argsort(-iou, axis=None, kind="stable")
    used_p, used_g, pairs = set(), set(), []
    for flat in order:
        i, j = np.unravel_index(flat, iou.shape)
        if iou[i, j] < IOU_MIN:
            break
        if i not in used_p and j not in used_g:
            used_p.add(i), used_g.add(j)
            pairs.append((int(i), int(j), float(iou[i, j])))
    return pairs


def metrics(state, instance: Instance) -> dict[str, float]:
    pred = [np.array(p, np.float64) * SIZE for p in state.polygons]
    gt = [instance.polygons[i] for i in instance.plumes]
    pairs = greedy_match(iou_matrix(pred, gt)) if pred else []
    n_pred, n_gt, tp = len(pred), len(gt), len(pairs)
    recall = min(1.0, tp / n_gt) if n_gt else 0.0
    precision = tp / n_pred if n_pred else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    miou = float(np.mean([p[2] for p in pairs])) if pairs else 0.0
    combined = 0.5 * f1 + 0.5 * miou
    return {
        "primary": combined, "combined": combined, "f1": f1, "recall": recall, "precision": precision,
        "count_accuracy": max(0.0, 1.0 - abs(n_pred - n_gt) / max(n_gt, 3)), "mean_iou": miou,
        "n_polygons": float(n_pred), "n_plumes": float(n_gt), "n_markers": float(len(state.markers)),
        "done": float(state.done),
    }
