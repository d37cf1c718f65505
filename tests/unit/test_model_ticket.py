"""The Ticket: what may be constructed, and the current facts folded over its history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from helpdesk_core.errors import HistoryError, ValidationError
from helpdesk_core.model.ticket import (
    Assignee,
    Assignment,
    Attachment,
    Comment,
    PriorityChange,
    StatusChange,
    Ticket,
    TypeChange,
)

PRAGUE = timezone(timedelta(hours=1))
T0 = datetime(2026, 3, 2, 8, 55, tzinfo=PRAGUE)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def new_ticket(**fields: object) -> Ticket:
    base: dict[str, object] = {"id": "T-1", "subject": "Boiler stopped", "created_at": T0}
    base.update(fields)
    return Ticket.register(**base)  # type: ignore[arg-type]


# --- construction -----------------------------------------------------------


def test_register_gives_the_initial_facts() -> None:
    ticket = new_ticket(
        type="incident", priority="high", assignee=Assignee(id="E-3"), status="new"
    )
    assert ticket.status == "new"
    assert ticket.type == "incident"
    assert ticket.priority == "high"
    assert ticket.assignee == Assignee(id="E-3")
    assert ticket.status_since == T0
    assert ticket.updated_at == T0
    assert ticket.until is None
    assert ticket.events == ()


def test_blank_subject_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        new_ticket(subject="   ")
    assert str(caught.value) == (
        "Ticket.subject: is required and must not be blank, got '   '"
    )


def test_naive_created_at_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        new_ticket(created_at=datetime(2026, 3, 2, 8, 55))
    assert str(caught.value) == (
        "Ticket.created_at: 2026-03-02T08:55:00 must be timezone-aware "
        "(add an offset such as +01:00)"
    )


def test_bad_id_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        new_ticket(id=" T-1")
    assert str(caught.value) == (
        "Ticket.id: ' T-1' is not a valid id "
        "(a non-empty printable string of at most 200 characters)"
    )


def test_bad_observer_id_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"Ticket.observer_employees: '' is not a valid id"):
        new_ticket(observer_employees={"E-1", ""})


def test_naive_event_time_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"StatusChange.at: .* must be timezone-aware"):
        StatusChange(at=datetime(2026, 3, 2, 9, 0), to="open")


def test_comment_author_must_be_employee_or_contact() -> None:
    with pytest.raises(ValidationError) as caught:
        Comment(at=at(1), author="robot")  # type: ignore[arg-type]
    assert str(caught.value) == "Comment.author: expected 'employee' or 'contact', got 'robot'"


def test_attachment_size_and_digest_are_checked() -> None:
    with pytest.raises(ValidationError, match=r"Attachment.size: expected a whole number >= 0"):
        Attachment(name="a.pdf", size=-1)
    with pytest.raises(ValidationError, match=r"Attachment.sha256: expected 64 lowercase hex"):
        Attachment(name="a.pdf", size=1, sha256="ABC")


def test_missing_id_is_refused() -> None:
    with pytest.raises(ValidationError):
        new_ticket(id=None)


# --- chronological order ----------------------------------------------------


def test_event_before_registration_is_refused() -> None:
    with pytest.raises(HistoryError) as caught:
        new_ticket(events=[StatusChange(at=T0 - timedelta(minutes=1), to="in_progress")])
    assert str(caught.value) == (
        "ticket T-1: events[0] (status) at 2026-03-02T08:54:00+01:00 is earlier than "
        "2026-03-02T08:55:00+01:00; a history only grows forward"
    )


def test_with_event_refuses_an_event_before_the_last_one() -> None:
    ticket = new_ticket().with_event(StatusChange(at=at(30), to="in_progress"))
    with pytest.raises(HistoryError, match=r"ticket T-1: events\[1\] \(comment\)"):
        ticket.with_event(Comment(at=at(10), author="employee"))
    assert len(ticket.events) == 1


def test_order_is_compared_as_instants_not_wall_clock() -> None:
    later_instant_earlier_wall_clock = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00+01
    ticket = new_ticket().with_event(StatusChange(at=later_instant_earlier_wall_clock, to="closed"))
    assert ticket.status == "closed"


def test_events_at_the_same_instant_are_allowed() -> None:
    ticket = new_ticket().with_event(Comment(at=T0, author="contact")).with_event(
        StatusChange(at=T0, to="in_progress")
    )
    assert [e.kind for e in ticket.events] == ["comment", "status"]


def test_with_event_returns_a_new_ticket() -> None:
    original = new_ticket()
    changed = original.with_event(PriorityChange(at=at(5), to="high"))
    assert original.events == ()
    assert changed.priority == "high"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        original.subject = "other"  # type: ignore[misc]


# --- folds ------------------------------------------------------------------


def test_status_and_until_follow_the_last_status_change() -> None:
    until = at(24 * 60)
    ticket = (
        new_ticket()
        .with_event(StatusChange(at=at(10), to="postponed", until=until))
        .with_event(Comment(at=at(20), author="employee"))
    )
    assert (ticket.status, ticket.until, ticket.status_since) == ("postponed", until, at(10))
    reopened = ticket.with_event(StatusChange(at=until, to="open", by="system"))
    assert (reopened.status, reopened.until, reopened.status_since) == ("open", None, until)


def test_priority_and_type_fold_over_their_own_events_only() -> None:
    ticket = (
        new_ticket(priority="normal", type="question")
        .with_event(PriorityChange(at=at(1), to="high"))
        .with_event(TypeChange(at=at(2), to="incident"))
        .with_event(StatusChange(at=at(3), to="in_progress"))
        .with_event(PriorityChange(at=at(4), to="critical"))
    )
    assert ticket.priority == "critical"
    assert ticket.type == "incident"
    assert ticket.updated_at == at(4)


def test_assignee_may_pass_to_a_group_and_to_nobody() -> None:
    ticket = new_ticket(assignee=Assignee(id="E-1"))
    to_group = ticket.with_event(Assignment(at=at(1), to="G-2", group=True))
    assert to_group.assignee == Assignee(id="G-2", group=True)
    to_nobody = to_group.with_event(Assignment(at=at(2), to=None))
    assert to_nobody.assignee is None


def test_customer_spoke_last() -> None:
    ticket = new_ticket()
    assert ticket.customer_spoke_last  # a new ticket is unread
    answered = ticket.with_event(Comment(at=at(1), author="employee", public=True))
    assert not answered.customer_spoke_last
    moved = answered.with_event(StatusChange(at=at(2), to="in_progress"))
    assert not moved.customer_spoke_last  # a status change is not a word from the customer
    replied = moved.with_event(Comment(at=at(3), author="contact"))
    assert replied.customer_spoke_last


def test_comments_are_listed_oldest_first() -> None:
    ticket = (
        new_ticket()
        .with_event(Comment(at=at(1), author="employee", body="first", public=False))
        .with_event(StatusChange(at=at(2), to="in_progress"))
        .with_event(Comment(at=at(3), author="contact", body="second"))
    )
    assert [c.body for c in ticket.comments] == ["first", "second"]
