"""Consent to mass mailing, per purpose (newsletter, surveys, …), with the
time and the source of every change, and the audience of a mailing.

Consent is opt-in: a person is in the audience of a purpose only when their
latest change for it is an opt-in. Forgotten people are never in an audience,
whatever their ledger says.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator
from datetime import datetime
from itertools import pairwise
from typing import Any

import attrs

from helpdesk_core.errors import HistoryError
from helpdesk_core.model.checks import instant, required_identifier, text
from helpdesk_core.model.parties import Contact


@attrs.frozen(kw_only=True)
class ConsentChange:
    """At ``at`` the person opted in (``opted_in=True``) or out of ``purpose``;
    ``source`` says how we know (``web form``, ``phone call by E-3``)."""

    purpose: str = attrs.field(validator=required_identifier)
    opted_in: bool
    at: datetime = attrs.field(validator=instant)
    source: str = attrs.field(default="", validator=text)


def _changes(values: Iterable[ConsentChange]) -> tuple[ConsentChange, ...]:
    return tuple(values)


def _chronological(instance: Any, attribute: attrs.Attribute[Any], value: tuple[ConsentChange, ...]) -> None:
    for earlier, later in pairwise(value):
        if later.at < earlier.at:
            raise HistoryError(
                f"ConsentLedger.changes: contact {instance.id}: a change at {later.at.isoformat()} "
                f"follows one at {earlier.at.isoformat()}; a ledger only grows forward"
            )


@attrs.frozen(kw_only=True)
class ConsentLedger:
    """Every consent change of one contact (``id`` is the contact id), oldest first."""

    id: str = attrs.field(validator=required_identifier)
    changes: tuple[ConsentChange, ...] = attrs.field(default=(), converter=_changes, validator=_chronological)

    def with_change(self, change: ConsentChange) -> ConsentLedger:
        """This ledger with ``change`` appended (refused when earlier than the last)."""
        return attrs.evolve(self, changes=(*self.changes, change))

    def consents_to(self, purpose: str) -> bool | None:
        """The latest decision for ``purpose``: True, False, or None (never asked)."""
        for change in reversed(self.changes):
            if change.purpose == purpose:
                return change.opted_in
        return None

    @property
    def purposes(self) -> tuple[str, ...]:
        return tuple(sorted({c.purpose for c in self.changes}))


@attrs.frozen
class Recipient:
    """One member of a mailing audience."""

    contact: str
    email: str
    name: str


def audience(
    contacts: Iterable[Contact],
    ledger_of: Callable[[str], ConsentLedger | None],
    purpose: str,
    *,
    forgotten: Container[str] = frozenset(),
) -> Iterator[Recipient]:
    """The contacts to mail for ``purpose``: opted in, not forgotten (their id
    in ``forgotten``), with an address. Streamed in the order of ``contacts``."""
    for contact in contacts:
        if contact.id in forgotten or contact.email is None:
            continue
        ledger = ledger_of(contact.id)
        if ledger is not None and ledger.consents_to(purpose) is True:
            yield Recipient(contact.id, contact.email, contact.display_name)


__all__ = ["ConsentChange", "ConsentLedger", "Recipient", "audience"]
