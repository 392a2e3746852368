"""Driving one task's twin and its simulator side by side, step by step.

For every step of an episode the page and `simcore.Env` get the same action;
after it (and once before the first) the harness compares the screenshot with
`Env.frame()`, the page's `getState()` with `state_to_json`, and the page's
hit map with `widgets.hit_test`. One `page.evaluate` per state does the action
and reads the state and the DOM's hit geometry (control rects, disabled flags,
canvas rect); the full hit map (a 4-px grid plus every control's border band,
~15k points, 0.5 s in Chromium) is compared once per distinct pair of
simulator and DOM geometry, since a hit map is a function of that geometry.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np
from PIL import Image

import simcore
from widgets import Place, Press

from .browser import WEB, Browser, jsonable
from .compare import (Thresholds, hit_map, hit_mismatches, hit_points, pixel_stats, side_by_side, state_diff,
                      worst_region)

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
    failures: list = field(default_factory=list)
    images: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {"task": self.task, "status": "fail" if self.failures else "pass", "episodes_steps": self.steps,
                "frames": self.frames, "pixels": self.pixel,
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
        if not hasattr(task, "twin_data"):
            raise TypeError(f"task {task.NAME!r} has a twin page but no twin_data(instance) "
                            "(see playwright_parity/README.md)")
        self.b, self.task, self.theme, self.layout = browser, task, theme, layout
        self.thresholds, self.out, self.max_images = thresholds, out, max_images
        self.result = TaskResult(task.NAME)
        self._mean_sum = 0.0
        self._hits_cache: dict = {}
        self._hits_done: set = set()

    def run(self, episodes: list[Episode]) -> TaskResult:
        query = f"theme={self.theme}&layout={self.layout}"
        self.b.load(twin_path(self.task.NAME), query)
        for ep in episodes:
            self._episode(ep)
        if self.result.frames:
            self.result.pixel["mean"] = self._mean_sum / self.result.frames
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
        stats = pixel_stats(shot, frame)
        res.frames += 1
        self._mean_sum += stats["mean"]
        px = res.pixel
        px["worst_mean"] = max(px["worst_mean"], stats["mean"])
        px["pct_over_8"] = max(px["pct_over_8"], stats["pct_over_8"])
        px["pct_over_32"] = max(px["pct_over_32"], stats["pct_over_32"])
        px["max"] = max(px["max"], stats["max"])
        crossed = self.thresholds.crossed(stats)
        if crossed:
            self._fail(where, "pixels", f"{', '.join(crossed)} (max {stats['max']}); worst region: "
                       f"{worst_region(shot, frame, lay)}", shot, frame, ep, t)

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
