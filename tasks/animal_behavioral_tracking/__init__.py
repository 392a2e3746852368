"""Animal Behavioral Tracking (paper A.2.4): front and back markers on 4–8 animals over 10 frames.

Models behavioural tracking studies, where each animal's position and
orientation are annotated frame by frame and identity comes from continuity.
See `gui.py` for the action table, `world.py` for the data, `annotator.py`
for the behaviour, `metrics.py` for the metrics.
"""
from .annotator import STYLES, oracle, plan
from .gui import (State, apply, initial_state, state_from_json, state_to_json, task_fields, twin_data,
                  validate_state, view)
from .metrics import PRIMARY, metrics
from .world import Instance, make_instance, validate_instance

NAME = "animal_behavioral_tracking"
TITLE = "Animal Behavioral Tracking"
PRETRAIN = True
PAPER_LENGTH = (255, 540)
