"""Text measurement and drawing with the fonts shipped in `widgets/fonts/`, the way Chromium does on Linux.

All GUI text goes through `TextEngine`, so the way glyphs are shaped and
rasterized is decided in one place. It follows what Blink + Skia do with the
same font files (measured against Chromium, see `playwright_parity/`):

- shaping: HarfBuzz with the font's kerning (Blink kerns by default; `skia.Font` does not);
  advances are the unhinted (linear) ones, as with subpixel positioning;
- glyph placement: each glyph origin is rounded to 1/4 px in x (Skia's
  subpixel positioning: `floor(x + 1/8)` with a 2-bit phase), to a whole pixel in y;
- rasterization (`glyphs`): FreeType's light (vertical-only auto-) hinted outline,
  shifted by the phase, filled by Skia's anti-aliased path rasterizer (not FreeType's);
- coverage goes through Skia's mask-gamma table (`SkMaskGamma`,
  `build_correcting_lut`) for the text colour's luminance, quantised to 3 bits,
  with Linux Chromium's contrast and gamma, and is then blended src-over;
- vertical metrics: Blink's integer ascent/descent (hhea metrics rounded; Blink's
  Linux "borrow a pixel from the ascent" adjustment puts text 1 px higher than
  Chromium 156 draws it, so it does not apply here), the line box's half-leading floored;
- canvas text: origin at x - width/2 (float), baseline at y + the OS/2 typo
  ascent/descent normalised to the em (Blink's `textBaseline='middle'`).

Only DejaVu Sans (regular, bold) is known: characters outside it have no
fallback font here, while Chromium would fall back to another font.

A whole run (text, size, weight, x phase, colour) is rendered once into a
premultiplied RGBA `skia.Image`; drawing it again is one blit.
"""
from __future__ import annotations

import math
import struct
import threading
from functools import lru_cache
from typing import NamedTuple

import freetype
import numpy as np
import skia
import uharfbuzz as hb

from .glyphs import FONT_FILES, SUBPIXEL_STEPS, atlas
from .pixels import combine_glyphs, place_glyphs

# Linux Chromium's text contrast and gamma (Skia's SK_GAMMA_CONTRAST / SK_GAMMA_EXPONENT
# in Chromium's build: 0.2 and 1.2). Fitted on a sheet of labels (4 sizes, 4 colour pairs,
# 4 x phases) against Chromium 156: gamma 1.19 gives max |diff| 3, mean 0.015;
# 1.2 gives max 3, mean 0.020; contrast 0.1 or 0.3 is clearly worse.
TEXT_CONTRAST = 0.2
TEXT_GAMMA = 1.19
LUM_BITS = 3          # SkMaskGamma = SkTMaskGamma<3, 3, 3>: luminance classes
HB_SCALE = 1 << 16    # Blink hands HarfBuzz 16.16 fixed-point sizes
# Run origins are cached per 1/4096 px: DOM text sits on 1/64 px (LayoutUnits), but canvas
# text can be anywhere, and a glyph's 1/4 px phase flips on tiny shifts of the origin.
FRAC_UNITS = 4096

@lru_cache(maxsize=None)
def _font_bytes(bold: bool) -> bytes:
    path = FONT_FILES[bold]
    if not path.exists():
        raise FileNotFoundError(f"font file missing: {path} (it ships inside the widgets package)")
    return path.read_bytes()


@lru_cache(maxsize=None)
def _hb_font(bold: bool, size: int) -> hb.Font:
    font = hb.Font(hb.Face(_font_bytes(bold)))
    font.scale = (size * HB_SCALE, size * HB_SCALE)
    return font


@lru_cache(maxsize=None)
def _font_units(bold: bool) -> dict:
    """upem, hhea ascender/descender and OS/2 typo ascender/descender (font units)."""
    face = freetype.Face(str(FONT_FILES[bold]))
    data = _font_bytes(bold)
    n_tables = struct.unpack(">H", data[4:6])[0]
    typo = None
    for i in range(n_tables):
        tag, _, offset, _ = struct.unpack(">4sIII", data[12 + 16 * i: 28 + 16 * i])
        if tag == b"OS/2":
            typo = struct.unpack(">hh", data[offset + 68: offset + 72])
    return {"upem": face.units_per_EM, "ascender": face.ascender, "descender": -face.descender, "typo": typo}


# -- mask gamma (Skia's SkMaskGamma with a power-law colour space) ---------------


def _scale255(v: int, bits: int) -> int:
    """sk_t_scale255: replicate `bits` high bits over a byte."""
    v = v << (8 - bits)
    out = v
    shift = bits
    while shift < 8:
        out |= v >> shift
        shift += bits
    return out & 255


@lru_cache(maxsize=None)
def _gamma_lut(lum_class: int) -> np.ndarray:
    """build_correcting_lut for one luminance class (float32 arithmetic as in Skia)."""
    contrast, gamma = TEXT_CONTRAST, TEXT_GAMMA
    f = np.float32
    src = f(_scale255(lum_class, LUM_BITS)) / f(255)
    lin_src = f(src ** f(gamma))
    dst = f(1) - src
    lin_dst = f(dst ** f(gamma))
    adj = f(contrast) * lin_dst
    raw = np.arange(256, dtype=np.float32) / f(255)
    srca = raw + (f(1) - raw) * adj * raw
    if abs(src - dst) < 1 / 256:
        out = srca
    else:
        lin_out = lin_src * srca + (f(1) - srca) * lin_dst
        out = (lin_out ** f(1 / gamma) - dst) / (src - dst)
    return np.clip(np.floor(out.astype(np.float32) * f(255) + f(0.5)), 0, 255).astype(np.uint8)


def lum_class(color: int) -> int:
    """SkComputeLuminance of an ARGB colour, quantised to the table index."""
    r, g, b = (color >> 16) & 255, (color >> 8) & 255, color & 255
    return ((r * 54 + g * 183 + b * 19) >> 8) >> (8 - LUM_BITS)


# -- shaping and runs ----------------------------------------------------------------


class Shaped(NamedTuple):
    """A shaped line: per glyph (id, x advance, x offset, y offset) in HarfBuzz units, and the advance in px."""

    glyphs: np.ndarray    # int64[4, n]
    advance: float


@lru_cache(maxsize=4096)
def shape(text: str, size: int, bold: bool = False) -> Shaped:
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(_hb_font(bold, size), buf, {"kern": True, "liga": True})
    # pen positions are summed by `pixels.place_glyphs`: a Python loop over the glyphs cost 3x the shaping;
    # uharfbuzz gives None, not empty lists, for an empty buffer
    infos, positions = buf.glyph_infos or (), buf.glyph_positions or ()
    advances = [p.x_advance for p in positions]
    glyphs = np.array([[g.codepoint for g in infos], advances, [p.x_offset for p in positions],
                       [p.y_offset for p in positions]], np.int64).reshape(4, -1)
    return Shaped(glyphs, sum(advances) / HB_SCALE)


class _Run:
    __slots__ = ("mask", "dx", "dy")

    def __init__(self, mask: np.ndarray | None, dx: int, dy: int):
        self.mask, self.dx, self.dy = mask, dx, dy


@lru_cache(maxsize=4096)
def _run(text: str, size: int, bold: bool, frac: int, lum: int) -> _Run:
    """The gamma-corrected coverage of `text` drawn at origin (frac/FRAC_UNITS, 0), offset from floor(origin).

    Each glyph's x (origin + pen + 1/8) lies in a 1/4 px slot: the glyph's mask is the atlas's for
    phase slot % 4, placed at pixel slot // 4 (`pixels.place_glyphs`)."""
    shaped, masks = shape(text, size, bold), atlas(bold, size)
    while True:
        count = masks.count   # first: see `glyphs.Atlas.add`
        glyphs, missing = place_glyphs(shaped.glyphs, frac / FRAC_UNITS, masks.index, count, masks.table,
                                       HB_SCALE, SUBPIXEL_STEPS)
        if not missing.size:
            break
        masks.add(missing)
    # Chromium blits glyph by glyph (src-over): coverage combines as 1 - prod(1 - a)
    mask, x0, y0 = combine_glyphs(masks.arena, glyphs, _gamma_lut(lum))
    if not mask.size:
        return _Run(None, 0, 0)
    mask.flags.writeable = False
    return _Run(mask, x0, y0)


class TextEngine:
    """Measures and draws single lines of text."""

    @staticmethod
    @lru_cache(maxsize=64)
    def metrics(size: int, bold: bool = False) -> tuple[int, int]:
        """(ascent, descent) in whole pixels, both positive: the font's hhea metrics rounded, as Blink does."""
        u = _font_units(bold)
        fa, fd = u["ascender"] * size / u["upem"], u["descender"] * size / u["upem"]
        asc, desc = int(math.floor(fa + 0.5)), int(math.floor(fd + 0.5))
        return asc, desc

    @staticmethod
    def middle_offset(size: int, bold: bool = False) -> float:
        """Canvas 2D `textBaseline='middle'`: baseline = y + this (OS/2 typo metrics scaled to the em, 1/64 px)."""
        u = _font_units(bold)
        ta, td = u["typo"] if u["typo"] else (u["ascender"], -u["descender"])
        td = -td
        a = round(size * ta / (ta + td) * 64) / 64
        d = round(size * td / (ta + td) * 64) / 64
        return (a - d) / 2

    @staticmethod
    def width(text: str, size: int, bold: bool = False) -> float:
        return shape(text, size, bold).advance

    def baseline_in_box(self, top: float, height: float, size: int, bold: bool = False) -> float:
        """Baseline of a line box of `height` whose text is vertically centred (Blink: half-leading floored)."""
        asc, desc = self.metrics(size, bold)
        return top + math.floor((height - (asc + desc)) / 2) + asc

    def place(self, text: str, x: float, baseline: float, size: int, color: int,
              bold: bool = False) -> tuple[np.ndarray, int, int] | None:
        """(coverage mask, x, y of its top-left pixel) of what `draw` blits (None: nothing to draw)."""
        if not text:
            return None
        fx = math.floor(x)
        frac = int(round((x - fx) * FRAC_UNITS))
        if frac == FRAC_UNITS:
            fx, frac = fx + 1, 0
        run = _run(text, size, bold, frac, lum_class(color))
        if run.mask is None:
            return None
        return run.mask, fx + run.dx, math.floor(baseline + 0.5) + run.dy

    def draw(self, canvas: skia.Canvas, text: str, x: float, baseline: float, size: int, color: int,
             bold: bool = False) -> None:
        """Draw `text` with its origin at (x, baseline); `color` is a Skia ARGB int."""
        if not text:
            return
        fx = math.floor(x)
        frac = int(round((x - fx) * FRAC_UNITS))
        if frac == FRAC_UNITS:
            fx, frac = fx + 1, 0
        image, dx, dy, paint = _blit(text, size, bold, frac, color)
        if image is not None:
            canvas.drawImage(image, fx + dx, math.floor(baseline + 0.5) + dy, _SAMPLING, paint)


_SAMPLING = skia.SamplingOptions()


@lru_cache(maxsize=4096)
def _blit(text: str, size: int, bold: bool, frac: int, color: int) -> tuple:
    """Everything a draw needs but the position: (image, dx, dy, paint), one dictionary lookup per label.

    The colour is baked into a premultiplied RGBA image: Skia blits those ~15x faster than it
    draws an A8 image tinted by the paint (264 vs 18 us for a 368x13 status line).
    """
    run = _run(text, size, bold, frac, lum_class(color))
    if run.mask is None:
        return None, 0, 0, None
    return _premul_image(run.mask, color), run.dx, run.dy, None


def _premul_image(mask: np.ndarray, color: int) -> skia.Image:
    """Coverage `mask` in ARGB `color` as a premultiplied RGBA image (what `draw` blits)."""
    a = mask.astype(np.uint32) * ((color >> 24) & 255)
    a = (a + 127) // 255                                  # coverage x colour alpha
    rgba = np.empty(mask.shape + (4,), np.uint8)
    for c, shift in enumerate((16, 8, 0)):
        rgba[..., c] = (a * ((color >> shift) & 255) + 127) // 255
    rgba[..., 3] = a
    return skia.Image.fromarray(rgba, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)


# -- the same pixels without Skia: blend tables --------------------------------------
# A run drawn by `draw` over an opaque pixel gives, per channel, a value that depends only on the
# run's coverage there, the destination channel and the colour. `blend_table(color)` asks Skia for
# all of them (a coverage ramp drawn exactly as `draw` does, over every destination value), so that
# `pixels.blend_mask` reproduces `draw` bit for bit at ~1 ns a pixel.

_TABLE_LOCK = threading.Lock()
_CHANNEL_TABLES: dict[tuple[int, int], np.ndarray | None] = {}
_BLEND_TABLES: dict[int, np.ndarray | None] = {}


def _channel_table(s: int, alpha: int) -> np.ndarray | None:
    """Skia's result[coverage, dst] for colour channel value `s` at `alpha` over opaque dst (None: not separable)."""
    dst = np.empty((256, 256, 4), np.uint8)
    dst[..., :3] = np.arange(256, dtype=np.uint8)[None, :, None]
    dst[..., 3] = 255
    surface = skia.Surface(dst, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    ramp = np.ascontiguousarray(np.repeat(np.arange(256, dtype=np.uint8)[:, None], 256, axis=1))
    surface.getCanvas().drawImage(_premul_image(ramp, (alpha << 24) | (s * 0x010101)), 0, 0, _SAMPLING, None)
    del surface
    if not (np.all(dst[..., 3] == 255) and np.array_equal(dst[..., 0], dst[..., 1])
            and np.array_equal(dst[..., 0], dst[..., 2])):
        return None
    return np.ascontiguousarray(dst[..., 0])


def blend_table(color: int) -> np.ndarray | None:
    """uint8[3, 256, 256]: `draw`'s result[channel, coverage, dst] for ARGB `color` over opaque pixels
    (None: the tables do not describe it; use `draw`)."""
    table = _BLEND_TABLES.get(color, False)
    if table is not False:
        return table
    with _TABLE_LOCK:
        alpha, tables = (color >> 24) & 255, []
        for s in ((color >> 16) & 255, (color >> 8) & 255, color & 255):
            if (s, alpha) not in _CHANNEL_TABLES:
                _CHANNEL_TABLES[(s, alpha)] = _channel_table(s, alpha)
            tables.append(_CHANNEL_TABLES[(s, alpha)])
        table = None if any(t is None for t in tables) else np.ascontiguousarray(np.stack(tables))
        if table is not None and not np.array_equal(table[:, 0], np.broadcast_to(np.arange(256), (3, 256))):
            table = None   # pixels.blend_mask skips zero coverage: it must leave the destination as it is
        _BLEND_TABLES[color] = table
    return table


TEXT = TextEngine()
