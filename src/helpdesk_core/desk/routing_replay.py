"""A backtest of a routing change: the stored tickets routed again under the
table in force (or a proposed one), and who would own them.

Each ticket registered in the range is routed again on its facts as
registered (its initial type and priority, its parties as stored now) at its
registration instant — the instant the table's time conditions and the
members' working hours are tested at. Its owner *then* is the assignee of the
decision its registration recorded, else the owner it was given at
registration (by hand or by an import). Two things cannot be rebuilt and are
said in every answer:

- **load** is today's: each member's tickets counting toward load now, not
  at each registration (a replay does not move it as it assigns);
- **round robin** is simulated: every group's cursor starts from no cursor
  and moves ticket by ticket, in registration order.

The tickets are streamed (``iter_tickets``); memory holds the counts and the
first ``limit`` changed tickets (:class:`~helpdesk_core.routing.replay.ReplayTally`),
never the tickets themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final, Generic, TypeVar

import attrs

from helpdesk_core.config import Configuration, load_configuration
from helpdesk_core.desk.routing_explain import decision_of
from helpdesk_core.desk.routing_sources import RoutingSources, staff_in, ticket_routing_facts
from helpdesk_core.errors import ValidationError
from helpdesk_core.model.assets import ServiceObject
from helpdesk_core.model.parties import Company, Contact, CustomerGroup
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.routing.explanation import first_owner
from helpdesk_core.routing.replay import DEFAULT_LIMIT, ReplayTally, RoutingReplay
from helpdesk_core.routing.router import route
from helpdesk_core.storage.protocols import Reader, Stored, StoreSettingsReader, TicketReader

T = TypeVar("T")

REMEMBERED: Final = 10_000
"""How many parties of each kind a replay keeps decoded between tickets
(forgotten all at once beyond it, so memory stays bounded)."""


def replay_routing(
    sources: RoutingSources,
    config: Configuration,
    *,
    proposed: Configuration | None = None,
    registered_from: datetime | None = None,
    registered_before: datetime | None = None,
    limit: int = DEFAULT_LIMIT,
) -> RoutingReplay:
    """Route again each stored ticket registered at or after
    ``registered_from`` and before ``registered_before`` under ``config``'s
    routing policy — or ``proposed``'s, when given: only its ``[routing]``
    section is used, with ``config``'s calendars (and ``proposed``'s for the
    names ``config`` lacks), workflow and staff — and count who would own
    them. Nothing is stored."""
    if limit < 0:
        raise ValidationError(f"limit: expected 0 or more, got {limit}")
    if registered_from is not None and registered_before is not None and registered_before <= registered_from:
        raise ValidationError(
            f"the range is empty: it ends ({registered_before.isoformat()}) "
            f"at or before it begins ({registered_from.isoformat()})"
        )
    routed = config if proposed is None else _with_routing_of(config, proposed)
    policy = routed.routing
    sources = _Remembering.of(sources)
    staff = attrs.evolve(staff_in(sources, routed), cursors={})
    cursors: dict[str, str] = {}
    tally = ReplayTally(limit=limit)
    after = None if registered_from is None else (registered_from, "")
    for stored in sources.tickets.iter_tickets(after=after):
        ticket = stored.value
        if registered_before is not None and ticket.created_at >= registered_before:
            break
        decision = route(
            ticket_routing_facts(sources, routed, ticket),
            ticket.created_at,
            table=policy.table,
            settings=policy.settings,
            staff=staff,
        )
        if decision.cursor is not None:
            group, member = decision.cursor
            cursors[group] = member
            staff = attrs.evolve(staff, cursors=cursors)
        recorded = decision_of(ticket)
        then = first_owner(ticket) if recorded is None else recorded.assignee
        tally.add(ticket, owner_then=then, routed_then=recorded is not None, now=decision)
    return tally.replay(
        source=routed.source if proposed is None else proposed.source,
        fingerprint=policy.fingerprint,
        registered_from=registered_from,
        registered_before=registered_before,
    )


def replay_in_range(
    sources: RoutingSources,
    config: Configuration,
    *,
    proposed_path: Path | str | None = None,
    first: date | datetime | None = None,
    last: date | datetime | None = None,
    limit: int = DEFAULT_LIMIT,
) -> RoutingReplay:
    """:func:`replay_routing` over the tickets registered from ``first`` to
    ``last``, both included — a day is a whole day of the desk's home zone
    (``config.home_zone``), an instant is that instant — under the routing
    policy of the ``helpdesk.toml`` at ``proposed_path`` (a mistake in it is a
    :class:`~helpdesk_core.errors.ConfigError` naming the file and the place),
    else ``config``'s."""
    zone = config.home_zone
    start = first if first is None or isinstance(first, datetime) else datetime.combine(first, time(), zone)
    if last is None or isinstance(last, datetime):
        before = None if last is None else last + timedelta(microseconds=1)
    else:
        before = datetime.combine(last + timedelta(days=1), time(), zone)
    proposed = None if proposed_path is None else load_configuration(proposed_path)
    return replay_routing(
        sources, config, proposed=proposed, registered_from=start, registered_before=before, limit=limit
    )


def _with_routing_of(config: Configuration, proposed: Configuration) -> Configuration:
    """``config`` with ``proposed``'s routing policy and the calendars that
    policy's time conditions may name."""
    calendars = {**proposed.calendars, **config.calendars}
    return attrs.evolve(config, routing=proposed.routing, calendars=calendars)


class _Remembered(Generic[T]):
    """A reader that keeps what it found: the tickets of a replay ask for
    the same companies and contacts over and over."""

    def __init__(self, reader: Reader[T]) -> None:
        self._reader = reader
        self._found: dict[str, Stored[T] | None] = {}

    def _remember(self, found: dict[str, Stored[T] | None]) -> None:
        if len(self._found) + len(found) > REMEMBERED:
            self._found.clear()
        self._found.update(found)

    def find(self, id: str) -> Stored[T] | None:
        if id not in self._found:
            self._remember({id: self._reader.find(id)})
        return self._found[id]

    def find_many(self, ids: Iterable[str]) -> dict[str, Stored[T]]:
        wanted = set(ids)
        missing = wanted - self._found.keys()
        if missing:
            found = self._reader.find_many(missing)
            self._remember({id: found.get(id) for id in missing})
            if not wanted <= self._found.keys():  # forgotten meanwhile: read them all at once
                return self._reader.find_many(wanted)
        return {id: stored for id in wanted if (stored := self._found[id]) is not None}

    def get(self, id: str) -> Stored[T]:
        return self._reader.get(id)

    def count(self) -> int:
        return self._reader.count()

    def get_by_external_id(self, external_id: str) -> Stored[T] | None:
        return self._reader.get_by_external_id(external_id)

    def find_many_by_external_id(self, external_ids: Iterable[str]) -> dict[str, Stored[T]]:
        return self._reader.find_many_by_external_id(external_ids)

    def iter(self, *, after: str | None = None, batch_size: int = 1000) -> Iterator[Stored[T]]:
        return self._reader.iter(after=after, batch_size=batch_size)


@attrs.frozen
class _Remembering:
    """``sources`` whose parties are remembered (:class:`_Remembered`)."""

    tickets: TicketReader
    companies: Reader[Company]
    contacts: Reader[Contact]
    customer_groups: Reader[CustomerGroup]
    service_objects: Reader[ServiceObject]
    employees: Reader[Employee]
    employee_groups: Reader[EmployeeGroup]
    settings: StoreSettingsReader

    @classmethod
    def of(cls, sources: RoutingSources) -> _Remembering:
        return cls(
            sources.tickets,
            _Remembered(sources.companies),
            _Remembered(sources.contacts),
            _Remembered(sources.customer_groups),
            _Remembered(sources.service_objects),
            sources.employees,
            sources.employee_groups,
            sources.settings,
        )


__all__ = ["replay_in_range", "replay_routing"]
