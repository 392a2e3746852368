"""annosim's simulator core: task registry, `Env`, click realization, rollouts, seeding."""
from widgets import Action, Place, Press, action_kind

from .env import Env, Step, same_action
from .episode import Episode, make_env, render_episode, replay, rollout
from .vector import VectorEnv
from .registry import get_task, task_names
from .seeding import episode_seed

__all__ = ["Action", "Place", "Press", "action_kind", "Env", "Step", "same_action", "Episode", "make_env",
           "render_episode", "replay", "rollout", "VectorEnv", "get_task", "task_names", "episode_seed"]


def __getattr__(name: str):
    # `simcore.dataset` and `simcore.frames` pull in zarr: imported on first use, not with simcore
    if name in ("dataset", "frames"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
