"""The common window of every task GUI: title, canvas, control panel, status bar.

Tasks build their canvas and their controls; `window` arranges them. The
`panel` position gives the layout variants of the paper's UI study (C.6):
"right" (the default, as in the paper's GUIs) or "left".
"""
from __future__ import annotations

from typing import Literal

from .nodes import Box, Canvas, Column, Label, Row
from .theme import Theme

Panel = Literal["right", "left"]
PANELS = ("right", "left")


def window(title: str | None, canvas: Canvas, panel: list, status: str, theme: Theme, *,
           panel_width: int, height: int | None = None, layout: Panel = "right", hint: str | None = None) -> Box:
    """A window sized to fit: padding | canvas | gap | panel | padding, then the status bar.

    `title` (a heading row) and `hint` (dim text filling the space left below
    the status bar) are optional; without `height` the window is as tall as
    its content, without a hint it must not be taller.
    """
    if layout not in PANELS:
        raise ValueError(f"layout: unknown panel position {layout!r}; known: {PANELS}")
    pad, gap = theme.padding, theme.padding
    side = Column(*panel, width=panel_width, gap=theme.gap)
    body = Row(*((canvas, side) if layout == "right" else (side, canvas)), gap=gap, align="start")
    width = pad + canvas.width + gap + panel_width + pad
    rows = [
        Label(title, height=22, font_size=theme.title_size, color=theme.title, bold=True) if title else None,
        body,
        Label(status, height=26, color=theme.status_text, background=theme.status_bg, padding_x=8),
        Label(hint, flex=1, color=theme.text_dim, font_size=theme.small_size) if hint is not None else None,
    ]
    return Column(*rows, width=width, height=height, padding=pad, gap=theme.gap, background=theme.window_bg)
