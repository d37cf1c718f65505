"""ACCEPTANCE: ``helpdesk sla report`` read from the stored SLA states writes
exactly the bytes of ``--recompute`` (every ticket folded from its history).

Generated desks of every shape — the sample desk's histories (reopens by
customer replies, pauses, priority and type changes, dues and rules set by
hand, customer groups with their own rule, Czech and Slovak public holidays,
a year across both DST changes) and the SLA batch generator's histories
(postponed with a date, reopened closed tickets, rules by hand that do not
exist) — are stored in SQLite, and their states kept the way a desk keeps
them. Then some are spoiled, as life spoils them: a ticket written without
its state (stale), one never given one (missing), a company moved to another
category (other customer facts), a document that is not a state (unreadable). Under the configuration the states were
written with, and under another one (a rule's target changed: every state is
of another fingerprint), every format (jsonl, json, csv, table and xlsx to a
file; XLSX compared cell by cell), with --group-by and the filters, on one process and on two: the same
bytes, the same summary, and the warning says once how many were folded.
"""

from __future__ import annotations

import random
import sqlite3
import sys
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.config import Configuration, load_configuration
from helpdesk_core.model.ticket import Comment
from helpdesk_core.reports import EVERYTHING, ReportFilter, report_lines
from helpdesk_core.reports.customers import customer_directory
from helpdesk_core.reports.stored_report import ReportReading, report_source, sla_report_lines
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END
from helpdesk_core.serialization import ticket_sla_state_to_json
from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING, sla_fingerprint
from helpdesk_core.sla_states.state import sla_state_record, ticket_sla_state
from helpdesk_core.storage import Store, open_store

sys.path.insert(0, str(Path(__file__).parent.parent / "unit"))
from test_sla_batch import generate

AS_OF = "2027-03-01T09:30:00+01:00"
"""After every event of the generated desks: the stored states answer."""
SAMPLE, BATCH = 500, 220
"""Tickets of the sample generator and of the SLA batch generator."""
OTHER_CONFIGURATION = DEMO_CONFIGURATION.replace(
    'name = "High priority"\nwhen = { priority = ["high", "critical"] }\ncalendar = "prague-office"\n'
    'reaction = "1h"',
    'name = "High priority"\nwhen = { priority = ["high", "critical"] }\ncalendar = "prague-office"\n'
    'reaction = "45m"',
)


def invoke(db: str, config: Path, *args: str) -> Result:
    app = AppContext(db_url=db, config_path=config)
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


def keep_states(store: Store, config: Configuration, ids: list[str] | None = None) -> int:
    """Put the SLA state of each ticket (every one by default) under
    ``config``, as a desk writer does: after the ticket, from its history."""
    assert config.sla is not None
    fingerprint = sla_fingerprint(config)
    customers = customer_directory(store)
    tickets = (
        [stored.value for stored in store.tickets.iter_tickets()]
        if ids is None
        else [store.get_ticket(id) for id in ids]
    )
    with store.unit_of_work() as uow:
        for ticket in tickets:
            state = ticket_sla_state(ticket, policy=config.sla, graph=config.graph, customer=customers(ticket))
            category = config.graph.category(ticket.status).value
            document = ticket_sla_state_to_json(state)
            record = sla_state_record(
                state, document=document, fingerprint=fingerprint, company=ticket.company, status_category=category
            )
            uow.sla_states.put(record)
        setting = uow.settings.get(FINGERPRINT_SETTING)
        if ids is None and setting != fingerprint:  # a complete build: the desk trusts the states
            uow.settings.put(FINGERPRINT_SETTING, fingerprint, expected=setting)
        uow.commit()
    return len(tickets)


@attrs.frozen
class Desk:
    db: str
    config: Path
    other: Path
    spoiled: dict[str, int]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    folder = tmp_path_factory.mktemp("stored-report")
    config, other = folder / "demo.toml", folder / "other.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    other.write_text(OTHER_CONFIGURATION, encoding="utf-8")
    assert sla_fingerprint(load_configuration(config)) != sla_fingerprint(load_configuration(other))
    db = str(folder / "desk.sqlite3")
    made = invoke(db, config, "generate", "--tickets", str(SAMPLE), "--seed", "11", "--days", "400",
                  "--companies", "12")  # fmt: skip
    assert made.exit_code == 0, made.output
    store = open_store(db)
    companies = sorted(stored.value.id for stored in store.companies.iter())
    rng = random.Random(3)
    with store.unit_of_work() as uow:  # the batch generator's shapes, under the sample's companies
        for ticket, _, _ in generate(BATCH, seed=29):
            uow.tickets.add(attrs.evolve(ticket, id=f"B-{ticket.id}", company=rng.choice([None, *companies])))
        uow.commit()
    keep_states(store, load_configuration(config))
    ids = [stored.value.id for stored in store.tickets.iter_tickets()]
    stale, missing = rng.sample(ids, 9), rng.sample(ids, 7)
    with store.unit_of_work() as uow:
        for id in stale:  # written without keeping the state
            found = uow.tickets.get(id)
            note = Comment(at=found.value.updated_at + timedelta(minutes=3), author="employee", by="E-1")
            uow.tickets.append(id, [note], expected_version=found.version)
        for id in set(missing) - set(stale):
            uow.sla_states.delete(id)
        moved = uow.companies.get(companies[0])  # another client category: other customer facts
        category = "partner" if moved.value.category != "partner" else "vip"
        uow.companies.save(attrs.evolve(moved.value, category=category), expected_version=moved.version)
        uow.commit()
    customer = sum(1 for id in ids if store.get_ticket(id).company == companies[0])
    moved_tickets = {id for id in ids if store.get_ticket(id).company == companies[0]}
    broken = sorted(set(ids) - set(stale) - set(missing) - moved_tickets)[:2]
    with closing(sqlite3.connect(db)) as raw, raw:  # not a stored state at all, and one of another shape
        raw.execute("UPDATE ticket_sla SET document = 'not JSON' WHERE ticket_id = ?", (broken[0],))
        raw.execute("UPDATE ticket_sla SET document = '{\"projection\": 1}' WHERE ticket_id = ?", (broken[1],))
    spoiled = {
        "missing": len(set(missing) - set(stale)),
        "stale": len(stale),
        "customer": len(moved_tickets - set(stale) - set(missing)),
        "unreadable": len(broken),
    }
    assert customer and all(spoiled.values()), spoiled
    return Desk(db, config, other, spoiled)


def _without_warning(stderr: str) -> str:
    return "".join(line for line in stderr.splitlines(keepends=True) if "stored SLA state" not in line)


def _output(db: str, config: Path, args: list[str], fmt: str, out: Path | None) -> tuple[object, Result]:
    """What the report wrote: the bytes, or for XLSX (a zip stamped with the
    time it was written) every sheet's cells."""
    if out is not None:
        result = invoke(db, config, *args, "--output", str(out))
        if fmt == "xlsx":
            from openpyxl import load_workbook

            book = load_workbook(out, read_only=True)
            return [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets], result
        return out.read_bytes(), result
    result = invoke(db, config, *args)
    return result.stdout_bytes, result


FILTERS = {
    "everything": [],
    "breached by rule": ["--state", "breached", "--state", "at_risk", "--group-by", "rule"],
    "a priority by assignee": ["--priority", "high", "--group-by", "assignee"],
    "a period by company": ["--from", "2026-01-01", "--to", "2026-06-30", "--group-by", "company"],
    "an assignee by type": ["--assignee", "E-3", "--group-by", "type"],
    "by priority": ["--group-by", "priority"],
}


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "table", "xlsx"])
@pytest.mark.parametrize("which", sorted(FILTERS))
def test_the_stored_report_writes_the_bytes_of_the_folded_one(
    desk: Desk, tmp_path: Path, jobs: str, fmt: str, which: str
) -> None:
    for config in (desk.config, desk.other):
        args = ["sla", "report", "--as-of", AS_OF, "--format", fmt, "--jobs", jobs, *FILTERS[which]]
        to_file = fmt in ("table", "xlsx")
        stored, read = _output(desk.db, config, args, fmt, tmp_path / f"stored.{fmt}" if to_file else None)
        folded, refolded = _output(
            desk.db, config, [*args, "--recompute"], fmt, tmp_path / f"folded.{fmt}" if to_file else None
        )
        assert read.exit_code == refolded.exit_code == 0, read.output
        assert stored == folded, (config.name, which)
        assert _without_warning(read.stderr) == refolded.stderr
        assert "stored SLA state" not in refolded.stderr, "--recompute reads no state"
        assert read.stderr.count("stored SLA state") == 1, "said once"
    if fmt == "jsonl" and which == "everything":
        assert isinstance(stored, bytes) and stored.count(b"\n") == SAMPLE + BATCH


def test_the_warning_counts_each_reason_once_and_a_fresh_desk_reads_every_state(desk: Desk) -> None:
    args = ["sla", "report", "--as-of", AS_OF, "--format", "jsonl"]
    spoiled = desk.spoiled
    total = sum(spoiled.values())
    for jobs in ("1", "2"):
        result = invoke(desk.db, desk.config, *args, "--jobs", jobs)
        assert result.stderr.splitlines()[-1] == (
            f"{total} tickets' stored SLA states are stale ({spoiled['missing']} missing, "
            f"{spoiled['stale']} written since, {spoiled['customer']} for other customer facts, "
            f"{spoiled['unreadable']} unreadable); "
            "the report folded them; run `helpdesk sla rebuild`"
        )
    other = invoke(desk.db, desk.other, *args)
    assert f"{SAMPLE + BATCH} tickets' stored SLA states are stale (" in other.stderr
    assert "of another SLA configuration" in other.stderr


def test_the_library_reads_stored_states_as_of_the_latest_event_and_folds_before(
    tmp_path: Path,
) -> None:
    config_file = tmp_path / "demo.toml"
    config_file.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    db = str(tmp_path / "fresh.sqlite3")
    assert invoke(db, config_file, "generate", "--tickets", "120", "--seed", "4", "--days", "30").exit_code == 0
    store, config = open_store(db), load_configuration(config_file)
    keep_states(store, config)
    latest = store.tickets.latest_event()
    assert latest is not None and latest <= DEMO_END
    assert config.sla is not None
    customers = customer_directory(store)
    tickets = [stored.value for stored in store.tickets.iter_tickets()]
    for as_of, reads in ((latest, True), (DEMO_END + timedelta(days=40), True), (latest - timedelta(hours=5), False)):
        source = report_source(store, config, as_of)
        assert source.reads_stored_states is reads
        reading = ReportReading()
        only = ReportFilter(priority="high") if reads else EVERYTHING
        lines = list(sla_report_lines(store, source, as_of=as_of, only=only, reading=reading))
        folded = list(report_lines(tickets, policy=config.sla, graph=config.graph, as_of=as_of,
                                   customers=customers, only=only))  # fmt: skip
        assert [line.row for line in lines] == [line.row for line in folded]
        assert [line.facts() for line in lines] == [line.facts() for line in folded]
        assert [line.company for line in lines] == [line.company for line in folded]
        assert reading.read == 120 and reading.folded == {} and reading.warning() is None
        assert all(line.ticket is None for line in lines) is reads, "stored rows carry no history"
    assert not report_source(store, config, DEMO_END + timedelta(days=40), recompute=True).reads_stored_states


def _copy(source: Store, target: Store) -> None:
    """Every customer group, company and ticket of ``source`` into ``target``."""
    with target.unit_of_work() as uow:
        for group in source.customer_groups.iter():
            uow.customer_groups.add(group.value)
        for company in source.companies.iter():
            uow.companies.add(company.value)
        for ticket in source.tickets.iter_tickets():
            uow.tickets.add(ticket.value)
        uow.commit()


@pytest.mark.parametrize("backend", ["memory", "postgresql"])
def test_memory_and_postgresql_read_the_stored_states_alike(
    desk: Desk, backend: str, request: pytest.FixtureRequest
) -> None:
    url = "memory://" if backend == "memory" else request.getfixturevalue("postgres_url")
    store, config = open_store(url), load_configuration(desk.config)
    _copy(open_store(desk.db), store)
    keep_states(store, config)
    some = [stored.value.id for stored in store.tickets.iter_tickets()][::50]
    with store.unit_of_work() as uow:  # a few written since: folded
        for id in some:
            found = uow.tickets.get(id)
            note = Comment(at=found.value.updated_at + timedelta(minutes=1), author="employee", by="E-1")
            uow.tickets.append(id, [note], expected_version=found.version)
        uow.commit()
    assert config.sla is not None
    as_of = DEMO_END + timedelta(days=400)
    tickets = [stored.value for stored in store.tickets.iter_tickets()]
    for only in (EVERYTHING, ReportFilter(priority="high", created_from=DEMO_END - timedelta(days=90))):
        reading = ReportReading()
        source = report_source(store, config, as_of)
        assert source.reads_stored_states
        lines = list(sla_report_lines(store, source, as_of=as_of, only=only, reading=reading))
        folded = report_lines(tickets, policy=config.sla, graph=config.graph, as_of=as_of,
                              customers=customer_directory(store), only=only)  # fmt: skip
        assert [line.row.to_json_text() for line in lines] == [line.row.to_json_text() for line in folded]
        assert reading.read == len(tickets) and reading.folded == {"stale": len(some)}
    store.close()
