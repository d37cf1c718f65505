"""The cheaper paths of settling a due ticket keep the results identical:
``Ticket.with_event`` (checks the new event only), the due page's schedule
entry trusted on a first attempt (another scheduler's work caught by the
compare-and-set), the automation policy checked once per configuration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_scheduler_decisions import CONFIG, ROSTER, closed_with_late_reply, tickets
from test_scheduler_run import NOWS, PlainDesk, histories, outbox, stored_desk

from helpdesk_core.desk import Desk, FixedClock, scheduler
from helpdesk_core.desk.scheduler import run_due, settle_ticket
from helpdesk_core.errors import ConfigError, HistoryError, ValidationError
from helpdesk_core.model.ticket import Comment, StatusChange, Ticket
from helpdesk_core.sla.notices import TicketEscalations, escalations_due, next_escalation
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.workflow.automatic import AutomationPolicy, apply_due

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 10, 25, 0, 30, tzinfo=BERLIN)  # the night the clocks go back


def _validated(ticket: Ticket, event: StatusChange | Comment) -> Ticket:
    """The old ``with_event``: the whole ticket built and validated again."""
    return attrs.evolve(ticket, events=(*ticket.events, event))


@given(st.lists(st.integers(min_value=-90, max_value=90), max_size=12), st.booleans())
def test_with_event_equals_validating_the_whole_history(steps: list[int], in_utc: bool) -> None:
    """Across the repeated hour of a DST change, in local and UTC instants:
    the same ticket, or the same HistoryError, as building it whole."""
    ticket = Ticket.register(id="T-1", subject="Printer", created_at=START)
    at = START
    for n, minutes in enumerate(steps):
        at = at + timedelta(minutes=minutes)
        event = Comment(at=at.astimezone(UTC) if in_utc else at, author="employee", body=f"note {n}")
        try:
            expected: Ticket | str = _validated(ticket, event)
        except HistoryError as error:
            expected = str(error)
        try:
            got: Ticket | str = ticket.with_event(event)
        except HistoryError as error:
            got = str(error)
        assert got == expected
        if isinstance(got, Ticket):
            ticket = got
            assert ticket.events[-1] is event


def test_with_event_leaves_the_ticket_it_came_from_alone() -> None:
    ticket = Ticket.register(id="T-1", subject="Printer", created_at=START)
    resolved = ticket.with_event(StatusChange(at=START + timedelta(hours=1), to="resolved"))
    assert (ticket.status, ticket.events) == ("open", ())
    assert resolved.status == "resolved" and resolved.id == "T-1" and resolved.subject == "Printer"
    with pytest.raises(HistoryError, match=r"T-1: events\[1\] \(comment\)"):
        resolved.with_event(Comment(at=START, author="employee", body="late"))


@pytest.mark.parametrize("batch", [1, 5])
def test_a_listed_entry_settled_meanwhile_by_another_scheduler_is_done_once(batch: int) -> None:
    """The page of due entries was read, then another scheduler settled those
    tickets: settling from the page's (now old) entries does nothing more —
    no second follow-up, no notice twice, no status change twice."""
    desk = stored_desk([closed_with_late_reply("T-500"), *tickets(30)])
    now = NOWS[3]
    listed = desk.store.schedule.due(now, limit=1000)
    assert len(listed) == 31
    first = run_due(PlainDesk(desk.store), now)
    assert first and not [a for a in first if a.action == "skipped"]
    events_before, tickets_before = len(outbox(desk.store)), desk.store.tickets.count()
    lookups = scheduler._Lookups.of(desk.store, desk.config)
    again = []
    for start in range(0, len(listed), batch):
        chunk = listed[start : start + batch]
        if batch == 1:
            again += settle_ticket(desk, chunk[0].ticket, now, lookups)
        else:
            again += scheduler._settle_together(desk, chunk, now, lookups, None)
    assert again == []
    assert len(outbox(desk.store)) == events_before
    assert desk.store.tickets.count() == tickets_before


def test_a_policy_that_does_not_fit_is_refused_on_every_call() -> None:
    """Checking a policy once per configuration never lets a broken one through."""
    broken = AutomationPolicy(reopen_to="nowhere", reply_reopens=())
    ticket = Ticket.register(id="T-1", subject="Printer", created_at=START)
    fine = AutomationPolicy(auto_close_after=timedelta(hours=48), reply_reopens=())
    apply_due(ticket, START, fine, DEFAULT_GRAPH)
    for _ in range(2):
        with pytest.raises(ConfigError, match="nowhere"):
            apply_due(ticket, START, broken, DEFAULT_GRAPH)
    apply_due(ticket, START, fine, DEFAULT_GRAPH)


def test_the_desk_runs_due_work_in_batches_with_the_same_result() -> None:
    """``Desk.run_due(now, batch=…)``: what ``helpdesk tick --batch`` does,
    from the desk; the same actions, histories and out-box as one by one."""
    results = []
    for batch in (1, 7):
        plain = stored_desk([closed_with_late_reply("T-500"), *tickets(40)])
        desk = Desk(plain.store, CONFIG, FixedClock(NOWS[3]))
        actions = desk.run_due(NOWS[3], batch=batch)
        results.append((actions, histories(desk.store), [e.event for e in outbox(desk.store)]))
        assert desk.run_due(NOWS[3], batch=batch) == ()
    assert results[0][0]
    assert results[0] == results[1]
    with pytest.raises(ValidationError, match="batch must be a whole number >= 1, got 0"):
        desk.run_due(NOWS[3], batch=0)


def test_one_escalation_look_ahead_answers_both_questions_as_two_fresh_ones() -> None:
    """The scheduler asks one :class:`TicketEscalations` what is due and what
    comes next (the replays shared): the same answers as fresh look-aheads."""
    assert CONFIG.sla is not None
    windows = [(None, NOWS[0]), (NOWS[0], NOWS[1]), (NOWS[1], NOWS[3]), (None, NOWS[3])]
    for ticket in tickets(80):
        for since, until in windows:
            since = ticket.created_at - timedelta(microseconds=1) if since is None else since
            shared = TicketEscalations(ticket, policy=CONFIG.sla, graph=CONFIG.graph, directory=ROSTER)
            due = shared.due(since=since, until=until)
            ahead = shared.next_after(until)
            sla, graph = CONFIG.sla, CONFIG.graph
            assert due == escalations_due(
                ticket, since=since, until=until, policy=sla, graph=graph, directory=ROSTER
            )
            assert ahead == next_escalation(ticket, after=until, policy=sla, graph=graph, directory=ROSTER)
            assert ahead is None or ahead > until
