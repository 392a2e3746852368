"""Memoised pixels of repainted rectangles (buttons, status lines), in a segmented LRU.

A rectangle's pixels are a function of the nodes painted into it, so the renderer
keeps the pixels it painted and copies them back when the same nodes come again.
A plain LRU of them thrashes in long episodes: every step's new status line goes
in once and is seldom met again, pushing out the buttons that come back every few
steps (Animal Limb Tracking repainted 1.1 buttons a frame). New tiles go to a
probation segment; a tile met again moves to the protected one, which tiles met
once never enter (the scan resistance of SLRU and 2Q caches).
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

PROTECTED_SHARE = 0.8   # of the budget, for tiles met at least twice


class Tiles:
    def __init__(self, budget_bytes: int):
        self.budget = budget_bytes
        self._probation: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._protected: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._probation_bytes = self._protected_bytes = 0

    def __len__(self) -> int:
        return len(self._probation) + len(self._protected)

    def get(self, key: tuple) -> np.ndarray | None:
        tile = self._protected.get(key)
        if tile is not None:
            self._protected.move_to_end(key)
            return tile
        tile = self._probation.pop(key, None)
        if tile is None:
            return None
        self._probation_bytes -= tile.nbytes
        self._protected[key] = tile
        self._protected_bytes += tile.nbytes
        while self._protected_bytes > PROTECTED_SHARE * self.budget:   # the coldest go back on probation
            old, pixels = self._protected.popitem(last=False)
            self._protected_bytes -= pixels.nbytes
            self._probation[old] = pixels
            self._probation_bytes += pixels.nbytes
        return tile

    def put(self, key: tuple, tile: np.ndarray) -> None:
        self._probation[key] = tile
        self._probation_bytes += tile.nbytes
        while self._probation_bytes + self._protected_bytes > self.budget:
            if self._probation:
                self._probation_bytes -= self._probation.popitem(last=False)[1].nbytes
            else:
                self._protected_bytes -= self._protected.popitem(last=False)[1].nbytes
