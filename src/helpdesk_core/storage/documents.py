"""How aggregates become the JSON texts a backend keeps, and back.

Every aggregate is stored as one JSON document made by the one converter of
:mod:`helpdesk_core.serialization`. A ticket is split into its *header* (the
ticket-history JSON object without ``events``) and one document per event, so
that appending an event writes one small row instead of the whole history.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

import attrs
import orjson

from helpdesk_core.errors import HistoryError
from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.parties import Company, Contact, CustomerGroup
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import Assignee, Assignment, Event, StatusChange, Ticket
from helpdesk_core.privacy.audit import AuditRecord
from helpdesk_core.privacy.consent import ConsentLedger
from helpdesk_core.privacy.holds import LegalHold
from helpdesk_core.routing.load import assigned_counts_of  # the stores count the same way
from helpdesk_core.serialization import (
    STORED_CLASSES,
    converter,
    ticket_from_stored,
    ticket_to_json,
)

T = TypeVar("T")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _document_writer() -> Callable[[Any], str]:
    """``json.dumps(data, ensure_ascii=False, separators=(",", ":"))`` without
    the set-up ``json.dumps`` and ``JSONEncoder.encode`` repeat on every call
    (a new encoder, then a new C iterencoder): the C iterencoder is made once
    and called directly — the same text, ~2 µs less per document. It keeps
    no circular-reference markers (stored documents are trees the converter
    built; a marker dict would also keep stale entries after an error)."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the C accelerator
        return encoder.encode
    text = json.encoder.encode_basestring
    # allow_nan off: NaN and the infinities are not JSON; a document holding one
    # is refused (ValueError) instead of stored as text no reader accepts.
    iterencode = make(None, encoder.default, text, None, ":", ",", False, False, False)
    join = "".join

    def dumps(data: Any) -> str:
        if isinstance(data, str):
            return str(text(data))
        return join(iterencode(data, 0))

    return dumps


_dumps = _document_writer()
"""A value as its stored JSON text (see :func:`_document_writer`)."""


def _document_of(cls: type[T]) -> Callable[[T], str]:
    """How a ``cls`` value becomes its stored JSON text:
    ``_dumps(converter.unstructure(value, cls))``, written field by field for
    the classes the converter unstructures into one plain object (every attrs
    field, in order, under its own name: :data:`STORED_CLASSES`) — a text,
    an id, None or an empty set straight into the text, any other value by
    the converter's hook for its field. The same text, without building the
    intermediate dict (a contact: ~7 → ~2 µs); tests hold the two to the
    same bytes."""
    if cls not in STORED_CLASSES:
        return lambda value: _dumps(converter.unstructure(value, cls))
    attrs.resolve_types(cls)  # type: ignore[type-var]
    text = json.encoder.encode_basestring
    ns: dict[str, Any] = {"text": text, "dumps": _dumps}
    lines = ["def write(o):"]
    members = []
    for n, field in enumerate(attrs.fields(cls)):  # type: ignore[arg-type]
        hook = converter.get_unstructure_hook(field.type)
        ns[f"h{n}"] = hook
        lines.append(f"  v = o.{field.name}")
        if field.type in (str, str | None) and hook("a") == "a" and hook(None) is None:
            lines.append(
                f"  p{n} = text(v) if v.__class__ is str else 'null' if v is None else dumps(h{n}(v))"
            )
        elif field.type == frozenset[str] and hook(frozenset()) == []:
            lines.append(f"  p{n} = '[]' if v.__class__ is frozenset and not v else dumps(h{n}(v))")
        else:
            lines += [
                f"  r = h{n}(v)",
                f"  p{n} = text(r) if r.__class__ is str else 'null' if r is None else dumps(r)",
            ]
        members.append(f"{text(field.name)}:{{p{n}}}")
    lines.append(f"  return f'{{{{{','.join(members)}}}}}'")
    exec(compile("\n".join(lines), f"<stored document {cls.__qualname__}>", "exec"), ns)
    write: Callable[[T], str] = ns["write"]
    return write


_WRITERS: dict[type[Any], Callable[[Any], str]] = {}
"""The :func:`_document_of` of each class, as first needed."""


@attrs.frozen
class Kind(Generic[T]):
    """One kind of aggregate other than tickets: ``name`` is the attribute of
    the store and the unit of work, and the table name of SQL backends."""

    name: str
    cls: type[T]
    label: str

    def encode(self, value: T) -> str:
        """The JSON text stored for ``value``."""
        write = _WRITERS.get(self.cls)
        if write is None:  # built on first use: a command that writes no contract compiles no writer
            write = _WRITERS.setdefault(self.cls, _document_of(self.cls))
        return write(value)

    def decode(self, document: str) -> T:
        """The value back from its stored JSON text."""
        return converter.structure(parse_json(document), self.cls)


KINDS: tuple[Kind[Any], ...] = (
    Kind("companies", Company, "company"),
    Kind("contacts", Contact, "contact"),
    Kind("customer_groups", CustomerGroup, "customer group"),
    Kind("contracts", Contract, "contract"),
    Kind("service_objects", ServiceObject, "service object"),
    Kind("equipment", Equipment, "equipment"),
    Kind("employees", Employee, "employee"),
    Kind("employee_groups", EmployeeGroup, "employee group"),
)
"""The aggregates kept besides tickets, in the order of the unit of work."""

PRIVACY_KINDS: tuple[Kind[Any], ...] = (
    Kind("audit_records", AuditRecord, "audit record"),
    Kind("consents", ConsentLedger, "consent ledger"),
    Kind("legal_holds", LegalHold, "legal hold"),
)
"""What privacy work keeps: its audit trail, consent ledgers and legal holds
(tables of their own since schema 3 on SQLite, 2 on PostgreSQL)."""


def utc_microseconds(instant: datetime) -> int:
    """``instant`` as whole microseconds since 1970-01-01T00:00Z: the sortable
    column behind the streaming order."""
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_utc_microseconds(microseconds: int) -> datetime:
    """The UTC instant of :func:`utc_microseconds` (its exact inverse)."""
    return _EPOCH + timedelta(microseconds=microseconds)


def ticket_header(ticket: Ticket) -> str:
    """The ticket-history JSON object of ``ticket`` without its events, as text."""
    data = ticket_to_json(ticket)
    data.pop("events", None)
    return _dumps(data)


def event_document(event: Event) -> str:
    """One event as the JSON text of its ticket-history JSONL form."""
    return _dumps(converter.unstructure(event, type(event)))


def event_documents(events: Iterable[Event]) -> list[str]:
    """Each event as its JSON text, in order."""
    return [event_document(e) for e in events]


def ticket_from_documents(header: str, events: Sequence[str] | str | None) -> Ticket:
    """A ticket from its header and its event documents (a list of texts, or
    the texts already joined by commas, or None for no events); both texts
    are looked through for wide integers at once (see :func:`parse_json`)."""
    joined = (events if isinstance(events, str) else ",".join(events)) if events else ""
    loads = json.loads if _may_hold_wide_integers(header + joined) else _loads_fast
    data: dict[str, Any] = loads(header)
    if joined:
        data["events"] = loads(f"[{joined}]")
    return ticket_from_stored(data)


def parse_json(text: str) -> Any:
    """``json.loads(text)``, by orjson (about twice as fast on ticket documents,
    the same values) where that gives the same values.

    orjson does not refuse an integer beyond 64 bits: it reads it as the
    nearest float, silently. A text with 19 digits in a row (any such integer
    has at least that many) is therefore read by ``json``, which keeps every
    integer exact; one whose long digits are inside a string, or a float's,
    is read by ``json`` too, merely slower. A text orjson refuses but ``json``
    reads (``NaN``, a lone surrogate escape) is read by ``json``.
    """
    return json.loads(text) if _may_hold_wide_integers(text) else _loads_fast(text)


def _loads_fast(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _may_hold_wide_integers(text: str) -> bool:
    """Whether ``text`` has 19 digits in a row, checked at C speed on its bytes
    (about a microsecond per kilobyte)."""
    return _LONG_DIGITS in text.encode("utf-8", "surrogatepass").translate(_DIGITS_AS_NINES)


_DIGITS_AS_NINES = bytes.maketrans(b"0123456789", b"9999999999")
_LONG_DIGITS = b"9" * 19
"""The shortest run of digits an integer outside 64 bits can have
(-9223372036854775809 is the first below; 18446744073709551616 the first above)."""


@attrs.frozen
class Appended:
    """What appending events changes in the columns kept beside a ticket."""

    status: str | None
    """The status after the last appended status change, or None: unchanged."""
    last_us: int
    """The instant of the last appended event (UTC microseconds)."""
    assignment: Assignment | None = None
    """The last appended ``assign`` event, or None: responsibility unchanged
    (an assign event to nobody is an :class:`Assignment` whose ``to`` is None)."""


def check_appended(ticket_id: str, last_us: int, events: Sequence[Event]) -> Appended:
    """Refuse events earlier than the history's last instant ``last_us`` (or
    than each other); returns what the append changes."""
    previous = last_us
    status: str | None = None
    assignment: Assignment | None = None
    for index, event in enumerate(events):
        at = utc_microseconds(event.at)
        if at < previous:
            raise HistoryError(
                f"ticket {ticket_id}: appended events[{index}] ({event.kind}) at "
                f"{event.at.isoformat()} is earlier than the history's last event; "
                "a history only grows forward"
            )
        previous = at
        if isinstance(event, StatusChange):
            status = event.to
        elif isinstance(event, Assignment):
            assignment = event
    return Appended(status, previous, assignment)


def assignee_columns(assignee: Assignee | None) -> tuple[str | None, int]:
    """The ``tickets`` columns ``(assignee, assignee_group)`` of a ticket
    whose responsible is ``assignee``: the employee's or group's id (NULL:
    nobody) and 1 for a group, else 0."""
    if assignee is None:
        return None, 0
    return assignee.id, 1 if assignee.group else 0


def by_name() -> Mapping[str, Kind[Any]]:
    """The kinds by their ``name`` (privacy kinds included)."""
    return {kind.name: kind for kind in (*KINDS, *PRIVACY_KINDS)}


__all__ = [
    "KINDS",
    "PRIVACY_KINDS",
    "Appended",
    "Kind",
    "assigned_counts_of",
    "assignee_columns",
    "check_appended",
    "event_document",
    "event_documents",
    "from_utc_microseconds",
    "ticket_from_documents",
    "ticket_header",
    "utc_microseconds",
]
