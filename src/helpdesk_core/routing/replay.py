"""A backtest of a routing change, as a value: how many tickets a replay
examined, how many would keep or change their owner, the moves owner then →
owner now, what decides now, and the first changed tickets. The desk streams
the stored tickets and routes them (``helpdesk_core.desk.routing_replay``);
:class:`ReplayTally` counts, keeping memory flat.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Final

import attrs

from helpdesk_core.model.checks import aware
from helpdesk_core.model.ticket import Assignee, Ticket
from helpdesk_core.routing.decision import Link, RoutingDecision
from helpdesk_core.routing.explanation import who

DEFAULT_LIMIT: Final = 20
"""How many changed tickets a replay lists by default."""

TOP_MOVES: Final = 10
"""How many moves (owner then → owner now) the words list, most tickets first
(the value and its JSON hold them all)."""

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
            top = self.moves[:TOP_MOVES]
            more = "" if len(top) == len(self.moves) else f", the top {len(top)} of {len(self.moves)}"
            lines.append(f"moves (owner then -> owner now{more}):")
            width = len(str(self.moves[0].tickets))
            lines.extend(
                f"  {move.tickets:>{width}}  {who(move.owner_then)} -> {who(move.owner_now)}"
                for move in top
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



@attrs.define
class ReplayTally:
    """Counts a replay ticket by ticket (:meth:`add`), keeping only the
    counts and the first ``limit`` changed tickets."""

    limit: int = DEFAULT_LIMIT
    examined: int = 0
    unchanged: int = 0
    routed_then: int = 0
    moves: Counter[tuple[Assignee | None, Assignee | None]] = attrs.field(factory=Counter)
    decided: Counter[tuple[Link, str | None]] = attrs.field(factory=Counter)
    decided_changed: Counter[tuple[Link, str | None]] = attrs.field(factory=Counter)
    listed: list[ReplayedTicket] = attrs.field(factory=list)

    def add(
        self, ticket: Ticket, *, owner_then: Assignee | None, routed_then: bool, now: RoutingDecision
    ) -> None:
        """Count ``ticket``, owned by ``owner_then`` at registration (by a
        recorded routing decision when ``routed_then``), routed ``now``."""
        self.examined += 1
        self.routed_then += routed_then
        key = (now.decided_by, now.rule)
        self.decided[key] += 1
        if now.assignee == owner_then:
            self.unchanged += 1
            return
        self.moves[(owner_then, now.assignee)] += 1
        self.decided_changed[key] += 1
        if len(self.listed) < self.limit:
            self.listed.append(
                ReplayedTicket(
                    ticket=ticket.id,
                    registered_at=ticket.created_at,
                    owner_then=owner_then,
                    owner_now=now.assignee,
                    decided_by=now.decided_by,
                    rule=now.rule,
                    routed_then=routed_then,
                )
            )

    def replay(
        self,
        *,
        source: str,
        fingerprint: str | None,
        registered_from: datetime | None,
        registered_before: datetime | None,
    ) -> RoutingReplay:
        """The replay counted so far."""
        return RoutingReplay(
            source=source,
            fingerprint=fingerprint,
            registered_from=registered_from,
            registered_before=registered_before,
            examined=self.examined,
            unchanged=self.unchanged,
            changed=self.examined - self.unchanged,
            routed_then=self.routed_then,
            moves=tuple(
                OwnerMove(owner_then=then, owner_now=now, tickets=count)
                for (then, now), count in sorted(
                    self.moves.items(), key=lambda item: (-item[1], who(item[0][0]), who(item[0][1]))
                )
            ),
            deciders=tuple(
                DecidedBy(
                    decided_by=link, rule=rule, tickets=count, changed=self.decided_changed[(link, rule)]
                )
                for (link, rule), count in sorted(
                    self.decided.items(), key=lambda item: (-item[1], item[0][0].value, item[0][1] or "")
                )
            ),
            changed_tickets=tuple(self.listed),
            limit=self.limit,
        )


__all__ = [
    "DEFAULT_LIMIT",
    "LOAD_WORDS",
    "TOP_MOVES",
    "DecidedBy",
    "OwnerMove",
    "ReplayTally",
    "ReplayedTicket",
    "RoutingReplay",
]
