"""The annotation tasks of the paper, one sub-package each.

Each sub-package holds `world.py` (instances and their data rasters),
`annotator.py` (the virtual human: `plan` and `oracle`), `gui.py` (state,
`view`, `apply`) and `metrics.py`, and is found by `simcore.task_names()`.
`common.py` holds what several tasks share; it is not a task.
"""
