"""Pixel kernels on the render path (numba): numpy's strided RGBA->RGB copy costs ~100x more.

`blend_mask` draws a text run's A8 coverage mask in a solid colour over opaque
RGBA pixels exactly as Skia does (skia-python's `drawImage` of an A8 image
costs ~20 ns a pixel, this ~1): it does not re-derive Skia's arithmetic but
looks it up in tables that Skia itself fills (`mask_lut`), one per colour
channel value, `result = table[coverage, dst]`. Skia blends channels
independently and leaves an opaque destination opaque; `mask_lut` checks both
on every table it builds and returns None when they do not hold (callers then
draw with Skia).
"""
from __future__ import annotations

import threading

import numba
import numpy as np
import skia


@numba.njit(cache=True, nogil=True)
def _rgba_to_rgb(src: np.ndarray, dst: np.ndarray) -> None:
    # a plain byte loop: LLVM vectorizes it with shuffles (measured 2x faster than 32-bit word loads)
    n = src.shape[0] // 4
    for i in range(n):
        dst[3 * i] = src[4 * i]
        dst[3 * i + 1] = src[4 * i + 1]
        dst[3 * i + 2] = src[4 * i + 2]


def rgba_to_rgb(rgba: np.ndarray, out: np.ndarray) -> None:
    """Copy the RGB planes of a C-contiguous uint8[H,W,4] into uint8[H,W,3] `out`."""
    if out.flags.c_contiguous:
        _rgba_to_rgb(rgba.reshape(-1), out.reshape(-1))
    else:   # e.g. a VectorEnv slot of a larger window: one row at a time
        for y in range(out.shape[0]):
            row = out[y]
            if row.flags.c_contiguous:
                _rgba_to_rgb(rgba[y].reshape(-1), row.reshape(-1))
            else:
                np.copyto(row, rgba[y, :, :3])


@numba.njit(cache=True, nogil=True)
def _blend_mask(dst: np.ndarray, mask: np.ndarray, x: int, y: int, cx0: int, cy0: int, cx1: int, cy1: int,
                lut: np.ndarray) -> None:
    h, w = mask.shape
    y0, y1 = max(y, cy0), min(y + h, cy1)
    x0, x1 = max(x, cx0), min(x + w, cx1)
    lr, lg, lb = lut[0], lut[1], lut[2]
    for j in range(y0, y1):
        for i in range(x0, x1):
            c = mask[j - y, i - x]
            dst[j, i, 0] = lr[c, dst[j, i, 0]]
            dst[j, i, 1] = lg[c, dst[j, i, 1]]
            dst[j, i, 2] = lb[c, dst[j, i, 2]]


def blend_mask(rgba: np.ndarray, mask: np.ndarray, x: int, y: int, clip: tuple[int, int, int, int],
               lut: np.ndarray) -> None:
    """Draw A8 `mask` with its top-left at (x, y) into opaque uint8[H,W,4] `rgba`, inside `clip` (x0,y0,x1,y1)."""
    _blend_mask(rgba, mask, x, y, clip[0], clip[1], clip[2], clip[3], lut)


_LOCK = threading.Lock()
_CHANNEL: dict[tuple[int, int], np.ndarray | None] = {}
_LUTS: dict[int, np.ndarray | None] = {}


def _channel_table(s: int, a: int) -> np.ndarray | None:
    """Skia's result[coverage, dst] for colour channel value `s` at alpha `a` over opaque dst (None: not separable)."""
    dst = np.empty((256, 256, 4), np.uint8)
    dst[..., :3] = np.arange(256, dtype=np.uint8)[None, :, None]
    dst[..., 3] = 255
    surface = skia.Surface(dst, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    mask = np.ascontiguousarray(np.repeat(np.arange(256, dtype=np.uint8)[:, None], 256, axis=1))
    image = skia.Image.fromarray(mask, colorType=skia.kAlpha_8_ColorType, copy=True)
    surface.getCanvas().drawImage(image, 0, 0, skia.SamplingOptions(), skia.Paint(Color=(a << 24) | (s * 0x010101)))
    del surface
    if not (np.all(dst[..., 3] == 255) and np.array_equal(dst[..., 0], dst[..., 1])
            and np.array_equal(dst[..., 0], dst[..., 2])):
        return None
    return np.ascontiguousarray(dst[..., 0])


def mask_lut(color: int) -> np.ndarray | None:
    """uint8[3, 256, 256] tables for Skia ARGB `color` (see the module docstring), or None: draw with Skia."""
    lut = _LUTS.get(color, False)
    if lut is not False:
        return lut
    with _LOCK:
        a = (color >> 24) & 255
        tables = []
        for s in ((color >> 16) & 255, (color >> 8) & 255, color & 255):
            key = (s, a)
            if key not in _CHANNEL:
                _CHANNEL[key] = _channel_table(s, a)
            tables.append(_CHANNEL[key])
        lut = None if any(t is None for t in tables) else np.ascontiguousarray(np.stack(tables))
        _LUTS[color] = lut
    return lut
