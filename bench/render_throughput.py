"""`python -m bench.render_throughput`: frames/s of `Env.frame()` per task, optionally vs the browser.

States come from annotator episodes (fixed seeds) and are rendered in
episode order, as a data generator or a closed-loop evaluation meets them.
Each repeat renders `frames` frames; the table reports the median over
repeats. The naive path (every frame a full redraw with plain Skia draws,
`Env(fast=False)`) is timed on the same states, its repeats interleaved with
the fast path's, so their ratio is measured on the same machine state.
`--vs-browser` times, in the same run, the paper's way of making a frame: the
task's HTML twin in Chromium via Playwright (`setState` + screenshot + PNG
decode to numpy), on the same states.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tyro

import simcore

from .common import episode_states, is_2d, machine, median_rates, print_table, state_cycle, write_json


@dataclass
class Args:
    tasks: list[str] = field(default_factory=list)
    """tasks to measure (default: every registered task)"""
    episodes: int = 3
    """annotator episodes (seeds 0..episodes-1) whose states are rendered"""
    frames: int = 400
    """frames per timed repeat"""
    repeats: int = 5
    """timed repeats; the median is reported"""
    naive: bool = True
    """also time, interleaved with it on the same states, the naive path: every frame a full redraw with plain
    Skia draws (`Env(fast=False)`: no damage tracking, memoised tiles or cached masks)"""
    vs_browser: bool = False
    """also time the HTML twin in Chromium (setState + screenshot + decode) on the same states"""
    browser_frames: int = 40
    """frames per task for the browser path (it is slow)"""
    json: Path | None = None
    """write the results here"""


def skia_rate(task: str, episodes: int, frames: int, repeats: int, naive: bool) -> dict:
    runs = episode_states(task, list(range(episodes)))
    w, h = runs[0][0].window
    paths = {"skia_fps": runs}
    if naive:
        paths["naive_fps"] = [(simcore.Env(task, env.instance, env.theme, env.layout_name, fast=False), states)
                              for env, states in runs]

    def frames_of(runs):
        seq, outs = state_cycle(runs)

        def go():
            for k in range(frames):
                env, state = seq[k % len(seq)]
                env.set_state(state, validate=False)
                env.frame(outs[id(env)])
        return go

    rates = median_rates({name: frames_of(r) for name, r in paths.items()}, frames, repeats)
    row = {"task": task, "dims": "2-D" if is_2d(task) else "3-D", "size": f"{w}x{h}",
           "states": sum(len(states) for _, states in runs)}
    for name, (rate, each) in rates.items():
        row[name], row[name + "_repeats"] = rate, each
    if naive:
        row["vs_naive"] = row["skia_fps"] / row["naive_fps"]
    return row


def browser_rate(task: str, episodes: int, frames: int) -> float | None:
    try:
        from playwright_parity.timing import browser_frames_per_second
    except ImportError:
        return None
    return browser_frames_per_second(task, list(range(episodes)), frames)


def main(args: Args) -> dict:
    rows = []
    for task in args.tasks or simcore.task_names():
        row = skia_rate(task, args.episodes, args.frames, args.repeats, args.naive)
        if args.vs_browser:
            row["browser_fps"] = browser_rate(task, args.episodes, args.browser_frames)
            if row["browser_fps"]:
                row["ratio"] = row["skia_fps"] / row["browser_fps"]
        rows.append(row)
        print(f"{task}: {row['skia_fps']:.0f} frames/s", flush=True)
    print()
    print_table(rows, [("task", "task", "s"), ("dims", "", "s"), ("size", "frame", "s"),
                       ("skia_fps", "skia frames/s", ".0f"), ("naive_fps", "naive frames/s", ".0f"),
                       ("vs_naive", "x naive", ".1f"), ("browser_fps", "browser frames/s", ".1f"),
                       ("ratio", "ratio", ".0f")])
    ratios = [r["ratio"] for r in rows if r.get("ratio") and is_2d(r["task"])]
    vs_naive = [r["vs_naive"] for r in rows if r.get("vs_naive") and is_2d(r["task"])]
    result = {"benchmark": "render_throughput", "machine": machine(), "args": vars(args) | {"json": str(args.json)},
              "rows": rows, "median_ratio": float(np.median(ratios)) if ratios else None,
              "median_vs_naive": float(np.median(vs_naive)) if vs_naive else None}
    if vs_naive:
        print(f"\nmedian ratio skia / naive full redraws over the {len(vs_naive)} 2-D tasks: "
              f"{result['median_vs_naive']:.1f}x")
    if ratios:
        print(f"\nmedian ratio skia / browser over the {len(ratios)} 2-D tasks with a twin: "
              f"{result['median_ratio']:.0f}x")
    write_json(args.json, result)
    return result


if __name__ == "__main__":
    main(tyro.cli(Args))
