"""annosim's GUI toolkit: declarative widget trees, layout, hit-testing, Skia rasterization.

It knows nothing of tasks or of the simulator; a task's `view()` builds a
tree of these nodes and the simulator renders and hit-tests it.
"""
from .actions import Action, Place, Press, action_from_json, action_kind
from .hit import hit_test
from .layout import Control, Layout, LayoutError, Rect, layout
from .layouts import PANELS, window
from .memo import PANEL_LOOKS, by_identity, one_object
from .nodes import (Box, Button, Canvas, Circle, Column, Image, Label, Line, Picture, Polyline, Row, Spacer, Text)
from .raster import Renderer
from .theme import DARK, LIGHT, RETRO, THEMES, Theme, get_theme

__all__ = [
    "Action", "Place", "Press", "action_from_json", "action_kind", "hit_test", "Control", "Layout", "LayoutError",
    "Rect", "layout", "PANELS", "window", "PANEL_LOOKS", "by_identity", "one_object", "Box", "Button", "Canvas",
    "Circle", "Column", "Image", "Label", "Line", "Picture", "Polyline", "Row", "Spacer", "Text", "Renderer", "DARK",
    "LIGHT", "RETRO", "THEMES", "Theme", "get_theme",
]
