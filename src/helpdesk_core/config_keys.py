"""The one check that a configuration table holds only known keys: a leaf
module, so that every section's parser (``config``, ``routing.policy``) can
use it without importing the whole configuration."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from helpdesk_core.errors import ConfigError


def refuse_unknown_keys(table: Mapping[str, Any], known: Sequence[str], path: str) -> None:
    """Refuse a key not in ``known``, suggesting the closest one: a typo in a
    configuration must never be silently ignored."""
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            place = f"{path}.{key}" if path else str(key)
            raise ConfigError(f"{place}: unknown key (expected one of: {', '.join(known)}){hint}")


__all__ = ["refuse_unknown_keys"]
