"""The desk's use cases on the memory store and on SQLite: what each one
stores, what it tells the out-box, and that every refusal stores nothing at all."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from desk_world import CONFIG, START, everything, later, make_desk, seed

from helpdesk_core.desk import Desk
from helpdesk_core.errors import (
    ConflictError,
    HistoryError,
    NotFound,
    PermissionDenied,
    TransitionError,
    ValidationError,
)
from helpdesk_core.model.ticket import SYSTEM, Assignee, ObserverChange, StatusChange
from helpdesk_core.storage import open_store
from helpdesk_core.storage.protocols import Store


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    store = open_store("memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'desk.db'}")
    seed(store)
    yield store
    store.close()


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store)


def new_ticket(desk: Desk, **fields: Any) -> str:
    values: dict[str, Any] = {"subject": "Boiler stopped", "by": "E-1", "company": "C-1", "contact": "P-1"}
    values.update(fields)
    return desk.register_ticket(**values).ticket.id


def refused(store: Store, error: type[Exception], call: Callable[[], object], match: str | None = None) -> None:
    """``call`` raises ``error`` and the store is exactly as before."""
    before = everything(store)
    with pytest.raises(error, match=match):
        call()
    assert everything(store) == before


# -- registering --------------------------------------------------------------------


def test_registering_numbers_tickets_keeps_the_channel_and_tells_the_outbox(desk: Desk, store: Store) -> None:
    first = desk.register_ticket(
        subject="Boiler stopped", by="E-1", company="C-1", contact="P-1", channel="email",
        type="incident", priority="high", service_object="SO-1", equipment="EQ-1", contract="K-1",
        assignee=Assignee(id="G-1", group=True), observer_employees=["E-2"], attributes={"floor": "2"},
    )
    second = desk.register_ticket(subject="Printer", by="E-2", at=later(5))
    assert (first.ticket.id, second.ticket.id) == ("T-1001", "T-1002")
    assert first.version == 1 and first.warnings == ()
    stored = desk.get("T-1001")
    assert stored.version == 1 and stored.value == first.ticket
    assert stored.value.channel == "email" and stored.value.created_at == START
    assert stored.value.assignee == Assignee(id="G-1", group=True)
    assert second.ticket.assignee is None, "routing is a later issue: unassigned"
    [event] = first.events
    assert event.kind == "ticket_registered" and event.by == "E-1"
    assert event.data["channel"] == "email" and event.data["warnings"] == []
    assert [e.event for e in desk.outbox.pending()] == [*first.events, *second.events]
    entry = store.schedule.find("T-1001")
    assert entry is not None and not entry.stale


def test_a_given_id_is_kept_and_a_taken_one_is_refused(desk: Desk, store: Store) -> None:
    assert new_ticket(desk, id="X-7") == "X-7"
    refused(store, ValidationError, lambda: new_ticket(desk, id="X-7"), "already taken")


def test_a_contract_that_does_not_cover_the_day_is_a_warning_not_a_refusal(desk: Desk) -> None:
    outcome = desk.register_ticket(subject="Boiler", by="E-1", company="C-1", contact="P-1", contract="K-2")
    assert outcome.warnings == ("contract 2026/2 (K-2): service period 2026-01-01..2026-12-31 is unpaid",)
    assert outcome.events[0].data["warnings"] == list(outcome.warnings)
    assert desk.get(outcome.ticket.id).value.contract == "K-2"


@pytest.mark.parametrize(
    ("fields", "company"),
    [
        ({"contact": "P-2"}, "C-2"),
        ({"service_object": "SO-2"}, "C-2"),
        ({"equipment": "EQ-2"}, "C-2"),
        ({"contact": "P-1", "service_object": "SO-1"}, "C-1"),
    ],
)
def test_a_ticket_without_a_company_gets_its_contacts_or_assets(
    desk: Desk, fields: dict[str, Any], company: str
) -> None:
    """A portal or an agent registering for a contact need not repeat the
    company: the ticket is the company's (its SLA rules, reports, contract)."""
    outcome = desk.register_ticket(subject="Boiler", by="E-1", **fields)
    assert outcome.ticket.company == company
    assert outcome.events[0].data["company"] == company


def test_a_contact_and_an_asset_of_different_companies_are_still_refused(desk: Desk, store: Store) -> None:
    refused(
        store,
        ValidationError,
        lambda: desk.register_ticket(subject="Boiler", by="E-1", contact="P-1", service_object="SO-2"),
        "SO-2 belongs to company C-2, not to C-1",
    )


def test_the_contact_may_register_their_own_ticket(desk: Desk) -> None:
    assert desk.register_ticket(subject="Help", by="P-1", company="C-1", contact="P-1").version == 1


@pytest.mark.parametrize(
    ("fields", "error", "match"),
    [
        ({"company": "C-404"}, ValidationError, "company: no company 'C-404'"),
        ({"contact": "P-404"}, ValidationError, "contact: no contact 'P-404'"),
        ({"contact": "P-2"}, ValidationError, "P-2 is a contact of company C-2, not of C-1"),
        ({"service_object": "SO-2"}, ValidationError, "SO-2 belongs to company C-2"),
        ({"equipment": "EQ-2"}, ValidationError, "EQ-2 belongs to company C-2"),
        ({"contract": "K-3"}, ValidationError, "K-3 is a contract of C-2, not of C-1"),
        ({"contract": "K-404"}, ValidationError, "no contract"),
        ({"assignee": Assignee(id="E-9")}, ValidationError, "E-9 is deactivated"),
        ({"assignee": Assignee(id="E-404")}, ValidationError, "no employee 'E-404'"),
        ({"assignee": Assignee(id="G-404", group=True)}, ValidationError, "no employee group"),
        ({"observer_employees": ["E-404"]}, ValidationError, "observer_employees"),
        ({"observer_groups": ["G-404"]}, ValidationError, "observer_groups"),
        ({"type": "wish"}, ValidationError, "unknown type 'wish'"),
        ({"priority": "urgent"}, ValidationError, "unknown priority"),
        ({"attributes": {"colour": "red"}}, ValidationError, "unknown attribute"),
        ({"subject": " "}, ValidationError, "subject"),
        ({"by": "E-404"}, PermissionDenied, "no employee of the desk"),
        ({"by": "E-9"}, PermissionDenied, "deactivated"),
        ({"by": "P-2"}, PermissionDenied, "a contact may only"),
    ],
)
def test_registering_refuses_what_does_not_exist_or_belong_together(
    desk: Desk, store: Store, fields: dict[str, Any], error: type[Exception], match: str
) -> None:
    refused(store, error, lambda: new_ticket(desk, **fields), match)


def test_a_refused_registration_gives_its_number_back(desk: Desk) -> None:
    with pytest.raises(ValidationError):
        new_ticket(desk, company="C-404")
    assert new_ticket(desk) == "T-1001"


# -- moving ---------------------------------------------------------------------------


def test_a_move_appends_one_event_bumps_the_version_once_and_tells_the_outbox(desk: Desk) -> None:
    ticket_id = new_ticket(desk)
    outcome = desk.transition(ticket_id, "in_progress", by="E-1", at=later(10))
    assert outcome.version == 2
    assert outcome.ticket.events == (StatusChange(at=later(10), to="in_progress", by="E-1"),)
    [event] = outcome.events
    assert (event.kind, event.by, event.data["from"], event.data["to"]) == (
        "status_changed", "E-1", "open", "in_progress"
    )
    assert desk.get(ticket_id).version == 2


def test_moves_the_graph_forbids_are_refused_and_store_nothing(desk: Desk, store: Store) -> None:
    ticket_id = new_ticket(desk)
    refused(store, TransitionError, lambda: desk.transition(ticket_id, "closed", by="E-1", at=later(1)))
    refused(store, TransitionError, lambda: desk.transition(ticket_id, "postponed", by="E-1", at=later(1)),
            "needs an until-time")
    refused(store, TransitionError, lambda: desk.transition(ticket_id, "nowhere", by="E-1", at=later(1)))
    refused(store, NotFound, lambda: desk.transition("T-404", "resolved", by="E-1", at=later(1)))


def test_a_change_dated_before_the_last_event_is_refused(desk: Desk, store: Store) -> None:
    ticket_id = new_ticket(desk)
    desk.transition(ticket_id, "in_progress", by="E-1", at=later(30))
    refused(store, HistoryError, lambda: desk.change_priority(ticket_id, "high", by="E-1", at=later(20)),
            "earlier than its last event")
    refused(store, HistoryError, lambda: desk.comment(
        ticket_id, body="x", author="employee", by="E-1", at=later(-5)))


def test_a_stale_expected_version_is_a_conflict_and_stores_nothing(desk: Desk, store: Store) -> None:
    ticket_id = new_ticket(desk)
    desk.transition(ticket_id, "in_progress", by="E-1", at=later(10), expected_version=1)
    refused(store, ConflictError, lambda: desk.change_priority(
        ticket_id, "high", by="E-1", at=later(20), expected_version=1), "expected version 1")
    assert desk.change_priority(ticket_id, "high", by="E-1", at=later(20), expected_version=2).version == 3


def test_what_was_due_is_applied_before_the_agents_move(desk: Desk) -> None:
    ticket_id = new_ticket(desk)
    desk.transition(ticket_id, "postponed", by="E-1", at=later(10), until=later(hours=2))
    outcome = desk.transition(ticket_id, "in_progress", by="E-2", at=later(hours=3))
    assert outcome.version == 3, "one version per use case, the automatic return included"
    assert outcome.ticket.events[-2:] == (
        StatusChange(at=later(hours=2), to="open", by=SYSTEM),
        StatusChange(at=later(hours=3), to="in_progress", by="E-2"),
    )
    automatic, by_hand = outcome.events
    assert (automatic.by, automatic.at, automatic.data["rule"]) == (SYSTEM, later(hours=2), "return")
    assert (by_hand.data["from"], by_hand.data["to"]) == ("open", "in_progress")


def test_a_move_from_a_status_left_by_itself_is_judged_after_it(desk: Desk, store: Store) -> None:
    """Postponed → resolved is an edge, but by then the ticket is open again
    (and open → resolved is one too): the refusal of a move from the real
    current status shows the automatic move came first."""
    ticket_id = new_ticket(desk)
    desk.transition(ticket_id, "postponed", by="E-1", at=later(10), until=later(hours=1))
    refused(store, TransitionError, lambda: desk.transition(ticket_id, "open", by="E-1", at=later(hours=2)),
            "cannot move from 'open' to 'open'")


# -- actors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("by", "match"),
    [("P-1", "a contact may only"), ("E-9", "deactivated"), ("nobody", "no employee of the desk")],
)
def test_only_active_employees_and_the_system_move_tickets(
    desk: Desk, store: Store, by: str, match: str
) -> None:
    ticket_id = new_ticket(desk)
    for call in (
        lambda: desk.transition(ticket_id, "in_progress", by=by, at=later(1)),
        lambda: desk.assign(ticket_id, Assignee(id="E-2"), by=by, at=later(1)),
        lambda: desk.change_priority(ticket_id, "high", by=by, at=later(1)),
        lambda: desk.change_type(ticket_id, "question", by=by, at=later(1)),
        lambda: desk.set_due(ticket_id, resolution=later(days=1), by=by, at=later(1)),
        lambda: desk.add_observer(ticket_id, employee="E-2", by=by, at=later(1)),
        lambda: desk.comment(ticket_id, body="x", author="employee", by=by, at=later(1)),
    ):
        refused(store, PermissionDenied, call, match)
    assert desk.transition(ticket_id, "in_progress", by=SYSTEM, at=later(1)).version == 2


def test_an_employee_may_not_write_as_the_contact_nor_the_contact_as_an_employee(
    desk: Desk, store: Store
) -> None:
    ticket_id = new_ticket(desk)
    refused(store, PermissionDenied, lambda: desk.comment(
        ticket_id, body="x", author="contact", by="E-1", at=later(1)), "only the ticket's contact P-1")
    refused(store, PermissionDenied, lambda: desk.comment(
        ticket_id, body="x", author="employee", by="P-1", at=later(1)))
    refused(store, PermissionDenied, lambda: desk.customer_reply(ticket_id, body="x", by="P-3", at=later(1)))
    refused(store, ValidationError, lambda: desk.comment(
        ticket_id, body="x", author="contact", public=False, by="P-1", at=later(1)), "always public")


# -- the other changes ------------------------------------------------------------------


def test_assigning_to_an_employee_a_group_and_nobody(desk: Desk, store: Store) -> None:
    ticket_id = new_ticket(desk)
    first = desk.assign(ticket_id, Assignee(id="E-2"), by="E-1", at=later(1))
    group = desk.assign(ticket_id, Assignee(id="G-1", group=True), by="E-1", at=later(2))
    nobody = desk.assign(ticket_id, None, by="E-1", at=later(3))
    assert [o.version for o in (first, group, nobody)] == [2, 3, 4]
    assert first.events[0].data == {"from": None, "to": {"id": "E-2", "group": False}}
    assert group.events[0].data["to"] == {"id": "G-1", "group": True}
    assert nobody.ticket.assignee is None and nobody.events[0].data["to"] is None
    refused(store, ValidationError, lambda: desk.assign(ticket_id, Assignee(id="E-9"), by="E-1", at=later(4)),
            "deactivated")
    refused(store, ValidationError, lambda: desk.assign(ticket_id, Assignee(id="E-7"), by="E-1", at=later(4)),
            "no employee 'E-7'")


def test_priority_type_and_deadlines(desk: Desk, store: Store) -> None:
    ticket_id = new_ticket(desk, type="incident", priority="normal")
    priority = desk.change_priority(ticket_id, "high", by="E-1", at=later(1))
    kind = desk.change_type(ticket_id, "question", by="E-1", at=later(2))
    due = desk.set_due(ticket_id, resolution=later(days=3), by="E-1", at=later(3))
    assert priority.events[0].data == {"from": "normal", "to": "high"}
    assert kind.events[0].data == {"from": "incident", "to": "question"}
    assert due.events[0].kind == "due_set" and due.events[0].data["resolution_due"] == later(days=3).isoformat()
    assert (due.ticket.priority, due.ticket.type, due.version) == ("high", "question", 4)
    assert desk.sla_status(ticket_id, as_of=later(4)).row.resolution_due_set_by_hand
    refused(store, ValidationError, lambda: desk.change_priority(ticket_id, "urgent", by="E-1", at=later(5)),
            "unknown priority 'urgent'")
    refused(store, ValidationError, lambda: desk.change_type(ticket_id, "wish", by="E-1", at=later(5)))
    refused(store, ValidationError, lambda: desk.set_due(ticket_id, rule="Gold", by="E-1", at=later(5)),
            "no SLA rule 'Gold'")
    refused(store, ValidationError, lambda: desk.set_due(ticket_id, by="E-1", at=later(5)))


def test_observers_are_added_and_removed_through_the_history(desk: Desk, store: Store) -> None:
    ticket_id = new_ticket(desk, observer_employees=["E-1"])
    added = desk.add_observer(ticket_id, employee="E-2", by="E-1", at=later(1))
    group = desk.add_observer(ticket_id, group="G-1", by="E-1", at=later(2))
    removed = desk.remove_observer(ticket_id, employee="E-1", by="E-1", at=later(3))
    ticket = removed.ticket
    assert ticket.current_observer_employees == {"E-2"} and ticket.current_observer_groups == {"G-1"}
    assert ticket.observer_employees == {"E-1"}, "the registration stays as it was"
    assert ticket.events[-1] == ObserverChange(at=later(3), employee="E-1", added=False, by="E-1")
    assert [o.events[0].kind for o in (added, group, removed)] == [
        "observer_added", "observer_added", "observer_removed"
    ]
    refused(store, ValidationError, lambda: desk.add_observer(ticket_id, employee="E-2", by="E-1", at=later(4)),
            "observes it already")
    refused(store, ValidationError, lambda: desk.remove_observer(ticket_id, employee="E-1", by="E-1",
                                                                 at=later(4)), "does not observe")
    refused(store, ValidationError, lambda: desk.add_observer(ticket_id, employee="E-404", by="E-1",
                                                              at=later(4)))
    refused(store, ValidationError, lambda: desk.add_observer(ticket_id, by="E-1", at=later(4)), "name one")


def test_a_comment_tells_the_comment_and_each_mention(desk: Desk, store: Store) -> None:
    ticket_id = new_ticket(desk)
    outcome = desk.comment(ticket_id, body="@Emil look", author="employee", public=False, by="E-1",
                           at=later(5), mentions=["E-2", "E-1"], channel="web")
    assert [e.kind for e in outcome.events] == ["comment_added", "mentioned", "mentioned"]
    assert outcome.events[0].data["public"] is False and outcome.events[0].data["body"] == "@Emil look"
    assert [e.data["employee"] for e in outcome.events[1:]] == ["E-2", "E-1"]
    assert outcome.ticket.comments[-1].mentions == ("E-2", "E-1")
    refused(store, ValidationError, lambda: desk.comment(
        ticket_id, body="x", author="employee", by="E-1", at=later(6), mentions=["E-404"]), "mentions")


# -- the customer -----------------------------------------------------------------------


def test_a_reply_to_a_resolved_ticket_reopens_it(desk: Desk) -> None:
    ticket_id = new_ticket(desk)
    desk.transition(ticket_id, "resolved", by="E-1", at=later(10))
    outcome = desk.customer_reply(ticket_id, body="Still cold", by="P-1", at=later(20), channel="email")
    assert outcome.ticket.status == "open" and outcome.version == 3 and outcome.follow_up_of is None
    assert [(e.kind, e.by) for e in outcome.events] == [("comment_added", "P-1"), ("status_changed", SYSTEM)]
    assert outcome.events[1].data["rule"] == "reply_reopen"


def test_a_reply_within_the_reopen_window_reopens_a_closed_ticket(desk: Desk) -> None:
    ticket_id = new_ticket(desk)
    desk.transition(ticket_id, "resolved", by="E-1", at=later(10))
    outcome = desk.comment(ticket_id, body="Again", author="contact", by="P-1", at=later(days=4))
    assert [e.to for e in outcome.ticket.events if isinstance(e, StatusChange)] == ["resolved", "closed", "open"]
    assert [e.data.get("rule") for e in outcome.events] == ["auto_close", None, "reopen"]
    assert outcome.version == 3 and outcome.follow_up_of is None


def test_a_reply_after_the_window_makes_a_linked_follow_up(desk: Desk, store: Store) -> None:
    ticket_id = new_ticket(desk, type="incident", service_object="SO-1")
    desk.transition(ticket_id, "resolved", by="E-1", at=later(10))
    desk.comment(ticket_id, body="Closing remark", author="employee", by="E-1", at=later(days=3))
    closed = desk.get(ticket_id)
    assert closed.value.status == "closed"
    outcome = desk.customer_reply(ticket_id, body="Broken again", by="P-1", at=later(days=10))
    assert outcome.follow_up_of == ticket_id and outcome.ticket.id == "T-1002" and outcome.version == 1
    follow_up = desk.get("T-1002").value
    assert follow_up.extra == {"follow_up_of": ticket_id}
    assert (follow_up.company, follow_up.contact, follow_up.service_object, follow_up.type) == (
        "C-1", "P-1", "SO-1", "incident"
    )
    assert follow_up.comments[0].body == "Broken again" and follow_up.created_at == later(days=10)
    assert desk.get(ticket_id) == closed, "the closed ticket stays as it was"
    assert [(e.kind, e.ticket) for e in outcome.events] == [
        ("ticket_registered", "T-1002"), ("comment_added", "T-1002"), ("follow_up_registered", ticket_id)
    ]


def test_confirm_and_reopen_are_the_contacts_of_a_resolved_ticket(desk: Desk, store: Store) -> None:
    first, second = new_ticket(desk), new_ticket(desk)
    refused(store, TransitionError, lambda: desk.confirm(first, by="P-1", at=later(1)), "not resolved")
    for ticket_id in (first, second):
        desk.transition(ticket_id, "resolved", by="E-1", at=later(10))
    for by in ("E-1", "P-3", "P-2"):
        refused(store, PermissionDenied, functools.partial(desk.confirm, first, by=by, at=later(20)))
        refused(store, PermissionDenied, functools.partial(desk.reopen, first, by=by, at=later(20)))
    confirmed = desk.confirm(first, by="P-1", at=later(20))
    reopened = desk.reopen(second, by="P-1", at=later(20))
    assert (confirmed.ticket.status, reopened.ticket.status) == ("closed", "open")
    assert confirmed.ticket.events[-1] == StatusChange(at=later(20), to="closed", by="P-1")
    assert reopened.events[0].data["by_customer"] == "reopen"


def test_a_ticket_without_a_contact_takes_no_customer_moves(desk: Desk, store: Store) -> None:
    ticket_id = desk.register_ticket(subject="Internal", by="E-1").ticket.id
    desk.transition(ticket_id, "resolved", by="E-1", at=later(1))
    refused(store, PermissionDenied, lambda: desk.confirm(ticket_id, by="P-1", at=later(2)), "has no contact")


# -- the out-box, retrying -------------------------------------------------------------


def test_the_outbox_holds_exactly_the_committed_events_in_order(desk: Desk) -> None:
    told = []
    ticket_id = new_ticket(desk)
    told += desk.outbox.pending()
    calls: list[Callable[[], Any]] = [
        lambda: desk.transition(ticket_id, "in_progress", by="E-1", at=later(1)),
        lambda: desk.transition(ticket_id, "closed", by="E-1", at=later(2)),  # refused
        lambda: desk.comment(ticket_id, body="hi", author="employee", by="E-1", at=later(3), mentions=["E-2"]),
        lambda: desk.assign(ticket_id, Assignee(id="E-9"), by="E-1", at=later(4)),  # refused
        lambda: desk.transition(ticket_id, "resolved", by="E-1", at=later(5)),
        lambda: desk.customer_reply(ticket_id, body="thanks", by="P-1", at=later(6)),
    ]
    outcomes = []
    for call in calls:
        with contextlib.suppress(TransitionError, ValidationError):
            outcomes.append(call())
    expected = [e for o in outcomes for e in o.events]
    entries = desk.outbox.entries(after=1)
    assert [entry.event for entry in entries] == expected
    assert [entry.position for entry in entries] == list(range(2, 2 + len(expected)))
    assert [o.version for o in outcomes] == [2, 3, 4, 5]
    desk.outbox.acknowledge("notifications", 3)
    assert [entry.position for entry in desk.outbox.pending("notifications")] == list(
        range(4, 2 + len(expected))
    )
    assert len(desk.outbox.pending()) == 1 + len(expected)


def test_retrying_runs_again_after_a_real_conflict(desk: Desk) -> None:
    ticket_id = new_ticket(desk)
    attempts: list[int] = []

    def raise_priority() -> Any:
        read = desk.get(ticket_id)
        if not attempts:  # somebody else comments between our read and our write
            desk.comment(ticket_id, body="me first", author="employee", by="E-2", at=later(1))
        attempts.append(read.version)
        return desk.change_priority(ticket_id, "high", by="E-1", at=later(2), expected_version=read.version)

    outcome = desk.retrying(raise_priority)
    assert attempts == [1, 2] and outcome.version == 3
    assert [e.kind for e in outcome.ticket.events] == ["comment", "priority"]


def test_retrying_gives_up_after_the_attempts_with_the_last_conflict(desk: Desk) -> None:
    calls = []

    def always() -> None:
        calls.append(1)
        raise ConflictError(f"conflict {len(calls)}")

    with pytest.raises(ConflictError, match="conflict 3"):
        desk.retrying(always, attempts=3)
    with pytest.raises(ValidationError):
        desk.retrying(always, attempts=0)
    with pytest.raises(ValidationError):  # other errors are not retried
        desk.retrying(lambda: new_ticket(desk, company="C-404"))


# -- SLA and lists -------------------------------------------------------------------


def test_sla_status_counts_working_minutes_left_on_the_rules_calendar(desk: Desk) -> None:
    ticket_id = new_ticket(desk, priority="high")  # reaction 1h, resolution 8h, office 9-17
    status = desk.sla_status(ticket_id, as_of=later(30))
    assert status.row.rule == "High" and status.row.state.value == "running"
    assert (status.reaction_left, status.resolution_left) == (30, 8 * 60 - 30)
    evening = desk.sla_status(ticket_id, as_of=START.replace(hour=20))
    assert evening.reaction_left == -7 * 60 and evening.row.reaction_breached
    assert evening.resolution_left == 0, "the office closed at 17:00: the whole day is used up"
    desk.comment(ticket_id, body="On it", author="employee", by="E-1", at=later(40))
    desk.transition(ticket_id, "resolved", by="E-1", at=later(hours=2))
    done = desk.sla_status(ticket_id, as_of=later(hours=3))
    assert (done.reaction_left, done.resolution_left) == (None, None)
    no_sla = make_desk(desk.store, config=type(CONFIG)()).sla_status(ticket_id, as_of=later(hours=3))
    assert no_sla.row.state.value == "no_sla" and no_sla.reaction_left is None


def test_ticket_lists_filter_and_page(desk: Desk) -> None:
    ids = [new_ticket(desk, at=later(i)) for i in range(5)]
    other = new_ticket(desk, company="C-2", contact="P-2", at=later(6))
    desk.assign(ids[1], Assignee(id="E-2"), by="E-1", at=later(10))
    desk.assign(ids[3], Assignee(id="E-2"), by="E-1", at=later(10))
    desk.transition(ids[2], "resolved", by="E-1", at=later(11))

    def listed(**filters: Any) -> list[str]:
        return [s.value.id for s in desk.tickets(**filters)]

    assert listed() == [*ids, other]
    assert listed(company="C-2") == [other]
    assert listed(status="resolved") == [ids[2]]
    assert listed(assignee="E-2") == [ids[1], ids[3]]
    assert listed(limit=2) == ids[:2] and listed(limit=2, after=ids[1]) == ids[2:4]
    assert listed(assignee="E-2", after=ids[1]) == [ids[3]]
    # the default rule reacts within 4 working hours: by the evening only the resolved one reacted
    assert listed(overdue_at=START.replace(hour=16)) == [*ids[:2], *ids[3:], other]
    assert listed(overdue_at=later(1)) == []
    with pytest.raises(ValidationError):
        listed(after="T-404")


def test_the_desk_opens_by_url_and_closes(tmp_path: Any) -> None:
    config = tmp_path / "helpdesk.toml"
    config.write_text("[desk]\nticket_ids = 'REQ-{n}'\nfirst_ticket_number = 7\n", encoding="utf-8")
    with Desk.open("memory://", config=config) as desk:
        assert desk.config.desk.ticket_ids == "REQ-{n}"
        assert desk.register_ticket(subject="x", by=SYSTEM, at=START).ticket.id == "REQ-7"
        assert desk.clock.now() - desk.clock.now() <= timedelta(0)


def test_a_history_the_desk_wrote_imports_elsewhere_system_comments_and_observers_included(
    desk: Desk, tmp_path: Any
) -> None:
    """The desk lets ``system`` write employees' comments; an import used to
    refuse such a history ("comment by employee 'system' is not known")."""
    from desk_world import seed as seed_parties

    from helpdesk_core.desk import import_ticket_histories
    from helpdesk_core.serialization import ticket_to_json_line

    ticket_id = new_ticket(desk)
    desk.comment(ticket_id, body="Auto-reply: we are on it", author="employee", by=SYSTEM, at=later(1))
    desk.add_observer(ticket_id, employee="E-2", by="E-1", at=later(2))
    written = desk.get(ticket_id).value
    path = tmp_path / "history.jsonl"
    path.write_text(ticket_to_json_line(written) + "\n", encoding="utf-8")
    other = open_store("memory://")
    seed_parties(other)
    summary = import_ticket_histories(path, store=other, graph=CONFIG.graph, policy=CONFIG.automation)
    assert summary.created == 1 and other.tickets.get(ticket_id).value == written


def test_the_sla_of_a_ticket_follows_its_companys_customer_groups(desk: Desk, store: Store) -> None:
    from helpdesk_core.model.parties import Company, CustomerGroup

    with store.unit_of_work() as uow:
        uow.customer_groups.add(CustomerGroup(id="GOLD", name="Gold customers", sla="High"))
        company = uow.companies.get("C-2")
        gold = Company(id="C-2", name="Company C-2", category="vip", customer_groups=["GOLD"])
        uow.companies.save(gold, expected_version=company.version)
        uow.commit()
    gold_ticket = new_ticket(desk, company="C-2", contact="P-2")
    plain_ticket = new_ticket(desk)
    facts = desk.customer_facts(desk.get(gold_ticket).value)
    assert (facts.client_category, facts.customer_groups) == ("vip", ("GOLD",))
    assert desk.sla_status(gold_ticket, as_of=later(1)).row.rule == "High"
    assert desk.sla_status(plain_ticket, as_of=later(1)).row.rule == "Default"


def test_a_deadline_set_by_hand_without_any_rule_counts_real_minutes(store: Store) -> None:
    desk = make_desk(store, config=type(CONFIG)())
    ticket_id = new_ticket(desk)
    desk.set_due(ticket_id, resolution=later(hours=20), by="E-1", at=later(1))
    status = desk.sla_status(ticket_id, as_of=later(hours=2))
    assert status.row.rule is None and status.row.state.value == "running"
    assert (status.reaction_left, status.resolution_left) == (None, 18 * 60)
