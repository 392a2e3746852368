"""Neuron Tracking (paper A.2.2): track identical neurons through deforming tissue over 10 frames.

Models calcium-imaging analysis: 6–10 green Gaussian-blob neurons drift,
rotate and deform elastically; identity comes only from spatial continuity.
See `gui.py` for the action table and the semantics defined here,
`world.py` for the data, `annotator.py` for the behaviour, `metrics.py` for
the metrics.
"""
from .annotator import STYLES, oracle, plan
from .gui import (State, apply, initial_state, state_from_json, state_to_json, task_fields, twin_data, validate_state,
                  view)
from .metrics import PRIMARY, metrics
from .world import Instance, make_instance, validate_instance

NAME = "neuron_tracking"
TITLE = "Neuron Tracking"
PRETRAIN = True
PAPER_LENGTH = (155, 275)
