"""Comparisons of the browser twin with the simulator: pixels, hit maps, states.

Pure functions of arrays and layouts (no browser), so they are unit-tested
on their own. Pixel figures follow the issue: mean |diff| over all channels,
the percentage of pixels differing by more than 8 / 32 in any channel, and
the largest difference.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from widgets import Layout, hit_test
from widgets.nodes import Button, Canvas, Label, Picture


@dataclass(frozen=True)
class Thresholds:
    mean: float = 0.05      # mean |diff|, levels
    pct_over_8: float = 0.2   # % of pixels with a channel differing by > 8
    pct_over_32: float = 0.01  # % of pixels with a channel differing by > 32

    def crossed(self, stats: dict) -> list[str]:
        """Names of the thresholds `stats` crosses (empty: within all)."""
        out = []
        for key, limit in asdict(self).items():
            if stats[key] > limit:
                out.append(f"{key} {stats[key]:.4g} > {limit:g}")
        return out


def pixel_stats(browser: np.ndarray, skia: np.ndarray) -> dict:
    """Figures of |browser - skia| for two uint8 [H, W, 3] frames of the same size."""
    if browser.shape != skia.shape:
        raise ValueError(f"frames differ in size: browser {browser.shape}, skia {skia.shape} "
                         "(the twin's window is not the simulator's)")
    diff = absdiff(browser, skia)
    per_px = channel_max(diff)
    n = per_px.size
    return {"mean": float(diff.sum(dtype=np.uint64)) / diff.size,
            "pct_over_8": float(np.count_nonzero(per_px > 8)) * 100 / n,
            "pct_over_32": float(np.count_nonzero(per_px > 32)) * 100 / n, "max": int(per_px.max(initial=0))}


def channel_max(diff: np.ndarray) -> np.ndarray:
    """Largest difference over the channels of each pixel (numpy's axis-2 max is 10x slower)."""
    return np.maximum(np.maximum(diff[:, :, 0], diff[:, :, 1]), diff[:, :, 2])


def absdiff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| of uint8 arrays, staying in uint8 (no widening copy)."""
    return np.maximum(a, b) - np.minimum(a, b)


def node_name(node) -> str:
    if isinstance(node, Button):
        return f"button {node.action!r}"
    if isinstance(node, Canvas):
        return "canvas"
    if isinstance(node, Picture):
        return "picture"
    if isinstance(node, Label):
        text = node.text if len(node.text) <= 24 else node.text[:21] + "..."
        return f"label {text!r}"
    return "box"


def worst_region(browser: np.ndarray, skia: np.ndarray, lay: Layout) -> str:
    """The innermost widget holding most of the pixels that differ by > 8 (or the largest difference)."""
    per_px = channel_max(absdiff(browser, skia))
    bad = per_px > 8
    if not bad.any():
        bad = per_px == per_px.max()
    best, best_count = "window", -1
    for node, rect in lay.placed:   # parents come first: a child with as many bad pixels wins
        count = int(bad[rect.y0:rect.y1, rect.x0:rect.x1].sum())
        if count >= best_count and count > 0:
            best, best_count = f"{node_name(node)} at ({rect.x0},{rect.y0})-({rect.x1},{rect.y1})", count
    ys, xs = np.nonzero(bad)
    where = f", e.g. pixel ({xs[0]}, {ys[0]})" if len(xs) else ""
    return f"{best}{where}"


def side_by_side(browser: np.ndarray, skia: np.ndarray, gain: int = 8) -> np.ndarray:
    """browser | skia | |diff| x gain, as one uint8 image."""
    diff = channel_max(absdiff(browser, skia)).astype(np.int32)
    amp = np.clip(diff * gain, 0, 255).astype(np.uint8)
    gap = np.full((browser.shape[0], 4, 3), 255, np.uint8)
    return np.concatenate([browser, gap, skia, gap, np.repeat(amp[:, :, None], 3, axis=2)], axis=1)


# -- hit maps ----------------------------------------------------------------------------------


def hit_points(lay: Layout, step: int = 4, band: int = 1) -> list[tuple[float, float]]:
    """Pixel centres on a `step`-px grid, plus every pixel centre of each control's border band.

    The band is the ring from one pixel outside a control's rectangle to
    `band` pixels inside it: where an off-by-one between CSS and
    `widgets.layout` would show.
    """
    pts = {(x + 0.5, y + 0.5) for y in range(0, lay.height, step) for x in range(0, lay.width, step)}
    for c in lay.controls:
        r = c.rect
        for y in range(r.y0 - 1, r.y1 + 1):
            for x in range(r.x0 - 1, r.x1 + 1):
                inside = r.x0 + band <= x < r.x1 - band and r.y0 + band <= y < r.y1 - band
                if not inside and 0 <= x < lay.width and 0 <= y < lay.height:
                    pts.add((x + 0.5, y + 0.5))
    return sorted(pts, key=lambda p: (p[1], p[0]))


def hit_map(lay: Layout, points: list[tuple[float, float]]) -> list[dict | None]:
    """`widgets.hit_test` at each point, as action JSON (what the twin's hitTest returns)."""
    out = []
    for x, y in points:
        action = hit_test(lay, x, y)
        out.append(None if action is None else action.to_json())
    return out


def same_action_json(a: dict | None, b: dict | None, tol: float = 1e-9) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if a.get("type") != b.get("type"):
        return False
    if a["type"] == "press":
        return a.get("name") == b.get("name")
    return all(isinstance(a.get(k), (int, float)) and isinstance(b.get(k), (int, float))
               and math.isclose(a[k], b[k], rel_tol=0, abs_tol=tol) for k in ("u", "v"))


def hit_mismatches(points, expected, got, limit: int = 5) -> tuple[int, list[dict]]:
    """(number of points where the maps differ, the first `limit` of them)."""
    if len(got) != len(expected):
        raise ValueError(f"hit map: the twin answered {len(got)} points, expected {len(expected)}")
    bad = [{"x": p[0], "y": p[1], "skia": e, "browser": g}
           for p, e, g in zip(points, expected, got) if not same_action_json(e, g)]
    return len(bad), bad[:limit]


def state_diff(expected, got, path: str = "state") -> str | None:
    """Where two JSON states first differ (None: identical)."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in sorted(set(expected) | set(got)):
            if key not in got or key not in expected:
                return f"{path}.{key}: only in {'simulator' if key in expected else 'twin'}"
            d = state_diff(expected[key], got[key], f"{path}.{key}")
            if d:
                return d
        return None
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return f"{path}: length {len(expected)} (simulator) vs {len(got)} (twin)"
        for i, (e, g) in enumerate(zip(expected, got)):
            d = state_diff(e, g, f"{path}[{i}]")
            if d:
                return d
        return None
    if expected != got or type(expected) is bool and type(got) is not bool:
        return f"{path}: {expected!r} (simulator) vs {got!r} (twin)"
    return None
