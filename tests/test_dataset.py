"""Dataset generation: same bytes whatever the workers, kill-and-resume, release gate, bad inputs."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import zarr

from simcore import release as release_mod
from simcore.generate import Args, generate
from simcore.store import DatasetError

REPO = Path(__file__).resolve().parent.parent
TASK = "colored_dot_tracking"
# small on purpose: 3 episodes (~370 steps), many units so that kills land mid-run
SMALL = ["--tasks", TASK, "--train", "2", "--val", "1", "--test", "0", "--shard-episodes", "1",
         "--shard-steps", "32", "--frames", "--quiet"]


def small_args(out: Path, **kw) -> Args:
    base = dict(out=out, tasks=(TASK,), train=2, val=1, test=0, shard_episodes=1, shard_steps=32, frames=True,
                quiet=True, workers=0)
    base.update(kw)
    return Args(**base)


def cli(out: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-W", "ignore", "-m", "simcore.generate", "--out", str(out), *SMALL, *extra],
                          cwd=REPO, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600)


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The uninterrupted, single-process run every other run must reproduce byte for byte."""
    out = tmp_path_factory.mktemp("ref") / "ref.zarr"
    generate(small_args(out))
    return out


def test_same_bytes_whatever_the_worker_count(reference, tmp_path):
    proc = cli(tmp_path / "w2.zarr", "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    ref, got = tree_bytes(reference), tree_bytes(tmp_path / "w2.zarr")
    assert sorted(ref) == sorted(got)
    assert [k for k in ref if ref[k] != got[k]] == []
    assert any(k.startswith(f"{TASK}/frames/c/") for k in ref)       # frames shards were compared too


@pytest.mark.parametrize("die_at,workers", [("roll:2", 2), ("render:2", 2), ("render:3", 0)],
                         ids=["worker-killed-in-rollouts", "worker-killed-in-render", "main-process-killed"])
def test_killed_run_resumes_with_nothing_lost_or_duplicated(reference, tmp_path, die_at, workers):
    out = tmp_path / "k.zarr"
    killed = cli(out, "--workers", str(workers), env={"ANNOSIM_TEST_WORKER_DIES_AT_UNIT": die_at})
    assert killed.returncode != 0
    assert not out.exists()                                     # never a half-written store at <out>
    partial = Path(f"{out}.partial")
    assert any((partial / "parts").rglob("*.pkl")), "the kill should leave finished units behind"
    if workers:
        assert "rerun the same command" in killed.stderr
    resumed = cli(out, "--workers", str(workers))
    assert resumed.returncode == 0, resumed.stderr
    assert not partial.exists()
    assert tree_bytes(out) == tree_bytes(reference)


def test_run_killed_from_outside_at_an_arbitrary_moment_resumes(reference, tmp_path):
    """SIGKILL the whole process group (main + workers) while frames are being written."""
    out = tmp_path / "x.zarr"
    cmd = [sys.executable, "-W", "ignore", "-m", "simcore.generate", "--out", str(out), *SMALL, "--workers", "2"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    hash_parts = Path(f"{out}.partial") / "parts" / "hash"
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if hash_parts.exists() and any(hash_parts.glob("*.pkl")):
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.wait()
    if proc.returncode == 0:
        pytest.skip("the run finished before it could be killed")
    assert not out.exists()
    resumed = cli(out, "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert tree_bytes(out) == tree_bytes(reference)


def test_rerun_of_a_finished_command_does_nothing(reference, capsys):
    before = tree_bytes(reference)
    generate(small_args(reference, quiet=False))
    assert "nothing to do" in capsys.readouterr().out
    assert tree_bytes(reference) == before


def test_other_parameters_never_mix_with_an_unfinished_run(tmp_path):
    out = tmp_path / "p.zarr"
    killed = cli(out, "--workers", "0", env={"ANNOSIM_TEST_WORKER_DIES_AT_UNIT": "roll:2"})
    assert killed.returncode != 0 and Path(f"{out}.partial").exists()
    with pytest.raises(DatasetError, match="unfinished run with other parameters.*seed"):
        generate(small_args(out, seed=7))
    with pytest.raises(DatasetError, match="other parameters"):
        generate(small_args(out, train=3))


@pytest.mark.parametrize("kw,match", [
    (dict(tasks=("no_such_task",)), "--tasks: unknown task 'no_such_task'"),
    (dict(train=-1), "--train: must be >= 0, got -1"),
    (dict(val=-5), "--val: must be >= 0"),
    (dict(seed=-1), "--seed: must be >= 0"),
    (dict(shard_steps=0), "--shard-steps: must be >= 1"),
    (dict(train=0, val=0, test=0), "nothing to generate"),
    (dict(style="sloppy"), "--style: 'sloppy' is not an annotator style"),
    (dict(workers=-3), "--workers"),
])
def test_bad_arguments_fail_before_writing_anything(tmp_path, kw, match):
    out = tmp_path / "bad.zarr"
    with pytest.raises(DatasetError, match=match):
        generate(small_args(out, **kw))
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments_on_the_command_line_exit_nonzero_with_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "simcore.generate", "--out", str(tmp_path / "x.zarr"),
                           "--tasks", "nope", "--quiet"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("error: --tasks: unknown task 'nope'")
    assert list(tmp_path.iterdir()) == []


def test_out_that_is_not_a_dataset_is_refused(tmp_path):
    out = tmp_path / "occupied"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(DatasetError, match="exists and is not a finished dataset"):
        generate(small_args(out))
    assert (out / "keep.txt").read_text() == "mine"


def test_other_parameters_over_a_finished_dataset_are_refused(reference):
    with pytest.raises(DatasetError, match="already holds a dataset made with other parameters"):
        generate(small_args(reference, seed=3))


# -- --release -----------------------------------------------------------------------
def test_release_without_the_harness_fails_clearly(tmp_path, monkeypatch):
    monkeypatch.setattr(release_mod, "HARNESS", "annosim_no_such_parity_harness")
    with pytest.raises(DatasetError, match="--release needs the parity harness.*annosim_no_such_parity_harness"):
        generate(small_args(tmp_path / "r.zarr", release=True))
    assert list(tmp_path.iterdir()) == []


def _fake_harness(tmp_path: Path, monkeypatch, exit_code: int) -> None:
    pkg = tmp_path / "fakeparity" / "fake_parity_harness"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "__main__.py").write_text(
        "import json, sys\n"
        "a = sys.argv[1:]\n"
        "task, k, path = a[a.index('--task') + 1], int(a[a.index('--episodes') + 1]), a[a.index('--json') + 1]\n"
        f"passed = {exit_code} == 0\n"
        "json.dump({'task': task, 'episodes': k, 'passed': passed, 'max_diff': 3}, open(path, 'w'))\n"
        "print('mean diff too large' if not passed else 'ok', file=sys.stderr)\n"
        f"sys.exit({exit_code})\n")
    monkeypatch.syspath_prepend(str(pkg.parent))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(pkg.parent), str(REPO)]))
    monkeypatch.setattr(release_mod, "HARNESS", "fake_parity_harness")


def test_release_stores_the_parity_report(tmp_path, monkeypatch):
    _fake_harness(tmp_path, monkeypatch, 0)
    out = generate(small_args(tmp_path / "rel.zarr", frames=False, train=1, val=0, test=0, release=True,
                              parity_episodes=2))
    report = zarr.open_group(str(out), mode="r").attrs["parity"][TASK]
    assert report["report"] == {"task": TASK, "episodes": 2, "passed": True, "max_diff": 3}


def test_release_refuses_when_parity_fails(tmp_path, monkeypatch):
    _fake_harness(tmp_path, monkeypatch, 1)
    out = tmp_path / "rel.zarr"
    with pytest.raises(DatasetError, match=f"release refused: parity check failed for task '{TASK}'.*mean diff"):
        generate(small_args(out, frames=False, train=1, val=0, test=0, release=True))
    assert not out.exists()


def test_attributes_record_format_and_parameters(reference):
    attrs = json.loads((reference / "zarr.json").read_text())["attributes"]
    assert attrs["format"] == "annosim-dataset" and attrs["format_version"] == 1
    assert attrs["params"]["tasks"] == [TASK] and attrs["params"]["frames"] is True
    assert "workers" not in attrs["params"] and "out" not in attrs["params"]
    assert attrs["parity"] is None
    row = attrs["summary"][TASK]
    assert row["episodes"] == 3 and row["steps"] > 0 and 0 <= row["mistake_rate_places"] <= 1
