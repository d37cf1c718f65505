"""Escalation notices: which levels of a ticket's escalation plan come due in
a window of time, whom they reach, and when a scheduler must wake up next.

The answer is *causal*: whether a level is reached at an instant depends only
on the ticket's history up to that instant. The history is cut at its events
into stretches in which the SLA state stands still (the clock counts, is
paused, or is stopped; the rule and the deadlines are fixed); in each stretch
in which a target runs, every level of the plan has an instant, and the level
is reached when time passes it, or — when an event pulls a level that was
still ahead into the past (a stricter rule, a deadline set by hand, a resume) —
at that event. Because of that, a window split in two gives exactly the
notices of the whole window, and a scheduler running over overlapping windows
gets the same notices (with the same keys) twice, never different ones.
The semantics are written out in ``docs/sla.md`` (*Escalation plans*).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Protocol

import attrs

from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.model.checks import aware, require_aware
from helpdesk_core.model.staff import EmployeeGroup
from helpdesk_core.model.ticket import Assignee, Assignment, Ticket
from helpdesk_core.sla.clock import (
    KnowsStatuses,
    Piece,
    Replay,
    SegmentKind,
    Span,
    due_instant,
    replay,
)
from helpdesk_core.sla.escalation import (
    EscalationLevel,
    EscalationPlan,
    OffsetFromDue,
    Recipient,
    RecipientKind,
    Target,
)
from helpdesk_core.sla.policy import SlaPolicy
from helpdesk_core.sla.selection import CustomerFacts
from helpdesk_core.sla.terms import AppliedRule

_ZERO = timedelta(0)
_ONE_MICROSECOND = timedelta(microseconds=1)


class GroupLike(Protocol):
    """What escalation needs of an employee group (:class:`EmployeeGroup` fits)."""

    @property
    def notification_list(self) -> Collection[str]: ...

    @property
    def manager(self) -> str | None: ...


class StaffDirectory(Protocol):
    """Who belongs where, as the caller knows it (the engine does no look-ups)."""

    def groups_of(self, employee_id: str, /) -> Iterable[str]:
        """The ids of the groups ``employee_id`` belongs to."""
        ...

    def group(self, group_id: str, /) -> GroupLike | None:
        """The group ``group_id``, or None when there is none such."""
        ...


def _group_map(groups: Iterable[EmployeeGroup]) -> dict[str, EmployeeGroup]:
    return {group.id: group for group in groups}


@attrs.frozen
class GroupRoster:
    """A :class:`StaffDirectory` over a set of :class:`EmployeeGroup` values:
    an employee belongs to the groups that list them among their members."""

    groups: dict[str, EmployeeGroup] = attrs.field(converter=_group_map)
    _membership: dict[str, tuple[str, ...]] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        membership: dict[str, list[str]] = {}
        for group in sorted(self.groups.values(), key=lambda g: g.id):
            for member in group.members:
                membership.setdefault(member, []).append(group.id)
        object.__setattr__(
            self, "_membership", {who: tuple(ids) for who, ids in membership.items()}
        )

    def groups_of(self, employee_id: str, /) -> tuple[str, ...]:
        return self._membership.get(employee_id, ())

    def group(self, group_id: str, /) -> EmployeeGroup | None:
        return self.groups.get(group_id)


@attrs.frozen(kw_only=True)
class Notice:
    """One message to one employee because a level of a plan was reached.

    ``reached_at`` is when the level was reached; ``instant`` is when to deliver
    it (later only for a level with ``working_hours_only``: the next opening of
    that calendar). ``due`` is the target's due instant the level was measured
    against, in force when it was reached.
    """

    ticket: str
    rule: str
    plan: str
    level: int
    target: Target
    recipient: str
    channel: str
    instant: datetime = attrs.field(validator=aware)
    reached_at: datetime = attrs.field(validator=aware)
    due: datetime = attrs.field(validator=aware)

    @property
    def key(self) -> str:
        """A stable idempotency key: the same notice computed twice (overlapping
        windows, a retried run) has the same key. It contains the due instant
        (in UTC), so a level measured against a due that has moved is a new
        notice with a new key."""
        due = self.due.astimezone(UTC).isoformat()
        return (
            f"{self.ticket}:{self.plan}:{self.level}:{self.target.value}:{due}:{self.recipient}"
        )


class _Running(NamedTuple):
    """A target that runs during a stretch, with what places its levels."""

    plan: EscalationPlan
    applied: AppliedRule
    due: datetime
    size: timedelta
    """The working time the target grants (the rule's, or up to a due set by hand)."""
    spans: tuple[Span, ...]
    pieces: tuple[Piece, ...]

    def instant_of(self, level: EscalationLevel) -> datetime:
        reach = level.at
        if isinstance(reach, OffsetFromDue):
            return self.applied.calendar.add(self.due, reach.offset)
        return due_instant(self.spans, self.pieces, self.size * reach.share)


def _plan(policy: SlaPolicy, applied: AppliedRule) -> EscalationPlan | None:
    name = applied.terms.escalation
    if name is None:
        return None
    plan = policy.escalation_plan(name)
    if plan is None:
        raise ConfigError(
            f"SLA rule {applied.name!r}: escalation plan {name!r} is not defined "
            "(the policy has no [[sla.escalations]] of that name)"
        )
    return plan


def _running(trace: Replay, target: Target, policy: SlaPolicy) -> _Running | None:
    """The target, if it runs (not achieved; the resolution clock counting) under
    a rule with an escalation plan; None otherwise."""
    applied = trace.regime.selection.applied
    if applied is None:
        return None
    plan = _plan(policy, applied)
    if plan is None:
        return None
    if target is Target.REACTION:
        if trace.reacted_at is not None:
            return None
        hand, pieces, size = trace.hand_reaction, trace.reaction_pieces(), applied.terms.reaction
    else:
        if trace.kind is not SegmentKind.COUNTED:
            return None
        hand, pieces = trace.hand_resolution, trace.resolution_pieces()
        size = applied.terms.resolution
    spans = trace.regime.spans()
    if hand is not None:
        due = hand.due
        size = max(applied.calendar.between(trace.ticket.created_at, due), _ZERO)
    else:
        due = due_instant(spans, pieces, size)
    return _Running(plan, applied, due, size, spans, pieces)


class _Reached(NamedTuple):
    target: Target
    running: _Running
    position: int
    level: EscalationLevel
    at: datetime


class _History:
    """One ticket's history cut into stretches at its events, each replayed once."""

    def __init__(
        self,
        ticket: Ticket,
        *,
        policy: SlaPolicy,
        graph: KnowsStatuses,
        customer: CustomerFacts | None,
    ) -> None:
        self.ticket = ticket
        self.policy = policy
        self.graph = graph
        self.customer = customer
        created = ticket.created_at
        self.bounds = sorted({created, *(e.at for e in ticket.events if e.at > created)})
        self._traces: dict[datetime, Replay] = {}
        self._running: dict[tuple[int, Target], _Running | None] = {}

    def trace(self, as_of: datetime) -> Replay:
        found = self._traces.get(as_of)
        if found is None:
            found = replay(
                self.ticket,
                policy=self.policy,
                graph=self.graph,
                as_of=as_of,
                customer=self.customer,
            )
            self._traces[as_of] = found
        return found

    def stretch_of(self, moment: datetime) -> int:
        return max(bisect_right(self.bounds, moment) - 1, 0)

    def end(self, k: int) -> datetime | None:
        return self.bounds[k + 1] if k + 1 < len(self.bounds) else None

    def running(self, k: int, target: Target) -> _Running | None:
        key = (k, target)
        if key not in self._running:
            self._running[key] = _running(self.trace(self.bounds[k]), target, self.policy)
        return self._running[key]

    def was_ahead(self, k: int, target: Target, plan: str, index: int) -> bool:
        """Whether level ``index`` of ``plan`` was still ahead the last time the
        target ran under ``plan`` before stretch ``k`` (a level not seen before
        is ahead). Stretches under another plan are passed over: a rule that
        was in force for a while and then gave way again to the one before
        does not make that one's levels new (they were reached already)."""
        for j in range(k - 1, -1, -1):
            before = self.running(j, target)
            if before is None or before.plan.name != plan:
                continue
            end = self.bounds[j + 1]
            return before.instant_of(before.plan.levels[index]) >= end
        return True

    def achieved(self, target: Target, at: datetime) -> bool:
        trace = self.trace(at)
        if target is Target.REACTION:
            return trace.reacted_at is not None
        return trace.kind is SegmentKind.DONE

    def assignee(self, at: datetime) -> Assignee | None:
        current = self.ticket.initial_assignee
        for event in self.ticket.events:
            if event.at > at:
                break
            if isinstance(event, Assignment):
                current = event.assignee
        return current

    def reached(self, low: datetime | None, high: datetime | None) -> Iterator[_Reached]:
        """Every level reached in ``[low, high]`` (None: unbounded), in stretch order."""
        first = 0 if low is None else self.stretch_of(low)
        last = len(self.bounds) - 1 if high is None else self.stretch_of(high)
        for k in range(first, last + 1):
            start, end = self.bounds[k], self.end(k)
            for target in Target:
                running = self.running(k, target)
                if running is None:
                    continue
                for index, level in enumerate(running.plan.levels):
                    if level.of is not target:
                        continue
                    at = running.instant_of(level)
                    if at < start:
                        if not self.was_ahead(k, target, running.plan.name, index):
                            continue
                        at = start
                    elif end is not None and at >= end:
                        continue
                    if (low is None or at >= low) and (high is None or at <= high):
                        yield _Reached(target, running, index, level, at)


def _groups(assignee: Assignee | None, directory: StaffDirectory) -> list[GroupLike]:
    if assignee is None:
        return []
    ids = [assignee.id] if assignee.group else sorted(directory.groups_of(assignee.id))
    return [group for group in map(directory.group, ids) if group is not None]


def recipients(
    notify: Iterable[Recipient], assignee: Assignee | None, directory: StaffDirectory
) -> tuple[str, ...]:
    """The employee ids ``notify`` reaches for a ticket assigned to ``assignee``,
    in the order written, each once. A group expands to its notification list
    (sorted); nobody responsible reaches nobody through the assignee entries."""
    found: dict[str, None] = {}
    for recipient in notify:
        if recipient.kind is RecipientKind.EMPLOYEE:
            assert recipient.employee is not None
            found.setdefault(recipient.employee)
        elif recipient.kind is RecipientKind.ASSIGNEE:
            if assignee is not None and not assignee.group:
                found.setdefault(assignee.id)
            else:
                for group in _groups(assignee, directory):
                    found.update((who, None) for who in sorted(group.notification_list))
        elif recipient.kind is RecipientKind.ASSIGNEE_GROUP:
            for group in _groups(assignee, directory):
                found.update((who, None) for who in sorted(group.notification_list))
        else:
            for group in _groups(assignee, directory):
                if group.manager is not None:
                    found.setdefault(group.manager)
    return tuple(found)


def _notices(
    history: _History, reached: _Reached, directory: StaffDirectory
) -> list[Notice]:
    level = reached.level
    instant = reached.at
    if level.working_hours_only is not None:
        calendar = history.policy.calendars[level.working_hours_only]
        instant = calendar.add(reached.at, _ZERO)
        if instant != reached.at and history.achieved(reached.target, instant):
            return []
    running = reached.running
    return [
        Notice(
            ticket=history.ticket.id,
            rule=running.applied.name,
            plan=running.plan.name,
            level=reached.position,
            target=reached.target,
            recipient=who,
            channel=level.channel,
            instant=instant,
            reached_at=reached.at,
            due=running.due,
        )
        for who in recipients(level.notify, history.assignee(instant), directory)
    ]


def _look_back(policy: SlaPolicy, moment: datetime) -> datetime | None:
    """The earliest instant a level may be reached and still be delivered after
    ``moment``: the start of the closed stretch around ``moment`` of any
    ``working_hours_only`` calendar (None: from registration)."""
    low = moment
    for plan in (policy.escalations or {}).values():
        for name in plan.calendars:
            try:
                opened = policy.calendars[name].add(moment, -_ONE_MICROSECOND)
            except ValidationError:
                return None
            low = min(low, opened + _ONE_MICROSECOND)
    return low


def _order(notice: Notice) -> tuple[datetime, str, str, int, str, str]:
    return (
        notice.instant,
        notice.ticket,
        notice.plan,
        notice.level,
        notice.target.value,
        notice.recipient,
    )


class TicketEscalations:
    """One ticket's escalation look-ahead: the notices due in a window
    (:meth:`due`) and the first one ahead (:meth:`next_after`), sharing the
    replays of the ticket's history — a scheduler settling a ticket asks both
    of the same ticket, and replays each stretch once, not twice.

    The ticket is taken as given (nothing happens beyond its history);
    ``customer`` is as for :func:`~helpdesk_core.sla.evaluate`.
    """

    def __init__(
        self,
        ticket: Ticket,
        *,
        policy: SlaPolicy,
        graph: KnowsStatuses,
        directory: StaffDirectory,
        customer: CustomerFacts | None = None,
    ) -> None:
        self._history = _History(ticket, policy=policy, graph=graph, customer=customer)
        self._directory = directory

    def due(self, *, since: datetime, until: datetime) -> tuple[Notice, ...]:
        """:func:`escalations_due` of the ticket in ``(since, until]``."""
        require_aware(since, "escalations_due: since")
        require_aware(until, "escalations_due: until")
        history = self._history
        if until <= since or until < history.ticket.created_at:
            return ()
        found: dict[str, Notice] = {}
        for reached in history.reached(_look_back(history.policy, since), until):
            for notice in _notices(history, reached, self._directory):
                if since < notice.instant <= until:
                    found.setdefault(notice.key, notice)
        return tuple(sorted(found.values(), key=_order))

    def next_after(self, after: datetime) -> datetime | None:
        """:func:`next_escalation` of the ticket: the first delivery instant
        strictly after ``after``, None when no level is ahead."""
        require_aware(after, "next_escalation: after")
        history = self._history
        best: datetime | None = None
        for reached in history.reached(_look_back(history.policy, after), None):
            if best is not None and reached.at >= best:
                continue
            for notice in _notices(history, reached, self._directory):
                if notice.instant > after and (best is None or notice.instant < best):
                    best = notice.instant
        return best


def escalations_due(
    ticket: Ticket,
    *,
    since: datetime,
    until: datetime,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    directory: StaffDirectory,
    customer: CustomerFacts | None = None,
) -> tuple[Notice, ...]:
    """The notices of ``ticket`` to deliver in ``(since, until]`` (aware instants),
    ordered by delivery instant.

    A level reached while its target runs gives one notice per recipient; a
    target achieved (reacted; resolved or closed) at or before the level's
    instant gives nothing, and a level deferred to working hours is dropped when
    the target is achieved by its delivery. Events after ``until`` are ignored;
    ``customer`` is as for :func:`~helpdesk_core.sla.evaluate`.
    """
    escalations = TicketEscalations(
        ticket, policy=policy, graph=graph, directory=directory, customer=customer
    )
    return escalations.due(since=since, until=until)


def next_escalation(
    ticket: Ticket,
    *,
    after: datetime,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    directory: StaffDirectory,
    customer: CustomerFacts | None = None,
) -> datetime | None:
    """The delivery instant of the first notice of ``ticket`` strictly after
    ``after``, assuming nothing happens beyond the history given; None when no
    level is ahead. A scheduler sleeps until then (or until the ticket changes)."""
    escalations = TicketEscalations(
        ticket, policy=policy, graph=graph, directory=directory, customer=customer
    )
    return escalations.next_after(after)


def next_escalation_wakeup(
    tickets: Iterable[Ticket],
    *,
    after: datetime,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    directory: StaffDirectory,
    customer_of: Callable[[Ticket], CustomerFacts | None] | None = None,
) -> datetime | None:
    """The earliest :func:`next_escalation` over ``tickets``: when a scheduler
    watching them must wake up next (None: nothing is ahead)."""
    require_aware(after, "next_escalation_wakeup: after")
    best: datetime | None = None
    for ticket in tickets:
        at = next_escalation(
            ticket,
            after=after,
            policy=policy,
            graph=graph,
            directory=directory,
            customer=None if customer_of is None else customer_of(ticket),
        )
        if at is not None and (best is None or at < best):
            best = at
    return best


__all__ = [
    "GroupLike",
    "GroupRoster",
    "Notice",
    "StaffDirectory",
    "TicketEscalations",
    "escalations_due",
    "next_escalation",
    "next_escalation_wakeup",
    "recipients",
]
