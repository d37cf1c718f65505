"""``helpdesk sla rebuild`` and the fill of a store whose SLA states were never
built: a real ``kill -9`` half-way leaves whole batches, the next rebuild
completes it and the store equals one rebuilt cleanly; a store migrated from
before the SLA-state table is filled once by the first command that opens it."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_cli.sla_rebuild import TEST_PAUSE_ENV
from helpdesk_core.config import load_configuration
from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING, sla_fingerprint
from helpdesk_core.sla_states.keeping import WITHDRAWN
from helpdesk_core.sla_states.rebuild import DEFAULT_BATCH
from helpdesk_core.storage import open_store
from helpdesk_core.storage.protocols import SlaStateRecord

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEMO = EXAMPLES / "demo.toml"
FINGERPRINT = sla_fingerprint(load_configuration(DEMO))
SUMMARY = re.compile(r"^(\d+) tickets: (\d+) SLA states computed again, (\d+) kept as they were \([\d.]+ s\)\n$")


def invoke(db: Path, *args: str, config: Path | None = DEMO, fill: bool = True) -> Result:
    app = AppContext(db_url=str(db), config_path=config, fill_sla_states=fill)
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


def generated(db: Path, tickets: int) -> Path:
    """A generated desk whose SLA states were never built (as one written
    by a program of the previous release)."""
    result = invoke(db, "generate", "--tickets", str(tickets), "--companies", "20", config=None)
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(db, isolation_level=None)) as raw:
        raw.execute("DELETE FROM ticket_sla")
        raw.execute("DELETE FROM store_settings WHERE key = ?", (FINGERPRINT_SETTING,))
    return db


def states(db: Path) -> tuple[dict[str, SlaStateRecord | None], str | None]:
    """Every ticket's record, and the setting ``sla.fingerprint``."""
    store = open_store(str(db))
    try:
        found = {t.value.id: store.sla_states.get(t.value.id) for t in store.tickets.iter_tickets()}
        return found, store.settings.get(FINGERPRINT_SETTING)
    finally:
        store.close()


def copy(db: Path, to: Path) -> Path:
    with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(to)) as target:
        source.backup(target)
    return to


def summary(result: Result) -> tuple[int, int, int]:
    assert result.exit_code == 0, result.output
    found = SUMMARY.match(result.stdout)
    assert found is not None, result.stdout
    examined, rebuilt, kept = map(int, found.groups())
    return examined, rebuilt, kept


def test_rebuild_stores_every_state_then_keeps_them(tmp_path: Path) -> None:
    db = generated(tmp_path / "desk.sqlite3", 300)
    assert summary(invoke(db, "sla", "rebuild")) == (300, 300, 0)
    records, setting = states(db)
    assert setting == FINGERPRINT
    assert all(r is not None and r.fingerprint == FINGERPRINT and not r.stale for r in records.values())
    assert summary(invoke(db, "sla", "rebuild", "--jobs", "2")) == (300, 0, 300)


def test_rebuild_without_sla_rules_builds_states_without_sla(tmp_path: Path) -> None:
    db = generated(tmp_path / "desk.sqlite3", 5)
    assert summary(invoke(db, "sla", "rebuild", config=None)) == (5, 5, 0)
    _, setting = states(db)
    assert setting == sla_fingerprint(load_configuration(None)) != FINGERPRINT


def _helpdesk(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "helpdesk_cli", "--db", str(db), "--config", str(DEMO), *args]


def test_a_rebuild_killed_half_way_leaves_whole_batches_and_the_next_one_completes_it(tmp_path: Path) -> None:
    tickets = 4 * DEFAULT_BATCH
    db = generated(tmp_path / "desk.sqlite3", tickets)
    clean = copy(db, tmp_path / "clean.sqlite3")
    rebuilding = subprocess.Popen(
        _helpdesk(db, "sla", "rebuild", "--jobs", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, TEST_PAUSE_ENV: "0.5"},  # test-only: a pause after each batch
        start_new_session=True,  # its own process group: the workers are killed with it
    )
    deadline = time.monotonic() + 120
    store = open_store(str(db))
    try:
        while store.sla_states.count() < DEFAULT_BATCH:
            assert rebuilding.poll() is None, rebuilding.communicate()
            assert time.monotonic() < deadline, "the rebuild never wrote a batch"
            time.sleep(0.01)
    finally:
        store.close()
    os.killpg(rebuilding.pid, signal.SIGKILL)  # kill -9, parent and workers
    output, _ = rebuilding.communicate(timeout=30)
    assert rebuilding.returncode == -signal.SIGKILL
    assert output == "", "killed before its summary"

    records, setting = states(db)
    written = [r for r in records.values() if r is not None]
    assert setting is None, "an unfinished rebuild does not claim a complete build"
    assert 0 < len(written) < tickets and len(written) % DEFAULT_BATCH == 0, "whole batches only"

    examined, rebuilt, kept = summary(invoke(db, "sla", "rebuild"))
    assert (examined, kept, rebuilt) == (tickets, len(written), tickets - len(written)), "it went on"
    assert summary(invoke(clean, "sla", "rebuild")) == (tickets, tickets, 0)
    assert states(db) == states(clean), "the same records as a rebuild never interrupted"


def _downgraded(db: Path) -> None:
    """Make ``db`` a store written before the SLA-state table (schema 4): the
    tables, columns and indexes of migrations 5 to 7 dropped, their numbers forgotten."""
    with closing(sqlite3.connect(db, isolation_level=None)) as raw:
        for statement in (
            "DROP TABLE ticket_sla",
            "DROP TABLE store_settings",
            "DROP INDEX tickets_by_last_event",
            "DROP INDEX tickets_by_assignee",
            "ALTER TABLE tickets DROP COLUMN assignee",
            "ALTER TABLE tickets DROP COLUMN assignee_group",
            "DELETE FROM schema_version WHERE version >= 5",
        ):
            raw.execute(statement)


def test_the_first_command_on_a_store_migrated_from_before_the_sla_states_fills_them_once(
    tmp_path: Path,
) -> None:
    db = generated(tmp_path / "desk.sqlite3", 200)
    _downgraded(db)
    listed = invoke(db, "ticket", "list", "--format", "jsonl")  # any command that opens the store
    assert listed.exit_code == 0, listed.output
    records, setting = states(db)
    assert setting == FINGERPRINT and all(r is not None and not r.stale for r in records.values())
    assert summary(invoke(db, "sla", "rebuild")) == (200, 0, 200), "filled: nothing left to do"


def test_a_withdrawn_fingerprint_is_filled_like_a_missing_one(tmp_path: Path) -> None:
    db = generated(tmp_path / "desk.sqlite3", 30)
    with closing(sqlite3.connect(db, isolation_level=None)) as raw:  # a writer could not keep them
        raw.execute("INSERT INTO store_settings (key, value) VALUES (?, ?)", (FINGERPRINT_SETTING, WITHDRAWN))
    assert invoke(db, "ticket", "list", "--format", "jsonl").exit_code == 0
    records, setting = states(db)
    assert setting == FINGERPRINT and None not in records.values()


@pytest.mark.parametrize(
    ("args", "config", "fill"),
    [
        (("ticket", "list", "--format", "jsonl"), None, True),  # no SLA rules: nothing to build
        (("import", "companies", "--dry-run", "{companies}"), DEMO, True),
        (("ticket", "list", "--format", "jsonl"), DEMO, False),  # a program that turned it off
    ],
    ids=["without SLA rules", "dry run", "turned off"],
)
def test_no_fill_without_sla_rules_in_a_dry_run_or_when_turned_off(
    tmp_path: Path, args: tuple[str, ...], config: Path | None, fill: bool
) -> None:
    db = generated(tmp_path / "desk.sqlite3", 20)
    companies = tmp_path / "companies.csv"
    companies.write_text("external_id,name,category\nX-1,Kavárna,client\n", encoding="utf-8")
    result = invoke(db, *(a.format(companies=companies) for a in args), config=config, fill=fill)
    assert result.exit_code == 0, result.output
    records, setting = states(db)
    assert setting is None and set(records.values()) == {None}


def test_a_store_built_under_other_rules_is_not_filled_but_left_to_sla_rebuild(tmp_path: Path) -> None:
    db = generated(tmp_path / "desk.sqlite3", 20)
    other = tmp_path / "other.toml"
    other.write_text(DEMO.read_text(encoding="utf-8").replace('resolution = "', 'resolution = "1', 1))
    assert summary(invoke(db, "sla", "rebuild", config=other)) == (20, 20, 0)
    listed = invoke(db, "ticket", "list", "--format", "jsonl")
    assert listed.exit_code == 0, listed.output
    _, setting = states(db)
    assert setting == sla_fingerprint(load_configuration(other)) != FINGERPRINT
    assert summary(invoke(db, "sla", "rebuild")) == (20, 20, 0)


def test_a_changed_rule_target_makes_the_report_fold_and_warn_until_sla_rebuild(tmp_path: Path) -> None:
    """The acceptance's stale configuration: the report stays right (the bytes
    of ``--recompute``) and says once what to run; ``sla rebuild`` cures it."""
    db = tmp_path / "desk.sqlite3"
    made = invoke(db, "generate", "--tickets", "400", "--companies", "20")  # states kept under DEMO
    assert made.exit_code == 0, made.output
    changed = tmp_path / "changed.toml"
    changed.write_text(DEMO.read_text(encoding="utf-8").replace('resolution = "', 'resolution = "1', 1))
    report = ("sla", "report", "--as-of", "2026-05-01T00:00+02:00", "--format", "jsonl")

    before = invoke(db, *report)
    assert before.exit_code == 0 and "rebuild" not in before.stderr, before.stderr
    folded = invoke(db, *report, config=changed)
    recomputed = invoke(db, *report, "--recompute", config=changed)
    assert folded.exit_code == recomputed.exit_code == 0
    assert folded.stdout == recomputed.stdout != before.stdout, "right under the new target, and different"
    warnings = [line for line in folded.stderr.splitlines() if "rebuild" in line]
    assert warnings == [
        "400 tickets' stored SLA states are stale (400 of another SLA configuration); "
        "the report folded them; run `helpdesk sla rebuild`"
    ]

    assert summary(invoke(db, "sla", "rebuild", config=changed)) == (400, 400, 0)
    after = invoke(db, *report, config=changed)
    assert after.exit_code == 0 and "rebuild" not in after.stderr, after.stderr
    assert after.stdout == recomputed.stdout, "byte for byte the folded report"
    assert invoke(db, *report, config=changed).stderr == recomputed.stderr, "the same summary"


def test_the_fill_never_waits_for_another_writer_and_a_later_command_does_it(tmp_path: Path) -> None:
    """A command that reads must not wait for a writer (README): while another
    process holds SQLite's write lock the fill gives up at once, says so, and
    the command answers; the next command fills."""
    db = generated(tmp_path / "desk.sqlite3", 40)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process writing (a long import)
        started = time.monotonic()
        shown = invoke(db, "ticket", "show", "T-1")
        took = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert shown.exit_code == 0, shown.output
    assert took < 5, f"waited {took:.1f} s for the writer"
    assert shown.stderr.startswith("Note: the stored SLA states were not filled now (SQLite store ")
    assert shown.stderr.endswith("; this command reads the histories, a later one fills them\n")
    records, setting = states(db)
    assert setting is None and set(records.values()) == {None}
    assert invoke(db, "ticket", "show", "T-1").stderr == ""
    records, setting = states(db)
    assert setting == FINGERPRINT and None not in records.values()
