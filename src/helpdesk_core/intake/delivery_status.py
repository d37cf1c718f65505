"""The per-recipient blocks of an RFC 3464 ``message/delivery-status`` part.

The standard library's parser splits such a part into one header block per
paragraph; a part it could not split (a broken or empty one) is read here
from its text. The first block describes the reporting MTA; each later block
with a ``Final-Recipient`` or ``Original-Recipient`` is one recipient.
"""

from __future__ import annotations

import email.message
import re

from helpdesk_core.intake.message import DeliveryReport

_ADDRESS = re.compile(r"[^\s<>;\"'(),:\[\]]+@[^\s<>;\"'(),:\[\]]+")
_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$")


def recipient_address(value: str) -> str:
    """The address of a ``Final-Recipient: rfc822; <a@b>`` value, lower case
    (``""`` when it holds none)."""
    _, _, address = value.rpartition(";") if ";" in value else ("", "", value)
    found = _ADDRESS.search(address) or _ADDRESS.search(value)
    return found.group(0).strip(".").lower() if found else ""


def _blocks_from_text(text: str) -> list[dict[str, str]]:
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
            current, last = {}, ""
            continue
        if line[:1] in " \t" and last:
            current[last] += " " + line.strip()
            continue
        match = _FIELD.match(line)
        if match:
            last = match.group(1).lower()
            current.setdefault(last, match.group(2).strip())
    if current:
        blocks.append(current)
    return blocks


def _blocks_from_part(part: email.message.Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = []
        for block in payload:
            if not isinstance(block, email.message.Message):
                continue
            fields: dict[str, str] = {}
            for name, value in block.raw_items():
                fields.setdefault(name.lower(), " ".join(str(value).split()))
            blocks.append(fields)
        # A paragraph that is not headers lands in a block's payload.
        return blocks
    data = part.get_payload(decode=True)
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(payload)
    return _blocks_from_text(text)


def delivery_reports(part: email.message.Message) -> tuple[DeliveryReport, ...]:
    """The recipients reported in ``part`` (a ``message/delivery-status``)."""
    reports = []
    for fields in _blocks_from_part(part):
        final = recipient_address(fields.get("final-recipient", ""))
        original = recipient_address(fields.get("original-recipient", ""))
        if not final and not original:
            continue
        reports.append(
            DeliveryReport(
                recipient=final or original,
                original_recipient=original,
                action=fields.get("action", "").split(" ")[0].lower(),
                status=fields.get("status", "").split(" ")[0],
                diagnostic=fields.get("diagnostic-code", ""),
            )
        )
    return tuple(reports)


__all__ = ["delivery_reports", "recipient_address"]
