"""Scenes for Multichannel Image Alignment: five synthetic generators and natural images.

Every scene is float32 RGB in [0, 1] of `SCENE` x `SCENE` pixels: the canvas
(256 px) plus a `MARGIN` on each side, so that the distorted channels sample
real content near their borders instead of padding.

Synthetic (paper A.2.6: "5 DGPs"): Gaussian blobs, Perlin noise, geometric
shapes, Voronoi cells, gradient fields. Structure is shared by the three
colour planes (each object or level gets an RGB colour), so every channel
projection of the scene shows the same geometry with a different appearance.

Natural: the paper uses ImageNette, which cannot be downloaded here. We use
the natural photographs that scikit-image ships inside its wheel
(`skimage.data`, no network), or the images of a user folder (`image_dir`):
a random square crop (60–100 % of the short side), random mirror, resized to
the scene size.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image as PILImage
from scipy import ndimage
from scipy.spatial import cKDTree

CANVAS = 256
MARGIN = 48
SCENE = CANVAS + 2 * MARGIN

GENERATORS = ("blobs", "perlin", "shapes", "voronoi", "gradients")
# skimage.data samples that load from the wheel itself (no pooch download); photographs, not drawings
SKIMAGE_NATURAL = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry",
                   "retina", "camera", "coins", "moon")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")


def _grid() -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:SCENE, 0:SCENE].astype(np.float32)
    return xx, yy


def _normalize(a: np.ndarray) -> np.ndarray:
    lo, hi = np.percentile(a, [1, 99])
    return np.clip((a - lo) / max(hi - lo, 1e-6), 0, 1).astype(np.float32)


def _colorize(g: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A grey field through a random smooth colour map (three random monotone-ish curves)."""
    g = _normalize(g)
    out = np.empty(g.shape + (3,), np.float32)
    for k in range(3):
        knots = np.sort(rng.uniform(0, 1, 4))
        vals = rng.uniform(0, 1, 6)
        vals[0], vals[-1] = rng.uniform(0, 0.3), rng.uniform(0.7, 1.0)
        out[..., k] = np.interp(g, np.concatenate([[0], knots, [1]]), vals)
    return out


def blobs(rng: np.random.Generator) -> np.ndarray:
    img = np.zeros((SCENE, SCENE, 3), np.float32)
    img[:] = rng.uniform(0, 0.2, 3)
    for _ in range(rng.integers(25, 50)):
        cx, cy = rng.uniform(0, SCENE, 2)
        sx, sy = rng.uniform(4, 22, 2)
        th = rng.uniform(0, np.pi)
        color = rng.uniform(0.2, 1.0, 3).astype(np.float32)
        r = 3.5 * max(sx, sy)         # each blob only touches its own window
        x0, x1 = int(max(cx - r, 0)), int(min(cx + r + 1, SCENE))
        y0, y1 = int(max(cy - r, 0)), int(min(cy + r + 1, SCENE))
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        dx, dy = xx - cx, yy - cy
        u, v = dx * np.cos(th) + dy * np.sin(th), -dx * np.sin(th) + dy * np.cos(th)
        g = np.exp(-0.5 * ((u / sx) ** 2 + (v / sy) ** 2))
        img[y0:y1, x0:x1] += g[..., None] * color
    return np.clip(img / max(img.max(), 1e-6) * 1.2, 0, 1)


def _perlin(rng: np.random.Generator, cells: int) -> np.ndarray:
    """Classic gradient noise with `cells` lattice cells across the scene."""
    ang = rng.uniform(0, 2 * np.pi, (cells + 1, cells + 1)).astype(np.float32)
    gx, gy = np.cos(ang), np.sin(ang)
    t = ((np.arange(SCENE) + 0.5) / SCENE * cells).astype(np.float32)
    i = np.minimum(t.astype(int), cells - 1)
    f = t - i
    fy, fx = np.meshgrid(f, f, indexing="ij")
    iy, ix = np.meshgrid(i, i, indexing="ij")

    def dot(oy, ox):
        return gx[iy + oy, ix + ox] * (fx - ox) + gy[iy + oy, ix + ox] * (fy - oy)

    fade = lambda s: s * s * s * (s * (s * 6 - 15) + 10)   # noqa: E731 (Perlin's quintic)
    wx, wy = fade(fx), fade(fy)
    top = dot(0, 0) * (1 - wx) + dot(0, 1) * wx
    bottom = dot(1, 0) * (1 - wx) + dot(1, 1) * wx
    return top * (1 - wy) + bottom * wy


def perlin(rng: np.random.Generator) -> np.ndarray:
    base = int(rng.integers(3, 7))
    g = sum(_perlin(rng, base * 2 ** o) * 0.55 ** o for o in range(4))
    return _colorize(g, rng)


def shapes(rng: np.random.Generator) -> np.ndarray:
    xx, yy = _grid()
    img = np.empty((SCENE, SCENE, 3), np.float32)
    img[:] = rng.uniform(0, 0.3, 3)
    for _ in range(rng.integers(18, 35)):
        cx, cy = rng.uniform(0, SCENE, 2)
        r = rng.uniform(8, 34)
        kind = rng.integers(3)
        if kind == 0:       # disc
            mask = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
        elif kind == 1:     # rotated rectangle
            th, a, b = rng.uniform(0, np.pi), r, r * rng.uniform(0.3, 1.0)
            dx, dy = xx - cx, yy - cy
            mask = (np.abs(dx * np.cos(th) + dy * np.sin(th)) <= a) & (np.abs(-dx * np.sin(th) + dy * np.cos(th)) <= b)
        else:               # triangle: inside all three half-planes
            angs = rng.uniform(0, 2 * np.pi) + np.array([0, 2.1, 4.2]) + rng.uniform(-0.3, 0.3, 3)
            px, py = cx + r * np.cos(angs), cy + r * np.sin(angs)
            side = [(px[(k + 1) % 3] - px[k]) * (yy - py[k]) - (py[(k + 1) % 3] - py[k]) * (xx - px[k]) for k in range(3)]
            mask = ((side[0] >= 0) & (side[1] >= 0) & (side[2] >= 0)) | ((side[0] <= 0) & (side[1] <= 0) & (side[2] <= 0))
        img[mask] = rng.uniform(0.15, 1.0, 3)
    return ndimage.gaussian_filter(img, (0.8, 0.8, 0))


def voronoi(rng: np.random.Generator) -> np.ndarray:
    n = int(rng.integers(30, 70))
    seeds = rng.uniform(0, SCENE, (n, 2))
    xx, yy = _grid()
    d, label = cKDTree(seeds).query(np.column_stack([xx.ravel(), yy.ravel()]), k=2)
    edge = (d[:, 1] - d[:, 0]).reshape(SCENE, SCENE)           # distance-like gap to the nearest border
    colors = rng.uniform(0.15, 1.0, (n, 3)).astype(np.float32)
    img = colors[label[:, 0].reshape(SCENE, SCENE)] * np.clip(edge / 3.0, 0.15, 1.0).astype(np.float32)[..., None]
    return ndimage.gaussian_filter(img, (0.7, 0.7, 0))


def gradients(rng: np.random.Generator) -> np.ndarray:
    """Smooth linear and radial gradients, posterized into bands so that level lines make landmarks."""
    xx, yy = _grid()
    g = np.zeros((SCENE, SCENE), np.float32)
    for _ in range(rng.integers(3, 7)):
        if rng.random() < 0.5:
            th = rng.uniform(0, 2 * np.pi)
            g += rng.uniform(0.5, 1.5) * (xx * np.cos(th) + yy * np.sin(th)) / SCENE
        else:
            cx, cy = rng.uniform(-0.2, 1.2, 2) * SCENE
            g += rng.uniform(-1.5, 1.5) * np.hypot(xx - cx, yy - cy) / SCENE
    g += 0.15 * np.sin(2 * np.pi * rng.uniform(2, 5) * xx / SCENE + rng.uniform(0, 6)) \
        * np.sin(2 * np.pi * rng.uniform(2, 5) * yy / SCENE + rng.uniform(0, 6))
    levels = int(rng.integers(6, 11))
    g = np.floor(_normalize(g) * levels) / levels
    return ndimage.gaussian_filter(_colorize(g, rng), (0.8, 0.8, 0))


SYNTHETIC = {"blobs": blobs, "perlin": perlin, "shapes": shapes, "voronoi": voronoi, "gradients": gradients}


@lru_cache(maxsize=16)
def _skimage_photo(name: str) -> np.ndarray:
    try:
        import skimage.data
    except ImportError as e:   # a clear message instead of a bare ImportError deep in make_instance
        raise ImportError("multichannel_image_alignment: natural images need scikit-image "
                          "(pip install scikit-image), or pass image_dir=") from e
    img = getattr(skimage.data, name)()
    img.setflags(write=False)
    return img


def list_images(image_dir: str | Path) -> list[Path]:
    files = sorted(p for p in Path(image_dir).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ValueError(f"image_dir: no images ({', '.join(IMAGE_SUFFIXES)}) in {str(image_dir)!r}")
    return files


def natural(rng: np.random.Generator, image_dir: str | Path | None = None) -> tuple[np.ndarray, str]:
    """(scene, name): a random crop of a natural photograph, as float RGB."""
    if image_dir is None:
        name = SKIMAGE_NATURAL[rng.integers(len(SKIMAGE_NATURAL))]
        img = _skimage_photo(name)
    else:
        files = list_images(image_dir)
        path = files[rng.integers(len(files))]
        name = path.name
        img = np.asarray(PILImage.open(path).convert("RGB"))
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    img = img[..., :3]
    h, w = img.shape[:2]
    side = max(16, int(min(h, w) * rng.uniform(0.6, 1.0)))
    y0, x0 = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
    crop = PILImage.fromarray(np.ascontiguousarray(img[y0:y0 + side, x0:x0 + side]))
    crop = crop.resize((SCENE, SCENE), PILImage.BILINEAR)
    out = np.asarray(crop, np.float32) / 255.0
    if rng.random() < 0.5:
        out = out[:, ::-1]
    return np.ascontiguousarray(out), name
