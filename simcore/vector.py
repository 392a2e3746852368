"""`VectorEnv`: B envs stepped in lockstep, rendering into one preallocated frame batch.

Tasks may be mixed: the batch is as large as the largest window, each env
draws into the top-left corner of its slot and the rest stays black. Finished
envs are left alone by `click` (their step reports `action=None, done=True`)
until `reset(i, env)` replaces them.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .env import Env, Step
from .episode import make_env


class VectorEnv:
    def __init__(self, envs: Sequence[Env], size: tuple[int, int] | None = None):
        """`size` (W, H) fixes the batch's window, e.g. to fit envs that `reset` brings in later."""
        if not envs:
            raise ValueError("envs: a VectorEnv needs at least one Env")
        self.envs = list(envs)
        w = max(e.window[0] for e in self.envs)
        h = max(e.window[1] for e in self.envs)
        if size is not None:
            if size[0] < w or size[1] < h:
                raise ValueError(f"size: {size} is smaller than the largest env window {(w, h)}")
            w, h = size
        self.buffer = np.zeros((len(self.envs), h, w, 3), np.uint8)

    @classmethod
    def from_seeds(cls, tasks: "str | Sequence[str]", seeds: Sequence[int], **kw) -> "VectorEnv":
        names = [tasks] * len(seeds) if isinstance(tasks, str) else list(tasks)
        if len(names) != len(seeds):
            raise ValueError(f"tasks and seeds differ in length: {len(names)} vs {len(seeds)}")
        return cls([make_env(t, s, **kw) for t, s in zip(names, seeds)])

    def __len__(self) -> int:
        return len(self.envs)

    @property
    def done(self) -> np.ndarray:
        return np.array([e.done for e in self.envs], bool)

    @property
    def windows(self) -> np.ndarray:
        """int[B, 2]: each env's (W, H)."""
        return np.array([e.window for e in self.envs], np.int64)

    def frames(self) -> np.ndarray:
        """uint8[B, H, W, 3], the shared buffer (overwritten by the next call)."""
        for i, env in enumerate(self.envs):
            w, h = env.window
            if (w, h) != self.buffer.shape[2:0:-1]:
                self.buffer[i] = 0
            env.frame(self.buffer[i, :h, :w])
        return self.buffer

    def click(self, xy: np.ndarray) -> list[Step]:
        """Click float[B, 2] window pixels, one per env; finished envs are skipped."""
        xy = np.asarray(xy, np.float64)
        if xy.shape != (len(self.envs), 2):
            raise ValueError(f"xy: expected shape {(len(self.envs), 2)}, got {xy.shape}")
        return [Step(None, True, False) if env.done else env.click(x, y) for env, (x, y) in zip(self.envs, xy)]

    def reset(self, i: int, env: Env) -> None:
        """Put a fresh env in slot i (it must fit the batch's window)."""
        w, h = env.window
        if h > self.buffer.shape[1] or w > self.buffer.shape[2]:
            raise ValueError(f"env window {w}x{h} does not fit the batch's {self.buffer.shape[2]}x{self.buffer.shape[1]}")
        self.envs[i] = env
        self.buffer[i] = 0
