"""The routing table and the account's routing settings, as the admin wrote them
in ``[routing]`` and ``[[routing.rules]]`` of ``helpdesk.toml``.

A routing rule is a :class:`~helpdesk_core.rules.Rule` whose result is a
:class:`RoutingResult`: the same ``when`` conditions, first-match order,
``enabled`` flag, ``explain`` and ``lint`` as SLA rules. Every mistake is a
:class:`ConfigError` naming its place, e.g. ``routing.rules[2].strategy:
'round-robin' is not one of keep_group, round_robin, least_loaded``.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import attrs

from helpdesk_core.config_keys import refuse_unknown_keys
from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.fingerprints import digest
from helpdesk_core.model.checks import enum_member, id_set, identifier_set, member_of
from helpdesk_core.model.ticket import Assignee
from helpdesk_core.rules import InWorkingHours, Rule, RuleTable, conditions_from_when

ROUTING_FIELDS: Final = ("type", "priority", "channel", "company", "client_category", "customer_group")
"""The ticket facts a routing rule's ``when`` may test (a new ticket has no status yet)."""

_SECTION_KEYS: Final = (
    "default_assignee",
    "owner_chain",
    "observer_employees",
    "observer_groups",
    "sla_responsible",
    "rules",
)
_RULE_KEYS: Final = (
    "name",
    "enabled",
    "when",
    "assignee",
    "strategy",
    "observer_employees",
    "observer_groups",
)


class Strategy(enum.StrEnum):
    """How a group assignee hands the ticket to one of its members."""

    KEEP_GROUP = "keep_group"
    """The group stays responsible; its members pick the ticket up themselves."""
    ROUND_ROBIN = "round_robin"
    """The next qualifying member after the one who got the group's last ticket."""
    LEAST_LOADED = "least_loaded"
    """The qualifying member with the fewest tickets counting toward load."""


class OwnerChain(enum.StrEnum):
    """Which default owner chain answers when no rule decides."""

    STANDARD = "standard"
    """Service object's responsible → contact's → company's → ``default_assignee``."""
    AYMINE = "aymine"
    """The SLA rule's responsible and the customer groups' responsibles first,
    then the standard chain."""


def _ids(value: Iterable[str]) -> frozenset[str]:
    return id_set(value)


def _strategy(value: Strategy | str) -> Strategy:
    return enum_member(Strategy, value)


def _owner_chain(value: OwnerChain | str) -> OwnerChain:
    return enum_member(OwnerChain, value)


@attrs.frozen(kw_only=True)
class RoutingResult:
    """What a routing rule decides: the assignee, how a group assignee hands
    the ticket on, and the observers the rule adds (employees and groups apart)."""

    assignee: Assignee = attrs.field(validator=attrs.validators.instance_of(Assignee))
    strategy: Strategy = attrs.field(
        default=Strategy.KEEP_GROUP, converter=_strategy, validator=member_of(Strategy)
    )
    observer_employees: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=identifier_set
    )
    observer_groups: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=identifier_set
    )

    def __attrs_post_init__(self) -> None:
        if self.strategy is not Strategy.KEEP_GROUP and not self.assignee.group:
            raise ValidationError(
                f"strategy: {self.strategy.value!r} hands a group's ticket to a member, "
                f"but the assignee {self.assignee.id} is an employee"
            )


RoutingRule = Rule[RoutingResult]
"""One row of the routing table."""

RoutingTable = RuleTable[RoutingResult]
"""The routing table: first enabled matching rule from the top wins; no fallback
(the default owner chain answers instead)."""


def _readonly(value: Mapping[str, Assignee]) -> Mapping[str, Assignee]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class RoutingSettings:
    """The account's routing settings (``[routing]`` without its rules).

    ``default_assignee`` is the last link of the owner chain; the observers are
    the account's default observers; ``sla_responsible`` maps an SLA rule name
    to its responsible, read only by the AyMINE owner chain.
    """

    default_assignee: Assignee | None = None
    owner_chain: OwnerChain = attrs.field(
        default=OwnerChain.STANDARD, converter=_owner_chain, validator=member_of(OwnerChain)
    )
    observer_employees: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=identifier_set
    )
    observer_groups: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=identifier_set
    )
    sla_responsible: Mapping[str, Assignee] = attrs.field(factory=dict, converter=_readonly, hash=False)


@attrs.frozen
class RoutingPolicy:
    """The routing table with the settings it runs under, and their fingerprint:
    a decision records the fingerprint, so a later change of either is visible."""

    table: RoutingTable = attrs.field(factory=lambda: RuleTable(()))
    settings: RoutingSettings = attrs.field(factory=RoutingSettings)

    @property
    def fingerprint(self) -> str | None:
        """The configuration fingerprint (:func:`fingerprint`) of this policy."""
        return fingerprint(self.table, self.settings)

    @classmethod
    def from_config(
        cls, section: Mapping[str, Any], *, calendars: Collection[str], path: str = "routing"
    ) -> RoutingPolicy:
        """The policy written in ``[routing]``; ``calendars`` are the configured
        calendar names (a ``registered_in_hours`` naming another is refused)."""
        if not isinstance(section, Mapping):
            raise ConfigError(f"{path}: expected a table, got {section!r}")
        refuse_unknown_keys(section, _SECTION_KEYS, path)
        settings = RoutingSettings(
            default_assignee=(
                None
                if "default_assignee" not in section
                else assignee_from_config(section["default_assignee"], path=f"{path}.default_assignee")
            ),
            owner_chain=_choice(
                section.get("owner_chain", "standard"), OwnerChain, f"{path}.owner_chain"
            ),
            observer_employees=_id_list(
                section.get("observer_employees", []), f"{path}.observer_employees"
            ),
            observer_groups=_id_list(section.get("observer_groups", []), f"{path}.observer_groups"),
            sla_responsible=_sla_responsible(
                section.get("sla_responsible", {}), f"{path}.sla_responsible"
            ),
        )
        raw_rules = section.get("rules", [])
        if not isinstance(raw_rules, Sequence) or isinstance(raw_rules, str):
            raise ConfigError(f"{path}.rules: expected a list of [[{path}.rules]] tables")
        rules: list[RoutingRule] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(raw_rules):
            place = f"{path}.rules[{index}]"
            rule = _rule_from_config(raw, order=index, calendars=calendars, path=place)
            if rule.name in seen:
                raise ConfigError(
                    f"{place}.name: {rule.name!r} is already the name of {path}.rules[{seen[rule.name]}]"
                )
            seen[rule.name] = index
            rules.append(rule)
        return cls(table=RuleTable(tuple(rules)), settings=settings)


_FINGERPRINTS: dict[tuple[int, int], tuple[RoutingTable, RoutingSettings, str | None]] = {}


def fingerprint(table: RoutingTable, settings: RoutingSettings) -> str | None:
    """:func:`helpdesk_core.fingerprints.digest` of the table and the settings
    (remembered for the last few pairs: a replay routes thousands of tickets)."""
    key = (id(table), id(settings))
    known = _FINGERPRINTS.get(key)
    if known is not None and known[0] is table and known[1] is settings:
        return known[2]
    value = digest("routing", table, settings)
    if len(_FINGERPRINTS) >= 16:
        _FINGERPRINTS.clear()
    _FINGERPRINTS[key] = (table, settings, value)
    return value


def _choice(value: object, kind: type[Strategy] | type[OwnerChain], path: str) -> Any:
    allowed = [member.value for member in kind]
    if not isinstance(value, str) or value not in allowed:
        close = difflib.get_close_matches(str(value), allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"{path}: {value!r} is not one of {', '.join(allowed)}{hint}")
    return kind(value)


def _one_id(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ConfigError(f"{path}: expected an id (a non-empty text), got {value!r}")
    return value


def _id_list(value: object, path: str) -> frozenset[str]:
    if not isinstance(value, list):
        raise ConfigError(f"{path}: expected a list of ids, got {value!r}")
    return frozenset(_one_id(item, f"{path}[{index}]") for index, item in enumerate(value))


def assignee_from_config(value: object, *, path: str) -> Assignee:
    """``"E-3"`` or ``{ employee = "E-3" }`` (an employee), ``{ group = "G-1" }`` (a group)."""
    if isinstance(value, str):
        return Assignee(id=_one_id(value, path))
    if isinstance(value, Mapping) and len(value) == 1:
        ((key, item),) = value.items()
        if key in ("employee", "group"):
            return Assignee(id=_one_id(item, f"{path}.{key}"), group=key == "group")
    raise ConfigError(
        f'{path}: expected an employee id, {{ employee = "E-3" }} or {{ group = "G-1" }}, got {value!r}'
    )


def _sla_responsible(value: object, path: str) -> dict[str, Assignee]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{path}: expected a table SLA-rule-name = assignee, got {value!r}")
    return {str(name): assignee_from_config(item, path=f"{path}.{name}") for name, item in value.items()}


def _rule_from_config(raw: object, *, order: int, calendars: Collection[str], path: str) -> RoutingRule:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path}: expected a table, got {raw!r}")
    refuse_unknown_keys(raw, _RULE_KEYS, path)
    for key in ("name", "assignee"):
        if key not in raw:
            raise ConfigError(f"{path}: missing {key!r}")
    name = raw["name"]
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{path}.name: expected a non-empty rule name, got {name!r}")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{path}.enabled: expected true or false, got {enabled!r}")
    conditions = conditions_from_when(raw.get("when", {}), path=f"{path}.when", fields=ROUTING_FIELDS)
    for condition in conditions:
        if isinstance(condition, InWorkingHours) and condition.calendar not in calendars:
            key = "registered_in_hours" if condition.inside else "registered_outside_hours"
            known = ", ".join(sorted(calendars)) or "none"
            raise ConfigError(
                f"{path}.when.{key}: unknown calendar {condition.calendar!r} (known: {known})"
            )
    assignee = assignee_from_config(raw["assignee"], path=f"{path}.assignee")
    strategy = _choice(raw.get("strategy", "keep_group"), Strategy, f"{path}.strategy")
    try:
        result = RoutingResult(
            assignee=assignee,
            strategy=strategy,
            observer_employees=_id_list(raw.get("observer_employees", []), f"{path}.observer_employees"),
            observer_groups=_id_list(raw.get("observer_groups", []), f"{path}.observer_groups"),
        )
    except ValidationError as error:
        raise ConfigError(f"{path}.{error}") from None
    return Rule(name=name, order=order, enabled=enabled, conditions=conditions, result=result)


__all__ = [
    "ROUTING_FIELDS",
    "OwnerChain",
    "RoutingPolicy",
    "RoutingResult",
    "RoutingRule",
    "RoutingSettings",
    "RoutingTable",
    "Strategy",
    "assignee_from_config",
    "fingerprint",
]
