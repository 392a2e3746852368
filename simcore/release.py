"""`--release`: the parity harness must pass on every task before a dataset is published.

The harness (`playwright_parity`) drives the HTML reference GUIs in Chromium;
it is its own package and is never imported here (the design forbids it, and
it pulls in a browser): it runs as a subprocess and answers with a JSON report
and its exit status.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .store import DatasetError

HARNESS = "playwright_parity"


def check_available() -> None:
    """Fail before any work when the harness is not installed (find_spec does not import it)."""
    if importlib.util.find_spec(HARNESS) is None:
        raise DatasetError(f"--release needs the parity harness, but the package {HARNESS!r} is not installed "
                           f"or not on the path; install it or generate without --release")


def run_parity(task: str, episodes: int, timeout_s: float = 3600.0, seeds: list[int] | None = None) -> dict:
    """Run `python -m playwright_parity --task T --episodes K [--seeds S ...] --json P`; its report or raises.

    `seeds` makes the harness check those episodes (a sample of the dataset's own) instead of seeds 0..K-1.
    """
    with tempfile.TemporaryDirectory(prefix="annosim-parity-") as tmp:
        report_path = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", HARNESS, "--task", task, "--episodes", str(episodes)]
        if seeds:
            cmd += ["--seeds", *map(str, seeds)]
        cmd += ["--json", str(report_path)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise DatasetError(f"release refused: parity harness for {task!r} timed out after {timeout_s:.0f} s") \
                from None
        report = None
        if report_path.exists():
            try:
                report = json.loads(report_path.read_text())
            except json.JSONDecodeError:
                report = None
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-5:]
            raise DatasetError(f"release refused: parity check failed for task {task!r} (exit {proc.returncode}): "
                               + (" | ".join(tail) or "no output"))
        if not isinstance(report, dict):
            raise DatasetError(f"release refused: parity harness for {task!r} exited 0 but wrote no JSON report "
                               f"to {report_path.name}")
        if report.get("passed") is False or report.get("ok") is False:
            raise DatasetError(f"release refused: parity report for task {task!r} says it failed")
        return {"command": " ".join(cmd[1:-2]), "report": report}
