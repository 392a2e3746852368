"""Colored Dot Tracking (paper A.2.1): trace a trajectory of coloured dots through z-slices.

Models connectomics proofreading: navigate a volume slice by slice and place
markers on the dots in colour order (blue first, red last). See `gui.py` for
the action table, `world.py` for the data, `annotator.py` for the behaviour,
`metrics.py` for the metrics.
"""
from .annotator import STYLES, oracle, plan
from .gui import (State, apply, initial_state, state_from_json, state_to_json, task_fields, validate_state, view)
from .metrics import PRIMARY, metrics
from .world import Instance, make_instance, validate_instance

NAME = "colored_dot_tracking"
TITLE = "Colored Dot Tracking"
PRETRAIN = True
PAPER_LENGTH = (100, 170)
