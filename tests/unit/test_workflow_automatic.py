"""Automatic transitions: each rule, its exact instant, the reopen window's edges."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from helpdesk_core.errors import ConfigError, HistoryError, ValidationError
from helpdesk_core.model.ticket import SYSTEM, Comment, StatusChange, Ticket
from helpdesk_core.workflow import (
    DEFAULT_GRAPH,
    DEFAULT_POLICY,
    USERESPONSE_GRAPH,
    USERESPONSE_POLICY,
    AutomationPolicy,
    FollowUp,
    Status,
    TransitionGraph,
    apply_due,
    due_transitions,
    next_wakeup,
    next_wakeup_all,
    on_customer_reply,
    transition,
)

CET = timezone(timedelta(hours=1))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CET)
H = timedelta(hours=1)
DAY = timedelta(days=1)


def _ticket(id: str = "T-1") -> Ticket:
    return Ticket.register(id=id, subject="Boiler stopped", created_at=T0)


def _postponed(until: datetime) -> Ticket:
    return transition(_ticket(), "postponed", at=T0 + H, by="E-3", until=until, graph=DEFAULT_GRAPH)


def _resolved(at: datetime = T0 + H) -> Ticket:
    return transition(_ticket(), "resolved", at=at, by="E-3", graph=DEFAULT_GRAPH)


def _reply(at: datetime, body: str = "Still broken") -> Comment:
    return Comment(at=at, author="contact", body=body, by="P-19")


def _closed_useresponse(at: datetime) -> Ticket:
    return transition(_ticket(), "closed", at=at, by="E-3", graph=USERESPONSE_GRAPH)


# -- postponed returns at its until-time ------------------------------------------------


def test_postponed_ticket_returns_to_open_exactly_at_its_until_time() -> None:
    until = T0 + DAY
    ticket = apply_due(_postponed(until), until + 5 * H, DEFAULT_POLICY, DEFAULT_GRAPH)
    assert ticket.status == "open"
    assert ticket.events[-1] == StatusChange(at=until, to="open", by=SYSTEM)


def test_postponed_ticket_is_due_at_the_until_instant_itself_not_before() -> None:
    until = T0 + DAY
    ticket = _postponed(until)
    before = until - timedelta(microseconds=1)
    assert apply_due(ticket, before, DEFAULT_POLICY, DEFAULT_GRAPH) == ticket
    assert apply_due(ticket, until, DEFAULT_POLICY, DEFAULT_GRAPH).status == "open"


def test_return_goes_to_the_policys_return_to() -> None:
    policy = AutomationPolicy(return_to="in_progress", reply_reopens=())
    ticket = apply_due(_postponed(T0 + DAY), T0 + 2 * DAY, policy, DEFAULT_GRAPH)
    assert ticket.status == "in_progress"


def test_late_run_never_writes_before_an_event_already_recorded() -> None:
    until = T0 + DAY
    note = Comment(at=until + 2 * H, author="employee", public=False, body="waiting on parts")
    ticket = _postponed(until).with_event(note)
    ticket = apply_due(ticket, until + 3 * H, DEFAULT_POLICY, DEFAULT_GRAPH)
    assert ticket.events[-1] == StatusChange(at=until + 2 * H, to="open", by=SYSTEM)


# -- resolved tickets close after the timeout -------------------------------------------


def test_resolved_ticket_closes_at_resolved_since_plus_timeout() -> None:
    ticket = _resolved(T0 + H)
    assert apply_due(ticket, T0 + H + 2 * DAY - timedelta(seconds=1), DEFAULT_POLICY, DEFAULT_GRAPH) == ticket
    closed = apply_due(ticket, T0 + 10 * DAY, DEFAULT_POLICY, DEFAULT_GRAPH)
    assert closed.status == "closed"
    assert closed.events[-1] == StatusChange(at=T0 + H + 2 * DAY, to="closed", by=SYSTEM)


def test_no_auto_close_without_a_timeout() -> None:
    policy = AutomationPolicy(auto_close_after=None, reply_reopens=())
    ticket = _resolved()
    assert apply_due(ticket, T0 + 365 * DAY, policy, DEFAULT_GRAPH) == ticket
    assert next_wakeup(ticket, policy, DEFAULT_GRAPH) is None


def test_close_to_chooses_among_several_closed_statuses() -> None:
    graph = TransitionGraph.build(
        [
            Status.define("open", "open"),
            Status.define("resolved", "resolved"),
            Status.define("closed", "closed"),
            Status.define("archived", "closed"),
        ],
        {"open": ["resolved"], "resolved": ["closed", "archived"]},
        "open",
    )
    policy = AutomationPolicy(auto_close_after=DAY, close_to="archived", reply_reopens=())
    ticket = transition(_ticket(), "resolved", at=T0, by="E-1", graph=graph)
    assert apply_due(ticket, T0 + DAY, policy, graph).status == "archived"
    first_closed = AutomationPolicy(auto_close_after=DAY, reply_reopens=())
    assert apply_due(ticket, T0 + DAY, first_closed, graph).status == "closed"


# -- a reply in a reply_reopens status --------------------------------------------------


def test_customer_reply_to_awaiting_reply_goes_back_to_open_at_the_reply() -> None:
    ticket = transition(_ticket(), "awaiting_reply", at=T0 + H, by="E-3", graph=USERESPONSE_GRAPH)
    reply = _reply(T0 + 3 * H)
    result = on_customer_reply(ticket, reply, USERESPONSE_POLICY, USERESPONSE_GRAPH)
    assert isinstance(result, Ticket)
    assert result.events[-2:] == (reply, StatusChange(at=T0 + 3 * H, to="open", by=SYSTEM))


def test_reply_elsewhere_only_records_the_comment() -> None:
    ticket = transition(_ticket(), "on_hold", at=T0 + H, by="E-3", graph=USERESPONSE_GRAPH)
    reply = _reply(T0 + 2 * H)
    result = on_customer_reply(ticket, reply, USERESPONSE_POLICY, USERESPONSE_GRAPH)
    assert result == ticket.with_event(reply)


def test_reply_recorded_directly_is_found_by_the_scheduler() -> None:
    ticket = transition(_ticket(), "awaiting_reply", at=T0 + H, by="E-3", graph=USERESPONSE_GRAPH)
    ticket = ticket.with_event(_reply(T0 + 2 * H))
    assert next_wakeup(ticket, USERESPONSE_POLICY, USERESPONSE_GRAPH) == T0 + 2 * H
    [due] = due_transitions([ticket], T0 + 5 * H, USERESPONSE_POLICY, USERESPONSE_GRAPH)
    assert due.rule == "reply_reopen"
    assert due.event == StatusChange(at=T0 + 2 * H, to="open", by=SYSTEM)


def test_employee_comment_is_not_a_reply_that_reopens() -> None:
    ticket = transition(_ticket(), "awaiting_reply", at=T0 + H, by="E-3", graph=USERESPONSE_GRAPH)
    ticket = ticket.with_event(Comment(at=T0 + 2 * H, author="employee", body="Any news?"))
    assert apply_due(ticket, T0 + DAY, USERESPONSE_POLICY, USERESPONSE_GRAPH) == ticket
    with pytest.raises(ValidationError, match="expects a comment with author 'contact'"):
        on_customer_reply(
            ticket,
            Comment(at=T0 + 3 * H, author="employee"),
            USERESPONSE_POLICY,
            USERESPONSE_GRAPH,
        )


def test_reply_on_resolved_reopens_before_the_auto_close_under_the_default_policy() -> None:
    ticket = _resolved(T0 + H)
    result = on_customer_reply(ticket, _reply(T0 + DAY), DEFAULT_POLICY, DEFAULT_GRAPH)
    assert isinstance(result, Ticket)
    assert result.status == "open"
    assert result.status_since == T0 + DAY
    assert next_wakeup(result, DEFAULT_POLICY, DEFAULT_GRAPH) is None


# -- a reply on a closed ticket: the reopen window --------------------------------------


@pytest.mark.parametrize(
    ("after_closing", "reopens"),
    [
        (timedelta(0), True),
        (7 * DAY - timedelta(seconds=1), True),
        (7 * DAY, True),  # the window's end is included
        (7 * DAY + timedelta(seconds=1), False),
    ],
)
def test_reply_reopens_a_closed_ticket_only_within_the_window(
    after_closing: timedelta, reopens: bool
) -> None:
    closed_at = T0 + H
    ticket = _closed_useresponse(closed_at)
    reply = _reply(closed_at + after_closing)
    result = on_customer_reply(ticket, reply, USERESPONSE_POLICY, USERESPONSE_GRAPH)
    if reopens:
        assert isinstance(result, Ticket)
        assert result.events[-2:] == (
            reply,
            StatusChange(at=reply.at, to="open", by=SYSTEM),
        )
    else:
        assert result == FollowUp(
            ticket="T-1",
            comment=reply,
            closed_at=closed_at,
            reason=(
                "customer replied at 2026-03-09T10:00:01+01:00 to a ticket closed at "
                "2026-03-02T10:00:00+01:00; more than 7d after closing"
            ),
        )


def test_without_a_window_a_reply_on_a_closed_ticket_always_asks_for_a_follow_up() -> None:
    ticket = apply_due(_resolved(T0), T0 + 3 * DAY, DEFAULT_POLICY, DEFAULT_GRAPH)
    assert ticket.status == "closed"
    result = on_customer_reply(ticket, _reply(T0 + 3 * DAY), DEFAULT_POLICY, DEFAULT_GRAPH)
    assert isinstance(result, FollowUp)
    assert result.reason.endswith("closed tickets are never reopened")


def test_reply_after_the_due_auto_close_sees_the_ticket_closed_first() -> None:
    # resolved at T0; auto-close due at T0 + 2d but not yet applied; reply at T0 + 3d.
    policy = AutomationPolicy(auto_close_after=2 * DAY, reopen_window=DAY, reply_reopens={"resolved"})
    ticket = _resolved(T0)
    reopened = on_customer_reply(ticket, _reply(T0 + 3 * DAY), policy, DEFAULT_GRAPH)
    assert isinstance(reopened, Ticket)
    assert [(e.at, e.to) for e in reopened.events if isinstance(e, StatusChange)] == [
        (T0, "resolved"),
        (T0 + 2 * DAY, "closed"),
        (T0 + 3 * DAY, "open"),
    ]
    late = on_customer_reply(ticket, _reply(T0 + 3 * DAY + H), policy, DEFAULT_GRAPH)
    assert isinstance(late, FollowUp)
    assert late.closed_at == T0 + 2 * DAY


def test_follow_up_is_reported_for_a_late_reply_found_in_the_history() -> None:
    ticket = _closed_useresponse(T0).with_event(_reply(T0 + 30 * DAY))
    [due] = due_transitions([ticket], T0 + 31 * DAY, USERESPONSE_POLICY, USERESPONSE_GRAPH)
    assert due.rule == "follow_up"
    assert due.event is None
    assert isinstance(due.action, FollowUp) and due.action.ticket == "T-1"
    # a follow-up changes nothing on the closed ticket and never wakes a scheduler
    assert apply_due(ticket, T0 + 31 * DAY, USERESPONSE_POLICY, USERESPONSE_GRAPH) == ticket
    assert next_wakeup(ticket, USERESPONSE_POLICY, USERESPONSE_GRAPH) is None


def test_reply_earlier_than_the_history_is_refused() -> None:
    ticket = _closed_useresponse(T0 + DAY)
    with pytest.raises(HistoryError, match="earlier than the last event"):
        on_customer_reply(ticket, _reply(T0), USERESPONSE_POLICY, USERESPONSE_GRAPH)


# -- many tickets, idempotence, wakeups -------------------------------------------------


def test_due_transitions_lists_each_ticket_with_its_reason() -> None:
    postponed = _postponed(T0 + DAY)
    resolved = _resolved(T0 + 2 * H)
    untouched = _ticket("T-3")
    dues = list(
        due_transitions([postponed, resolved, untouched], T0 + 5 * DAY, DEFAULT_POLICY, DEFAULT_GRAPH)
    )
    assert [(d.ticket, d.rule) for d in dues] == [("T-1", "return"), ("T-1", "auto_close")]
    assert dues[0].reason == "'postponed' until 2026-03-03T09:00:00+01:00 has passed"
    assert dues[1].reason == ("'resolved' since 2026-03-02T11:00:00+01:00: auto-close after 2d")


def test_chained_rules_apply_in_order_in_one_run() -> None:
    policy = AutomationPolicy(
        auto_close_after=DAY, return_to="resolved", reply_reopens=(), reopen_window=None
    )
    # postponed until T0 + 1d → resolved at T0 + 1d → closed at T0 + 2d
    ticket = apply_due(_postponed(T0 + DAY), T0 + 10 * DAY, policy, DEFAULT_GRAPH)
    assert [(e.at, e.to) for e in ticket.events if isinstance(e, StatusChange)] == [
        (T0 + H, "postponed"),
        (T0 + DAY, "resolved"),
        (T0 + 2 * DAY, "closed"),
    ]


def test_applying_twice_changes_nothing() -> None:
    ticket = _postponed(T0 + DAY)
    once = apply_due(ticket, T0 + 3 * DAY, DEFAULT_POLICY, DEFAULT_GRAPH)
    assert apply_due(once, T0 + 3 * DAY, DEFAULT_POLICY, DEFAULT_GRAPH) == once
    assert list(due_transitions([once], T0 + 3 * DAY, DEFAULT_POLICY, DEFAULT_GRAPH)) == []


def test_next_wakeup_is_the_until_time_or_the_auto_close_time() -> None:
    postponed = _postponed(T0 + DAY)
    resolved = _resolved(T0 + 2 * H)
    assert next_wakeup(postponed, DEFAULT_POLICY, DEFAULT_GRAPH) == T0 + DAY
    assert next_wakeup(resolved, DEFAULT_POLICY, DEFAULT_GRAPH) == T0 + 2 * H + 2 * DAY
    assert next_wakeup(_ticket(), DEFAULT_POLICY, DEFAULT_GRAPH) is None
    assert next_wakeup_all([resolved, _ticket(), postponed], DEFAULT_POLICY, DEFAULT_GRAPH) == T0 + DAY
    assert next_wakeup_all([], DEFAULT_POLICY, DEFAULT_GRAPH) is None


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValidationError, match="must be timezone-aware"):
        apply_due(_ticket(), datetime(2026, 3, 2, 9, 0), DEFAULT_POLICY, DEFAULT_GRAPH)


# -- the policy against the graph -------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (
            AutomationPolicy(),
            "workflow.automation.reply_reopens: unknown status 'awaiting_reply' "
            "(known: open, in_progress, postponed, resolved, closed)",
        ),
        (
            AutomationPolicy(reopen_to="reopened", reply_reopens=()),
            "workflow.automation.reopen_to: unknown status 'reopened' "
            "(known: open, in_progress, postponed, resolved, closed)",
        ),
        (
            AutomationPolicy(return_to="postponed", reply_reopens=()),
            "workflow.automation.return_to: 'postponed' needs an until-time, "
            "which an automatic move cannot choose",
        ),
        (
            AutomationPolicy(reopen_to="closed", reply_reopens=()),
            "workflow.automation.reopen_to: 'closed' is closed; a reopen must open the ticket",
        ),
        (
            AutomationPolicy(close_to="resolved", reply_reopens=()),
            "workflow.automation.close_to: 'resolved' is not a closed-category status",
        ),
        (
            AutomationPolicy(reply_reopens={"closed"}),
            "workflow.automation.reply_reopens: 'closed' is closed; "
            "closed tickets reopen through reopen_window",
        ),
        (
            AutomationPolicy(reply_reopens={"open"}),
            "workflow.automation.reply_reopens: contains reopen_to 'open'; "
            "a reply cannot move a ticket to the status it is in",
        ),
    ],
)
def test_policy_naming_statuses_the_graph_lacks_is_a_config_error(
    policy: AutomationPolicy, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        policy.check(DEFAULT_GRAPH)
    assert str(caught.value) == message
    with pytest.raises(ConfigError):
        apply_due(_ticket(), T0, policy, DEFAULT_GRAPH)


def test_negative_durations_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"AutomationPolicy\.reopen_window: expected"):
        AutomationPolicy(reopen_window=-DAY)
    with pytest.raises(ValidationError, match=r"AutomationPolicy\.reply_reopens"):
        AutomationPolicy(reply_reopens="awaiting_reply")


def test_auto_close_into_a_status_that_needs_an_until_time_is_refused() -> None:
    graph = TransitionGraph.build(
        [
            Status.define("open", "open"),
            Status.define("resolved", "resolved"),
            Status.define("archived", "closed", requires_until=True),
        ],
        {"open": ["resolved"], "resolved": ["archived"]},
        "open",
    )
    with pytest.raises(ConfigError) as caught:
        AutomationPolicy(auto_close_after=DAY, reply_reopens=()).check(graph, path="automation")
    assert str(caught.value) == (
        "automation.close_to: 'archived' needs an until-time, which an automatic move cannot choose"
    )
