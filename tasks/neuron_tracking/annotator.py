"""The virtual annotator of Neuron Tracking (paper A.2.2, Figure 9).

`plan`: the annotator works through the neurons in groups of 4 (01–04,
05–08, 09–10), placing each neuron of a group across all frames before moving
to the next group. Within a group it goes frame by frame: for each neuron of
the group select its ID, place its marker, and after the group's last neuron
advance to the next frame; at the end of a group it goes back (prev …) to the
first frame for the next group. With probability `mistake_rate` (10 %) a
placement is first a misclick on background near the neuron (Figure 9c),
undone at once. Done at the end.

Why frame by frame within the group: that is what makes "groups of 4" mean
something (4 identities held in mind while stepping through the frames), it
is Figure 9's sequence ("neuron 01 placed, selecting 02"; "mid-group, placing
07"), and it is the reading that reproduces Table 1's 155–275 actions for
6–10 neurons (neuron by neuron with a walk back to frame 0 after each gives
up to ~300 for 10 neurons).

The mistakes are a random subset of exactly round(10 % x placements) of the
placements (stochastic rounding for other rates): each placement is still
off-target with probability 10 %, but the episode length then follows the
neuron count alone, which keeps it inside Table 1's range (independent coins
put ~4 % of episodes outside it).

`oracle` gives the greedy correct next action from any state, numbering the
neurons as the plan does (ID k for neuron k-1, in frame 0's reading order).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from widgets import Place, Press

from .gui import id_action, markers
from .world import N_FRAMES, Instance

GROUP = 4            # paper: neurons are tracked in groups of 4
PLACE_SD = 0.003     # normalized hand jitter of a correct placement (under 1 px)
MATCH_TOL = 0.025    # the oracle keeps a marker this close to its neuron (metric tolerance: 0.05)


@dataclass(frozen=True)
class Style:
    mistake_rate: float = 0.10      # paper: 10 % of placements off-target, then undone


STYLES = {
    "default": Style(),
    "careful": Style(mistake_rate=0.05),
    "hasty": Style(mistake_rate=0.15),
}


def _background_spot(rng: np.random.Generator, instance: Instance, i: int, f: int) -> tuple[float, float]:
    """A misclick on background: 0.07–0.15 from neuron i, and off every neuron of frame f."""
    x, y = instance.tracks[i, f]
    others = instance.tracks[:, f]
    for _ in range(200):
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(0.07, 0.15)
        u, v = x + dist * np.cos(ang), y + dist * np.sin(ang)
        if 0.03 <= u <= 0.97 and 0.03 <= v <= 0.97 and np.hypot(*(others - (u, v)).T).min() > 0.07:
            return float(u), float(v)
    return float(np.clip(x + 0.09, 0.03, 0.97)), float(np.clip(y + 0.09, 0.03, 0.97))


def _goto(frame: int, target: int, tag: str = "") -> list:
    step = "next" if target > frame else "prev"
    return [Press(step, tag=tag) for _ in range(abs(target - frame))]


def _groups(n: int) -> list[range]:
    return [range(s, min(s + GROUP, n)) for s in range(0, n, GROUP)]


def plan(instance: Instance, rng: np.random.Generator, style: str = "default") -> list:
    s = STYLES[style]
    n_places = instance.n * N_FRAMES
    expected = s.mistake_rate * n_places
    n_mistakes = int(expected) + int(rng.random() < expected - int(expected))
    mistaken = set(rng.choice(n_places, n_mistakes, replace=False).tolist())
    acts, frame, selected, count = [], 0, 0, 0
    for group in _groups(instance.n):
        acts += _goto(frame, 0)
        frame = 0
        for f in range(N_FRAMES):
            acts += _goto(frame, f)
            frame = f
            for i in group:
                if selected != i + 1:
                    acts.append(Press(id_action(i + 1)))
                    selected = i + 1
                if count in mistaken:
                    acts += [Place(*_background_spot(rng, instance, i, f), tag="mistake"),
                             Press("undo", tag="correction")]
                u, v = np.clip(instance.tracks[i, f] + rng.normal(0, PLACE_SD, 2), 0.0, 0.999)
                acts.append(Place(float(u), float(v)))
                count += 1
    return acts + [Press("done")]


def _correct(instance: Instance, k: int, f: int, u: float, v: float) -> bool:
    return k <= instance.n and bool(np.hypot(*(instance.tracks[k - 1, f] - (u, v))) <= MATCH_TOL)


def oracle(state, instance: Instance):
    """The greedy correct next action from `state`."""
    if state.done:
        return Press("done")
    if state.placements and not _correct(instance, *state.placements[-1]):
        return Press("undo", tag="correction")
    ms = markers(state)
    for group in _groups(instance.n):
        for f in range(N_FRAMES):
            for i in group:
                k = i + 1
                if (k, f) in ms and _correct(instance, k, f, *ms[k, f]):
                    continue
                if state.frame != f:
                    return Press("next" if f > state.frame else "prev")
                if state.selected != k:
                    return Press(id_action(k))
                x, y = instance.tracks[i, f]
                return Place(float(x), float(y))
    return Press("done")
