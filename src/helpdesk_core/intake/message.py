"""An incoming e-mail message as intake reads it: immutable values, every
field derived from :attr:`IncomingMessage.raw`, which is always kept so that a
better parser can recompute them later. Built by
:func:`helpdesk_core.intake.parsing.parse_message`; see ``docs/intake.md``."""

from __future__ import annotations

from datetime import datetime

import attrs


@attrs.frozen
class Mailbox:
    """One address of a header: ``address`` in lower case (``""`` when the
    header named nobody usable), ``name`` the decoded display name or ``""``."""

    address: str
    name: str = ""

    @property
    def domain(self) -> str:
        """The part after the last ``@`` (``""`` without one)."""
        return self.address.rpartition("@")[2] if "@" in self.address else ""


@attrs.frozen
class Attachment:
    """A file carried by the message.

    ``name`` is the sanitised file name (no path separator, no control
    character; RFC 2231 and encoded-word names decoded) or ``None`` when the
    part names no usable file; :attr:`file_name` always gives one. ``size``
    counts the decoded bytes. ``inline`` is true for parts shown inside the
    text (``Content-Disposition: inline`` or a ``Content-ID`` in a
    ``multipart/related``). ``within`` is the name of the attached message
    (``message/rfc822``) that holds this part, ``None`` for the message's own
    parts.
    """

    name: str | None
    content_type: str
    size: int
    sha256: str
    inline: bool = False
    content_id: str | None = None
    within: str | None = None
    content: bytes = attrs.field(default=b"", repr=False)
    position: int = 0
    """The part's place among the message's attachments (1-based)."""

    @property
    def file_name(self) -> str:
        """``name``, or one made from the position and content type."""
        if self.name:
            return self.name
        extension = _EXTENSIONS.get(self.content_type, ".bin")
        return f"attachment-{self.position}{extension}"


_EXTENSIONS = {
    "message/rfc822": ".eml",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "text/rfc822-headers": ".txt",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
    "application/ms-tnef": ".dat",
}


@attrs.frozen
class DeliveryReport:
    """One recipient's block of an RFC 3464 ``message/delivery-status`` part:
    ``recipient`` is the Final-Recipient's address (lower case), ``action``
    ``failed``, ``delayed``, ``delivered``, ``relayed`` or ``expanded``."""

    recipient: str
    action: str = ""
    status: str = ""
    original_recipient: str = ""
    diagnostic: str = ""


@attrs.frozen
class IncomingMessage:
    """One parsed e-mail message.

    ``text`` is the plain-text body (text/plain parts in MIME order, line ends
    as ``\\n``), ``html_text`` the HTML body converted to readable text; either
    may be ``None``. :attr:`body` is what a person reads. ``headers`` holds
    every top-level header, decoded, in order. ``defects`` says in words what
    could not be parsed cleanly. ``raw`` is the message exactly as received.
    """

    raw: bytes = attrs.field(repr=False)
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    from_: Mailbox | None = None
    to: tuple[Mailbox, ...] = ()
    cc: tuple[Mailbox, ...] = ()
    reply_to: tuple[Mailbox, ...] = ()
    date: datetime | None = None
    subject: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "text/plain"
    text: str | None = None
    html_text: str | None = None
    attachments: tuple[Attachment, ...] = ()
    delivery_reports: tuple[DeliveryReport, ...] = ()
    report_type: str | None = None
    defects: tuple[str, ...] = ()

    @property
    def body(self) -> str:
        """The text a person reads: ``text`` when it says anything, else
        ``html_text``, else ``""``."""
        if self.text and self.text.strip():
            return self.text
        return self.html_text or self.text or ""

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (any case), decoded, or ``None``."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def header_values(self, name: str) -> tuple[str, ...]:
        """Every header called ``name`` (any case), decoded, in order."""
        wanted = name.lower()
        return tuple(value for key, value in self.headers if key.lower() == wanted)


__all__ = ["Attachment", "DeliveryReport", "IncomingMessage", "Mailbox"]
