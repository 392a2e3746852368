"""`python -m model.evaluate --mode closed` (also `python -m model.closed_loop_cli`): closed-loop evaluation.

Runs a policy — `bc` (a trained checkpoint), `oracle`, `random` or `replay` —
on held-out episodes of each task through `model.closed_loop`, prints a
table, writes `--json`, a per-task bar chart of the primary metric (± the
paper's binomial s.d.) and click heatmaps as PNGs.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import tyro

import simcore

from .closed_loop import annotator_mix, episode_specs, run, summarize
from .policies import BASELINES


@dataclass
class ClosedArgs:
    policy: Literal["bc", "oracle", "random", "replay"] = "oracle"
    """which policy acts: a BC checkpoint, or a baseline"""
    checkpoint: Path | None = None
    """BC checkpoint (required for --policy bc)"""
    tasks: list[str] = field(default_factory=list)
    """tasks to evaluate (default: every registered task)"""
    episodes: int = 8
    """held-out episodes per task (paper: 50-300)"""
    batch: int = 8
    """episodes stepped together in one VectorEnv"""
    seed: int = 0
    """base seed of the held-out episodes (test split) and of the policy's randomness"""
    temperature: float = 0.4
    """BC sampling temperature (paper B.3)"""
    device: str = "cpu"
    """torch device for the BC policy"""
    out: Path = Path("out/closed_loop")
    """folder for the PNG figures"""
    json: Path | None = None
    """write the results here"""
    progress: bool = True
    """show a tqdm bar"""


def make_policy(args: ClosedArgs):
    if args.policy != "bc":
        return BASELINES[args.policy](**({} if args.policy == "replay" else {"seed": args.seed}))
    if args.checkpoint is None:
        raise SystemExit("--checkpoint is required for --policy bc")
    from .bc_policy import BCPolicy
    return BCPolicy.from_checkpoint(args.checkpoint, temperature=args.temperature, device=args.device, seed=args.seed)


def figures(summary: dict, results, out: Path, title: str) -> list[str]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    tasks = list(summary)
    fig, ax = plt.subplots(figsize=(max(4, 1.1 * len(tasks)), 3.2))
    ax.bar(range(len(tasks)), [summary[t]["primary"] for t in tasks],
           yerr=[summary[t]["primary_sd"] for t in tasks], color="#3794ff", capsize=3)
    ax.set_xticks(range(len(tasks)), [t.replace("_", "\n") for t in tasks], fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("primary metric")
    ax.set_title(title)
    fig.tight_layout()
    paths = [str(out / "primary_by_task.png")]
    fig.savefig(paths[0], dpi=120)
    plt.close(fig)
    for task in tasks:
        xy = np.array([c for r in results if r.task == task for c in r.clicks if np.isfinite(c).all()])
        w, h = simcore.make_env(task, 0).window
        fig, ax = plt.subplots(figsize=(4, 4 * h / w))
        ax.imshow(simcore.make_env(task, 0).frame(), alpha=0.5)
        if len(xy):
            hist, _, _ = np.histogram2d(xy[:, 1], xy[:, 0], bins=(h // 6, w // 6), range=((0, h), (0, w)))
            ax.imshow(np.log1p(hist), extent=(0, w, h, 0), cmap="magma", alpha=0.6)
        ax.set_title(f"{task}: clicks", fontsize=8)
        ax.axis("off")
        fig.tight_layout()
        paths.append(str(out / f"clicks_{task}.png"))
        fig.savefig(paths[-1], dpi=120)
        plt.close(fig)
    return paths


def main(args: ClosedArgs, policy=None) -> dict:
    """`policy` overrides `args.policy` (e.g. a BC model already in memory)."""
    tasks = args.tasks or simcore.task_names()
    specs = episode_specs(tasks, args.episodes, args.seed)
    results, times = run(policy or make_policy(args), specs, args.batch, progress=args.progress)
    summary = summarize(results)
    reference = annotator_mix(specs)
    print(f"\npolicy {args.policy}: {times.steps} steps, {times.steps / max(times.simulator_s + times.policy_s, 1e-9):.0f}"
          f" steps/s, simulator {100 * times.simulator_s / max(times.simulator_s + times.policy_s, 1e-9):.0f}% of a step")
    print(f"{'task':>30}  {'primary':>13}  {'done':>5}  {'steps':>6}  {'valid':>6}  {'undo':>5}")
    for task, s in summary.items():
        print(f"{task:>30}  {s['primary']:.3f} ± {s['primary_sd']:.3f}  {s['done_rate']:5.2f}  {s['mean_steps']:6.1f}"
              f"  {s['action_validity']:6.3f}  {s['undo_rate']:5.3f}")
    paths = figures(summary, results, args.out, f"closed loop: {args.policy}")
    payload = {"mode": "closed", "policy": args.policy, "args": {k: str(v) for k, v in vars(args).items()},
               "tasks": summary, "annotator_action_mix": reference, "figures": paths,
               "throughput": {"steps": times.steps, "simulator_s": times.simulator_s, "policy_s": times.policy_s,
                              "steps_per_s": times.steps / max(times.simulator_s + times.policy_s, 1e-9)}}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.json.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, indent=1, default=float))
        tmp.replace(args.json)
    return payload


if __name__ == "__main__":
    main(tyro.cli(ClosedArgs))
