"""Road Network Construction (paper A.2.8): trace a road graph over an aerial-like image.

The annotator places nodes at road intersections and road ends, then
connects them with edges along the roads ("Connect to…" mode). See `gui.py`
for the action table, `world.py` for the data, `annotator.py` for the
behaviour, `metrics.py` for the metrics (Graph F1 primary).
"""
from .annotator import STYLES, oracle, plan
from .gui import (State, apply, initial_state, state_from_json, state_to_json, task_fields, twin_data, validate_state,
                  view)
from .metrics import PRIMARY, metrics
from .world import Instance, make_instance, validate_instance

NAME = "road_network_construction"
TITLE = "Road Network Construction"
PRETRAIN = True
PAPER_LENGTH = (30, 70)
