"""Why a ticket's SLA row says what it says: the rule and why it won, every
stretch the clock counted or paused, the closed periods it skipped, and how the
due instants moved. What ``helpdesk sla explain`` prints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

import attrs

from helpdesk_core.model.ticket import (
    Comment,
    Event,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)
from helpdesk_core.sla.clock import (
    ClockFold,
    HandSetDue,
    KnowsStatuses,
    Piece,
    Regime,
    Replay,
    SegmentKind,
    Span,
    due_instant,
    measured,
    replay,
    row_of,
    until,
)
from helpdesk_core.sla.durations import format_duration
from helpdesk_core.sla.policy import SlaPolicy
from helpdesk_core.sla.row import SlaRow
from helpdesk_core.sla.selection import CustomerFacts, Source
from helpdesk_core.sla.terms import OnChange

Target = Literal["reaction", "resolution"]


@attrs.frozen
class TimelineSegment:
    """A stretch ``[start, end)`` in one status, measured on one calendar.

    ``working`` is the working time inside it on ``calendar`` (None when no
    rule applies): counted toward the resolution target for ``counted``
    segments, lost (the deadline moves by it) for ``paused`` and ``done`` ones.
    """

    start: datetime
    end: datetime
    kind: SegmentKind
    status: str
    working: timedelta | None
    calendar: str | None


@attrs.frozen
class SkippedPeriod:
    """Closed time of the calendar the clock skipped while counting (or will
    skip before the deadline), with the calendar's reason ("holiday: …")."""

    start: datetime
    end: datetime
    reason: str


@attrs.frozen
class DueMove:
    """A due instant as known right after ``at``: set first, or moved."""

    at: datetime
    target: Target
    before: datetime | None
    after: datetime | None
    reason: str


@attrs.frozen
class TargetUsed:
    """What one target's deadline was actually judged against: the working
    time of the rule judging it (the rule in force when the reaction or the
    resolution came, else the current one) on that rule's calendar — or a
    deadline set by hand, which replaces the rule's."""

    target: Target
    rule: str | None
    """The rule judging the target (None: no rule applies)."""
    calendar: str | None
    duration: timedelta | None
    """The rule's target in working time (None without a rule)."""
    set_by_hand: HandSetDue | None = None
    in_force_at: datetime | None = None
    """When the judging rule is not the one in force now: the instant the
    target was achieved, when it was."""

    def line(self) -> str:
        """``reaction target: 2h of working time on office, rule 'Gold'``."""
        by_rule = (
            None if self.rule is None or self.duration is None
            else f"{format_duration(self.duration)} of working time on {self.calendar}, rule {self.rule!r}"
        )
        hand = self.set_by_hand
        if hand is not None:
            by = f" by {hand.by}" if hand.by else ""
            what = f"due {_t(hand.due)}, set by hand{by} at {_t(hand.at)}"
            if by_rule is not None:
                what += f" (instead of {by_rule})"
        elif by_rule is not None:
            what = by_rule
            if self.in_force_at is not None:
                achieved = "the reaction" if self.target == "reaction" else "the resolution"
                what += f", in force at {achieved} ({_t(self.in_force_at)})"
        else:
            what = "none (no SLA rule applies)"
        return f"{self.target} target: {what}"


@attrs.frozen
class SlaTimeline:
    """The explanation of one :class:`SlaRow`.

    ``elapsed`` is the working time the resolution clock has counted (up to
    ``as_of``, or to the resolution): exactly the sum of ``working`` over the
    ``counted`` segments. ``calendar`` is the calendar of the rule judging
    the resolution. ``reaction_target`` and ``resolution_target`` are the
    working time of the rule judging each target (None when no rule does, or
    when the deadline was set by hand); ``used`` says what each target was
    actually judged against, as the header shows it.
    """

    row: SlaRow
    rule_lines: tuple[str, ...]
    calendar: str | None
    reaction_target: timedelta | None
    resolution_target: timedelta | None
    segments: tuple[TimelineSegment, ...]
    skipped: tuple[SkippedPeriod, ...]
    moves: tuple[DueMove, ...]
    elapsed: timedelta
    used: tuple[TargetUsed, TargetUsed] | None = None
    """The reaction's and the resolution's :class:`TargetUsed`."""

    @property
    def counted(self) -> timedelta:
        """The sum of the counted segments' working time."""
        return sum(
            (s.working for s in self.segments if s.kind is SegmentKind.COUNTED and s.working),
            timedelta(0),
        )

    def lines(self) -> tuple[str, ...]:
        """The timeline as text, for a terminal."""
        row = self.row
        out = [f"ticket {row.ticket} as of {_t(row.as_of)}: {row.state.value}"]
        if row.rule is None:
            out.append(f"no SLA rule: {row.rule_reason}")
        else:
            out.append(f"rule {row.rule!r}: {row.rule_reason}")
        out.extend(f"  {line}" for line in self.rule_lines)
        if self.used is not None:
            out.extend(used.line() for used in self.used)
        out.append("segments:")
        for s in self.segments:
            working = "" if s.working is None else format_duration(s.working)
            on = "" if s.calendar is None or s.calendar == self.calendar else f" on {s.calendar}"
            out.append(
                f"  {_t(s.start)} – {_t(s.end)}  {s.status:<12} {s.kind.value:<8} {working}{on}"
            )
        if self.skipped:
            out.append("closed periods skipped:")
            out.extend(f"  {_t(p.start)} – {_t(p.end)}  {p.reason}" for p in self.skipped)
        if self.moves:
            out.append("deadlines:")
            for move in self.moves:
                if move.before is None:
                    what = f"set to {_t(move.after)}"
                else:
                    what = f"moved from {_t(move.before)} to {_t(move.after)}"
                out.append(f"  {_t(move.at)}  {move.target} due {what}: {move.reason}")
        out.append(
            f"reaction: due {_t(row.reaction_due)}, reacted {_t(row.reacted_at)}"
            + (" — breached" if row.reaction_breached else "")
        )
        out.append(
            f"resolution: due {_t(row.resolution_due)}, resolved {_t(row.resolved_at)}"
            + (" — breached" if row.resolution_breached else "")
        )
        if row.resolution_due_set_by_hand:
            target = " (the resolution deadline was set by hand)"
        elif self.resolution_target is None:
            target = ""
        else:
            target = f" of {format_duration(self.resolution_target)}"
        out.append(
            f"counted working time {format_duration(self.elapsed)}{target}; "
            f"paused {row.paused_minutes} min of wall-clock time"
        )
        return tuple(out)


def _t(value: datetime | None) -> str:
    return "—" if value is None else value.isoformat(timespec="minutes")


def explain(
    ticket: Ticket,
    *,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    as_of: datetime,
    customer: CustomerFacts | None = None,
) -> SlaTimeline:
    """The SLA of ``ticket`` as of ``as_of``, with everything that made it so.

    Slower than :func:`~helpdesk_core.sla.clock.evaluate` (it keeps every
    segment and reads the clock after every event to show how deadlines
    moved), but linear in the events: for one ticket at a time, not for
    batch reports.
    """
    trace = replay(ticket, policy=policy, graph=graph, as_of=as_of, customer=customer)
    row = row_of(trace, at_risk_share=policy.at_risk_share)
    regime = trace.resolution_regime
    rule = regime.selection.applied
    spans = regime.spans()
    segments = _segments(trace, spans, policy)
    elapsed = sum(
        (part[3] for start, end in trace.counted for part in measured(spans, start, end)),
        timedelta(0),
    )
    current = trace.regime.selection
    if current.source in (Source.TABLE, Source.NONE):
        rule_lines = policy.table.explain(trace.facts(), calendars=policy.calendars).lines()
    else:
        rule_lines = ()
    rule_lines = (*rule_lines, *_change_lines(trace))
    reaction = _used("reaction", trace)
    resolution = _used("resolution", trace)
    return SlaTimeline(
        row=row,
        rule_lines=tuple(rule_lines),
        calendar=None if rule is None else rule.terms.calendar,
        reaction_target=None if reaction.set_by_hand else reaction.duration,
        resolution_target=None if resolution.set_by_hand else resolution.duration,
        used=(reaction, resolution),
        segments=segments,
        skipped=_skipped(trace, spans, row),
        moves=_moves(ticket, policy, graph, as_of, customer, row),
        elapsed=elapsed,
    )


def _used(target: Target, trace: Replay) -> TargetUsed:
    """What ``target`` was judged against, as :func:`row_of` judges it."""
    if target == "reaction":
        regime, hand, achieved = trace.reaction_regime, trace.hand_reaction, trace.reacted_at
    else:
        regime, hand = trace.resolution_regime, trace.hand_resolution
        achieved = trace.resolved_at if trace.kind is SegmentKind.DONE else None
    judge = regime.selection.applied
    if judge is None:
        return TargetUsed(target, None, None, None, hand)
    duration = judge.terms.reaction if target == "reaction" else judge.terms.resolution
    in_force_at = achieved if judge is not trace.regime.selection.applied else None
    return TargetUsed(target, judge.name, judge.terms.calendar, duration, hand, in_force_at)


def _segments(
    trace: Replay, spans: Sequence[Span], policy: SlaPolicy
) -> tuple[TimelineSegment, ...]:
    result: list[TimelineSegment] = []
    names = {id(calendar): name for name, calendar in policy.calendars.items()}
    for segment in trace.segments:
        parts = measured(spans, segment.start, segment.end) if spans else []
        if not parts:
            result.append(
                TimelineSegment(segment.start, segment.end, segment.kind, segment.status, None, None)
            )
            continue
        for lo, hi, calendar, working in parts:
            result.append(
                TimelineSegment(
                    lo, hi, segment.kind, segment.status, working, names.get(id(calendar))
                )
            )
    return tuple(result)


def _skipped(trace: Replay, spans: Sequence[Span], row: SlaRow) -> tuple[SkippedPeriod, ...]:
    if not spans:
        return ()
    stretches: list[Piece] = list(trace.counted)
    due = row.resolution_due
    if trace.kind is SegmentKind.COUNTED and due is not None and due > trace.as_of:
        stretches[-1] = (stretches[-1][0], due)
    elif trace.kind is SegmentKind.PAUSED and due is not None and due > trace.as_of:
        stretches.append((trace.as_of, due))
    periods: list[SkippedPeriod] = []
    for start, end in stretches:
        assert end is not None
        for lo, hi, calendar, _working in measured(spans, start, end):
            periods.extend(
                SkippedPeriod(p.start, p.end, p.reason) for p in calendar.closed_periods(lo, hi)
            )
    return tuple(periods)


def _change_lines(trace: Replay) -> list[str]:
    lines = []
    for change in trace.changes:
        before, after = change.before.selection.name, change.after.selection.name
        applied = change.after.selection.applied
        how = ""
        if applied is not None:
            if applied.terms.on_change is OnChange.KEEP_ELAPSED and change.after.carry:
                how = " (keep_elapsed: working time so far is kept and counted against it)"
            else:
                how = " (reselect: judged as if it had applied since registration)"
        lines.append(
            f"{_t(change.at)} {_event_words(change.event)}: rule {before!r} → {after!r}{how}"
        )
    return lines


def _event_words(event: Event) -> str:
    if isinstance(event, StatusChange):
        return f"status → {event.to}"
    if isinstance(event, PriorityChange):
        return f"priority → {event.to}"
    if isinstance(event, TypeChange):
        return f"type → {event.to}"
    if isinstance(event, SlaOverride):
        by = f" by {event.by}" if event.by else ""
        return f"set by hand{by}"
    if isinstance(event, Comment):
        visibility = "public" if event.public else "private"
        return f"{visibility} comment by the {event.author}"
    return event.kind


def _moves(
    ticket: Ticket,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    as_of: datetime,
    customer: CustomerFacts | None,
    final: SlaRow,
) -> tuple[DueMove, ...]:
    """How the due instants moved: the clock read after each instant at which
    something happened, in one fold of the history (reading it again from
    the start for each instant took 7 minutes for 100,000 events)."""
    moves: list[DueMove] = []
    fold = ClockFold(ticket, policy=policy, graph=graph, customer=customer)
    reaction_due = _ReactionDue(ticket)
    resolution_due = _ResolutionDue()
    reaction: datetime | None = None
    resolution: datetime | None = None

    def read(instant: datetime, reason: str) -> None:
        nonlocal reaction, resolution
        now_reaction = reaction_due.at(fold)
        now_resolution = resolution_due.at(fold, instant)
        if now_reaction != reaction:
            moves.append(DueMove(instant, "reaction", reaction, now_reaction, reason))
            reaction = now_reaction
        if now_resolution != resolution:
            moves.append(DueMove(instant, "resolution", resolution, now_resolution, reason))
            resolution = now_resolution

    instant, reason = ticket.created_at, "registered"
    for event in until(ticket.events, as_of):
        if event.at == instant:
            reason = f"{reason}; {_event_words(event)}"
        else:
            read(instant, reason)
            instant, reason = event.at, _event_words(event)
        fold.apply(event)
    read(instant, reason)
    if final.resolution_due != resolution:
        moves.append(
            DueMove(as_of, "resolution", resolution, final.resolution_due, "the pause goes on")
        )
    return tuple(moves)


def _same_regime(a: Regime | None, b: Regime) -> bool:
    """Whether two regimes measure alike: the same rule from the same start
    with the same carried stretches (a status change that keeps the rule makes
    a new, equal regime)."""
    return (
        a is not None
        and a.selection.applied is b.selection.applied
        and a.start == b.start
        and (a.carry is b.carry or a.carry == b.carry)
    )


class _ReactionDue:
    """The reaction due instant of the fold, as :func:`row_of` computes it,
    worked out again only when the regime judging it changes."""

    def __init__(self, ticket: Ticket) -> None:
        self._pieces: tuple[Piece, ...] = ((ticket.created_at, None),)
        self._regime: Regime | None = None
        self._due: datetime | None = None

    def at(self, fold: ClockFold) -> datetime | None:
        if fold.hand_reaction is not None:
            return fold.hand_reaction.due
        regime = fold.regime if fold.reaction_regime is None else fold.reaction_regime
        if not _same_regime(self._regime, regime):
            judge = regime.selection.applied
            self._regime = regime
            self._due = (
                None if judge is None else due_instant(regime.spans(), self._pieces, judge.terms.reaction)
            )
        return self._due


class _ResolutionDue:
    """The resolution due instant of the fold, as :func:`row_of` computes it,
    in amortised constant time per instant: the working time of the closed
    counted stretches is summed as they close (on the judging regime's
    spans), so the deadline is the open stretch's start plus what remains —
    or, once the closed stretches hold the whole target, the instant inside
    them where it was reached, which nothing later moves. A change of the
    judging rule measures the stretches again, once."""

    def __init__(self) -> None:
        self._regime: Regime | None = None
        self._spans: tuple[Span, ...] = ()
        self._summed = 0
        self._total = timedelta(0)
        self._reached: datetime | None = None

    def at(self, fold: ClockFold, instant: datetime) -> datetime | None:
        if fold.hand_resolution is not None:
            return fold.hand_resolution.due
        regime = fold.regime if fold.resolution_regime is None else fold.resolution_regime
        judge = regime.selection.applied
        if judge is None:
            return None
        if not _same_regime(self._regime, regime):
            self._regime, self._spans = regime, regime.spans()
            self._summed, self._total, self._reached = 0, timedelta(0), None
        if self._reached is not None:
            return self._reached
        target = judge.terms.resolution
        spans, counted = self._spans, fold.counted
        while self._summed < len(counted):
            start, end = counted[self._summed]
            self._total += sum((part[3] for part in measured(spans, start, end)), timedelta(0))
            self._summed += 1
        if fold.kind is SegmentKind.COUNTED:
            open_start = fold.since
        elif fold.kind is SegmentKind.PAUSED:
            open_start = instant
        else:
            assert fold.resolved_at is not None
            open_start = fold.resolved_at
        if self._total > target:  # reached inside the closed stretches
            self._reached = due_instant(spans, [*counted, (open_start, None)], target)
            return self._reached
        last_start, _, calendar = spans[-1]
        if open_start >= last_start:  # the open stretch lies in the last span alone
            return calendar.add(open_start, target - self._total)
        return due_instant(spans, [*counted, (open_start, None)], target)


__all__ = ["DueMove", "SkippedPeriod", "SlaTimeline", "TargetUsed", "TimelineSegment", "explain"]
