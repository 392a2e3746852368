"""Shape Matching instances (paper A.3, Figure 17): 12 coloured shapes on a dark background.

Each instance holds 12 objects from 4 shape classes (circle, triangle,
square, star) in various colours, radius 12 px, placed without overlap; a
template class, of which 2–5 objects are instances (the others are drawn
from the three other classes). Objects match the template by shape alone:
colour is a distractor (the template is drawn in neutral white).

Object centres are at least 36 px apart, so the 17 px hit discs of the
paper's metric (radius 12 + 5 px tolerance) never overlap and every click
names at most one object. The raster is drawn once, with Skia, into a numpy array.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import skia

from tasks.common import require, require_array

SIZE = 256
N_OBJECTS = 12
RADIUS = 12.0             # paper: object radius 12 px
MIN_GAP = 36.0            # > 2 x 17 px hit radius
MARGIN = 18.0             # centres this far inside the canvas
N_MATCHES = (2, 5)
SHAPES = ("circle", "triangle", "square", "star")
BACKGROUND = (24, 26, 32)
COLORS = np.array([[239, 83, 80], [255, 167, 38], [255, 238, 88], [102, 187, 106], [66, 165, 245],
                   [171, 71, 188], [38, 198, 218], [236, 64, 122]], np.uint8)


def shape_outline(kind: int, x: float, y: float, r: float) -> tuple[tuple[float, float], ...]:
    """Vertices of a polygonal shape (triangle, square, star) of radius `r` centred on (x, y); () for a circle.

    Shared by the raster here and the GUI's template picture, so both draw the same shapes.
    """
    if SHAPES[kind] == "triangle":   # equilateral, pointing up, centred on its circumcentre
        ang = np.radians([-90, 30, 150])
        rr = np.full(3, r * 1.1)
    elif SHAPES[kind] == "square":
        ang = np.radians([-135, -45, 45, 135])
        rr = np.full(4, r * 0.85 * np.sqrt(2))
    elif SHAPES[kind] == "star":     # five points
        ang = np.radians(-90 + 36 * np.arange(10))
        rr = np.where(np.arange(10) % 2 == 0, r * 1.15, r * 0.48)
    else:
        return ()
    return tuple((float(x + a * np.cos(t)), float(y + a * np.sin(t))) for a, t in zip(rr, ang))


@dataclass(frozen=True, eq=False)
class Instance:
    seed: int
    shapes: np.ndarray     # int64[12] shape class per object (index into SHAPES)
    colors: np.ndarray     # uint8[12, 3]
    centers: np.ndarray    # float64[12, 2] normalized (u right, v down)
    template: int          # the shape class to find
    image: np.ndarray      # uint8[256, 256, 3]

    @property
    def matches(self) -> np.ndarray:
        """Indices of the objects matching the template."""
        return np.flatnonzero(self.shapes == self.template)


def _positions(rng: np.random.Generator) -> np.ndarray:
    for _ in range(1000):
        pts: list[np.ndarray] = []
        for _ in range(3000):
            p = rng.uniform(MARGIN, SIZE - MARGIN, 2)
            if all(np.hypot(*(p - q)) >= MIN_GAP for q in pts):
                pts.append(p)
                if len(pts) == N_OBJECTS:
                    return np.array(pts)
    raise RuntimeError("shape_matching: could not place 12 objects")


def render(shapes: np.ndarray, colors: np.ndarray, centers_px: np.ndarray) -> np.ndarray:
    rgba = np.empty((SIZE, SIZE, 4), np.uint8)
    rgba[..., :3] = BACKGROUND
    rgba[..., 3] = 255
    surface = skia.Surface(rgba, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    c = surface.getCanvas()
    for kind, color, (x, y) in zip(shapes, colors, centers_px):
        paint = skia.Paint(Color=skia.Color(*(int(v) for v in color)), AntiAlias=True)
        pts = shape_outline(int(kind), x, y, RADIUS)
        if not pts:
            c.drawCircle(x, y, RADIUS, paint)
            continue
        path = skia.Path()
        path.moveTo(*pts[0])
        for p in pts[1:]:
            path.lineTo(*p)
        path.close()
        c.drawPath(path, paint)
    surface.flushAndSubmit()
    return np.ascontiguousarray(rgba[..., :3])


def make_instance(seed: int) -> Instance:
    """12 objects, 2–5 of them matching a random template class, from `seed`."""
    require(isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0, "seed",
            f"expected an integer >= 0, got {seed!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x54A9]))
    template = int(rng.integers(len(SHAPES)))
    n_match = int(rng.integers(N_MATCHES[0], N_MATCHES[1] + 1))
    others = [k for k in range(len(SHAPES)) if k != template]
    shapes = np.array([template] * n_match + list(rng.choice(others, N_OBJECTS - n_match)), np.int64)
    shapes = shapes[rng.permutation(N_OBJECTS)]
    colors = COLORS[rng.integers(len(COLORS), size=N_OBJECTS)]
    px = _positions(rng)
    return Instance(int(seed), shapes, colors, px / SIZE, template, render(shapes, colors, px))


def validate_instance(inst) -> None:
    require(isinstance(inst, Instance), "instance", f"expected a shape_matching Instance, got {type(inst).__name__}")
    require_array(inst.shapes, "instance.shapes", np.int64, (None,))
    n = len(inst.shapes)
    require(n >= 1 and ((inst.shapes >= 0) & (inst.shapes < len(SHAPES))).all(), "instance.shapes",
            f"expected classes in 0..{len(SHAPES) - 1}")
    require_array(inst.colors, "instance.colors", np.uint8, (n, 3))
    require_array(inst.centers, "instance.centers", np.float64, (n, 2))
    require(np.isfinite(inst.centers).all() and ((inst.centers >= 0) & (inst.centers < 1)).all(),
            "instance.centers", "coordinates must lie in [0, 1)")
    require(isinstance(inst.template, (int, np.integer)) and 0 <= inst.template < len(SHAPES), "instance.template",
            f"expected a class in 0..{len(SHAPES) - 1}, got {inst.template!r}")
    require(len(inst.matches) >= 1, "instance.template", "no object matches the template")
    require_array(inst.image, "instance.image", np.uint8, (SIZE, SIZE, 3))
