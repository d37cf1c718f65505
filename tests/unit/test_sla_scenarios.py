"""Every SLA semantic written out as a history and the row it must give.

Each line of ``tests/scenarios/sla/*.jsonl`` holds a ``name``, an ``as_of``,
optionally a ``graph`` (``default`` or ``useresponse``) and ``customer`` facts,
the ``ticket`` history in the JSONL format of ``FORMATS.md``, and the
``expected`` row: every fixed column of the SLA report, plus any extension
column worth pinning. The policy below is the one every scenario runs under.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from helpdesk_core.serialization import ticket_from_json
from helpdesk_core.sla import REPORT_COLUMNS, CustomerFacts, SlaPolicy, evaluate, explain
from helpdesk_core.workflow import DEFAULT_GRAPH, USERESPONSE_GRAPH
from helpdesk_core.workflow.graph import TransitionGraph
from helpdesk_core.worktime import WorkingCalendar

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios" / "sla"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = (*WEEKDAYS, "sat", "sun")

CALENDARS = {
    "prague-office": WorkingCalendar.from_dict(
        {
            "name": "prague-office",
            "tz": "Europe/Prague",
            "week": {day: [["09:00", "17:00"]] for day in WEEKDAYS},
            "public_holidays": [{"country": "CZ"}],
        }
    ),
    "24x7": WorkingCalendar.from_dict(
        {"name": "24x7", "tz": "UTC", "week": {day: [["00:00", "24:00"]] for day in ALL_DAYS}}
    ),
}

SECTION: dict[str, Any] = {
    "at_risk_share": 0.2,
    "escalations": [
        {"name": "gold-escalation", "levels": [{"at": "+30m", "of": "resolution", "notify": ["assignee"]}]}
    ],
    "rules": [
        {
            "name": "VIP incidents",
            "when": {
                "type": ["incident"],
                "priority": ["high", "critical"],
                "client_category": ["vip"],
            },
            "calendar": "24x7",
            "reaction": "30m",
            "resolution": "4h",
        },
        {
            "name": "Urgent",
            "when": {"priority": ["critical"]},
            "calendar": "prague-office",
            "reaction": "1h",
            "resolution": 240,
        },
        {
            "name": "Major",
            "when": {"priority": "major"},
            "calendar": "24x7",
            "reaction": "1h",
            "resolution": "8h",
            "on_change": "keep_elapsed",
        },
        {
            "name": "Blocker",
            "when": {"priority": "blocker"},
            "calendar": "24x7",
            "reaction": "1h",
            "resolution": "8h",
        },
        {
            "name": "Gold",
            "enabled": False,
            "calendar": "24x7",
            "reaction": "15m",
            "resolution": "2h",
            "escalation": "gold-escalation",
        },
        {
            "name": "Default",
            "when": {"not_type": ["internal"]},
            "calendar": "prague-office",
            "reaction": "4h",
            "resolution": "16h",
        },
    ],
}

POLICY = SlaPolicy.from_config(SECTION, calendars=CALENDARS)
GRAPHS: dict[str, TransitionGraph] = {"default": DEFAULT_GRAPH, "useresponse": USERESPONSE_GRAPH}


def _scenarios() -> list[Any]:
    cases = []
    for path in sorted(SCENARIOS.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                case = json.loads(line)
                cases.append(pytest.param(case, id=f"{path.stem}:{number}"))
    return cases


def _customer(case: dict[str, Any]) -> CustomerFacts | None:
    raw = case.get("customer")
    if raw is None:
        return None
    return CustomerFacts(
        client_category=raw.get("client_category"),
        customer_groups=tuple(raw.get("customer_groups", ())),
        group_sla=raw.get("group_sla", {}),
    )


def test_there_are_scenarios_for_every_file() -> None:
    files = sorted(p.stem for p in SCENARIOS.glob("*.jsonl"))
    assert {"reaction", "reopen", "pause", "manual", "reselect", "keep_elapsed"} <= set(files)
    assert len(_scenarios()) >= 30


@pytest.mark.parametrize("case", _scenarios())
def test_scenario(case: dict[str, Any]) -> None:
    expected = case["expected"]
    missing = [column for column in REPORT_COLUMNS if column not in expected]
    assert not missing, f"scenario {case['name']!r} must pin every report column: {missing}"
    ticket = ticket_from_json(case["ticket"])
    row = evaluate(
        ticket,
        policy=POLICY,
        graph=GRAPHS[case.get("graph", "default")],
        as_of=datetime.fromisoformat(case["as_of"]),
        customer=_customer(case),
    )
    actual = row.to_json()
    assert {key: actual[key] for key in expected} == expected, case["name"]


@pytest.mark.parametrize("case", _scenarios())
def test_explanation_agrees_with_the_row(case: dict[str, Any]) -> None:
    ticket = ticket_from_json(case["ticket"])
    as_of = datetime.fromisoformat(case["as_of"])
    graph = GRAPHS[case.get("graph", "default")]
    timeline = explain(ticket, policy=POLICY, graph=graph, as_of=as_of, customer=_customer(case))
    row = evaluate(ticket, policy=POLICY, graph=graph, as_of=as_of, customer=_customer(case))
    assert timeline.row == row
    assert timeline.counted == timeline.elapsed
    segments = timeline.segments
    assert segments[0].start == ticket.created_at and segments[-1].end == as_of
    assert all(a.end == b.start for a, b in itertools.pairwise(segments))
    final = [m for m in timeline.moves if m.target == "resolution"]
    if row.resolution_due is not None and not row.resolution_due_set_by_hand:
        assert final[-1].after == row.resolution_due
    text = "\n".join(timeline.lines())
    assert row.ticket in text and row.state.value in text
