"""``read_message`` over the 200 messages of ``../shared/intake-corpus``: it
never raises and gives exactly what ``parse_message``, ``classify`` and
``visible_text`` give when called one by one with the same settings."""

from __future__ import annotations

import pytest

from helpdesk_core.config import IntakeSettings
from helpdesk_core.intake import classify, parse_message, read_message, visible_text
from intake_corpus import MESSAGES as CORPUS_MESSAGES
from intake_corpus import needs_corpus

MESSAGES = sorted(CORPUS_MESSAGES.glob("*.eml"))

pytestmark = needs_corpus

SETTINGS = {
    "defaults": IntakeSettings(),
    "a configured desk": IntakeSettings(
        addresses=("support@example.com", "help@example.org"),
        fallback_charsets=("utf-8", "koi8-r", "cp1250"),
        cut_signature=False,
    ),
}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_read_message_agrees_with_the_three_calls_on_every_message(name: str) -> None:
    settings = SETTINGS[name]
    assert settings.message_id_domain == (None if name == "defaults" else "example.com")
    for path in MESSAGES:
        raw = path.read_bytes()
        read = read_message(raw, settings)
        message = parse_message(raw, fallback_charsets=settings.fallback_charsets)
        assert read.message == message, path.name
        assert read.message.raw == raw, path.name
        assert read.classification == classify(
            message, own_addresses=settings.addresses, own_message_id_domain=settings.message_id_domain
        ), path.name
        assert read.visible == visible_text(message.body, cut_signature=settings.cut_signature), path.name
        assert read.visible_text == read.visible.text
