"""Neuron Tracking instances: identical Gaussian-blob neurons in deforming tissue over 10 frames.

Models calcium-imaging analysis (paper A.2.2): 6–10 green neurons, all the
same Gaussian blob, move as the tissue undergoes a slow rigid drift
(rotation about the network's centroid plus translation) and a smooth elastic
deformation (a few low-frequency sinusoidal displacement modes whose
amplitudes oscillate over time). Identity can only come from spatial
continuity, so instances are drawn such that it is always recoverable: every
frame keeps neurons at least `MIN_SPACING` apart and inside the canvas, and
between consecutive frames each neuron moves less than a third of the way to
its nearest other neuron.

Neurons are indexed in the reading order of frame 0 (top to bottom): the
virtual annotator numbers them 01, 02, … in that order. The metrics do not
depend on that choice (tracks are matched to neurons by assignment).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tasks.common import require, require_array

N_FRAMES = 10
SIZE = 256              # canvas and raster size (pixels)
MAX_NEURONS = 10
BLOB_SIGMA = 4.0        # pixels: Gaussian s.d. of a neuron's soma
MIN_SPACING = 0.12      # normalized distance between neurons in every frame (> 2 x the 0.05 metric tolerance)
MARGIN = 0.08           # neurons stay this far inside the canvas
MAX_STEP = 0.045        # largest frame-to-frame displacement of a neuron (normalized)


@dataclass(frozen=True, eq=False)
class Instance:
    seed: int
    tracks: np.ndarray    # float64[N, 10, 2]: (x, y) in [0, 1] of neuron i in frame t
    frames: np.ndarray    # uint8[10, 256, 256, 3]
    # one view object per frame, made once: the renderer caches images by array identity
    frame_views: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "frame_views", tuple(self.frames))

    @property
    def n(self) -> int:
        return len(self.tracks)


def _base_positions(rng: np.random.Generator, n: int) -> np.ndarray | None:
    """Dart throwing in the central region, keeping room for the motion."""
    pts: list[np.ndarray] = []
    for _ in range(2000):
        p = rng.uniform(0.2, 0.8, 2)
        if all(np.hypot(*(p - q)) >= MIN_SPACING + 0.05 for q in pts):
            pts.append(p)
            if len(pts) == n:
                return np.array(pts)
    return None


def _motion(rng: np.random.Generator, base: np.ndarray, scale: float) -> np.ndarray:
    """Positions float64[N, 10, 2]: rigid drift (rotation + translation) plus elastic modes."""
    t = np.arange(N_FRAMES, dtype=np.float64)
    centre = base.mean(axis=0)
    omega = rng.uniform(-3.5, 3.5) * np.pi / 180 * scale            # radians per frame
    theta = omega * t + np.concatenate([[0], np.cumsum(rng.normal(0, 0.6 * np.pi / 180, N_FRAMES - 1))])
    vel = rng.uniform(-0.008, 0.008, 2) * scale                      # drift per frame
    shift = vel * t[:, None] + np.vstack([[0, 0], np.cumsum(rng.normal(0, 0.003, (N_FRAMES - 1, 2)), axis=0)])
    out = np.empty((len(base), N_FRAMES, 2))
    rel = base - centre
    for k in range(N_FRAMES):
        c, s = np.cos(theta[k]), np.sin(theta[k])
        out[:, k] = rel @ np.array([[c, s], [-s, c]]) + centre + shift[k]
    for _ in range(3):   # elastic: displacement A(t) sin(2π k·p + φ) along a random direction
        kvec = rng.normal(0, 1.4, 2)
        phase, direction = rng.uniform(0, 2 * np.pi), rng.normal(0, 1, 2)
        direction /= np.linalg.norm(direction)
        amp = rng.uniform(0.01, 0.025) * scale * np.sin(rng.uniform(0.2, 0.5) * t + rng.uniform(0, 2 * np.pi))
        amp -= amp[0]                                                # frame 0 is the undeformed tissue
        wave = np.sin(2 * np.pi * base @ kvec + phase)               # [N]
        out += amp[None, :, None] * wave[:, None, None] * direction[None, None, :]
    return out


def _trackable(tracks: np.ndarray) -> bool:
    """Inside the canvas, well separated in every frame, and identity unambiguous from frame to frame."""
    if tracks.min() < MARGIN or tracks.max() > 1 - MARGIN:
        return False
    n = len(tracks)
    for k in range(N_FRAMES):
        d = np.linalg.norm(tracks[:, None, k] - tracks[None, :, k], axis=2) + np.eye(n)
        if d.min() < MIN_SPACING:
            return False
        if k:
            step = np.linalg.norm(tracks[:, k] - tracks[:, k - 1], axis=1)
            cross = np.linalg.norm(tracks[None, :, k] - tracks[:, None, k - 1], axis=2) + np.eye(n) * 9
            if step.max() > MAX_STEP or (step >= cross.min(axis=1) / 3).any():
                return False
    return True


def _gaussians(centres: np.ndarray, sigma: float) -> np.ndarray:
    """float32[S, S]: sum of isotropic Gaussians (peak 1) at pixel centres, by separability (one matmul)."""
    axis = np.arange(SIZE, dtype=np.float32) + 0.5
    gx = np.exp(-((axis[None, :] - centres[:, :1]) ** 2) / (2 * sigma ** 2))   # [N, S]
    gy = np.exp(-((axis[None, :] - centres[:, 1:]) ** 2) / (2 * sigma ** 2))
    return gy.T @ gx


def render_frames(tracks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """uint8[10, S, S, 3]: green Gaussian somata on dim, noisy tissue (a faint neuropil glow)."""
    frames = np.empty((N_FRAMES, SIZE, SIZE, 3), np.uint8)
    for k in range(N_FRAMES):
        centres = (tracks[:, k] * SIZE).astype(np.float32)
        soma = _gaussians(centres, BLOB_SIGMA)
        glow = _gaussians(centres, 6 * BLOB_SIGMA)     # wide dim halo: the tissue around the somata
        noise = rng.normal(0, 4.0, (SIZE, SIZE)).astype(np.float32)
        green = np.clip(230 * np.minimum(soma, 1.0) + 14 * np.minimum(glow, 1.5) + 10 + noise, 0, 255)
        frames[k, ..., 1] = np.round(green)
        frames[k, ..., 0] = np.round(np.clip(0.25 * green - 3, 0, 255))
        frames[k, ..., 2] = np.round(np.clip(0.35 * green - 3, 0, 255))
    return frames


def make_instance(seed: int, n_neurons: int | None = None) -> Instance:
    """6–10 neurons (or `n_neurons`) tracked over 10 frames, from `seed`."""
    require(isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0, "seed",
            f"expected an integer >= 0, got {seed!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x9E07]))
    n = int(n_neurons) if n_neurons is not None else int(rng.integers(6, 11))
    require(1 <= n <= MAX_NEURONS, "n_neurons", f"expected 1..{MAX_NEURONS}, got {n}")
    for attempt in range(4000):
        base = _base_positions(rng, n)
        if base is None:
            continue
        # shrink the motion if an instance keeps failing: trackability beats drama
        tracks = _motion(rng, base, scale=1.0 if attempt < 2000 else 0.5)
        if _trackable(tracks):
            break
    else:
        raise RuntimeError(f"neuron_tracking: no trackable motion of {n} neurons found for seed {seed}")
    tracks = tracks[np.argsort(tracks[:, 0, 1], kind="stable")]   # reading order of frame 0 (top first)
    return Instance(int(seed), np.ascontiguousarray(tracks), render_frames(tracks, rng))


def validate_instance(inst) -> None:
    require(isinstance(inst, Instance), "instance", f"expected a neuron_tracking Instance, got {type(inst).__name__}")
    require_array(inst.tracks, "instance.tracks", np.float64, (None, N_FRAMES, 2))
    require(1 <= len(inst.tracks) <= MAX_NEURONS, "instance.tracks", f"expected 1..{MAX_NEURONS} neurons, got {len(inst.tracks)}")
    require(bool(np.isfinite(inst.tracks).all()) and bool(((inst.tracks >= 0) & (inst.tracks <= 1)).all()),
            "instance.tracks", "coordinates must be finite and lie in [0, 1]")
    require_array(inst.frames, "instance.frames", np.uint8, (N_FRAMES, SIZE, SIZE, 3))
