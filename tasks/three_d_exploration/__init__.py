"""3D Exploration (paper A.2.9): rotate an object of five coloured spheres, then classify it.

Models active information gathering: from a random orientation some of the 9
arrangements (Table 3) look alike, so the annotator turns the object 30° at a
time (+X, −X, +Y, −Y) before picking one of 9 class buttons and confirming.
See `gui.py` for the action table, `world.py` for the objects, `render.py`
for the pyrender/EGL view and its cache, `annotator.py` for the behaviour,
`metrics.py` for the metrics.
"""
from .annotator import STYLES, oracle, plan
from .gui import (TWIN_3D, State, apply, initial_state, state_from_json, state_to_json, task_fields, twin_data,
                  validate_state, view)
from .metrics import PRIMARY, metrics
from .world import CLASSES, Instance, make_instance, validate_instance

NAME = "three_d_exploration"
TITLE = "3D Exploration"
PRETRAIN = True
PAPER_LENGTH = (5, 10)
