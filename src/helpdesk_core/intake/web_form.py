"""A web form's fields, decided into a ticket (pure; the desk stores it).

The form arrives as a JSON object::

    {"form": "Service request",
     "fields": [
       {"name": "E-mail", "kind": "email", "value": "jana@cafe.example"},
       {"name": "Your name", "kind": "name", "value": "Jana Nováková"},
       {"name": "Order number", "kind": "order_number", "value": "2026/1"},
       {"name": "Message", "kind": "message", "value": "Oven cold\\nSince Monday", "hidden": false},
       {"name": "Floor", "value": 3}
     ]}

``form`` (optional) names the form; ``fields`` is the list of fields in the
order the form shows them, each with ``name`` (required), ``kind`` (``text``
when left out; see :data:`FIELD_KINDS`), ``value`` (a text, a number, true or
false, a list of texts — joined with ``", "`` — or null) and ``hidden``
(default false: a field the form did not show to the person).

* **description**: every *filled* field (a value that is not null nor blank),
  hidden or not, one line each in form order: ``"Field name": "value"`` —
  the name and the value trimmed and each written as a JSON string, so a quote is ``\\"``,
  a backslash ``\\\\`` and a line break ``\\n`` and every field stays on one line;
* **subject**: the first non-blank line of the first ``message`` field,
  trimmed and cut at :data:`SUBJECT_LIMIT` characters (the last one then
  ``…``); :data:`FALLBACK_SUBJECT` when that field is hidden, blank or missing;
* **people**: the first filled ``email`` field is looked up as an e-mail
  sender is (:mod:`helpdesk_core.intake.people`, under ``[intake]
  unknown_sender``); a ``name`` field names a contact created for it;
* **order number**: the first filled ``order_number`` field is kept in the
  ticket attribute ``[intake] order_attribute`` and, when the order is known
  (the number of a stored contract of one company), links that company —
  unless the sender already linked one (the sender's wins; the reason says so).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from helpdesk_core.config import IntakeSettings
from helpdesk_core.errors import ValidationError
from helpdesk_core.intake.people import NewContact, PeopleDirectory, Sender, UnknownSender, link_sender
from helpdesk_core.model.catalog import Catalogs
from helpdesk_core.suggestions import did_you_mean

FIELD_KINDS = ("text", "email", "message", "name", "phone", "order_number")
"""What a form field may be; ``text`` (the default) is only described."""
FALLBACK_SUBJECT = "Request via web form"
SUBJECT_LIMIT = 120
CHANNEL = "web"
_FORM_KEYS = ("form", "fields")
_FIELD_KEYS = ("name", "kind", "value", "hidden")
_SURROGATE = re.compile("[\ud800-\udfff]")


@attrs.frozen
class FormField:
    """One field as the form sent it; ``value`` is its text ("" when not filled)."""

    name: str
    kind: str
    value: str
    hidden: bool = False

    @property
    def filled(self) -> bool:
        return bool(self.value.strip())


@attrs.frozen
class WebForm:
    """A submitted form: its ``name`` (may be empty) and its fields in order."""

    name: str
    fields: tuple[FormField, ...]

    def first(self, kind: str) -> FormField | None:
        """The first field of ``kind`` (filled or not)."""
        return next((f for f in self.fields if f.kind == kind), None)

    def first_filled(self, kind: str) -> FormField | None:
        return next((f for f in self.fields if f.kind == kind and f.filled), None)


@attrs.frozen
class FormDecision:
    """Everything decided about a form before anything is stored."""

    form: WebForm
    action: Literal["new_ticket", "held"]
    subject: str
    description: str
    contact: str | None
    company: str | None
    new_contact: NewContact | None
    attributes: Mapping[str, Any]
    reason: str
    sender: Sender | None


def read_form(data: object, *, source: str = "form") -> WebForm:
    """The form of already parsed JSON ``data``; a
    :class:`~helpdesk_core.errors.ValidationError` names the place (``form
    fields[2].kind``) and the bad value."""
    if not isinstance(data, Mapping):
        raise ValidationError(f"{source}: expected a JSON object with 'fields', got {_shown(data)}")
    for key in data:
        if key not in _FORM_KEYS:
            raise ValidationError(
                f"{source}: unknown key {key!r} (expected: {', '.join(_FORM_KEYS)})"
                f"{did_you_mean(str(key), _FORM_KEYS)}"
            )
    name = data.get("form", "")
    if name is None:
        name = ""
    if not isinstance(name, str):
        raise ValidationError(f"{source}: form: expected the form's name as a text, got {_shown(name)}")
    _text(name, f"{source}: form")
    fields = data.get("fields")
    if not isinstance(fields, list):
        raise ValidationError(f"{source}: fields: expected a list of fields, got {_shown(fields)}")
    return WebForm(name, tuple(_field(raw, f"{source}: fields[{i}]") for i, raw in enumerate(fields)))


def form_from_json(text: str, *, source: str = "form") -> WebForm:
    """The form written as JSON ``text``: bad JSON names its line and column,
    a bad field its place (``FILE: fields[2].kind: …``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            f"{source}: line {error.lineno} column {error.colno}: not valid JSON: {error.msg}"
        ) from None
    except RecursionError:
        raise ValidationError(f"{source}: not valid JSON: nested too deeply") from None
    except ValueError as error:  # an integer of thousands of digits
        raise ValidationError(f"{source}: not valid JSON: {error}") from None
    return read_form(data, source=source)


def _field(raw: object, place: str) -> FormField:
    if not isinstance(raw, Mapping):
        raise ValidationError(f"{place}: expected an object with name, kind and value, got {_shown(raw)}")
    for key in raw:
        if key not in _FIELD_KEYS:
            raise ValidationError(
                f"{place}: unknown key {key!r} (expected: {', '.join(_FIELD_KEYS)})"
                f"{did_you_mean(str(key), _FIELD_KEYS)}"
            )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"{place}.name: expected the field's name, got {_shown(name)}")
    kind = raw.get("kind", "text")
    if kind not in FIELD_KINDS:
        raise ValidationError(
            f"{place}.kind: {_shown(kind)} is not a field kind (expected one of: {', '.join(FIELD_KINDS)})"
            f"{did_you_mean(str(kind), FIELD_KINDS)}"
        )
    hidden = raw.get("hidden", False)
    if not isinstance(hidden, bool):
        raise ValidationError(f"{place}.hidden: expected true or false, got {_shown(hidden)}")
    _text(name, f"{place}.name")
    value = _value(raw.get("value"), f"{place}.value ({name})")
    _text(value, f"{place}.value ({name})")
    return FormField(name, kind, value, hidden)


def _text(value: str, place: str) -> None:
    """Refuse a lone surrogate (``"\\ud800"`` in JSON): no store and no terminal can take it."""
    found = _SURROGATE.search(value)
    if found is not None:
        code = f"\\u{ord(found.group()):04x}"
        at = found.start()
        raise ValidationError(f"{place}: not valid text: a lone surrogate {code} at character {at}")


def _value(value: object, place: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and math.isfinite(value):
        return json.dumps(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(v for v in value if v.strip())
    raise ValidationError(
        f"{place}: expected a text, a number, true/false, a list of texts or null, got {_shown(value)}"
    )


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def description_of(form: WebForm) -> str:
    """Every filled field, one line each: ``"Field name": "value"`` (JSON strings)."""
    return "\n".join(
        f"{json.dumps(f.name.strip(), ensure_ascii=False)}: {json.dumps(f.value.strip(), ensure_ascii=False)}"
        for f in form.fields
        if f.filled
    )


def subject_of(form: WebForm) -> str:
    """The first non-blank line of the message field, or the fallback."""
    message = form.first("message")
    if message is None or message.hidden or not message.filled:
        return FALLBACK_SUBJECT
    line = next(line.strip() for line in message.value.splitlines() if line.strip())
    line = " ".join(line.split())  # tabs and runs of spaces inside the line
    return line if len(line) <= SUBJECT_LIMIT else line[: SUBJECT_LIMIT - 1].rstrip() + "…"


def decide_form(
    form: WebForm, directory: PeopleDirectory, settings: IntakeSettings, catalogs: Catalogs
) -> FormDecision:
    """What registering ``form`` means: subject, description, who and which
    company it links, the order attribute, or ``held`` (with the reason).
    An order number the catalog refuses is a :class:`ValidationError`
    naming the field."""
    subject, description = subject_of(form), description_of(form)
    reasons: list[str] = [f"web form {form.name!r}" if form.name else "web form"]
    contact = company = None
    new_contact: NewContact | None = None
    sender: Sender | None = None
    email = form.first_filled("email")
    if email is None:
        reasons.append("no e-mail field filled: nobody linked")
    else:
        sender = directory.by_address(email.value)
        name = form.first_filled("name")
        policy: UnknownSender = settings.unknown_sender  # type: ignore[assignment]
        link = link_sender(sender, policy, name="" if name is None else name.value)
        reasons.append(f"field {email.name!r}: {link.reason}")
        if link.held:
            return FormDecision(
                form, "held", subject, description, None, None, None, {}, "; ".join(reasons), sender
            )
        contact, company, new_contact = link.contact, link.company, link.new_contact
    attributes: dict[str, Any] = {}
    order = form.first_filled("order_number")
    if order is not None:
        number = order.value.strip()
        attributes[settings.order_attribute] = number
        _check_order_attribute(catalogs, settings.order_attribute, number, order)
        known, why = directory.order_company(number)
        if known is not None and company is None:
            company = known
            why += ": linked"
        elif known is not None and known != company:
            why += f", but the sender's company {company} is kept"
        reasons.append(f"field {order.name!r}: {why}")
    return FormDecision(
        form, "new_ticket", subject, description, contact, company, new_contact, attributes,
        "; ".join(reasons), sender,
    )


def _check_order_attribute(catalogs: Catalogs, attribute: str, number: str, field: FormField) -> None:
    if catalogs.attributes is None:
        return
    definitions = {d.id: d for d in catalogs.attributes}
    definition = definitions.get(attribute)
    where = f"form field {field.name!r} ({field.kind})"
    if definition is None:
        raise ValidationError(
            f"{where}: the order number is kept in attribute {attribute!r} ([intake] order_attribute), "
            f"which the catalog does not have (known: {', '.join(definitions) or 'none'})"
        )
    problem = definition.value_problem(number)
    if problem is not None:
        raise ValidationError(f"{where}: {problem}")


__all__ = [
    "CHANNEL",
    "FALLBACK_SUBJECT",
    "FIELD_KINDS",
    "SUBJECT_LIMIT",
    "FormDecision",
    "FormField",
    "WebForm",
    "decide_form",
    "description_of",
    "form_from_json",
    "read_form",
    "subject_of",
]
