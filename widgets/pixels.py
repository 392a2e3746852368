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
def place_glyphs(shaped: np.ndarray, origin: float, index: np.ndarray, count: int, table: np.ndarray,
                 scale: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Where a shaped line's glyph masks go, drawn from x `origin`: rows (offset, height, width, x, y) for
    `combine_glyphs`, and the atlas keys of the masks not made yet (then the rows are not all valid).

    `shaped` holds per glyph (id, x advance, x offset, y offset) in 1/`scale` px. A glyph's x is
    origin + (pen + x offset) / scale; Skia positions it in 1/`steps` px slots, slot = floor((x + 1/(2 steps))
    * steps): its mask is the atlas's for phase slot % steps (`index[id * steps + phase]`, rows under
    `count` made), at pixel slot // steps, and at y round(-y offset / scale) (halves up)."""
    n = shaped.shape[1]
    out = np.zeros((n, 5), np.int64)
    missing = np.empty(n, np.int64)
    m, pen = 0, 0
    for k in range(n):
        x = (pen + shaped[2, k]) / scale
        pen += shaped[1, k]
        slot = np.int64(np.floor((origin + x + 1 / (2 * steps)) * steps))
        key = shaped[0, k] * steps + slot % steps
        row = index[key]
        if row < 0 or row >= count:
            missing[m] = key
            m += 1
            continue
        out[k, 0], out[k, 1], out[k, 2] = table[row, 0], table[row, 1], table[row, 2]
        out[k, 3] = slot // steps + table[row, 3]
        out[k, 4] = np.int64(np.floor(-shaped[3, k] / scale + 0.5)) - table[row, 4]
    return out, missing[:m]


@numba.njit(cache=True, nogil=True)
def combine_glyphs(arena: np.ndarray, glyphs: np.ndarray, lut: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Coverage of glyphs blitted one after another (src-over): round(255 * (1 - prod(1 - a))),
    a = lut[coverage] / 255, in float32 as numpy computes it; with the (x, y) of its top-left pixel.
    Each row of `glyphs` (offset, height, width, x, y) is a mask in `arena` from the offset, placed with
    its top-left at (x, y); masks without pixels are skipped (none with any: an empty mask)."""
    x0 = y0 = np.int64(1) << 40
    x1 = y1 = -x0
    for k in range(glyphs.shape[0]):
        if glyphs[k, 1] and glyphs[k, 2]:
            x0, y0 = min(x0, glyphs[k, 3]), min(y0, glyphs[k, 4])
            x1, y1 = max(x1, glyphs[k, 3] + glyphs[k, 2]), max(y1, glyphs[k, 4] + glyphs[k, 1])
    if x1 < x0:
        return np.zeros((0, 0), np.uint8), 0, 0
    h, w = y1 - y0, x1 - x0
    keep = np.ones((h, w), np.float32)
    for k in range(glyphs.shape[0]):
        off, gh, gw, gx, gy = glyphs[k, 0], glyphs[k, 1], glyphs[k, 2], glyphs[k, 3] - x0, glyphs[k, 4] - y0
        for j in range(gh):
            for i in range(gw):
                a = np.float32(lut[arena[off + j * gw + i]]) / np.float32(255)
                keep[gy + j, gx + i] *= np.float32(1) - a
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
