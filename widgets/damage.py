"""Damage tracking: which rectangles of the window changed since the last frame.

Consecutive frames of an annotation GUI differ in a few places (the canvas, a
status text, a button's look). With the same geometry, a node whose paint
changed damages its rectangle; the renderer repaints only the union of
damaged rectangles (integer, so clipping is pixel-exact and the frame is
bit-identical to a full redraw).
"""
from __future__ import annotations

from .layout import Layout, Rect
from .nodes import Box


def paint_key(node) -> object:
    """What a node paints by itself (a Box's children are compared on their own)."""
    if isinstance(node, Box):
        return (node.background, node.border, node.border_width, node.radius)
    return node


def damaged(prev: Layout | None, cur: Layout) -> list[Rect] | None:
    """Rectangles to repaint, or None when everything must be (first frame, new geometry)."""
    if prev is None or (prev.width, prev.height) != (cur.width, cur.height) or len(prev.placed) != len(cur.placed):
        return None
    boxes = False   # a damaged container: its rectangle holds others (or equals a child's)
    if prev.rects is not None and prev.rects is cur.rects:   # one shape: same rectangles, same node kinds
        out = []
        for (pn, r), (n, _) in zip(prev.placed, cur.placed):
            if pn is n:
                continue
            if type(n) is Box:
                if (pn.background != n.background or pn.border != n.border or pn.border_width != n.border_width
                        or pn.radius != n.radius):
                    out.append(r)
                    boxes = True
            elif pn != n:
                out.append(r)
        return _outermost(out) if boxes else out
    out = []
    for (pn, pr), (n, r) in zip(prev.placed, cur.placed):
        if pr != r or type(pn) is not type(n):
            return None
        if pn is not n and paint_key(pn) != paint_key(n):
            out.append(r)
            boxes = boxes or isinstance(n, Box)
    return _outermost(out) if boxes else out


def _outermost(rects: list[Rect]) -> list[Rect]:
    """The distinct rectangles held by no other, in order. (Leaves do not hold each other, so only damage
    with a container in it is filtered; a rectangle kept inside another would be painted twice, which gives
    the same pixels, only slower.)"""
    rects = list(dict.fromkeys(rects))
    return [r for r in rects if not any(o is not r and o.x0 <= r.x0 and o.y0 <= r.y0 and o.x1 >= r.x1
                                        and o.y1 >= r.y1 for o in rects)]
