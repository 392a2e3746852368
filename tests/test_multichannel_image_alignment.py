"""Multichannel Image Alignment specifics: metric definitions, GUI semantics, data and annotator statistics."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from PIL import Image as PILImage

import simcore
from tasks.multichannel_image_alignment import State, apply, make_instance, metrics
from tasks.multichannel_image_alignment.world import IDENTITY, SIZE
from widgets import Place, Press
from task_checks import assert_oracle_finishes_after_random_clicks

TASK = "multichannel_image_alignment"


@pytest.fixture(scope="module")
def inst():
    return make_instance(4)


def truth(inst, dx=0.0, skip=()):
    """Placements at the ground truth of every (point, channel), the first channel of point 0 shifted by dx px."""
    out = []
    for k in range(inst.n_landmarks):
        for c in range(inst.n_channels):
            if (k, c) in skip:
                continue
            x, y = inst.landmarks[k, c]
            out.append((k, c, (x + (dx if (k, c) == (0, 0) else 0.0)) / SIZE, y / SIZE))
    return tuple(out)


def test_metrics_perfect_empty_and_tolerance(inst):
    k = inst.n_landmarks
    m = metrics(State(placements=truth(inst)), inst)
    assert m["primary"] == m["match_rate"] == 1.0 and m["completion"] == 1.0
    assert m["annotation_count"] == k * inst.n_channels
    assert metrics(State(), inst)["match_rate"] == 0.0 and metrics(State(), inst)["completion"] == 0.0
    assert metrics(State(placements=truth(inst, dx=1.9)), inst)["match_rate"] == 1.0    # within 2 px
    assert metrics(State(placements=truth(inst, dx=2.1)), inst)["match_rate"] == pytest.approx((k - 1) / k)


def test_metrics_incomplete_landmarks_count_as_annotated_not_matched(inst):
    k, c = inst.n_landmarks, inst.n_channels
    m = metrics(State(placements=truth(inst, skip={(1, c - 1)})), inst)
    assert m["match_rate"] == pytest.approx((k - 1) / k)
    assert m["completion"] == min(1.0, (k - 1) / 3)
    only_two = tuple(p for p in truth(inst) if p[0] < 2)
    m2 = metrics(State(placements=only_two), inst)
    assert m2["match_rate"] == 1.0 and m2["completion"] == pytest.approx(2 / 3)


def test_moves_undo_and_auto_advance(inst):
    s = State()
    s = apply(s, Place(0.5, 0.5), inst)
    s = apply(s, Place(0.25, 0.25), inst)                   # moves the marker of (point 0, channel 0)
    assert metrics(s, inst)["annotation_count"] == 1
    s = apply(s, Press("undo"), inst)
    assert s.placements == ((0, 0, 0.5, 0.5),)
    for c in range(1, inst.n_channels):
        s = apply(apply(s, Press(f"ch{c + 1}"), inst), Place(0.5, 0.5), inst)
    assert s.point == 1 and s.channel == inst.n_channels - 1   # complete: advanced to the next point
    s = apply(s, Press("undo"), inst)
    assert s.point == 0 and s.channel == inst.n_channels - 1   # undo goes back to the undone marker
    s = apply(s, Press("p3"), inst)
    assert s.point == 2
    assert apply(s, Press(f"ch{inst.n_channels + 1}"), inst) == s  # no such channel: unchanged
    done = apply(s, Press("done"), inst)
    assert apply(done, Place(0.1, 0.1), inst) == done


def test_instances_follow_the_paper():
    sources, gens = Counter(), Counter()
    for seed in range(60):
        inst = make_instance(seed)
        c, k = inst.n_channels, inst.n_landmarks
        assert 3 <= c <= 6 and 3 <= k <= 9 and 12 <= k * c <= 27
        kind, name = inst.source.split(":")
        sources[kind] += 1
        if kind == "synthetic":
            gens[name] += 1
        lm = inst.landmarks
        assert (lm >= 16).all() and (lm <= SIZE - 16).all()
        d = np.linalg.norm(lm[:, None, 0] - lm[None, :, 0], axis=-1) + np.eye(k) * 1e3
        assert d.min() >= 20 - 1e-9
    assert 20 <= sources["natural"] <= 40
    assert set(gens) == {"blobs", "perlin", "shapes", "voronoi", "gradients"}


def test_landmarks_are_the_distorted_reference_points():
    from tasks.multichannel_image_alignment import world

    rng = np.random.default_rng(0)
    for _ in range(10):
        dist = world.random_distortion(rng)
        p = rng.uniform(30, 220, (5, 2))
        assert np.allclose(dist.backward(dist.forward(p)), p, atol=1e-6)
        shift = np.abs(dist.forward(p) - p).max()
        assert 0.5 < shift < 40             # distorted, but mildly
    assert np.allclose(IDENTITY.forward(np.array([[3.0, 4.0]])), [[3.0, 4.0]])
    inst = make_instance(11)
    # the first three landmarks span a wide triangle (well-conditioned affine estimate)
    a, b, c = inst.landmarks[:3, 0]
    area = 0.5 * abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))
    assert area > 0.1 * SIZE * SIZE


def test_user_image_folder(tmp_path):
    rng = np.random.default_rng(1)
    for i in range(2):
        PILImage.fromarray(rng.integers(0, 255, (300, 280, 3), dtype=np.uint8)).save(tmp_path / f"img{i}.png")
    inst = make_instance(3, image_dir=tmp_path, source="natural")
    assert inst.source in ("natural:img0.png", "natural:img1.png")
    again = make_instance(3, image_dir=tmp_path, source="natural")
    assert np.array_equal(inst.channels, again.channels)
    with pytest.raises(ValueError, match="image_dir"):
        make_instance(3, image_dir=tmp_path / "missing")
    with pytest.raises(ValueError, match="source"):
        make_instance(3, source="imagenet")


def test_annotator_mistakes_noise_and_order():
    n_mistakes = n_places = 0
    for seed in range(60):
        ep = simcore.rollout(TASK, seed)
        inst = make_instance(seed)
        env = simcore.make_env(TASK, seed)
        acts = ep.actions
        assert acts[-1] == Press("done")
        for t, a in enumerate(acts):
            if isinstance(a, Place):
                if a.tag == "mistake":
                    n_mistakes += 1
                    assert acts[t + 1] == Press("undo") and acts[t + 1].tag == "correction"
                else:
                    n_places += 1
                    k, c = env.state.point, env.state.channel
                    err = np.abs(np.array([a.u, a.v]) * SIZE - inst.landmarks[k, c])
                    assert err.max() <= 1.0 + 1e-6           # paper: 1 px click noise
            env.act(a)
        assert metrics(env.state, inst)["all_landmarks"] == 1.0
    rate = n_mistakes / n_places
    assert 0.10 < rate < 0.20    # paper: 15 %


def test_oracle_finishes_from_random_click_states():
    """DAgger: after random clicks anywhere in the window, the oracle still reaches primary 1.0."""
    assert_oracle_finishes_after_random_clicks(TASK)
