"""Four processes register tickets into one round-robin group at once, on
SQLite and on PostgreSQL: the group's members still take turns — after every
registration the counts differ by at most one ticket per member — because
the cursor moves by compare-and-set in the registering unit of work."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from helpdesk_core.desk import Desk
from helpdesk_core.model.staff import Employee, EmployeeGroup

WORKERS = 4
ROUNDS = 6
MEMBERS = ("E-1", "E-2", "E-3")
WORKER = Path(__file__).with_name("routing_worker.py")
TIMEOUT = 120.0
CONFIG = """
[catalog]
ticket_types = [{ id = "incident", name = "Incident" }]

[[routing.rules]]
name = "Incidents take turns"
when = { type = ["incident"] }
assignee = { group = "G-rr" }
strategy = "round_robin"
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    value: str = request.getfixturevalue("postgres_url")
    return value


@pytest.mark.slow
def test_four_processes_registering_into_a_round_robin_group_stay_balanced(url: str, tmp_path: Path) -> None:
    config = tmp_path / "helpdesk.toml"
    config.write_text(CONFIG, encoding="utf-8")
    with Desk.open(url, config=config) as desk, desk.store.unit_of_work() as uow:
        for member in MEMBERS:
            uow.employees.add(Employee(id=member, first_name="Agent", email=f"{member.lower()}@desk.example"))
        uow.employee_groups.add(EmployeeGroup(id="G-rr", name="Turns", members=list(MEMBERS)))
        uow.commit()
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, str(config), str(n), str(ROUNDS), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(1, WORKERS + 1)
    ]
    deadline = time.monotonic() + TIMEOUT
    while len(list(tmp_path.glob("go.ready-*"))) < WORKERS:
        assert all(w.poll() is None for w in workers), [w.communicate() for w in workers if w.poll()]
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.02)
    go.touch()
    reports = []
    for worker in workers:
        out, err = worker.communicate(timeout=TIMEOUT)
        assert worker.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    assert [e for r in reports for e in r["errors"]] == []
    owners = {ticket: owner for r in reports for ticket, owner in r["owners"]}
    assert len(owners) == WORKERS * ROUNDS
    counts = Counter(owners.values())
    assert set(counts) == set(MEMBERS), counts
    assert max(counts.values()) - min(counts.values()) <= 1, f"unbalanced: {counts}"
    # ticket numbers are taken inside the registering unit of work, which holds
    # the number until it commits: their order is the order of the commits
    in_commit_order = [owners[ticket] for ticket in sorted(owners, key=lambda id: int(id[2:]))]
    for n in range(len(in_commit_order)):
        prefix = Counter(owner for owner in in_commit_order[: n + 1] if owner is not None)
        assert max(prefix.values()) - min(prefix[m] for m in MEMBERS) <= 1, (
            f"after {n + 1} registrations the turns are unbalanced: {prefix}"
        )
    print(f"{url.split(':')[0]}: {sum(r['conflicts'] for r in reports)} cursor conflicts retried; {counts}")
