"""Simulator core: seeding, click realization, episodes, the preview CLI."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import simcore
from simcore.env import PRESS_CLAMP
from simcore.seeding import episode_seed


def test_episode_seeds_are_stable_and_distinct():
    a = episode_seed(0, "colored_dot_tracking", "train", 0)
    assert a == episode_seed(0, "colored_dot_tracking", "train", 0)
    others = {episode_seed(0, "colored_dot_tracking", "val", 0), episode_seed(1, "colored_dot_tracking", "train", 0),
              episode_seed(0, "colored_dot_tracking", "train", 1), episode_seed(0, "other_task", "train", 0)}
    assert a not in others and len(others) == 4
    with pytest.raises(ValueError, match="split"):
        episode_seed(0, "colored_dot_tracking", "holdout", 0)
    with pytest.raises(ValueError):
        episode_seed(0, "colored_dot_tracking", "train", -1)


def test_press_realization_stays_inside_the_clamped_box():
    env = simcore.make_env("colored_dot_tracking", 0)
    rect = dict((n, r) for n, r, _ in env.controls())["done"]
    rng = np.random.default_rng(0)
    pts = np.array([env.realize(simcore.Press("done"), rng) for _ in range(2000)])
    u = (pts[:, 0] - rect[0]) / (rect[2] - rect[0])
    v = (pts[:, 1] - rect[1]) / (rect[3] - rect[1])
    lo, hi = PRESS_CLAMP
    eps = 1e-9
    assert u.min() >= lo - eps and u.max() <= hi + eps and v.min() >= lo - eps and v.max() <= hi + eps
    assert abs(np.median(u) - 0.5) < 0.02 and 0.15 < u.std() < 0.2    # N(0.5, 0.2) clamped


def test_place_realization_round_trips():
    env = simcore.make_env("colored_dot_tracking", 0)
    x, y = env.realize(simcore.Place(0.25, 0.75), np.random.default_rng(0))
    hit = env.hit(x, y)
    assert isinstance(hit, simcore.Place) and simcore.same_action(simcore.Place(0.25, 0.75), hit)


def test_unknown_names_raise_clearly():
    with pytest.raises(KeyError, match="unknown task"):
        simcore.get_task("no_such_task")
    with pytest.raises(ValueError, match="style"):
        simcore.rollout("colored_dot_tracking", 0, style="sloppy")
    with pytest.raises(ValueError, match="theme"):
        simcore.make_env("colored_dot_tracking", 0, theme="neon")
    with pytest.raises(ValueError, match="layout"):
        simcore.make_env("colored_dot_tracking", 0, layout="diagonal")
    with pytest.raises(KeyError, match="no control"):
        simcore.make_env("colored_dot_tracking", 0).realize(simcore.Press("launch"), np.random.default_rng(0))


def test_setting_a_malformed_state_raises():
    env = simcore.make_env("colored_dot_tracking", 0)
    with pytest.raises(ValueError, match="state"):
        env.state = {"z": 3}


def test_render_episode_matches_stepping():
    ep = simcore.rollout("colored_dot_tracking", 4)
    frames = simcore.render_episode(ep)
    env = simcore.make_env("colored_dot_tracking", 4)
    for t in (0, 1, len(ep) // 2, len(ep) - 1):
        env = simcore.make_env("colored_dot_tracking", 4)
        for x, y in ep.clicks[:t]:
            env.click(x, y)
        assert np.array_equal(env.frame(), frames[t])


def test_preview_cli_writes_sheet_and_gif(tmp_path):
    out = subprocess.run([sys.executable, "-m", "simcore.preview", "--seed", "1", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    from PIL import Image
    sheet = Image.open(tmp_path / "colored_dot_tracking_seed1.png")
    gif = Image.open(tmp_path / "colored_dot_tracking_seed1.gif")
    assert sheet.width > 1000 and gif.n_frames == len(simcore.rollout("colored_dot_tracking", 1))
