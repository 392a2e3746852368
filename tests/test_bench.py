"""Benchmarks run from a fresh checkout and write their JSON (no timing thresholds here)."""
from __future__ import annotations

import json
import subprocess
import sys


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
