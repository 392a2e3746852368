"""3D Exploration (paper A.2.9): metrics, exact rotations, the render cache, EGL errors, annotator statistics.

The silhouette tests (classes distinguishable, 3-D classes confusable with a
planar one) are in `test_three_d_silhouettes.py`.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

import simcore
from tasks import three_d_exploration as task
from tasks.three_d_exploration import annotator, render, world
from tasks.three_d_exploration.gui import State, apply, class_action
from widgets import Place, Press


def inst_of(cls: int, seed: int = 0):
    return world.make_instance(seed, cls=cls)


# --- metrics, against hand-made cases ---------------------------------------------
@pytest.mark.parametrize("true, pred, r, expect", [
    # true, predicted, rotations -> (flat_vs_3d, similarity, quality, adjusted)
    (1, 1, 5, (1.0, 1.0, 1.0, 1.0)),      # right class, full exploration
    (1, 1, 3, (1.0, 1.0, 0.6, 0.6)),      # right class, 3 rotations: min(3/5, 1)
    (1, 1, 9, (1.0, 1.0, 1.0, 1.0)),      # saturates at 5
    (1, 1, 0, (1.0, 1.0, 0.0, 0.0)),      # no exploration, no credit
    (1, 2, 5, (1.0, 0.3, 1.0, 0.0)),      # plus -> pentagon: both planar
    (5, 8, 4, (1.0, 0.3, 0.8, 0.0)),      # methane -> bowtie: both 3-D
    (5, 1, 6, (0.0, 0.0, 1.0, 0.0)),      # methane -> plus: across groups
    (0, 7, 2, (0.0, 0.0, 0.4, 0.0)),      # line -> trigonal bipyramid
    (4, -1, 5, (0.0, 0.0, 1.0, 0.0)),     # nothing selected
])
def test_metric_definitions(true, pred, r, expect):
    state = State(rotations=("+x", "+y") * (r // 2) + ("+x",) * (r % 2), selected=pred, done=pred >= 0)
    m = task.metrics(state, inst_of(true))
    got = (m["flat_vs_3d_accuracy"], m["class_similarity"], m["exploration_quality"], m["exploration_adjusted_accuracy"])
    assert got == pytest.approx(expect)
    assert m["primary"] == m["exploration_adjusted_accuracy"] and task.PRIMARY == "exploration_adjusted_accuracy"
    assert m["n_rotations"] == r


# --- world: classes, geometry, orientations -------------------------------------------
def test_class_geometry():
    for c, shape in enumerate(world.SHAPES):
        assert shape.shape == (5, 3) and np.allclose(shape.mean(0), 0)
        d = np.linalg.norm(shape[:, None] - shape[None], axis=2)
        assert np.isclose(d[d > 1e-9].min(), 1.0), world.CLASSES[c]          # bond length 1, no overlap
        # planar <=> rank-2 centred point set
        assert (np.linalg.svd(shape, compute_uv=False)[2] > 1e-6) == world.IS_3D[c], world.CLASSES[c]
    assert sum(world.IS_3D) == 4 and world.LETTERS == ("I", "+", "P", "T", "L", "M", "A", "Y", "X")


def test_exact_rotations_match_float_rotations():
    rx = lambda a: Rotation.from_euler("x", a, degrees=True).as_matrix()
    ry = lambda a: Rotation.from_euler("y", a, degrees=True).as_matrix()
    seq = ("+x", "+y", "-x", "-y", "+y", "+y")
    want = np.eye(3)
    for r in seq:   # each press turns about the fixed screen axes: pre-multiply
        want = {"+x": rx(30), "-x": rx(-30), "+y": ry(30), "-y": ry(-30)}[r] @ want
    assert np.allclose(world.key_matrix(world.orientation_key(seq)), want, atol=1e-12)
    ident = world.orientation_key(())
    assert world.orientation_key(("+x", "-x")) == ident and world.orientation_key(("+y",) * 12) == ident
    # different paths to one orientation: one key, bit-identical matrix
    k1, k2 = world.orientation_key(("+x", "+y", "-y")), world.orientation_key(("-y", "+y", "+x"))
    assert k1 == k2 and world.key_matrix(k1).tobytes() == world.key_matrix(k2).tobytes()
    assert world.orientation_key(("+x", "+y")) != world.orientation_key(("+y", "+x"))   # rotations do not commute


def test_start_orientation_is_uniform_over_so3():
    starts = np.array([world.make_instance(s).start for s in range(600)])
    assert np.allclose(np.einsum("nij,nkj->nik", starts, starts), np.eye(3), atol=1e-9)
    assert (np.linalg.det(starts) > 0).all()
    # under the Haar measure each column is uniform on the sphere: mean 0, E[x^2] = 1/3
    assert np.abs(starts.mean(0)).max() < 0.08
    assert np.abs((starts ** 2).mean(0) - 1 / 3).max() < 0.05
    counts = np.bincount([world.make_instance(s).cls for s in range(900)], minlength=9)
    assert counts.min() > 70                     # classes drawn uniformly (100 expected each)


def test_make_instance_bad_inputs():
    with pytest.raises(ValueError, match="seed"):
        world.make_instance(-1)
    with pytest.raises(ValueError, match="cls"):
        world.make_instance(0, cls=9)
    inst = world.make_instance(3)
    bad = world.Instance(inst.seed, inst.cls, inst.points, inst.colors, inst.start * 2)
    with pytest.raises(ValueError, match="instance.start"):
        world.validate_instance(bad)
    bad = world.Instance(inst.seed, inst.cls, inst.points, inst.colors[[0, 0, 1, 2, 3]], inst.start)
    with pytest.raises(ValueError, match="instance.colors"):
        world.validate_instance(bad)


# --- GUI state machine ---------------------------------------------------------------
def test_apply_and_json():
    inst = inst_of(6)
    s = State()
    assert apply(s, Press("confirm"), inst) == s                     # nothing selected yet
    assert apply(s, Place(0.5, 0.5), inst) == s                      # the canvas only shows
    s = apply(apply(s, Press("+x"), inst), Press("-y"), inst)
    assert s.rotations == ("+x", "-y")
    s = apply(s, Press(class_action(2)), inst)
    assert s.selected == 2 and apply(s, Press(class_action(2)), inst) is s
    s = apply(apply(s, Press(class_action(6)), inst), Press("confirm"), inst)
    assert s.done and s.selected == 6
    assert apply(s, Press("+x"), inst) is s and apply(s, Press(class_action(1)), inst) is s
    assert task.state_from_json(task.state_to_json(s), inst) == s
    for bad, field in (({"rotations": ["+z"]}, r"state.rotations\[0\]"), ({"rotations": "+x"}, "state.rotations"),
                       ({"selected": 9}, "state.selected"), ({"done": True}, "state.done")):
        with pytest.raises(ValueError, match=field):
            task.state_from_json(bad, inst)


# --- rendering and its cache ---------------------------------------------------------------
def test_cache_hit_returns_identical_array_and_bytes():
    inst = world.make_instance(11)
    rots = ("+x", "+y", "-x")
    a = render.view_raster(inst, rots)
    hits = render.STATS["hits"]
    b = render.view_raster(inst, rots)
    assert b is a and render.STATS["hits"] == hits + 1
    # another path to the same orientation is the same cache entry
    assert render.view_raster(inst, ("+y", "-y", "+x", "+y", "-x")) is a
    assert a.shape == (256, 256, 3) and a.dtype == np.uint8 and not a.flags.writeable
    render.clear_cache()
    c = render.view_raster(inst, rots)
    assert c is not a and c.tobytes() == a.tobytes()      # a fresh render: the same bytes
    assert render.view_raster(inst, ()).tobytes() != a.tobytes()


def test_view_is_pure_through_the_cache():
    env = simcore.episode.make_env(task, 4)
    for act in ("+x", "+y", class_action(3)):
        t1 = task.view(env.state, env.instance, env.theme)
        t2 = task.view(env.state, env.instance, env.theme)
        assert t1 == t2
        env.act(Press(act))


def test_egl_errors_are_clear(monkeypatch):
    monkeypatch.setenv("PYOPENGL_PLATFORM", "osmesa")
    with pytest.raises(render.EGLUnavailable, match="PYOPENGL_PLATFORM"):
        render._check_egl()
    monkeypatch.setenv("PYOPENGL_PLATFORM", "egl")

    def no_lib(name):
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(render.ctypes, "CDLL", no_lib)
    with pytest.raises(render.EGLUnavailable, match="libEGL.so.1.*libegl1 libegl-mesa0 libgl1-mesa-dri"):
        render._check_egl()


# --- annotator behaviour vs the paper -----------------------------------------------------
def plans(style: str, n: int = 400):
    for seed in range(n):
        inst = world.make_instance(seed)
        yield inst, annotator.plan(inst, simcore.seeding.plan_rng(seed), style)


@pytest.mark.parametrize("style, lo, mean_lo, mean_hi", [("default", 5, 5.3, 6.0), ("paper", 3, 4.8, 5.3)])
def test_plan_statistics(style, lo, mean_lo, mean_hi):
    n_rot, misclicks = [], 0
    for inst, acts in plans(style):
        rots = [a.name for a in acts if a.name in world.ROTATIONS]
        n_rot.append(len(rots))
        assert all(a != b for a, b in zip(rots, rots[1:]))           # never the same button twice in a row
        assert acts[:len(rots)] == [Press(r) for r in rots] and acts[-1] == Press("confirm")
        assert acts[-2] == Press(class_action(inst.cls))
        mistakes = [a for a in acts if a.tag == "mistake"]
        if mistakes:
            misclicks += 1
            wrong = world.CLASSES.index(mistakes[0].name.split(":")[1])
            assert wrong in annotator.grid_neighbours(inst.cls) and acts[-2].tag == "correction"
    n_rot = np.array(n_rot)
    assert n_rot.min() >= lo and n_rot.max() <= 10 and mean_lo <= n_rot.mean() <= mean_hi
    assert 0.24 <= misclicks / len(n_rot) <= 0.36                     # paper: 30 %


def test_grid_neighbours_are_adjacent_buttons():
    env = simcore.episode.make_env(task, 0)
    rects = {c.action: c.rect for c in env.layout().controls}
    for c in range(9):
        near = annotator.grid_neighbours(c)
        assert 1 <= len(near) <= 3      # L-shape, alone in the last row, has one
        r = rects[class_action(c)]
        for k in near:
            o = rects[class_action(k)]
            gap = max(o.x0 - r.x1, r.x0 - o.x1, o.y0 - r.y1, r.y0 - o.y1)
            assert gap <= 6, (c, k)


def test_oracle_from_random_states():
    rng = np.random.default_rng(0)
    for seed in range(40):
        inst = world.make_instance(seed)
        s = State(rotations=tuple(rng.choice(world.ROTATIONS, rng.integers(0, 8))), selected=int(rng.integers(-1, 9)))
        for _ in range(7):
            if s.done:
                break
            s = apply(s, annotator.oracle(s, inst), inst)
        assert s.done and task.metrics(s, inst)["primary"] == 1.0


def test_action_mix():
    mix, lengths = Counter(), []
    for _, acts in plans("default", 300):
        lengths.append(len(acts))
        mix.update("rotate" if a.name in world.ROTATIONS else a.name.split(":")[0] for a in acts)
    total = sum(mix.values())
    share = {k: v / total for k, v in mix.items()}
    # about 5.6 rotations, 1.3 class presses and 1 confirm per episode
    assert 0.65 <= share["rotate"] <= 0.75 and 0.12 <= share["confirm"] <= 0.14
    assert np.mean((np.array(lengths) >= 5) & (np.array(lengths) <= 10)) >= 0.95
