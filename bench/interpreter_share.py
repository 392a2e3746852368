"""`python -m bench.interpreter_share`: how much of a frame is Python, how much is machine code.

`bench.frame_profile` splits a frame by stage (view, layout, damage, paint,
copy); this splits it by *what executes*: py-spy samples a process rendering
the render bench's states (annotator episodes, in episode order) with native
stacks, and each sample inside `Env.frame` is classed by its innermost frame:

| class | innermost frame |
|---|---|
| interpreter | a Python line (bytecode, and the C builtins it calls: dict lookups, tuple hashing, ...) |
| CPython C | CPython's own C outside a line (`libpython`, its `.c`/`.h` sources): garbage collection, allocation, reference counts |
| numba dispatch | numba's C dispatcher choosing a compiled kernel for the arguments |
| numba kernels | unnamed machine code: the JIT-compiled pixel kernels (`widgets.pixels`) |
| skia | Skia (skia-python's extension) |
| text shaping | HarfBuzz and FreeType (a string's first sighting) |
| numpy | numpy's C (array creation, slicing copies) |
| libc | malloc, memcpy, memset |

The first three are Python's work (what a compiled widget core would remove);
the rest is machine code drawing pixels or shaping text. Each task's states
are rendered once before sampling (`warm_up`: numba's kernels load, caches
fill), and samples under it are not counted. Needs `py-spy` (`pip install
py-spy`; it starts the sampled process as its child).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tyro

import simcore

from .common import episode_states, is_2d, machine, print_table, state_cycle, write_json

CLASSES = ("interpreter", "CPython C", "numba dispatch", "numba kernels", "skia", "text shaping", "numpy", "libc",
           "other")
PYTHON_WORK = ("interpreter", "CPython C", "numba dispatch")
_PYTHON_COLUMNS = ("python", "python_view", "python_toolkit")
_PY_LINE = re.compile(r"\((?:[^()]*\.py|<string>|<frozen [^()]*>):\d+\)$")
_TASK_CODE = re.compile(r"[(/]tasks/[^()]*\.py:\d+\)$")   # relative or absolute, as py-spy names the file
_CPYTHON_C = re.compile(r"\([A-Za-z_]+\.[ch]:\d+\)$")   # CPython's sources (its debug info): no path, no library


@dataclass
class Args:
    tasks: list[str] = field(default_factory=list)
    """tasks to sample (default: every registered task)"""
    episodes: int = 3
    """annotator episodes (seeds 0..episodes-1) whose states are rendered, as in bench.render_throughput"""
    seconds: float = 6.0
    """rendering time sampled per task"""
    rate: int = 250
    """py-spy samples per second"""
    json: Path | None = None
    """write the results here"""
    child: str | None = None
    """(internal) render this task's states for `seconds` in this process: what py-spy samples"""


def classify(leaf: str) -> str:
    """The class (see the module docstring) of a sample whose innermost frame is `leaf` (py-spy raw format)."""
    if _PY_LINE.search(leaf):
        return "interpreter"
    if "libpython" in leaf or _CPYTHON_C.search(leaf):
        return "CPython C"
    if "_dispatcher" in leaf or "typeconv" in leaf or "_typeof" in leaf or "numba/" in leaf or "llvmlite" in leaf:
        return "numba dispatch"
    if leaf.endswith("(?)"):
        return "numba kernels"
    if "skia" in leaf:
        return "skia"
    if "harfbuzz" in leaf or "freetype" in leaf:
        return "text shaping"
    if "numpy" in leaf or "multiarray" in leaf:
        return "numpy"
    if "libc." in leaf or "libc-" in leaf or "memcpy" in leaf or "memmove" in leaf or "memset" in leaf:
        return "libc"
    return "other"


def shares(raw: str) -> tuple[int, dict[str, float], float]:
    """From py-spy's raw output ("frame;frame;... count"), over the samples inside Env.frame and not under
    `warm_up`: their number, the share of each class, and the share that is Python work inside the task's
    own code (its `view`, under `tasks/`: building the tree) rather than the toolkit's."""
    counts: Counter[str] = Counter()
    in_view = 0
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        frames = stack.split(";")
        if any(f.startswith("Env.frame (") for f in frames) and not any(f.startswith("warm_up (") for f in frames):
            kind = classify(frames[-1])
            counts[kind] += int(n)
            if kind in PYTHON_WORK and any(_TASK_CODE.search(f) for f in frames):
                in_view += int(n)
    total = sum(counts.values())
    return total, {c: counts[c] / total if total else 0.0 for c in CLASSES}, in_view / total if total else 0.0


def warm_up(seq: list, outs: dict) -> None:
    """Every state rendered once: kernels loaded, caches filled (samples under this are not counted)."""
    for env, state in seq:
        env.set_state(state, validate=False)
        env.frame(outs[id(env)])


def render_for(task: str, episodes: int, seconds: float) -> int:
    """Render the render bench's states of `task` in episode order for `seconds` (after `warm_up`); the number
    of frames."""
    seq, outs = state_cycle(episode_states(task, list(range(episodes))))
    warm_up(seq, outs)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        env, state = seq[n % len(seq)]
        env.set_state(state, validate=False)
        env.frame(outs[id(env)])
        n += 1
    return n


def sample(task: str, args: Args) -> dict:
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if spy is None:
        raise SystemExit("bench.interpreter_share: py-spy not found on PATH or beside this Python "
                         "(pip install py-spy)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "samples.txt"
        cmd = [spy, "record", "--native", "--rate", str(args.rate), "--format", "raw", "--output", str(out),
               "--", sys.executable, "-m", "bench.interpreter_share", "--child", task,
               "--episodes", str(args.episodes), "--seconds", str(args.seconds)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0 or not out.exists():
            raise SystemExit(f"bench.interpreter_share: py-spy failed on {task} (exit {done.returncode}):\n"
                             f"{done.stderr[-2000:]}")
        total, share, in_view = shares(out.read_text())
    row = {"task": task, "samples": total, **{c: share[c] * 100 for c in CLASSES}}
    row["python"] = sum(row[c] for c in PYTHON_WORK)
    row["python_view"] = in_view * 100
    row["python_toolkit"] = row["python"] - row["python_view"]
    return row


def main(args: Args) -> dict:
    if args.child is not None:
        render_for(args.child, args.episodes, args.seconds)
        return {}
    rows = []
    for task in args.tasks or simcore.task_names():
        rows.append(sample(task, args))
        print(f"{task}: {rows[-1]['python']:.0f} % Python", flush=True)
    two_d = [r for r in rows if is_2d(r["task"])]
    if two_d:
        rows.append({"task": "median (2-D)", "samples": int(np.median([r["samples"] for r in two_d])),
                     **{k: float(np.median([r[k] for r in two_d])) for k in (*CLASSES, *_PYTHON_COLUMNS)}})
    print()
    print_table(rows, [("task", "task", "s"), ("samples", "samples", "d"), ("python", "Python", ".1f"),
                       ("python_view", "in view", ".1f"), ("python_toolkit", "in toolkit", ".1f"),
                       *[(c, c, ".1f") for c in CLASSES]])
    print("\n(% of the samples inside Env.frame; Python = interpreter + CPython C + numba dispatch, split into the "
          "task's view (under tasks/) and the toolkit)")
    result = {"benchmark": "interpreter_share", "machine": machine(), "args": vars(args) | {"json": str(args.json)},
              "rows": rows}
    write_json(args.json, result)
    return result


if __name__ == "__main__":
    main(tyro.cli(Args))
