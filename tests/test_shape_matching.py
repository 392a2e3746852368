"""Shape Matching specifics: the paper's metric definitions, the 17 px hit rule, the left sidebar, held-out status."""
from __future__ import annotations

import numpy as np

import simcore
from simcore.episode import make_env
from tasks.shape_matching import State, apply, make_instance, metrics
from tasks.shape_matching.world import N_OBJECTS, RADIUS, SIZE
from widgets import Place, Press

TASK = "shape_matching"


def test_held_out_of_pretraining():
    assert TASK in simcore.task_names() and TASK not in simcore.task_names(pretrain_only=True)


def test_instances_follow_the_paper():
    counts = set()
    for seed in range(200):
        inst = make_instance(seed)
        assert len(inst.shapes) == N_OBJECTS and RADIUS == 12
        counts.add(len(inst.matches))
        px = inst.centers * SIZE
        d = np.linalg.norm(px[:, None] - px[None], axis=2) + np.eye(N_OBJECTS) * 1e9
        assert d.min() > 2 * 17   # no overlap; hit discs disjoint
    assert counts == {2, 3, 4, 5}


def test_metrics_definitions():
    inst = make_instance(1)
    targets = tuple(int(k) for k in inst.matches)
    other = next(k for k in range(N_OBJECTS) if k not in targets)
    m = metrics(State(clicked=targets, done=True), inst)
    assert m["primary"] == m["all_targets"] == m["no_extras"] == m["full_correct"] == m["completion"] == 1.0
    m = metrics(State(clicked=targets + (other,)), inst)
    assert m["all_targets"] == 1 and m["no_extras"] == 0 and m["full_correct"] == 0 and m["completion"] == 0
    m = metrics(State(clicked=targets[1:]), inst)
    assert m["all_targets"] == 0 and m["no_extras"] == 1 and m["full_correct"] == 0
    m = metrics(State(), inst)
    assert m["all_targets"] == 0 and m["no_extras"] == 1


def test_a_click_hits_within_17_px_once():
    inst = make_instance(2)
    u, v = inst.centers[0]
    s = apply(State(), Place(u + 16.9 / SIZE, v), inst)
    assert s.clicked == (0,)
    assert apply(s, Place(u, v), inst) == s                        # clicked once
    assert apply(State(), Place(u + 17.5 / SIZE, v), inst) == State()
    d = apply(s, Press("done"), inst)
    assert d.done and apply(d, Place(*inst.centers[1]), inst) == d


def test_sidebar_is_on_the_left_by_default():
    env = make_env(TASK, 0)
    canvas, done = env.canvas_rect(), dict((a, r) for a, r, _ in env.controls())["done"]
    assert done[2] <= canvas[0]                                     # the paper's GUI: panel LEFT of the canvas
    env = make_env(TASK, 0, layout="left")                          # the mirrored variant
    canvas, done = env.canvas_rect(), dict((a, r) for a, r, _ in env.controls())["done"]
    assert done[0] >= canvas[2]


def test_annotator_clicks_each_match_then_done():
    for seed in range(50):
        ep = simcore.rollout(TASK, seed)
        inst = make_instance(seed)
        assert len(ep) == len(inst.matches) + 1 and ep.actions[-1] == Press("done")
        m = ep.metrics
        assert m["full_correct"] == 1.0 and m["completion"] == 1.0
