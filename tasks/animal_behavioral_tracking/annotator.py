"""The virtual annotator of Animal Behavioral Tracking (paper A.2.4).

`plan`: first skim the video (Next through the frames and Prev back: the
paper's annotators "navigate back and forth with prev/next"), then frame by
frame: on arriving at a new frame glance back at the previous one (Prev,
Next) to keep the identities, then work through the animals in order —
select the animal, Front, place on the head, Back, place on the tail — and
advance with Next; end with Done. Each placement is, with 10 % probability,
a near error (a slight offset, 6–10 % of the canvas: just outside the 5 %
tolerance) and with 10 % a far error (a random misclick on the canvas); each
error is followed by Undo and the correct placement.

Episode length is about 58 actions per animal (10 frames x 5 clicks plus
0.4 errors x 2 per animal-frame) plus ~42 for navigation and Done: 4 animals
give ~274, 8 give ~506, 6 give ~390 — the paper's 255–540 (Table 1) with mean
389 (Figure 7).

`oracle` gives the greedy correct next action from any state.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from widgets import Place, Press

from .gui import KINDS, animal_action, current_markers
from .metrics import TOL
from .world import N_FRAMES, Instance

PLACE_SD = 0.004     # normalized hand jitter of a correct placement (~1.5 px)
NEAR = (0.06, 0.10)  # near-error offset range (normalized): "slight", yet outside the 5 % tolerance
FAR_MIN = 0.2        # a far error lands at least this far from the target


@dataclass(frozen=True)
class Style:
    near_rate: float = 0.10        # paper: 10 % near errors
    far_rate: float = 0.10         # paper: 10 % far errors
    skim_rate: float = 1.0         # skim the whole video first
    look_back_rate: float = 0.8    # on a new frame, glance at the previous one


STYLES = {
    "default": Style(),
    "careful": Style(near_rate=0.05, far_rate=0.05, look_back_rate=1.0),
    "hasty": Style(near_rate=0.15, far_rate=0.15, skim_rate=0.3, look_back_rate=0.3),
}


def _gt(instance: Instance, frame: int, animal: int, kind: str) -> np.ndarray:
    return (instance.fronts if kind == "F" else instance.backs)[frame, animal]


def _inside(p) -> bool:
    return 0.01 <= p[0] <= 0.99 and 0.01 <= p[1] <= 0.99


def _near_error(rng: np.random.Generator, target: np.ndarray) -> Place:
    for _ in range(100):
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(*NEAR)
        p = target + dist * np.array([np.cos(ang), np.sin(ang)])
        if _inside(p):
            return Place(float(p[0]), float(p[1]), tag="mistake")
    u = np.clip(target[0] + 0.07 * np.sign(0.5 - target[0]), 0.01, 0.99)   # towards the middle
    return Place(float(u), float(target[1]), tag="mistake")


def _far_error(rng: np.random.Generator, target: np.ndarray) -> Place:
    for _ in range(100):
        p = rng.uniform(0.02, 0.98, 2)
        if np.hypot(*(p - target)) >= FAR_MIN:
            return Place(float(p[0]), float(p[1]), tag="mistake")
    return Place(float(1 - target[0]), float(1 - target[1]), tag="mistake")


def _placement(rng: np.random.Generator, s: Style, target: np.ndarray) -> list:
    acts = []
    r = rng.random()
    if r < s.near_rate:
        acts += [_near_error(rng, target), Press("undo", tag="correction")]
    elif r < s.near_rate + s.far_rate:
        acts += [_far_error(rng, target), Press("undo", tag="correction")]
    u, v = np.clip(target + rng.normal(0, PLACE_SD, 2), 0.0, 0.999)
    return acts + [Place(float(u), float(v))]


def plan(instance: Instance, rng: np.random.Generator, style: str = "default") -> list:
    s = STYLES[style]
    acts = []
    if rng.random() < s.skim_rate:
        acts += [Press("next", tag="explore")] * (N_FRAMES - 1) + [Press("prev", tag="explore")] * (N_FRAMES - 1)
    for f in range(N_FRAMES):
        if f > 0:
            acts.append(Press("next"))
            if rng.random() < s.look_back_rate:
                acts += [Press("prev", tag="verify"), Press("next", tag="verify")]
        for a in range(instance.n):
            acts += [Press(animal_action(a)), Press("front")]
            acts += _placement(rng, s, instance.fronts[f, a])
            acts.append(Press("back"))
            acts += _placement(rng, s, instance.backs[f, a])
    return acts + [Press("done")]


def _is_correct(instance: Instance, key, uv) -> bool:
    f, a, k = key
    return bool(np.hypot(*(np.asarray(uv) - _gt(instance, f, a, k))) <= TOL)


def oracle(state, instance: Instance):
    """The greedy correct next action from `state`."""
    if state.done:
        return Press("done")
    placed = current_markers(state)
    # a wrong marker just placed on this frame: undo it (as the annotator does)
    last = next((m for m in reversed(state.markers) if m[0] == state.frame), None)
    if last is not None and not _is_correct(instance, last[:3], last[3:]):
        return Press("undo", tag="correction")
    todo = [(f, a, k) for f in range(N_FRAMES) for a in range(instance.n) for k in KINDS
            if (f, a, k) not in placed or not _is_correct(instance, (f, a, k), placed[(f, a, k)])]
    if not todo:
        return Press("done")
    here = [t for t in todo if t[0] == state.frame]
    f, a, k = here[0] if here else todo[0]
    if f != state.frame:
        return Press("next" if f > state.frame else "prev")
    if state.animal != a:
        return Press(animal_action(a))
    if state.kind != k:
        return Press("front" if k == "F" else "back")
    u, v = _gt(instance, f, a, k)
    return Place(float(u), float(v))
