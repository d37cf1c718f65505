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
first ``limit`` changed tickets, never the tickets themselves.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final

import attrs

from helpdesk_core.config import Configuration, load_configuration
from helpdesk_core.desk.routing_explain import first_owner, who
from helpdesk_core.desk.routing_sources import RoutingSources, staff_in, ticket_routing_facts
from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import aware
from helpdesk_core.model.ticket import Assignee
from helpdesk_core.routing.decision import Link
from helpdesk_core.routing.recorded import recorded_decision
from helpdesk_core.routing.router import route

DEFAULT_LIMIT: Final = 20
"""How many changed tickets a replay lists by default."""

LOAD_WORDS: Final = (
    "load is today's (each member's tickets counting toward load now, not at each registration); "
    "round robin is simulated from no cursor, in registration order"
)


@attrs.frozen(kw_only=True)
class ReplayedTicket:
    """One ticket whose owner would change: its owner then and now, and what
    decides now (``decided_by``, and the rule that matched, if any)."""

    ticket: str
    registered_at: datetime
    owner_then: Assignee | None
    owner_now: Assignee | None
    decided_by: Link
    rule: str | None = None
    routed_then: bool = False
    """Whether the owner then came from a recorded routing decision."""


@attrs.frozen(kw_only=True)
class OwnerMove:
    """How many tickets would pass from ``owner_then`` to ``owner_now``."""

    owner_then: Assignee | None
    owner_now: Assignee | None
    tickets: int


@attrs.frozen(kw_only=True)
class DecidedBy:
    """How many tickets a rule or an owner-chain link decides now, and how
    many of them change owner (``rule`` names the matching rule, also when
    its assignee was refused and the chain answered)."""

    decided_by: Link
    rule: str | None
    tickets: int
    changed: int

    @property
    def label(self) -> str:
        """``rule 'Outages'`` or ``owner chain: company`` (``, after rule 'X'``)."""
        if self.decided_by is Link.RULE:
            return f"rule {self.rule!r}"
        after = "" if self.rule is None else f" (rule {self.rule!r} matched, its assignee refused)"
        if self.decided_by is Link.NOBODY:
            return f"nobody: every link of the owner chain was empty or refused{after}"
        return f"owner chain: {self.decided_by.value}{after}"


@attrs.frozen(kw_only=True)
class RoutingReplay:
    """What a replay found: ``examined`` tickets, of which ``unchanged`` keep
    their owner and ``changed`` would get another one; ``moves`` (owner then →
    owner now, most tickets first), ``deciders`` (what decides now, most
    tickets first) and the first ``limit`` ``changed_tickets`` in
    registration order. ``routed_then`` counts the tickets whose owner then
    came from a recorded routing decision. ``fingerprint`` is the replayed
    configuration's, ``source`` the file it comes from."""

    source: str
    fingerprint: str | None
    registered_from: datetime | None = attrs.field(default=None, validator=aware)
    registered_before: datetime | None = attrs.field(default=None, validator=aware)
    examined: int = 0
    unchanged: int = 0
    changed: int = 0
    routed_then: int = 0
    moves: tuple[OwnerMove, ...] = ()
    deciders: tuple[DecidedBy, ...] = ()
    changed_tickets: tuple[ReplayedTicket, ...] = ()
    limit: int = DEFAULT_LIMIT
    load: str = LOAD_WORDS

    def lines(self) -> tuple[str, ...]:
        """The replay in words, one line each, for ``routing replay``."""
        since = "the first" if self.registered_from is None else self.registered_from.isoformat()
        before = self.registered_before
        until = "the last" if before is None else f"before {before.isoformat()}"
        lines = [
            f"routing replay under {self.source} ({self.fingerprint}), tickets registered from "
            f"{since} to {until}",
            f"note: {self.load}",
            f"examined {self.examined} tickets ({self.routed_then} routed at registration, "
            f"{self.examined - self.routed_then} not): {self.unchanged} keep their owner, "
            f"{self.changed} would change owner",
        ]
        if self.moves:
            lines.append("moves (owner then -> owner now):")
            width = len(str(self.moves[0].tickets))
            lines.extend(
                f"  {move.tickets:>{width}}  {who(move.owner_then)} -> {who(move.owner_now)}"
                for move in self.moves
            )
        if self.deciders:
            lines.append("decided now by:")
            width = len(str(self.deciders[0].tickets))
            lines.extend(
                f"  {d.tickets:>{width}}  {d.label} ({d.changed} change owner)" for d in self.deciders
            )
        if self.changed_tickets:
            shown = len(self.changed_tickets)
            more = "" if shown == self.changed else f" (the first {shown} of {self.changed})"
            lines.append(f"tickets that would change owner{more}:")
            for item in self.changed_tickets:
                why = f"rule {item.rule!r}" if item.decided_by is Link.RULE else item.decided_by.value
                lines.append(
                    f"  {item.ticket}  {item.registered_at.isoformat()}  "
                    f"{who(item.owner_then)} -> {who(item.owner_now)}  ({why})"
                )
        return tuple(lines)


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
    staff = staff_in(sources, routed)
    staff = attrs.evolve(staff, cursors={})
    cursors: dict[str, str] = {}
    moves: Counter[tuple[Assignee | None, Assignee | None]] = Counter()
    decided: Counter[tuple[Link, str | None]] = Counter()
    decided_changed: Counter[tuple[Link, str | None]] = Counter()
    listed: list[ReplayedTicket] = []
    examined = unchanged = routed_then = 0
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
        recorded = recorded_decision(ticket)
        then = first_owner(ticket) if recorded is None else recorded.assignee
        examined += 1
        routed_then += recorded is not None
        key = (decision.decided_by, decision.rule)
        decided[key] += 1
        if decision.assignee == then:
            unchanged += 1
            continue
        moves[(then, decision.assignee)] += 1
        decided_changed[key] += 1
        if len(listed) < limit:
            listed.append(
                ReplayedTicket(
                    ticket=ticket.id,
                    registered_at=ticket.created_at,
                    owner_then=then,
                    owner_now=decision.assignee,
                    decided_by=decision.decided_by,
                    rule=decision.rule,
                    routed_then=recorded is not None,
                )
            )
    return RoutingReplay(
        source=routed.source if proposed is None else proposed.source,
        fingerprint=policy.fingerprint,
        registered_from=registered_from,
        registered_before=registered_before,
        examined=examined,
        unchanged=unchanged,
        changed=examined - unchanged,
        routed_then=routed_then,
        moves=tuple(
            OwnerMove(owner_then=then, owner_now=now, tickets=count)
            for (then, now), count in sorted(moves.items(), key=lambda item: (-item[1], _move_key(item[0])))
        ),
        deciders=tuple(
            DecidedBy(decided_by=link, rule=rule, tickets=count, changed=decided_changed[(link, rule)])
            for (link, rule), count in sorted(
                decided.items(), key=lambda item: (-item[1], item[0][0].value, item[0][1] or "")
            )
        ),
        changed_tickets=tuple(listed),
        limit=limit,
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


def _move_key(move: tuple[Assignee | None, Assignee | None]) -> tuple[str, str]:
    return (who(move[0]), who(move[1]))


__all__ = [
    "DEFAULT_LIMIT",
    "LOAD_WORDS",
    "DecidedBy",
    "OwnerMove",
    "ReplayedTicket",
    "RoutingReplay",
    "replay_in_range",
    "replay_routing",
]
