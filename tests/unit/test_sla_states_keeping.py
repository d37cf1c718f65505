"""Every library writer of tickets keeps the ticket's stored SLA state in the
unit of work that writes the ticket: after a move by hand, the scheduler's
automatic move, a follow-up, a ticket-history import, a forget and a
retention run the record is fresh and equal to a fresh computation; a write
that fails half-way leaves the store — states included — as it was; an
import that changes what the SLA reads of a company marks that company's
states stale; ``generate`` writes a state for each ticket and the setting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from desk_world import CONFIG, START, everything, later, make_desk, seed

from helpdesk_cli.main import cli
from helpdesk_core.config import Configuration
from helpdesk_core.desk import Desk, import_ticket_histories
from helpdesk_core.desk import privacy as desk_privacy
from helpdesk_core.errors import StorageUnavailable
from helpdesk_core.imports import import_bundle
from helpdesk_core.model.ticket import Assignee, Ticket
from helpdesk_core.privacy.retention import RetentionRule
from helpdesk_core.serialization import ticket_sla_state_to_json, ticket_to_json_line
from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING, sla_fingerprint
from helpdesk_core.sla_states.keeping import WITHDRAWN, sla_policy, status_category
from helpdesk_core.sla_states.state import sla_state_record, ticket_sla_state
from helpdesk_core.storage import open_store
from helpdesk_core.storage.memory import MemorySlaStates
from helpdesk_core.storage.protocols import SlaStateRecord, Store
from helpdesk_core.storage.sql_sla import SqlSlaStates
from helpdesk_core.workflow import transition


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = open_store(url)
    seed(opened)
    yield opened
    opened.close()


def kept(desk: Desk, ticket_id: str) -> SlaStateRecord:
    """The ticket's stored record, checked fresh and equal to what a fresh
    computation under the desk's configuration gives."""
    store = desk.store
    ticket = store.tickets.get(ticket_id).value
    record = store.sla_states.get(ticket_id)
    assert record is not None, f"ticket {ticket_id} has no stored SLA state"
    assert not record.stale, f"ticket {ticket_id}'s stored SLA state is stale"
    state = ticket_sla_state(
        ticket, policy=sla_policy(desk.config), graph=desk.config.graph, customer=desk.customer_facts(ticket)
    )
    expected = sla_state_record(
        state,
        document=ticket_sla_state_to_json(state),
        fingerprint=sla_fingerprint(desk.config),
        company=ticket.company,
        status_category=status_category(desk.config.graph, ticket.status),
    )
    assert record == expected
    return record


def test_a_registration_and_a_move_keep_the_state_and_a_fresh_store_adopts_the_fingerprint(
    store: Store,
) -> None:
    desk = make_desk(store)
    assert store.settings.get(FINGERPRINT_SETTING) is None
    ticket = desk.register_ticket(subject="Printer", by="E-1", company="C-1", priority="high").ticket
    first = kept(desk, ticket.id)
    assert first.clock == "counting" and first.due == START + timedelta(hours=1)
    assert store.settings.get(FINGERPRINT_SETTING) == desk.sla_fingerprint
    desk.transition(ticket.id, "postponed", by="E-1", at=later(30), until=later(days=2))
    paused = kept(desk, ticket.id)
    assert paused.clock == "paused" and paused.status == "postponed" and paused.status_category == "waiting"
    desk.assign(ticket.id, Assignee(id="E-2"), by="E-1", at=later(40))
    assert kept(desk, ticket.id).assignee == "E-2"


def test_the_scheduler_s_automatic_move_keeps_the_state(store: Store) -> None:
    desk = make_desk(store)
    ticket = desk.register_ticket(subject="Printer", by="E-1", company="C-1").ticket
    desk.transition(ticket.id, "postponed", by="E-1", at=later(10), until=later(hours=3))
    actions = desk.run_due(later(hours=4))
    assert [a.action for a in actions if a.ticket == ticket.id][:1] == ["status"]
    assert desk.get(ticket.id).value.status == "open"
    record = kept(desk, ticket.id)
    assert record.clock == "counting" and record.status == "open"


def test_a_late_reply_s_follow_up_ticket_gets_its_state(store: Store) -> None:
    desk = make_desk(store)
    ticket = desk.register_ticket(subject="Printer", by="E-1", company="C-1", contact="P-1").ticket
    desk.transition(ticket.id, "resolved", by="E-1", at=later(20))
    desk.run_due(later(days=3))  # auto-closed after 48 h
    assert desk.get(ticket.id).value.status == "closed"
    outcome = desk.customer_reply(ticket.id, body="Broken again", by="P-1", at=later(days=10))
    assert outcome.follow_up_of == ticket.id
    assert kept(desk, outcome.ticket.id).clock == "counting"
    kept(desk, ticket.id)


def test_a_ticket_history_import_keeps_the_states_it_writes(store: Store, tmp_path: Path) -> None:
    registered = Ticket.register(id="OLD-1", subject="Boiler", created_at=START, status="open", company="C-2")
    path = tmp_path / "old.jsonl"
    path.write_text(ticket_to_json_line(registered) + "\n", encoding="utf-8")
    summary = import_ticket_histories(path, store=store, graph=CONFIG.graph, config=CONFIG)
    assert summary.created == 1
    desk = make_desk(store)
    kept(desk, "OLD-1")
    assert store.settings.get(FINGERPRINT_SETTING) == desk.sla_fingerprint, "the store held no ticket before"
    desk.transition("OLD-1", "in_progress", by="E-1", at=later(5))
    path.write_text(ticket_to_json_line(desk.get("OLD-1").value) + "\n", encoding="utf-8")
    other = open_store("memory://")
    seed(other)
    import_ticket_histories(path, store=other, graph=CONFIG.graph, config=CONFIG)
    kept(make_desk(other), "OLD-1")


def test_an_import_continuing_a_history_keeps_its_state_and_one_without_config_withdraws_the_setting(
    store: Store, tmp_path: Path
) -> None:
    desk = make_desk(store)
    ticket = desk.register_ticket(subject="Printer", by="E-1", company="C-1").ticket
    grown = transition(desk.get(ticket.id).value, "in_progress", at=later(15), by="E-1", graph=CONFIG.graph)
    path = tmp_path / "grown.jsonl"
    path.write_text(ticket_to_json_line(grown) + "\n", encoding="utf-8")
    summary = import_ticket_histories(path, store=store, graph=CONFIG.graph, config=CONFIG)
    assert summary.appended == 1
    assert kept(desk, ticket.id).status == "in_progress"
    assert store.settings.get(FINGERPRINT_SETTING) == desk.sla_fingerprint

    grown = transition(grown, "resolved", at=later(25), by="E-1", graph=CONFIG.graph)
    path.write_text(ticket_to_json_line(grown) + "\n", encoding="utf-8")
    import_ticket_histories(path, store=store, graph=CONFIG.graph)  # no configuration: cannot keep
    record = store.sla_states.get(ticket.id)
    assert record is not None and record.stale
    assert store.settings.get(FINGERPRINT_SETTING) == WITHDRAWN, "the queues must not trust the index"


def test_forgetting_a_contact_or_an_employee_keeps_the_states_fresh(store: Store) -> None:
    desk = make_desk(store)
    mine = desk.register_ticket(
        subject="Jana's printer", by="P-1", company="C-1", contact="P-1", assignee=Assignee(id="E-2")
    ).ticket
    desk.comment(mine.id, body="Jana, we are on it", author="employee", by="E-2", at=later(5))
    before = kept(desk, mine.id)
    version = desk.get(mine.id).version
    desk_privacy.forget_contact(store, "P-1", by="dpo", now=later(hours=1), scrub=False)
    assert desk.get(mine.id).version > version, "the ticket was rewritten"
    assert kept(desk, mine.id) == before
    desk_privacy.forget_employee(store, "E-2", by="dpo", now=later(hours=2), scrub=False)
    kept(desk, mine.id)


def test_a_rewrite_does_not_bless_a_state_that_was_stale_before(store: Store) -> None:
    desk = make_desk(store)
    ticket = desk.register_ticket(subject="Jana's printer", by="P-1", company="C-1", contact="P-1").ticket
    with store.unit_of_work() as uow:  # a writer that did not keep the state
        stored = uow.tickets.get(ticket.id)
        uow.tickets.save(
            attrs.evolve(stored.value, subject="Jana's old printer"), expected_version=stored.version
        )
        uow.commit()
    desk_privacy.forget_contact(store, "P-1", by="dpo", now=later(hours=1), scrub=False)
    record = store.sla_states.get(ticket.id)
    assert record is not None and record.stale


def test_retention_s_anonymising_keeps_the_state_fresh(store: Store) -> None:
    desk = make_desk(store)
    ticket = desk.register_ticket(subject="Jana's printer", by="P-1", company="C-1", contact="P-1").ticket
    desk.transition(ticket.id, "resolved", by="E-1", at=later(30))
    desk.run_due(later(days=3))
    before = kept(desk, ticket.id)
    result = desk_privacy.run_retention(
        store,
        [RetentionRule("closed_tickets", 1)],
        by="dpo",
        now=START + timedelta(days=800),
        is_closed=lambda status: CONFIG.graph.category(status).value == "closed",
        scrub=False,
    )
    assert [item.id for item in result.done] == [ticket.id]
    assert desk.get(ticket.id).value.subject != "Jana's printer"
    assert kept(desk, ticket.id) == before


def test_a_use_case_whose_state_cannot_be_put_leaves_the_store_as_it_was(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = make_desk(store)
    ticket = desk.register_ticket(subject="Printer", by="E-1", company="C-1").ticket
    before, record = everything(store), store.sla_states.get(ticket.id)

    def broken(self: Any, record: SlaStateRecord) -> None:
        raise StorageUnavailable("the disk is full")

    monkeypatch.setattr(MemorySlaStates, "put", broken)
    monkeypatch.setattr(SqlSlaStates, "put", broken)
    with pytest.raises(StorageUnavailable):
        desk.transition(ticket.id, "in_progress", by="E-1", at=later(5))
    with pytest.raises(StorageUnavailable):
        desk.register_ticket(subject="Second", by="E-1", at=later(6))
    assert everything(store) == before
    assert store.sla_states.get(ticket.id) == record
    assert store.sla_states.count() == 1


def _bundle(folder: Path, *, category: str, gold_sla: str = "") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "customer-groups.csv").write_text(
        f"external_id,name,sla\nG-1,Gold,{gold_sla}\n", encoding="utf-8"
    )
    (folder / "companies.csv").write_text(
        f"external_id,name,category,customer_groups\nCX-1,Kavárna,{category},\nCX-2,Cukrárna,client,G-1\n"
        "CX-3,Pekárna,client,\n",
        encoding="utf-8",
    )
    return folder


def test_an_import_changing_what_the_sla_reads_of_a_company_marks_its_states_stale(
    store: Store, tmp_path: Path
) -> None:
    import_bundle(_bundle(tmp_path / "first", category="client"), store=store)
    desk = make_desk(store)
    tickets = {
        company: desk.register_ticket(subject="Coffee machine", by="E-1", company=company).ticket.id
        for company in ("CX-1", "CX-2", "CX-3")
    }
    import_bundle(_bundle(tmp_path / "same", category="client"), store=store)  # nothing changed
    for ticket in tickets.values():
        kept(desk, ticket)
    import_bundle(_bundle(tmp_path / "vip", category="vip"), store=store)  # CX-1 becomes VIP
    assert [t for t, i in tickets.items() if store.sla_states.get(i).stale] == ["CX-1"]  # type: ignore[union-attr]
    import_bundle(_bundle(tmp_path / "gold", category="vip", gold_sla="High"), store=store)  # G-1's rule
    assert [t for t, i in tickets.items() if store.sla_states.get(i).stale] == ["CX-1", "CX-2"]  # type: ignore[union-attr]
    desk.comment(tickets["CX-1"], body="Noted", author="employee", by="E-1", at=later(5))
    kept(desk, tickets["CX-1"])  # the next write keeps it under the new facts


def test_generate_keeps_every_state_and_sets_the_fingerprint(tmp_path: Path) -> None:
    db = tmp_path / "generated.sqlite3"
    result = CliRunner().invoke(cli, ["--db", str(db), "generate", "--tickets", "60", "--companies", "5"])
    assert result.exit_code == 0, result.output
    with Desk.open(f"sqlite:///{db}", config=Configuration()) as desk:
        store = desk.store
        assert store.settings.get(FINGERPRINT_SETTING) == desk.sla_fingerprint
        assert store.sla_states.count() == store.tickets.count() == 60
        for stored in store.tickets.iter_tickets():
            kept(desk, stored.value.id)


def test_a_desk_on_a_store_with_older_tickets_counts_them_once_and_never_adopts(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.unit_of_work() as uow:  # a ticket written without its state (before the states existed)
        uow.tickets.add(Ticket.register(id="OLD-1", subject="Old", created_at=START, status="open"))
        uow.commit()
        uow_class = type(uow.tickets)
    counted: list[int] = []
    real = uow_class.count

    def count(self: Any) -> int:
        counted.append(1)
        return real(self)

    monkeypatch.setattr(uow_class, "count", count)
    desk = make_desk(store)
    for minutes in (1, 2, 3):
        kept(desk, desk.register_ticket(subject="New", by="E-1", at=later(minutes)).ticket.id)
    assert store.settings.get(FINGERPRINT_SETTING) is None, "only a rebuild may vouch for OLD-1"
    assert len(counted) == 1


def test_adopting_the_fingerprint_says_what_it_found(store: Store) -> None:
    from helpdesk_core.sla_states.keeping import adopt_when_empty

    with store.unit_of_work() as uow:
        assert adopt_when_empty(uow, "F1", written=0) == "adopted"
        assert adopt_when_empty(uow, "F1", written=0) == "in force"
        uow.tickets.add(Ticket.register(id="T-1", subject="One", created_at=START, status="open"))
        assert adopt_when_empty(uow, "F2", written=0) == "other tickets"
        assert adopt_when_empty(uow, "F2", written=1) == "adopted"
        uow.commit()
    assert store.settings.get(FINGERPRINT_SETTING) == "F2"
