"""Cell Lineage Tracking specifics: the paper's metric definitions, the GUI semantics, the annotator's behaviour."""
from __future__ import annotations

import numpy as np
import pytest

import simcore
from tasks.cell_lineage_tracking import State, apply, make_instance, metrics
from tasks.cell_lineage_tracking.gui import on_screen
from tasks.cell_lineage_tracking.world import MAX_CELLS, MIN_CELLS, N_FRAMES
from widgets import Place, Press


def perfect(inst, drop=()):
    """Markers at every cell's birth centroid, linked to the parent's marker; cells in `drop` left out."""
    x, y = inst.centroid[0]
    markers, marker_of = [(float(x), float(y), 0, -1)], {0: 0}
    for t, p, a, b in inst.divisions():
        for c in (a, b):
            if c in drop:
                continue
            x, y = inst.centroid[c]
            marker_of[c] = len(markers)
            markers.append((float(x), float(y), t, marker_of[p]))
    return tuple(markers)


def test_metrics_perfect_and_empty():
    inst = make_instance(1)
    m = metrics(State(markers=perfect(inst)), inst)
    assert m["primary"] == m["edge_f1"] == m["edge_precision"] == m["edge_recall"] == 1.0
    assert m["tree_similarity"] == m["division_accuracy"] == 1.0
    empty = metrics(State(), inst)
    assert empty["primary"] == 0 and empty["edge_recall"] == 0 and empty["tree_similarity"] == 0
    assert empty["division_accuracy"] == 0


def test_metrics_follow_the_paper_on_a_missing_and_a_wrong_daughter():
    inst = make_instance(2)
    n_edges = inst.n_cells - 1
    n_div = len(inst.divisions())
    t, p, a, b = inst.divisions()[-1]                 # a last division: no descendants hang below it
    markers = perfect(inst, drop={b})
    m = metrics(State(markers=markers), inst)
    assert m["edge_recall"] == pytest.approx((n_edges - 1) / n_edges) and m["edge_precision"] == 1.0
    assert m["division_accuracy"] == pytest.approx((n_div - 1) / n_div)   # one daughter is not a division
    assert m["tree_similarity"] == pytest.approx(1 - 1 / (2 * n_edges - 1))
    # add a daughter on a wrong cell (outside the embryo: cell -1)
    wrong = markers + ((0.01, 0.01, t, markers[-1][3]),)
    m = metrics(State(markers=wrong), inst)
    tp = n_edges - 1
    assert m["edge_precision"] == pytest.approx(tp / n_edges) and m["edge_recall"] == pytest.approx(tp / n_edges)
    assert m["tree_similarity"] == pytest.approx(1 - 2 / (2 * n_edges))


def test_gui_select_divide_propagate_undo():
    inst = make_instance(3)
    t, p, a, b = inst.divisions()[0]                  # the root's division
    root = tuple(float(c) for c in inst.centroid[0])
    s = apply(State(), Place(*root), inst)
    assert len(s.markers) == 1 and s.selected == -1
    assert apply(s, Place(0.9, 0.9), inst) == s       # a parentless click after the root does nothing
    for _ in range(t):
        s = apply(s, Press("next"), inst)
    assert on_screen(s.markers, s.frame) == [0]       # the root propagates (drawn white)
    s = apply(s, Place(root[0] + 0.01, root[1]), inst)
    assert s.selected == 0                            # a click on a marker selects it
    s = apply(s, Place(*inst.centroid[a]), inst)
    assert s.selected == 0 and len(s.markers) == 2
    before = s
    s = apply(s, Place(*inst.centroid[b]), inst)
    assert s.selected == -1 and on_screen(s.markers, s.frame) == [1, 2]   # parent replaced by its daughters
    assert on_screen(s.markers, t - 1) == [0]                              # earlier frames still show it
    undone = apply(s, Press("undo"), inst)
    assert undone == before                                                 # the parent is selected again
    assert apply(before, Press("prev"), inst).selected == -1               # changing frame clears the selection
    assert metrics(s, inst)["edge_recall"] == pytest.approx(2 / (inst.n_cells - 1))


def test_instances_grow_from_one_cell():
    for seed in range(10):
        inst = make_instance(seed)
        live = inst.n_cells - len(inst.divisions())
        assert MIN_CELLS <= live <= MAX_CELLS
        assert inst.divisions()[0][:2] == (1, 0)                            # the root divides first, at frame 1
        assert (inst.labels[0][inst.labels[0] >= 0] == 0).all()             # frame 0: one cell
        for c in range(inst.n_cells):
            assert inst.cell_at(int(inst.birth[c]), *inst.centroid[c]) == c
            if inst.division[c] < N_FRAMES:
                assert inst.birth[c] < inst.division[c]


def test_annotator_behaviour():
    n_mistakes = n_places = 0
    for seed in range(40):
        ep = simcore.rollout("cell_lineage_tracking", seed)
        inst = make_instance(seed)
        acts = ep.actions
        n_places += inst.n_cells
        for t, a in enumerate(acts):
            if a.tag == "mistake":
                n_mistakes += 1
                assert isinstance(a, Place) and acts[t + 1] == Press("undo") and acts[t + 1].tag == "correction"
        assert isinstance(acts[0], Place) and acts[-1] == Press("done")
        # selections + placements: one root, and per division a select and two daughters
        n_place = sum(isinstance(a, Place) and a.tag != "mistake" for a in acts)
        assert n_place == 1 + 3 * len(inst.divisions())
    assert 0.10 < n_mistakes / n_places < 0.20                               # paper: 15 % of markers
