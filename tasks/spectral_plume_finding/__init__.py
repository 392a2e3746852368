"""Spectral Plume Finding (paper A.2.7): find the plumes present in exactly 3 of 5 bands and outline them.

See `gui.py` for the action table and the semantics chosen where the paper
is silent, `world.py` and `terrain.py` for the data, `annotator.py` for the
behaviour, `metrics.py` for the metrics.
"""
from .annotator import STYLES, oracle, plan
from .gui import (State, apply, initial_state, state_from_json, state_to_json, task_fields, twin_data, validate_state,
                  view)
from .metrics import PRIMARY, metrics
from .world import Instance, make_instance, validate_instance

NAME = "spectral_plume_finding"
TITLE = "Spectral Plume Finding"
PRETRAIN = True
PAPER_LENGTH = (55, 125)
