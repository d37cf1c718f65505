"""The one cattrs converter: every value crosses the edge (JSON, JSONL, TOML,
storage rows) through it, so the model classes know nothing of formats.

Ticket histories follow the ticket-history JSONL of docs/formats.md: the ticket's
fields as registered at the top, ``events`` tagged by ``kind``, unknown keys
kept (in ``extra``) and written back unchanged.
"""

from __future__ import annotations

import enum
import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, get_args, get_origin

import attrs
import cattrs
import orjson
from cattrs.errors import CattrsError
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.strategies import configure_tagged_union

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.domain_events import DomainEvent
from helpdesk_core.model.parties import Company, Contact, CustomerGroup
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import EVENT_KINDS, Assignee, AuthorKind, Event, Ticket
from helpdesk_core.routing import Link, OwnerChain, RoutingDecision, RoutingFacts, Strategy
from helpdesk_core.rules import Condition, condition_kind

if TYPE_CHECKING:
    from helpdesk_core.reports.as_of import TicketAsOf
    from helpdesk_core.routing.explanation import RoutingExplanation
    from helpdesk_core.routing.replay import RoutingReplay
    from helpdesk_core.sla.projection import SlaProjection
    from helpdesk_core.sla_states.state import CustomerKey, TicketSlaState

T = TypeVar("T")
EVENT_CLASSES = tuple(EVENT_KINDS.values())
STORED_CLASSES = (
    Company, Contact, CustomerGroup, Contract, ServiceObject, Equipment, Employee, EmployeeGroup
)
"""Classes stored one JSON document each: decoded on every re-import and lookup."""
_AS_IS_TYPES: tuple[object, ...] = (str | None, int | None, bool | None)
"""Field types whose values the converter writes as they are (its union hook
dispatches on the value's class to the identity for str, int, bool and None)."""

_TICKET_RENAMES = {
    "initial_status": "status",
    "initial_type": "type",
    "initial_priority": "priority",
    "initial_assignee": "assignee",
}


def _structure_datetime(value: object, _: type) -> datetime:
    if isinstance(value, datetime):
        instant = value
    elif isinstance(value, str):
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            raise FieldTypeError(
                "", f"{_clipped(repr(value))} is not an ISO-8601 date-time (e.g. 2026-03-02T09:15:00+01:00)"
            ) from None
        if type(instant.tzinfo) is timezone:
            return instant  # the text carried an offset: aware for certain
    else:
        raise _wrong("an ISO-8601 date-time text", value)
    require_aware(instant, "date-time")
    return instant


def _structure_optional_datetime(value: object, _: type) -> datetime | None:
    return None if value is None else _structure_datetime(value, datetime)


def _structure_duration(value: object, _: type) -> timedelta:
    """A duration: a JSON whole number of microseconds (exact, unlike a float
    of seconds; working time measured between instants has microseconds)."""
    if type(value) is int:
        return timedelta(microseconds=value)
    raise _wrong("a whole number of microseconds", value)


def _structure_optional_duration(value: object, _: type) -> timedelta | None:
    return None if value is None else _structure_duration(value, timedelta)


def _unstructure_duration(value: timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


class FieldTypeError(ValidationError):
    """A value of the wrong JSON type for its field, refused at the edge
    instead of coerced (``"false"`` is not a boolean, ``"E-1"`` not a list,
    1.5 not a whole number). ``path`` names the field from the document's top
    (``events[2].public``); ``reason`` says what was expected and what came."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason

    def inside(self, outer: str) -> FieldTypeError:
        """This error seen from the object holding the field at ``outer``."""
        if not self.path:
            return FieldTypeError(outer, self.reason)
        joiner = "" if self.path.startswith("[") else "."
        return FieldTypeError(f"{outer}{joiner}{self.path}", self.reason)


def described(value: object) -> str:
    """A JSON value as an error message shows it: its JSON type, then the value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, str):
        return f"the text {_clipped(repr(value))}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list | tuple):
        return f"a list {_clipped(repr(list(value)))}"
    if isinstance(value, Mapping):
        return f"an object {_clipped(repr(dict(value)))}"
    return f"{type(value).__name__} {_clipped(repr(value))}"


def _clipped(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _wrong(expected: str, value: object) -> FieldTypeError:
    return FieldTypeError("", f"expected {expected}, got {described(value)}")


def _text_of(field: str | None) -> Callable[[object, type], str]:
    """How a required text is structured: a JSON string and nothing else —
    ``null``, a number or a list is refused (naming ``field`` when given)
    instead of becoming its ``str()``."""

    def structure(value: object, _: type) -> str:
        if type(value) is str:
            return value
        error = _wrong("a text", value)
        raise error if field is None else error.inside(field)

    return structure


def _structure_optional_text(value: object, _: type) -> str | None:
    """``str | None``: a JSON string or null, nothing else."""
    if value is None or type(value) is str:
        return value
    raise _wrong("a text or null", value)


def _structure_bool(value: object, _: type) -> bool:
    """A JSON boolean: the text ``"false"`` is *not* read as true (nor as false)."""
    if type(value) is bool:
        return value
    raise _wrong("a boolean (true or false)", value)


def _structure_optional_bool(value: object, _: type) -> bool | None:
    return None if value is None else _structure_bool(value, bool)


def _structure_int(value: object, _: type) -> int:
    """A JSON whole number: 1.5 is refused, not cut to 1; a boolean or a text too."""
    if type(value) is int:
        return value
    raise _wrong("a whole number", value)


def _structure_optional_int(value: object, _: type) -> int | None:
    return None if value is None else _structure_int(value, int)


def _structure_float(value: object, _: type) -> float:
    """A finite JSON number (NaN and the infinities are not JSON)."""
    if type(value) is int:
        return float(value)
    if type(value) is float and math.isfinite(value):
        return value
    raise _wrong("a finite number", value)


def _is_text_collection(cls: object) -> bool:
    return cls in (tuple[str, ...], frozenset[str])


def _structure_texts(value: object, cls: Any) -> Any:
    """A list of texts (``tuple[str, ...]`` or ``frozenset[str]``): a JSON
    array of strings; a lone text is refused, not split into its characters."""
    if not isinstance(value, list | tuple | set | frozenset):
        raise _wrong("a list of texts", value)
    for index, member in enumerate(value):
        if type(member) is not str:
            raise _wrong("a text", member).inside(f"[{index}]")
    return get_origin(cls)(value)


def _is_collection_of_values(cls: object) -> bool:
    """``tuple[X, ...]`` or ``frozenset[X]`` of anything but texts and events."""
    args = get_args(cls)
    origin = get_origin(cls)
    if origin is tuple:
        return len(args) == 2 and args[1] is Ellipsis and args[0] is not str
    return origin is frozenset and len(args) == 1 and args[0] is not str


def _collection_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    def factory(cls: Any) -> Callable[[Any, Any], Any]:
        member_type = get_args(cls)[0]
        member = conv.get_structure_hook(member_type)
        kind = get_origin(cls)

        def structure(value: object, _: Any) -> Any:
            if not isinstance(value, list | tuple | set | frozenset):
                raise _wrong("a list", value)
            out = []
            for index, item in enumerate(value):
                try:
                    out.append(member(item, member_type))
                except FieldTypeError as error:
                    raise error.inside(f"[{index}]") from None
            return kind(out)

        return structure

    return factory


def _named(key: str, hook: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``hook`` for the field ``key``: a :class:`FieldTypeError` it raises names the field."""

    def structure(value: Any, cls: Any) -> Any:
        try:
            return hook(value, cls)
        except FieldTypeError as error:
            raise error.inside(key) from None

    return structure


def _named_overrides(
    conv: cattrs.Converter, cls: type[Any], renames: Mapping[str, str]
) -> dict[str, Any]:
    """Overrides structuring each field of ``cls`` (but ``extra``) by the
    converter's hook for its type, under its file key, naming the key in a
    :class:`FieldTypeError`."""
    attrs.resolve_types(cls)
    out: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if not field.init or field.name == "extra":
            continue
        key = renames.get(field.name, field.name)
        out[field.name] = override(
            rename=renames.get(field.name), struct_hook=_named(key, conv.get_structure_hook(field.type))
        )
    return out


def _structure_date(value: object, _: type) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise FieldTypeError("", f"{_clipped(repr(value))} is not an ISO-8601 date (e.g. 2026-03-02)")


def _is_frozenset(cls: object) -> bool:
    return cls is frozenset or getattr(cls, "__origin__", None) is frozenset


def _structure_assignee(value: object, _: type) -> Assignee:
    if isinstance(value, str):
        return Assignee(id=value)
    if isinstance(value, Mapping) and "id" in value:
        group = value.get("group", False)
        if type(group) is not bool:
            raise _wrong("a boolean (true or false)", group).inside("group")
        return Assignee(id=_text_of("id")(value["id"], str), group=group)
    raise ValidationError(
        f"assignee: expected an employee id or {{\"id\": ..., \"group\": true}}, got {value!r}"
    )


def _unstructure_assignee(value: Assignee) -> object:
    return {"id": value.id, "group": True} if value.group else value.id


_NOT_PLAIN: Any = object()
"""What a plain structure function returns for data it leaves to the full hook."""


def _all_texts(values: list[Any]) -> bool:
    for value in values:  # noqa: SIM110 - a loop beats all() over a generator
        if type(value) is not str:
            return False
    return True


def _plain_field_lines(
    name: str, kind: object, ns: dict[str, Any], conv: cattrs.Converter, keep: str = "kw[{name!r}] = {value}"
) -> list[str]:
    """Lines turning ``v`` into the field ``name`` (``keep`` says how the
    value is kept: into ``kw`` or onto the new instance), or returning
    ``NOT_PLAIN`` when ``v`` is not of the exact JSON type whose result is
    known to equal the converter's (anything else goes through the
    converter's own hook)."""
    bail = "return NOT_PLAIN"

    def kept(value: str) -> str:
        return keep.format(name=name, value=value)

    if kind is str or kind is bool or kind is int:
        ns[f"t_{name}"] = kind
        return [f"if type(v) is not t_{name}: {bail}", kept("v")]
    if kind == str | None:
        return [f"if v is not None and type(v) is not str: {bail}", kept("v")]
    if kind is datetime or kind == datetime | None:
        lines = [f"if type(v) is not str: {bail}", "v = parse(v)",
                 f"if type(v.tzinfo) is not timezone: {bail}"]
        if kind is not datetime:
            lines = ["if v is not None:", *(f"  {line}" for line in lines)]
        return [*lines, kept("v")]
    if kind is timedelta or kind == timedelta | None:  # whole microseconds, as _structure_duration
        ns["duration"] = timedelta
        lines = [f"if type(v) is not int: {bail}", "v = duration(microseconds=v)"]
        if kind is not timedelta:
            lines = ["if v is not None:", *(f"  {line}" for line in lines)]
        return [*lines, kept("v")]
    if kind == frozenset[str] or kind == tuple[str, ...]:
        ns[f"c_{name}"] = frozenset if kind == frozenset[str] else tuple
        return [f"if type(v) is not list or not all_texts(v): {bail}", kept(f"c_{name}(v)")]
    if get_origin(kind) is Literal and all(type(choice) is str for choice in get_args(kind)):
        ns[f"l_{name}"] = frozenset(get_args(kind))  # one of these texts, or the model refuses it
        return [f"if type(v) is not str or v not in l_{name}: {bail}", kept("v")]
    ns[f"h_{name}"] = hook = conv.get_structure_hook(kind)
    ns[f"t_{name}"] = kind
    if hook is _structure_json_object:  # what the hook does with a dict
        return ["if type(v) is dict:", f"  {kept('dict(v)')}", "else:", f"  {kept(f'h_{name}(v, t_{name})')}"]
    return [kept(f"h_{name}(v, t_{name})")]


def _plain_structure_fn(
    conv: cattrs.Converter, cls: type[T], renames: Mapping[str, str]
) -> Callable[[dict[str, Any]], T]:
    """A structure function for the common case of ``cls``: a ``dict`` whose keys
    are all known and whose values have their plain JSON types. It calls the
    attrs ``__init__`` (every validator runs) and returns :data:`_NOT_PLAIN` for
    anything else, which the caller hands to the full cattrs hook."""
    attrs.resolve_types(cls)  # type: ignore[type-var]
    ns: dict[str, Any] = {
        "cls": cls, "NOT_PLAIN": _NOT_PLAIN, "parse": datetime.fromisoformat,
        "timezone": timezone, "all_texts": _all_texts,
    }
    lines = ["def structure_plain(o):", "  kw = {}"]
    for field in attrs.fields(cls):  # type: ignore[arg-type]
        if not field.init:
            continue
        key = renames.get(field.name, field.name)
        body = _plain_field_lines(field.name, field.type, ns, conv)
        if field.default is attrs.NOTHING:
            lines += [f"  v = o[{key!r}]", *(f"  {line}" for line in body)]
        else:
            lines += [f"  if {key!r} in o:", f"    v = o[{key!r}]", *(f"    {line}" for line in body)]
    lines.append("  return cls(**kw)")
    exec(compile("\n".join(lines), f"<plain structure {cls.__qualname__}>", "exec"), ns)
    plain: Callable[[dict[str, Any]], T] = ns["structure_plain"]
    return plain


def _builder_of(cls: type[T]) -> type[T]:
    """A subclass of the frozen, slotted ``cls`` that adds no slots and sets
    attributes the ordinary way: an instance is filled with plain attribute
    stores (which the interpreter specialises to a write into the slot,
    ~4 times cheaper than ``object.__setattr__``), then its class becomes
    ``cls`` — the same slots, so the instance is a ``cls`` like any other."""
    namespace = {
        "__slots__": (),
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
        "__module__": cls.__module__,
    }
    return type(f"_Filling{cls.__name__}", (cls,), namespace)


def _default_of(field: attrs.Attribute[Any], ns: dict[str, Any]) -> str:
    """The expression giving ``field``'s default in generated code (a literal
    where the default is one: cheaper than a name to look up)."""
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        if default.factory is dict and not default.takes_self:
            return "{}"
        ns[f"d_{field.name}"] = default.factory
        return f"d_{field.name}()"
    if default is None or default == () or type(default) in (str, bool, int):
        return repr(default)
    ns[f"d_{field.name}"] = default
    return f"d_{field.name}"


def _trusted_structure_fn(
    conv: cattrs.Converter,
    cls: type[T],
    renames: Mapping[str, str],
    hooks: Mapping[str, Callable[[Any], Any]] | None = None,
    tagged: bool = False,
) -> Callable[[dict[str, Any]], T]:
    """A structure function for a document this library wrote itself (a row of
    its own store): the plain case of :func:`_plain_structure_fn`, but the
    instance is built without running the attrs validators again — the value
    was validated when it was saved, and a batch report decodes millions.

    Types are still checked as the plain case checks them (ids and texts are
    strings, date-times carry an offset); a key it does not know, a value of
    another JSON type or a missing required field returns :data:`_NOT_PLAIN`
    (or raises), and the caller decodes the document the validated way.
    ``hooks`` gives the value of the named fields (in place of the structure
    hook and the field's converter); ``tagged`` documents also hold the
    ``kind`` tag. An ``extra`` field is where the validated reading keeps
    unknown keys, so an ``extra`` key is an unknown key here too.

    The instance is filled through :func:`_builder_of` (plain attribute
    stores), and present keys are counted instead of compared with the known
    ones: a document whose count differs from its length holds a key that
    is not a field.
    """
    attrs.resolve_types(cls)  # type: ignore[type-var]
    fields = [f for f in attrs.fields(cls) if f.init]  # type: ignore[arg-type]
    ns: dict[str, Any] = {
        "cls": cls, "builder": _builder_of(cls), "NOT_PLAIN": _NOT_PLAIN,
        "parse": datetime.fromisoformat, "timezone": timezone, "all_texts": _all_texts,
        "new": object.__new__,
    }
    required = sum(1 for f in fields if f.default is attrs.NOTHING)
    lines = ["def structure_trusted(o):", "  self = new(builder)", f"  n = {required + tagged}"]
    for field in fields:
        if field.name == "extra":
            lines.append(f"  self.extra = {_default_of(field, ns)}")
            continue
        key = renames.get(field.name, field.name)
        keep = "self.{name} = {value}"
        if field.converter is not None:
            ns[f"k_{field.name}"] = field.converter
            keep = "self.{name} = k_{name}({value})"
        if hooks and field.name in hooks:  # the hook gives the field's value
            ns[f"h_{field.name}"] = hooks[field.name]
            body = [f"self.{field.name} = h_{field.name}(v)"]
        else:
            body = _plain_field_lines(field.name, field.type, ns, conv, keep)
        if field.default is attrs.NOTHING:
            lines += [f"  v = o[{key!r}]", *(f"  {line}" for line in body)]
            continue
        default = _default_of(field, ns)
        lines += [
            f"  if {key!r} in o:",
            "    n += 1",
            f"    v = o[{key!r}]",
            *(f"    {line}" for line in body),
            "  else:",
            f"    self.{field.name} = {default}",
        ]
    lines += ["  if n != len(o): return NOT_PLAIN", "  self.__class__ = cls", "  return self"]
    exec(compile("\n".join(lines), f"<trusted structure {cls.__qualname__}>", "exec"), ns)
    trusted: Callable[[dict[str, Any]], T] = ns["structure_trusted"]
    return trusted


def _as_is_overrides(cls: type[Any]) -> dict[str, Any]:
    """Overrides writing the :data:`_AS_IS_TYPES` fields of ``cls`` without the
    union dispatch: the same output, one function call fewer per field."""
    attrs.resolve_types(cls)
    return {
        a.name: override(unstruct_hook=identity)
        for a in attrs.fields(cls)
        if a.type in _AS_IS_TYPES
    }


def _plain_first(conv: cattrs.Converter, cls: type[T]) -> None:
    """Register on ``conv`` hooks for a stored class: structure tries the plain
    case first (see :func:`_plain_structure_fn`), the converter's own hook does
    the rest; unstructure is the converter's own, minus the union dispatch.
    Both are built when first asked for (see :func:`_when_asked`)."""

    def structure_factory(_: object) -> Callable[[Mapping[str, Any], type], T]:
        full = make_dict_structure_fn(cls, conv, **_named_overrides(conv, cls, {}))
        plain = _plain_structure_fn(conv, cls, {})
        known = frozenset(a.name for a in attrs.fields(cls) if a.init)  # type: ignore[arg-type]

        def structure_hook(data: Mapping[str, Any], _: type) -> T:
            if type(data) is dict and known.issuperset(data):
                try:
                    value = plain(data)
                except Exception:
                    value = _NOT_PLAIN
                if value is not _NOT_PLAIN:
                    return value
            structured: T = full(data, cls)
            return structured

        return structure_hook

    def unstructure_factory(_: object) -> Callable[[T], dict[str, Any]]:
        return make_dict_unstructure_fn(
            cls, conv, _cattrs_omit_if_default=conv.omit_if_default, **_as_is_overrides(cls)
        )

    _when_asked(conv, cls, structure_factory, unstructure_factory)


def _when_asked(
    conv: cattrs.Converter,
    cls: type[Any],
    structure_factory: Callable[[object], Callable[..., Any]],
    unstructure_factory: Callable[[object], Callable[..., Any]],
) -> None:
    """Register the hooks of ``cls`` as factories: the converter builds (and
    keeps) each hook the first time it is asked for one. Building them
    compiles a few functions per class (≈ 3 ms each); a command that never
    reads a contract or writes an event does not pay for theirs."""

    def exactly(kind: object) -> bool:
        return kind is cls

    conv.register_structure_hook_factory(exactly, structure_factory)
    conv.register_unstructure_hook_factory(exactly, unstructure_factory)


def _keeping_unknown_keys(
    converter: cattrs.Converter, cls: type[T], renames: Mapping[str, str] | None = None
) -> None:
    """Register hooks for an attrs class with an ``extra`` field: unknown keys go
    into ``extra`` on the way in and come back out at the top level (built when
    first asked for, see :func:`_when_asked`)."""
    renames = renames or {}
    known = {renames.get(a.name, a.name) for a in attrs.fields(cls)} - {"extra"}  # type: ignore[arg-type]
    known_or_tag = frozenset(known | {"kind"})
    tag = getattr(cls, "kind", None)

    def structure_factory(_: object) -> Callable[[Mapping[str, Any], type], T]:
        structure = make_dict_structure_fn(cls, converter, **_named_overrides(converter, cls, renames))
        plain = _plain_structure_fn(converter, cls, renames)

        def structure_hook(data: Mapping[str, Any], _: type) -> T:
            if type(data) is not dict and not isinstance(data, Mapping):
                raise ValidationError(f"expected a JSON object, got {data!r}")
            if known_or_tag.issuperset(data.keys()):
                if type(data) is dict:
                    try:
                        value = plain(data)
                    except Exception:
                        value = _NOT_PLAIN
                    if value is not _NOT_PLAIN:
                        return value
                return structure(data, cls)  # nothing unknown to keep
            fields = {k: v for k, v in data.items() if k in known}
            extra = {k: v for k, v in data.items() if k not in known and k != "kind"}
            if extra:
                fields["extra"] = extra
            return structure(fields, cls)

        return structure_hook

    def unstructure_factory(_: object) -> Callable[[T], dict[str, Any]]:
        overrides: dict[str, Any] = {name: override(rename=key) for name, key in renames.items()}
        as_is = {
            name: override(rename=renames.get(name), unstruct_hook=identity)
            for name in _as_is_overrides(cls)
        }
        unstructure = make_dict_unstructure_fn(
            cls, converter, _cattrs_omit_if_default=True, **{**overrides, **as_is}
        )

        def unstructure_hook(value: T) -> dict[str, Any]:
            out = unstructure(value)
            extra = out.pop("extra", None) or {}
            if tag is not None:
                out = {"kind": tag, **out}
            for key, item in extra.items():
                out.setdefault(key, item)
            return out

        return unstructure_hook

    _when_asked(converter, cls, structure_factory, unstructure_factory)


def _structure_json_object(value: object, _: object) -> dict[str, Any]:
    """Custom attributes, headers and unknown keys: a JSON object, kept as it is."""
    if not isinstance(value, Mapping):
        raise ValidationError(f"expected a JSON object, got {value!r}")
    return dict(value)


def _structure_word(value: object, cls: type[enum.Enum]) -> enum.Enum:
    allowed = [member.value for member in cls]
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
    return cls(value)


def make_converter() -> cattrs.Converter:
    """Build the converter; call :data:`converter` instead of building another."""
    conv = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_structure_hook(datetime | None, _structure_optional_datetime)
    conv.register_structure_hook(str, _text_of(None))
    conv.register_structure_hook(str | None, _structure_optional_text)
    # Every JSON type is checked, never coerced: cattrs' own hooks call bool(),
    # int() and tuple(), which read "false" as true, 1.5 as 1 and "E-1" as
    # ("E", "-", "1").
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(bool | None, _structure_optional_bool)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(int | None, _structure_optional_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook_func(_is_text_collection, _structure_texts)
    conv.register_structure_hook_factory(_is_collection_of_values, _collection_hook(conv))
    conv.register_structure_hook_factory(
        attrs.has, lambda cls: make_dict_structure_fn(cls, conv, **_named_overrides(conv, cls, {}))
    )
    # A comment's author is checked by the model's validator, whose message names
    # the field; cattrs' own Literal check would raise an error of its own kind.
    conv.register_structure_hook_func(lambda cls: cls == AuthorKind, lambda value, _: value)
    json_objects = (Mapping[str, Any], Mapping[str, str])
    conv.register_structure_hook_func(lambda cls: cls in json_objects, _structure_json_object)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_structure_hook(timedelta, _structure_duration)
    conv.register_structure_hook(timedelta | None, _structure_optional_duration)
    conv.register_unstructure_hook(timedelta, _unstructure_duration)
    conv.register_structure_hook(date, _structure_date)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook(time, lambda value, _: time.fromisoformat(value))
    conv.register_unstructure_hook(time, lambda value: value.strftime("%H:%M"))
    configure_tagged_union(Condition, conv, tag_name="kind", tag_generator=condition_kind)
    conv.register_unstructure_hook_func(_is_frozenset, lambda members: sorted(members))
    conv.register_structure_hook(Assignee, _structure_assignee)
    conv.register_unstructure_hook(Assignee, _unstructure_assignee)
    for routing_word in (Link, OwnerChain, Strategy):  # plain texts, not str subclasses, in JSON objects
        conv.register_unstructure_hook(routing_word, lambda member: member.value)
        # and members back, not the texts (which compare equal and so hide it)
        conv.register_structure_hook(routing_word, _structure_word)
    for event_class in EVENT_KINDS.values():
        _keeping_unknown_keys(conv, event_class)
    hooks: dict[str, tuple[type[Any], Callable[[Any, Any], Any]]] = {}  # by kind, as first met

    def event_from(data: Mapping[str, Any], _: object = None) -> Event:
        if type(data) is dict:
            kind = data.get("kind")
        elif isinstance(data, EVENT_CLASSES):
            return data
        else:
            kind = data.get("kind") if isinstance(data, Mapping) else None
        found = hooks.get(kind) if isinstance(kind, str) else None
        if found is None:
            if not isinstance(kind, str) or kind not in EVENT_KINDS:
                known = ", ".join(EVENT_KINDS)
                raise ValidationError(f"event kind {kind!r} is not one of: {known}")
            found = hooks[kind] = (EVENT_KINDS[kind], conv.get_structure_hook(EVENT_KINDS[kind]))
        cls, hook = found
        event: Event = hook(data, cls)
        return event

    conv.register_structure_hook(Event, event_from)

    def events_from(data: Iterable[Any], _: object = None) -> tuple[Event, ...]:
        if type(data) is tuple and all(type(e) in EVENT_CLASSES for e in data):
            return data  # already structured (ticket_from_json does it, naming the index)
        return tuple([event_from(e) for e in data])

    conv.register_structure_hook_func(lambda cls: cls == tuple[Event, ...], events_from)
    writers: dict[type[Any], Callable[[Any], Any]] = {}  # by class, as first met

    def writer_of(cls: type[Any]) -> Callable[[Any], Any]:
        if cls not in EVENT_CLASSES:
            return lambda e: conv.unstructure(e, cls)
        writer = writers[cls] = conv.get_unstructure_hook(cls)
        return writer

    def events_to(events: tuple[Event, ...]) -> list[Any]:
        """Each event by its own class's hook (what the union dispatch would pick)."""
        return [(writers.get(type(e)) or writer_of(type(e)))(e) for e in events]

    conv.register_unstructure_hook_func(lambda cls: cls == tuple[Event, ...], events_to)
    _keeping_unknown_keys(conv, Ticket, _TICKET_RENAMES)
    for stored in STORED_CLASSES:
        _plain_first(conv, stored)
    return conv


converter = make_converter()
"""The one converter of the library."""


MAX_NESTING = 64
"""How deep the arrays and objects of one JSON line may nest (a ticket
history needs 4 levels; custom attributes and unknown keys a few more)."""

_LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""A ``\\uD800``–``\\uDFFF`` escape: half of a pair, or a lone surrogate."""


def _no_constant(name: str) -> Any:
    raise ValidationError(f"{name} is not a JSON number (JSON has no NaN or infinities)")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValidationError(f"{_clipped(text)} is too large for a number")
    return number


_strict_json = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite_float).decode


def _nesting_exceeds(data: object, most: int) -> bool:
    pending: list[tuple[object, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > most:
            return True
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values() if isinstance(item, dict | list))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value if isinstance(item, dict | list))
    return False


def json_from_line(line: str) -> Any:
    """One line of a JSON Lines file, decoded strictly: ``NaN``, ``Infinity``
    and numbers beyond a float's range are refused (they are not JSON, and a
    store must never write them back), as are nesting deeper than
    :data:`MAX_NESTING` levels and lone surrogates (``"\\ud800"``: not a
    character, and not writable as UTF-8). Raises :class:`ValidationError`
    saying what is wrong."""
    try:
        data = _strict_json(line.rstrip("\r\n"))
    except json.JSONDecodeError as error:
        raise ValidationError(f"malformed JSON: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise ValidationError(f"JSON nested deeper than {MAX_NESTING} levels") from None
    except ValidationError:
        raise
    except ValueError as error:  # an integer of more than 4,300 digits
        raise ValidationError(f"malformed JSON: {error}") from None
    if line.count("[") + line.count("{") > MAX_NESTING and _nesting_exceeds(data, MAX_NESTING):
        raise ValidationError(f"JSON nested deeper than {MAX_NESTING} levels")
    if "\\u" in line and _LONE_SURROGATE_ESCAPE.search(line):
        try:
            _compact_json(data).encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValidationError(
                f"a text holds the lone surrogate {error.object[error.start:error.end]!r}, "
                "which is not a character (half of a UTF-16 pair?)"
            ) from None
    return data


def _ticket_label(data: object) -> str:
    if isinstance(data, Mapping) and isinstance(data.get("id"), str):
        return f"ticket {data['id']}"
    return "ticket"


def ticket_from_json(data: str | Mapping[str, Any]) -> Ticket:
    """A ticket from one line of ticket-history JSONL (or its parsed object).

    Raises :class:`ValidationError` naming the ticket and what is wrong.
    """
    if isinstance(data, str):
        data = json_from_line(data)
    if not isinstance(data, Mapping):
        raise ValidationError(f"expected a JSON object per line, got {type(data).__name__}")
    if type(data) is dict and type(data.get("events", [])) is list:
        try:
            ticket: Ticket = converter.get_structure_hook(Ticket)(data, Ticket)
        except Exception:
            pass
        else:
            return ticket
    label = _ticket_label(data)
    events = data.get("events", [])
    if not isinstance(events, list):
        raise ValidationError(f"{label}: events must be a JSON array")
    structured: list[Event] = []
    event_from = converter.get_structure_hook(Event)
    for index, event in enumerate(events):
        try:
            structured.append(event_from(event, Event))
        except FieldTypeError as error:
            raise ValidationError(f"{label}: {error.inside(f'events[{index}]')}") from None
        except (ValidationError, TypeError, KeyError, ValueError, CattrsError) as error:
            raise ValidationError(f"{label}: events[{index}]: {_reason(error)}") from None
    created_at = data.get("created_at")
    if not isinstance(created_at, str | datetime):
        raise ValidationError(f"{label}: created_at: missing or not a date-time: {created_at!r}")
    try:
        _structure_datetime(created_at, datetime)
    except ValidationError as error:
        raise ValidationError(f"{label}: created_at: {error}") from None
    try:
        return converter.structure({**data, "events": tuple(structured)}, Ticket)
    except (ValidationError, TypeError, KeyError, ValueError, CattrsError) as error:
        raise ValidationError(f"{label}: {_reason(error)}") from None


_TRUSTED_EVENTS: dict[object, Callable[[dict[str, Any]], Any]] = {
    kind: _trusted_structure_fn(converter, cls, {}, tagged=True) for kind, cls in EVENT_KINDS.items()
}
_EVENT_HOOK = converter.get_structure_hook(Event)


def _trusted_events(data: object) -> tuple[Event, ...]:
    """The events of a stored ticket; one the trusted path does not take (say,
    with unknown keys to keep) is structured the validated way."""
    if type(data) is not list:
        raise ValidationError(f"events must be a JSON array, got {type(data).__name__}")
    events: list[Event] = []
    append = events.append
    trusted = _TRUSTED_EVENTS.get
    for item in data:
        if type(item) is dict:
            structure = trusted(item.get("kind"))
            if structure is not None:
                event = structure(item)
                if event is not _NOT_PLAIN:
                    append(event)
                    continue
        append(_EVENT_HOOK(item, Event))
    return tuple(events)


_ASSIGNEES: dict[object, Assignee] = {}
"""Assignees already read by :func:`_trusted_assignee`, by their stored form
(an id, or an id and the group flag): a desk has a few hundred people and
groups, and every ticket header names one of them."""
_ASSIGNEES_KEPT = 4096
"""At most this many are kept (a store of unusual width builds the rest)."""


def _trusted_assignee(value: object) -> Assignee | None:
    """The registered assignee of a stored ticket: what the converter reads,
    validated once per distinct value instead of once per ticket. Assignees
    are frozen values, so tickets may share one."""
    if type(value) is str:
        key: object = value
    elif type(value) is dict and type(value.get("id")) is str and type(value.get("group", False)) is bool:
        key = (value["id"], value.get("group", False))
    elif value is None:
        return None
    else:
        return _structure_assignee(value, Assignee)
    assignee = _ASSIGNEES.get(key)
    if assignee is None:
        assignee = _structure_assignee(value, Assignee)
        if len(_ASSIGNEES) < _ASSIGNEES_KEPT:
            _ASSIGNEES[key] = assignee
    return assignee


_TRUSTED_TICKET = _trusted_structure_fn(
    converter,
    Ticket,
    _TICKET_RENAMES,
    hooks={"events": _trusted_events, "initial_assignee": _trusted_assignee},
)


def ticket_from_stored(data: dict[str, Any]) -> Ticket:
    """A ticket from a document of this library's own store.

    What a store holds was a validated :class:`Ticket` when it was saved, so
    the attrs validators are not run again (decoding takes about half the
    time: a batch report reads millions). Types are still checked; a document
    the trusted path does not take — unknown keys, a value of another JSON
    type, anything missing — is decoded by :func:`ticket_from_json`, which
    validates everything and names what is wrong.
    """
    try:
        ticket = _TRUSTED_TICKET(data)
    except Exception:
        ticket = _NOT_PLAIN
    if ticket is _NOT_PLAIN:
        return ticket_from_json(data)
    stored: Ticket = ticket
    return stored


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing required field {error.args[0]!r}"
    if isinstance(error, TypeError) and "missing" in str(error):
        missing = str(error).split("argument:")[-1].strip().strip("'")
        return f"missing required field {missing!r}"
    return str(error)


def ticket_to_json(ticket: Ticket) -> dict[str, Any]:
    """The ticket-history JSON object of ``ticket`` (defaults omitted)."""
    out: dict[str, Any] = converter.unstructure(ticket, Ticket)
    if not ticket.events:
        out["events"] = []  # omitted as the default; the format always has the key
    return out


_loads = orjson.loads
_JSONDecodeError = orjson.JSONDecodeError

_compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
"""``json.dumps`` with these options, without a new encoder per call."""


def ticket_to_json_line(ticket: Ticket) -> str:
    """One line of ticket-history JSONL, UTF-8 text without a trailing newline.
    A value JSON cannot carry (NaN, an infinity) is refused, never written."""
    try:
        return _compact_json(ticket_to_json(ticket))
    except ValueError as error:
        raise ValidationError(f"ticket {ticket.id}: cannot be written as JSON: {error}") from None


def domain_event_to_json(event: DomainEvent) -> str:
    """One domain event as the compact JSON text the out-box keeps. ``data``
    must hold JSON values only; NaN, an infinity or a value of another type
    (a date-time object, a set) is refused, never written."""
    out: dict[str, Any] = converter.unstructure(event, DomainEvent)
    out["data"] = dict(event.data)  # as it is: the converter would turn a date-time into text
    try:
        return _compact_json(out)
    except (ValueError, TypeError) as error:
        raise ValidationError(
            f"domain event {event.kind} of ticket {event.ticket}: data cannot be written as JSON: {error}"
        ) from None


def domain_event_from_json(text: str) -> DomainEvent:
    """A domain event from the JSON text :func:`domain_event_to_json` wrote,
    decoded strictly (no NaN or infinities) and validated."""
    try:
        data = _strict_json(text)
    except json.JSONDecodeError as error:
        raise ValidationError(f"domain event: not JSON: {error}") from None
    if not isinstance(data, dict):
        raise ValidationError(f"domain event: expected a JSON object, got {described(data)}")
    try:
        return converter.structure(data, DomainEvent)
    except (CattrsError, KeyError, TypeError) as error:
        raise ValidationError(f"domain event: {_reason(error)}") from None


def sla_projection_to_json(projection: SlaProjection) -> str:
    """A ticket's SLA projection as the compact JSON text a store keeps beside
    its indexed columns (``docs/sla.md``, "Projection"): instants as ISO-8601
    texts with their offset, durations as whole microseconds."""
    out: dict[str, Any] = converter.unstructure(projection, _projection_class())
    return _compact_json(out)


def sla_projection_from_json(data: str | bytes | Mapping[str, Any]) -> SlaProjection:
    """An SLA projection from the JSON :func:`sla_projection_to_json` wrote
    (text or its parsed object), decoded strictly: every field present, of
    its JSON type, no unknown key, no NaN. Raises :class:`ValidationError`
    naming the ticket and the field. A report reads one per ticket, so the
    fields' hooks are looked up once and the text is parsed by orjson (which,
    like :func:`json_from_line`, refuses what is not JSON)."""
    cls, fields, names = _projection_reader()
    if isinstance(data, str | bytes):
        text = data
        try:
            data = _loads(text)
        except _JSONDecodeError as error:
            try:  # says what is wrong in the words of every other JSON the library reads
                json_from_line(text if isinstance(text, str) else text.decode("utf-8", "replace"))
            except ValidationError as found:
                raise ValidationError(f"SLA projection: {found}") from None
            raise ValidationError(f"SLA projection: malformed JSON: {error}") from None
    if not isinstance(data, Mapping):
        raise ValidationError(f"SLA projection: expected a JSON object, got {described(data)}")
    ticket = data.get("ticket")
    label = f"SLA projection of ticket {ticket}" if isinstance(ticket, str) else "SLA projection"
    if data.keys() != names:
        unknown = sorted(key for key in data if key not in names)
        if unknown:
            raise ValidationError(f"{label}: unknown field {unknown[0]!r}")
        missing = sorted(name for name in names if name not in data)
        raise ValidationError(f"{label}: missing required field {missing[0]!r}")
    values: dict[str, Any] = {}
    for name, hook, kind in fields:
        try:
            values[name] = hook(data[name], kind)
        except (ValidationError, TypeError, ValueError, CattrsError) as error:
            reason = error.reason if isinstance(error, FieldTypeError) else _reason(error)
            raise ValidationError(f"{label}: {name}: {reason}") from None
    try:
        return cls(**values)
    except (ValidationError, TypeError, ValueError) as error:
        raise ValidationError(f"{label}: {_reason(error)}") from None


@functools.cache
def _projection_reader() -> tuple[
    type[SlaProjection], tuple[tuple[str, Callable[[Any, Any], Any], Any], ...], frozenset[str]
]:
    """The projection class, its fields with the converter's hooks, and their
    names; imported on first use: most commands never load the SLA engine."""
    from helpdesk_core.sla.projection import SlaProjection

    attrs.resolve_types(SlaProjection)
    fields = tuple(
        (field.name, converter.get_structure_hook(field.type), field.type)
        for field in attrs.fields(SlaProjection)
    )
    return SlaProjection, fields, frozenset(name for name, _, _ in fields)


def _projection_class() -> type[SlaProjection]:
    return _projection_reader()[0]


_STATE_KEYS = frozenset(("projection", "status", "priority", "type", "assignee", "customer"))


def ticket_sla_state_to_json(state: TicketSlaState) -> str:
    """A ticket's stored SLA state as the JSON document a store keeps
    (``docs/sla.md``, "Stored SLA states"): the projection
    (:func:`sla_projection_to_json`'s object), the facts after the last event
    and the customer key, ``[category, [groups…], [[group, rule]…]]`` or null."""
    facts = state.facts
    customer = state.customer
    out: dict[str, Any] = {
        "projection": converter.unstructure(state.projection, _projection_class()),
        "status": facts.status,
        "priority": facts.priority,
        "type": facts.type,
        "assignee": facts.assignee,
        "customer": None
        if customer is None
        else [customer[0], list(customer[1]), [list(pair) for pair in customer[2]]],
    }
    return _compact_json(out)


def ticket_sla_state_from_json(data: str | bytes) -> TicketSlaState:
    """A stored SLA state from the JSON :func:`ticket_sla_state_to_json` wrote,
    decoded strictly; :class:`ValidationError` naming the ticket and the field."""
    from helpdesk_core.reports.as_of import TicketAsOf
    from helpdesk_core.sla_states.state import TicketSlaState

    try:
        found = _loads(data)
    except _JSONDecodeError as error:
        raise ValidationError(f"stored SLA state: malformed JSON: {error}") from None
    if not isinstance(found, dict):
        raise ValidationError(f"stored SLA state: expected a JSON object, got {described(found)}")
    inner = found.get("projection")
    ticket = inner.get("ticket") if isinstance(inner, dict) else None
    label = f"stored SLA state of ticket {ticket}" if isinstance(ticket, str) else "stored SLA state"
    if found.keys() != _STATE_KEYS:
        unknown = sorted(key for key in found if key not in _STATE_KEYS)
        if unknown:
            raise ValidationError(f"{label}: unknown field {unknown[0]!r}")
        missing = sorted(name for name in _STATE_KEYS if name not in found)
        raise ValidationError(f"{label}: missing required field {missing[0]!r}")
    if not isinstance(inner, dict):
        raise ValidationError(f"{label}: projection: expected a JSON object, got {described(inner)}")
    projection = sla_projection_from_json(inner)
    for name in ("priority", "type", "assignee"):
        if found[name] is not None and not isinstance(found[name], str):
            raise ValidationError(f"{label}: {name}: expected a text or null, got {described(found[name])}")
    if not isinstance(found["status"], str):
        raise ValidationError(f"{label}: status: expected a text, got {described(found['status'])}")
    return TicketSlaState(
        projection=projection,
        facts=TicketAsOf(found["status"], found["priority"], found["type"], found["assignee"]),
        customer=_customer_key(found["customer"], label),
    )


def ticket_sla_state_from_stored(data: str | bytes) -> TicketSlaState:
    """A stored SLA state from a document the store kept (the batch report's
    read of every ticket): :func:`ticket_sla_state_from_json`'s value, decoded
    the trusted way — the projection's fields type-checked as they are read
    (texts, booleans, date-times with an offset, whole microseconds) but its
    validators not run again, as for a ticket read back from its own store.
    Anything else (an unknown or missing key, a value of another type) is
    decoded by :func:`ticket_sla_state_from_json`, which says what is wrong."""
    projection_of, state, facts = _stored_state_reader()
    try:
        found = _loads(data)
    except _JSONDecodeError:
        return ticket_sla_state_from_json(data)
    if type(found) is dict and len(found) == 6:
        try:
            projection = projection_of(found["projection"])
            status, priority, type_, assignee, customer = (
                found["status"], found["priority"], found["type"], found["assignee"], found["customer"]
            )  # fmt: skip
        except (KeyError, TypeError, ValueError):
            projection = _NOT_PLAIN
        if (
            projection is not _NOT_PLAIN
            and type(status) is str
            and (priority is None or type(priority) is str)
            and (type_ is None or type(type_) is str)
            and (assignee is None or type(assignee) is str)
        ):
            key = _stored_customer_key(customer)
            if key is not _NOT_PLAIN:
                return state(projection, facts(status, priority, type_, assignee), key)
    return ticket_sla_state_from_json(data)


def _stored_customer_key(value: Any) -> Any:
    """The customer key of a stored state, or :data:`_NOT_PLAIN` for anything
    but ``null`` or ``[category, [groups…], [[group, rule]…]]`` of texts."""
    if value is None:
        return None
    if type(value) is not list or len(value) != 3:
        return _NOT_PLAIN
    category, groups, rules = value
    if category is not None and type(category) is not str:
        return _NOT_PLAIN
    if type(groups) is not list or type(rules) is not list or not _all_texts(groups):
        return _NOT_PLAIN
    pairs = []
    for pair in rules:
        if type(pair) is not list or len(pair) != 2 or not _all_texts(pair):
            return _NOT_PLAIN
        pairs.append((pair[0], pair[1]))
    return category, tuple(groups), tuple(pairs)


@functools.cache
def _stored_state_reader() -> tuple[
    Callable[[Any], Any],
    Callable[[SlaProjection, TicketAsOf, CustomerKey | None], TicketSlaState],
    Callable[[str, str | None, str | None, str | None], TicketAsOf],
]:
    """The trusted projection reader and the makers of a stored state and its
    facts (plain attribute stores, no ``__init__``: the values are checked by
    the caller); made on first use (most commands never load the SLA engine)."""
    from helpdesk_core.reports.as_of import TicketAsOf
    from helpdesk_core.sla.row import Clock
    from helpdesk_core.sla_states.state import TicketSlaState

    clocks = {clock.value: clock for clock in Clock}  # a KeyError for another text: read strictly then
    hooks = {"clock": clocks.__getitem__}
    trusted = _trusted_structure_fn(converter, _projection_class(), {}, hooks=hooks)

    def projection_of(value: Any) -> Any:
        return trusted(value) if type(value) is dict else _NOT_PLAIN

    new = object.__new__
    filling_facts, filling_state = _builder_of(TicketAsOf), _builder_of(TicketSlaState)

    def facts(status: str, priority: str | None, type_: str | None, assignee: str | None) -> TicketAsOf:
        made: Any = new(filling_facts)  # filled by plain stores: see _builder_of
        made.status, made.priority, made.type, made.assignee = status, priority, type_, assignee
        made.__class__ = TicketAsOf
        return cast("TicketAsOf", made)

    def state(projection: SlaProjection, facts: TicketAsOf, customer: CustomerKey | None) -> TicketSlaState:
        made: Any = new(filling_state)
        made.projection, made.facts, made.customer = projection, facts, customer
        made.__class__ = TicketSlaState
        return cast("TicketSlaState", made)

    return projection_of, state, facts


def _customer_key(value: object, label: str) -> CustomerKey | None:
    if value is None:
        return None
    wrong = ValidationError(
        f"{label}: customer: expected null or [category, [groups], [[group, rule]]], got {described(value)}"
    )
    if not isinstance(value, list) or len(value) != 3:
        raise wrong
    category, groups, rules = value
    if category is not None and not isinstance(category, str):
        raise wrong
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise wrong
    if not isinstance(rules, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in rules
    ):
        raise wrong
    return category, tuple(groups), tuple((group, rule) for group, rule in rules)


def routing_decision_to_json(decision: RoutingDecision) -> dict[str, Any]:
    """A routing decision as the JSON object an ``assign`` event records
    (``docs/routing.md``)."""
    out: dict[str, Any] = converter.unstructure(decision, RoutingDecision)
    return out


def _routing_value(data: object, cls: type[T], label: str) -> T:
    if not isinstance(data, Mapping):
        raise ValidationError(f"{label}: expected a JSON object, got {described(data)}")
    try:
        return converter.structure(data, cls)
    except (ValidationError, CattrsError, KeyError, TypeError, ValueError) as error:
        raise ValidationError(f"{label}: {_reason(error)}") from None


def routing_decision_from_json(data: object) -> RoutingDecision:
    """A decision back from :func:`routing_decision_to_json`'s object; keys a
    later version adds are ignored, keys it lacks take their defaults."""
    return _routing_value(data, RoutingDecision, "routing decision")


def routing_facts_from_json(data: object) -> RoutingFacts:
    """The facts of a ticket not registered yet, written as JSON (the
    ``RoutingFacts`` field names; ``registered_at`` is required)."""
    return _routing_value(data, RoutingFacts, "routing facts")


def routing_explanation_to_json(explanation: RoutingExplanation) -> dict[str, Any]:
    """``helpdesk routing explain --format json``: the decision object of
    :func:`routing_decision_to_json` with ``ticket`` (null for facts),
    ``recorded`` (the registration's decision, or today's answer),
    ``current_fingerprint``, ``under_another_configuration`` and, for a
    ticket that was not routed, ``owner`` (who it was given to then)."""
    out = routing_decision_to_json(explanation.decision)
    out["ticket"] = explanation.ticket
    out["recorded"] = explanation.recorded
    out["current_fingerprint"] = explanation.current_fingerprint
    out["under_another_configuration"] = explanation.under_another_configuration
    if explanation.ticket is not None and not explanation.recorded:
        out["owner"] = converter.unstructure(explanation.owner, Assignee | None)
    return out


def routing_replay_to_json(replay: RoutingReplay) -> dict[str, Any]:
    """``helpdesk routing replay --format json``: the replay as one JSON
    object (``docs/routing.md``); each rule or chain link that decides carries
    its ``label`` in words."""
    from helpdesk_core.routing.replay import RoutingReplay

    out: dict[str, Any] = converter.unstructure(replay, RoutingReplay)
    for row, decider in zip(out["deciders"], replay.deciders, strict=True):
        row["label"] = decider.label
    return out


def structure(data: object, cls: type[T]) -> T:
    """Structure ``data`` into ``cls`` with the one converter."""
    return converter.structure(data, cls)


def unstructure(value: object) -> Any:
    """Unstructure ``value`` with the one converter."""
    return converter.unstructure(value)


__all__ = [
    "converter",
    "domain_event_from_json",
    "domain_event_to_json",
    "make_converter",
    "routing_decision_from_json",
    "routing_decision_to_json",
    "routing_explanation_to_json",
    "routing_facts_from_json",
    "routing_replay_to_json",
    "sla_projection_from_json",
    "sla_projection_to_json",
    "structure",
    "ticket_from_json",
    "ticket_from_stored",
    "ticket_sla_state_from_json",
    "ticket_sla_state_from_stored",
    "ticket_sla_state_to_json",
    "ticket_to_json",
    "ticket_to_json_line",
    "unstructure",
]
