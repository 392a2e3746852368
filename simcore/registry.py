"""Task protocol and registry.

A task is a sub-package of `tasks/` whose `__init__` exposes:

| name | what |
|---|---|
| `NAME` | registered name (the package name) |
| `TITLE` | human title, e.g. "Colored Dot Tracking" |
| `PRETRAIN` | False for held-out tasks (Shape Matching), excluded from pre-training mixtures |
| `PAPER_LENGTH` | (min, max) episode length of the paper's Table 1 |
| `PRIMARY` | key of the paper's primary metric in `metrics()` |
| `STYLES` | annotator style names -> parameters; "default" always present |
| `make_instance(seed, **params)` | deterministic `Instance` |
| `validate_instance(instance)` | raises ValueError naming the bad field |
| `initial_state(instance)` | `State` (frozen dataclass) |
| `validate_state(state, instance)` | returns the state or raises ValueError naming the field |
| `state_to_json(state)` / `state_from_json(obj, instance)` | the JSON schema shared with the HTML twin |
| `view(state, instance, theme, layout)` | widget tree |
| `apply(state, action, instance)` | next `State`; invalid actions return the state unchanged |
| `plan(instance, rng, style)` | the virtual annotator's actions (tags mark mistakes/corrections) |
| `oracle(state, instance)` | greedy correct next action from any state |
| `metrics(state, instance)` | dict of the paper's metrics, including "primary" |
| `task_fields(state)` | per-step fields for datasets (z, frame index, selection…) |

Discovery walks `tasks/`'s sub-packages, so simcore never names a task.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

REQUIRED = ("NAME", "TITLE", "PRETRAIN", "PAPER_LENGTH", "PRIMARY", "STYLES", "make_instance",
            "validate_instance", "initial_state", "validate_state", "state_to_json", "state_from_json",
            "view", "apply", "plan", "oracle", "metrics", "task_fields")

_TASKS: dict[str, ModuleType] = {}


def _discover() -> list[str]:
    import tasks

    return sorted(m.name for m in pkgutil.iter_modules(tasks.__path__) if m.ispkg and not m.name.startswith("_"))


def task_names(pretrain_only: bool = False) -> list[str]:
    """Registered task names (sorted); `pretrain_only` drops held-out tasks."""
    names = _discover()
    return [n for n in names if get_task(n).PRETRAIN] if pretrain_only else names


def get_task(name: "str | ModuleType") -> ModuleType:
    """The task module registered under `name` (a clear error for unknown names)."""
    if isinstance(name, ModuleType):
        return name
    if name in _TASKS:
        return _TASKS[name]
    known = _discover()
    if name not in known:
        raise KeyError(f"unknown task {name!r}; registered tasks: {known}")
    module = importlib.import_module(f"tasks.{name}")
    missing = [attr for attr in REQUIRED if not hasattr(module, attr)]
    if missing:
        raise TypeError(f"task {name!r} does not implement the task protocol: missing {missing}")
    _TASKS[name] = module
    return module
