"""`python -m playwright_parity`: prove the simulator's frames are the HTML twins' frames.

For each task with a twin (`playwright_parity/web/<task>.html`) it replays
annotator episodes and seeded random walks in Chromium and in `simcore.Env`,
and compares pixels, states and hit maps at every step. Exit status: 0 when
every threshold holds, 1 when one is crossed (the message names task, episode,
step and region), 2 for bad input or a missing browser.
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import tyro

import simcore
from widgets import PANELS, THEMES

from .browser import Browser, BrowserMissing, check_browser, jsonable
from .check import Episode, TaskChecker, has_twin, random_walk, twin_path
from .compare import Thresholds
from .report import build, summary, write_json


@dataclass
class Args:
    task: str = "colored_dot_tracking"
    """registered task name, or "all" for every task that has a twin page"""
    episodes: int = 20
    """annotator episodes per task (seeds 0 .. N-1, `simcore.rollout`)"""
    seeds: list[int] = field(default_factory=list)
    """annotator episodes with exactly these seeds instead (the dataset release gate passes a sample of its own)"""
    random_walks: int = 3
    """seeded random-walk episodes per task (random valid actions, one in eight an arbitrary press)"""
    walk_length: int = 60
    """actions per random walk"""
    style: str = "default"
    """annotator style of the episodes"""
    theme: str = "dark"
    """GUI theme (dark, light, retro): the twin gets it as ?theme="""
    layout: str = "right"
    """control panel position (right, left): the twin gets it as ?layout="""
    json: Path | None = None
    """write the report (figures per task, failures) here"""
    out: Path = Path("out/parity")
    """folder for side-by-side PNGs (browser | skia | diff x8) of failing steps"""
    max_images: int = 20
    """at most this many failure images per task"""
    export_seed: int | None = None
    """only write <out>/<task>_seed<S>.json (twin data + initial state) for a person to drop onto the twin page"""


def tasks_to_check(name: str) -> tuple[list[str], dict[str, str]]:
    """(tasks with a twin to run, skipped task -> reason). Unknown names raise KeyError."""
    names = simcore.task_names() if name == "all" else [simcore.get_task(name).NAME]
    run = [n for n in names if has_twin(n)]
    skipped = {n: f"no twin page {twin_path(n).name}" for n in names if n not in run}
    return run, skipped


def episodes_for(task, args: Args) -> list[Episode]:
    eps = []
    for seed in (args.seeds or range(args.episodes)):
        ep = simcore.rollout(task, seed, args.style, args.theme, args.layout)
        eps.append(Episode("annotator", seed, list(ep.actions)))
    for k in range(args.random_walks):
        eps.append(random_walk(task, 100_000 + k, args.walk_length, args.theme, args.layout))
    return eps


def export_task(task, seed: int, out: Path) -> Path:
    """A task JSON a person can drop onto the twin page: {"data": twin_data, "state": initial state}."""
    inst = task.make_instance(seed)
    obj = {"task": task.NAME, "seed": seed, "data": jsonable(task.twin_data(inst)),
           "state": task.state_to_json(task.initial_state(inst))}
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{task.NAME}_seed{seed}.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj))
    os.replace(tmp, path)
    return path


def validate(args: Args) -> None:
    for key, value, lo in (("episodes", args.episodes, 0), ("random_walks", args.random_walks, 0),
                           ("walk_length", args.walk_length, 1), ("max_images", args.max_images, 0)):
        if value < lo:
            raise ValueError(f"--{key.replace('_', '-')}: expected an integer >= {lo}, got {value}")
    if any(s < 0 for s in args.seeds):
        raise ValueError(f"--seeds: expected integers >= 0, got {args.seeds}")
    if args.theme not in THEMES:
        raise ValueError(f"--theme: unknown theme {args.theme!r}; known: {sorted(THEMES)}")
    if args.layout not in PANELS:
        raise ValueError(f"--layout: unknown panel position {args.layout!r}; known: {list(PANELS)}")


def main(args: Args) -> int:
    try:
        validate(args)
        names, skipped = tasks_to_check(args.task)
        if names and args.export_seed is None:
            check_browser()
    except (ValueError, KeyError) as exc:
        print(f"playwright_parity: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    except BrowserMissing as exc:
        print(f"playwright_parity: {exc}", file=sys.stderr)
        return 2
    if args.export_seed is not None:
        for name in names:
            path = export_task(simcore.get_task(name), args.export_seed, args.out)
            print(f"wrote {path}: open {twin_path(name)} in a browser and drop the file onto it")
        return 0
    thresholds = Thresholds()
    results, t0 = {}, time.perf_counter()
    for name in names:
        if args.style not in simcore.get_task(name).STYLES:
            print(f"playwright_parity: --style: unknown style {args.style!r} for {name}", file=sys.stderr)
            return 2
    if names:
        try:
            with Browser() as browser:
                for name in names:
                    task = simcore.get_task(name)
                    checker = TaskChecker(browser, task, args.theme, args.layout, thresholds, args.out,
                                          args.max_images)
                    results[name] = checker.run(episodes_for(task, args)).to_json()
        except BrowserMissing as exc:
            print(f"playwright_parity: {exc}", file=sys.stderr)
            return 2
    config = {"task": args.task, "episodes": args.episodes, "seeds": list(args.seeds), "random_walks": args.random_walks,
              "walk_length": args.walk_length, "style": args.style, "theme": args.theme, "layout": args.layout,
              "seconds": round(time.perf_counter() - t0, 1)}
    report = build(results, skipped, thresholds, config)
    if args.json is not None:
        write_json(report, args.json)
    print(summary(report))
    if not names:
        print(f"playwright_parity: no task with a twin among {sorted(skipped)}", file=sys.stderr)
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main(tyro.cli(Args)))
