"""What-if names why each ticket's state changes, in the configuration's own
words, for the reaction as well as the resolution."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from helpdesk_core.model import Comment, Ticket
from helpdesk_core.model.ticket import StatusChange
from helpdesk_core.reports import Side, WhatIfTally, compare
from helpdesk_core.sla import SlaPolicy
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.worktime import WorkingCalendar

WEEK = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
MON_9 = datetime.fromisoformat("2026-03-02T09:00:00+01:00")
AS_OF = datetime.fromisoformat("2026-03-06T12:00:00+01:00")


def policy(rules: list[dict[str, Any]], *, week: dict[str, Any] = WEEK, share: float = 0.2) -> Side:
    office = WorkingCalendar.from_dict({"name": "office", "tz": "Europe/Prague", "week": week})
    return Side(SlaPolicy.from_config({"rules": rules, "at_risk_share": share}, calendars={"office": office}),
                DEFAULT_GRAPH)


STANDARD = {"name": "Standard", "calendar": "office", "reaction": "2h", "resolution": "16h"}
GOLD = {"name": "Gold", "when": {"priority": ["high"]}, "calendar": "office", "reaction": "1h",
        "resolution": "16h"}


def reacted_after(minutes: int, *, priority: str = "high", resolved: bool = True, id: str = "T-1") -> Ticket:
    ticket = Ticket.register(id=id, subject="s", priority=priority, created_at=MON_9).with_event(
        Comment(at=MON_9 + timedelta(minutes=minutes), by="E-1", author="employee", public=True, body="On it."))
    if resolved:
        ticket = ticket.with_event(StatusChange(at=MON_9 + timedelta(hours=3), to="resolved", by="E-1"))
    return ticket


def causes(ticket: Ticket, current: Side, proposed: Side) -> list[tuple[str, str, str]]:
    return [(c.before.state.value, c.after.state.value, c.cause)
            for c in compare([ticket], current=current, proposed=proposed, as_of=AS_OF)]


def test_another_rule_names_both_rules_and_the_reaction_targets() -> None:
    assert causes(reacted_after(90), policy([STANDARD]), policy([GOLD, STANDARD])) == [
        ("met", "breached", "rule 'Gold' instead of 'Standard': reaction 2h → 1h"),
    ]


def test_the_same_rule_with_another_target() -> None:
    stricter = {**STANDARD, "reaction": "1h"}
    [comparison] = compare([reacted_after(90)], current=policy([STANDARD]), proposed=policy([stricter]),
                           as_of=AS_OF)
    assert comparison.cause == "rule 'Standard': reaction 2h → 1h"
    row = comparison.to_json()
    assert (row["reaction_due_before"], row["reaction_due_after"]) == (
        "2026-03-02T11:00:00+01:00", "2026-03-02T10:00:00+01:00")
    assert row["resolution_due_before"] == row["resolution_due_after"]


def test_another_calendar_definition_is_named() -> None:
    late = {**WEEK, "mon": [["10:00", "17:00"]]}
    quick = {**STANDARD, "reaction": "30m"}
    assert causes(reacted_after(75, priority="normal"), policy([quick]), policy([quick], week=late)) == [
        ("breached", "met", "calendar 'office': other working hours"),
    ]


def test_the_at_risk_share() -> None:
    open_ticket = reacted_after(10, priority="normal", resolved=False)
    as_of_tuesday = MON_9 + timedelta(days=1, hours=5)  # 13 of 16 working hours gone
    [comparison] = compare([open_ticket], current=policy([STANDARD], share=0.1),
                           proposed=policy([STANDARD], share=0.2), as_of=as_of_tuesday)
    assert (comparison.before.state.value, comparison.after.state.value, comparison.cause) == (
        "running", "at_risk", "at_risk_share 0.1 → 0.2")


def test_the_summary_counts_each_transition_by_cause() -> None:
    tally = WhatIfTally()
    tickets = [reacted_after(90), reacted_after(90, id="T-2"), reacted_after(30, id="T-3")]
    for comparison in compare(tickets, current=policy([STANDARD]), proposed=policy([GOLD, STANDARD]), as_of=AS_OF):
        tally.add(comparison)
    summary = tally.summary()
    assert summary.causes_of(("met", "breached")) == [("rule 'Gold' instead of 'Standard': reaction 2h → 1h", 2)]
    assert (summary.reaction_moved, summary.resolution_moved) == (3, 0)
    assert summary.to_json()["transitions"] == [{
        "from": "met", "to": "breached", "tickets": 2,
        "causes": [{"cause": "rule 'Gold' instead of 'Standard': reaction 2h → 1h", "tickets": 2}],
    }]
