"""The e-mail keys of ``[intake]`` and ``read_message``, which reads a message
the way they say."""

from __future__ import annotations

import pytest

from helpdesk_core.config import IntakeSettings, parse_configuration
from helpdesk_core.errors import ConfigError
from helpdesk_core.intake import DEFAULT_FALLBACK_CHARSETS, ReadMessage, read_message


def settings(toml: str) -> IntakeSettings:
    return parse_configuration("[intake]\n" + toml).intake


def test_the_email_keys_and_their_defaults() -> None:
    default = parse_configuration("").intake
    assert default.addresses == ()
    assert default.main_address is None
    assert default.message_id_domain is None
    assert default.fallback_charsets == DEFAULT_FALLBACK_CHARSETS
    assert default.cut_signature is True
    given = settings(
        'addresses = ["Help@Example.COM", "billing@example.com"]\n'
        'fallback_charsets = ["utf-8", "koi8-r"]\ncut_signature = false\n'
    )
    assert given.addresses == ("help@example.com", "billing@example.com")
    assert given.main_address == "help@example.com"
    assert given.message_id_domain == "example.com"  # the domain of the first address
    assert given.fallback_charsets == ("utf-8", "koi8-r")
    assert given.cut_signature is False
    assert settings(
        'addresses = ["help@example.com"]\nmessage_id_domain = "Mail.Example.com"\n'
    ).message_id_domain == ("mail.example.com")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('addresses = "help@example.com"\n', "intake.addresses: expected a list of e-mail addresses"),
        (
            'addresses = ["help@example.com", "help"]\n',
            "intake.addresses[2]: 'help' is not an e-mail address",
        ),
        ("addresses = [7]\n", "intake.addresses[1]: 7 is not an e-mail address"),
        (
            'addresses = ["a@example.com", "A@example.com"]\n',
            "intake.addresses[2]: 'a@example.com' is listed twice",
        ),
        ('message_id_domain = "localhost"\n', "intake.message_id_domain: 'localhost' is not a mail domain"),
        ("message_id_domain = 1\n", "intake.message_id_domain: 1 is not a mail domain"),
        ('fallback_charsets = "utf-8"\n', "intake.fallback_charsets: expected a list of charset names"),
        (
            'fallback_charsets = ["utf-8", "klingon"]\n',
            "intake.fallback_charsets[2]: 'klingon' is not a text charset",
        ),
        ('fallback_charsets = ["base64"]\n', "intake.fallback_charsets[1]: 'base64' is not a text charset"),
        ('fallback_charsets = ["utf-8\\u0000"]\n', "intake.fallback_charsets[1]: 'utf-8\\x00' is not a text"),
        ("fallback_charsets = [8]\n", "intake.fallback_charsets[1]: expected a charset name, got 8"),
        ('cut_signature = "no"\n', "intake.cut_signature: expected true or false, got 'no'"),
        ('adresses = ["help@example.com"]\n', "intake.adresses: unknown key"),
    ],
)
def test_email_key_errors_name_the_key(toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_configuration("[intake]\n" + toml, source="helpdesk.toml")
    assert str(caught.value).startswith(f"helpdesk.toml: {message}")


OWN_MAIL_BACK = (
    b"From: Help Desk <help@example.com>\r\n"
    b"To: help@example.com\r\n"
    b"Subject: [T-1001] Your request\r\n"
    b"Message-ID: <t1001.abc@example.com>\r\n\r\n"
    b"We have received your request.\r\n"
)


def test_read_message_knows_our_own_mail_by_the_configured_addresses() -> None:
    read = read_message(OWN_MAIL_BACK, settings('addresses = ["help@example.com"]\n'))
    assert isinstance(read, ReadMessage)
    assert read.classification.kind == "loop"
    assert read_message(OWN_MAIL_BACK, parse_configuration("").intake).classification.kind == "human"


KOI8_UNDECLARED = b"From: ivan@example.ru\r\nSubject: boiler\r\n\r\n" + "Котёл не работает.\r\n".encode(
    "koi8-r"
)


def test_read_message_uses_the_configured_fallback_charsets() -> None:
    read = read_message(KOI8_UNDECLARED, settings('fallback_charsets = ["utf-8", "koi8-r"]\n'))
    assert read.visible_text == "Котёл не работает."
    assert read_message(KOI8_UNDECLARED, parse_configuration("").intake).visible_text != "Котёл не работает."


SIGNED = b"From: zdenka@example.com\r\nSubject: boiler\r\n\r\nIt does not heat.\r\n\r\n-- \r\nZdenka Novak\r\n+420 601 123 456\r\n"


def test_read_message_cuts_the_signature_as_configured() -> None:
    assert read_message(SIGNED, parse_configuration("").intake).visible_text == "It does not heat."
    kept = read_message(SIGNED, settings("cut_signature = false\n"))
    assert kept.visible_text.endswith("+420 601 123 456")
    assert kept.message.raw == SIGNED
