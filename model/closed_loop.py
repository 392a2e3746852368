"""Autoregressive (closed-loop) evaluation, paper B.3: the policy clicks in a live `simcore` GUI.

Each step: render the window, resize it to the model input, run one `Policy.step` (KV cache,
`context_frames` window), sample x and y bins at temperature 0.4 (0 = argmax), click the bin centre
in window pixels. The GUI decides what the click means (hit-testing), so the model cannot name an
action type. An episode ends when the GUI is done or after 2x the expert's length (paper B.3).
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch

from model.data import bins_to_pixels
from model.policy import DecodeState, Policy, resize_frames
from model.sources import action_key


def sample_bins(logits: torch.Tensor, temperature: float, gen: torch.Generator) -> torch.Tensor:
    """logits (B, n) -> long (B,)."""
    if temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits.float().cpu() / temperature, dim=-1)
    return torch.multinomial(probs, 1, generator=gen)[:, 0].to(logits.device)


@torch.no_grad()
def run_episode(model: Policy, task: str, seed: int, *, temperature: float = 0.4, max_factor: float = 2.0,
                gen: torch.Generator | None = None, device="cpu") -> dict:
    import simcore

    cfg = model.cfg
    gen = gen if gen is not None else torch.Generator().manual_seed(seed)
    expert = simcore.rollout(task, seed)
    env = simcore.make_env(task, seed)
    window = env.window
    state, prev = DecodeState(), None
    kinds: dict[str, int] = defaultdict(int)
    max_steps = max(1, int(max_factor * len(expert)))
    steps = 0
    for steps in range(1, max_steps + 1):
        frame = resize_frames(torch.from_numpy(env.frame())[None], cfg.img_h, cfg.img_w).to(device)
        lx, ly = model.step(state, frame, prev)
        xb, yb = sample_bins(lx, temperature, gen), sample_bins(ly, temperature, gen)
        x, y = bins_to_pixels(int(xb[0]), int(yb[0]), window, cfg.n_xbins, cfg.n_ybins)
        res = env.click(float(x), float(y))
        kinds[action_key(res.action)] += 1
        prev = (xb, yb)
        if env.done:
            break
    metrics = {k: float(v) for k, v in env.metrics().items() if isinstance(v, (int, float, np.floating))}
    return {"task": task, "seed": seed, "steps": steps, "expert_steps": len(expert), "done": bool(env.done),
            "invalid_rate": kinds.get("none", 0) / steps, "actions": dict(kinds), "metrics": metrics}


def evaluate_closed(model: Policy, tasks: list[str], *, episodes: int, seed: int, temperature: float = 0.4,
                    device="cpu") -> dict:
    """`episodes` held-out ("test" split) episodes per task; per-task means of the episode results."""
    import simcore

    model.eval().to(device)
    gen = torch.Generator().manual_seed(seed)
    per_task, runs = {}, []
    for task in tasks:
        rs = [run_episode(model, task, simcore.episode_seed(seed, task, "test", i), temperature=temperature,
                          gen=gen, device=device) for i in range(episodes)]
        runs += rs
        keys = set.intersection(*(set(r["metrics"]) for r in rs)) if rs else set()
        per_task[task] = {
            "episodes": len(rs), "completion": float(np.mean([r["done"] for r in rs])),
            "invalid_rate": float(np.mean([r["invalid_rate"] for r in rs])),
            "steps": float(np.mean([r["steps"] for r in rs])),
            "expert_steps": float(np.mean([r["expert_steps"] for r in rs])),
            **{f"metric/{k}": float(np.mean([r["metrics"][k] for r in rs])) for k in sorted(keys)},
        }
    return {"per_task": per_task, "episodes": runs, "temperature": temperature}
