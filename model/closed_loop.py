"""Closed-loop evaluation (paper B.3): policies act on frames, in process, many episodes at once.

A `VectorEnv` of B slots renders into one `uint8[B, H, W, 3]` buffer; the
policy returns B clicks per step; the simulator hit-tests them (the action
type comes from the coordinates alone). An episode ends when it is done or
after twice its ground-truth length (the annotator's plan for the same seed);
its slot then takes the next episode of the queue, or idles (masked) when the
queue is empty. Tasks may be mixed in one batch.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

import simcore
from simcore.episode import make_env
from simcore.seeding import episode_seed, plan_rng

from .policies import Policy

MAX_STEPS_FACTOR = 2   # paper B.3: up to 2x the ground-truth episode length


@dataclass
class EpisodeResult:
    task: str
    seed: int
    gt_length: int
    steps: int
    done: bool
    metrics: dict
    kinds: Counter = field(default_factory=Counter)   # action kinds fired ("invalid" for misses)
    clicks: list = field(default_factory=list)        # (x, y) per step
    mistakes: int = 0                                 # actions immediately followed by an undo (paper B.5)

    @property
    def validity(self) -> float:
        return 1.0 - self.kinds["invalid"] / max(self.steps, 1)


@dataclass
class LoopTimes:
    simulator_s: float = 0.0   # rendering, hit-testing, applying
    policy_s: float = 0.0
    steps: int = 0


def episode_specs(tasks: list[str], episodes: int, base_seed: int, split: str = "test") -> list[tuple[str, int, int]]:
    """(task, seed, ground-truth length) for `episodes` held-out episodes per task."""
    specs = []
    for task in tasks:
        t = simcore.get_task(task)
        for i in range(episodes):
            seed = episode_seed(base_seed, task, split, i)
            specs.append((task, seed, len(t.plan(t.make_instance(seed), plan_rng(seed), "default"))))
    return specs


def run(policy: Policy, specs: list[tuple[str, int, int]], batch: int, progress: bool = True,
        theme: str = "dark", layout: str = "right") -> tuple[list[EpisodeResult], LoopTimes]:
    """Run every episode of `specs` to its end; results in `specs` order."""
    queue = list(enumerate(specs))
    n_slots = min(batch, len(queue))
    envs = [make_env(task, seed, theme, layout) for task, seed, _ in specs[:n_slots]]
    # a task's window size does not depend on the instance: the largest among the tasks fits every slot
    windows = np.array([make_env(t, 0, theme, layout).window for t in sorted({t for t, _, _ in specs})])
    vec = simcore.VectorEnv(envs, size=(int(windows[:, 0].max()), int(windows[:, 1].max())))
    slot_job: list[int | None] = [None] * n_slots
    live: list[EpisodeResult | None] = [None] * n_slots
    results: dict[int, EpisodeResult] = {}
    times = LoopTimes()
    bar = tqdm(total=len(specs), desc="closed loop", unit="ep", disable=not progress)

    def start(slot: int) -> None:
        if not queue:
            slot_job[slot], live[slot] = None, None
            return
        job, (task, seed, gt_len) = queue.pop(0)
        env = make_env(task, seed, theme, layout)
        vec.reset(slot, env)
        policy.begin(slot, env, seed)
        slot_job[slot], live[slot] = job, EpisodeResult(task, seed, gt_len, 0, False, {})

    for slot in range(n_slots):
        start(slot)
    while any(r is not None for r in live):
        active = np.array([r is not None for r in live])
        t0 = time.perf_counter()
        frames = vec.frames()
        t1 = time.perf_counter()
        xy = policy.act(frames, active)
        t2 = time.perf_counter()
        steps = vec.click(np.where(active[:, None], xy, np.nan))
        times.simulator_s += (t1 - t0) + (time.perf_counter() - t2)
        times.policy_s += t2 - t1
        times.steps += int(active.sum())
        for slot in np.flatnonzero(active):
            res, step = live[slot], steps[slot]
            res.steps += 1
            kind = simcore.action_kind(step.action)
            if kind == "undo" and res.clicks:
                res.mistakes += 1
            res.kinds[kind] += 1
            res.clicks.append(tuple(xy[slot]))
            if step.done or res.steps >= MAX_STEPS_FACTOR * res.gt_length:
                env = vec.envs[slot]
                res.done, res.metrics = env.done, env.metrics()
                results[slot_job[slot]] = res
                bar.update(1)
                start(slot)
    bar.close()
    return [results[i] for i in range(len(specs))], times


def binomial_sd(p: float, n: int) -> float:
    """The paper's confidence interval for accuracy-like metrics: sqrt(p (1 - p) / n)."""
    return float(np.sqrt(max(p * (1 - p), 0.0) / n)) if n else float("nan")


def summarize(results: list[EpisodeResult]) -> dict[str, dict]:
    """Per task: metric means, primary ± binomial s.d., done rate, steps, validity, action mix, mistakes, undos."""
    out = {}
    for task in sorted({r.task for r in results}):
        rs = [r for r in results if r.task == task]
        n = len(rs)
        keys = sorted({k for r in rs for k in r.metrics})
        means = {k: float(np.nanmean([r.metrics.get(k, np.nan) for r in rs])) if any(
            np.isfinite(r.metrics.get(k, np.nan)) for r in rs) else float("nan") for k in keys}
        kinds = sum((r.kinds for r in rs), Counter())
        n_steps = sum(r.steps for r in rs)
        n_actions = max(n_steps - kinds["invalid"], 1)
        out[task] = {
            "episodes": n, "metrics": means, "primary": means.get("primary", float("nan")),
            "primary_sd": binomial_sd(means.get("primary", 0.0), n),
            "done_rate": float(np.mean([r.done for r in rs])), "mean_steps": n_steps / n,
            "mean_gt_length": float(np.mean([r.gt_length for r in rs])),
            "action_validity": 1.0 - kinds["invalid"] / max(n_steps, 1),
            "action_mix": {k: v / n_steps for k, v in kinds.most_common()},
            "undo_rate": kinds["undo"] / n_actions, "mistake_rate": sum(r.mistakes for r in rs) / n_actions,
        }
    return out


def annotator_mix(specs: list[tuple[str, int, int]]) -> dict[str, dict[str, float]]:
    """The annotator's action-type distribution on the same episodes, to compare with a policy's."""
    mix: dict[str, Counter] = {}
    for task, seed, _ in specs:
        t = simcore.get_task(task)
        plan = t.plan(t.make_instance(seed), plan_rng(seed), "default")
        mix.setdefault(task, Counter()).update(simcore.action_kind(a) for a in plan)
    return {task: {k: v / sum(c.values()) for k, v in c.most_common()} for task, c in mix.items()}
