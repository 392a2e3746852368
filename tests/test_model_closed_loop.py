"""The BC model in the closed loop: KV-cached decoding per slot, sampling, the CLI path."""
import json

import numpy as np
import torch

import simcore
from model.bc_policy import BCPolicy, sample_bins
from model.closed_loop import episode_specs, run, summarize
from model.config import preset
from model.policy import Policy

torch.set_num_threads(1)  # see test_model_policy.py


def tiny_policy(seed=0):
    torch.manual_seed(0)
    return BCPolicy(Policy(preset("tiny", context_frames=3)), temperature=0.4, seed=seed)


def short_specs(task, n):
    # ~6 steps each: the step limit is 2x the ground-truth length
    return [(t, s, 3) for t, s, _ in episode_specs([task], n, base_seed=0)]


def test_bc_policy_runs_batched_and_is_deterministic():
    task = simcore.task_names(pretrain_only=True)[0]
    specs = short_specs(task, 3)
    a, _ = run(tiny_policy(), specs, batch=2, progress=False)
    b, _ = run(tiny_policy(), specs, batch=2, progress=False)
    assert [r.clicks for r in a] == [r.clicks for r in b]
    s = summarize(a)[task]
    assert s["episodes"] == 3 and 0 <= s["action_validity"] <= 1 and all(r.steps >= 1 for r in a)
    w, h = simcore.make_env(task, 0).window
    xy = np.array([c for r in a for c in r.clicks])
    assert (xy[:, 0] >= 0).all() and (xy[:, 0] <= w).all() and (xy[:, 1] >= 0).all() and (xy[:, 1] <= h).all()


def test_slots_keep_separate_contexts():
    """An episode's clicks do not depend on what runs in the other slots."""
    task = simcore.task_names(pretrain_only=True)[0]
    specs = short_specs(task, 2)
    pol = tiny_policy()
    pol.temperature = 0.0           # argmax: no shared random stream between slots
    solo = tiny_policy()
    solo.temperature = 0.0
    together, _ = run(pol, specs, batch=2, progress=False)
    alone, _ = run(solo, specs[:1], batch=1, progress=False)
    assert together[0].clicks == alone[0].clicks


def test_temperature_zero_is_argmax():
    g = torch.Generator().manual_seed(0)
    logits = torch.tensor([[0.0, 5.0, 1.0]])
    assert int(sample_bins(logits, 0.0, g)) == 1
    draws = {int(sample_bins(logits, 10.0, g)) for _ in range(50)}
    assert len(draws) > 1


def test_evaluate_closed_mode_writes_json(tmp_path, monkeypatch):
    import model.closed_loop as cl
    monkeypatch.setattr(cl, "MAX_STEPS_FACTOR", 0.05)    # a few steps per episode
    from model.evaluate import Args, Path, _main_closed
    out = tmp_path / "closed.json"
    task = simcore.task_names(pretrain_only=True)[0]
    args = Args(mode="closed", episodes=1, json=out, tasks=[task])
    _main_closed(args, Policy(preset("tiny", context_frames=3)), [task], torch.device("cpu"))
    res = json.loads(out.read_text())
    assert res["policy"] == "bc" and task in res["tasks"]
