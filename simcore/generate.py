"""`python -m simcore.generate`: annotator episodes (and optionally frames) into a zarr v3 dataset.

The run builds `<out>.partial/` (the store under construction, finished work
units in `parts/`, the command's parameters in `params.json`) and renames the
store to `<out>` only when it is complete, so `<out>` is never half-written.
Killed and restarted with the same command, it redoes only the units whose
part file is missing. The same command writes the same bytes whatever
`--workers` is. See `docs/dataset.md` for the format and `simcore/shards.py`
for the units.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import warnings
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import tyro
import zarr
from tqdm import tqdm

# tqdm's default lock is a multiprocessing semaphore, which spawned workers
# never use and the resource tracker then reports as leaked; a thread lock is enough
tqdm.set_lock(threading.RLock())

from . import release as release_mod
from .assemble import TaskParts, format_summary, summary_row, write_root, write_task
from .registry import get_task, task_names
from .shards import render_units, rollout_units, run_render_unit, run_rollout_unit
from .store import (FRAME_CODEC, SPLITS, TMP_MARK, DatasetError, atomic_write_bytes, load_part, open_root,
                    remove_tree)


HASH_UNIT_SHARDS = 8


@dataclass
class Args:
    out: Path = Path("data/annosim.zarr")
    """output store (a folder); built in `<out>.partial` and renamed when complete"""
    tasks: tuple[str, ...] = ()
    """task names to generate (default: every registered task, see `simcore.task_names()`)"""
    train: int = 100
    """episodes per task in the train split"""
    val: int = 10
    """episodes per task in the val split"""
    test: int = 10
    """episodes per task in the test split"""
    seed: int = 0
    """base seed: episode i of (task, split) uses `simcore.episode_seed(seed, task, split, i)`"""
    style: str = "default"
    """annotator style (must exist for every chosen task)"""
    frames: bool = False
    """also store every frame (uint8, native window size, sharded and compressed); off: frames are re-rendered"""
    hashes: bool = True
    """store a 128-bit SHA-256 hash per frame (costs one render per step; lets readers verify re-rendered frames)"""
    workers: int = -1
    """worker processes (-1: one per CPU; 0: run in this process); does not change the output bytes"""
    shard_episodes: int = 64
    """episodes per rollout unit (the unit of resumption in phase 1)"""
    shard_steps: int = 128
    """steps per render unit and per zarr shard of the frames arrays"""
    release: bool = False
    """run the parity harness (`python -m playwright_parity`) per task and refuse to publish when it fails"""
    parity_episodes: int = 4
    """episodes per task checked by the parity harness with --release"""
    quiet: bool = False
    """no progress bars or summary table"""


def params_of(args: Args) -> dict:
    """What determines the bytes of the store (not `out`, `workers`, `quiet`)."""
    skip = {"out", "workers", "quiet"}
    p = {k: v for k, v in asdict(args).items() if k not in skip}
    p["tasks"] = sorted(args.tasks) if args.tasks else task_names()
    return p


def validate(args: Args) -> dict:
    """All argument checks, before anything is written; returns the creation parameters."""
    for name in ("train", "val", "test", "seed", "parity_episodes"):
        if getattr(args, name) < 0:
            raise DatasetError(f"--{name.replace('_', '-')}: must be >= 0, got {getattr(args, name)}")
    for name in ("shard_episodes", "shard_steps"):
        if getattr(args, name) < 1:
            raise DatasetError(f"--{name.replace('_', '-')}: must be >= 1, got {getattr(args, name)}")
    if args.workers < -1:
        raise DatasetError(f"--workers: must be -1 (all CPUs), 0 (in process) or a count, got {args.workers}")
    if args.train + args.val + args.test == 0:
        raise DatasetError("--train/--val/--test: nothing to generate (all counts are 0)")
    known = task_names()
    for name in args.tasks:
        if name not in known:
            raise DatasetError(f"--tasks: unknown task {name!r}; registered tasks: {known}")
    if len(set(args.tasks)) != len(args.tasks):
        raise DatasetError(f"--tasks: a task is listed twice: {list(args.tasks)}")
    params = params_of(args)
    for name in params["tasks"]:
        if args.style not in get_task(name).STYLES:
            raise DatasetError(f"--style: {args.style!r} is not an annotator style of {name}; "
                               f"known: {sorted(get_task(name).STYLES)}")
    if args.release:
        release_mod.check_available()
    return params


def _prepare(out: Path, params: dict) -> Path | None:
    """The partial folder to work in (fresh or resumed), or None when `out` is already this dataset."""
    partial = Path(f"{out}.partial")
    if out.exists():
        try:
            root = open_root(out)
        except DatasetError as err:
            raise DatasetError(f"--out: {out} exists and is not a finished dataset ({err}); "
                               f"choose another path or delete it") from None
        if root.attrs.get("params") == params:
            remove_tree(partial)          # left over from a run killed after its final rename
            return None
        raise DatasetError(f"--out: {out} already holds a dataset made with other parameters; "
                           f"choose another path or delete it")
    if partial.exists():
        try:
            old = json.loads((partial / "params.json").read_text())
        except (OSError, json.JSONDecodeError):
            raise DatasetError(f"{partial}: an unfinished run without readable params.json; delete it") from None
        if old != params:
            changed = sorted(k for k in set(old) | set(params) if old.get(k) != params.get(k))
            raise DatasetError(f"{partial}: an unfinished run with other parameters ({', '.join(changed)}); "
                               f"rerun that command to finish it, or delete the folder")
        return partial
    # a fresh partial appears complete-with-params or not at all
    tmp = Path(f"{out}.partial.tmp{os.getpid()}")
    remove_tree(tmp)
    for sub in ("store", "parts/roll", "parts/hash"):
        (tmp / sub).mkdir(parents=True)
    atomic_write_bytes(tmp / "params.json", json.dumps(params, sort_keys=True, indent=1).encode())
    os.replace(tmp, partial)
    return partial


class _Workers:
    """Runs units in this process (0 workers) or in one spawned pool shared by both phases
    (a spawned worker takes seconds to import Skia and the tasks)."""

    def __init__(self, n: int):
        self.n, self.pool = n, None

    def run(self, fn, units: list, parts: Path, bar: tqdm) -> None:
        if self.n == 0 or (len(units) <= 1 and self.pool is None):
            for unit in units:
                bar.update(fn(unit, parts))
            return
        if self.pool is None:
            # spawn: workers must not inherit the parent's threads (tqdm's monitor, zarr's loop) or Skia state
            self.pool = ProcessPoolExecutor(self.n, mp_context=get_context("spawn"))
        futures = {self.pool.submit(fn, unit, parts): unit for unit in units}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for fut in done:
                err = fut.exception()
                if err is None:
                    bar.update(fut.result())
                    continue
                for other in pending:
                    other.cancel()
                if isinstance(err, BrokenProcessPool):
                    raise DatasetError("a worker process died (killed or out of memory); finished units are kept: "
                                       "rerun the same command to resume") from None
                raise DatasetError(f"unit {futures[fut].name} failed: {err}") from err

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)   # running units finish: kept for a rerun


def _pending(units: list, parts: Path) -> list:
    return [u for u in units if not (parts / f"{u.name}.pkl").exists()]


def generate(args: Args) -> Path:
    params = validate(args)
    out = Path(args.out)
    partial = _prepare(out, params)
    if partial is None:
        if not args.quiet:
            print(f"{out}: already complete with these parameters; nothing to do")
        return out
    workers = _Workers((os.cpu_count() or 1) if args.workers == -1 else args.workers)
    try:
        return _generate(args, params, out, partial, workers)
    finally:
        workers.close()


def _generate(args: Args, params: dict, out: Path, partial: Path, workers: _Workers) -> Path:
    store, roll_dir, hash_dir = partial / "store", partial / "parts/roll", partial / "parts/hash"
    tasks = params["tasks"]
    counts = {"train": args.train, "val": args.val, "test": args.test}

    # phase 1: rollouts
    units = [u for t in tasks for s in SPLITS
             for u in rollout_units(t, s, counts[s], args.shard_episodes, args.seed, args.style)]
    with tqdm(desc="rollouts", unit="step", disable=args.quiet, dynamic_ncols=True) as bar:
        workers.run(run_rollout_unit, _pending(units, roll_dir), roll_dir, bar)
    by_task = {t: TaskParts(t, [(u.split, roll_dir / f"{u.name}.pkl") for u in units if u.task == t]) for t in tasks}

    # phase 2: render (hashes and/or frames), step-aligned
    root = zarr.open_group(str(store), mode="a", zarr_format=3)
    render = []
    for t, tp in by_task.items():
        if not (args.hashes or args.frames) or tp.n_steps == 0:
            continue
        frames_path = None
        if args.frames:
            window = tp.window()
            if window is None:
                raise DatasetError(f"--frames: task {t} has episodes with different window sizes; "
                                   "frames are stored per task at one native size")
            frames_path = str(store / t / "frames")
            shape = (tp.n_steps, window[1], window[0], 3)
            g = root.require_group(t)
            if "frames" not in g:
                g.create_array("frames", shape=shape, dtype="uint8", chunks=(1,) + shape[1:],
                               shards=(args.shard_steps,) + shape[1:], compressors=FRAME_CODEC, fill_value=0,
                               dimension_names=("step", "y", "x", "rgb"))
            elif g["frames"].shape != shape:
                raise DatasetError(f"{frames_path}: frames array of shape {g['frames'].shape}, expected {shape}")
        # hashes alone need no shard alignment: bigger units rebuild fewer instances (an episode
        # straddling two units is built twice)
        per_unit = args.shard_steps if args.frames else args.shard_steps * HASH_UNIT_SHARDS
        render += render_units(t, tp.first_step, tp.lengths, tp.render_specs(), per_unit, frames_path)
    if render:
        total = sum(u.stop - u.start for u in render)
        todo = _pending(render, hash_dir)
        with tqdm(desc="frames" if args.frames else "hashes", unit="frame", total=total,
                  initial=total - sum(u.stop - u.start for u in todo), disable=args.quiet,
                  dynamic_ncols=True) as bar:
            workers.run(run_render_unit, todo, hash_dir, bar)

    # phase 3: tables, attributes, parity, then the one rename that publishes it
    summary = {}
    for t, tp in by_task.items():
        hashes = None
        if args.hashes and tp.n_steps:
            hashes = np.concatenate([load_part(hash_dir / f"{u.name}.pkl") for u in render if u.task == t])
        elif args.hashes:
            hashes = np.zeros((0, 16), np.uint8)
        write_task(root, tp, hashes, args.frames and tp.n_steps > 0)
        summary[t] = summary_row(tp)
    parity = None
    if args.release:
        parity = {}
        for t in tasks:
            seeds = by_task[t].cols.get("seed", []) if t in by_task else []
            # an evenly spaced sample of the dataset's own episodes (first, last and between)
            pick = np.unique(np.linspace(0, len(seeds) - 1, min(args.parity_episodes, len(seeds))).round()
                             .astype(int)) if len(seeds) else []
            parity[t] = release_mod.run_parity(t, args.parity_episodes, seeds=[int(seeds[i]) for i in pick])
    write_root(root, params, by_task, summary, parity)
    for stray in [*store.rglob("*.partial"), *store.rglob(f"*{TMP_MARK}*")]:
        stray.unlink()      # temporary files (zarr's and ours) left behind by a run killed mid-write
    with warnings.catch_warnings():
        # zarr warns that consolidated metadata is not in the v3 spec yet; zarr-python reads it, and
        # readers without it still find every array through the plain per-node zarr.json files
        warnings.simplefilter("ignore")
        zarr.consolidate_metadata(str(store), zarr_format=3)
    os.replace(store, out)
    remove_tree(partial)
    if not args.quiet:
        print(format_summary(summary))
        print(f"wrote {out}")
    return out


def main(args: Args) -> None:
    try:
        generate(args)
    except (DatasetError, KeyboardInterrupt) as err:
        msg = "interrupted; rerun the same command to resume" if isinstance(err, KeyboardInterrupt) else str(err)
        print(f"error: {msg}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main(tyro.cli(Args))
