"""Intake: e-mail messages read and classified, purely.

``parse_message(raw)`` turns the bytes of a message into an immutable
:class:`IncomingMessage` (never raising: what cannot be parsed is listed in
its ``defects``, and ``raw`` is always kept); ``classify(message, …)`` says
whether it is a person writing, an automatic reply, a bounce (with the failed
recipients), mailing-list traffic, or our own mail coming back, and why;
``visible_text(body)`` the reply without quoted history and signature;
``named_tickets`` / ``decide_thread`` which ticket a message belongs to
(signed reply tokens, the subject tag only from a participant); the people
directory, callers by phone and the web form. ``read_message(raw, settings)``
does the first three as the ``[intake]`` settings say, in one value. See
``docs/intake.md``.

Each name is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk_core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from helpdesk_core.intake.attachment_names import sanitise_name
    from helpdesk_core.intake.charsets import DEFAULT_FALLBACK_CHARSETS, decode_text
    from helpdesk_core.intake.classification import LOOP_HEADER, Classification, Kind, classify
    from helpdesk_core.intake.message import Attachment, DeliveryReport, IncomingMessage, Mailbox
    from helpdesk_core.intake.parsing import parse_message
    from helpdesk_core.intake.people import PeopleDirectory, Sender, SenderKind, UnknownSender, link_sender
    from helpdesk_core.intake.phone import Caller, callers, choose_caller
    from helpdesk_core.intake.reading import ReadMessage, read_message
    from helpdesk_core.intake.reply_text import VisibleText, visible_text
    from helpdesk_core.intake.threads import (
        NamedTickets,
        Participants,
        ThreadAction,
        ThreadDecision,
        decide_thread,
        named_tickets,
    )
    from helpdesk_core.intake.web_form import FormDecision, WebForm, decide_form, read_form

_EXPORTS = {
    "sanitise_name": "attachment_names",
    "DEFAULT_FALLBACK_CHARSETS": "charsets",
    "decode_text": "charsets",
    "LOOP_HEADER": "classification",
    "Classification": "classification",
    "Kind": "classification",
    "classify": "classification",
    "Attachment": "message",
    "DeliveryReport": "message",
    "IncomingMessage": "message",
    "Mailbox": "message",
    "parse_message": "parsing",
    "PeopleDirectory": "people",
    "Sender": "people",
    "SenderKind": "people",
    "UnknownSender": "people",
    "link_sender": "people",
    "Caller": "phone",
    "callers": "phone",
    "choose_caller": "phone",
    "ReadMessage": "reading",
    "read_message": "reading",
    "VisibleText": "reply_text",
    "visible_text": "reply_text",
    "NamedTickets": "threads",
    "Participants": "threads",
    "ThreadAction": "threads",
    "ThreadDecision": "threads",
    "decide_thread": "threads",
    "named_tickets": "threads",
    "FormDecision": "web_form",
    "WebForm": "web_form",
    "decide_form": "web_form",
    "read_form": "web_form",
}
"""Each public name and the module of the package defining it."""

__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "DEFAULT_FALLBACK_CHARSETS",
    "LOOP_HEADER",
    "Attachment",
    "Caller",
    "Classification",
    "DeliveryReport",
    "FormDecision",
    "IncomingMessage",
    "Kind",
    "Mailbox",
    "NamedTickets",
    "Participants",
    "PeopleDirectory",
    "ReadMessage",
    "Sender",
    "SenderKind",
    "ThreadAction",
    "ThreadDecision",
    "UnknownSender",
    "VisibleText",
    "WebForm",
    "callers",
    "choose_caller",
    "classify",
    "decide_form",
    "decide_thread",
    "decode_text",
    "link_sender",
    "named_tickets",
    "parse_message",
    "read_form",
    "read_message",
    "sanitise_name",
    "visible_text",
]
