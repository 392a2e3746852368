"""The BC model as a closed-loop `Policy` (paper B.3): KV-cached incremental decoding per slot.

Each slot keeps its own `DecodeState` (a sliding 20-frame context, re-prefilled
from cached image tokens when it slides) and the bins of its previous click.
Every step: resize the slot's frame to the model input, run one `Policy.step`,
sample x and y bins at temperature 0.4 (0 = argmax, no beam search), click the
bin centre in window pixels. The GUI decides what the click means.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

import simcore
from model.checkpoint import load_policy
from model.data import bins_to_pixels
from model.policy import DecodeState, Policy, resize_frames


def sample_bins(logits: torch.Tensor, temperature: float, gen: torch.Generator) -> torch.Tensor:
    """logits (B, n) -> long (B,): softmax(logits / T) sampling; argmax when T <= 0."""
    if temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits.float().cpu() / temperature, dim=-1)
    return torch.multinomial(probs, 1, generator=gen)[:, 0].to(logits.device)


class BCPolicy:
    def __init__(self, model: Policy, temperature: float = 0.4, device: str | torch.device = "cpu", seed: int = 0):
        self.model = model.eval().to(device)
        self.temperature, self.device = temperature, torch.device(device)
        self.gen = torch.Generator().manual_seed(seed)
        self.slots: dict[int, dict] = {}

    @classmethod
    def from_checkpoint(cls, path: Path, **kw) -> "BCPolicy":
        return cls(load_policy(path), **kw)

    def begin(self, slot: int, env: simcore.Env, seed: int) -> None:
        self.slots[slot] = {"state": DecodeState(), "prev": None, "window": env.window}

    @torch.no_grad()
    def act(self, frames: np.ndarray, active: np.ndarray) -> np.ndarray:
        cfg = self.model.cfg
        out = np.full((len(active), 2), np.nan)
        for i in np.flatnonzero(active):
            slot = self.slots[i]
            w, h = slot["window"]
            frame = resize_frames(torch.from_numpy(np.ascontiguousarray(frames[i, :h, :w]))[None], cfg.img_h,
                                  cfg.img_w).to(self.device)
            lx, ly = self.model.step(slot["state"], frame, slot["prev"])
            xb, yb = sample_bins(lx, self.temperature, self.gen), sample_bins(ly, self.temperature, self.gen)
            out[i] = bins_to_pixels(int(xb[0]), int(yb[0]), (w, h), cfg.n_xbins, cfg.n_ybins)
            slot["prev"] = (xb, yb)
        return out
