"""The SLA report's filters, per-group tallies, customer facts and what-if."""

from __future__ import annotations

from collections import Counter

from helpdesk_core.config import parse_configuration
from helpdesk_core.model.parties import Company, CustomerGroup
from helpdesk_core.reports import (
    EVERYTHING,
    NO_VALUE,
    CustomerDirectory,
    GroupBy,
    GroupedTally,
    ReportFilter,
    ReportLine,
    Side,
    SlaTally,
    WhatIfTally,
    compare,
    report_lines,
    sla_rows,
)
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END, sample_customers, sample_tickets
from helpdesk_core.sla import SlaState

CONFIG = parse_configuration(DEMO_CONFIGURATION)
assert CONFIG.sla is not None
POLICY = CONFIG.sla
CUSTOMERS = sample_customers(3, companies=20)
TICKETS = list(sample_tickets(3, 250, customers=CUSTOMERS, end=DEMO_END))
COMPANIES = {c.id: c for c in CUSTOMERS.companies}


def directory() -> CustomerDirectory:
    return CustomerDirectory(COMPANIES.get, CUSTOMERS.customer_groups)


def lines(only: ReportFilter = EVERYTHING) -> list[ReportLine]:
    return list(report_lines(TICKETS, policy=POLICY, graph=CONFIG.graph, as_of=DEMO_END,
                             customers=directory(), only=only))


def test_customer_facts_come_from_the_company_once_per_company() -> None:
    found: list[str] = []

    def find(company_id: str) -> Company | None:
        found.append(company_id)
        return COMPANIES.get(company_id)

    customers = CustomerDirectory(find, CUSTOMERS.customer_groups)
    for ticket in TICKETS:
        facts = customers(ticket)
        assert ticket.company is not None
        assert facts.client_category == COMPANIES[ticket.company].category
    assert sorted(found) == sorted({t.company for t in TICKETS if t.company})


def test_customer_groups_are_ordered_by_priority_and_carry_their_sla() -> None:
    groups = [CustomerGroup(id="b", name="B", priority=5), CustomerGroup(id="a", name="A", sla="Gold", priority=9)]
    company = Company(id="C-1", name="x", category="vip", customer_groups=["a", "b", "gone"])
    facts = CustomerDirectory({"C-1": company}.get, groups)(TICKETS[0].__class__.register(
        id="T-1", subject="x", created_at=DEMO_END, company="C-1"))
    assert facts.customer_groups == ("b", "a")
    assert dict(facts.group_sla) == {"a": "Gold"}


def test_filters_keep_exactly_the_matching_tickets() -> None:
    everything = lines()
    assert len(everything) == len(TICKETS)
    high = lines(ReportFilter(priority="high"))
    assert {line.row.ticket for line in high} == {t.id for t in TICKETS if t.priority == "high"}
    breached = lines(ReportFilter(states={SlaState.BREACHED}))
    assert {line.row.ticket for line in breached} == {
        line.row.ticket for line in everything if line.row.state is SlaState.BREACHED
    }
    start = sorted(t.created_at for t in TICKETS)[100]
    later = lines(ReportFilter(created_from=start))
    assert len(later) == len(TICKETS) - 100
    someone = next(t for t in TICKETS if t.assignee is not None)
    assert someone.assignee is not None
    mine = lines(ReportFilter(assignee=someone.assignee.id, company=someone.company))
    assert someone.id in {line.row.ticket for line in mine}
    assert {line.row.ticket for line in mine} == {
        t.id for t in TICKETS
        if t.assignee is not None and t.assignee.id == someone.assignee.id and t.company == someone.company
    }


def test_group_tallies_add_up_to_the_total_and_count_each_group() -> None:
    tally = GroupedTally(by=GroupBy.RULE)
    everything = [tally.add(line) for line in lines()]
    summaries = dict(tally.summaries())
    assert sum(s.tickets for s in summaries.values()) == tally.total.summary().tickets == len(TICKETS)
    expected = Counter(line.row.rule or NO_VALUE for line in everything)
    assert {key: s.tickets for key, s in summaries.items()} == dict(expected)
    breached = Counter(line.row.rule for line in everything if line.row.state is SlaState.BREACHED)
    assert {k: s.states.get("breached", 0) for k, s in summaries.items() if s.states.get("breached")} == breached


def test_whatif_sides_are_the_two_separate_reports() -> None:
    stricter = parse_configuration(DEMO_CONFIGURATION.replace('reaction = "4h"', 'reaction = "30m"'))
    assert stricter.sla is not None
    tally = WhatIfTally()
    changed = {
        c.ticket
        for c in map(tally.add, compare(TICKETS, current=Side(POLICY, CONFIG.graph),
                                        proposed=Side(stricter.sla, stricter.graph),
                                        as_of=DEMO_END, customers=directory()))
        if c.state_changed
    }
    before, after = SlaTally(), SlaTally()
    rows_before = {r.ticket: before.add(r) for r in sla_rows(TICKETS, policy=POLICY, graph=CONFIG.graph,
                                                             as_of=DEMO_END, customers=directory())}
    rows_after = {r.ticket: after.add(r) for r in sla_rows(TICKETS, policy=stricter.sla, graph=stricter.graph,
                                                           as_of=DEMO_END, customers=directory())}
    summary = tally.summary()
    assert summary.before == before.summary() and summary.after == after.summary()
    assert changed == {t for t in rows_before if rows_before[t].state != rows_after[t].state}
    assert changed, "a stricter reaction target breaches some tickets"
    assert summary.reaction_change is not None and summary.reaction_change < 0


def test_tickets_registered_after_the_reports_instant_are_left_out_and_a_naive_instant_refused() -> None:
    import pytest

    from helpdesk_core.errors import ValidationError

    ordered = sorted(TICKETS, key=lambda t: t.created_at)
    middle = ordered[len(ordered) // 2].created_at
    shown = list(report_lines(TICKETS, policy=POLICY, graph=CONFIG.graph, as_of=middle, customers=directory()))
    assert [line.row.ticket for line in shown] == [t.id for t in TICKETS if t.created_at <= middle]
    assert 0 < len(shown) < len(TICKETS)
    with pytest.raises(ValidationError, match=r"as_of.*timezone-aware"):
        list(report_lines(TICKETS, policy=POLICY, graph=CONFIG.graph, as_of=middle.replace(tzinfo=None)))


def test_group_summaries_follow_the_given_order_then_natural_order_then_none() -> None:
    import random

    keys = ["E-10", "e-3", NO_VALUE, "E-2", "urgent", "E-01", "E-1", "Z", "low"]
    orders = []
    for seed in range(5):  # whatever order the groups were first seen in
        tally = GroupedTally(by=GroupBy.ASSIGNEE)
        for key in random.Random(seed).sample(keys, len(keys)):
            tally.groups[key] = SlaTally()
        orders.append([key for key, _ in tally.summaries(order=("urgent", "low", "gone"))])
    assert orders[0] == ["urgent", "low", "E-01", "E-1", "E-2", "e-3", "E-10", "Z", NO_VALUE]
    assert all(order == orders[0] for order in orders)
