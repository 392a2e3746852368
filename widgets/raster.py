"""Skia rasterization of a laid-out widget tree into a numpy RGB frame.

Boxes are painted the way Blink paints them (background on the inner rounded
rect, border as a rounded-rect stroke inset by half its width), canvas items
the way canvas 2D does, so that frames match the HTML twins. The surface is a
numpy RGBA buffer owned by the renderer; `render` copies its RGB planes into
the caller's `uint8[H, W, 3]` frame (the one copy Skia's 4-byte pixels need).
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import skia

from .colors import skcolor
from .layout import Layout, Rect, layout
from .nodes import Box, Button, Canvas, Circle, Image, Label, Line, Node, Picture, Polyline, Text
from .text import TEXT
from .theme import Theme

_NEAREST = skia.SamplingOptions(skia.FilterMode.kNearest)
_LINEAR = skia.SamplingOptions(skia.FilterMode.kLinear)


def _rrect(rect: Rect, inset: float, radius: float) -> skia.RRect:
    r = skia.Rect.MakeLTRB(rect.x0 + inset, rect.y0 + inset, rect.x1 - inset, rect.y1 - inset)
    rad = max(radius - inset, 0.0)
    return skia.RRect.MakeRectXY(r, rad, rad)


def paint_box(canvas: skia.Canvas, rect: Rect, background: str | None, border: str | None,
              border_width: int, radius: int) -> None:
    """Blink's way: fill the inner (padding-box) rounded rect, stroke the border at half its width."""
    bw = border_width if border else 0
    if background:
        paint = skia.Paint(Color=skcolor(background), AntiAlias=radius > 0)
        if radius > 0:
            canvas.drawRRect(_rrect(rect, bw, radius), paint)
        else:
            canvas.drawRect(skia.Rect.MakeLTRB(rect.x0 + bw, rect.y0 + bw, rect.x1 - bw, rect.y1 - bw), paint)
    if bw:
        paint = skia.Paint(Color=skcolor(border), AntiAlias=True, Style=skia.Paint.kStroke_Style,
                           StrokeWidth=bw)
        canvas.drawRRect(_rrect(rect, bw / 2, radius), paint)


class Renderer:
    """Draws trees of one window size; keeps the surface and image caches."""

    def __init__(self, theme: Theme, image_cache: int = 256):
        self.theme = theme
        self._rgba: np.ndarray | None = None
        self._surface: skia.Surface | None = None
        self._images: OrderedDict[int, tuple[np.ndarray, skia.Image]] = OrderedDict()
        self._image_cache = image_cache

    # -- resources ---------------------------------------------------------
    def _canvas_for(self, w: int, h: int) -> skia.Canvas:
        if self._rgba is None or self._rgba.shape[:2] != (h, w):
            self._rgba = np.zeros((h, w, 4), np.uint8)
            self._surface = skia.Surface(self._rgba, colorType=skia.kRGBA_8888_ColorType,
                                         alphaType=skia.kPremul_AlphaType)
        return self._surface.getCanvas()

    def _skimage(self, pixels: np.ndarray) -> skia.Image:
        hit = self._images.get(id(pixels))
        if hit is not None and hit[0] is pixels:
            self._images.move_to_end(id(pixels))
            return hit[1]
        if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3):
            raise ValueError(f"Image.pixels: expected uint8 [h,w] or [h,w,3], got {pixels.dtype} {pixels.shape}")
        if pixels.ndim == 2:
            pixels = np.repeat(pixels[:, :, None], 3, axis=2)
        rgba = np.empty(pixels.shape[:2] + (4,), np.uint8)
        rgba[..., :3] = pixels[..., :3]
        rgba[..., 3] = 255
        image = skia.Image.fromarray(rgba, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kOpaque_AlphaType)
        self._images[id(pixels)] = (pixels, image)
        if len(self._images) > self._image_cache:
            self._images.popitem(last=False)
        return image

    # -- painting ----------------------------------------------------------
    def render(self, root: Node | Layout, out: np.ndarray | None = None) -> np.ndarray:
        lay = root if isinstance(root, Layout) else layout(root, self.theme)
        canvas = self._canvas_for(lay.width, lay.height)
        canvas.clear(skcolor(self.theme.window_bg))
        for node, rect in lay.placed:
            self._paint(canvas, node, rect)
        if out is None:
            out = np.empty((lay.height, lay.width, 3), np.uint8)
        elif out.shape != (lay.height, lay.width, 3) or out.dtype != np.uint8:
            raise ValueError(f"out: expected uint8 {(lay.height, lay.width, 3)}, got {out.dtype} {out.shape}")
        np.copyto(out, self._rgba[:, :, :3])
        return out

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

    def _text_in(self, canvas: skia.Canvas, text: str, rect: Rect, size: int, color: str, bold: bool,
                 align: str, padding_x: int) -> None:
        if not text:
            return
        base = TEXT.baseline_in_box(rect.y0, rect.h, size, bold)
        if align == "left":
            x = rect.x0 + padding_x
        else:
            tw = TEXT.width(text, size, bold)
            x = (rect.x0 + (rect.w - tw) / 2) if align == "center" else rect.x1 - padding_x - tw
        TEXT.draw(canvas, text, x, base, size, skcolor(color), bold)

    def _paint_canvas(self, canvas: skia.Canvas, node: Canvas | Picture, rect: Rect) -> None:
        canvas.save()
        canvas.clipRect(skia.Rect.MakeLTRB(rect.x0, rect.y0, rect.x1, rect.y1))
        canvas.drawRect(skia.Rect.MakeLTRB(rect.x0, rect.y0, rect.x1, rect.y1), skia.Paint(Color=skcolor(node.background)))
        canvas.translate(rect.x0, rect.y0)
        for item in node.items:
            self._paint_item(canvas, item, node)
        canvas.restore()

    def _paint_item(self, canvas: skia.Canvas, item, node: Canvas | Picture) -> None:
        if isinstance(item, Image):
            img = self._skimage(item.pixels)
            dst = skia.Rect.MakeWH(node.width, node.height)
            canvas.drawImageRect(img, dst, _LINEAR if item.smooth else _NEAREST)
        elif isinstance(item, Circle):
            if item.fill:
                canvas.drawCircle(item.x, item.y, item.r, skia.Paint(Color=skcolor(item.fill), AntiAlias=True))
            if item.stroke:
                canvas.drawCircle(item.x, item.y, item.r, skia.Paint(
                    Color=skcolor(item.stroke), AntiAlias=True, Style=skia.Paint.kStroke_Style,
                    StrokeWidth=item.stroke_width))
        elif isinstance(item, Line):
            canvas.drawLine(item.x0, item.y0, item.x1, item.y1, skia.Paint(
                Color=skcolor(item.color), AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=item.width))
        elif isinstance(item, Polyline):
            if len(item.points) < 2:
                return
            path = skia.Path()
            path.moveTo(*item.points[0])
            for p in item.points[1:]:
                path.lineTo(*p)
            if item.closed:
                path.close()
            if item.fill:
                canvas.drawPath(path, skia.Paint(Color=skcolor(item.fill), AntiAlias=True))
            if item.color:
                canvas.drawPath(path, skia.Paint(
                    Color=skcolor(item.color), AntiAlias=True, Style=skia.Paint.kStroke_Style,
                    StrokeWidth=item.width, StrokeJoin=skia.Paint.kMiter_Join))
        elif isinstance(item, Text):
            asc, desc = TEXT.metrics(item.size, item.bold)
            tw = TEXT.width(item.text, item.size, item.bold)
            # canvas 2D textBaseline='middle': the em box is centred on y
            TEXT.draw(canvas, item.text, item.x - tw / 2, item.y + (asc - desc) / 2, item.size,
                      skcolor(item.color), item.bold)
        else:
            raise ValueError(f"canvas item: unknown type {type(item).__name__}")
