"""3D Exploration instances (paper A.2.9, Table 3): five coloured spheres in one of 9 arrangements.

An instance is a *scene*, not a raster: the object (class, sphere centres in
the object frame, sphere colours) and its start orientation, uniform over
SO(3). The GUI's rotation buttons turn the object by 30° about the screen's X
or Y axis, so the orientations reachable from the start form an infinite set;
views are rendered on demand and cached per orientation (`render.py`).

Geometry (object frame, bond length 1, centred on the centroid):

| # | class | letter | arrangement | 3-D |
|---|---|---|---|---|
| 0 | line | I | 5 collinear, spacing 1 | no |
| 1 | plus | + | centre + 4 arms of length 1 | no |
| 2 | pentagon | P | regular ring, side 1 | no |
| 3 | T-shape | T | 3 across + 2 stem below the middle | no |
| 4 | L-shape | L | 3 horizontal + 2 vertical from the corner | no |
| 5 | methane | M | centre + 4 tetrahedral at distance 1 | yes |
| 6 | square pyramid | A | square base of side 1 + apex (all edges 1) | yes |
| 7 | trigonal bipyramid | Y | equilateral triangle of side 1 + 2 poles (edges 1) | yes |
| 8 | bowtie | X | 2 equilateral triangles sharing a vertex, in perpendicular planes | yes |

The bowtie's triangles sit in perpendicular planes (a "twisted" bowtie):
with both in one plane it would be planar, and Table 3 counts it 3-D.
Which sphere gets which of the five colours is a random permutation per
instance, so colour says nothing about position.

Rotations are kept exact: 30° steps about X and Y have entries in
Z[1/2, √3/2], so every reachable orientation is (A + B·√3) / 2^k with integer
matrices A, B — a canonical key (no float rounding at cache-key boundaries)
from which the float matrix is computed the same way whatever the path.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from tasks.common import require, require_array

CLASSES = ("line", "plus", "pentagon", "t_shape", "l_shape",
           "methane", "square_pyramid", "trigonal_bipyramid", "bowtie")
LETTERS = ("I", "+", "P", "T", "L", "M", "A", "Y", "X")   # the paper's class abbreviations
IS_3D = (False, False, False, False, False, True, True, True, True)
N_CLASSES = len(CLASSES)
N_SPHERES = 5
# red, blue, green, orange, purple (paper A.2.9), sRGB
COLORS = np.array([[220, 40, 40], [40, 90, 230], [40, 190, 70], [245, 140, 20], [150, 60, 200]], np.uint8)
COLOR_NAMES = ("red", "blue", "green", "orange", "purple")
ROTATIONS = ("+x", "-x", "+y", "-y")    # 30° about the screen's X / Y axis


def _shape(cls: int) -> np.ndarray:
    s3, name = np.sqrt(3.0), CLASSES[cls]
    if name == "line":
        p = [[k, 0, 0] for k in range(-2, 3)]
    elif name == "plus":
        p = [[0, 0, 0], [1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0]]
    elif name == "pentagon":
        r = 1 / (2 * np.sin(np.pi / 5))
        p = [[r * np.cos(a), r * np.sin(a), 0] for a in np.pi / 2 + 2 * np.pi * np.arange(5) / 5]
    elif name == "t_shape":
        p = [[-1, 0, 0], [0, 0, 0], [1, 0, 0], [0, -1, 0], [0, -2, 0]]
    elif name == "l_shape":
        p = [[0, 0, 0], [1, 0, 0], [2, 0, 0], [0, 1, 0], [0, 2, 0]]
    elif name == "methane":
        p = [[0, 0, 0]] + [list(np.array(v) / s3) for v in ([1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1])]
    elif name == "square_pyramid":
        p = [[0.5, 0.5, 0], [0.5, -0.5, 0], [-0.5, -0.5, 0], [-0.5, 0.5, 0], [0, 0, np.sqrt(0.5)]]
    elif name == "trigonal_bipyramid":
        r, h = 1 / s3, np.sqrt(2 / 3)
        p = [[r * np.cos(a), r * np.sin(a), 0] for a in 2 * np.pi * np.arange(3) / 3] + [[0, 0, h], [0, 0, -h]]
    else:  # bowtie: apex at the origin, one triangle in the XY plane, the other in the XZ plane
        p = [[0, 0, 0], [-s3 / 2, 0.5, 0], [-s3 / 2, -0.5, 0], [s3 / 2, 0, 0.5], [s3 / 2, 0, -0.5]]
    p = np.array(p, np.float64)
    return p - p.mean(axis=0)


SHAPES = tuple(_shape(c) for c in range(N_CLASSES))


# --- exact 30° rotations ------------------------------------------------------
# A key is (A, B, k): the rotation matrix is (A + B·sqrt(3)) / 2**k, A and B
# row-major 3x3 integer tuples, k minimal (not every entry of A and B even).
def _axis_step(axis: int, sign: int) -> tuple:
    """30° about X (axis 0) or Y (axis 1): cos = sqrt(3)/2, sin = 1/2."""
    a, b = [[0] * 3 for _ in range(3)], [[0] * 3 for _ in range(3)]
    a[axis][axis] = 2
    i, j = [(1, 2), (2, 0)][axis]       # the rotated plane, in right-handed order
    b[i][i] = b[j][j] = 1
    a[i][j], a[j][i] = -sign, sign
    return (tuple(sum(a, [])), tuple(sum(b, [])), 1)


STEP = {"+x": _axis_step(0, 1), "-x": _axis_step(0, -1), "+y": _axis_step(1, 1), "-y": _axis_step(1, -1)}
IDENTITY = ((1, 0, 0, 0, 1, 0, 0, 0, 1), (0,) * 9, 0)


def _matmul(p: tuple, q: tuple) -> tuple:
    return tuple(sum(p[3 * r + t] * q[3 * t + c] for t in range(3)) for r in range(3) for c in range(3))


def _compose(m: tuple, n: tuple) -> tuple:
    """m · n, exactly, reduced to the smallest power of two."""
    (a1, b1, k1), (a2, b2, k2) = m, n
    a = tuple(x + 3 * y for x, y in zip(_matmul(a1, a2), _matmul(b1, b2)))
    b = tuple(x + y for x, y in zip(_matmul(a1, b2), _matmul(b1, a2)))
    k = k1 + k2
    while k > 0 and all(v % 2 == 0 for v in a + b):
        a, b, k = tuple(v // 2 for v in a), tuple(v // 2 for v in b), k - 1
    return (a, b, k)


@lru_cache(maxsize=1 << 16)
def orientation_key(rotations: tuple[str, ...]) -> tuple:
    """The exact rotation of a press sequence (each press turns about the fixed screen axes)."""
    if not rotations:
        return IDENTITY
    if len(rotations) > 256:   # no deep recursion on a cold cache
        key = orientation_key(rotations[:256])
        for r in rotations[256:]:
            key = _compose(STEP[r], key)
        return key
    return _compose(STEP[rotations[-1]], orientation_key(rotations[:-1]))


def key_matrix(key: tuple) -> np.ndarray:
    a, b, k = key
    return ((np.array(a, np.float64) + np.array(b, np.float64) * np.sqrt(3.0)) / 2.0 ** k).reshape(3, 3)


# --- instances ------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Instance:
    seed: int
    cls: int                 # index into CLASSES
    points: np.ndarray       # float64[5, 3]: sphere centres in the object frame
    colors: np.ndarray       # uint8[5, 3]: sphere colours (a permutation of COLORS)
    start: np.ndarray        # float64[3, 3]: start orientation (uniform over SO(3))

    @property
    def is_3d(self) -> bool:
        return IS_3D[self.cls]

    def scene_key(self) -> tuple:
        """What the rendering depends on, besides the rotations (the render cache's key)."""
        return (self.points.tobytes(), self.colors.tobytes(), self.start.tobytes())

    def centres(self, rotations: tuple[str, ...]) -> np.ndarray:
        """Sphere centres in the view frame after `rotations` (camera on +Z looking at the origin)."""
        return self.points @ (key_matrix(orientation_key(tuple(rotations))) @ self.start).T


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """Uniform over SO(3): a normalized 4-D Gaussian is a uniform unit quaternion."""
    q = rng.normal(size=4)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def make_instance(seed: int, cls: int | None = None) -> Instance:
    """An object of a uniformly drawn class (or `cls`), random colours and start orientation, from `seed`."""
    require(isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0, "seed",
            f"expected an integer >= 0, got {seed!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x3D3D]))
    drawn = int(rng.integers(N_CLASSES))
    if cls is not None:
        require(isinstance(cls, (int, np.integer)) and 0 <= cls < N_CLASSES, "cls", f"expected 0..8, got {cls!r}")
        drawn = int(cls)
    colors = COLORS[rng.permutation(N_SPHERES)]
    return Instance(int(seed), drawn, SHAPES[drawn].copy(), colors, random_rotation(rng))


def validate_instance(inst) -> None:
    require(isinstance(inst, Instance), "instance",
            f"expected a three_d_exploration Instance, got {type(inst).__name__}")
    require(isinstance(inst.cls, int) and 0 <= inst.cls < N_CLASSES, "instance.cls", f"expected 0..8, got {inst.cls!r}")
    require_array(inst.points, "instance.points", np.float64, (N_SPHERES, 3))
    require(bool(np.isfinite(inst.points).all()) and np.abs(inst.points).max() <= 3.0, "instance.points",
            "sphere centres must be finite and within 3 units of the origin")
    require_array(inst.colors, "instance.colors", np.uint8, (N_SPHERES, 3))
    require(sorted(map(tuple, inst.colors.tolist())) == sorted(map(tuple, COLORS.tolist())), "instance.colors",
            "expected a permutation of the five sphere colours")
    require_array(inst.start, "instance.start", np.float64, (3, 3))
    ok = np.isfinite(inst.start).all() and np.allclose(inst.start @ inst.start.T, np.eye(3), atol=1e-9) \
        and np.linalg.det(inst.start) > 0
    require(bool(ok), "instance.start", "expected a rotation matrix")
