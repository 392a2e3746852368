"""`python -m bench.dataset_throughput`: how fast `simcore.generate` writes datasets, and how big they get.

Three runs of the same episodes (train split of every chosen task) into
temporary stores:

| mode | generate flags | measures |
|---|---|---|
| episodes | `--no-hashes` | steps/s of rollouts + tables only |
| episodes+hashes | (default) | steps/s when every frame is rendered once to hash it |
| frames | `--frames` | frames/s when frames are also compressed into zarr shards |

Store size is extrapolated linearly to bytes per million steps. Then the
training frame source reads the frames store back as 20-frame windows, once
re-rendering frames (checked against their hashes) and once reading them. Wall-clock
times include process start-up of the workers; machines here are noisy
(±1.5x), so compare rows of one run.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import tyro

from simcore.frames import StoreWindows
from simcore.generate import Args as GenArgs, generate
from simcore.registry import get_task, task_names


@dataclass
class Args:
    tasks: tuple[str, ...] = ()
    """tasks to generate (default: every registered task)"""
    episodes: int = 20
    """train episodes per task in each run"""
    workers: int = 0
    """generate's --workers (0: one process; throughput per core)"""
    seed: int = 0
    """base seed"""
    json: Path | None = None
    """write the results here as JSON"""
    keep: Path | None = None
    """keep the stores in this folder instead of a temporary one"""


MODES = {"episodes": dict(hashes=False), "episodes+hashes": dict(hashes=True), "frames": dict(frames=True)}


def store_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run(args: Args) -> dict:
    tasks = tuple(args.tasks) or tuple(task_names())
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="annosim-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    rows, reads = {}, {}
    for name in tasks:
        get_task(name)          # import each task (scipy & co.) before the clocks start
    try:
        for mode, flags in MODES.items():
            out = base / f"{mode}.zarr"
            shutil.rmtree(out, ignore_errors=True)
            gen = GenArgs(out=out, tasks=tasks, train=args.episodes, val=0, test=0, seed=args.seed,
                          workers=args.workers, quiet=True, **flags)
            t0 = time.perf_counter()
            generate(gen)
            wall = time.perf_counter() - t0
            attrs = json.loads((out / "zarr.json").read_text())["attributes"]
            steps = sum(row["steps"] for row in attrs["summary"].values())
            size = store_bytes(out)
            rows[mode] = {"steps": steps, "seconds": round(wall, 3), "steps_per_s": round(steps / wall, 1),
                          "store_bytes": size, "bytes_per_million_steps": int(size / steps * 1e6)}
        for source in ("render", "stored"):
            windows = StoreWindows(base / "frames.zarr", split="train", source=source, workers=args.workers)
            t0 = time.perf_counter()
            n = sum(1 for _ in windows)
            wall = time.perf_counter() - t0
            steps = rows["frames"]["steps"]
            reads[source] = {"windows": n, "seconds": round(wall, 3), "episode_frames_per_s": round(steps / wall, 1)}
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return {"tasks": list(tasks), "episodes_per_task": args.episodes, "workers": args.workers,
            "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2), "modes": rows,
            "windows": reads}


def table(result: dict) -> str:
    head = f"{'mode':<17}{'steps':>8}{'seconds':>9}{'steps/s':>10}{'MB / 1M steps':>15}"
    lines = [head, "-" * len(head)]
    for mode, r in result["modes"].items():
        lines.append(f"{mode:<17}{r['steps']:>8}{r['seconds']:>9.2f}{r['steps_per_s']:>10.1f}"
                     f"{r['bytes_per_million_steps'] / 1e6:>15.1f}")
    for source, r in result["windows"].items():
        lines.append(f"windows, frames {source:<7} {r['windows']} windows of 20: {r['episode_frames_per_s']:.1f} "
                     "episode frames/s")
    lines.append(f"tasks: {', '.join(result['tasks'])}; {result['episodes_per_task']} episodes each; "
                 f"workers={result['workers']}; load avg {result['load_avg_1m']} on {result['cpu_count']} CPUs")
    return "\n".join(lines)


def main(args: Args) -> None:
    result = run(args)
    print(table(result))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main(tyro.cli(Args))
