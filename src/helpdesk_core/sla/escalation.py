"""Escalation plans: who is warned, how and when a ticket is not progressing.

A plan is a list of levels. Each level is reached at a moment tied to one of
the two SLA targets (reaction, resolution) of a ticket — a *share* of the
target's working time having counted ("80%"), or an *offset* of working time
before or after the target's due instant ("-1h", "+30m") — and names whom to
notify, on which channel, and optionally a calendar outside whose working
hours nobody is disturbed. Plans are values; :mod:`helpdesk_core.sla.notices`
turns them into notices for a ticket. The ``[[sla.escalations]]`` syntax is in
``docs/sla.md``.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Final

import attrs

from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.model.checks import identifier
from helpdesk_core.sla.durations import format_duration, parse_duration

DEFAULT_CHANNEL: Final = "email"
"""The channel of a level that names none."""

_PLAN_KEYS: Final = ("name", "levels")
_LEVEL_KEYS: Final = ("at", "of", "notify", "channel", "working_hours_only")
_PERCENT: Final = re.compile(r"^(\d+(?:\.\d+)?)\s*%$")
_AT_HINT: Final = (
    "write '80%' (a share of the target's working time), "
    "'-1h' (working time before the due instant) or '+30m' (after it)"
)


class Target(enum.StrEnum):
    """The SLA target a level watches."""

    REACTION = "reaction"
    RESOLUTION = "resolution"


def _target(value: object) -> Target:
    if isinstance(value, Target):
        return value
    try:
        return Target(str(value))
    except ValueError:
        raise ValidationError(
            f"EscalationLevel.of: expected 'reaction' or 'resolution', got {value!r}"
        ) from None


def _share(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValidationError(
            f"ShareOfTarget.share: expected a fraction >= 0 (0.8 for 80 %), got {value!r}"
        )


@attrs.frozen
class ShareOfTarget:
    """Reached when ``share`` (a fraction: 0.8 = 80 %) of the target's working
    time has *counted*: time paused or spent resolved does not count, so a pause
    postpones the level. Above 1 it lies beyond the due instant (1.5 = half the
    target again after it)."""

    share: float = attrs.field(validator=_share)

    def __str__(self) -> str:
        return f"{self.share * 100:g}%"


def _offset(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, timedelta):
        raise ValidationError(f"OffsetFromDue.offset: expected a timedelta, got {value!r}")


@attrs.frozen
class OffsetFromDue:
    """Reached ``offset`` of *working* time (on the rule's calendar) after the
    target's due instant; a negative offset lies before it. The level follows
    the due instant: when a pause or a deadline set by hand moves the due, the
    level moves with it."""

    offset: timedelta = attrs.field(validator=_offset)

    def __str__(self) -> str:
        sign = "-" if self.offset < timedelta(0) else "+"
        return sign + format_duration(abs(self.offset))


Reach = ShareOfTarget | OffsetFromDue
"""When a level is reached."""


class RecipientKind(enum.StrEnum):
    """Whom a level notifies, as written in ``notify``."""

    ASSIGNEE = "assignee"
    """The employee responsible; when a group is responsible, its notification list."""
    ASSIGNEE_GROUP = "assignee_group"
    """The group responsible, or every group the responsible employee belongs
    to: the notification list of each."""
    GROUP_MANAGER = "group_manager"
    """The manager of each group of :attr:`ASSIGNEE_GROUP`."""
    EMPLOYEE = "employee"
    """One named employee (``employee:E-1``)."""


_RECIPIENT_HINT: Final = "expected assignee, assignee_group, group_manager or employee:<id>"


def _employee(instance: Recipient, attribute: attrs.Attribute[Any], value: object) -> None:
    if (value is None) != (instance.kind is not RecipientKind.EMPLOYEE):
        raise ValidationError(
            f"Recipient.employee: an employee id goes with kind 'employee' only, "
            f"got kind {instance.kind.value!r} and employee {value!r}"
        )
    identifier(instance, attribute, value)


@attrs.frozen
class Recipient:
    """One entry of a level's ``notify`` list."""

    kind: RecipientKind = attrs.field(converter=RecipientKind)
    employee: str | None = attrs.field(default=None, validator=_employee)

    @classmethod
    def parse(cls, text: object) -> Recipient:
        """The recipient written as ``text`` (``"assignee"``, ``"employee:E-1"``…)."""
        if isinstance(text, Recipient):
            return text
        if not isinstance(text, str):
            raise ValidationError(f"{text!r} is not a recipient ({_RECIPIENT_HINT})")
        kind, colon, employee = text.strip().partition(":")
        if colon:
            if kind != RecipientKind.EMPLOYEE.value or not employee.strip():
                raise ValidationError(f"{text!r} is not a recipient ({_RECIPIENT_HINT})")
            return cls(RecipientKind.EMPLOYEE, employee.strip())
        if kind == RecipientKind.EMPLOYEE.value:
            raise ValidationError(f"{text!r} names no employee: write employee:<id>")
        try:
            return cls(RecipientKind(kind))
        except ValueError:
            raise ValidationError(f"{text!r} is not a recipient ({_RECIPIENT_HINT})") from None

    def __str__(self) -> str:
        if self.employee is not None:
            return f"{self.kind.value}:{self.employee}"
        return self.kind.value


def _recipients(values: Iterable[Recipient | str]) -> tuple[Recipient, ...]:
    if isinstance(values, str):
        raise ValidationError(
            f"EscalationLevel.notify: expected a list of recipients, got {values!r}"
        )
    return tuple(Recipient.parse(value) for value in values)


def _reach(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, ShareOfTarget | OffsetFromDue):
        raise ValidationError(
            f"EscalationLevel.at: expected a ShareOfTarget or an OffsetFromDue, got {value!r}"
        )


def _some(instance: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    if not value:
        raise ValidationError(f"{type(instance).__name__}.{attribute.name}: must not be empty")


def _word(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: expected a non-empty name, got {value!r}"
        )


def _optional_word(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _word(instance, attribute, value)


@attrs.frozen(kw_only=True)
class EscalationLevel:
    """One step of a plan: when it is reached, whom to tell and how.

    ``working_hours_only`` names a calendar: a notice reached outside its
    working hours is delivered at its next opening instead (and dropped when the
    target has been achieved by then).
    """

    at: Reach = attrs.field(validator=_reach)
    of: Target = attrs.field(converter=_target)
    notify: tuple[Recipient, ...] = attrs.field(converter=_recipients, validator=_some)
    channel: str = attrs.field(default=DEFAULT_CHANNEL, validator=_word)
    working_hours_only: str | None = attrs.field(default=None, validator=_optional_word)


def _levels(values: Iterable[EscalationLevel]) -> tuple[EscalationLevel, ...]:
    levels = tuple(values)
    for index, level in enumerate(levels):
        if not isinstance(level, EscalationLevel):
            raise ValidationError(
                f"EscalationPlan.levels[{index}]: expected an EscalationLevel, got {level!r}"
            )
    return levels


@attrs.frozen
class EscalationPlan:
    """A named list of levels, referred to by an SLA rule's ``escalation``.

    A level is known by its position (0-based) in ``levels``: notices and their
    idempotency keys carry it, so reordering a plan's levels changes the keys.
    """

    name: str = attrs.field(validator=_word)
    levels: tuple[EscalationLevel, ...] = attrs.field(converter=_levels, validator=_some)

    @property
    def calendars(self) -> frozenset[str]:
        """The calendars named by ``working_hours_only`` in any level."""
        return frozenset(
            level.working_hours_only
            for level in self.levels
            if level.working_hours_only is not None
        )


def parse_reach(value: object, *, path: str) -> Reach:
    """The ``at`` of a level: ``"80%"`` (a share of the target), ``"-1h"`` or
    ``"+30m"`` (working time before or after the due instant). The sign is
    required, so that a bare ``"30m"`` cannot be read both ways."""
    if not isinstance(value, str):
        raise ConfigError(f"{path}: {value!r} is not a level instant ({_AT_HINT})")
    text = value.strip()
    percent = _PERCENT.match(text)
    if percent is not None:
        return ShareOfTarget(float(percent.group(1)) / 100)
    if text[:1] in ("+", "-"):
        try:
            magnitude = parse_duration(text[1:].strip(), path=path)
        except ConfigError:
            raise ConfigError(f"{path}: {value!r} is not a level instant ({_AT_HINT})") from None
        return OffsetFromDue(-magnitude if text[0] == "-" else magnitude)
    raise ConfigError(f"{path}: {value!r} is not a level instant ({_AT_HINT})")


def plans_from_config(
    raw: object, *, calendars: Mapping[str, object], path: str = "sla.escalations"
) -> dict[str, EscalationPlan]:
    """The ``[[sla.escalations]]`` tables as plans by name.

    ``calendars`` are the configured calendars by name (for
    ``working_hours_only``). Every mistake is a :class:`ConfigError` naming its
    place, e.g. ``sla.escalations[0].levels[1].notify[0]: 'boss' is not a
    recipient (...)``.
    """
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise ConfigError(f"{path}: expected a list of [[{path}]] tables, got {raw!r}")
    plans: dict[str, EscalationPlan] = {}
    places: dict[str, int] = {}
    for index, table in enumerate(raw):
        place = f"{path}[{index}]"
        plan = _plan_from_config(table, calendars=calendars, path=place)
        if plan.name in plans:
            raise ConfigError(
                f"{place}.name: {plan.name!r} is already the name of {path}[{places[plan.name]}]"
            )
        plans[plan.name] = plan
        places[plan.name] = index
    return plans


def _refuse_unknown(table: Mapping[str, Any], known: Sequence[str], path: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{path}.{key}: unknown key (expected one of: {', '.join(known)})")


def _plan_from_config(
    raw: object, *, calendars: Mapping[str, object], path: str
) -> EscalationPlan:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path}: expected a table, got {raw!r}")
    _refuse_unknown(raw, _PLAN_KEYS, path)
    for key in _PLAN_KEYS:
        if key not in raw:
            raise ConfigError(f"{path}: missing {key!r}")
    name = raw["name"]
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{path}.name: expected a non-empty plan name, got {name!r}")
    levels = raw["levels"]
    if not isinstance(levels, Sequence) or isinstance(levels, str) or not levels:
        raise ConfigError(f"{path}.levels: expected a non-empty list of level tables")
    return EscalationPlan(
        name,
        tuple(
            _level_from_config(level, calendars=calendars, path=f"{path}.levels[{index}]")
            for index, level in enumerate(levels)
        ),
    )


def _level_from_config(
    raw: object, *, calendars: Mapping[str, object], path: str
) -> EscalationLevel:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path}: expected a table, got {raw!r}")
    _refuse_unknown(raw, _LEVEL_KEYS, path)
    for key in ("at", "of", "notify"):
        if key not in raw:
            raise ConfigError(f"{path}: missing {key!r}")
    at = parse_reach(raw["at"], path=f"{path}.at")
    of = raw["of"]
    if of not in (Target.REACTION.value, Target.RESOLUTION.value):
        raise ConfigError(f"{path}.of: expected 'reaction' or 'resolution', got {of!r}")
    notify = raw["notify"]
    if not isinstance(notify, Sequence) or isinstance(notify, str) or not notify:
        raise ConfigError(
            f"{path}.notify: expected a non-empty list of recipients ({_RECIPIENT_HINT}), "
            f"got {notify!r}"
        )
    recipients = []
    for index, written in enumerate(notify):
        try:
            recipients.append(Recipient.parse(written))
        except ValidationError as error:
            raise ConfigError(f"{path}.notify[{index}]: {error}") from None
    channel = raw.get("channel", DEFAULT_CHANNEL)
    if not isinstance(channel, str) or not channel.strip():
        raise ConfigError(
            f"{path}.channel: expected a channel name such as 'email', 'sms' or 'push', "
            f"got {channel!r}"
        )
    hours = raw.get("working_hours_only")
    if hours is not None and (not isinstance(hours, str) or hours not in calendars):
        known = ", ".join(sorted(calendars)) or "none"
        raise ConfigError(
            f"{path}.working_hours_only: unknown calendar {hours!r} (known: {known})"
        )
    return EscalationLevel(
        at=at, of=Target(of), notify=tuple(recipients), channel=channel.strip(),
        working_hours_only=hours,
    )


__all__ = [
    "DEFAULT_CHANNEL",
    "EscalationLevel",
    "EscalationPlan",
    "OffsetFromDue",
    "Reach",
    "Recipient",
    "RecipientKind",
    "ShareOfTarget",
    "Target",
    "parse_reach",
    "plans_from_config",
]
