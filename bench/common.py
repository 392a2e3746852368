"""Shared pieces of the benchmarks: timing, state sampling, tables, JSON."""
from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np

import simcore
from simcore.episode import make_env


# The targets are for 2-D tasks; the paper's 3-D task renders its data raster per view.
THREE_D_TASKS = frozenset({"three_d_exploration"})


def is_2d(task: str) -> bool:
    return task not in THREE_D_TASKS


def load_average() -> list[float] | None:
    """1/5/15-minute load average, recorded with every table (a loaded machine skews wall-clock rates)."""
    import os
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict:
    import os
    return {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(), "platform": platform.platform(), "load_average": load_average()}


def episode_states(task: str, seeds: list[int]) -> list[tuple[simcore.Env, list]]:
    """For each seed: an env and the states of its annotator episode, in order."""
    out = []
    for seed in seeds:
        ep = simcore.rollout(task, seed)
        env = make_env(task, seed)
        states = [env.state]
        for x, y in ep.clicks:
            env.click(x, y)
            states.append(env.state)
        out.append((make_env(task, seed), states))
    return out


def state_cycle(runs: list[tuple[simcore.Env, list]]) -> tuple[list, dict[int, np.ndarray]]:
    """`episode_states`' runs as one sequence of (env, state) in episode order, and an output frame per env."""
    seq = [(env, s) for env, states in runs for s in states]
    w, h = runs[0][0].window
    return seq, {id(env): np.empty((h, w, 3), np.uint8) for env, _ in runs}


def median_rates(fns: dict, count: int, repeats: int, warmup: int = 1) -> dict[str, tuple[float, list[float]]]:
    """Per name in `fns`: (median units/s, all rates) over `repeats` timings of the function doing `count`
    units, the functions' repeats interleaved (the order alternating), so that the ratio of two is measured
    on the same machine state: this VM's speed drifts by tens of percent within minutes."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    rates: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    for rep in range(repeats):
        for name in names if rep % 2 == 0 else names[::-1]:
            t0 = time.perf_counter()
            fns[name]()
            rates[name].append(count / (time.perf_counter() - t0))
    return {name: (float(np.median(r)), r) for name, r in rates.items()}


def print_table(rows: list[dict], columns: list[tuple[str, str, str]]) -> None:
    """columns: (key, header, format)."""
    cells = [[h for _, h, _ in columns]] + [[format(r[k], f) if r.get(k) is not None else "-" for k, _, f in columns]
                                            for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(columns))]
    for j, row in enumerate(cells):
        print("  ".join(c.rjust(w) for c, w in zip(row, widths)))
        if j == 0:
            print("  ".join("-" * w for w in widths))


def write_json(path: Path | None, payload: dict) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=1, default=float))
    tmp.replace(path)
