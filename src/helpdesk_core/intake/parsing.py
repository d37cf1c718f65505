"""Raw bytes of an e-mail message to an :class:`IncomingMessage`.

:func:`parse_message` never raises: the standard library's ``email`` package
splits the MIME structure (under ``compat32``: ``policy.default`` builds a
header object for every header it looks at, which doubles the time and can
raise on broken headers — docs/intake.md has the figures), every header is
decoded from its raw value by :mod:`.headers`, and whatever still fails
becomes a defect in words, with the raw message kept and, at worst, shown as
text. See ``docs/intake.md`` for which parts become the text, the HTML text
and the attachments.
"""

from __future__ import annotations

import binascii
import email.message
import email.parser
import email.utils
import hashlib
import io
import re
from collections.abc import Callable
from email import policy
from email.generator import BytesGenerator
from typing import TypeVar

import attrs

from helpdesk_core.intake.attachment_names import sanitise_name
from helpdesk_core.intake.charsets import DEFAULT_FALLBACK_CHARSETS, decode_text
from helpdesk_core.intake.delivery_status import delivery_reports
from helpdesk_core.intake.headers import collapse, header_date, header_text, mailboxes, message_ids
from helpdesk_core.intake.html_body import html_to_text
from helpdesk_core.intake.message import Attachment, DeliveryReport, IncomingMessage, Mailbox

_T = TypeVar("_T")
_Message = email.message.Message

_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n|$)")
_PLAUSIBLE_HEADER = re.compile(rb"[A-Za-z0-9][A-Za-z0-9_.-]*[ \t]*:")
"""A header line as mail programs write them (the standard library's parser
takes more: ``h=mime-version:…`` of a DKIM signature that lost its indent)."""
_MAX_DEPTH = 40


def parse_message(
    raw: bytes, *, fallback_charsets: tuple[str, ...] = DEFAULT_FALLBACK_CHARSETS
) -> IncomingMessage:
    """``raw`` read as an e-mail message. ``fallback_charsets`` are tried, in
    order, for text that declares no charset or a wrong one (then Latin-1).
    Never raises; see the module's docstring."""
    raw = bytes(raw)
    try:
        return _Reader(raw, fallback_charsets).read()
    except Exception as error:  # the last resort: the bytes as text, for a person to read
        text, _ = decode_text(raw, None, fallbacks=fallback_charsets)
        return IncomingMessage(
            raw=raw,
            text=_lines(text),
            defects=(f"the message cannot be parsed ({type(error).__name__}: {error}); shown as raw text",),
        )


def repair_header_block(raw: bytes) -> tuple[bytes, list[str]]:
    """Continuation lines that lost their leading whitespace (news gateways,
    hand-edited mail) folded back into the header above them, when a real
    header still follows before the blank line; without this the parser
    would end the headers early and lose ``Subject`` and ``From``."""
    lines = _LINE.findall(raw[:65536])
    end = next((index for index, line in enumerate(lines) if not line.strip(b"\r\n")), None)
    if end is None or end < 2:
        return raw, []
    block = lines[:end]
    header_rows = [bool(_PLAUSIBLE_HEADER.match(line)) for line in block]
    broken = [
        index
        for index, line in enumerate(block)
        if index > 0
        and not header_rows[index]
        and line[:1] not in (b" ", b"\t")
        and any(header_rows[index + 1 :])
    ]
    if not broken:
        return raw, []
    consumed = sum(len(line) for line in block)
    for index in broken:
        block[index] = b" " + block[index]
    repaired = b"".join(block) + raw[consumed:]
    return repaired, [
        f"header lines {', '.join(str(index + 1) for index in broken[:10])} are not headers; "
        "read as continuations of the header above"
    ]


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _safely(part: _Message, read: Callable[[_Message], _T], default: _T) -> _T:
    """``read(part)``, or ``default`` when the part's headers defeat it."""
    try:
        return read(part)
    except Exception:
        return default


def _content_type(part: _Message) -> str:
    return _safely(part, lambda p: p.get_content_type(), "text/plain")


def _param(part: _Message, name: str, header: str = "content-type") -> str | None:
    """Parameter ``name`` of ``header``, RFC 2231 decoded, read the lenient
    ``compat32`` way (unquoted values with spaces or ``/`` kept whole) from
    the header as text (raw 8-bit bytes read as UTF-8 or a fallback)."""
    raw = _safely(part, lambda p: _raw_header(p, header), None)
    if raw is None:
        return None
    view = email.message.Message(policy=policy.compat32)
    view[header] = raw
    try:
        value = view.get_param(name, None, header)
        if value is None:
            return None
        return email.utils.collapse_rfc2231_value(value)
    except Exception:
        return None


def _raw_header(part: _Message, header: str) -> str | None:
    for key, value in part.raw_items():
        if key.lower() == header:
            text = str(value)
            if any("\udc80" <= char <= "\udcff" for char in text):
                text, _ = decode_text(text.encode("ascii", "surrogateescape"), None)
            return text
    return None


def _lenient_base64(encoded: bytes) -> tuple[bytes, str | None]:
    """Base64 as mail clients write it: characters outside the alphabet
    skipped, a missing padding added, a stray last character dropped."""
    cleaned = re.sub(
        rb"[^A-Za-z0-9+/]", b"", encoded.split(b"=", 1)[0] if b"=" in encoded.rstrip(b"=\r\n \t") else encoded
    )
    problems = []
    if re.search(rb"[^A-Za-z0-9+/=\s]", encoded):
        problems.append("characters outside base64")
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]
        problems.append("a truncated last group")
    cleaned += b"=" * (-len(cleaned) % 4)
    try:
        data = binascii.a2b_base64(cleaned)
    except binascii.Error as error:
        return encoded, f"base64 cannot be decoded ({error}); kept as sent"
    return data, (f"base64 with {' and '.join(problems)}; decoded what was readable" if problems else None)


@attrs.define
class _Collected:
    texts: list[str] = attrs.Factory(list)
    htmls: list[str] = attrs.Factory(list)
    named_texts: list[str] = attrs.Factory(list)
    attachments: list[Attachment] = attrs.Factory(list)
    reports: list[DeliveryReport] = attrs.Factory(list)
    report_type: str | None = None
    defects: list[str] = attrs.Factory(list)


class _Reader:
    def __init__(self, raw: bytes, fallbacks: tuple[str, ...]) -> None:
        self.raw = raw
        self.fallbacks = fallbacks
        self.header_fallbacks = fallbacks
        self.collected = _Collected()
        self.part_number = 0

    def read(self) -> IncomingMessage:
        repaired, defects = repair_header_block(self.raw)
        self.collected.defects.extend(defects)
        message = email.parser.BytesParser(policy=policy.compat32).parsebytes(repaired)
        body_charset = _safely(message, _first_text_charset, None)
        if body_charset and body_charset.lower() not in ("us-ascii", "ascii"):
            # Raw 8-bit headers are most likely in the charset the body declares.
            self.header_fallbacks = tuple(dict.fromkeys(("utf-8", body_charset, *self.fallbacks)))
        headers = self._headers(message)
        self._walk(message, within=None, depth=0, alternative=None)
        return self._message(message, headers)

    # -- headers -------------------------------------------------------------

    def _headers(self, message: _Message) -> list[tuple[str, str, str]]:
        """(name, raw value, decoded value) of every top-level header."""
        rows = []
        for name, value in message.raw_items():
            raw_value = value if isinstance(value, str) else str(value)
            text, defects = header_text(raw_value, name=name, fallbacks=self.header_fallbacks)
            self.collected.defects.extend(defects)
            rows.append((name, raw_value, text))
        return rows

    def _message(self, message: _Message, headers: list[tuple[str, str, str]]) -> IncomingMessage:
        def raw_values(name: str) -> list[str]:
            return [raw for key, raw, _ in headers if key.lower() == name]

        def first(name: str) -> str | None:
            values = raw_values(name)
            return values[0] if values else None

        def addresses(name: str, label: str, only_first: bool = False) -> tuple[Mailbox, ...]:
            values = raw_values(name)
            found, defects = mailboxes(
                values[:1] if only_first else values, name=label, fallbacks=self.header_fallbacks
            )
            self.collected.defects.extend(defects)
            return found

        senders = addresses("from", "From", only_first=True)
        date, date_defects = header_date(first("date"))
        self.collected.defects.extend(date_defects)
        subject = next((text for key, _, text in headers if key.lower() == "subject"), "")
        collected = self.collected
        text = "\n".join(collected.texts) if collected.texts else None
        if text is None and collected.named_texts:
            text = collected.named_texts[0]
        html_text = None
        if collected.htmls:
            converted = []
            for markup in collected.htmls:
                readable, defect = html_to_text(markup)
                if defect and defect not in collected.defects:
                    collected.defects.append(defect)
                converted.append(readable)
            html_text = "\n\n".join(part for part in converted if part)
        message_id = message_ids(first("message-id"))
        in_reply_to = message_ids(first("in-reply-to"))
        return IncomingMessage(
            raw=self.raw,
            message_id=message_id[0] if message_id else None,
            in_reply_to=in_reply_to[0] if in_reply_to else None,
            references=message_ids(" ".join(raw_values("references"))),
            from_=senders[0] if senders else None,
            to=addresses("to", "To"),
            cc=addresses("cc", "Cc"),
            reply_to=addresses("reply-to", "Reply-To"),
            date=date,
            subject=collapse(subject),
            headers=tuple((name, collapse(value)) for name, _, value in headers),
            content_type=_content_type(message),
            text=text,
            html_text=html_text,
            attachments=tuple(collected.attachments),
            delivery_reports=tuple(collected.reports),
            report_type=collected.report_type,
            defects=tuple(dict.fromkeys(collected.defects)),
        )

    # -- the MIME tree ---------------------------------------------------------

    def _label(self, content_type: str) -> str:
        return "the message" if self.part_number <= 1 else f"part {self.part_number} ({content_type})"

    def _note_defects(self, part: _Message, content_type: str) -> None:
        for defect in getattr(part, "defects", ()):
            words = str(defect).strip() or (type(defect).__doc__ or type(defect).__name__).strip()
            described = (type(defect).__doc__ or "").strip().rstrip(".")
            if described and described not in words:
                words = f"{described}: {words}"
            self.collected.defects.append(f"{self._label(content_type)}: {words}")

    def _walk(
        self,
        part: _Message,
        *,
        within: str | None,
        depth: int,
        alternative: set[str] | None,
        related: bool = False,
    ) -> None:
        self.part_number += 1
        content_type = _content_type(part)
        self._note_defects(part, content_type)
        if depth > _MAX_DEPTH:
            self.collected.defects.append(f"{self._label(content_type)}: nested too deep; not read")
            return
        if content_type in ("message/rfc822", "message/global"):
            self._attached_message(part, content_type, within=within, depth=depth)
            return
        if content_type in ("message/delivery-status", "message/global-delivery-status"):
            if within is None:
                self.collected.reports.extend(_safely(part, delivery_reports, ()))
            return
        if part.is_multipart():
            self._walk_multipart(part, content_type, within=within, depth=depth)
            return
        if content_type.startswith("multipart/"):
            self.collected.defects.append(
                f"{self._label(content_type)}: a multipart without parts (its boundary is missing); "
                "read as text"
            )
            content_type = "text/plain"
        self._leaf(part, content_type, within=within, alternative=alternative, related=related)

    def _walk_multipart(self, part: _Message, content_type: str, *, within: str | None, depth: int) -> None:
        if content_type == "multipart/report" and within is None and self.collected.report_type is None:
            self.collected.report_type = (_param(part, "report-type") or "").lower() or None
        chosen: set[str] | None = set() if content_type == "multipart/alternative" else None
        related = content_type == "multipart/related"
        children = part.get_payload()
        if not isinstance(children, list):
            return
        for child in children:
            if not isinstance(child, email.message.Message):
                continue
            self._walk(child, within=within, depth=depth + 1, alternative=chosen, related=related)

    def _payload(self, part: _Message, content_type: str) -> bytes:
        encoding = str(_safely(part, lambda p: p.get("content-transfer-encoding", ""), "")).strip().lower()
        try:
            payload = part.get_payload()
        except ValueError:  # 8-bit text is decoded with its charset label here; one holding a NUL raises
            payload = None
        if encoding == "base64" and isinstance(payload, str):
            data, defect = _lenient_base64(payload.encode("ascii", "surrogateescape"))
            if defect:
                self.collected.defects.append(f"{self._label(content_type)}: {defect}")
            return data
        try:
            decoded: object = part.get_payload(decode=True)
        except Exception as error:
            self.collected.defects.append(
                f"{self._label(content_type)}: cannot be decoded ({error}); kept as sent"
            )
            decoded = None
        if isinstance(decoded, bytes):
            return decoded
        if isinstance(payload, str):
            return payload.encode("ascii", "surrogateescape")
        return b""

    def _name(self, part: _Message) -> str | None:
        raw_name = _param(part, "filename", "content-disposition") or _param(part, "name")
        if raw_name is None:
            return None
        name, defects = header_text(raw_name, name="file name", fallbacks=self.fallbacks)
        self.collected.defects.extend(defects)
        return sanitise_name(name)

    def _leaf(
        self,
        part: _Message,
        content_type: str,
        *,
        within: str | None,
        alternative: set[str] | None,
        related: bool = False,
    ) -> None:
        disposition = _disposition(part)
        if disposition is None and related and _safely(part, lambda p: p.get("content-id"), None):
            disposition = "inline"  # an image the HTML shows, whether or not it says so
        name = self._name(part)
        data = self._payload(part, content_type)
        is_body_type = content_type in ("text/plain", "text/html")
        if is_body_type and within is not None and name is None and disposition != "attachment":
            return  # the attached message's own text: read it by parsing that attachment
        if is_body_type and within is None and disposition != "attachment":
            charset = _param(part, "charset")
            text, defect = decode_text(
                data, charset, fallbacks=self.fallbacks, what=f"{self._label(content_type)} text"
            )
            if defect:
                self.collected.defects.append(defect)
            if name is None:
                if alternative is not None:
                    if content_type in alternative:
                        return
                    alternative.add(content_type)
                (self.collected.texts if content_type == "text/plain" else self.collected.htmls).append(
                    _lines(text)
                )
                return
            if content_type == "text/plain":
                self.collected.named_texts.append(_lines(text))
        if content_type in ("application/ms-tnef", "application/vnd.ms-tnef"):
            self.collected.defects.append(
                f"{self._label(content_type)}: a TNEF attachment ({name or 'winmail.dat'}) kept as it is; "
                "the files inside it are not unpacked"
            )
        self._attach(part, content_type, data, name, disposition=disposition, within=within)

    def _attach(
        self,
        part: _Message,
        content_type: str,
        data: bytes,
        name: str | None,
        *,
        disposition: str | None,
        within: str | None,
    ) -> Attachment:
        content_id = _safely(part, lambda p: p.get("content-id"), None)
        attachment = Attachment(
            name=name,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            inline=disposition == "inline",
            content_id=collapse(str(content_id)) if content_id else None,
            within=within,
            content=data,
            position=len(self.collected.attachments) + 1,
        )
        self.collected.attachments.append(attachment)
        return attachment

    def _attached_message(self, part: _Message, content_type: str, *, within: str | None, depth: int) -> None:
        payload = part.get_payload()
        nested = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(nested, email.message.Message):
            self._leaf(part, "application/octet-stream", within=within, alternative=None)
            return
        data = _message_bytes(nested)
        name = self._name(part)
        attachment = self._attach(
            part, content_type, data, name, disposition=_disposition(part), within=within
        )
        self._walk(nested, within=attachment.file_name, depth=depth + 1, alternative=None)


def _first_text_charset(message: _Message) -> str | None:
    """The charset the first text part declares (``None`` when none does)."""
    for index, part in enumerate(message.walk()):
        if index > 20:
            break
        if _content_type(part).startswith("text/"):
            return _param(part, "charset")
    return None


def _disposition(part: _Message) -> str | None:
    value = _safely(part, lambda p: p.get_content_disposition(), None)
    return value.lower() if isinstance(value, str) else None


def _message_bytes(message: _Message) -> bytes:
    buffer = io.BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=policy.compat32).flatten(message)
    except Exception:
        return str(message.get_payload()).encode("utf-8", "surrogateescape")
    return buffer.getvalue()


__all__ = ["parse_message", "repair_header_block"]
