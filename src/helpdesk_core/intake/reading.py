"""A message read the way the desk is configured to read it: parsed with the
configured fallback charsets, classified against the desk's own addresses and
Message-ID domain, and its visible text taken with the configured signature
choice — the derived fields next to the raw message, in one immutable value.

Pure: it does no I/O and never raises for any bytes (each of the three steps
never raises). Everything in it can be recomputed from ``message.raw`` when a
rule or a setting changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from helpdesk_core.intake.classification import Classification, classify
from helpdesk_core.intake.message import IncomingMessage
from helpdesk_core.intake.parsing import parse_message
from helpdesk_core.intake.reply_text import VisibleText, visible_text

if TYPE_CHECKING:
    from helpdesk_core.config import IntakeSettings


@attrs.frozen
class ReadMessage:
    """A message with what the desk derives from it: ``classification``
    (human, auto-reply, bounce, list, loop, and why) and ``visible`` (the
    reply without quoted history and, as configured, signature)."""

    message: IncomingMessage
    classification: Classification
    visible: VisibleText

    @property
    def visible_text(self) -> str:
        """The visible text itself."""
        return self.visible.text


def read_message(raw: bytes, settings: IntakeSettings) -> ReadMessage:
    """``raw`` read under ``settings`` (``[intake]``: ``fallback_charsets``,
    ``addresses``, ``message_id_domain``, ``cut_signature``)."""
    message = parse_message(raw, fallback_charsets=settings.fallback_charsets)
    classification = classify(
        message, own_addresses=settings.addresses, own_message_id_domain=settings.message_id_domain
    )
    visible = visible_text(message.body, cut_signature=settings.cut_signature)
    return ReadMessage(message=message, classification=classification, visible=visible)


__all__ = ["ReadMessage", "read_message"]
