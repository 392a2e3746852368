"""Colored Dot Tracking specifics: the paper's metric definition and Table 18's action mix."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import simcore
from tasks.colored_dot_tracking import State, make_instance, metrics
from tasks.colored_dot_tracking.world import N_SLICES

T18 = {"navigation": 73.8, "placement": 14.4, "mip": 10.0, "undo": 1.0}   # paper Table 18, virtual annotator


def gt_markers(inst):
    return tuple((float(x), float(y), inst.slice_of(i)) for i, (x, y, _) in enumerate(inst.points))


def test_metrics_perfect_and_empty():
    inst = make_instance(1)
    m = metrics(State(markers=gt_markers(inst)), inst)
    assert m["f1"] == m["recall"] == m["precision"] == m["primary"] == 1.0 and m["rmse_xy"] == 0 and m["mae_z"] == 0
    empty = metrics(State(), inst)
    assert empty["f1"] == 0 and empty["recall"] == 0 and np.isnan(empty["rmse_xy"])


def test_metrics_tolerances_follow_the_paper():
    inst = make_instance(2)
    x, y, _ = inst.points[0]
    z = inst.slice_of(0)

    def f1_with(first):
        return metrics(State(markers=(first,) + gt_markers(inst)[1:]), inst)

    assert f1_with((x + 0.019, y, z))["recall"] == 1.0            # XY <= 0.02 matches
    assert f1_with((x + 0.025, y, z))["recall"] < 1.0             # XY > 0.02 does not
    near_z = min(z + 1, N_SLICES - 1) if z < N_SLICES - 1 else z - 1
    assert f1_with((x, y, near_z))["recall"] == 1.0                # |dz| = 1 <= 1.5 slices
    far_z = z + 2 if z + 2 < N_SLICES else z - 2
    assert f1_with((x, y, far_z))["recall"] < 1.0                  # |dz| = 2 > 1.5
    extra = metrics(State(markers=gt_markers(inst) + ((0.5, 0.5, 0),)), inst)
    n = inst.n
    assert extra["recall"] == 1.0 and extra["precision"] == pytest.approx(n / (n + 1))


def test_action_mix_matches_table_18():
    mix = Counter()
    for seed in range(100):
        for a in simcore.rollout("colored_dot_tracking", 5000 + seed).actions:
            k = simcore.action_kind(a)
            mix["navigation" if k in ("+z", "-z") else "placement" if k == "place" else k] += 1
    total = sum(mix.values())
    got = {k: 100 * mix[k] / total for k in T18}
    print("\naction mix (ours vs paper Table 18): " + ", ".join(f"{k} {got[k]:.1f}% vs {T18[k]}%" for k in T18))
    assert abs(got["navigation"] - T18["navigation"]) < 5
    assert abs(got["placement"] - T18["placement"]) < 3
    assert abs(got["mip"] - T18["mip"]) < 3
    assert 0.3 < got["undo"] < 2.5


def test_mistakes_are_undone_and_tagged():
    n_mistakes = 0
    for seed in range(60):
        ep = simcore.rollout("colored_dot_tracking", seed)
        acts = ep.actions
        for t, a in enumerate(acts):
            if a.tag == "mistake":
                n_mistakes += 1
                assert isinstance(a, simcore.Place) and acts[t + 1] == simcore.Press("undo")
                assert acts[t + 1].tag == "correction"
        assert acts[0] == simcore.Press("mip") and acts[-1] == simcore.Press("done") and acts[-2] == simcore.Press("mip")
    rate = n_mistakes / sum(make_instance(s).n for s in range(60))
    assert 0.04 < rate < 0.18   # paper: 10 % of placements


def test_instance_is_a_letter_like_dotted_path():
    inst = make_instance(3)
    assert 14 <= inst.n <= 19
    colors = inst.colors.astype(int)
    assert colors[0, 2] > colors[0, 0] and colors[-1, 0] > colors[-1, 2]     # blue first, red last
    z_slice = inst.points[:, 2] * N_SLICES - 0.5
    assert np.allclose(z_slice, np.round(z_slice))                          # dots sit on slice centres
    for i in range(inst.n):                                                  # each dot is brightest on its slice
        x, y = (inst.points[i, :2] * 256).astype(int)
        brightness = inst.slices[:, y, x].max(axis=1)
        assert brightness.argmax() == inst.slice_of(i)
    assert (inst.mip == inst.slices.max(axis=0)).all()
