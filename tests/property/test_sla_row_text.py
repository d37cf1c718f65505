"""A report row's JSON text is what ``json.dumps`` writes for its dict."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.sla import SlaRow, SlaState
from helpdesk_core.sla.row import Clock

texts = st.text(max_size=20)  # quotes, backslashes, control characters, any script
instants = st.none() | st.one_of(
    st.builds(
        lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))),
        st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
        st.integers(-14 * 60, 14 * 60),
    ),
    # offsets with seconds and microseconds, which orjson would round
    st.builds(
        lambda moment, offset: moment.replace(tzinfo=timezone(timedelta(microseconds=offset))),
        st.datetimes(),
        st.integers(-(24 * 3600 * 10**6) + 1, 24 * 3600 * 10**6 - 1),
    ),
    # IANA zones, local mean time of the 1800s included
    st.datetimes(timezones=st.timezones(), allow_imaginary=False),
)


@settings(max_examples=500, deadline=None)
@given(
    ticket=texts,
    rule=st.none() | texts,
    calendar=st.none() | texts,
    due=instants,
    reacted=instants,
    resolved=instants,
    flags=st.lists(st.booleans(), min_size=4, max_size=4),
    paused=st.integers(0, 10**9),
    state=st.sampled_from(list(SlaState)),
    clock=st.sampled_from(list(Clock)),
    reason=texts,
    judges=st.tuples(st.none() | texts, st.none() | texts),
)
def test_the_json_text_of_a_row_is_json_dumps_of_its_dict(
    ticket: str,
    rule: str | None,
    calendar: str | None,
    due: datetime | None,
    reacted: datetime | None,
    resolved: datetime | None,
    flags: list[bool],
    paused: int,
    state: SlaState,
    clock: Clock,
    reason: str,
    judges: tuple[str | None, str | None],
) -> None:
    row = SlaRow(
        ticket=ticket,
        rule=rule,
        calendar=calendar,
        reaction_due=due,
        reacted_at=reacted,
        reaction_breached=flags[0],
        resolution_due=due,
        resolved_at=resolved,
        resolution_breached=flags[1],
        paused_minutes=paused,
        state=state,
        as_of=datetime(2026, 4, 8, 10, tzinfo=UTC),
        reaction_due_set_by_hand=flags[2],
        resolution_due_set_by_hand=flags[3],
        reaction_rule=judges[0],
        resolution_rule=judges[1],
        rule_reason=reason,
        clock=clock,
    )
    assert row.to_json_text() == json.dumps(row.to_json(), ensure_ascii=False)


def test_instants_with_offsets_of_seconds_are_written_exactly() -> None:
    from zoneinfo import ZoneInfo

    local_mean_time = datetime(1850, 4, 8, 12, 26, 36, tzinfo=ZoneInfo("Europe/Prague"))  # +00:57:44
    odd = datetime(2026, 4, 8, 12, tzinfo=timezone(timedelta(hours=1, seconds=1, microseconds=5)))
    row = SlaRow(
        ticket="T-1", rule=None, calendar=None, reaction_due=local_mean_time, reacted_at=odd,
        reaction_breached=False, resolution_due=None, resolved_at=None, resolution_breached=False,
        paused_minutes=0, state=SlaState.RUNNING, as_of=odd,
    )
    text = row.to_json_text()
    assert '"reaction_due": "1850-04-08T12:26:36+00:57:44"' in text
    assert '"reacted_at": "2026-04-08T12:00:00+01:00:01.000005"' in text
    assert text == json.dumps(row.to_json(), ensure_ascii=False)
