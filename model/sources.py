"""Episode sources: where (frames, clicks, actions) come from, and how a predicted click is judged.

`SimSource` talks to `simcore` (the only package model/ may import for data).
`SyntheticSource` is a tiny numpy GUI (a dot on a canvas + "next"/"done"
buttons) with the same interface, for CPU tests and benchmarks that must not
depend on the simulator. A source is picklable (DataLoader workers).
"""
from __future__ import annotations

from dataclasses import dataclass

import zlib

import numpy as np

# Split ids as in simcore.seeding; evaluation reads "test", training "train".
SPLITS = {"train": 0, "val": 1, "test": 2}


@dataclass
class Episode:
    frames: np.ndarray  # uint8[T, H, W, 3] native window; frame t = screen before click t
    clicks: np.ndarray  # float64[T, 2] window pixels (x, y)
    window: tuple[int, int]  # (W, H)
    actions: list  # per step: an action object (Press(name) / Place(u, v))


def action_key(a) -> str:
    """'press:<name>' for a button, 'place' for a canvas click, 'none' for a missed click."""
    if a is None:
        return "none"
    name = getattr(a, "name", None)
    return f"press:{name}" if name is not None else "place"


class SimSource:
    """Episodes from `simcore.rollout` + `simcore.render_episode` (rendered in the caller's process)."""

    def _simcore(self):
        import simcore  # imported lazily: workers import it themselves, tests need not have it

        return simcore

    def task_names(self) -> list[str]:
        return list(self._simcore().task_names())

    def pretrain(self, name: str) -> bool:
        return bool(getattr(self._simcore().get_task(name), "PRETRAIN", True))

    def episode_seed(self, base: int, task: str, split: str, index: int) -> int:
        """simcore's seeding, so that windows name the same episodes as simcore-generated datasets."""
        return int(self._simcore().episode_seed(base, task, split, index))

    def episode(self, task: str, seed: int) -> Episode:
        sc = self._simcore()
        ep = sc.rollout(sc.get_task(task), seed)
        frames = np.asarray(sc.render_episode(ep))
        return Episode(frames, np.asarray(ep.clicks, dtype=np.float64), tuple(ep.window), list(ep.actions))

    def judge(self, task: str, seed: int, clicks_xy: dict[int, list[tuple[float, float]]]) -> dict[int, list]:
        """Hit-test clicks {step: [(x, y), ...]} in the GUI state before each step (teacher forcing:
        the recorded clicks are replayed in between). Returns {step: [action or None, ...]}."""
        sc = self._simcore()
        ep = sc.rollout(task, seed)
        env = sc.make_env(ep.task, ep.seed, ep.theme, ep.layout)
        out = {}
        last = max(clicks_xy) if clicks_xy else -1
        for t, (x, y) in enumerate(np.asarray(ep.clicks)):
            if t in clicks_xy:
                out[t] = [env.hit(float(x_), float(y_)) for x_, y_ in clicks_xy[t]]
            if t >= last:
                break
            env.click(float(x), float(y))
        return out


# ------------------------------------------------------------------------------ synthetic GUI


@dataclass(frozen=True)
class Press:
    name: str


@dataclass(frozen=True)
class Place:
    u: float
    v: float


class SyntheticSource:
    """A 160x120 window: a 100x100 canvas at (10,10) showing one red dot, and buttons "next"
    (116..150, 20..44) and "done" (116..150, 60..84). The expert clicks the dot, then "next"
    (a new dot appears), `n_dots` times, then "done". Tasks differ only in dot colour."""

    W, H = 160, 120
    CANVAS = (10, 10, 110, 110)
    BUTTONS = {"next": (116, 20, 150, 44), "done": (116, 60, 150, 84)}
    COLORS = {"synthetic_red": (220, 40, 40), "synthetic_blue": (40, 60, 220), "synthetic_heldout": (40, 180, 40)}

    def __init__(self, n_dots: int = 6):
        self.n_dots = n_dots

    def task_names(self) -> list[str]:
        return list(self.COLORS)

    def pretrain(self, name: str) -> bool:
        return name != "synthetic_heldout"

    def episode_seed(self, base: int, task: str, split: str, index: int) -> int:
        """Seeds whose residue mod 3 is the split id: splits never share an episode."""
        ss = np.random.SeedSequence([base, zlib.crc32(task.encode()), SPLITS[split], index])
        return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(3)) * 3 + SPLITS[split]

    def _plan(self, seed: int):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(max(1, self.n_dots - 2), self.n_dots + 1))  # varying length: exercises padding
        x0, y0, x1, y1 = self.CANVAS
        dots = rng.uniform([x0 + 5, y0 + 5], [x1 - 5, y1 - 5], size=(n, 2)).round()
        clicks, actions = [], []
        for d in dots:
            clicks.append(d)
            actions.append(Place((d[0] - x0) / (x1 - x0), (d[1] - y0) / (y1 - y0)))
            bx0, by0, bx1, by1 = self.BUTTONS["next"]
            clicks.append(np.array([(bx0 + bx1) / 2 + rng.normal(0, 2), (by0 + by1) / 2 + rng.normal(0, 2)]))
            actions.append(Press("next"))
        bx0, by0, bx1, by1 = self.BUTTONS["done"]
        clicks.append(np.array([(bx0 + bx1) / 2, (by0 + by1) / 2]))
        actions.append(Press("done"))
        return dots, np.array(clicks), actions

    def _frame(self, task: str, dot, placed: bool) -> np.ndarray:
        f = np.full((self.H, self.W, 3), 235, np.uint8)
        x0, y0, x1, y1 = self.CANVAS
        f[y0:y1, x0:x1] = 20
        for name, (a, b, c, d) in self.BUTTONS.items():
            f[b:d, a:c] = (180, 180, 190) if name == "next" else (150, 200, 150)
        if dot is not None:
            yy, xx = np.mgrid[0 : self.H, 0 : self.W]
            m = (xx - dot[0]) ** 2 + (yy - dot[1]) ** 2 <= 16
            f[m] = (255, 255, 255) if placed else self.COLORS[task]
        return f

    def episode(self, task: str, seed: int) -> Episode:
        dots, clicks, actions = self._plan(seed)
        frames = []
        for t in range(len(actions)):
            i = t // 2
            frames.append(self._frame(task, dots[i] if i < len(dots) else None, placed=t % 2 == 1))
        return Episode(np.stack(frames), clicks, (self.W, self.H), actions)

    def hit(self, x: float, y: float):
        for name, (a, b, c, d) in self.BUTTONS.items():
            if a <= x < c and b <= y < d:
                return Press(name)
        x0, y0, x1, y1 = self.CANVAS
        if x0 <= x < x1 and y0 <= y < y1:
            return Place((x - x0) / (x1 - x0), (y - y0) / (y1 - y0))
        return None

    def judge(self, task: str, seed: int, clicks_xy: dict[int, list[tuple[float, float]]]) -> dict[int, list]:
        return {t: [self.hit(x, y) for x, y in pts] for t, pts in clicks_xy.items()}


def make_source(name: str):
    if name == "sim":
        return SimSource()
    if name == "synthetic":
        return SyntheticSource()
    raise ValueError(f"source must be 'sim' or 'synthetic', got {name!r}")
