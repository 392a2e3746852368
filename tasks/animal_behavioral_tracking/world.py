"""Animal Behavioral Tracking instances: 4–8 animals walking over 10 video frames.

Each sequence has one body plan (insects with antennae, fish-like bodies, or
elongated segmented forms: the three of the paper's Figure 11d), and every
animal its own build within it — size, number of body segments, limbs, head
shape, colour — kept for the whole sequence (paper A.2.4: "variable
morphology … but consistent appearance within a sequence").

An animal is a curved spine from its head (s = 0) to its tail tip (s = 1),
given per frame by its centre, heading and bend. Animals move independently
(a random walk in heading and speed, steering off the walls) and never touch
each other, so identity follows from spatial continuity. The ground truth is
the head centre (front) and the tail (back) of each animal in each frame.
Frames are drawn once with Skia into numpy arrays over a textured arena floor.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import skia

from tasks.common import require, require_array

N_FRAMES = 10
SIZE = 384                 # canvas and raster size (pixels)
N_MIN, N_MAX = 4, 8        # animals per sequence (paper: 4–8)
PLANS = ("insect", "fish", "worm")
# where the ground-truth markers sit along the spine (0 = snout, 1 = tail tip)
S_FRONT = {"insect": 0.09, "fish": 0.12, "worm": 0.06}
S_BACK = {"insect": 1.0, "fish": 0.92, "worm": 1.0}
MARGIN = 0.07              # spine points stay this far (normalized) inside the frame
CLEARANCE = 6.0            # pixels between the reaches of two animals: bodies and legs never touch
SPINE_SAMPLES = 25


@dataclass(frozen=True, eq=False)
class Build:
    """One animal's appearance, fixed over the sequence."""

    length: float          # pixels, snout to tail tip
    width: float           # pixels, widest half-width of the body
    segments: int          # body segments (worm), abdomen bands (insect), scale rows (fish)
    legs: int              # pairs of legs (insect: 3; worm: 0 or one per segment; fish: 0, pectoral fins)
    head: str              # "round" | "pointed" | "wide"
    color: tuple           # body RGB
    phase: float           # gait phase at frame 0
    reach: float           # pixels that legs, fins and antennae reach beyond the spine


@dataclass(frozen=True, eq=False)
class Instance:
    seed: int
    plan: str                  # body plan of the sequence
    builds: tuple              # Build per animal
    pose: np.ndarray           # float64[F, N, 4]: centre x, y (normalized), heading (rad), bend (rad over the body)
    fronts: np.ndarray         # float64[F, N, 2]: head centres (normalized)
    backs: np.ndarray          # float64[F, N, 2]: tails (normalized)
    frames: np.ndarray         # uint8[F, 384, 384, 3]
    # one view object per frame, made once: the renderer caches images by array identity
    frame_views: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "frame_views", tuple(self.frames))

    @property
    def n(self) -> int:
        return self.fronts.shape[1]

    @property
    def n_frames(self) -> int:
        return self.fronts.shape[0]


def spine(pose, length: float) -> np.ndarray:
    """float64[SPINE_SAMPLES, 2] pixel points from snout to tail tip, the body bent evenly by `bend`."""
    cx, cy, heading, bend = pose
    t = np.linspace(0.0, 1.0, SPINE_SAMPLES)
    ang = heading + np.pi + bend * (t - 0.5)          # direction from head towards tail along the body
    step = length / (SPINE_SAMPLES - 1)
    d = np.stack([np.cos(ang), np.sin(ang)], axis=1) * step
    pts = np.vstack([[0.0, 0.0], np.cumsum(d[:-1], axis=0)])
    return pts - pts[SPINE_SAMPLES // 2] + np.array([cx, cy]) * SIZE


def at(pts: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray]:
    """Point and unit tangent (pointing to the head) at fraction `s` of the spine."""
    x = s * (len(pts) - 1)
    i = min(int(x), len(pts) - 2)
    p = pts[i] + (x - i) * (pts[i + 1] - pts[i])
    tan = pts[i] - pts[i + 1]
    return p, tan / np.linalg.norm(tan)


# --- motion ------------------------------------------------------------------


def _arc(pts: np.ndarray) -> float:
    return float(np.hypot(*(pts[1] - pts[0]))) * (SPINE_SAMPLES - 1)


def _fits(pts: np.ndarray, reach: float, others: list[tuple[np.ndarray, float]]) -> bool:
    lo, hi = max(MARGIN * SIZE, reach), SIZE - max(MARGIN * SIZE, reach)
    if pts.min() < lo or pts.max() > hi:
        return False
    c = pts[SPINE_SAMPLES // 2]
    for o, r in others:
        # spines lie within half their length of their midpoint: far apart centres need no closer look
        if np.hypot(*(o[SPINE_SAMPLES // 2] - c)) >= 0.5 * _arc(pts) + 0.5 * _arc(o) + reach + r + CLEARANCE:
            continue
        if np.min(np.linalg.norm(pts[:, None] - o[None], axis=2)) < reach + r + CLEARANCE:
            return False
    return True


def _simulate(rng: np.random.Generator, builds: tuple) -> np.ndarray | None:
    """Poses float64[F, N, 4] of animals walking independently, or None when they got stuck."""
    n = len(builds)
    pose = np.zeros((N_FRAMES, n, 4))
    placed = []
    for i, b in enumerate(builds):
        for _ in range(400):
            p = np.array([*rng.uniform(0.15, 0.85, 2), rng.uniform(-np.pi, np.pi), rng.normal(0, 0.5)])
            pts = spine(p, b.length)
            if _fits(pts, b.reach, placed):
                pose[0, i] = p
                placed.append((pts, b.reach))
                break
        else:
            return None
    for f in range(1, N_FRAMES):
        current = [(spine(pose[f - 1, j], b.length), b.reach) for j, b in enumerate(builds)]
        for i, b in enumerate(builds):
            cx, cy, heading, bend = pose[f - 1, i]
            to_centre = np.arctan2(0.5 - cy, 0.5 - cx)
            others = current[:i] + current[i + 1:]
            for k in range(80):
                # random walk in heading; the more tries fail, the wider the turns
                turn = rng.normal(0, 0.35 + 0.04 * k)
                if np.hypot(cx - 0.5, cy - 0.5) > 0.3:    # near a wall: steer towards the middle
                    turn += 0.3 * np.angle(np.exp(1j * (to_centre - heading)))
                h = heading + turn
                speed = rng.uniform(0.25, 0.6) * b.length / SIZE if k < 60 else rng.uniform(0, 0.15)
                p = np.array([cx + speed * np.cos(h), cy + speed * np.sin(h), h,
                              np.clip(0.6 * bend + 0.8 * turn + rng.normal(0, 0.25), -1.2, 1.2)])
                pts = spine(p, b.length)
                if _fits(pts, b.reach, others):
                    pose[f, i] = p
                    current[i] = (pts, b.reach)
                    break
            else:
                return None
    return pose


# --- drawing -----------------------------------------------------------------


def _paint(rgb, alpha: int = 255, stroke: float = 0.0) -> skia.Paint:
    paint = skia.Paint(Color=skia.Color(int(rgb[0]), int(rgb[1]), int(rgb[2]), alpha), AntiAlias=True)
    if stroke:
        paint.setStyle(skia.Paint.kStroke_Style)
        paint.setStrokeWidth(stroke)
        paint.setStrokeCap(skia.Paint.kRound_Cap)
    return paint


def _ellipse(canvas: skia.Canvas, p, tan, half_len: float, half_w: float, paint: skia.Paint) -> None:
    canvas.save()
    canvas.translate(float(p[0]), float(p[1]))
    canvas.rotate(float(np.degrees(np.arctan2(tan[1], tan[0]))))
    canvas.drawOval(skia.Rect.MakeLTRB(-half_len, -half_w, half_len, half_w), paint)
    canvas.restore()


def _limb(canvas, base, out, fwd, reach: float, knee: float, swing: float, paint) -> None:
    """A two-part leg from `base`: thigh outwards (`out`) swung forwards by `swing`, shin bent further."""
    d1 = np.cos(swing) * out + np.sin(swing) * fwd
    d2 = np.cos(1.6 * swing) * out + np.sin(1.6 * swing) * fwd
    k = base + reach * d1
    path = skia.Path()
    path.moveTo(*base)
    path.lineTo(*k)
    path.lineTo(*(k + knee * d2))
    canvas.drawPath(path, paint)


def _head(canvas, p, tan, r: float, shape: str, paint) -> None:
    if shape == "round":
        canvas.drawCircle(float(p[0]), float(p[1]), r, paint)
    elif shape == "wide":
        _ellipse(canvas, p, tan, 0.8 * r, 1.3 * r, paint)
    else:   # pointed: a blunt triangle towards the front
        n = np.array([-tan[1], tan[0]])
        path = skia.Path()
        path.moveTo(*(p + 1.6 * r * tan))
        path.lineTo(*(p - 0.9 * r * tan + 1.1 * r * n))
        path.lineTo(*(p - 0.9 * r * tan - 1.1 * r * n))
        path.close()
        canvas.drawPath(path, paint)


def _eyes(canvas, p, tan, r: float) -> None:
    n = np.array([-tan[1], tan[0]])
    for side in (-1, 1):
        e = p + 0.35 * r * tan + side * 0.55 * r * n
        canvas.drawCircle(float(e[0]), float(e[1]), max(1.2, 0.28 * r), _paint((15, 15, 15)))


def _draw_insect(canvas, pts, b: Build, phase: float) -> None:
    body, dark = b.color, tuple(int(0.55 * c) for c in b.color)
    w, L = b.width, b.length
    head_p, head_t = at(pts, S_FRONT["insect"])
    thorax_p, thorax_t = at(pts, 0.3)
    leg_paint, ant_paint = _paint(dark, stroke=1.6), _paint(dark, stroke=1.2)
    n = np.array([-thorax_t[1], thorax_t[0]])
    for k in range(3):                                 # three leg pairs, alternating tripod gait
        base, t = at(pts, 0.24 + 0.06 * k)
        for side in (-1, 1):
            swing = (k - 1) * 0.7 + 0.45 * np.sin(phase + np.pi * ((k + (side > 0)) % 2))
            _limb(canvas, base, side * n, t, 0.2 * L, 0.22 * L, swing, leg_paint)
    for side in (-1, 1):                               # antennae
        a = head_p + 0.4 * L * (np.cos(0.45) * head_t + side * np.sin(0.45) * np.array([-head_t[1], head_t[0]]))
        path = skia.Path()
        path.moveTo(*head_p)
        path.quadTo(*(head_p + 0.25 * L * head_t), *a)
        canvas.drawPath(path, ant_paint)
    abd_p, abd_t = at(pts, 0.68)
    _ellipse(canvas, abd_p, abd_t, 0.33 * L, w, _paint(body))
    for k in range(b.segments):                        # abdomen bands
        s = 0.45 + 0.45 * (k + 1) / (b.segments + 1)
        q, qt = at(pts, s)
        nn = np.array([-qt[1], qt[0]])
        half = 0.9 * w * np.sqrt(max(0.0, 1 - ((s - 0.68) / 0.33) ** 2))
        canvas.drawLine(*(q + half * nn), *(q - half * nn), _paint(dark, stroke=1.2))
    _ellipse(canvas, thorax_p, thorax_t, 0.13 * L, 0.7 * w, _paint(body))
    _head(canvas, head_p, head_t, 0.6 * w + 1.5, b.head, _paint(body))
    _eyes(canvas, head_p, head_t, 0.6 * w + 1.5)


def _draw_fish(canvas, pts, b: Build, phase: float) -> None:
    body, dark = b.color, tuple(int(0.55 * c) for c in b.color)
    w, L = b.width, b.length
    tail_p, tail_t = at(pts, 0.8)
    tn = np.array([-tail_t[1], tail_t[0]])
    fin = skia.Path()                                  # forked caudal fin
    fin.moveTo(*(tail_p + 0.02 * L * tail_t))
    for s, side in ((1.0, 1), (0.94, 0), (1.0, -1)):
        q, _ = at(pts, s)
        fin.lineTo(*(q + side * 0.85 * w * tn - (0.03 * L * tail_t if side else 0)))
    fin.close()
    canvas.drawPath(fin, _paint(dark))
    mid_p, mid_t = at(pts, 0.32)
    mn = np.array([-mid_t[1], mid_t[0]])
    for side in (-1, 1):                               # pectoral fins, beating
        a = 0.9 + 0.35 * np.sin(phase + (side > 0) * np.pi)
        d = -np.cos(a) * mid_t + np.sin(a) * side * mn
        f = skia.Path()
        f.moveTo(*(mid_p + 0.7 * w * side * mn))
        f.lineTo(*(mid_p + 0.7 * w * side * mn + 1.1 * w * d))
        f.lineTo(*(mid_p + 0.2 * w * side * mn - 0.5 * w * mid_t))
        f.close()
        canvas.drawPath(f, _paint(dark))
    tip = {"round": 0.55, "wide": 0.8, "pointed": 0.3}[b.head]   # snout bluntness
    ss = np.linspace(0, 0.82, 24)
    front = tip + (1 - tip) * np.sin(ss / 0.3 * np.pi / 2)              # snout to widest point
    back = 1 - 0.78 * np.clip((ss - 0.3) / 0.52, 0, 1) ** 1.4          # tapering to the tail
    half = w * np.where(ss < 0.3, front, back)
    left, right = [], []
    for s, hw in zip(ss, half):
        q, t = at(pts, s)
        nn = np.array([-t[1], t[0]])
        left.append(q + hw * nn)
        right.append(q - hw * nn)
    outline = skia.Path()
    outline.moveTo(*left[0])
    for q in left[1:] + right[::-1]:
        outline.lineTo(*q)
    outline.close()
    canvas.drawPath(outline, _paint(body))
    for k in range(b.segments):                        # scale rows
        s = 0.22 + 0.5 * (k + 1) / (b.segments + 1)
        q, t = at(pts, s)
        nn = np.array([-t[1], t[0]])
        hw = np.interp(s, ss, half) * 0.8
        arc = skia.Path()
        arc.moveTo(*(q + hw * nn))
        arc.quadTo(*(q - 0.35 * w * t), *(q - hw * nn))
        canvas.drawPath(arc, _paint(dark, alpha=150, stroke=1.0))
    head_p, head_t = at(pts, S_FRONT["fish"])
    _eyes(canvas, head_p, head_t, 0.75 * w)


def _draw_worm(canvas, pts, b: Build, phase: float) -> None:
    body, dark = b.color, tuple(int(0.55 * c) for c in b.color)
    w = b.width
    ss = np.linspace(0.1, 0.97, b.segments)
    if b.legs:                                         # centipede legs, a wave travelling down the body
        leg_paint = _paint(dark, stroke=1.2)
        for k, s in enumerate(ss):
            q, t = at(pts, s)
            nn = np.array([-t[1], t[0]])
            r = w * (1 - 0.45 * s)
            for side in (-1, 1):
                swing = 0.5 * np.sin(phase + 0.9 * k + (side > 0) * np.pi)
                d = np.cos(swing) * side * nn + np.sin(swing) * t
                canvas.drawLine(*q, *(q + (r + 5.0) * d), leg_paint)
    for s in ss[::-1]:                                 # segments, tail first so the front overlaps
        q, _ = at(pts, s)
        r = w * (1 - 0.45 * s)
        canvas.drawCircle(float(q[0]), float(q[1]), r, _paint(body))
        canvas.drawCircle(float(q[0]), float(q[1]), r, _paint(dark, stroke=1.0))
    head_p, head_t = at(pts, S_FRONT["worm"])
    r = 1.25 * w
    _head(canvas, head_p, head_t, r, b.head, _paint(tuple(min(255, int(1.15 * c)) for c in body)))
    _eyes(canvas, head_p, head_t, r)
    n = np.array([-head_t[1], head_t[0]])
    for side in (-1, 1):                               # mandibles / feelers
        canvas.drawLine(*(head_p + r * head_t), *(head_p + (r + 5) * head_t + side * 4 * n), _paint(dark, stroke=1.3))


DRAW = {"insect": _draw_insect, "fish": _draw_fish, "worm": _draw_worm}


def _floor(rng: np.random.Generator) -> np.ndarray:
    """A dim arena floor: smooth mottling plus grain, float32[S, S, 3]."""
    coarse = rng.normal(0, 1, (12, 12))
    idx = np.linspace(0, 11, SIZE)
    i0 = np.floor(idx).astype(int).clip(0, 10)
    fr = idx - i0
    rows = coarse[i0] * (1 - fr)[:, None] + coarse[i0 + 1] * fr[:, None]
    smooth = rows[:, i0] * (1 - fr)[None] + rows[:, i0 + 1] * fr[None]
    base = np.array([52, 50, 40], np.float32) + rng.uniform(-8, 8, 3).astype(np.float32)
    img = base + 7 * smooth[..., None] + rng.normal(0, 3, (SIZE, SIZE, 1))
    return img.astype(np.float32)


def render_frames(rng: np.random.Generator, plan: str, builds: tuple, pose: np.ndarray) -> np.ndarray:
    floor = np.full((SIZE, SIZE, 4), 255, np.uint8)
    floor[..., :3] = np.clip(_floor(rng), 0, 255)
    frames = np.empty((len(pose), SIZE, SIZE, 3), np.uint8)
    rgba = np.empty((SIZE, SIZE, 4), np.uint8)
    surface = skia.Surface(rgba, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    canvas = surface.getCanvas()
    for f in range(len(pose)):
        np.copyto(rgba, floor)
        for i, b in enumerate(builds):
            DRAW[plan](canvas, spine(pose[f, i], b.length), b, b.phase + 1.9 * f)
        surface.flushAndSubmit()
        frames[f] = rgba[..., :3]
    return frames


# --- instances ---------------------------------------------------------------


def _build(rng: np.random.Generator, plan: str) -> Build:
    hue = rng.uniform(0, 1)
    sat, val = rng.uniform(0.25, 0.6), rng.uniform(0.55, 0.9)
    rgb = np.clip(val * (1 - sat * (0.5 + 0.5 * np.cos(2 * np.pi * (hue + np.array([0, 1 / 3, 2 / 3]))))), 0, 1)
    length = rng.uniform(0.16, 0.21) * SIZE if plan != "worm" else rng.uniform(0.18, 0.23) * SIZE
    width = {"insect": rng.uniform(7, 9.5), "fish": rng.uniform(9, 12), "worm": rng.uniform(5.5, 7.5)}[plan]
    # every plan draws all three (the dict is built whole): keeps the random stream of committed instances
    segments = {"insect": int(rng.integers(2, 6)), "fish": int(rng.integers(2, 5)),
                "worm": int(rng.integers(6, 12))}[plan]
    legs = {"insect": 3, "fish": 0, "worm": int(rng.random() < 0.5)}[plan]
    reach = {"insect": 0.3 * length, "fish": 1.3 * width, "worm": 1.3 * width + 5 * legs}[plan]
    return Build(float(length), float(width), segments, legs, str(rng.choice(["round", "pointed", "wide"])),
                 tuple(int(c) for c in np.round(rgb * 255)), float(rng.uniform(0, 2 * np.pi)), float(reach))


def make_instance(seed: int, n_animals: int | None = None, plan: str | None = None) -> Instance:
    """4–8 animals (or `n_animals`) of one body plan (or `plan`) over 10 frames, from `seed`."""
    require(isinstance(seed, (int, np.integer)) and seed >= 0, "seed", f"expected an integer >= 0, got {seed!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xA4B7]))
    n = int(n_animals) if n_animals is not None else int(rng.integers(N_MIN, N_MAX + 1))
    require(1 <= n <= N_MAX, "n_animals", f"expected 1..{N_MAX}, got {n}")
    plan = str(plan) if plan is not None else str(rng.choice(PLANS))
    require(plan in PLANS, "plan", f"expected one of {PLANS}, got {plan!r}")
    builds = tuple(_build(rng, plan) for _ in range(n))
    for _ in range(200):
        pose = _simulate(rng, builds)
        if pose is not None:
            break
    else:
        raise RuntimeError(f"animal_behavioral_tracking: no motion found for seed {seed}")
    fronts = np.empty((N_FRAMES, n, 2))
    backs = np.empty((N_FRAMES, n, 2))
    for f in range(N_FRAMES):
        for i, b in enumerate(builds):
            pts = spine(pose[f, i], b.length)
            fronts[f, i] = at(pts, S_FRONT[plan])[0] / SIZE
            backs[f, i] = at(pts, S_BACK[plan])[0] / SIZE
    frames = render_frames(rng, plan, builds, pose)
    return Instance(int(seed), plan, builds, pose, fronts, backs, frames)


def validate_instance(inst) -> None:
    require(isinstance(inst, Instance), "instance",
            f"expected an animal_behavioral_tracking Instance, got {type(inst).__name__}")
    require(inst.plan in PLANS, "instance.plan", f"expected one of {PLANS}, got {inst.plan!r}")
    require_array(inst.fronts, "instance.fronts", np.float64, (N_FRAMES, None, 2))
    n = inst.fronts.shape[1]
    require(1 <= n <= N_MAX, "instance.fronts", f"expected 1..{N_MAX} animals, got {n}")
    require_array(inst.backs, "instance.backs", np.float64, (N_FRAMES, n, 2))
    for name in ("fronts", "backs"):
        arr = getattr(inst, name)
        require(np.isfinite(arr).all() and ((arr >= 0) & (arr <= 1)).all(), f"instance.{name}",
                "coordinates must be finite and in [0, 1]")
    require(isinstance(inst.builds, tuple) and len(inst.builds) == n, "instance.builds", f"expected {n} builds")
    require_array(inst.frames, "instance.frames", np.uint8, (N_FRAMES, SIZE, SIZE, 3))
