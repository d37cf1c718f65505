"""The dashboard read from the stored SLA states' index (``read_dashboard``)
gives the numbers of today's dashboard, which folds every ticket: on
generated desks, at the end of their histories and earlier, over periods
short and long, with stale records, and folded when the store is not trusted."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import attrs
import pytest

from helpdesk_core.config import Configuration, parse_configuration
from helpdesk_core.desk.dashboard import read_dashboard
from helpdesk_core.model.ticket import Assignment, StatusChange
from helpdesk_core.reports.customers import customer_directory
from helpdesk_core.reports.dashboard import Dashboard, dashboard
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END, sample_customers, sample_tickets
from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING
from helpdesk_core.storage import Store, open_store, save_all
from helpdesk_core.testing.sla_states import keep_every_sla_state

CONFIG = parse_configuration(DEMO_CONFIGURATION)
OPEN = [s.id for s in CONFIG.graph.statuses if not s.category.is_done]


def fill(store: Store, *, seed: int, count: int, days: int, trust: bool = True) -> None:
    customers = sample_customers(seed, companies=15)
    with store.unit_of_work() as uow:
        save_all(uow.customer_groups, customers.customer_groups)
        save_all(uow.companies, customers.companies)
        save_all(uow.employee_groups, customers.groups)
        save_all(uow.employees, customers.staff)
        for ticket in sample_tickets(seed, count, customers=customers, end=DEMO_END, days=days):
            uow.tickets.add(ticket)
        uow.commit()
    keep_every_sla_state(store, CONFIG, trust=trust)


@pytest.fixture(scope="module")
def filled_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file filled for the module; each test gets its own copy."""
    path = tmp_path_factory.mktemp("dashboard") / "filled.db"
    template = open_store(f"sqlite:///{path}")
    try:
        fill(template, seed=3, count=500, days=40)
    finally:
        template.close()
    return path


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        opened = open_store("memory://")
        fill(opened, seed=3, count=500, days=40)
    else:
        opened = open_store(f"sqlite:///{copy_database(request.getfixturevalue('filled_sqlite'), tmp_path / 'd.db')}")
    yield opened
    opened.close()


def copy_database(source: Path, target: Path) -> Path:
    """A byte-for-byte independent copy of a closed SQLite store (SQLite's backup API)."""
    original, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        original.backup(copy)
    finally:
        copy.close()
        original.close()
    return target


def folded(store: Store, config: Configuration = CONFIG, **period: object) -> Dashboard:
    return dashboard(
        store.iter_tickets(), policy=config.sla, graph=config.graph, zone=config.home_zone,
        customers=customer_directory(store), **period,  # type: ignore[arg-type]
    )  # fmt: skip


AS_OFS = [
    DEMO_END,
    DEMO_END + timedelta(hours=5),
    DEMO_END - timedelta(days=2, hours=3),
    DEMO_END - timedelta(days=30),
]


@pytest.mark.parametrize("as_of", AS_OFS, ids=["end", "later", "two-days-earlier", "a-month-earlier"])
def test_the_dashboard_from_the_index_is_the_folded_dashboard(store: Store, as_of: object) -> None:
    expected = folded(store, as_of=as_of)
    board = read_dashboard(store, CONFIG, as_of=as_of)  # type: ignore[arg-type]
    assert board == expected
    assert board.warnings == ()
    assert expected.open and expected.overdue and expected.without_responsible and expected.in_progress


def test_the_numbers_are_the_index_s_own(store: Store) -> None:
    """At the end of the histories every ticket is settled: the counters come
    from the store's count, not from folding (a count query that lies shows)."""
    assert store.sla_states.unsettled(fingerprint=_fingerprint(), as_of=DEMO_END, open_statuses=OPEN) == []
    counts = store.sla_states.dashboard_counts(
        fingerprint=_fingerprint(), as_of=DEMO_END, day_end=DEMO_END + timedelta(hours=12),
        initial_status=CONFIG.graph.initial,
    )  # fmt: skip
    expected = folded(store, as_of=DEMO_END)
    assert counts.open == expected.open and counts.overdue == expected.overdue
    assert counts.without_responsible == expected.without_responsible
    assert counts.in_progress == expected.in_progress


def _fingerprint() -> str:
    from helpdesk_core.sla_states.fingerprint import sla_fingerprint

    return sla_fingerprint(CONFIG)


def test_periods_short_and_long_and_a_due_today_with_paused_clocks(store: Store) -> None:
    for first, last in ((date(2026, 4, 8), date(2026, 4, 8)), (date(2025, 4, 9), date(2026, 4, 8)),
                        (date(2026, 3, 1), date(2026, 4, 30))):  # fmt: skip
        expected = folded(store, as_of=DEMO_END, first_day=first, last_day=last)
        assert read_dashboard(store, CONFIG, as_of=DEMO_END, first_day=first, last_day=last) == expected
    waiting = store.sla_states.dashboard_counts(
        fingerprint=_fingerprint(), as_of=DEMO_END, day_end=DEMO_END + timedelta(hours=12),
        initial_status=CONFIG.graph.initial,
    ).moving  # fmt: skip
    assert waiting, "the sample desk has paused clocks owing resolution time"


def test_stale_and_missing_records_are_folded(store: Store) -> None:
    tickets = list(store.iter_tickets())
    open_ones = [t for t in tickets if t.status not in ("resolved", "closed")]
    with store.unit_of_work() as uow:
        for ticket, event in (
            (open_ones[0], StatusChange(at=DEMO_END - timedelta(minutes=3), to="resolved", by="E-1")),
            (open_ones[1], Assignment(at=DEMO_END - timedelta(minutes=3), to=None, by="E-1")),
        ):
            stored = uow.tickets.get(ticket.id)
            uow.tickets.append(ticket.id, [event], expected_version=stored.version)
        uow.sla_states.delete(open_ones[2].id)
        uow.commit()
    unsettled = store.sla_states.unsettled(fingerprint=_fingerprint(), as_of=DEMO_END, open_statuses=OPEN)
    assert unsettled == sorted([open_ones[1].id, open_ones[2].id]), "the resolved one is no longer open"
    assert read_dashboard(store, CONFIG, as_of=DEMO_END) == folded(store, as_of=DEMO_END)


def test_an_untrusted_store_is_folded_and_says_so(store: Store) -> None:
    expected = folded(store, as_of=DEMO_END)
    with store.unit_of_work() as uow:
        uow.settings.put(FINGERPRINT_SETTING, "another", expected=uow.settings.get(FINGERPRINT_SETTING))
        uow.sla_states.delete_all()
        uow.commit()
    board = read_dashboard(store, CONFIG, as_of=DEMO_END)
    assert attrs.evolve(board, warnings=()) == expected
    assert len(board.warnings) == 1 and "helpdesk sla rebuild" in board.warnings[0]
    without_rules = attrs.evolve(CONFIG, sla=None)
    assert read_dashboard(store, without_rules, as_of=DEMO_END) == folded(
        store, without_rules, as_of=DEMO_END
    )


@pytest.mark.parametrize(("seed", "count", "days"), [(11, 300, 7), (12, 800, 120), (13, 200, 365)])
def test_generated_desks_of_other_shapes(tmp_path: Path, seed: int, count: int, days: int) -> None:
    opened = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    try:
        fill(opened, seed=seed, count=count, days=days)
        for as_of in (DEMO_END, DEMO_END - timedelta(days=1, minutes=7)):
            assert read_dashboard(opened, CONFIG, as_of=as_of) == folded(opened, as_of=as_of)
    finally:
        opened.close()
