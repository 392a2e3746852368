"""`python -m bench.frame_profile`: where a frame's CPU time goes, by stage, per task.

Stages of `Env.frame()` on the states of one annotator episode, in episode
order: the task's `view()` (building the widget tree), binding it to its
layout (`widgets.layout`), damage detection against the previous frame,
painting the damaged rectangles (Skia + text blits), and the RGBA -> RGB copy
into the caller's frame. Timed with `time.process_time()` (CPU time of this
process: meaningful on a loaded machine, where wall-clock rates are not);
each stage runs over the whole episode, best of `repeats`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tyro

import simcore
from widgets import layout as layout_tree
from widgets.damage import damaged
from widgets.pixels import rgba_to_rgb

from .common import episode_states, machine, print_table, write_json


@dataclass
class Args:
    tasks: list[str] = field(default_factory=list)
    """tasks to profile (default: every registered task)"""
    seed: int = 0
    """the annotator episode whose states are rendered"""
    repeats: int = 3
    """each stage is timed this many times; the best is reported"""
    json: Path | None = None
    """write the results here"""


def _cpu(fn, repeats: int) -> float:
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def profile(task: str, seed: int, repeats: int) -> dict:
    (env, states), = episode_states(task, [seed])
    t, inst, theme, where = env.task, env.instance, env.theme, env.layout_name
    trees = [t.view(s, inst, theme, where) for s in states]
    lays = [layout_tree(tree, theme) for tree in trees]
    out = np.empty((lays[0].height, lays[0].width, 3), np.uint8)
    renderer = env._renderer
    renderer.render(lays[0], out)
    n = len(states)

    def whole():
        for s in states:
            env.set_state(s, validate=False)
            env.frame(out)

    view = _cpu(lambda: [t.view(s, inst, theme, where) for s in states], repeats)
    bind = _cpu(lambda: [layout_tree(tree, theme) for tree in trees], repeats)
    damage = _cpu(lambda: [damaged(a, b) for a, b in zip(lays, lays[1:])], repeats)
    copy = _cpu(lambda: [rgba_to_rgb(renderer._rgba, out) for _ in states], repeats)
    render = _cpu(lambda: [renderer.render(lay, out) for lay in lays], repeats)
    total = _cpu(whole, repeats)
    us = 1e6 / n
    return {"task": task, "states": n, "view_us": view * us, "bind_us": bind * us, "damage_us": damage * us,
            "paint_us": max(render - damage - copy, 0.0) * us, "copy_us": copy * us, "frame_us": total * us,
            "frames_per_cpu_s": n / total}


def main(args: Args) -> dict:
    rows = []
    for task in args.tasks or simcore.task_names():
        rows.append(profile(task, args.seed, args.repeats))
    print_table(rows, [("task", "task", "s"), ("view_us", "view", ".0f"), ("bind_us", "bind", ".0f"),
                       ("damage_us", "damage", ".0f"), ("paint_us", "paint", ".0f"), ("copy_us", "copy", ".0f"),
                       ("frame_us", "Env.frame", ".0f"), ("frames_per_cpu_s", "frames/CPU-s", ".0f")])
    print("\n(us of CPU time per frame; Env.frame is measured on its own, so the stages need not add up to it)")
    result = {"benchmark": "frame_profile", "machine": machine(), "args": vars(args) | {"json": str(args.json)},
              "rows": rows}
    write_json(args.json, result)
    return result


if __name__ == "__main__":
    main(tyro.cli(Args))
