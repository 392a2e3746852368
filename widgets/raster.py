"""Skia rasterization of a laid-out widget tree into a numpy RGB frame.

Boxes are painted the way Blink paints them (border as a rounded-rect stroke
inset by half its width, background under it), canvas items
the way canvas 2D does, so that frames match the HTML twins. The surface is a
numpy RGBA buffer owned by the renderer; `render` copies its RGB planes into
the caller's `uint8[H, W, 3]` frame (the one copy Skia's 4-byte pixels need).
Between frames only damaged rectangles are repainted (`damage`), and a
damaged canvas only from where its display list changed (`retained`).
"""
from __future__ import annotations

import math
from collections import OrderedDict
from functools import lru_cache, partial

import numpy as np
import skia

from .colors import skcolor
from .layout import Layout, Rect, layout
from .damage import damaged, paint_key
from .pixels import blend_mask, blend_rows, rgba_to_rgb, to_opaque_rgba
from .nodes import Box, Button, Canvas, Circle, Image, Label, Line, Node, Picture, Polyline, Text
from .retained import Shown, update
from .sprites import SpriteCache, draw_shape, shape_keys, shape_paint
from .text import TEXT, blend_table
from .tiles import Tiles
from .theme import Theme

_NEAREST = skia.SamplingOptions(skia.FilterMode.kNearest)
# canvas 2D `imageSmoothingQuality='low'` is Skia's linear filter with nearest mipmaps: identical when
# downscaling; upscaling leaves +-1 at integer factors and up to ~20 levels at others (Chromium 156).
_LINEAR = skia.SamplingOptions(skia.FilterMode.kLinear, skia.MipmapMode.kNearest)
_DEFAULT = skia.SamplingOptions()
_TILE_MAX_AREA = 24_000    # px: a button or a status bar, not a canvas
_SHAPES = (Circle, Line, Polyline)
_CANVASES = (Canvas, Picture)


@lru_cache(maxsize=1024)
def _fill_paint(color: str, antialias: bool) -> skia.Paint:
    """Paints are cached (never modified after creation): building one costs more than a small draw."""
    return skia.Paint(Color=skcolor(color), AntiAlias=antialias)


@lru_cache(maxsize=1024)
def _stroke_paint(color: str, width: float) -> skia.Paint:
    return skia.Paint(Color=skcolor(color), AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=width)


@lru_cache(maxsize=1024)
def _opaque(color: str | None) -> bool:
    return bool(color) and (skcolor(color) >> 24) == 255


def _covers(node: Node) -> bool:
    """Does `node` paint every pixel of its rectangle opaquely (so nothing beneath it shows)?"""
    t = type(node)
    if t is Button:
        return False
    if t is Canvas or t is Picture or isinstance(node, (Canvas, Picture)):
        return bool(node.items and isinstance(node.items[0], Image)) or _opaque(node.background)
    if t is Label or isinstance(node, Label):
        return _opaque(node.background)
    if t is Box or isinstance(node, Box):
        return node.radius == 0 and not (node.border and node.border_width) and _opaque(node.background)
    return False


def _text_origin(item: Text) -> tuple[float, float]:
    """(x, baseline) of a canvas text: canvas 2D textAlign='center' (origin moved by half the float width),
    textBaseline='middle' (Blink: from the OS/2 typo metrics normalised to the em)."""
    return (item.x - TEXT.width(item.text, item.size, item.bold) / 2,
            item.y + TEXT.middle_offset(item.size, item.bold))


def _text_box(item: Text) -> tuple[int, int, int, int] | None:
    """The canvas pixels (x0, y0, x1, y1) of a canvas text's coverage mask; None: it paints nothing."""
    placed = TEXT.place(item.text, *_text_origin(item), item.size, skcolor(item.color), item.bold)
    if placed is None:
        return None
    mask, ix, iy = placed
    return ix, iy, ix + mask.shape[1], iy + mask.shape[0]


def _rrect(rect: Rect, inset: float, radius: float) -> skia.RRect:
    r = skia.Rect.MakeLTRB(rect.x0 + inset, rect.y0 + inset, rect.x1 - inset, rect.y1 - inset)
    rad = max(radius - inset, 0.0)
    return skia.RRect.MakeRectXY(r, rad, rad)


def paint_box(canvas: skia.Canvas, rect: Rect, background: str | None, border: str | None,
              border_width: int, radius: int) -> None:
    """Blink's way: the border is a rounded-rect stroke inset by half its width, and the background
    fills the rounded rect of that stroke's centre line (Blink shrinks backgrounds under opaque
    rounded borders to avoid bleeding). Measured against Chromium 156: corners within 4 levels for
    radius 4 (up to 32 for radius 8 with a light background); painting the background on the
    padding box instead leaves up to 70.
    """
    bw = border_width if border else 0
    if background:
        paint = _fill_paint(background, radius > 0)
        if radius > 0:
            canvas.drawRRect(_rrect(rect, bw / 2, radius), paint)
        else:
            canvas.drawRect(skia.Rect.MakeLTRB(rect.x0 + bw, rect.y0 + bw, rect.x1 - bw, rect.y1 - bw), paint)
    if bw:
        paint = _stroke_paint(border, bw)
        canvas.drawRRect(_rrect(rect, bw / 2, radius), paint)


class Renderer:
    """Draws trees of one window size; keeps the surface and image caches."""

    def __init__(self, theme: Theme, image_cache: int = 256, incremental: bool = True,
                 tile_cache_bytes: int = 8 << 20, fast_items: bool = True, mask_cache_bytes: int = 16 << 20):
        self.theme = theme
        self.incremental = incremental   # repaint only damaged rectangles (bit-identical to a full redraw)
        # canvas shapes blended from cached coverage masks (`sprites`) instead of drawn by Skia; False draws
        # them all with Skia, the reference the fast path is tested against
        self.fast_items = fast_items
        self._prev: Layout | None = None
        self._rgba: np.ndarray | None = None
        self._surface: skia.Surface | None = None
        self._images: OrderedDict[int, tuple[np.ndarray, skia.Image]] = OrderedDict()
        self._image_cache = image_cache
        self._opaque_window = _opaque(theme.window_bg)   # every pixel stays opaque: text can use blend_mask
        self._clip = (0, 0, 0, 0)     # device clip rectangle and translation while painting
        self._org = (0, 0)
        self._tiles = Tiles(tile_cache_bytes)   # repainted rectangles, see _repaint
        self._geometries: dict[int, tuple[tuple[Rect, ...], dict]] = {}   # see _geometry
        self._sprites = SpriteCache(mask_cache_bytes) if fast_items and self._opaque_window else None
        self._shown: dict[int, Shown] = {}   # canvases (by index in `placed`) whose pixels are retained

    # -- resources ---------------------------------------------------------
    def _canvas_for(self, w: int, h: int) -> skia.Canvas:
        if self._rgba is None or self._rgba.shape[:2] != (h, w):
            self._rgba = np.zeros((h, w, 4), np.uint8)
            self._surface = skia.Surface(self._rgba, colorType=skia.kRGBA_8888_ColorType,
                                         alphaType=skia.kPremul_AlphaType)
            self._canvas = self._surface.getCanvas()
        return self._canvas

    def _skimage(self, pixels: np.ndarray) -> skia.Image:
        hit = self._images.get(id(pixels))
        if hit is not None and hit[0] is pixels:
            self._images.move_to_end(id(pixels))
            return hit[1]
        image = skia.Image.fromarray(to_opaque_rgba(pixels, "Image.pixels"), colorType=skia.kRGBA_8888_ColorType,
                                     alphaType=skia.kOpaque_AlphaType)
        self._images[id(pixels)] = (pixels, image)   # keyed by the task's array (a 2-D one used to miss every time)
        if len(self._images) > self._image_cache:
            self._images.popitem(last=False)
        return image

    # -- painting ----------------------------------------------------------
    def render(self, root: Node | Layout, out: np.ndarray | None = None) -> np.ndarray:
        lay = root if isinstance(root, Layout) else layout(root, self.theme)
        canvas = self._canvas_for(lay.width, lay.height)
        if self._sprites is not None:
            self._sprites.begin_frame((lay.width, lay.height))
        dirty = damaged(self._prev, lay) if self.incremental else None
        self._org = (0, 0)
        if dirty is None:
            self._clip = (0, 0, lay.width, lay.height)
            canvas.clear(skcolor(self.theme.window_bg))
            for node, rect in lay.placed:
                self._paint(canvas, node, rect)
            if self.incremental:
                self._shown = {}
                self._retain(lay, [i for i, (node, _) in enumerate(lay.placed) if type(node) in _CANVASES], None)
        elif dirty:
            self._repaint(canvas, lay, dirty)
        self._prev = lay
        if out is None:
            out = np.empty((lay.height, lay.width, 3), np.uint8)
        elif out.shape != (lay.height, lay.width, 3) or out.dtype != np.uint8:
            raise ValueError(f"out: expected uint8 {(lay.height, lay.width, 3)}, got {out.dtype} {out.shape}")
        rgba_to_rgb(self._rgba, out)
        return out

    def _repaint(self, canvas: skia.Canvas, lay: Layout, dirty: list[Rect]) -> None:
        """Repaint each damaged rectangle under a rectangular clip, from the top-most node that covers it
        opaquely (nothing beneath it can show), or from a cleared window when none does. Overlapping
        rectangles are painted twice, which gives the same pixels (`damage` drops those inside another).
        A retained canvas is repainted from where its display list changed (`_repaint_retained`).

        A rectangle's pixels are a function of the nodes painted into it (what each paints, where), so
        small rectangles without a canvas (buttons, labels) are memoised: a button's few looks, a status
        text seen before, come back as one copy of the pixels painted the first time."""
        placed = lay.placed
        for r in dirty:
            holders, meeting = self._geometry(lay, r)
            start = -1
            for i in holders:
                if _covers(placed[i][0]):
                    start = i
                    break
            painted = [j for j in meeting if j >= start]
            stack = [placed[j] for j in painted]
            if start in self._shown and self._repaint_retained(canvas, r, dirty, self._shown[start], stack):
                continue
            key = None
            if (r.x1 - r.x0) * (r.y1 - r.y0) <= _TILE_MAX_AREA and self._tiles.budget > 0 and not any(
                    isinstance(node, (Canvas, Picture)) for node, _ in stack):
                key = (r.x0, r.y0, r.x1, r.y1, start < 0,
                       tuple((paint_key(node), rect.x0, rect.y0, rect.x1, rect.y1) for node, rect in stack))
                tile = self._tiles.get(key)
                if tile is not None:
                    self._rgba[r.y0:r.y1, r.x0:r.x1] = tile
                    continue
            canvas.save()
            canvas.clipRect(skia.Rect.MakeLTRB(r.x0, r.y0, r.x1, r.y1))
            self._clip = (r.x0, r.y0, r.x1, r.y1)
            if start < 0:
                canvas.clear(skcolor(self.theme.window_bg))
            for node, rect in stack:
                self._paint(canvas, node, rect)
            canvas.restore()
            self._retain(lay, painted, r)
            if key is not None:
                self._tiles.put(key, self._rgba[r.y0:r.y1, r.x0:r.x1].copy())

    def _retain(self, lay: Layout, painted: list[int], r: Rect | None) -> None:
        """After the nodes at indices `painted` were painted under clip `r` (None: the window): forget the
        canvases whose pixels that changed, and retain each canvas painted whole that no later node meets."""
        if r is not None:
            for j in [j for j, s in self._shown.items() if s.rect.x0 < r.x1 and r.x0 < s.rect.x1
                      and s.rect.y0 < r.y1 and r.y0 < s.rect.y1]:
                del self._shown[j]
        for j in painted:
            node, rect = lay.placed[j]
            if type(node) in _CANVASES and (r is None or (r.x0 <= rect.x0 and r.y0 <= rect.y0 and r.x1 >= rect.x1
                                                          and r.y1 >= rect.y1)) \
                    and self._geometry(lay, rect)[1][-1] == j:
                self._shown[j] = Shown(node, rect)

    def _repaint_retained(self, canvas: skia.Canvas, r: Rect, dirty: list[Rect], shown: Shown, stack: list) -> bool:
        """Damage that is a retained canvas's rectangle, met by no other damage and by no node painted after
        the canvas: repaint it from where its display list changed (`retained.update`). False: not done."""
        if len(stack) != 1 or stack[0][1] != r or (len(dirty) > 1 and any(
                o is not r and o.x0 < r.x1 and r.x0 < o.x1 and o.y0 < r.y1 and r.y0 < o.y1 for o in dirty)):
            return False
        node = stack[0][0]
        return update(shown, node, r, self._rgba, partial(self._paint_suffix, canvas, node, r), _text_box)

    def _paint_suffix(self, canvas: skia.Canvas, node: Canvas | Picture, rect: Rect, start: int) -> None:
        self._clip = (rect.x0, rect.y0, rect.x1, rect.y1)   # what a repaint of the damaged canvas clips to
        self._paint_canvas(canvas, node, rect, start)

    def _geometry(self, lay: Layout, r: Rect) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(indices of the nodes whose rectangle holds `r`, top-most first; of those meeting `r`, in paint
        order): a function of the layout's shape, kept per shape (damaged rectangles are nodes' own)."""
        rects = lay.rects if lay.rects is not None else tuple(rect for _, rect in lay.placed)
        per_shape = self._geometries.get(id(rects))
        if per_shape is None or per_shape[0] is not rects:
            if len(self._geometries) >= 64:
                self._geometries.pop(next(iter(self._geometries)))
            per_shape = self._geometries[id(rects)] = (rects, {})   # `rects` kept alive: its id stays its own
        got = per_shape[1].get(r)
        if got is None:
            holders = tuple(i for i in range(len(rects) - 1, -1, -1) if rects[i].x0 <= r.x0 and rects[i].y0 <= r.y0
                            and rects[i].x1 >= r.x1 and rects[i].y1 >= r.y1)
            meeting = tuple(i for i, o in enumerate(rects) if o.x0 < r.x1 and r.x0 < o.x1 and o.y0 < r.y1
                            and r.y0 < o.y1)
            got = per_shape[1][r] = (holders, meeting)
        return got

    def _paint(self, canvas: skia.Canvas, node: Node, rect: Rect) -> None:
        th = self.theme
        if isinstance(node, Box):
            if node.background or node.border_width:
                paint_box(canvas, rect, node.background, node.border, node.border_width, node.radius)
        elif isinstance(node, Button):
            if not node.enabled:
                bg, border, fg = th.button_disabled_bg, th.button_border, th.button_disabled_text
            elif node.active:
                bg, border, fg = th.button_active_bg, th.button_active_border, th.button_text
            else:
                bg, border, fg = th.button_bg, th.button_border, th.button_text
            paint_box(canvas, rect, bg, border, th.border_width, th.radius)
            size = node.font_size or th.font_size
            self._text_in(canvas, node.label, rect, size, fg, False, "center", 0)
        elif isinstance(node, Label):
            if node.background:
                paint_box(canvas, rect, node.background, None, 0, 0)
            size = node.font_size or th.font_size
            self._text_in(canvas, node.text, rect, size, node.color or th.text, node.bold, node.align, node.padding_x)
        elif isinstance(node, (Canvas, Picture)):
            self._paint_canvas(canvas, node, rect)

    def _draw_text(self, canvas: skia.Canvas, text: str, x: float, baseline: float, size: int, color: int,
                   bold: bool) -> None:
        """TEXT.draw's pixels; blended by `pixels.blend_mask` through `text.blend_table` when the window is opaque."""
        table = blend_table(color) if self._opaque_window else None
        if table is None:
            TEXT.draw(canvas, text, x, baseline, size, color, bold)
            return
        placed = TEXT.place(text, x, baseline, size, color, bold)
        if placed is not None:
            mask, ix, iy = placed
            blend_mask(self._rgba, mask, ix + self._org[0], iy + self._org[1], self._clip, table)

    def _text_in(self, canvas: skia.Canvas, text: str, rect: Rect, size: int, color: str, bold: bool,
                 align: str, padding_x: int) -> None:
        if not text:
            return
        base = TEXT.baseline_in_box(rect.y0, rect.h, size, bold)
        if align == "left":
            x = rect.x0 + padding_x
        else:
            # Blink lays lines out in LayoutUnits (1/64 px): the run's width is snapped up to one,
            # and centring halves the free space with integer division of those units.
            tw64 = math.ceil(TEXT.width(text, size, bold) * 64)
            if align == "center":
                x = rect.x0 + ((rect.w * 64 - tw64) // 2) / 64
            else:
                x = rect.x1 - padding_x - tw64 / 64
        self._draw_text(canvas, text, x, base, size, skcolor(color), bold)

    def _paint_canvas(self, canvas: skia.Canvas, node: Canvas | Picture, rect: Rect, start: int = 0) -> None:
        """Paint `node.items[start:]` (and the background first when `start` is 0)."""
        canvas.save()
        canvas.clipRect(skia.Rect.MakeLTRB(rect.x0, rect.y0, rect.x1, rect.y1))
        if not start and not (node.items and isinstance(node.items[0], Image)):   # an image covers it opaquely
            canvas.drawRect(skia.Rect.MakeLTRB(rect.x0, rect.y0, rect.x1, rect.y1), _fill_paint(node.background, False))
        canvas.translate(rect.x0, rect.y0)
        clip = self._clip
        self._clip = (max(clip[0], rect.x0), max(clip[1], rect.y0), min(clip[2], rect.x1), min(clip[3], rect.y1))
        self._org = (rect.x0, rect.y0)
        sprites, rows = self._sprites, []
        for item in (node.items[start:] if start else node.items):
            plan = None
            if sprites is not None and type(item) in _SHAPES:
                plan = sprites.plan(item, self._org, self._clip)
            if plan is None:
                if rows:
                    blend_rows(self._rgba, sprites.arenas(), rows, self._clip)
                    rows = []
                self._paint_item(canvas, item, node)
            else:
                rows += plan   # blended with their neighbours, in order, before Skia draws again
        if rows:
            blend_rows(self._rgba, sprites.arenas(), rows, self._clip)
        self._clip, self._org = clip, (0, 0)
        canvas.restore()

    def _draw_shape(self, canvas: skia.Canvas, key: tuple, color: str) -> None:
        draw_shape(canvas, key, shape_paint(key, skcolor(color)))

    def _paint_item(self, canvas: skia.Canvas, item, node: Canvas | Picture) -> None:
        if isinstance(item, Image):
            img = self._skimage(item.pixels)
            if not item.smooth and item.pixels.shape[:2] == (node.height, node.width):
                canvas.drawImage(img, 0, 0)    # 1:1: a blit (drawImageRect costs twice as much)
            else:
                dst = skia.Rect.MakeWH(node.width, node.height)
                canvas.drawImageRect(img, dst, _LINEAR if item.smooth else _NEAREST)
        elif isinstance(item, (Circle, Line, Polyline)):
            for key, color in shape_keys(item):
                self._draw_shape(canvas, key, color)
        elif isinstance(item, Text):
            self._draw_text(canvas, item.text, *_text_origin(item), item.size, skcolor(item.color), item.bold)
        else:
            raise ValueError(f"canvas item: unknown type {type(item).__name__}")
