"""`python -m bench.rollout_throughput`: closed-loop steps/s on one core.

A step is what a closed-loop evaluation does per action: realize the
annotator's next action as a click, hit-test it, apply it, render the new
frame. Each episode starts from a fresh `Env` (new renderer, first frame a
full redraw) on an instance generated beforehand: making an instance's data
is episode set-up, not part of a step. Every repeat (and the warm-up before
them) runs instances of its own seeds, as an evaluation meets new instances:
a process-wide cache (text runs, the 3-D task's rendered views) holds nothing
of them yet. Measured for a single `Env` and for a `VectorEnv` of B envs
rendering into one `uint8[B, H, W, 3]` buffer (steps/s counts env-steps).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tyro

import simcore
from simcore.seeding import click_rng, plan_rng

from .common import is_2d, machine, print_table, write_json


@dataclass
class Args:
    tasks: list[str] = field(default_factory=list)
    """tasks to measure (default: every registered task)"""
    episodes: int = 4
    """annotator episodes per repeat (single env)"""
    batch: int = 8
    """B, the number of envs of the VectorEnv"""
    repeats: int = 3
    """timed repeats; the median is reported"""
    json: Path | None = None
    """write the results here"""


def _plans(task: str, seeds: list[int]):
    """(seed, instance, annotator plan) per seed: generating an instance's data is episode set-up, not a step."""
    t = simcore.get_task(task)
    out = []
    for seed in seeds:
        inst = t.make_instance(seed)
        out.append((seed, inst, t.plan(inst, plan_rng(seed), "default")))
    return out


def _env(task: str, instance) -> simcore.Env:
    """A fresh env (fresh renderer and caches) on a ready instance, as `make_env` builds it."""
    return simcore.Env(task, instance, theme="dark", layout="right")


def _median_rate(prepare, repeats: int, per_group: int) -> float:
    """Median steps/s over `repeats` groups of `per_group` seeds each (after one warm-up group):
    `prepare(seeds)` does the set-up (instances, plans) and returns the timed work, which returns
    the number of steps it took."""
    rates = []
    for g in range(repeats + 1):
        work = prepare(list(range(g * per_group, (g + 1) * per_group)))
        t0 = time.perf_counter()
        steps = work()
        if g:
            rates.append(steps / (time.perf_counter() - t0))
    return float(np.median(rates))


def single_env_rate(task: str, episodes: int, repeats: int) -> float:
    def prepare(seeds):
        plans = _plans(task, seeds)

        def go():
            for seed, inst, plan in plans:
                env, rng = _env(task, inst), click_rng(seed)
                out = np.empty((env.window[1], env.window[0], 3), np.uint8)
                env.frame(out)
                for action in plan:
                    env.click(*env.realize(action, rng))
                    env.frame(out)
            return sum(len(p) for _, _, p in plans)
        return go

    return _median_rate(prepare, repeats, episodes)


def vector_env_rate(task: str, batch: int, repeats: int) -> float:
    def prepare(seeds):
        plans = _plans(task, seeds)
        horizon = min(len(p) for _, _, p in plans)   # lockstep over the common length

        def go():
            vec = simcore.VectorEnv([_env(task, inst) for _, inst, _ in plans])
            rngs = [click_rng(seed) for seed, _, _ in plans]
            vec.frames()
            xy = np.empty((batch, 2))
            for t in range(horizon):
                for i, (env, (_, _, plan)) in enumerate(zip(vec.envs, plans)):
                    xy[i] = env.realize(plan[t], rngs[i])
                vec.click(xy)
                vec.frames()
            return horizon * batch
        return go

    return _median_rate(prepare, repeats, batch)


def main(args: Args) -> dict:
    rows = []
    for task in args.tasks or simcore.task_names():
        row = {"task": task, "env_steps_per_s": single_env_rate(task, args.episodes, args.repeats),
               "vector_steps_per_s": vector_env_rate(task, args.batch, args.repeats), "batch": args.batch}
        rows.append(row)
        print(f"{task}: {row['env_steps_per_s']:.0f} steps/s (Env), {row['vector_steps_per_s']:.0f} (VectorEnv)",
              flush=True)
    print()
    print_table(rows, [("task", "task", "s"), ("env_steps_per_s", "Env steps/s", ".0f"),
                       ("vector_steps_per_s", "VectorEnv steps/s", ".0f"), ("batch", "B", "d")])
    flat = [r["env_steps_per_s"] for r in rows if is_2d(r["task"])]
    result = {"benchmark": "rollout_throughput", "machine": machine(), "args": vars(args) | {"json": str(args.json)},
              "rows": rows, "median_env_steps_per_s_2d": float(np.median(flat)) if flat else None}
    if flat:
        print(f"\nmedian Env steps/s over the {len(flat)} 2-D tasks: {result['median_env_steps_per_s_2d']:.0f}")
    write_json(args.json, result)
    return result


if __name__ == "__main__":
    main(tyro.cli(Args))
