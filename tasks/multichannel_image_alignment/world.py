"""Multichannel Image Alignment instances (paper A.2.6): one scene seen through 3–6 misaligned channels.

A scene (`scenes.py`: 50 % one of five synthetic generators, 50 % a natural
photograph) is projected into C channels with different appearance: a
random linear mix of its RGB planes, optional contrast inversion, gamma,
blur and sensor noise, shown in the channel's pseudo-colour (microscopy
LUTs: grey, green, magenta, cyan, yellow, orange).

Geometry: channel 1 is the reference (the scene as is); every other channel
has its own distortion, affine (rotation ±6°, scale 0.93–1.07, shear ±0.05,
shift ±10 px) plus a mild non-linear smooth displacement (two sinusoidal
modes per axis, up to ~3 px). It is defined backwards (channel pixel q →
reference point s(q)) so that channels are rendered by sampling; a landmark
p of the reference is found in channel c by inverting s with a fixed-point
iteration (the displacement's Jacobian is small, so it contracts).

Landmarks (3–9) are salient points of the reference channel (Harris corners
after non-maximum suppression), at least 20 px apart and at least 16 px
inside the canvas in every channel. Landmarks 1–3 are the triple of strong
corners spanning the largest triangle (paper: "first 3 points positioned for
optimal affine estimation"); the rest follow by corner strength.

Coordinates are canvas pixels, continuous: pixel i covers [i, i+1), so a
click at normalized u lands at u * 256.

The number of landmarks K is drawn given the number of channels C with
12 <= K*C <= 27 (K in 3–9 overall): every landmark costs about two actions
per channel, so this keeps episodes inside Table 1's 20–65 actions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
from scipy import ndimage

from tasks.common import require, require_array

from . import scenes

SIZE = scenes.CANVAS
CHANNELS = (3, 6)
LANDMARKS = (3, 9)
WORK = (12, 27)          # bounds on K*C (episode length, see the module docstring)
EDGE = 16.0              # landmarks stay this far inside the canvas in every channel
MIN_SPACING = 20.0       # px between landmarks
TINTS = np.array([[235, 235, 235], [80, 255, 80], [255, 80, 255], [80, 240, 255], [255, 240, 70], [255, 150, 60]],
                 np.uint8)
TINT_NAMES = ("grey", "green", "magenta", "cyan", "yellow", "orange")


@dataclass(frozen=True, eq=False)
class Instance:
    seed: int
    source: str               # "synthetic:<generator>" or "natural:<image name>"
    channels: np.ndarray      # uint8[C, 256, 256, 3], pseudo-coloured channel images
    landmarks: np.ndarray     # float64[K, C, 2]: (x, y) canvas pixels of landmark k in channel c
    tints: np.ndarray         # uint8[C, 3]
    # one view object per channel, made once: the renderer caches images by array identity
    channel_views: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "channel_views", tuple(self.channels))

    @property
    def n_channels(self) -> int:
        return self.channels.shape[0]

    @property
    def n_landmarks(self) -> int:
        return self.landmarks.shape[0]


@dataclass(frozen=True)
class Distortion:
    """Backward map of a channel: s(q) = A (q - c) + c + t + d(q), c the canvas centre."""

    A: np.ndarray        # float64[2, 2]
    t: np.ndarray        # float64[2]
    amp: np.ndarray      # float64[2, 2]: mode j, axis
    freq: np.ndarray     # float64[2, 2, 2]: mode j, axis, (fx, fy) in cycles per canvas
    phase: np.ndarray    # float64[2, 2]

    def displacement(self, q: np.ndarray) -> np.ndarray:
        x, y = q[..., 0] / SIZE, q[..., 1] / SIZE
        out = np.zeros(q.shape, np.float64)
        for j in range(2):
            for a in range(2):
                fx, fy = self.freq[j, a]
                out[..., a] += self.amp[j, a] * np.sin(2 * np.pi * (fx * x + fy * y) + self.phase[j, a])
        return out

    def backward(self, q: np.ndarray) -> np.ndarray:
        c = SIZE / 2
        return (q - c) @ self.A.T + c + self.t + self.displacement(q)

    def backward_grid(self) -> np.ndarray:
        """backward() at every pixel centre, float64[256, 256, 2] (x, y): the sinusoids are separable."""
        ax = (np.arange(SIZE) + 0.5) / SIZE
        out = np.empty((SIZE, SIZE, 2))
        rel = (np.arange(SIZE) + 0.5) - SIZE / 2
        for a in range(2):
            out[..., a] = self.A[a, 0] * rel[None, :] + self.A[a, 1] * rel[:, None] + SIZE / 2 + self.t[a]
            for j in range(2):   # sin(X + Y) = sin X cos Y + cos X sin Y
                fx, fy = self.freq[j, a]
                px, py = 2 * np.pi * fx * ax, 2 * np.pi * fy * ax + self.phase[j, a]
                out[..., a] += self.amp[j, a] * (np.outer(np.cos(py), np.sin(px)) + np.outer(np.sin(py), np.cos(px)))
        return out

    def forward(self, p: np.ndarray) -> np.ndarray:
        """The channel point q with backward(q) = p (fixed-point iteration)."""
        c = SIZE / 2
        inv = np.linalg.inv(self.A)
        q = np.array(p, np.float64)
        for _ in range(100):     # contraction ~0.1 per step: converges to 1e-9 px in about 10 steps
            nxt = (p - c - self.t - self.displacement(q)) @ inv.T + c
            if np.abs(nxt - q).max() < 1e-9:
                return nxt
            q = nxt
        return q


IDENTITY = Distortion(np.eye(2), np.zeros(2), np.zeros((2, 2)), np.ones((2, 2, 2)), np.zeros((2, 2)))


def random_distortion(rng: np.random.Generator) -> Distortion:
    th = np.deg2rad(rng.uniform(-6, 6))
    rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    scale = np.diag(rng.uniform(0.93, 1.07, 2))
    shear = np.array([[1.0, rng.uniform(-0.05, 0.05)], [0.0, 1.0]])
    amp = rng.uniform(0.5, 1.5, (2, 2)) * rng.choice([-1, 1], (2, 2))
    freq = rng.uniform(0.4, 1.5, (2, 2, 2)) * rng.choice([-1, 1], (2, 2, 2))
    return Distortion(rot @ scale @ shear, rng.uniform(-10, 10, 2), amp, freq, rng.uniform(0, 2 * np.pi, (2, 2)))


def appearance(scene: np.ndarray, rng: np.random.Generator, reference: bool) -> np.ndarray:
    """A channel's intensity (float, scene-sized): a projection of the RGB scene with its own contrast."""
    for _ in range(50):
        w = np.array([0.3, 0.59, 0.11]) if reference else rng.normal(0, 1, 3)
        inten = scenes._normalize(scene @ w.astype(np.float32))
        if inten.std() > 0.12 or reference:
            break
    if not reference and rng.random() < 0.3:
        inten = 1.0 - inten                                   # inverted contrast (e.g. a transmitted-light channel)
    inten = inten ** np.exp(rng.uniform(np.log(0.6), np.log(1.6)))
    sigma = 0.0 if reference else rng.uniform(0.0, 1.2)
    return ndimage.gaussian_filter(inten, sigma) if sigma > 0.3 else inten


def render_channel(inten: np.ndarray, dist: Distortion, tint: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    s = dist.backward_grid() - 0.5 + scenes.MARGIN          # continuous -> array index in the scene
    img = ndimage.map_coordinates(inten, [s[..., 1], s[..., 0]], order=1, mode="reflect")
    img = np.clip(img + rng.normal(0, rng.uniform(0.01, 0.04), img.shape).astype(np.float32), 0, 1)
    return np.round(img[..., None] * tint.astype(np.float32)).astype(np.uint8)


def harris_peaks(inten: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corner points (x, y in canvas pixels) of the reference channel, strongest first, and their response."""
    sm = ndimage.gaussian_filter(inten.astype(np.float64), 1.5)
    ix, iy = ndimage.sobel(sm, axis=1), ndimage.sobel(sm, axis=0)
    sxx, syy, sxy = (ndimage.gaussian_filter(a, 2.5) for a in (ix * ix, iy * iy, ix * iy))
    r = sxx * syy - sxy * sxy - 0.05 * (sxx + syy) ** 2
    peak = (r == ndimage.maximum_filter(r, size=15)) & (r > 1e-4 * max(r.max(), 1e-12))
    ys, xs = np.nonzero(peak)
    order = np.argsort(-r[ys, xs], kind="stable")
    return np.column_stack([xs[order], ys[order]]).astype(np.float64) + 0.5, r[ys, xs][order]


def _inside_everywhere(p: np.ndarray, dists: list[Distortion]) -> np.ndarray:
    pos = np.stack([d.forward(p) for d in dists], axis=1)            # [n, C, 2]
    return ((pos >= EDGE) & (pos <= SIZE - EDGE)).all(axis=(1, 2))


def choose_landmarks(ref: np.ndarray, dists: list[Distortion], k: int, rng: np.random.Generator) -> np.ndarray:
    """K reference points: the widest triangle of strong corners first, then corners by strength."""
    cand, _ = harris_peaks(ref)
    cand = cand[:80]
    cand = cand[_inside_everywhere(cand, dists)] if len(cand) else cand
    chosen: list[np.ndarray] = []
    top = cand[:20]
    if len(top) >= 3:
        tri = np.array(list(combinations(range(len(top)), 3)))
        a, b, c = top[tri[:, 0]], top[tri[:, 1]], top[tri[:, 2]]
        area = 0.5 * np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))
        chosen = list(top[tri[np.argmax(area)]])

    def far(p: np.ndarray) -> bool:
        return all(np.hypot(*(p - q)) >= MIN_SPACING for q in chosen)

    for p in cand:
        if len(chosen) >= k:
            break
        if far(p):
            chosen.append(p)
    for _ in range(5000):     # flat scenes: fill up with random well-spaced points
        if len(chosen) >= k:
            break
        p = rng.uniform(EDGE + 8, SIZE - EDGE - 8, 2)
        if far(p) and _inside_everywhere(p[None], dists)[0]:
            chosen.append(p)
    require(len(chosen) >= k, "n_landmarks", f"could not place {k} landmarks")
    return np.array(chosen[:k])


def make_instance(seed: int, image_dir: str | Path | None = None, source: str | None = None,
                  n_channels: int | None = None, n_landmarks: int | None = None) -> Instance:
    """An instance from `seed`.

    `source`: "natural", "synthetic", or a generator name (default: half natural, half synthetic).
    `image_dir`: a folder of images used as the natural images instead of scikit-image's samples.
    Instances are immutable (read-only arrays), so the last few are cached: rollouts, replays and
    re-renders of one episode build it once (it takes a few hundred ms).
    """
    require(isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0, "seed",
            f"expected an integer >= 0, got {seed!r}")
    if image_dir is not None:
        require(Path(image_dir).is_dir(), "image_dir", f"not a folder: {str(image_dir)!r}")
    folder = None if image_dir is None else tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                                                  for p in scenes.list_images(image_dir))
    key = (int(seed), str(image_dir), folder, source, n_channels, n_landmarks)
    if key not in _CACHE:
        _CACHE[key] = _make_instance(int(seed), image_dir, source, n_channels, n_landmarks)
        while len(_CACHE) > 8:
            _CACHE.pop(next(iter(_CACHE)))
    return _CACHE[key]


_CACHE: dict[tuple, Instance] = {}


def _make_instance(seed: int, image_dir, source, n_channels, n_landmarks) -> Instance:
    known = ("natural", "synthetic") + scenes.GENERATORS
    require(source is None or source in known, "source", f"expected one of {known}, got {source!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xA11C]))
    c = int(n_channels) if n_channels is not None else int(rng.integers(CHANNELS[0], CHANNELS[1] + 1))
    require(CHANNELS[0] <= c <= CHANNELS[1], "n_channels", f"expected {CHANNELS[0]}..{CHANNELS[1]}, got {c}")
    k_lo, k_hi = max(LANDMARKS[0], -(-WORK[0] // c)), min(LANDMARKS[1], WORK[1] // c)
    k = int(n_landmarks) if n_landmarks is not None else int(rng.integers(k_lo, k_hi + 1))
    require(LANDMARKS[0] <= k <= LANDMARKS[1], "n_landmarks", f"expected {LANDMARKS[0]}..{LANDMARKS[1]}, got {k}")
    natural = rng.random() < 0.5 if source is None else source == "natural"
    if natural:
        scene, name = scenes.natural(rng, image_dir)
        label = f"natural:{name}"
    else:
        gen = source if source in scenes.GENERATORS else scenes.GENERATORS[rng.integers(len(scenes.GENERATORS))]
        scene, label = scenes.SYNTHETIC[gen](rng), f"synthetic:{gen}"
    dists = [IDENTITY] + [random_distortion(rng) for _ in range(c - 1)]
    intens = [appearance(scene, rng, reference=(i == 0)) for i in range(c)]
    m = scenes.MARGIN
    ref = intens[0][m:m + SIZE, m:m + SIZE]
    ref_pts = choose_landmarks(ref, dists, k, rng)
    landmarks = np.stack([d.forward(ref_pts) for d in dists], axis=1)
    tints = TINTS[:c].copy()
    channels = np.stack([render_channel(intens[i], dists[i], tints[i], rng) for i in range(c)])
    for arr in (channels, landmarks, tints):
        arr.setflags(write=False)
    return Instance(int(seed), label, channels, landmarks, tints)


def validate_instance(inst) -> None:
    require(isinstance(inst, Instance), "instance",
            f"expected a multichannel_image_alignment Instance, got {type(inst).__name__}")
    require_array(inst.channels, "instance.channels", np.uint8, (None, SIZE, SIZE, 3))
    c = inst.channels.shape[0]
    require(CHANNELS[0] <= c <= CHANNELS[1], "instance.channels", f"expected 3..6 channels, got {c}")
    require_array(inst.landmarks, "instance.landmarks", np.float64, (None, c, 2))
    k = inst.landmarks.shape[0]
    require(LANDMARKS[0] <= k <= LANDMARKS[1], "instance.landmarks", f"expected 3..9 landmarks, got {k}")
    require(bool(np.isfinite(inst.landmarks).all()) and bool(((inst.landmarks >= 0) & (inst.landmarks < SIZE)).all()),
            "instance.landmarks", "coordinates must be finite canvas pixels in [0, 256)")
    require_array(inst.tints, "instance.tints", np.uint8, (c, 3))
