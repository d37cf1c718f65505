"""Header values of real mail to text: unfolded, RFC 2047 encoded words
decoded under any charset label (:mod:`.charsets`), raw 8-bit bytes read as
UTF-8 or a fallback, addresses and message ids picked out. Nothing here
raises on bad input; what had to be guessed comes back as a defect."""

from __future__ import annotations

import binascii
import email.utils
import re
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header

from helpdesk_core.intake.charsets import DEFAULT_FALLBACK_CHARSETS, decode_text
from helpdesk_core.intake.message import Mailbox

_FOLD = re.compile(r"\r\n|\r|\n")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_WHITESPACE = re.compile(r"\s+")


_SURROGATE = re.compile("[\udc80-\udcff]")


def _has_surrogates(value: str) -> bool:
    return _SURROGATE.search(value) is not None


def header_text(
    raw: str, *, name: str = "header", fallbacks: tuple[str, ...] = DEFAULT_FALLBACK_CHARSETS
) -> tuple[str, list[str]]:
    """A raw header value (as the parser keeps it: 8-bit bytes as surrogate
    escapes) as text, and the defects met decoding it."""
    defects: list[str] = []
    value = _FOLD.sub("", raw)
    if _has_surrogates(value):
        text, defect = decode_text(
            value.encode("ascii", "surrogateescape"), None, fallbacks=fallbacks, what=f"{name} header"
        )
        value = text
        if defect:
            defects.append(defect)
    if "=?" in value:
        value = _decode_encoded_words(value, name, fallbacks, defects)
    return value, defects


def _decode_encoded_words(value: str, name: str, fallbacks: tuple[str, ...], defects: list[str]) -> str:
    try:
        chunks = decode_header(value)
    except (HeaderParseError, binascii.Error, ValueError, IndexError) as error:
        defects.append(f"{name} header has a broken encoded word ({error}); kept as written")
        return value
    pieces: list[str] = []
    last_encoded = False
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            text, encoded = chunk, False
        elif charset is None or charset == "unknown-8bit":
            text, _ = decode_text(chunk, None, fallbacks=fallbacks)
            encoded = False
        else:
            text, defect = decode_text(chunk, charset, fallbacks=fallbacks, what=f"{name} header")
            encoded = True
            if defect:
                defects.append(defect)
        # As email.header.make_header does: a space between an encoded word
        # and plain text unless one is already there.
        if (
            pieces
            and encoded != last_encoded
            and text
            and not pieces[-1][-1:].isspace()
            and not text[0].isspace()
        ):
            pieces.append(" ")
        pieces.append(text)
        last_encoded = encoded
    return "".join(pieces)


def collapse(text: str) -> str:
    """Runs of whitespace as one space, none at either end."""
    return _WHITESPACE.sub(" ", text).strip()


def mailboxes(
    raw_values: list[str], *, name: str, fallbacks: tuple[str, ...] = DEFAULT_FALLBACK_CHARSETS
) -> tuple[tuple[Mailbox, ...], list[str]]:
    """The addresses of one or more raw address headers (``From``, ``To``…),
    addresses in lower case and display names decoded; entries without an
    address are dropped."""
    defects: list[str] = []
    unfolded: list[str] = []
    for raw in raw_values:
        value = _FOLD.sub("", raw)
        if _has_surrogates(value):
            value, defect = decode_text(value.encode("ascii", "surrogateescape"), None, fallbacks=fallbacks)
            if defect:
                defects.append(f"{name}: {defect}")
        unfolded.append(value)
    found: list[Mailbox] = []
    try:
        pairs = email.utils.getaddresses(unfolded)
    except Exception as error:  # the stdlib's address parser on hostile input
        defects.append(f"{name} header cannot be parsed ({error})")
        pairs = []
    for display, address in pairs:
        address = address.strip().strip("<>").strip()
        if "@" not in address or " " in address:
            continue
        display_text, display_defects = header_text(display, name=name, fallbacks=fallbacks)
        defects.extend(display_defects)
        found.append(Mailbox(address=address.lower(), name=collapse(display_text)))
    if not found and any(value.strip() for value in unfolded):
        defects.append(f"{name} header names no usable address: {collapse(' '.join(unfolded))[:200]!r}")
    return tuple(found), defects


def message_ids(raw: str | None) -> tuple[str, ...]:
    """The ``<…>`` message ids in a ``Message-ID``, ``In-Reply-To`` or
    ``References`` value, in order; a bare id is given its brackets."""
    if raw is None:
        return ()
    value = _FOLD.sub(" ", raw)
    found = _MESSAGE_ID.findall(value)
    if found:
        return tuple(found)
    bare = value.strip()
    if bare and " " not in bare:
        return (f"<{bare}>",)
    return ()


def header_date(raw: str | None) -> tuple[datetime | None, list[str]]:
    """The ``Date`` header as an aware datetime (UTC when it gives no zone)."""
    if raw is None or not raw.strip():
        return None, []
    value = collapse(_FOLD.sub(" ", raw))
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None, [f"Date header is not a date: {value[:100]!r}"]
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed, []


__all__ = ["collapse", "header_date", "header_text", "mailboxes", "message_ids"]
