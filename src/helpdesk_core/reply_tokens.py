"""Signed reply tokens: how a reply to the desk's mail finds its ticket.

Every message the desk sends about a ticket carries a **reply token**: the
ticket, a short tag of the recipient's address and an HMAC of both under the
desk's secret reply key. The token stands in three places a reply keeps:

- the ``Message-ID`` (``<TOKEN.UNIQUE@domain>``), which mail clients copy into
  the reply's ``In-Reply-To`` and ``References``;
- a plus address (``support+TOKEN@desk.example``) used as ``Reply-To``;
- and, in words a person reads, the subject tag ``[T-1001]`` — which carries
  no signature, so intake accepts it only from a participant of the ticket
  (see :mod:`helpdesk_core.intake.threads`).

A token cannot be forged without the key (a stranger writing ``[T-401]`` gets
nowhere), says whom it was issued to (a reply from another address is a
forwarded thread, not the recipient), and survives servers that lower-case
addresses: the ticket is written in lower-case base32, the rest is lower-case
already. Pure: the key is given by the caller (the store setting
:data:`KEY_SETTING` holds it, made once by the shell).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from typing import Final

import attrs

KEY_SETTING: Final = "mail.reply_key"
"""The store setting holding the desk's reply key (hex), made on first use."""

_TOKEN = re.compile(r"hd1\.([a-z2-7]+)\.([0-9a-f]{8})\.([a-z2-7]{16})", re.IGNORECASE)
_TAG_BYTES = 4
_MAC_CHARS = 16


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def _unb32(text: str) -> bytes:
    text = text.upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def recipient_tag(address: str) -> str:
    """The short tag of a recipient's address (case-insensitive)."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()[: 2 * _TAG_BYTES]


def _mac(key: bytes, ticket: str, tag: str) -> str:
    digest = hmac.new(key, f"{ticket}\x00{tag}".encode(), hashlib.sha256).digest()
    return _b32(digest)[:_MAC_CHARS]


@attrs.frozen
class ReplyToken:
    """A reply token as found in a message: ``ticket``, the ``recipient``
    tag it was issued for and its ``mac``. Found tokens are not yet trusted:
    :meth:`genuine` checks the signature."""

    ticket: str
    recipient: str
    mac: str

    @property
    def text(self) -> str:
        """The token as written into a Message-ID or a plus address."""
        return f"hd1.{_b32(self.ticket.encode('utf-8'))}.{self.recipient}.{self.mac}"

    def genuine(self, key: bytes) -> bool:
        """Whether the desk holding ``key`` issued this token."""
        return hmac.compare_digest(self.mac, _mac(key, self.ticket, self.recipient))

    def issued_to(self, address: str) -> bool:
        """Whether the token was issued to ``address`` (case-insensitive)."""
        return hmac.compare_digest(self.recipient, recipient_tag(address))


def issue_token(key: bytes, ticket: str, recipient: str) -> ReplyToken:
    """The token of mail about ``ticket`` sent to ``recipient``."""
    if not key:
        raise ValueError("reply key: expected a non-empty secret")
    tag = recipient_tag(recipient)
    return ReplyToken(ticket=ticket, recipient=tag, mac=_mac(key, ticket, tag))


def message_id(token: ReplyToken, *, unique: str, domain: str) -> str:
    """``<TOKEN.UNIQUE@domain>``; ``unique`` tells messages of one token apart
    (e.g. the out-box position: the same notice sent twice keeps its id, so a
    client folds the duplicate)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", unique):
        raise ValueError(f"message id: unique part {unique!r} may hold only letters, digits, '-' and '_'")
    return f"<{token.text}.{unique}@{domain}>"


def plus_address(mailbox: str, token: ReplyToken) -> str:
    """``support@desk.example`` → ``support+TOKEN@desk.example``."""
    local, at, domain = mailbox.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"plus address: {mailbox!r} is not an address")
    return f"{local}+{token.text}@{domain}"


def tokens_in(texts: Iterable[str]) -> tuple[ReplyToken, ...]:
    """Every token written in ``texts`` (Message-IDs, addresses), in order,
    each once; neither the signature nor the ticket is checked here."""
    found: dict[ReplyToken, None] = {}
    for text in texts:
        for match in _TOKEN.finditer(text or ""):
            try:
                ticket = _unb32(match.group(1)).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                continue
            token = ReplyToken(ticket=ticket, recipient=match.group(2).lower(), mac=match.group(3).lower())
            found.setdefault(token, None)
    return tuple(found)


def subject_tag(ticket: str) -> str:
    """The tag a person reads in the subject: ``[T-1001]``."""
    return f"[{ticket}]"


def tagged_subject(subject: str, ticket: str) -> str:
    """``subject`` with the ticket's tag in front, unless it holds it already."""
    tag = subject_tag(ticket)
    return subject if tag in subject else f"{tag} {subject}".rstrip()


def tags_in_subject(subject: str, ticket_ids: str = "T-{n}") -> tuple[str, ...]:
    """The ticket ids tagged in ``subject`` — ``[T-1001]``, also ``[#T-1001]``
    as other desks write it — for ids of the pattern ``ticket_ids`` (``{n}``
    the number; ``[desk] ticket_ids`` of the configuration), each once."""
    prefix, _, suffix = ticket_ids.partition("{n}")
    pattern = re.compile(
        r"\[#?\s*(" + re.escape(prefix) + r"\d+" + re.escape(suffix) + r")\s*\]", re.IGNORECASE
    )
    found: dict[str, None] = {}
    for match in pattern.finditer(subject or ""):
        number = match.group(1)[len(prefix) : len(match.group(1)) - len(suffix) or None]
        found.setdefault(f"{prefix}{int(number)}{suffix}", None)
    return tuple(found)


__all__ = [
    "KEY_SETTING",
    "ReplyToken",
    "issue_token",
    "message_id",
    "plus_address",
    "recipient_tag",
    "subject_tag",
    "tagged_subject",
    "tags_in_subject",
    "tokens_in",
]
