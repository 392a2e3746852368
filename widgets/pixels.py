"""Pixel kernels on the render path (numba): numpy's strided RGBA->RGB copy costs ~100x more."""
from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _rgba_to_rgb(src: np.ndarray, dst: np.ndarray) -> None:
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
