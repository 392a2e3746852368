"""Closed-loop evaluation with the baseline policies (the BC policy is tested with the model)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import simcore
from model.closed_loop import binomial_sd, episode_specs, run, summarize
from model.closed_loop_cli import ClosedArgs, main
from model.policies import OraclePolicy, RandomPolicy, ReplayPolicy


@pytest.mark.parametrize("task", simcore.task_names())
def test_oracle_scores_one_and_random_scores_the_floor(task):
    specs = episode_specs([task], 3, base_seed=0)
    results, times = run(OraclePolicy(0), specs, batch=2, progress=False)
    s = summarize(results)[task]
    assert s["primary"] == 1.0 and s["done_rate"] == 1.0 and s["action_validity"] == 1.0
    assert times.steps == sum(r.steps for r in results)
    results, _ = run(RandomPolicy(0), specs, batch=3, progress=False)
    for r in results:
        assert r.done or r.steps == 2 * r.gt_length          # paper B.3 step limit
    assert summarize(results)[task]["primary"] < 0.5


def test_replay_reproduces_the_annotator():
    specs = episode_specs(["colored_dot_tracking"], 2, base_seed=1)
    results, _ = run(ReplayPolicy(), specs, batch=1, progress=False)
    for r, (task, seed, gt_len) in zip(results, specs):
        ep = simcore.rollout(task, seed)
        assert r.steps == gt_len == len(ep) and r.done and r.metrics["primary"] == 1.0
        assert np.allclose(np.array(r.clicks), ep.clicks)
        assert r.mistakes == int(ep.is_mistake.sum())


def test_mixed_tasks_in_one_batch_keep_spec_order():
    tasks = simcore.task_names()
    specs = episode_specs(tasks, 2, base_seed=2)
    results, _ = run(OraclePolicy(1), specs, batch=3, progress=False)
    assert [(r.task, r.seed) for r in results] == [(t, s) for t, s, _ in specs]


def test_binomial_sd():
    assert binomial_sd(0.5, 100) == pytest.approx(0.05) and binomial_sd(1.0, 10) == 0.0


def test_cli_writes_json_and_figures(tmp_path):
    out = main(ClosedArgs(policy="oracle", tasks=["colored_dot_tracking"], episodes=2, batch=2, out=tmp_path,
                          json=tmp_path / "r.json", progress=False))
    saved = json.loads((tmp_path / "r.json").read_text())
    assert saved["tasks"]["colored_dot_tracking"]["primary"] == 1.0 == out["tasks"]["colored_dot_tracking"]["primary"]
    assert (tmp_path / "primary_by_task.png").exists() and (tmp_path / "clicks_colored_dot_tracking.png").exists()
