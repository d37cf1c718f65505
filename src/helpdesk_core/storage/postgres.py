"""A PostgreSQL store through psycopg 3: ``postgresql://USER@HOST:PORT/DB``.

The tables are those of the SQLite store (see ``migrations/postgresql``) and
the repositories are shared (:mod:`helpdesk_core.storage.sql`). A unit of work
is one READ COMMITTED transaction on its own connection; versions are checked
by ``UPDATE … WHERE version = ?``, whose row lock makes a second writer wait
for the first and then find the version changed: :class:`ConflictError`.
Reads outside a unit of work run in a short REPEATABLE READ, READ ONLY
transaction each. Streaming tickets uses a server-side (named) cursor, so the
whole stream is one snapshot and the client holds one batch at a time.

Connections come from a ``psycopg_pool.ConnectionPool`` of ``pool_size``
connections (a query parameter of the URL, default 4); ``pool_size=0`` opens a
fresh connection for each operation instead. Other query parameters (e.g.
``options=-csearch_path%3Dtenant``) go to libpq unchanged.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import errors as pg_errors

from helpdesk_core.errors import ConflictError, StorageUnavailable, ValidationError
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.storage import migrations
from helpdesk_core.storage.documents import from_utc_microseconds, ticket_from_documents
from helpdesk_core.storage.protocols import (
    DEFAULT_BATCH_SIZE,
    Stored,
    TextCell,
    TicketPosition,
    TicketShortcuts,
    TicketWithSlaState,
)
from helpdesk_core.storage.sql import (
    Borrow,
    Row,
    Session,
    SqlReaders,
    SqlRepositories,
    SqlTicketReader,
    SqlTicketRepository,
    position_bounds,
    ticket_filter,
)
from helpdesk_core.storage.sql_desk import SqlSchedule
from helpdesk_core.storage.urls import redacted

BACKEND = "postgresql"
DEFAULT_POOL_SIZE = 4
"""Connections in the pool unless the URL says ``pool_size=N``."""
CONNECT_TIMEOUT = 10.0
"""Seconds to wait for the server (or a free pooled connection)."""
_MIGRATION_LOCK = 0x48454C50
"""Advisory lock key held while migrating, so two processes opening at once
apply each migration once."""
_CONFLICTS = (
    pg_errors.IntegrityError,
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
)
_cursor_names = itertools.count(1)


def _placeholders(sql: str) -> str:
    return sql.replace("?", "%s")


class PostgresSession:
    """Runs ``?``-style statements on one psycopg connection, translating errors."""

    def __init__(self, conn: psycopg.Connection[Row], where: str) -> None:
        self.conn = conn
        self._where = where

    def _execute(self, sql: str, params: Sequence[object]) -> psycopg.Cursor[Row]:
        try:
            return self.conn.execute(_placeholders(sql), params)
        except _CONFLICTS as error:
            raise ConflictError(f"{self._where}: {error}") from error
        except psycopg.Error as error:
            raise StorageUnavailable(f"PostgreSQL store {self._where}: {error}") from error

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return self._execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        return self._execute(sql, params).fetchone()

    def run(self, sql: str, params: Sequence[object] = ()) -> int:
        return self._execute(sql, params).rowcount

    def run_many(self, sql: str, params: Iterable[Sequence[object]]) -> None:
        try:
            with self.conn.cursor() as cursor:
                cursor.executemany(_placeholders(sql), params)
        except _CONFLICTS as error:
            raise ConflictError(f"{self._where}: {error}") from error
        except psycopg.Error as error:
            raise StorageUnavailable(f"PostgreSQL store {self._where}: {error}") from error

    def finish(self, commit: bool) -> None:
        """End the transaction: commit (a refused commit is a conflict) or roll back."""
        try:
            if commit:
                self.conn.commit()
            else:
                self.conn.rollback()
        except _CONFLICTS as error:
            raise ConflictError(f"{self._where}: commit refused: {error}") from error
        except psycopg.Error as error:
            raise StorageUnavailable(f"PostgreSQL store {self._where}: {error}") from error


class PostgresTicketReader(SqlTicketReader):
    """Streams tickets through a server-side cursor: one snapshot, one batch in memory."""

    def __init__(self, borrow: Borrow) -> None:
        super().__init__(borrow)

    def _many_sql(self, count: int) -> str:
        return (
            "SELECT t.id, t.created_us, t.version, t.header, t.event_count, CASE WHEN t.event_count <> 0 "
            "THEN (SELECT string_agg(e.seq::text, ',' ORDER BY e.seq) || ';' || "
            "string_agg(e.document, ',' ORDER BY e.seq) FROM ticket_events e WHERE e.ticket_id = t.id) END "
            f"FROM tickets t WHERE t.id IN ({', '.join('?' * count)})"
        )

    def iter_tickets(
        self,
        *,
        after: TicketPosition | None = None,
        status: str | None = None,
        company: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        through: TicketPosition | None = None,
        active_since: datetime | None = None,
    ) -> Iterator[Stored[Ticket]]:
        where, filters = ticket_filter(status, company, active_since)
        bounds, positions = position_bounds(after, through)
        where, params = where + bounds, (*filters, *positions)
        sql = (
            "SELECT t.version, t.header, (SELECT string_agg(e.document, ',' ORDER BY e.seq) "
            "FROM ticket_events e WHERE e.ticket_id = t.id) FROM tickets t WHERE true"
            + where.replace(" status", " t.status").replace(" company", " t.company")
            + " ORDER BY t.created_us, t.id"
        )
        with self._borrow() as session:
            assert isinstance(session, PostgresSession)
            name = f"helpdesk_tickets_{next(_cursor_names)}"
            try:
                with session.conn.cursor(name=name) as cursor:
                    cursor.itersize = batch_size
                    cursor.execute(_placeholders(sql), params)
                    while True:
                        rows = cursor.fetchmany(batch_size)
                        for version, header, events in rows:
                            yield Stored(ticket_from_documents(header, events), version)
                        if len(rows) < batch_size:
                            return
            except psycopg.Error as error:
                raise StorageUnavailable(f"PostgreSQL store: streaming tickets: {error}") from error

    def iter_with_sla_states(
        self,
        fingerprint: str,
        *,
        after: TicketPosition | None = None,
        through: TicketPosition | None = None,
        company: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Iterator[TicketWithSlaState]:
        where, filters = ticket_filter(None, company)
        bounds, positions = position_bounds(after, through)
        where, params = where.replace(" company", " t.company") + bounds, (*filters, *positions)
        sql = (
            "SELECT id, created_us, company, unusable, CASE WHEN unusable IS NULL THEN document END, "
            "CASE WHEN unusable IS NOT NULL THEN header END, CASE WHEN unusable IS NOT NULL THEN "
            "(SELECT string_agg(e.document, ',' ORDER BY e.seq) FROM ticket_events e "
            "WHERE e.ticket_id = x.id) END FROM (SELECT t.id, t.created_us, t.company, t.header, s.document, "
            f"{_UNUSABLE} AS unusable FROM tickets t LEFT JOIN ticket_sla s ON s.ticket_id = t.id "
            f"WHERE true{where}) x ORDER BY created_us, id"
        )
        with self._borrow() as session:
            assert isinstance(session, PostgresSession)
            name = f"helpdesk_tickets_{next(_cursor_names)}"
            try:
                with session.conn.cursor(name=name) as cursor:
                    cursor.itersize = batch_size
                    cursor.execute(_placeholders(sql), (fingerprint, *params))
                    while True:
                        rows = cursor.fetchmany(batch_size)
                        for id, created, firm, unusable, document, header, events in rows:
                            yield TicketWithSlaState(
                                id, from_utc_microseconds(created), firm, document,
                                None if unusable is None else ticket_from_documents(header, events),
                                unusable,
                            )  # fmt: skip
                        if len(rows) < batch_size:
                            return
            except psycopg.Error as error:
                raise StorageUnavailable(f"PostgreSQL store: streaming tickets: {error}") from error


_UNUSABLE = (
    "CASE WHEN s.ticket_id IS NULL THEN 'missing' WHEN s.ticket_version <> t.version THEN 'stale' "
    "WHEN s.fingerprint <> ? THEN 'configuration' END"
)
"""Why a ticket's SLA state cannot be read (NULL: it can); one parameter, the fingerprint."""


class PostgresTicketRepository(SqlTicketRepository, PostgresTicketReader):
    """Reads and writes tickets in a PostgreSQL unit of work."""


class PostgresUnitOfWork(SqlRepositories):
    """One transaction on one connection; rolled back unless committed."""

    def __init__(self, session: PostgresSession) -> None:
        self._session = session

        @contextmanager
        def borrow() -> Iterator[Session]:
            yield session

        SqlRepositories.__init__(self, borrow)
        self.tickets = PostgresTicketRepository(borrow)
        self.schedule = SqlSchedule(borrow, lock=" FOR UPDATE")

    def commit(self) -> None:
        self._session.finish(commit=True)

    def rollback(self) -> None:
        self._session.finish(commit=False)


def _split_url(url: str) -> tuple[str, int, str]:
    """The libpq URL without our own parameters, the pool size, and a label
    for messages (without the password)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    ours = {k: v for k, v in query if k == "pool_size"}
    rest = [(k, v) for k, v in query if k != "pool_size"]
    try:
        pool_size = int(ours.get("pool_size", DEFAULT_POOL_SIZE))
    except ValueError:
        raise ValidationError(
            f"PostgreSQL URL: pool_size={ours['pool_size']!r} is not a whole number"
        ) from None
    conninfo = urlunsplit(parts._replace(query=urlencode(rest)))
    label = redacted(urlunsplit(parts._replace(query="")))
    return conninfo, pool_size, label


class _SharedRead:
    """The read transaction a thread has open, and how many reads use it."""

    def __init__(self, session: PostgresSession, release: ExitStack) -> None:
        self.session = session
        self.release = release
        self.users = 0


class PostgresStore(TicketShortcuts, SqlReaders):
    """Aggregates in a PostgreSQL database; see the module docstring."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conninfo, pool_size, self._where = _split_url(url)
        self._pool = None
        self._pool_size = pool_size
        self._local = threading.local()
        try:
            # One direct connection first: an unreachable server fails at once with
            # the driver's reason, instead of a pool retrying (and logging) in the background.
            psycopg.connect(self._conninfo, connect_timeout=int(CONNECT_TIMEOUT)).close()
            if pool_size > 0:
                from psycopg_pool import ConnectionPool

                self._pool = ConnectionPool(
                    self._conninfo,
                    min_size=1,
                    max_size=pool_size,
                    timeout=CONNECT_TIMEOUT,
                    open=True,
                    kwargs={"connect_timeout": int(CONNECT_TIMEOUT)},
                )
                self._pool.wait(timeout=CONNECT_TIMEOUT)
            with self._connection() as conn:
                session = PostgresSession(conn, self._where)
                self._version = self._recorded_version(session)
                session.finish(commit=False)
                if not migrations.is_current(self._version, BACKEND, self._where):
                    session.run("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
                    self._version = migrations.apply_pending(session, BACKEND, self._where)
                    session.finish(commit=True)
        except (psycopg.Error, OSError) as error:
            if isinstance(error, StorageUnavailable):
                self.close()
                raise
            self.close()
            raise StorageUnavailable(f"cannot open PostgreSQL store {self._where}: {error}") from error
        except BaseException:
            self.close()
            raise
        borrow = self._reading
        SqlReaders.__init__(self, borrow)
        self.tickets = PostgresTicketReader(borrow)

    @staticmethod
    def _recorded_version(session: PostgresSession) -> int:
        """The schema version, read without taking any lock (0 for a new schema)."""
        row = session.one("SELECT to_regclass('schema_version') IS NOT NULL")
        return migrations.recorded_version(session) if row is not None and row[0] else 0

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Row]]:
        """A connection with no transaction open; whatever is left open when it
        comes back is rolled back."""
        try:
            if self._pool is not None:
                with self._pool.connection() as conn:
                    try:
                        yield conn
                    finally:
                        conn.rollback()
            else:
                with psycopg.connect(self._conninfo, connect_timeout=int(CONNECT_TIMEOUT)) as conn:
                    try:
                        yield conn
                    finally:
                        conn.rollback()
        except psycopg.OperationalError as error:
            raise StorageUnavailable(f"PostgreSQL store {self._where}: {error}") from error

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        """A read-only snapshot for one read, on a connection of its own.

        With ``pool_size=1`` a second connection would wait for the one its own
        thread holds, so there a read that begins while another of the same
        thread is still open (a lookup per ticket while tickets stream past)
        shares that read's connection and snapshot; the connection goes back
        when the last of them ends, whichever that is. No unit of work can
        commit in between (see :meth:`unit_of_work`), so the shared snapshot
        is never older than what the thread wrote. Larger pools keep a
        snapshot per read."""
        if self._pool_size != 1:
            with self._connection() as conn:
                session = PostgresSession(conn, self._where)
                session.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield session
            return
        if getattr(self._local, "writing", False):
            raise StorageUnavailable(self._nested("a read was begun while a unit of work", "finish writing"))
        shared: _SharedRead | None = getattr(self._local, "read", None)
        if shared is None:
            with ExitStack() as stack:
                conn = stack.enter_context(self._connection())
                session = PostgresSession(conn, self._where)
                session.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                shared = _SharedRead(session, stack.pop_all())
            self._local.read = shared
        shared.users += 1
        try:
            yield shared.session
        finally:
            shared.users -= 1
            if shared.users == 0:
                self._local.read = None
                shared.release.close()

    def _nested(self, what: str, advice: str) -> str:
        return (
            f"PostgreSQL store {self._where}: {what} of the same thread is still open, and the pool has "
            f"one connection ({advice} first; this is a helpdesk-core defect)"
        )

    @contextmanager
    def unit_of_work(self) -> Iterator[PostgresUnitOfWork]:
        if self._pool_size != 1:
            with self._connection() as conn:
                yield PostgresUnitOfWork(PostgresSession(conn, self._where))
            return
        # With one connection, anything else this thread begins meanwhile would wait for itself.
        if getattr(self._local, "read", None) is not None:
            raise StorageUnavailable(self._nested("a unit of work was begun while a read", "finish reading"))
        if getattr(self._local, "writing", False):
            raise StorageUnavailable(self._nested("a unit of work was begun while another", "commit it"))
        with self._connection() as conn:
            self._local.writing = True
            try:
                yield PostgresUnitOfWork(PostgresSession(conn, self._where))
            finally:
                self._local.writing = False

    def schema_version(self) -> int:
        return self._version

    def scan_text(self, *, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[TextCell]:
        """Every value of every text-like column (text, varchar, char, json,
        jsonb) of every table in the store's schema, each table through a
        server-side cursor in one snapshot; the key is the first primary-key
        column (the record's id, a ticket's id for its event rows, an out-box
        entry's position), else the first text column."""
        with self._reading() as session:
            found = session.rows(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND data_type IN "
                "('text', 'character varying', 'character', 'json', 'jsonb') "
                "ORDER BY table_name, ordinal_position"
            )
            primary = session.rows(
                "SELECT k.table_name, k.column_name FROM information_schema.table_constraints c "
                "JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name "
                "AND k.table_schema = c.table_schema AND k.table_name = c.table_name "
                "WHERE c.table_schema = current_schema() AND c.constraint_type = 'PRIMARY KEY' "
                "AND k.ordinal_position = 1"
            )
        keys: dict[str, str] = {table: column for table, column in primary}
        columns: dict[str, list[str]] = {}
        for table, column in found:
            columns.setdefault(table, []).append(column)
        for table, texts in columns.items():
            key = keys.get(table, texts[0])
            names = [key, *texts]
            listed = ", ".join(f'"{n}"::text' for n in names)
            with self._reading() as session:
                assert isinstance(session, PostgresSession)
                try:
                    with session.conn.cursor(name=f"helpdesk_scan_{next(_cursor_names)}") as cursor:
                        cursor.itersize = batch_size
                        cursor.execute(f'SELECT {listed} FROM "{table}"')
                        while rows := cursor.fetchmany(batch_size):
                            for row in rows:
                                for name, value in zip(texts, row[1:], strict=True):
                                    if value is not None:
                                        yield TextCell(table, str(row[0]), name, value)
                except psycopg.Error as error:
                    raise StorageUnavailable(f"PostgreSQL store: scanning {table}: {error}") from error

    def scrub(self, tables: Sequence[str] = ()) -> str:
        """``VACUUM FULL`` of the written tables (all of the store's when none are
        named): each is rewritten into new files without its dead tuples, which
        plain VACUUM would only mark reusable. It locks each table while it runs.
        Limit: the server's write-ahead log and base backups keep the old values
        until they are recycled; those are the operator's to expire."""
        with self._connection() as conn:
            names = list(tables) or [
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
                ).fetchall()
            ]
            conn.rollback()
            conn.autocommit = True
            try:
                for name in names:
                    conn.execute(f'VACUUM (FULL, ANALYZE) "{name}"')
            except psycopg.Error as error:
                raise StorageUnavailable(f"PostgreSQL store {self._where}: scrub: {error}") from error
            finally:
                conn.autocommit = False
        return (
            f"PostgreSQL: VACUUM FULL rewrote {len(names)} table(s) without dead tuples; the server's WAL "
            "and earlier base backups keep old values until they expire (use replay after a restore)"
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


__all__ = ["PostgresStore", "PostgresUnitOfWork"]
