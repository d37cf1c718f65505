"""The desk: one method per everyday use case, each one transaction.

Every write use case runs in ONE unit of work, in this order:

1. read the ticket (``NotFound`` when there is none) and check
   ``expected_version`` (stale → :class:`ConflictError`);
2. refuse an ``at`` before the ticket's last event (:class:`HistoryError`);
3. apply what was automatically due at ``at`` (a postponed ticket whose
   until-time passed is back in *open* before the agent's move), each move a
   ``status_changed`` domain event by ``system``;
4. check the actor (:mod:`~helpdesk_core.desk.actors`) and the input, and
   build the new history events;
5. append them with the version read (one version bump per use case), write
   the domain events to the out-box, store the ticket's next wake-up in the
   schedule (compare-and-set on what the scheduler last checked), keep its
   stored SLA state (:mod:`~helpdesk_core.sla_states.keeping`: the record put
   after the ticket write, under the configuration's fingerprint) and commit.

Anything refused raises before the commit: nothing is stored. A caller that
may meet a concurrent writer wraps the call in :meth:`Desk.retrying`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

from helpdesk_core.config import Configuration, load_configuration
from helpdesk_core.desk import scheduler
from helpdesk_core.desk.actors import Actor, contact_acting, employee_acting
from helpdesk_core.desk.clock import Clock, SystemClock
from helpdesk_core.desk.customers import customer_directory, customer_facts_of
from helpdesk_core.desk.follow_ups import register_follow_up
from helpdesk_core.desk.outcome import Outcome, SlaStatus
from helpdesk_core.desk.people_directory import add_new_contact
from helpdesk_core.desk.registration import (
    check_assignee,
    check_observers,
    check_parties,
    implied_company,
)
from helpdesk_core.desk.routing_registration import route_new_ticket
from helpdesk_core.desk.scheduler import DueAction, wakeup_of
from helpdesk_core.desk.ticket_ids import allocate_ticket_id
from helpdesk_core.errors import ConflictError, HistoryError, TransitionError, ValidationError
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.domain_events import (
    DomainEvent,
    OutboxEntry,
    ScheduleEntry,
    assignee_data,
    comment_data,
    ticket_registered,
)
from helpdesk_core.model.ticket import (
    SYSTEM,
    Assignee,
    Assignment,
    Attachment,
    AuthorKind,
    Comment,
    Event,
    ObserverChange,
    PriorityChange,
    SlaOverride,
    Ticket,
    TypeChange,
)
from helpdesk_core.reports.customers import customer_facts
from helpdesk_core.routing.recorded import routing_assignment
from helpdesk_core.sla import CustomerFacts, GroupRoster, SlaRow, evaluate
from helpdesk_core.sla_states.fingerprint import sla_fingerprint
from helpdesk_core.sla_states.keeping import adopt_when_empty, keep_sla_state, sla_policy
from helpdesk_core.sla_states.queues import DEFAULT_LIMIT as DEFAULT_QUEUE_LIMIT
from helpdesk_core.sla_states.queues import QueueEntry, QueueState, SlaQueue
from helpdesk_core.storage import open_store
from helpdesk_core.storage.protocols import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONSUMER,
    Store,
    Stored,
    UnitOfWork,
)
from helpdesk_core.workflow import (
    FollowUp,
    StatusCategory,
    due_transitions,
    on_customer_reply,
    transition,
)

if TYPE_CHECKING:
    from helpdesk_core.desk.intake_form import FormIntake
    from helpdesk_core.intake.people import NewContact
    from helpdesk_core.intake.web_form import WebForm

T = TypeVar("T")

_MINUTE = timedelta(minutes=1)


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class DeskOutbox:
    """The out-box of a desk: domain events in commit order, and how far each
    consumer (``notifications``, ``webhooks``, …) has handled them."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def pending(self, consumer: str = DEFAULT_CONSUMER, limit: int = 100) -> list[OutboxEntry]:
        """The first ``limit`` entries ``consumer`` has not acknowledged, in order."""
        return self._store.outbox.pending(consumer, limit=limit)

    def acknowledge(self, consumer: str, through: int) -> None:
        """``consumer`` has handled every entry up to position ``through`` (one
        transaction; acknowledging less than before changes nothing)."""
        with self._store.unit_of_work() as uow:
            uow.outbox.acknowledge(consumer, through)
            uow.commit()

    def entries(self, after: int = 0, limit: int = 100) -> list[OutboxEntry]:
        """At most ``limit`` entries after position ``after``, in order."""
        return self._store.outbox.entries(after=after, limit=limit)

    def last_position(self) -> int:
        """The position of the newest entry; 0 for an empty out-box."""
        return self._store.outbox.last_position()


@attrs.define
class _Work:
    """One use case on one ticket in progress: the ticket as read, as changed
    so far, and the domain events to write."""

    desk: Desk
    uow: UnitOfWork
    stored: Stored[Ticket]
    at: datetime
    by: str
    ticket: Ticket
    happened: list[DomainEvent] = attrs.field(factory=list)
    follow_up: tuple[Ticket, int] | None = None
    """The follow-up ticket a customer's late reply made, with its version."""

    @property
    def where(self) -> str:
        return f"ticket {self.ticket.id}"

    def record(self, event: Event) -> None:
        """Append a history event to the ticket in progress."""
        self.ticket = self.ticket.with_event(event)

    def tell(
        self, kind: str, data: Mapping[str, Any], *, by: str | None = None, ticket: str | None = None
    ) -> None:
        """A domain event for the out-box, dated ``at`` unless the history
        event it reports says otherwise."""
        self.happened.append(
            DomainEvent(
                kind=kind,
                ticket=self.ticket.id if ticket is None else ticket,
                at=self.at,
                by=self.by if by is None else by,
                data=dict(data),
            )
        )

    def apply_due(self) -> None:
        """Every automatic status change due at ``at``, each told as a
        ``status_changed`` by ``system`` with its rule."""
        config = self.desk.config
        for due in due_transitions([self.ticket], self.at, config.automation, config.graph):
            change = due.event
            if change is None:
                break  # a follow-up decision: the scheduler's business, not a change
            before = self.ticket.status
            self.record(change)
            self.happened.append(
                DomainEvent(
                    kind="status_changed",
                    ticket=self.ticket.id,
                    at=change.at,
                    by=SYSTEM,
                    data={
                        "from": before,
                        "to": change.to,
                        "until": None,
                        "rule": due.rule,
                        "reason": due.reason,
                    },
                )
            )


class Desk:
    """A live help desk over a store: registers and changes tickets, one
    transaction per use case, and writes what happened to the out-box.

    ``config`` gives the workflow, the automation, the catalogs, the SLA
    policy and the ticket numbering; ``clock`` the instant of a use case
    called without ``at`` (the system clock by default).
    """

    def __init__(self, store: Store, config: Configuration | None = None, clock: Clock | None = None) -> None:
        self._store = store
        self._config = Configuration() if config is None else config
        self._clock: Clock = SystemClock() if clock is None else clock
        self._outbox = DeskOutbox(store)
        self._fingerprint: str | None = None
        self._may_adopt = True
        """False once a registration found tickets the desk did not write: the
        store's ``sla.fingerprint`` is then a rebuild's to set."""

    @classmethod
    def open(
        cls,
        db_url: str,
        *,
        config: Configuration | Path | str | None = None,
        clock: Clock | None = None,
    ) -> Desk:
        """A desk over the store at ``db_url`` (see :func:`open_store`), with
        ``config`` a configuration or the path of a ``helpdesk.toml`` (None:
        the defaults). Close it with :meth:`close` or use it as a context manager."""
        if not isinstance(config, Configuration):
            config = load_configuration(config)
        return cls(open_store(db_url), config, clock)

    def close(self) -> None:
        """Close the store."""
        self._store.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @property
    def store(self) -> Store:
        return self._store

    @property
    def config(self) -> Configuration:
        return self._config

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def sla_fingerprint(self) -> str:
        """The fingerprint of the configuration's SLA the desk keeps every
        ticket's stored SLA state under (computed once)."""
        if self._fingerprint is None:
            self._fingerprint = sla_fingerprint(self._config)
        return self._fingerprint

    @property
    def outbox(self) -> DeskOutbox:
        """Pending domain events and their acknowledgement."""
        return self._outbox

    # -- reading --------------------------------------------------------------------

    def get(self, ticket_id: str) -> Stored[Ticket]:
        """The ticket with its version; :class:`NotFound` when there is none."""
        return self._store.tickets.get(ticket_id)

    def tickets(
        self,
        *,
        status: str | None = None,
        company: str | None = None,
        assignee: str | None = None,
        overdue_at: datetime | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Stored[Ticket]]:
        """Tickets in registration order (``created_at``, then id), optionally
        only those now in ``status``, of ``company``, assigned to ``assignee``
        (an employee or group id) or overdue at ``overdue_at`` (a target —
        reaction or resolution — whose due instant has passed without being
        achieved); starting after the ticket ``after`` (the last one of the
        previous page) and at most ``limit`` of them.

        Cost: ``status`` and ``company`` are filtered by the store's query;
        ``assignee`` and ``overdue_at`` in Python over what it streams
        (``overdue_at`` evaluates the SLA of each such ticket), so a page of
        a rare assignee may read many tickets.
        """
        if limit is not None and limit < 1:
            raise ValidationError(f"tickets: limit must be at least 1, got {limit}")
        if overdue_at is not None:
            require_aware(overdue_at, "tickets: overdue_at")
        position = None
        if after is not None:
            found = self._store.tickets.find(after)
            if found is None:
                raise ValidationError(f"tickets: after: no ticket {after!r} to continue after")
            position = (found.value.created_at, found.value.id)
        directory = customer_directory(self._store) if overdue_at is not None else None
        batch = DEFAULT_BATCH_SIZE if limit is None else min(DEFAULT_BATCH_SIZE, max(limit, 50))
        found_tickets: list[Stored[Ticket]] = []
        for stored in self._store.tickets.iter_tickets(
            after=position, status=status, company=company, batch_size=batch
        ):
            ticket = stored.value
            if assignee is not None and (ticket.assignee is None or ticket.assignee.id != assignee):
                continue
            if overdue_at is not None:
                assert directory is not None
                if ticket.created_at > overdue_at or not _overdue(
                    self._row(ticket, overdue_at, directory(ticket))
                ):
                    continue
            found_tickets.append(stored)
            if limit is not None and len(found_tickets) >= limit:
                break
        return found_tickets

    def customer_facts(self, ticket: Ticket) -> CustomerFacts:
        """What the SLA needs to know about the ticket's customer: the client
        category and customer groups of its company (none without one). Two
        look-ups: the company, then its customer groups."""
        return customer_facts_of(self._store, ticket)

    def sla_status(self, ticket_id: str, *, as_of: datetime | None = None) -> SlaStatus:
        """The ticket's SLA row as of ``as_of`` (default: now) and the working
        minutes left to each due instant on the calendar of the rule judging it
        (negative once breached; None once achieved or without a due instant;
        a deadline set by hand without any rule counts real minutes)."""
        as_of = self._now(as_of)
        ticket = self._store.tickets.get(ticket_id).value
        row = self._row(ticket, as_of, self.customer_facts(ticket))
        return SlaStatus(
            row=row,
            reaction_left=self._left(row, row.reaction_due, row.reacted_at, row.reaction_rule),
            resolution_left=self._left(row, row.resolution_due, row.resolved_at, row.resolution_rule),
        )

    def _row(self, ticket: Ticket, as_of: datetime, customer: CustomerFacts) -> SlaRow:
        policy = sla_policy(self._config)
        return evaluate(ticket, policy=policy, graph=self._config.graph, as_of=as_of, customer=customer)

    def _left(
        self, row: SlaRow, due: datetime | None, achieved: datetime | None, judge: str | None
    ) -> int | None:
        if due is None or achieved is not None:
            return None
        policy = sla_policy(self._config)
        name = judge or row.rule
        applied = None if name is None else policy.applied(name)
        left = due - row.as_of if applied is None else applied.calendar.between(row.as_of, due)
        return left // _MINUTE

    # -- registering ----------------------------------------------------------------

    def register_ticket(
        self,
        *,
        subject: str,
        by: str,
        at: datetime | None = None,
        description: str = "",
        type: str | None = None,
        priority: str | None = None,
        channel: str | None = None,
        company: str | None = None,
        contact: str | None = None,
        service_object: str | None = None,
        equipment: str | None = None,
        contract: str | None = None,
        assignee: Assignee | None = None,
        observer_employees: Iterable[str] = (),
        observer_groups: Iterable[str] = (),
        attributes: Mapping[str, Any] | None = None,
        id: str | None = None,
        new_contact: NewContact | None = None,
    ) -> Outcome:
        """Register a new ticket in the workflow's initial status.

        The id comes from the configured sequence (``T-1001``, …) unless
        given (a given id already taken is refused). The company, contact,
        service object, equipment and contract must exist and belong together
        (the contact of the company, the rest of that company; without a
        company the ticket gets its contact's, service object's or
        equipment's), the assignee
        must be an active employee or a group, the observers must exist, and
        the catalog must accept the type, priority and attributes (required
        ones included). A contract that does not cover the day (no current or
        an unpaid period) is returned in ``warnings``. Without an assignee the
        ticket is routed (:mod:`~helpdesk_core.desk.routing_registration`): the
        routing table, else the owner chain, chooses the owner and the
        observers, and the ``assign`` event at the registration instant records
        the decision (``Outcome.routing``); with an assignee the default
        observers are added. ``by``: an active employee, ``system``, or the
        ticket's own contact (a customer registering through a portal).
        ``new_contact`` (intake's unknown sender, ``[intake] unknown_sender =
        "create_contact"``) is stored as a contact in the same transaction and
        is the ticket's contact: a refused registration stores neither.
        """
        at = self._now(at)
        config = self._config
        observer_employees, observer_groups = tuple(observer_employees), tuple(observer_groups)
        with self._store.unit_of_work() as uow:
            where = "new ticket" if id is None else f"ticket {id}"
            if new_contact is not None:
                contact = add_new_contact(uow, new_contact, config.intake).id
            actor = self._registering_actor(uow, by, contact, where)
            if company is None:
                company = implied_company(
                    uow, contact=contact, service_object=service_object, equipment=equipment
                )
            warnings = check_parties(
                uow,
                where=where,
                day=at.date(),
                company=company,
                contact=contact,
                service_object=service_object,
                equipment=equipment,
                contract=contract,
            )
            if assignee is not None:
                check_assignee(uow, assignee, where=where)
            check_observers(uow, observer_employees, observer_groups, where=where)
            routed = route_new_ticket(
                uow,
                config,
                at=at,
                assignee=assignee,
                type=type,
                priority=priority,
                channel=channel,
                attributes=attributes,
                company=company,
                contact=contact,
                service_object=service_object,
            )
            observer_employees += tuple(sorted(routed.observer_employees))
            observer_groups += tuple(sorted(routed.observer_groups))
            warnings += routed.warnings
            if id is None:
                ticket_id = allocate_ticket_id(uow, config.desk)
            else:
                if uow.tickets.taken([id]):
                    raise ValidationError(f"ticket {id}: the id is already taken by another ticket")
                ticket_id = id
            ticket = Ticket.register(
                id=ticket_id,
                subject=subject,
                created_at=at,
                status=config.graph.initial,
                type=type,
                priority=priority,
                assignee=assignee if routed.decision is None else routed.decision.assignee,
                description=description,
                channel=channel,
                company=company,
                contact=contact,
                service_object=service_object,
                equipment=equipment,
                contract=contract,
                observer_employees=observer_employees,
                observer_groups=observer_groups,
                attributes=dict(attributes or {}),
            )
            config.catalogs.check_new_ticket(ticket)
            if routed.decision is not None and routed.worth_recording:
                ticket = ticket.with_event(routing_assignment(routed.decision))
                routed.move_cursor(uow)
            happened = [ticket_registered(ticket, by=actor.id, warnings=warnings, **routed.summary())]
            version = uow.tickets.add(ticket)
            uow.outbox.append(happened)
            self._keep(uow, ticket, None)
            if self._may_adopt:
                self._may_adopt = adopt_when_empty(uow, self.sla_fingerprint) != "other tickets"
            uow.commit()
        return Outcome(
            ticket=ticket,
            version=version,
            events=tuple(happened),
            warnings=warnings,
            routing=routed.decision,
        )

    def _registering_actor(self, uow: UnitOfWork, by: str, contact: str | None, where: str) -> Actor:
        if contact is not None and by == contact:
            return Actor(by, "contact")
        return employee_acting(uow, by, where=where, what="register a ticket")

    # -- changing a ticket ----------------------------------------------------------

    def _change(
        self,
        ticket_id: str,
        *,
        by: str,
        at: datetime | None,
        expected_version: int | None,
        change: Callable[[_Work], None],
    ) -> Outcome:
        """Run ``change`` on the ticket in one unit of work (see the module doc)."""
        with self._store.unit_of_work() as uow:
            stored = uow.tickets.get(ticket_id)
            # the clock is read after the ticket: a write another process committed
            # before the read is earlier than now, a later one is a conflict (retried)
            at = self._now(at)
            if expected_version is not None and stored.version != expected_version:
                raise ConflictError(
                    f"ticket {ticket_id}: expected version {expected_version}, but it is at "
                    f"version {stored.version}: somebody changed it meanwhile; read it again"
                )
            ticket = stored.value
            if _earlier(at, ticket.updated_at):
                raise HistoryError(
                    f"ticket {ticket_id}: {at.isoformat()} is earlier than its last event at "
                    f"{ticket.updated_at.isoformat()}; a history only grows forward"
                )
            entry = uow.schedule.find(ticket_id)
            work = _Work(self, uow, stored, at, by, ticket)
            work.apply_due()
            change(work)
            new = work.ticket.events[len(ticket.events) :]
            version = stored.version  # unchanged when a follow-up left the closed ticket as it was
            if new:
                version = uow.tickets.append(ticket_id, new, expected_version=stored.version)
                self._keep(uow, work.ticket, entry)
            if work.happened:
                uow.outbox.append(work.happened)
            outcome = self._finish(work, version)
            uow.commit()
        return outcome

    def _finish(self, work: _Work, version: int) -> Outcome:
        follow_up = work.follow_up
        if follow_up is not None:
            ticket, follow_version = follow_up
            return Outcome(
                ticket=ticket,
                version=follow_version,
                events=tuple(work.happened),
                follow_up_of=work.stored.value.id,
            )
        return Outcome(ticket=work.ticket, version=version, events=tuple(work.happened))

    def _keep(self, uow: UnitOfWork, ticket: Ticket, entry: ScheduleEntry | None) -> None:
        """After writing ``ticket``: its next wake-up and its stored SLA
        state, both from its customer's facts (read once)."""
        customer = self._customer_in(uow, ticket)
        self._schedule(uow, ticket, entry, customer)
        keep_sla_state(uow, ticket, config=self._config, customer=customer, fingerprint=self.sla_fingerprint)

    def _customer_in(self, uow: UnitOfWork, ticket: Ticket) -> CustomerFacts:
        company = None if ticket.company is None else _value(uow.companies.find(ticket.company))
        groups = {} if company is None else uow.customer_groups.find_many(company.customer_groups)
        return customer_facts(company, {id: stored.value for id, stored in groups.items()})

    def _schedule(
        self, uow: UnitOfWork, ticket: Ticket, entry: ScheduleEntry | None, customer: CustomerFacts
    ) -> None:
        checked = None if entry is None else entry.checked_through
        roster = GroupRoster(stored.value for stored in uow.employee_groups.iter())
        wake = wakeup_of(ticket, checked, config=self._config, directory=roster, customer=customer)
        uow.schedule.put(
            ScheduleEntry(ticket=ticket.id, wake_at=wake, checked_through=checked),
            checked_through_was=checked,
        )

    def comment(
        self,
        ticket_id: str,
        *,
        body: str,
        author: AuthorKind,
        public: bool = True,
        by: str,
        at: datetime | None = None,
        mentions: Iterable[str] = (),
        attachments: Iterable[Attachment] = (),
        channel: str | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """A comment: an employee's (public, or a private note) by an active
        employee or ``system``; the contact's (public only) goes through
        :meth:`customer_reply`'s rules (it may reopen the ticket, or become a
        follow-up ticket). ``mentions`` are employee ids told by a
        ``mentioned`` domain event each."""
        mentions, attachments = tuple(mentions), tuple(attachments)
        if author == "contact":
            if not public:
                raise ValidationError(
                    f"ticket {ticket_id}: a contact's comment is always public (got public=false)"
                )
            if mentions:
                raise ValidationError(f"ticket {ticket_id}: a contact's comment cannot mention employees")
            return self.customer_reply(
                ticket_id,
                body=body,
                by=by,
                at=at,
                channel=channel,
                attachments=attachments,
                expected_version=expected_version,
            )
        if author != "employee":
            raise ValidationError(
                f"ticket {ticket_id}: comment author: expected 'employee' or 'contact', got {author!r}"
            )

        def change(work: _Work) -> None:
            employee_acting(work.uow, by, where=work.where, what="write an employee's comment")
            known = work.uow.employees.find_many(mentions)
            for mentioned in mentions:
                if mentioned not in known:
                    raise ValidationError(f"{work.where}: mentions: no employee {mentioned!r}")
            comment = Comment(
                at=work.at,
                author="employee",
                public=public,
                body=body,
                by=by,
                channel=channel,
                mentions=mentions,
                attachments=attachments,
            )
            work.record(comment)
            work.tell("comment_added", comment_data(comment))
            for mentioned in dict.fromkeys(mentions):
                work.tell("mentioned", {"employee": mentioned, "public": public})

        return self._change(ticket_id, by=by, at=at, expected_version=expected_version, change=change)

    def customer_reply(
        self,
        ticket_id: str,
        *,
        body: str,
        by: str,
        at: datetime | None = None,
        channel: str | None = None,
        attachments: Iterable[Attachment] = (),
        expected_version: int | None = None,
    ) -> Outcome:
        """The ticket's contact replies (a public comment by the contact).

        As the workflow decides (:func:`~helpdesk_core.workflow.on_customer_reply`):
        a reply to a ticket in one of the automation's ``reply_reopens``
        statuses, or to a closed one within the reopen window, reopens it;
        a reply to a ticket closed longer ago becomes a **follow-up**: a new
        ticket (same company, contact, assets, type, priority and — when
        still possible — assignee) holding the reply, with ``extra``
        ``{"follow_up_of": "<closed ticket>"}``; the closed ticket stays as
        it is. The outcome is then the new ticket, ``follow_up_of`` the
        closed one.
        """
        attachments = tuple(attachments)

        def change(work: _Work) -> None:
            contact_acting(work.ticket.contact, by, where=work.where, what="reply as the customer")
            comment = Comment(
                at=work.at,
                author="contact",
                public=True,
                body=body,
                by=by,
                channel=channel,
                attachments=attachments,
            )
            config = self._config
            decision = on_customer_reply(work.ticket, comment, config.automation, config.graph)
            if isinstance(decision, FollowUp):
                self._follow_up(work, decision)
                return
            work.record(comment)
            work.tell("comment_added", comment_data(comment))
            work.apply_due()

        return self._change(ticket_id, by=by, at=at, expected_version=expected_version, change=change)

    def _follow_up(self, work: _Work, decision: FollowUp) -> None:
        customer = self._customer_in(work.uow, work.ticket)  # the follow-up's company is the closed one's
        ticket, version, told = register_follow_up(
            work.uow,
            work.ticket,
            decision,
            self._config,
            by=work.by,
            customer=customer,
            fingerprint=self.sla_fingerprint,
        )
        self._schedule(work.uow, ticket, None, customer)
        work.happened.extend(told)
        work.follow_up = (ticket, version)

    def transition(
        self,
        ticket_id: str,
        to: str,
        *,
        by: str,
        at: datetime | None = None,
        until: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Move the ticket to status ``to`` by hand (an edge of the graph;
        ``until`` for a status that needs one, e.g. *postponed*)."""

        def change(work: _Work) -> None:
            employee_acting(work.uow, by, where=work.where, what=f"move it to {to!r}")
            before = work.ticket.status
            work.ticket = transition(
                work.ticket, to, at=work.at, by=by, until=until, graph=self._config.graph
            )
            work.tell("status_changed", {"from": before, "to": to, "until": _instant(until), "rule": None})

        return self._change(ticket_id, by=by, at=at, expected_version=expected_version, change=change)

    def confirm(
        self, ticket_id: str, *, by: str, at: datetime | None = None, expected_version: int | None = None
    ) -> Outcome:
        """The ticket's contact confirms the resolution: resolved → the
        automation's closing status."""
        return self._customer_move(ticket_id, "confirm", by=by, at=at, expected_version=expected_version)

    def reopen(
        self, ticket_id: str, *, by: str, at: datetime | None = None, expected_version: int | None = None
    ) -> Outcome:
        """The ticket's contact rejects the resolution: resolved → the
        automation's ``reopen_to``."""
        return self._customer_move(ticket_id, "reopen", by=by, at=at, expected_version=expected_version)

    def _customer_move(
        self,
        ticket_id: str,
        what: Literal["confirm", "reopen"],
        *,
        by: str,
        at: datetime | None,
        expected_version: int | None,
    ) -> Outcome:
        config = self._config

        def change(work: _Work) -> None:
            contact_acting(work.ticket.contact, by, where=work.where, what=f"{what} the resolution")
            status = work.ticket.status
            if config.graph.category(status) is not StatusCategory.RESOLVED:
                raise TransitionError(
                    f"{work.where}: is {status!r}, not resolved: there is no resolution to {what}"
                )
            to = (
                config.automation.closing_status(config.graph)
                if what == "confirm"
                else config.automation.reopen_to
            )
            work.ticket = transition(work.ticket, to, at=work.at, by=by, graph=config.graph)
            work.tell(
                "status_changed", {"from": status, "to": to, "until": None, "rule": None, "by_customer": what}
            )

        return self._change(ticket_id, by=by, at=at, expected_version=expected_version, change=change)

    def assign(
        self,
        ticket_id: str,
        assignee: Assignee | None,
        *,
        by: str,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Make an active employee or a group responsible (None: nobody)."""

        def change(work: _Work) -> None:
            employee_acting(work.uow, by, where=work.where, what="assign it")
            if assignee is not None:
                check_assignee(work.uow, assignee, where=work.where)
            before = work.ticket.assignee
            work.record(
                Assignment(
                    at=work.at,
                    to=None if assignee is None else assignee.id,
                    group=False if assignee is None else assignee.group,
                    by=by,
                )
            )
            work.tell("assignee_changed", {"from": assignee_data(before), "to": assignee_data(assignee)})

        return self._change(ticket_id, by=by, at=at, expected_version=expected_version, change=change)

    def change_priority(
        self,
        ticket_id: str,
        priority: str,
        *,
        by: str,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Change the priority (one of the catalog's); the SLA rule is selected again."""
        change = self._reclassified(PriorityChange, "priority", priority, by)
        return self._change(ticket_id, by=by, at=at, expected_version=expected_version, change=change)

    def change_type(
        self,
        ticket_id: str,
        type: str,
        *,
        by: str,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Change the ticket type (one of the catalog's); the SLA rule is selected again."""
        change = self._reclassified(TypeChange, "type", type, by)
        return self._change(ticket_id, by=by, at=at, expected_version=expected_version, change=change)

    def _reclassified(
        self,
        event: type[PriorityChange] | type[TypeChange],
        field: Literal["priority", "type"],
        value: str,
        by: str,
    ) -> Callable[[_Work], None]:
        """The change of the ticket's ``field`` to ``value``: checked against
        the catalog, told as ``<field>_changed``."""

        def change(work: _Work) -> None:
            employee_acting(work.uow, by, where=work.where, what=f"change its {field}")
            before = getattr(work.ticket, field)
            work.record(event(at=work.at, to=value, by=by))
            self._check_catalog(work)
            work.tell(f"{field}_changed", {"from": before, "to": value})

        return change

    def _check_catalog(self, work: _Work) -> None:
        """The catalog must accept the value just recorded (only the last event
        is judged: a history imported under an older catalog stays as it was)."""
        last = work.ticket.events[-1]
        probe = attrs.evolve(work.ticket, events=(), initial_type=None, initial_priority=None, attributes={})
        probe = attrs.evolve(probe, events=(last,))
        problems = self._config.catalogs.ticket_problems(probe)
        if problems:
            raise ValidationError(f"{work.where}: {'; '.join(problems)}")

    def set_due(
        self,
        ticket_id: str,
        *,
        resolution: datetime | None = None,
        reaction: datetime | None = None,
        rule: str | None = None,
        by: str,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Set the resolution and/or reaction deadline by hand (pauses no
        longer move it), or the SLA ``rule`` chosen by hand (one of the
        policy's rules)."""
        if resolution is None and reaction is None and rule is None:
            raise ValidationError(f"ticket {ticket_id}: set_due needs a resolution, a reaction or a rule")
        for name, value in (("resolution", resolution), ("reaction", reaction)):
            if value is not None:
                require_aware(value, f"set_due {name}")

        def change(work: _Work) -> None:
            employee_acting(work.uow, by, where=work.where, what="set its deadlines")
            if rule is not None:
                policy = sla_policy(self._config)
                if policy.applied(rule) is None:
                    known = ", ".join(policy.rule_names()) or "none configured"
                    raise ValidationError(f"{work.where}: rule: no SLA rule {rule!r} (known: {known})")
            work.record(
                SlaOverride(at=work.at, resolution_due=resolution, reaction_due=reaction, rule=rule, by=by)
            )
            work.tell(
                "due_set",
                {"resolution_due": _instant(resolution), "reaction_due": _instant(reaction), "rule": rule},
            )

        return self._change(ticket_id, by=by, at=at, expected_version=expected_version, change=change)

    def add_observer(
        self,
        ticket_id: str,
        *,
        employee: str | None = None,
        group: str | None = None,
        by: str,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Make an employee or an employee group an observer of the ticket."""
        return self._observer(
            ticket_id, True, employee, group, by=by, at=at, expected_version=expected_version
        )

    def remove_observer(
        self,
        ticket_id: str,
        *,
        employee: str | None = None,
        group: str | None = None,
        by: str,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Stop an employee or an employee group observing the ticket."""
        return self._observer(
            ticket_id, False, employee, group, by=by, at=at, expected_version=expected_version
        )

    def _observer(
        self,
        ticket_id: str,
        added: bool,
        employee: str | None,
        group: str | None,
        *,
        by: str,
        at: datetime | None,
        expected_version: int | None,
    ) -> Outcome:
        if (employee is None) == (group is None):
            raise ValidationError(f"ticket {ticket_id}: name one observer: an employee or a group")

        def change(work: _Work) -> None:
            employee_acting(work.uow, by, where=work.where, what="change its observers")
            ticket = work.ticket
            if employee is not None:
                who, current = f"employee {employee}", ticket.current_observer_employees
                if added:
                    check_observers(work.uow, (employee,), (), where=work.where)
            else:
                assert group is not None
                who, current = f"employee group {group}", ticket.current_observer_groups
                if added:
                    check_observers(work.uow, (), (group,), where=work.where)
            name = employee if employee is not None else group
            if added and name in current:
                raise ValidationError(f"{work.where}: {who} observes it already")
            if not added and name not in current:
                raise ValidationError(f"{work.where}: {who} does not observe it")
            work.record(ObserverChange(at=work.at, employee=employee, group=group, added=added, by=by))
            work.tell(
                "observer_added" if added else "observer_removed", {"employee": employee, "group": group}
            )

        return self._change(ticket_id, by=by, at=at, expected_version=expected_version, change=change)

    # -- work queues ----------------------------------------------------------------

    def queue(
        self,
        state: QueueState | None = None,
        *,
        due_before: datetime | None = None,
        assignee: str | None = None,
        company: str | None = None,
        without_responsible: bool = False,
        order: str = "due",
        limit: int = DEFAULT_QUEUE_LIMIT,
        after: QueueEntry | None = None,
        now: datetime | None = None,
    ) -> SlaQueue:
        """An agent's work list as of ``now`` (default: the desk's clock):
        tickets ``overdue`` (a target still owed is past due), ``at_risk`` or
        ``due_today`` — or every ticket owing something — sorted by the
        earliest due instant they owe, from the stored SLA states' index (see
        :mod:`helpdesk_core.sla_states.queues`); at most ``limit``, after the
        previous page's last entry ``after``. A store whose states were not
        built under this configuration is folded instead (``warnings`` says
        so; ``helpdesk sla rebuild`` refreshes it)."""
        from helpdesk_core.desk.sla_queue import read_queue

        return read_queue(
            self._store, self._config, now=self._now(now), state=state, due_before=due_before,
            assignee=assignee, company=company, without_responsible=without_responsible, order=order,
            limit=limit, after=after,
        )  # fmt: skip

    # -- the scheduler --------------------------------------------------------------

    def run_due(self, now: datetime | None = None, *, batch: int = 1) -> tuple[DueAction, ...]:
        """Apply every automatic transition and escalation due by ``now`` (see
        :mod:`helpdesk_core.desk.scheduler`); ``batch`` due tickets per unit of
        work (:func:`~helpdesk_core.desk.scheduler.run_due`)."""
        return scheduler.run_due(self, self._now(now), batch=batch)

    def next_wakeup(self) -> datetime | None:
        """When something next becomes due by itself (None: nothing ahead)."""
        return scheduler.next_wakeup(self)

    # -- retrying -------------------------------------------------------------------

    def retrying(self, operation: Callable[[], T], *, attempts: int = 5) -> T:
        """Run ``operation`` again while it raises :class:`ConflictError` (a
        concurrent writer got there first), at most ``attempts`` times in all;
        the last conflict is raised when every attempt met one. ``operation``
        must read what it needs itself (e.g. call a use case without
        ``expected_version``), so that each attempt sees the latest state."""
        if attempts < 1:
            raise ValidationError(f"retrying: attempts must be at least 1, got {attempts}")
        for attempt in range(1, attempts + 1):
            try:
                return operation()
            except ConflictError:
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    # -- helpers --------------------------------------------------------------------

    def _now(self, at: datetime | None) -> datetime:
        if at is None:
            return self._clock.now()
        require_aware(at, "at")
        return at

    # -- intake ---------------------------------------------------------------------

    def intake_form(
        self, form: WebForm | Mapping[str, Any], *, at: datetime | None = None, by: str = SYSTEM,
        dry_run: bool = False,
    ) -> FormIntake:
        """A web form registered as a ticket: :func:`helpdesk_core.desk.intake_form.intake_form`."""
        from helpdesk_core.desk.intake_form import intake_form

        return intake_form(self, form, at=at, by=by, dry_run=dry_run)


def _value(stored: Stored[T] | None) -> T | None:
    return None if stored is None else stored.value


def _earlier(at: datetime, last: datetime) -> bool:
    """``at`` before ``last`` as instants (two datetimes of one zone with DST
    would compare by their wall clocks)."""
    return at.astimezone(UTC) < last.astimezone(UTC)


def _overdue(row: SlaRow) -> bool:
    as_of = row.as_of
    late_reaction = row.reaction_due is not None and row.reacted_at is None and as_of > row.reaction_due
    late_resolution = (
        row.resolution_due is not None and row.resolved_at is None and as_of > row.resolution_due
    )
    return late_reaction or late_resolution


__all__ = ["Desk", "DeskOutbox"]
