"""Consent and the mailing audience, legal holds, retention rules and the
audit record, written out as a privacy officer would check them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from helpdesk_core.errors import HistoryError, ValidationError
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.parties import Contact
from helpdesk_core.model.ticket import StatusChange
from helpdesk_core.privacy.audit import AuditRecord, identifier_hashes, keyed_hash, pseudonym_for
from helpdesk_core.privacy.consent import ConsentChange, ConsentLedger, audience
from helpdesk_core.privacy.holds import (
    HeldByLaw,
    HoldScope,
    LegalHold,
    holds_on_contact,
    holds_on_ticket,
    refuse_if_held,
)
from helpdesk_core.privacy.identifiers import PersonIdentifiers, contact_identifiers
from helpdesk_core.privacy.retention import Retained, RetentionRule, years_before
from helpdesk_core.testing.contract import START, sample_ticket

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
SALT = "00112233445566778899aabbccddeeff"


def _change(purpose: str, opted_in: bool, days: int) -> ConsentChange:
    return ConsentChange(purpose=purpose, opted_in=opted_in, at=START + timedelta(days=days), source="form")


def test_the_latest_decision_per_purpose_counts_and_forgotten_people_are_never_mailed() -> None:
    contacts = [
        Contact(id="P-1", first_name="A", email="a@x.example"),
        Contact(id="P-2", first_name="B", email="b@x.example"),
        Contact(id="P-3", first_name="C"),
        Contact(id="P-4", first_name="D", email="d@x.example"),
        Contact(id="P-5", first_name="E", email="e@x.example"),
    ]
    ledgers = {
        "P-1": ConsentLedger(id="P-1", changes=[_change("newsletter", True, 1)]),
        "P-2": ConsentLedger(
            id="P-2", changes=[_change("newsletter", True, 1), _change("newsletter", False, 2)]
        ),
        "P-3": ConsentLedger(id="P-3", changes=[_change("newsletter", True, 1)]),
        "P-4": ConsentLedger(id="P-4", changes=[_change("newsletter", True, 1)]),
        "P-5": ConsentLedger(id="P-5", changes=[_change("surveys", True, 1)]),
    }
    found = audience(contacts, ledgers.get, "newsletter", forgotten={"P-4"})
    assert [r.contact for r in found] == ["P-1"]
    assert ledgers["P-2"].consents_to("newsletter") is False
    assert ledgers["P-5"].consents_to("newsletter") is None


def test_a_consent_ledger_only_grows_forward() -> None:
    ledger = ConsentLedger(id="P-1", changes=[_change("newsletter", True, 5)])
    with pytest.raises(HistoryError, match="only grows forward"):
        ledger.with_change(_change("newsletter", False, 1))


def test_holds_cover_their_thing_and_its_tickets_until_released() -> None:
    by_company = LegalHold(
        id="H-1", scope="company", target="C-1", reason="lawsuit 7/2026", at=START, by="dpo"
    )
    by_ticket = LegalHold(id="H-2", scope=HoldScope.TICKET, target="T-9", reason="audit", at=START, by="dpo")
    holds = [by_company, by_ticket]
    assert holds_on_ticket(holds, sample_ticket("T-1", company="C-1")) == (by_company,)
    assert holds_on_ticket(holds, sample_ticket("T-9", company="C-2")) == (by_ticket,)
    assert holds_on_ticket(holds, sample_ticket("T-2", company="C-2")) == ()
    jana = Contact(id="P-1", first_name="Jana", company="C-1")
    with pytest.raises(HeldByLaw, match=r"hold H-1 on company C-1: lawsuit 7/2026"):
        refuse_if_held("contact P-1", holds_on_contact(holds, jana))
    assert holds_on_contact([by_company.released(NOW)], jana) == ()
    with pytest.raises(ValidationError, match=r"LegalHold\.scope"):
        LegalHold(id="H-3", scope="planet", target="X", reason="r", at=START, by="dpo")


def test_retention_counts_whole_years_from_closing_and_from_a_contract_end() -> None:
    rule = RetentionRule("closed_tickets", 5)
    closed_at = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    ticket = sample_ticket(events=[StatusChange(at=closed_at, to="closed")])

    def is_closed(status: str) -> bool:
        return status == "closed"

    assert rule.ticket_due(ticket, now=datetime(2031, 6, 1, 9, 0, tzinfo=UTC), is_closed=is_closed)
    assert not rule.ticket_due(ticket, now=datetime(2031, 5, 31, 23, 0, tzinfo=UTC), is_closed=is_closed)
    assert not rule.ticket_due(sample_ticket(), now=NOW, is_closed=is_closed), "an open ticket is kept"
    contracts = RetentionRule(Retained.CONTRACTS, 10)
    ended = Contract(id="K-1", number="1", companies=["C-1"], start=date(2010, 1, 1), end=date(2020, 6, 1))
    assert contracts.contract_due(ended, now=NOW)
    assert not contracts.contract_due(ended, now=NOW - timedelta(days=1))
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)
    with pytest.raises(ValidationError, match="must be timezone-aware"):
        rule.ticket_due(ticket, now=datetime(2030, 6, 1), is_closed=is_closed)


def test_the_audit_record_matches_the_person_by_keyed_hashes_only() -> None:
    jana = Contact(id="P-1", first_name="Jana", last_name="Nováková", email="jana@kavarna.example")
    identifiers = contact_identifiers(jana)
    record = AuditRecord(
        id="F-1",
        action="forget-contact",
        subject="P-1",
        by="dpo",
        at=NOW,
        salt=SALT,
        identifier_hashes=identifier_hashes(SALT, identifiers),
        pseudonym=pseudonym_for("P-1", SALT),
    )
    assert record.matches(PersonIdentifiers(emails=["JANA@kavarna.example"]))
    assert record.matched_by(PersonIdentifiers(emails=["JANA@kavarna.example"])) == ("email",)
    assert not record.matches(PersonIdentifiers(names=["Jan Novák"], emails=["jan@kavarna.example"]))
    namesake = PersonIdentifiers(names=["jana  NOVÁKOVÁ"], emails=["jana.novakova@other.example"])
    assert not record.matches(namesake), "a namesake is not the person: a name alone never matches"
    assert record.name_matches(namesake), "the name hash is still read (with the subject id, it counts)"
    assert keyed_hash(SALT, "email:jana@kavarna.example") != keyed_hash(
        "ff" * 16, "email:jana@kavarna.example"
    )
    assert record.pseudonym == pseudonym_for("P-1", SALT) != pseudonym_for("P-1", "ff" * 16)
    with pytest.raises(ValidationError, match=r"AuditRecord\.identifier_hashes"):
        AuditRecord(
            id="F-2", action="x", subject=None, by="dpo", at=NOW, salt=SALT, identifier_hashes=["jana"]
        )
    with pytest.raises(ValidationError, match=r"AuditRecord\.salt"):
        AuditRecord(id="F-3", action="x", subject=None, by="dpo", at=NOW, salt="nope")
