"""What kind of mail a message is — a person writing, an automatic reply, a
bounce, mailing-list traffic, or our own mail coming back — and why.

:func:`classify` is pure. The signals are tried in this order, the first that
holds deciding (``docs/intake.md`` lists each):

1. **bounce** — an RFC 3464 report (``multipart/report;
   report-type=delivery-status`` or a ``message/delivery-status`` part), an
   ``X-Failed-Recipients`` header, or a mail system's sender
   (``MAILER-DAEMON``, ``postmaster``) or bounce subject together with the
   prose of a delivery failure. A bounce stays a bounce when it also carries
   ``Auto-Submitted`` or ``List-Id``.
2. **loop** — our own outgoing mail coming back: it carries the
   :data:`LOOP_HEADER` with one of our addresses, or comes from one of our
   addresses with a Message-ID of our domain.
3. **auto_reply** — RFC 3834 ``Auto-Submitted`` other than ``no``,
   ``X-Autoreply``, ``X-Autorespond`` (and its kin), Apple's
   ``X-Apple-Action: vacation``, a read receipt (``report-type=
   disposition-notification``), a delivery report of success only, or an
   automatic-reply or vacation subject (Exchange's
   ``X-Auto-Response-Suppress`` is named in the reason).
4. **list** — ``List-Id``, ``List-Post``, ``List-Unsubscribe``,
   ``Mailing-List``, ``X-Mailman-Version``, ``Precedence: list``, or a sender
   of list software (``owner-…``, ``…-request@``, ``…-bounces@``).
5. **auto_reply** — ``Precedence: bulk``, ``junk`` or ``auto_reply`` (after
   the list signals: list servers set ``bulk`` too).
6. **human** — none of the above.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

import attrs

from helpdesk_core.intake.bounce_texts import (
    BOUNCE_PHRASES,
    BOUNCE_SUBJECTS,
    diagnostic_text,
    failed_recipients,
    from_bounce_daemon,
)
from helpdesk_core.intake.message import IncomingMessage

Kind = Literal["human", "auto_reply", "bounce", "list", "loop"]

LOOP_HEADER = "X-Helpdesk-Loop"
"""The header every message the desk sends carries, with the desk's own
address as its value: a message that comes back with it is a loop."""

AUTOMATIC_REPLY_SUBJECT = re.compile(
    # Phrases only automatic replies open their subject with...
    r"^\s*(auto(matic|matische|matisk|matická|matyczna|matico|matique|mático|mática)?[ _-]?"
    r"(reply|respons[e]?|antwort|svar|odpověď|odpowiedź|risposta|réponse|respuesta|resposta|antwoord)\b|"
    r"(réponse|risposta|respuesta|resposta|odpowiedź|odpověď|antwort) autom[aá]t\w*|"
    r"abwesenheitsnotiz|автоответ|автоматический ответ|автовідповідь|автоматична відповідь|"
    r"自動応答|自動返信|自动回复|מענה 'אני לא נמצא'|رد تلقائي|"
    # ...and words a person may open a subject with too ("Vacation booking",
    # "Out of office hours?"), so only when a colon follows as in a reply.
    r"(out of (the )?office( auto ?reply)?|ooo|vacation|on vacation|away|absent|absence|abwesend|"
    r"fuera de la oficina|fora do escritório|afwezig|ikke til stede|frånvaro|poza biurem|"
    r"nepřítomen|nepřítomnost|mimo kancelář|不在)\s*[:：])",
    re.IGNORECASE,
)
"""Subjects of automatic and vacation replies in the languages met in real
mail (English, German, French, Italian, Spanish, Portuguese, Dutch,
Scandinavian, Polish, Czech, Russian, Ukrainian, Japanese, Chinese, Hebrew,
Arabic)."""

_SUCCESS_ACTIONS = frozenset({"delivered", "relayed", "expanded"})
"""Delivery-status actions that report success, not a failure."""

_LIST_SENDER = re.compile(r"^(owner-.+|.+-owner|.+-request|.+-bounces(\+.*)?|.+-admin)@", re.IGNORECASE)


@attrs.frozen
class Classification:
    """The kind of a message and the reason in words. ``bounced_recipients``
    (bounces only) are the addresses that failed, lower case; ``temporary``
    is true when the report only says delivery is delayed (the address is
    not failing yet)."""

    kind: Kind
    reason: str
    bounced_recipients: tuple[str, ...] = ()
    temporary: bool = False


def classify(
    message: IncomingMessage,
    *,
    own_addresses: Iterable[str] = (),
    own_message_id_domain: str | None = None,
) -> Classification:
    """The kind of ``message``; see the module's docstring for the order of
    the signals. ``own_addresses`` are the desk's own addresses and
    ``own_message_id_domain`` the domain of the Message-IDs it writes."""
    bounce = _bounce(message)
    if bounce is not None:
        return bounce
    loop = _loop(message, {address.lower() for address in own_addresses}, own_message_id_domain)
    if loop is not None:
        return Classification("loop", loop)
    automatic = _auto_reply(message)
    if automatic is not None:
        return Classification("auto_reply", automatic)
    listed = _list(message)
    if listed is not None:
        return Classification("list", listed)
    precedence = (message.header("Precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "auto_reply", "auto-reply"):
        return Classification("auto_reply", f"Precedence: {precedence}")
    return Classification("human", "no sign of automatic, bounced, list or looping mail")


def _bounce(message: IncomingMessage) -> Classification | None:
    reports = message.delivery_reports
    if reports and all(report.action in _SUCCESS_ACTIONS for report in reports):
        return None  # a success notification: see _auto_reply
    if message.report_type == "delivery-status" or reports:
        failing = [report for report in reports if report.action == "failed"] or [
            report for report in reports if report.action not in ("delivered", "relayed", "expanded")
        ]
        recipients = tuple(
            dict.fromkeys(
                address
                for report in failing
                for address in (report.recipient, report.original_recipient)
                if address and "." in address.rpartition("@")[2]
            )
        )
        actions = {report.action for report in reports}
        if not recipients:
            recipients = failed_recipients(message)
        failed = [report for report in reports if report.action == "failed"]
        reason = "a delivery status report (RFC 3464)"
        if failed:
            reason += f" with {len(failed)} failed recipient{'s' if len(failed) > 1 else ''}"
        elif actions:
            reason += f" (action: {', '.join(sorted(action or 'none' for action in actions))})"
        temporary = "delayed" in actions and "failed" not in actions
        return Classification("bounce", reason, recipients, temporary=temporary)
    failed_header = message.header_values("X-Failed-Recipients")
    if failed_header:
        return Classification("bounce", "an X-Failed-Recipients header", failed_recipients(message))
    daemon = from_bounce_daemon(message)
    subject = BOUNCE_SUBJECTS.search(message.subject)
    phrase = BOUNCE_PHRASES.search(diagnostic_text(message.body)[:20000])
    recipients = failed_recipients(message) if daemon or subject or phrase else ()
    if (daemon and (subject or phrase or recipients)) or (subject and phrase):
        signals = [
            *(["sent by a mail system"] if daemon else []),
            *([f"subject {subject.group(0)!r}"] if subject else []),
            *([f"text {phrase.group(0)!r}"] if phrase else []),
            *(["failed recipients named in its text"] if recipients and not (subject or phrase) else []),
        ]
        temporary = bool(re.search(r"delay|warning|will (continue|retry|keep trying)", message.subject, re.I))
        return Classification("bounce", "a delivery failure: " + ", ".join(signals), recipients, temporary)
    return None


def _domain_of(message_id: str | None) -> str:
    return (message_id or "").strip("<>").rpartition("@")[2].lower()


def _loop(message: IncomingMessage, own: set[str], own_domain: str | None) -> str | None:
    marks = [value.strip().lower() for value in message.header_values(LOOP_HEADER)]
    if marks and (not own or any(mark in own for mark in marks)):
        return f"it carries our {LOOP_HEADER} header ({marks[0]})"
    sender = message.from_.address if message.from_ else ""
    if sender and sender in own:
        domain = own_domain.lower() if own_domain else None
        if domain and _domain_of(message.message_id) == domain:
            return f"sent from our own address {sender} with a Message-ID of our domain {domain}"
        if domain and _domain_of(message.in_reply_to) == domain:
            return f"sent from our own address {sender} in reply to our message"
    return None


def _auto_reply(message: IncomingMessage) -> str | None:
    submitted = (message.header("Auto-Submitted") or "").strip()
    if submitted and submitted.split(";")[0].strip().lower() != "no":
        return f"Auto-Submitted: {submitted}"
    for name in (
        "X-Autoreply",
        "X-Autorespond",
        "X-Autorespond-From",
        "X-AutoReply-From",
        "X-Mail-Autoreply",
    ):
        value = message.header(name)
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            return f"{name}: {value.strip()}"
    if (message.header("X-Autogenerated") or "").strip().lower() == "reply":
        return "X-Autogenerated: Reply"
    if (message.header("X-Apple-Action") or "").strip().lower() == "vacation":
        return "X-Apple-Action: VACATION (an iCloud vacation reply)"
    if message.delivery_reports and all(
        report.action in _SUCCESS_ACTIONS for report in message.delivery_reports
    ):
        return "a delivery status report that the message was delivered"
    if message.report_type == "disposition-notification":
        return "a read receipt (report-type=disposition-notification)"
    subject = AUTOMATIC_REPLY_SUBJECT.search(message.subject)
    if subject is not None:
        suppress = message.header("X-Auto-Response-Suppress")
        if suppress is not None:
            return f"X-Auto-Response-Suppress: {suppress} with the subject {subject.group(0).strip()!r}"
        return f"an automatic-reply subject ({subject.group(0).strip()!r})"
    return None


def _list(message: IncomingMessage) -> str | None:
    for name in (
        "List-Id",
        "List-Post",
        "List-Unsubscribe",
        "Mailing-List",
        "X-Mailman-Version",
        "X-Mailing-List",
    ):
        value = message.header(name)
        if value is not None:
            return f"{name}: {value.strip()[:100]}"
    if (message.header("Precedence") or "").strip().lower() == "list":
        return "Precedence: list"
    for name in ("Sender", "Return-Path"):
        value = message.header(name)
        if value and _LIST_SENDER.search(value.strip().strip("<>")):
            return f"{name} of list software ({value.strip()})"
    return None


__all__ = ["AUTOMATIC_REPLY_SUBJECT", "LOOP_HEADER", "Classification", "Kind", "classify"]
