"""Spectral Plume Finding specifics: metric definitions, polygon-mode semantics, data and annotator statistics."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import simcore
from tasks.spectral_plume_finding import State, apply, make_instance, metrics
from tasks.spectral_plume_finding.metrics import greedy_match
from tasks.spectral_plume_finding.world import SIZE, polygon_mask
from widgets import Place, Press
from task_checks import assert_oracle_finishes_after_random_clicks

TASK = "spectral_plume_finding"


def uv(poly, dx=0.0):
    return tuple(((x + dx) / SIZE, y / SIZE) for x, y in poly)


def with_polys(polys):
    return State(polygons=tuple(polys), log="p" * len(polys))


@pytest.fixture(scope="module")
def inst():
    return make_instance(3)


def test_polygon_mask_counts_pixel_centres():
    sq = np.array([[10.0, 10.0], [20.0, 10.0], [20.0, 20.0], [10.0, 20.0]])
    assert polygon_mask(sq).sum() == 100
    tri = np.array([[0.0, 0.0], [40.0, 0.0], [0.0, 40.0]])
    assert abs(polygon_mask(tri).sum() - 800) < 45


def test_metrics_perfect_empty_and_extra(inst):
    gt = [uv(inst.polygons[j]) for j in inst.plumes]
    n = len(gt)
    m = metrics(with_polys(gt), inst)
    assert m["primary"] == m["combined"] == 1.0 and m["count_accuracy"] == 1.0 and m["mean_iou"] == 1.0
    empty = metrics(State(), inst)
    assert empty["combined"] == 0.0 and empty["count_accuracy"] == pytest.approx(max(0, 1 - n / max(n, 3)))
    conf = next(i for i in range(inst.n_objects) if not inst.is_plume[i])
    extra = metrics(with_polys(gt + [uv(inst.polygons[conf])]), inst)
    p = n / (n + 1)
    assert extra["precision"] == pytest.approx(p) and extra["recall"] == 1.0
    assert extra["combined"] == pytest.approx(0.5 * 2 * p / (p + 1) + 0.5)
    assert extra["count_accuracy"] == pytest.approx(1 - 1 / max(n, 3))


def test_metrics_iou_threshold_and_greedy_matching(inst):
    j = inst.plumes[0]
    poly = inst.polygons[j]
    shifted = metrics(with_polys([uv(poly, dx=3.0)]), inst)
    assert 0.3 < shifted["mean_iou"] < 1.0 and shifted["precision"] == 1.0
    width = poly[:, 0].max() - poly[:, 0].min()
    far = metrics(with_polys([uv(poly, dx=-0.9 * width if poly[:, 0].min() > 0.9 * width else 0.9 * width)]), inst)
    assert far["precision"] == 0.0 and far["mean_iou"] == 0.0        # IoU < 0.3: no match
    twice = metrics(with_polys([uv(poly), uv(poly, dx=1.0)]), inst)
    assert twice["precision"] == 0.5 and twice["recall"] == pytest.approx(1 / len(inst.plumes))
    assert greedy_match(np.array([[0.9, 0.5], [0.8, 0.2]])) == [(0, 0, 0.9)]   # 1 -> 0 taken, 1 -> 1 below 0.3
    assert greedy_match(np.array([[0.9, 0.5], [0.8, 0.4]])) == [(0, 0, 0.9), (1, 1, 0.4)]


def test_polygon_mode_semantics(inst):
    s = apply(State(), Place(0.5, 0.5), inst)
    assert s.markers == ((0.5, 0.5),) and s.log == "m"
    s = apply(s, Press("draw"), inst)
    s = apply(s, Place(0.2, 0.2), inst)
    s = apply(s, Place(0.2 + 2 / SIZE, 0.2), inst)            # near the first vertex with 1 vertex: ignored
    assert len(s.vertices) == 1
    for p in ((0.4, 0.2), (0.4, 0.4)):
        s = apply(s, Place(*p), inst)
    assert apply(s, Press("done"), inst) == s                   # no Done with an open polygon
    s2 = apply(s, Press("undo"), inst)
    assert len(s2.vertices) == 2 and s2.drawing
    closed = apply(s, Place(0.2 + 3 / SIZE, 0.2 - 3 / SIZE), inst)   # 4.2 px from the first vertex: closes
    assert not closed.drawing and len(closed.polygons) == 1 and len(closed.polygons[0]) == 3 and closed.log == "mp"
    assert apply(closed, Press("undo"), inst).polygons == ()    # undo removes the whole polygon
    cancelled = apply(s, Press("cancel"), inst)
    assert not cancelled.drawing and cancelled.vertices == () and cancelled.polygons == ()
    s3 = apply(apply(cancelled, Press("b4"), inst), Press("b2"), inst)
    assert s3.band == 1 and s3.seen == (True, True, False, True, False)


def test_instances_follow_the_paper():
    kinds = Counter()
    for seed in range(40):
        inst = make_instance(seed)
        kinds[inst.scene] += 1
        n_p = int(inst.is_plume.sum())
        assert 1 <= n_p <= 3 and 3 <= inst.n_objects - n_p <= 6
        counts = inst.present.sum(axis=1)
        assert (counts[inst.is_plume] == 3).all()
        assert set(counts[~inst.is_plume]) <= {1, 2, 5}
        for i, poly in enumerate(inst.polygons):       # the haze shows where (and only where) it is present
            mask = polygon_mask(poly)
            ring = polygon_mask((poly - poly.mean(0)) * 1.6 + poly.mean(0)) & ~mask
            contrast = np.array([inst.bands[b][mask].mean() - inst.bands[b][ring].mean() for b in range(5)])
            assert contrast[inst.present[i]].min() > contrast[~inst.present[i]].max() if (~inst.present[i]).any() else True
    assert set(kinds) == {"fields", "urban", "highway"}


def test_annotator_behaviour():
    mistakes, corrections, lengths = Counter(), 0, []
    for seed in range(40):
        ep = simcore.rollout(TASK, seed)
        inst = make_instance(seed)
        acts = ep.actions
        lengths.append(len(acts))
        assert acts[:4] == [Press("b2"), Press("b3"), Press("b4"), Press("b5")]   # explore first
        assert acts[-1] == Press("done")
        for t, a in enumerate(acts):
            if a.tag == "mistake":
                mistakes["draw" if a == Press("draw") else "place"] += 1
            if a.tag == "correction":
                corrections += 1
                assert acts[t - 1].tag == "mistake"
        env = simcore.replay(ep)
        assert len(env.state.markers) == inst.n_objects and env.metrics()["combined"] == 1.0
    assert mistakes["draw"] > 3 and corrections > 40


def test_oracle_finishes_from_random_click_states():
    """DAgger: after random clicks anywhere in the window, the oracle still reaches primary 1.0."""
    assert_oracle_finishes_after_random_clicks(TASK)
