"""Memoising the pure parts of a view by the identity of their arguments.

A view runs once per state, and consecutive states share most of their fields
as the same objects (`dataclasses.replace` keeps every field it does not
change): the markers tuple of an annotation that only navigated is the very
object of the state before. `by_identity` returns a function's last results for
arguments that *are* the same objects (checked with `is`, never by value, so a
hit costs a few pointer comparisons however long a tuple is) and the same
result objects, which the renderer's caches and damage tracking also key by.
Only for pure functions of immutable arguments.
"""
from __future__ import annotations

from functools import wraps
from operator import is_

# A control panel is a function of a few flags and a selection: an episode meets tens of its looks, in no
# order (Animal Behaviour's panel missed 43 % of views with 16 kept, 5 % with 128).
PANEL_LOOKS = 128


def by_identity(maxsize: int = 16):
    def decorate(fn):
        cache: dict[tuple, tuple] = {}

        @wraps(fn)
        def memoised(*args):
            key = tuple(map(id, args))
            hit = cache.get(key)
            if hit is not None and all(map(is_, hit[0], args)):
                return hit[1]
            value = fn(*args)
            if len(cache) >= maxsize:
                try:
                    del cache[next(iter(cache))]
                except (KeyError, StopIteration, RuntimeError):   # another thread evicted first
                    pass
            cache[key] = (args, value)   # the arguments are kept alive, so their ids stay theirs
            return value

        memoised.cache_clear = cache.clear
        return memoised

    return decorate


_ONE: dict = {}


def one_object(value):
    """`value`, or the equal value handed out before: one object per value (hashable ones), so that what is
    built from it hits `by_identity` memos however it was computed (a set of placed points, say)."""
    if len(_ONE) > 4096:
        _ONE.clear()
    return _ONE.setdefault(value, value)
