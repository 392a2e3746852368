"""Animal Limb Tracking specifics: the paper's metric definitions, GUI semantics, annotator statistics."""
from __future__ import annotations

import math

import numpy as np
import pytest

import simcore
from tasks.animal_limb_tracking import State, apply, make_instance, metrics
from tasks.animal_limb_tracking.annotator import NEAR_PX
from tasks.animal_limb_tracking import world
from tasks.animal_limb_tracking.world import FRAMES, KEYPOINTS, SIZE, SPECIES, SWING, tabs_of
from widgets import Place, Press

NAME = "animal_limb_tracking"


def gt_markers(inst):
    return tuple((f, k, float(u), float(v)) for f in range(inst.n_frames)
                 for k, (u, v) in enumerate(inst.keypoints[f]))


def test_metrics_perfect_empty_and_partial_credit():
    inst = make_instance(1)
    m = metrics(State(markers=gt_markers(inst), done=True), inst)
    assert m["pck"] == m["primary"] == m["pck_placed"] == m["completion_rate"] == m["partial_credit"] == 1.0
    m = metrics(State(markers=gt_markers(inst)), inst)
    assert m["pck"] == 1.0 and m["completion_rate"] == 0.0 and m["partial_credit"] == 0.5   # not done: half credit
    empty = metrics(State(), inst)
    assert empty["pck"] == 0 and math.isnan(empty["pck_placed"])


def test_pck_tolerance_is_three_pixels_over_all_keypoints():
    inst = make_instance(2)
    total = inst.n_frames * inst.n_keypoints
    u, v = inst.keypoints[0, 0]
    rest = gt_markers(inst)[1:]
    assert metrics(State(markers=((0, 0, u + 2.9 / SIZE, v),) + rest), inst)["pck"] == 1.0
    off = metrics(State(markers=((0, 0, u + 3.2 / SIZE, v),) + rest), inst)
    assert off["pck"] == pytest.approx((total - 1) / total) and off["pck_placed"] == pytest.approx((total - 1) / total)
    one = metrics(State(markers=((0, 0, u, v),)), inst)
    assert one["pck"] == pytest.approx(1 / total) and one["pck_placed"] == 1.0   # missing keypoints count


def test_tabs_selection_undo_and_latest_placement():
    inst = make_instance(3, species="bird")
    s = State()
    assert apply(s, Place(0.5, 0.5), inst) == s                         # no keypoint selected: ignored
    assert apply(s, Press("kp_l_tip"), inst) == s                       # Wings tab closed: its buttons do not exist
    s = apply(s, Press("kp_beak"), inst)
    u, v = inst.keypoints[0, 0]
    s = apply(apply(s, Place(u, v), inst), Place(0.1, 0.1), inst)       # the second placement moves the marker
    assert metrics(s, inst)["pck"] == 0 and metrics(s, inst)["n_markers"] == 1
    s = apply(s, Press("undo"), inst)                                   # undo brings the first one back
    assert metrics(s, inst)["pck"] > 0 and s.keypoint == 0
    s = apply(s, Press("tab_wings"), inst)
    assert s.tab == 2 and s.keypoint is None
    s = apply(apply(s, Press("kp_l_tip"), inst), Press("next"), inst)
    assert s.frame == 1 and s.keypoint == 6 and apply(s, Press("undo"), inst) == s   # nothing on frame 2 to undo
    done = apply(s, Press("done"), inst)
    assert apply(done, Press("prev"), inst) == done


def test_annotator_works_through_tabs_with_ten_percent_near_errors():
    near = places = 0
    for seed in range(40):
        ep = simcore.rollout(NAME, seed)
        inst = make_instance(seed)
        acts = ep.actions
        assert acts[-1] == Press("done")
        kp_presses = [a.name for a in acts if isinstance(a, Press) and a.name.startswith("kp_")]
        order = [f"kp_{kid}" for tab in tabs_of(inst.species) for t, _, kid in KEYPOINTS[inst.species] if t == tab]
        assert kp_presses == order * inst.n_frames                      # tabs in order, every keypoint, every frame
        for t, a in enumerate(acts):
            if a.tag == "mistake":
                assert acts[t + 1] == Press("undo") and acts[t + 1].tag == "correction"
                frame = sum(1 for b in acts[:t] if b == Press("next"))
                chosen = [b.name for b in acts[:t] if isinstance(b, Press) and b.name.startswith("kp_")][-1]
                k = next(i for i, (_, _, kid) in enumerate(KEYPOINTS[inst.species]) if f"kp_{kid}" == chosen)
                d = np.hypot(a.u - inst.keypoints[frame, k, 0], a.v - inst.keypoints[frame, k, 1]) * SIZE
                assert NEAR_PX[0] - 1e-6 <= d <= NEAR_PX[1] + 1e-6         # slightly off, outside 3 px
                near += 1
            elif isinstance(a, Place):
                places += 1
    assert 0.07 < near / places < 0.13                                   # paper: 10 %


def test_species_frames_and_articulation():
    assert {make_instance(s).species for s in range(16)} == set(SPECIES)
    for species in SPECIES:
        inst = make_instance(5, species=species)
        assert FRAMES[0] <= inst.n_frames <= FRAMES[1]
        assert inst.keypoints.shape == (inst.n_frames, len(KEYPOINTS[species]), 2)
        assert inst.frames.shape == (inst.n_frames, SIZE, SIZE, 3)
        assert make_instance(5, species=species).frames.tobytes() == inst.frames.tobytes()
    # limbs swing ~70 degrees between frames: a bird's arm (shoulder -> wrist) and a spider's leg tip, body-relative
    rng = np.random.default_rng(0)
    for species, base, end in (("bird", "l_shoulder", "l_wrist"), ("insect", "l_fore_root", "l_fore")):
        skel = None
        while skel is None:
            skel = world._skeletons(rng, species, 12, world._params(rng, species))
        rel = [np.arctan2(*(pts[end] - pts[base])[::-1]) - np.arctan2(*b.fwd[::-1]) for b, pts, _ in skel]
        change = np.degrees(np.abs(np.diff(np.unwrap(rel))))
        assert 55 < change.mean() < 85, (species, change)
    assert np.degrees(2 * SWING) == pytest.approx(70)
