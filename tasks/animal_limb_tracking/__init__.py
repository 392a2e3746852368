"""Animal Limb Tracking (paper A.2.5): keypoints on birds, insects, spiders and snakes, inferred from shape.

Models pose-estimation annotation: keypoints are implicit (no markers on the
animal), limbs articulate between frames, and the annotator works through a
tabbed sidebar of keypoints by body part. See `gui.py` for the action table,
`world.py` for the data, `annotator.py` for the behaviour, `metrics.py` for
the metrics.
"""
from .annotator import STYLES, oracle, plan
from .gui import (State, apply, initial_state, state_from_json, state_to_json, task_fields, twin_data,
                  validate_state, view)
from .metrics import PRIMARY, metrics
from .world import Instance, make_instance, validate_instance

NAME = "animal_limb_tracking"
TITLE = "Animal Limb Tracking"
PRETRAIN = True
PAPER_LENGTH = (200, 660)
