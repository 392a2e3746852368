"""`python -m simcore.export --to paper`: a store in the paper's output layout (paper A.1).

Per task: `<out>/<task>/images/{episode}/{step}.png` and `<out>/<task>/metadata.csv`
with `file_name, action_x, action_y, action_type` and then the task fields and
annotation flags. `{episode}` is the episode's row in the store's episodes table
(the paper's entry index), `file_name` is relative to the task folder, and
action_x/y are window pixels (normalized versions follow as extra columns).

Frames are read when stored, else re-rendered and checked against the stored
hashes. PNG encoding dominates (tens of frames per second per core), hence the
worker processes. The export is built in `<out>.partial` and renamed when done.
"""
from __future__ import annotations

import csv
import os
import sys
import threading
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Literal

import numpy as np
import tyro
from PIL import Image
from tqdm import tqdm

# tqdm's default lock is a multiprocessing semaphore, which spawned workers
# never use and the resource tracker then reports as leaked; a thread lock is enough
tqdm.set_lock(threading.RLock())

from .dataset import Dataset
from .store import DatasetError, remove_tree

BASE_COLUMNS = ["file_name", "action_x", "action_y", "action_type"]


@dataclass
class Args:
    store: Path
    """dataset made by `python -m simcore.generate`"""
    out: Path = Path("out/paper")
    """output folder (must not exist; built in `<out>.partial`)"""
    to: Literal["paper"] = "paper"
    """output layout: `paper` = images/{episode}/{step}.png + metadata.csv per task (paper A.1)"""
    tasks: tuple[str, ...] = ()
    """tasks to export (default: all in the store)"""
    split: Literal["all", "train", "val", "test"] = "all"
    """which split's episodes"""
    limit: int = -1
    """at most this many episodes per task (-1: all)"""
    workers: int = -1
    """processes encoding PNGs (-1: one per CPU, 0: in this process)"""
    png_level: int = 1
    """PNG zlib level (1: fast; 9: smallest)"""


_DS: Dataset | None = None


def _init(path: str) -> None:
    global _DS
    _DS = Dataset(path)


def _write_episode(job: tuple) -> int:
    task, row, folder, level = job
    ref = _DS._task(task).ref(row)
    frames = _DS.frames(ref) if _DS.task_attrs(task).get("frames") else _DS.render(ref)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for step, frame in enumerate(frames):
        Image.fromarray(frame).save(folder / f"{step}.png", compress_level=level)
    return len(frames)


def metadata_rows(ds: Dataset, task: str, rows: list[int]) -> tuple[list[str], list[list]]:
    s, attrs = ds.steps(task), ds.task_attrs(task)
    fields = sorted(attrs.get("fields", {}))
    header = BASE_COLUMNS + ["episode", "step", "split", "seed", "action_x_norm", "action_y_norm", "place_u",
                             "place_v", "tag", "is_mistake", "is_correction"] + fields
    out = []
    for row in rows:
        ref = ds._task(task).ref(row)
        for i in range(ref.first_step, ref.first_step + ref.length):
            t = int(s["t"][i])
            vals = [f"images/{row}/{t}.png", repr(float(s["x"][i])), repr(float(s["y"][i])),
                    attrs["actions"][s["action"][i]], row, t, ref.split, ref.seed,
                    repr(float(s["x_norm"][i])), repr(float(s["y_norm"][i])),
                    "" if np.isnan(s["u"][i]) else repr(float(s["u"][i])),
                    "" if np.isnan(s["v"][i]) else repr(float(s["v"][i])),
                    attrs["tags"][s["tag"][i]], int(s["is_mistake"][i]), int(s["is_correction"][i])]
            for f in fields:
                v, desc = s[f"fields/{f}"][i], attrs["fields"][f]
                vals.append(desc["vocab"][v] if desc["dtype"] == "category" else
                            v.item() if isinstance(v, np.generic) else v)
            out.append(vals)
    return header, out


def export_paper(args: Args) -> Path:
    if args.limit < -1:
        raise DatasetError(f"--limit: must be -1 (all) or >= 0, got {args.limit}")
    if args.workers < -1:
        raise DatasetError(f"--workers: must be -1, 0 or a count, got {args.workers}")
    ds = Dataset(args.store)
    tasks = list(args.tasks) or ds.tasks
    for t in tasks:
        ds.task_attrs(t)            # unknown task: a clear error before anything is written
    out, partial = Path(args.out), Path(f"{args.out}.partial")
    if out.exists():
        raise DatasetError(f"--out: {out} exists; choose another folder or delete it")
    remove_tree(partial)            # an interrupted export: PNGs are cheap to redo, start clean
    jobs, total = [], 0
    for t in tasks:
        refs = ds.episodes_of(t, None if args.split == "all" else args.split)
        refs = refs if args.limit < 0 else refs[:args.limit]
        header, rows = metadata_rows(ds, t, [r.row for r in refs])
        (partial / t).mkdir(parents=True)
        with open(partial / t / "metadata.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        jobs += [(t, r.row, str(partial / t / "images" / str(r.row)), args.png_level) for r in refs]
        total += sum(r.length for r in refs)
    workers = (os.cpu_count() or 1) if args.workers == -1 else args.workers
    with tqdm(total=total, unit="png", desc="export") as bar:
        if workers == 0 or len(jobs) <= 1:
            _init(str(args.store))
            for job in jobs:
                bar.update(_write_episode(job))
        else:
            pool = get_context("spawn").Pool(workers, initializer=_init, initargs=(str(args.store),))
            try:
                for n in pool.imap_unordered(_write_episode, jobs):
                    bar.update(n)
                pool.close()            # let workers exit cleanly (terminate() leaks a semaphore warning)
            except BaseException:
                pool.terminate()
                raise
            finally:
                pool.join()
    os.replace(partial, out)
    return out


def main(args: Args) -> None:
    try:
        out = export_paper(args)
    except DatasetError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(1) from None
    print(f"wrote {out}")


if __name__ == "__main__":
    main(tyro.cli(Args))
