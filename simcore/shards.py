"""Units of generation work, each a pure function of its spec, committed by one rename.

Generation runs in two phases so that every step is rendered exactly once and
every frame shard is written by exactly one unit:

1. rollout units — `(task, split, k)`: episodes `k*E … (k+1)*E-1` of that split,
   rolled out by the annotator; clicks, actions, task fields, metrics and the
   ground-truth summary go to `parts/roll/<task>.<split>.<k>.pkl`.
2. render units — `(task, k)`: steps `k*S … (k+1)*S-1` of the task's steps table
   (known once phase 1 is done), re-rendered from the clicks; their frame hashes
   go to `parts/hash/<task>.<k>.pkl` and, with `--frames`, the frames to zarr
   shard `k` of `<task>/frames` (S frames per shard, so no two units ever touch
   the same file; zarr's local store writes each file under a temporary name
   and renames it).

A part file exists only when its unit finished (atomic rename), so a restarted
run redoes exactly the units whose part is missing. Outputs depend only on the
spec, never on which worker ran it or when: same command, same bytes.
"""
from __future__ import annotations

import json
import os
import signal
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import zarr

from widgets import Place, action_kind

from .episode import make_env, rollout
from .registry import get_task
from .seeding import episode_seed
from .store import (HASH_SIZE, _jsonable, atomic_write_bytes, frame_hash, frame_shard_bytes, frames_shard_path,
                    ground_truth, save_part)

# Test hook: "<roll|render>:N" makes the process SIGKILL itself when it starts
# its N-th unit of that kind, to prove that a run killed mid-way resumes with
# nothing lost (with --workers 0 that process is the main one).
_DIE_ENV = "ANNOSIM_TEST_WORKER_DIES_AT_UNIT"
_units_started = {"roll": 0, "render": 0}


def _maybe_die(kind: str) -> None:
    _units_started[kind] += 1
    at = os.environ.get(_DIE_ENV, "")
    if at.startswith(kind + ":") and _units_started[kind] >= int(at.split(":")[1]):
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class RolloutUnit:
    task: str
    split: str
    shard: int
    start: int          # first episode index in the split
    stop: int
    base_seed: int
    style: str

    @property
    def name(self) -> str:
        return f"{self.task}.{self.split}.{self.shard:06d}"


@dataclass(frozen=True)
class RenderUnit:
    task: str
    shard: int
    start: int          # first step (row of the task's steps table)
    stop: int
    # (seed, style, theme, layout, first_step, clicks) of every episode overlapping [start, stop)
    episodes: tuple
    frames_path: str | None   # the task's frames array, when frames are stored

    @property
    def name(self) -> str:
        return f"{self.task}.{self.shard:06d}"


def rollout_units(task: str, split: str, n: int, per_shard: int, base_seed: int, style: str) -> list[RolloutUnit]:
    return [RolloutUnit(task, split, k, lo, min(lo + per_shard, n), base_seed, style)
            for k, lo in enumerate(range(0, n, per_shard))]


def render_units(task: str, first_step: np.ndarray, lengths: np.ndarray, episodes: list[tuple],
                 per_shard: int, frames_path: str | None) -> list[RenderUnit]:
    """Step-aligned units over one task's steps; `episodes[i]` = (seed, style, theme, layout, clicks)."""
    total = int(lengths.sum())
    ends = first_step + lengths
    units = []
    for k, lo in enumerate(range(0, total, per_shard)):
        hi = min(lo + per_shard, total)
        # episodes whose steps overlap [lo, hi): first < hi and end > lo
        rows = np.nonzero((first_step < hi) & (ends > lo))[0]
        eps = tuple(episodes[i][:4] + (int(first_step[i]), episodes[i][4]) for i in rows)
        units.append(RenderUnit(task, k, lo, hi, eps, frames_path))
    return units


def run_rollout_unit(unit: RolloutUnit, parts: Path) -> int:
    """Roll out the unit's episodes; returns the number of steps."""
    _maybe_die("roll")
    task = get_task(unit.task)
    out = {"index": [], "seed": [], "style": [], "theme": [], "layout": [], "length": [], "window": [],
           "metrics": [], "gt": [], "gt_digest": [], "clicks": [], "action": [], "tag": [], "u": [], "v": [],
           "fields": []}
    for i in range(unit.start, unit.stop):
        seed = episode_seed(unit.base_seed, unit.task, unit.split, i)
        fields: list[dict] = []
        seen = []     # the rollout's own instance: building it again costs as much as the rollout

        def before_click(t, env):
            if t == 0:
                seen.append(env.instance)
            fields.append(task.task_fields(env.state))
        try:
            ep = rollout(task, seed, unit.style, before_click=before_click)
        except Exception as err:
            raise RuntimeError(f"{unit.task} {unit.split} episode {i} (seed {seed}): rollout failed: {err}") from err
        gt_json, digest = ground_truth(seen[0] if seen else task.make_instance(seed))
        out["index"].append(i)
        out["seed"].append(seed)
        out["style"].append(ep.style)
        out["theme"].append(ep.theme)
        out["layout"].append(ep.layout)
        out["length"].append(len(ep))
        out["window"].append(tuple(ep.window))
        out["metrics"].append({k: float(v) for k, v in ep.metrics.items()})
        out["gt"].append(gt_json)
        out["gt_digest"].append(digest)
        out["clicks"].append(ep.clicks)
        for a in ep.actions:
            out["action"].append(action_kind(a))
            out["tag"].append(a.tag)
            place = isinstance(a, Place)
            out["u"].append(a.u if place else np.nan)
            out["v"].append(a.v if place else np.nan)
        out["fields"].extend(fields)
    # per-step columns as compact numpy arrays: a task's parts are all held in memory when assembled
    for key, dtype in (("action", str), ("tag", str), ("u", np.float64), ("v", np.float64)):
        out[key] = np.array(out[key], dtype=dtype)
    out["fields"] = step_fields(out["fields"])
    save_part(parts / f"{unit.name}.pkl", out)
    return int(sum(out["length"]))


def step_fields(rows: list[dict]) -> dict[str, np.ndarray]:
    """Per-step task-field dicts as one array per field: bool, int64, float64 (None: NaN), str, or JSON text."""
    cols = {}
    for name in sorted({k for r in rows for k in r}):
        vals = [r.get(name) for r in rows]
        if all(isinstance(v, (bool, np.bool_)) for v in vals):
            cols[name] = np.array(vals, bool)
        elif all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in vals):
            cols[name] = np.array(vals, np.int64)
        elif all(v is None or isinstance(v, (int, float, np.integer, np.floating)) for v in vals):
            cols[name] = np.array([np.nan if v is None else float(v) for v in vals], np.float64)
        elif all(isinstance(v, str) for v in vals):
            cols[name] = np.array(vals, str)
        else:
            cols[name] = np.array([json.dumps(_jsonable(v), sort_keys=True) for v in vals], dtype=object)
    return cols


def run_render_unit(unit: RenderUnit, parts: Path) -> int:
    """Re-render the unit's steps; write their hashes (and frames); returns the number of frames."""
    _maybe_die("render")
    n = unit.stop - unit.start
    hashes = np.empty((n, HASH_SIZE), np.uint8)
    frames = None
    for seed, style, theme, layout, first, clicks in unit.episodes:
        env = make_env(get_task(unit.task), seed, theme, layout)
        if frames is None and unit.frames_path is not None:
            w, h = env.window
            frames = np.empty((n, h, w, 3), np.uint8)
        scratch = None
        for t, (x, y) in enumerate(clicks):
            row = first + t
            if row >= unit.stop:
                break
            if row >= unit.start:
                if frames is not None:
                    frame = env.frame(frames[row - unit.start])
                else:
                    scratch = env.frame(scratch)
                    frame = scratch
                hashes[row - unit.start] = np.frombuffer(frame_hash(frame), np.uint8)
            env.click(x, y)
    if frames is not None:
        # exactly one zarr shard, replaced atomically (temporary name, then rename)
        array = zarr.open_array(unit.frames_path, mode="r")
        path = frames_shard_path(array, Path(unit.frames_path), unit.shard)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, frame_shard_bytes(frames, array.shards[0]))
    save_part(parts / f"{unit.name}.pkl", hashes)
    return n

