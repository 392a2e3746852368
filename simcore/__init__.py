"""annosim's simulator core: task registry, `Env`, click realization, rollouts, seeding."""
from widgets import Action, Place, Press, action_kind

from .env import Env, Step, same_action
from .episode import Episode, make_env, render_episode, replay, rollout
from .registry import get_task, task_names
from .seeding import episode_seed

__all__ = ["Action", "Place", "Press", "action_kind", "Env", "Step", "same_action", "Episode", "make_env",
           "render_episode", "replay", "rollout", "get_task", "task_names", "episode_seed"]
