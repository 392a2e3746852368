"""The browser's frame rate, the way the paper makes frames: `setState` + `page.screenshot()` + PNG decode.

`browser_frames_per_second` is what `python -m bench.render_throughput --vs-browser`
compares `Env.frame()` with. It renders the same states as the bench's Skia
side (each seed's annotator episode replayed through `simcore.Env`, in episode
order) through the task's HTML twin in Chromium. Launching the browser,
loading the page and `setTaskData` (the rasters travelling to the page) are
set-up and not timed; each timed frame is one `page.evaluate(setState)`, one
PNG screenshot and its decode into a uint8[H, W, 3] array. Wall-clock time:
the work happens in Chromium's processes, not in this one.
"""
from __future__ import annotations

import time

import simcore

from .browser import Browser, jsonable
from .check import has_twin, twin_path


def _episode_states(task, seed: int) -> tuple[simcore.Env, list]:
    """The env and the states of `seed`'s annotator episode (as bench.common.episode_states builds them)."""
    ep = simcore.rollout(task, seed)
    env = simcore.make_env(task, seed)
    states = [env.state]
    for x, y in ep.clicks:
        env.click(x, y)
        states.append(env.state)
    return env, states


def browser_frames_per_second(task: str, seeds: list[int], frames: int, warmup: int = 2) -> float | None:
    """Frames/s of setState + screenshot + decode over `frames` states of the seeds' episodes (None: no twin)."""
    if not has_twin(task):
        return None
    t = simcore.get_task(task)
    runs = [_episode_states(t, seed) for seed in seeds]
    seq = [(i, s) for i, (_, states) in enumerate(runs) for s in states]
    with Browser() as b:
        b.load(twin_path(task), "theme=dark&layout=right")
        loaded = None
        elapsed, timed = 0.0, 0
        for k in range(warmup + frames):
            i, state = seq[k % len(seq)]
            if i != loaded:                      # a new episode: its rasters go to the page (set-up, untimed)
                env = runs[i][0]
                b.fit(*env.window)
                b.page.evaluate("d => setTaskData(d)", jsonable(t.twin_data(env.instance)))
                loaded = i
            payload = t.state_to_json(state)
            t0 = time.perf_counter()
            b.page.evaluate("s => setState(s)", payload)
            frame = b.screenshot()
            dt = time.perf_counter() - t0
            if frame.shape[:2] != (env.window[1], env.window[0]):
                raise RuntimeError(f"{task}: screenshot {frame.shape} is not the window {env.window}")
            if k >= warmup:
                elapsed += dt
                timed += 1
    return timed / elapsed
