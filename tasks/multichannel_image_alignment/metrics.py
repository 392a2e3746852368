"""Multichannel Image Alignment metrics (paper A.2.6), per sample.

- match rate (primary) = n_matched / n_annotated. A landmark is *annotated*
  when it has a marker on at least one channel; it is *matched* when it has a
  marker on every channel and each lies within 2 px (Euclidean, canvas
  pixels) of that landmark's ground truth in that channel. Landmarks are
  identified by their point number (marker k answers landmark k). 0 when
  nothing is annotated.
- completion = min(1, n_landmarks / 3), n_landmarks = landmarks with a marker
  on every channel (3 correspondences fix an affine transform).
- annotation count = markers currently placed (after undos and moves).
"""
from __future__ import annotations

import numpy as np

from .gui import markers
from .world import SIZE, Instance

MATCH_PX = 2.0
PRIMARY = "match_rate"


def metrics(state, instance: Instance) -> dict[str, float]:
    placed = markers(state)
    n_ch = instance.n_channels
    annotated = sorted({k for k, _ in placed})
    complete = [k for k in annotated if all((k, c) in placed for c in range(n_ch))]
    matched = [k for k in complete
               if all(np.hypot(placed[k, c][0] * SIZE - instance.landmarks[k, c, 0],
                               placed[k, c][1] * SIZE - instance.landmarks[k, c, 1]) <= MATCH_PX
                      for c in range(n_ch))]
    rate = len(matched) / len(annotated) if annotated else 0.0
    return {
        "primary": rate, "match_rate": rate,
        "completion": min(1.0, len(complete) / 3.0),
        "annotation_count": float(len(placed)),
        "n_annotated": float(len(annotated)), "n_matched": float(len(matched)),
        "all_landmarks": float(len(matched) == instance.n_landmarks),
        "done": float(state.done),
    }
