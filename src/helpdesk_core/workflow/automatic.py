"""Status changes the service desk makes by itself.

Four rules, each a pure function of a ticket's history, an instant ``now``,
an :class:`AutomationPolicy` and the :class:`TransitionGraph`:

* **return** — a ticket in a status that needs an until-time (*postponed*)
  returns to ``policy.return_to`` at exactly its until-time;
* **auto-close** — a ticket in a resolved-category status for
  ``policy.auto_close_after`` moves to the closing status at exactly
  ``resolved since + auto_close_after``;
* **reply reopen** — a customer's reply on a ticket in one of
  ``policy.reply_reopens`` (*awaiting reply*) moves it to ``policy.reopen_to``
  at the reply's instant;
* **reopen / follow-up** — a customer's reply on a closed ticket reopens it
  (to ``policy.reopen_to``) when it comes within ``policy.reopen_window`` of
  the closing, both ends included; a later reply leaves the closed ticket alone
  and asks for a follow-up ticket linked to it (:class:`FollowUp`).

Every automatic event is a :class:`StatusChange` with ``by=SYSTEM`` dated at the
instant the rule fired, not at ``now``: a scheduler that runs late still writes
the exact history. The only exception keeps the history append-only: when an
event was already recorded after that instant, the change is dated at that last
event instead. Applying due changes is idempotent.

A rule fires when its instant is *at or before* ``now`` (inclusive), so a
scheduler that sleeps until :func:`next_wakeup` finds the change due on waking.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, Literal

import attrs

from helpdesk_core.errors import ConfigError, HistoryError, ValidationError
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.ticket import SYSTEM, Comment, StatusChange, Ticket
from helpdesk_core.workflow.graph import TransitionGraph
from helpdesk_core.workflow.statuses import StatusCategory

Rule = Literal["return", "auto_close", "reply_reopen", "reopen", "follow_up"]
"""Which automatic rule produced a :class:`Due` item."""

_ORDER: dict[Rule, int] = {
    "return": 0,
    "auto_close": 1,
    "reply_reopen": 2,
    "reopen": 2,
    "follow_up": 2,
}


def _duration(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise ValidationError(
            f"AutomationPolicy.{attribute.name}: expected a duration >= 0 or None, got {value!r}"
        )


def _status_id(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "close_to":
        return
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"AutomationPolicy.{attribute.name}: expected a status id, got {value!r}")


def _status_ids(instance: Any, attribute: attrs.Attribute[Any], value: frozenset[str]) -> None:
    for member in value:
        if not isinstance(member, str) or not member.strip():
            raise ValidationError(f"AutomationPolicy.{attribute.name}: expected status ids, got {member!r}")


def _frozen_ids(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise ValidationError(
            f"AutomationPolicy.reply_reopens: expected a collection of status ids, got {value!r}"
        )
    return frozenset(value)


def duration_text(value: timedelta) -> str:
    """A duration the way the configuration writes it: ``"7d"``, ``"1d 4h"``, ``"30m"``."""
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    units = ((days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s"))
    parts = [f"{n}{unit}" for n, unit in units if n]
    return " ".join(parts) or "0m"


@attrs.frozen(kw_only=True)
class AutomationPolicy:
    """When the service desk moves a ticket by itself.

    ``auto_close_after``: real (wall-clock) time a ticket may stay in a
    resolved-category status before it is closed; ``None`` never auto-closes.
    ``reopen_window``: real time after closing during which a customer's reply
    reopens the ticket (end included); ``None`` never reopens, every later
    reply asks for a follow-up ticket.
    ``reopen_to``: where a customer's reply brings a ticket back, from a closed
    status or from one of ``reply_reopens``.
    ``return_to``: where a ticket goes when its until-time (postponed) passes.
    ``reply_reopens``: statuses left for ``reopen_to`` when the customer replies.
    ``close_to``: the status of auto-close; ``None`` = the first
    closed-category status of the graph.

    Which statuses count as resolved or closed comes from their categories in
    the graph, never from their ids.
    """

    auto_close_after: timedelta | None = attrs.field(default=None, validator=_duration)
    reopen_window: timedelta | None = attrs.field(default=None, validator=_duration)
    reopen_to: str = attrs.field(default="open", validator=_status_id)
    return_to: str = attrs.field(default="open", validator=_status_id)
    reply_reopens: frozenset[str] = attrs.field(
        default=frozenset({"awaiting_reply"}), converter=_frozen_ids, validator=_status_ids
    )
    close_to: str | None = attrs.field(default=None, validator=_status_id)

    def check(self, graph: TransitionGraph, *, path: str = "workflow.automation") -> None:
        """Raise :class:`ConfigError` unless every status this policy names fits ``graph``.

        ``reopen_to`` must exist, not be closed and not need an until-time;
        ``return_to`` must exist and not need an until-time; ``close_to`` must
        be closed-category (and, like the graph's first closed status used
        without it, not need an until-time); ``reply_reopens`` must exist, not be closed (closed
        tickets reopen through ``reopen_window``) and not contain ``reopen_to``.
        """
        for field in ("reopen_to", "return_to"):
            status_id: str = getattr(self, field)
            if not graph.knows(status_id):
                raise ConfigError(f"{path}.{field}: {_unknown(graph, status_id)}")
            if graph.status(status_id).requires_until:
                raise ConfigError(
                    f"{path}.{field}: {status_id!r} needs an until-time, "
                    "which an automatic move cannot choose"
                )
        if graph.category(self.reopen_to) is StatusCategory.CLOSED:
            raise ConfigError(
                f"{path}.reopen_to: {self.reopen_to!r} is closed; a reopen must open the ticket"
            )
        if self.close_to is not None:
            if not graph.knows(self.close_to):
                raise ConfigError(f"{path}.close_to: {_unknown(graph, self.close_to)}")
            if graph.category(self.close_to) is not StatusCategory.CLOSED:
                raise ConfigError(f"{path}.close_to: {self.close_to!r} is not a closed-category status")
        closing = self.closing_status(graph)
        if graph.status(closing).requires_until:
            raise ConfigError(
                f"{path}.close_to: {closing!r} needs an until-time, which an automatic move cannot choose"
            )
        for status_id in sorted(self.reply_reopens):
            if not graph.knows(status_id):
                raise ConfigError(f"{path}.reply_reopens: {_unknown(graph, status_id)}")
            if graph.category(status_id) is StatusCategory.CLOSED:
                raise ConfigError(
                    f"{path}.reply_reopens: {status_id!r} is closed; "
                    "closed tickets reopen through reopen_window"
                )
        if self.reopen_to in self.reply_reopens:
            raise ConfigError(
                f"{path}.reply_reopens: contains reopen_to {self.reopen_to!r}; "
                "a reply cannot move a ticket to the status it is in"
            )

    def closing_status(self, graph: TransitionGraph) -> str:
        """The status auto-close moves to: ``close_to``, else the graph's first closed one."""
        if self.close_to is not None:
            return self.close_to
        return graph.in_category(StatusCategory.CLOSED)[0].id


def _unknown(graph: TransitionGraph, status_id: str) -> str:
    return f"unknown status {status_id!r} (known: {', '.join(graph.ids)})"


@attrs.frozen(kw_only=True)
class FollowUp:
    """Decision: create a new ticket for ``comment``, linked to the closed ticket.

    The closed ticket is left as it is (closed stays closed); the comment
    belongs to the new ticket. ``ticket`` is the id of the closed ticket and
    ``closed_at`` when it was closed.
    """

    ticket: str
    comment: Comment
    closed_at: datetime = attrs.field(validator=attrs.validators.instance_of(datetime))
    reason: str


@attrs.frozen(kw_only=True)
class Due:
    """One automatic step due for a ticket: a status change to append, or a follow-up."""

    ticket: str
    rule: Rule
    action: StatusChange | FollowUp
    reason: str

    @property
    def event(self) -> StatusChange | None:
        """The status change to append, or ``None`` for a follow-up decision."""
        return self.action if isinstance(self.action, StatusChange) else None


# -- the rules --------------------------------------------------------------------------


def _last_change_index(ticket: Ticket) -> int:
    for index in range(len(ticket.events) - 1, -1, -1):
        if isinstance(ticket.events[index], StatusChange):
            return index
    return -1


def first_reply_since_status(ticket: Ticket, until: datetime | None = None) -> Comment | None:
    """The customer's first comment recorded after the last status change
    (and, given ``until``, not later than it): the reply that may reopen."""
    for event in ticket.events[_last_change_index(ticket) + 1 :]:
        if isinstance(event, Comment) and event.author == "contact":
            if until is not None and event.at > until:
                return None
            return event
    return None


def _within_window(policy: AutomationPolicy, closed_at: datetime, reply_at: datetime) -> bool:
    return policy.reopen_window is not None and reply_at - closed_at <= policy.reopen_window


def _follow_up_reason(policy: AutomationPolicy, closed_at: datetime, reply: Comment) -> str:
    window = (
        "closed tickets are never reopened"
        if policy.reopen_window is None
        else f"more than {duration_text(policy.reopen_window)} after closing"
    )
    return (
        f"customer replied at {reply.at.isoformat()} to a ticket closed at {closed_at.isoformat()}; {window}"
    )


_last_checked: tuple[AutomationPolicy, TransitionGraph] | None = None
"""The last policy and graph :func:`_check` found fitting each other."""


def _check(policy: AutomationPolicy, graph: TransitionGraph) -> None:
    """``policy.check(graph)``, skipped when this very pair (both immutable)
    was the last one checked and fitted: a scheduler settling ten thousand
    tickets under one configuration checks it once, not per ticket."""
    global _last_checked
    last = _last_checked
    if last is not None and last[0] is policy and last[1] is graph:
        return
    policy.check(graph)
    _last_checked = (policy, graph)


def _candidates(
    ticket: Ticket, now: datetime | None, policy: AutomationPolicy, graph: TransitionGraph
) -> list[tuple[datetime, Rule, str, str]]:
    """Every rule that applies to the ticket's current state, as
    (instant, rule, target status or '', reason), whether due by ``now`` or not
    (``now=None``: replies of any date count)."""
    status = graph.status(ticket.status)
    since = ticket.status_since
    found: list[tuple[datetime, Rule, str, str]] = []
    if status.requires_until and ticket.until is not None:
        found.append(
            (
                ticket.until,
                "return",
                policy.return_to,
                f"{status.id!r} until {ticket.until.isoformat()} has passed",
            )
        )
    if status.category is StatusCategory.RESOLVED and policy.auto_close_after is not None:
        after = policy.auto_close_after
        found.append(
            (
                since + after,
                "auto_close",
                policy.closing_status(graph),
                f"{status.id!r} since {since.isoformat()}: auto-close after {duration_text(after)}",
            )
        )
    reply = first_reply_since_status(ticket, now)
    if reply is not None:
        when = reply.at.isoformat()
        if status.category is StatusCategory.CLOSED:
            if _within_window(policy, since, reply.at):
                assert policy.reopen_window is not None
                found.append(
                    (
                        reply.at,
                        "reopen",
                        policy.reopen_to,
                        f"customer replied at {when}, within "
                        f"{duration_text(policy.reopen_window)} of closing at {since.isoformat()}",
                    )
                )
            else:
                found.append((reply.at, "follow_up", "", _follow_up_reason(policy, since, reply)))
        elif status.id in policy.reply_reopens:
            found.append(
                (
                    reply.at,
                    "reply_reopen",
                    policy.reopen_to,
                    f"customer replied at {when} while {status.id!r}",
                )
            )
    return found


def _next_due(ticket: Ticket, now: datetime, policy: AutomationPolicy, graph: TransitionGraph) -> Due | None:
    due = [c for c in _candidates(ticket, now, policy, graph) if c[0] <= now]
    if not due:
        return None
    instant, rule, target, reason = min(due, key=lambda c: (c[0], _ORDER[c[1]]))
    if rule == "follow_up":
        reply = first_reply_since_status(ticket, now)
        assert reply is not None
        decision = FollowUp(ticket=ticket.id, comment=reply, closed_at=ticket.status_since, reason=reason)
        return Due(ticket=ticket.id, rule=rule, action=decision, reason=reason)
    change = StatusChange(at=max(instant, ticket.updated_at), to=target, by=SYSTEM)
    return Due(ticket=ticket.id, rule=rule, action=change, reason=reason)


def _due_for(
    ticket: Ticket, now: datetime, policy: AutomationPolicy, graph: TransitionGraph
) -> Iterator[tuple[Due, Ticket]]:
    """Each due step in order, with the ticket after it (chains such as a return
    to a status that is itself due); stops at a follow-up, which changes nothing."""
    for _ in range(len(graph.statuses) + 1):
        due = _next_due(ticket, now, policy, graph)
        if due is None:
            return
        if due.event is None:
            yield due, ticket
            return
        ticket = ticket.with_event(due.event)
        yield due, ticket


def due_transitions(
    tickets: Iterable[Ticket], now: datetime, policy: AutomationPolicy, graph: TransitionGraph
) -> Iterator[Due]:
    """Every automatic step due at ``now`` for each ticket, ticket by ticket in order.

    A ticket's steps come in the order they apply; a :class:`FollowUp` decision
    is reported each time until the caller has created the follow-up (the
    desk records replies with :func:`on_customer_reply`, which never stores a
    late reply on the closed ticket, so it only arises for imported histories).
    """
    require_aware(now, "now")
    _check(policy, graph)
    for ticket in tickets:
        for due, _ in _due_for(ticket, now, policy, graph):
            yield due


def due_steps(
    ticket: Ticket, now: datetime, policy: AutomationPolicy, graph: TransitionGraph
) -> Iterator[tuple[Due, Ticket]]:
    """:func:`due_transitions` of one ticket, each step with the ticket after
    it (the ticket itself after a follow-up decision, which changes nothing):
    the caller gets the resulting ticket without appending the events again."""
    require_aware(now, "now")
    _check(policy, graph)
    yield from _due_for(ticket, now, policy, graph)


def apply_due(ticket: Ticket, now: datetime, policy: AutomationPolicy, graph: TransitionGraph) -> Ticket:
    """The ticket with every status change due at ``now`` appended; idempotent.

    Follow-up decisions are not changes of this ticket and are left out: find
    them with :func:`due_transitions`.
    """
    require_aware(now, "now")
    _check(policy, graph)
    for due, after in _due_for(ticket, now, policy, graph):
        if due.event is not None:
            ticket = after
    return ticket


def next_wakeup(ticket: Ticket, policy: AutomationPolicy, graph: TransitionGraph) -> datetime | None:
    """The earliest instant a status change can become due for this ticket, or ``None``.

    That is the until-time of a postponed ticket, ``resolved since +
    auto_close_after`` of a resolved one, or — for a reply already recorded
    that reopens the ticket — the reply's instant. An instant at or before the
    caller's ``now`` means "due already: run :func:`apply_due`". After
    ``apply_due(ticket, now, …)`` the result is ``None`` or later than ``now``.
    Follow-ups are decisions, not changes, and never wake a scheduler.
    """
    _check(policy, graph)
    instants = [c[0] for c in _candidates(ticket, None, policy, graph) if c[1] != "follow_up"]
    return min(instants, default=None)


def next_wakeup_all(
    tickets: Iterable[Ticket], policy: AutomationPolicy, graph: TransitionGraph
) -> datetime | None:
    """The earliest :func:`next_wakeup` of ``tickets``: how long a scheduler may sleep."""
    instants = [t for t in (next_wakeup(ticket, policy, graph) for ticket in tickets) if t is not None]
    return min(instants, default=None)


def on_customer_reply(
    ticket: Ticket, comment: Comment, policy: AutomationPolicy, graph: TransitionGraph
) -> Ticket | FollowUp:
    """Record a customer's reply and what it triggers.

    First applies whatever was due at the reply's instant (a resolved ticket
    whose auto-close time has passed is closed by then), then:

    * closed, and the reply within ``reopen_window`` of the closing (end
      included) → the comment and a reopen to ``reopen_to`` at the reply's
      instant;
    * closed, and later (or no window) → a :class:`FollowUp`; the closed ticket
      is not changed;
    * in one of ``reply_reopens`` → the comment and a move to ``reopen_to``;
    * otherwise → the ticket with the comment appended.
    """
    if comment.author != "contact":
        raise ValidationError(
            f"ticket {ticket.id}: on_customer_reply expects a comment with author 'contact', "
            f"got {comment.author!r}"
        )
    if comment.at < ticket.updated_at:
        raise HistoryError(
            f"ticket {ticket.id}: reply at {comment.at.isoformat()} is earlier than the last "
            f"event at {ticket.updated_at.isoformat()}; a history only grows forward"
        )
    current = apply_due(ticket, comment.at, policy, graph)
    if graph.category(current.status) is StatusCategory.CLOSED and not _within_window(
        policy, current.status_since, comment.at
    ):
        closed_at = current.status_since
        return FollowUp(
            ticket=ticket.id,
            comment=comment,
            closed_at=closed_at,
            reason=_follow_up_reason(policy, closed_at, comment),
        )
    return apply_due(current.with_event(comment), comment.at, policy, graph)


def automatic_rule(
    ticket: Ticket, change: StatusChange, policy: AutomationPolicy, graph: TransitionGraph
) -> Rule | None:
    """The rule under which ``change`` is an automatic move of ``ticket`` (its
    history before the change), or ``None``.

    Used by replay to accept moves the graph has no edge for, such as the
    reopen of a closed ticket: the move must go where the rule sends it, and
    not before the rule's instant (a reply must precede a reopen, an auto-close
    must wait its timeout).
    """
    if change.by != SYSTEM:
        return None
    for instant, rule, target, _ in _candidates(ticket, change.at, policy, graph):
        if rule != "follow_up" and target == change.to and instant <= change.at:
            return rule
    return None


__all__ = [
    "AutomationPolicy",
    "Due",
    "FollowUp",
    "Rule",
    "apply_due",
    "automatic_rule",
    "due_steps",
    "due_transitions",
    "duration_text",
    "first_reply_since_status",
    "next_wakeup",
    "next_wakeup_all",
    "on_customer_reply",
]
