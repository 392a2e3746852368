"""Multichannel Image Alignment (paper A.2.6): place corresponding landmarks across misaligned channels.

The same scene (synthetic or a natural photograph) is shown through 3–6
channels, each with its own appearance and geometric distortion; the
annotator places every landmark on every channel. See `gui.py` for the action
table and the semantics chosen where the paper is silent, `world.py` and
`scenes.py` for the data, `annotator.py` for the behaviour, `metrics.py` for
the metrics.
"""
from .annotator import STYLES, oracle, plan
from .gui import (State, apply, initial_state, state_from_json, state_to_json, task_fields, twin_data, validate_state,
                  view)
from .metrics import PRIMARY, metrics
from .world import Instance, make_instance, validate_instance

NAME = "multichannel_image_alignment"
TITLE = "Multichannel Image Alignment"
PRETRAIN = True
PAPER_LENGTH = (20, 65)
