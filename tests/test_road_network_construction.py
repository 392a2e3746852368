"""Road Network Construction specifics: the paper's metric definitions, the GUI's graph editing, the annotator."""
from __future__ import annotations

import numpy as np
import pytest

import simcore
from tasks.road_network_construction import State, apply, make_instance, metrics, state_from_json, state_to_json
from tasks.road_network_construction.world import MIN_NODE_GAP, SIZE
from widgets import Place, Press

TASK = "road_network_construction"


def gt_state(inst, shift_px=(0.0, 0.0), extra_nodes=(), extra_edges=()):
    nodes = tuple((i, float(u + shift_px[0] / SIZE), float(v + shift_px[1] / SIZE))
                  for i, (u, v) in enumerate(inst.nodes))
    nodes += tuple((inst.n + k, u, v) for k, (u, v) in enumerate(extra_nodes))
    edges = tuple(sorted({(int(a), int(b)) for a, b in inst.edges} | set(extra_edges)))
    return State(nodes=nodes, edges=edges, next_id=len(nodes))


def test_metrics_perfect_and_empty():
    inst = make_instance(1)
    m = metrics(gt_state(inst), inst)
    assert m["primary"] == m["graph_f1"] == m["node_f1"] == m["edge_f1"] == 1.0
    empty = metrics(State(), inst)
    assert empty["primary"] == 0 and empty["node_recall"] == 0 and empty["edge_precision"] == 0


def test_node_tolerance_is_6_px():
    inst = make_instance(2)
    assert metrics(gt_state(inst, (5.9, 0.0)), inst)["node_f1"] == 1.0
    far = metrics(gt_state(inst, (4.5, 4.5)), inst)    # 6.36 px
    assert far["node_f1"] == 0.0 and far["edge_f1"] == 0.0 and far["primary"] == 0.0


def test_extra_node_and_wrong_edge():
    inst = make_instance(3)
    m = metrics(gt_state(inst, extra_nodes=[(0.5, 0.5)]), inst)
    n = inst.n
    assert m["node_recall"] == 1.0 and m["node_precision"] == pytest.approx(n / (n + 1))
    assert m["edge_f1"] == 1.0
    gt = {(int(a), int(b)) for a, b in inst.edges}
    wrong = next((a, b) for a in range(n) for b in range(a + 1, n) if (a, b) not in gt)
    m = metrics(gt_state(inst, extra_edges=[wrong]), inst)
    e = len(gt)
    assert m["node_f1"] == 1.0 and m["edge_recall"] == 1.0 and m["edge_precision"] == pytest.approx(e / (e + 1))
    p, r = e / (e + 1), 1.0
    assert m["primary"] == pytest.approx((1.0 + 2 * p * r / (p + r)) / 2)


def test_edge_counts_only_through_the_node_matching():
    inst = make_instance(4)
    a, b = (int(x) for x in inst.edges[0])
    st = gt_state(inst)
    # move node a 10 px away: its edges no longer count, although they join the "right" ids
    nodes = tuple((i, u + (10 / SIZE if i == a else 0), v) for i, u, v in st.nodes)
    m = metrics(State(nodes=nodes, edges=st.edges, next_id=st.next_id), inst)
    deg_a = sum(a in e for e in st.edges)
    assert m["edge_precision"] == pytest.approx((len(st.edges) - deg_a) / len(st.edges))
    assert m["node_recall"] == pytest.approx((inst.n - 1) / inst.n)


def test_gui_place_select_connect_undo_remove():
    inst = make_instance(0)
    s = State()
    s = apply(s, Place(0.2, 0.2), inst)
    s = apply(s, Place(0.6, 0.6), inst)
    assert [n[0] for n in s.nodes] == [0, 1] and s.selected == 1
    assert apply(s, Place(0.2 + 7 / SIZE, 0.2), inst).selected == 0          # within 8 px: picks the node
    assert len(apply(s, Place(0.2 + 9 / SIZE, 0.2), inst).nodes) == 3       # beyond: a new node
    c = apply(s, Press("connect"), inst)
    assert c.connecting and apply(c, Place(0.9, 0.9), inst) == c            # empty click in connect mode: ignored
    assert apply(c, Place(0.6, 0.6), inst) == s                              # clicking the source leaves the mode
    e = apply(c, Place(0.2, 0.2), inst)
    assert e.edges == ((0, 1),) and e.selected == 0 and not e.connecting
    again = apply(apply(e, Press("connect"), inst), Place(0.6, 0.6), inst)
    assert again.edges == e.edges and again.history == e.history and again.selected == 1
    r = apply(e, Press("remove"), inst)
    assert [n[0] for n in r.nodes] == [1] and r.edges == () and r.selected == -1
    back = apply(r, Press("undo"), inst)
    assert back.nodes == e.nodes and back.edges == e.edges
    assert state_from_json(state_to_json(r), inst) == r
    u = apply(back, Press("undo"), inst)
    assert u.edges == () and len(u.nodes) == 2
    assert apply(State(), Press("connect"), inst) == State() and apply(State(), Press("remove"), inst) == State()
    d = apply(e, Press("done"), inst)
    assert apply(d, Place(0.5, 0.1), inst) == d


def test_instances_follow_the_paper():
    for seed in range(30):
        inst = make_instance(seed)
        assert 10 <= inst.n <= 14                                              # Figure 15: 10–14 nodes
        d = np.linalg.norm(inst.px[:, None] - inst.px[None], axis=2) + np.eye(inst.n) * 1e9
        assert d.min() >= MIN_NODE_GAP
        assert inst.road_dist[tuple(np.clip(inst.px[:, ::-1].astype(int), 0, SIZE - 1).T)].max() < 1.5
    a, b = make_instance(5), make_instance(5)
    assert a.image.tobytes() == b.image.tobytes() and np.array_equal(a.edges, b.edges)


def test_annotator_phases_and_mistakes():
    n_mistakes = n_nodes = 0
    for seed in range(80):
        ep = simcore.rollout(TASK, 300 + seed)
        acts = ep.actions
        first_connect = next(t for t, a in enumerate(acts) if a == Press("connect"))
        for t, a in enumerate(acts):
            if a.tag == "mistake":
                n_mistakes += 1
                assert isinstance(a, Place) and acts[t + 1] == Press("undo") and acts[t + 1].tag == "correction"
                assert t < first_connect                                       # placements come first
        assert acts[-1] == Press("done") and ep.metrics["primary"] == 1.0
        n_nodes += make_instance(300 + seed).n
    assert 0.09 < n_mistakes / n_nodes < 0.22   # 15 % of placements (paper: 10–30 %)


def test_oracle_repairs_random_states():
    """From states reached by random clicks (extra nodes, wrong edges, removals, connect mode) the oracle reaches 1.0."""
    from simcore.episode import make_env
    from tasks.road_network_construction import oracle
    names = ["connect", "undo", "remove"]
    for seed in range(25):
        env = make_env(TASK, seed)
        rng = np.random.default_rng(seed)
        gt = env.instance.nodes
        for _ in range(int(rng.integers(5, 60))):
            r = rng.random()
            if r < 0.35:
                env.act(Place(*(gt[rng.integers(len(gt))] + rng.normal(0, 0.02, 2)).clip(0, 0.999)))
            elif r < 0.55:
                env.act(Place(*rng.uniform(0, 0.999, 2)))
            else:
                env.act(Press(names[rng.integers(3)]))
        for _ in range(3 * 70):
            if env.done:
                break
            env.act(oracle(env.state, env.instance))
        assert env.done and env.metrics()["primary"] == 1.0, (seed, env.metrics())
