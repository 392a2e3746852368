"""Canvas overlay items as cached coverage masks: the same pixels as Skia, without Skia's per-draw work.

Skia draws an anti-aliased shape in an opaque colour as, per channel,
`result = (s * c + d * (255 - c) + 255) >> 8`, where `s` is the colour, `d`
the destination and `c` the shape's coverage of the pixel: the coverage Skia
itself computes when it draws the same shape, through the same device matrix,
into an A8 surface (measured bit for bit; `tests/test_sprites.py` checks every
task's episodes against plain Skia draws). Stroking and scan-converting a
circle costs Skia 12-20 us, a line ~20 us; blending a cached mask costs ~1 us.

Overlay items come back at the same place frame after frame (a track's dots on
every slice), so masks are cached by (geometry, device origin). An item seen
for the first time is drawn by Skia and only remembered: one that changes
every frame (a polygon being traced) never pays for a mask it will not reuse.
Translucent colours are left to Skia (the formula above is for opaque ones).
"""
from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

import numpy as np
import skia

from .nodes import Circle, Line, Polyline
from .pixels import blend_coverage

_MITER_LIMIT = 10     # canvas 2D's miterLimit, used by polylines (raster._stroke_paint)


def paint_geometry(key: tuple) -> tuple[float | None, bool]:
    """(stroke width or None for a fill, canvas 2D's miter joins?) of the paint that draws shape `key`."""
    kind = key[0]
    if kind == "stroke_circle":
        return key[4], False
    if kind == "line":
        return key[5], False
    if kind == "stroke_polyline":
        return key[3], True
    return None, False


@lru_cache(maxsize=64)
def _mask_paint(stroke_width: float | None, miter10: bool) -> skia.Paint:
    """Opaque black (only coverage matters), with the geometry of raster's fill or stroke paint."""
    if stroke_width is None:
        return skia.Paint(Color=0xFF000000, AntiAlias=True)
    if miter10:
        return skia.Paint(Color=0xFF000000, AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=stroke_width,
                          StrokeJoin=skia.Paint.kMiter_Join, StrokeMiter=_MITER_LIMIT)
    return skia.Paint(Color=0xFF000000, AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=stroke_width)


def draw_shape(canvas: skia.Canvas, key: tuple, paint: skia.Paint) -> None:
    """Draw shape `key` with Skia (what a cached mask reproduces)."""
    kind = key[0]
    if kind in ("fill_circle", "stroke_circle"):
        canvas.drawCircle(key[1], key[2], key[3], paint)
    elif kind == "line":
        canvas.drawLine(key[1], key[2], key[3], key[4], paint)
    else:
        path = skia.Path()
        points = key[1]
        path.moveTo(*points[0])
        for p in points[1:]:
            path.lineTo(*p)
        if key[2]:
            path.close()
        canvas.drawPath(path, paint)


def _reach(key: tuple) -> tuple[float, float, float, float]:
    """A rectangle (canvas coordinates) that holds every pixel the shape can touch."""
    kind = key[0]
    if kind in ("fill_circle", "stroke_circle"):
        x, y, r = key[1:4]
        m = r + (key[4] if kind == "stroke_circle" else 0) + 2
        return x - m, y - m, x + m, y + m
    if kind == "line":
        x0, y0, x1, y1, w = key[1:6]
        m = w + 2
        return min(x0, x1) - m, min(y0, y1) - m, max(x0, x1) + m, max(y0, y1) + m
    xs = [p[0] for p in key[1]]
    ys = [p[1] for p in key[1]]
    m = (key[3] * _MITER_LIMIT if kind == "stroke_polyline" else 0) + 2   # a miter reaches limit * width / 2
    return min(xs) - m, min(ys) - m, max(xs) + m, max(ys) + m


def maskable(key: tuple) -> bool:
    """Strokes of width <= 1 are drawn as hairlines with coverage Skia scales in its own way: left to Skia."""
    width = paint_geometry(key)[0]
    return width is None or width > 1


def shape_keys(item) -> list[tuple[tuple, str]]:
    """(geometry key, colour) of each shape `raster` draws for `item`, in drawing order."""
    if isinstance(item, Circle):
        out = []
        if item.fill:
            out.append((("fill_circle", item.x, item.y, item.r), item.fill))
        if item.stroke:
            out.append((("stroke_circle", item.x, item.y, item.r, item.stroke_width), item.stroke))
        return out
    if isinstance(item, Line):
        return [(("line", item.x0, item.y0, item.x1, item.y1, item.width), item.color)]
    if isinstance(item, Polyline):
        if len(item.points) < 2:
            return []
        pts = tuple(tuple(p) for p in item.points)
        out = []
        if item.fill:
            out.append((("fill_polyline", pts, item.closed), item.fill))
        if item.color:
            out.append((("stroke_polyline", pts, item.closed, item.width), item.color))
        return out
    raise TypeError(type(item).__name__)


class SpriteCache:
    """Coverage masks of one window size, by (shape key, device origin of the canvas)."""

    def __init__(self, budget_bytes: int = 16 << 20):
        self._masks: OrderedDict[tuple, tuple[np.ndarray, int, int]] = OrderedDict()
        self._seen: OrderedDict[tuple, None] = OrderedDict()
        self._bytes = 0
        self._budget = budget_bytes
        self._a8: np.ndarray | None = None

    def _surface(self, w: int, h: int) -> skia.Canvas:
        if self._a8 is None or self._a8.shape != (h, w):
            self._masks.clear()
            self._seen.clear()
            self._bytes = 0
            self._a8 = np.zeros((h, w), np.uint8)
            self._a8_surface = skia.Surface(self._a8, colorType=skia.kAlpha_8_ColorType,
                                            alphaType=skia.kPremul_AlphaType)
        return self._a8_surface.getCanvas()

    def get(self, key: tuple, org: tuple[int, int], window: tuple[int, int], clip: tuple[int, int, int, int]):
        """(mask, x, y) for the shape at device origin `org`, or None: draw it with Skia this time.

        Skia's coverage equals the A8 mask's only where Skia does not clip the path itself: a shape
        that reaches past `clip` (a dot on the canvas's edge) is drawn by Skia."""
        full = (key, org)
        hit = self._masks.get(full)
        if hit is not None:
            self._masks.move_to_end(full)
            reach = hit[3]
            if reach[0] < clip[0] or reach[1] < clip[1] or reach[2] > clip[2] or reach[3] > clip[3]:
                return None
            return hit
        seen = self._seen.get(full, False)
        if seen is not None:
            if seen is False:
                self._seen[full] = None
                if len(self._seen) > 8192:
                    self._seen.popitem(last=False)
            return None
        canvas = self._surface(*window)
        canvas.save()
        canvas.translate(*org)
        draw_shape(canvas, key, _mask_paint(*paint_geometry(key)))
        canvas.restore()
        x0, y0, x1, y1 = _reach(key)
        reach = (int(np.floor(x0)) + org[0], int(np.floor(y0)) + org[1], int(np.ceil(x1)) + org[0],
                 int(np.ceil(y1)) + org[1])
        h, w = self._a8.shape
        ix0, iy0, ix1, iy1 = max(reach[0], 0), max(reach[1], 0), min(reach[2], w), min(reach[3], h)
        if ix0 >= ix1 or iy0 >= iy1:
            mask = np.zeros((0, 0), np.uint8)
        else:
            region = self._a8[iy0:iy1, ix0:ix1]
            mask = region.copy()
            region[...] = 0
        if self._a8.any():   # the shape reached past `_reach`: never cache it (its mask would be cut)
            self._a8[...] = 0
            self._seen[full] = "skia"
            return None
        self._masks[full] = (mask, ix0, iy0, reach)
        self._bytes += mask.nbytes
        while self._bytes > self._budget:
            self._bytes -= self._masks.popitem(last=False)[1][0].nbytes
        return self.get(key, org, window, clip)


def blend(rgba: np.ndarray, sprite: tuple, clip: tuple[int, int, int, int], color: int) -> None:
    mask, x, y = sprite[:3]
    blend_coverage(rgba, mask, x, y, clip, (color >> 16) & 255, (color >> 8) & 255, color & 255)
