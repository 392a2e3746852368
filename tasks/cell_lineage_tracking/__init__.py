"""Cell Lineage Tracking (paper A.2.3): reconstruct a cell lineage tree from a dividing embryo.

Models developmental-biology lineage tracing: an oval embryo of Voronoi
cells divides from one root cell over 10 frames; the annotator marks the
root, then at each division selects the parent's marker and marks both
daughters. See `gui.py` for the action table and the semantics defined
here, `world.py` for the data, `annotator.py` for the behaviour,
`metrics.py` for the metrics.
"""
from .annotator import STYLES, oracle, plan
from .gui import (State, apply, initial_state, state_from_json, state_to_json, task_fields, twin_data, validate_state,
                  view)
from .metrics import PRIMARY, metrics
from .world import Instance, make_instance, validate_instance

NAME = "cell_lineage_tracking"
TITLE = "Cell Lineage Tracking"
PRETRAIN = True
PAPER_LENGTH = (50, 90)
