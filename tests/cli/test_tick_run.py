"""``helpdesk tick`` and ``helpdesk run``: the scheduler from the terminal.

``tick`` twice with the same ``--now`` acts once (FORMATS.md); ``run`` is a
real long-running process that applies what falls due and stops cleanly on
SIGTERM; schedulers running at once on one store (SQLite, PostgreSQL) apply
every action exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from helpdesk_core.model.staff import EmployeeGroup
from helpdesk_core.model.ticket import SYSTEM, Assignee, StatusChange, Ticket
from helpdesk_core.sample import DEMO_END, sample_customers, sample_tickets
from helpdesk_core.storage import open_store

CONFIG = """
[[calendars]]
name = "24x7"
tz = "UTC"
week = { mon = [["00:00", "24:00"]], tue = [["00:00", "24:00"]], wed = [["00:00", "24:00"]],
         thu = [["00:00", "24:00"]], fri = [["00:00", "24:00"]], sat = [["00:00", "24:00"]],
         sun = [["00:00", "24:00"]] }

[workflow]
preset = "default"

[workflow.automation]
auto_close_after = "48h"

[[sla.escalations]]
name = "standard"
levels = [
  { at = "50%", of = "reaction", notify = ["assignee"] },
  { at = "80%", of = "resolution", notify = ["assignee", "group_manager"] },
  { at = "+0m", of = "resolution", notify = ["employee:E-1"], channel = "sms" },
]

[[sla.rules]]
name = "Default"
calendar = "24x7"
reaction = "1h"
resolution = "8h"
escalation = "standard"
"""
CUSTOMERS = sample_customers(5, companies=10, employees=6)
NOW = DEMO_END + timedelta(days=3)
"""Long enough after the sample's end that auto-closes and breaches are due."""


def _helpdesk(db: str, config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "helpdesk_cli", "--db", db, "--config", str(config), *args]


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "helpdesk.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def _fill(url: str, tickets: list[Ticket]) -> None:
    store = open_store(url)
    try:
        with store.unit_of_work() as uow:
            for group in CUSTOMERS.groups:
                uow.employee_groups.add(
                    EmployeeGroup(id=group.id, name=group.name, members=group.members,
                                  notification_list=group.members, manager="E-1")
                )
            for employee in CUSTOMERS.staff:
                uow.employees.add(employee)
            for ticket in tickets:
                uow.tickets.add(ticket)  # as an import does
            uow.commit()
    finally:
        store.close()


def _sample(count: int) -> list[Ticket]:
    return list(sample_tickets(3, count, customers=CUSTOMERS, end=DEMO_END, days=5))


def _outbox(url: str) -> list[dict[str, Any]]:
    store = open_store(url)
    try:
        return [
            {"kind": e.event.kind, "ticket": e.event.ticket, "at": e.event.at, **e.event.data}
            for e in store.outbox.entries(limit=1_000_000)
        ]
    finally:
        store.close()


def _histories(url: str) -> dict[str, Ticket]:
    store = open_store(url)
    try:
        return {t.id: t for t in store.iter_tickets()}
    finally:
        store.close()


def _fingerprint(event: dict[str, Any]) -> tuple[Any, ...]:
    detail = event.get("key") or event.get("to") or event.get("follow_up")
    return (event["kind"], event["ticket"], event["at"], detail)


def test_tick_twice_with_the_same_now_takes_no_action_the_second_time(tmp_path: Path) -> None:
    db, config = str(tmp_path / "desk.sqlite3"), _config(tmp_path)
    _fill(db, _sample(40))
    first = subprocess.run(_helpdesk(db, config, "tick", "--now", NOW.isoformat(), "--format", "json"),
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    actions = [json.loads(line) for line in first.stdout.splitlines()]
    assert len(actions) > 20
    assert {"status", "escalation"} <= {a["action"] for a in actions}
    for action in actions:
        assert {"ticket", "action", "at"} <= set(action)
        assert datetime.fromisoformat(action["at"]) <= NOW
    closes = [a for a in actions if a["action"] == "status"]
    assert {a["rule"] for a in closes} <= {"auto_close", "return", "reply_reopen"}
    assert any(a["to"] == "closed" and a["rule"] == "auto_close" for a in closes)
    second = subprocess.run(_helpdesk(db, config, "tick", "--now", NOW.isoformat(), "--format", "json"),
                            capture_output=True, text=True, timeout=120)
    assert (second.returncode, second.stdout) == (0, ""), second.stderr
    text = subprocess.run(_helpdesk(db, config, "tick", "--now", NOW.isoformat()),
                          capture_output=True, text=True, timeout=120)
    assert (text.returncode, text.stdout) == (0, f"nothing due as of {NOW.isoformat()}\n"), text.stderr
    assert len(_outbox(db)) == len(actions)


def test_tick_prints_one_line_per_action(tmp_path: Path) -> None:
    db, config = str(tmp_path / "desk.sqlite3"), _config(tmp_path)
    _fill(db, _sample(10))
    done = subprocess.run(_helpdesk(db, config, "tick", "--now", NOW.isoformat()),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(_outbox(db)) > 0
    status = [line for line in lines if " status: " in line]
    assert any(line.endswith("→ closed") and " status: auto-close: " in line for line in status)
    assert any(" escalation: " in line and "deadline breached" in line for line in lines)


def test_tick_refuses_a_now_without_offset_and_a_missing_store(tmp_path: Path) -> None:
    db, config = str(tmp_path / "desk.sqlite3"), _config(tmp_path)
    naive = subprocess.run(_helpdesk(db, config, "tick", "--now", "2026-04-09T10:00:00"),
                           capture_output=True, text=True, timeout=60)
    assert naive.returncode == 2 and "no UTC offset" in naive.stderr
    missing = subprocess.run(_helpdesk(db, config, "tick"), capture_output=True, text=True, timeout=60)
    assert missing.returncode == 3 and missing.stderr.startswith("Error: no store at")
    assert not Path(db).exists()


def _resolved(id: str, ago: timedelta) -> Ticket:
    at = datetime.now(UTC) - ago
    return Ticket.register(
        id=id, subject="Printer", created_at=at - timedelta(hours=1), assignee=Assignee(id="E-2")
    ).with_event(StatusChange(at=at, to="resolved", by="E-2"))


def _wait_for(process: subprocess.Popen[str], needle: str, timeout: float) -> list[str]:
    """Lines of ``process``'s stdout up to the first containing ``needle``."""
    assert process.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    os.set_blocking(process.stdout.fileno(), False)
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line:
            seen.append(line)
            if needle in line:
                return seen
        else:
            assert process.poll() is None, f"run ended early: {process.stderr.read() if process.stderr else ''}"
            time.sleep(0.05)
    raise AssertionError(f"no {needle!r} within {timeout} s; saw {seen}")


def _start_run(db: str, config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(_helpdesk(db, config, "run", "--poll", "0.2", *args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_run_applies_a_due_auto_close_sees_new_work_and_stops_on_sigterm(tmp_path: Path) -> None:
    db, config = str(tmp_path / "desk.sqlite3"), _config(tmp_path)
    _fill(db, [_resolved("T-1", timedelta(hours=50))])
    running = _start_run(db, config)
    try:
        first = _wait_for(running, "T-1 status", 30)
        assert "→ closed" in first[-1]
        # new work written while it sleeps is seen within the poll interval
        _fill_more(db, [_resolved("T-2", timedelta(hours=49))])
        _wait_for(running, "T-2 status", 30)
        started = time.monotonic()
        running.send_signal(signal.SIGTERM)
        _, err = running.communicate(timeout=10)
        assert running.returncode == 0, err
        assert time.monotonic() - started < 5
        assert "stopped (SIGTERM)" in err
    finally:
        if running.poll() is None:
            running.kill()
            running.wait()
    for ticket in _histories(db).values():
        last = ticket.events[-1]
        assert isinstance(last, StatusChange) and (last.to, last.by) == ("closed", SYSTEM)
        assert last.at == ticket.events[-2].at + timedelta(hours=48)


def _fill_more(db: str, tickets: list[Ticket]) -> None:
    store = open_store(db)
    try:
        with store.unit_of_work() as uow:
            for ticket in tickets:
                uow.tickets.add(ticket)
            uow.commit()
    finally:
        store.close()


def test_run_stops_on_ctrl_c_with_exit_code_130(tmp_path: Path) -> None:
    db, config = str(tmp_path / "desk.sqlite3"), _config(tmp_path)
    _fill(db, [_resolved("T-1", timedelta(hours=50))])
    running = _start_run(db, config, "--format", "json")
    try:
        line = _wait_for(running, '"action": "status"', 30)[-1]
        logged = json.loads(line)
        assert (logged["action"], logged["to"]) == ("status", "closed") and "logged_at" in logged
        running.send_signal(signal.SIGINT)
        _, err = running.communicate(timeout=10)
    finally:
        if running.poll() is None:
            running.kill()
            running.wait()
    assert running.returncode == 130
    assert "stopped (Ctrl-C)" in err and "Traceback" not in err


def _reference(tmp_path: Path, tickets: list[Ticket]) -> Counter[tuple[Any, ...]]:
    """What one tick does to these tickets, alone on its store."""
    db, config = str(tmp_path / "alone.sqlite3"), _config(tmp_path)
    _fill(db, tickets)
    done = subprocess.run(_helpdesk(db, config, "tick", "--now", NOW.isoformat(), "--format", "json"),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return Counter(_fingerprint(event) for event in _outbox(db))


def _two_ticks_at_once(url: str, config: Path, batch: int = 1) -> list[subprocess.CompletedProcess[str]]:
    command = _helpdesk(url, config, "tick", "--now", NOW.isoformat(), "--format", "json", "--batch", str(batch))
    started = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    results = []
    for process in started:
        out, err = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return results


@pytest.mark.slow
@pytest.mark.parametrize("batch", [1, 10])
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_schedulers_at_once_apply_every_action_exactly_once(
    tmp_path: Path, backend: str, batch: int, request: pytest.FixtureRequest
) -> None:
    tickets = _sample(150)
    expected = _reference(tmp_path, tickets)
    assert sum(expected.values()) > 100
    url = (str(tmp_path / "shared.sqlite3") if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    config = _config(tmp_path)
    _fill(url, tickets)
    results = _two_ticks_at_once(url, config, batch)
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "locked" not in result.stderr and "Traceback" not in result.stderr
    printed = [json.loads(line) for result in results for line in result.stdout.splitlines()]
    assert all(action["action"] != "skipped" for action in printed), printed
    assert Counter(_fingerprint(event) for event in _outbox(url)) == expected
    assert len(printed) == sum(1 for event in _outbox(url))
    assert _histories(url) == _histories(str(tmp_path / "alone.sqlite3"))
    again = subprocess.run(_helpdesk(url, config, "tick", "--now", NOW.isoformat(), "--format", "json"),
                           capture_output=True, text=True, timeout=120)
    assert (again.returncode, again.stdout) == (0, ""), again.stderr


@pytest.mark.slow
def test_two_run_processes_on_one_store_close_each_ticket_once(tmp_path: Path) -> None:
    db, config = str(tmp_path / "desk.sqlite3"), _config(tmp_path)
    tickets = [_resolved(f"T-{n}", timedelta(hours=49, minutes=n)) for n in range(1, 61)]
    _fill(db, tickets)
    runs = [_start_run(db, config), _start_run(db, config)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            closed = [t for t in _histories(db).values() if t.status == "closed"]
            if len(closed) == len(tickets):
                break
            time.sleep(0.2)
        time.sleep(0.5)  # a second look by both
        for running in runs:
            running.send_signal(signal.SIGTERM)
        outputs = [running.communicate(timeout=10) for running in runs]
    finally:
        for running in runs:
            if running.poll() is None:
                running.kill()
                running.wait()
    assert [running.returncode for running in runs] == [0, 0], [err for _, err in outputs]
    logged = [line for out, _ in outputs for line in out.splitlines() if " status: " in line]
    assert sorted(line.split()[2] for line in logged) == sorted(t.id for t in tickets)
    status_events = [e for e in _outbox(db) if e["kind"] == "status_changed"]
    assert Counter(e["ticket"] for e in status_events) == Counter(t.id for t in tickets)
    for ticket in _histories(db).values():
        assert [e.to for e in ticket.events if isinstance(e, StatusChange)] == ["resolved", "closed"]
