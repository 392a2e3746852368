"""Abstract GUI actions: what a click means once hit-testing has read it.

`tag` marks an annotator's intent ("mistake", "correction", "explore",
"verify"); it travels with the plan into datasets but never takes part in
equality, so a realized click that hit-tests to the same control is the same
action.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Press:
    """A button press, by the control's action name."""

    name: str
    tag: str = field(default="", compare=False)

    def to_json(self) -> dict:
        return {"type": "press", "name": self.name}


@dataclass(frozen=True)
class Place:
    """A canvas click at normalized canvas coordinates (u right, v down, in [0, 1))."""

    u: float
    v: float
    tag: str = field(default="", compare=False)

    def to_json(self) -> dict:
        return {"type": "place", "u": self.u, "v": self.v}

    def close_to(self, other: "Place", tol: float = 1e-9) -> bool:
        return abs(self.u - other.u) <= tol and abs(self.v - other.v) <= tol


Action = Union[Press, Place]


def action_from_json(obj: dict) -> Action:
    """Inverse of `to_json`; raises ValueError naming what is wrong."""
    if not isinstance(obj, dict) or obj.get("type") not in ("press", "place"):
        raise ValueError(f"action: expected {{'type': 'press'|'place', ...}}, got {obj!r}")
    if obj["type"] == "press":
        name = obj.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"action.name: expected a non-empty string, got {name!r}")
        return Press(name)
    u, v = obj.get("u"), obj.get("v")
    for key, val in (("u", u), ("v", v)):
        if not isinstance(val, (int, float)) or not (0.0 <= float(val) <= 1.0):
            raise ValueError(f"action.{key}: expected a number in [0, 1], got {val!r}")
    return Place(float(u), float(v))


def action_kind(action: Action | None) -> str:
    """'place', the pressed control's name, or 'invalid' for a click that hit nothing."""
    if action is None:
        return "invalid"
    return "place" if isinstance(action, Place) else action.name
