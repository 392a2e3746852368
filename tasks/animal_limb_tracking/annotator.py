"""The virtual annotator of Animal Limb Tracking (paper A.2.5).

`plan`: frame by frame, work through the tabs in order (open a tab unless it
is already open), and in each tab click every keypoint button, then place
that keypoint on the animal; advance with Next; end with Done. With 10 %
probability a keypoint is first placed slightly off (a near error, 5–9 px
from the true position: outside the 3-px PCK tolerance) and undone.

Per frame that is 2.2 actions per keypoint plus the tab clicks and Next, so
with 12–20 frames (see `world.py`) a snake (8 keypoints, one tab) takes
~215–370 actions and an insect (13 keypoints, three tabs) ~390–650.

`oracle` gives the greedy correct next action from any state.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from widgets import Place, Press

from .gui import current_markers, kp_action, tab_action
from .metrics import TOL_PX
from .world import KEYPOINTS, SIZE, Instance, tabs_of

PLACE_SD_PX = 0.5          # hand jitter of a correct placement
PLACE_MAX_PX = 1.5         # ... clipped: a correct placement stays well inside the 3-px tolerance
NEAR_PX = (5.0, 9.0)       # near-error offset


@dataclass(frozen=True)
class Style:
    near_rate: float = 0.10    # paper: 10 % near errors, each undone


STYLES = {"default": Style(), "careful": Style(near_rate=0.04), "hasty": Style(near_rate=0.2)}


def _place_near(rng: np.random.Generator, target: np.ndarray) -> Place:
    for _ in range(100):
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(*NEAR_PX) / SIZE
        p = target + dist * np.array([np.cos(ang), np.sin(ang)])
        if (p >= 0.0).all() and (p < 0.999).all():
            return Place(float(p[0]), float(p[1]), tag="mistake")
    return Place(float(target[0]), float(target[1] + (6 if target[1] < 0.5 else -6) / SIZE), tag="mistake")


def _place_correct(rng: np.random.Generator, target: np.ndarray) -> Place:
    off = rng.normal(0, PLACE_SD_PX, 2)
    norm = np.hypot(*off)
    if norm > PLACE_MAX_PX:
        off *= PLACE_MAX_PX / norm
    u, v = np.clip(target + off / SIZE, 0.0, 0.999)
    return Place(float(u), float(v))


def plan(instance: Instance, rng: np.random.Generator, style: str = "default") -> list:
    s = STYLES[style]
    tabs, kps = tabs_of(instance.species), KEYPOINTS[instance.species]
    acts, open_tab = [], 0
    for f in range(instance.n_frames):
        if f:
            acts.append(Press("next"))
        for t, tab in enumerate(tabs):
            if t != open_tab:
                acts.append(Press(tab_action(tab)))
                open_tab = t
            for k, (kt, _, kid) in enumerate(kps):
                if kt != tab:
                    continue
                acts.append(Press(kp_action(kid)))
                target = instance.keypoints[f, k]
                if rng.random() < s.near_rate:
                    acts += [_place_near(rng, target), Press("undo", tag="correction")]
                acts.append(_place_correct(rng, target))
    return acts + [Press("done")]


def _is_correct(instance: Instance, f: int, k: int, uv) -> bool:
    return bool(np.hypot(*(np.asarray(uv) - instance.keypoints[f, k])) * SIZE <= TOL_PX)


def oracle(state, instance: Instance):
    """The greedy correct next action from `state`."""
    if state.done:
        return Press("done")
    placed = current_markers(state)
    last = next((m for m in reversed(state.markers) if m[0] == state.frame), None)
    if last is not None and not _is_correct(instance, last[0], last[1], last[2:]):
        return Press("undo", tag="correction")
    tabs, kps = tabs_of(instance.species), KEYPOINTS[instance.species]
    order = [k for tab in tabs for k, (kt, _, _) in enumerate(kps) if kt == tab]   # tab order, as annotated
    todo = [(f, k) for f in range(instance.n_frames) for k in order
            if (f, k) not in placed or not _is_correct(instance, f, k, placed[(f, k)])]
    if not todo:
        return Press("done")
    here = [t for t in todo if t[0] == state.frame]
    f, k = here[0] if here else todo[0]
    if f != state.frame:
        return Press("next" if f > state.frame else "prev")
    tab = tabs.index(kps[k][0])
    if state.tab != tab:
        return Press(tab_action(kps[k][0]))
    if state.keypoint != k:
        return Press(kp_action(kps[k][2]))
    u, v = instance.keypoints[f, k]
    return Place(float(u), float(v))
