"""Checked status moves, and the check that a whole history could have happened.

:func:`transition` is the one checked way to append a status change made by
hand. :func:`replay` walks a stored history (imported, or written by another
program) and refuses what the workflow could not have produced, naming the
ticket, the event index and the move.

Moves the service desk made by itself (``by == SYSTEM``) are accepted where the
graph has no edge when the :class:`AutomationPolicy` explains them: the return
of a postponed ticket at or after its until-time, the auto-close of a resolved
ticket at or after its timeout, and the reopen after a customer's reply (from a
closed ticket only within the reopen window). Without a policy, every move must
be an edge of the graph.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from helpdesk_core.errors import HistoryError, TransitionError, ValidationError
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.ticket import StatusChange, Ticket
from helpdesk_core.workflow.automatic import AutomationPolicy, automatic_rule
from helpdesk_core.workflow.graph import TransitionGraph


def _until_problem(graph: TransitionGraph, change: StatusChange) -> str | None:
    status = graph.status(change.to)
    if status.requires_until and change.until is None:
        return f"moving to {change.to!r} needs an until-time"
    if not status.requires_until and change.until is not None:
        return f"{change.to!r} takes no until-time, got {change.until.isoformat()}"
    if change.until is not None and change.until < change.at:
        return f"until {change.until.isoformat()} is earlier than the move at {change.at.isoformat()}"
    return None


def transition(
    ticket: Ticket,
    to: str,
    *,
    at: datetime,
    by: str | None,
    until: datetime | None = None,
    graph: TransitionGraph,
) -> Ticket:
    """The ticket moved to status ``to`` at ``at`` by ``by`` (an employee id).

    Raises :class:`TransitionError` when the graph has no such edge, when
    ``to`` needs an until-time and none (or one earlier than ``at``) is given,
    or when ``until`` is given for a status that takes none; the ticket is
    then unchanged. A move dated before the last event raises
    :class:`HistoryError`.

    Automatic moves are not made here: a desk calls
    :func:`~helpdesk_core.workflow.automatic.apply_due` with ``at`` first, so
    that, say, a postponed ticket whose until-time passed is back in *open*.
    """
    require_aware(at, "transition at")
    if until is not None:
        require_aware(until, "transition until")
    graph.check(ticket.id, ticket.status, to)
    try:
        change = StatusChange(at=at, to=to, until=until, by=by)
    except ValidationError as error:
        raise TransitionError(f"ticket {ticket.id}: {error}") from None
    problem = _until_problem(graph, change)
    if problem is not None:
        raise TransitionError(f"ticket {ticket.id}: {problem}")
    return ticket.with_event(change)


def replay(ticket: Ticket, graph: TransitionGraph, *, policy: AutomationPolicy | None = None) -> Ticket:
    """The ticket itself, once every status change of its history is checked
    in order against the graph (and the policy's automatic moves).

    Raises :class:`HistoryError` for a ticket that does not start in the
    graph's initial status, an unknown status, a move that is neither an edge
    of the graph nor an automatic move of ``policy``, a missing, superfluous or
    too early until-time — e.g. ``"ticket T-7: events[3]: cannot move from
    'closed' to 'in_progress' (allowed from 'closed': none)"``.
    """
    if policy is not None:
        policy.check(graph)
    if ticket.initial_status != graph.initial:
        where = (
            f"the workflow starts every ticket in {graph.initial!r}"
            if graph.knows(ticket.initial_status)
            else f"unknown status (known: {', '.join(graph.ids)})"
        )
        raise HistoryError(f"ticket {ticket.id}: starts in {ticket.initial_status!r}; {where}")
    status = ticket.initial_status
    for index, event in enumerate(ticket.events):
        if isinstance(event, StatusChange):
            _check_change(ticket, status, index, event, graph, policy)
            status = event.to
    return ticket


def _check_change(
    ticket: Ticket,
    source: str,
    index: int,
    change: StatusChange,
    graph: TransitionGraph,
    policy: AutomationPolicy | None,
) -> None:
    place = f"ticket {ticket.id}: events[{index}]"
    if not graph.knows(change.to):
        raise HistoryError(f"{place}: unknown status {change.to!r} (known: {', '.join(graph.ids)})")
    if not graph.allows(source, change.to) and (
        policy is None or automatic_rule(_before(ticket, index), change, policy, graph) is None
    ):
        raise HistoryError(f"{place}: {graph.refusal(source, change.to)}")
    problem = _until_problem(graph, change)
    if problem is not None:
        raise HistoryError(f"{place}: {problem}")


def _before(ticket: Ticket, index: int) -> Ticket:
    """The ticket as it was just before ``events[index]``."""
    return attrs.evolve(ticket, events=ticket.events[:index])


def check_history(ticket: Ticket, graph: TransitionGraph, *, policy: AutomationPolicy | None = None) -> None:
    """Raise :class:`HistoryError` unless the ticket's history could have happened
    (see :func:`replay`)."""
    replay(ticket, graph, policy=policy)


__all__ = ["check_history", "replay", "transition"]
