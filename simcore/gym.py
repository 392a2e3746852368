"""Gymnasium interface: every task as `annosim/<task>-v0`.

Observation: the frame (uint8 H×W×3). Action: a click, continuous window
coordinates (x, y). Reward: the change in the task's primary metric, so the
return of an episode is its final primary metric. Terminated when the
episode is done (Done pressed), truncated at `max_steps` (default: twice the
longest episode of the paper's Table 1, the paper's closed-loop limit).
`info` holds the fired action (JSON, None for an invalid click) and the
metrics; metrics that are undefined so far (NaN, e.g. an error over no
matched markers) are left out, so that equal steps give equal infos.
"""
from __future__ import annotations

import gymnasium
import numpy as np
from gymnasium import spaces

from gymnasium.vector import AutoresetMode, VectorEnv as GymVectorEnv
from gymnasium.vector.utils import batch_space

from .env import Env
from .registry import get_task, task_names
from .vector import VectorEnv


class AnnoEnv(gymnasium.Env):
    metadata = {"render_modes": ["rgb_array"]}

    def __init__(self, task: str, max_steps: int | None = None, theme: str = "dark", layout: str = "right",
                 render_mode: str | None = None):
        self.task = get_task(task)
        self.theme, self.layout = theme, layout
        self.max_steps = max_steps or 2 * self.task.PAPER_LENGTH[1]
        self.render_mode = render_mode
        self._env = Env(self.task, self.task.make_instance(0), theme=theme, layout=layout)
        w, h = self._env.window
        self.observation_space = spaces.Box(0, 255, (h, w, 3), np.uint8)
        self.action_space = spaces.Box(np.zeros(2, np.float32), np.array([w, h], np.float32), dtype=np.float32)
        self._steps = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        instance_seed = int(self.np_random.integers(0, 2**31 - 1))
        self._env = Env(self.task, self.task.make_instance(instance_seed), theme=self.theme, layout=self.layout)
        self._steps = 0
        self._primary = self._env.metrics()["primary"]
        defined = {k: v for k, v in self._env.metrics().items() if v == v}
        return self._env.frame(), {"instance_seed": instance_seed, "metrics": defined}

    def step(self, action):
        x, y = np.asarray(action, np.float64).reshape(2)
        step = self._env.click(x, y)
        self._steps += 1
        metrics = self._env.metrics()
        reward = float(metrics["primary"] - self._primary)
        self._primary = metrics["primary"]
        defined = {k: v for k, v in metrics.items() if v == v}
        info = {"action": None if step.action is None else step.action.to_json(), "metrics": defined}
        return self._env.frame(), reward, bool(step.done), self._steps >= self.max_steps and not step.done, info

    def render(self):
        return self._env.frame()


class AnnoVectorEnv(GymVectorEnv):
    """`num_envs` episodes of one task over a `simcore.VectorEnv` (one shared frame buffer).

    Autoreset is gymnasium's next-step mode: the step after an episode ends
    resets that env (reward 0) and returns its first frame.
    """

    metadata = {"render_modes": ["rgb_array"], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(self, task: str, num_envs: int, max_steps: int | None = None, theme: str = "dark",
                 layout: str = "right"):
        self.task = get_task(task)
        self.num_envs, self.theme, self.layout = num_envs, theme, layout
        self.max_steps = max_steps or 2 * self.task.PAPER_LENGTH[1]
        probe = AnnoEnv(task, max_steps, theme, layout)
        self.single_observation_space, self.single_action_space = probe.observation_space, probe.action_space
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self._vec: VectorEnv | None = None

    def _fresh(self) -> Env:
        seed = int(self.np_random.integers(0, 2**31 - 1))
        return Env(self.task, self.task.make_instance(seed), theme=self.theme, layout=self.layout)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self._vec = VectorEnv([self._fresh() for _ in range(self.num_envs)])
        self._steps = np.zeros(self.num_envs, np.int64)
        self._primary = np.array([e.metrics()["primary"] for e in self._vec.envs])
        self._ended = np.zeros(self.num_envs, bool)
        return self._vec.frames().copy(), {}

    def step(self, actions):
        actions = np.asarray(actions, np.float64).reshape(self.num_envs, 2)
        for i in np.flatnonzero(self._ended):
            self._vec.reset(i, self._fresh())
            self._steps[i], self._primary[i] = 0, self._vec.envs[i].metrics()["primary"]
        live = ~self._ended
        steps = self._vec.click(np.where(live[:, None], actions, np.nan))
        reward = np.zeros(self.num_envs)
        terminated = np.zeros(self.num_envs, bool)
        for i in np.flatnonzero(live):
            self._steps[i] += 1
            primary = self._vec.envs[i].metrics()["primary"]
            reward[i], self._primary[i] = primary - self._primary[i], primary
            terminated[i] = steps[i].done
        truncated = live & ~terminated & (self._steps >= self.max_steps)
        self._ended = terminated | truncated
        return self._vec.frames().copy(), reward, terminated, truncated, {}


def register_all() -> list[str]:
    """Register `annosim/<task>-v0` for every task; returns the ids."""
    ids = []
    for name in task_names():
        env_id = f"annosim/{name}-v0"
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point="simcore.gym:AnnoEnv", kwargs={"task": name},
                               vector_entry_point="simcore.gym:AnnoVectorEnv")
        ids.append(env_id)
    return ids


register_all()
