"""A web form becomes a ticket: decided by :mod:`helpdesk_core.intake.web_form`,
registered through :meth:`Desk.register_ticket` (so routing applies) with
channel ``web``, in ONE transaction — a contact created for an unknown sender
is stored with the ticket or not at all (docs/intake-form-phone.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import attrs

from helpdesk_core.desk.people_directory import people_directory
from helpdesk_core.intake.people import NewContact, PeopleDirectory
from helpdesk_core.intake.web_form import CHANNEL, WebForm, decide_form, read_form
from helpdesk_core.model.ticket import SYSTEM

if TYPE_CHECKING:
    from helpdesk_core.desk.service import Desk


@attrs.frozen
class FormIntake:
    """What became of a form, with the keys of the fixed format "Intake decisions"
    where they apply: ``action`` (``new_ticket`` | ``held``), ``ticket`` (None
    when held or in a dry run), ``contact`` (None for a contact a dry run
    would create: see ``new_contact``), ``company``, ``reason``."""

    form: str
    action: Literal["new_ticket", "held"]
    ticket: str | None
    version: int | None
    contact: str | None
    company: str | None
    subject: str
    description: str
    attributes: Mapping[str, Any]
    new_contact: NewContact | None
    reason: str
    dry_run: bool
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The decision as JSON (the "Intake decisions" keys, then the form's own)."""
        draft = self.new_contact
        return {
            "action": self.action,
            "ticket": self.ticket,
            "contact": self.contact,
            "company": self.company,
            "reason": self.reason,
            "form": self.form,
            "channel": CHANNEL,
            "subject": self.subject,
            "description": self.description,
            "attributes": dict(self.attributes),
            "new_contact": None if draft is None else attrs.asdict(draft),
            "version": self.version,
            "warnings": list(self.warnings),
            "dry_run": self.dry_run,
        }


def intake_form(
    desk: Desk,
    form: WebForm | Mapping[str, Any],
    *,
    at: datetime | None = None,
    by: str = SYSTEM,
    dry_run: bool = False,
    directory: PeopleDirectory | None = None,
) -> FormIntake:
    """Register the web ``form`` (a :class:`WebForm` or its JSON object) as a
    ticket, or hold it (``[intake] unknown_sender = "hold"``, an ambiguous
    address). ``dry_run`` decides everything — people, subject, description,
    the order attribute against the catalog — and stores nothing (no ticket
    id is allocated). ``directory``: the people looked up (default: read from
    the desk's store once). Anything refused raises before the commit and
    stores nothing, not even the new contact."""
    if not isinstance(form, WebForm):
        form = read_form(form)
    config = desk.config
    people = people_directory(desk.store) if directory is None else directory
    decision = decide_form(form, people, config.intake, config.catalogs)

    def result(ticket: str | None, version: int | None, contact: str | None, company: str | None,
               warnings: tuple[str, ...] = ()) -> FormIntake:
        return FormIntake(
            form=form.name, action=decision.action, ticket=ticket, version=version, contact=contact,
            company=company, subject=decision.subject, description=decision.description,
            attributes=decision.attributes, new_contact=decision.new_contact, reason=decision.reason,
            dry_run=dry_run, warnings=warnings,
        )

    if decision.action == "held" or dry_run:
        return result(None, None, decision.contact, decision.company)
    # a registration reads no version: retried when a concurrent one moved a round-robin cursor
    outcome = desk.retrying(lambda: desk.register_ticket(
        subject=decision.subject,
        description=decision.description,
        channel=CHANNEL,
        company=decision.company,
        contact=decision.contact,
        attributes=decision.attributes,
        new_contact=decision.new_contact,
        by=by,
        at=at,
    ))
    ticket = outcome.ticket
    return result(ticket.id, outcome.version, ticket.contact, ticket.company, outcome.warnings)


__all__ = ["FormIntake", "intake_form"]
