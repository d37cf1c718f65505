"""An imported history is settled by the scheduler from the instant the old
system stopped handling it: the automatic moves it still owes are made, but
the old system's deadline warnings are not sent again."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from test_scheduler_decisions import CONFIG, T0, open_ticket
from test_scheduler_run import live_desk

from helpdesk_core.desk import import_ticket_histories
from helpdesk_core.model.ticket import StatusChange
from helpdesk_core.serialization import ticket_to_json_line
from helpdesk_core.storage.memory import MemoryStore

IMPORTED_AT = T0 + timedelta(days=30)


def history_file(tmp_path: Path) -> Path:
    """Two tickets of the old system: one still open (its deadlines long
    breached), one resolved two days before the import (auto-close due)."""
    waiting = open_ticket("OLD-1", priority="critical")
    resolved = open_ticket("OLD-2", priority="critical").with_event(
        StatusChange(at=IMPORTED_AT - timedelta(days=2), to="resolved", by="E-3")
    )
    path = tmp_path / "old-system.jsonl"
    path.write_text("".join(ticket_to_json_line(t) + "\n" for t in (waiting, resolved)), encoding="utf-8")
    return path


def imported(tmp_path: Path, handled_through: datetime | None) -> list[tuple[str, str, str]]:
    desk = live_desk(MemoryStore())
    summary = import_ticket_histories(
        history_file(tmp_path),
        store=desk.store,
        graph=CONFIG.graph,
        policy=CONFIG.automation,
        handled_through=handled_through,
    )
    assert summary.created == 2
    actions = desk.run_due(IMPORTED_AT)
    assert desk.run_due(IMPORTED_AT) == ()
    return [(a.ticket, a.action, json.dumps(a.data.get("to") or a.data.get("kind"))) for a in actions]


def test_an_import_sends_no_old_warnings_but_makes_the_moves_still_owed(tmp_path: Path) -> None:
    actions = imported(tmp_path, IMPORTED_AT)
    assert actions == [("OLD-2", "status", '"closed"')], "no escalation of the old system's deadlines"


def test_an_import_settled_from_registration_sends_every_warning_once(tmp_path: Path) -> None:
    actions = imported(tmp_path, None)
    assert ("OLD-2", "status", '"closed"') in actions
    warnings = [a for a in actions if a[1] == "escalation"]
    assert {ticket for ticket, _, _ in warnings} == {"OLD-1", "OLD-2"}
    assert len(warnings) >= 4


def test_by_default_an_import_is_handled_through_its_own_instant(tmp_path: Path) -> None:
    desk = live_desk(MemoryStore())
    before = datetime.now(T0.tzinfo)
    import_ticket_histories(history_file(tmp_path), store=desk.store, graph=CONFIG.graph, policy=CONFIG.automation)
    entry = desk.store.schedule.find("OLD-1")
    assert entry is not None and entry.checked_through is not None
    assert before <= entry.checked_through <= datetime.now(T0.tzinfo)
