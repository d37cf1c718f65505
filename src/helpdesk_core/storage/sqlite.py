"""The embedded default store: one SQLite file through the stdlib ``sqlite3``.

Every connection runs in WAL mode, so readers never wait for the writer: a
read (and opening an up-to-date store, which only reads its schema version)
never takes the write lock. A unit of work is one ``BEGIN IMMEDIATE``
transaction on its own connection, begun at its first statement: writers are
serialised by SQLite and queue for the write lock for up to ``busy_timeout``
seconds (ten minutes by default), so concurrent imports run one after the
other instead of failing; a version check inside the transaction therefore
sees the latest commit. Reads outside a unit of work run in a short read
transaction each (a consistent snapshot per call, per batch while streaming).

Connections are kept in a small idle list and reused; they may move between
threads, but only one thread uses a connection at a time.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from helpdesk_core.errors import ConflictError, StorageUnavailable
from helpdesk_core.storage import migrations
from helpdesk_core.storage.protocols import DEFAULT_BATCH_SIZE, TextCell, TicketShortcuts
from helpdesk_core.storage.sql import (
    Borrow,
    Row,
    Session,
    SqlReaders,
    SqlRepositories,
    SqlTicketReader,
    SqlTicketRepository,
)

BACKEND = "sqlite"
BUSY_TIMEOUT = 600.0
"""Seconds a writer queues for the write lock (held by another writer's
transaction, in this process or another) before giving up with
:class:`StorageUnavailable`. Long, because a writer ahead in the queue may be
an import of 100,000 tickets; readers never wait for a writer at all."""
_RETRY_PAUSE = 0.05
"""Seconds between two attempts when SQLite refuses a lock without waiting
(e.g. two connections switching a new file to WAL at once)."""
_IDLE_CONNECTIONS = 4
"""Connections kept open for reuse; more are opened when threads need them."""


class SqliteSession:
    """Runs statements on one connection, translating ``sqlite3`` errors."""

    def __init__(self, db: sqlite3.Connection, where: str) -> None:
        self._db = db
        self._where = where

    def _execute(self, sql: str, params: Sequence[object]) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.IntegrityError as error:
            raise ConflictError(f"{self._where}: {error}") from error
        except sqlite3.Error as error:
            raise StorageUnavailable(f"SQLite store {self._where}: {error}") from error

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return self._execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        row: Row | None = self._execute(sql, params).fetchone()
        return row

    def run(self, sql: str, params: Sequence[object] = ()) -> int:
        return self._execute(sql, params).rowcount

    def run_many(self, sql: str, params: Iterable[Sequence[object]]) -> None:
        try:
            self._db.executemany(sql, params)
        except sqlite3.IntegrityError as error:
            raise ConflictError(f"{self._where}: {error}") from error
        except sqlite3.Error as error:
            raise StorageUnavailable(f"SQLite store {self._where}: {error}") from error


def _is_locked(error: sqlite3.Error) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED (with any extended code): another
    connection holds a lock this one needs."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class _WriteSession(SqliteSession):
    """A unit of work's session: ``BEGIN IMMEDIATE`` before its first statement
    and again after each commit or rollback."""

    def __init__(self, db: sqlite3.Connection, where: str, timeout: float) -> None:
        super().__init__(db, where)
        self._timeout = timeout

    def _execute(self, sql: str, params: Sequence[object]) -> sqlite3.Cursor:
        self.begin()
        return super()._execute(sql, params)

    def run_many(self, sql: str, params: Iterable[Sequence[object]]) -> None:
        self.begin()
        super().run_many(sql, params)

    def begin(self) -> None:
        """Take the write lock: queue behind other writers (SQLite's busy
        handler waits up to the busy timeout; a refusal without waiting is
        retried until then)."""
        if self._db.in_transaction:
            return
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if _is_locked(error) and time.monotonic() < deadline:
                    time.sleep(_RETRY_PAUSE)
                    continue
                if _is_locked(error):
                    raise StorageUnavailable(
                        f"SQLite store {self._where}: another writer kept the store locked for "
                        f"{self._timeout:g} s; nothing was written, try again"
                    ) from error
                raise StorageUnavailable(f"SQLite store {self._where}: cannot begin: {error}") from error
            except sqlite3.Error as error:
                raise StorageUnavailable(f"SQLite store {self._where}: cannot begin: {error}") from error

    def end(self, statement: str) -> None:
        if self._db.in_transaction:
            try:
                self._db.execute(statement)
            except sqlite3.Error as error:
                raise StorageUnavailable(f"SQLite store {self._where}: {statement}: {error}") from error


def _lend(session: Session) -> Borrow:
    @contextmanager
    def borrow() -> Iterator[Session]:
        yield session

    return borrow


class SqliteUnitOfWork(SqlRepositories):
    """One ``BEGIN IMMEDIATE`` transaction; rolled back unless committed."""

    def __init__(self, session: _WriteSession) -> None:
        self._session = session
        borrow = _lend(session)
        SqlRepositories.__init__(self, borrow)
        self.tickets = SqlTicketRepository(borrow)

    def commit(self) -> None:
        self._session.end("COMMIT")

    def rollback(self) -> None:
        self._session.end("ROLLBACK")


class SqliteStore(TicketShortcuts, SqlReaders):
    """Aggregates in an SQLite file: ``sqlite:///relative/path`` or
    ``sqlite:////absolute/path`` (or a plain path)."""

    def __init__(
        self, path: str | Path, *, url: str | None = None, busy_timeout: float = BUSY_TIMEOUT
    ) -> None:
        self.path = Path(path)
        self.url = url or f"sqlite:///{self.path}"
        self._where = repr(str(self.path))
        self._busy_timeout = busy_timeout
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        with self._connection() as db:
            self._version = self._recorded_version(db)
            if not migrations.is_current(self._version, BACKEND, self._where):
                session = _WriteSession(db, self._where, self._busy_timeout)
                try:
                    self._version = migrations.apply_pending(session, BACKEND, self._where)
                    session.end("COMMIT")
                finally:
                    session.end("ROLLBACK")
        borrow = self._reading
        SqlReaders.__init__(self, borrow)
        self.tickets = SqlTicketReader(borrow)

    def _recorded_version(self, db: sqlite3.Connection) -> int:
        """The store's schema version, read in a read transaction (0 for a new file)."""
        session = SqliteSession(db, self._where)
        session.run("BEGIN")
        try:
            if session.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"):
                return migrations.recorded_version(session)
            return 0
        finally:
            session.run("COMMIT")

    def _connect(self) -> sqlite3.Connection:
        deadline = time.monotonic() + self._busy_timeout
        while True:
            try:
                return self._configured(
                    sqlite3.connect(
                        self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
                    )
                )
            except sqlite3.OperationalError as error:
                # Switching a new file to WAL needs an exclusive lock, which SQLite may
                # refuse at once (not through the busy handler) when another process
                # switches it at the same moment: try again, it is over in a moment.
                if _is_locked(error) and time.monotonic() < deadline:
                    time.sleep(_RETRY_PAUSE)
                    continue
                raise self._unopenable(error) from error
            except sqlite3.Error as error:
                raise self._unopenable(error) from error

    def _configured(self, db: sqlite3.Connection) -> sqlite3.Connection:
        try:
            db.execute(f"PRAGMA busy_timeout={int(self._busy_timeout * 1000)}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA secure_delete=ON")
        except BaseException:
            db.close()
            raise
        return db

    def _unopenable(self, error: sqlite3.Error) -> StorageUnavailable:
        folder = self.path.parent
        if not folder.is_dir():  # what SQLite reports as "unable to open database file"
            return StorageUnavailable(
                f"cannot open SQLite store {self._where}: the folder {str(folder)!r} does not exist"
            )
        return StorageUnavailable(f"cannot open SQLite store {self._where}: {error}")

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._closed:
            raise StorageUnavailable(f"SQLite store {self._where} is closed")
        with self._lock:
            db = self._idle.pop() if self._idle else None
        if db is None:
            db = self._connect()
        try:
            yield db
        finally:
            if db.in_transaction:
                db.execute("ROLLBACK")
            with self._lock:
                keep = not self._closed and len(self._idle) < _IDLE_CONNECTIONS
                if keep:
                    self._idle.append(db)
            if not keep:
                db.close()

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._connection() as db:
            db.execute("BEGIN")
            yield SqliteSession(db, self._where)

    @contextmanager
    def unit_of_work(self) -> Iterator[SqliteUnitOfWork]:
        with self._connection() as db:
            session = _WriteSession(db, self._where, self._busy_timeout)
            uow = SqliteUnitOfWork(session)
            try:
                yield uow
            finally:
                session.end("ROLLBACK")

    def schema_version(self) -> int:
        return self._version

    def scan_text(self, *, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[TextCell]:
        """Every text value of every column of every table (SQLite types are per
        value, so every column is read and its text values kept); the key is
        the first primary-key column (a ticket's id for its event rows too)."""
        with self._reading() as session:
            tables = [
                r[0]
                for r in session.rows(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
        for table in tables:
            with self._connection() as db:
                db.execute("BEGIN")
                columns = db.execute(f'PRAGMA table_info("{table}")').fetchall()
                names = [c[1] for c in columns]
                keys = [c[1] for c in columns if c[5] == 1] or names[:1]
                listed = ", ".join(f'"{n}"' for n in (*keys, *names))
                cursor = db.execute(f'SELECT {listed} FROM "{table}"')
                while rows := cursor.fetchmany(batch_size):
                    for row in rows:
                        key = " ".join(str(v) for v in row[: len(keys)])
                        for name, value in zip(names, row[len(keys) :], strict=True):
                            if isinstance(value, str):
                                yield TextCell(table, key, name, value)
                            elif isinstance(value, bytes):
                                yield TextCell(table, key, name, value.decode("utf-8", "replace"))

    def scrub(self, tables: Sequence[str] = ()) -> str:
        """Checkpoint the WAL into the file and truncate it, rebuild the file with
        VACUUM, and truncate the WAL again (VACUUM's temporary copy holds only the
        live, already erased rows, and is deleted):
        afterwards neither the file, its free pages, nor the -wal file holds an
        erased value. ``secure_delete`` is on for every connection besides, so
        freed cells are zeroed as soon as they are freed."""
        with self._connection() as db:
            try:
                first = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                db.execute("VACUUM")
                last = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            except sqlite3.Error as error:
                raise StorageUnavailable(f"SQLite store {self._where}: scrub: {error}") from error
        if (first and first[0]) or (last and last[0]):
            raise StorageUnavailable(
                f"SQLite store {self._where}: another connection kept the WAL busy; "
                "nothing was lost, but run the scrub again (helpdesk privacy scrub) when it is idle"
            )
        return (
            "SQLite: freed cells zeroed (secure_delete), file rebuilt (VACUUM), WAL checkpointed "
            "and truncated; backups made before the erasure still hold the values (use replay)"
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()


__all__ = ["SqliteStore", "SqliteUnitOfWork"]
