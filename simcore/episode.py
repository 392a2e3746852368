"""Episodes: an annotator's plan realized as clicks, and their frames re-rendered on demand.

An episode is `(task, seed, style, clicks)`; everything else is derived:
the instance from the seed, the actions from hit-testing the clicks, and the
frames by re-rendering (frame t is the window just before click t).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable

import numpy as np

from widgets import Action, Place

from .env import Env, same_action
from .registry import get_task
from .seeding import click_rng, plan_rng


@dataclass
class Episode:
    task: str
    seed: int
    style: str
    clicks: np.ndarray            # float64[T, 2] window pixels (x, y)
    actions: list[Action]         # fired by each click; tags carry the annotator's intent
    window: tuple[int, int]       # (W, H)
    theme: str = "dark"
    layout: str = "right"
    metrics: dict = field(default_factory=dict)  # of the final state

    def __len__(self) -> int:
        return len(self.actions)

    @property
    def is_mistake(self) -> np.ndarray:
        return np.array([a.tag == "mistake" for a in self.actions], bool)

    @property
    def is_correction(self) -> np.ndarray:
        return np.array([a.tag == "correction" for a in self.actions], bool)


def make_env(task: "ModuleType | str", seed: int, theme: str = "dark", layout: str = "right") -> Env:
    task = get_task(task)
    return Env(task, task.make_instance(seed), theme=theme, layout=layout)


def rollout(task: "ModuleType | str", seed: int, style: str = "default", theme: str = "dark",
            layout: str = "right", before_click: "Callable[[int, Env], None] | None" = None) -> Episode:
    """Run the task's annotator plan for episode `seed` through `Env.click`.

    Every click is realized from the intended action and must hit-test back to
    it; a mismatch is a bug in the task's GUI or plan and raises.
    `before_click(t, env)` sees the env in the state of frame t (datasets read
    per-step task fields there without replaying the episode).
    """
    task = get_task(task)
    if style not in task.STYLES:
        raise ValueError(f"style: unknown annotator style {style!r} for {task.NAME}; known: {sorted(task.STYLES)}")
    env = make_env(task, seed, theme, layout)
    plan = task.plan(env.instance, plan_rng(seed), style)
    rng = click_rng(seed)
    clicks, actions = np.empty((len(plan), 2)), []
    window = env.window
    for t, intended in enumerate(plan):
        x, y = env.realize(intended, rng)
        fired = env.hit(x, y)
        if not same_action(intended, fired):
            raise AssertionError(f"{task.NAME} seed {seed} step {t}: click ({x:.2f}, {y:.2f}) for {intended} "
                                 f"hit-tests to {fired}")
        if before_click is not None:
            before_click(t, env)
        env.click(x, y)
        clicks[t] = (x, y)
        # keep what the click fired (its u, v) with the annotator's intent tag
        actions.append(Place(fired.u, fired.v, tag=intended.tag) if isinstance(fired, Place) else intended)
        if env.done and t != len(plan) - 1:
            raise AssertionError(f"{task.NAME} seed {seed}: episode done at step {t} of a {len(plan)}-step plan")
    return Episode(task.NAME, seed, style, clicks, actions, window, theme, layout, env.metrics())


def replay(episode: Episode) -> Env:
    """Re-run an episode's clicks; returns the env in its final state."""
    env = make_env(episode.task, episode.seed, episode.theme, episode.layout)
    for x, y in episode.clicks:
        env.click(x, y)
    return env


def render_episode(episode: Episode, out: np.ndarray | None = None) -> np.ndarray:
    """Frames uint8[T, H, W, 3]: frame t is the window before click t."""
    env = make_env(episode.task, episode.seed, episode.theme, episode.layout)
    w, h = episode.window
    if out is None:
        out = np.empty((len(episode), h, w, 3), np.uint8)
    for t, (x, y) in enumerate(episode.clicks):
        env.frame(out[t])
        env.click(x, y)
    return out
