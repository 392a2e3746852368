"""Layout of a widget tree into absolute integer rectangles.

Semantics follow CSS flexbox with `box-sizing: border-box`, restricted to
integers so that the HTML twin lays out to the same pixels: a box's size
includes its border and padding; children sit along the main axis separated
by `gap`; free space goes to `flex` children (floor shares, the remainder one
pixel at a time from the first — twins should size so no remainder arises);
on the cross axis children stretch unless they have a fixed size, which
`align` then places (centering floors an odd remainder).

Geometry depends only on the tree's *shape* (sizes, padding, nesting), not on
labels, enabled flags or canvas content, so it is computed once per shape and
cached; `bind` then pairs the cached rectangles with the current nodes.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from .nodes import Box, Button, Canvas, Label, Node, Picture, pad4
from .theme import Theme


@dataclass(frozen=True)
class Rect:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def w(self) -> int:
        return self.x1 - self.x0

    @property
    def h(self) -> int:
        return self.y1 - self.y0

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x < self.x1 and self.y0 <= y < self.y1

    def overlaps(self, other: "Rect") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


class Control(NamedTuple):
    """A button's rectangle and what it fires (a tuple: layouts make one per button per state)."""

    rect: Rect
    action: str
    enabled: bool


@dataclass(frozen=True)
class Layout:
    """A tree bound to its rectangles, in paint order (parents before children)."""

    width: int
    height: int
    placed: tuple[tuple[Node, Rect], ...]
    canvas: tuple[Canvas, Rect] | None
    rects: tuple[Rect, ...] | None = None   # the rectangles of `placed`, shared by every layout of one shape
    buttons: tuple[int, ...] = ()           # indices in `placed` of the buttons, in paint order

    @cached_property
    def controls(self) -> tuple[Control, ...]:
        """The buttons as controls, made when first asked for (rendering, hit-testing and `control` never ask)."""
        placed = self.placed
        return tuple([Control(placed[i][1], placed[i][0].action, placed[i][0].enabled) for i in self.buttons])

    def control(self, action: str) -> Control:
        placed = self.placed
        for i in self.buttons:   # without making every control (a closed loop asks for one per step)
            if placed[i][0].action == action:
                return Control(placed[i][1], action, placed[i][0].enabled)
        raise KeyError(f"no control named {action!r}; controls: {[c.action for c in self.controls]}")


class LayoutError(ValueError):
    pass


def _shape_key(node: Node) -> tuple:
    if isinstance(node, Box):
        return ("B", node.direction, node.width, node.height, pad4(node.padding), node.gap,
                node.border_width, node.align, node.flex, tuple(_shape_key(c) for c in node.children))
    if isinstance(node, Button):
        return ("b", node.width, node.height, node.flex)
    if isinstance(node, Label):
        return ("L", node.width, node.height, node.font_size, node.flex)
    if isinstance(node, (Canvas, Picture)):
        return ("C" if isinstance(node, Canvas) else "P", node.width, node.height, node.flex)
    raise LayoutError(f"not a widget node: {type(node).__name__}")


def _natural(node: Node, theme: Theme) -> tuple[int, int]:
    """Size a node asks for before stretching (fixed sizes win)."""
    if isinstance(node, (Canvas, Picture)):
        return node.width, node.height
    if isinstance(node, Button):
        return node.width or 0, node.height or theme.button_height
    if isinstance(node, Label):
        size = node.font_size or theme.font_size
        return node.width or 0, node.height or size + 8
    t, r, b, l = pad4(node.padding)
    inner = [_natural(c, theme) for c in node.children]
    n_gaps = node.gap * max(len(inner) - 1, 0)
    bw = 2 * node.border_width
    if node.direction == "row":
        w = sum(c[0] for c in inner) + n_gaps + l + r + bw
        h = max((c[1] for c in inner), default=0) + t + b + bw
    else:
        w = max((c[0] for c in inner), default=0) + l + r + bw
        h = sum(c[1] for c in inner) + n_gaps + t + b + bw
    return node.width if node.width is not None else w, node.height if node.height is not None else h


def _fixed_main(node: Node, row: bool) -> int | None:
    return node.width if row else node.height


def _place(node: Node, rect: Rect, theme: Theme, out: list[Rect]) -> None:
    out.append(rect)
    if not isinstance(node, Box) or not node.children:
        return
    t, r, b, l = pad4(node.padding)
    bw = node.border_width
    ix0, iy0, ix1, iy1 = rect.x0 + l + bw, rect.y0 + t + bw, rect.x1 - r - bw, rect.y1 - b - bw
    row = node.direction == "row"
    inner_main, inner_cross = (ix1 - ix0, iy1 - iy0) if row else (iy1 - iy0, ix1 - ix0)
    kids = node.children
    naturals = [_natural(c, theme) for c in kids]
    mains = []
    for c, nat in zip(kids, naturals):
        fixed = _fixed_main(c, row)
        if fixed is not None or c.flex == 0:
            mains.append(nat[0] if row else nat[1])
        else:
            mains.append(0)
    free = inner_main - sum(mains) - node.gap * (len(kids) - 1)
    if free < 0:
        raise LayoutError(f"{node.direction} overflows by {-free}px at {rect} (children need more room than the box has)")
    flexers = [i for i, c in enumerate(kids) if c.flex > 0 and _fixed_main(c, row) is None]
    total_flex = sum(kids[i].flex for i in flexers)
    if total_flex:
        shares = [free * kids[i].flex // total_flex for i in flexers]
        rem = free - sum(shares)
        for k, i in enumerate(flexers):
            mains[i] += shares[k] + (1 if k < rem else 0)
    pos = ix0 if row else iy0
    for c, nat, main in zip(kids, naturals, mains):
        fixed_cross = c.height if row else c.width
        if fixed_cross is None and node.align == "stretch":
            cross, off = inner_cross, 0
        else:
            cross = fixed_cross if fixed_cross is not None else (nat[1] if row else nat[0])
            slack = inner_cross - cross
            off = {"stretch": 0, "start": 0, "center": slack // 2, "end": slack}[node.align]
        if row:
            _place(c, Rect(pos, iy0 + off, pos + main, iy0 + off + cross), theme, out)
        else:
            _place(c, Rect(ix0 + off, pos, ix0 + off + cross, pos + main), theme, out)
        pos += main + node.gap


def _flatten(node: Node, nodes: list[Node]) -> tuple:
    """Append `node` and its descendants to `nodes` in paint order; return its shape key (one pass for both)."""
    nodes.append(node)
    t = type(node)
    if t is Box or isinstance(node, Box):
        return ("B", node.direction, node.width, node.height, node.padding, node.gap, node.border_width, node.align,
                node.flex, tuple([_flatten(c, nodes) for c in node.children]))
    if t is Button:   # exact types first (the common case); subclasses go through _shape_key
        return ("b", node.width, node.height, node.flex)
    if t is Label:
        return ("L", node.width, node.height, node.font_size, node.flex)
    if t is Canvas:
        return ("C", node.width, node.height, node.flex)
    if t is Picture:
        return ("P", node.width, node.height, node.flex)
    return _shape_key(node)   # subclasses, or a clear error for what is not a widget node


class _ShapeCache:
    def __init__(self) -> None:
        self._rects: dict[tuple, tuple[Rect, ...]] = {}
        self._derived: dict[tuple, tuple] = {}

    def bind(self, root: Node, theme: Theme) -> tuple[list[Node], tuple[Rect, ...], tuple]:
        """(nodes in paint order, their rectangles, (button indices, canvas index or None)) for `root`'s shape."""
        nodes: list[Node] = []
        key = (_flatten(root, nodes), theme.button_height, theme.font_size)
        got = self._rects.get(key)
        if got is None:
            w, h = _natural(root, theme)
            out: list[Rect] = []
            _place(root, Rect(0, 0, w, h), theme, out)
            got = self._rects[key] = tuple(out)
            buttons = tuple(i for i, n in enumerate(nodes) if isinstance(n, Button))
            canvases = [i for i, n in enumerate(nodes) if isinstance(n, Canvas)]
            if len(canvases) > 1:
                raise LayoutError("a GUI has at most one Canvas")
            self._derived[key] = (buttons, canvases[0] if canvases else None)
            if len(self._rects) > 512:
                old = next(iter(self._rects))
                self._rects.pop(old)
                self._derived.pop(old, None)
        return nodes, got, self._derived[key]

    def rects(self, root: Node, theme: Theme) -> tuple[Rect, ...]:
        return self.bind(root, theme)[1]


_CACHE = _ShapeCache()


def layout(root: Node, theme: Theme) -> Layout:
    """Bind `root` to absolute rectangles (cached per tree shape: layouts of one shape share `rects`)."""
    nodes, rects, (buttons, canvas) = _CACHE.bind(root, theme)
    placed = tuple(zip(nodes, rects))
    root_rect = rects[0]
    return Layout(root_rect.w, root_rect.h, placed, None if canvas is None else placed[canvas], rects, buttons)
