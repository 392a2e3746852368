"""The harness's 3-D tolerance and its vendored Three.js, without a browser.

The silhouette and colour checks run on pyrender's own renders (the real
input) and on synthetic views; the vendor code on tarballs made here.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest

import playwright_parity.vendor as vendor
import simcore
from playwright_parity.__main__ import Args, main
from playwright_parity.browser import CHROMIUM
from playwright_parity.check import vendor_missing
from playwright_parity.compare3d import View3DThresholds, ViewSpec, rect_mask, segment, view3d_stats, view_spec
from tasks.three_d_exploration import TWIN_3D, make_instance, render

TASK = simcore.get_task("three_d_exploration")
SPEC = view_spec(TASK)


def colour_index(rgb) -> int:
    """Which of TWIN_3D's rendered hues belongs to the sphere of base colour `rgb`."""
    hue = 255 * (np.asarray(rgb) / 255) ** (1 / 2.2)
    return int(np.argmin(np.abs(np.asarray(TWIN_3D["colors"]) - hue).max(axis=1)))


@pytest.fixture(scope="module")
def views():
    """(instance, its view, the same view with sphere 0 moved by `dx` world units to the right)."""
    inst = make_instance(5)
    centres = inst.centres(())
    base = render.render_centres(centres, inst.colors)
    moved = centres.copy()
    moved[0, 0] += 0.02          # ~1 pixel at distance 7
    return inst, base, render.render_centres(moved, inst.colors)


def test_task_declares_its_view():
    assert SPEC.region == "canvas" and SPEC.colors.shape == (5, 3)
    assert list(SPEC.background) == render.background_bytes() == [23, 23, 28]
    assert view_spec(simcore.get_task("colored_dot_tracking")) is None


def test_segmentation_finds_each_sphere(views):
    inst, base, _ = views
    labels = segment(base, SPEC.background, SPEC.colors)
    assert (labels[0, 0], labels[-1, -1]) == (-1, -1)           # corners: background
    f = (render.SIZE / 2) / np.tan(np.radians(render.YFOV_DEG / 2))
    c = inst.centres(())
    depth = render.CAMERA_DISTANCE - c[:, 2]
    uv = render.SIZE / 2 + f * c[:, :2] / depth[:, None] * [1, -1]     # projected centres (pixels)
    radius = f * render.SPHERE_RADIUS / depth
    checked = 0
    for k in range(5):
        nearer = [j for j in range(5) if depth[j] < depth[k] and np.hypot(*(uv[j] - uv[k])) < radius[j] + 1]
        if nearer:                                                # its centre is behind another sphere
            continue
        u, v = np.floor(uv[k]).astype(int)
        assert labels[v, u] == colour_index(inst.colors[k]), k
        checked += 1
    assert checked >= 3


def test_dark_edge_keeps_its_hue():
    """An anti-aliased edge pixel (a quarter of a shaded colour over the background) keeps its object."""
    bg, colors = np.array([23.0, 23, 28]), np.array([[238.4, 109.9, 109.9], [250.4, 194.2, 80.2]])
    spec = ViewSpec("canvas", bg, colors)
    shaded = bg + 0.25 * (0.6 * colors - bg)                     # dim, mostly background
    img = np.stack([np.tile(bg, (1, 1)), shaded[:1], shaded[1:], 0.6 * colors[1:]]).reshape(1, 4, 3)
    assert segment(img.round().astype(np.uint8), spec.background, spec.colors).tolist() == [[-1, 0, 1, 1]]


def test_identical_views_pass(views):
    _, base, _ = views
    st = view3d_stats(base, base.copy(), SPEC)
    assert st["iou_min"] == 1.0 and st["colour_mean"] == 0.0 and st["silhouette_pixels"] > 1000
    assert not View3DThresholds().crossed(st)


def test_a_sphere_moved_by_a_pixel_fails_iou(views):
    inst, base, moved = views
    st = view3d_stats(moved, base, SPEC)
    crossed = View3DThresholds().crossed(st)
    assert st["iou_min"] < 0.98 and any("silhouette IoU" in c for c in crossed)
    assert st["iou_worst"] == colour_index(inst.colors[0])


def test_a_colour_shift_fails_the_colour_mean(views):
    _, base, _ = views
    brighter = np.clip(base.astype(np.int16) + 8, 0, 255).astype(np.uint8)
    brighter[(np.abs(base.astype(int) - [23, 23, 28]).max(axis=2) <= 6)] = (23, 23, 28)   # background kept
    st = view3d_stats(brighter, base, SPEC)
    assert st["colour_mean"] > 6 and any("colour mean" in c for c in View3DThresholds().crossed(st))


def test_small_silhouettes_are_measured_against_the_floor():
    """A 60-pixel sliver differing by 4 pixels passes (4/400); a 700-pixel disc differing by 30 does not."""
    bg, colors = np.array([23.0, 23, 28]), np.array([[240.0, 110, 110]])
    spec = ViewSpec("canvas", bg, colors)
    a = np.tile(bg, (64, 64, 1)).astype(np.uint8)
    b = a.copy()
    a[10:16, 10:20] = b[10:16, 10:20] = colors[0]
    a[16, 10:14] = colors[0]
    assert view3d_stats(a, b, spec)["iou_min"] == pytest.approx(1 - 4 / 400)
    yy, xx = np.mgrid[:64, :64]
    disc = lambda cx: ((xx - cx) ** 2 + (yy - 32) ** 2) < 15 ** 2
    a, b = np.tile(bg, (64, 64, 1)).astype(np.uint8), np.tile(bg, (64, 64, 1)).astype(np.uint8)
    a[disc(32)], b[disc(33)] = colors[0], colors[0]
    assert view3d_stats(a, b, spec)["iou_min"] < 0.98


def test_view_spec_errors_are_clear():
    class Bad:
        NAME = "bad"
        TWIN_3D = {"region": "panel", "background": [0, 0, 0], "colors": [[1, 2, 3]]}
    with pytest.raises(ValueError, match=r"bad.TWIN_3D.region: expected 'canvas'"):
        view_spec(Bad)
    Bad.TWIN_3D = {"region": "canvas", "background": [0, 0, 0], "colors": [[0, 0, 0]]}
    with pytest.raises(ValueError, match="equals the background"):
        view_spec(Bad)
    Bad.TWIN_3D = {"region": "canvas"}
    with pytest.raises(ValueError, match="keys region, background, colors"):
        view_spec(Bad)
    with pytest.raises(ValueError, match="differ in size"):
        view3d_stats(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 5, 3), np.uint8), SPEC)
    assert rect_mask((3, 4), (1, 0, 3, 2)).tolist() == [[False, True, True, False]] * 2 + [[False] * 4]


def test_twin_data_has_the_scene_and_no_class():
    inst = make_instance(3)
    data = TASK.twin_data(inst)
    assert "cls" not in data and inst.cls not in (data.get("class"), data.get("label"))
    mesh = data["scene"]["mesh"]
    assert len(mesh["positions"]) == len(mesh["normals"]) == 642 * 3 and len(mesh["index"]) == 1280 * 3
    json.dumps({k: v for k, v in data.items() if k not in ("scene", "points", "start")})


def test_scene_matrices_are_pyrenders():
    render._check_egl()   # sets PYOPENGL_PLATFORM=egl: importing pyrender first would fix OpenGL on GLX for
    import pyrender       # every later render in this process (pytest-xdist workers run tests in any order)
    cam = pyrender.PerspectiveCamera(yfov=np.radians(render.YFOV_DEG), znear=render.ZNEAR, aspectRatio=1.0)
    sc = render.scene_description()
    assert np.allclose(sc["camera"]["projection"], cam.get_projection_matrix(render.SIZE, render.SIZE), atol=1e-12)
    light = np.array(render.LIGHT_DIR) / np.linalg.norm(render.LIGHT_DIR)
    assert np.allclose(sc["light"]["direction"], -light)


# -- vendored Three.js ---------------------------------------------------------------------------


def _tarball(files: dict) -> tuple[bytes, str]:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    blob = buf.getvalue()
    return blob, "sha512-" + base64.b64encode(hashlib.sha512(blob).digest()).decode()


def test_vendor_checks_integrity_then_extracts(tmp_path, monkeypatch):
    monkeypatch.setattr(vendor, "VENDOR", tmp_path)
    blob, integrity = _tarball({"build/three.module.min.js": b"export const REVISION = '170';", "LICENSE": b"MIT"})
    monkeypatch.setitem(vendor.PACKAGES, "three", ("0.170.0", "unused", integrity, vendor.PACKAGES["three"][3]))
    assert vendor.missing(["three"]) == [f"three 0.170.0 ({tmp_path / 'three'})"]
    with pytest.raises(vendor.VendorError, match="integrity mismatch"):
        vendor.check_integrity(blob + b"x", integrity)
    vendor.check_integrity(blob, integrity)
    vendor.extract("three", blob)
    assert (tmp_path / "three" / "three.module.min.js").read_bytes().startswith(b"export")
    assert vendor.missing(["three"]) == []
    (tmp_path / "three" / ".version").write_text("0.169.0\n")   # another version: fetched again
    assert len(vendor.missing(["three"])) == 1
    short, short_integrity = _tarball({"LICENSE": b"MIT"})
    with pytest.raises(vendor.VendorError, match="no package/build/three.module.min.js"):
        vendor.extract("three", short)


def test_harness_names_missing_vendor_files(tmp_path, monkeypatch):
    monkeypatch.setattr(vendor, "VENDOR", tmp_path / "vendor")
    page = tmp_path / "p.html"
    page.write_text('<script type="importmap">{"imports": {"three": "./vendor/three/three.module.min.js"}}</script>')
    absent = vendor_missing(page)
    assert absent == [f"three 0.170.0 ({tmp_path / 'vendor' / 'three'})"]
    page.write_text('<script src="vendor/leftpad/x.js"></script>')
    with pytest.raises(ValueError, match="does not pin"):
        vendor_missing(page)
    page.write_text("<p>no vendor files</p>")
    assert vendor_missing(page) == []


# -- with Chromium ---------------------------------------------------------------------------------

needs_browser = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium not installed at {CHROMIUM} "
                                   "(scripts/setup.sh: apt-get install chromium fonts-dejavu-core)")


@needs_browser
def test_missing_three_js_fails_with_the_setup_hint(tmp_path, monkeypatch):
    monkeypatch.setattr(vendor, "VENDOR", tmp_path / "vendor")
    report = tmp_path / "r.json"
    assert main(Args(task="three_d_exploration", episodes=1, random_walks=0, json=report, out=tmp_path)) == 1
    failures = json.loads(report.read_text())["tasks"]["three_d_exploration"]["failures"]
    assert len(failures) == 1 and "run scripts/setup.sh" in failures[0]["message"]
    assert "three 0.170.0" in failures[0]["message"]


@needs_browser
def test_webgl_view_is_the_same_bytes_every_launch():
    """SwiftShader is deterministic: two Chromium processes render a state to identical pixels."""
    from playwright_parity.browser import Browser, jsonable
    from playwright_parity.check import twin_path

    env = simcore.make_env(TASK, 2)
    shots = []
    for _ in range(2):
        with Browser() as b:
            b.load(twin_path(TASK.NAME))
            b.fit(*env.window)
            b.page.evaluate("d => setTaskData(d)", jsonable(TASK.twin_data(env.instance)))
            for press in ("+x", "-y", "+y"):
                assert b.page.evaluate("a => executeAction(a)", press) == {"success": True}
            shots.append(b.screenshot())
            assert not b.errors
    assert np.array_equal(shots[0], shots[1])
