"""The Gymnasium interface: env_checker on every task, rewards, the vector env."""
from __future__ import annotations

import warnings

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import simcore
import simcore.gym as annogym
from simcore.seeding import click_rng


@pytest.mark.parametrize("task", simcore.task_names())
def test_check_env_passes(task):
    env = gymnasium.make(f"annosim/{task}-v0").unwrapped
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # gymnasium's advice to normalize Box actions to [-1, 1]
        check_env(env)


@pytest.mark.parametrize("task", simcore.task_names())
def test_oracle_return_is_the_final_primary_metric(task):
    env = gymnasium.make(f"annosim/{task}-v0").unwrapped
    obs, info = env.reset(seed=3)
    total, rng = 0.0, click_rng(3)
    for _ in range(env.max_steps):
        inner = env._env
        x, y = inner.realize(inner.task.oracle(inner.state, inner.instance), rng)
        obs, reward, terminated, truncated, info = env.step(np.array([x, y], np.float32))
        total += reward
        if terminated or truncated:
            break
    assert terminated and not truncated
    assert info["metrics"]["primary"] == 1.0 and total == pytest.approx(1.0)


def test_invalid_click_reports_no_action():
    env = gymnasium.make("annosim/colored_dot_tracking-v0").unwrapped
    env.reset(seed=0)
    _, reward, terminated, truncated, info = env.step(np.array([1.0, 1.0], np.float32))
    assert info["action"] is None and reward == 0 and not terminated and not truncated


def test_truncation_at_max_steps():
    env = annogym.AnnoEnv("colored_dot_tracking", max_steps=3)
    env.reset(seed=0)
    flags = [env.step(np.array([1.0, 1.0], np.float32))[3] for _ in range(3)]
    assert flags == [False, False, True]


def test_vector_env_shares_one_buffer_and_autoresets():
    venv = annogym.AnnoVectorEnv("colored_dot_tracking", num_envs=3, max_steps=2)
    obs, _ = venv.reset(seed=1)
    assert obs.shape == (3,) + venv.single_observation_space.shape and obs.dtype == np.uint8
    clicks = np.ones((3, 2), np.float32)
    venv.step(clicks)
    _, _, term, trunc, _ = venv.step(clicks)
    assert trunc.all() and not term.any()
    obs, reward, term, trunc, _ = venv.step(clicks)       # next-step autoreset
    assert not trunc.any() and (reward == 0).all()
    made = gymnasium.make_vec("annosim/colored_dot_tracking-v0", num_envs=2, vectorization_mode="vector_entry_point")
    assert made.reset(seed=0)[0].shape[0] == 2


def test_simcore_vector_env_mixed_sizes_pad_with_black():
    vec = simcore.VectorEnv.from_seeds("colored_dot_tracking", [0, 1])
    frames = vec.frames()
    assert frames.shape == (2, 436, 426, 3)
    assert np.array_equal(frames[0], vec.envs[0].frame())
    with pytest.raises(ValueError, match="xy"):
        vec.click(np.zeros((3, 2)))
