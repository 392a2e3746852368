"""Road Network Construction instances: an aerial-like image of a road graph (paper A.2.8).

The paper uses aerial/satellite images with ground-truth node positions
(intersections, endpoints) and edge connectivity, roads highlighted by lane
markings. Those images are not available here, so scenes are procedural:

- the graph: 5–8 intersections (Poisson-disc points in the centre of the
  image) joined by the Gabriel graph (planar, road-like), thinned at random
  while it stays connected; then stubs: roads that leave the image (an
  endpoint 5 px inside the border, the road drawn on past it) or dead ends
  (cul-de-sacs). 10–14 nodes in all, as in Figure 15 (10–14 nodes).
  Nodes are only intersections, endpoints and clear bends (a degree-2 node
  turns by at least 35°, so it is visible); roads are straight between nodes.
- the raster: fields/forest/scrub ground from multi-octave value noise, a few
  building roofs, then the roads drawn with Skia into the numpy array
  (dark shoulders, asphalt, a dashed white centre line: the lane markings).

Everything is drawn once here; `road_dist` (pixel distance to the nearest
road centre line) lets the annotator choose off-road spots for its mistakes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import skia

from tasks.common import require, require_array

SIZE = 256                 # canvas and raster size (pixels)
BORDER_INSET = 5.0         # a road leaving the image ends in a node this far inside the border
MIN_NODE_GAP = 30.0        # pixels between any two ground-truth nodes
MIN_ANGLE = 35.0           # degrees between two roads at a node (and the bend of a degree-2 node)
CLEARANCE = 14.0           # pixels between a road and a node that is not on it
ROAD_W = 9.0               # asphalt width (pixels)
N_NODES = (10, 14)


@dataclass(frozen=True, eq=False)
class Instance:
    seed: int
    nodes: np.ndarray      # float64[N, 2] ground-truth node positions, normalized (u right, v down)
    edges: np.ndarray      # int64[E, 2] ground-truth edges (i < j, sorted)
    image: np.ndarray      # uint8[256, 256, 3] the aerial-like raster
    road_dist: np.ndarray  # float32[256, 256] distance (px) from each pixel centre to the nearest road

    @property
    def n(self) -> int:
        return len(self.nodes)

    @property
    def px(self) -> np.ndarray:
        """Node positions in canvas pixels."""
        return self.nodes * SIZE


# --- the graph -------------------------------------------------------------

def _poisson(rng: np.random.Generator, n: int, lo: float, hi: float, gap: float) -> np.ndarray | None:
    pts: list[np.ndarray] = []
    for _ in range(4000):
        p = rng.uniform(lo, hi, 2)
        if all(np.hypot(*(p - q)) >= gap for q in pts):
            pts.append(p)
            if len(pts) == n:
                return np.array(pts)
    return None


def _gabriel(p: np.ndarray) -> set[tuple[int, int]]:
    """Edges (i, j) whose diametral circle holds no other point: planar and road-like."""
    out = set()
    for i in range(len(p)):
        for j in range(i + 1, len(p)):
            mid, r2 = (p[i] + p[j]) / 2, np.sum((p[i] - p[j]) ** 2) / 4
            if all(np.sum((p[k] - mid) ** 2) > r2 for k in range(len(p)) if k not in (i, j)):
                out.add((i, j))
    return out


def _connected(n: int, edges: set[tuple[int, int]]) -> bool:
    seen, stack = {0}, [0]
    while stack:
        a = stack.pop()
        for i, j in edges:
            for x, y in ((i, j), (j, i)):
                if x == a and y not in seen:
                    seen.add(y)
                    stack.append(y)
    return len(seen) == n


def _angle(v: np.ndarray) -> float:
    return float(np.degrees(np.arctan2(v[1], v[0])) % 360)


def _gaps(dirs: list[float]) -> list[float]:
    """Angular gaps (degrees) between consecutive road directions around a node."""
    d = sorted(dirs)
    return [(d[(k + 1) % len(d)] - d[k]) % 360 or 360 for k in range(len(d))]


def _seg_dist(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    t = np.clip(np.dot(p - a, ab) / max(np.dot(ab, ab), 1e-12), 0, 1)
    return float(np.hypot(*(p - a - t * ab)))


def _valid(p: np.ndarray, edges: set[tuple[int, int]]) -> bool:
    """Node spacing, clearance of roads from other nodes, angles at nodes, visible bends."""
    n = len(p)
    d = np.linalg.norm(p[:, None] - p[None], axis=2) + np.eye(n) * 1e9
    if d.min() < MIN_NODE_GAP:
        return False
    for i, j in edges:
        if any(_seg_dist(p[k], p[i], p[j]) < CLEARANCE for k in range(n) if k not in (i, j)):
            return False
    for k in range(n):
        dirs = [_angle(p[j if i == k else i] - p[k]) for i, j in edges if k in (i, j)]
        if not dirs:
            return False
        if len(dirs) >= 2 and min(_gaps(dirs)) < MIN_ANGLE:
            return False
        if len(dirs) == 2 and max(_gaps(dirs)) > 180 + (180 - MIN_ANGLE) - 1e-9:
            return False   # a straight degree-2 node would be invisible
    return True


def _add_stub(rng: np.random.Generator, p: np.ndarray, edges: set, k: int) -> tuple[np.ndarray, set] | None:
    """A road from node k in its widest free direction: off the image if the border is near, else a dead end."""
    dirs = [_angle(p[j if i == k else i] - p[k]) for i, j in edges if k in (i, j)]
    cand = rng.permutation(np.arange(0, 360, 15.0))
    for a in cand:
        if dirs and min(min(abs(a - d) % 360, 360 - abs(a - d) % 360) for d in dirs) < 60:
            continue
        v = np.array([np.cos(np.radians(a)), np.sin(np.radians(a))])
        # distance along v to the inset border box
        ts = [((BORDER_INSET if v[c] < 0 else SIZE - BORDER_INSET) - p[k][c]) / v[c]
              for c in (0, 1) if abs(v[c]) > 1e-9]
        to_border = min(t for t in ts if t > 0)
        length = to_border if to_border <= 95 else rng.uniform(32, 48)
        q = p[k] + v * length
        new_p = np.vstack([p, q])
        new_e = edges | {(k, len(p))}
        if _valid(new_p, new_e):
            return new_p, new_e
    return None


def _graph(rng: np.random.Generator) -> tuple[np.ndarray, list[tuple[int, int]]]:
    for _ in range(2000):
        n_inner = int(rng.integers(5, 9))
        p = _poisson(rng, n_inner, 40, SIZE - 40, 48)
        if p is None:
            continue
        edges = _gabriel(p)
        for e in sorted(edges, key=lambda e: rng.random()):   # thin out, staying connected
            if rng.random() < 0.15 and _connected(len(p), edges - {e}):
                edges = edges - {e}
        n_target = int(rng.integers(N_NODES[0], N_NODES[1] + 1))
        order = list(rng.permutation(n_inner))
        for k in order * 2:
            if len(p) >= n_target:
                break
            got = _add_stub(rng, p, edges, int(k))
            if got is not None:
                p, edges = got
        if N_NODES[0] <= len(p) <= N_NODES[1] and _valid(p, edges):
            return p, sorted(edges)
    raise RuntimeError("road_network_construction: no valid road graph found")


# --- the raster ------------------------------------------------------------

def _value_noise(rng: np.random.Generator, octaves: int = 5) -> np.ndarray:
    """Smooth fractal noise in [0, 1] on the 256x256 grid (bilinear value noise)."""
    out = np.zeros((SIZE, SIZE))
    amp, total = 1.0, 0.0
    for o in range(octaves):
        cells = 4 * 2 ** o
        grid = rng.random((cells + 1, cells + 1))
        t = np.linspace(0, cells, SIZE, endpoint=False)
        i = t.astype(int)
        f = t - i
        f = f * f * (3 - 2 * f)
        g00, g10 = grid[i][:, i], grid[i + 1][:, i]
        g01, g11 = grid[i][:, i + 1], grid[i + 1][:, i + 1]
        fy, fx = f[:, None], f[None, :]
        out += amp * ((g00 * (1 - fx) + g01 * fx) * (1 - fy) + (g10 * (1 - fx) + g11 * fx) * fy)
        total += amp
        amp *= 0.5
    return out / total


def _ground(rng: np.random.Generator) -> np.ndarray:
    """Fields, forest and scrub: a terrain palette indexed by two noise fields, plus grain."""
    kind, shade = _value_noise(rng), _value_noise(rng, 6)
    palette = np.array([[86, 104, 58], [112, 124, 70], [142, 132, 92], [60, 84, 48]], np.float64)
    idx = np.clip((kind * 1.6 - 0.3) * len(palette), 0, len(palette) - 1)
    lo = np.floor(idx).astype(int)
    hi = np.minimum(lo + 1, len(palette) - 1)
    w = (idx - lo)[..., None]
    rgb = palette[lo] * (1 - w) + palette[hi] * w
    rgb *= (0.8 + 0.4 * shade)[..., None]
    rgb += rng.normal(0, 5, (SIZE, SIZE, 1))
    return np.clip(rgb, 0, 255)


def _draw(p: np.ndarray, edges: list, rng: np.random.Generator) -> np.ndarray:
    rgba = np.empty((SIZE, SIZE, 4), np.uint8)
    rgba[..., :3] = np.round(_ground(rng)).astype(np.uint8)
    rgba[..., 3] = 255
    surface = skia.Surface(rgba, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
    c = surface.getCanvas()
    for _ in range(int(rng.integers(6, 14))):   # building roofs (roads are drawn over them)
        x, y, w, h = rng.uniform(0, SIZE), rng.uniform(0, SIZE), rng.uniform(6, 14), rng.uniform(6, 14)
        g = int(rng.integers(120, 200))
        c.drawRect(skia.Rect.MakeXYWH(x, y, w, h), skia.Paint(Color=skia.Color(g, g - 10, g - 20), AntiAlias=True))
    segs = []
    deg = np.bincount(np.array(edges).ravel(), minlength=len(p))
    for i, j in edges:
        a, b = p[i].copy(), p[j].copy()
        for end, other in ((a, b), (b, a)):   # a road leaving the image is drawn on past the border
            k = i if end is a else j
            if deg[k] == 1 and min(end.min(), SIZE - end.max()) <= BORDER_INSET + 1e-6:
                end += (end - other) / np.linalg.norm(end - other) * 20
        segs.append((a, b))
    for width, color in ((ROAD_W + 3, skia.Color(58, 58, 56)), (ROAD_W, skia.Color(104, 104, 102))):
        paint = skia.Paint(Color=color, AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=width,
                           StrokeCap=skia.Paint.kRound_Cap)
        for a, b in segs:
            c.drawLine(*a, *b, paint)
    lane = skia.Paint(Color=skia.Color(236, 236, 220), AntiAlias=True, Style=skia.Paint.kStroke_Style,
                      StrokeWidth=1.3, PathEffect=skia.DashPathEffect.Make([5.0, 4.0], 0.0))
    for a, b in segs:
        d = (b - a) / np.linalg.norm(b - a) * 7   # markings stop short of the intersections
        c.drawLine(*(a + d), *(b - d), lane)
    surface.flushAndSubmit()
    return np.ascontiguousarray(rgba[..., :3])


def _road_distance(p: np.ndarray, edges: list) -> np.ndarray:
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    best = np.full((SIZE, SIZE), np.inf)
    for i, j in edges:
        a, ab = p[i], p[j] - p[i]
        t = np.clip(((xx - a[0]) * ab[0] + (yy - a[1]) * ab[1]) / np.dot(ab, ab), 0, 1)
        best = np.minimum(best, np.hypot(xx - a[0] - t * ab[0], yy - a[1] - t * ab[1]))
    return best.astype(np.float32)


def make_instance(seed: int) -> Instance:
    """A road graph of 10–14 nodes over an aerial-like raster, from `seed`."""
    require(isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0, "seed",
            f"expected an integer >= 0, got {seed!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x0AD5]))
    p, edges = _graph(rng)
    image = _draw(p, edges, rng)
    return Instance(int(seed), p / SIZE, np.array(edges, np.int64).reshape(-1, 2), image, _road_distance(p, edges))


def validate_instance(inst) -> None:
    require(isinstance(inst, Instance), "instance",
            f"expected a road_network_construction Instance, got {type(inst).__name__}")
    require_array(inst.nodes, "instance.nodes", np.float64, (None, 2))
    require(len(inst.nodes) >= 2 and np.isfinite(inst.nodes).all(), "instance.nodes", "need >= 2 finite nodes")
    require(((inst.nodes >= 0) & (inst.nodes < 1)).all(), "instance.nodes", "coordinates must lie in [0, 1)")
    require_array(inst.edges, "instance.edges", np.int64, (None, 2))
    ok = len(inst.edges) >= 1 and (inst.edges >= 0).all() and (inst.edges < len(inst.nodes)).all() \
        and (inst.edges[:, 0] < inst.edges[:, 1]).all() and len({tuple(e) for e in inst.edges}) == len(inst.edges)
    require(bool(ok), "instance.edges", "expected distinct pairs i < j of node indices")
    require_array(inst.image, "instance.image", np.uint8, (SIZE, SIZE, 3))
    require_array(inst.road_dist, "instance.road_dist", np.float32, (SIZE, SIZE))
