"""Neuron Tracking metrics (paper A.2.2).

A marker matches when its Euclidean distance to the ground-truth position is
<= 0.05 (normalized). Neuron IDs are the annotator's own labels, so each
annotated track (one ID's markers) is first assigned to one ground-truth
neuron by the Hungarian algorithm, maximizing the number of frames in which
the track's marker matches that neuron (ties broken by distance); the paper
is silent on how IDs meet neurons, and this makes any consistent numbering
correct, as identity from spatial continuity demands.

- track accuracy rate (primary): neurons whose assigned track matches in
  every one of the 10 frames / total neurons;
- position RMSE: sqrt(mean d²) over the markers placed outside the tolerance
  (d to the position of the track's assigned neuron; a track left without a
  neuron is measured to the nearest neuron of that frame); NaN when there is
  no such marker. The paper pools it over samples: `miss_sq_sum` and
  `n_misses` let a caller pool;
- detection rate: neuron-frame pairs that have a marker of the neuron's
  assigned track, regardless of accuracy / (neurons x frames).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from .gui import markers
from .world import N_FRAMES, Instance

TOL = 0.05
PRIMARY = "track_accuracy"


def track_table(state) -> tuple[list[int], np.ndarray]:
    """Annotated track IDs and their markers float64[K, 10, 2] (NaN where a frame has none)."""
    ms = markers(state)
    ids = sorted({k for k, _ in ms})
    table = np.full((len(ids), N_FRAMES, 2), np.nan)
    for (k, f), uv in ms.items():
        table[ids.index(k), f] = uv
    return ids, table


def assign(table: np.ndarray, gt: np.ndarray) -> dict[int, int]:
    """Track row -> neuron index, maximizing frames matched within TOL (then minimizing distance)."""
    if not len(table):
        return {}
    d = np.linalg.norm(table[:, None] - gt[None], axis=3)                     # [K, N, 10], NaN if no marker
    hits = np.nan_to_num(d, nan=np.inf) <= TOL
    cost = -hits.sum(axis=2) + 1e-3 * np.nan_to_num(np.minimum(d, 1.0), nan=1.0).mean(axis=2)
    rows, cols = linear_sum_assignment(cost)
    return dict(zip(rows.tolist(), cols.tolist()))


def metrics(state, instance: Instance) -> dict[str, float]:
    gt = instance.tracks
    ids, table = track_table(state)
    pairs = assign(table, gt)
    tracked = detected = 0
    miss_sq = []
    for row in range(len(ids)):
        placed = ~np.isnan(table[row, :, 0])
        if row in pairs:
            d = np.linalg.norm(table[row] - gt[pairs[row]], axis=1)
            tracked += bool(placed.all() and (d[placed] <= TOL).all())
            detected += int(placed.sum())
        else:
            d = np.linalg.norm(table[row][:, None] - gt.transpose(1, 0, 2), axis=2).min(axis=1)
        miss_sq += [x * x for x in d[placed] if x > TOL]
    n = len(gt)
    return {
        "primary": tracked / n, "track_accuracy": tracked / n,
        "position_rmse": float(np.sqrt(np.mean(miss_sq))) if miss_sq else float("nan"),
        "detection_rate": detected / (n * N_FRAMES),
        "miss_sq_sum": float(np.sum(miss_sq)), "n_misses": float(len(miss_sq)),
        "n_markers": float(np.count_nonzero(~np.isnan(table[:, :, 0]))),
        "done": float(state.done),
    }
