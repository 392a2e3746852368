"""Trainer: exact resume, 2-process gloo DDP == 1 process, CLI smoke runs (train + evaluate)."""
import dataclasses
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import torch
import torch.multiprocessing as mp

from model.train import Args, train

torch.set_num_threads(1)  # see test_model_policy.py

BASE = dict(size="tiny", source="synthetic", context=4, batch_size=2, grad_accum=2, num_workers=0,
            log_every=1, progress=False, attn_dropout=0.0)


def test_resume_is_exact(tmp_path):
    full = train(Args(out_dir=tmp_path / "a", steps=4, ckpt_every=2, **{**BASE, "attn_dropout": 0.1}))["losses"]
    first = train(Args(out_dir=tmp_path / "b", steps=4, ckpt_every=2, stop_after=2, **{**BASE, "attn_dropout": 0.1}))
    rest = train(Args(out_dir=tmp_path / "b", steps=4, ckpt_every=2, resume=True, **{**BASE, "attn_dropout": 0.1}))
    assert first["losses"] == full[:2]
    assert rest["losses"] == full[2:]  # bitwise: same data position, optimiser, schedule and dropout RNG
    log = [json.loads(x) for x in (tmp_path / "b" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [1, 2, 3, 4]
    assert (tmp_path / "b" / "loss.png").stat().st_size > 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ddp_worker(rank: int, world: int, port: int, out: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
                      LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    import torch.distributed as dist

    args = Args(out_dir=Path(out) / "ddp", steps=2, ckpt_every=100, dropout=0.0,
                **{**BASE, "batch_size": 1})
    res = train(args)
    torch.save({k: v.detach().clone() for k, v in res["model"].state_dict().items()}, Path(out) / f"rank{rank}.pt")
    dist.destroy_process_group()


def test_ddp_two_gloo_processes_match_one_process(tmp_path):
    mp.spawn(_ddp_worker, args=(2, _free_port(), str(tmp_path)), nprocs=2, join=True)
    r0, r1 = torch.load(tmp_path / "rank0.pt"), torch.load(tmp_path / "rank1.pt")
    for k in r0:
        torch.testing.assert_close(r0[k], r1[k], rtol=0, atol=0, msg=k)  # replicas stay identical
    # One process with batch 2 sees the same samples (rank r reads indices 2i + r) -> same update.
    single = train(Args(out_dir=tmp_path / "single", steps=2, ckpt_every=100, dropout=0.0, **BASE))["model"]
    for k, v in single.state_dict().items():
        torch.testing.assert_close(r0[k], v, rtol=1e-4, atol=1e-6, msg=k)
    assert (tmp_path / "ddp" / "ckpt.pt").exists()
    ck = torch.load(tmp_path / "ddp" / "ckpt.pt", weights_only=False)
    assert len(ck["rng"]) == 2 and ck["step"] == 2


def test_cli_train_then_evaluate(tmp_path, monkeypatch):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run = tmp_path / "run"
    subprocess.run([sys.executable, "-m", "model.train", "--size", "tiny", "--source", "synthetic", "--steps", "2",
                    "--context", "4", "--batch-size", "2", "--grad-accum", "1", "--num-workers", "1",
                    "--out-dir", str(run), "--no-progress"], check=True, env=env, timeout=120)
    assert (run / "ckpt.pt").exists() and (run / "log.jsonl").exists() and (run / "loss.png").exists()
    # The evaluate CLI in-process (one torch import less than a subprocess: this test stays fast).
    import pytest

    from model import evaluate

    out = tmp_path / "eval.json"
    monkeypatch.setattr(sys, "argv", ["evaluate", "--checkpoint", str(run / "ckpt.pt"), "--source", "synthetic",
                                      "--windows", "4", "--context", "4", "--num-workers", "0", "--json", str(out)])
    evaluate.main()
    res = json.loads(out.read_text())
    o = res["overall"]
    assert 0 <= o["validity"] <= 1 and o["steps"] > 0 and "place@5px" in o
    assert out.with_suffix(".png").exists()
    monkeypatch.setattr(sys, "argv", ["evaluate", "--mode", "closed", "--source", "synthetic"])
    with pytest.raises(SystemExit, match="needs --source sim"):
        evaluate.main()


def test_resume_without_checkpoint_and_bad_init_are_clear(tmp_path):
    import pytest

    with pytest.raises(FileNotFoundError, match="ckpt.pt"):
        train(Args(out_dir=tmp_path / "none", steps=2, resume=True, **BASE))
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        train(Args(out_dir=tmp_path / "x", steps=2, init_from=tmp_path / "missing.pt", **BASE))


def test_fine_tune_from_checkpoint(tmp_path):
    a = train(Args(out_dir=tmp_path / "a", steps=2, **BASE))["model"]
    b = train(dataclasses.replace(Args(out_dir=tmp_path / "b", steps=1, **BASE), init_from=tmp_path / "a" / "ckpt.pt",
                                  lr_head=0.0, lr_backbone=0.0))["model"]
    for (k, v), (k2, v2) in zip(a.state_dict().items(), b.state_dict().items()):
        torch.testing.assert_close(v, v2, msg=k)  # lr 0: weights unchanged from the init checkpoint
