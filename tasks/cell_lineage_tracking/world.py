"""Cell Lineage Tracking instances: a cleaving embryo of Voronoi cells over 10 frames.

Models developmental-biology lineage tracing (paper A.2.3). An oval embryo
starts as one cell at frame 0. Cells divide after a cell cycle of 1–3 frames
(mostly 1–2; the root at frame 1): the dividing cell's Voronoi seed is replaced by two
seeds on either side of it along a random axis, and every frame the seeds
relax a little towards their regions' centroids (Lloyd), so cells stay
round and even as the embryo fills up. Divisions stop at 14–20 cells
(Figure 10d shows 2 → 13 cells on the way), giving 13–19 division events.

Each frame is a label map (pixel -> cell id, -1 outside the oval) and its
rendering: cells in distinct muted colours, darker membranes, the oval
outline. A cell is identified in a frame by its region, so a marker means
"the cell under it in the frame it was placed in".

The virtual annotator puts each cell's marker at the cell's centroid in its
birth frame; instances are drawn so that every daughter's centroid lies well
away (>= `CLEAR`) from every marker that can be on screen when it is placed,
so clicking it places a marker rather than selecting one.
"""
from __future__ import annotations

import colorsys
from dataclasses import dataclass, field

import numpy as np

from tasks.common import require, require_array

N_FRAMES = 10
SIZE = 256
MIN_CELLS, MAX_CELLS = 14, 20     # final cell counts
SELECT_R = 0.025                  # a canvas click this close to a shown marker selects it (gui)
CYCLES, CYCLE_P = (1, 2, 3), (0.4, 0.5, 0.1)   # cell cycle in frames
CLEAR = 0.042                     # daughters' centroids keep this distance from markers on screen


@dataclass(frozen=True, eq=False)
class Instance:
    seed: int
    parent: np.ndarray      # int64[C]: parent cell id, -1 for the root (cell 0)
    birth: np.ndarray       # int64[C]: frame a cell appears in
    division: np.ndarray    # int64[C]: frame its daughters appear in (N_FRAMES: never divides)
    centroid: np.ndarray    # float64[C, 2]: (x, y) of the cell's region in its birth frame
    labels: np.ndarray      # int16[10, 256, 256]: cell id per pixel, -1 outside the embryo
    frames: np.ndarray      # uint8[10, 256, 256, 3]
    frame_views: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "frame_views", tuple(self.frames))

    @property
    def n_cells(self) -> int:
        return len(self.parent)

    def children(self, cell: int) -> list[int]:
        return [int(c) for c in np.flatnonzero(self.parent == cell)]

    def divisions(self) -> list[tuple[int, int, int, int]]:
        """(frame, parent, child_a, child_b) for every division, in frame order."""
        out = [(int(self.division[p]), p, *self.children(p)) for p in range(self.n_cells) if self.division[p] < N_FRAMES]
        return sorted(out)

    def cell_at(self, frame: int, u: float, v: float) -> int:
        """The cell under canvas point (u, v) in `frame` (-1: outside the embryo)."""
        i, j = min(int(v * SIZE), SIZE - 1), min(int(u * SIZE), SIZE - 1)
        return int(self.labels[frame, i, j])


_YY, _XX = (np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) + 0.5) / SIZE


class _Pixels:
    """Embryo pixel centres (every `stride`-th row and column), for nearest-seed labelling and centroids."""

    def __init__(self, inside: np.ndarray, stride: int = 1):
        grid = np.zeros_like(inside)
        grid[::stride, ::stride] = True
        self.mask = inside & grid
        self.xy = np.stack([_XX[self.mask], _YY[self.mask]], axis=1).astype(np.float64)    # [M, 2]
        self.x, self.y = self.xy[:, 0].copy(), self.xy[:, 1].copy()
        self.area = stride * stride / (SIZE * SIZE)                                         # canvas fraction per pixel

    def labels(self, seeds: dict[int, np.ndarray]) -> np.ndarray:
        """int16[M]: the nearest seed's cell id per pixel (first seed on ties)."""
        best = np.full(len(self.xy), np.inf)
        out = np.zeros(len(self.xy), np.int16)
        for c, (px, py) in seeds.items():   # a loop over <= 21 seeds beats an [M, k] matrix (no BLAS threads)
            d = (self.x - px) ** 2 + (self.y - py) ** 2
            closer = d < best
            best[closer] = d[closer]
            out[closer] = c
        return out

    def centroids(self, lab: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Per cell id < n: centroid float64[n, 2] (NaN where no pixels) and area (fraction of the canvas)."""
        count = np.bincount(lab, minlength=n)[:n]
        sx = np.bincount(lab, weights=self.xy[:, 0], minlength=n)[:n]
        sy = np.bincount(lab, weights=self.xy[:, 1], minlength=n)[:n]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.stack([sx / count, sy / count], axis=1), count * self.area

    def image(self, lab: np.ndarray) -> np.ndarray:
        out = np.full((SIZE, SIZE), -1, np.int16)
        out[self.mask] = lab
        return out


def _divide(rng, seeds, areas, parent, birth, division, shown, t, target) -> list[int]:
    """Replace each cell due to divide at frame t by two daughter seeds; returns the daughters.

    Of a few random division axes, each cell takes the one that puts its
    daughters farthest from the markers on screen (`shown`) and from the
    daughters placed so far: a cheap proxy for the clearance checked later.
    """
    born, taken = [], list(shown)
    for p in [c for c in seeds if division[c] == t]:
        if len(seeds) >= target:                                      # embryo full: this cell stops cycling
            division[p] = N_FRAMES
            continue
        r = np.sqrt(areas[p] / np.pi)
        ang = rng.uniform(0, np.pi, 6)
        axes = np.stack([np.cos(ang), np.sin(ang)], axis=1)           # [6, 2]
        pairs = seeds[p][None, None] + np.array([1.0, -1.0])[None, :, None] * 0.6 * r * axes[:, None]
        if taken:
            gap = np.linalg.norm(pairs[:, :, None] - np.array(taken)[None, None], axis=3).min(axis=(1, 2))
        else:
            gap = np.zeros(len(axes))
        best = pairs[int(np.argmax(gap))]
        for d in best:
            born.append(len(parent))
            seeds[len(parent)] = d
            taken.append(d)
            parent.append(p), birth.append(t), division.append(N_FRAMES)
        del seeds[p]
    return born


def _clear(seeds: dict, cents: np.ndarray, born: list[int], birth: list[int], division: list[int], t: int) -> bool:
    """Each daughter's centroid lies in its own region and away from every marker that can be on screen."""
    ids = list(seeds)
    pts = np.array([seeds[c] for c in ids])
    shown = [cents[c] for c in range(len(birth)) if birth[c] < t and division[c] >= t]
    for c in born:
        if not np.isfinite(cents[c]).all() or ids[int(np.argmin(((pts - cents[c]) ** 2).sum(axis=1)))] != c:
            return False
        others = shown + [cents[o] for o in born if o != c]
        if min(np.hypot(*(cents[c] - o)) for o in others) < CLEAR:
            return False
    return True


def _simulate(rng: np.random.Generator, inside: np.ndarray, centre: np.ndarray, target: int):
    """Grow the embryo to `target` cells; None when a frame's daughters cannot be made clearly clickable.

    The growth runs on every other pixel (4x cheaper); the frames, labels and
    centroids are then made at full resolution and the clearance checked again.
    """
    coarse, fine = _Pixels(inside, 2), _Pixels(inside, 1)
    parent, birth, division = [-1], [0], [1]
    seeds = {0: centre + rng.normal(0, 0.01, 2)}
    cents, areas = coarse.centroids(coarse.labels(seeds), 1)
    history = [dict(seeds)]
    for t in range(1, N_FRAMES):
        saved = (dict(seeds), list(parent), list(birth), list(division))
        for _ in range(30):                       # retry this frame's division axes until the daughters are clear
            seeds, parent, birth, division = (dict(saved[0]), *(list(x) for x in saved[1:]))
            shown = [cents[c] for c in range(len(birth)) if birth[c] < t and division[c] >= t]
            born = _divide(rng, seeds, areas, parent, birth, division, shown, t, target)
            n = len(parent)
            rough, _ = coarse.centroids(coarse.labels(seeds), n)
            for c in seeds:                                           # partial Lloyd relaxation
                if np.isfinite(rough[c]).all():
                    seeds[c] = seeds[c] + 0.4 * (rough[c] - seeds[c])
            new, new_areas = coarse.centroids(coarse.labels(seeds), n)
            new[:len(cents)] = cents                                  # markers sit at birth-frame centroids
            if _clear(seeds, new, born, birth, division, t):
                break
        else:
            return None
        cents, areas = new, new_areas
        for c in born:
            division[c] = min(t + CYCLES[rng.choice(len(CYCLES), p=CYCLE_P)], N_FRAMES)
        history.append(dict(seeds))
    n = len(parent)
    labels = np.empty((N_FRAMES, SIZE, SIZE), np.int16)
    centroid = np.full((n, 2), np.nan)
    for t, seeds in enumerate(history):
        lab = fine.labels(seeds)
        labels[t] = fine.image(lab)
        full, _ = fine.centroids(lab, n)
        born = [c for c in range(n) if birth[c] == t]
        centroid[born] = full[born]
        if t and not _clear(seeds, centroid, born, birth, division, t):
            return None
    return np.array(parent, np.int64), np.array(birth, np.int64), np.array(division, np.int64), centroid, labels


def render(labels: np.ndarray, colors: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Cells in their colours, membranes darker, the oval outline light, the rest dark."""
    bg = np.array([[18, 18, 22]], np.uint8)
    # one palette gather per frame: rows 0..n = outside + cells, rows n+1.. = the same, shaded (membranes)
    palette = np.vstack([bg, colors, bg, (colors * 0.45).astype(np.uint8)])
    ring = inside & ~(np.roll(inside, 1, 0) & np.roll(inside, -1, 0) & np.roll(inside, 1, 1) & np.roll(inside, -1, 1))
    frames = np.empty(labels.shape + (3,), np.uint8)
    for t, lab in enumerate(labels):
        edge = inside & ((lab != np.roll(lab, 1, 0)) | (lab != np.roll(lab, 1, 1)))
        np.take(palette, (lab + 1) + edge * (len(colors) + 1), axis=0, out=frames[t])
        frames[t][ring] = (170, 170, 180)
    return frames


def make_instance(seed: int) -> Instance:
    """An embryo dividing from 1 to 14–20 cells over 10 frames, from `seed`."""
    require(isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0, "seed",
            f"expected an integer >= 0, got {seed!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xCE11]))
    for _ in range(500):
        a, b = rng.uniform(0.38, 0.44), rng.uniform(0.29, 0.34)     # oval semi-axes
        centre = 0.5 + rng.uniform(-0.02, 0.02, 2)
        inside = ((_XX - centre[0]) / a) ** 2 + ((_YY - centre[1]) / b) ** 2 <= 1.0
        got = _simulate(rng, inside, centre, int(rng.integers(MIN_CELLS, MAX_CELLS + 1)))
        if got is not None and (got[2] < N_FRAMES).sum() >= MIN_CELLS - 1:     # the embryo filled up
            break
    else:
        raise RuntimeError(f"cell_lineage_tracking: no embryo found for seed {seed}")
    parent, birth, division, centroid, labels = got
    # spread hues, skipping the greens (0.22–0.45) so the green "this frame" markers stand out
    hues = ((rng.permutation(len(parent)) / len(parent) + rng.uniform(0, 1)) % 1.0) * 0.77
    hues = np.where(hues >= 0.22, hues + 0.23, hues)
    colors = np.array([[int(255 * c) for c in colorsys.hsv_to_rgb(h, rng.uniform(0.35, 0.55), rng.uniform(0.5, 0.68))]
                       for h in hues], np.uint8)
    return Instance(int(seed), parent, birth, division, centroid, labels, render(labels, colors, inside))


def validate_instance(inst) -> None:
    require(isinstance(inst, Instance), "instance",
            f"expected a cell_lineage_tracking Instance, got {type(inst).__name__}")
    n = len(inst.parent)
    require(n >= 1, "instance.parent", "expected at least the root cell")
    for name, dtype, shape in (("parent", np.int64, (n,)), ("birth", np.int64, (n,)), ("division", np.int64, (n,)),
                               ("centroid", np.float64, (n, 2)), ("labels", np.int16, (N_FRAMES, SIZE, SIZE)),
                               ("frames", np.uint8, (N_FRAMES, SIZE, SIZE, 3))):
        require_array(getattr(inst, name), f"instance.{name}", dtype, shape)
    require(inst.parent[0] == -1 and ((inst.parent[1:] >= 0) & (inst.parent[1:] < np.arange(1, n))).all(),
            "instance.parent", "cell 0 must be the root and every parent must precede its children")
    require(bool(np.isfinite(inst.centroid).all()) and bool(((inst.centroid >= 0) & (inst.centroid <= 1)).all()),
            "instance.centroid", "must be finite and lie in [0, 1]")
