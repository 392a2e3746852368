"""Hit-testing: which action a click at window pixel (x, y) fires.

Controls are tested top-most first (reverse paint order). A disabled control
still occludes what lies beneath it, as a disabled DOM button does, so a click
on it fires nothing. Pixel (i, j) covers [i, i+1) x [j, j+1).
"""
from __future__ import annotations

import math

from .actions import Action, Place, Press
from .layout import Layout


def hit_test(lay: Layout, x: float, y: float) -> Action | None:
    """The action under (x, y), or None for a click that hits nothing (an invalid click)."""
    if not (isinstance(x, (int, float)) and isinstance(y, (int, float))) or not (math.isfinite(x) and math.isfinite(y)):
        return None
    placed = lay.placed
    for i in reversed(lay.buttons):
        button, rect = placed[i]
        if rect.x0 <= x < rect.x1 and rect.y0 <= y < rect.y1:
            return Press(button.action) if button.enabled else None
    if lay.canvas is not None:
        node, rect = lay.canvas
        if rect.contains(x, y):
            return Place((x - rect.x0) / rect.w, (y - rect.y0) / rect.h)
    return None
