"""Parity of the simulator with the HTML twins: the harness on every task with a twin, and its parts.

The harness runs need Debian's Chromium (`scripts/setup.sh` installs it);
without `/usr/bin/chromium` they are skipped with the reason. The unit tests
of the comparison code need no browser.
"""
from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

import simcore
from playwright_parity import compare
from playwright_parity.__main__ import Args, main, tasks_to_check
from playwright_parity.browser import CHROMIUM, WEB, jsonable
from playwright_parity.check import has_twin
from widgets import DARK, THEMES, Button, Canvas, Column, Row, layout

TWIN_TASKS = [n for n in simcore.task_names() if has_twin(n)]
no_browser = not Path(CHROMIUM).exists()
needs_browser = pytest.mark.skipif(no_browser, reason=f"Chromium not installed at {CHROMIUM} "
                                   "(scripts/setup.sh: apt-get install chromium fonts-dejavu-core)")


# -- the harness, end to end ------------------------------------------------------------------


@needs_browser
@pytest.mark.parametrize("name", TWIN_TASKS)
def test_twin_matches_simulator(name, tmp_path):
    report_path = tmp_path / "parity.json"
    code = main(Args(task=name, episodes=2, random_walks=1, walk_length=40, json=report_path, out=tmp_path))
    report = json.loads(report_path.read_text())
    r = report["tasks"][name]
    assert code == 0, json.dumps(r["failures"][:5], indent=1)
    assert r["status"] == "pass" and r["frames"] > 50
    assert r["states"]["mismatches"] == 0 and r["hit_maps"]["mismatches"] == 0 and r["hit_maps"]["points"] > 0


@needs_browser
def test_left_panel_light_theme(tmp_path):
    name = TWIN_TASKS[0]
    code = main(Args(task=name, episodes=1, random_walks=0, theme="light", layout="left", json=tmp_path / "r.json",
                     out=tmp_path))
    assert code == 0, (tmp_path / "r.json").read_text()[:2000]


def test_unknown_task_and_bad_args_exit_2(capsys):
    assert main(Args(task="no_such_task")) == 2
    assert "unknown task" in capsys.readouterr().err
    assert main(Args(episodes=-1)) == 2
    assert main(Args(theme="pink")) == 2


def test_missing_browser_is_one_clear_message(monkeypatch, capsys):
    import playwright_parity.browser as browser
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    assert main(Args(episodes=1, random_walks=0)) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "chromium not found" in err


def test_tasks_without_twin_are_skipped():
    run, skipped = tasks_to_check("all")
    assert set(run) == set(TWIN_TASKS)
    assert all("no twin page" in why for why in skipped.values())


# -- comparison code ------------------------------------------------------------------------


def test_pixel_stats_figures():
    a = np.zeros((10, 10, 3), np.uint8)
    b = a.copy()
    b[0, 0] = (9, 0, 0)      # > 8 in one channel
    b[1, 1] = (0, 0, 40)     # > 32
    s = compare.pixel_stats(a, b)
    assert s["max"] == 40 and s["pct_over_8"] == 2.0 and s["pct_over_32"] == 1.0
    assert s["mean"] == pytest.approx(49 / 300)
    assert compare.Thresholds().crossed(s)           # 2 % > 0.2 %
    assert not compare.Thresholds().crossed(compare.pixel_stats(a, a))
    with pytest.raises(ValueError, match="differ in size"):
        compare.pixel_stats(a, a[:5])


def test_worst_region_names_the_widget():
    tree = Row(Canvas(40, 30), Column(Button("Go", "go"), width=50), padding=4, gap=4)
    lay = layout(tree, DARK)
    a = np.zeros((lay.height, lay.width, 3), np.uint8)
    b = a.copy()
    r = lay.control("go").rect
    b[r.y0 + 2: r.y0 + 6, r.x0 + 3: r.x0 + 9] = 200
    assert compare.worst_region(a, b, lay).startswith("button 'go'")
    img = compare.side_by_side(a, b)
    assert img.shape == (lay.height, 3 * lay.width + 8, 3)


def test_hit_points_cover_grid_and_border_bands():
    lay = layout(Row(Canvas(40, 30), Column(Button("Go", "go"), width=50), padding=4, gap=4), DARK)
    pts = set(compare.hit_points(lay))
    r = lay.control("go").rect
    assert (0.5, 0.5) in pts and (4.5, 8.5) in pts
    for x in range(r.x0 - 1, r.x1 + 1):      # the whole ring just outside and the border row inside
        assert (x + 0.5, r.y0 - 0.5) in pts and (x + 0.5, r.y0 + 0.5) in pts
    expected = compare.hit_map(lay, sorted(pts))
    assert {"type": "press", "name": "go"} in expected and None in expected


def test_hit_and_state_comparisons():
    place = {"type": "place", "u": 0.25, "v": 0.5}
    assert compare.same_action_json(place, {"type": "place", "u": 0.25 + 1e-12, "v": 0.5})
    assert not compare.same_action_json(place, {"type": "place", "u": 0.26, "v": 0.5})
    assert not compare.same_action_json({"type": "press", "name": "a"}, None)
    n, first = compare.hit_mismatches([(1, 1), (2, 2)], [None, place], [None, None])
    assert n == 1 and first[0]["x"] == 2
    assert compare.state_diff({"z": 1, "m": [[0.5, 1]]}, {"z": 1, "m": [[0.5, 1]]}) is None
    assert "state.m[0][1]" in compare.state_diff({"z": 1, "m": [[0.5, 1]]}, {"z": 1, "m": [[0.5, 2]]})
    assert "only in twin" in compare.state_diff({"z": 1}, {"z": 1, "extra": 0})
    assert compare.state_diff({"done": False}, {"done": 0})   # a bool is not a number


def _rasters(value) -> int:
    """How many uint8 2-D/3-D arrays (rasters, by the twin_data convention) `value` holds."""
    if isinstance(value, np.ndarray):
        return int(value.dtype == np.uint8 and value.ndim in (2, 3))
    if isinstance(value, dict):
        return sum(_rasters(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_rasters(v) for v in value)
    return 0


def test_twin_data_is_json_with_png_rasters():
    for name in TWIN_TASKS:
        task = simcore.get_task(name)
        raw = task.twin_data(task.make_instance(0))
        text = json.dumps(jsonable(raw))       # JSON-able once rasters are data URLs
        assert text.count("data:image/png;base64,") == _rasters(raw), name   # the 3-D twin has none: it renders


def test_js_themes_equal_widgets_themes():
    js = (WEB / "annosim.js").read_text()
    block = re.search(r"// THEMES-BEGIN\s*const THEMES = (\{.*?\});\s*// THEMES-END", js, re.S).group(1)
    themes = json.loads(block)
    assert set(themes) == set(THEMES)
    for name, theme in THEMES.items():
        assert themes[name] == {f.name: getattr(theme, f.name) for f in fields(theme) if f.name != "name"}, name


@needs_browser
def test_a_person_can_click_the_twin():
    """Real mouse clicks (not the API) press buttons and place markers on the canvas."""
    from playwright_parity.browser import Browser
    from playwright_parity.check import twin_path

    name = "colored_dot_tracking"
    if name not in TWIN_TASKS:
        pytest.skip("no Colored Dot Tracking twin")
    task = simcore.get_task(name)
    env = simcore.make_env(task, 0)
    with Browser() as b:
        b.load(twin_path(name))
        b.fit(*env.window)
        b.page.evaluate("d => setTaskData(d)", jsonable(task.twin_data(env.instance)))
        r = env.layout().control("+z").rect
        b.page.mouse.click(r.x0 + r.w / 2, r.y0 + r.h / 2)
        assert b.page.evaluate("getState()")["z"] == 1
        x0, y0, x1, y1 = env.canvas_rect()
        b.page.mouse.click(x0 + 64, y0 + 128)
        state = b.page.evaluate("getState()")
        assert state["markers"] == [[0.25, 0.5, 1]]
        assert b.page.evaluate("executeAction('mip')") == {"success": True}
        assert b.page.evaluate("executeAction({type: 'press', name: '+z'})") == {"success": False}  # disabled on MIP


def kitchen_sink(th):
    """Every node and canvas item type, flex shares, all label alignments, rounded borders, a Picture."""
    from widgets import Box, Circle, Image, Label, Line, Picture, Polyline, Text
    rng = np.random.default_rng(0)
    canvas = Canvas(160, 120, background="#101010", items=(
        Image(rng.integers(0, 255, (30, 40, 3), np.uint8)),
        Circle(40.3, 50.7, 12, fill="#ff000080", stroke="#ffffff", stroke_width=1.5),
        Line(5, 5, 150.5, 100.25, color="#00ff00", width=2),
        Polyline(((10, 110), (60, 70.5), (110, 112)), color="#ffff00", width=3, closed=True, fill="#0000ff55"),
        Text(80.4, 20.6, "Bold 12", color="#ffffff", size=12, bold=True),
        Text(120, 90, "n=7", color="#ffcc00", size=11)))
    pic = Picture(60, 30, items=(Image(rng.integers(0, 255, (90, 120, 3), np.uint8), smooth=True),
                                 Circle(30, 15, 8, stroke="#ff00ff", stroke_width=2)))
    return Column(
        Label("Toolkit Title", height=22, font_size=th.title_size, color=th.title, bold=True),
        Row(canvas, Column(Button("Alpha", "a"), Button("Bee", "b", active=True), Button("Off", "c", enabled=False),
                           Label("right", align="right", padding_x=4),
                           Label("centre", align="center", background="#333333"), width=120, gap=th.gap),
            gap=8, align="start"),
        Row(Box(flex=1, background="#444444", border="#888888", border_width=2, radius=6),
            Box(flex=2, background="#224466", border="#66aaff", border_width=1, radius=4), pic, height=30, gap=4),
        Label("status:   spaced   out", height=26, background=th.status_bg, color=th.status_text, padding_x=8),
        Label("hint text, small", flex=1, color=th.text_dim, font_size=th.small_size),
        width=316, height=300, padding=10, gap=6, background=th.window_bg)


@needs_browser
def test_toolkit_pages_match_renderer_in_every_theme():
    """annosim.js vs widgets/raster.py on a tree with every node type (web/_toolkit.html mounts it)."""
    from playwright_parity.browser import Browser
    from playwright_parity.treejson import tree_to_json
    from widgets import Renderer

    with Browser() as b:
        for name, th in THEMES.items():
            tree = kitchen_sink(th)
            lay = layout(tree, th)
            b.load(WEB / "_toolkit.html", f"theme={name}")
            b.fit(lay.width, lay.height)
            b.page.evaluate("d => setTaskData(d)", jsonable({"tree": tree_to_json(tree)}))
            shot, frame = b.screenshot(), Renderer(th).render(lay)
            stats = compare.pixel_stats(shot, frame)
            assert not compare.Thresholds().crossed(stats), (name, stats, compare.worst_region(shot, frame, lay))
            pts = compare.hit_points(lay)
            got = json.loads(b.page.evaluate("a => JSON.stringify(hitTestMany(JSON.parse(a)))", json.dumps(pts)))
            assert compare.hit_mismatches(pts, compare.hit_map(lay, pts), got)[0] == 0, name


@needs_browser
def test_a_person_can_drop_a_task_file(tmp_path):
    from playwright_parity.__main__ import export_task
    from playwright_parity.browser import Browser
    from playwright_parity.check import twin_path

    name = TWIN_TASKS[0]
    path = export_task(simcore.get_task(name), 3, tmp_path)
    with Browser() as b:
        b.load(twin_path(name))
        assert "No task loaded" in b.page.inner_text("body")
        b.page.evaluate("""(text) => {
            const dt = new DataTransfer();
            dt.items.add(new File([text], 'task.json', {type: 'application/json'}));
            document.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
        }""", path.read_text())
        b.page.wait_for_function("document.querySelector('.as-button') !== null")
        task = simcore.get_task(name)
        assert b.page.evaluate("getState()") == task.state_to_json(task.initial_state(task.make_instance(3)))
        assert not b.errors
