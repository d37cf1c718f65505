"""The operational dashboard: what needs attention now, and the flow of work.

As of an instant (events after it are ignored):

* **open** — tickets not resolved or closed (postponed ones included);
* **overdue** — open tickets whose SLA is breached (a reaction or the
  resolution is late);
* **in progress** — open tickets being worked on: moved out of the initial
  status and not waiting (not postponed, not waiting for the customer);
* **due today** — open tickets not yet overdue whose pending deadline (the
  resolution, or the reaction while none came) falls between ``as_of`` and the
  end of its local day;
* **without responsible** — open tickets nobody is responsible for;
* **created / resolved per day** — tickets registered, and resolutions (moves
  from an unresolved into a resolved or closed status; a reopened ticket
  resolved again counts again), per local day of ``zone``.

Streamed: one ticket at a time, counts only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.ticket import StatusChange, Ticket
from helpdesk_core.reports.as_of import ticket_as_of
from helpdesk_core.sla import SlaPolicy, SlaRow, SlaState, evaluate
from helpdesk_core.sla.clock import KnowsStatuses
from helpdesk_core.workflow.statuses import StatusCategory

if TYPE_CHECKING:  # the batch report is not loaded for a dashboard
    from helpdesk_core.reports.sla_report import CustomerLookup


@attrs.frozen
class DayCount:
    """Tickets registered and resolutions on one local day."""

    day: date
    created: int
    resolved: int


@attrs.frozen(kw_only=True)
class Dashboard:
    """The dashboard's counts (tickets) as of ``as_of``; ``days`` from the
    first to the last day of the period, every day present."""

    as_of: datetime
    zone: str
    open: int
    overdue: int
    in_progress: int
    due_today: int
    without_responsible: int
    days: tuple[DayCount, ...]
    warnings: tuple[str, ...] = ()
    """What a reader should know about how the counts were made (e.g. the
    stored SLA states were stale and every ticket was folded); not part of
    the dashboard's JSON."""

    def counters(self) -> dict[str, int]:
        """The five counters by their names as the dashboard shows them."""
        return {
            "open": self.open,
            "overdue": self.overdue,
            "in progress": self.in_progress,
            "due today": self.due_today,
            "without responsible": self.without_responsible,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "zone": self.zone,
            "open": self.open,
            "overdue": self.overdue,
            "in_progress": self.in_progress,
            "due_today": self.due_today,
            "without_responsible": self.without_responsible,
            "days": [
                {"day": d.day.isoformat(), "created": d.created, "resolved": d.resolved} for d in self.days
            ],
        }


MAX_DAYS = 366
"""Days the created/resolved table covers at most: a year, leap day included.
It holds a row per day (and the chart a bar or a point per day): a period from
the year 1 took 3 minutes and 1.7 GB before it was refused."""


def check_period(first_day: date, last_day: date) -> int:
    """The number of days of the period ``first_day``..``last_day`` (both
    included); refuses an empty one or one longer than :data:`MAX_DAYS`."""
    if last_day < first_day:
        raise ValidationError(f"dashboard period: {last_day.isoformat()} is before {first_day.isoformat()}")
    days = (last_day - first_day).days + 1
    if days > MAX_DAYS:
        raise ValidationError(
            f"dashboard period {first_day.isoformat()}..{last_day.isoformat()} has {days:,} days; "
            f"a dashboard covers at most {MAX_DAYS} days (a year): choose a shorter period"
        )
    return days


def default_period(as_of: datetime, zone: ZoneInfo, days: int = 14) -> tuple[date, date]:
    """The ``days`` local days ending with the day of ``as_of`` (both included);
    an ``as_of`` at local midnight ends the day before, which is over, rather
    than a day of which nothing has happened yet."""
    local = as_of.astimezone(zone)
    last = local.date() - timedelta(days=1) if local.time() == time() else local.date()
    return last - timedelta(days=min(days - 1, (last - date.min).days)), last


class DashboardTally:
    """Adds tickets up as they stream past; :meth:`dashboard` gives the result."""

    def __init__(
        self,
        *,
        graph: KnowsStatuses,
        as_of: datetime,
        zone: ZoneInfo,
        first_day: date,
        last_day: date,
    ) -> None:
        require_aware(as_of, "as_of")
        self._days = check_period(first_day, last_day)
        self._graph = graph
        self._categories: dict[str, StatusCategory] = {}
        self.as_of = as_of
        self.zone = zone
        self.first_day = first_day
        self.last_day = last_day
        local = as_of.astimezone(zone)
        self._end_of_day = (
            datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=zone)
            if local.date() < date.max
            else datetime.max.replace(tzinfo=UTC)  # the last day the calendar has ends with time itself
        )
        self._created: dict[date, int] = {}
        self._resolved: dict[date, int] = {}
        self.open = self.overdue = self.in_progress = self.due_today = self.without_responsible = 0

    def _category(self, status: str) -> StatusCategory:
        category = self._categories.get(status)
        if category is None:
            category = self._categories[status] = self._graph.status(status).category
        return category

    def is_open(self, ticket: Ticket) -> bool:
        """Whether ``ticket`` is unresolved as of the dashboard's instant."""
        return not self._category(ticket_as_of(ticket, self.as_of).status).is_done

    @property
    def end_of_day(self) -> datetime:
        """The first instant after the local day of the dashboard's instant."""
        return self._end_of_day

    def add(self, ticket: Ticket, row: SlaRow | None) -> None:
        """Count ``ticket``; ``row`` is its SLA row as of the dashboard's
        instant (needed only for an open ticket; None: no SLA known)."""
        if self.add_days(ticket):
            self.add_open(ticket, row)

    def add_days(self, ticket: Ticket) -> bool:
        """Count ``ticket``'s registration and resolutions in the period's days;
        whether it is open as of the dashboard's instant (not registered yet:
        neither counted nor open)."""
        as_of = self.as_of
        if ticket.created_at > as_of:
            return False
        self._count_day(self._created, ticket.created_at)
        done = self._category(ticket.initial_status).is_done
        for event in ticket.events:
            if event.at > as_of:
                break
            if isinstance(event, StatusChange):
                now_done = self._category(event.to).is_done
                if now_done and not done:
                    self._count_day(self._resolved, event.at)
                done = now_done
        return not done

    def add_open(self, ticket: Ticket, row: SlaRow | None) -> None:
        """Count the open ``ticket`` in the counters (not in the days)."""
        facts = ticket_as_of(ticket, self.as_of)
        self.open += 1
        category = self._category(facts.status)
        if category is not StatusCategory.WAITING and facts.status != ticket.initial_status:
            self.in_progress += 1
        if facts.assignee is None:
            self.without_responsible += 1
        if row is not None:
            self.add_row(row)

    def add_row(self, row: SlaRow) -> None:
        """Count an open ticket's SLA ``row`` as of the dashboard's instant:
        overdue, or due today."""
        if row.state is SlaState.BREACHED:
            self.overdue += 1
            return
        pending = [row.resolution_due]
        if row.reacted_at is None:
            pending.append(row.reaction_due)
        if any(due is not None and self.as_of <= due < self._end_of_day for due in pending):
            self.due_today += 1

    def add_counted(
        self, *, open: int, overdue: int, in_progress: int, due_today: int, without_responsible: int
    ) -> None:
        """Add counters counted elsewhere (the stored SLA states' index) for
        tickets not passed to :meth:`add_open`."""
        self.open += open
        self.overdue += overdue
        self.in_progress += in_progress
        self.due_today += due_today
        self.without_responsible += without_responsible

    def _count_day(self, counts: dict[date, int], instant: datetime) -> None:
        day = instant.astimezone(self.zone).date()
        if self.first_day <= day <= self.last_day:
            counts[day] = counts.get(day, 0) + 1

    def dashboard(self) -> Dashboard:
        days = []
        for n in range(self._days):  # not day += 1 day: 9999-12-31 has no next day
            day = self.first_day + timedelta(days=n)
            days.append(DayCount(day, self._created.get(day, 0), self._resolved.get(day, 0)))
        return Dashboard(
            as_of=self.as_of,
            zone=self.zone.key,
            open=self.open,
            overdue=self.overdue,
            in_progress=self.in_progress,
            due_today=self.due_today,
            without_responsible=self.without_responsible,
            days=tuple(days),
        )


def dashboard(
    tickets: Iterable[Ticket],
    *,
    policy: SlaPolicy | None,
    graph: KnowsStatuses,
    as_of: datetime,
    zone: ZoneInfo,
    first_day: date | None = None,
    last_day: date | None = None,
    customers: CustomerLookup | None = None,
) -> Dashboard:
    """The dashboard over ``tickets`` as of ``as_of``; the period defaults to
    the 14 local days ending with the day of ``as_of``. Without a ``policy``
    nothing is overdue or due (only open tickets are evaluated)."""
    first, last = default_period(as_of, zone)
    tally = DashboardTally(
        graph=graph,
        as_of=as_of,
        zone=zone,
        first_day=first if first_day is None else first_day,
        last_day=last if last_day is None else last_day,
    )
    for ticket in tickets:
        row = None
        if policy is not None and ticket.created_at <= as_of and tally.is_open(ticket):
            customer = customers(ticket) if customers is not None else None
            row = evaluate(ticket, policy=policy, graph=graph, as_of=as_of, customer=customer)
        tally.add(ticket, row)
    return tally.dashboard()


__all__ = [
    "MAX_DAYS",
    "Dashboard",
    "DashboardTally",
    "DayCount",
    "check_period",
    "dashboard",
    "default_period",
]
