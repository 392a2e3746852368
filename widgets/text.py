"""Text measurement and drawing with the fonts shipped in `widgets/fonts/`.

All GUI text goes through `TextEngine`, so the way glyphs are shaped and
rasterized is decided in one place (the parity work makes it follow Chromium:
HarfBuzz shaping, FreeType light hinting, Chromium's text gamma).
Vertical placement uses integer ascent/descent as Blink does.
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import skia

FONT_DIR = Path(__file__).parent / "fonts"
FONT_FILES = {False: FONT_DIR / "DejaVuSans.ttf", True: FONT_DIR / "DejaVuSans-Bold.ttf"}


@lru_cache(maxsize=None)
def _typeface(bold: bool) -> skia.Typeface:
    path = FONT_FILES[bold]
    if not path.exists():
        raise FileNotFoundError(f"font file missing: {path} (it ships inside the widgets package)")
    return skia.Typeface.MakeFromFile(str(path))


@lru_cache(maxsize=64)
def _font(size: int, bold: bool) -> skia.Font:
    font = skia.Font(_typeface(bold), size)
    font.setEdging(skia.Font.Edging.kAntiAlias)
    font.setSubpixel(True)
    font.setHinting(skia.FontHinting.kSlight)
    return font


class TextEngine:
    """Measures and draws single lines of text."""

    @staticmethod
    @lru_cache(maxsize=64)
    def metrics(size: int, bold: bool = False) -> tuple[int, int]:
        """(ascent, descent) in whole pixels, both positive."""
        m = _font(size, bold).getMetrics()
        return int(round(-m.fAscent)), int(round(m.fDescent))

    @staticmethod
    @lru_cache(maxsize=4096)
    def width(text: str, size: int, bold: bool = False) -> float:
        return _font(size, bold).measureText(text)

    def baseline_in_box(self, top: float, height: float, size: int, bold: bool = False) -> float:
        """Baseline of a line box of `height` whose text is vertically centred."""
        asc, desc = self.metrics(size, bold)
        return top + math.floor((height - (asc + desc)) / 2) + asc

    def draw(self, canvas: skia.Canvas, text: str, x: float, baseline: float, size: int, color: int,
             bold: bool = False) -> None:
        paint = skia.Paint(Color=color, AntiAlias=True)
        canvas.drawString(text, x, baseline, _font(size, bold), paint)


TEXT = TextEngine()
