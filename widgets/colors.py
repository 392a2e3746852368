"""Colour strings of the widget tree as Skia colours."""
from __future__ import annotations

from functools import lru_cache

import skia


@lru_cache(maxsize=1024)
def skcolor(color: str) -> int:
    """'#rrggbb' or '#rrggbbaa' -> Skia ARGB int; a clear error otherwise."""
    if not (isinstance(color, str) and color.startswith("#") and len(color) in (7, 9)):
        raise ValueError(f"color: expected '#rrggbb' or '#rrggbbaa', got {color!r}")
    try:
        r, g, b = int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)
        a = int(color[7:9], 16) if len(color) == 9 else 255
    except ValueError:
        raise ValueError(f"color: not hexadecimal: {color!r}") from None
    return skia.Color(r, g, b, a)


def rgb(color: str) -> tuple[int, int, int]:
    c = skcolor(color)
    return (c >> 16) & 255, (c >> 8) & 255, c & 255
