"""Storage behind Protocols; a backend is chosen by URL.

``memory://`` keeps everything in the process; ``sqlite:///path`` (or a plain
file path) is the embedded default.
"""

from __future__ import annotations

from helpdesk_core.errors import ValidationError
from helpdesk_core.storage.memory import MemoryStore
from helpdesk_core.storage.protocols import SaveSummary, TicketStore
from helpdesk_core.storage.sqlite import SqliteStore


def open_store(url: str) -> TicketStore:
    """Open the store named by ``url``: ``memory://``, ``sqlite:///path`` or a path."""
    if url == "memory://":
        return MemoryStore()
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"))
    if "://" in url:
        scheme = url.split("://", 1)[0]
        raise ValidationError(
            f"unknown store URL scheme {scheme!r} in {url!r} (expected memory:// or sqlite:///PATH)"
        )
    return SqliteStore(url)


__all__ = ["MemoryStore", "SaveSummary", "SqliteStore", "TicketStore", "open_store"]
