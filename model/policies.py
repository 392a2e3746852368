"""The policy protocol of closed-loop evaluation, and the baseline policies.

Every policy — the BC model, the task's oracle (upper bound), a random
clicker (lower bound), a replay of recorded clicks — runs through the same
loop (`model.closed_loop`): the loop shows it a batch of frames and it
returns one click per slot, in window pixels. A policy learns nothing from
the env but pixels, except the privileged baselines (oracle, replay), which
are told the env or episode at `begin`.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

import simcore


class Policy(Protocol):
    def begin(self, slot: int, env: simcore.Env, seed: int) -> None:
        """A new episode (`env`, made from `seed`) starts in `slot`; its first frame comes with the next `act`."""

    def act(self, frames: np.ndarray, active: np.ndarray) -> np.ndarray:
        """frames uint8[B, H, W, 3], active bool[B] -> clicks float64[B, 2] (x, y) in window pixels."""


class OraclePolicy:
    """The task's greedy oracle, realized as clicks like the annotator's (privileged: reads the state)."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.envs: dict[int, simcore.Env] = {}

    def begin(self, slot: int, env: simcore.Env, seed: int) -> None:
        self.envs[slot] = env

    def act(self, frames: np.ndarray, active: np.ndarray) -> np.ndarray:
        out = np.full((len(active), 2), np.nan)
        for i in np.flatnonzero(active):
            env = self.envs[i]
            out[i] = env.realize(env.task.oracle(env.state, env.instance), self.rng)
        return out


class RandomPolicy:
    """Uniform clicks over each slot's window: the floor any learned policy must beat."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.windows: dict[int, tuple[int, int]] = {}

    def begin(self, slot: int, env: simcore.Env, seed: int) -> None:
        self.windows[slot] = env.window

    def act(self, frames: np.ndarray, active: np.ndarray) -> np.ndarray:
        out = np.full((len(active), 2), np.nan)
        for i in np.flatnonzero(active):
            w, h = self.windows[i]
            out[i] = self.rng.uniform(0, w), self.rng.uniform(0, h)
        return out


class ReplayPolicy:
    """Replays recorded clicks: each env's annotator episode (same task and seed) unless given episodes."""

    def __init__(self, episodes: dict[tuple[str, int], simcore.Episode] | None = None):
        self.episodes = episodes or {}
        self.cursor: dict[int, tuple[np.ndarray, int]] = {}

    def begin(self, slot: int, env: simcore.Env, seed: int) -> None:
        key = (env.task.NAME, seed)
        if key not in self.episodes:
            self.episodes[key] = simcore.rollout(env.task, seed)
        self.cursor[slot] = (self.episodes[key].clicks, 0)

    def act(self, frames: np.ndarray, active: np.ndarray) -> np.ndarray:
        out = np.full((len(active), 2), np.nan)
        for i in np.flatnonzero(active):
            clicks, t = self.cursor[i]
            if t < len(clicks):
                out[i] = clicks[t]
            self.cursor[i] = (clicks, t + 1)
        return out


BASELINES = {"oracle": OraclePolicy, "random": RandomPolicy, "replay": ReplayPolicy}
