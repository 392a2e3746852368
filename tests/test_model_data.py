"""Data windows: one seed -> same bytes, disjoint train/eval episodes, padding, task selection, bins."""
import numpy as np
import pytest
import torch

from model.data import (StreamSampler, WindowDataset, bins_to_pixels, click_bins, select_tasks,
                        window_start)
from model.sources import SyntheticSource

torch.set_num_threads(1)  # see test_model_policy.py


def _ds(**kw):
    src = SyntheticSource()
    return WindowDataset(src, select_tasks(src, None, None, True), **{"seed": 3, "context": 6, "img_hw": (60, 80), **kw})


def test_same_seed_same_bytes_and_order_independent():
    a, b = _ds(), _ds()
    for k in (0, 5, 9, 2):
        x, y = a[k], b[k]
        for key in x:
            assert torch.equal(x[key], y[key]), key
    assert torch.equal(_ds()[7]["frames"], _ds()[7]["frames"])  # no hidden state from earlier reads
    assert not torch.equal(_ds(seed=4)[0]["frames"], a[0]["frames"])


def test_train_and_eval_episodes_are_disjoint():
    train, test = _ds(split="train"), _ds(split="test")
    a = {train.episode_ref(e) for e in range(2000)}
    b = {test.episode_ref(e) for e in range(2000)}
    assert not a & b and len(a) == 2000
    with pytest.raises(ValueError, match="split"):
        _ds(split="eval")


def test_short_episode_is_right_padded_with_mask():
    ds = _ds(context=20)  # synthetic episodes have at most 13 steps
    item = ds[0]
    n = int(item["valid"].sum())
    assert 0 < n < 20 and bool(item["valid"][:n].all()) and not bool(item["valid"][n:].any())
    assert int(item["frames"][n:].sum()) == 0 and item["frames"].shape == (20, 60, 80, 3)


def test_window_modes():
    rng = np.random.default_rng(0)
    assert [window_start(50, 20, j, "tiled", rng) for j in range(4)] == [0, 20, 30, 0]
    starts = {window_start(50, 20, 0, "sliding", rng) for _ in range(200)}
    assert min(starts) >= 0 and max(starts) <= 30 and len(starts) > 10
    assert window_start(10, 20, 3, "sliding", rng) == 0
    with pytest.raises(ValueError, match="window_mode"):
        window_start(50, 20, 0, "bogus", rng)


def test_task_selection_excludes_held_out_by_default():
    src = SyntheticSource()
    assert select_tasks(src, None, None, True) == ["synthetic_red", "synthetic_blue"]
    assert select_tasks(src, ["synthetic_heldout"], None, True) == ["synthetic_heldout"]
    assert select_tasks(src, None, ["synthetic_red"], True) == ["synthetic_blue"]
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        select_tasks(src, ["nope"], None, True)
    with pytest.raises(ValueError, match="empty"):
        select_tasks(src, ["synthetic_red"], ["synthetic_red"], True)


def test_multitask_sampling_is_roughly_uniform():
    ds = _ds(windows_per_episode=1)
    tasks = [ds.episode_ref(e)[0] for e in range(400)]
    assert 150 < tasks.count("synthetic_red") < 250


def test_bins_roundtrip_within_half_a_pixel():
    clicks = np.array([[0.0, 0.0], [425.9, 435.9], [200.3, 17.8]])
    xb, yb = click_bins(clicks, (426, 436), 524, 436)
    assert xb.max() < 524 and yb.max() < 436
    x, y = bins_to_pixels(xb, yb, (426, 436), 524, 436)
    assert np.abs(x - clicks[:, 0]).max() <= 426 / 524 and np.abs(y - clicks[:, 1]).max() <= 1.0


def test_stream_sampler_interleaves_ranks():
    assert list(StreamSampler(3, 2, rank=1, world=2)) == [7, 9]
    assert list(StreamSampler(0, 3)) == [0, 1, 2]
