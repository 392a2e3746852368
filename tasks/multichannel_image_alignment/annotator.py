"""The virtual annotator of Multichannel Image Alignment (paper A.2.6).

`plan`: for each landmark in order (1–3 are the widest triangle, for the
affine estimate: see `world.py`) go to the reference channel 1, place the
marker, switch to the next channel, place, … across all channels; the GUI
then advances to the next point. Each placement lands within 1 px of the
truth (the paper's "1 px click noise": uniform in ±1 px per axis, so always
inside the 2 px match radius). With probability `mistake_rate` (15 %) a
placement is first made at a wrong spot and undone: half of the time, on a
distorted channel, where the site is on the reference (forgetting the
distortion), otherwise 4–10 px off. Done at the end.

`oracle`: greedy and state-aware: undo a wrong last placement, else fix or
add the first (point, channel) marker that is missing or off by more than
2 px (selecting its point and channel first), else Done.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from widgets import Place, Press

from .gui import markers
from .metrics import MATCH_PX
from .world import SIZE, Instance

CLICK_NOISE_PX = 1.0


@dataclass(frozen=True)
class Style:
    mistake_rate: float = 0.15      # paper: 15 % error rate with undo correction
    forget_distortion: float = 0.5  # share of mistakes made at the reference position


STYLES = {
    "default": Style(),
    "careful": Style(mistake_rate=0.08),
    "hasty": Style(mistake_rate=0.25, forget_distortion=0.7),
}


def _place_px(x: float, y: float, tag: str = "") -> Place:
    return Place(float(x) / SIZE, float(y) / SIZE, tag=tag)


def _wrong_spot(rng: np.random.Generator, inst: Instance, k: int, c: int, style: Style) -> tuple[float, float]:
    truth = inst.landmarks[k, c]
    ref = inst.landmarks[k, 0]
    if c > 0 and rng.random() < style.forget_distortion and np.hypot(*(ref - truth)) >= 4.0:
        return float(ref[0]), float(ref[1])
    for _ in range(100):
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(4.0, 10.0)
        x, y = truth + dist * np.array([np.cos(ang), np.sin(ang)])
        if 2 <= x <= SIZE - 2 and 2 <= y <= SIZE - 2:
            return float(x), float(y)
    return float(truth[0] + 5), float(truth[1])


def plan(instance: Instance, rng: np.random.Generator, style: str = "default") -> list:
    s = STYLES[style]
    acts: list = []
    ch = 0
    for k in range(instance.n_landmarks):
        for c in range(instance.n_channels):
            if c != ch:
                acts.append(Press(f"ch{c + 1}"))
                ch = c
            if rng.random() < s.mistake_rate:
                acts += [_place_px(*_wrong_spot(rng, instance, k, c, s), tag="mistake"), Press("undo", tag="correction")]
            x, y = instance.landmarks[k, c] + rng.uniform(-CLICK_NOISE_PX, CLICK_NOISE_PX, 2)
            acts.append(_place_px(x, y))
    return acts + [Press("done")]


def _wrong(inst: Instance, k: int, c: int, uv: tuple[float, float]) -> bool:
    return bool(np.hypot(uv[0] * SIZE - inst.landmarks[k, c, 0], uv[1] * SIZE - inst.landmarks[k, c, 1]) > MATCH_PX)


def oracle(state, instance: Instance):
    """The greedy correct next action from `state`."""
    if state.done:
        return Press("done")
    if state.placements:
        k, c, u, v = state.placements[-1]
        if _wrong(instance, k, c, (u, v)):
            return Press("undo", tag="correction")
    placed = markers(state)
    for k in range(instance.n_landmarks):
        for c in range(instance.n_channels):
            if (k, c) not in placed or _wrong(instance, k, c, placed[k, c]):
                if state.point != k:
                    return Press(f"p{k + 1}")
                if state.channel != c:
                    return Press(f"ch{c + 1}")
                return _place_px(*instance.landmarks[k, c])
    return Press("done")
