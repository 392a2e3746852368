"""Driving one task's twin and its simulator side by side, step by step.

For every step of an episode the page and `simcore.Env` get the same action;
after it (and once before the first) the harness compares the screenshot with
`Env.frame()`, the page's `getState()` with `state_to_json`, and the page's
hit map with `widgets.hit_test`. One `page.evaluate` per state does the action
and reads the state and the DOM's hit geometry (control rects, disabled flags,
canvas rect); the full hit map (a 4-px grid plus every control's border band,
~15k points, 0.5 s in Chromium) is compared once per distinct pair of
simulator and DOM geometry, since a hit map is a function of that geometry.
A task that declares a 3-D view (`TWIN_3D`, see compare3d.py) has its pixels
judged outside that view, and the view by the 3-D tolerance.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np
from PIL import Image

import simcore
from widgets import Place, Press

from .browser import WEB, Browser, TwinError, jsonable
from .compare import (Thresholds, hit_map, hit_mismatches, hit_points, pixel_stats, side_by_side, state_diff,
                      worst_region)
from .compare3d import View3DThresholds, rect_mask, view3d_stats, view_spec
from .vendor import PACKAGES, SETUP_HINT, missing

# One round trip: act, read the state back, hit-test the new state's points. Arguments and
# result travel as JSON strings: Playwright's per-value serialization of 15k points takes seconds.
_STEP_JS = """(arg) => {
  const action = JSON.parse(arg);
  const result = action === null ? null : executeAction(action);
  return JSON.stringify({result, state: getState(), hitKey: annosim.hitGeometry()});
}"""
_HITS_JS = "(arg) => JSON.stringify(hitTestMany(JSON.parse(arg)))"


def twin_path(task_name: str) -> Path:
    return WEB / f"{task_name}.html"


def has_twin(task_name: str) -> bool:
    return twin_path(task_name).exists()


def vendor_missing(page: Path) -> list[str]:
    """Pinned third-party files (web/vendor/<package>/) the page refers to that are not installed."""
    names = sorted(set(re.findall(r"vendor/([\w.-]+)/", page.read_text())))
    unknown = [n for n in names if n not in PACKAGES]
    if unknown:
        raise ValueError(f"{page.name} refers to vendor/{unknown[0]}/, which playwright_parity/vendor.py does not pin")
    return missing(names) if names else []


@dataclass
class Episode:
    """Actions to replay: an annotator episode or a random walk."""

    kind: str          # "annotator" | "random"
    seed: int
    actions: list


@dataclass
class TaskResult:
    task: str
    steps: int = 0
    frames: int = 0
    states: int = 0
    state_mismatches: int = 0
    hit_maps: int = 0
    hit_points: int = 0
    hit_mismatches: int = 0
    pixel: dict = field(default_factory=lambda: {"mean": 0.0, "worst_mean": 0.0, "pct_over_8": 0.0,
                                                  "pct_over_32": 0.0, "max": 0})
    view_3d: dict | None = None   # the 3-D tolerance's figures, for a task with a 3-D view
    failures: list = field(default_factory=list)
    images: list = field(default_factory=list)

    def to_json(self) -> dict:
        extra = {} if self.view_3d is None else {"view_3d": self.view_3d}
        return {"task": self.task, "status": "fail" if self.failures else "pass", "episodes_steps": self.steps,
                "frames": self.frames, "pixels": self.pixel, **extra,
                "states": {"compared": self.states, "mismatches": self.state_mismatches},
                "hit_maps": {"distinct_geometries": self.hit_maps, "points": self.hit_points,
                             "mismatches": self.hit_mismatches},
                "failures": self.failures, "images": self.images}


def random_walk(task: ModuleType, seed: int, length: int, theme: str, layout: str) -> Episode:
    """Random valid actions (an enabled control or a canvas point), with one in eight an arbitrary press."""
    rng = np.random.default_rng([seed, 0x7061726974])   # "parit": apart from annotator streams
    env = simcore.make_env(task, seed, theme, layout)
    actions = []
    for _ in range(length):
        lay = env.layout()
        enabled = [c.action for c in lay.controls if c.enabled]
        choices = [Press(a) for a in enabled] + ([None] if lay.canvas is not None else [])
        if rng.random() < 0.125 or not choices:
            names = [c.action for c in lay.controls] or enabled
            if not names:
                break
            action = Press(names[rng.integers(len(names))])
        else:
            action = choices[rng.integers(len(choices))]
            if action is None:
                u, v = rng.uniform(0, 1, 2)
                action = Place(float(u), float(v))
        actions.append(action)
        env.act(action)
    return Episode("random", seed, actions)


class TaskChecker:
    """Runs episodes of one task through its twin in an open browser."""

    def __init__(self, browser: Browser, task: ModuleType, theme: str, layout: str, thresholds: Thresholds,
                 out: Path | None, max_images: int):
        self.b, self.task, self.theme, self.layout = browser, task, theme, layout
        self.thresholds, self.out, self.max_images = thresholds, out, max_images
        self.result = TaskResult(task.NAME)
        self.view_thresholds = View3DThresholds()
        self.spec = None   # the task's 3-D view, if it declares one (run() reads it)
        self._mean_sum = 0.0
        self._colour_sum = 0.0
        self._hits_cache: dict = {}
        self._hits_done: set = set()

    def run(self, episodes: list[Episode]) -> TaskResult:
        from playwright.sync_api import Error as PlaywrightError

        if not hasattr(self.task, "twin_data"):
            self._fail(self.task.NAME, "task", "has a twin page but no twin_data(instance) in its __init__ "
                       "(see playwright_parity/README.md)")
            return self.result
        try:
            absent = vendor_missing(twin_path(self.task.NAME))
            self.spec = view_spec(self.task)
        except ValueError as exc:
            self._fail(self.task.NAME, "task", str(exc))
            return self.result
        if absent:
            self._fail(self.task.NAME, "page", f"the twin needs {', '.join(absent)}, not installed: {SETUP_HINT}")
            return self.result
        if self.spec is not None:
            self.result.view_3d = {"frames": 0, "iou_min": 1.0, "colour_mean_max": 0.0, "colour_mean": 0.0,
                                   "silhouette_pixels_min": None}
        query = f"theme={self.theme}&layout={self.layout}"
        try:
            self.b.load(twin_path(self.task.NAME), query)
        except TwinError as exc:
            self._fail(self.task.NAME, "page", str(exc))
            return self.result
        for ep in episodes:
            try:
                self._episode(ep)
            except PlaywrightError as exc:   # the twin threw: report it, go on with the next episode
                msg = str(exc).splitlines()[0]
                self._fail(f"{self.task.NAME} {ep.kind} seed {ep.seed}", "page", f"the twin threw: {msg}")
        if self.result.frames:
            self.result.pixel["mean"] = self._mean_sum / self.result.frames
        if self.result.view_3d and self.result.view_3d["frames"]:
            self.result.view_3d["colour_mean"] = self._colour_sum / self.result.view_3d["frames"]
        return self.result

    # -- one episode -------------------------------------------------------------------------
    def _episode(self, ep: Episode) -> None:
        env = simcore.make_env(self.task, ep.seed, self.theme, self.layout)
        self.b.fit(*env.window)
        self.b.page.evaluate("d => setTaskData(d)", jsonable(self.task.twin_data(env.instance)))
        self._check(env, ep, -1, None)
        for t, action in enumerate(ep.actions):
            env.act(action)
            self._check(env, ep, t, action)
        self.result.steps += len(ep.actions)

    def _check(self, env, ep: Episode, t: int, action) -> None:
        where = f"{self.task.NAME} {ep.kind} seed {ep.seed} step {t + 1}"
        lay = env.layout()
        py_key, points, expected = self._expected_hits(lay)
        got = json.loads(self.b.page.evaluate(_STEP_JS, json.dumps(None if action is None else action.to_json())))
        res = self.result
        res.states += 1
        diff = state_diff(self.task.state_to_json(env.state), got["state"])
        if diff:
            res.state_mismatches += 1
            self._fail(where, "state", diff)
        # A hit map depends only on the hit geometry (control rects, enabled flags, canvas rect):
        # each pair of simulator and DOM geometries is compared once, point by point.
        pair = (py_key, got["hitKey"])
        if pair not in self._hits_done:
            self._hits_done.add(pair)
            hits = json.loads(self.b.page.evaluate(_HITS_JS, json.dumps(points)))
            n_bad, first = hit_mismatches(points, expected, hits)
            res.hit_points += len(points)
            res.hit_maps += 1
            if n_bad:
                res.hit_mismatches += n_bad
                self._fail(where, "hit map", f"{n_bad} of {len(points)} points differ, first: {first[0]}")
        shot, frame = self.b.screenshot(), env.frame()
        # A 3-D view's pixels are judged by the 3-D tolerance; for the common figures they count as agreeing,
        # so the window's figures are normalized as for every task (whose canvas pixels mostly agree exactly).
        view = None if self.spec is None else self._check_view(where, lay, shot, frame, ep, t)
        judged = shot if view is None else np.where(view[:, :, None], frame, shot)
        stats = pixel_stats(judged, frame)
        res.frames += 1
        self._mean_sum += stats["mean"]
        px = res.pixel
        px["worst_mean"] = max(px["worst_mean"], stats["mean"])
        px["pct_over_8"] = max(px["pct_over_8"], stats["pct_over_8"])
        px["pct_over_32"] = max(px["pct_over_32"], stats["pct_over_32"])
        px["max"] = max(px["max"], stats["max"])
        crossed = self.thresholds.crossed(stats)
        if crossed:
            scope = "" if view is None else " outside the 3-D view"
            self._fail(where, "pixels", f"{', '.join(crossed)}{scope} (max {stats['max']}); worst region: "
                       f"{worst_region(judged, frame, lay)}", shot, frame, ep, t)

    def _check_view(self, where: str, lay, shot: np.ndarray, frame: np.ndarray, ep, t) -> np.ndarray | None:
        """The 3-D tolerance inside the declared view; returns the view's mask (bool [H, W])."""
        if lay.canvas is None:
            self._fail(where, "task", f"{self.task.NAME}.TWIN_3D: the view is the canvas, but this window has none")
            return None
        r = lay.canvas[1]
        got = view3d_stats(shot[r.y0:r.y1, r.x0:r.x1], frame[r.y0:r.y1, r.x0:r.x1], self.spec,
                           self.view_thresholds.floor_pixels)
        v = self.result.view_3d
        v["frames"] += 1
        self._colour_sum += got["colour_mean"]
        v["iou_min"] = min(v["iou_min"], got["iou_min"])
        v["colour_mean_max"] = max(v["colour_mean_max"], got["colour_mean"])
        n = got["silhouette_pixels"]
        v["silhouette_pixels_min"] = n if v["silhouette_pixels_min"] is None else min(v["silhouette_pixels_min"], n)
        crossed = self.view_thresholds.crossed(got)
        if crossed:
            self._fail(where, "3-D view", f"{', '.join(crossed)}; IoU per object "
                       f"{[None if x is None else round(x, 4) for x in got['iou']]}", shot, frame, ep, t)
        return rect_mask(shot.shape[:2], (r.x0, r.y0, r.x1, r.y1))

    def _expected_hits(self, lay):
        """Points and Python hit map, cached per hit geometry (control rects, enabled flags, canvas rect)."""
        key = (lay.width, lay.height, tuple((c.rect, c.action, c.enabled) for c in lay.controls),
               lay.canvas[1] if lay.canvas else None)
        got = self._hits_cache.get(key)
        if got is None:
            points = hit_points(lay)
            got = self._hits_cache[key] = (key, points, hit_map(lay, points))
        return got

    def _fail(self, where: str, check: str, message: str, shot=None, frame=None, ep=None, t=None) -> None:
        entry = {"where": where, "check": check, "message": message}
        if shot is not None and self.out is not None and len(self.result.images) < self.max_images:
            self.out.mkdir(parents=True, exist_ok=True)
            path = self.out / f"{self.task.NAME}_{ep.kind}_seed{ep.seed}_step{t + 1:03d}.png"
            Image.fromarray(side_by_side(shot, frame)).save(path)
            entry["image"] = str(path)
            self.result.images.append(str(path))
        self.result.failures.append(entry)
