"""Low-level pieces of the zarr v3 dataset format (see docs/dataset.md).

Shared by the writer (`simcore.generate`) and the reader (`simcore.dataset`):
format constants, codecs, frame hashing, the ground-truth summary of an
instance, categorical columns and atomic file helpers. Everything here writes
deterministically: the same inputs give the same bytes on disk.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import shutil
from importlib import metadata
from pathlib import Path

import numpy as np
import zarr
import google_crc32c
from numcodecs import Zstd
from zarr.codecs import ZstdCodec

FORMAT = "annosim-dataset"
FORMAT_VERSION = 1
# Frame hash: SHA-256 of the frame bytes, first 16 bytes (128 bits: no collisions
# at 1e9 frames). SHA-256 over blake2b because CPUs hash it in hardware (SHA-NI):
# measured here 630 vs 350 frames/s per core, i.e. a quarter of a render.
HASH_SIZE = 16
TABLE_CHUNK = 1 << 16          # rows per chunk of every table column
GT_INLINE_MAX = 4096           # arrays up to this many items go into the GT JSON; larger only into its digest
# GUI frames are mostly flat colour: zstd level 3 gives ~50x on Colored Dot
# Tracking (9.4 KiB per 557 KiB frame). Measured here per frame: zstd-3 encodes
# in 1.6 ms and decodes in 1.7 ms; blosc-zstd-3 is as small but 2x slower to
# encode, lz4 1.5x bigger, bitshuffle 2x bigger.
FRAME_ZSTD_LEVEL = 3
FRAME_CODEC = ZstdCodec(level=FRAME_ZSTD_LEVEL)
_NO_CHUNK = np.uint64(2**64 - 1)
SPLITS = ("train", "val", "test")
TAGS = ("", "correction", "explore", "mistake", "verify")


class DatasetError(Exception):
    """A store that cannot be read or written as asked (the message names the path and what is wrong)."""


def annosim_version() -> str:
    try:
        return metadata.version("annosim")
    except metadata.PackageNotFoundError:
        # running from a checkout that is not pip-installed: read pyproject
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        for line in pyproject.read_text().splitlines() if pyproject.exists() else []:
            if line.startswith("version"):
                return line.split("=", 1)[1].strip().strip('"')
        return "unknown"


def frame_hash(frame: np.ndarray) -> bytes:
    """SHA-256 of the frame's bytes (uint8[H, W, 3], C order), truncated to 16 bytes."""
    if frame.dtype != np.uint8 or not frame.flags.c_contiguous:
        frame = np.ascontiguousarray(frame, np.uint8)
    return hashlib.sha256(frame).digest()[:HASH_SIZE]


# -- ground truth ----------------------------------------------------------------
def _jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _instance_fields(instance) -> list[tuple[str, object]]:
    if dataclasses.is_dataclass(instance):
        # derived fields (init=False, e.g. cached views) are not ground truth
        return [(f.name, getattr(instance, f.name)) for f in dataclasses.fields(instance) if f.init]
    return sorted(vars(instance).items())


def ground_truth(instance) -> tuple[str, bytes]:
    """(compact JSON, digest) of an instance.

    The instance is rebuilt from its seed, so the JSON keeps only what is small
    (seed, points, colours, labels…: what a metric compares against) and the
    digest covers every field, rasters included, so a reader can tell whether
    today's generator rebuilds the same instance.
    """
    summary, large = {}, {}
    h = hashlib.sha256()
    for name, value in _instance_fields(instance):
        h.update(name.encode() + b"\0")
        if isinstance(value, np.ndarray):
            arr = np.ascontiguousarray(value)
            h.update(f"{arr.dtype.str}{arr.shape}".encode())
            h.update(arr.tobytes())
            if arr.size <= GT_INLINE_MAX:
                summary[name] = arr.tolist()
            else:
                large[name] = {"shape": list(arr.shape), "dtype": arr.dtype.str}
            continue
        try:
            text = json.dumps(_jsonable(value), sort_keys=True)
        except TypeError:
            text = repr(value)
        h.update(text.encode())
        if len(text) <= 8 * GT_INLINE_MAX:
            summary[name] = _jsonable(value)
    if large:
        summary["_rasters"] = large
    return json.dumps(summary, sort_keys=True, separators=(",", ":")), h.digest()[:HASH_SIZE]


# -- columns -----------------------------------------------------------------------
def categorical(values, vocab: tuple[str, ...] | None = None) -> tuple[np.ndarray, list[str]]:
    """Codes (int16) into a sorted vocabulary (or the given one)."""
    vocab = list(vocab) if vocab is not None else sorted(set(values))
    index = {v: i for i, v in enumerate(vocab)}
    try:
        return np.fromiter((index[v] for v in values), np.int16, len(values)), vocab
    except KeyError as err:
        raise DatasetError(f"value {err.args[0]!r} is not in the vocabulary {vocab}") from None


def field_column(data: np.ndarray) -> tuple[np.ndarray, dict]:
    """A task field column (see `shards.step_fields`) as stored, with its description."""
    kind = data.dtype.kind
    if kind == "b":
        return data, {"dtype": "bool"}
    if kind in "iu":
        return data.astype(np.int64), {"dtype": "int64"}
    if kind == "f":
        return data.astype(np.float64), {"dtype": "float64"}
    if kind == "U":
        codes, vocab = categorical(data.tolist())
        return codes, {"dtype": "category", "vocab": vocab}
    return data.astype(object), {"dtype": "json"}


def write_column(group: zarr.Group, name: str, data: np.ndarray) -> None:
    """One table column: chunked along rows, zstd-compressed (zarr's default codec for v3)."""
    if data.dtype == object:
        arr = group.create_array(name, shape=data.shape, dtype=str, chunks=(TABLE_CHUNK,), overwrite=True)
    else:
        chunks = (TABLE_CHUNK,) + data.shape[1:]
        arr = group.create_array(name, shape=data.shape, dtype=data.dtype, chunks=chunks, fill_value=0,
                                  overwrite=True)
    if len(data):
        arr[...] = data


def frame_shard_bytes(frames: np.ndarray, per_shard: int) -> bytes:
    """One zarr v3 shard of frames, encoded here instead of through zarr's async pipeline.

    zarr spends ~4x the codec time per frame on its pipeline (measured: 8.5 vs
    2 ms on a busy machine). Layout (zarr v3 `sharding_indexed` spec, as
    configured for the frames arrays): the zstd-compressed inner chunks (one
    frame each) back to back, then the index — `per_shard` (offset, nbytes)
    pairs, uint64 little-endian, 2^64-1 for a chunk left out because it equals
    the fill value (all zero) — and its crc32c. Byte-identical to what zarr
    writes (tested), so the format stays plain zarr.
    """
    codec = Zstd(level=FRAME_ZSTD_LEVEL)
    index = np.full((per_shard, 2), _NO_CHUNK, "<u8")
    parts, offset = [], 0
    for i, frame in enumerate(frames):
        if not frame.any():
            continue
        data = codec.encode(np.ascontiguousarray(frame))
        index[i] = (offset, len(data))
        offset += len(data)
        parts.append(data)
    raw = index.tobytes()
    return b"".join(parts) + raw + np.uint32(google_crc32c.value(raw)).tobytes()


def frames_shard_path(array: zarr.Array, array_dir: Path, shard: int) -> Path:
    """Where shard `shard` of a frames array lives, after checking the array is laid out as
    `frame_shard_bytes` writes it (else the caller must write through zarr)."""
    meta = array.metadata.to_dict()
    codecs = meta["codecs"]
    ok = (len(codecs) == 1 and codecs[0]["name"] == "sharding_indexed" and meta["fill_value"] == 0
          and tuple(codecs[0]["configuration"]["chunk_shape"]) == (1,) + tuple(array.shape[1:])
          and codecs[0]["configuration"]["index_location"] == "end"
          and [c["name"] for c in codecs[0]["configuration"]["index_codecs"]] == ["bytes", "crc32c"]
          and [c["name"] for c in codecs[0]["configuration"]["codecs"]] == ["bytes", "zstd"]
          and codecs[0]["configuration"]["codecs"][1]["configuration"] == {"level": FRAME_ZSTD_LEVEL,
                                                                            "checksum": False})
    if not ok:
        raise DatasetError(f"{array_dir}: frames array is not laid out as annosim writes it: {codecs}")
    return array_dir / array.metadata.encode_chunk_key((shard,) + (0,) * (array.ndim - 1))


# -- files -------------------------------------------------------------------------
TMP_MARK = ".annosim-tmp"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder, fsync, then rename: readers see all or nothing."""
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save_part(path: Path, obj) -> None:
    atomic_write_bytes(path, pickle.dumps(obj, protocol=5))


def load_part(path: Path):
    with open(path, "rb") as f:
        return pickle.load(f)


def remove_tree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


# -- opening ------------------------------------------------------------------------
def open_root(path: "str | Path") -> zarr.Group:
    """The store's root group, after checking it is an annosim dataset of this format version."""
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"{path}: no such dataset (nothing at that path)")
    if not (path / "zarr.json").is_file():
        partial = Path(f"{path}.partial")
        hint = f"; an unfinished run is at {partial}: rerun the same generate command" if partial.exists() else ""
        raise DatasetError(f"{path}: not a zarr v3 store (no zarr.json){hint}")
    try:
        root = zarr.open_consolidated(str(path), mode="r", zarr_format=3)
    except Exception as err:  # zarr raises many types for damaged metadata
        raise DatasetError(f"{path}: corrupt store, cannot read its metadata ({type(err).__name__}: {err})") from None
    attrs = dict(root.attrs)
    if attrs.get("format") != FORMAT:
        raise DatasetError(f"{path}: not an annosim dataset (attribute format={attrs.get('format')!r})")
    if attrs.get("format_version") != FORMAT_VERSION:
        raise DatasetError(f"{path}: format_version {attrs.get('format_version')!r} is not supported "
                           f"(this annosim reads version {FORMAT_VERSION})")
    return root
