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
The naive path (every frame a full redraw with plain Skia draws,
`Env(fast=False)`) runs the single-`Env` loop on seeds of its own, its repeats
interleaved with the fast path's: their ratio is measured on the same machine
state.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
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
    naive: bool = True
    """also time the naive path (every frame a full redraw with plain Skia draws), interleaved, and the ratio"""
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


NAIVE_SEEDS = 1_000_000   # the naive path's instances: new ones too, not the fast path's (caches would remember them)


def _env(task: str, instance, fast: bool = True) -> simcore.Env:
    """A fresh env (fresh renderer and caches) on a ready instance, as `make_env` builds it."""
    return simcore.Env(task, instance, theme="dark", layout="right", fast=fast)


def _median_rates(prepares: dict, repeats: int, per_group: int) -> dict[str, float]:
    """Median steps/s of each of `prepares` over `repeats` groups of `per_group` seeds each (after one warm-up
    group), the groups of each interleaved (the order alternating): `prepares[name] = (prepare, first seed)`;
    `prepare(seeds)` does the set-up (instances, plans) and returns the timed work, which returns the number
    of steps it took."""
    rates: dict[str, list[float]] = {name: [] for name in prepares}
    names = list(prepares)
    for g in range(repeats + 1):
        for name in names if g % 2 == 0 else names[::-1]:
            prepare, first = prepares[name]
            work = prepare(list(range(first + g * per_group, first + (g + 1) * per_group)))
            t0 = time.perf_counter()
            steps = work()
            if g:
                rates[name].append(steps / (time.perf_counter() - t0))
    return {name: float(np.median(r)) for name, r in rates.items()}


def _episodes(task: str, fast: bool, seeds: list[int]):
    """Set-up (instances, plans) of one group of single-`Env` episodes; returns the timed work."""
    plans = _plans(task, seeds)

    def go():
        for seed, inst, plan in plans:
            env, rng = _env(task, inst, fast), click_rng(seed)
            out = np.empty((env.window[1], env.window[0], 3), np.uint8)
            env.frame(out)
            for action in plan:
                env.click(*env.realize(action, rng))
                env.frame(out)
        return sum(len(p) for _, _, p in plans)
    return go


def single_env_rates(task: str, episodes: int, repeats: int, naive: bool) -> dict[str, float]:
    paths = {"env_steps_per_s": (partial(_episodes, task, True), 0)}
    if naive:
        paths["naive_steps_per_s"] = (partial(_episodes, task, False), NAIVE_SEEDS)
    return _median_rates(paths, repeats, episodes)


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

    return _median_rates({"": (prepare, 0)}, repeats, batch)[""]


def main(args: Args) -> dict:
    rows = []
    for task in args.tasks or simcore.task_names():
        row = single_env_rates(task, args.episodes, args.repeats, args.naive)
        row = {"task": task, **row, "vector_steps_per_s": vector_env_rate(task, args.batch, args.repeats),
               "batch": args.batch}
        if args.naive:
            row["vs_naive"] = row["env_steps_per_s"] / row["naive_steps_per_s"]
        rows.append(row)
        print(f"{task}: {row['env_steps_per_s']:.0f} steps/s (Env), {row['vector_steps_per_s']:.0f} (VectorEnv)",
              flush=True)
    print()
    print_table(rows, [("task", "task", "s"), ("env_steps_per_s", "Env steps/s", ".0f"),
                       ("naive_steps_per_s", "naive steps/s", ".0f"), ("vs_naive", "x naive", ".1f"),
                       ("vector_steps_per_s", "VectorEnv steps/s", ".0f"), ("batch", "B", "d")])
    flat = [r["env_steps_per_s"] for r in rows if is_2d(r["task"])]
    vs_naive = [r["vs_naive"] for r in rows if r.get("vs_naive") and is_2d(r["task"])]
    result = {"benchmark": "rollout_throughput", "machine": machine(), "args": vars(args) | {"json": str(args.json)},
              "rows": rows, "median_env_steps_per_s_2d": float(np.median(flat)) if flat else None,
              "median_vs_naive_2d": float(np.median(vs_naive)) if vs_naive else None}
    if vs_naive:
        print(f"\nmedian ratio Env / naive full redraws over the {len(vs_naive)} 2-D tasks: "
              f"{result['median_vs_naive_2d']:.1f}x")
    if flat:
        print(f"\nmedian Env steps/s over the {len(flat)} 2-D tasks: {result['median_env_steps_per_s_2d']:.0f}")
    write_json(args.json, result)
    return result


if __name__ == "__main__":
    main(tyro.cli(Args))
