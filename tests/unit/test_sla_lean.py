"""``evaluate`` folds without what only an explanation keeps; ``explain``
replays the full trace (the same fold, explaining). The two must agree on
every row: the full replay (``row_of(replay(...))``) is the oracle the lean
fold is checked against, JSON column by column, over
thousands of generated histories at several instants each (at registration,
in the middle of the history, at the generator's own instant, long after).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from test_sla_batch import POLICY, generate

from helpdesk_core.config import parse_configuration
from helpdesk_core.model.ticket import StatusChange, Ticket
from helpdesk_core.reports.customers import CustomerDirectory
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END, sample_customers, sample_tickets
from helpdesk_core.sla import CustomerFacts, SlaPolicy, SlaRow, evaluate
from helpdesk_core.sla.clock import KnowsStatuses, replay, row_of
from helpdesk_core.workflow import DEFAULT_GRAPH

PRAGUE = ZoneInfo("Europe/Prague")


def _instants(ticket: Ticket, as_of: datetime, rng: random.Random) -> Iterator[datetime]:
    yield as_of
    yield ticket.created_at
    if ticket.events:
        middle = ticket.events[len(ticket.events) // 2].at
        yield middle
        yield middle + timedelta(minutes=rng.choice((1, 59, 600)))
        yield middle.astimezone(PRAGUE)
        yield ticket.events[-1].at + timedelta(days=45)


def _oracle(
    ticket: Ticket,
    *,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    as_of: datetime,
    customer: CustomerFacts | None,
) -> SlaRow:
    trace = replay(ticket, policy=policy, graph=graph, as_of=as_of, customer=customer)
    return row_of(trace, at_risk_share=policy.at_risk_share)


def _compare(
    cases: list[tuple[Ticket, datetime, CustomerFacts | None]],
    policy: SlaPolicy,
    graph: KnowsStatuses,
) -> Counter[str]:
    rng = random.Random(11)
    seen: Counter[str] = Counter()
    for ticket, as_of, customer in cases:
        for instant in _instants(ticket, as_of, rng):
            fast = evaluate(ticket, policy=policy, graph=graph, as_of=instant, customer=customer)
            slow = _oracle(ticket, policy=policy, graph=graph, as_of=instant, customer=customer)
            assert fast.to_json() == slow.to_json(), (ticket.id, instant.isoformat())
            assert fast == slow, (ticket.id, instant.isoformat())
            # built without validators, yet what the validated constructor makes of it
            assert SlaRow(**attrs.asdict(fast, recurse=False)) == fast
            seen[fast.state.value] += 1
            seen[f"clock:{fast.clock.value}"] += 1
            seen["paused"] += fast.paused_minutes > 0
            seen["by hand"] += fast.resolution_due_set_by_hand
            seen["rule changed"] += fast.rule != fast.resolution_rule
    return seen


def test_evaluate_gives_the_rows_of_the_full_replay_over_generated_histories() -> None:
    seen = _compare(list(generate(3_000, seed=99)), POLICY, DEFAULT_GRAPH)
    assert sum(seen[s] for s in ("no_sla", "breached", "met", "at_risk", "running")) > 12_000
    for kind in ("no_sla", "breached", "met", "at_risk", "running", "clock:paused",
                 "clock:stopped", "paused", "by hand", "rule changed"):
        assert seen[kind] > 0, kind


@pytest.fixture(scope="module")
def demo_desk() -> tuple[SlaPolicy, KnowsStatuses, list[tuple[Ticket, datetime, CustomerFacts | None]]]:
    config = parse_configuration(DEMO_CONFIGURATION, source="demo configuration")
    customers = sample_customers(2026)
    companies = {company.id: company for company in customers.companies}
    directory = CustomerDirectory(companies.get, customers.customer_groups)
    tickets = sample_tickets(2026, 1_500, customers=customers, end=DEMO_END, days=120)
    cases: list[tuple[Ticket, datetime, CustomerFacts | None]] = [
        (ticket, DEMO_END, directory(ticket)) for ticket in tickets
    ]
    assert config.sla is not None
    return config.sla, config.graph, cases


def test_evaluate_gives_the_rows_of_the_full_replay_on_the_demo_desk(
    demo_desk: tuple[SlaPolicy, KnowsStatuses, list[tuple[Ticket, datetime, CustomerFacts | None]]],
) -> None:
    policy, graph, cases = demo_desk
    seen = _compare(cases, policy, graph)
    for kind in ("breached", "met", "running", "clock:paused", "paused"):
        assert seen[kind] > 0, kind


def test_customers_alike_but_for_their_group_sla_get_their_own_rule() -> None:
    ticket = Ticket.register(
        id="T-1", subject="s", created_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        type="question", priority="normal",
    )
    as_of = datetime(2026, 3, 3, 9, tzinfo=UTC)
    plain = CustomerFacts(customer_groups=("G-gold",))
    gold = CustomerFacts(customer_groups=("G-gold",), group_sla={"G-gold": "Gold"})
    rules = [
        evaluate(ticket, policy=POLICY, graph=DEFAULT_GRAPH, as_of=as_of, customer=customer).rule
        for customer in (plain, gold, plain, gold, None)
    ]
    assert rules == ["Default", "Gold", "Default", "Gold", "Default"]


def test_a_pause_over_the_change_to_summer_time_counts_the_hours_that_passed() -> None:
    # every instant in the very same zone object: Python would subtract them by
    # their wall clocks (10 h) although only 9 h passed (02:00 → 03:00 skipped)
    created = datetime(2026, 3, 28, 20, tzinfo=PRAGUE)
    ticket = Ticket.register(
        id="T-1", subject="s", created_at=created, type="question", priority="normal",
    )
    ticket = ticket.with_event(StatusChange(at=created + timedelta(minutes=5), to="postponed"))
    resumed = datetime(2026, 3, 29, 6, 5, tzinfo=PRAGUE)
    ticket = ticket.with_event(StatusChange(at=resumed, to="open"))
    for as_of in (resumed + timedelta(hours=1), datetime(2026, 3, 29, 6, tzinfo=PRAGUE)):
        fast = evaluate(ticket, policy=POLICY, graph=DEFAULT_GRAPH, as_of=as_of)
        slow = _oracle(ticket, policy=POLICY, graph=DEFAULT_GRAPH, as_of=as_of, customer=None)
        assert fast.paused_minutes == slow.paused_minutes == 9 * 60 - 5 * (as_of < resumed)
