"""Escalation plans: when each level is reached, whom it reaches, and the
configuration that describes them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.model.staff import EmployeeGroup
from helpdesk_core.model.ticket import (
    Assignee,
    Assignment,
    Comment,
    Event,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
)
from helpdesk_core.sla import (
    GroupRoster,
    Notice,
    OffsetFromDue,
    Recipient,
    RecipientKind,
    ShareOfTarget,
    SlaPolicy,
    Target,
    escalations_due,
    next_escalation,
    next_escalation_wakeup,
)
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.worktime import WorkingCalendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
CALENDARS = {
    "office": WorkingCalendar.from_dict(
        {"name": "office", "tz": "Europe/Prague",
         "week": {d: [["09:00", "17:00"]] for d in WEEKDAYS}}
    ),
    "24x7": WorkingCalendar.from_dict(
        {"name": "24x7", "tz": "UTC",
         "week": {d: [["00:00", "24:00"]] for d in (*WEEKDAYS, "sat", "sun")}}
    ),
}
ROSTER = GroupRoster(
    [
        EmployeeGroup(id="G-1", name="First line", members={"E-1", "E-2", "E-3"},
                      notification_list={"E-1", "E-2"}, manager="M-1"),
        EmployeeGroup(id="G-2", name="Field", members={"E-2"}, notification_list={"E-2"},
                      manager="M-2"),
    ]
)


def at(text: str) -> datetime:
    """An instant in Prague in winter (+01:00): ``at("Mon 09:00")``, week of 2 March 2026."""
    day, clock = text.split()
    dates = {"Mon": 2, "Tue": 3, "Wed": 4, "Thu": 5, "Fri": 6, "Sat": 7, "Sun": 8, "Mon2": 9}
    return datetime.fromisoformat(f"2026-03-{dates[day]:02d}T{clock}:00+01:00")


def policy(*levels: dict[str, Any], calendar: str = "office", reaction: str = "1h",
           resolution: str = "4h") -> SlaPolicy:
    return SlaPolicy.from_config(
        {
            "rules": [{"name": "Only", "calendar": calendar, "reaction": reaction,
                       "resolution": resolution, "escalation": "plan"}],
            "escalations": [{"name": "plan", "levels": list(levels)}],
        },
        calendars=CALENDARS,
    )


def ticket(created: str, *events: Event, assignee: str | None = "E-1", group: bool = False,
           **fields: Any) -> Ticket:
    return Ticket.register(
        id="T-1", subject="Boiler stopped", created_at=at(created),
        assignee=None if assignee is None else Assignee(id=assignee, group=group),
        events=events, **fields,
    )


def due(t: Ticket, sla: SlaPolicy, since: str, until: str) -> tuple[Notice, ...]:
    return escalations_due(t, since=at(since), until=at(until), policy=sla,
                           graph=DEFAULT_GRAPH, directory=ROSTER)


def brief(notices: tuple[Notice, ...]) -> list[tuple[datetime, int, str]]:
    return [(n.instant, n.level, n.recipient) for n in notices]


def status(when: str, to: str) -> StatusChange:
    until = at(when) + timedelta(days=3) if to == "postponed" else None
    return StatusChange(at=at(when), to=to, until=until)


# --- when a level is reached ---------------------------------------------------------

SHARES = policy(
    {"at": "50%", "of": "resolution", "notify": ["assignee"]},
    {"at": "80%", "of": "resolution", "notify": ["assignee", "group_manager"]},
)


def test_share_levels_fall_when_that_much_working_time_has_elapsed() -> None:
    notices = due(ticket("Mon 09:00"), SHARES, "Mon 09:00", "Mon 17:00")
    assert brief(notices) == [
        (at("Mon 11:00"), 0, "E-1"),            # 2 h of 4 h
        (at("Mon 12:12"), 1, "E-1"),            # 3 h 12 m of 4 h
        (at("Mon 12:12"), 1, "M-1"),            # the manager of E-1's group
    ]
    first = notices[0]
    assert (first.plan, first.rule, first.target, first.channel) == (
        "plan", "Only", Target.RESOLUTION, "email")
    assert first.due == at("Mon 13:00") and first.reached_at == first.instant


def test_a_share_that_fills_the_working_day_falls_at_the_next_opening() -> None:
    notices = due(ticket("Fri 15:00"), SHARES, "Fri 15:00", "Mon2 17:00")
    assert [(n.instant, n.level) for n in notices][:2] == [(at("Mon2 09:00"), 0),
                                                             (at("Mon2 10:12"), 1)]


OFFSETS = policy(
    {"at": "-3h", "of": "resolution", "notify": ["assignee"]},
    {"at": "+30m", "of": "resolution", "notify": ["employee:E-9"], "channel": "sms"},
    {"at": "-15m", "of": "reaction", "notify": ["assignee"]},
)


def test_offsets_are_working_time_before_and_after_the_due_instant() -> None:
    # registered Mon 15:00: reaction due Mon 16:00, resolution due Tue 11:00
    notices = due(ticket("Mon 15:00"), OFFSETS, "Mon 15:00", "Wed 17:00")
    assert [(n.instant, n.level, n.recipient, n.channel) for n in notices] == [
        (at("Mon 15:45"), 2, "E-1", "email"),      # 15 min before the reaction is due
        (at("Mon 16:00"), 0, "E-1", "email"),      # 3 h before Tue 11:00: 1 h Mon + 2 h Tue
        (at("Tue 11:30"), 1, "E-9", "sms"),
    ]
    assert notices[0].target is Target.REACTION and notices[0].due == at("Mon 16:00")


def test_an_achieved_target_escalates_nothing() -> None:
    resolved = ticket("Mon 09:00", status("Mon 12:00", "resolved"))
    assert brief(due(resolved, SHARES, "Mon 09:00", "Wed 17:00")) == [(at("Mon 11:00"), 0, "E-1")]
    exactly = ticket("Mon 09:00", status("Mon 11:00", "resolved"))
    assert due(exactly, SHARES, "Mon 09:00", "Wed 17:00") == ()
    reacted = ticket("Mon 15:00", Comment(at=at("Mon 15:30"), author="employee", public=True))
    assert [n.target for n in due(reacted, OFFSETS, "Mon 15:00", "Wed 17:00")] == [
        Target.RESOLUTION, Target.RESOLUTION]
    private = ticket("Mon 15:00", Comment(at=at("Mon 15:30"), author="employee", public=False))
    assert Target.REACTION in {n.target for n in due(private, OFFSETS, "Mon 15:00", "Wed 17:00")}


def test_a_pause_postpones_share_levels_and_moves_due_relative_ones() -> None:
    sla = policy(
        {"at": "50%", "of": "resolution", "notify": ["assignee"]},
        {"at": "-1h", "of": "resolution", "notify": ["assignee"]},
    )
    paused = ticket("Mon 09:00", status("Mon 10:00", "postponed"), status("Mon 14:00", "open"))
    assert due(paused, sla, "Mon 10:00", "Mon 14:00") == ()
    notices = due(paused, sla, "Mon 09:00", "Tue 17:00")
    # 1 h counted before the pause, 1 h after it; the due moved from Mon 13:00 to Tue 09:00
    assert brief(notices) == [(at("Mon 15:00"), 0, "E-1"), (at("Mon 16:00"), 1, "E-1")]
    assert {n.due for n in notices} == {at("Tue 09:00")}


def test_a_level_passed_while_paused_after_the_due_is_sent_at_the_resume() -> None:
    sla = policy({"at": "+30m", "of": "resolution", "notify": ["assignee"]})
    late = ticket("Mon 09:00", status("Mon 13:15", "postponed"), status("Mon 15:00", "open"))
    [notice] = due(late, sla, "Mon 09:00", "Tue 17:00")
    assert notice.instant == notice.reached_at == at("Mon 15:00")
    assert notice.due == at("Mon 13:00")


def test_a_short_pause_after_a_level_does_not_send_it_again() -> None:
    sla = policy({"at": "-1h", "of": "resolution", "notify": ["assignee"]})
    t = ticket("Mon 09:00", status("Mon 12:30", "postponed"), status("Mon 12:40", "open"))
    assert brief(due(t, sla, "Mon 09:00", "Tue 17:00")) == [(at("Mon 12:00"), 0, "E-1")]


def test_a_stricter_rule_sends_the_levels_it_puts_in_the_past_at_once() -> None:
    sla = SlaPolicy.from_config(
        {
            "rules": [
                {"name": "Critical", "when": {"priority": ["critical"]}, "calendar": "office",
                 "reaction": "15m", "resolution": "1h", "escalation": "plan"},
                {"name": "Default", "calendar": "office", "reaction": "4h",
                 "resolution": "16h", "escalation": "plan"},
            ],
            "escalations": [{"name": "plan", "levels": [
                {"at": "80%", "of": "resolution", "notify": ["assignee"]}]}],
        },
        calendars=CALENDARS,
    )
    raised = ticket("Mon 09:00", PriorityChange(at=at("Mon 11:00"), to="critical"))
    [notice] = due(raised, sla, "Mon 09:00", "Tue 17:00")
    assert (notice.instant, notice.rule, notice.due) == (at("Mon 11:00"), "Critical", at("Mon 10:00"))


def test_a_rule_that_gives_way_for_a_minute_does_not_send_the_others_levels_again() -> None:
    """Default's level is reached at 10:00; the priority goes to critical for a
    minute (another rule, another plan, whose level already past is sent at
    once) and back: Default is in force again with the same due, and its
    level is not sent a second time at 10:02.
    A scheduler ticking at 10:00 and at 10:02 sent it twice (found by the
    property that cutting a window anywhere gives the same notices)."""
    sla = SlaPolicy.from_config(
        {
            "rules": [
                {"name": "Critical", "when": {"priority": ["critical"]}, "calendar": "24x7",
                 "reaction": "15m", "resolution": "1h", "escalation": "urgent"},
                {"name": "Default", "calendar": "office", "reaction": "4h",
                 "resolution": "16h", "escalation": "plan"},
            ],
            "escalations": [
                {"name": "plan", "levels": [{"at": "25%", "of": "reaction", "notify": ["assignee"]}]},
                {"name": "urgent", "levels": [{"at": "90%", "of": "reaction", "notify": ["assignee"]}]},
            ],
        },
        calendars=CALENDARS,
    )
    t = ticket("Mon 09:00", PriorityChange(at=at("Mon 10:01"), to="critical"),
               PriorityChange(at=at("Mon 10:02"), to="normal"))
    whole = due(t, sla, "Mon 09:00", "Mon 12:00")
    pieces = due(t, sla, "Mon 09:00", "Mon 10:00") + due(t, sla, "Mon 10:00", "Mon 12:00")
    assert [(n.instant, n.rule) for n in whole] == [(at("Mon 10:00"), "Default"), (at("Mon 10:01"), "Critical")]
    assert pieces == whole


def test_a_deadline_set_by_hand_moves_due_relative_levels_and_their_keys() -> None:
    sla = policy({"at": "-1h", "of": "resolution", "notify": ["assignee"]})
    plain = ticket("Mon 09:00")
    moved = ticket("Mon 09:00", SlaOverride(at=at("Mon 10:00"), resolution_due=at("Tue 15:00")))
    [before] = due(plain, sla, "Mon 09:00", "Tue 17:00")
    [after] = due(moved, sla, "Mon 09:00", "Tue 17:00")
    assert (before.instant, after.instant) == (at("Mon 12:00"), at("Tue 14:00"))
    assert before.key != after.key


# --- whom -----------------------------------------------------------------------------

EVERYONE = policy(
    {"at": "50%", "of": "resolution",
     "notify": ["assignee", "assignee_group", "group_manager", "employee:E-9", "employee:E-1"]},
)


def test_a_group_expands_to_its_notification_list() -> None:
    to_group = ticket("Mon 09:00", assignee="G-1", group=True)
    # E-3 is a member but not on the notification list; E-1 is told once
    assert [n.recipient for n in due(to_group, EVERYONE, "Mon 09:00", "Mon 17:00")] == [
        "E-1", "E-2", "E-9", "M-1"]


def test_the_groups_of_an_assigned_employee_and_their_managers() -> None:
    t = ticket("Mon 09:00", assignee="E-2")
    assert [n.recipient for n in due(t, EVERYONE, "Mon 09:00", "Mon 17:00")] == [
        "E-1", "E-2", "E-9", "M-1", "M-2"]


def test_recipients_follow_the_assignee_at_delivery_and_nobody_means_nobody() -> None:
    sla = policy({"at": "50%", "of": "resolution", "notify": ["assignee", "group_manager"]})
    handed_over = ticket("Mon 09:00", Assignment(at=at("Mon 10:00"), to="G-2", group=True))
    assert [n.recipient for n in due(handed_over, sla, "Mon 09:00", "Mon 17:00")] == ["E-2", "M-2"]
    assert due(ticket("Mon 09:00", assignee=None), sla, "Mon 09:00", "Mon 17:00") == ()


# --- working hours only ---------------------------------------------------------------


def test_working_hours_only_defers_to_the_next_opening_across_a_weekend() -> None:
    sla = policy({"at": "80%", "of": "resolution", "notify": ["assignee"],
                  "working_hours_only": "office"}, calendar="24x7")
    t = ticket("Fri 16:00")           # 4 h on 24x7: 80 % is Fri 19:12 Prague
    assert due(t, sla, "Fri 16:00", "Sun 23:00") == ()
    [notice] = due(t, sla, "Sun 23:00", "Mon2 12:00")
    assert notice.reached_at == at("Fri 19:12")
    assert notice.instant == at("Mon2 09:00")
    assert next_escalation(t, after=at("Fri 16:00"), policy=sla, graph=DEFAULT_GRAPH,
                           directory=ROSTER) == at("Mon2 09:00")
    resolved_on_saturday = ticket("Fri 16:00", status("Sat 10:00", "resolved"))
    assert due(resolved_on_saturday, sla, "Fri 16:00", "Mon2 12:00") == ()


def test_inside_working_hours_nothing_is_deferred() -> None:
    sla = policy({"at": "50%", "of": "resolution", "notify": ["assignee"],
                  "working_hours_only": "office"}, calendar="24x7")
    [notice] = due(ticket("Mon 09:00"), sla, "Mon 09:00", "Mon 17:00")
    assert notice.instant == notice.reached_at == at("Mon 11:00")


# --- keys and the scheduler -------------------------------------------------------------


def test_idempotency_keys_are_stable_across_overlapping_windows() -> None:
    sla = policy(
        {"at": "50%", "of": "resolution", "notify": ["assignee", "group_manager"]},
        {"at": "-1h", "of": "resolution", "notify": ["assignee"]},
        {"at": "+30m", "of": "resolution", "notify": ["employee:E-9"]},
    )
    t = ticket("Mon 09:00", status("Mon 10:00", "postponed"), status("Mon 14:00", "open"))
    whole = due(t, sla, "Mon 09:00", "Wed 09:00")
    assert len(whole) == 4
    sent: dict[str, Notice] = {}
    start = at("Mon 09:00")
    while start < at("Wed 09:00"):          # 3 h windows every 2 h: 1 h overlap
        for notice in escalations_due(t, since=start, until=start + timedelta(hours=3),
                                      policy=sla, graph=DEFAULT_GRAPH, directory=ROSTER):
            assert sent.setdefault(notice.key, notice) == notice
        start += timedelta(hours=2)
    assert sorted(sent) == sorted(n.key for n in whole)
    assert whole[0].key == "T-1:plan:0:resolution:2026-03-03T08:00:00+00:00:E-1"


def test_next_escalation_and_the_wakeup_across_tickets() -> None:
    sla = OFFSETS
    early, late = ticket("Mon 15:00"), ticket("Tue 09:00")
    kwargs: dict[str, Any] = {"policy": sla, "graph": DEFAULT_GRAPH, "directory": ROSTER}
    assert next_escalation(early, after=at("Mon 15:00"), **kwargs) == at("Mon 15:45")
    assert next_escalation(early, after=at("Mon 15:45"), **kwargs) == at("Mon 16:00")
    assert next_escalation(early, after=at("Tue 11:30"), **kwargs) is None
    assert next_escalation_wakeup([early, late], after=at("Mon 16:30"), **kwargs) == at("Tue 09:45")
    assert next_escalation_wakeup([], after=at("Mon 16:30"), **kwargs) is None


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"since.*timezone-aware"):
        escalations_due(ticket("Mon 09:00"), since=datetime(2026, 3, 2), until=at("Mon 10:00"),
                        policy=SHARES, graph=DEFAULT_GRAPH, directory=ROSTER)


# --- configuration ----------------------------------------------------------------------


def test_the_plan_as_configured() -> None:
    sla = policy(
        {"at": "80%", "of": "resolution", "notify": ["assignee", "group_manager"]},
        {"at": "+30m", "of": "resolution", "notify": ["employee:E-1"], "channel": "sms",
         "working_hours_only": "office"},
        {"at": "-1h30m", "of": "reaction", "notify": ["assignee_group"]},
    )
    assert sla.escalations is not None
    plan = sla.escalations["plan"]
    first, second, third = plan.levels
    assert first.at == ShareOfTarget(0.8) and str(first.at) == "80%"
    assert first.notify == (Recipient(RecipientKind.ASSIGNEE), Recipient("group_manager"))
    assert first.channel == "email" and first.working_hours_only is None
    assert second.at == OffsetFromDue(timedelta(minutes=30)) and str(second.at) == "+30m"
    assert second.notify == (Recipient(RecipientKind.EMPLOYEE, "E-1"),)
    assert (second.channel, second.working_hours_only) == ("sms", "office")
    assert third.at == OffsetFromDue(timedelta(minutes=-90)) and str(third.at) == "-1h30m"
    assert third.of is Target.REACTION
    assert plan.calendars == frozenset({"office"})


def section(levels: list[Any] | None = None, *, escalation: str = "plan",
            plans: list[Any] | None = None) -> dict[str, Any]:
    if plans is None:
        plans = [{"name": "plan", "levels": levels or [
            {"at": "80%", "of": "resolution", "notify": ["assignee"]}]}]
    return {
        "rules": [
            {"name": "A", "calendar": "office", "reaction": "1h", "resolution": "4h"},
            {"name": "B", "calendar": "office", "reaction": "1h", "resolution": "4h"},
            {"name": "C", "calendar": "office", "reaction": "1h", "resolution": "4h",
             "escalation": escalation},
        ],
        "escalations": plans,
    }


def level(**overrides: Any) -> dict[str, Any]:
    return {"at": "80%", "of": "resolution", "notify": ["assignee"], **overrides}


HINT = ("write '80%' (a share of the target's working time), '-1h' (working time before "
        "the due instant) or '+30m' (after it)")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (section(escalation="x"),
         "sla.rules[2].escalation: unknown escalation plan 'x' (known: plan)"),
        (section(plans=[]), "sla.rules[2].escalation: unknown escalation plan 'plan' (known: none)"),
        (section([level(at="30m")]),
         f"sla.escalations[0].levels[0].at: '30m' is not a level instant ({HINT})"),
        (section([level(at="+3d")]),
         f"sla.escalations[0].levels[0].at: '+3d' is not a level instant ({HINT})"),
        (section([level(at=0.8)]),
         f"sla.escalations[0].levels[0].at: 0.8 is not a level instant ({HINT})"),
        (section([level(of="reply")]),
         "sla.escalations[0].levels[0].of: expected 'reaction' or 'resolution', got 'reply'"),
        (section([level(), level(notify=["assignee", "boss"])]),
         "sla.escalations[0].levels[1].notify[1]: 'boss' is not a recipient "
         "(expected assignee, assignee_group, group_manager or employee:<id>)"),
        (section([level(notify=["employee"])]),
         "sla.escalations[0].levels[0].notify[0]: 'employee' names no employee: "
         "write employee:<id>"),
        (section([level(notify=[])]),
         "sla.escalations[0].levels[0].notify: expected a non-empty list of recipients "
         "(expected assignee, assignee_group, group_manager or employee:<id>), got []"),
        (section([level(channel="")]),
         "sla.escalations[0].levels[0].channel: expected a channel name such as 'email', "
         "'sms' or 'push', got ''"),
        (section([level(working_hours_only="paris")]),
         "sla.escalations[0].levels[0].working_hours_only: unknown calendar 'paris' "
         "(known: 24x7, office)"),
        (section([level(when="80%")]),
         "sla.escalations[0].levels[0].when: unknown key "
         "(expected one of: at, of, notify, channel, working_hours_only)"),
        (section([{"at": "80%", "notify": ["assignee"]}]),
         "sla.escalations[0].levels[0]: missing 'of'"),
        (section(plans=[{"name": "plan", "levels": []}]),
         "sla.escalations[0].levels: expected a non-empty list of level tables"),
        (section(plans=[{"name": "plan", "levels": [level()]}, {"name": "plan", "levels": [level()]}]),
         "sla.escalations[1].name: 'plan' is already the name of sla.escalations[0]"),
        ({"rules": [], "escalations": {"name": "plan"}},
         "sla.escalations: expected a list of [[sla.escalations]] tables, got {'name': 'plan'}"),
    ],
)
def test_configuration_mistakes_name_their_place(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        SlaPolicy.from_config(config, calendars=CALENDARS)
    assert str(caught.value) == message


def test_a_rule_naming_a_plan_that_is_not_defined_is_refused_on_load() -> None:
    with pytest.raises(ConfigError) as caught:
        SlaPolicy.from_config(
            {"rules": [{"name": "A", "calendar": "office", "reaction": "1h", "resolution": "4h",
                        "escalation": "call-boss"}]},
            calendars=CALENDARS,
        )
    assert str(caught.value) == "sla.rules[0].escalation: unknown escalation plan 'call-boss' (known: none)"


def test_a_policy_built_by_hand_checks_its_plans_too() -> None:
    sla = policy({"at": "80%", "of": "resolution", "notify": ["assignee"]})
    with pytest.raises(ValidationError, match=r"^sla\.rules\[0\]\.escalation: unknown "):
        SlaPolicy(table=sla.table, calendars=CALENDARS, escalations={})
