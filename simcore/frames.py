"""Training frame sources: context windows of frames and clicks, as plain numpy.

A window is `size` consecutive steps of one episode (paper: 20 frames):

| key | value |
|---|---|
| `frames` | uint8[size, H, W, 3]: frame t is the screen before click t |
| `clicks` | float32[size, 2]: window pixels (x, y) |
| `clicks_norm` | float32[size, 2]: clicks / (W, H) |
| `mask` | bool[size]: False on padding (episodes shorter than `size`) |
| `is_mistake` | bool[size] |
| `task`, `episode`, `start` | where it comes from (`episode`: a row of the store, or the stream's seed) |

Windows are cut as in paper C.4: `overlap=True` slides by one step (every
start), `overlap=False` splits an episode into ceil(T/size) nearly
non-intersecting windows spread evenly from its first to its last step.

Sources:
- `StoreWindows(path)`: episodes of a store; frames re-rendered in worker
  processes (checked against the stored hashes) or read when stored.
- `StreamWindows(tasks)`: fresh episodes rolled out and rendered in workers,
  no store at all ("frames straight from memory").

Work is done per episode (render it once, cut all its windows), so iteration
yields an episode's windows together: a trainer should put a shuffle buffer
behind it. Windows' frames are views into the episode's array (no copy). This
module never imports torch; the model package wraps it.
"""
from __future__ import annotations

import math
from collections import deque
from multiprocessing import get_context
from pathlib import Path
from typing import Iterator

import numpy as np

from .dataset import Dataset
from .episode import rollout
from .registry import get_task, task_names
from .seeding import episode_seed
from .store import DatasetError

WINDOW = 20


def window_starts(length: int, size: int = WINDOW, overlap: bool = False) -> list[int]:
    """Start steps of the windows cut from an episode of `length` steps."""
    if size < 1:
        raise ValueError(f"size: must be >= 1, got {size}")
    if length <= size:
        return [0] if length > 0 else []
    if overlap:
        return list(range(length - size + 1))
    n = math.ceil(length / size)
    return [int(round(s)) for s in np.linspace(0, length - size, n)]


def cut_windows(frames: np.ndarray, clicks: np.ndarray, window: tuple[int, int], is_mistake: np.ndarray,
                task: str, episode: int, size: int, overlap: bool) -> list[dict]:
    """All windows of one rendered episode (padding only when it is shorter than `size`)."""
    T = len(frames)
    wh = np.asarray(window, np.float32)
    out = []
    for s in window_starts(T, size, overlap):
        n = min(size, T - s)
        f, c, m = frames[s:s + n], clicks[s:s + n].astype(np.float32), is_mistake[s:s + n]
        mask = np.ones(size, bool)
        if n < size:
            pad = size - n
            f = np.concatenate([f, np.zeros((pad,) + f.shape[1:], np.uint8)])
            c = np.concatenate([c, np.zeros((pad, 2), np.float32)])
            m = np.concatenate([m, np.zeros(pad, bool)])
            mask[n:] = False
        out.append({"frames": f, "clicks": c, "clicks_norm": c / wh * mask[:, None], "mask": mask,
                    "is_mistake": m, "task": task, "episode": episode, "start": s})
    return out


# -- workers (module level: they run in spawned processes) ---------------------------
_DATASET: Dataset | None = None


def _open_store(path: str) -> None:
    global _DATASET
    _DATASET = Dataset(path)


def _store_episode(job: tuple) -> tuple:
    task, row, stored, check = job
    ref = _DATASET._task(task).ref(row)
    ep = _DATASET.episode(ref)
    frames = _DATASET.frames(ref) if stored else _DATASET.render(ref, check=check)
    return task, row, frames, ep.clicks, ep.window, ep.is_mistake


def _stream_episode(job: tuple) -> tuple:
    task, seed, style = job
    frames: list[np.ndarray] = []
    ep = rollout(task, seed, style, before_click=lambda t, env: frames.append(env.frame()))
    stacked = np.stack(frames) if frames else np.zeros((0, ep.window[1], ep.window[0], 3), np.uint8)
    return task, seed, stacked, ep.clicks, ep.window, ep.is_mistake


def _map(fn, jobs, workers: int, init=None, initargs=(), ahead: int = 2) -> Iterator:
    """`map(fn, jobs)` in order, in `workers` spawned processes with at most `ahead` jobs per worker
    in flight (Pool.imap would drain an endless job stream into memory)."""
    if workers == 0:
        if init is not None:
            init(*initargs)
        yield from map(fn, jobs)
        return
    jobs = iter(jobs)
    with get_context("spawn").Pool(workers, initializer=init, initargs=initargs) as pool:
        inflight: deque = deque()
        for job in jobs:
            inflight.append(pool.apply_async(fn, (job,)))
            if len(inflight) >= workers * ahead:
                break
        while inflight:
            result = inflight.popleft().get()
            nxt = next(jobs, None)
            if nxt is not None:
                inflight.append(pool.apply_async(fn, (nxt,)))
            # ordered: the same seed gives the same sequence whatever the worker count
            yield result


class StoreWindows:
    """Context windows over a store's episodes (one split, some or all tasks).

    `source`: "render" re-renders frames in the workers, "stored" reads them
    (only for stores made with --frames), "auto" reads when stored. `shuffle`:
    a seed for the order of episodes, None keeps store order. `check` verifies
    each re-rendered frame against its stored hash.
    """

    def __init__(self, path: "str | Path", tasks: tuple[str, ...] = (), split: str = "train", size: int = WINDOW,
                 overlap: bool = False, source: str = "render", workers: int = 2, shuffle: int | None = None,
                 check: bool = True):
        if source not in ("render", "stored", "auto"):
            raise ValueError(f"source: expected 'render', 'stored' or 'auto', got {source!r}")
        if workers < 0:
            raise ValueError(f"workers: must be >= 0, got {workers}")
        self.path, self.size, self.overlap, self.workers, self.check = str(path), size, overlap, workers, check
        ds = Dataset(path)
        self.tasks = list(tasks) or ds.tasks
        refs = [r for t in self.tasks for r in ds.episodes_of(t, split)]
        stored = {t: bool(ds.task_attrs(t).get("frames")) for t in self.tasks}
        if source == "stored" and not all(stored.values()):
            raise DatasetError(f"source='stored': {path} has no stored frames for "
                               f"{[t for t, s in stored.items() if not s]}")
        if shuffle is not None:
            refs = [refs[i] for i in np.random.default_rng(shuffle).permutation(len(refs))]
        self.jobs = [(r.task, r.row, source != "render" and stored[r.task], check) for r in refs]
        self.lengths = [r.length for r in refs]

    def __len__(self) -> int:
        """Number of windows per pass."""
        return sum(len(window_starts(n, self.size, self.overlap)) for n in self.lengths)

    def __iter__(self) -> Iterator[dict]:
        for task, row, frames, clicks, window, mistakes in _map(_store_episode, self.jobs, self.workers,
                                                               _open_store, (self.path,)):
            yield from cut_windows(frames, clicks, window, mistakes, task, row, self.size, self.overlap)


class StreamWindows:
    """Context windows of fresh episodes, rolled out and rendered in workers; no store.

    Episode k is task `tasks[k % len(tasks)]` (uniform mixture), index
    `k // len(tasks)` of `split` under `base_seed`. `episodes`: how many (None:
    endless).
    """

    def __init__(self, tasks: tuple[str, ...] = (), base_seed: int = 0, split: str = "train", size: int = WINDOW,
                 overlap: bool = False, workers: int = 2, episodes: int | None = None, style: str = "default",
                 pretrain_only: bool = True):
        self.tasks = list(tasks) or task_names(pretrain_only=pretrain_only)
        for t in self.tasks:
            get_task(t)
        if episodes is not None and episodes < 0:
            raise ValueError(f"episodes: must be >= 0, got {episodes}")
        self.base_seed, self.split, self.size, self.overlap = base_seed, split, size, overlap
        self.workers, self.episodes, self.style = workers, episodes, style

    def _jobs(self) -> Iterator[tuple]:
        k = 0
        while self.episodes is None or k < self.episodes:
            task = self.tasks[k % len(self.tasks)]
            yield task, episode_seed(self.base_seed, task, self.split, k // len(self.tasks)), self.style
            k += 1

    def __iter__(self) -> Iterator[dict]:
        for task, seed, frames, clicks, window, mistakes in _map(_stream_episode, self._jobs(), self.workers):
            yield from cut_windows(frames, clicks, window, mistakes, task, seed, self.size, self.overlap)
