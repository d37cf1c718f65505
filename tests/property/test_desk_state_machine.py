"""Random sequences of the desk's use cases on the memory store, with the
invariants a help desk's users rely on checked after every step.

The machine registers tickets (valid ones and ones that must be refused),
comments (public, private, from the contact, from the wrong person), moves
tickets to random statuses (allowed, refused, postponed with or without an
until-time), assigns (active, deactivated and unknown employees, a group,
nobody), changes priority and type (known and unknown), sets deadlines, adds
and removes observers, lets the contact reply, confirm or reopen, dates some
use cases before the ticket's last event, and runs the scheduler while a
:class:`FixedClock` moves forward by minutes to days (so auto-close after 48 h
and postponed-until both come due).

After every step:

* every history is chronological and could have happened
  (``workflow.check_history``: each move is an edge of the graph or one the
  automation explains);
* a successful use case bumps its ticket's version by exactly one and stores
  what it returned; a refused one raises a ``HelpdeskError`` and leaves the
  store as it was (tickets, versions and out-box);
* the moves the machine can predict are accepted or refused as predicted
  (a move is judged against the ticket *after* what was due at its instant);
* the out-box holds exactly the domain events of the committed use cases and
  of the scheduler, in order, at positions 1, 2, 3, … (the machine keeps its
  own copy);
* every ticket's schedule entry is fresh and wakes at the workflow's next
  automatic move (no SLA is configured), so ``run_due`` will find it; a
  refused use case leaves the schedule as it was;
* after ``run_due(now)`` nothing is left due at ``now`` and a second
  ``run_due(now)`` does nothing.

Runtime is bounded: 50 sequences of up to 30 steps, a few seconds
(``DESK_MACHINE_EXAMPLES=500`` for a longer hunt). Under CI (the ``CI``
environment variable) the ``ci`` profile of ``tests/conftest.py`` applies:
derandomized, the same sequences on every run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from helpdesk_core.config import Configuration, configuration_from_mapping
from helpdesk_core.desk import Desk, FixedClock, Outcome
from helpdesk_core.errors import ConflictError, HelpdeskError
from helpdesk_core.model.domain_events import DomainEvent, ScheduleEntry
from helpdesk_core.model.parties import Company, Contact
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import Assignee, StatusChange, Ticket
from helpdesk_core.storage import open_store
from helpdesk_core.workflow import StatusCategory, apply_due, check_history, next_wakeup

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CONFIG: Configuration = configuration_from_mapping(
    {
        "workflow": {"preset": "default", "automation": {"auto_close_after": "48h"}},
        "catalog": {
            "ticket_types": [{"id": "incident", "name": "Incident"}, {"id": "request", "name": "Request"}],
            "priorities": [
                {"id": "low", "name": "Low", "order": 1, "colour": "#8fbc8f"},
                {"id": "normal", "name": "Normal", "order": 2, "colour": "#4682b4"},
                {"id": "high", "name": "High", "order": 3, "colour": "#ff8c00"},
            ],
        },
    },
    source="test_desk_state_machine",
)
GRAPH = CONFIG.graph
POLICY = CONFIG.automation

ACTIVE = ("E-1", "E-2")
DEACTIVATED = "E-9"
UNKNOWN = "E-404"
GROUP = "G-1"
CONTACT = "P-1"
OTHER_CONTACT = "P-2"
STATUSES = st.sampled_from((*GRAPH.ids, "nowhere"))
TYPES = st.sampled_from(("incident", "request", "nonsense"))
PRIORITIES = st.sampled_from(("low", "normal", "high", "urgent-ish"))
GAPS = st.one_of(
    st.integers(min_value=0, max_value=90),
    st.integers(min_value=0, max_value=4 * 24 * 60),
).map(lambda m: timedelta(minutes=m))
UNTIL_MINUTES = st.integers(min_value=-120, max_value=3 * 24 * 60)
UNTIL = st.one_of(st.none(), st.none(), UNTIL_MINUTES)


def _active(actor: str) -> bool:
    return actor in ACTIVE


Snapshot = tuple[dict[str, tuple[Ticket, int]], int]


class DeskMachine(RuleBasedStateMachine):
    """The desk on a memory store, with the machine's own record of what it should hold."""

    desk: Desk
    clock: FixedClock
    versions: dict[str, int]
    mirror: list[DomainEvent]

    @initialize()
    def open_desk(self) -> None:
        store = open_store("memory://")
        with store.unit_of_work() as uow:
            for id in ACTIVE:
                uow.employees.add(
                    Employee(id=id, first_name="Agent", last_name=id, email=f"{id}@desk.example")
                )
            uow.employees.add(
                Employee(id=DEACTIVATED, first_name="Gone", email="gone@desk.example", active=False)
            )
            uow.employee_groups.add(EmployeeGroup(id=GROUP, name="First line", members=set(ACTIVE)))
            uow.companies.add(Company(id="C-1", name="Kavárna s.r.o."))
            uow.companies.add(Company(id="C-2", name="Pekárna a.s."))
            uow.contacts.add(Contact(id=CONTACT, first_name="Jana", company="C-1"))
            uow.contacts.add(Contact(id=OTHER_CONTACT, first_name="Petr", company="C-2"))
            uow.commit()
        self.clock = FixedClock(START)
        self.desk = Desk(store, CONFIG, self.clock)
        self.versions = {}
        self.mirror = []
        for subject in ("Printer jams", "VPN drops"):
            self._attempt(
                None,
                partial(self.desk.register_ticket, subject=subject, by="E-1", contact=CONTACT, company="C-1"),
                refused=False,
                what="register",
            )

    # -- helpers ------------------------------------------------------------------------

    def _snapshot(self) -> Snapshot:
        store = self.desk.store
        tickets = {s.value.id: (s.value, s.version) for s in store.tickets.iter_tickets()}
        return tickets, store.outbox.last_position()

    def _schedule(self) -> dict[str, ScheduleEntry | None]:
        return {id: self.desk.store.schedule.find(id) for id in self.versions}

    def _attempt(
        self, ticket: str | None, call: Callable[[], Outcome], *, refused: bool | None, what: str
    ) -> Outcome | None:
        """Run one use case. ``refused``: what the machine predicts (None: no prediction)."""
        before = self._snapshot()
        schedule = self._schedule()
        try:
            outcome = call()
        except ConflictError:
            raise  # one writer only: a conflict is a bug
        except HelpdeskError as error:
            assert self._snapshot() == before, f"{what} was refused ({error}) but stored something"
            assert self._schedule() == schedule, f"{what} was refused ({error}) but changed the schedule"
            assert refused is not False, f"{what} was refused: {error}"
            event(f"{what}: refused")
            return None
        assert refused is not True, f"{what} should have been refused; stored {outcome.events}"
        event(f"{what}: done")
        tickets, last = self._snapshot()
        stored, version = tickets[outcome.ticket.id]
        assert (stored, version) == (outcome.ticket, outcome.version), (
            f"{what}: outcome is not what is stored"
        )
        if outcome.follow_up_of is None:
            assert ticket is None or outcome.ticket.id == ticket
            expected = 1 if ticket is None else self.versions[ticket] + 1
            assert version == expected, f"{what}: version {version}, expected {expected}"
        else:
            # a reply to a closed ticket: a new ticket linked to it; the closed one
            # only gains what was due by the reply's instant (an auto-close)
            assert outcome.follow_up_of == ticket and version == 1
            assert outcome.ticket.id not in self.versions
            old_ticket, old_version = before[0][ticket]
            closed, closed_version = tickets[ticket]
            grew = closed.events[len(old_ticket.events) :]
            assert closed.events[: len(old_ticket.events)] == old_ticket.events
            assert all(isinstance(e, StatusChange) and e.by == "system" for e in grew), grew
            assert closed_version == old_version + (1 if grew else 0)
            self.versions[ticket] = closed_version
            event("follow-up ticket")
        for id, other in tickets.items():
            if id not in (outcome.ticket.id, outcome.follow_up_of) and id in self.versions:
                assert other == before[0][id], f"{what} changed ticket {id} too"
        self.versions[outcome.ticket.id] = version
        assert last == before[1] + len(outcome.events), f"{what}: out-box grew by {last - before[1]}"
        assert outcome.events, f"{what} reported no domain event"
        assert {e.ticket for e in outcome.events} <= {outcome.ticket.id, outcome.follow_up_of}
        self.mirror.extend(outcome.events)
        return outcome

    def _pick(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(sorted(self.versions)), label="ticket")

    def _ticket(self, id: str) -> Ticket:
        return self.desk.get(id).value

    def _at(self, data: st.DataObject, ticket: str) -> tuple[datetime | None, bool]:
        """Mostly the clock's now (``at=None``); sometimes an instant before the
        ticket's last event, which must be refused."""
        if data.draw(st.integers(0, 9), label="backdated") == 0:
            return self._ticket(ticket).updated_at - timedelta(minutes=1), True
        return None, False

    # -- the clock ----------------------------------------------------------------------

    @rule(gap=GAPS)
    def time_passes(self, gap: timedelta) -> None:
        self.clock.advance(gap)

    # -- use cases ----------------------------------------------------------------------

    @rule(
        by=st.one_of(st.sampled_from(ACTIVE), st.sampled_from((*ACTIVE, DEACTIVATED, UNKNOWN, "system"))),
        type=st.one_of(st.none(), st.none(), TYPES),
        priority=st.one_of(st.none(), st.none(), PRIORITIES),
        assignee=st.one_of(
            st.sampled_from((None, "E-1", GROUP)), st.sampled_from((DEACTIVATED, UNKNOWN, "G-404"))
        ),
        company=st.sampled_from(("C-1", "C-1", "C-2", None)),
        observer=st.sampled_from(((), ("E-2",))),
        gap=GAPS,
    )
    def register(
        self,
        by: str,
        type: str | None,
        priority: str | None,
        assignee: str | None,
        company: str | None,
        observer: tuple[str, ...],
        gap: timedelta,
    ) -> None:
        self.clock.advance(gap)
        who = None if assignee is None else Assignee(id=assignee, group=assignee.startswith("G-"))
        refused = (
            by in (DEACTIVATED, UNKNOWN)
            or type == "nonsense"
            or priority == "urgent-ish"
            or assignee in (DEACTIVATED, UNKNOWN, "G-404")
            or company == "C-2"  # Jana works for C-1
        )
        self._attempt(
            None,
            lambda: self.desk.register_ticket(
                subject="Printer jams",
                by=by,
                type=type,
                priority=priority,
                company=company,
                contact=CONTACT,
                assignee=who,
                observer_employees=observer,
                channel="email",
            ),
            refused=refused,
            what="register",
        )

    @rule(
        data=st.data(),
        who=st.one_of(
            st.sampled_from(("E-1", "E-2", CONTACT)),
            st.sampled_from(("E-1", "E-2", DEACTIVATED, UNKNOWN, CONTACT, OTHER_CONTACT)),
        ),
        author=st.sampled_from(("employee", "contact")),
        public=st.booleans(),
        gap=GAPS,
    )
    def comment(self, data: st.DataObject, who: str, author: str, public: bool, gap: timedelta) -> None:
        self.clock.advance(gap)
        ticket = self._pick(data)
        at, backdated = self._at(data, ticket)
        mentions = ("E-2",) if who == "E-1" and public else ()
        allowed = _active(who) if author == "employee" else who == CONTACT and public
        outcome = self._attempt(
            ticket,
            lambda: self.desk.comment(
                ticket,
                body=f"{author} {who} says hi",
                author=author,  # type: ignore[arg-type]
                public=public,
                by=who,
                at=at,
                mentions=mentions,
            ),
            refused=backdated or not allowed,
            what=f"comment by {author}",
        )
        if outcome is not None and outcome.follow_up_of is None:
            kinds = [e.kind for e in outcome.events]
            assert "comment_added" in kinds
            assert kinds.count("mentioned") == len(mentions)

    @rule(data=st.data(), by=st.sampled_from(("E-1", "E-2", "E-1", DEACTIVATED, CONTACT)), gap=GAPS)
    def transition(self, data: st.DataObject, by: str, gap: timedelta) -> None:
        self.clock.advance(gap)
        ticket = self._pick(data)
        at, backdated = self._at(data, ticket)
        now = self.clock.now()
        current = apply_due(self._ticket(ticket), now, POLICY, GRAPH)
        # mostly edges of the graph from where the ticket is by now, so that runs go somewhere
        edges = sorted(GRAPH.targets(current.status))
        likely = st.sampled_from(edges) if edges else STATUSES
        to = data.draw(st.one_of(likely, likely, STATUSES), label="to")
        needs_until = GRAPH.knows(to) and GRAPH.status(to).requires_until
        until = data.draw(
            st.one_of(UNTIL_MINUTES, UNTIL_MINUTES, st.none()) if needs_until else UNTIL, label="until"
        )
        until_at = None if until is None else now + timedelta(minutes=until)
        allowed = (
            _active(by)
            and GRAPH.knows(to)
            and GRAPH.allows(current.status, to)
            and (
                until_at is not None and until_at >= now
                if GRAPH.status(to).requires_until
                else until_at is None
            )
        )
        outcome = self._attempt(
            ticket,
            lambda: self.desk.transition(ticket, to, by=by, at=at, until=until_at),
            refused=backdated or not allowed,
            what="transition",
        )
        if outcome is not None:
            assert outcome.ticket.status == to
            last = outcome.ticket.events[-1]
            assert isinstance(last, StatusChange) and last.to == to and last.by == by
            assert any(e.kind == "status_changed" and e.data.get("to") == to for e in outcome.events)

    @rule(data=st.data(), gap=GAPS, hours=st.integers(min_value=0, max_value=72))
    def agent_works(self, data: st.DataObject, gap: timedelta, hours: int) -> None:
        """An allowed move by an active employee (postponed for ``hours``):
        what keeps tickets going towards resolved, postponed and closed."""
        self.clock.advance(gap)
        ticket = self._pick(data)
        now = self.clock.now()
        current = apply_due(self._ticket(ticket), now, POLICY, GRAPH)
        edges = sorted(GRAPH.targets(current.status))
        if not edges:
            return
        to = data.draw(st.sampled_from(edges), label="to")
        until = now + timedelta(hours=hours) if GRAPH.status(to).requires_until else None
        outcome = self._attempt(
            ticket,
            lambda: self.desk.transition(ticket, to, by="E-2", until=until),
            refused=False,
            what="agent moves",
        )
        assert outcome is not None and outcome.ticket.status == to

    @rule(data=st.data(), to=st.sampled_from(("E-1", "E-2", DEACTIVATED, UNKNOWN, GROUP, None)), gap=GAPS)
    def assign(self, data: st.DataObject, to: str | None, gap: timedelta) -> None:
        self.clock.advance(gap)
        ticket = self._pick(data)
        at, backdated = self._at(data, ticket)
        who = None if to is None else Assignee(id=to, group=to.startswith("G-"))
        outcome = self._attempt(
            ticket,
            lambda: self.desk.assign(ticket, who, by="E-1", at=at),
            refused=True if backdated or to in (DEACTIVATED, UNKNOWN) else None,
            what="assign",
        )
        if outcome is not None:
            assert outcome.ticket.assignee == who

    @rule(data=st.data(), priority=PRIORITIES, type=TYPES, which=st.booleans(), gap=GAPS)
    def priority_or_type(
        self, data: st.DataObject, priority: str, type: str, which: bool, gap: timedelta
    ) -> None:
        self.clock.advance(gap)
        ticket = self._pick(data)
        at, backdated = self._at(data, ticket)
        if which:
            outcome = self._attempt(
                ticket,
                lambda: self.desk.change_priority(ticket, priority, by="E-2", at=at),
                refused=True if backdated or priority == "urgent-ish" else None,
                what="change_priority",
            )
            if outcome is not None:
                assert outcome.ticket.priority == priority
        else:
            outcome = self._attempt(
                ticket,
                lambda: self.desk.change_type(ticket, type, by="E-2", at=at),
                refused=True if backdated or type == "nonsense" else None,
                what="change_type",
            )
            if outcome is not None:
                assert outcome.ticket.type == type

    @rule(data=st.data(), hours=st.integers(min_value=1, max_value=72), gap=GAPS)
    def set_due(self, data: st.DataObject, hours: int, gap: timedelta) -> None:
        self.clock.advance(gap)
        ticket = self._pick(data)
        at, backdated = self._at(data, ticket)
        due = self.clock.now() + timedelta(hours=hours)
        self._attempt(
            ticket,
            lambda: self.desk.set_due(ticket, resolution=due, by="E-1", at=at),
            refused=True if backdated else None,
            what="set_due",
        )

    @rule(
        data=st.data(),
        add=st.booleans(),
        employee=st.sampled_from(("E-1", "E-2", UNKNOWN, None)),
        gap=GAPS,
    )
    def observers(self, data: st.DataObject, add: bool, employee: str | None, gap: timedelta) -> None:
        self.clock.advance(gap)
        ticket = self._pick(data)
        at, backdated = self._at(data, ticket)
        group = GROUP if employee is None else None
        change = self.desk.add_observer if add else self.desk.remove_observer
        self._attempt(
            ticket,
            lambda: change(ticket, employee=employee, group=group, by="E-1", at=at),
            refused=True if backdated or (add and employee == UNKNOWN) else None,
            what="add_observer" if add else "remove_observer",
        )

    @rule(data=st.data(), who=st.sampled_from((CONTACT, CONTACT, OTHER_CONTACT, "E-1")), gap=GAPS)
    def customer_reply(self, data: st.DataObject, who: str, gap: timedelta) -> None:
        self.clock.advance(gap)
        ticket = self._pick(data)
        at, backdated = self._at(data, ticket)
        before = self._ticket(ticket)
        outcome = self._attempt(
            ticket,
            lambda: self.desk.customer_reply(ticket, body="still broken", by=who, at=at),
            refused=backdated or who != CONTACT,
            what="customer_reply",
        )
        if outcome is None:
            return
        current = apply_due(before, self.clock.now(), POLICY, GRAPH)
        if GRAPH.category(current.status) is StatusCategory.CLOSED:
            assert outcome.follow_up_of == ticket, (
                "a reply to a closed ticket (no reopen window) is a follow-up"
            )
        else:
            assert outcome.follow_up_of is None
            assert outcome.ticket.comments[-1].body == "still broken"

    @rule(
        data=st.data(),
        confirm=st.booleans(),
        who=st.sampled_from((CONTACT, CONTACT, OTHER_CONTACT)),
        gap=GAPS,
    )
    def confirm_or_reopen(self, data: st.DataObject, confirm: bool, who: str, gap: timedelta) -> None:
        self.clock.advance(gap)
        ticket = self._pick(data)
        current = apply_due(self._ticket(ticket), self.clock.now(), POLICY, GRAPH)
        resolved = GRAPH.category(current.status) is StatusCategory.RESOLVED
        use_case = self.desk.confirm if confirm else self.desk.reopen
        outcome = self._attempt(
            ticket,
            lambda: use_case(ticket, by=who),
            refused=not (resolved and who == CONTACT),
            what="confirm" if confirm else "reopen",
        )
        if outcome is not None:
            expected = StatusCategory.CLOSED if confirm else StatusCategory.OPEN
            assert GRAPH.category(outcome.ticket.status) is expected

    # -- the scheduler ------------------------------------------------------------------

    @rule(gap=GAPS)
    def run_due(self, gap: timedelta) -> None:
        self.clock.advance(gap)
        now = self.clock.now()
        before, last = self._snapshot()
        actions = self.desk.run_due(now)
        after, last_after = self._snapshot()
        new_entries = self.desk.store.outbox.entries(after=last, limit=10_000)
        assert [e.position for e in new_entries] == list(range(last + 1, last_after + 1))
        changed = set()
        for id, (ticket, version) in after.items():
            if id not in before:  # a follow-up the scheduler registered
                self.versions[id] = version
                continue
            old_ticket, old_version = before[id]
            grew = ticket.events[len(old_ticket.events) :]
            assert ticket.events[: len(old_ticket.events)] == old_ticket.events, "history rewritten"
            assert version == old_version + (1 if grew else 0), f"{id}: version {old_version} → {version}"
            assert all(isinstance(e, StatusChange) and e.by == "system" for e in grew)
            if grew:
                changed.add(id)
            self.versions[id] = version
            assert apply_due(ticket, now, POLICY, GRAPH) == ticket, f"{id}: still due after run_due"
        moved = {e.event.ticket for e in new_entries if e.event.kind == "status_changed"}
        assert moved == changed, f"status_changed events for {moved}, histories changed {changed}"
        assert {a.ticket for a in actions if a.action == "status"} == changed
        event(f"run_due moved {min(len(changed), 2)}+ tickets")
        self.mirror.extend(e.event for e in new_entries)
        assert self.desk.run_due(now) == (), "a second run_due at the same instant did something"
        assert self._snapshot() == (after, last_after)
        wakeup = self.desk.next_wakeup()
        assert wakeup is None or wakeup > now

    # -- what always holds --------------------------------------------------------------

    @invariant()
    def histories_are_chronological_and_possible(self) -> None:
        if not hasattr(self, "desk"):
            return
        for stored in self.desk.store.tickets.iter_tickets():
            ticket = stored.value
            instants = [ticket.created_at, *(e.at for e in ticket.events)]
            assert instants == sorted(instants), f"{ticket.id}: history out of order"
            check_history(ticket, GRAPH, policy=POLICY)
            assert self.versions.get(ticket.id) == stored.version, f"{ticket.id}: version drifted"

    @invariant()
    def every_ticket_wakes_when_its_next_automatic_move_is_due(self) -> None:
        """The schedule index run_due relies on: no SLA is configured, so a
        ticket's wake-up is the workflow's next automatic move."""
        if not hasattr(self, "desk"):
            return
        for stored in self.desk.store.tickets.iter_tickets():
            entry = self.desk.store.schedule.find(stored.value.id)
            assert entry is not None and not entry.stale, f"{stored.value.id}: schedule entry {entry}"
            assert entry.wake_at == next_wakeup(stored.value, POLICY, GRAPH), f"{stored.value.id}: {entry}"

    @invariant()
    def outbox_holds_exactly_the_committed_events(self) -> None:
        if not hasattr(self, "desk"):
            return
        entries = self.desk.store.outbox.entries(after=0, limit=100_000)
        assert [e.position for e in entries] == list(range(1, len(entries) + 1))
        assert [e.event for e in entries] == self.mirror


_EXAMPLES = int(os.environ.get("DESK_MACHINE_EXAMPLES", "50"))
TestDeskMachine = DeskMachine.TestCase
TestDeskMachine.settings = settings(
    max_examples=_EXAMPLES,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
