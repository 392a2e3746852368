"""Helpers shared by tasks: validation with clear messages, colormaps, JSON of states."""
from __future__ import annotations

import dataclasses
import math

import numpy as np


def require(ok: bool, field: str, message: str) -> None:
    """Raise ValueError('<field>: <message>') unless `ok`."""
    if not ok:
        raise ValueError(f"{field}: {message}")


def require_array(arr, field: str, dtype, shape: tuple) -> None:
    """`shape` may hold None for free dimensions."""
    require(isinstance(arr, np.ndarray), field, f"expected a numpy array, got {type(arr).__name__}")
    require(arr.dtype == dtype, field, f"expected dtype {np.dtype(dtype)}, got {arr.dtype}")
    ok = arr.ndim == len(shape) and all(s is None or s == a for s, a in zip(shape, arr.shape))
    require(ok, field, f"expected shape {shape}, got {arr.shape}")


def require_finite_unit(value, field: str) -> float:
    require(isinstance(value, (int, float)) and not isinstance(value, bool), field,
            f"expected a number, got {value!r}")
    require(math.isfinite(value) and 0.0 <= value <= 1.0, field, f"expected a number in [0, 1], got {value!r}")
    return float(value)


def require_int(value, field: str, lo: int, hi: int) -> int:
    require(isinstance(value, (int, np.integer)) and not isinstance(value, bool), field,
            f"expected an integer, got {value!r}")
    require(lo <= value <= hi, field, f"expected an integer in [{lo}, {hi}], got {value!r}")
    return int(value)


def require_bool(value, field: str) -> bool:
    require(isinstance(value, (bool, np.bool_)), field, f"expected true/false, got {value!r}")
    return bool(value)


def jet(t: np.ndarray) -> np.ndarray:
    """matplotlib's 'jet' colormap (blue -> cyan -> yellow -> red) for t in [0, 1], as uint8 RGB."""
    t = np.asarray(t, np.float64)[..., None]
    rgb = np.clip(1.5 - np.abs(4.0 * t - np.array([3.0, 2.0, 1.0])), 0.0, 1.0)
    return np.round(rgb * 255).astype(np.uint8)


def hex_color(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb))


def on_frame(latest, frame: int, frame_at: int) -> list:
    """[(id, (u, v)), ...] in id order: the latest placements {(a, b): (u, v)} on `frame`, whose keys hold
    the frame at index `frame_at` and the marker's id at the other. (Indexing every frame at once, once
    per placement, sorted hundreds of markers at every placement: 15 % of Neuron Tracking's frame.)"""
    return sorted((key[1 - frame_at], uv) for key, uv in latest.items() if key[frame_at] == frame)


def to_json(value):
    """A dataclass state as plain JSON types (tuples become lists)."""
    if dataclasses.is_dataclass(value):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
