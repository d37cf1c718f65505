"""Bounces that are not RFC 3464 reports: recognised by who sends them and
what they say, with the failed recipients read from their text.

Mail servers have written delivery failures in prose for decades: qmail ("I'm
afraid I wasn't able to deliver your message"), Exim ("The following
address(es) failed"), Postfix ("This is the mail system at host"), Exchange
("Delivery has failed to these recipients", "did not reach the following
recipient(s)"), Gmail ("Delivery to the following recipient failed
permanently"), Yahoo, Lotus Domino, MDaemon… Only the part of the text
before the copy of the returned message is read, so the original's own
addresses are not taken for failed ones.
"""

from __future__ import annotations

import re

from helpdesk_core.intake.message import IncomingMessage

_ADDRESS = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_ADDRESS_RE = re.compile(_ADDRESS)

_DAEMON_LOCAL_PARTS = re.compile(r"^(mailer-daemon|mail-daemon|postmaster|mdaemon)$", re.IGNORECASE)

BOUNCE_SUBJECTS = re.compile(
    r"undeliver|undelivered mail|returned mail|return(ed)? to sender|delivery (status notification|failure|"
    r"failed|has failed|notification)|mail delivery (failed|failure|system|subsystem)|failure notice|"
    r"could not (be )?deliver|not delivered|non[- ]?delivery|delivery problem|message delayed|"
    r"delayed mail|warning: could not send|mail system error|permanent delivery failure|nameserver error|"
    r"mail could not be delivered|\bdelayed\b|unzustellbar|nicht zustellbar|non remis|non recapitabile|"
    r"no entregado|"
    r"nedoručitelné|nie dostarczono|недоставлен|не доставлено|メールエラー|配信エラー|delivery failure",
    re.IGNORECASE,
)
"""Subjects of bounces in the languages met in real mail."""

BOUNCE_PHRASES = re.compile(
    r"I'm afraid I wasn't able to deliver|I'm sorry to have to inform you that your message could not|"
    r"following address(\(es\)|es)? failed|This is the mail system at host|"
    r"Delivery to the following recipients? failed|Delivery has failed to these recipients|"
    r"did not reach the following recipient|could not be delivered to one or more|"
    r"Your message (wasn't|was not|couldn't be|could not be) delivered|Message not delivered to|"
    r"Unable to deliver message to the following|fatal delivery errors|were unable to deliver your message|"
    r"The following recipients? (did not receive|could not be reached|cannot be reached)|"
    r"Could not be delivered to|The original message was received at|"
    r"(message|mail) (could not|cannot) be delivered|has not yet been delivered|"
    r"nicht zugestellt werden|konnte nicht zugestellt|не может быть доставлено|无法发送|无法送达|"
    r"送信できませんでした|配信できませんでした|permanent (fatal )?(delivery )?error|"
    r"Delivery Status Notification",
    re.IGNORECASE,
)
"""Sentences only delivery failures write."""

_COPY_MARKERS = re.compile(
    r"^\s*(-{2,}|={2,}|\*{2,}|_{2,})?\s*("
    r"this is a copy of the message|below this line is a copy|original message follows|"
    r"the header of the original message|original message|returned message|undelivered message|"
    r"message headers follow|copy of the original|original message headers"
    r").*$|^\s*---+ ?Session Transcript",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_LINE = re.compile(
    r"^(Return-Path|Received|DKIM-Signature|X-Track|Message-ID):", re.IGNORECASE | re.MULTILINE
)

_LEADING_ADDRESS = re.compile(
    rf"^[\s>*]*(?:<(?P<bracketed>{_ADDRESS})>|\"(?P<quoted>{_ADDRESS})\"|"
    rf"(?:rfc822;\s*)?(?P<bare>{_ADDRESS})(?=\s*$|\s*[:;(]|\s+on\s))",
    re.MULTILINE,
)
"""An address opening a line: Exim, Gmail, Yahoo, qmail and Postfix list the
failed recipients so (``  a@b``, ``<a@b>:``, ``"a@b":``, ``a@b on <date>``)."""
_SAID_ADDRESS = re.compile(
    rf"(?:delivered to|deliver(?:y)? to|failed to|recipient|addressee|unknown user|user unknown|"
    rf"SMTP=|wasn't delivered to|not delivered to|Your message to|following address:?)"
    rf"[:\s]*<?(?P<address>{_ADDRESS})>?",
    re.IGNORECASE,
)


def diagnostic_text(text: str) -> str:
    """The part of a bounce's text before the returned message."""
    cut = len(text)
    for pattern in (_COPY_MARKERS, _HEADER_LINE):
        match = pattern.search(text)
        if match and match.start() > 0:
            cut = min(cut, match.start())
    return text[:cut]


def from_bounce_daemon(message: IncomingMessage) -> bool:
    """The sender is a mail system (``MAILER-DAEMON``, ``postmaster``…)."""
    sender = message.from_
    if sender is None:
        return False
    local = sender.address.partition("@")[0]
    return bool(_DAEMON_LOCAL_PARTS.match(local)) or "mail delivery" in sender.name.lower()


def failed_recipients(message: IncomingMessage) -> tuple[str, ...]:
    """The recipients a prose bounce names as failed, lower case, in order;
    the bounce's own sender and mail-system addresses are left out."""
    found: list[str] = []
    for header in message.header_values("X-Failed-Recipients"):
        found.extend(_ADDRESS_RE.findall(header))
    region = diagnostic_text(message.body)
    if not found:
        for match in _LEADING_ADDRESS.finditer(region):
            found.append(match.group("bracketed") or match.group("quoted") or match.group("bare"))
        found.extend(match.group("address") for match in _SAID_ADDRESS.finditer(region))
    ignored = {message.from_.address} if message.from_ else set()
    result: list[str] = []
    for address in found:
        address = address.strip(".").lower()
        local = address.partition("@")[0]
        if address in ignored or _DAEMON_LOCAL_PARTS.match(local) or address in result:
            continue
        result.append(address)
    return tuple(result)


__all__ = [
    "BOUNCE_PHRASES",
    "BOUNCE_SUBJECTS",
    "diagnostic_text",
    "failed_recipients",
    "from_bounce_daemon",
]
