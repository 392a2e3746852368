"""Road Network Construction metrics (paper A.2.8).

Nodes: predicted nodes are matched to ground-truth nodes by the Hungarian
algorithm on pixel distance; a pair counts only within 6 px. Node recall =
matched / GT nodes, precision = matched / predicted nodes, F1.
Edges: a predicted edge is correct only if both its nodes are matched and
the ground-truth edge between their matches exists. Edge precision =
correct / predicted edges, recall = correct / GT edges (edges are distinct
and the node matching is one-to-one, so correct edges are distinct GT edges), F1.
Graph F1 = (node F1 + edge F1) / 2, the primary metric. An F1 with nothing
correct is 0. The metrics do not depend on Done (reported as "done").
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from .world import SIZE, Instance

NODE_TOL_PX = 6.0
PRIMARY = "graph_f1"


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def match_nodes(state, instance: Instance) -> dict[int, int]:
    """Predicted node id -> ground-truth node index, for pairs within 6 px of the optimal assignment."""
    if not state.nodes:
        return {}
    ids = [n[0] for n in state.nodes]
    pred = np.array([[n[1], n[2]] for n in state.nodes]) * SIZE
    d = np.linalg.norm(pred[:, None] - instance.px[None], axis=2)
    ok = d <= NODE_TOL_PX
    rows, cols = linear_sum_assignment(np.where(ok, d, 1e6))
    return {ids[r]: int(c) for r, c in zip(rows, cols) if ok[r, c]}


def metrics(state, instance: Instance) -> dict[str, float]:
    match = match_nodes(state, instance)
    gt_edges = {(int(a), int(b)) for a, b in instance.edges}
    n_pred, n_gt = len(state.nodes), instance.n
    node_p = len(match) / n_pred if n_pred else 0.0
    node_r = len(match) / n_gt
    correct = 0
    for a, b in state.edges:
        if a in match and b in match:
            ga, gb = sorted((match[a], match[b]))
            correct += (ga, gb) in gt_edges
    edge_p = correct / len(state.edges) if state.edges else 0.0
    edge_r = correct / len(gt_edges)
    node_f1, edge_f1 = _f1(node_p, node_r), _f1(edge_p, edge_r)
    graph_f1 = (node_f1 + edge_f1) / 2
    return {
        "primary": graph_f1, "graph_f1": graph_f1,
        "node_f1": node_f1, "node_precision": node_p, "node_recall": node_r,
        "edge_f1": edge_f1, "edge_precision": edge_p, "edge_recall": edge_r,
        "n_nodes": float(n_pred), "n_edges": float(len(state.edges)), "done": float(state.done),
    }
