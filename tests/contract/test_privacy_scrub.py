"""Finishing the physical erasure after a crash between the erasure's commit
and its scrub: the old values stay in the table files until `privacy scrub`
(or the next erasure) runs; the proof says whether the scrub completed.

The crash is an exception that no code catches (a ``BaseException``) raised
where the scrub would start, after the commit — as if the process died there.
The files are read as raw bytes: PostgreSQL's table and TOAST files after a
CHECKPOINT, SQLite's file and its WAL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.desk import privacy as desk_privacy
from helpdesk_core.errors import StorageUnavailable
from helpdesk_core.storage import SqliteStore, Store, open_store
from helpdesk_core.storage.postgres import PostgresStore
from helpdesk_core.testing.contract import FORGET_AT, add_tickets, privacy_sample, sample_ticket

NEEDLES = [b"nov\xc3\xa1kov\xc3\xa1", b"jana@kavarna.example", b"601 123 456", b"777 888 999"]
"""Jana's name, address and numbers as the sample writes them, in UTF-8."""
TABLES = ("tickets", "ticket_events", "contacts")


class Crash(BaseException):
    """The process dies: nothing catches this."""


def _crash(*args: Any, **kwargs: Any) -> str:
    raise Crash


def _seed(store: Store) -> None:
    privacy_sample(store)
    add_tickets(
        store, [sample_ticket(f"T-{n:03d}", description=f"Jana Nováková called about {n}") for n in range(10, 60)]
    )


def _libpq(url: str) -> str:
    return url.replace("pool_size=2&", "")


def _pg_hits(url: str) -> list[bytes]:
    """The needles found in the files of the store's tables (and their TOAST
    tables), after a CHECKPOINT has written every page to them."""
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        data = Path(conn.execute("SHOW data_directory").fetchone()[0])  # type: ignore[index]
        files: list[Path] = []
        for table in TABLES:
            row = conn.execute(
                "SELECT pg_relation_filepath(c.oid), pg_relation_filepath(nullif(c.reltoastrelid, 0)) "
                "FROM pg_class c WHERE c.oid = %s::regclass",
                (table,),
            ).fetchone()
            assert row is not None
            for relative in row:
                if relative:
                    files += sorted(data.glob(f"{relative}*"))
    raw = b"".join(f.read_bytes().lower() for f in files if f.is_file())
    return [n for n in NEEDLES if n in raw]


@pytest.fixture
def pg(postgres_url: str) -> Iterator[PostgresStore]:
    store = open_store(postgres_url)
    assert isinstance(store, PostgresStore)
    try:
        yield store
    finally:
        store.close()


def test_postgres_a_crash_before_vacuum_full_leaves_the_files_dirty_until_privacy_scrub(
    pg: PostgresStore, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(pg)
    with monkeypatch.context() as patched:
        patched.setattr(PostgresStore, "scrub", _crash)
        with pytest.raises(Crash):
            desk_privacy.forget_contact(pg, "crm-p-1", by="dpo", now=FORGET_AT)
    [erasure] = desk_privacy.unscrubbed_erasures(pg)
    assert erasure.subject == "P-1", "committed, but its scrub never completed"
    assert pg.contacts.get("P-1").value.display_name == erasure.pseudonym
    assert _pg_hits(postgres_url) == NEEDLES, "the dead tuples still hold every identifier"

    result = desk_privacy.finish_scrub(pg, by="dpo", now=FORGET_AT)

    assert [r.id for r in result.finished] == [erasure.id]
    assert _pg_hits(postgres_url) == []
    assert result.proof.scrubbed and result.proof.scrub_pending == ()
    assert result.proof.describe().endswith("nothing found; physical scrub complete")
    assert desk_privacy.unscrubbed_erasures(pg) == []


def test_postgres_the_next_erasure_finishes_an_interrupted_scrub(
    pg: PostgresStore, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(pg)
    with monkeypatch.context() as patched:
        patched.setattr(PostgresStore, "scrub", _crash)
        with pytest.raises(Crash):
            desk_privacy.forget_contact(pg, "crm-p-1", by="dpo", now=FORGET_AT)
    assert _pg_hits(postgres_url) == NEEDLES
    other = desk_privacy.forget_contact(pg, "P-2", by="dpo", now=FORGET_AT)
    assert other.proof.scrubbed, other.proof.describe()
    assert _pg_hits(postgres_url) == [], "every table was scrubbed, not only those P-2's erasure wrote"
    assert desk_privacy.unscrubbed_erasures(pg) == []


def _sqlite_hits(path: Path) -> list[bytes]:
    raw = b"".join(
        f.read_bytes().lower() for f in (path, Path(f"{path}-wal")) if f.exists()
    )
    return [n for n in NEEDLES if n in raw]


def test_sqlite_a_crash_before_vacuum_leaves_the_wal_dirty_until_privacy_scrub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path)
    try:
        _seed(store)
        with monkeypatch.context() as patched:
            patched.setattr(SqliteStore, "scrub", _crash)
            with pytest.raises(Crash):
                desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT)
        assert _sqlite_hits(path) == NEEDLES
        result = desk_privacy.finish_scrub(store, by="dpo", now=FORGET_AT)
        assert len(result.finished) == 1 and result.proof.scrubbed
        assert _sqlite_hits(path) == []
    finally:
        store.close()


def test_a_scrub_that_fails_is_reported_by_the_proof_and_finished_by_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path)
    _seed(store)
    store.close()

    def busy(self: SqliteStore, tables: object = ()) -> str:
        raise StorageUnavailable(f"SQLite store {str(path)!r}: another connection kept the WAL busy")

    def run(*args: str) -> Any:
        return CliRunner().invoke(cli, ["privacy", *args], obj=AppContext(db_url=str(path)))

    with monkeypatch.context() as patched:
        patched.setattr(SqliteStore, "scrub", busy)
        forgot = run("forget", "crm-p-1", "--yes")
    assert forgot.exit_code == 7, forgot.output
    lines = forgot.output.splitlines()
    [proof] = [line for line in lines if line.startswith("proof: ")]
    scrub_line = lines[lines.index(proof) - 1]
    assert "the physical scrub did NOT complete: SQLite store" in scrub_line
    store = SqliteStore(path)
    try:
        [waiting] = desk_privacy.unscrubbed_erasures(store)
    finally:
        store.close()
    assert proof.endswith(
        f"nothing found; physical scrub NOT complete for {waiting.id}: the files may still hold erased values, "
        "run `helpdesk privacy scrub`"
    )
    assert forgot.stderr == (
        f"Error: the physical scrub is not complete for {waiting.id}: run `helpdesk privacy scrub`\n"
    )

    scrubbed = run("scrub")
    assert scrubbed.exit_code == 0, scrubbed.output
    out = scrubbed.output.splitlines()
    assert out[0] == f"1 erasure(s) were waiting for their physical scrub: {waiting.id} (searched by keyed hash)"
    [proof] = [line for line in out if line.startswith("proof: ")]
    assert proof.endswith("(by keyed hash): nothing found; physical scrub complete")
    assert _sqlite_hits(path) == []
    again = run("scrub")
    assert again.exit_code == 0
    assert again.output.splitlines()[0] == "0 erasure(s) were waiting for their physical scrub: nothing to prove"


def test_the_scrub_proof_recognises_a_forgotten_person_by_the_keyed_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteStore(tmp_path / "desk.sqlite3")
    try:
        _seed(store)
        with monkeypatch.context() as patched:
            patched.setattr(SqliteStore, "scrub", _crash)
            with pytest.raises(Crash):
                desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT)
        add_tickets(
            store,
            [
                sample_ticket("T-900", description="Nováková, Jana wrote again", events=()),
                sample_ticket("T-901", description="reach her on 601123456 or JANA@kavarna.example", events=()),
            ],
        )
        proof = desk_privacy.finish_scrub(store, by="dpo", now=FORGET_AT).proof
        assert not proof.clean and proof.scrub_pending == ()
        assert sorted((f.table, f.key, f.kind) for f in proof.findings) == [
            ("tickets", "T-901", "email"),
        ], "a name alone may be a namesake's: only addresses and numbers are proof after the erasure"
        assert "not searched: their name in any form" in proof.lines()[-1]
    finally:
        store.close()


def test_a_retention_run_records_its_scrub_or_says_it_is_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from helpdesk_core.model.contracts import Contract
    from helpdesk_core.privacy.retention import Retained, RetentionRule

    store = SqliteStore(tmp_path / "desk.sqlite3")
    try:
        with store.unit_of_work() as uow:
            for n in (1, 2):
                uow.contracts.add(
                    Contract(
                        id=f"K-{n}", number=f"2010/{n}", companies=["C-1"], start=date(2010, 1, 1),
                        end=date(2010, 12, 31),
                    )
                )
            uow.commit()
        rules = [RetentionRule(Retained.CONTRACTS, 10)]

        def run(**kwargs: Any) -> desk_privacy.RetentionResult:
            return desk_privacy.run_retention(
                store, rules, by="dpo", now=FORGET_AT, is_closed=lambda status: status == "closed", **kwargs
            )

        def busy(self: SqliteStore, tables: object = ()) -> str:
            raise StorageUnavailable("SQLite store: another connection kept the WAL busy")

        with monkeypatch.context() as patched:
            patched.setattr(SqliteStore, "scrub", busy)
            interrupted = run()
        assert interrupted.left_after == 0 and interrupted.record is not None
        assert interrupted.scrub_pending == (interrupted.record.id,) and not interrupted.clean
        assert [r.id for r in desk_privacy.unscrubbed_erasures(store)] == [interrupted.record.id]
        finished = desk_privacy.finish_scrub(store, by="dpo", now=FORGET_AT)
        assert [r.id for r in finished.finished] == [interrupted.record.id]
        assert finished.proof.scrub_pending == () and finished.proof.scanned == 0, "a retention has no hashes"
        assert desk_privacy.unscrubbed_erasures(store) == []
    finally:
        store.close()
