"""The 3-D tolerance: comparing a rasterized 3-D view of the simulator with the twin's WebGL render.

Two rasterizers (Mesa's llvmpipe under pyrender, SwiftShader under Chromium)
agree on geometry and shading up to float rounding, not to the bit: edge
pixels of anti-aliased silhouettes and a few shading levels may differ. So a
task whose GUI holds a 3-D view declares it (`TWIN_3D` in its module, see
`view_spec`), the common pixel thresholds apply to the rest of the window
(the window's figures, with the view's pixels counted as agreeing, as a 2-D
task's canvas mostly does), and inside the view the harness checks what a
person sees:

- the silhouette of each object, found by colour on both sides (`segment`),
  overlaps: IoU >= 0.98 per object. Edge pixels of the two rasterizers differ
  by a sample now and then (measured: 1-5 pixels per silhouette), which is
  noise for a whole sphere (~700 pixels) but not for a sliver peeking out
  behind another: a silhouette smaller than `floor_pixels` is measured as if
  it had that area (IoU = 1 - disagreeing pixels / max(union, floor)), so a
  sliver may differ by 2 % of the floor (8 pixels), a whole sphere by 2 % of
  itself;
- the colour inside the silhouettes: mean |diff| over their pixels and the
  three channels <= 6 levels.

No browser here: pure functions of arrays, unit-tested on their own.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class View3DThresholds:
    iou: float = 0.98          # smallest silhouette IoU of any object
    colour_mean: float = 6.0   # mean |diff| inside the silhouettes, levels
    floor_pixels: int = 400    # smaller silhouettes are measured against this area (about 60 % of a sphere)

    def crossed(self, stats: dict) -> list[str]:
        out = []
        if stats["iou_min"] < self.iou:
            out.append(f"silhouette IoU {stats['iou_min']:.4f} < {self.iou:g} (object {stats['iou_worst']})")
        if stats["colour_mean"] > self.colour_mean:
            out.append(f"colour mean {stats['colour_mean']:.3g} > {self.colour_mean:g} inside the silhouettes")
        return out


@dataclass(frozen=True)
class ViewSpec:
    """A task's declaration of its 3-D view (`TWIN_3D = {"region": "canvas", "background": ..., "colors": ...}`)."""

    region: str                # which part of the window: "canvas" (the layout's canvas rectangle)
    background: np.ndarray     # float[3]: the cleared background as stored (0..255)
    colors: np.ndarray         # float[n, 3]: each object's hue as rendered (0..255), one object per colour


def view_spec(task) -> ViewSpec | None:
    """The task's `TWIN_3D` declaration, validated (None: the task has no 3-D view)."""
    spec = getattr(task, "TWIN_3D", None)
    if spec is None:
        return None
    where = f"{task.NAME}.TWIN_3D"
    if not isinstance(spec, dict) or set(spec) != {"region", "background", "colors"}:
        raise ValueError(f"{where}: expected a dict with keys region, background, colors")
    if spec["region"] != "canvas":
        raise ValueError(f"{where}.region: expected 'canvas', got {spec['region']!r}")
    bg = np.asarray(spec["background"], np.float64)
    colors = np.asarray(spec["colors"], np.float64)
    if bg.shape != (3,) or colors.ndim != 2 or colors.shape[1] != 3 or len(colors) < 1:
        raise ValueError(f"{where}: expected background [r, g, b] and colors [[r, g, b], ...], "
                         f"got shapes {bg.shape} and {colors.shape}")
    if np.any(np.linalg.norm(colors - bg, axis=1) < 1):
        raise ValueError(f"{where}.colors: an object colour equals the background")
    return ViewSpec(spec["region"], bg, colors)


def rect_mask(shape: tuple[int, int], rect: tuple[int, int, int, int]) -> np.ndarray:
    """bool[H, W], True inside `rect` = (x0, y0, x1, y1): the 3-D view's pixels."""
    mask = np.zeros(shape, bool)
    x0, y0, x1, y1 = rect
    mask[y0:y1, x0:x1] = True
    return mask


def segment(img: np.ndarray, background: np.ndarray, colors: np.ndarray, min_diff: float = 6.0) -> np.ndarray:
    """int8[H, W]: the object index of each pixel, -1 for background.

    A pixel is an object's when it differs from the background by more than
    `min_diff` in some channel; which object is the one whose colour points
    the same way from the background. Direction, not distance: shading scales
    a lit colour (pyrender's and the twin's shading multiply the colour before
    the gamma), and an anti-aliased edge pixel is background plus a fraction
    of the object's colour, so a dark edge still has its object's hue.
    """
    d = img.astype(np.float32) - background.astype(np.float32)
    fg = np.abs(d).max(axis=2) > min_diff
    ref = (colors - background).astype(np.float32)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    label = np.argmax(d @ ref.T / np.maximum(np.linalg.norm(d, axis=2, keepdims=True), 1e-6), axis=2)
    return np.where(fg, label, -1).astype(np.int8)


def view3d_stats(browser: np.ndarray, skia: np.ndarray, spec: ViewSpec, floor_pixels: int = 400) -> dict:
    """Silhouette IoU per object (None: on neither side) and mean colour difference inside the silhouettes
    of two [H, W, 3] views; `floor_pixels`: see the module docstring."""
    if browser.shape != skia.shape or browser.ndim != 3:
        raise ValueError(f"3-D views differ in size: browser {browser.shape}, skia {skia.shape}")
    a, b = segment(browser, spec.background, spec.colors), segment(skia, spec.background, spec.colors)
    ious: list[float | None] = []
    for k in range(len(spec.colors)):
        in_a, in_b = a == k, b == k
        union = int(np.count_nonzero(in_a | in_b))
        differ = union - int(np.count_nonzero(in_a & in_b))
        ious.append(None if union == 0 else 1.0 - differ / max(union, floor_pixels))
    inside = (a >= 0) | (b >= 0)
    n = int(np.count_nonzero(inside))
    diff = np.abs(browser.astype(np.int16) - skia.astype(np.int16))[inside]
    compared = [(v, k) for k, v in enumerate(ious) if v is not None]
    iou_min, worst = min(compared) if compared else (1.0, None)
    return {"iou": ious, "iou_min": iou_min, "iou_worst": worst,
            "colour_mean": float(diff.mean()) if n else 0.0, "silhouette_pixels": n}
