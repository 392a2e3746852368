"""Train the BC policy: `python -m model.train --help` (paper Appendix B.2).

Single process:      python -m model.train --size small --out-dir runs/small
Several GPUs/nodes:  torchrun --nproc-per-node 4 -m model.train --size base ...
(gloo is used when there is no CUDA, so the same command runs DDP on CPU.)
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader

from model.checkpoint import load_checkpoint, save_checkpoint
from model.config import PolicyConfig, preset
from model.data import StreamSampler, WindowDataset, select_tasks, worker_init
from model.encoder import load_encoder_weights
from model.policy import Policy, param_groups
from model.sources import make_source

# Table 5: warm-up steps by size (tiny, not in the paper: 10 % of the run).
PAPER_WARMUP = {"very_small": 4000, "small": 4000, "base": 2000, "large": 1000}


@dataclass
class Args:
    """Train the block-causal click transformer on context windows rendered on the fly."""

    out_dir: Path = Path("runs/bc")
    """Run folder: ckpt.pt, log.jsonl, loss.png, args.json."""
    size: str = "small"
    """Model size: very_small | small | base | large (Table 4b) | tiny (CPU tests)."""
    source: str = "sim"
    """Episode source: sim (simcore rollouts) | synthetic (toy GUI, no simulator needed)."""
    tasks: list[str] = field(default_factory=list)
    """Tasks to train on (default: every task with PRETRAIN True)."""
    exclude_tasks: list[str] = field(default_factory=list)
    """Tasks to leave out."""
    steps: int = 1000
    """Optimiser steps of the whole run (sets the cosine schedule)."""
    stop_after: int | None = None
    """Stop this invocation after this step (checkpointing), to continue later with --resume."""
    max_minutes: float | None = None
    """Stop (and checkpoint) after this much wall-clock time."""
    batch_size: int = 4
    """Context windows per device per micro-batch (Table 5: 4)."""
    grad_accum: int = 2
    """Micro-batches per optimiser step (Table 5: 2)."""
    context: int = 20
    """Frames per context window (paper: 20)."""
    lr_head: float = 1e-4
    """Learning rate of everything but the encoder."""
    lr_backbone: float = 1e-5
    """Learning rate of the DINOv2 encoder (10x lower)."""
    weight_decay: float = 0.01
    """AdamW weight decay (matrices and embeddings; not biases, norms, layer scales)."""
    warmup: int = -1
    """Linear warm-up steps; -1 = the paper's value for the size (Table 5), 10 % of steps for tiny."""
    min_lr_frac: float = 0.1
    """Cosine decay floor as a fraction of the peak learning rate."""
    grad_clip: float = 1.0
    """Gradient-norm clip."""
    dropout: float | None = None
    """Override the head's dropout (paper: 0.1)."""
    attn_dropout: float | None = None
    """Override the attention-weight dropout (paper: 0.1; 0 makes CPU attention 5x faster)."""
    img_size: tuple[int, int] | None = None
    """Override the model input W H (default: the size's 524 436; bins follow the input)."""
    window_mode: str = "sliding"
    """sliding (random window starts) | tiled (nearly non-overlapping windows), paper C.4."""
    windows_per_episode: int = 4
    """Consecutive samples drawn from one rendered episode."""
    seed: int = 0
    """One seed for model init, data and dropout."""
    ckpt_every: int = 500
    """Write ckpt.pt (atomically) every this many steps, and at the end."""
    log_every: int = 10
    """Steps between JSONL log lines."""
    resume: bool = False
    """Continue from out_dir/ckpt.pt exactly (model, optimiser, schedule, RNG, data position)."""
    init_from: Path | None = None
    """Fine-tune: start from this checkpoint's model weights (and its model config)."""
    encoder_weights: Path | None = None
    """Local DINOv2-with-registers checkpoint (official or HF naming); default random init."""
    num_workers: int = 2
    """DataLoader worker processes rendering episodes (0 = in the training process)."""
    device: str = "auto"
    """auto | cpu | cuda | cuda:N."""
    dtype: str = "auto"
    """Autocast dtype: auto (bf16 on CUDA when supported, else fp32) | bf16 | fp32."""
    progress: bool = True
    """Show a tqdm bar (rank 0)."""


def lr_lambda(warmup: int, total: int, floor: float):
    def f(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        p = min(1.0, (step - warmup) / max(1, total - warmup))
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p))

    return f


def setup_dist(device_arg: str):
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available() and device_arg != "cpu"
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if cuda else "gloo")
    if device_arg == "auto":
        device = torch.device(f"cuda:{local}" if cuda else "cpu")
    else:
        device = torch.device(device_arg)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    return rank, world, device


def autocast_ctx(dtype_arg: str, device: torch.device):
    use_bf16 = dtype_arg == "bf16" or (
        dtype_arg == "auto" and device.type == "cuda" and torch.cuda.is_bf16_supported()
    )
    if dtype_arg not in ("auto", "bf16", "fp32"):
        raise ValueError(f"dtype must be auto, bf16 or fp32, got {dtype_arg!r}")
    return (lambda: torch.autocast(device.type, dtype=torch.bfloat16)) if use_bf16 else nullcontext


def _dropout_overrides(args: Args) -> dict:
    d = {"dropout": args.dropout, "attn_dropout": args.attn_dropout}
    return {k: v for k, v in d.items() if v is not None}


def build_model(args: Args) -> Policy:
    if args.init_from is not None:
        ck = load_checkpoint(args.init_from)
        cfg = PolicyConfig.from_dict(ck["model_config"])
        cfg = dataclasses.replace(cfg, **_dropout_overrides(args))
        model = Policy(cfg)
        model.load_state_dict(ck["model"])
        return model
    size = {} if args.img_size is None else {"img_w": args.img_size[0], "img_h": args.img_size[1]}
    cfg = preset(args.size, context_frames=args.context, **size, **_dropout_overrides(args))
    model = Policy(cfg)
    if args.encoder_weights is not None:
        load_encoder_weights(model.encoder, args.encoder_weights)
    return model


def train(args: Args) -> dict:
    """Run training; returns {"losses": this invocation's per-step losses (rank-averaged), "model"}."""
    rank, world, device = setup_dist(args.device)
    out = Path(args.out_dir)
    ckpt_path = out / "ckpt.pt"
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
    if args.resume and not ckpt_path.is_file():
        raise FileNotFoundError(f"--resume given but {ckpt_path} does not exist")
    torch.manual_seed(args.seed)  # same init on every rank (DDP also broadcasts rank 0's)
    model = build_model(args).to(device)
    cfg = model.cfg
    source = make_source(args.source)
    tasks = select_tasks(source, args.tasks, args.exclude_tasks, pretrain_only=True)
    warmup = args.warmup if args.warmup >= 0 else PAPER_WARMUP.get(args.size, max(1, args.steps // 10))
    opt = torch.optim.AdamW(param_groups(model, args.lr_head, args.lr_backbone, args.weight_decay),
                            betas=(0.9, 0.999))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(warmup, args.steps, args.min_lr_frac))
    step = 0
    torch.manual_seed(args.seed * 1000 + rank)  # dropout stream, distinct per rank
    if args.resume:
        # CPU first: RNG states must stay CPU ByteTensors; load_state_dict moves the rest to `device`.
        ck = load_checkpoint(ckpt_path, map_location="cpu")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["scheduler"])
        step = ck["step"]
        if len(ck["rng"]) != world:
            raise ValueError(f"checkpoint was written by {len(ck['rng'])} processes, this run has {world}")
        torch.set_rng_state(ck["rng"][rank]["cpu"])
        if device.type == "cuda" and ck["rng"][rank].get("cuda") is not None:
            torch.cuda.set_rng_state(ck["rng"][rank]["cuda"], device)
    ddp = DDP(model, device_ids=[device.index] if device.type == "cuda" else None) if world > 1 else model

    per_step = args.batch_size * args.grad_accum
    end = args.steps if args.stop_after is None else min(args.steps, args.stop_after)
    ds = WindowDataset(source, tasks, seed=args.seed, split="train", context=args.context,
                       windows_per_episode=args.windows_per_episode, window_mode=args.window_mode,
                       img_hw=(cfg.img_h, cfg.img_w))
    loader = DataLoader(ds, batch_size=args.batch_size, num_workers=args.num_workers,
                        sampler=StreamSampler(step * per_step, max(0, end - step) * per_step, rank, world),
                        worker_init_fn=worker_init, generator=torch.Generator().manual_seed(args.seed),
                        pin_memory=device.type == "cuda", persistent_workers=False,
                        prefetch_factor=4 if args.num_workers > 0 else None)
    amp = autocast_ctx(args.dtype, device)
    log_path = out / "log.jsonl"
    if rank == 0:
        (out / "args.json").write_text(json.dumps(dataclasses.asdict(args), default=str, indent=1))
        _truncate_log(log_path, step)
    tb = _tensorboard(out) if rank == 0 else None
    bar = None
    if rank == 0 and args.progress:
        from tqdm import tqdm

        bar = tqdm(total=args.steps, initial=step, desc="train", dynamic_ncols=True)
    losses: list[float] = []
    t_start = time.time()
    it = iter(loader)
    model.train()
    while step < end:
        t0 = time.time()
        tot, frames_seen = torch.zeros((), device=device), 0
        for micro in range(args.grad_accum):
            b = next(it)
            b = {k: v.to(device, non_blocking=True) for k, v in b.items()}
            sync = micro == args.grad_accum - 1 or world == 1
            with (nullcontext() if sync else ddp.no_sync()), amp():
                _, _, loss = ddp(b["frames"], b["xbin"], b["ybin"], b["valid"])
            (loss / args.grad_accum).backward()
            tot += loss.detach() / args.grad_accum
            frames_seen += int(b["valid"].sum())
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        if world > 1:
            dist.all_reduce(tot)
            tot /= world
        lv, dt = float(tot), time.time() - t0
        losses.append(lv)
        fps = frames_seen * world / dt
        if bar is not None:
            bar.set_postfix(loss=f"{lv:.3f}", fps=f"{fps:.1f}")
            bar.update(1)
        if rank == 0 and (step % args.log_every == 0 or step == end):
            rec = {"step": step, "loss": lv, "lr_head": opt.param_groups[-1]["lr"], "grad_norm": float(gnorm),
                   "frames_per_s": fps, "samples": step * per_step * world, "time": time.time() - t_start}
            with open(log_path, "a") as f:
                f.write(json.dumps(rec) + "\n")
            if tb is not None:
                for k in ("loss", "lr_head", "grad_norm", "frames_per_s"):
                    tb.add_scalar(k, rec[k], step)
        out_of_time = args.max_minutes is not None and time.time() - t_start > args.max_minutes * 60
        if world > 1:  # all ranks must agree to stop
            flag = torch.tensor(float(out_of_time), device=device)
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)
            out_of_time = bool(flag)
        if step % args.ckpt_every == 0 or step == end or out_of_time:
            _save(model, opt, sched, step, args, ckpt_path, rank, world, device)
            if rank == 0:
                plot_loss(log_path, out / "loss.png")
        if out_of_time:
            break
    if bar is not None:
        bar.close()
    if tb is not None:
        tb.close()
    return {"losses": losses, "model": model}


def _save(model, opt, sched, step, args, path, rank, world, device):
    rng = {"cpu": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state(device) if device.type == "cuda" else None}
    rngs = [None] * world
    if world > 1:
        dist.all_gather_object(rngs, rng)
    else:
        rngs = [rng]
    if rank == 0:
        save_checkpoint(path, {"model": model.state_dict(), "optimizer": opt.state_dict(),
                               "scheduler": sched.state_dict(), "step": step, "rng": rngs,
                               "model_config": model.cfg.to_dict(),
                               "args": json.loads(json.dumps(dataclasses.asdict(args), default=str))})
    if world > 1:
        dist.barrier()


def _tensorboard(out: Path):
    """A SummaryWriter in out/tb when the tensorboard package is installed, else None (optional)."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(out / "tb"))


def _truncate_log(path: Path, step: int) -> None:
    """On resume drop log lines past the checkpoint (they will be written again)."""
    if not path.exists():
        return
    keep = [ln for ln in path.read_text().splitlines() if ln.strip() and json.loads(ln)["step"] <= step]
    path.write_text("".join(ln + "\n" for ln in keep))


def plot_loss(log_path: Path, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    recs = [json.loads(ln) for ln in log_path.read_text().splitlines() if ln.strip()]
    if not recs:
        return
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([r["step"] for r in recs], [r["loss"] for r in recs])
    ax.set_xlabel("step")
    ax.set_ylabel("loss (CE_x + CE_y)")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    tmp = png.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, png)


def main() -> None:
    import tyro

    args = tyro.cli(Args)
    try:
        train(args)
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


if __name__ == "__main__":
    main()
