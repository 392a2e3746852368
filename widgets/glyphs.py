"""Glyph masks rasterized the way Chromium does on Linux, kept per font and size in one arena.

FreeType hints a glyph's outline (light: vertical only) and Skia's own path
rasterizer fills it, shifted by its 1/4 px x phase (Skia's subpixel
positioning). A font and size's masks at every phase sit in one `Atlas`, made
when first needed, so that `pixels.place_glyphs` finds a run's masks with one
array lookup and `pixels.combine_glyphs` reads them in place (`text` composes
runs from them).
"""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import freetype
import numpy as np
import skia

FONT_DIR = Path(__file__).parent / "fonts"
FONT_FILES = {False: FONT_DIR / "DejaVuSans.ttf", True: FONT_DIR / "DejaVuSans-Bold.ttf"}
SUBPIXEL_STEPS = 4    # Skia's glyph x positions: 1/4 px

_LOAD_FLAGS = freetype.FT_LOAD_TARGET_LIGHT | freetype.FT_LOAD_NO_BITMAP
_FT_LOCK = threading.Lock()
_ATLAS_LOCK = threading.Lock()   # one thread adds masks to an atlas at a time


@lru_cache(maxsize=None)
def _ft_face(bold: bool, size: int) -> freetype.Face:
    face = freetype.Face(str(FONT_FILES[bold]))
    face.set_char_size(size * 64)
    return face


def _glyph(bold: bool, size: int, gid: int, phase: int) -> tuple[np.ndarray, int, int]:
    """Coverage of a glyph shifted right by phase/4 px: (uint8[h, w], left, top).

    FreeType hints the outline (light: vertical only); Skia's own path
    rasterizer fills it, as Chromium does (FreeType's rasterizer gives other
    coverage on near-horizontal edges: up to 30 levels on bowls).
    """
    dx, s = phase / SUBPIXEL_STEPS, 1 / 64
    path = skia.Path()

    def move(a, _):
        path.moveTo(a.x * s + dx, -a.y * s)
        return 0

    def line(a, _):
        path.lineTo(a.x * s + dx, -a.y * s)
        return 0

    def quad(a, b, _):
        path.quadTo(a.x * s + dx, -a.y * s, b.x * s + dx, -b.y * s)
        return 0

    def cubic(a, b, c, _):
        path.cubicTo(a.x * s + dx, -a.y * s, b.x * s + dx, -b.y * s, c.x * s + dx, -c.y * s)
        return 0

    with _FT_LOCK:   # a FreeType face is not thread-safe (renderers may run in threads)
        face = _ft_face(bold, size)
        face.load_glyph(gid, _LOAD_FLAGS)
        face.glyph.outline.decompose(None, move_to=move, line_to=line, conic_to=quad, cubic_to=cubic)
    bounds = path.computeTightBounds().roundOut()
    w, h = bounds.width(), bounds.height()
    if path.isEmpty() or w <= 0 or h <= 0:
        return np.zeros((0, 0), np.uint8), 0, 0
    surface = skia.Surface.MakeRaster(skia.ImageInfo.Make(w, h, skia.kAlpha_8_ColorType, skia.kPremul_AlphaType))
    canvas = surface.getCanvas()
    canvas.clear(0)
    canvas.translate(-bounds.left(), -bounds.top())
    canvas.drawPath(path, skia.Paint(AntiAlias=True, Color=skia.ColorWHITE))
    cov = np.asarray(surface.makeImageSnapshot().toarray(colorType=skia.kAlpha_8_ColorType)).reshape(h, w).copy()
    return cov, bounds.left(), -bounds.top()


class Atlas:
    """Every glyph mask of one font and size at each 1/4 px phase, made when first needed, in one arena."""

    def __init__(self, bold: bool, size: int):
        self.bold, self.size = bold, size
        self.index = np.full(_ft_face(bold, size).num_glyphs * SUBPIXEL_STEPS, -1, np.int64)  # gid*4+phase -> row
        self.table = np.zeros((256, 5), np.int64)   # per mask: arena offset, height, width, left, top
        self.arena = np.zeros(1 << 16, np.uint8)
        self.count = self.used = 0

    def add(self, keys: np.ndarray) -> None:
        """Make the masks `keys` (glyph * 4 + phase). A row's pixels and table entry are written, and a
        grown table or arena published, before the row is counted: rows under a `count` read first are
        complete in the `table` and `arena` read after it (`place_glyphs` takes the others for missing)."""
        with _ATLAS_LOCK:
            for key in np.unique(keys).tolist():
                if self.index[key] < 0:
                    self._add(key)

    def _add(self, key: int) -> None:
        cov, left, top = _glyph(self.bold, self.size, *divmod(key, SUBPIXEL_STEPS))
        if self.count == len(self.table):
            self.table = np.concatenate([self.table, np.zeros_like(self.table)])
        if self.used + cov.size > self.arena.size:
            self.arena = np.concatenate([self.arena, np.zeros(max(self.arena.size, cov.size), np.uint8)])
        self.arena[self.used:self.used + cov.size] = cov.ravel()
        self.table[self.count] = (self.used, cov.shape[0], cov.shape[1], left, top)
        self.used += cov.size
        self.index[key] = self.count
        self.count += 1


@lru_cache(maxsize=None)
def atlas(bold: bool, size: int) -> Atlas:
    return Atlas(bold, size)
