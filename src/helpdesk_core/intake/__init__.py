"""Intake: e-mail messages read and classified, purely.

``parse_message(raw)`` turns the bytes of a message into an immutable
:class:`IncomingMessage` (never raising: what cannot be parsed is listed in
its ``defects``, and ``raw`` is always kept); ``classify(message, …)`` says
whether it is a person writing, an automatic reply, a bounce (with the failed
recipients), mailing-list traffic, or our own mail coming back, and why. See
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
}
"""Each public name and the module of the package defining it."""

__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "DEFAULT_FALLBACK_CHARSETS",
    "LOOP_HEADER",
    "Attachment",
    "Classification",
    "DeliveryReport",
    "IncomingMessage",
    "Kind",
    "Mailbox",
    "classify",
    "decode_text",
    "parse_message",
    "sanitise_name",
]
