"""The sample desk: deterministic, valid along the workflow, and varied."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import attrs

from helpdesk_core.config import parse_configuration
from helpdesk_core.model.ticket import Comment, PriorityChange, SlaOverride, StatusChange, Ticket
from helpdesk_core.rules import lint
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END, sample_customers, sample_ticket, sample_tickets
from helpdesk_core.workflow import DEFAULT_GRAPH, DEFAULT_POLICY, check_history

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CUSTOMERS = sample_customers(7)
TICKETS = list(sample_tickets(7, 400, customers=CUSTOMERS, end=DEMO_END))


def test_the_same_seed_gives_the_same_desk() -> None:
    assert sample_customers(7) == CUSTOMERS
    assert list(sample_tickets(7, 400, customers=CUSTOMERS, end=DEMO_END)) == TICKETS
    assert list(sample_tickets(8, 400, customers=CUSTOMERS, end=DEMO_END)) != TICKETS


def test_tickets_are_numbered_in_the_order_they_were_registered() -> None:
    assert [t.id for t in TICKETS] == [f"T-{n}" for n in range(1, 401)]
    assert all(a.created_at <= b.created_at for a, b in pairwise(TICKETS))
    assert len({t.created_at for t in TICKETS}) > 300  # not all at one instant


def test_a_draw_is_the_same_ticket_whatever_else_is_drawn_only_its_number_follows_registration() -> None:
    def unnumbered(ticket: Ticket) -> Ticket:
        return attrs.evolve(ticket, id="T-0")

    among_400 = [unnumbered(t) for t in TICKETS]
    first_five = list(sample_tickets(7, 5, customers=CUSTOMERS, end=DEMO_END))
    assert [t.id for t in first_five] == ["T-1", "T-2", "T-3", "T-4", "T-5"]
    assert all(unnumbered(t) in among_400 for t in first_five)
    by_draw = sample_ticket(7, 99, customers=CUSTOMERS, end=DEMO_END, draw=3)
    assert by_draw.id == "T-99" and unnumbered(by_draw) in among_400


def test_every_history_could_have_happened_and_uses_only_catalogued_values() -> None:
    config = parse_configuration(DEMO_CONFIGURATION)
    for ticket in TICKETS:
        check_history(ticket, DEFAULT_GRAPH, policy=DEFAULT_POLICY)
        config.catalogs.check_ticket(ticket)
        assert ticket.created_at <= DEMO_END and all(e.at <= DEMO_END for e in ticket.events)


def test_histories_are_varied_like_a_real_desk() -> None:
    seen: Counter[str] = Counter()
    for ticket in TICKETS:
        moves = [e.to for e in ticket.events if isinstance(e, StatusChange)]
        seen["postponed"] += "postponed" in moves
        seen["reopened"] += any(a == "resolved" and b == "open" for a, b in pairwise(moves))
        seen["priority changed"] += any(isinstance(e, PriorityChange) for e in ticket.events)
        seen["deadline by hand"] += any(isinstance(e, SlaOverride) and e.resolution_due for e in ticket.events)
        seen["customer wrote"] += any(isinstance(e, Comment) and e.author == "contact" for e in ticket.events)
        seen["still open"] += ticket.status not in ("resolved", "closed")
        seen["nobody responsible"] += ticket.assignee is None
    for what in seen:
        assert seen[what] >= 4, (what, seen)
    events = sum(len(t.events) for t in TICKETS) / len(TICKETS)
    assert 5 <= events <= 7, "about six events per ticket"
    categories = Counter(c.category for c in CUSTOMERS.companies)
    assert set(categories) == {"client", "partner", "vip"}


def test_examples_demo_toml_is_the_demo_configuration_and_lints_clean() -> None:
    assert (EXAMPLES / "demo.toml").read_text(encoding="utf-8") == DEMO_CONFIGURATION
    config = parse_configuration(DEMO_CONFIGURATION)
    assert config.sla is not None
    assert {c.tz for c in config.calendars.values()} >= {"Europe/Prague", "Europe/Bratislava"}
    assert config.sla.rules[-1].conditions == (), "the table ends with a catch-all"
    assert lint(config.sla.table, config.catalogs.known_values(), calendars=tuple(config.calendars)) == ()
