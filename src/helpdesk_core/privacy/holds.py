"""Legal holds: what must not be erased while a dispute, an audit or the law
requires it.

A hold names one contact, company, contract or ticket and a reason. It covers
that thing and, for a contact, company or contract, every ticket of it (and a
company hold covers the company's contacts). Erasure leaves what a hold covers
unchanged and names each hold and its reason; a hold on the person's own record
refuses their erasure altogether.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

import attrs

from helpdesk_core.errors import ConflictError, ValidationError
from helpdesk_core.model.checks import aware, instant, non_blank, required_identifier
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.parties import Company, Contact
from helpdesk_core.model.ticket import Ticket


class HoldScope(enum.StrEnum):
    """What a hold names."""

    CONTACT = "contact"
    COMPANY = "company"
    CONTRACT = "contract"
    TICKET = "ticket"


class HeldByLaw(ConflictError):
    """Erasure refused: a legal hold covers the person's own record."""


def _scope(value: HoldScope | str) -> HoldScope:
    try:
        return HoldScope(value)
    except ValueError:
        allowed = ", ".join(s.value for s in HoldScope)
        raise ValidationError(f"LegalHold.scope: expected one of {allowed}, got {value!r}") from None


@attrs.frozen(kw_only=True)
class LegalHold:
    """A hold placed ``at`` by ``by`` on the ``scope`` thing ``target`` (its id),
    for ``reason``; ``released_at`` ends it (None: in force)."""

    id: str = attrs.field(validator=required_identifier)
    scope: HoldScope = attrs.field(converter=_scope)
    target: str = attrs.field(validator=required_identifier)
    reason: str = attrs.field(validator=non_blank)
    at: datetime = attrs.field(validator=instant)
    by: str = attrs.field(validator=non_blank)
    released_at: datetime | None = attrs.field(default=None, validator=aware)

    @property
    def in_force(self) -> bool:
        return self.released_at is None

    def describe(self) -> str:
        """``hold H-1 on company C-7: litigation 2026/14`` — for messages."""
        return f"hold {self.id} on {self.scope.value} {self.target}: {self.reason}"

    def released(self, at: datetime) -> LegalHold:
        """This hold, released at ``at``."""
        return attrs.evolve(self, released_at=at)


def _covering(
    holds: Iterable[LegalHold], keys: Iterable[tuple[HoldScope, str | None]]
) -> tuple[LegalHold, ...]:
    wanted = {(scope, target) for scope, target in keys if target is not None}
    return tuple(h for h in holds if h.in_force and (h.scope, h.target) in wanted)


def holds_on_ticket(holds: Iterable[LegalHold], ticket: Ticket) -> tuple[LegalHold, ...]:
    """The holds in force that cover ``ticket``."""
    return _covering(
        holds,
        [
            (HoldScope.TICKET, ticket.id),
            (HoldScope.CONTACT, ticket.contact),
            (HoldScope.COMPANY, ticket.company),
            (HoldScope.CONTRACT, ticket.contract),
        ],
    )


def holds_on_contact(holds: Iterable[LegalHold], contact: Contact) -> tuple[LegalHold, ...]:
    """The holds in force that cover ``contact``'s own record."""
    return _covering(holds, [(HoldScope.CONTACT, contact.id), (HoldScope.COMPANY, contact.company)])


def holds_on_company(holds: Iterable[LegalHold], company: Company) -> tuple[LegalHold, ...]:
    return _covering(holds, [(HoldScope.COMPANY, company.id)])


def holds_on_contract(holds: Iterable[LegalHold], contract: Contract) -> tuple[LegalHold, ...]:
    return _covering(holds, [(HoldScope.CONTRACT, contract.id)])


def refuse_if_held(what: str, found: Iterable[LegalHold]) -> None:
    """Raise :class:`HeldByLaw` naming each hold when ``found`` is not empty."""
    listed = list(found)
    if listed:
        raise HeldByLaw(f"{what} cannot be erased: " + "; ".join(h.describe() for h in listed))


__all__ = [
    "HeldByLaw",
    "HoldScope",
    "LegalHold",
    "holds_on_company",
    "holds_on_contact",
    "holds_on_contract",
    "holds_on_ticket",
    "refuse_if_held",
]
