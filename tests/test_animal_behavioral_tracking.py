"""Animal Behavioral Tracking specifics: the paper's metric definitions, GUI semantics, annotator statistics."""
from __future__ import annotations

import math

import numpy as np
import pytest

import simcore
from tasks.animal_behavioral_tracking import State, apply, make_instance, metrics
from tasks.animal_behavioral_tracking.annotator import NEAR
from tasks.animal_behavioral_tracking.world import N_FRAMES, SIZE
from widgets import Place, Press

NAME = "animal_behavioral_tracking"


def name(action) -> str:
    return getattr(action, "name", "")


def gt_markers(inst, skip=()):
    out = []
    for f in range(N_FRAMES):
        for a in range(inst.n):
            for k, arr in (("F", inst.fronts), ("B", inst.backs)):
                if (f, a, k) not in skip:
                    out.append((f, a, k, float(arr[f, a, 0]), float(arr[f, a, 1])))
    return tuple(out)


def test_metrics_perfect_and_empty():
    inst = make_instance(1)
    m = metrics(State(markers=gt_markers(inst)), inst)
    assert m["primary"] == m["animal_match_rate"] == m["detection_rate"] == 1.0 and math.isnan(m["position_rmse"])
    empty = metrics(State(), inst)
    assert empty["primary"] == 0 and empty["detection_rate"] == 0 and math.isnan(empty["position_rmse"])


def test_match_rate_needs_both_markers_within_five_percent():
    inst = make_instance(2, n_animals=5)
    n_pairs = N_FRAMES * inst.n
    x, y = inst.fronts[3, 1]
    base = [m for m in gt_markers(inst) if m[:3] != (3, 1, "F")]
    ok = metrics(State(markers=tuple(base) + ((3, 1, "F", x + 0.049, y),)), inst)
    assert ok["primary"] == 1.0                                    # 0.049 <= 0.05 (~19 px of 384)
    off = metrics(State(markers=tuple(base) + ((3, 1, "F", x + 0.06, y),)), inst)
    assert off["primary"] == pytest.approx((n_pairs - 1) / n_pairs)   # the pair fails when one end fails
    assert off["position_rmse"] == pytest.approx(0.06)                # RMSE over the wrong markers only
    assert off["detection_rate"] == 1.0                               # all placed, one wrong
    missing = metrics(State(markers=gt_markers(inst, skip={(0, 0, "B")})), inst)
    assert missing["primary"] == pytest.approx((n_pairs - 1) / n_pairs) and missing["detection_rate"] == 0.0
    swapped = [(f, a, "B" if k == "F" else "F", u, v) if (f, a) == (0, 0) else (f, a, k, u, v)
               for f, a, k, u, v in gt_markers(inst)]
    assert metrics(State(markers=tuple(swapped)), inst)["primary"] == pytest.approx((n_pairs - 1) / n_pairs)


def test_latest_placement_is_scored_and_undo_works_on_the_current_frame():
    inst = make_instance(3)
    s = State()
    assert apply(s, Place(0.5, 0.5), inst) == s                       # nothing selected: ignored
    s = apply(s, Press("animal_01"), inst)
    assert apply(s, Place(0.5, 0.5), inst) == s                       # no marker type yet: ignored
    s = apply(s, Press("front"), inst)
    fx, fy = inst.fronts[0, 0]
    s = apply(s, Place(fx, fy), inst)
    s = apply(s, Place(0.9, 0.9), inst)                               # placing again moves the marker
    assert metrics(s, inst)["n_markers"] == 1 and metrics(s, inst)["n_wrong"] == 1
    s = apply(s, Press("next"), inst)
    assert apply(s, Press("undo"), inst) == s                         # nothing on frame 2 to undo
    s = apply(apply(s, Press("prev"), inst), Press("undo"), inst)     # undo brings the replaced one back
    assert metrics(s, inst)["n_wrong"] == 0 and metrics(s, inst)["n_markers"] == 1
    s = apply(s, Press("animal_02"), inst)
    assert s.kind is None and s.animal == 1                           # a new animal clears the marker type
    if inst.n < 8:
        assert apply(s, Press("animal_08"), inst) == s                # absent animals cannot be selected
    done = apply(s, Press("done"), inst)
    assert apply(done, Press("animal_01"), inst) == done


def test_annotator_follows_the_paper():
    near = far = placements = 0
    for seed in range(40):
        ep = simcore.rollout(NAME, seed)
        inst = make_instance(seed)
        acts = ep.actions
        assert acts[-1] == Press("done")
        for t, a in enumerate(acts):
            if a.tag == "mistake":
                assert isinstance(a, Place) and acts[t + 1] == Press("undo") and acts[t + 1].tag == "correction"
                prev_kind = next(name(b) for b in reversed(acts[:t]) if name(b) in ("front", "back"))
                arr = inst.fronts if prev_kind == "front" else inst.backs
                frame = sum(1 for b in acts[:t] if b == Press("next")) - sum(1 for b in acts[:t] if b == Press("prev"))
                animal = int(next(name(b) for b in reversed(acts[:t]) if name(b).startswith("animal_"))[-2:]) - 1
                d = np.hypot(a.u - arr[frame, animal, 0], a.v - arr[frame, animal, 1])
                if d <= NEAR[1] + 1e-3:
                    assert d >= NEAR[0] - 1e-3
                    near += 1
                else:
                    far += 1
            elif isinstance(a, Place):
                placements += 1
        # each animal: select, Front, place on the head, Back, place on the tail
        assert sum(1 for a in acts if name(a).startswith("animal_")) == N_FRAMES * inst.n
    assert 0.07 < near / placements < 0.13 and 0.07 < far / placements < 0.13   # paper: 10 % each


def test_instances_vary_in_morphology_and_move():
    plans = {make_instance(s).plan for s in range(12)}
    assert plans == {"insect", "fish", "worm"}
    inst = make_instance(4)
    assert 4 <= inst.n <= 8 and inst.frames.shape == (N_FRAMES, SIZE, SIZE, 3)
    assert len({b.length for b in inst.builds}) == inst.n                        # each animal its own build
    step = np.linalg.norm(np.diff(inst.fronts, axis=0), axis=2) * SIZE
    assert step.mean() > 10                                                        # animals move between frames
    body = np.linalg.norm(inst.fronts - inst.backs, axis=2) * SIZE
    assert body.min() > 2 * 0.05 * SIZE                                            # head and tail are distinct
    assert make_instance(4).frames.tobytes() == inst.frames.tobytes()
