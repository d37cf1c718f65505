"""Queues and the dashboard on a desk worked through the library: every write
keeps the stored SLA state, so the index is trusted (nothing folded, no
warning) and follows each change at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from desk_world import CONFIG, later, make_desk, seed

from helpdesk_core.desk.dashboard import read_dashboard
from helpdesk_core.model.ticket import Assignee
from helpdesk_core.reports.customers import customer_directory
from helpdesk_core.reports.dashboard import dashboard
from helpdesk_core.storage import Store, open_store


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    opened = open_store("memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'live.db'}")
    seed(opened)
    return opened


def test_a_desk_s_writes_keep_its_queues_and_dashboard_trusted(store: Store) -> None:
    desk = make_desk(store)
    ids = [
        desk.register_ticket(subject=f"Printer {n}", by="E-1", at=later(n), priority="high" if n % 2 else "normal",
                             company="C-1").ticket.id
        for n in range(6)
    ]  # fmt: skip
    desk.assign(ids[1], Assignee(id="E-2"), by="E-1", at=later(30))
    desk.transition(ids[3], "in_progress", by="E-1", at=later(31))
    desk.transition(ids[3], "resolved", by="E-1", at=later(32))
    now = later(hours=3)  # the high ones' reaction (1 h) is past due
    overdue = desk.queue("overdue", now=now)
    assert not overdue.folded and overdue.warnings == ()
    assert [e.ticket for e in overdue] == [ids[1], ids[5]], (
        "high priority, not reacted; the resolved one is not"
    )
    assert [e.ticket for e in desk.queue("overdue", assignee="E-2", now=now)] == [ids[1]]
    nobody = desk.queue(without_responsible=True, now=now).entries
    assert [e.ticket for e in nobody] == [ids[5], ids[0], ids[2], ids[4]], (
        "the high one's reaction is due first"
    )
    assert [e.due for e in nobody] == sorted(e.due for e in nobody)
    desk.assign(ids[5], Assignee(id="E-2"), by="E-1", at=later(hours=2))
    assert [e.ticket for e in desk.queue("overdue", assignee="E-2", now=now)] == [ids[1], ids[5]]
    board = read_dashboard(store, CONFIG, as_of=now)
    assert board.warnings == ()
    folded = dashboard(store.iter_tickets(), policy=CONFIG.sla, graph=CONFIG.graph, as_of=now,
                       zone=CONFIG.home_zone, customers=customer_directory(store))  # fmt: skip
    assert board == folded and board.overdue == 2 and board.open == 5
