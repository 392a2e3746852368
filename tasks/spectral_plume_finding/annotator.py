"""The virtual annotator of Spectral Plume Finding (paper A.2.7).

`plan` follows the paper's four steps:
1. Explore: toggle b2…b5 (tag "explore") to see what is there.
2. Mark and count: sweep back b4…b1 (tag "verify"); on each band, put a
   candidate marker (±2 px of its centre) on every object that has not got
   one yet. Every object appears in at least one band, so all of them become
   candidates, and the sweep counts each one's bands.
3. Draw: for each real plume (3 bands), switch to a band showing it, press
   Draw, click its outline's vertices in order, and close by clicking within
   2 px of the first vertex. The outline is the ground truth polygon
   (`world.py`), so a clean trace scores IoU 1.0.
4. Done.
Mistakes, each then undone (tags "mistake" / "correction"): a marker on
empty ground (10 %), a vertex 5–10 px off the outline (10 % of vertices),
and in 30 % of episodes outlining a confounder for 3–5 vertices before
realizing its band count is wrong and pressing Cancel.

`oracle`: undo/cancel until every closed polygon is a distinct plume outline,
finish or fix the open outline (undo a wrong last vertex, cancel a wrong
outline), outline the next plume from a band showing it, then Done.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from widgets import Place, Press

from .world import CLOSE_PX, N_BANDS, SIZE, Instance

SAME_PX = 1e-6        # a drawn vertex "is" an outline vertex within this distance


@dataclass(frozen=True)
class Style:
    marker_mistake_rate: float = 0.10
    vertex_mistake_rate: float = 0.10
    confounder_detour_rate: float = 0.30


STYLES = {
    "default": Style(),
    "careful": Style(marker_mistake_rate=0.05, vertex_mistake_rate=0.05, confounder_detour_rate=0.1),
    "hasty": Style(marker_mistake_rate=0.2, vertex_mistake_rate=0.15, confounder_detour_rate=0.5),
}


def expected_overhead(n_plumes: int, n_objects: int, style: str = "default") -> float:
    """Expected number of non-vertex actions of a plan (world.py sizes outlines from it)."""
    s = STYLES[style]
    explore, verify, done = N_BANDS - 1, N_BANDS - 1, 1
    marks = n_objects * (1 + 2 * s.marker_mistake_rate)
    per_plume = 2.5          # Draw, the closing click, a band switch half of the time
    detour = s.confounder_detour_rate * 6.5
    return explore + marks + verify + n_plumes * per_plume + detour + done


def _uv(p, tag: str = "") -> Place:
    return Place(float(p[0]) / SIZE, float(p[1]) / SIZE, tag=tag)


def _off_spot(rng: np.random.Generator, p: np.ndarray, lo: float, hi: float, avoid: np.ndarray | None) -> np.ndarray:
    """A point lo–hi px from p, inside the canvas, farther than the closing radius from `avoid`."""
    for _ in range(200):
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(lo, hi)
        q = p + dist * np.array([np.cos(ang), np.sin(ang)])
        if (q >= 3).all() and (q <= SIZE - 3).all() and (avoid is None or np.hypot(*(q - avoid)) > CLOSE_PX + 1.5):
            return q
    raise RuntimeError("spectral_plume_finding: no spot for a mistake")


def plan(instance: Instance, rng: np.random.Generator, style: str = "default") -> list:
    s = STYLES[style]
    acts: list = []
    marked = set()
    by_x = sorted(range(instance.n_objects), key=lambda i: instance.centre(i)[0])
    for b in range(1, N_BANDS):                                    # 1. explore: look at every band
        acts.append(Press(f"b{b + 1}", tag="explore"))
    band = N_BANDS - 1
    for b in range(N_BANDS - 1, -1, -1):                           # 2. sweep back, marking candidates
        if b != band:
            acts.append(Press(f"b{b + 1}", tag="verify"))
            band = b
        for i in by_x:
            if instance.present[i, b] and i not in marked:
                c = instance.centre(i)
                if rng.random() < s.marker_mistake_rate:
                    acts += [_uv(_off_spot(rng, c, 30, 50, None), "mistake"), Press("undo", tag="correction")]
                acts.append(_uv(c + rng.uniform(-2, 2, 2)))
                marked.add(i)
    confounders = [i for i in range(instance.n_objects) if not instance.is_plume[i]]
    if confounders and rng.random() < s.confounder_detour_rate:    # a wrong start, cancelled
        c = confounders[rng.integers(len(confounders))]
        if not instance.present[c, band]:
            band = int(np.argmax(instance.present[c]))
            acts.append(Press(f"b{band + 1}"))
        acts.append(Press("draw", tag="mistake"))
        acts += [_uv(v, "mistake") for v in instance.polygons[c][:rng.integers(3, 6)]]
        acts.append(Press("cancel", tag="correction"))
    for j in instance.plumes:                                      # 3. outline the verified plumes
        if not instance.present[j, band]:
            band = int(np.argmax(instance.present[j]))
            acts.append(Press(f"b{band + 1}"))
        acts.append(Press("draw"))
        verts = instance.polygons[j]
        for v in verts:
            if rng.random() < s.vertex_mistake_rate:
                acts += [_uv(_off_spot(rng, v, 5, 10, verts[0]), "mistake"), Press("undo", tag="correction")]
            acts.append(_uv(v))
        acts.append(_uv(verts[0] + rng.uniform(-2, 2, 2)))          # close near the first vertex
    return acts + [Press("done")]                                  # 4. done


def _is_prefix(drawn, outline: np.ndarray) -> bool:
    if len(drawn) > len(outline):
        return False
    d = np.array(drawn, np.float64).reshape(-1, 2) * SIZE
    return bool(np.all(np.abs(d - outline[:len(d)]) <= SAME_PX))


def oracle(state, instance: Instance):
    """The greedy correct next action from `state`."""
    if state.done:
        return Press("done")
    plumes = instance.plumes
    claimed: set[int] = set()
    for poly in state.polygons:
        j = next((j for j in plumes if j not in claimed and len(poly) == len(instance.polygons[j])
                  and _is_prefix(poly, instance.polygons[j])), None)
        if j is None:     # a wrong or duplicate polygon: take annotations back until it is gone
            return Press("cancel" if state.drawing else "undo", tag="correction")
        claimed.add(j)
    remaining = [j for j in plumes if j not in claimed]
    if state.drawing:
        for j in remaining:
            outline = instance.polygons[j]
            if _is_prefix(state.vertices, outline):
                n = len(state.vertices)
                return _uv(outline[0] if n == len(outline) else outline[n])
        if state.vertices and any(_is_prefix(state.vertices[:-1], instance.polygons[j]) for j in remaining):
            return Press("undo", tag="correction")
        return Press("cancel", tag="correction")
    if not remaining:
        return Press("done")
    j = remaining[0]
    if not instance.present[j, state.band]:
        return Press(f"b{int(np.argmax(instance.present[j])) + 1}")
    return Press("draw")
