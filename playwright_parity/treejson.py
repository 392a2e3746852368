"""A widget tree as the JSON that annosim.js mounts directly (for toolkit-level parity tests).

Twins build their trees in JS; this serialization lets a test hand any Python
tree to the page (`web/_toolkit.html`) and compare the two renderers on every
node type and theme without a task. Rasters stay numpy arrays: `jsonable`
turns them into PNG data URLs.
"""
from __future__ import annotations

import dataclasses

from widgets.nodes import Box, Button, Canvas, Circle, Image, Label, Line, Picture, Polyline, Text

_KINDS = {Box: "box", Button: "button", Label: "label", Canvas: "canvas", Picture: "picture"}
_ITEMS = {Circle: "circle", Line: "line", Polyline: "polyline", Text: "text"}


def tree_to_json(node) -> dict:
    kind = _KINDS.get(type(node))
    if kind is None:
        raise ValueError(f"tree: not a widget node: {type(node).__name__}")
    out = {"kind": kind}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if f.name == "children":
            value = [tree_to_json(c) for c in value]
        elif f.name == "items":
            value = [item_to_json(i) for i in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def item_to_json(item) -> dict:
    if isinstance(item, Image):
        return {"item": "image", "img": item.pixels, "smooth": item.smooth}
    kind = _ITEMS.get(type(item))
    if kind is None:
        raise ValueError(f"canvas item: unknown type {type(item).__name__}")
    out = {"item": kind}
    for f in dataclasses.fields(item):
        value = getattr(item, f.name)
        out[f.name] = [list(p) for p in value] if f.name == "points" else value
    return out
