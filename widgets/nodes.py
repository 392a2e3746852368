"""Declarative widget tree: what a task's `view()` returns.

Nodes are frozen dataclasses, so a tree is a value: two views of the same
state compare equal, and the renderer can tell what changed between frames.
Sizes are integer pixels. A GUI is a tree of `Box` containers (rows and
columns, CSS-flexbox-like) holding `Button`, `Label`, `Picture` and one `Canvas`; the
canvas content is a display list of `Image`, `Circle`, `Line`, `Polyline`
and `Text` items in canvas pixel coordinates.

Every size that the HTML twin must reproduce is explicit: labels and buttons
get their size from the node or from the container (stretch / flex), never
from measuring text, so the browser and this toolkit lay out identically.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal, Union

import numpy as np

Color = str  # "#rrggbb" or "#rrggbbaa"
Padding = Union[int, tuple[int, int, int, int]]  # all sides, or (top, right, bottom, left)


def _fast_init(cls):
    """Replace a frozen dataclass's `__init__` by one that fills `__dict__` in one step.

    Views build a tree per state; the generated frozen `__init__` calls `object.__setattr__` per
    field (a Button took 2.8 us, 4x a plain class). Same signature, same defaults, no validation
    either way."""
    params, ns = [], {}
    for f in dataclasses.fields(cls):
        if f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: default factories are not supported here")
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            ns[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
    names = [f.name for f in dataclasses.fields(cls)]
    src = (f"def __init__(self, {', '.join(params)}):\n"
           f"    self.__dict__.update({{{', '.join(f'{n!r}: {n}' for n in names)}}})\n")
    exec(src, ns)
    ns["__init__"].__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = ns["__init__"]
    return cls


def pad4(padding: Padding) -> tuple[int, int, int, int]:
    if isinstance(padding, int):
        return (padding, padding, padding, padding)
    return padding


@_fast_init
@dataclass(frozen=True)
class Box:
    """A container laying out its children in a row or a column.

    Children are placed along `direction`, separated by `gap`; a child with
    `flex > 0` and no fixed main-axis size takes a share of the free space.
    On the cross axis children stretch unless they have a fixed size, in
    which case `align` places them.
    """

    children: tuple = ()
    direction: Literal["row", "column"] = "column"
    width: int | None = None
    height: int | None = None
    padding: Padding = 0
    gap: int = 0
    background: Color | None = None
    border: Color | None = None
    border_width: int = 0
    radius: int = 0
    align: Literal["stretch", "start", "center", "end"] = "stretch"
    flex: int = 0


@_fast_init
@dataclass(frozen=True)
class Button:
    """A clickable control firing `Press(action)`; `active` draws it toggled on."""

    label: str
    action: str
    enabled: bool = True
    active: bool = False
    width: int | None = None
    height: int | None = None
    font_size: int | None = None
    flex: int = 0


@_fast_init
@dataclass(frozen=True)
class Label:
    """Static text, vertically centred in its box."""

    text: str
    width: int | None = None
    height: int | None = None
    font_size: int | None = None
    color: Color | None = None
    bold: bool = False
    align: Literal["left", "center", "right"] = "left"
    background: Color | None = None
    padding_x: int = 0
    flex: int = 0


# --- canvas display list (canvas pixel coordinates, floats allowed) ---------


@_fast_init
@dataclass(frozen=True, eq=False)
class Image:
    """A data raster (uint8 [h,w,3] or [h,w]) stretched over the canvas.

    Compared by identity: tasks hand out the same array object for the same
    raster, so the renderer caches one Skia image per array.
    """

    pixels: np.ndarray
    smooth: bool = False  # linear sampling when scaled, else nearest

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Image) and other.pixels is self.pixels and other.smooth == self.smooth

    def __hash__(self) -> int:
        return hash((id(self.pixels), self.smooth))


@_fast_init
@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    fill: Color | None = None
    stroke: Color | None = None
    stroke_width: float = 1.0


@_fast_init
@dataclass(frozen=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    color: Color = "#ffffff"
    width: float = 1.0


@_fast_init
@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    color: Color | None = "#ffffff"
    width: float = 1.0
    closed: bool = False
    fill: Color | None = None


@_fast_init
@dataclass(frozen=True)
class Text:
    """Text centred (horizontally and vertically) on (x, y)."""

    x: float
    y: float
    text: str
    color: Color = "#ffffff"
    size: int = 10
    bold: bool = False


CanvasItem = Union[Image, Circle, Line, Polyline, Text]


@_fast_init
@dataclass(frozen=True)
class Canvas:
    """The data view. A click inside fires `Place(u, v)` (normalized coordinates)."""

    width: int
    height: int
    items: tuple = field(default=(), compare=True)
    background: Color = "#000000"
    flex: int = 0


@_fast_init
@dataclass(frozen=True)
class Picture:
    """A non-interactive display list (e.g. a template shape in a sidebar): drawn like a canvas, never clicked."""

    width: int
    height: int
    items: tuple = ()
    background: Color = "#000000"
    flex: int = 0


Node = Union[Box, Button, Label, Canvas, Picture]


def Row(*children, **kw) -> Box:
    return Box(children=tuple([c for c in children if c is not None]), direction="row", **kw)


def Column(*children, **kw) -> Box:
    return Box(children=tuple([c for c in children if c is not None]), direction="column", **kw)


def Spacer(flex: int = 1, width: int | None = None, height: int | None = None) -> Box:
    return Box(flex=flex, width=width, height=height)
