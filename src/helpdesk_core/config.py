"""The admin-authored configuration: one TOML file, ``helpdesk.toml``.

Sections (all optional; no file at all is a valid setup):

* ``[[calendars]]`` — working calendars (the calendar JSON of docs/formats.md as TOML);
* ``[workflow]`` — ``preset``, or ``statuses`` + ``transitions`` + ``initial``;
  ``[workflow.automation]`` — auto-close, reopen window and the like;
* ``[catalog]`` — ticket types, priorities, client categories, custom attributes;
  a missing list accepts any id, a present one refuses unknown ids;
* ``[sla]`` with ``[[sla.rules]]`` — the first-match SLA rule table;
* ``[desk]`` — how the live desk numbers new tickets (``ticket_ids``,
  ``first_ticket_number``);
* ``[routing]`` with ``[[routing.rules]]`` — who becomes responsible for a new
  ticket and who observes it (docs/routing.md);
* ``[intake]`` — what the web form and phone intake do with senders and callers
  (``unknown_sender``, ``phone_digits``, ``order_attribute``, ``contact_ids``;
  docs/intake-form-phone.md) and how e-mail is read (``addresses``,
  ``message_id_domain``, ``fallback_charsets``, ``cut_signature``; docs/intake.md).

Every error is a :class:`ConfigError` naming the file, the place in it and the
bad value, e.g. ``helpdesk.toml: sla.rules[3].reaction: '4x' is not a duration``.

The file is read with ``tomli`` (the parser the standard library's ``tomllib`` comes
from) because it reads TOML 1.1, whose inline tables may span lines — the way
docs/formats.md writes a calendar's ``week``.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
import tomli

from helpdesk_core.config_keys import refuse_unknown_keys
from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.intake.charsets import DEFAULT_FALLBACK_CHARSETS
from helpdesk_core.model.catalog import (
    AttributeDefinition,
    Catalogs,
    ClientCategory,
    Priority,
    TicketType,
)
from helpdesk_core.model.checks import domain_problem, email_problem
from helpdesk_core.routing.policy import RoutingPolicy
from helpdesk_core.serialization import converter
from helpdesk_core.sla import SlaPolicy
from helpdesk_core.sla.durations import parse_duration
from helpdesk_core.workflow import (
    DEFAULT_GRAPH,
    DEFAULT_POLICY,
    USERESPONSE_GRAPH,
    USERESPONSE_POLICY,
    AutomationPolicy,
    TransitionGraph,
)
from helpdesk_core.worktime import WorkingCalendar

T = TypeVar("T")

PRESETS: Mapping[str, tuple[TransitionGraph, AutomationPolicy]] = {
    "default": (DEFAULT_GRAPH, DEFAULT_POLICY),
    "useresponse": (USERESPONSE_GRAPH, USERESPONSE_POLICY),
}
"""Status graphs, with their automation defaults, that ``workflow.preset`` names."""

_SECTIONS = ("calendars", "workflow", "catalog", "sla", "desk", "routing", "intake")
_DESK_KEYS = ("ticket_ids", "first_ticket_number")
_INTAKE_KEYS = (
    *("unknown_sender", "phone_digits", "order_attribute", "contact_ids"),
    *("addresses", "message_id_domain", "fallback_charsets", "cut_signature"),
)
UNKNOWN_SENDER_POLICIES = ("create_contact", "link_company_only", "hold")
"""What intake does with a sender nobody knows (``[intake] unknown_sender``)."""
_WORKFLOW_KEYS = ("preset", "statuses", "transitions", "initial", "automation")
_AUTOMATION_DURATIONS = ("auto_close_after", "reopen_window")
_AUTOMATION_KEYS = (*_AUTOMATION_DURATIONS, "reopen_to", "return_to", "reply_reopens", "close_to")
_CATALOG_SECTIONS: Mapping[str, type[Any]] = {
    "ticket_types": TicketType,
    "priorities": Priority,
    "client_categories": ClientCategory,
    "attributes": AttributeDefinition,
}


def _id_pattern(value: object, key: str, example: str) -> str:
    """``value`` as a numbered id pattern (``{n}`` once, no other braces), else
    a :class:`ConfigError` naming ``key``; returns what stands around ``{n}``."""
    if not isinstance(value, str) or value.count("{n}") != 1:
        raise ConfigError(f"{key}: expected a text holding '{{n}}' once, such as {example!r}, got {value!r}")
    return value.replace("{n}", "")


def _ticket_id_format(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    rest = _id_pattern(value, "desk.ticket_ids", "T-{n}")
    if "{" in rest or "}" in rest or rest != rest.strip():
        raise ConfigError(
            f"desk.ticket_ids: only '{{n}}' may stand in braces, and no space may begin or end "
            f"the id, got {value!r}"
        )


def _first_number(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"desk.first_ticket_number: expected a whole number >= 1, got {value!r}")


@attrs.frozen(kw_only=True)
class DeskSettings:
    """How the desk numbers the tickets it registers: ``ticket_ids`` is the
    pattern (``{n}`` stands for the number), ``first_ticket_number`` the first
    number handed out. Ids already taken (imported tickets) are skipped."""

    ticket_ids: str = attrs.field(default="T-{n}", validator=_ticket_id_format)
    first_ticket_number: int = attrs.field(default=1001, validator=_first_number)

    def ticket_id(self, number: int) -> str:
        """The id of ticket number ``number``."""
        return self.ticket_ids.replace("{n}", str(number))


def _unknown_sender(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in UNKNOWN_SENDER_POLICIES:
        raise ConfigError(
            f"intake.unknown_sender: expected one of {', '.join(UNKNOWN_SENDER_POLICIES)}, got {value!r}"
        )


def _phone_digits(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 20:
        raise ConfigError(f"intake.phone_digits: expected a whole number from 1 to 20, got {value!r}")


def _order_attribute(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ConfigError(f"intake.order_attribute: expected an attribute id, got {value!r}")


def _contact_id_format(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    rest = _id_pattern(value, "intake.contact_ids", "P-{n}")
    if "{" in rest or "}" in rest or rest != rest.strip() or any(c.isspace() for c in rest):
        raise ConfigError(
            f"intake.contact_ids: only '{{n}}' may stand in braces, and the id holds no white space, "
            f"got {value!r}"
        )


def _as_tuple(value: object) -> object:
    """A TOML array as a tuple; anything else as it is, for the validator to refuse."""
    return tuple(value) if isinstance(value, list | tuple) else value


def _lower_addresses(value: object) -> object:
    """A TOML array of addresses as a tuple, each text in lower case."""
    if isinstance(value, list | tuple):
        return tuple(item.lower() if isinstance(item, str) else item for item in value)
    return value


def _addresses(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise ConfigError(
            f"intake.addresses: expected a list of e-mail addresses, such as ['help@example.com'], "
            f"got {value!r}"
        )
    seen: set[str] = set()
    for index, address in enumerate(value, start=1):
        problem = email_problem(address)
        if problem is not None:
            raise ConfigError(f"intake.addresses[{index}]: {address!r} is not an e-mail address ({problem})")
        if address in seen:
            raise ConfigError(f"intake.addresses[{index}]: {address!r} is listed twice")
        seen.add(address)


def _first_address_domain(settings: Any) -> str | None:
    """The domain of the first address (the default ``message_id_domain``);
    it runs before the validators, so a bad address gives None here and its
    own error there."""
    addresses: object = settings.addresses
    if isinstance(addresses, tuple) and addresses and email_problem(addresses[0]) is None:
        return str(addresses[0]).rpartition("@")[2]
    return None


def _lower_text(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _message_id_domain(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    problem = domain_problem(value)
    if problem is not None:
        raise ConfigError(f"intake.message_id_domain: {value!r} is not a mail domain ({problem})")


def _fallback_charsets(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise ConfigError(
            f"intake.fallback_charsets: expected a list of charset names, such as ['utf-8', 'cp1252'], "
            f"got {value!r}"
        )
    for index, label in enumerate(value, start=1):
        if not isinstance(label, str):
            raise ConfigError(f"intake.fallback_charsets[{index}]: expected a charset name, got {label!r}")
        try:
            codecs.lookup(label)
            b"a".decode(label, "replace")  # refuses the codecs that are no text encoding (base64, rot13)
        except (LookupError, ValueError):  # ValueError: a label holding a NUL
            raise ConfigError(
                f"intake.fallback_charsets[{index}]: {label!r} is not a text charset Python knows"
            ) from None


def _cut_signature(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise ConfigError(f"intake.cut_signature: expected true or false, got {value!r}")


@attrs.frozen(kw_only=True)
class IntakeSettings:
    """How tickets come in (docs/intake-form-phone.md): ``unknown_sender`` is
    what a sender nobody knows gets — ``create_contact`` (a new contact, of the
    company whose domain matches), ``link_company_only`` (the ticket links the
    company by domain, no contact) or ``hold`` (not registered; kept for a
    person); ``phone_digits`` how many trailing digits identify a caller;
    ``order_attribute`` the catalog attribute a web form's order number is
    kept in; ``contact_ids`` the pattern of the ids of contacts intake creates.

    How e-mail is read (docs/intake.md): ``addresses`` are the desk's own
    mailbox addresses, in lower case, the first the main one (the support
    mailbox of plus addresses; mail from any of them is our own coming back);
    ``message_id_domain`` the domain of the Message-IDs the desk writes (by
    default the domain of the first address; None without addresses);
    ``fallback_charsets`` the charsets tried, in order, when a part's declared
    one is missing or wrong; ``cut_signature`` whether the visible text of a
    message loses the sender's signature too."""

    unknown_sender: str = attrs.field(default="link_company_only", validator=_unknown_sender)
    phone_digits: int = attrs.field(default=9, validator=_phone_digits)
    order_attribute: str = attrs.field(default="order_number", validator=_order_attribute)
    contact_ids: str = attrs.field(default="P-{n}", validator=_contact_id_format)
    addresses: tuple[str, ...] = attrs.field(default=(), converter=_lower_addresses, validator=_addresses)
    message_id_domain: str | None = attrs.field(
        default=attrs.Factory(_first_address_domain, takes_self=True),
        converter=_lower_text,
        validator=_message_id_domain,
    )
    fallback_charsets: tuple[str, ...] = attrs.field(
        default=DEFAULT_FALLBACK_CHARSETS, converter=_as_tuple, validator=_fallback_charsets
    )
    cut_signature: bool = attrs.field(default=True, validator=_cut_signature)

    @property
    def main_address(self) -> str | None:
        """The desk's main mailbox (the first of ``addresses``), None without any."""
        return self.addresses[0] if self.addresses else None

    def contact_id(self, number: int) -> str:
        """The id of the ``number``-th contact intake creates."""
        return self.contact_ids.replace("{n}", str(number))


@attrs.frozen(kw_only=True)
class Configuration:
    """Everything the admin decided, validated as a whole."""

    calendars: Mapping[str, WorkingCalendar] = attrs.field(factory=dict)
    graph: TransitionGraph = DEFAULT_GRAPH
    automation: AutomationPolicy = DEFAULT_POLICY
    catalogs: Catalogs = attrs.field(factory=Catalogs)
    sla: SlaPolicy | None = None
    desk: DeskSettings = attrs.field(factory=DeskSettings)
    routing: RoutingPolicy = attrs.field(factory=RoutingPolicy)
    intake: IntakeSettings = attrs.field(factory=IntakeSettings)
    source: str = "defaults"

    @property
    def home_zone(self) -> ZoneInfo:
        """The zone in which the desk's days begin and end (the dashboard's
        days, a queue's "due today"): the zone of the first configured
        calendar, UTC without calendars."""
        for calendar in self.calendars.values():
            return calendar.zone
        return ZoneInfo("UTC")


def load_configuration(path: Path | str | None) -> Configuration:
    """Read ``path``; ``None`` gives the defaults (default graph, no SLA rules)."""
    if path is None:
        return Configuration()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the configuration: {error}") from None
    return parse_configuration(text, source=str(path))


def parse_configuration(text: str, *, source: str = "helpdesk.toml") -> Configuration:
    """The configuration written as TOML ``text``; errors are prefixed by ``source``."""
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML: {error}") from None
    except ValueError as error:  # a number of thousands of digits
        raise ConfigError(f"{source}: not valid TOML: {error}") from None
    except RecursionError:  # tomli's own limit on nested arrays and inline tables
        raise ConfigError(f"{source}: not valid TOML: arrays or inline tables nested too deeply") from None
    try:
        return configuration_from_mapping(data, source=source)
    except ConfigError as error:
        raise ConfigError(f"{source}: {error}") from None


def configuration_from_mapping(data: Mapping[str, Any], *, source: str = "helpdesk.toml") -> Configuration:
    """The configuration from already parsed TOML (or JSON) data."""
    refuse_unknown_keys(data, _SECTIONS, "")
    calendars = _calendars(data.get("calendars", []))
    workflow = _table(data.get("workflow", {}), "workflow")
    graph, preset_policy = _graph(workflow)
    automation_section = _table(workflow.get("automation", {}), "workflow.automation")
    automation = _automation(automation_section, preset_policy, graph)
    catalogs = _catalogs(_table(data.get("catalog", {}), "catalog"))
    sla = None
    if "sla" in data:
        sla = SlaPolicy.from_config(_table(data["sla"], "sla"), calendars=calendars, path="sla")
    desk = _desk(_table(data.get("desk", {}), "desk"))
    routing = RoutingPolicy.from_config(
        _table(data.get("routing", {}), "routing"), calendars=tuple(calendars), path="routing"
    )
    intake = _intake(_table(data.get("intake", {}), "intake"), catalogs)
    return Configuration(
        calendars=calendars,
        graph=graph,
        automation=automation,
        catalogs=catalogs,
        sla=sla,
        desk=desk,
        routing=routing,
        intake=intake,
        source=source,
    )


def _desk(section: Mapping[str, Any]) -> DeskSettings:
    refuse_unknown_keys(section, _DESK_KEYS, "desk")
    return DeskSettings(**section)


def _intake(section: Mapping[str, Any], catalogs: Catalogs) -> IntakeSettings:
    """``[intake]``; an ``order_attribute`` given explicitly must be an attribute
    of the catalog when the catalog keeps attributes (the default
    ``order_number`` is checked only when a form carries an order number)."""
    refuse_unknown_keys(section, _INTAKE_KEYS, "intake")
    settings = IntakeSettings(**section)
    if "order_attribute" in section and catalogs.attributes is not None:
        known = [a.id for a in catalogs.attributes]
        if settings.order_attribute not in known:
            raise ConfigError(
                f"intake.order_attribute: {settings.order_attribute!r} is not an attribute of the "
                f"catalog (known: {', '.join(known) or 'none'})"
            )
    return settings


def _table(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{path}: expected a table, got {value!r}")
    return value


def _list(value: object, path: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"{path}: expected a list (an array of tables), got {value!r}")
    return value


def _calendars(raw: object) -> dict[str, WorkingCalendar]:
    calendars: dict[str, WorkingCalendar] = {}
    for index, entry in enumerate(_list(raw, "calendars")):
        place = f"calendars[{index}]"
        calendar = WorkingCalendar.from_dict(dict(_table(entry, place)), path=place)
        if not calendar.name:
            raise ConfigError(f"{place}.name: a configured calendar needs a name for rules to refer to")
        if calendar.name in calendars:
            raise ConfigError(f"{place}.name: calendar {calendar.name!r} is defined twice")
        calendars[calendar.name] = calendar
    return calendars


def _graph(section: Mapping[str, Any]) -> tuple[TransitionGraph, AutomationPolicy]:
    """The graph and the automation it comes with (a custom graph starts from
    no automation at all: nothing happens by itself unless configured)."""
    refuse_unknown_keys(section, _WORKFLOW_KEYS, "workflow")
    preset = section.get("preset")
    custom = [key for key in ("statuses", "transitions", "initial") if key in section]
    if preset is not None and custom:
        raise ConfigError(f"workflow.{custom[0]}: give either workflow.preset or your own statuses, not both")
    if preset is not None:
        if preset not in PRESETS:
            raise ConfigError(f"workflow.preset: {preset!r} is not one of: {', '.join(PRESETS)}")
        return PRESETS[preset]
    if not custom:
        return PRESETS["default"]
    for key in ("statuses", "transitions"):
        if key not in section:
            raise ConfigError(f"workflow.{key}: required when the statuses are defined by hand")
    graph = TransitionGraph.build(
        _list(section["statuses"], "workflow.statuses"),
        _table(section["transitions"], "workflow.transitions"),
        section.get("initial", "open"),
        path="workflow",
    )
    nothing_automatic = AutomationPolicy(
        reply_reopens=frozenset(), reopen_to=graph.initial, return_to=graph.initial
    )
    return graph, nothing_automatic


def _automation(
    section: Mapping[str, Any], base: AutomationPolicy, graph: TransitionGraph
) -> AutomationPolicy:
    """``base`` with the keys the admin wrote changed."""
    refuse_unknown_keys(section, _AUTOMATION_KEYS, "workflow.automation")
    fields: dict[str, Any] = dict(section)
    for key in _AUTOMATION_DURATIONS:
        if key in fields:
            fields[key] = parse_duration(fields[key], path=f"workflow.automation.{key}")
    if "reply_reopens" in fields:
        listed = _list(fields["reply_reopens"], "workflow.automation.reply_reopens")
        fields["reply_reopens"] = frozenset(listed)
    try:
        policy = attrs.evolve(base, **fields)
    except ValidationError as error:
        raise ConfigError(f"workflow.automation: {error}") from None
    policy.check(graph, path="workflow.automation")
    return policy


def _catalogs(section: Mapping[str, Any]) -> Catalogs:
    refuse_unknown_keys(section, tuple(_CATALOG_SECTIONS), "catalog")
    lists: dict[str, tuple[Any, ...]] = {}
    for key, kind in _CATALOG_SECTIONS.items():
        if key in section:
            entries = _list(section[key], f"catalog.{key}")
            lists[key] = tuple(_entry(entry, kind, f"catalog.{key}[{i}]") for i, entry in enumerate(entries))
    try:
        return Catalogs(**lists)
    except ValidationError as error:
        raise ConfigError(f"catalog: {error}") from None


def _entry(raw: object, kind: type[T], place: str) -> T:
    table = _table(raw, place)
    names = tuple(a.name for a in attrs.fields(kind))  # type: ignore[arg-type]
    refuse_unknown_keys(table, names, place)
    try:
        return converter.structure(dict(table), kind)
    except ValidationError as error:
        raise ConfigError(f"{place}: {error}") from None
    except (KeyError, TypeError) as error:
        missing = [n for n in names if n not in table]
        detail = f"missing key {missing[0]!r}" if missing else str(error)
        raise ConfigError(f"{place}: {detail}") from None


__all__ = [
    "PRESETS",
    "UNKNOWN_SENDER_POLICIES",
    "Configuration",
    "DeskSettings",
    "IntakeSettings",
    "configuration_from_mapping",
    "load_configuration",
    "parse_configuration",
    "refuse_unknown_keys",
]
