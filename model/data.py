"""Context windows of `context` frames + clicks, rendered in DataLoader workers (no disk).

Sample k of a stream is a pure function of (seed, split, k): episode e = k // windows_per_episode
is an episode of a uniformly drawn task with a seed derived from (seed, split, e); window
j = k % windows_per_episode is placed by `window_mode`:
  - "sliding": a uniformly random start (the paper's "overlap" variant, C.4, Fig. 30);
  - "tiled":   nearly non-overlapping windows (starts 0, C, 2C, ..., last one flush with the end).
Consecutive k share an episode, and one batch goes to one worker, so a small per-worker episode
cache makes rendering cost ~1 episode per `windows_per_episode` samples. Resuming = starting the
sampler at the consumed position: data position is one integer.

Episode seeds come from the source (`simcore.episode_seed(base, task, split, index)` for the
simulator), per split: training reads "train", teacher-forced evaluation reads "test", so held-out
windows never come from a training episode.
Episodes shorter than the window are right-padded (zero frames, `valid` False): with causal
attention, padding after the real steps cannot change their predictions.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import torch
from torch.utils.data import Dataset, Sampler

from model.policy import resize_frames
from model.sources import SPLITS, Episode


def select_tasks(source, include: list[str] | None, exclude: list[str] | None, pretrain_only: bool) -> list[str]:
    """Task list: `include` (default: all registered), minus `exclude`, minus PRETRAIN=False tasks
    (Shape Matching is held out of pre-training) unless named in `include` or pretrain_only is off."""
    names = source.task_names()
    for n in (include or []) + (exclude or []):
        if n not in names:
            raise ValueError(f"unknown task {n!r}; registered: {names}")
    tasks = list(include) if include else [n for n in names if not pretrain_only or source.pretrain(n)]
    tasks = [t for t in tasks if t not in set(exclude or [])]
    if not tasks:
        raise ValueError("the task selection is empty (check --tasks / --exclude-tasks)")
    return tasks


def task_draw(seed: int, split: int, e: int) -> int:
    """The uniform task draw of mixture episode e (an independent stream per split)."""
    return int(np.random.SeedSequence([seed, split, e]).generate_state(1)[0])


def window_start(T: int, C: int, j: int, mode: str, rng: np.random.Generator) -> int:
    if T <= C:
        return 0
    if mode == "sliding":
        return int(rng.integers(0, T - C + 1))
    if mode == "tiled":
        starts = list(range(0, T - C + 1, C))
        if starts[-1] != T - C:
            starts.append(T - C)
        return starts[j % len(starts)]
    raise ValueError(f"window_mode must be 'sliding' or 'tiled', got {mode!r}")


def click_bins(clicks: np.ndarray, window: tuple[int, int], nx: int, ny: int) -> tuple[np.ndarray, np.ndarray]:
    """Window pixels -> bins of the model input (normalise by the window size, paper B.1)."""
    W, H = window
    xb = np.clip(np.floor(clicks[:, 0] / W * nx), 0, nx - 1).astype(np.int64)
    yb = np.clip(np.floor(clicks[:, 1] / H * ny), 0, ny - 1).astype(np.int64)
    return xb, yb


def bins_to_pixels(xbin, ybin, window: tuple[int, int], nx: int, ny: int):
    """Bin centres back to window pixels."""
    W, H = window
    return (np.asarray(xbin) + 0.5) / nx * W, (np.asarray(ybin) + 0.5) / ny * H


class WindowDataset(Dataset):
    def __init__(self, source, tasks: list[str], *, seed: int, split: str = "train", context: int = 20,
                 windows_per_episode: int = 4, window_mode: str = "sliding", img_hw: tuple[int, int] = (436, 524),
                 cache_episodes: int = 2):
        if split not in SPLITS:
            raise ValueError(f"split must be one of {list(SPLITS)}, got {split!r}")
        self.source, self.tasks, self.seed = source, list(tasks), seed
        self.split_name, self.split = split, SPLITS[split]
        self.C, self.wpe, self.mode, self.img_hw = context, windows_per_episode, window_mode, img_hw
        self.cache_size = cache_episodes
        self._cache: OrderedDict = OrderedDict()
        window_start(self.C + 1, self.C, 0, window_mode, np.random.default_rng(0))  # validate mode early

    def __len__(self) -> int:  # a stream, effectively unbounded; the sampler decides what is read
        return 2**62

    def episode_ref(self, e: int) -> tuple[str, int]:
        task = self.tasks[task_draw(self.seed, self.split, e) % len(self.tasks)]
        return task, self.source.episode_seed(self.seed, task, self.split_name, e)

    def load(self, task: str, ep_seed: int) -> tuple[Episode, torch.Tensor]:
        key = (task, ep_seed)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        ep = self.source.episode(task, ep_seed)
        frames = resize_frames(torch.from_numpy(np.ascontiguousarray(ep.frames)), *self.img_hw)
        self._cache[key] = (ep, frames)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return ep, frames

    def __getitem__(self, k: int) -> dict[str, torch.Tensor]:
        e, j = divmod(int(k), self.wpe)
        task, ep_seed = self.episode_ref(e)
        ep, frames = self.load(task, ep_seed)
        T, C = len(ep.clicks), self.C
        rng = np.random.default_rng([self.seed, self.split, e, j])
        s = window_start(T, C, j, self.mode, rng)
        n = min(C, T - s)
        h, w = self.img_hw
        xb, yb = click_bins(ep.clicks[s : s + n], ep.window, w, h)
        out_f = torch.zeros(C, h, w, 3, dtype=torch.uint8)
        out_f[:n] = frames[s : s + n]
        xbin, ybin = torch.zeros(C, dtype=torch.long), torch.zeros(C, dtype=torch.long)
        xbin[:n], ybin[:n] = torch.from_numpy(xb), torch.from_numpy(yb)
        valid = torch.zeros(C, dtype=torch.bool)
        valid[:n] = True
        click_px = torch.zeros(C, 2, dtype=torch.float64)
        click_px[:n] = torch.from_numpy(ep.clicks[s : s + n])
        return {"click_px": click_px, "window": torch.tensor(ep.window),"frames": out_f, "xbin": xbin, "ybin": ybin, "valid": valid,
                "task": torch.tensor(self.tasks.index(task)), "ep_seed": torch.tensor(ep_seed),
                "start": torch.tensor(s)}


class StreamSampler(Sampler):
    """Sample indices start*world+rank, (start+1)*world+rank, ... for `count` samples of this rank."""

    def __init__(self, start: int, count: int, rank: int = 0, world: int = 1):
        self.start, self.count, self.rank, self.world = start, count, rank, world

    def __iter__(self):
        return ((self.start + i) * self.world + self.rank for i in range(self.count))

    def __len__(self) -> int:
        return self.count


def worker_init(_worker_id: int) -> None:
    torch.set_num_threads(1)  # workers render and resize; many threads each would oversubscribe
