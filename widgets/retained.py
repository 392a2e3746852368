"""Retained canvas pixels: a changed display list repaints only from where it changed.

Overlay lists change at their end far more often than anywhere else: a marker
placed (items appended), undone (items removed), a traced polygon's last point
moved (the last items replaced). Painting composites items in order, so the
pixels of `items[:p]` with `items[p:]` painted over them are the pixels of the
whole list, byte for byte. A `Shown` record keeps, per canvas, the list its
rectangle shows and a stack of `Entry`s: under each run of items painted over
a prefix, a copy of the pixels the run could touch. Restoring entries in
reverse brings the canvas back to a shorter prefix exactly, without clipping
any shape (Skia rasterizes a shape cut by a clip differently from the whole
shape: bench/README.md).

Footprints must hold every pixel an item can change: geometric bounds grown
by `MARGIN` (anti-aliasing, hairlines), the exact box of a text run's mask,
the whole canvas for anything else.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .layout import Rect
from .nodes import Circle, Line, Polyline, Text
from .sprites import reach, shape_keys

MARGIN = 3            # px around an item's geometric bounds
KEPT_BYTES = 2 << 20  # pixels a canvas keeps; the oldest entries are dropped first (from the bottom)
Box = tuple[int, int, int, int]   # x0, y0, x1, y1 in window pixels


@dataclass
class Entry:
    prefix: int               # the canvas showed items[:prefix] when `pixels` were copied
    box: Box
    pixels: np.ndarray        # the window's RGBA over `box` at that time


@dataclass
class Shown:
    """What one canvas's rectangle of the window shows."""

    node: object              # the Canvas or Picture last painted there
    rect: Rect
    entries: list[Entry] = field(default_factory=list)
    kept: int = 0             # bytes of pixels in `entries`


def update(shown: Shown, node, rect: Rect, rgba: np.ndarray, paint_from, text_box) -> bool:
    """Bring the canvas at `rect` from `shown.node`'s items to `node`'s: restore the retained pixels
    under the items that went, then `paint_from(q)` paints `node.items[q:]`. False (nothing done):
    repaint it whole (the list changed below every retained prefix).

    (Restoring a 1:1 data image under the overlays instead, when no entry is deep enough, was measured:
    no gain, the overlays of Cell Lineage or Road Network span the canvas.)"""
    old = shown.node
    if type(old) is not type(node) or (old.width, old.height, old.background) != (
            node.width, node.height, node.background):
        return False
    olds, news = old.items, node.items
    p = common_prefix(olds, news)
    entries = shown.entries
    q = p
    if p < len(olds):
        k = len(entries)
        while k and entries[k - 1].prefix > p:
            k -= 1
        if not k:
            return False
        for entry in reversed(entries[k - 1:]):
            rgba[entry.box[1]:entry.box[3], entry.box[0]:entry.box[2]] = entry.pixels
            shown.kept -= entry.pixels.nbytes
        q = entries[k - 1].prefix
        del entries[k - 1:]
    if q < len(news):
        box = footprint(news[q:], rect, text_box)
        if box is not None:
            if 2 * (box[2] - box[0]) * (box[3] - box[1]) <= rect.w * rect.h:
                entries.append(Entry(q, box, rgba[box[1]:box[3], box[0]:box[2]].copy()))
                shown.kept += entries[-1].pixels.nbytes
                while shown.kept > KEPT_BYTES:
                    shown.kept -= entries.pop(0).pixels.nbytes
            else:   # too big to copy every time: the next change below it repaints the canvas whole
                entries.clear()
                shown.kept = 0
            paint_from(q)
    shown.node = node
    return True


def common_prefix(old: tuple, new: tuple) -> int:
    n = min(len(old), len(new))
    p = 0
    while p < n and (old[p] is new[p] or old[p] == new[p]):
        p += 1
    return p


def footprint(items, rect: Rect, text_box) -> Box | None:
    """Window pixels (within `rect`) that painting `items` at `rect`'s origin can change; None: none.

    `text_box(item)` gives a canvas `Text`'s mask box in canvas pixels (x0, y0, x1, y1) or None."""
    x0 = y0 = 1 << 30
    x1 = y1 = -(1 << 30)
    by_id, boxes = _BY_ID, _BOXES
    for item in items:
        hit = by_id.get(id(item))
        if hit is not None and hit[0] is item:
            box = hit[1]
        else:
            try:
                box = boxes.get(item, _MISSING)
            except TypeError:   # unhashable (a list of points)
                box = _item_box(item, text_box)
            else:
                if box is _MISSING:
                    if len(boxes) >= _BOXES_KEPT:
                        boxes.clear()
                    box = boxes[item] = _item_box(item, text_box)
                if len(by_id) >= _BOXES_KEPT:
                    by_id.clear()
                by_id[id(item)] = (item, box)   # the item kept alive: its id stays its own
        if box is None:
            continue
        if box is _EVERYWHERE:
            return rect.x0, rect.y0, rect.x1, rect.y1
        if box[0] < x0:
            x0 = box[0]
        if box[1] < y0:
            y0 = box[1]
        if box[2] > x1:
            x1 = box[2]
        if box[3] > y1:
            y1 = box[3]
    bx0, by0 = max(rect.x0, rect.x0 + x0), max(rect.y0, rect.y0 + y0)
    bx1, by1 = min(rect.x1, rect.x0 + x1), min(rect.y1, rect.y0 + y1)
    return (bx0, by0, bx1, by1) if bx0 < bx1 and by0 < by1 else None


_BOXES: dict = {}         # item -> its `_item_box` (items are values: equal items, equal boxes)
_BY_ID: dict = {}         # id(item) -> (item, box): views hand out the same objects while nothing changes
_BOXES_KEPT = 1 << 15
_MISSING = object()
_EVERYWHERE = (0, 0, 0, 0)


def _item_box(item, text_box) -> Box | None:
    """Canvas pixels an item can change (None: none; `_EVERYWHERE`: unknown, the whole canvas)."""
    t = type(item)
    if t is Text:
        return text_box(item)
    if t is not Circle and t is not Line and t is not Polyline:
        return _EVERYWHERE
    x0 = y0 = math.inf
    x1 = y1 = -math.inf
    for key, _ in shape_keys(item):
        a, b, c, d = reach(key)
        x0, y0, x1, y1 = min(x0, a), min(y0, b), max(x1, c), max(y1, d)
    if x0 == math.inf:
        return None
    return (math.floor(x0) - MARGIN, math.floor(y0) - MARGIN, math.ceil(x1) + MARGIN, math.ceil(y1) + MARGIN)
