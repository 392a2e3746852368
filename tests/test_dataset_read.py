"""Reading datasets: plain zarr, episodes round-trip, hash checks, paper export, frame windows, bad stores."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import zarr
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import simcore
import simcore.dataset
from simcore.export import Args as ExportArgs, export_paper
from simcore.frames import StoreWindows, StreamWindows, window_starts
from simcore.generate import Args, generate
from simcore.store import DatasetError

TASK = "colored_dot_tracking"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("store") / "d.zarr"
    generate(Args(out=out, tasks=(TASK,), train=1, val=1, test=0, frames=True, workers=0, quiet=True,
                  shard_steps=64))
    return out


@pytest.fixture
def copy(store, tmp_path) -> Path:
    dst = tmp_path / "copy.zarr"
    shutil.copytree(store, dst)
    return dst


def test_opens_with_plain_zarr(store):
    root = zarr.open_group(str(store), mode="r")
    g = root[TASK]
    n_ep, n_st = g.attrs["n_episodes"], g.attrs["n_steps"]
    assert root.attrs["format"] == "annosim-dataset"
    assert g["episodes/seed"].shape == (n_ep,) and g["steps/x"].shape == (n_st,)
    assert g["steps/frame_hash"].shape == (n_st, 16) and g["frames"].shape[0] == n_st
    assert g["episodes/length"][...].sum() == n_st
    gt = json.loads(str(g["episodes/gt"][...][0]))
    assert gt["seed"] == int(g["episodes/seed"][0]) and len(gt["points"]) > 0 and "_rasters" in gt


def test_episodes_round_trip_to_the_annotator_rollout(store):
    ds = simcore.dataset.open(store)
    assert [r.split for r in ds.episodes] == ["train", "val"]
    for ref in ds.episodes:
        assert ref.seed == simcore.episode_seed(0, TASK, ref.split, ref.index)
        fresh = simcore.rollout(TASK, ref.seed)
        ep = ds.episode(ref)
        np.testing.assert_array_equal(ep.clicks, fresh.clicks)
        assert ep.actions == fresh.actions and [a.tag for a in ep.actions] == [a.tag for a in fresh.actions]
        assert ep.metrics == pytest.approx(fresh.metrics, nan_ok=True)
    steps = ds.steps(TASK)
    assert steps["is_mistake"].sum() == sum(a.tag == "mistake" for r in ds.episodes for a in ds.episode(r).actions)
    np.testing.assert_allclose(steps["x_norm"] * ds.task_attrs(TASK)["window"][0], steps["x"])


def test_task_fields_are_those_of_each_frame(store):
    ds = simcore.dataset.open(store)
    ref = ds.episodes[0]
    env = simcore.make_env(TASK, ref.seed)
    steps = ds.steps(TASK)
    for t, (x, y) in enumerate(ds.episode(ref).clicks):
        fields = simcore.get_task(TASK).task_fields(env.state)
        assert {k: int(steps[f"fields/{k}"][ref.first_step + t]) for k in fields} == fields
        env.click(x, y)


def test_render_matches_hashes_and_stored_frames(store):
    ds = simcore.dataset.open(store)
    for ref in ds.episodes:
        ds.verify(ref)
        np.testing.assert_array_equal(ds.render(ref), ds.frames(ref))
    np.testing.assert_array_equal(ds.frames(ds.episodes[1])[0], simcore.render_episode(ds.episode(ds.episodes[1]))[0])


def test_a_tampered_hash_names_episode_and_step(copy):
    ds = simcore.dataset.open(copy)
    ref = ds.episodes[1]
    arr = zarr.open_array(str(copy / TASK / "steps" / "frame_hash"), mode="r+")
    arr[ref.first_step + 5] = np.zeros(16, np.uint8)
    with pytest.raises(DatasetError, match=r"episode colored_dot_tracking/val/0 \(episodes row 1\), step 5: "):
        simcore.dataset.open(copy).render(ref)


def test_a_tampered_stored_frame_names_episode_and_step(copy):
    ref = simcore.dataset.open(copy).episodes[0]
    frames = zarr.open_array(str(copy / TASK / "frames"), mode="r+")
    frame = frames[7]
    frame[10, 10] ^= 255
    frames[7] = frame
    with pytest.raises(DatasetError, match=r"colored_dot_tracking/train/0 .*step 7: stored frame differs"):
        simcore.dataset.open(copy).verify(ref)


def test_a_changed_generator_is_caught_by_the_ground_truth_digest(copy):
    arr = zarr.open_array(str(copy / TASK / "episodes" / "gt_digest"), mode="r+")
    arr[0] = np.zeros(16, np.uint8)
    ds = simcore.dataset.open(copy)
    with pytest.raises(DatasetError, match="ground-truth digest mismatch"):
        ds.render(ds.episodes[0])


# -- bad stores -------------------------------------------------------------------------
def test_missing_store(tmp_path):
    with pytest.raises(DatasetError, match="no such dataset"):
        simcore.dataset.open(tmp_path / "nothing.zarr")


def test_not_a_store(tmp_path):
    (tmp_path / "folder").mkdir()
    with pytest.raises(DatasetError, match="not a zarr v3 store"):
        simcore.dataset.open(tmp_path / "folder")


def test_corrupt_metadata(copy):
    (copy / "zarr.json").write_text("{ not json")
    with pytest.raises(DatasetError, match="corrupt store"):
        simcore.dataset.open(copy)


def test_corrupt_chunk(copy):
    for chunk in (copy / TASK / "steps" / "x" / "c").rglob("*"):
        if chunk.is_file():
            chunk.write_bytes(b"garbage")
    with pytest.raises(DatasetError, match=r"corrupt store, cannot read colored_dot_tracking/steps/x"):
        simcore.dataset.open(copy).steps(TASK)


def test_missing_array(copy):
    shutil.rmtree(copy / TASK / "steps" / "tag")
    meta = json.loads((copy / "zarr.json").read_text())
    meta["consolidated_metadata"]["metadata"].pop(f"{TASK}/steps/tag")
    (copy / "zarr.json").write_text(json.dumps(meta))
    with pytest.raises(DatasetError, match="colored_dot_tracking/steps/tag is missing"):
        simcore.dataset.open(copy).steps(TASK)


def test_other_format_version(copy):
    meta = json.loads((copy / "zarr.json").read_text())
    meta["attributes"]["format_version"] = 99
    (copy / "zarr.json").write_text(json.dumps(meta))
    with pytest.raises(DatasetError, match="format_version 99 is not supported"):
        simcore.dataset.open(copy)


def test_unknown_task_in_a_store(store):
    with pytest.raises(DatasetError, match="'nope' is not in"):
        simcore.dataset.open(store).episodes_of("nope")


# -- export --------------------------------------------------------------------------
def test_paper_export_layout(store, tmp_path):
    out = export_paper(ExportArgs(store=store, out=tmp_path / "paper", workers=0))
    ds = simcore.dataset.open(store)
    rows = list(csv.DictReader(open(out / TASK / "metadata.csv")))
    assert list(rows[0])[:4] == ["file_name", "action_x", "action_y", "action_type"]
    assert {"z", "mip", "n_markers", "is_mistake", "split"} <= set(rows[0])
    assert len(rows) == ds.task_attrs(TASK)["n_steps"]
    for ref in ds.episodes:
        pngs = sorted((out / TASK / "images" / str(ref.row)).iterdir(), key=lambda p: int(p.stem))
        assert [p.name for p in pngs] == [f"{t}.png" for t in range(ref.length)]
    first = rows[0]
    assert first["file_name"] == "images/0/0.png"
    np.testing.assert_array_equal(np.asarray(Image.open(out / TASK / first["file_name"])),
                                  ds.frames(ds.episodes[0])[0])
    assert float(first["action_x"]) == ds.episode(ds.episodes[0]).clicks[0, 0]
    assert not Path(f"{out}.partial").exists()
    with pytest.raises(DatasetError, match="exists"):
        export_paper(ExportArgs(store=store, out=out, workers=0))


def test_export_bad_inputs_write_nothing(store, tmp_path):
    with pytest.raises(DatasetError, match="no such dataset"):
        export_paper(ExportArgs(store=tmp_path / "missing.zarr", out=tmp_path / "o1", workers=0))
    with pytest.raises(DatasetError, match="'nope' is not in"):
        export_paper(ExportArgs(store=store, out=tmp_path / "o2", tasks=("nope",), workers=0))
    with pytest.raises(DatasetError, match="--limit"):
        export_paper(ExportArgs(store=store, out=tmp_path / "o3", limit=-4, workers=0))
    assert list(tmp_path.iterdir()) == []


# -- frame windows ------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.integers(0, 400), st.integers(1, 40), st.booleans())
def test_window_starts_cover_every_step(length, size, overlap):
    starts = window_starts(length, size, overlap)
    covered = np.zeros(length, bool)
    for s in starts:
        assert 0 <= s and (s + size <= length or (s == 0 and length < size))
        covered[s:s + size] = True
    assert covered.all()
    if not overlap and length > size:
        assert len(starts) == -(-length // size)          # ceil(T / size): nearly non-intersecting
    if overlap and length >= size:
        assert starts == list(range(length - size + 1))


def test_store_windows_render_what_is_stored(store):
    ds = simcore.dataset.open(store)
    rendered = list(StoreWindows(store, split="train", workers=0, source="render"))
    stored = list(StoreWindows(store, split="train", workers=0, source="stored"))
    ref = ds.episodes_of(TASK, "train")[0]
    assert len(rendered) == len(window_starts(ref.length)) == len(StoreWindows(store, split="train", workers=0))
    frames = ds.frames(ref)
    for a, b in zip(rendered, stored):
        assert a["frames"].shape == (20,) + frames.shape[1:] and a["mask"].all()
        np.testing.assert_array_equal(a["frames"], b["frames"])
        np.testing.assert_array_equal(a["frames"], frames[a["start"]:a["start"] + 20])
        np.testing.assert_allclose(a["clicks"], ds.episode(ref).clicks[a["start"]:a["start"] + 20], atol=1e-3)


def test_stream_windows_are_fresh_episodes_and_deterministic():
    a = list(StreamWindows(tasks=(TASK,), workers=0, episodes=1, size=50, overlap=False))
    b = list(StreamWindows(tasks=(TASK,), workers=0, episodes=1, size=50, overlap=False))
    ep = simcore.rollout(TASK, simcore.episode_seed(0, TASK, "train", 0))
    assert len(a) == len(window_starts(len(ep), 50)) and a[0]["episode"] == ep.seed
    frames = simcore.render_episode(ep)
    for wa, wb in zip(a, b):
        np.testing.assert_array_equal(wa["frames"], wb["frames"])
        np.testing.assert_array_equal(wa["frames"], frames[wa["start"]:wa["start"] + 50])
        assert (0 <= wa["clicks_norm"]).all() and (wa["clicks_norm"] <= 1).all()


def test_short_episodes_are_padded_and_masked():
    from simcore.frames import cut_windows
    frames = np.ones((5, 4, 6, 3), np.uint8)
    (w,) = cut_windows(frames, np.full((5, 2), 2.0), (6, 4), np.zeros(5, bool), TASK, 0, 20, False)
    assert w["frames"].shape == (20, 4, 6, 3) and w["mask"].sum() == 5 and not w["frames"][5:].any()
    assert (w["clicks_norm"][5:] == 0).all()


def test_frame_shards_written_by_annosim_are_those_zarr_writes(tmp_path):
    from simcore.store import FRAME_CODEC, frame_shard_bytes, frames_shard_path
    frames = simcore.render_episode(simcore.rollout(TASK, 3))[:40].copy()
    frames[5] = 0                                   # equals the fill value: zarr leaves the chunk out
    per_shard = 16                                  # 40 frames: two full shards and a partial one
    arr = zarr.create_array(str(tmp_path / "f"), shape=frames.shape, dtype="uint8", chunks=(1,) + frames.shape[1:],
                            shards=(per_shard,) + frames.shape[1:], compressors=FRAME_CODEC, fill_value=0)
    arr[...] = frames
    for k in range(3):
        path = frames_shard_path(arr, tmp_path / "f", k)
        assert path.read_bytes() == frame_shard_bytes(frames[k * per_shard:(k + 1) * per_shard], per_shard)
    other = zarr.create_array(str(tmp_path / "g"), shape=frames.shape, dtype="uint8", chunks=(2,) + frames.shape[1:],
                              shards=(per_shard,) + frames.shape[1:], compressors=FRAME_CODEC, fill_value=0)
    with pytest.raises(DatasetError, match="not laid out as annosim writes it"):
        frames_shard_path(other, tmp_path / "g", 0)
