"""The workload report's pure part: per-employee counts by status (what the
store's ``assigned_counts`` gives) → rows, only statuses counting toward load."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk_core.errors import HelpdeskError
from helpdesk_core.model.staff import Employee
from helpdesk_core.routing.load import counting_load, load_of_counts, workload
from helpdesk_core.routing.staff import StaffSnapshot
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.worktime import WorkingCalendar

MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Prague"))
OFFICE = WorkingCalendar.from_dict(
    {"name": "office", "tz": "Europe/Prague", "week": {"mon": [["09:00", "17:00"]]}}
)
COUNTS = {
    "E-1": {"open": 1, "in_progress": 2, "postponed": 1, "closed": 4},
    "E-2": {"resolved": 3, "closed": 1},  # nothing counting
    "E-7": {"closed": 9},  # unknown, nothing counting: no row
    "E-9": {"escalated": 1},  # unknown employee, unknown status: counts
}


def _staff() -> StaffSnapshot:
    return StaffSnapshot.of(
        [
            Employee(id="E-1", first_name="Jana", email="jana@desk.example", calendar="office", capacity=3),
            Employee(id="E-2", first_name="Petr", email="petr@desk.example", active=False),
        ],
        calendars={"office": OFFICE},
    )


def test_only_statuses_counting_toward_load_are_kept() -> None:
    assert counting_load(COUNTS, DEFAULT_GRAPH) == {"E-1": {"in_progress": 2, "open": 1}, "E-9": {"escalated": 1}}
    assert load_of_counts(COUNTS, DEFAULT_GRAPH) == {"E-1": 3, "E-9": 1}


def test_a_row_per_employee_and_per_unknown_holder_of_counting_tickets() -> None:
    rows = workload(COUNTS, DEFAULT_GRAPH, _staff(), MONDAY_10)
    assert [row.to_json() for row in rows] == [
        {"employee": "E-1", "name": "Jana", "active": True, "load": 3, "by_status": {"in_progress": 2, "open": 1},
         "capacity": 3, "at_capacity": True, "working": True},
        {"employee": "E-2", "name": "Petr", "active": False, "load": 0, "by_status": {},
         "capacity": None, "at_capacity": False, "working": None},
        {"employee": "E-9", "name": "", "active": False, "load": 1, "by_status": {"escalated": 1},
         "capacity": None, "at_capacity": False, "working": None},
    ]  # fmt: skip


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(HelpdeskError, match="workload instant"):
        workload(COUNTS, DEFAULT_GRAPH, _staff(), datetime(2026, 3, 2, 10))
