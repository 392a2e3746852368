"""Benchmarks run from a fresh checkout and write their JSON (no timing thresholds here)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest


def run(module: str, *args: str, tmp_path) -> dict:
    out = tmp_path / f"{module}.json"
    proc = subprocess.run([sys.executable, "-m", module, *args, "--json", str(out)], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(out.read_text())


def test_render_throughput_writes_a_row_per_task(tmp_path):
    res = run("bench.render_throughput", "--tasks", "colored_dot_tracking", "--episodes", "1", "--frames", "20",
              "--repeats", "1", tmp_path=tmp_path)
    (row,) = res["rows"]
    assert row["task"] == "colored_dot_tracking" and row["size"] == "426x436" and row["skia_fps"] > 0
    assert row["naive_fps"] > 0 and row["vs_naive"] == row["skia_fps"] / row["naive_fps"]


def test_rollout_throughput_writes_a_row_per_task(tmp_path):
    res = run("bench.rollout_throughput", "--tasks", "colored_dot_tracking", "--episodes", "1", "--batch", "2",
              "--repeats", "1", tmp_path=tmp_path)
    (row,) = res["rows"]
    assert row["env_steps_per_s"] > 0 and row["vector_steps_per_s"] > 0 and row["batch"] == 2
    assert row["naive_steps_per_s"] > 0 and res["median_vs_naive_2d"] == row["vs_naive"]


def test_interpreter_share_classes_the_innermost_frame_of_samples_inside_env_frame():
    from bench.interpreter_share import CLASSES, shares
    top = "<module> (loop.py:3);Env.frame (simcore/env.py:90);Renderer.render (widgets/raster.py:174)"
    raw = "\n".join([
        f"{top};damaged (widgets/damage.py:29) 6",                                    # a Python line
        "<module> (loop.py:3);Env.frame (simcore/env.py:90);Env.layout (simcore/env.py:79);"
        "view (tasks/neuron_tracking/gui.py:136);Column (widgets/nodes.py:215) 1",     # Python in the task's view
        "<module> (loop.py:3);Env.frame (/src/simcore/env.py:90);Env.layout (/src/simcore/env.py:79);"
        "view (/src/tasks/neuron_tracking/gui.py:136) 1",                              # the same, absolute paths
        f"{top};__eq__ (<string>:4) 2",                                               # a generated method's line
        f"{top};gc_collect_main (libpython3.11.so.1.0) 1",
        f"{top};Py_DECREF (object.h:538) 1",                                          # CPython's C, by its source
        f"{top};Dispatcher_call (_dispatcher.cpp:1368) 1",
        f"{top};rgba_to_rgb (widgets/pixels.py:27);0x7f5d16011098 (?) 5",            # JIT code: a numba kernel
        f"{top};0x7f5d16d42946 (skia.cpython-311-x86_64-linux-gnu.so) 3",
        f"{top};PyArray_NewFromDescr_int (numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so) 1",
        f"{top};malloc (libc.so.6) 1",
        f"{top};hb_shape_full (uharfbuzz/_harfbuzz.abi3.so) 1",
        f"<module> (loop.py:3);warm_up (bench/interpreter_share.py:70);Env.frame (simcore/env.py:90) 9",  # warm-up
        "<module> (loop.py:3);episode_states (bench/common.py:42) 50",               # outside Env.frame: not counted
        "",
    ])
    total, share, in_view = shares(raw)
    assert total == 24 and set(share) == set(CLASSES) and in_view == 2 / 24
    assert {c: round(v * 24) for c, v in share.items()} == {
        "interpreter": 10, "CPython C": 2, "numba dispatch": 1, "numba kernels": 5, "skia": 3, "text shaping": 1,
        "numpy": 1, "libc": 1, "other": 0}


@pytest.mark.skipif(shutil.which("py-spy", path=os.pathsep.join([os.environ.get("PATH", ""),
                                                                 os.path.dirname(sys.executable)])) is None,
                    reason="py-spy is not installed (the optional 'profile' extra)")
def test_interpreter_share_samples_a_task(tmp_path):
    res = run("bench.interpreter_share", "--tasks", "colored_dot_tracking", "--episodes", "1", "--seconds", "1.5",
              tmp_path=tmp_path)
    row = next(r for r in res["rows"] if r["task"] == "colored_dot_tracking")
    assert row["samples"] > 50
    from bench.interpreter_share import CLASSES
    assert abs(sum(row[c] for c in CLASSES) - 100) < 1e-6
    assert row["python"] == pytest.approx(row["python_view"] + row["python_toolkit"])
    assert 0 < row["python_view"] < row["python"]   # colored dot's view builds its tree in Python
