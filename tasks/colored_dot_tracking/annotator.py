"""The virtual annotator of Colored Dot Tracking (paper A.2.1, Table 18).

`plan` writes a realistic trace: toggle the MIP on to see the whole trajectory
and off again; then for every dot in colour order navigate slice by slice to
its slice, check an adjacent slice and come back (verification), place the
marker — with probability `mistake_rate` (10 %) first a wrong placement that
is undone — and now and then toggle the MIP on and off to check progress; end
with the MIP on and Done. `oracle` gives the greedy correct next action from
any state, for DAgger and for finishing episodes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from widgets import Place, Press

from .world import N_SLICES, Instance

PLACE_SD = 0.002     # normalized hand jitter of a correct placement (about 0.5 px)
MATCH_TOL = 0.01     # a marker this close to the next dot (and on its slice) counts as correct


@dataclass(frozen=True)
class Style:
    mistake_rate: float = 0.10      # paper: 10 % of placements wrong, then undone
    mip_check_rate: float = 0.30    # after a placement, glance at the MIP (on, off)
    both_sides_rate: float = 0.15   # verify both neighbouring slices instead of one


STYLES = {
    "default": Style(),
    "careful": Style(mistake_rate=0.05, mip_check_rate=0.5, both_sides_rate=0.4),
    "hasty": Style(mistake_rate=0.2, mip_check_rate=0.1, both_sides_rate=0.0),
}


def _wrong_spot(rng: np.random.Generator, x: float, y: float) -> tuple[float, float]:
    """A plausible slip: 0.04–0.10 away from the dot, inside the canvas."""
    for _ in range(100):
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(0.04, 0.10)
        u, v = x + dist * np.cos(ang), y + dist * np.sin(ang)
        if 0.02 <= u <= 0.98 and 0.02 <= v <= 0.98:
            return float(u), float(v)
    return float(np.clip(x + 0.05, 0.02, 0.98)), float(y)


def _goto(z: int, target: int, tag: str = "") -> list:
    step = "+z" if target > z else "-z"
    return [Press(step, tag=tag) for _ in range(abs(target - z))]


def plan(instance: Instance, rng: np.random.Generator, style: str = "default") -> list:
    s = STYLES[style]
    acts = [Press("mip", tag="explore"), Press("mip", tag="explore")]
    z = 0
    for i in range(instance.n):
        x, y, _ = instance.points[i]
        target = instance.slice_of(i)
        acts += _goto(z, target)
        z = target
        sides = [d for d in (-1, 1) if 0 <= z + d < N_SLICES]
        if rng.random() >= s.both_sides_rate:
            sides = [sides[rng.integers(len(sides))]]
        for d in sides:   # look at the neighbouring slice, then come back
            acts += _goto(z, z + d, "verify") + _goto(z + d, z, "verify")
        if rng.random() < s.mistake_rate:
            acts += [Place(*_wrong_spot(rng, x, y), tag="mistake"), Press("undo", tag="correction")]
        u, v = np.clip([x, y] + rng.normal(0, PLACE_SD, 2), 0.0, 0.999)
        acts.append(Place(float(u), float(v)))
        if i < instance.n - 1 and rng.random() < s.mip_check_rate:
            acts += [Press("mip", tag="verify"), Press("mip", tag="verify")]
    return acts + [Press("mip", tag="verify"), Press("done")]


def _correct_prefix(state, instance: Instance) -> int:
    k = 0
    for (u, v, z), (x, y, _), i in zip(state.markers, instance.points, range(instance.n)):
        if np.hypot(u - x, v - y) > MATCH_TOL or z != instance.slice_of(i):
            break
        k += 1
    return k


def oracle(state, instance: Instance):
    """The greedy correct next action from `state`."""
    if state.done:
        return Press("done")
    k = _correct_prefix(state, instance)
    if len(state.markers) > k:
        return Press("undo", tag="correction")
    if k == instance.n:
        return Press("done") if state.mip else Press("mip")
    if state.mip:
        return Press("mip")
    target = instance.slice_of(k)
    if state.z != target:
        return Press("+z" if target > state.z else "-z")
    x, y, _ = instance.points[k]
    return Place(float(x), float(y))
