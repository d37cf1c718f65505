"""One line of the SLA report: the columns fixed by ``docs/formats.md`` plus a few
extensions that say where a number came from."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta, timezone
from json.encoder import encode_basestring
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import orjson

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import aware


class SlaState(enum.StrEnum):
    """The one-word verdict of a row, in order of precedence:
    ``no_sla`` › ``breached`` › ``met`` › ``at_risk`` › ``running``."""

    NO_SLA = "no_sla"
    """No rule applies and no deadline was set by hand: nothing to judge."""
    BREACHED = "breached"
    """A target (reaction or resolution) was or is missed."""
    MET = "met"
    """Resolved (or closed) with both targets in time."""
    AT_RISK = "at_risk"
    """Still running, and less than the policy's ``at_risk_share`` of a target remains."""
    RUNNING = "running"
    """Still running, with time to spare (the clock may be paused)."""


class Clock(enum.StrEnum):
    """What the resolution clock does at ``as_of``."""

    COUNTING = "counting"
    PAUSED = "paused"
    """The ticket is in a status that pauses the SLA (e.g. *postponed*)."""
    STOPPED = "stopped"
    """The ticket is resolved or closed."""


def _non_negative(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(f"SlaRow.{attribute.name}: expected whole minutes >= 0, got {value!r}")


_SURELY_AWARE = (timezone, ZoneInfo)
"""Zones whose ``utcoffset`` never answers None: a plain datetime carrying one
is aware without asking (a report builds millions of rows)."""


def _aware_instant(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """:func:`~helpdesk_core.model.checks.aware`, answering the common case first."""
    if value is None or (type(value) is datetime and type(value.tzinfo) in _SURELY_AWARE):
        return
    aware(instance, attribute, value)


def _state(value: str) -> SlaState:
    return value if isinstance(value, SlaState) else SlaState(value)


def clock_of(value: str | Clock) -> Clock:
    """The clock state named ``value`` (``"counting"``, ``"paused"``, ``"stopped"``)."""
    return value if isinstance(value, Clock) else Clock(value)


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _text_or_null(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _instant_or_null(value: datetime | None) -> str:
    """The JSON text of an instant: ``isoformat`` in quotes, or ``null``.

    orjson writes the same text about three times faster (a row has four
    instants), except for an offset with seconds, which it rounds to the
    minute (a zone's local mean time before 1900, say): those, and datetime
    subclasses, are written by ``isoformat``.
    """
    if value is None:
        return "null"
    if type(value) is datetime:
        zone = value.tzinfo
        if type(zone) is timezone:  # a fixed offset: asked once per offset
            whole = _WHOLE_MINUTES.get(zone)
            if whole is None:
                if len(_WHOLE_MINUTES) > 1024:
                    _WHOLE_MINUTES.clear()
                whole = _WHOLE_MINUTES[zone] = _whole_minutes(zone.utcoffset(None))
        else:
            whole = _whole_minutes(value.utcoffset())
        if whole:
            return _dumps(value).decode()
    return f'"{value.isoformat()}"'


_WHOLE_MINUTES: dict[timezone, bool] = {}
"""Whether each fixed offset met so far is whole minutes (a desk meets few; bounded)."""


def _whole_minutes(offset: timedelta | None) -> bool:
    return offset is not None and not (offset.seconds % 60 or offset.microseconds)


_BOOLEAN = {True: "true", False: "false"}
_dumps = orjson.dumps
_new = object.__new__
_put = object.__setattr__


_last_as_of: tuple[datetime, str] | None = None
"""The last ``as_of`` written and its text: every row of a report shares one."""


def _as_of_text(value: datetime) -> str:
    global _last_as_of
    last = _last_as_of
    if last is not None and last[0] is value:
        return last[1]
    text = value.isoformat()
    _last_as_of = (value, text)
    return text


@attrs.frozen(kw_only=True, slots=False)
class SlaRow:
    """The SLA of one ticket as of one instant.

    Due instants are in the rule calendar's zone (or as set by hand);
    ``paused_minutes`` is *wall-clock* (real elapsed) minutes spent in statuses
    that pause the clock, floored, counting a running pause up to ``as_of``.

    Extensions beyond ``docs/formats.md``: ``as_of``; ``*_due_set_by_hand`` (the
    deadline comes from an ``sla`` event); ``reaction_rule`` / ``resolution_rule``
    (the rule that judged each target: an achieved target is judged by the rule
    in force when it was achieved); ``rule_reason`` (why ``rule`` is in force);
    ``clock`` (counting, paused or stopped).
    """

    ticket: str
    rule: str | None
    calendar: str | None
    reaction_due: datetime | None = attrs.field(validator=_aware_instant)
    reacted_at: datetime | None = attrs.field(validator=_aware_instant)
    reaction_breached: bool
    resolution_due: datetime | None = attrs.field(validator=_aware_instant)
    resolved_at: datetime | None = attrs.field(validator=_aware_instant)
    resolution_breached: bool
    paused_minutes: int = attrs.field(validator=_non_negative)
    state: SlaState = attrs.field(converter=_state)
    as_of: datetime = attrs.field(validator=_aware_instant)
    reaction_due_set_by_hand: bool = False
    resolution_due_set_by_hand: bool = False
    reaction_rule: str | None = None
    resolution_rule: str | None = None
    rule_reason: str = ""
    clock: Clock = attrs.field(default=Clock.COUNTING, converter=clock_of)

    @classmethod
    def computed(cls, **fields: Any) -> SlaRow:
        """A row from the SLA engine's own values, built without running the
        validators again (a report builds millions): every field must be
        given, each already of its type — the engine's tests hold its rows
        equal to validated ones. Anything else builds rows with ``SlaRow(...)``.
        A dict-backed instance (no slots) takes its fields in one step."""
        row = _new(cls)
        _put(row, "__dict__", fields)
        return row

    def to_json(self) -> dict[str, Any]:
        """The row as the JSON object of ``docs/formats.md`` (fixed columns first,
        ISO-8601 instants with their offset, ``null`` for what is not known)."""
        return {
            "ticket": self.ticket,
            "rule": self.rule,
            "calendar": self.calendar,
            "reaction_due": _instant(self.reaction_due),
            "reacted_at": _instant(self.reacted_at),
            "reaction_breached": self.reaction_breached,
            "resolution_due": _instant(self.resolution_due),
            "resolved_at": _instant(self.resolved_at),
            "resolution_breached": self.resolution_breached,
            "paused_minutes": self.paused_minutes,
            "state": self.state.value,
            "as_of": _as_of_text(self.as_of),
            "reaction_due_set_by_hand": self.reaction_due_set_by_hand,
            "resolution_due_set_by_hand": self.resolution_due_set_by_hand,
            "reaction_rule": self.reaction_rule,
            "resolution_rule": self.resolution_rule,
            "rule_reason": self.rule_reason,
            "clock": self.clock.value,
        }


    def to_json_text(self) -> str:
        """:meth:`to_json` as the JSON text ``json.dumps(row, ensure_ascii=False)``
        writes, byte for byte (a report writes millions of rows: this is about
        four times faster than building the dict and encoding it).

        The rule's columns and everything after ``paused_minutes`` take few
        distinct values in a report, so their text is written once per value
        and kept (a bounded cache).
        """
        rule_key = (self.rule, self.calendar)
        rule = _FRAGMENTS.get(rule_key)
        if rule is None:
            rule = _fragment(rule_key, f'"rule": {_text_or_null(self.rule)}, '
                             f'"calendar": {_text_or_null(self.calendar)}, ')
        state, clock, as_of = self.state, self.clock, _as_of_text(self.as_of)
        by_hand = (self.reaction_due_set_by_hand, self.resolution_due_set_by_hand)
        judges = (self.reaction_rule, self.resolution_rule, self.rule_reason)
        verdict_key = (state, clock, as_of, by_hand, judges)
        verdict = _FRAGMENTS.get(verdict_key)
        if verdict is None:
            verdict = _fragment(verdict_key, (
                f'"state": "{state.value}", "as_of": "{as_of}", '
                f'"reaction_due_set_by_hand": {_BOOLEAN[by_hand[0]]}, '
                f'"resolution_due_set_by_hand": {_BOOLEAN[by_hand[1]]}, '
                f'"reaction_rule": {_text_or_null(judges[0])}, '
                f'"resolution_rule": {_text_or_null(judges[1])}, '
                f'"rule_reason": {encode_basestring(judges[2])}, "clock": "{clock.value}"}}'
            ))
        return (
            f'{{"ticket": {encode_basestring(self.ticket)}, {rule}'
            f'"reaction_due": {_instant_or_null(self.reaction_due)}, '
            f'"reacted_at": {_instant_or_null(self.reacted_at)}, '
            f'"reaction_breached": {_BOOLEAN[self.reaction_breached]}, '
            f'"resolution_due": {_instant_or_null(self.resolution_due)}, '
            f'"resolved_at": {_instant_or_null(self.resolved_at)}, '
            f'"resolution_breached": {_BOOLEAN[self.resolution_breached]}, '
            f'"paused_minutes": {int(self.paused_minutes)}, {verdict}'
        )


_FRAGMENTS: dict[tuple[Any, ...], str] = {}
"""JSON text of the columns that repeat from row to row, by their values."""


def _fragment(key: tuple[Any, ...], text: str) -> str:
    if len(_FRAGMENTS) >= 4096:
        _FRAGMENTS.clear()
    _FRAGMENTS[key] = text
    return text


REPORT_COLUMNS = (
    "ticket",
    "rule",
    "calendar",
    "reaction_due",
    "reacted_at",
    "reaction_breached",
    "resolution_due",
    "resolved_at",
    "resolution_breached",
    "paused_minutes",
    "state",
)
"""The fixed columns of the SLA report (``docs/formats.md``), in order."""

__all__ = ["REPORT_COLUMNS", "Clock", "SlaRow", "SlaState"]
