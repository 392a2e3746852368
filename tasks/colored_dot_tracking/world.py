"""Colored Dot Tracking instances: a dotted pen trajectory through a 16-slice volume.

The paper extrudes Omniglot handwriting strokes into 3-D. Omniglot cannot be
downloaded here, so strokes are generated procedurally as handwriting-like pen
paths: 1–3 strokes, each a Catmull-Rom spline through 3–6 control points, in
the way a letter is written (strokes start near where the previous one ended).
Dots are spaced evenly along the path's arc length and coloured by their order
(jet colormap, blue first, red last). Depth follows a smooth oscillation
through the 16 slices, so reaching the next dot needs a few z steps.

Each dot sits on one slice (z normalized at a slice centre, so the paper's
`z_slice = z * 16 - 0.5` is an integer). A slice image shows dots at full
brightness on their slice and faintly on the neighbouring ones (Gaussian falloff
in z), as a confocal section would; the MIP is the maximum over slices.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tasks.common import jet, require, require_array

N_SLICES = 16
SIZE = 256            # canvas and raster size (pixels)
DOT_RADIUS = 4.0      # pixels
Z_FALLOFF = 0.6       # Gaussian s.d. of brightness across slices
MIN_SPACING = 0.06    # normalized distance between any two dots (avoids ambiguous overlaps)


@dataclass(frozen=True, eq=False)
class Instance:
    seed: int
    points: np.ndarray    # float64[N, 3]: x, y in [0, 1] (canvas), z in [0, 1] (depth, slice centres)
    colors: np.ndarray    # uint8[N, 3]
    slices: np.ndarray    # uint8[16, 256, 256, 3]
    mip: np.ndarray       # uint8[256, 256, 3]
    # one view object per slice, made once: the renderer caches images by array identity
    slice_views: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "slice_views", tuple(self.slices))

    @property
    def n(self) -> int:
        return len(self.points)

    def slice_of(self, i: int) -> int:
        return int(round(self.points[i, 2] * N_SLICES - 0.5))


def _catmull_rom(ctrl: np.ndarray, samples: int) -> np.ndarray:
    """A smooth curve through the control points (end points duplicated)."""
    p = np.vstack([ctrl[:1], ctrl, ctrl[-1:]])
    out = []
    for i in range(1, len(p) - 2):
        t = np.linspace(0, 1, samples, endpoint=False)[:, None]
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3))
    out.append(ctrl[-1:])
    return np.vstack(out)


def _pen_path(rng: np.random.Generator) -> np.ndarray:
    """A letter-like path of 1–3 strokes as a dense polyline in [0.1, 0.9]^2."""
    strokes, pen = [], rng.uniform(0.25, 0.75, 2)
    for _ in range(rng.integers(1, 4)):
        n_ctrl = rng.integers(3, 7)
        steps = rng.normal(0, 0.22, (n_ctrl - 1, 2))
        ctrl = np.clip(pen + np.vstack([[0, 0], np.cumsum(steps, axis=0)]), 0.1, 0.9)
        strokes.append(_catmull_rom(ctrl, 24))
        pen = np.clip(ctrl[-1] + rng.normal(0, 0.12, 2), 0.1, 0.9)
    return np.clip(np.vstack(strokes), 0.1, 0.9)


def _sample_dots(rng: np.random.Generator, n: int) -> np.ndarray | None:
    path = _pen_path(rng)
    seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
    arc = np.concatenate([[0], np.cumsum(seg)])
    if arc[-1] < MIN_SPACING * n * 1.2:
        return None
    at = np.linspace(0, arc[-1], n)
    xy = np.stack([np.interp(at, arc, path[:, 0]), np.interp(at, arc, path[:, 1])], axis=1)
    d = np.linalg.norm(xy[:, None] - xy[None], axis=2) + np.eye(n)
    return xy if d.min() >= MIN_SPACING else None


def _depths(rng: np.random.Generator, n: int) -> np.ndarray:
    """Slice index per dot: a smooth oscillation through the volume, starting near the top.

    The total z travel is kept where the paper's episode lengths (Table 1:
    100–170 actions, Table 18: ~74 % navigation) put it: 3.0–4.4 slices per
    dot, and enough that even a mistake-free trace reaches 100 actions.
    """
    lo, hi = max(3.0 * n, 100 - 3 * n), min(4.4 * n, 146 - 3 * n)
    t = np.linspace(0, 1, n)
    best, best_gap = None, np.inf
    for _ in range(200):
        cycles, amp = rng.uniform(1.0, 2.4), rng.uniform(5.0, 7.5)
        phase = rng.uniform(-0.25, 0.25) * np.pi
        z = 7.5 - amp * np.cos(2 * np.pi * cycles * t + phase) + rng.normal(0, 0.6, n)
        z = np.clip(np.round(z), 0, N_SLICES - 1).astype(int)
        travel = z[0] + np.abs(np.diff(z)).sum()
        gap = max(lo - travel, travel - hi, 0)
        if gap < best_gap:
            best, best_gap = z, gap
        if gap == 0:
            break
    return best


def render_volume(points: np.ndarray, colors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slices uint8[16, S, S, 3] and their maximum intensity projection."""
    vol = np.zeros((N_SLICES, SIZE, SIZE, 3), np.float32)
    r = int(np.ceil(DOT_RADIUS + 2))
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    for (x, y, z), color in zip(points, colors):
        cx, cy, zs = x * SIZE, y * SIZE, z * N_SLICES - 0.5
        ix, iy = int(np.floor(cx)), int(np.floor(cy))
        dist = np.hypot(xx + ix + 0.5 - cx, yy + iy + 0.5 - cy)
        disc = np.clip(DOT_RADIUS + 0.5 - dist, 0.0, 1.0)   # anti-aliased disc
        for k in range(N_SLICES):
            gain = np.exp(-0.5 * ((k - zs) / Z_FALLOFF) ** 2)
            if gain < 1e-3:
                continue
            patch = (disc * gain)[..., None] * color.astype(np.float32)
            sl = vol[k, iy - r:iy + r + 1, ix - r:ix + r + 1]
            np.maximum(sl, patch, out=sl)
    slices = np.round(vol).astype(np.uint8)
    return slices, slices.max(axis=0)


def make_instance(seed: int, n_points: int | None = None) -> Instance:
    """A trajectory of 14–19 dots (or `n_points`) from `seed`."""
    require(isinstance(seed, (int, np.integer)) and seed >= 0, "seed", f"expected an integer >= 0, got {seed!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x0C07]))
    n = int(n_points) if n_points is not None else int(rng.integers(14, 20))
    require(3 <= n <= 40, "n_points", f"expected 3..40, got {n}")
    for _ in range(1000):
        xy = _sample_dots(rng, n)
        if xy is not None:
            break
    else:
        raise RuntimeError(f"colored_dot_tracking: no trajectory of {n} dots found for seed {seed}")
    z = (_depths(rng, n) + 0.5) / N_SLICES
    points = np.column_stack([xy, z])
    colors = jet(np.linspace(0, 1, n))
    slices, mip = render_volume(points, colors)
    return Instance(int(seed), points, colors, slices, mip)


def validate_instance(inst) -> None:
    require(isinstance(inst, Instance), "instance", f"expected a colored_dot_tracking Instance, got {type(inst).__name__}")
    require_array(inst.points, "instance.points", np.float64, (None, 3))
    require(len(inst.points) >= 1 and np.isfinite(inst.points).all(), "instance.points", "must be finite and non-empty")
    require(((inst.points >= 0) & (inst.points <= 1)).all(), "instance.points", "coordinates must lie in [0, 1]")
    require_array(inst.colors, "instance.colors", np.uint8, (len(inst.points), 3))
    require_array(inst.slices, "instance.slices", np.uint8, (N_SLICES, SIZE, SIZE, 3))
    require_array(inst.mip, "instance.mip", np.uint8, (SIZE, SIZE, 3))
