"""The closed set of conditions a rule may put on a ticket's facts.

Facts are a plain ``Mapping[str, object]`` (``{"type": "incident", "priority":
"high", "customer_group": ("G-1", "G-2"), "attributes": {"region": "north"},
"registered_at": <aware datetime>}``), so rule tables do not depend on the ticket
model and serve SLA rules and routing rules alike.

Every condition is a frozen attrs value with a ``kind`` class variable: the tag
under which the serialization converter stores it in a tagged union
(``configure_tagged_union(Condition, converter, tag_name="kind",
tag_generator=condition_kind)``). ``InWeeklyWindow`` holds
``datetime.time`` values, which the converter must (un)structure as ``"HH:MM"``.

Each condition compiles once, when a :class:`~helpdesk_core.rules.RuleTable` is
built, into a :data:`Check` closure: a batch report evaluates millions of facts,
so nothing is parsed or looked up by name per call. A check returns whether the
condition holds, or raises when it cannot be decided (missing registration time,
naive datetime, unknown calendar); the table turns that into a fault.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, time
from typing import ClassVar, Final, Protocol, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from helpdesk_core.errors import NotFound, ValidationError

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names in ``datetime.weekday()`` order (Monday is 0)."""

REGISTERED_AT: Final = "registered_at"
"""The fact holding the instant a ticket was registered (an aware datetime)."""

ATTRIBUTES: Final = "attributes"
"""The fact holding a ticket's custom attributes (a mapping NAME → value)."""


class SupportsIsWorking(Protocol):
    """Anything that can tell whether an instant falls in working time.

    ``helpdesk_core.worktime.WorkingCalendar`` satisfies it; rules do not
    import it so that the two packages stay independent.
    """

    def is_working(self, t: datetime, /) -> bool: ...


Facts: TypeAlias = Mapping[str, object]
Calendars: TypeAlias = Mapping[str, SupportsIsWorking]
Check: TypeAlias = Callable[[Facts, Calendars], bool]


def _string_set(value: Iterable[str]) -> frozenset[str]:
    """Accept any iterable of strings except a lone string (which would split)."""
    if isinstance(value, str):
        raise ValidationError(f"values: expected a collection of strings, got the string {value!r}")
    result = frozenset(value)
    for item in result:
        if not isinstance(item, str):
            raise ValidationError(
                f"values: expected strings, got {item!r} ({type(item).__name__})"
            )
    return result


def _non_empty_str(name: str) -> Callable[[object, attrs.Attribute[str], str], None]:
    def check(_instance: object, _attribute: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValidationError(f"{name}: expected a non-empty string, got {value!r}")

    return check


def is_multi_valued(value: object) -> bool:
    """A fact holding several values at once (a ticket in several customer groups)."""
    return isinstance(value, tuple | list | frozenset | set)


def _overlaps(values: frozenset[str], value: object) -> bool:
    """Whether a fact value (scalar, collection or missing) hits ``values``."""
    if value is None:
        return False
    if isinstance(value, tuple | list | frozenset | set):
        return not values.isdisjoint(value)
    return value in values


def registration_instant(facts: Facts) -> datetime:
    """The aware registration instant, or a ValidationError saying what is wrong."""
    instant = facts.get(REGISTERED_AT)
    if instant is None:
        raise ValidationError(f"fact {REGISTERED_AT!r} is missing")
    if not isinstance(instant, datetime):
        raise ValidationError(
            f"fact {REGISTERED_AT!r}: expected a datetime, got {instant!r} "
            f"({type(instant).__name__})"
        )
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValidationError(
            f"fact {REGISTERED_AT!r}: {instant.isoformat()} is naive; "
            "a timezone-aware datetime is required"
        )
    return instant


def attribute_value(facts: Facts, name: str) -> object:
    """One custom attribute, or None when the ticket has no such attribute."""
    attributes = facts.get(ATTRIBUTES)
    if attributes is None:
        return None
    if not isinstance(attributes, Mapping):
        raise ValidationError(
            f"fact {ATTRIBUTES!r}: expected a mapping, got {type(attributes).__name__}"
        )
    return attributes.get(name)


@attrs.frozen
class FieldIn:
    """The fact ``field`` is one of ``values``.

    A multi-valued fact matches when any of its values is one of ``values``.
    A missing or ``None`` fact (or an empty collection) does not match.
    """

    kind: ClassVar[str] = "field_in"
    field: str = attrs.field(validator=_non_empty_str("field"))
    values: frozenset[str] = attrs.field(converter=_string_set)

    def compile(self) -> Check:
        field, values = self.field, self.values

        def check(facts: Facts, _calendars: Calendars) -> bool:
            value = facts.get(field)
            if value.__class__ is str:
                return value in values
            return _overlaps(values, value)

        return check


@attrs.frozen
class FieldNotIn:
    """The fact ``field`` is none of ``values`` (the ``not_`` keys).

    A multi-valued fact matches only when none of its values is excluded.
    A missing or ``None`` fact matches: nothing excluded is present.
    """

    kind: ClassVar[str] = "field_not_in"
    field: str = attrs.field(validator=_non_empty_str("field"))
    values: frozenset[str] = attrs.field(converter=_string_set)

    def compile(self) -> Check:
        field, values = self.field, self.values

        def check(facts: Facts, _calendars: Calendars) -> bool:
            value = facts.get(field)
            if value.__class__ is str:
                return value not in values
            return not _overlaps(values, value)

        return check


@attrs.frozen
class AttributeEquals:
    """The custom attribute ``facts["attributes"][name]`` equals ``value``.

    A missing attribute does not match; a multi-valued one matches when it
    contains ``value``.
    """

    kind: ClassVar[str] = "attribute_equals"
    name: str = attrs.field(validator=_non_empty_str("name"))
    value: str = attrs.field(validator=attrs.validators.instance_of(str))

    def compile(self) -> Check:
        name, values = self.name, frozenset((self.value,))

        def check(facts: Facts, _calendars: Calendars) -> bool:
            return _overlaps(values, attribute_value(facts, name))

        return check


@attrs.frozen
class AttributeIn:
    """The custom attribute ``facts["attributes"][name]`` is one of ``values``.

    A missing attribute does not match; a multi-valued one matches on overlap.
    """

    kind: ClassVar[str] = "attribute_in"
    name: str = attrs.field(validator=_non_empty_str("name"))
    values: frozenset[str] = attrs.field(converter=_string_set)

    def compile(self) -> Check:
        name, values = self.name, self.values

        def check(facts: Facts, _calendars: Calendars) -> bool:
            return _overlaps(values, attribute_value(facts, name))

        return check


@attrs.frozen
class InWorkingHours:
    """The ticket was registered inside (or, with ``inside=False``, outside) the
    working hours of the calendar named ``calendar``.

    Calendars are supplied when the table is evaluated; an unknown name, a
    missing or naive ``registered_at`` raise, and the table reports a fault.
    """

    kind: ClassVar[str] = "in_working_hours"
    calendar: str = attrs.field(validator=_non_empty_str("calendar"))
    inside: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))

    def compile(self) -> Check:
        name, inside = self.calendar, self.inside

        def check(facts: Facts, calendars: Calendars) -> bool:
            instant = registration_instant(facts)
            calendar = calendars.get(name)
            if calendar is None:
                known = ", ".join(sorted(calendars)) or "none"
                raise NotFound(f"calendar {name!r} is not known (known: {known})")
            return bool(calendar.is_working(instant)) is inside

        return check


def _weekday_set(value: Iterable[str]) -> frozenset[str]:
    days = _string_set(value)
    unknown = sorted(days.difference(WEEKDAYS))
    if unknown:
        raise ValidationError(
            f"days: {unknown[0]!r} is not a weekday (expected some of: {', '.join(WEEKDAYS)})"
        )
    return days


def _wall_clock(_instance: object, attribute: attrs.Attribute[time], value: time) -> None:
    if not isinstance(value, time):
        raise ValidationError(f"{attribute.name}: expected a time of day, got {value!r}")
    if value.tzinfo is not None:
        raise ValidationError(
            f"{attribute.name}: expected a wall-clock time without a zone, got {value.isoformat()}"
        )


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:  # OSError: a name too long for a file
        shown = tz if len(tz) <= 80 else tz[:80] + "…"
        raise ValidationError(f"tz: {shown!r} is not an IANA time zone") from error


def _known_zone(_instance: object, _attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise ValidationError(f"tz: expected an IANA time zone name, got {value!r}")
    _zone(value)


@attrs.frozen
class InWeeklyWindow:
    """The registration instant, seen on the wall clock of ``tz``, falls in
    ``[start, end)`` on one of ``days`` (``"mon"`` … ``"sun"``).

    When ``end <= start`` the window runs past midnight into the next day and
    belongs to the day it starts on: ``fri 22:00–06:00`` covers Friday 22:00 to
    Saturday 06:00. ``end == start`` is a whole 24-hour window starting at
    ``start``. Wall-clock times follow DST, so a window is shorter or longer in
    real time on the days the clocks change.
    """

    kind: ClassVar[str] = "in_weekly_window"
    days: frozenset[str] = attrs.field(converter=_weekday_set)
    start: time = attrs.field(validator=_wall_clock)
    end: time = attrs.field(validator=_wall_clock)
    tz: str = attrs.field(validator=_known_zone)

    @property
    def zone(self) -> ZoneInfo:
        """The zone whose wall clock the window is read on."""
        return _zone(self.tz)

    @property
    def wraps(self) -> bool:
        """Whether the window runs past midnight into the next day."""
        return self.end <= self.start

    def compile(self) -> Check:
        zone = self.zone
        start, end = self.start, self.end
        day_numbers = frozenset(WEEKDAYS.index(day) for day in self.days)
        previous_day_numbers = frozenset((n + 1) % 7 for n in day_numbers)

        if not self.wraps:

            def check(facts: Facts, _calendars: Calendars) -> bool:
                local = registration_instant(facts).astimezone(zone)
                return local.weekday() in day_numbers and start <= local.time() < end

            return check

        def check_wrapping(facts: Facts, _calendars: Calendars) -> bool:
            local = registration_instant(facts).astimezone(zone)
            clock = local.time()
            if clock >= start and local.weekday() in day_numbers:
                return True
            return clock < end and local.weekday() in previous_day_numbers

        return check_wrapping


Condition: TypeAlias = FieldIn | FieldNotIn | AttributeEquals | AttributeIn | InWorkingHours | InWeeklyWindow
"""The closed union of conditions; the converter registers it as a tagged union."""

CONDITION_TYPES: Final[tuple[type[Condition], ...]] = (
    FieldIn,
    FieldNotIn,
    AttributeEquals,
    AttributeIn,
    InWorkingHours,
    InWeeklyWindow,
)
"""Every condition class, in documentation order; each has a distinct ``kind``."""

_KINDS: Final[Mapping[type, str]] = {cls: cls.kind for cls in CONDITION_TYPES}


def condition_kind(cls: type) -> str:
    """The tag of a condition class: pass it as the tagged union's ``tag_generator``."""
    try:
        return _KINDS[cls]
    except KeyError:
        raise ValidationError(f"{cls.__name__} is not a rule condition") from None


def condition_holds(
    condition: Condition, facts: Facts, calendars: Calendars | None = None
) -> bool:
    """Evaluate one condition once (slow path: compiles it; tables precompile)."""
    return condition.compile()(facts, calendars if calendars is not None else {})

