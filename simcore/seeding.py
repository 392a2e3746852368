"""One seed decides everything: seeds derived with numpy's SeedSequence.

An episode is identified by (task, split, index) under a base seed. Its
episode seed is the instance seed (`make_instance(seed)`), and from it come two
independent streams: the annotator's plan and the click jitter.
"""
from __future__ import annotations

import zlib

import numpy as np

SPLITS = {"train": 0, "val": 1, "test": 2}
_PLAN, _CLICKS = 1, 2


def episode_seed(base_seed: int, task: str, split: str, index: int) -> int:
    """A 63-bit seed for episode `index` of `task`'s `split` under `base_seed`."""
    if split not in SPLITS:
        raise ValueError(f"split: unknown split {split!r}; known: {sorted(SPLITS)}")
    if index < 0 or base_seed < 0:
        raise ValueError(f"base_seed and index must be >= 0, got {base_seed}, {index}")
    ss = np.random.SeedSequence([base_seed, zlib.crc32(task.encode()), SPLITS[split], index])
    return int(ss.generate_state(2, np.uint64)[0] >> np.uint64(1))


def plan_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, _PLAN]))


def click_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, _CLICKS]))
