"""Procedural aerial backgrounds in 5 spectral bands (the paper uses aerial/satellite textures).

A scene is painted as per-pixel reflectance spectra: regions get a material
(its 5-band signature, jittered per region), then smooth illumination,
texture and a per-band contrast stretch. Materials differ across bands the
way real ones do (vegetation bright in the near-infrared bands 4–5, water
dark there, asphalt flat), so every band shows the scene differently.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

SIZE = 256
SCENES = ("fields", "urban", "highway")

MATERIALS = {   # reflectance in bands 1..5 (blue, green, red, NIR, SWIR)
    "grass": (0.06, 0.12, 0.06, 0.55, 0.28),
    "crop": (0.08, 0.16, 0.11, 0.45, 0.30),
    "soil": (0.20, 0.25, 0.32, 0.38, 0.48),
    "asphalt": (0.10, 0.11, 0.12, 0.13, 0.15),
    "concrete": (0.40, 0.42, 0.44, 0.42, 0.40),
    "red_roof": (0.15, 0.18, 0.40, 0.38, 0.35),
    "grey_roof": (0.30, 0.32, 0.33, 0.34, 0.36),
    "water": (0.10, 0.09, 0.06, 0.03, 0.02),
    "paint": (0.75, 0.75, 0.75, 0.70, 0.65),
    "tree": (0.04, 0.08, 0.04, 0.40, 0.18),
}


def _spec(rng: np.random.Generator, name: str, jitter: float = 0.03) -> np.ndarray:
    return np.clip(np.array(MATERIALS[name], np.float32) + rng.normal(0, jitter, 5).astype(np.float32), 0.01, 0.95)


def _smooth(rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Smooth noise in [-1, 1]: filtered at 1/4 resolution and upsampled (large kernels are slow)."""
    n = ndimage.gaussian_filter(rng.normal(0, 1, (SIZE // 4, SIZE // 4)), sigma / 4, mode="wrap")
    n = ndimage.zoom(n, 4, order=1, mode="grid-wrap", grid_mode=True)
    return (n / max(np.abs(n).max(), 1e-6)).astype(np.float32)


def _grid() -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) + 0.5
    return xx, yy


def _road(img, rng, p, angle, width, lanes: bool) -> None:
    """A straight road through p; with lanes, dashed markings between them and solid edge lines."""
    xx, yy = _grid()
    d = np.array([np.cos(angle), np.sin(angle)], np.float32)
    across = (xx - p[0]) * -d[1] + (yy - p[1]) * d[0]
    along = (xx - p[0]) * d[0] + (yy - p[1]) * d[1]
    img[np.abs(across) <= width / 2] = _spec(rng, "asphalt", 0.01)
    if lanes:
        paint = _spec(rng, "paint", 0.02)
        n_lanes = max(2, int(width // 7))
        for k in range(1, n_lanes):
            off = -width / 2 + k * width / n_lanes
            img[(np.abs(across - off) <= 0.7) & ((along % 14) < 7)] = paint
        img[np.abs(np.abs(across) - (width / 2 - 1.5)) <= 0.6] = paint


def fields(rng: np.random.Generator) -> np.ndarray:
    xx, yy = _grid()
    n = int(rng.integers(10, 22))
    seeds = rng.uniform(-20, SIZE + 20, (n, 2))
    d, label = cKDTree(seeds).query(np.column_stack([xx.ravel(), yy.ravel()]), k=2)
    label, gap = label[:, 0].reshape(SIZE, SIZE), (d[:, 1] - d[:, 0]).reshape(SIZE, SIZE)
    img = np.zeros((SIZE, SIZE, 5), np.float32)
    for i in range(n):
        kind = rng.choice(["grass", "crop", "soil", "crop"])
        t = rng.uniform(0, 1)
        spec = (1 - t) * _spec(rng, kind) + t * _spec(rng, "soil") if kind != "soil" else _spec(rng, "soil")
        th, period, depth = rng.uniform(0, np.pi), rng.uniform(4, 9), rng.uniform(0.08, 0.22)
        m = label == i
        rows = 1 + depth * np.sin(2 * np.pi * (xx[m] * np.cos(th) + yy[m] * np.sin(th)) / period)   # crop rows
        img[m] = spec * rows[:, None]
    img[gap < 1.6] = _spec(rng, "soil", 0.02) * 1.15                        # dirt tracks between parcels
    if rng.random() < 0.4:
        pond = _smooth(rng, 12) > 0.55
        img[pond] = _spec(rng, "water", 0.01)
    if rng.random() < 0.7:
        _road(img, rng, rng.uniform(40, SIZE - 40, 2), rng.uniform(0, np.pi), rng.uniform(5, 8), lanes=False)
    return img


def urban(rng: np.random.Generator) -> np.ndarray:
    img = np.empty((SIZE, SIZE, 5), np.float32)
    img[:] = _spec(rng, "grass")
    cuts = []
    for axis in range(2):
        pos = np.sort(rng.uniform(20, SIZE - 20, int(rng.integers(2, 4))))
        pos = pos[np.concatenate([[True], np.diff(pos) > 50])]
        cuts.append(np.concatenate([[-30], pos, [SIZE + 30]]))
    widths = rng.uniform(8, 13)
    for i, y0 in enumerate(cuts[1][:-1]):
        for j, x0 in enumerate(cuts[0][:-1]):
            bx0, bx1 = x0 + widths / 2 + 3, cuts[0][j + 1] - widths / 2 - 3
            by0, by1 = y0 + widths / 2 + 3, cuts[1][i + 1] - widths / 2 - 3
            _block(img, rng, bx0, by0, bx1, by1)
    for x in cuts[0][1:-1]:
        img[:, int(x - widths / 2 - 2):int(x + widths / 2 + 2)] = _spec(rng, "concrete", 0.01)
        img[:, int(x - widths / 2):int(x + widths / 2)] = _spec(rng, "asphalt", 0.01)
    for y in cuts[1][1:-1]:
        img[int(y - widths / 2 - 2):int(y + widths / 2 + 2)] = _spec(rng, "concrete", 0.01)
        img[int(y - widths / 2):int(y + widths / 2)] = _spec(rng, "asphalt", 0.01)
    return img


def _block(img, rng, x0, y0, x1, y1) -> None:
    """Buildings and parking lots inside a city block."""
    x, xs = x0, []
    while x < x1 - 10:
        w = rng.uniform(16, 45)
        xs.append((x, min(x + w, x1)))
        x += w + rng.uniform(3, 8)
    for a, b in xs:
        lo, hi = int(max(a, 0)), int(min(b, SIZE))
        top, bot = int(max(y0, 0)), int(min(y1, SIZE))
        if hi <= lo or bot <= top:
            continue
        if rng.random() < 0.35:      # parking lot with rows of cars
            img[top:bot, lo:hi] = _spec(rng, "asphalt", 0.01)
            for cy in range(top + 2, bot - 8, 11):
                for cx in range(lo + 2, hi - 4, 6):
                    if rng.random() < 0.6:
                        img[cy:cy + 8, cx:cx + 4] = rng.uniform(0.05, 0.8, 5).astype(np.float32)
        else:
            roof = _spec(rng, rng.choice(["red_roof", "grey_roof", "concrete"]))
            img[top:bot, lo:hi] = roof
            img[top:bot, lo:min(lo + 2, hi)] = roof * 0.6      # a shadowed edge
            if bot - top > 20:
                mid = (top + bot) // 2
                img[mid:mid + 1, lo:hi] = roof * 0.8           # roof ridge


def highway(rng: np.random.Generator) -> np.ndarray:
    veg, soil = _spec(rng, "grass"), _spec(rng, "soil")
    t = np.clip(_smooth(rng, 18) * 1.5 + 0.5, 0, 1)[..., None]
    img = (1 - t) * veg + t * soil
    xx, yy = _grid()
    for _ in range(int(rng.integers(40, 90))):     # trees, each painted in its own window
        c, r = rng.uniform(0, SIZE, 2), rng.uniform(2, 5)
        x0, x1, y0, y1 = (int(np.clip(v, 0, SIZE)) for v in (c[0] - 6, c[0] + 7, c[1] - 6, c[1] + 7))
        disc = (xx[y0:y1, x0:x1] - c[0]) ** 2 + (yy[y0:y1, x0:x1] - c[1]) ** 2 <= r * r
        img[y0:y1, x0:x1][disc] = _spec(rng, "tree", 0.01)
    centre = rng.uniform(90, 166, 2)
    a0 = rng.uniform(0, np.pi)
    _road(img, rng, centre, a0, rng.uniform(20, 28), lanes=True)
    _road(img, rng, centre, a0 + rng.uniform(0.9, 2.2), rng.uniform(16, 24), lanes=True)
    rc, rr = centre + rng.uniform(-60, 60, 2), rng.uniform(40, 70)
    if rng.random() < 0.8:      # an on-ramp
        img[np.abs(np.hypot(xx - rc[0], yy - rc[1]) - rr) <= 4] = _spec(rng, "asphalt", 0.01)
    return img


def render(kind: str, rng: np.random.Generator) -> np.ndarray:
    """float32[5, 256, 256] in [0, 1]: the scene's bands, lit, textured and contrast-stretched."""
    img = {"fields": fields, "urban": urban, "highway": highway}[kind](rng)
    img = ndimage.gaussian_filter(img, (0.6, 0.6, 0))
    img *= (1 + 0.12 * _smooth(rng, 30))[..., None]                      # illumination / haze
    img *= (1 + 0.06 * rng.normal(0, 1, img.shape)).astype(np.float32)   # texture
    bands = np.moveaxis(img, -1, 0)
    out = np.empty((5, SIZE, SIZE), np.float32)
    for b in range(5):
        lo, hi = np.percentile(bands[b], [1, 99])
        out[b] = 0.05 + 0.7 * np.clip((bands[b] - lo) / max(hi - lo, 1e-6), 0, 1)
    return out
