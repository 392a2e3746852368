"""Neuron Tracking specifics: the paper's metric definitions, the GUI semantics, the annotator's behaviour."""
from __future__ import annotations

import numpy as np
import pytest

import simcore
from tasks.neuron_tracking import State, apply, make_instance, metrics
from tasks.neuron_tracking.annotator import GROUP
from tasks.neuron_tracking.gui import markers
from tasks.neuron_tracking.world import MIN_SPACING, N_FRAMES, SIZE
from widgets import Place, Press


def perfect(inst, relabel=None):
    """Every neuron placed on every frame; `relabel[i]` is the ID given to neuron i."""
    relabel = relabel or list(range(1, inst.n + 1))
    return tuple((relabel[i], f, float(x), float(y)) for i in range(inst.n) for f, (x, y) in enumerate(inst.tracks[i]))


def test_metrics_perfect_empty_and_id_agnostic():
    inst = make_instance(1)
    m = metrics(State(placements=perfect(inst)), inst)
    assert m["primary"] == m["track_accuracy"] == m["detection_rate"] == 1.0 and np.isnan(m["position_rmse"])
    empty = metrics(State(), inst)
    assert empty["primary"] == 0 and empty["detection_rate"] == 0
    # any consistent numbering tracks correctly: identity is spatial continuity, not the label
    shuffled = list(np.random.default_rng(0).permutation(inst.n) + 1)
    assert metrics(State(placements=perfect(inst, shuffled)), inst)["primary"] == 1.0


def test_metrics_tolerance_and_rmse_of_misses():
    inst = make_instance(2)
    base = list(perfect(inst))
    k, f, x, y = base[3]                        # neuron 1, frame 3
    base[3] = (k, f, x + 0.049, y)
    assert metrics(State(placements=tuple(base)), inst)["primary"] == 1.0     # within 0.05 matches
    base[3] = (k, f, x + 0.06, y)
    m = metrics(State(placements=tuple(base)), inst)
    assert m["primary"] == pytest.approx((inst.n - 1) / inst.n)                # one frame off loses the whole track
    assert m["position_rmse"] == pytest.approx(0.06) and m["n_misses"] == 1
    assert m["detection_rate"] == 1.0                                          # placed, regardless of accuracy


def test_metrics_missing_frames_and_swapped_identity():
    inst = make_instance(3)
    full = perfect(inst)
    dropped = tuple(p for p in full if not (p[0] == 1 and p[1] == 9))
    m = metrics(State(placements=dropped), inst)
    assert m["primary"] == pytest.approx((inst.n - 1) / inst.n)
    assert m["detection_rate"] == pytest.approx(1 - 1 / (inst.n * N_FRAMES))
    # IDs 1 and 2 swap neurons from frame 5 on: both tracks are broken
    swapped = tuple((3 - k if k in (1, 2) and f >= 5 else k, f, u, v) for k, f, u, v in full)
    assert metrics(State(placements=swapped), inst)["primary"] == pytest.approx((inst.n - 2) / inst.n)


def test_gui_semantics_select_move_undo_cancel():
    inst = make_instance(4, n_neurons=6)
    s = apply(State(), Place(0.5, 0.5), inst)
    assert s == State()                                         # nothing selected: a canvas click does nothing
    s = apply(s, Press("n02"), inst)
    s = apply(apply(s, Place(0.1, 0.1), inst), Place(0.2, 0.2), inst)   # placing again moves the marker
    assert markers(s) == {(2, 0): (0.2, 0.2)}
    assert markers(apply(s, Press("undo"), inst)) == {(2, 0): (0.1, 0.1)}   # undo brings it back
    s = apply(s, Press("cancel"), inst)
    assert s.selected == 0 and markers(s) == {(2, 0): (0.2, 0.2)}        # cancel clears the selection only
    assert apply(s, Press("n07"), inst) == s                           # only 6 neurons: ID 07 is not one
    done = apply(s, Press("done"), inst)
    assert apply(done, Press("n01"), inst) is done


def test_instances_are_trackable():
    counts = set()
    for seed in range(30):
        inst = make_instance(seed)
        counts.add(inst.n)
        tr = inst.tracks
        for f in range(N_FRAMES):
            d = np.linalg.norm(tr[:, None, f] - tr[None, :, f], axis=2) + np.eye(inst.n)
            assert d.min() >= MIN_SPACING
            for i in range(inst.n):                                    # brightest pixel sits at the neuron
                x, y = (tr[i, f] * SIZE).astype(int)
                assert inst.frames[f, y, x, 1] > 150
        motion = np.linalg.norm(tr[:, -1] - tr[:, 0], axis=1).mean()
        assert motion > 0.01                                           # the tissue does move
        assert (np.diff(tr[:, 0, 1]) >= 0).all()                       # reading order of frame 0
    assert counts <= set(range(6, 11)) and len(counts) >= 4            # paper: 6–10 neurons


def test_annotator_groups_of_four_and_mistakes():
    n_mistakes = n_places = 0
    for seed in range(40):
        ep = simcore.rollout("neuron_tracking", seed)
        acts = ep.actions
        inst = make_instance(seed)
        order = [int(a.name[1:]) for a in acts if isinstance(a, Press) and a.name[1:].isdigit()]
        groups = [(k - 1) // GROUP for k in order]
        assert groups == sorted(groups)                                # a group is finished before the next
        for t, a in enumerate(acts):
            if a.tag == "mistake":
                n_mistakes += 1
                assert isinstance(a, Place) and acts[t + 1] == Press("undo") and acts[t + 1].tag == "correction"
        n_places += inst.n * N_FRAMES
        assert acts[-1] == Press("done")
    assert 0.09 < n_mistakes / n_places < 0.11                         # paper: 10 % of placements
