"""Reading an annosim dataset: `simcore.dataset.open(path)`.

```python
ds = simcore.dataset.open("data/annosim.zarr")
ref = ds.episodes[0]                 # EpisodeRef(task, row, split, index, seed, first_step, length)
ep = ds.episode(ref)                 # simcore.Episode (clicks, actions with their tags, metrics)
frames = ds.render(ref)              # re-rendered uint8[T, H, W, 3], checked against the stored hashes
frames = ds.frames(ref)              # the stored frames (datasets made with --frames)
steps = ds.steps("colored_dot_tracking")   # dict of numpy columns of the steps table
```

The store itself is plain zarr (see docs/dataset.md); this module adds the
decoding of categorical columns and the bit-exact re-rendering checks.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np
import zarr

from widgets import Place, Press

from .episode import Episode, make_env
from .store import DatasetError, frame_hash, ground_truth, open_root

EPISODE_COLUMNS = ("split", "index", "seed", "style", "theme", "layout", "first_step", "length", "window_w",
                   "window_h", "gt_digest")
STEP_COLUMNS = ("episode", "t", "x", "y", "x_norm", "y_norm", "u", "v", "action", "tag", "is_mistake",
                "is_correction")


class EpisodeRef(NamedTuple):
    task: str
    row: int            # row in the task's episodes table (the `episode` column of its steps)
    split: str
    index: int          # index within the split: the seed is episode_seed(base_seed, task, split, index)
    seed: int
    first_step: int     # row of its first step in the task's steps table
    length: int

    def __str__(self) -> str:
        return f"{self.task}/{self.split}/{self.index} (episodes row {self.row})"


class _Task:
    """One task group, its tables loaded on first use."""

    def __init__(self, group: zarr.Group, path: Path):
        self.group, self.path = group, path
        self.attrs = dict(group.attrs)
        self.name = self.attrs.get("task", group.basename)

    def _array(self, where: str) -> zarr.Array:
        try:
            arr = self.group[where]
        except KeyError:
            raise DatasetError(f"{self.path}: corrupt store, {self.name}/{where} is missing") from None
        if not isinstance(arr, zarr.Array):
            raise DatasetError(f"{self.path}: corrupt store, {self.name}/{where} is not an array")
        return arr

    def _read(self, where: str) -> np.ndarray:
        try:
            return self._array(where)[...]
        except DatasetError:
            raise
        except Exception as err:   # damaged chunk files surface as codec or value errors
            raise DatasetError(f"{self.path}: corrupt store, cannot read {self.name}/{where} "
                               f"({type(err).__name__}: {err})") from None

    @cached_property
    def episodes(self) -> dict[str, np.ndarray]:
        cols = {c: self._read(f"episodes/{c}") for c in EPISODE_COLUMNS}
        n = self.attrs.get("n_episodes")
        if any(len(v) != n for v in cols.values()):
            raise DatasetError(f"{self.path}: corrupt store, {self.name} episode columns do not all have "
                               f"{n} rows")
        return cols

    @cached_property
    def steps(self) -> dict[str, np.ndarray]:
        cols = {c: self._read(f"steps/{c}") for c in STEP_COLUMNS}
        if self.attrs.get("frame_hashes"):
            cols["frame_hash"] = self._read("steps/frame_hash")
        for name in self.attrs.get("fields", {}):
            cols[f"fields/{name}"] = self._read(f"steps/fields/{name}")
        n = self.attrs.get("n_steps")
        if any(len(v) != n for v in cols.values()):
            raise DatasetError(f"{self.path}: corrupt store, {self.name} step columns do not all have {n} rows")
        return cols

    def metrics(self, row: int) -> dict[str, float]:
        return {m: float(self.group[f"episodes/metrics/{m}"][row]) for m in self.attrs.get("metrics", [])}

    def ref(self, row: int) -> EpisodeRef:
        e = self.episodes
        return EpisodeRef(self.name, int(row), self.attrs["splits"][e["split"][row]], int(e["index"][row]),
                          int(e["seed"][row]), int(e["first_step"][row]), int(e["length"][row]))


class Dataset:
    """An opened store. `episodes` lists every episode of every task (task order, then row)."""

    def __init__(self, path: "str | Path"):
        self.path = Path(path)
        self.root = open_root(self.path)
        self.attrs = dict(self.root.attrs)
        self._tasks: dict[str, _Task] = {}
        for name in self.attrs.get("tasks", []):
            try:
                group = self.root[name]
            except KeyError:
                raise DatasetError(f"{self.path}: corrupt store, task group {name!r} is missing") from None
            self._tasks[name] = _Task(group, self.path)

    @property
    def tasks(self) -> list[str]:
        return list(self._tasks)

    def task_attrs(self, task: str) -> dict:
        return self._task(task).attrs

    def _task(self, task: str) -> _Task:
        if task not in self._tasks:
            raise DatasetError(f"task: {task!r} is not in {self.path}; it holds {self.tasks}")
        return self._tasks[task]

    @cached_property
    def episodes(self) -> list[EpisodeRef]:
        return [t.ref(r) for t in self._tasks.values() for r in range(t.attrs["n_episodes"])]

    def episodes_of(self, task: str, split: str | None = None) -> list[EpisodeRef]:
        t = self._task(task)
        refs = [t.ref(r) for r in range(t.attrs["n_episodes"])]
        return refs if split is None else [r for r in refs if r.split == split]

    def steps(self, task: str) -> dict[str, np.ndarray]:
        """The task's steps table as numpy columns (task fields under `fields/<name>`)."""
        return self._task(task).steps

    def episode(self, ref: EpisodeRef) -> Episode:
        """The stored episode as a `simcore.Episode` (actions rebuilt with their annotator tags)."""
        t = self._task(ref.task)
        e, s, a = t.episodes, t.steps, t.attrs
        sl = slice(ref.first_step, ref.first_step + ref.length)
        clicks = np.stack([s["x"][sl], s["y"][sl]], axis=1)
        actions = []
        for code, tag, u, v in zip(s["action"][sl], s["tag"][sl], s["u"][sl], s["v"][sl]):
            name, tag = a["actions"][code], a["tags"][tag]
            actions.append(Place(float(u), float(v), tag=tag) if name == "place" else Press(name, tag=tag))
        r = ref.row
        return Episode(ref.task, ref.seed, a["styles"][e["style"][r]], clicks, actions,
                       (int(e["window_w"][r]), int(e["window_h"][r])), a["themes"][e["theme"][r]],
                       a["layouts"][e["layout"][r]], t.metrics(r))

    def render(self, ref: EpisodeRef, out: np.ndarray | None = None, check: bool = True) -> np.ndarray:
        """Re-render the episode's frames; with `check`, each must match its stored hash (else DatasetError)."""
        t = self._task(ref.task)
        ep = self.episode(ref)
        env = make_env(ref.task, ep.seed, ep.theme, ep.layout)
        if check:
            _, digest = ground_truth(env.instance)
            if digest != bytes(t.episodes["gt_digest"][ref.row]):
                raise DatasetError(f"episode {ref}: the instance rebuilt from seed {ref.seed} differs from the one "
                                   "stored (ground-truth digest mismatch): the task's generator has changed")
        hashes = t.steps.get("frame_hash") if check else None
        if check and hashes is None:
            raise DatasetError(f"{self.path}: made without frame hashes; render(..., check=False) to skip checks")
        w, h = ep.window
        if out is None:
            out = np.empty((len(ep), h, w, 3), np.uint8)
        for step, (x, y) in enumerate(ep.clicks):
            env.frame(out[step])
            if hashes is not None and frame_hash(out[step]) != bytes(hashes[ref.first_step + step]):
                raise DatasetError(f"episode {ref}, step {step}: re-rendered frame does not match the stored "
                                   "frame hash")
            env.click(x, y)
        return out

    def frames(self, ref: EpisodeRef) -> np.ndarray:
        """The stored frames of an episode (only for datasets generated with --frames)."""
        t = self._task(ref.task)
        if not t.attrs.get("frames"):
            raise DatasetError(f"{self.path}: task {ref.task} has no stored frames (generated without --frames); "
                               "use render()")
        return t._array("frames")[ref.first_step:ref.first_step + ref.length]

    def verify(self, ref: EpisodeRef) -> None:
        """Re-render and check hashes; with stored frames, also compare them byte for byte."""
        frames = self.render(ref)
        if self._task(ref.task).attrs.get("frames"):
            stored = self.frames(ref)
            bad = np.nonzero((stored != frames).reshape(len(frames), -1).any(axis=1))[0]
            if len(bad):
                raise DatasetError(f"episode {ref}, step {int(bad[0])}: stored frame differs from the re-rendered one")


def open(path: "str | Path") -> Dataset:  # noqa: A001 - the issue's name: simcore.dataset.open(path)
    """Open a store made by `python -m simcore.generate` (clear DatasetError when it is not one)."""
    return Dataset(path)
