"""Digests of configuration values: the same text in every process for equal
values, so a store can record which configuration it computed something
under (the scheduler's wake-ups, the stored SLA states) and notice when the
configuration in use is another one. Pure: no I/O."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

import attrs


class _NoCanonicalForm(Exception):
    """A value of the configuration that has no stable text form."""


def _canonical(value: object) -> Any:
    """``value`` as plain JSON, the same in every process (sets and mappings
    sorted; attrs values by their compared fields, caches left out)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, enum.Enum):
        return [type(value).__qualname__, _canonical(value.value)]
    if isinstance(value, datetime | date | time | timedelta):
        return [type(value).__name__, str(value)]
    cls = type(value)
    if attrs.has(cls):
        compared = [f.name for f in attrs.fields(cls) if f.eq]
        return [cls.__qualname__, {name: _canonical(getattr(value, name)) for name in compared}]
    if isinstance(value, Mapping):
        items = [[_canonical(k), _canonical(v)] for k, v in value.items()]
        return ["map", sorted(items, key=json.dumps)]
    if isinstance(value, frozenset | set):
        return ["set", sorted((_canonical(v) for v in value), key=json.dumps)]
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    raise _NoCanonicalForm(type(value).__qualname__)


def digest(*values: object) -> str | None:
    """A 32-hex-digit digest of ``values``, equal for equal values in every
    process; None when one of them holds a value without a stable text form
    (the caller then cannot tell a change)."""
    try:
        text = json.dumps(_canonical(list(values)), separators=(",", ":"))
    except _NoCanonicalForm:
        return None
    return hashlib.sha256(text.encode()).hexdigest()[:32]


__all__ = ["digest"]
