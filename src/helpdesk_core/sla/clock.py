"""The SLA clock: a pure fold over a ticket's history, up to an instant.

One fold, :class:`ClockFold`, walks the events once and records what the
clock needs: the stretches in which the resolution clock counted, paused or
stood still (resolved/closed), the rule in force at every moment (a
*regime*), when the targets were achieved and what was set by hand.
:func:`row_of` turns it into an :class:`~helpdesk_core.sla.row.SlaRow`
(``evaluate``); ``explain`` (through ``replay``) into a timeline;
:func:`~helpdesk_core.sla.projection.project` into the value a store keeps.
The semantics are written out in ``docs/sla.md``.

A due instant is the *latest* instant at which the counted working time since
registration reaches the target (the ``add`` convention of ``docs/formats.md``), so
time that is not counted — paused, resolved or closed — moves the deadline by
exactly the working time it covered, and nothing that happens after the
deadline can move it back.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from itertools import takewhile
from typing import NamedTuple, Protocol

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.ticket import (
    Comment,
    Event,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)
from helpdesk_core.sla.policy import SlaPolicy
from helpdesk_core.sla.row import Clock, SlaRow, SlaState
from helpdesk_core.sla.selection import (
    NO_CUSTOMER,
    CustomerFacts,
    Selection,
    Source,
    ticket_facts,
)
from helpdesk_core.sla.terms import AppliedRule, OnChange
from helpdesk_core.workflow.statuses import Status
from helpdesk_core.worktime import WorkingCalendar

_ZERO = timedelta(0)
_MINUTE = timedelta(minutes=1)
_NOTHING_YET = Selection(None, Source.NONE, "")
"""The rule "in force" before registration: none (where ``evaluate`` starts)."""


class KnowsStatuses(Protocol):
    """The part of :class:`~helpdesk_core.workflow.graph.TransitionGraph` the clock uses."""

    def status(self, id: str, /) -> Status: ...


class SegmentKind(enum.StrEnum):
    """What the resolution clock does during a stretch of the history."""

    COUNTED = "counted"
    """Working time here counts toward the resolution target."""
    PAUSED = "paused"
    """A status that pauses the SLA: the deadline moves by the working time lost."""
    DONE = "done"
    """Resolved or closed: the target is achieved; a reopen resumes the clock."""


def status_kind(graph: KnowsStatuses, status: str) -> SegmentKind:
    """How a status affects the resolution clock (done wins over pausing)."""
    definition = graph.status(status)
    if definition.category.is_done:
        return SegmentKind.DONE
    return SegmentKind.PAUSED if definition.pauses_sla else SegmentKind.COUNTED


_KINDS: dict[int, tuple[KnowsStatuses, dict[str, SegmentKind]]] = {}


def _kinds_of(graph: KnowsStatuses) -> dict[str, SegmentKind]:
    """A per-graph memo of :func:`status_kind` (graphs are immutable values);
    the graph itself is kept beside its id so that a recycled id cannot match."""
    entry = _KINDS.get(id(graph))
    if entry is None or entry[0] is not graph:
        if len(_KINDS) > 64:
            _KINDS.clear()
        entry = (graph, {})
        _KINDS[id(graph)] = entry
    return entry[1]


Span = tuple[datetime, datetime | None, WorkingCalendar]
"""``[start, end)`` measured on a calendar; ``end=None`` runs on for ever."""
Piece = tuple[datetime, datetime | None]
"""A stretch in which a target's clock counts; ``None`` ends an open one."""


class Regime(NamedTuple):
    """A rule in force from ``start`` on, with how the clock measures time.

    Under ``reselect`` the rule measures from registration (``start`` is the
    registration, ``carry`` empty). Under ``keep_elapsed`` ``carry`` holds the
    earlier stretches, each measured on the calendar of the rule then in force.
    """

    selection: Selection
    start: datetime
    carry: tuple[Span, ...]

    def spans(self) -> tuple[Span, ...]:
        applied = self.selection.applied
        if applied is None:
            return ()
        return (*self.carry, (self.start, None, applied.calendar))

    def due(self, pieces: Sequence[Piece], target: timedelta) -> datetime:
        """:func:`due_instant` under this regime's rule (which must have one).
        Without carried stretches the rule's calendar measures from the
        registration on, where every piece starts: nothing to cut, one call."""
        applied = self.selection.applied
        assert applied is not None, "a regime without a rule has no due instant"
        if self.carry:
            return due_instant(self.spans(), pieces, target)
        return applied.calendar.add_counting(pieces, target)


class Segment(NamedTuple):
    """A stretch ``[start, end)`` of the history spent in one status."""

    start: datetime
    end: datetime
    kind: SegmentKind
    status: str


class RegimeChange(NamedTuple):
    """The rule in force changed at ``at`` because of ``event``."""

    at: datetime
    before: Regime
    after: Regime
    event: Event


class HandSetDue(NamedTuple):
    """A deadline set by hand by an ``sla`` event."""

    due: datetime
    at: datetime
    by: str | None


class Replay(NamedTuple):
    """Everything the fold learned about one ticket up to ``as_of``."""

    ticket: Ticket
    as_of: datetime
    segments: tuple[Segment, ...]
    """Every stretch in one status (only when the fold was explaining)."""
    counted: tuple[tuple[datetime, datetime], ...]
    """Closed stretches in which the resolution clock counted, oldest first
    (a counting clock's open stretch is closed at ``as_of``)."""
    kind: SegmentKind
    """What the resolution clock does at ``as_of``."""
    regime: Regime
    reaction_regime: Regime
    """The regime that judges the reaction (in force when it was achieved)."""
    resolution_regime: Regime
    """The regime that judges the resolution (in force when it was achieved)."""
    reacted_at: datetime | None
    resolved_at: datetime | None
    hand_reaction: HandSetDue | None
    hand_resolution: HandSetDue | None
    changes: tuple[RegimeChange, ...]
    facts: Callable[[], Mapping[str, object]]
    """The facts of the ticket at ``as_of``, as the rule table saw them
    (a function: only explanations need them)."""
    paused: timedelta = _ZERO
    """Wall-clock time spent in pausing statuses up to ``as_of``."""
    since: datetime | None = None
    """When the clock began doing what it does at ``as_of`` (counting,
    pausing, or stopped: the resolution)."""

    def resolution_pieces(self) -> tuple[Piece, ...]:
        """The counted stretches, ended by the open stretch the clock would count
        from now on: since the last resume if counting, from ``as_of`` if paused,
        from the resolution if done."""
        if self.kind is SegmentKind.COUNTED:
            return (*self.counted[:-1], (self.counted[-1][0], None))
        start = self.as_of if self.kind is SegmentKind.PAUSED else self.resolved_at
        assert start is not None
        return (*self.counted, (start, None))

    def reaction_pieces(self) -> tuple[Piece, ...]:
        """The reaction clock never pauses: it counts from registration."""
        return ((self.ticket.created_at, None),)


class ClockFold:
    """THE fold of a ticket's history: what the SLA clock knows after the
    events applied so far. ``run`` takes the next events (in order, none after
    the instant the fold is read at); ``result(as_of)`` reads it as a
    :class:`Replay` without changing it, and :func:`row_of` turns that into the
    report row. :func:`evaluate`, :func:`replay` (``explain``, escalations)
    and :func:`~helpdesk_core.sla.projection.project` all fold through here.

    ``explaining`` keeps what only an explanation shows: every status segment
    and every change of rule (with the event that made it). Without it the
    fold keeps only what the row needs — a batch report folds millions of
    histories, so ``run`` works on local variables and writes them back once.
    A caller that needs the clock after every event (how the deadlines moved,
    in ``explain``) applies the events one at a time and reads the fold in
    between: one fold of the history instead of one per event.
    """

    __slots__ = (
        "_initial_status",
        "_kinds",
        "_reselect_on_status",
        "_select",
        "changes",
        "counted",
        "customer",
        "explaining",
        "graph",
        "hand_reaction",
        "hand_resolution",
        "kind",
        "manual",
        "note",
        "paused",
        "policy",
        "priority",
        "reacted_at",
        "reaction_regime",
        "regime",
        "resolution_regime",
        "resolved_at",
        "seg_start",
        "segments",
        "since",
        "status",
        "ticket",
        "type_",
    )

    def __init__(
        self,
        ticket: Ticket,
        *,
        policy: SlaPolicy,
        graph: KnowsStatuses,
        customer: CustomerFacts | None = None,
        explaining: bool = False,
    ) -> None:
        self.ticket = ticket
        self.policy = policy
        self.graph = graph
        self.customer = NO_CUSTOMER if customer is None else customer
        self.explaining = explaining
        self._kinds = kinds = _kinds_of(graph)
        self._select = policy.selector.select_ticket
        self._reselect_on_status = policy.tests_status
        created = ticket.created_at
        self._initial_status = self.status = status = ticket.initial_status
        self.kind = kind = kinds.get(status) or kinds.setdefault(status, status_kind(graph, status))
        self.priority, self.type_ = ticket.initial_priority, ticket.initial_type
        self.manual: str | None = None
        self.note = ""
        self.changes: list[RegimeChange] = []
        self.segments: list[Segment] = []
        self.regime = self._reselect(
            Regime(_NOTHING_YET, created, ()), created, None,
            self.type_, self.priority, status, None, "",
        )
        self.counted: list[tuple[datetime, datetime]] = []
        """Closed stretches in which the resolution clock counted (the open one
        runs from ``since`` while ``kind`` is counted)."""
        self.since = self.seg_start = created
        self.paused = _ZERO
        """Wall-clock time paused before ``since`` (a running pause adds the time from it)."""
        self.reacted_at: datetime | None = None
        done = kind is SegmentKind.DONE
        self.resolved_at: datetime | None = created if done else None
        self.reaction_regime: Regime | None = None
        self.resolution_regime: Regime | None = self.regime if done else None
        self.hand_reaction: HandSetDue | None = None
        self.hand_resolution: HandSetDue | None = None

    def facts(self) -> dict[str, object]:
        """The ticket's facts now, as the rule table sees them."""
        return ticket_facts(
            type=self.type_,
            priority=self.priority,
            status=self.status,
            channel=self.ticket.channel,
            company=self.ticket.company,
            attributes=self.ticket.attributes,
            registered_at=self.ticket.created_at,
            customer=self.customer,
        )

    def _reselect(
        self,
        regime: Regime,
        at: datetime,
        event: Event | None,
        type_: str | None,
        priority: str | None,
        status: str,
        manual: str | None,
        note: str,
    ) -> Regime:
        """The regime after the facts may have changed at ``at`` (``event``
        None: the registration, which is no change of rule)."""
        ticket = self.ticket
        selection = self._select(
            type_, priority, status, ticket.channel, ticket.company, ticket.attributes,
            ticket.created_at, self.customer, manual, note,
        )
        if selection is regime.selection:
            return regime
        before = regime.selection.applied
        applied = selection.applied
        if applied is before:
            return Regime(selection, regime.start, regime.carry)
        if (
            applied is not None
            and before is not None
            and applied.terms.on_change is OnChange.KEEP_ELAPSED
        ):
            carry = regime.carry
            if at > regime.start:
                carry = (*carry, (regime.start, at, before.calendar))
            after = Regime(selection, at, carry)
        else:
            after = Regime(selection, ticket.created_at, ())
        if self.explaining and event is not None:
            self.changes.append(RegimeChange(at, regime, after, event))
        return after

    def apply(self, event: Event) -> None:
        """Take the next event of the history into account."""
        self.run((event,))

    def run(self, events: Iterable[Event]) -> None:
        """Take the next events of the history into account, in order."""
        self._advance(events, None, 0.0)

    def last_row(self, events: Iterable[Event], as_of: datetime, *, at_risk_share: float) -> SlaRow:
        """Take the last events of the history (none after ``as_of``) and give
        the row at ``as_of``: :meth:`run` then :meth:`row`, without writing the
        fold back (it is not read again): :func:`evaluate`'s one call."""
        row = self._advance(events, as_of, at_risk_share)
        assert row is not None
        return row

    def _advance(
        self, events: Iterable[Event], as_of: datetime | None, at_risk_share: float
    ) -> SlaRow | None:
        """The one loop over events; with ``as_of``, the row there instead of
        the fold written back."""
        kinds, graph, initial_status = self._kinds, self.graph, self._initial_status
        reselect, reselect_on_status = self._reselect, self._reselect_on_status
        explaining, segments, counted = self.explaining, self.segments, self.counted
        status, kind, priority, type_ = self.status, self.kind, self.priority, self.type_
        manual, note, regime = self.manual, self.note, self.regime
        reaction_regime, resolution_regime = self.reaction_regime, self.resolution_regime
        since, seg_start, paused = self.since, self.seg_start, self.paused
        reacted_at, resolved_at = self.reacted_at, self.resolved_at
        hand_reaction, hand_resolution = self.hand_reaction, self.hand_resolution
        for event in events:
            at = event.at
            if isinstance(event, StatusChange):
                to = event.to
                if to == status:
                    continue
                if reacted_at is None and to != initial_status:
                    reacted_at, reaction_regime = at, regime
                new_kind = kinds.get(to) or kinds.setdefault(to, status_kind(graph, to))
                if explaining and at > seg_start:
                    segments.append(Segment(seg_start, at, kind, status))
                if new_kind is not kind:
                    # a history is in order: a stretch is never negative, and an
                    # empty one adds nothing (add_counting passes it)
                    if kind is SegmentKind.COUNTED:
                        counted.append((since, at))
                    elif kind is SegmentKind.PAUSED:
                        paused += elapsed(since, at)
                    else:
                        resolved_at = resolution_regime = None
                    if new_kind is SegmentKind.DONE:
                        resolved_at, resolution_regime = at, regime
                    since = at
                seg_start, status, kind = at, to, new_kind
                if reselect_on_status:
                    regime = reselect(regime, at, event, type_, priority, status, manual, note)
            elif isinstance(event, Comment):
                if reacted_at is None and event.public and event.author == "employee":
                    reacted_at, reaction_regime = at, regime
            elif isinstance(event, PriorityChange):
                if event.to != priority:
                    priority = event.to
                    regime = reselect(regime, at, event, type_, priority, status, manual, note)
            elif isinstance(event, TypeChange):
                if event.to != type_:
                    type_ = event.to
                    regime = reselect(regime, at, event, type_, priority, status, manual, note)
            elif isinstance(event, SlaOverride):
                if event.resolution_due is not None:
                    hand_resolution = HandSetDue(event.resolution_due, at, event.by)
                if event.reaction_due is not None:
                    hand_reaction = HandSetDue(event.reaction_due, at, event.by)
                if event.rule is not None:
                    manual = event.rule
                    by = f" by {event.by}" if event.by else ""
                    note = f"{by} at {at.isoformat()}"
                    regime = reselect(regime, at, event, type_, priority, status, manual, note)
        if as_of is not None:
            if kind is SegmentKind.PAUSED:
                paused += elapsed(since, as_of)
            return judged(
                self.ticket, as_of, kind, regime,
                regime if reaction_regime is None else reaction_regime,
                regime if resolution_regime is None else resolution_regime,
                counted, since, reacted_at, resolved_at,
                hand_reaction, hand_resolution, paused, at_risk_share,
            )
        self.status, self.kind, self.priority, self.type_ = status, kind, priority, type_
        self.manual, self.note, self.regime = manual, note, regime
        self.reaction_regime, self.resolution_regime = reaction_regime, resolution_regime
        self.since, self.seg_start, self.paused = since, seg_start, paused
        self.reacted_at, self.resolved_at = reacted_at, resolved_at
        self.hand_reaction, self.hand_resolution = hand_reaction, hand_resolution
        return None

    def row(self, as_of: datetime, *, at_risk_share: float) -> SlaRow:
        """The report row of the fold read at ``as_of`` (what :func:`row_of`
        gives for :meth:`result`, without building the :class:`Replay`)."""
        kind, since, regime = self.kind, self.since, self.regime
        paused = self.paused
        if kind is SegmentKind.PAUSED:
            paused += elapsed(since, as_of)
        reaction_regime, resolution_regime = self.reaction_regime, self.resolution_regime
        return judged(
            self.ticket, as_of, kind, regime,
            regime if reaction_regime is None else reaction_regime,
            regime if resolution_regime is None else resolution_regime,
            self.counted, since, self.reacted_at, self.resolved_at,
            self.hand_reaction, self.hand_resolution, paused, at_risk_share,
        )

    def result(self, as_of: datetime) -> Replay:
        """The fold read at ``as_of`` (no event after it was applied)."""
        kind, since = self.kind, self.since
        counted: Sequence[tuple[datetime, datetime]] = self.counted
        paused = self.paused
        if kind is SegmentKind.COUNTED:
            counted = (*counted, (since, as_of))
        elif kind is SegmentKind.PAUSED:
            paused += elapsed(since, as_of)
        regime = self.regime
        segments: tuple[Segment, ...] = ()
        facts: Callable[[], Mapping[str, object]] = _NO_FACTS
        if self.explaining:
            seg_start, status = self.seg_start, self.status
            segments = tuple(self.segments)
            if as_of > seg_start or not segments:
                segments = (*segments, Segment(seg_start, as_of, kind, status))
            facts = _kept(self.facts())
        return Replay(
            ticket=self.ticket,
            as_of=as_of,
            segments=segments,
            counted=tuple(counted),
            kind=kind,
            regime=regime,
            reaction_regime=regime if self.reaction_regime is None else self.reaction_regime,
            resolution_regime=regime if self.resolution_regime is None else self.resolution_regime,
            reacted_at=self.reacted_at,
            resolved_at=self.resolved_at,
            hand_reaction=self.hand_reaction,
            hand_resolution=self.hand_resolution,
            changes=tuple(self.changes),
            facts=facts,
            paused=paused,
            since=since,
        )


def _kept(facts: Mapping[str, object]) -> Callable[[], Mapping[str, object]]:
    return lambda: facts


def _no_facts() -> Mapping[str, object]:
    raise AssertionError("the facts are kept only by an explaining fold")  # pragma: no cover


_NO_FACTS = _no_facts


def until(events: tuple[Event, ...], as_of: datetime) -> Sequence[Event]:
    """The events up to ``as_of``: those before the first one after it.

    Comparing instants of two zones costs two ``utcoffset`` calls each, so
    when ``as_of`` has a fixed offset (every comparison with it is then one of
    instants) and the last event is not after it, no event is (a history is
    in order of instants) and none is compared. Any other ``as_of`` is
    compared as a UTC instant: two datetimes of the very same zone with DST
    would compare by their wall clocks, which in the repeated hour of the
    autumn change is not the order of the instants.
    """
    if type(as_of.tzinfo) is not timezone:
        as_of = as_of.astimezone(UTC)
    if not events or not events[-1].at > as_of:
        return events
    return tuple(takewhile(lambda event: not event.at > as_of, events))


def replay(
    ticket: Ticket,
    *,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    as_of: datetime,
    customer: CustomerFacts | None = None,
) -> Replay:
    """Fold the history of ``ticket`` up to ``as_of`` (events after it are
    ignored), keeping everything an explanation shows."""
    _check_as_of(ticket, as_of)
    fold = ClockFold(ticket, policy=policy, graph=graph, customer=customer, explaining=True)
    fold.run(until(ticket.events, as_of))
    return fold.result(as_of)


def _check_as_of(ticket: Ticket, as_of: datetime) -> None:
    if type(as_of.tzinfo) is not timezone:  # a fixed offset is aware; ask the others
        require_aware(as_of, "as_of")
    created = ticket.created_at
    if as_of < created:
        raise ValidationError(
            f"ticket {ticket.id}: as_of {as_of.isoformat()} is before its registration "
            f"at {created.isoformat()}"
        )


def due_instant(spans: Sequence[Span], pieces: Sequence[Piece], target: timedelta) -> datetime:
    """The latest instant at which the working time counted in ``pieces``
    (each part measured on the calendar of the span it falls in) reaches
    ``target``. ``spans`` and ``pieces`` both end with an open stretch."""
    if len(spans) == 1 and pieces[0][0] >= spans[0][0]:
        return spans[0][2].add_counting(pieces, target)  # one calendar, nothing to cut
    remaining = target
    for low, high, calendar in spans:
        for start, end in pieces:
            lo = start if start > low else low
            if end is None:
                hi = high
            elif high is None or end < high:
                hi = end
            else:
                hi = high
            if hi is None:
                return calendar.add(lo, remaining)
            if hi <= lo:
                continue
            worked = calendar.between(lo, hi)
            if worked > remaining:
                return calendar.add(lo, remaining)
            remaining -= worked
    raise AssertionError("the last span and the last piece are open")  # pragma: no cover


def measured(
    spans: Sequence[Span], start: datetime, end: datetime
) -> list[tuple[datetime, datetime, WorkingCalendar, timedelta]]:
    """``[start, end)`` cut at the span boundaries, each part with its working time."""
    parts = []
    for low, high, calendar in spans:
        lo = start if start > low else low
        hi = end if high is None or end < high else high
        if hi > lo:
            parts.append((lo, hi, calendar, calendar.between(lo, hi)))
    return parts


def elapsed(start: datetime, end: datetime) -> timedelta:
    """The real time from ``start`` to ``end``. Python subtracts two datetimes
    of the very same zone object by their wall clocks, which across a DST
    change is not the time that passed; a fixed offset has no DST."""
    if start.tzinfo is end.tzinfo and type(start.tzinfo) is not timezone:
        return end.astimezone(UTC) - start.astimezone(UTC)
    return end - start


def later(a: datetime, b: datetime) -> bool:
    """Whether the instant ``a`` is after the instant ``b``. Python compares two
    datetimes of the very same zone by their wall clocks, which in the
    repeated hour of an autumn DST change is not the order of the instants;
    those are compared in UTC."""
    zone = a.tzinfo
    if zone is b.tzinfo and type(zone) is not timezone:
        return a.astimezone(UTC) > b.astimezone(UTC)
    return a > b


def row_of(trace: Replay, *, at_risk_share: float) -> SlaRow:
    """The SLA report row of a replayed history (``explain``'s row)."""
    counted = list(trace.counted)
    kind = trace.kind
    since = trace.since
    if kind is SegmentKind.COUNTED:
        since = counted.pop()[0]
    assert since is not None
    return judged(
        trace.ticket, trace.as_of, kind, trace.regime, trace.reaction_regime,
        trace.resolution_regime, counted, since, trace.reacted_at, trace.resolved_at,
        trace.hand_reaction, trace.hand_resolution, trace.paused, at_risk_share,
    )


def judged(
    ticket: Ticket,
    as_of: datetime,
    kind: SegmentKind,
    regime: Regime,
    reaction_regime: Regime,
    resolution_regime: Regime,
    counted: list[tuple[datetime, datetime]],
    since: datetime,
    reacted_at: datetime | None,
    resolved_at: datetime | None,
    hand_reaction: HandSetDue | None,
    hand_resolution: HandSetDue | None,
    paused: timedelta,
    at_risk_share: float,
) -> SlaRow:
    """The row the fold's state gives at ``as_of``: the one place a row is
    judged (:func:`evaluate`, :func:`row_of` and the projection come here).
    ``counted`` are the closed counted stretches, ``since`` when the clock
    began what it does at ``as_of``, ``paused`` the paused time up to ``as_of``;
    positional, as the batch report calls it once per ticket."""
    selection = regime.selection
    rule = selection.applied

    reaction_judge = reaction_regime.selection.applied
    reaction_due: datetime | None = None
    if hand_reaction is not None:
        reaction_due = hand_reaction.due
    elif reaction_judge is not None:
        reaction_due = reaction_regime.due(((ticket.created_at, None),), reaction_judge.terms.reaction)

    done = kind is SegmentKind.DONE
    resolution_judge = resolution_regime.selection.applied
    resolution_due: datetime | None = None
    if hand_resolution is not None:
        resolution_due = hand_resolution.due
    elif resolution_judge is not None:
        # the counted stretches, ended by the one the clock counts from now on:
        # since the last resume if counting, from as_of if paused, from the resolution if done
        open_start = as_of if kind is SegmentKind.PAUSED else since
        resolution_due = resolution_regime.due(
            [*counted, (open_start, None)], resolution_judge.terms.resolution
        )

    # later(), inline: a batch judges millions of rows
    reaction_breached = False
    if reaction_due is not None:
        end = as_of if reacted_at is None else reacted_at
        zone = end.tzinfo
        if zone is reaction_due.tzinfo and type(zone) is not timezone:
            reaction_breached = end.astimezone(UTC) > reaction_due.astimezone(UTC)
        else:
            reaction_breached = end > reaction_due
    if not done:
        resolved_at = None
    resolution_breached = False
    if resolution_due is not None:
        end = as_of if resolved_at is None else resolved_at
        zone = end.tzinfo
        if zone is resolution_due.tzinfo and type(zone) is not timezone:
            resolution_breached = end.astimezone(UTC) > resolution_due.astimezone(UTC)
        else:
            resolution_breached = end > resolution_due

    if rule is None and reaction_due is None and resolution_due is None:
        state = SlaState.NO_SLA
    elif reaction_breached or resolution_breached:
        state = SlaState.BREACHED
    elif done:
        state = SlaState.MET
    elif rule is not None and _at_risk_of(
        rule, as_of, reacted_at, reaction_due, resolution_due, at_risk_share
    ):
        state = SlaState.AT_RISK
    else:
        state = SlaState.RUNNING

    return SlaRow.computed(
        ticket=ticket.id,
        rule=None if rule is None else rule.rule.name,
        calendar=None if rule is None else rule.rule.result.calendar,
        reaction_due=reaction_due,
        reacted_at=reacted_at,
        reaction_breached=reaction_breached,
        resolution_due=resolution_due,
        resolved_at=resolved_at,
        resolution_breached=resolution_breached,
        paused_minutes=paused // _MINUTE,
        state=state,
        as_of=as_of,
        reaction_due_set_by_hand=hand_reaction is not None,
        resolution_due_set_by_hand=hand_resolution is not None,
        reaction_rule=None if reaction_judge is None else reaction_judge.rule.name,
        resolution_rule=None if resolution_judge is None else resolution_judge.rule.name,
        rule_reason=selection.reason,
        clock=CLOCKS[kind],
    )


CLOCKS = {
    SegmentKind.COUNTED: Clock.COUNTING,
    SegmentKind.PAUSED: Clock.PAUSED,
    SegmentKind.DONE: Clock.STOPPED,
}
"""The row's word for what the resolution clock does."""


def _at_risk_of(
    rule: AppliedRule,
    as_of: datetime,
    reacted_at: datetime | None,
    reaction_due: datetime | None,
    resolution_due: datetime | None,
    share: float,
) -> bool:
    """Whether less than ``share`` of a running target remains, as working
    time on the current rule's calendar (the reaction counts only while it is
    still awaited)."""
    calendar = rule.calendar
    terms = rule.rule.result
    if resolution_due is not None and calendar.between(as_of, resolution_due) < (
        terms.resolution * share
    ):
        return True
    return (
        reacted_at is None
        and reaction_due is not None
        and calendar.between(as_of, reaction_due) < terms.reaction * share
    )


def evaluate(
    ticket: Ticket,
    *,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    as_of: datetime,
    customer: CustomerFacts | None = None,
) -> SlaRow:
    """The SLA of ``ticket`` as of ``as_of`` (aware; later events are ignored).

    ``graph`` tells which statuses pause the clock and which are resolved or
    closed; ``customer`` carries the client category and customer groups the
    caller looked up (None: none known).

    The fold (:class:`ClockFold`, without what only an explanation keeps)
    read at ``as_of`` by :func:`row_of`. A batch report calls this once per
    ticket.
    """
    if type(as_of.tzinfo) is not timezone:  # a fixed offset is aware; ask the others
        require_aware(as_of, "as_of")
    created = ticket.created_at
    if as_of < created:
        _check_as_of(ticket, as_of)
    events = ticket.events
    if type(as_of.tzinfo) is not timezone or (events and events[-1].at > as_of):
        events = until(events, as_of)  # type: ignore[assignment]
    return ClockFold(ticket, policy=policy, graph=graph, customer=customer).last_row(
        events, as_of, at_risk_share=policy.at_risk_share
    )


__all__ = [
    "ClockFold",
    "KnowsStatuses",
    "Regime",
    "RegimeChange",
    "Replay",
    "Segment",
    "SegmentKind",
    "elapsed",
    "evaluate",
    "later",
    "replay",
    "row_of",
    "status_kind",
    "until",
]
