"""Checks that several task-specific test files share (not a test module itself)."""
from __future__ import annotations

import numpy as np

import simcore


def assert_oracle_finishes_after_random_clicks(task_name: str, seeds: int = 12) -> None:
    """DAgger: after random clicks anywhere in the window, the oracle still reaches primary 1.0."""
    task = simcore.get_task(task_name)
    for seed in range(seeds):
        env = simcore.make_env(task, seed)
        rng = np.random.default_rng(seed)
        x0, y0, x1, y1 = env.canvas_rect()
        for _ in range(rng.integers(5, 60)):
            on_canvas = rng.random() < 0.5
            env.click(rng.uniform(x0, x1) if on_canvas else rng.uniform(0, env.window[0]),
                      rng.uniform(y0, y1) if on_canvas else rng.uniform(0, env.window[1]))
        if env.done:
            continue
        for _ in range(3 * task.PAPER_LENGTH[1]):
            if env.done:
                break
            env.click(*env.realize(task.oracle(env.state, env.instance), rng))
        assert env.done and env.metrics()["primary"] == 1.0, f"seed {seed}: {env.metrics()}"
