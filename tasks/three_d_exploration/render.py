"""The 3-D view: pyrender offscreen through EGL, one renderer per process, renders cached per orientation.

The canvas's data raster is rendered on demand, because the orientations
reachable by 30° steps are unbounded (see `world.py`). Everything the picture
depends on is (scene, exact orientation), so `view_raster` keeps a
process-level LRU of rendered arrays under that key: the same state gives the
same array object (the widget renderer caches Skia images by identity), and a
repeated orientation costs a dict lookup instead of a render.

Scene (what the HTML twin reproduces with Three.js): five icospheres
(subdivision 3, radius 0.3) translated to the rotated sphere centres (the
spheres themselves are not turned: smooth-shaded, they look the same),
matte materials, a perspective camera on +Z at distance 7 with 40° vertical
field of view, ambient light and one directional light from the upper left
behind the camera, a dark background. llvmpipe (Mesa's software EGL) and a GPU's EGL both
render deterministically: the same state gives the same bytes on one machine.

`scene_description()` is that scene as plain numbers (mesh, matrices, light,
material) for the twin, computed the way pyrender computes them, so the two
renderers are handed the same inputs.

pyrender is imported lazily, after `PYOPENGL_PLATFORM=egl` is set, so
importing the task (make_instance, metrics, the annotator) needs no OpenGL.
A process that forked after rendering (data-loader workers) gets a fresh
renderer: an EGL context does not survive `fork`.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from collections import OrderedDict

import numpy as np

from .world import COLORS, N_SPHERES, Instance, key_matrix, orientation_key

SIZE = 256                      # canvas and raster size (pixels)
SPHERE_RADIUS = 0.3
SUBDIVISIONS = 3                # icosphere: 1280 faces
CAMERA_DISTANCE = 7.0
YFOV_DEG = 40.0
BACKGROUND = (0.09, 0.09, 0.11)
AMBIENT = 0.35
LIGHT_INTENSITY = 3.0
LIGHT_DIR = (-0.45, 0.55, 1.0)  # towards the light: upper left, from the camera's side
ZNEAR = 0.05                    # pyrender's default near plane (no far plane: an infinite projection)
METALLIC, ROUGHNESS = 0.0, 0.8
CACHE_SIZE = 512                # rendered views kept (~100 MB at 256x256x3)

EGL_PACKAGES = "libegl1 libegl-mesa0 libgl1-mesa-dri"


class EGLUnavailable(RuntimeError):
    pass


def _check_egl() -> None:
    """Fail early and clearly when the EGL loader is missing (the rest is reported by pyrender's start-up)."""
    platform = os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    if platform != "egl":
        raise EGLUnavailable(f"PYOPENGL_PLATFORM={platform!r}: the 3D Exploration view renders through EGL; "
                             "unset it or set it to 'egl' before anything imports OpenGL")
    if "OpenGL.platform" in sys.modules and "egl" not in type(sys.modules["OpenGL.platform"].PLATFORM).__name__.lower():
        raise EGLUnavailable("OpenGL was imported with another platform before the 3D Exploration renderer; "
                             "set PYOPENGL_PLATFORM=egl before importing OpenGL")
    try:
        ctypes.CDLL(ctypes.util.find_library("EGL") or "libEGL.so.1")
    except OSError as err:
        raise EGLUnavailable(f"libEGL.so.1 not found ({err}); on Debian install: apt-get install {EGL_PACKAGES}") from err


class _Renderer:
    """One pyrender scene and offscreen renderer; per render only the five sphere nodes move."""

    def __init__(self) -> None:
        _check_egl()
        try:
            import pyrender
            import trimesh
            self._r = pyrender.OffscreenRenderer(SIZE, SIZE)
        except Exception as err:  # EGL loader present but no driver/display
            raise EGLUnavailable(
                f"could not start an offscreen EGL context ({type(err).__name__}: {err}); it needs libEGL.so.1, "
                f"a vendor EGL (Mesa's libEGL_mesa.so.0 or the NVIDIA driver's) and, on CPU, Mesa's swrast DRI "
                f"driver; on Debian: apt-get install {EGL_PACKAGES}") from err
        self.scene = pyrender.Scene(bg_color=[*BACKGROUND, 1.0], ambient_light=[AMBIENT] * 3)
        sphere = trimesh.creation.icosphere(subdivisions=SUBDIVISIONS, radius=SPHERE_RADIUS)
        self.nodes = {}   # one node per colour; an instance's colours are a permutation of COLORS
        for rgb in COLORS:
            mat = pyrender.MetallicRoughnessMaterial(baseColorFactor=[*(rgb / 255.0), 1.0],
                                                     metallicFactor=METALLIC, roughnessFactor=ROUGHNESS)
            mesh = pyrender.Mesh.from_trimesh(sphere, material=mat, smooth=True)
            self.nodes[rgb.tobytes()] = self.scene.add(mesh)
        cam = np.eye(4)
        cam[2, 3] = CAMERA_DISTANCE
        self.scene.add(pyrender.PerspectiveCamera(yfov=np.radians(YFOV_DEG), znear=ZNEAR, aspectRatio=1.0), pose=cam)
        self.scene.add(pyrender.DirectionalLight(color=[1.0, 1.0, 1.0], intensity=LIGHT_INTENSITY),
                       pose=_look_from(np.array(LIGHT_DIR)))
        self.lock = threading.Lock()

    def render(self, centres: np.ndarray, colors: np.ndarray) -> np.ndarray:
        with self.lock:
            for p, rgb in zip(centres, colors):
                pose = np.eye(4)
                pose[:3, 3] = p
                self.scene.set_pose(self.nodes[rgb.tobytes()], pose)
            color, _ = self._r.render(self.scene)
        out = np.ascontiguousarray(color[:, :, :3], dtype=np.uint8)
        out.setflags(write=False)
        return out


def _look_from(direction: np.ndarray) -> np.ndarray:
    """A pose whose -Z axis points along -direction (a directional light shining from `direction`)."""
    z = direction / np.linalg.norm(direction)
    x = np.cross([0.0, 1.0, 0.0], z)
    x /= np.linalg.norm(x)
    pose = np.eye(4)
    pose[:3, :3] = np.column_stack([x, np.cross(z, x), z])
    return pose


def background_bytes() -> list[int]:
    """The cleared background as the framebuffer stores it (unorm8: round(c * 255))."""
    return [int(round(c * 255)) for c in BACKGROUND]


def scene_description() -> dict:
    """The scene as pyrender receives it, for the HTML twin (playwright_parity/web/three_d_exploration.html).

    Mesh: trimesh's icosphere with its vertex normals (what `Mesh.from_trimesh(smooth=True)` uploads;
    Three.js's IcosahedronGeometry subdivides differently). Matrices are row-major 4x4: the view
    (inverse camera pose) and pyrender's infinite perspective projection (camera.py). The light's
    `direction` is the uniform pyrender sets, -Z of the light's pose. Colours are linear factors:
    pyrender's shader lights base_color/255 as linear and gamma-encodes the result with 1/2.2.
    """
    import trimesh   # no OpenGL: only the geometry

    sphere = trimesh.creation.icosphere(subdivisions=SUBDIVISIONS, radius=SPHERE_RADIUS)
    t = np.tan(np.radians(YFOV_DEG) / 2.0)
    proj = np.zeros((4, 4))
    proj[0, 0], proj[1, 1] = 1.0 / t, 1.0 / t          # aspect 1
    proj[2, 2], proj[2, 3], proj[3, 2] = -1.0, -2.0 * ZNEAR, -1.0
    cam = np.eye(4)
    cam[2, 3] = CAMERA_DISTANCE
    return {
        "size": SIZE, "background": list(BACKGROUND), "ambient": [AMBIENT] * 3,
        "light": {"direction": (-_look_from(np.array(LIGHT_DIR))[:3, 2]).tolist(), "color": [1.0, 1.0, 1.0],
                  "intensity": LIGHT_INTENSITY},
        "material": {"metallic": METALLIC, "roughness": ROUGHNESS},
        "camera": {"position": cam[:3, 3].tolist(), "view": np.linalg.inv(cam).tolist(), "projection": proj.tolist()},
        "mesh": {"positions": np.asarray(sphere.vertices, np.float64).ravel(),
                 "normals": np.asarray(sphere.vertex_normals, np.float64).ravel(),
                 "index": np.asarray(sphere.faces, np.int32).ravel()},
    }


_RENDERER: tuple[int, _Renderer] | None = None
_CACHE: "OrderedDict[tuple, np.ndarray]" = OrderedDict()
_CACHE_LOCK = threading.Lock()
STATS = {"renders": 0, "hits": 0}


def renderer() -> _Renderer:
    """The process's renderer, created on first use (and again in a forked child)."""
    global _RENDERER
    if _RENDERER is None or _RENDERER[0] != os.getpid():
        if _RENDERER is not None:
            _CACHE.clear()   # arrays survive a fork but keep the child's cache its own
        _RENDERER = (os.getpid(), _Renderer())
    return _RENDERER[1]


def render_centres(centres: np.ndarray, colors: np.ndarray) -> np.ndarray:
    """Render five spheres at view-frame `centres` (uncached; tests and benchmarks)."""
    require_five = centres.shape == (N_SPHERES, 3) and colors.shape == (N_SPHERES, 3)
    if not require_five:
        raise ValueError(f"centres/colors: expected ({N_SPHERES}, 3) arrays, got {centres.shape}, {colors.shape}")
    STATS["renders"] += 1
    return renderer().render(centres, colors)


def view_raster(instance: Instance, rotations: tuple[str, ...]) -> np.ndarray:
    """uint8[256, 256, 3] (read-only) of `instance` after `rotations`; the same array object while cached."""
    okey = orientation_key(tuple(rotations))
    key = (instance.scene_key(), okey)
    with _CACHE_LOCK:
        got = _CACHE.get(key)
        if got is not None:
            _CACHE.move_to_end(key)
            STATS["hits"] += 1
            return got
    centres = instance.points @ (key_matrix(okey) @ instance.start).T
    img = render_centres(centres, instance.colors)
    with _CACHE_LOCK:
        got = _CACHE.setdefault(key, img)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return got


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()
