"""Per-process copies of things read often and changed rarely, each kept under the version it was built from.

The version comes from the database with the row that owns the thing (e.g. `Survey.structure_version`), read
again on every request: a change committed through any app server gives a new version, and every server then
builds a new copy on its next request. Nothing is ever invalidated by time or by message, so several servers
stay coherent without sharing the cache. Values must be immutable: threads share them.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from flask import current_app

Value = TypeVar("Value")

DEFAULT_SIZE = 64


class VersionedCache(Generic[Value]):
    """At most `size` values, one per key, each valid for one version; the least recently used goes first."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, tuple[Hashable, Value]] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # how many values were built (tests and measurements read it)

    def get(self, key: Hashable, version: Hashable, build: Callable[[], Value]) -> Value:
        """The value of `key` at `version`, built by `build()` when the copy kept is missing or of another
        version. Two threads may build the same value at once: both results are equal, the last one is kept."""
        with self._lock:
            found = self._values.get(key)
            if found is not None and found[0] == version:
                self._values.move_to_end(key)
                return found[1]
        value = build()
        with self._lock:
            self.builds += 1
            self._values[key] = (version, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every value (nothing needs it for correctness: versions do the work)."""
        with self._lock:
            self._values.clear()


def versioned_cache(name: str, size: int = DEFAULT_SIZE) -> VersionedCache:
    """The current app's cache called `name`, made on first use (one per app, so that two apps of one process,
    as in the tests, never share values)."""
    caches = current_app.extensions.setdefault("consult_caches", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches.setdefault(name, VersionedCache(size))
    return cache
