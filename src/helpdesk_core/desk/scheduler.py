"""The scheduler: what falls due by itself, applied to the stored tickets.

Two things happen to a ticket without anybody touching it: an automatic status
change (a postponed ticket returns, a resolved one is closed after
``auto_close_after``, a reply recorded on an *awaiting reply* ticket reopens it
— :mod:`helpdesk_core.workflow.automatic`) and an escalation notice (a level of
the ticket's escalation plan is reached — :mod:`helpdesk_core.sla.notices`).
A closed ticket imported with a customer's reply later than the reopen window
also asks for a linked **follow-up** ticket.

The pure part, :func:`wakeup_of` and :func:`due_work`, decides for one ticket
at an instant ``now``; the shell, :func:`run_due`, finds the tickets to look at
through the store's schedule — an indexed next-wake-up instant per ticket
(:class:`~helpdesk_core.model.domain_events.ScheduleEntry`), never a scan of
all tickets — and settles each in **one unit of work**: the status changes
appended to its history (dated at the rule's instant, by ``system``), the
follow-up registered, one out-box event per thing done, and the schedule entry
moved on (``checked_through = now``, ``wake_at`` = the next instant something
falls due) by compare-and-set, so two schedulers never do the same thing
twice. Running twice with the same ``now`` does nothing the second time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

import attrs

from helpdesk_core.config import Configuration
from helpdesk_core.desk.clock import Clock
from helpdesk_core.desk.follow_ups import register_follow_up
from helpdesk_core.errors import ConflictError, HelpdeskError, StorageUnavailable, ValidationError
from helpdesk_core.fingerprints import digest
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.domain_events import DomainEvent, ScheduleEntry
from helpdesk_core.model.ticket import SYSTEM, StatusChange, Ticket
from helpdesk_core.reports.customers import CustomerDirectory, customer_directory
from helpdesk_core.sla.notices import GroupRoster, Notice, StaffDirectory, TicketEscalations
from helpdesk_core.sla.selection import CustomerFacts
from helpdesk_core.sla_states.fingerprint import sla_fingerprint
from helpdesk_core.sla_states.keeping import keep_sla_state
from helpdesk_core.storage.protocols import Store, UnitOfWork
from helpdesk_core.workflow.automatic import Due, FollowUp, due_steps, first_reply_since_status
from helpdesk_core.workflow.automatic import next_wakeup as next_status_wakeup
from helpdesk_core.workflow.statuses import StatusCategory

log = logging.getLogger(__name__)

PAGE = 200
"""Schedule entries read per round trip while looking for what is due."""
ATTEMPTS = 3
"""Units of work tried per ticket when another writer keeps getting there first."""
_JUST_BEFORE = timedelta(microseconds=1)

ActionKind = Literal["status", "escalation", "follow_up", "skipped"]
"""What the scheduler did for a ticket; ``skipped``: it could not (the error is
in ``detail``), nothing of that ticket was stored and it is tried again on the
next run."""


@attrs.frozen(kw_only=True)
class DueAction:
    """One thing the scheduler did (or, ``skipped``, could not do) for a ticket.

    ``at`` is the instant it is dated: a status change's rule instant, a
    notice's delivery instant, the reply that asked for a follow-up. ``detail``
    is one line for a person; ``data`` holds JSON values only (``to``, ``rule``
    of a status change; ``kind``, ``plan``, ``level``, ``target``,
    ``recipient``, ``due`` of a notice; ``follow_up`` — the new ticket's id —
    of a follow-up; ``error`` of a skipped ticket).
    """

    ticket: str
    action: ActionKind
    at: datetime
    detail: str
    data: Mapping[str, Any] = attrs.field(factory=dict)

    def to_json(self) -> dict[str, Any]:
        """``{"ticket", "action", "at", **data}``: one line of ``helpdesk tick --format json``."""
        return {"ticket": self.ticket, "action": self.action, "at": self.at.isoformat(), **self.data}

    def line(self) -> str:
        """``<at> <ticket> <action>: <detail>``: one line of ``helpdesk tick``."""
        return f"{self.at.isoformat()} {self.ticket} {self.action}: {self.detail}"


# -- the pure part ------------------------------------------------------------------------


def _follow_up_instant(
    ticket: Ticket, checked_through: datetime | None, config: Configuration
) -> datetime | None:
    """The instant of a customer's reply recorded on a closed ticket (only an
    import stores one) that has not been looked at yet."""
    if config.graph.category(ticket.status) is not StatusCategory.CLOSED:
        return None
    reply = first_reply_since_status(ticket)
    if reply is None or (checked_through is not None and reply.at <= checked_through):
        return None
    return reply.at


def wakeup_of(
    ticket: Ticket,
    checked_through: datetime | None,
    config: Configuration,
    directory: StaffDirectory,
    customer: CustomerFacts | None,
) -> datetime | None:
    """The earliest instant at which something falls due for ``ticket`` by
    itself, given that everything up to ``checked_through`` has been handled
    (None: nothing yet): an automatic status change
    (:func:`~helpdesk_core.workflow.automatic.next_wakeup`), the next
    escalation notice after ``checked_through`` (or from registration), or a
    follow-up for a reply not yet looked at. None when nothing is ahead.

    The desk's use cases store it as the ticket's ``wake_at`` after every
    change; an instant at or before the caller's now means "due already"."""
    escalations = None
    if config.sla is not None:
        escalations = TicketEscalations(
            ticket, policy=config.sla, graph=config.graph, directory=directory, customer=customer
        )
    return _wakeup(ticket, checked_through, config, escalations)


def _wakeup(
    ticket: Ticket,
    checked_through: datetime | None,
    config: Configuration,
    escalations: TicketEscalations | None,
) -> datetime | None:
    """:func:`wakeup_of`, with the ticket's escalation look-ahead (None
    without an SLA policy) given."""
    found = [next_status_wakeup(ticket, config.automation, config.graph)]
    if escalations is not None:
        after = ticket.created_at - _JUST_BEFORE if checked_through is None else checked_through
        found.append(escalations.next_after(after))
    found.append(_follow_up_instant(ticket, checked_through, config))
    return min((at for at in found if at is not None), default=None)


@attrs.frozen(kw_only=True)
class DueWork:
    """What falls due for one ticket by ``now``, everything before
    ``checked_through`` having been handled.

    ``ticket`` is the ticket with the status ``changes`` appended; ``follow_up``
    the decision to register a follow-up (only for a reply later than the old
    ``checked_through``); ``notices`` the escalation notices delivered in
    ``(checked_through, now]``; ``checked_through`` and ``wake_at`` the
    ticket's schedule entry afterwards.
    """

    ticket: Ticket
    changes: tuple[Due, ...]
    follow_up: FollowUp | None
    notices: tuple[Notice, ...]
    checked_through: datetime
    wake_at: datetime | None

    @property
    def events(self) -> tuple[StatusChange, ...]:
        """The status changes to append to the stored history."""
        return tuple(due.event for due in self.changes if due.event is not None)


def due_work(
    ticket: Ticket,
    checked_through: datetime | None,
    now: datetime,
    *,
    config: Configuration,
    directory: StaffDirectory,
    customer: CustomerFacts | None,
) -> DueWork:
    """Decide what falls due for ``ticket`` by ``now`` (pure: no I/O).

    The status changes are those of
    :func:`~helpdesk_core.workflow.automatic.apply_due` at ``now``; the notices
    are computed on the ticket *with* those changes (a ticket auto-closed at
    10:00 warns nobody at 11:00); a ``checked_through`` later than ``now``
    (another scheduler ran ahead) is kept, never moved back."""
    require_aware(now, "now")
    changes: list[Due] = []
    follow_up: FollowUp | None = None
    after = ticket
    for due, stepped in due_steps(ticket, now, config.automation, config.graph):
        if due.event is not None:
            changes.append(due)
            after = stepped
        elif isinstance(due.action, FollowUp) and (
            checked_through is None or due.action.comment.at > checked_through
        ):
            follow_up = due.action
    notices: tuple[Notice, ...] = ()
    escalations = None
    if config.sla is not None:
        # one look-ahead for both questions: the history is replayed once
        escalations = TicketEscalations(
            after, policy=config.sla, graph=config.graph, directory=directory, customer=customer
        )
        since = ticket.created_at - _JUST_BEFORE if checked_through is None else checked_through
        notices = escalations.due(since=since, until=now)
    checked = now if checked_through is None else max(now, checked_through)
    wake_at = _wakeup(after, checked, config, escalations)
    return DueWork(
        ticket=after,
        changes=tuple(changes),
        follow_up=follow_up,
        notices=notices,
        checked_through=checked,
        wake_at=wake_at,
    )


def notice_kind(notice: Notice) -> Literal["deadline_approaching", "deadline_breached"]:
    """``deadline_breached`` for a level reached at or after its target's due
    instant (``+0m``, ``+30m``, ``100%``, ``150%``), else ``deadline_approaching``."""
    return "deadline_breached" if notice.reached_at >= notice.due else "deadline_approaching"


def _notice_data(notice: Notice) -> dict[str, Any]:
    return {
        "kind": notice_kind(notice),
        "rule": notice.rule,
        "plan": notice.plan,
        "level": notice.level,
        "target": notice.target.value,
        "recipient": notice.recipient,
        "channel": notice.channel,
        "due": notice.due.isoformat(),
        "reached_at": notice.reached_at.isoformat(),
        "key": notice.key,
    }


def _status_data(previous: str, due: Due) -> dict[str, Any]:
    assert due.event is not None
    until = due.event.until
    return {
        "from": previous,
        "to": due.event.to,
        "until": None if until is None else until.isoformat(),
        "rule": due.rule,
        "reason": due.reason,
    }


def _status_steps(ticket: Ticket, changes: tuple[Due, ...]) -> Iterator[tuple[DueAction, DomainEvent]]:
    status = ticket.status
    for due in changes:
        assert due.event is not None
        data = _status_data(status, due)
        label = due.rule.replace("_", "-")
        yield (
            DueAction(
                ticket=ticket.id,
                action="status",
                at=due.event.at,
                detail=f"{label}: {due.reason} → {due.event.to}",
                data=data,
            ),
            DomainEvent(kind="status_changed", ticket=ticket.id, at=due.event.at, by=SYSTEM, data=data),
        )
        status = due.event.to


def _notice_steps(notices: tuple[Notice, ...]) -> Iterator[tuple[DueAction, DomainEvent]]:
    for notice in notices:
        data = _notice_data(notice)
        kind = data["kind"]
        word = "breached" if kind == "deadline_breached" else "approaching"
        yield (
            DueAction(
                ticket=notice.ticket,
                action="escalation",
                at=notice.instant,
                detail=(
                    f"{notice.target.value} deadline {word} (due {notice.due.isoformat()}): "
                    f"level {notice.level} of plan {notice.plan!r} → {notice.recipient} by {notice.channel}"
                ),
                data=data,
            ),
            DomainEvent(kind=kind, ticket=notice.ticket, at=notice.instant, data=data),
        )


def policy_fingerprint(config: Configuration) -> str | None:
    """A digest of what decides wake-ups: the status graph, the automation and
    the SLA policy (rules, calendars, escalation plans). Equal configurations
    give equal digests in every process; None when the configuration holds a
    value without a stable form (then a change goes unnoticed: see
    :func:`reschedule_all`)."""
    return digest(config.graph, config.automation, config.sla)


POLICY_SETTING = "scheduler.policy"
"""The store setting naming the policy (:func:`policy_fingerprint`) the
schedule was made under. Any other digest — a new policy, or an earlier one
brought back (A, then B, then A again) — is a change."""


_ADOPT_ATTEMPTS = 3
"""Times :func:`_check_policy` tries to record the policy in force before the
conflict (schedulers of different configurations racing) is raised."""


def policy_in_force(uow: UnitOfWork, fingerprint: str) -> bool:
    """Whether the store's schedule was made under the policy ``fingerprint``."""
    return uow.settings.get(POLICY_SETTING) == fingerprint


def adopt_policy(uow: UnitOfWork, fingerprint: str) -> None:
    """Record that the schedule is made under the policy ``fingerprint`` from
    now on (in the caller's unit of work)."""
    in_force = uow.settings.get(POLICY_SETTING)
    if in_force != fingerprint:
        uow.settings.put(POLICY_SETTING, fingerprint, expected=in_force)


def reschedule_all(store: Store, *, fingerprint: str | None = None) -> int:
    """Make every ticket due now (its ``checked_through`` kept): after the
    workflow, the automation or the SLA policy changed, the stored wake-ups
    were computed under the old rules. The next :func:`run_due` looks at
    every ticket once and stores wake-ups under the new ones. One statement
    (:meth:`Schedule.mark_all_stale`), in the unit of work that records the
    new policy ``fingerprint`` when one is given; returns how many entries
    were marked."""
    with store.unit_of_work() as uow:
        marked = uow.schedule.mark_all_stale()
        if fingerprint is not None:
            adopt_policy(uow, fingerprint)
        uow.commit()
    return marked


def _check_policy(store: Store, config: Configuration) -> None:
    """When the policy differs from the one the schedule was made under,
    every ticket is made due now and the policy recorded, in one unit of
    work, once. Of two schedulers adopting at the same moment, the loser of
    the compare-and-set looks again (the winner may have adopted the same)."""
    fingerprint = policy_fingerprint(config)
    if fingerprint is None or store.settings.get(POLICY_SETTING) == fingerprint:
        return  # the usual case, read without taking the write lock
    for attempt in range(_ADOPT_ATTEMPTS):
        try:
            with store.unit_of_work() as uow:
                in_force = uow.settings.get(POLICY_SETTING)
                if in_force == fingerprint:
                    return
                count = uow.schedule.mark_all_stale()
                uow.settings.put(POLICY_SETTING, fingerprint, expected=in_force)
                uow.commit()
        except ConflictError:
            if attempt + 1 == _ADOPT_ATTEMPTS:
                raise
            continue
        log.info("scheduler: the policy changed (%s): %d tickets rescheduled", fingerprint, count)
        return


# -- the shell ------------------------------------------------------------------------------


class DeskParts(Protocol):
    """What the scheduler needs of a :class:`~helpdesk_core.desk.Desk`."""

    @property
    def store(self) -> Store: ...

    @property
    def config(self) -> Configuration: ...

    @property
    def clock(self) -> Clock: ...


@attrs.frozen
class _Lookups:
    """The staff directory and the customer facts, read once per run, and
    the fingerprint the stored SLA states are kept under."""

    directory: StaffDirectory
    customers: CustomerDirectory
    fingerprint: str

    @classmethod
    def of(cls, store: Store, config: Configuration) -> _Lookups:
        directory = GroupRoster(stored.value for stored in store.employee_groups.iter())
        return cls(directory, customer_directory(store), sla_fingerprint(config))


def _follow_up_steps(
    uow: UnitOfWork,
    closed: Ticket,
    decision: FollowUp,
    config: Configuration,
    customer: CustomerFacts | None,
    fingerprint: str,
) -> tuple[Ticket, list[tuple[DueAction | None, DomainEvent]]]:
    ticket, _, (registered, *told) = register_follow_up(
        uow, closed, decision, config, by=SYSTEM, customer=customer, fingerprint=fingerprint
    )
    new_id = ticket.id
    action = DueAction(
        ticket=closed.id,
        action="follow_up",
        at=decision.comment.at,
        detail=f"{decision.reason} → follow-up {new_id}",
        data={"follow_up": new_id, "closed_at": decision.closed_at.isoformat()},
    )
    return ticket, [(action, registered), *((None, event) for event in told)]


Settled = tuple[list[DueAction], list[DomainEvent]]
"""What settling a ticket did: the actions to report and the out-box events to append."""


def _settle(
    uow: UnitOfWork,
    ticket_id: str,
    now: datetime,
    desk: DeskParts,
    lookups: _Lookups,
) -> Settled:
    """Apply what is due for one ticket inside ``uow``: its history and its
    schedule entry are written, the out-box events are returned for the
    caller to append last (the out-box counter is the last lock a unit of
    work takes, as in the desk's use cases).

    The entry is read again here, before the ticket, even though the page of
    due entries showed it: inside a unit of work ``find`` holds the entry
    (PostgreSQL ``FOR UPDATE``), so a desk use case cannot commit a newer
    ticket and its wake-up between our reading the ticket and our writing a
    wake-up computed from the older one — the compare-and-set on
    ``checked_through`` alone would not notice, since a use case leaves it as
    it was."""
    entry = uow.schedule.find(ticket_id)
    if entry is None or (not entry.stale and (entry.wake_at is None or entry.wake_at > now)):
        return [], []  # deleted, or settled by another scheduler meanwhile
    stored = uow.tickets.find(ticket_id)
    if stored is None:
        return [], []
    return _work_steps(uow, stored.value, stored.version, entry, now, desk, lookups)


def _work_steps(
    uow: UnitOfWork,
    ticket: Ticket,
    version: int | None,
    entry: ScheduleEntry | None,
    now: datetime,
    desk: DeskParts,
    lookups: _Lookups,
) -> Settled:
    config = desk.config
    checked_was = None if entry is None else entry.checked_through
    customer = lookups.customers(ticket)
    work = due_work(
        ticket,
        checked_was,
        now,
        config=config,
        directory=lookups.directory,
        customer=customer,
    )
    steps: list[tuple[DueAction | None, DomainEvent]] = [
        *_status_steps(ticket, work.changes),
        *_notice_steps(work.notices),
    ]
    if work.events:
        assert version is not None
        uow.tickets.append(ticket.id, work.events, expected_version=version)
        keep_sla_state(uow, work.ticket, config=config, customer=customer, fingerprint=lookups.fingerprint)
    new_ticket: Ticket | None = None
    if work.follow_up is not None:
        new_ticket, follow_steps = _follow_up_steps(
            uow, work.ticket, work.follow_up, config, customer, lookups.fingerprint
        )
        steps.extend(follow_steps)
    steps.sort(key=lambda step: step[1].at)
    uow.schedule.put(
        ScheduleEntry(ticket=ticket.id, wake_at=work.wake_at, checked_through=work.checked_through),
        checked_through_was=checked_was,
    )
    actions = [action for action, _ in steps if action is not None]
    events = [event for _, event in steps]
    if new_ticket is not None:
        # the follow-up is settled through now in the same unit of work, so
        # that a second run with the same now finds nothing to do for it
        more, happened = _work_steps(uow, new_ticket, 1, None, now, desk, lookups)
        actions.extend(more)
        events.extend(happened)
    return actions, events


def _skipped(ticket_id: str, now: datetime, error: HelpdeskError) -> DueAction:
    message = " ".join(str(error).split())
    log.warning("ticket %s skipped by the scheduler: %s", ticket_id, message)
    return DueAction(
        ticket=ticket_id,
        action="skipped",
        at=now,
        detail=f"not settled, tried again on the next run: {message}",
        data={"error": message, "error_type": type(error).__name__},
    )


def settle_ticket(
    desk: DeskParts,
    ticket_id: str,
    now: datetime,
    lookups: _Lookups | None = None,
) -> list[DueAction]:
    """Apply what is due for one ticket by ``now`` in its own unit of work,
    retried (a fresh one each time, at most :data:`ATTEMPTS`) when another
    writer got there first; a ticket that cannot be settled (its status is not
    in the workflow any more, its SLA rule names a plan that is gone, …) is
    reported as ``skipped`` and left due for the next run."""
    lookups = _Lookups.of(desk.store, desk.config) if lookups is None else lookups
    for _ in range(ATTEMPTS):
        try:
            with desk.store.unit_of_work() as uow:
                actions, events = _settle(uow, ticket_id, now, desk, lookups)
                uow.outbox.append(events)
                uow.commit()
            return actions
        except ConflictError:
            continue
        except StorageUnavailable:
            raise
        except HelpdeskError as error:
            return [_skipped(ticket_id, now, error)]
    return [_skipped(ticket_id, now, ConflictError(f"ticket {ticket_id}: kept changing under the scheduler"))]


def _settle_together(
    desk: DeskParts,
    listed: list[ScheduleEntry],
    now: datetime,
    lookups: _Lookups,
    stop: Callable[[], bool] | None,
) -> list[DueAction]:
    """Settle several tickets in one unit of work (one commit); when any of
    them conflicts or fails, nothing of the batch is kept and each ticket is
    settled in its own unit of work instead (:func:`settle_ticket`)."""
    try:
        with desk.store.unit_of_work() as uow:
            actions: list[DueAction] = []
            events: list[DomainEvent] = []
            for entry in listed:
                if stop is not None and stop():
                    break
                done, happened = _settle(uow, entry.ticket, now, desk, lookups)
                actions.extend(done)
                events.extend(happened)
            uow.outbox.append(events)
            uow.commit()
        return actions
    except StorageUnavailable:
        raise
    except HelpdeskError:
        pass
    actions = []
    for entry in listed:
        if stop is not None and stop():
            break
        actions.extend(settle_ticket(desk, entry.ticket, now, lookups))
    return actions


def due_actions(
    desk: DeskParts,
    now: datetime | None = None,
    *,
    stop: Callable[[], bool] | None = None,
    batch: int = 1,
) -> Iterator[DueAction]:
    """:func:`run_due` a unit of work at a time: each one is committed before
    its actions are yielded; ``stop`` (asked before each ticket) ends the run
    between two tickets (a batch is committed with the tickets done)."""
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise ValidationError(f"run_due: batch must be a whole number >= 1, got {batch!r}")
    now = desk.clock.now() if now is None else now
    require_aware(now, "run_due: now")
    desk.config.automation.check(desk.config.graph)
    _check_policy(desk.store, desk.config)
    lookups = _Lookups.of(desk.store, desk.config)
    after: ScheduleEntry | None = None
    while True:
        entries = desk.store.schedule.due(now, after=after, limit=PAGE)
        for start in range(0, len(entries), batch):
            if stop is not None and stop():
                return
            chunk = entries[start : start + batch]
            if batch == 1:
                yield from settle_ticket(desk, chunk[0].ticket, now, lookups)
            else:
                yield from _settle_together(desk, chunk, now, lookups, stop)
        if len(entries) < PAGE:
            return
        after = entries[-1]


def run_due(
    desk: DeskParts,
    now: datetime | None = None,
    *,
    stop: Callable[[], bool] | None = None,
    batch: int = 1,
) -> tuple[DueAction, ...]:
    """Apply every automatic status change, escalation notice and follow-up
    due by ``now`` (default: the desk's clock) to the stored tickets, and
    return what was done, ticket by ticket in due order.

    Only the tickets whose schedule entry is due (or stale: written by an
    import) are read, a page at a time. Each ticket is one unit of work
    (history, out-box and schedule entry together); another scheduler
    settling the same ticket at once makes one of the two find nothing left
    to do. A ticket that cannot be settled is returned as a ``skipped`` action
    and the run goes on. Twice with the same ``now``, the second run does
    nothing (it returns the skipped tickets again, if any).

    ``batch`` > 1 settles that many tickets per unit of work: one commit
    instead of ``batch`` (on SQLite a commit is most of a ticket's cost), the
    store's write lock held that much longer; a batch with a conflicting or
    broken ticket is redone one ticket per unit of work."""
    return tuple(due_actions(desk, now, stop=stop, batch=batch))


DEFAULT_POLL = 5.0
"""Seconds a long-running scheduler waits at most between two looks at the
schedule: work registered meanwhile (a postponement until in a minute) is
seen this late at the latest."""


def serve(
    desk: DeskParts,
    *,
    stop: threading.Event,
    poll: float = DEFAULT_POLL,
    on_action: Callable[[DueAction], None] | None = None,
    batch: int = 1,
) -> None:
    """Run the scheduler until ``stop`` is set: apply what is due by the
    desk's clock (:func:`run_due`), then sleep until :func:`next_wakeup`, at
    most ``poll`` seconds, and again. ``stop`` is looked at between two
    tickets' units of work and ends the sleep at once, so setting it (a
    signal handler does) stops after the current transaction.

    ``on_action`` hears of each action as its unit of work commits. A ticket
    that stays ``skipped`` is reported once, not on every round, and keeps
    the scheduler from sleeping past ``poll`` (it is retried each round).
    ``batch`` is :func:`run_due`'s."""
    if not poll > 0:
        raise ValidationError(f"serve: poll must be a number of seconds > 0, got {poll!r}")
    skipped_before: set[tuple[str, str]] = set()
    while not stop.is_set():
        ran_at = desk.clock.now()
        skipped_now: set[tuple[str, str]] = set()
        for action in due_actions(desk, ran_at, stop=stop.is_set, batch=batch):
            if action.action == "skipped":
                key = (action.ticket, action.detail)
                skipped_now.add(key)
                if key in skipped_before:
                    continue
            if on_action is not None:
                on_action(action)
        skipped_before = skipped_now
        if stop.is_set():
            return
        stop.wait(_pause(next_wakeup(desk), ran_at, desk.clock.now(), poll))


def _pause(wake: datetime | None, ran_at: datetime, now: datetime, poll: float) -> float:
    """Seconds to sleep after a run at ``ran_at``: until ``wake``, at most
    ``poll``; a full ``poll`` when what is still due was due at the run
    already (a skipped ticket: no busy loop)."""
    if wake is None or wake <= ran_at:
        return poll
    return min(poll, max((wake - now).total_seconds(), 0.0))


def next_wakeup(desk: DeskParts) -> datetime | None:
    """When :func:`run_due` has something to do next: the earliest stored
    wake-up (an instant long past while a ticket's is unknown); None when
    nothing is ahead. One index probe."""
    return desk.store.schedule.next_wakeup()


__all__ = [
    "ATTEMPTS",
    "DEFAULT_POLL",
    "PAGE",
    "POLICY_SETTING",
    "ActionKind",
    "DeskParts",
    "DueAction",
    "DueWork",
    "due_actions",
    "due_work",
    "next_wakeup",
    "notice_kind",
    "policy_fingerprint",
    "reschedule_all",
    "run_due",
    "serve",
    "settle_ticket",
    "wakeup_of",
]
