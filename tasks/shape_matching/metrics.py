"""Shape Matching metrics (paper A.3), per instance.

A click hits an object within 17 px of its centre (the GUI records exactly
those clicks). All-targets: every matching object was clicked (the primary
metric). No-extras: no non-matching object was clicked. Full correctness:
both. Completion: Done was clicked. Also the fraction of targets found.
"""
from __future__ import annotations

from .world import Instance

PRIMARY = "all_targets"


def metrics(state, instance: Instance) -> dict[str, float]:
    targets = {int(k) for k in instance.matches}
    clicked = set(state.clicked)
    all_targets = float(targets <= clicked)
    no_extras = float(not (clicked - targets))
    return {
        "primary": all_targets, "all_targets": all_targets, "no_extras": no_extras,
        "full_correct": all_targets * no_extras, "completion": float(state.done),
        "found_fraction": len(targets & clicked) / len(targets), "n_clicked": float(len(clicked)),
    }
