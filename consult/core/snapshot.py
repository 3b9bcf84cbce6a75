"""Frozen snapshots of typed dataclasses as JSON values, and back: what a release stores and reads.

`dump` turns a dataclass (and what it holds: dataclasses, lists, tuples, enums, dates, numbers, text,
None) into plain JSON values; `load(SomeClass, value)` rebuilds it from the class's type hints. Only
the shapes used by stored results are supported; anything else raises TypeError rather than guessing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import types
import typing
from typing import Any


def dump(value: Any) -> Any:
    """A JSON-ready copy of `value` (dataclasses become objects keyed by field name)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        raise TypeError("datetimes are not stored in snapshots")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [dump(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in a snapshot")


def load(hint: Any, value: Any) -> Any:
    """Rebuild a value of type `hint` (a dataclass, list[X], tuple[X, Y], X | None…) from `dump`'s output."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        if len(options) != 1:
            raise TypeError(f"ambiguous union {hint}")
        return load(options[0], value)
    if origin is list:
        (item,) = typing.get_args(hint)
        return [load(item, v) for v in value]
    if origin is tuple:
        return tuple(load(item, v) for item, v in zip(typing.get_args(hint), value, strict=True))
    if dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        return hint(**{f.name: load(hints[f.name], value[f.name]) for f in dataclasses.fields(hint)
                       if f.init and f.name in value})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint is dt.date:
        return dt.date.fromisoformat(value)
    if hint is float:
        return None if value is None else float(value)
    if hint in (int, str, bool):
        return value
    raise TypeError(f"cannot rebuild {hint}")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)
