"""Closed-loop evaluation drives a live simcore GUI with the KV-cache decoder."""
import json

import pytest
import torch

from model.closed_loop import evaluate_closed, sample_bins
from model.config import preset
from model.policy import Policy

torch.set_num_threads(1)  # see test_model_policy.py
simcore = pytest.importorskip("simcore")


def test_closed_loop_runs_and_is_deterministic(monkeypatch):
    import model.closed_loop as cl

    task = simcore.task_names(pretrain_only=True)[0]
    torch.manual_seed(0)
    m = Policy(preset("tiny", context_frames=3))
    real = cl.run_episode
    monkeypatch.setattr(cl, "run_episode", lambda *a, **k: real(*a, **{**k, "max_factor": 0.05}))  # ~6 steps
    a = evaluate_closed(m, [task], episodes=1, seed=0)
    b = evaluate_closed(m, [task], episodes=1, seed=0)
    assert json.dumps(a["episodes"]) == json.dumps(b["episodes"])  # (metrics may hold NaN)
    r = a["per_task"][task]
    assert r["episodes"] == 1 and 0 <= r["invalid_rate"] <= 1 and r["steps"] >= 1


def test_temperature_zero_is_argmax():
    g = torch.Generator().manual_seed(0)
    logits = torch.tensor([[0.0, 5.0, 1.0]])
    assert int(sample_bins(logits, 0.0, g)) == 1
    draws = {int(sample_bins(logits, 10.0, g)) for _ in range(50)}
    assert len(draws) > 1
