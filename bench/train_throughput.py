"""Training throughput of the BC policy: `python -m bench.train_throughput --size base --json out.json`.

Times full optimiser steps (forward, backward, AdamW) on random frames already in memory (the
data path is measured by the rollout/render benchmarks), and reports frames/s, head tokens/s,
model FLOPs per step and the estimated MFU = achieved FLOP/s / peak FLOP/s of the device.

FLOPs (forward x3 for forward+backward): 2 * (matmul weights) per token for every linear layer,
plus attention 4 * L_q * L_k * d per layer (scores and weighted sum; the head counts the full
L x L because SDPA with a boolean mask computes it all).
"""
from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from model.config import PolicyConfig, preset
from model.policy import Policy, param_groups

# Dense bf16 peak, FLOP/s (vendor datasheets, without sparsity).
PEAK_BF16 = {"H100": 989e12, "H200": 989e12, "A100": 312e12, "L40S": 362e12, "A10": 125e12}


@dataclass
class Args:
    """Time training steps of one model size on random in-memory frames."""

    size: str = "base"
    """Model size: very_small | small | base | large | tiny."""
    batch_size: int = 4
    """Context windows per step (paper: 4 per GPU)."""
    context: int = 20
    """Frames per window."""
    steps: int = 5
    """Timed steps."""
    warmup_steps: int = 2
    """Untimed steps first (allocator, kernels, autotuning)."""
    device: str = "auto"
    """auto | cpu | cuda."""
    dtype: str = "auto"
    """auto (bf16 on CUDA, fp32 on CPU) | bf16 | fp32."""
    attn_dropout: float | None = None
    """Override attention dropout (paper 0.1)."""
    img_size: tuple[int, int] | None = None
    """Override the model input W H."""
    compile: bool = False
    """torch.compile the model first."""
    peak_tflops: float | None = None
    """Peak FLOP/s of the device in TFLOP/s for MFU (default: known GPUs' bf16 peak; none on CPU)."""
    json: Path | None = None
    """Write the results here."""


def flops_per_window(cfg: PolicyConfig, n_frames: int, patches: int) -> dict[str, float]:
    """Forward FLOPs of one context window, split into encoder and head."""
    e = cfg.encoder
    hidden = int(e.dim * e.mlp_ratio)
    n_tok = patches + 1 + e.n_registers
    enc_lin = e.depth * (4 * e.dim * e.dim + 2 * e.dim * hidden) + 3 * e.patch**2 * e.dim / n_tok
    enc = n_frames * (2 * n_tok * enc_lin + e.depth * 4 * n_tok * n_tok * e.dim)
    C, L = cfg.n_embd, cfg.seq_len(n_frames)
    head_lin = cfg.n_layer * (4 * C * C + 2 * C * int(cfg.mlp_ratio * C))
    head = 2 * L * head_lin + cfg.n_layer * 4 * L * L * C
    head += 2 * n_frames * (cfg.tokens_per_frame * e.dim * C + C * (cfg.n_xbins + cfg.n_ybins))
    return {"encoder": float(enc), "head": float(head)}


def peak_flops(device: torch.device, override: float | None) -> tuple[float | None, str]:
    if override is not None:
        return override * 1e12, "given"
    if device.type != "cuda":
        return None, "unknown (CPU)"
    name = torch.cuda.get_device_name(device)
    for k, v in PEAK_BF16.items():
        if k in name:
            return v, name
    return None, name


def run(args: Args) -> dict:
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    bf16 = args.dtype == "bf16" or (args.dtype == "auto" and device.type == "cuda")
    over = {"context_frames": args.context}
    if args.attn_dropout is not None:
        over["attn_dropout"] = args.attn_dropout
    if args.img_size is not None:
        over.update(img_w=args.img_size[0], img_h=args.img_size[1])
    cfg = preset(args.size, **over)
    torch.manual_seed(0)
    model = Policy(cfg).to(device).train()
    opt = torch.optim.AdamW(param_groups(model, 1e-4, 1e-5, 0.01), betas=(0.9, 0.999))
    fwd = torch.compile(model) if args.compile else model
    B, T = args.batch_size, args.context
    frames = torch.randint(0, 256, (B, T, cfg.img_h, cfg.img_w, 3), dtype=torch.uint8, device=device)
    xb = torch.randint(0, cfg.n_xbins, (B, T), device=device)
    yb = torch.randint(0, cfg.n_ybins, (B, T), device=device)

    def step():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            _, _, loss = fwd(frames, xb, yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(args.warmup_steps):
        step()
    sync()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    sync()
    dt = (time.perf_counter() - t0) / args.steps
    pad = cfg.encoder.patch
    gh, gw = -(-cfg.img_h // pad), -(-cfg.img_w // pad)
    if cfg.pad_mode == "crop":
        gh, gw = cfg.img_h // pad, cfg.img_w // pad
    fl = flops_per_window(cfg, T, gh * gw)
    step_flops = 3 * B * (fl["encoder"] + fl["head"])
    peak, dev_name = peak_flops(device, args.peak_tflops)
    n_params = sum(p.numel() for p in model.parameters())
    res = {
        "size": args.size, "params_M": n_params / 1e6, "device": dev_name if device.type == "cuda" else
        f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads, {os.cpu_count()} cores)",
        "dtype": "bf16" if bf16 else "fp32", "batch_size": B, "context": T, "img": [cfg.img_w, cfg.img_h],
        "step_s": dt, "frames_per_s": B * T / dt, "head_tokens_per_s": B * cfg.seq_len(T) / dt,
        "encoder_patch_tokens_per_s": B * T * gh * gw / dt, "tflop_per_step": step_flops / 1e12,
        "achieved_tflops": step_flops / dt / 1e12, "mfu": step_flops / dt / peak if peak else None,
        "peak_mem_GiB": torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None,
        "torch": torch.__version__, "compile": args.compile,
    }
    return res


def main() -> None:
    import tyro

    args = tyro.cli(Args)
    res = run(args)
    rows = [("size", res["size"]), ("params", f"{res['params_M']:.1f} M"), ("device", res["device"]),
            ("dtype", res["dtype"]), ("batch x context", f"{res['batch_size']} x {res['context']}"),
            ("step", f"{res['step_s'] * 1e3:.1f} ms"), ("frames/s", f"{res['frames_per_s']:.1f}"),
            ("head tokens/s", f"{res['head_tokens_per_s']:.0f}"), ("TFLOP/step", f"{res['tflop_per_step']:.3f}"),
            ("achieved TFLOP/s", f"{res['achieved_tflops']:.2f}"),
            ("MFU", "n/a (give --peak-tflops)" if res["mfu"] is None else f"{100 * res['mfu']:.1f} %")]
    if res["peak_mem_GiB"] is not None:
        rows.append(("peak memory", f"{res['peak_mem_GiB']:.1f} GiB"))
    w = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{w}}  {v}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.json.with_suffix(".tmp")
        tmp.write_text(json.dumps(res, indent=1))
        os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
