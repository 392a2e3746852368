"""Cell Lineage Tracking metrics (paper A.2.3).

Each marker stands for the ground-truth cell under it in the frame it was
placed in (-1 outside the embryo). The user tree E_u is the set of directed
edges (cell of parent marker -> cell of daughter marker); the ground truth
E_g is every (parent cell -> daughter cell). Exact edge matching:

- edge recall |E_u ∩ E_g| / |E_g|, edge precision |E_u ∩ E_g| / |E_u|
  (0 when E_u is empty), and their F1 (primary);
- tree similarity 1 - |E_u Δ E_g| / (|E_u| + |E_g|) (1 when both are empty);
- division accuracy: the fraction of true divisions (a parent splitting into
  exactly two daughters) for which the user's daughters of that parent are
  exactly the two true daughters.
"""
from __future__ import annotations

from .world import Instance

PRIMARY = "edge_f1"


def marker_cells(state, instance: Instance) -> list[int]:
    return [instance.cell_at(f, u, v) for u, v, f, _ in state.markers]


def user_edges(state, instance: Instance) -> set[tuple[int, int]]:
    cells = marker_cells(state, instance)
    return {(cells[p], cells[i]) for i, (_, _, _, p) in enumerate(state.markers) if p >= 0}


def true_edges(instance: Instance) -> set[tuple[int, int]]:
    return {(int(p), c) for c, p in enumerate(instance.parent) if p >= 0}


def metrics(state, instance: Instance) -> dict[str, float]:
    eu, eg = user_edges(state, instance), true_edges(instance)
    tp = len(eu & eg)
    recall = tp / len(eg) if eg else 1.0
    precision = tp / len(eu) if eu else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    total = len(eu) + len(eg)
    similarity = 1.0 - len(eu ^ eg) / total if total else 1.0
    divisions = instance.divisions()
    right = sum(1 for _, p, a, b in divisions if {c for q, c in eu if q == p} == {a, b})
    return {
        "primary": f1, "edge_f1": f1, "edge_precision": precision, "edge_recall": recall,
        "tree_similarity": similarity, "division_accuracy": right / len(divisions) if divisions else 1.0,
        "n_markers": float(len(state.markers)), "done": float(state.done),
    }
