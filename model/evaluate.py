"""Evaluate a policy: `python -m model.evaluate --mode teacher --checkpoint runs/x/ckpt.pt --json out.json`.

Teacher-forced (paper B.3): random `context`-frame windows of held-out episodes (split "test":
episode seeds disjoint from training's); given the true history the model predicts each click
(argmax of the x and y heads). A predicted click is judged by hit-testing it in the GUI state
before that step (the recorded clicks are replayed in between):
  - button steps: right when the predicted click presses the same control;
  - canvas placements: right type when it lands on the canvas; `place@Npx` = fraction within N px
    of the true click (N in 1, 3, 5, 10), measured in model-input pixels (= window pixels for a
    524x436 window; a task with a smaller window is stretched, paper B.1);
  - validity: the predicted click hits some control or the canvas;
  - loss: CE_x + CE_y per step.
Without --checkpoint an untrained model of --size is evaluated (the baseline of a learning run).
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from model.checkpoint import load_checkpoint, load_policy
from model.config import PolicyConfig, preset
from model.data import StreamSampler, WindowDataset, bins_to_pixels, select_tasks
from model.policy import Policy
from model.sources import action_key, make_source

RADII = (1, 3, 5, 10)


@dataclass
class Args:
    """Teacher-forced evaluation of a BC policy on held-out episodes."""

    mode: str = "teacher"
    """teacher (B.3 teacher-forced) | closed (autoregressive in the live simcore GUI; sim source only)."""
    checkpoint: Path | None = None
    """model.train checkpoint; omitted = an untrained model of --size (baseline)."""
    size: str = "tiny"
    """Model size of the untrained baseline (ignored with --checkpoint)."""
    untrained: bool = False
    """With --checkpoint: evaluate a freshly initialised model of the checkpoint's config (baseline)."""
    source: str = "sim"
    """Episode source: sim | synthetic."""
    tasks: list[str] = field(default_factory=list)
    """Tasks to evaluate (default: every task with PRETRAIN True)."""
    windows: int = 1024
    """Teacher mode: number of random held-out windows (paper: 1024)."""
    episodes: int = 50
    """Closed mode: held-out episodes per task (paper: 50-300)."""
    temperature: float = 0.4
    """Closed mode: sampling temperature (paper: 0.4; 0 = argmax)."""
    context: int = 20
    """Frames per window."""
    batch_size: int = 8
    """Windows per forward pass."""
    seed: int = 0
    """Seed of the held-out episode stream (same seed = same windows)."""
    num_workers: int = 2
    """DataLoader worker processes rendering episodes."""
    device: str = "auto"
    """auto | cpu | cuda."""
    json: Path | None = None
    """Write the metrics here."""
    png: Path | None = None
    """Write a bar chart here (default: next to --json)."""


def _empty():
    return {"n": 0, "loss_sum": 0.0, "valid": 0, "by_action": defaultdict(lambda: [0, 0]),
            "place_n": 0, "place_type": 0, "place_r": {r: 0 for r in RADII}}


def _finish(acc) -> dict:
    n = max(acc["n"], 1)
    out = {"steps": acc["n"], "loss": acc["loss_sum"] / n, "validity": acc["valid"] / n}
    buttons = [(k, v) for k, v in acc["by_action"].items() if k.startswith("press:")]
    out["per_action"] = {k: {"n": v[1], "accuracy": v[0] / v[1]} for k, v in sorted(acc["by_action"].items())}
    nb = sum(v[1] for _, v in buttons)
    out["button_accuracy"] = sum(v[0] for _, v in buttons) / nb if nb else None
    pn = acc["place_n"]
    out["place_steps"] = pn
    out["place_type_accuracy"] = acc["place_type"] / pn if pn else None
    for r in RADII:
        out[f"place@{r}px"] = acc["place_r"][r] / pn if pn else None
    return out


@torch.no_grad()
def evaluate_teacher(model: Policy, source, tasks: list[str], *, windows: int, context: int, batch_size: int,
                     seed: int, num_workers: int = 0, device="cpu") -> dict:
    model.eval().to(device)
    cfg = model.cfg
    ds = WindowDataset(source, tasks, seed=seed, split="test", context=context, windows_per_episode=1,
                       window_mode="sliding", img_hw=(cfg.img_h, cfg.img_w))
    loader = DataLoader(ds, batch_size=batch_size, sampler=StreamSampler(0, windows), num_workers=num_workers,
                        generator=torch.Generator().manual_seed(seed))
    overall, per_task = _empty(), defaultdict(_empty)
    for b in loader:
        with torch.autocast(torch.device(device).type, dtype=torch.bfloat16, enabled=torch.device(device).type == "cuda"):
            lx, ly, _ = model(b["frames"].to(device), b["xbin"].to(device), b["ybin"].to(device))
        ce = (F.cross_entropy(lx.float().transpose(1, 2), b["xbin"].to(device), reduction="none")
              + F.cross_entropy(ly.float().transpose(1, 2), b["ybin"].to(device), reduction="none")).cpu()
        px_bin, py_bin = lx.argmax(-1).cpu().numpy(), ly.argmax(-1).cpu().numpy()
        for i in range(len(px_bin)):
            task = tasks[int(b["task"][i])]
            window = tuple(int(v) for v in b["window"][i])
            valid = b["valid"][i].numpy()
            s = int(b["start"][i])
            px, py = bins_to_pixels(px_bin[i], py_bin[i], window, cfg.n_xbins, cfg.n_ybins)
            gt = b["click_px"][i].numpy()
            steps = {s + t: [(px[t], py[t]), (gt[t, 0], gt[t, 1])] for t in range(context) if valid[t]}
            judged = source.judge(task, int(b["ep_seed"][i]), steps)
            sx, sy = cfg.n_xbins / window[0], cfg.n_ybins / window[1]  # window px -> model-input px
            for t in range(context):
                if not valid[t]:
                    continue
                pred_a, gt_a = judged[s + t]
                pk, gk = action_key(pred_a), action_key(gt_a)
                dist = float(np.hypot((px[t] - gt[t, 0]) * sx, (py[t] - gt[t, 1]) * sy))
                for acc in (overall, per_task[task]):
                    acc["n"] += 1
                    acc["loss_sum"] += float(ce[i, t])
                    acc["valid"] += pred_a is not None
                    acc["by_action"][gk][0] += pk == gk
                    acc["by_action"][gk][1] += 1
                    if gk == "place":
                        acc["place_n"] += 1
                        acc["place_type"] += pk == "place"
                        for r in RADII:
                            acc["place_r"][r] += dist <= r
    return {"overall": _finish(overall), "per_task": {t: _finish(a) for t, a in sorted(per_task.items())}}


def plot_metrics(res: dict, png: Path, title: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    o = res["overall"]
    names = ["validity", "button_accuracy", "place_type_accuracy"] + [f"place@{r}px" for r in RADII]
    names += [k for k in o["per_action"] if k.startswith("press:")]
    vals = [o.get(k) if k in o else o["per_action"][k]["accuracy"] for k in names]
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(names)), 3.8))
    ax.bar(range(len(names)), [v if v is not None else 0 for v in vals], color="tab:blue")
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_title(f"{title} teacher-forced, loss {o['loss']:.3f}, {o['steps']} steps")
    fig.tight_layout()
    tmp = png.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, png)


def main() -> None:
    import tyro

    args = tyro.cli(Args)
    if args.mode not in ("teacher", "closed"):
        raise SystemExit(f"--mode must be teacher or closed, got {args.mode!r}")
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    torch.manual_seed(args.seed)
    if args.checkpoint is None:
        model = Policy(preset(args.size))
    elif args.untrained:
        model = Policy(PolicyConfig.from_dict(load_checkpoint(args.checkpoint)["model_config"]))
    else:
        model = load_policy(args.checkpoint)
    if args.context > model.cfg.context_frames:
        raise SystemExit(f"--context {args.context} exceeds the model's {model.cfg.context_frames} frames")
    source = make_source(args.source)
    tasks = select_tasks(source, args.tasks, [], pretrain_only=True)
    if args.mode == "closed":
        _main_closed(args, model, tasks, device)
        return
    res = evaluate_teacher(model, source, tasks, windows=args.windows, context=args.context,
                           batch_size=args.batch_size, seed=args.seed, num_workers=args.num_workers, device=device)
    res["checkpoint"] = (f"untrained {args.size}" if args.checkpoint is None else
                         f"untrained, config of {args.checkpoint}" if args.untrained else str(args.checkpoint))
    o = res["overall"]
    print(f"{res['checkpoint']}: loss {o['loss']:.3f}  validity {o['validity']:.3f}  "
          f"button acc {o['button_accuracy']}  place type {o['place_type_accuracy']}  "
          + "  ".join(f"@{r}px {o[f'place@{r}px']}" for r in RADII))
    for k, v in o["per_action"].items():
        print(f"  {k:24s} n={v['n']:5d} acc={v['accuracy']:.3f}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.json.with_suffix(".tmp")
        tmp.write_text(json.dumps(res, indent=1))
        os.replace(tmp, args.json)
    png = args.png or (args.json.with_suffix(".png") if args.json is not None else None)
    if png is not None:
        plot_metrics(res, png, title=res["checkpoint"])


def _main_closed(args: Args, model: Policy, tasks: list[str], device) -> None:
    """Closed loop through `model.closed_loop` (batched VectorEnv, KV-cached decoding per slot)."""
    from model.bc_policy import BCPolicy
    from model.closed_loop_cli import ClosedArgs, main as closed_main

    if args.source != "sim":
        raise SystemExit("--mode closed needs --source sim (a live simcore GUI)")
    policy = BCPolicy(model, temperature=args.temperature, device=device, seed=args.seed)
    closed_main(ClosedArgs(policy="bc", checkpoint=args.checkpoint, tasks=tasks, episodes=args.episodes,
                           seed=args.seed, temperature=args.temperature, device=str(device), json=args.json,
                           out=(args.json.parent if args.json is not None else Path("out/closed_loop"))),
                policy=policy)


if __name__ == "__main__":
    main()
