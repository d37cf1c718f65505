"""Ticket histories of the sample desk: what a service desk's tickets look
like after a few months — reactions, assignments, postpones and their returns,
priority and type changes, deadlines and rules set by hand, resolutions,
customer replies that reopen, auto-closes — some breached, most not.

Every status move is checked against the transition graph while the history is
written, so a sample history always passes
:func:`helpdesk_core.workflow.check_history`. Ticket ``n`` of seed ``s`` is the
same whatever the number of tickets asked for. Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.parties import Company, Contact
from helpdesk_core.model.ticket import (
    SYSTEM,
    Assignee,
    Assignment,
    Comment,
    Event,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)
from helpdesk_core.sample.customers import SLOVAK, SampleCustomers
from helpdesk_core.workflow import DEFAULT_GRAPH, TransitionGraph

TYPES = (("incident", 45), ("request", 30), ("question", 20), ("maintenance", 5))
"""Ticket types and their weights (percent)."""
PRIORITIES = (("low", 15), ("normal", 55), ("high", 22), ("critical", 8))
"""Priorities and their weights (percent)."""
CHANNELS = ("email", "phone", "web", "portal")

_REACTION_MEDIAN = {"critical": 8.0, "high": 15.0, "normal": 40.0, "low": 60.0}
"""Median minutes of staff time before the first reaction."""
_RESOLUTION_MEDIAN = {"critical": 120.0, "high": 200.0, "normal": 480.0, "low": 720.0}
"""Median minutes of staff time from the reaction to the resolution."""
_SUBJECTS = {
    "incident": ("Boiler stopped", "Printer offline", "No network in the office", "Card terminal down",
                 "Water leak in the server room", "Lift stuck"),
    "request": ("New user account", "Replace a toner", "Move a desk phone", "Access card for a visitor"),
    "question": ("How do I reset my password?", "Where is the invoice?", "Opening hours at Easter?"),
    "maintenance": ("Quarterly boiler check", "Air-conditioning filter change"),
}
_PRAGUE = ZoneInfo("Europe/Prague")
_BRATISLAVA = ZoneInfo("Europe/Bratislava")
_OFFICE_OPENS = 8
_OFFICE_CLOSES = 17
"""Staff (other than for critical tickets) act between these local hours, Monday to Friday."""


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in table], [w for _, w in table])[0]


def _minutes(rng: random.Random, median: float, spread: float = 1.0) -> timedelta:
    """A log-normal delay in minutes around ``median``: mostly near it, a long tail."""
    return timedelta(minutes=median * math.exp(rng.gauss(0.0, spread)))


class _History:
    """Events written in order; every status move is checked against the graph.

    Instants are computed in UTC (real elapsed time, whatever DST does) and
    stamped on the events in the customer's zone."""

    def __init__(self, ticket_id: str, created: datetime, graph: TransitionGraph, zone: ZoneInfo,
                 around_the_clock: bool) -> None:
        self.id = ticket_id
        self.graph = graph
        self.zone = zone
        self.around_the_clock = around_the_clock
        self.status = graph.initial
        self.now = created
        self.events: list[Event] = []

    def stamp(self, instant: datetime | None = None) -> datetime:
        """``instant`` (default: now) as the customer's local time, as events
        carry it, floored to the second (flooring keeps the order)."""
        return (self.now if instant is None else instant).astimezone(self.zone).replace(microsecond=0)

    def at_work(self, instant: datetime, rng: random.Random) -> datetime:
        """``instant``, or the next office morning when staff are not at work then."""
        if self.around_the_clock:
            return instant
        local = instant.astimezone(self.zone)
        if local.weekday() < 5 and _OFFICE_OPENS <= local.hour < _OFFICE_CLOSES:
            return instant
        day = local.date() if local.hour < _OFFICE_OPENS else local.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        opening = datetime(day.year, day.month, day.day, _OFFICE_OPENS, tzinfo=self.zone).astimezone(UTC)
        return opening + timedelta(minutes=rng.randint(0, 90))

    def later(self, delay: timedelta, rng: random.Random, *, staff: bool = True) -> datetime:
        instant = self.now + delay
        self.now = self.at_work(instant, rng) if staff else instant
        return self.now

    def move(self, to: str, by: str, *, until: datetime | None = None) -> None:
        if not self.graph.allows(self.status, to):
            raise ValidationError(
                f"sample ticket {self.id}: {self.graph.refusal(self.status, to)} "
                "(the sample histories need the default workflow's statuses)"
            )
        local_until = None if until is None else self.stamp(until)
        self.events.append(StatusChange(at=self.stamp(), to=to, until=local_until, by=by))
        self.status = to

    def add(self, event: Event) -> None:
        self.events.append(event)


def _created(rng: random.Random, end: datetime, days: int, zone: ZoneInfo) -> datetime:
    """An instant in the ``days`` before ``end``: mostly weekdays in office hours."""
    start = end.astimezone(UTC) - timedelta(days=days)
    while True:
        instant = start + timedelta(seconds=rng.uniform(0, days * 86400))
        local = instant.astimezone(zone)
        weekend = local.weekday() >= 5
        office = 7 <= local.hour < 18
        if (not weekend and office) or rng.random() < 0.12:
            return instant.replace(microsecond=0, second=0)


def _registration(
    seed: int, draw: int, customers: SampleCustomers, end: datetime, days: int
) -> tuple[random.Random, Company, Contact | None, ZoneInfo, datetime]:
    """The first choices of draw ``draw``: the random stream (to go on with),
    the customer, the zone and the registration instant."""
    rng = random.Random(f"ticket/{seed}/{draw}")
    company = rng.choice(customers.companies)
    contacts = customers.contacts_of(company.id)
    contact = rng.choice(contacts) if contacts else None
    zone = _BRATISLAVA if SLOVAK in company.customer_groups else _PRAGUE
    return rng, company, contact, zone, _created(rng, end, days, zone)


def sample_ticket(
    seed: int,
    number: int,
    *,
    customers: SampleCustomers,
    end: datetime,
    days: int = 120,
    graph: TransitionGraph = DEFAULT_GRAPH,
    draw: int | None = None,
) -> Ticket:
    """Ticket ``T-<number>`` of seed ``seed``: registered in the ``days`` before
    ``end`` (aware), its history cut at ``end``. Its random choices are those
    of draw ``draw`` (default: ``number``). The same arguments give the same
    ticket."""
    require_aware(end, "end")
    rng, company, contact, zone, created = _registration(
        seed, number if draw is None else draw, customers, end, days
    )
    type_ = _weighted(rng, TYPES)
    priority = _weighted(rng, PRIORITIES)
    staff = [e.id for e in customers.staff]
    worker = rng.choice(staff)
    initial: Assignee | None = None
    if rng.random() < 0.45:
        initial = Assignee(id=worker)
    elif rng.random() < 0.3:
        initial = Assignee(id=rng.choice(customers.groups).id, group=True)
    history = _History(f"T-{number}", created, graph, zone, around_the_clock=priority == "critical")
    contact_id = None if contact is None else contact.id

    if (initial is None and rng.random() < 0.85) or (initial is not None and initial.group):
        history.later(_minutes(rng, 5), rng)
        history.add(Assignment(at=history.stamp(), to=worker, by="E-1"))

    history.later(_minutes(rng, _REACTION_MEDIAN[priority], 0.75), rng)
    if rng.random() < 0.65:
        history.add(Comment(at=history.stamp(), author="employee", public=True, by=worker,
                            body="Thank you, we are looking into it."))
        if rng.random() < 0.7:
            history.later(_minutes(rng, 30), rng)
            history.move("in_progress", worker)
    else:
        history.move("in_progress", worker)

    if rng.random() < 0.10:
        history.later(_minutes(rng, 30), rng)
        others = [p for p, _ in PRIORITIES if p != priority]
        history.add(PriorityChange(at=history.stamp(), to=rng.choice(others), by=worker))
    if rng.random() < 0.03:
        history.later(_minutes(rng, 60), rng)
        other_type = rng.choice([t for t, _ in TYPES if t != type_])
        history.add(TypeChange(at=history.stamp(), to=other_type, by=worker))
    if rng.random() < 0.04:
        history.later(_minutes(rng, 30), rng)
        due = history.stamp(created + timedelta(hours=rng.choice((8, 24, 72))))
        history.add(SlaOverride(at=history.stamp(), resolution_due=due, by="E-1"))
    if rng.random() < 0.01:
        history.later(_minutes(rng, 30), rng)
        history.add(SlaOverride(at=history.stamp(), rule="Gold support", by="E-1"))
    if rng.random() < 0.3:
        history.later(_minutes(rng, 30), rng)
        history.add(Comment(at=history.stamp(), author="employee", public=False, by=worker,
                            body="Checked the logs; waiting for the part."))
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        history.later(_minutes(rng, 45), rng, staff=False)
        history.add(Comment(at=history.stamp(), author="contact", public=True, by=contact_id,
                            body="Any news, please?"))

    if rng.random() < 0.15:
        history.later(_minutes(rng, 60), rng)
        until = history.now + timedelta(hours=rng.choice((4, 20, 44, 68, 92)))
        history.move("postponed", worker, until=until)
        if rng.random() < 0.7:
            history.now = until
            history.move(graph.initial, SYSTEM)
        else:
            history.now = history.now + (until - history.now) * rng.random()
            history.now = history.at_work(history.now, rng)
            history.now = min(history.now, until)
            history.move("in_progress", worker)

    if rng.random() < 0.04:
        return _ticket(history, created, type_, priority, company.id, contact_id, initial, rng, end)
    history.later(_minutes(rng, _RESOLUTION_MEDIAN[priority], 0.9), rng)
    history.move("resolved", worker)

    if rng.random() < 0.08:
        history.later(timedelta(hours=rng.uniform(1, 40)), rng, staff=False)
        history.add(Comment(at=history.stamp(), author="contact", public=True, by=contact_id,
                            body="It is broken again."))
        history.move(graph.initial, SYSTEM)
        history.later(_minutes(rng, _REACTION_MEDIAN[priority]), rng)
        history.move("in_progress", worker)
        history.later(_minutes(rng, _RESOLUTION_MEDIAN[priority] / 2), rng)
        history.move("resolved", worker)

    if rng.random() < 0.1:
        history.later(_minutes(rng, 240), rng)
        history.move("closed", worker)
    else:
        history.now = history.now + timedelta(hours=48)
        history.move("closed", SYSTEM)
    return _ticket(history, created, type_, priority, company.id, contact_id, initial, rng, end)


def _ticket(
    history: _History,
    created: datetime,
    type_: str,
    priority: str,
    company: str,
    contact: str | None,
    initial: Assignee | None,
    rng: random.Random,
    end: datetime,
) -> Ticket:
    events = [e for e in history.events if e.at <= end]
    return Ticket.register(
        id=history.id,
        subject=rng.choice(_SUBJECTS[type_]),
        created_at=history.stamp(created),
        type=type_,
        priority=priority,
        assignee=initial,
        channel=rng.choice(CHANNELS),
        company=company,
        contact=contact,
        events=events,
    )


LATEST_END = datetime(9998, 1, 1, tzinfo=UTC)
"""The latest end of the sample histories: a history runs on past its end
(and is cut there) by weeks at most, and instants stop at the year 9999."""
EARLIEST_START = datetime(2, 1, 1, tzinfo=UTC)
"""The earliest registration of a sample ticket (instants start at the year 1)."""


def check_period(end: datetime, days: int) -> None:
    """Refuse a sample period that instants cannot hold: ``end`` (aware) after
    :data:`LATEST_END`, or ``days`` < 1 or reaching before :data:`EARLIEST_START`."""
    require_aware(end, "end")
    if end > LATEST_END:
        raise ValidationError(f"end: {end.isoformat()} is after {LATEST_END.date().isoformat()}")
    if days < 1:
        raise ValidationError(f"days: expected at least 1 day, got {days}")
    most = (end - EARLIEST_START).days
    if days > most:
        raise ValidationError(
            f"days: {days} days before {end.isoformat()} reach before the year 2; at most {most}"
        )


def sample_tickets(
    seed: int,
    count: int,
    *,
    customers: SampleCustomers,
    end: datetime,
    days: int = 120,
    first: int = 1,
    graph: TransitionGraph = DEFAULT_GRAPH,
) -> Iterator[Ticket]:
    """Tickets ``T-<first>`` … ``T-<first + count - 1>``, one at a time (see
    :func:`sample_ticket`), numbered in the order they were registered, as a
    help desk numbers them (so a store fills in registration order, as a real
    one does). Draws ``first`` … ``first + count - 1`` are made first (their
    registration instants only: ≈ 10 µs and a few dozen bytes each), sorted,
    and the n-th registered becomes ``T-<first + n>``.

    The arguments are checked when this is called, before the first ticket is
    asked for (:func:`check_period`), so a caller can refuse them before it
    stores anything."""
    if count < 0:
        raise ValidationError(f"sample_tickets.count: expected a number of tickets >= 0, got {count!r}")
    check_period(end, days)
    return _sample_tickets(seed, count, customers=customers, end=end, days=days, first=first, graph=graph)


def _sample_tickets(
    seed: int,
    count: int,
    *,
    customers: SampleCustomers,
    end: datetime,
    days: int,
    first: int,
    graph: TransitionGraph,
) -> Iterator[Ticket]:
    draws = range(first, first + count)
    registered = array("q", (
        int(_registration(seed, draw, customers, end, days)[4].timestamp()) for draw in draws
    ))
    order = sorted(draws, key=lambda draw: registered[draw - first] * count + draw - first)
    for number, draw in enumerate(order, start=first):
        yield sample_ticket(seed, number, customers=customers, end=end, days=days, graph=graph, draw=draw)


__all__ = [
    "CHANNELS",
    "EARLIEST_START",
    "LATEST_END",
    "PRIORITIES",
    "TYPES",
    "check_period",
    "sample_ticket",
    "sample_tickets",
]
