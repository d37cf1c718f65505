"""A phone call: the callers a number matches (:mod:`helpdesk_core.intake.phone`)
and, when the agent registers it, a ticket with channel ``phone`` for the
chosen caller, through :meth:`Desk.register_ticket` (so routing applies)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import attrs

from helpdesk_core.desk.people_directory import people_directory
from helpdesk_core.intake.people import PeopleDirectory
from helpdesk_core.intake.phone import Caller, callers, choose_caller
from helpdesk_core.model.ticket import SYSTEM

if TYPE_CHECKING:
    from helpdesk_core.desk.service import Desk

CHANNEL = "phone"


@attrs.frozen
class CallIntake:
    """The callers ``number`` matched and, when registered, the ticket:
    ``action`` is ``listed`` (nothing stored) or ``new_ticket``; ``contact``
    and ``company`` are what the ticket links (None for an unknown caller)."""

    number: str
    callers: tuple[Caller, ...]
    action: Literal["listed", "new_ticket"]
    ticket: str | None
    version: int | None
    contact: str | None
    company: str | None
    reason: str
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "ticket": self.ticket,
            "contact": self.contact,
            "company": self.company,
            "reason": self.reason,
            "number": self.number,
            "channel": CHANNEL,
            "callers": [c.to_json() for c in self.callers],
            "version": self.version,
            "warnings": list(self.warnings),
        }


def _reason(number: str, matches: tuple[Caller, ...], digits: int) -> str:
    if not matches:
        return f"unknown caller: no phone or mobile ends in the last {digits} digits of {number}"
    return f"{len(matches)} caller(s) match the last {digits} digits of {number}"


def intake_call(
    desk: Desk,
    number: str,
    *,
    subject: str | None = None,
    contact: str | None = None,
    at: datetime | None = None,
    by: str = SYSTEM,
    directory: PeopleDirectory | None = None,
) -> CallIntake:
    """The callers ``number`` matches by its last ``[intake] phone_digits``
    digits; with a ``subject``, a ticket registered for the one match, or for
    the match ``contact`` names among several (several without a choice, or a
    choice that is not a match, is a :class:`ValidationError` listing them);
    an unknown caller's ticket links nobody."""
    digits = desk.config.intake.phone_digits
    people = people_directory(desk.store) if directory is None else directory
    matches = callers(number, people, digits)
    reason = _reason(number, matches, digits)
    if subject is None:
        if contact is not None:
            choose_caller(matches, contact)  # a choice must still be one of the matches
        return CallIntake(number, matches, "listed", None, None, None, None, reason)
    chosen = choose_caller(matches, contact)
    contact_id = chosen.id if chosen is not None and chosen.kind == "contact" else None
    company_id = None if chosen is None else chosen.company
    if chosen is not None:
        reason += f"; registered for {chosen.kind} {chosen.id}"
    outcome = desk.retrying(lambda: desk.register_ticket(
        subject=subject, channel=CHANNEL, contact=contact_id, company=company_id, by=by, at=at,
    ))
    ticket = outcome.ticket
    return CallIntake(
        number, matches, "new_ticket", ticket.id, outcome.version, ticket.contact, ticket.company,
        reason, outcome.warnings,
    )


__all__ = ["CHANNEL", "CallIntake", "intake_call"]
