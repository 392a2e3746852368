"""Property tests of layout and hit-testing over generated widget trees."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from simcore.env import PRESS_CLAMP
from widgets import (DARK, Box, Button, Canvas, Circle, Column, Image, Label, LayoutError, Line, Place, Polyline, Press,
                     Renderer, Row, Text,
                     hit_test, layout)


@st.composite
def trees(draw, depth=0):
    """Rows/columns of fixed-size buttons, labels and at most one canvas."""
    n = draw(st.integers(1, 4))
    kids = []
    for i in range(n):
        kind = draw(st.sampled_from(["button", "label", "box"] if depth < 2 else ["button", "label"]))
        if kind == "button":
            kids.append(Button(f"b{depth}{i}", f"act{depth}_{i}_{draw(st.integers(0, 999))}",
                               enabled=draw(st.booleans()), width=draw(st.integers(8, 60)),
                               height=draw(st.integers(8, 40))))
        elif kind == "label":
            kids.append(Label("t", width=draw(st.integers(4, 50)), height=draw(st.integers(4, 30))))
        else:
            kids.append(draw(trees(depth + 1)))
    direction = draw(st.sampled_from(["row", "column"]))
    return Box(tuple(kids), direction=direction, padding=draw(st.integers(0, 8)), gap=draw(st.integers(0, 8)),
               border_width=draw(st.integers(0, 2)), align=draw(st.sampled_from(["stretch", "start", "center", "end"])))


def with_canvas(tree):
    return Row(Canvas(50, 40), tree, gap=3, padding=2)


def unique_actions(lay):
    names = [c.action for c in lay.controls]
    return len(names) == len(set(names))


@settings(max_examples=150, deadline=None)
@given(trees(), st.lists(st.tuples(st.floats(-5, 400), st.floats(-5, 400)), min_size=1, max_size=40))
def test_points_map_to_at_most_one_control(tree, points):
    lay = layout(with_canvas(tree), DARK)
    assume(unique_actions(lay))
    for x, y in points:
        containing = [c for c in lay.controls if c.rect.contains(x, y)]
        assert len(containing) <= 1
        action = hit_test(lay, x, y)
        if containing:
            c = containing[0]
            assert action == (Press(c.action) if c.enabled else None)
        elif lay.canvas and lay.canvas[1].contains(x, y):
            assert isinstance(action, Place) and 0 <= action.u < 1 and 0 <= action.v < 1
        else:
            assert action is None


@settings(max_examples=150, deadline=None)
@given(trees(), st.floats(0, 1), st.floats(0, 1))
def test_realized_clicks_hit_their_control(tree, fu, fv):
    lay = layout(tree, DARK)
    assume(unique_actions(lay))
    lo, hi = PRESS_CLAMP
    u, v = lo + (hi - lo) * fu, lo + (hi - lo) * fv
    for c in lay.controls:
        x, y = c.rect.x0 + u * c.rect.w, c.rect.y0 + v * c.rect.h
        assert hit_test(lay, x, y) == (Press(c.action) if c.enabled else None)


@settings(max_examples=150, deadline=None)
@given(trees())
def test_sibling_rects_do_not_overlap_and_nest_in_parent(tree):
    lay = layout(tree, DARK)
    rect_of = {}
    for node, rect in lay.placed:
        rect_of.setdefault(id(node), rect)

    def check(node, rect):
        if not isinstance(node, Box):
            return
        kids = [(c, r) for c, r in lay.placed if any(c is k for k in node.children)]
        for i, (a, ra) in enumerate(kids):
            assert node_inside(ra, rect)
            for b, rb in kids[i + 1:]:
                assert not ra.overlaps(rb)
            check(a, ra)

    check(tree, lay.placed[0][1])


def node_inside(inner, outer):
    return outer.x0 <= inner.x0 <= inner.x1 <= outer.x1 and outer.y0 <= inner.y0 <= inner.y1 <= outer.y1


@settings(max_examples=100, deadline=None)
@given(trees())
def test_disabled_controls_never_fire(tree):
    lay = layout(with_canvas(tree), DARK)
    assume(unique_actions(lay))
    disabled = {c.action for c in lay.controls if not c.enabled}
    for y in np.arange(0, lay.height, 2) + 0.5:
        for x in np.arange(0, lay.width, 2) + 0.5:
            a = hit_test(lay, x, y)
            assert not (isinstance(a, Press) and a.name in disabled)


def test_flex_and_stretch_layout():
    tree = Column(Button("a", "a"), Box(flex=1), Button("b", "b", height=20), width=100, height=200, padding=10, gap=5)
    lay = layout(tree, DARK)
    a, b = lay.control("a").rect, lay.control("b").rect
    assert (a.x0, a.y0, a.w, a.h) == (10, 10, 80, DARK.button_height)
    assert b.y1 == 190 and b.h == 20 and b.w == 80


def test_overflow_is_a_clear_error():
    import pytest
    with pytest.raises(LayoutError, match="overflows"):
        layout(Row(Button("a", "a", width=80), Button("b", "b", width=80), width=100), DARK)


def test_layout_cache_tracks_shape_not_content():
    t1 = Column(Button("x", "x", enabled=True), Label("hello"), width=80)
    t2 = Column(Button("y", "x", enabled=False), Label("other text"), width=80)
    l1, l2 = layout(t1, DARK), layout(t2, DARK)
    assert [r for _, r in l1.placed] == [r for _, r in l2.placed]
    assert l1.controls[0].enabled and not l2.controls[0].enabled


def test_render_writes_into_given_frame_and_is_deterministic():
    tree = Row(Canvas(20, 20), Column(Button("Go", "go"), width=40), padding=4, gap=4)
    r = Renderer(DARK)
    out = np.zeros((36, 72, 3), np.uint8)
    got = r.render(tree, out)
    assert got is out and out.any()
    assert Renderer(DARK).render(tree).tobytes() == out.tobytes()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**24 - 1), st.sampled_from([255, 0xcc, 0x99, 0x30]), st.integers(0, 2**32 - 1),
       st.sampled_from(["12", "Done", "z: 3 / 15   points: 4", "\u2212z"]), st.integers(0, 63))
def test_text_blend_tables_match_skia(rgb, alpha, seed, text, frac):
    """`pixels.blend_mask` through `text.blend_table` (the renderer's text blit) gives TEXT.draw's pixels."""
    import skia

    from widgets.pixels import blend_mask
    from widgets.text import TEXT, blend_table

    color = (alpha << 24) | rgb
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (40, 220, 4), dtype=np.uint8)
    base[..., 3] = 255
    x = 5 + frac / 64
    table = blend_table(color)
    assert table is not None
    ref = base.copy()
    surface = skia.Surface(ref, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    canvas = surface.getCanvas()
    canvas.clipRect(skia.Rect.MakeLTRB(0, 0, 20, 40))
    TEXT.draw(canvas, text, x, 25, 12, color)
    got = base.copy()
    mask, ix, iy = TEXT.place(text, x, 25, 12, color)
    blend_mask(got, mask, ix, iy, (0, 0, 20, 40), table)
    assert np.array_equal(got, ref)


_coord = st.floats(-15, 75, allow_nan=False)
_colour = st.sampled_from(["#ff7043", "#ffffff", "#00e5ff", "#102030", "#ff000080"])
_shapes = st.one_of(
    st.builds(Circle, _coord, _coord, st.floats(0.5, 20), st.one_of(st.none(), _colour), st.one_of(st.none(), _colour),
              st.sampled_from([1.0, 1.5, 2.0, 3.25])),
    st.builds(Line, _coord, _coord, _coord, _coord, _colour, st.sampled_from([0.5, 1.0, 1.5, 2.0, 4.0])),
    st.builds(Polyline, st.lists(st.tuples(_coord, _coord), min_size=2, max_size=6).map(tuple),
              st.one_of(st.none(), _colour), st.sampled_from([1.0, 1.5, 2.0]), st.booleans(),
              st.one_of(st.none(), _colour)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_shapes, min_size=1, max_size=8), st.lists(st.integers(0, 255), min_size=1, max_size=3))
def test_shapes_from_cached_masks_equal_skia_draws(shapes, greys):
    """Shapes blended from cached coverage masks (drawn again and again, over changing images, some past the
    canvas's edge, hairlines and translucent colours among them) give plain Skia's pixels."""
    fast, plain = Renderer(DARK), Renderer(DARK, incremental=False, fast_items=False)
    starved = Renderer(DARK, mask_cache_bytes=0)   # plans and masks dropped before every frame
    rng = np.random.default_rng(len(shapes))
    for grey in greys * 3:
        image = np.full((60, 60, 3), grey, np.uint8)
        image[::7] = rng.integers(0, 256, (9, 60, 3), dtype=np.uint8)
        tree = Row(Canvas(60, 60, items=(Image(image), *shapes)), Column(Button("Go", "go"), width=40), padding=4)
        want = plain.render(tree)
        assert np.array_equal(fast.render(tree), want) and np.array_equal(starved.render(tree), want)


_items = st.one_of(_shapes, st.builds(Text, _coord, _coord, st.sampled_from(["07", "A", "g\u00e9", "12:30"]), _colour,
                                      st.sampled_from([9, 10, 12]), st.booleans()))
_edits = st.lists(st.tuples(st.sampled_from(["append", "append", "pop", "pop", "replace", "insert", "image", "button"]),
                            st.integers(0, 30), st.lists(_items, min_size=1, max_size=3)), min_size=4, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(_items, max_size=6), _edits)
def test_retained_canvas_repaints_equal_full_redraws(start, edits):
    """A canvas repainted from where its display list changed (items appended, undone, replaced or inserted
    anywhere, the image swapped, another widget damaged in the same frame) gives the full redraw's pixels."""
    rng = np.random.default_rng(len(edits))
    images = [rng.integers(0, 256, (60, 60, 3), dtype=np.uint8) for _ in range(2)]
    fast, plain = Renderer(DARK), Renderer(DARK, incremental=False, fast_items=False)
    items, image, label = list(start), 0, "Go"
    for op, at, new in edits:
        at = at % (len(items) + 1)
        if op == "append":
            items += new
        elif op == "pop":
            del items[max(len(items) - at % 4, 0):]
        elif op == "replace" and items:
            items[at % len(items)] = new[0]
        elif op == "insert":
            items[at:at] = new
        elif op == "image":
            image = 1 - image
        elif op == "button":
            label = "Stop" if label == "Go" else "Go"
        tree = Row(Canvas(60, 60, items=(Image(images[image]), *items)), Column(Button(label, "go"), width=40),
                   padding=4)
        assert np.array_equal(fast.render(tree), plain.render(tree)), (op, at, len(items))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 12))
def test_combined_glyphs_equal_float32_src_over(seed, n):
    """Text runs combine glyph coverage as Chromium blits glyphs (1 - prod(1 - a), float32, rounded half
    to even): the numba kernel gives numpy's bytes. Masks sit anywhere in one arena; empty ones are skipped."""
    from widgets.pixels import combine_glyphs

    rng = np.random.default_rng(seed)
    lut = np.sort(rng.integers(0, 256, 256)).astype(np.uint8)
    covs, rows, keep, used = [], [], np.ones((20, 60), np.float32), 5
    for _ in range(n):
        gh, gw = rng.integers(1, 15, 2)
        gx, gy = rng.integers(0, 60 - gw), rng.integers(0, 20 - gh)
        cov = rng.integers(0, 256, (gh, gw)).astype(np.uint8)
        covs.append(cov.ravel())
        rows.append((used, gh, gw, gx, gy))
        used += cov.size
        keep[gy:gy + gh, gx:gx + gw] *= 1 - lut[cov].astype(np.float32) / 255
        if rng.random() < 0.3:
            rows.append((used, 0, 0, 99, -99))   # a space: no pixels, placed far away
    ox, oy = rng.integers(-30, 30, 2)   # the run's places are absolute: the kernel finds its box
    arena = np.concatenate([np.full(5, 77, np.uint8), *covs])
    got, x0, y0 = combine_glyphs(arena, np.array(rows, np.int64) + np.array([0, 0, 0, ox, oy]), lut)
    drawn = [r for r in rows if r[1]]
    bx0, by0 = min(r[3] for r in drawn), min(r[4] for r in drawn)
    bx1, by1 = max(r[3] + r[2] for r in drawn), max(r[4] + r[1] for r in drawn)
    assert (x0, y0) == (bx0 + ox, by0 + oy)
    assert np.array_equal(got, np.round((1 - keep[by0:by1, bx0:bx1]) * 255).astype(np.uint8))
    assert combine_glyphs(arena, np.array([(0, 0, 0, 3, 4)], np.int64), lut)[0].shape == (0, 0)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 40), st.floats(-50, 400, allow_nan=False))
def test_glyphs_placed_as_python_computes_them(seed, n, origin):
    """`pixels.place_glyphs` puts each glyph where Python's float arithmetic does (Skia's 1/4 px slots:
    x = origin + (pen + x offset) / 65536, slot = floor((x + 1/8) * 4), floor division of negatives) and
    reports the masks not made yet, or made after the count it was given."""
    from widgets.pixels import place_glyphs

    rng = np.random.default_rng(seed)
    def units(lo, hi, grid):   # HarfBuzz units, half of them on a grid (ties of the roundings)
        step = np.where(rng.random(n) < 0.5, grid, 1)
        return rng.integers(lo, hi, n) // step * step

    shaped = np.stack([rng.integers(0, 50, n), units(0, 20 << 16, 1 << 14), units(-3 << 16, 3 << 16, 1 << 13),
                       units(-5 << 16, 5 << 16, 1 << 15)]).astype(np.int64).reshape(4, n)
    index = np.where(rng.random(200) < 0.8, rng.permutation(200), -1).astype(np.int64)
    table = rng.integers(-30, 30, (200, 5)).astype(np.int64)
    count = int(rng.integers(100, 201))
    got, missing = place_glyphs(shaped, origin, index, count, table, 1 << 16, 4)
    pen, want, want_missing = 0, [], []
    for gid, adv, xo, yo in shaped.T.tolist():
        slot = math.floor((origin + (pen + xo) / 65536 + 1 / 8) * 4)
        pen += adv
        row = int(index[gid * 4 + slot % 4])
        if not 0 <= row < count:
            want_missing.append(gid * 4 + slot % 4)
            continue
        off, h, w, left, top = table[row].tolist()
        want.append((off, h, w, slot // 4 + left, math.floor(-yo / 65536 + 0.5) - top))
    assert missing.tolist() == want_missing
    if not want_missing:
        assert [tuple(r) for r in got.tolist()] == want


def test_empty_text_measures_zero_and_paints_nothing():
    """An empty canvas text (a label not filled in yet) paints nothing; HarfBuzz's empty buffer made it raise."""
    from widgets.text import TEXT

    assert TEXT.width("", 12) == 0.0
    with_text = Renderer(DARK).render(Row(Canvas(40, 30, items=(Text(10, 10, ""),)), padding=2))
    assert np.array_equal(with_text, Renderer(DARK).render(Row(Canvas(40, 30), padding=2)))


@pytest.mark.parametrize("shape", [(9, 7), (9, 7, 1), (9, 7, 3), (9, 7, 4)])
def test_rasters_become_opaque_rgba_with_their_colours(shape):
    """Data rasters reach Skia as opaque RGBA: grey replicated, RGB kept, any alpha replaced by 255,
    from contiguous arrays and from strided views alike."""
    from widgets.pixels import to_opaque_rgba

    pixels = np.random.default_rng(0).integers(0, 256, shape).astype(np.uint8)
    for view in (pixels, pixels[::2], pixels[:, ::3]):
        want = np.empty(view.shape[:2] + (4,), np.uint8)
        want[..., :3] = view[:, :, None] if view.ndim == 2 else view[..., :3]
        want[..., 3] = 255
        assert np.array_equal(to_opaque_rgba(view), want)


def test_a_raster_of_two_channels_is_refused_by_name():
    with pytest.raises(ValueError, match=r"Image.pixels: expected uint8 \[h,w\] or \[h,w,1\|3\|4\]"):
        Renderer(DARK).render(Row(Canvas(8, 8, items=(Image(np.zeros((8, 8, 2), np.uint8)),))))


def test_tiles_met_twice_survive_a_scan_of_new_ones():
    """The memoised rectangles resist scans: a button's tile met again stays while a stream of status lines,
    each met once, passes through a budget it overflows many times; the budget always holds."""
    from widgets.tiles import Tiles

    tiles, button = Tiles(10_000), np.full((10, 10, 4), 7, np.uint8)   # 400 bytes
    tiles.put("button", button)
    assert tiles.get("button") is button
    for k in range(200):
        tiles.put(("status", k), np.zeros((10, 50, 4), np.uint8))   # 2,000 bytes each
        assert tiles._probation_bytes + tiles._protected_bytes <= tiles.budget
    assert tiles.get("button") is button and tiles.get(("status", 0)) is None
    assert tiles.get(("status", 199)) is not None
