"""Animal Limb Tracking instances: one animal (bird, flying insect, spider or snake) over 12–20 frames.

The animal is drawn as filled shapes (Skia, into numpy arrays) without any
keypoint marker: keypoints are anatomical points — centres of body parts,
joints, tips of limbs — to be inferred from the morphology (paper A.2.5).
Top-down views; per frame the body drifts a few pixels and turns a little,
and every limb swings about 70 degrees between consecutive frames (paper:
"limbs articulate ~70° between frames"): each limb angle alternates between
+35° and -35° (x 0.85–1.15) around its rest pose, neighbouring limbs in
opposite phase, as in a gait or a wing beat; the snake's body wave advances
70° per frame.

Keypoints per species, by sidebar tab (the order the annotator follows):

| species | tabs: keypoints | count |
|---|---|---|
| bird | Body: beak tip, head, tail tip · Legs: feet · Wings: wrists (leading-edge bend), wing tips | 9 |
| insect | Body: head, thorax, abdomen tip · Wings: four wing tips · Legs: six leg tips | 13 |
| spider | Body: cephalothorax, abdomen (centres) · Legs: eight leg tips | 10 |
| snake | Spine: head, six points on the dark bands (band centres), tail tip | 8 |

Frames per sequence: 12–20 (uniform). The paper leaves the count open; with
2.2 actions per keypoint (button, place, 10 % near error + undo) plus tabs
and Next, these give episodes of ~215–655 actions, mean ~420 — Table 1's
200–660 with Figure 7's mean of 420.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import skia

from tasks.common import require, require_array

SIZE = 256
FRAMES = (12, 20)                  # frames per sequence, inclusive
SWING = np.radians(35.0)           # limb angle alternates +-35 deg: ~70 deg between frames
SPECIES = ("bird", "insect", "spider", "snake")
INSIDE = (0.05, 0.95)              # every keypoint stays inside this normalized band

# (tab, button label, id) per species, in the annotator's order
KEYPOINTS = {
    "bird": (("Body", "Beak", "beak"), ("Body", "Head", "head"), ("Body", "Tail", "tail"),
             ("Legs", "L foot", "l_foot"), ("Legs", "R foot", "r_foot"),
             ("Wings", "L wrist", "l_wrist"), ("Wings", "L tip", "l_tip"),
             ("Wings", "R wrist", "r_wrist"), ("Wings", "R tip", "r_tip")),
    "insect": (("Body", "Head", "head"), ("Body", "Thorax", "thorax"), ("Body", "Abdomen", "abdomen"),
               ("Wings", "L fore", "l_fore"), ("Wings", "R fore", "r_fore"),
               ("Wings", "L hind", "l_hind"), ("Wings", "R hind", "r_hind"),
               ("Legs", "L1", "l1"), ("Legs", "R1", "r1"), ("Legs", "L2", "l2"), ("Legs", "R2", "r2"),
               ("Legs", "L3", "l3"), ("Legs", "R3", "r3")),
    "spider": (("Body", "Cephalo.", "ceph"), ("Body", "Abdomen", "abdomen"),
               ("Legs", "L1", "l1"), ("Legs", "R1", "r1"), ("Legs", "L2", "l2"), ("Legs", "R2", "r2"),
               ("Legs", "L3", "l3"), ("Legs", "R3", "r3"), ("Legs", "L4", "l4"), ("Legs", "R4", "r4")),
    "snake": (("Spine", "Head", "head"), ("Spine", "S1", "s1"), ("Spine", "S2", "s2"), ("Spine", "S3", "s3"),
              ("Spine", "S4", "s4"), ("Spine", "S5", "s5"), ("Spine", "S6", "s6"), ("Spine", "Tail", "tail")),
}
SNAKE_BANDS = (0.15, 0.3, 0.45, 0.6, 0.75, 0.9)   # spine fractions of S1..S6 (centres of the dark bands)


def tabs_of(species: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t, _, _ in KEYPOINTS[species]))


@dataclass(frozen=True, eq=False)
class Instance:
    seed: int
    species: str
    keypoints: np.ndarray      # float64[F, K, 2] normalized ground truth, K in KEYPOINTS[species] order
    frames: np.ndarray         # uint8[F, 256, 256, 3]
    # one view object per frame, made once: the renderer caches images by array identity
    frame_views: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "frame_views", tuple(self.frames))

    @property
    def n_frames(self) -> int:
        return self.keypoints.shape[0]

    @property
    def n_keypoints(self) -> int:
        return self.keypoints.shape[1]


# --- skeletons: named points in pixels for one frame ---------------------------------------


class _Body:
    """Local animal coordinates (x forward, y to the right) to image pixels."""

    def __init__(self, centre, heading: float, scale: float):
        self.c, self.s = np.asarray(centre, float), scale
        self.fwd = np.array([np.cos(heading), np.sin(heading)])
        self.right = np.array([-self.fwd[1], self.fwd[0]])

    def __call__(self, x: float, y: float) -> np.ndarray:
        return self.c + self.s * (x * self.fwd + y * self.right)

    def dir(self, ang: float) -> np.ndarray:
        """Unit vector at `ang` from forward, turning towards the right."""
        return np.cos(ang) * self.fwd + np.sin(ang) * self.right


def _bird(b: _Body, sw: np.ndarray, p: dict) -> dict:
    pts = {"head": b(30, 0), "beak": b(30 + 9 + 11 * p["beak"], 0), "tail": b(-52, 0), "body": b(0, 0)}
    for side, k in ((-1, 0), (1, 1)):
        sh = b(8, side * 12)
        arm = b.dir(side * (np.pi / 2 - 0.25 + sw[k]))           # wing beat: the arm sweeps fore and aft
        hand = b.dir(side * (np.pi / 2 + 0.55 + 0.6 * sw[k]))
        wrist = sh + b.s * p["arm"] * arm
        pts[f"{'lr'[k]}_shoulder"], pts[f"{'lr'[k]}_wrist"] = sh, wrist
        pts[f"{'lr'[k]}_tip"] = wrist + b.s * p["hand"] * hand
        hip = b(-16, side * 7)
        leg = b.dir(side * (np.pi - 1.1 + sw[2 + k]))             # legs trail back and out, swinging
        pts[f"{'lr'[k]}_hip"], pts[f"{'lr'[k]}_knee"] = hip, hip + b.s * 14 * leg
        pts[f"{'lr'[k]}_foot"] = hip + b.s * 14 * leg + b.s * 16 * b.dir(side * (np.pi - 0.8 + 1.2 * sw[2 + k]))
    return pts


def _insect(b: _Body, sw: np.ndarray, p: dict) -> dict:
    pts = {"head": b(34, 0), "thorax": b(14, 0), "abdomen": b(-52, 0)}
    for k, (name, x, length, rest) in enumerate((("fore", 18, p["fore"], 1.35), ("hind", 10, p["hind"], 2.1))):
        for side in (-1, 1):
            root = b(x, side * 5)
            tip = root + b.s * length * b.dir(side * (rest + sw[k]))
            pts[f"{'l' if side < 0 else 'r'}_{name}_root"], pts[f"{'l' if side < 0 else 'r'}_{name}"] = root, tip
    for j, (x, rest) in enumerate(((20, 0.75), (14, 1.57), (8, 2.4))):
        for side in (-1, 1):
            s = "l" if side < 0 else "r"
            phase = sw[2 + j] if side < 0 else -sw[2 + j]          # tripod gait: L1, R2, L3 together
            base = b(x, side * 7)
            knee = base + b.s * 16 * b.dir(side * (rest + phase))
            pts[f"{s}{j + 1}_base"], pts[f"{s}{j + 1}_knee"] = base, knee
            # front shanks bend forwards, hind ones backwards
            pts[f"{s}{j + 1}"] = knee + b.s * p["tibia"] * b.dir(side * (rest + 1.4 * phase + 0.4 * (j - 1)))
    return pts


def _spider(b: _Body, sw: np.ndarray, p: dict) -> dict:
    pts = {"ceph": b(14, 0), "abdomen": b(-22, 0)}
    for j, rest in enumerate((0.55, 1.15, 1.85, 2.45)):
        for side in (-1, 1):
            s = "l" if side < 0 else "r"
            phase = sw[j] if (side < 0) == (j % 2 == 0) else -sw[j]   # alternating tetrapod gait
            ang = side * (rest + 0.6 * phase)
            base = b(14 + 9 * np.cos(rest), side * 9 * np.sin(rest))
            knee = base + b.s * p["femur"] * b.dir(ang)
            pts[f"{s}{j + 1}_base"], pts[f"{s}{j + 1}_knee"] = base, knee
            # front shanks bend forwards, hind ones backwards
            shank = ang + side * ((-0.35 if j < 2 else 0.35) + 0.5 * phase)
            pts[f"{s}{j + 1}"] = knee + b.s * p["tibia"] * b.dir(shank)
    return pts


def _snake_spine(b: _Body, phase: float, p: dict) -> np.ndarray:
    s = np.linspace(0, 1, 81)
    ang = np.pi + p["amp"] * np.sin(2 * np.pi * p["waves"] * s - phase)   # from the head towards the tail
    step = p["length"] / 80
    local = np.vstack([[0, 0], np.cumsum(np.stack([np.cos(ang), np.sin(ang)], 1)[:-1] * step, axis=0)])
    local -= local.mean(axis=0)
    return np.array([b(x, y) for x, y in local])


def _snake(b: _Body, phase: float, p: dict) -> dict:
    spine = _snake_spine(b, phase, p)
    pts = {"spine": spine, "head": spine[2], "tail": spine[-1]}
    for i, s in enumerate(SNAKE_BANDS):
        pts[f"s{i + 1}"] = spine[int(round(s * 80))]
    return pts


# --- drawing ------------------------------------------------------------------


def _paint(rgb, alpha: int = 255, stroke: float = 0.0) -> skia.Paint:
    paint = skia.Paint(Color=skia.Color(int(rgb[0]), int(rgb[1]), int(rgb[2]), alpha), AntiAlias=True)
    if stroke:
        paint.setStyle(skia.Paint.kStroke_Style)
        paint.setStrokeWidth(stroke)
        paint.setStrokeCap(skia.Paint.kRound_Cap)
        paint.setStrokeJoin(skia.Paint.kRound_Join)
    return paint


def _ellipse(canvas, centre, axis, half_len: float, half_w: float, paint) -> None:
    canvas.save()
    canvas.translate(float(centre[0]), float(centre[1]))
    canvas.rotate(float(np.degrees(np.arctan2(axis[1], axis[0]))))
    canvas.drawOval(skia.Rect.MakeLTRB(-half_len, -half_w, half_len, half_w), paint)
    canvas.restore()


def _poly(canvas, points, paint) -> None:
    path = skia.Path()
    path.moveTo(*points[0])
    for q in points[1:]:
        path.lineTo(*q)
    path.close()
    canvas.drawPath(path, paint)


def _line(canvas, points, paint) -> None:
    path = skia.Path()
    path.moveTo(*points[0])
    for q in points[1:]:
        path.lineTo(*q)
    canvas.drawPath(path, paint)


def _draw_bird(canvas, pts, b: _Body, col: dict) -> None:
    body, dark, light = col["body"], col["dark"], col["light"]
    _poly(canvas, [b(-22, -6), b(-52, -13), b(-55, -6), b(-54, 0), b(-55, 6), b(-52, 13), b(-22, 6)], _paint(dark))
    for s in "lr":                                                      # legs (over the tail)
        _line(canvas, [pts[f"{s}_hip"], pts[f"{s}_knee"], pts[f"{s}_foot"]], _paint(col["leg"], stroke=2.4 * b.s))
        toe = pts[f"{s}_foot"] - pts[f"{s}_knee"]
        toe /= np.linalg.norm(toe)
        for a in (-0.6, 0, 0.6):
            d = np.cos(a) * toe + np.sin(a) * np.array([-toe[1], toe[0]])
            _line(canvas, [pts[f"{s}_foot"], pts[f"{s}_foot"] + 5 * b.s * d], _paint(col["leg"], stroke=1.4 * b.s))
    for s, side in (("l", -1), ("r", 1)):                              # wings: leading edge shoulder-wrist-tip
        sh, wr, tip = pts[f"{s}_shoulder"], pts[f"{s}_wrist"], pts[f"{s}_tip"]
        trail = b(-12, side * 12)
        back = wr + 0.55 * (trail - wr)
        _poly(canvas, [b(14, side * 9), wr, tip, back, trail], _paint(body))
        for t in (0.35, 0.6, 0.85):                                    # feather lines
            q = wr + t * (tip - wr)
            _line(canvas, [q, back + 0.7 * t * (tip - back)], _paint(dark, stroke=1.0))
        _line(canvas, [b(14, side * 9), wr, tip], _paint(light, stroke=1.2))
    _ellipse(canvas, pts["body"], b.fwd, 28 * b.s, 13 * b.s, _paint(body))
    _ellipse(canvas, b(-4, 0), b.fwd, 18 * b.s, 7 * b.s, _paint(light, alpha=90))
    _poly(canvas, [pts["beak"], b(33, -4.5), b(33, 4.5)], _paint(col["beak"]))
    canvas.drawCircle(*pts["head"], 9.5 * b.s, _paint(col["head"]))
    for side in (-1, 1):
        canvas.drawCircle(*b(33, side * 5.5), 1.7 * b.s, _paint((10, 10, 10)))


def _draw_insect(canvas, pts, b: _Body, col: dict) -> None:
    for j in range(1, 4):
        for s in "lr":
            leg = [pts[f"{s}{j}_base"], pts[f"{s}{j}_knee"], pts[f"{s}{j}"]]
            _line(canvas, leg, _paint(col["leg"], stroke=1.8 * b.s))
    for side in (-1, 1):                                                # antennae
        _line(canvas, [b(38, side * 3), b(50, side * 8), b(58, side * 16)], _paint(col["dark"], stroke=1.2 * b.s))
    _ellipse(canvas, b(-24, 0), b.fwd, 28 * b.s, 10 * b.s, _paint(col["body"]))
    for x in (-10, -20, -30, -40):
        _line(canvas, [b(x, -9 + abs(x + 24) * 0.12), b(x, 9 - abs(x + 24) * 0.12)], _paint(col["dark"], stroke=1.3))
    _ellipse(canvas, pts["thorax"], b.fwd, 13 * b.s, 10 * b.s, _paint(col["body"]))
    canvas.drawCircle(*pts["head"], 8 * b.s, _paint(col["head"]))
    for side in (-1, 1):
        canvas.drawCircle(*b(37, side * 5), 3 * b.s, _paint((20, 20, 20)))
    for name, w in (("hind", 9), ("fore", 11)):                         # translucent wings on top
        for s in "lr":
            root, tip = pts[f"{s}_{name}_root"], pts[f"{s}_{name}"]
            mid, axis = (root + tip) / 2, tip - root
            half = np.linalg.norm(axis) / 2
            _ellipse(canvas, mid, axis, half, w * b.s, _paint(col["wing"], alpha=120))
            _ellipse(canvas, mid, axis, half, w * b.s, _paint(col["wing"], alpha=220, stroke=1.0))


def _draw_spider(canvas, pts, b: _Body, col: dict) -> None:
    for j in range(1, 5):
        for s in "lr":
            leg = [pts[f"{s}{j}_base"], pts[f"{s}{j}_knee"], pts[f"{s}{j}"]]
            _line(canvas, leg, _paint(col["leg"], stroke=2.6 * b.s))
            canvas.drawCircle(*pts[f"{s}{j}_knee"], 2.0 * b.s, _paint(col["dark"]))
    _ellipse(canvas, pts["abdomen"], b.fwd, 20 * b.s, 16 * b.s, _paint(col["body"]))
    _ellipse(canvas, b(-24, 0), b.fwd, 9 * b.s, 4 * b.s, _paint(col["light"], alpha=140))
    _ellipse(canvas, pts["ceph"], b.fwd, 14 * b.s, 11 * b.s, _paint(col["head"]))
    for side in (-1, 1):                                                # chelicerae
        _line(canvas, [b(26, side * 4), b(32, side * 3)], _paint(col["dark"], stroke=2.5 * b.s))


def _draw_snake(canvas, pts, b: _Body, col: dict) -> None:
    spine = pts["spine"]
    n = len(spine)
    w = b.s * col["width"] * np.concatenate([np.full(10, 1.0), np.linspace(1.0, 0.25, n - 10)])
    tan = np.gradient(spine, axis=0)
    tan /= np.linalg.norm(tan, axis=1, keepdims=True)
    nrm = np.stack([-tan[:, 1], tan[:, 0]], axis=1)
    left, right = spine + w[:, None] * nrm, spine - w[:, None] * nrm
    _poly(canvas, list(left) + list(right[::-1]), _paint(col["body"]))
    for s in SNAKE_BANDS:                                               # dark bands centred on S1..S6
        i = int(round(s * (n - 1)))
        lo, hi = max(i - 3, 0), min(i + 3, n - 1)
        _poly(canvas, list(left[lo:hi + 1]) + list(right[lo:hi + 1][::-1]), _paint(col["dark"]))
    head_axis = spine[0] - spine[4]
    _ellipse(canvas, pts["head"], head_axis, 11 * b.s, 8.5 * b.s, _paint(col["head"]))
    u = head_axis / np.linalg.norm(head_axis)
    for side in (-1, 1):
        canvas.drawCircle(*(pts["head"] + 4 * b.s * u + side * 5 * b.s * np.array([-u[1], u[0]])), 1.6 * b.s,
                          _paint((10, 10, 10)))


DRAW = {"bird": _draw_bird, "insect": _draw_insect, "spider": _draw_spider, "snake": _draw_snake}


# --- instances ------------------------------------------------------------------------


def _colours(rng: np.random.Generator, species: str) -> dict:
    def tone(lo, hi):
        return tuple(int(c) for c in rng.uniform(lo, hi, 3))
    body = tone(90, 200)
    return {"body": body, "dark": tuple(int(0.5 * c) for c in body),
            "light": tuple(min(255, int(1.3 * c) + 30) for c in body),
            "head": tuple(min(255, int(0.9 * c) + 20) for c in tone(80, 200)), "beak": (230, 170, 40),
            "leg": tone(110, 190) if species != "spider" else tuple(int(0.8 * c) for c in body),
            "wing": tone(170, 240), "width": float(rng.uniform(8, 10.5))}


def _params(rng: np.random.Generator, species: str) -> dict:
    return {"beak": rng.uniform(0.6, 1.2), "arm": rng.uniform(30, 38), "hand": rng.uniform(34, 44),
            "fore": rng.uniform(44, 54), "hind": rng.uniform(34, 42), "tibia": rng.uniform(16, 21),
            "femur": rng.uniform(26, 32), "length": rng.uniform(190, 230), "amp": rng.uniform(0.45, 0.75),
            "waves": rng.uniform(0.9, 1.4)}


def _skeletons(rng: np.random.Generator, species: str, n_frames: int, p: dict):
    """Per frame: (body frame, named points), or None when the animal would leave the canvas."""
    centre = rng.uniform(0.42, 0.58, 2) * SIZE
    heading, scale = rng.uniform(-np.pi, np.pi), rng.uniform(1.0, 1.2)
    n_limbs = {"bird": 4, "insect": 5, "spider": 4, "snake": 0}[species]
    signs = np.where(np.arange(n_limbs) % 2 == 0, 1.0, -1.0) * rng.choice([-1.0, 1.0])
    phase = rng.uniform(0, 2 * np.pi)
    out = []
    for f in range(n_frames):
        if f:
            centre = centre + rng.normal(0, 3.0, 2)
            heading += rng.normal(0, 0.08)
        b = _Body(centre, heading, scale)
        sw = SWING * signs * (-1) ** f * rng.uniform(0.85, 1.15, n_limbs) + rng.normal(0, 0.05, n_limbs)
        if species == "bird":
            sw[1] = sw[0]                       # both wings beat together
            pts = _bird(b, sw, p)
        elif species == "insect":
            pts = _insect(b, sw, p)
        elif species == "spider":
            pts = _spider(b, sw, p)
        else:
            pts = _snake(b, phase + np.radians(70) * f, p)
        kp = np.array([pts[k] for _, _, k in KEYPOINTS[species]]) / SIZE
        if kp.min() < INSIDE[0] or kp.max() > INSIDE[1]:
            return None
        out.append((b, pts, kp))
    return out


def _background(rng: np.random.Generator) -> np.ndarray:
    """A plain, softly lit backdrop (uint8 RGBA), so the animal's outline is the only cue."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    base = rng.uniform(28, 48, 3)
    light = 1.0 + 0.25 * np.exp(-((xx - rng.uniform(0.3, 0.7)) ** 2 + (yy - rng.uniform(0.3, 0.7)) ** 2) / 0.15)
    img = np.full((SIZE, SIZE, 4), 255, np.uint8)
    img[..., :3] = np.clip(base * light[..., None] + rng.normal(0, 1.5, (SIZE, SIZE, 1)), 0, 255)
    return img


def make_instance(seed: int, species: str | None = None, n_frames: int | None = None) -> Instance:
    """One animal (or `species`) over 12–20 frames (or `n_frames`), from `seed`."""
    require(isinstance(seed, (int, np.integer)) and seed >= 0, "seed", f"expected an integer >= 0, got {seed!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xA1B5]))
    species = str(species) if species is not None else str(rng.choice(SPECIES))
    require(species in SPECIES, "species", f"expected one of {SPECIES}, got {species!r}")
    n_frames = int(n_frames) if n_frames is not None else int(rng.integers(FRAMES[0], FRAMES[1] + 1))
    require(2 <= n_frames <= 40, "n_frames", f"expected 2..40, got {n_frames}")
    p = _params(rng, species)
    for _ in range(500):
        skel = _skeletons(rng, species, n_frames, p)
        if skel is not None:
            break
    else:
        raise RuntimeError(f"animal_limb_tracking: no pose sequence fits the canvas for seed {seed}")
    col = _colours(rng, species)
    bg = _background(rng)
    frames = np.empty((n_frames, SIZE, SIZE, 3), np.uint8)
    rgba = np.empty((SIZE, SIZE, 4), np.uint8)
    surface = skia.Surface(rgba, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    canvas = surface.getCanvas()
    for f, (b, pts, _) in enumerate(skel):
        np.copyto(rgba, bg)
        DRAW[species](canvas, pts, b, col)
        surface.flushAndSubmit()
        frames[f] = rgba[..., :3]
    keypoints = np.stack([kp for _, _, kp in skel])
    return Instance(int(seed), species, keypoints, frames)


def validate_instance(inst) -> None:
    require(isinstance(inst, Instance), "instance",
            f"expected an animal_limb_tracking Instance, got {type(inst).__name__}")
    require(inst.species in SPECIES, "instance.species", f"expected one of {SPECIES}, got {inst.species!r}")
    k = len(KEYPOINTS[inst.species])
    require_array(inst.keypoints, "instance.keypoints", np.float64, (None, k, 2))
    n = inst.keypoints.shape[0]
    require(n >= 2, "instance.keypoints", f"expected at least 2 frames, got {n}")
    require(np.isfinite(inst.keypoints).all() and ((inst.keypoints >= 0) & (inst.keypoints <= 1)).all(),
            "instance.keypoints", "coordinates must be finite and in [0, 1]")
    require_array(inst.frames, "instance.frames", np.uint8, (n, SIZE, SIZE, 3))
