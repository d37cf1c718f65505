"""``explain_routing`` / ``explain_facts`` (why a ticket has its owner) and
``replay_routing`` (a backtest of a routing change) over a stored desk."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpdesk_core.config import Configuration, parse_configuration
from helpdesk_core.desk import Desk, FixedClock
from helpdesk_core.desk.routing_explain import explain_facts, explain_routing
from helpdesk_core.desk.routing_replay import replay_routing
from helpdesk_core.desk.routing_sources import ticket_routing_facts
from helpdesk_core.errors import NotFound, ValidationError
from helpdesk_core.model.parties import Company, Contact
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import Assignee, Assignment, Ticket
from helpdesk_core.routing import Link, StaffSnapshot, routing_assignment
from helpdesk_core.routing.router import route
from helpdesk_core.serialization import routing_explanation_to_json, routing_replay_to_json
from helpdesk_core.storage import Store, open_store

PRAGUE = ZoneInfo("Europe/Prague")
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=PRAGUE)

CALENDAR = """
[[calendars]]
name = "office"
tz = "Europe/Prague"
week = { mon = [["09:00", "17:00"]], tue = [["09:00", "17:00"]], wed = [["09:00", "17:00"]],
         thu = [["09:00", "17:00"]], fri = [["09:00", "17:00"]] }
"""

TABLE = CALENDAR + """
[routing]
default_assignee = "E-1"
observer_groups = ["G-field"]

[[routing.rules]]
name = "Night outages"
when = { type = ["outage"], registered_outside_hours = "office" }
assignee = "E-2"

[[routing.rules]]
name = "Outages"
when = { type = ["outage"] }
assignee = { group = "G-field" }
strategy = "round_robin"
"""

CHANGED = CALENDAR + """
[routing]
default_assignee = "E-1"
observer_groups = ["G-field"]

[[routing.rules]]
name = "Outages"
when = { type = ["outage"] }
assignee = "E-5"

[[routing.rules]]
name = "Questions"
when = { type = ["question"] }
assignee = "E-2"
"""


def config(text: str = TABLE, source: str = "helpdesk.toml") -> Configuration:
    return parse_configuration(text, source=source)


@pytest.fixture
def store() -> Store:
    store = open_store("memory://")
    with store.unit_of_work() as uow:
        for number in range(1, 6):
            uow.employees.add(Employee(id=f"E-{number}", first_name=f"Agent {number}", email=f"e{number}@desk.example"))
        uow.employee_groups.add(EmployeeGroup(id="G-field", name="Field", members=["E-3", "E-4", "E-5"]))
        uow.companies.add(Company(id="C-1", name="Cafe", responsible=Assignee(id="E-4")))
        uow.contacts.add(Contact(id="P-1", first_name="Jana", company="C-1"))
        uow.commit()
    return store


def registered(
    store: Store,
    conf: Configuration,
    ticket_id: str,
    at: datetime,
    *,
    routed: bool = True,
    assignee: Assignee | None = None,
    **fields: Any,
) -> None:
    """A ticket registered by the desk (routed without ``assignee``, else
    given ``assignee`` by hand), or with ``routed=False`` stored as an
    import stores it (no routing at all)."""
    if routed or assignee is not None:
        Desk(store, conf, FixedClock(at)).register_ticket(
            id=ticket_id, subject="Help", by="system", at=at, assignee=assignee, **fields
        )
        return
    with store.unit_of_work() as uow:
        uow.tickets.add(Ticket.register(id=ticket_id, subject="Help", created_at=at, **fields))
        uow.commit()


# explain ------------------------------------------------------------------------------------------


def test_a_ticket_routed_by_a_rule_is_explained_from_its_history(store: Store) -> None:
    conf = config()
    registered(store, conf, "T-1", MONDAY_10, type="outage")
    explanation = explain_routing(store, conf, "T-1")
    assert explanation.recorded
    assert explanation.decision.rule == "Outages"
    assert explanation.decision.assignee == Assignee(id="E-3")  # round robin: the first member
    assert not explanation.under_another_configuration
    lines = explanation.lines()
    assert lines[0] == f"ticket T-1 was routed at {MONDAY_10.isoformat()} under configuration {conf.routing.fingerprint}"
    assert "'Night outages' does not match: " in lines[1]
    assert "'Outages' matches" in lines
    assert "assignee: employee E-3" in lines
    assert lines[-1] == "the routing configuration in force now is the same"


def test_a_changed_configuration_keeps_the_recorded_decision_and_says_so(store: Store) -> None:
    registered(store, config(), "T-1", MONDAY_10, type="outage")
    now = config(CHANGED)
    explanation = explain_routing(store, now, "T-1")
    assert explanation.decision.assignee == Assignee(id="E-3")  # history, not today's E-5
    assert explanation.under_another_configuration
    assert explanation.lines()[-1] == (
        "decided under another configuration: the routing configuration in force now is "
        f"{now.routing.fingerprint}"
    )
    data = routing_explanation_to_json(explanation)
    assert data["ticket"] == "T-1" and data["recorded"] is True
    assert data["assignee"] == "E-3" and data["rule"] == "Outages"
    assert data["fingerprint"] == config().routing.fingerprint != data["current_fingerprint"]
    assert data["current_fingerprint"] == now.routing.fingerprint
    assert data["under_another_configuration"] is True
    json.dumps(data)


def test_a_ticket_routed_by_the_owner_chain(store: Store) -> None:
    conf = config()
    registered(store, conf, "T-1", MONDAY_10, type="question", company="C-1", contact="P-1")
    explanation = explain_routing(store, conf, "T-1")
    assert explanation.decision.decided_by is Link.COMPANY
    assert explanation.decision.assignee == Assignee(id="E-4")
    assert "no rule matches: the owner chain decides" in explanation.lines()
    assert "company: the company's responsible is employee E-4" in explanation.lines()


def test_a_recorded_fault_is_explained(store: Store) -> None:
    conf = config()
    ticket = Ticket.register(id="T-1", subject="Help", created_at=MONDAY_10, type="outage")
    no_calendars = StaffSnapshot.of([Employee(id="E-1", first_name="Eva", email="e1@desk.example")])
    decision = route(
        ticket_routing_facts(store, conf, ticket), MONDAY_10,
        table=conf.routing.table, settings=conf.routing.settings, staff=no_calendars,
    )
    assert decision.fault is not None
    with store.unit_of_work() as uow:
        uow.tickets.add(ticket.with_event(routing_assignment(decision)))
        uow.commit()
    lines = explain_routing(store, conf, "T-1").lines()
    assert any(line.startswith("'Night outages' cannot be evaluated: ") for line in lines), lines
    assert "the table stopped at the fault in 'Night outages': the owner chain decides" in lines
    assert "assignee: employee E-1" in lines


def test_a_ticket_assigned_by_hand_says_so_and_shows_todays_answer(store: Store) -> None:
    conf = config()
    registered(store, conf, "T-1", MONDAY_10, routed=False, assignee=Assignee(id="E-2"), type="outage")
    explanation = explain_routing(store, conf, "T-1")
    assert not explanation.recorded and not explanation.under_another_configuration
    assert explanation.owner == Assignee(id="E-2")
    assert explanation.decision.assignee == Assignee(id="E-3")
    lines = explanation.lines()
    assert lines[0] == "ticket T-1 was not routed: employee E-2 was made responsible by hand or by an import"
    assert lines[1].startswith("today's answer, not history: ")
    data = routing_explanation_to_json(explanation)
    assert data["recorded"] is False and data["owner"] == "E-2" and data["assignee"] == "E-3"


def test_an_unknown_ticket_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="'T-404'") as caught:
        explain_routing(store, config(), "T-404")
    assert caught.value.exit_code == 3


def test_facts_of_a_ticket_not_registered_yet(store: Store) -> None:
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=PRAGUE)
    explanation = explain_facts(store, config(), {"type": "outage"}, saturday)
    assert explanation.ticket is None and not explanation.recorded
    assert explanation.decision.rule == "Night outages"
    assert explanation.decision.assignee == Assignee(id="E-2")
    assert explanation.lines()[0].startswith(f"facts routed at {saturday.isoformat()} under the configuration")
    weekday = explain_facts(store, config(), {"type": "outage", "registered_at": MONDAY_10.isoformat()}, saturday)
    assert weekday.decision.rule == "Outages"
    assert routing_explanation_to_json(weekday)["ticket"] is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"typ": "outage"}, r"routing facts\.typ: unknown key .*did you mean 'type'\?"),
        ({"registered_at": "monday"}, r"routing facts: .*registered_at"),
        ({"customer_groups": 3}, r"routing facts: customer_groups: expected a list of texts"),
        ({"attributes": [1]}, r"routing facts: attributes: expected a JSON object, got \[1\]"),
        (["outage"], r"routing facts: expected a JSON object, got list"),
    ],
)
def test_bad_facts_name_the_field(store: Store, data: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        explain_facts(store, config(), data, MONDAY_10)


# replay -------------------------------------------------------------------------------------------


def test_a_replay_counts_who_changes_owner_and_to_whom(store: Store) -> None:
    conf = config()
    registered(store, conf, "T-1", MONDAY_10, type="outage")  # E-3 (round robin)
    registered(store, conf, "T-2", MONDAY_10 + timedelta(minutes=1), type="outage")  # E-4
    registered(store, conf, "T-3", MONDAY_10 + timedelta(minutes=2), type="outage")  # E-5
    registered(store, conf, "T-4", MONDAY_10 + timedelta(minutes=3), type="question")  # E-1 (default)
    registered(store, conf, "T-5", MONDAY_10 + timedelta(minutes=4), routed=False,
               assignee=Assignee(id="E-2"), type="question")  # by hand
    replay = replay_routing(store, conf, proposed=config(CHANGED, source="proposed.toml"), limit=1)
    assert (replay.examined, replay.unchanged, replay.changed, replay.routed_then) == (5, 2, 3, 4)
    moves = {(m.owner_then, m.owner_now): m.tickets for m in replay.moves}
    assert moves == {
        (Assignee(id="E-3"), Assignee(id="E-5")): 1,
        (Assignee(id="E-4"), Assignee(id="E-5")): 1,
        (Assignee(id="E-1"), Assignee(id="E-2")): 1,
    }
    deciders = {(d.decided_by, d.rule): (d.tickets, d.changed) for d in replay.deciders}
    assert deciders == {(Link.RULE, "Outages"): (3, 2), (Link.RULE, "Questions"): (2, 1)}
    assert replay.deciders[0].rule == "Outages"  # most tickets first
    assert [t.ticket for t in replay.changed_tickets] == ["T-1"]  # --limit 1
    lines = replay.lines()
    assert lines[0].startswith("routing replay under proposed.toml (")
    assert lines[1].startswith("note: load is today's")
    assert lines[2] == ("examined 5 tickets (4 routed at registration, 1 not): 2 keep their owner, "
                        "3 would change owner")
    assert "tickets that would change owner (the first 1 of 3):" in lines
    assert "  T-1  2026-03-02T10:00:00+01:00  employee E-3 -> employee E-5  (rule 'Outages')" in lines
    data = routing_replay_to_json(replay)
    assert data["changed"] == 3 and data["fingerprint"] == config(CHANGED).routing.fingerprint
    assert data["moves"][0]["tickets"] == 1 and data["deciders"][0]["label"] == "rule 'Outages'"
    json.dumps(data)


def test_an_unchanged_table_changes_nobody(store: Store) -> None:
    conf = config()
    for n in range(4):  # round robin in registration order: the replay's simulation agrees
        registered(store, conf, f"T-{n}", MONDAY_10 + timedelta(minutes=n), type="outage")
    replay = replay_routing(store, conf)
    assert (replay.examined, replay.changed, replay.source) == (4, 0, "helpdesk.toml")
    assert [t.owner_now for t in replay.changed_tickets] == []


def test_round_robin_is_simulated_from_no_cursor_in_registration_order(store: Store) -> None:
    conf = config()
    for n in range(5):  # assigned by hand to E-3, all of them
        registered(store, conf, f"T-{n}", MONDAY_10 + timedelta(minutes=n), routed=False,
                   assignee=Assignee(id="E-3"), type="outage")
    with store.unit_of_work() as uow:  # today's cursor is not where a replay starts
        uow.settings.put("routing.cursor.G-field", "E-4", expected=None)
        uow.commit()
    replay = replay_routing(store, conf)
    assert [t.owner_now for t in replay.changed_tickets] == [Assignee(id="E-4"), Assignee(id="E-5"), Assignee(id="E-4")]
    assert [t.ticket for t in replay.changed_tickets] == ["T-1", "T-2", "T-4"]  # E-3 for T-0 and T-3


def test_a_range_replays_only_the_tickets_registered_in_it(store: Store) -> None:
    conf = config()
    for day in range(5):
        registered(store, conf, f"T-{day}", MONDAY_10 + timedelta(days=day), routed=False, type="question")
    start, end = MONDAY_10 + timedelta(days=1), MONDAY_10 + timedelta(days=3)
    replay = replay_routing(store, conf, registered_from=start, registered_before=end)
    assert replay.examined == 2
    assert [t.ticket for t in replay.changed_tickets] == ["T-1", "T-2"]  # nobody then -> E-1 now
    assert replay.lines()[0].endswith(f"from {start.isoformat()} to before {end.isoformat()}")
    with pytest.raises(ValidationError, match="the range is empty"):
        replay_routing(store, conf, registered_from=end, registered_before=start)


def test_the_first_owner_of_an_imported_ticket_is_its_assign_event_at_registration(store: Store) -> None:
    conf = config()
    ticket = Ticket.register(id="T-1", subject="Help", created_at=MONDAY_10, type="question")
    ticket = ticket.with_event(Assignment(at=MONDAY_10, to="E-1", by="E-2"))
    ticket = ticket.with_event(Assignment(at=MONDAY_10 + timedelta(hours=1), to="E-5", by="E-2"))
    with store.unit_of_work() as uow:
        uow.tickets.add(ticket)
        uow.commit()
    replay = replay_routing(store, conf)
    assert (replay.examined, replay.unchanged) == (1, 1)  # E-1 then and now; E-5 came later
    assert explain_routing(store, conf, "T-1").owner == Assignee(id="E-1")



def test_a_ticket_routing_gave_nobody_says_it_was_registered_without_an_owner(store: Store) -> None:
    nobody = config(CALENDAR)  # no table, no default assignee, no responsibles: nothing recorded
    registered(store, nobody, "T-1", MONDAY_10, type="question")
    explanation = explain_routing(store, config(), "T-1")
    assert not explanation.recorded and explanation.owner is None
    assert explanation.lines()[0] == (
        "ticket T-1 has no routing decision recorded: it was registered without an owner "
        "(routing named nobody, or an import left it so)"
    )
    assert explanation.decision.assignee == Assignee(id="E-1")  # today's table has a default assignee


def test_a_replay_streams_from_the_start_of_the_range_and_stops_at_its_end(store: Store) -> None:
    conf = config()
    for day in range(6):
        registered(store, conf, f"T-{day}", MONDAY_10 + timedelta(days=day), routed=False, type="question")
    streamed: list[str] = []
    reader = store.tickets

    class CountingTickets:
        def __getattr__(self, name: str) -> Any:
            return getattr(reader, name)

        def iter_tickets(self, **bounds: Any) -> Any:
            for stored in reader.iter_tickets(**bounds):
                streamed.append(stored.value.id)
                yield stored

    class Sources:
        def __getattr__(self, name: str) -> Any:
            return CountingTickets() if name == "tickets" else getattr(store, name)

    replay = replay_routing(Sources(), conf, registered_from=MONDAY_10 + timedelta(days=2),
                            registered_before=MONDAY_10 + timedelta(days=4))
    assert replay.examined == 2
    assert streamed == ["T-2", "T-3", "T-4"]  # T-4 ends the range: nothing later is read


def test_a_damaged_recorded_decision_names_the_ticket(store: Store) -> None:
    ticket = Ticket.register(id="T-1", subject="Help", created_at=MONDAY_10)
    damaged = Assignment(at=MONDAY_10, to="E-1", by="system", extra={"routing": {"decided_by": "rule"}})
    with store.unit_of_work() as uow:
        uow.tickets.add(ticket.with_event(damaged))
        uow.commit()
    with pytest.raises(ValidationError, match=r"^ticket T-1: the recorded routing decision: routing decision: "):
        explain_routing(store, config(), "T-1")
    with pytest.raises(ValidationError, match=r"^ticket T-1: the recorded routing decision: "):
        replay_routing(store, config())


def test_the_words_list_the_top_ten_moves_and_the_value_holds_them_all(store: Store) -> None:
    conf = config()
    with store.unit_of_work() as uow:
        for number in range(6, 18):
            uow.employees.add(Employee(id=f"E-{number}", first_name=f"Agent {number}", email=f"e{number}@d.example"))
        uow.commit()
    for number in range(6, 18):  # twelve owners by hand, all going to E-1 (the default assignee) now
        registered(store, conf, f"T-{number}", MONDAY_10 + timedelta(minutes=number), routed=False,
                   assignee=Assignee(id=f"E-{number}"), type="question")
    replay = replay_routing(store, conf)
    assert len(replay.moves) == 12 and replay.changed == 12
    lines = replay.lines()
    assert "moves (owner then -> owner now, the top 10 of 12):" in lines
    assert sum(line.endswith("-> employee E-1") and line.startswith("  1  ") for line in lines) == 10
