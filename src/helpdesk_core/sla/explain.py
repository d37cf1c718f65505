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
    KnowsStatuses,
    Piece,
    Replay,
    SegmentKind,
    Span,
    measured,
    replay,
    row_of,
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
class SlaTimeline:
    """The explanation of one :class:`SlaRow`.

    ``elapsed`` is the working time the resolution clock has counted (up to
    ``as_of``, or to the resolution): exactly the sum of ``working`` over the
    ``counted`` segments. Targets are working time on the rule's calendar.
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
        if self.calendar is not None and self.resolution_target is not None:
            reaction = format_duration(self.reaction_target or timedelta(0))
            resolution = format_duration(self.resolution_target)
            out.append(
                f"calendar {self.calendar}: reaction {reaction}, resolution {resolution} "
                "of working time"
            )
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
        target = (
            "" if self.resolution_target is None
            else f" of {format_duration(self.resolution_target)}"
        )
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

    Slower than :func:`~helpdesk_core.sla.clock.evaluate` (it replays the
    history once per event to show how deadlines moved): for one ticket at a
    time, not for batch reports.
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
    return SlaTimeline(
        row=row,
        rule_lines=tuple(rule_lines),
        calendar=None if rule is None else rule.terms.calendar,
        reaction_target=None if rule is None else rule.terms.reaction,
        resolution_target=None if rule is None else rule.terms.resolution,
        segments=segments,
        skipped=_skipped(trace, spans, row),
        moves=_moves(ticket, policy, graph, as_of, customer, row),
        elapsed=elapsed,
    )


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
    """Replays the history up to each event to see how the due instants moved."""
    moves: list[DueMove] = []
    instants = [ticket.created_at]
    reasons = ["registered"]
    for event in ticket.events:
        if event.at > as_of:
            break
        if event.at == instants[-1]:
            reasons[-1] = f"{reasons[-1]}; {_event_words(event)}"
        else:
            instants.append(event.at)
            reasons.append(_event_words(event))
    reaction: datetime | None = None
    resolution: datetime | None = None
    for instant, reason in zip(instants, reasons, strict=True):
        row = row_of(
            replay(ticket, policy=policy, graph=graph, as_of=instant, customer=customer),
            at_risk_share=policy.at_risk_share,
        )
        if row.reaction_due != reaction:
            moves.append(DueMove(instant, "reaction", reaction, row.reaction_due, reason))
            reaction = row.reaction_due
        if row.resolution_due != resolution:
            moves.append(DueMove(instant, "resolution", resolution, row.resolution_due, reason))
            resolution = row.resolution_due
    if final.resolution_due != resolution:
        moves.append(
            DueMove(as_of, "resolution", resolution, final.resolution_due, "the pause goes on")
        )
    return tuple(moves)


__all__ = ["DueMove", "SkippedPeriod", "SlaTimeline", "TimelineSegment", "explain"]
