"""Replay of stored histories and the checked move."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from helpdesk_core.errors import HistoryError, TransitionError
from helpdesk_core.model.ticket import SYSTEM, Comment, Event, StatusChange, Ticket
from helpdesk_core.workflow import (
    DEFAULT_GRAPH,
    DEFAULT_POLICY,
    USERESPONSE_GRAPH,
    USERESPONSE_POLICY,
    AutomationPolicy,
    Status,
    TransitionGraph,
    check_history,
    replay,
    transition,
)

CET = timezone(timedelta(hours=1))


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"2026-03-{text}").replace(tzinfo=CET)


def _ticket(*events: Event, id: str = "T-7", status: str = "open") -> Ticket:
    return Ticket(
        id=id, subject="Boiler stopped", created_at=at("02 08:55"), initial_status=status, events=events
    )


def _move(when: str, to: str, by: str = "E-3", until: str | None = None) -> StatusChange:
    return StatusChange(at=at(when), to=to, by=by, until=None if until is None else at(until))


def _reply(when: str) -> Comment:
    return Comment(at=at(when), author="contact", body="Hello?", by="P-19")


FORMATS_EXAMPLE = _ticket(
    Comment(at=at("02 09:20"), author="employee", body="On it.", by="E-3"),
    _move("02 10:00", "postponed", until="03 09:00"),
    _move("03 09:00", "open", by=SYSTEM),
    _move("03 11:30", "resolved"),
    _move("05 11:30", "closed", by=SYSTEM),
)


def test_the_formats_example_history_replays() -> None:
    assert replay(FORMATS_EXAMPLE, DEFAULT_GRAPH) == FORMATS_EXAMPLE
    check_history(FORMATS_EXAMPLE, DEFAULT_GRAPH, policy=DEFAULT_POLICY)


def test_impossible_move_names_ticket_event_index_and_move() -> None:
    ticket = _ticket(
        _move("02 09:00", "resolved"),
        _move("02 10:00", "closed"),
        _reply("02 11:00"),
        _move("02 12:00", "in_progress"),
    )
    with pytest.raises(HistoryError) as caught:
        check_history(ticket, DEFAULT_GRAPH, policy=DEFAULT_POLICY)
    assert str(caught.value) == (
        "ticket T-7: events[3]: cannot move from 'closed' to 'in_progress' (allowed from 'closed': none)"
    )


def test_unknown_status_in_history() -> None:
    with pytest.raises(HistoryError) as caught:
        check_history(_ticket(_move("02 09:00", "pending")), DEFAULT_GRAPH)
    assert str(caught.value) == (
        "ticket T-7: events[0]: unknown status 'pending' "
        "(known: open, in_progress, postponed, resolved, closed)"
    )


def test_history_must_start_in_the_initial_status() -> None:
    with pytest.raises(HistoryError) as caught:
        check_history(_ticket(status="in_progress"), DEFAULT_GRAPH)
    assert str(caught.value) == (
        "ticket T-7: starts in 'in_progress'; the workflow starts every ticket in 'open'"
    )
    with pytest.raises(HistoryError, match="starts in 'nowhere'; unknown status"):
        check_history(_ticket(status="nowhere"), DEFAULT_GRAPH)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            _move("02 10:00", "postponed"),
            "ticket T-7: events[0]: moving to 'postponed' needs an until-time",
        ),
        (
            _move("02 10:00", "postponed", until="02 09:59"),
            "ticket T-7: events[0]: until 2026-03-02T09:59:00+01:00 is earlier than "
            "the move at 2026-03-02T10:00:00+01:00",
        ),
        (
            _move("02 10:00", "in_progress", until="03 09:00"),
            "ticket T-7: events[0]: 'in_progress' takes no until-time, got 2026-03-03T09:00:00+01:00",
        ),
    ],
)
def test_until_time_problems(change: StatusChange, message: str) -> None:
    with pytest.raises(HistoryError) as caught:
        check_history(_ticket(change), DEFAULT_GRAPH)
    assert str(caught.value) == message


def test_system_reopen_of_a_closed_ticket_replays_within_the_window_only() -> None:
    reopened = _ticket(
        _move("02 10:00", "closed"),
        _reply("05 10:00"),
        _move("05 10:00", "open", by=SYSTEM),
    )
    check_history(reopened, USERESPONSE_GRAPH, policy=USERESPONSE_POLICY)
    # without a policy the graph alone decides: closed is final
    with pytest.raises(HistoryError, match=r"events\[2\]: cannot move from 'closed' to 'open'"):
        check_history(reopened, USERESPONSE_GRAPH)
    # the same move by a person is refused
    by_hand = _ticket(_move("02 10:00", "closed"), _reply("05 10:00"), _move("05 10:00", "open"))
    with pytest.raises(HistoryError, match=r"events\[2\]"):
        check_history(by_hand, USERESPONSE_GRAPH, policy=USERESPONSE_POLICY)
    # a reply 8 days later cannot reopen within a 7-day window
    too_late = _ticket(_move("02 10:00", "closed"), _reply("10 10:00"), _move("10 10:00", "open", by=SYSTEM))
    with pytest.raises(HistoryError, match=r"events\[2\]"):
        check_history(too_late, USERESPONSE_GRAPH, policy=USERESPONSE_POLICY)
    # a reopen needs the reply first
    no_reply = _ticket(_move("02 10:00", "closed"), _move("03 10:00", "open", by=SYSTEM))
    with pytest.raises(HistoryError, match=r"events\[1\]"):
        check_history(no_reply, USERESPONSE_GRAPH, policy=USERESPONSE_POLICY)


def test_system_return_off_the_graph_must_wait_for_the_until_time() -> None:
    # a workflow where agents cannot take a ticket out of 'snoozed' by hand
    graph = TransitionGraph.build(
        [
            Status.define("open", "open"),
            Status.define("snoozed", "waiting", requires_until=True),
            Status.define("closed", "closed"),
        ],
        {"open": ["snoozed", "closed"], "snoozed": ["closed"]},
        "open",
    )
    policy = AutomationPolicy(reply_reopens=())
    on_time = _ticket(_move("02 10:00", "snoozed", until="03 09:00"), _move("03 09:00", "open", by=SYSTEM))
    check_history(on_time, graph, policy=policy)
    early = _ticket(_move("02 10:00", "snoozed", until="03 09:00"), _move("03 08:59", "open", by=SYSTEM))
    with pytest.raises(HistoryError) as caught:
        check_history(early, graph, policy=policy)
    assert str(caught.value) == (
        "ticket T-7: events[1]: cannot move from 'snoozed' to 'open' (allowed from 'snoozed': closed)"
    )


# -- transition: the checked move --------------------------------------------------------


def test_transition_appends_a_checked_status_change() -> None:
    ticket = transition(_ticket(), "in_progress", at=at("02 09:00"), by="E-3", graph=DEFAULT_GRAPH)
    assert ticket.status == "in_progress"
    assert ticket.events == (_move("02 09:00", "in_progress"),)


def test_refused_transition_leaves_the_ticket_unchanged() -> None:
    ticket = _ticket(_move("02 09:00", "resolved"), _move("02 10:00", "closed"))
    with pytest.raises(TransitionError) as caught:
        transition(ticket, "in_progress", at=at("02 11:00"), by="E-3", graph=DEFAULT_GRAPH)
    assert str(caught.value) == (
        "ticket T-7: cannot move from 'closed' to 'in_progress' (allowed from 'closed': none)"
    )
    assert ticket.status == "closed"


def test_transition_to_postponed_needs_a_future_until() -> None:
    ticket = _ticket()
    with pytest.raises(TransitionError, match="ticket T-7: moving to 'postponed' needs an until"):
        transition(ticket, "postponed", at=at("02 09:00"), by="E-3", graph=DEFAULT_GRAPH)
    with pytest.raises(TransitionError, match="is earlier than the move"):
        transition(
            ticket, "postponed", at=at("02 09:00"), until=at("02 08:00"), by="E-3", graph=DEFAULT_GRAPH
        )
    with pytest.raises(TransitionError, match="'resolved' takes no until-time"):
        transition(ticket, "resolved", at=at("02 09:00"), until=at("03 08:00"), by="E-3", graph=DEFAULT_GRAPH)
    postponed = transition(
        ticket, "postponed", at=at("02 09:00"), until=at("03 09:00"), by="E-3", graph=DEFAULT_GRAPH
    )
    assert postponed.until == at("03 09:00")


def test_transition_dated_before_the_history_is_refused() -> None:
    ticket = _ticket(_move("02 10:00", "in_progress"))
    with pytest.raises(HistoryError):
        transition(ticket, "resolved", at=at("02 09:00"), by="E-3", graph=DEFAULT_GRAPH)
