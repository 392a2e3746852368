"""Pixel kernels on the render path (numba): numpy's strided RGBA->RGB copy costs ~100x more.

`blend_mask` draws a text run's coverage mask over opaque RGBA pixels through
per-channel tables `result = table[channel, coverage, dst]` that Skia itself
fills (`text.blend_table`): the same pixels as `TextEngine.draw` without a
Skia call per run.
"""
from __future__ import annotations

import numba
import numpy as np


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
def _grey_to_rgba(src: np.ndarray, dst: np.ndarray) -> None:
    for i in range(src.shape[0]):
        v = src[i]
        dst[4 * i] = v
        dst[4 * i + 1] = v
        dst[4 * i + 2] = v
        dst[4 * i + 3] = 255


@numba.njit(cache=True, nogil=True)
def _rgb_to_rgba(src: np.ndarray, dst: np.ndarray) -> None:
    for i in range(src.shape[0] // 3):
        dst[4 * i] = src[3 * i]
        dst[4 * i + 1] = src[3 * i + 1]
        dst[4 * i + 2] = src[3 * i + 2]
        dst[4 * i + 3] = 255


def to_opaque_rgba(pixels: np.ndarray, what: str = "raster") -> np.ndarray:
    """uint8[h, w] or [h, w, 1] (grey), or [h, w, 3|4], as a new opaque uint8[h, w, 4] (alpha 255, RGB kept);
    anything else is refused by `what` it is."""
    if pixels.dtype != np.uint8 or not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] in (1, 3, 4))):
        raise ValueError(f"{what}: expected uint8 [h,w] or [h,w,1|3|4], got {pixels.dtype} {pixels.shape}")
    out = np.empty(pixels.shape[:2] + (4,), np.uint8)
    if pixels.ndim == 2 or pixels.shape[2] == 1:
        _grey_to_rgba(np.ascontiguousarray(pixels).reshape(-1), out.reshape(-1))
    else:
        _rgb_to_rgba(np.ascontiguousarray(pixels[..., :3]).reshape(-1), out.reshape(-1))
    return out


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
            if c == 0:   # the tables leave a pixel alone where coverage is 0 (text.blend_table checks it)
                continue
            dst[j, i, 0] = lr[c, dst[j, i, 0]]
            dst[j, i, 1] = lg[c, dst[j, i, 1]]
            dst[j, i, 2] = lb[c, dst[j, i, 2]]


def blend_mask(rgba: np.ndarray, mask: np.ndarray, x: int, y: int, clip: tuple[int, int, int, int],
               lut: np.ndarray) -> None:
    """Draw A8 `mask` with its top-left at (x, y) into opaque uint8[H,W,4] `rgba`, inside `clip` (x0,y0,x1,y1)."""
    _blend_mask(rgba, mask, x, y, clip[0], clip[1], clip[2], clip[3], lut)


@numba.njit(cache=True, nogil=True)
def _blend_rows(dst: np.ndarray, arena: np.ndarray, spans: np.ndarray, rows: np.ndarray,
                cx0: int, cy0: int, cx1: int, cy1: int) -> None:
    for k in range(rows.shape[0]):
        off, soff, w, h, x, y = rows[k, 0], rows[k, 1], rows[k, 2], rows[k, 3], rows[k, 4], rows[k, 5]
        r, g, b = rows[k, 6], rows[k, 7], rows[k, 8]
        for j in range(max(y, cy0), min(y + h, cy1)):
            base = off + (j - y) * w - x
            s = soff + 2 * (j - y)
            for i in range(max(x + spans[s], cx0), min(x + spans[s + 1], cx1)):
                c = np.int32(arena[base + i])
                if c == 0:
                    continue
                ic = 255 - c
                dst[j, i, 0] = (r * c + np.int32(dst[j, i, 0]) * ic + 255) >> 8
                dst[j, i, 1] = (g * c + np.int32(dst[j, i, 1]) * ic + 255) >> 8
                dst[j, i, 2] = (b * c + np.int32(dst[j, i, 2]) * ic + 255) >> 8


def blend_rows(rgba: np.ndarray, arenas: tuple[np.ndarray, np.ndarray], rows: list[tuple],
               clip: tuple[int, int, int, int]) -> None:
    """Skia's anti-aliased draws of opaque colours over opaque uint8[H,W,4] `rgba`, inside `clip`
    (x0, y0, x1, y1), in order: per channel (s*c + d*(255-c) + 255) >> 8. Each row (offset, span offset,
    w, h, x, y, r, g, b) is a w x h coverage mask in `arenas[0]` with its top-left at (x, y), whose row j
    is covered only in columns [spans[2j], spans[2j+1]) of `arenas[1]` from the span offset."""
    _blend_rows(rgba, arenas[0], arenas[1], np.array(rows, np.int32), clip[0], clip[1], clip[2], clip[3])


@numba.njit(cache=True, nogil=True)
def combine_glyphs(covs: np.ndarray, places: np.ndarray, lut: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Coverage of glyphs blitted one after another (src-over): round(255 * (1 - prod(1 - a))),
    a = lut[coverage] / 255, in float32 as numpy computes it; with the (x, y) of its top-left pixel.
    `covs` holds the glyph masks one after another; `places` their (height, width, x, y)."""
    x0, y0 = places[0, 2], places[0, 3]
    x1, y1 = x0 + places[0, 1], y0 + places[0, 0]
    for k in range(1, places.shape[0]):
        x0, y0 = min(x0, places[k, 2]), min(y0, places[k, 3])
        x1, y1 = max(x1, places[k, 2] + places[k, 1]), max(y1, places[k, 3] + places[k, 0])
    h, w = y1 - y0, x1 - x0
    keep = np.ones((h, w), np.float32)
    off = 0
    for k in range(places.shape[0]):
        gh, gw, gx, gy = places[k, 0], places[k, 1], places[k, 2] - x0, places[k, 3] - y0
        for j in range(gh):
            for i in range(gw):
                a = np.float32(lut[covs[off + j * gw + i]]) / np.float32(255)
                keep[gy + j, gx + i] *= np.float32(1) - a
        off += gh * gw
    out = np.empty((h, w), np.uint8)
    for j in range(h):
        for i in range(w):
            out[j, i] = np.uint8(np.rint((np.float32(1) - keep[j, i]) * np.float32(255)))
    return out, x0, y0


@numba.njit(cache=True, nogil=True)
def take_mask(a8: np.ndarray, x0: int, y0: int, x1: int, y1: int, arena: np.ndarray, off: int,
              spans: np.ndarray, soff: int) -> bool:
    """Move the coverage in a8[y0:y1, x0:x1] to `arena` (row after row, from `off`) and each row's
    covered columns [lo, hi) to `spans` (from `soff`), leaving a8 zero there. True when the one-pixel
    ring around the rectangle holds coverage: a shape reaching past the rectangle (its pixels are
    8-connected, so they cross the ring) left some in a8."""
    w = x1 - x0
    for j in range(y1 - y0):
        lo, hi = w, 0
        for i in range(w):
            c = a8[y0 + j, x0 + i]
            arena[off + j * w + i] = c
            if c != 0:
                lo = min(lo, i)
                hi = i + 1
                a8[y0 + j, x0 + i] = 0
        spans[soff + 2 * j] = lo if hi else 0
        spans[soff + 2 * j + 1] = hi
    h_all, w_all = a8.shape
    for j in range(max(y0 - 1, 0), min(y1 + 1, h_all)):
        for i in range(max(x0 - 1, 0), min(x1 + 1, w_all)):
            if (j == y0 - 1 or j == y1 or i == x0 - 1 or i == x1) and a8[j, i] != 0:
                return True
    return False
