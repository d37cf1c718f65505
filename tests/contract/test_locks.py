"""Locks with real concurrency: readers never wait for a writer, writers queue.

A writer holds a write transaction open for several seconds (in a thread, on a
store object of its own: on SQLite a connection of its own, as another process
would have) while readers open the store and read. Importer processes run at
the same time on one SQLite file. A PostgreSQL pool of one connection serves
every command: no operation asks for a second connection while it holds one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.errors import StorageUnavailable
from helpdesk_core.model.ticket import Comment
from helpdesk_core.storage import open_store
from helpdesk_core.testing.contract import START, add_tickets, sample_ticket

HOLD = 4.0
"""Seconds the writer keeps its transaction open."""
PROMPT = 1.0
"""Seconds within which a reader must have finished (it must not wait for the writer)."""
EXAMPLES = Path(__file__).parents[2] / "examples"


def invoke(db: str, *args: str) -> Result:
    app = AppContext(db_url=db, config_path=EXAMPLES / "helpdesk.toml")
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


class Writer:
    """A unit of work that appended a comment and then stays open for ``HOLD``
    seconds: on SQLite it holds the write lock, on PostgreSQL the ticket's row lock."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.holding = threading.Event()
        self.released = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        store = open_store(self.url)
        try:
            stored = store.tickets.get("T-1")
            comment = Comment(at=START + timedelta(days=1), author="employee", body="held", by="E-1")
            with store.unit_of_work() as uow:
                uow.tickets.append("T-1", [comment], expected_version=stored.version)
                self.holding.set()
                time.sleep(HOLD)
                self.released.set()
                uow.commit()
        except BaseException as error:  # reported by the test
            self.error = error
            self.holding.set()
        finally:
            store.close()

    def __enter__(self) -> Writer:
        self.thread.start()
        assert self.holding.wait(30), "the writer never began"
        assert self.error is None, self.error
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(60)
        assert self.error is None, self.error


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'locks.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    store = open_store(url)
    try:
        add_tickets(store, [sample_ticket()])
    finally:
        store.close()
    yield url


def test_a_reader_opens_the_store_and_reads_while_a_writer_holds_its_transaction(url: str) -> None:
    with Writer(url) as writer:
        started = time.monotonic()
        store = open_store(url)  # reads the schema version: must not take the write lock
        try:
            ticket = store.tickets.get("T-1")
            count = store.tickets.count()
            streamed = [t.id for t in store.iter_tickets()]
        finally:
            store.close()
        took = time.monotonic() - started
        assert not writer.released.is_set(), "the reader waited for the writer"
    assert took < PROMPT, f"the reader took {took:.2f} s while a writer held its transaction"
    assert count == 1 and streamed == ["T-1"]
    assert not any(c.body == "held" for c in ticket.value.comments), "a reader saw uncommitted data"


@pytest.mark.parametrize("command", [("sla", "report", "--format", "jsonl"), ("ticket", "show", "T-1")])
def test_cli_reads_during_a_write_finish_without_waiting(url: str, command: tuple[str, ...]) -> None:
    with Writer(url) as writer:
        started = time.monotonic()
        result = invoke(url, *command)
        took = time.monotonic() - started
        assert not writer.released.is_set(), f"{' '.join(command)} waited for the writer"
    assert result.exit_code == 0, result.output
    assert took < HOLD


def _ticket_lines(prefix: str, count: int) -> str:
    return "".join(
        json.dumps(
            {
                "id": f"T-{prefix}-{n}",
                "subject": f"ticket {n} of importer {prefix}",
                "type": "incident",
                "priority": "high",
                "channel": "email",
                "created_at": "2026-03-02T08:55:00+01:00",
                "events": [
                    {"at": "2026-03-02T09:20:00+01:00", "kind": "comment",  # by nobody on file
                     "author": "employee", "public": True, "body": "On it."},
                ],
            }
        )
        + "\n"
        for n in range(count)
    )


IMPORTERS = 8
TICKETS_EACH = 400


def test_concurrent_importer_processes_on_one_new_sqlite_file_all_succeed(tmp_path: Path) -> None:
    """Every process creates the file, switches it to WAL and migrates it at
    the same moment, then queues for the write lock behind the others."""
    db = tmp_path / "busy.sqlite3"
    files = []
    for n in range(IMPORTERS):
        file = tmp_path / f"tickets-{n}.jsonl"
        file.write_text(_ticket_lines(str(n), TICKETS_EACH), encoding="utf-8")
        files.append(file)
    src = str(Path(__file__).parents[2] / "src")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "helpdesk_cli", "--db", str(db), "import", "tickets", str(file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin"},
        )
        for file in files
    ]
    outcomes = [(p.wait(timeout=300), p.stdout.read() if p.stdout else "", p.stderr.read() if p.stderr else "")
                for p in processes]
    for process in processes:
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    failed = [(code, err) for code, _, err in outcomes if code != 0]
    assert not failed, failed
    assert all(f"{TICKETS_EACH} created" in out for _, out, _ in outcomes)
    store = open_store(str(db))
    try:
        assert store.tickets.count() == IMPORTERS * TICKETS_EACH
    finally:
        store.close()


def test_a_writer_waits_its_turn_behind_another_writer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    store = open_store(url)
    add_tickets(store, [sample_ticket()])
    store.close()
    with Writer(url) as writer:
        second = open_store(url)
        try:
            with second.unit_of_work() as uow:
                stored = uow.tickets.get("T-1")  # the first statement: waits for the write lock
                assert writer.released.is_set(), "two writers held the write lock at once"
                comment = Comment(at=START + timedelta(days=2), author="employee", body="queued", by="E-2")
                uow.tickets.append("T-1", [comment], expected_version=stored.version)
                uow.commit()
        finally:
            second.close()
    reread = open_store(url)
    try:
        bodies = [c.body for c in reread.tickets.get("T-1").value.comments]
    finally:
        reread.close()
    assert bodies[-2:] == ["held", "queued"]


def test_a_postgres_pool_of_one_connection_imports_and_reports(postgres_url: str, tmp_path: Path) -> None:
    url = postgres_url.replace("pool_size=2", "pool_size=1")
    assert "pool_size=1" in url
    steps = [
        ("import", "--bundle", str(EXAMPLES / "import")),
        ("import", "tickets", str(EXAMPLES / "tickets.jsonl")),
        ("sla", "report", "--format", "jsonl", "--as-of", "2026-04-08T12:00:00+02:00"),
        ("sla", "report", "--format", "jsonl", "--as-of", "2026-04-08T12:00:00+02:00", "--jobs", "2"),
        ("report", "dashboard", "--as-of", "2026-04-08T12:00:00+02:00", "--format", "json"),
        ("ticket", "list"),
    ]
    for step in steps:
        started = time.monotonic()
        result = invoke(url, *step)
        assert result.exit_code == 0, f"{' '.join(step)}: {result.output}"
        assert time.monotonic() - started < 10, f"{' '.join(step)} waited for a connection"
    report = invoke(url, *steps[2])
    assert report.stdout.count("\n") == 8


def test_a_postgres_pool_of_one_serves_reads_nested_in_a_stream(postgres_url: str) -> None:
    url = postgres_url.replace("pool_size=2", "pool_size=1")
    store = open_store(url)
    try:
        add_tickets(store, [sample_ticket(f"T-{n}") for n in range(1, 6)])
        started = time.monotonic()
        looked_up = [(t.id, store.tickets.count(), store.companies.find("C-1")) for t in store.iter_tickets()]
        assert [row[:2] for row in looked_up] == [(f"T-{n}", 5) for n in range(1, 6)]
        # two streams interleaved, the first ending before the second
        pairs = list(zip(store.iter_tickets(batch_size=2), store.iter_tickets(batch_size=3), strict=True))
        assert [(a.id, b.id) for a, b in pairs] == [(f"T-{n}", f"T-{n}") for n in range(1, 6)]
        assert time.monotonic() - started < 5, "a read waited for the pool's only connection"
        with store.unit_of_work() as uow:  # the connection went back to the pool
            assert uow.tickets.count() == 5
        stream = store.iter_tickets()
        next(stream)
        with (
            pytest.raises(StorageUnavailable, match="while a read of the same thread is still open"),
            store.unit_of_work(),
        ):
            pass
        assert len(list(stream)) == 4  # and the stream goes on
        with store.unit_of_work() as uow:
            uow.tickets.count()
            with pytest.raises(StorageUnavailable, match="a read was begun while a unit of work"):
                store.tickets.count()
    finally:
        store.close()
