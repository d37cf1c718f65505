"""A report row's JSON text is what ``json.dumps`` writes for its dict."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.sla import SlaRow, SlaState
from helpdesk_core.sla.row import Clock

texts = st.text(max_size=20)  # quotes, backslashes, control characters, any script
instants = st.none() | st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(-14 * 60, 14 * 60),
)


@settings(max_examples=300, deadline=None)
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
