"""The did-you-mean of an error message: the known spellings closest to a
mistyped id or value (``difflib.get_close_matches``, ratio 0.6 or better)."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

MAX_SUGGESTIONS = 3
"""The most spellings one message suggests."""


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """`` (did you mean 'open'?)`` — the closest of ``known`` to ``value``,
    best first, or an empty text when none is close."""
    close = get_close_matches(value, sorted(set(known)), n=MAX_SUGGESTIONS)
    if not close:
        return ""
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)"


__all__ = ["MAX_SUGGESTIONS", "did_you_mean"]
