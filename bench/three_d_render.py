"""`python -m bench.three_d_render`: 3D Exploration render speed, with and without the orientation cache.

Prints (and with `--json` writes) four numbers, all on this machine:
- `uncached_renders_per_s`: pyrender/EGL renders of new orientations
  (the first render, which starts EGL and compiles shaders, is timed apart);
- `cached_lookups_per_s`: `view_raster` for orientations already rendered;
- `env_frames_per_s_cold` / `env_frames_per_s_warm`: `Env.frame()` plus the
  clicks of annotator episodes, first with an empty render cache, then
  replaying the same episodes (every orientation cached).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tyro

import simcore
from simcore.episode import make_env
from tasks.three_d_exploration import render, world


@dataclass
class Args:
    renders: int = 60
    """new orientations rendered for the uncached rate"""
    episodes: int = 20
    """annotator episodes for the Env.frame() rates"""
    json: Path | None = None
    """write the results here"""


def _episode_fps(episodes: list) -> float:
    frames, t0 = 0, time.perf_counter()
    for ep in episodes:
        env = make_env(ep.task, ep.seed)
        for x, y in ep.clicks:
            env.frame()
            env.click(x, y)
            frames += 1
    return frames / (time.perf_counter() - t0)


def main(args: Args) -> dict:
    inst = world.make_instance(0)
    t0 = time.perf_counter()
    render.view_raster(inst, ())
    first_s = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    seqs = {tuple(rng.choice(world.ROTATIONS, 8)) for _ in range(args.renders * 2)}
    seqs = [s for s in seqs][:args.renders]
    render.clear_cache()
    t0 = time.perf_counter()
    for s in seqs:
        render.view_raster(inst, s)
    uncached = len(seqs) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(20):
        for s in seqs:
            render.view_raster(inst, s)
    cached = 20 * len(seqs) / (time.perf_counter() - t0)
    episodes = [simcore.rollout("three_d_exploration", 10_000 + i) for i in range(args.episodes)]
    render.clear_cache()
    cold = _episode_fps(episodes)
    warm = _episode_fps(episodes)
    out = {"first_render_s": first_s, "uncached_renders_per_s": uncached, "cached_lookups_per_s": cached,
           "env_frames_per_s_cold": cold, "env_frames_per_s_warm": warm}
    for k, v in out.items():
        print(f"{k:28s} {v:12.3f}")
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main(tyro.cli(Args))
