"""Canvas overlay items as cached coverage masks: the same pixels as Skia, without Skia's per-draw work.

Skia draws an anti-aliased shape in an opaque colour as, per channel,
`result = (s * c + d * (255 - c) + 255) >> 8`, where `s` is the colour, `d`
the destination and `c` the shape's coverage of the pixel: the coverage Skia
itself computes when it draws the same shape, through the same device matrix
into an A8 surface (measured bit for bit; the task battery and
`tests/test_widgets.py` check it against plain Skia draws). Stroking and
scan-converting a circle costs Skia 6-20 us, a line ~20 us; a cached mask is
one row in a batch that one numba call blends.

Overlay items come back at the same place frame after frame (a track's dots on
every slice), so masks are cached per (item, canvas origin, clip). An item
seen for the first time is drawn by Skia and only remembered: one that changes
every frame (a polygon being traced) never pays for a mask it will not reuse.
Translucent colours and hairlines are left to Skia.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import skia

from .colors import skcolor
from .nodes import Circle, Line, Polyline
from .pixels import take_mask

_MITER_LIMIT = 10     # canvas 2D's miterLimit: polylines are stroked with miter joins
# shapes whose coverage drawn into an A8 surface under a clip is the coverage of the same clipped draw into
# RGBA (0 misses in 3,000 random circles and lines cut by a clip; polylines: 17 of 600 differ by 1 level)
_CLIPPED_ALIKE = frozenset({"fill_circle", "stroke_circle", "line"})


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


def shape_paint(key: tuple, color: int) -> skia.Paint:
    """The paint that draws shape `key` in ARGB `color`: the frame's draws and the masks share it, so a
    mask has exactly the geometry (stroke width, canvas 2D's miter joins) of the draw it replaces."""
    return _paint(*paint_geometry(key), color)


@lru_cache(maxsize=1024)
def _paint(stroke_width: float | None, miter10: bool, color: int) -> skia.Paint:
    """Cached (never modified after creation): building a paint costs more than a small draw."""
    if stroke_width is None:
        return skia.Paint(Color=color, AntiAlias=True)
    if miter10:
        return skia.Paint(Color=color, AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=stroke_width,
                          StrokeJoin=skia.Paint.kMiter_Join, StrokeMiter=_MITER_LIMIT)
    return skia.Paint(Color=color, AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=stroke_width)


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


def reach(key: tuple) -> tuple[float, float, float, float]:
    """The shape's geometric bounds (canvas coordinates): its pixels, anti-aliased edges included, lie in
    these rounded out by one pixel."""
    kind = key[0]
    if kind in ("fill_circle", "stroke_circle"):
        x, y, r = key[1:4]
        m = r + (key[4] / 2 if kind == "stroke_circle" else 0)
        return x - m, y - m, x + m, y + m
    if kind == "line":   # butt caps: the stroke reaches w/2 across the segment
        x0, y0, x1, y1, w = key[1:6]
        return min(x0, x1) - w / 2, min(y0, y1) - w / 2, max(x0, x1) + w / 2, max(y0, y1) + w / 2
    xs = [p[0] for p in key[1]]
    ys = [p[1] for p in key[1]]
    m = key[3] * _MITER_LIMIT / 2 if kind == "stroke_polyline" else 0   # a miter reaches limit * width / 2
    return min(xs) - m, min(ys) - m, max(xs) + m, max(ys) + m


def maskable(key: tuple) -> bool:
    """Strokes of width <= 1 are hairlines to Skia, drawn segment by segment: no one mask gives their pixels."""
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
    """Coverage masks of one window size, kept in two arenas, planned per (item, canvas origin, clip).

    The clip of a canvas is nearly always the canvas itself, so plans are shared by every frame.
    """

    def __init__(self, budget_bytes: int = 16 << 20):
        self._plans: dict[tuple, tuple | None] = {}   # None: seen once; (): always drawn by Skia
        self._arena = np.zeros(1 << 16, np.uint8)    # masks, row after row
        self._spans = np.zeros(1 << 12, np.int32)    # per mask row: first and one-past-last covered column
        self._used = self._spans_used = 0
        self._budget = budget_bytes
        self._a8: np.ndarray | None = None

    def arenas(self) -> tuple[np.ndarray, np.ndarray]:
        return self._arena, self._spans

    def begin_frame(self, window: tuple[int, int]) -> None:
        """Before a frame is painted (never during one: rows waiting in a batch point into the arena):
        start afresh for a new window size, or when the masks or plans outgrow their budget."""
        if self._a8 is None or self._a8.shape != window[::-1]:
            self._a8 = np.zeros(window[::-1], np.uint8)
            self._a8_surface = skia.Surface(self._a8, colorType=skia.kAlpha_8_ColorType,
                                            alphaType=skia.kPremul_AlphaType)
        elif self._used <= self._budget and len(self._plans) <= 32768:
            return
        self._plans.clear()
        self._used = self._spans_used = 0

    def plan(self, item, org: tuple[int, int], clip: tuple[int, int, int, int]):
        """(row, ...) for `pixels.blend_rows`, one per shape of `item` in drawing order, or None: Skia draws it.

        Skia draws an item the first time it is seen (a second sighting earns masks) and always when
        one of its shapes cannot be a mask: a translucent colour, a hairline (a stroke of width <= 1,
        which Skia draws segment by segment, blending the joints twice), a polyline the clip cuts (Skia
        then clips the path and rounds the edge row its own way), a shape reaching past `reach`. A circle
        or line the clip cuts gets the mask of its clipped draw."""
        full = (item, org, clip)
        try:
            got = self._plans.get(full, False)
        except TypeError:   # unhashable (a list of points): nothing to key a mask by
            return None
        if got:
            return got
        if got is False:   # first sighting
            self._plans[full] = None
            return None
        if got == ():
            return None
        rows = []
        for key, color in shape_keys(item):
            c = skcolor(color)
            row = self._mask_row(key, org, clip, c) if (c >> 24) == 255 and maskable(key) else None
            if row is None:
                rows = []
                break
            rows.append(row)
        plan = self._plans[full] = tuple(rows)
        return plan or None

    def _mask_row(self, key: tuple, org: tuple[int, int], clip: tuple[int, int, int, int], color: int):
        x0, y0, x1, y1 = reach(key)
        ix0, iy0 = math.floor(x0) - 1 + org[0], math.floor(y0) - 1 + org[1]
        ix1, iy1 = math.ceil(x1) + 1 + org[0], math.ceil(y1) + 1 + org[1]
        cut = ix0 < clip[0] or iy0 < clip[1] or ix1 > clip[2] or iy1 > clip[3]
        if cut:
            if key[0] not in _CLIPPED_ALIKE:
                return None   # a polygon cut by the clip: Skia's A8 and RGBA draws differ at its edge (+-1)
            ix0, iy0, ix1, iy1 = max(ix0, clip[0]), max(iy0, clip[1]), min(ix1, clip[2]), min(iy1, clip[3])
            if ix0 >= ix1 or iy0 >= iy1:
                return None   # wholly clipped away
        canvas = self._a8_surface.getCanvas()
        canvas.save()
        if cut:   # coverage of the clipped draw, which is not the whole shape's cut at the clip's edge
            canvas.clipRect(skia.Rect.MakeLTRB(*clip))
        canvas.translate(*org)
        draw_shape(canvas, key, shape_paint(key, 0xFF000000))   # opaque black: only coverage matters
        canvas.restore()
        off, soff = self._used, self._spans_used
        w, h = ix1 - ix0, iy1 - iy0
        self._arena = _room(self._arena, off + w * h)
        self._spans = _room(self._spans, soff + 2 * h)
        if take_mask(self._a8, ix0, iy0, ix1, iy1, self._arena, off, self._spans, soff):
            self._a8[...] = 0   # the shape reached past `reach`: Skia draws it (its mask would be cut)
            return None
        self._used += w * h
        self._spans_used += 2 * h
        return off, soff, w, h, ix0, iy0, (color >> 16) & 255, (color >> 8) & 255, color & 255


def _room(arena: np.ndarray, size: int) -> np.ndarray:
    """`arena`, grown by doubling when it holds fewer than `size` values."""
    if size <= arena.size:
        return arena
    return np.concatenate([arena, np.zeros(max(arena.size, size - arena.size), arena.dtype)])
