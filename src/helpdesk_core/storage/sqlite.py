"""The embedded default store: one SQLite file (stdlib ``sqlite3``).

A ticket is kept as its ticket-history JSON document plus the columns a query
needs (status, creation instant as UTC microseconds). WAL mode, foreign keys
on and a busy timeout, so a second process waits instead of failing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from helpdesk_core.errors import NotFound, StorageUnavailable
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.serialization import ticket_from_json, ticket_to_json_line
from helpdesk_core.storage.protocols import SaveSummary

SCHEMA_VERSION = 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        created_us INTEGER NOT NULL,
        status TEXT NOT NULL,
        version INTEGER NOT NULL,
        document TEXT NOT NULL
    );
    CREATE INDEX tickets_by_creation ON tickets (created_us, id);
    CREATE INDEX tickets_by_status ON tickets (status);
    """,
}


def _utc_microseconds(instant: datetime) -> int:
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class SqliteStore:
    """Tickets in an SQLite file; every batch save is one transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._migrate()
        except sqlite3.Error as error:
            raise StorageUnavailable(f"cannot open SQLite store {str(self.path)!r}: {error}") from error

    def _migrate(self) -> None:
        self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = self._db.execute("SELECT max(version) FROM schema_version").fetchone()
        current = row[0] or 0
        if current > SCHEMA_VERSION:
            raise StorageUnavailable(
                f"the store {str(self.path)!r} has schema version {current}, newer than this "
                f"helpdesk-core understands ({SCHEMA_VERSION}); upgrade helpdesk-core"
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _MIGRATIONS[version].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def save_tickets(self, tickets: Iterable[Ticket], *, dry_run: bool = False) -> SaveSummary:
        created = updated = unchanged = 0
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for ticket in tickets:
                document = ticket_to_json_line(ticket)
                row = self._db.execute(
                    "SELECT document, version FROM tickets WHERE id = ?", (ticket.id,)
                ).fetchone()
                if row is None:
                    created += 1
                    self._db.execute(
                        "INSERT INTO tickets (id, created_us, status, version, document) "
                        "VALUES (?, ?, ?, 1, ?)",
                        (ticket.id, _utc_microseconds(ticket.created_at), ticket.status, document),
                    )
                elif json.loads(row[0]) == json.loads(document):
                    unchanged += 1
                else:
                    updated += 1
                    self._db.execute(
                        "UPDATE tickets SET created_us = ?, status = ?, version = ?, document = ? "
                        "WHERE id = ?",
                        (
                            _utc_microseconds(ticket.created_at),
                            ticket.status,
                            row[1] + 1,
                            document,
                            ticket.id,
                        ),
                    )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("ROLLBACK" if dry_run else "COMMIT")
        return SaveSummary(created, updated, unchanged)

    def get_ticket(self, ticket_id: str) -> Ticket:
        row = self._db.execute("SELECT document FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise NotFound(f"ticket {ticket_id!r} not found")
        return ticket_from_json(row[0])

    def iter_tickets(self, *, status: str | None = None, batch_size: int = 1000) -> Iterator[Ticket]:
        """Keyset pagination over (created_us, id): each batch is a fresh query,
        so memory stays flat and no cursor is held open between batches."""
        after: tuple[int, str] = (-(2**62), "")
        where = "" if status is None else " AND status = ?"
        while True:
            params: tuple[object, ...] = (after[0], after[0], after[1])
            if status is not None:
                params = (*params, status)
            rows = self._db.execute(
                "SELECT created_us, id, document FROM tickets "
                "WHERE (created_us > ? OR (created_us = ? AND id > ?))" + where +
                " ORDER BY created_us, id LIMIT ?",
                (*params, batch_size),
            ).fetchall()
            if not rows:
                return
            for _, _, document in rows:
                yield ticket_from_json(document)
            after = (rows[-1][0], rows[-1][1])

    def count_tickets(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM tickets").fetchone()[0])

    def close(self) -> None:
        self._db.close()
