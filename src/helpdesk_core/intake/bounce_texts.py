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

BOUNCE_SENDERS = re.compile(
    r"^(mailer-daemon|mail-daemon|mailerdaemon|postmaster|mdaemon|mail\.delivery\.system|mailer|"
    r"mail-delivery-subsystem|mail_delivery_system|bounce|bounces|nobody|no-reply)$",
    re.IGNORECASE,
)
"""Local parts of the addresses bounces come from (``MAILER-DAEMON@…``)."""

_DAEMON_LOCAL_PARTS = re.compile(r"^(mailer-daemon|mail-daemon|postmaster|mdaemon)$", re.IGNORECASE)

BOUNCE_SUBJECTS = re.compile(
    r"undeliver|undelivered mail|returned mail|return(ed)? to sender|delivery (status notification|failure|"
    r"failed|has failed|notification)|mail delivery (failed|failure|system|subsystem)|failure notice|"
    r"could not (be )?deliver|not delivered|non[- ]?delivery|delivery problem|message delayed|"
    r"delayed mail|warning: could not send|mail system error|permanent delivery failure|nameserver error|"
    r"mail could not be delivered|unzustellbar|nicht zustellbar|non remis|non recapitabile|no entregado|"
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
    r"Unable to deliver message to the following|delivery errors|were unable to deliver your message|"
    r"The following recipients? (did not receive|could not be reached|cannot be reached)|"
    r"Could not be delivered to|The original message was received at|"
    r"message (could not|cannot) be delivered|permanent (fatal )?(delivery )?error|"
    r"Delivery Status Notification|undeliverable",
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

_LONE_ADDRESS = re.compile(
    rf"^[\s>*]*[<\"']?(?:rfc822;\s*)?(?P<address>{_ADDRESS})[>\"']?\s*:?\s*(?:\((?:{_ADDRESS})\))?\s*$",
    re.MULTILINE,
)
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
        for pattern in (_LONE_ADDRESS, _SAID_ADDRESS):
            found.extend(match.group("address") for match in pattern.finditer(region))
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
    "BOUNCE_SENDERS",
    "BOUNCE_SUBJECTS",
    "diagnostic_text",
    "failed_recipients",
    "from_bounce_daemon",
]
