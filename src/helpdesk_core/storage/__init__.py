"""Storage behind Protocols; a backend is chosen by URL.

``memory://`` keeps everything in the process; ``sqlite:///path`` (or a plain
file path) is the embedded default; ``postgresql://…`` reaches a PostgreSQL
server through psycopg 3 (the extra ``helpdesk-core[postgresql]``; without it,
:class:`~helpdesk_core.errors.MissingExtra` says so). Any other scheme is looked up among the entry points
of the group ``helpdesk_core.storage``: a third-party backend registers a
callable ``open(url: str) -> Store`` under its scheme name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from helpdesk_core.errors import ValidationError
from helpdesk_core.storage.memory import MemoryStore
from helpdesk_core.storage.protocols import (
    DEFAULT_BATCH_SIZE,
    Lookup,
    Reader,
    Repository,
    SaveSummary,
    Store,
    Stored,
    TicketPosition,
    TicketReader,
    TicketRepository,
    UnitOfWork,
    Writer,
    save_all,
)
from helpdesk_core.storage.sqlite import SqliteStore
from helpdesk_core.storage.urls import redacted, split_server_url

ENTRY_POINT_GROUP = "helpdesk_core.storage"
"""Where third-party backends register their opener, named by URL scheme."""


def _open_postgres(url: str) -> Store:
    from helpdesk_core.extras import require_extra

    require_extra("postgresql", "a PostgreSQL store")
    from helpdesk_core.storage.postgres import PostgresStore

    return PostgresStore(url)


_BUILT_IN: dict[str, Callable[[str], Store]] = {
    "memory": MemoryStore,
    "sqlite": lambda url: SqliteStore(url.removeprefix("sqlite:///"), url=url),
    "postgresql": _open_postgres,
    "postgres": _open_postgres,
}


def open_store(url: str) -> Store:
    """Open the store named by ``url``: ``memory://``, ``sqlite:///PATH``,
    ``postgresql://USER@HOST:PORT/DB``, a plain file path (SQLite), or a scheme
    registered in the ``helpdesk_core.storage`` entry-point group.

    Pending schema migrations are applied on open; a store written by a newer
    helpdesk-core raises :class:`StorageUnavailable` naming both versions.
    A malformed URL raises :class:`ValidationError`; no message shows the
    URL's password (see :func:`~helpdesk_core.storage.urls.redacted`).
    """
    if not url.strip():
        raise ValidationError("store URL is empty: give a file path, sqlite:///PATH, postgresql://… or memory://")
    if "://" not in url:
        return SqliteStore(url)
    scheme = url.split("://", 1)[0].lower()
    if scheme == "sqlite" and not url.startswith("sqlite:///"):
        raise ValidationError(f"SQLite store URL {redacted(url)!r}: expected sqlite:///PATH")
    if scheme in ("postgresql", "postgres"):
        split_server_url(url)
    opener = _BUILT_IN.get(scheme)
    if opener is None:
        from importlib.metadata import entry_points  # only for a third-party scheme (≈ 0.02 s)

        found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == scheme]
        if not found:
            raise ValidationError(
                f"unknown store URL scheme {scheme!r} in {redacted(url)!r} (expected memory://, "
                f"sqlite:///PATH, postgresql://… or a backend registered under the entry-point "
                f"group {ENTRY_POINT_GROUP!r})"
            )
        opener = cast(Callable[[str], Store], found[0].load())
    return opener(url)


TicketStore = Store
"""The foundation's name for a store, kept for callers that still use it."""

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ENTRY_POINT_GROUP",
    "Lookup",
    "MemoryStore",
    "Reader",
    "Repository",
    "SaveSummary",
    "SqliteStore",
    "Store",
    "Stored",
    "TicketPosition",
    "TicketReader",
    "TicketRepository",
    "TicketStore",
    "UnitOfWork",
    "Writer",
    "open_store",
    "redacted",
    "save_all",
]
