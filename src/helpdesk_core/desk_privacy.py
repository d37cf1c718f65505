"""Privacy use cases of the desk: forget a contact or an employee (plan first,
prove after), export what the store holds about a person, replay erasures on a
restored backup, run retention rules, record consent, place legal holds.

This is imperative shell: it reads and writes through a
:class:`~helpdesk_core.storage.protocols.PrivacyStore` and takes the time as a
parameter (``now``, the desk's clock). The decisions are made by the pure
:mod:`helpdesk_core.privacy` package.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, cast

import attrs

from helpdesk_core.errors import NotFound, ValidationError
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.parties import Company, Contact
from helpdesk_core.model.staff import Employee
from helpdesk_core.model.ticket import Comment, Ticket
from helpdesk_core.privacy.audit import (
    PSEUDONYM_PREFIX,
    SALT_BYTES,
    AuditRecord,
    identifier_hashes,
    keyed_hash,
    pseudonym_for,
)
from helpdesk_core.privacy.consent import ConsentChange, ConsentLedger, Recipient, audience
from helpdesk_core.privacy.erasure import Forgetting, Place, anonymise, forget_in
from helpdesk_core.privacy.holds import (
    HoldScope,
    LegalHold,
    holds_on_company,
    holds_on_contact,
    holds_on_contract,
    holds_on_ticket,
    refuse_if_held,
)
from helpdesk_core.privacy.identifiers import PersonIdentifiers, contact_identifiers, employee_identifiers
from helpdesk_core.privacy.matching import IdentifierMatcher
from helpdesk_core.privacy.plan import Held, PlanSummary, PlanTally
from helpdesk_core.privacy.retention import RetentionRule
from helpdesk_core.serialization import converter
from helpdesk_core.storage.protocols import (
    DEFAULT_BATCH_SIZE,
    PrivacyStore,
    Reader,
    Repository,
    Store,
    Stored,
)
from helpdesk_core.storage.urls import redacted

FINDINGS_KEPT = 100
"""Findings of a proof listed by place; more are only counted."""

_OTHER_KINDS: tuple[tuple[str, str], ...] = (
    ("companies", "company"),
    ("contacts", "contact"),
    ("customer_groups", "customer group"),
    ("contracts", "contract"),
    ("service_objects", "service object"),
    ("equipment", "equipment"),
    ("employees", "employee"),
    ("employee_groups", "employee group"),
    ("consents", "consent ledger"),
    ("legal_holds", "legal hold"),
)
"""Every aggregate besides tickets that may mention a person: (store attribute, label)."""

_TABLE_OF_ATTRIBUTE = {"tickets": "tickets", **{name: name for name, _ in _OTHER_KINDS}}


def privacy_store(store: Store) -> PrivacyStore:
    """``store`` as a store that can forget; :class:`ValidationError` when its
    backend cannot (a third-party backend without the privacy tables)."""
    if not all(hasattr(store, n) for n in ("audit_records", "scan_text", "scrub")):
        raise ValidationError(
            f"the store {redacted(store.url)} cannot forget: its backend has no privacy tables"
        )
    return cast(PrivacyStore, store)


def _new_salt() -> str:
    return secrets.token_hex(SALT_BYTES)


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


# -- finding the person ----------------------------------------------------------


def forgotten_record_for(store: Store, identifiers: PersonIdentifiers) -> AuditRecord | None:
    """The audit record of an earlier erasure of somebody with any of these
    identifiers, or None: how an import recognises a forgotten person."""
    for stored in privacy_store(store).audit_records.iter():
        if stored.value.identifier_hashes and stored.value.matches(identifiers):
            return stored.value
    return None


def flag_forgotten(store: Store, contacts: Iterable[Contact]) -> Iterator[tuple[Contact, AuditRecord]]:
    """Each of ``contacts`` (e.g. rows of an import) that matches an earlier
    erasure, with the record that matched."""
    records = [s.value for s in privacy_store(store).audit_records.iter() if s.value.identifier_hashes]
    for contact in contacts:
        identifiers = contact_identifiers(contact)
        for record in records:
            if record.matches(identifiers):
                yield contact, record
                break


def find_contact(store: Store, key: str) -> Stored[Contact]:
    """The contact whose external id (as in the import files) or id is ``key``.
    A contact already forgotten is reported as such, by the audit record."""
    found = store.contacts.get_by_external_id(key) or store.contacts.find(key)
    if found is not None:
        return found
    for stored in privacy_store(store).audit_records.iter():
        record = stored.value
        hashed_key = keyed_hash(record.salt, f"id:{key.casefold()}")
        if record.subject == key or hashed_key in record.identifier_hashes:
            raise NotFound(
                f"contact {key!r} was forgotten on {record.at.isoformat()} (audit record {record.id})"
            )
    raise NotFound(f"contact {key!r} not found (neither an external id nor an id)")


def _holds(store: PrivacyStore) -> list[LegalHold]:
    return [s.value for s in store.legal_holds.iter() if s.value.in_force]


# -- the walk shared by plan and erasure ---------------------------------------------


@attrs.frozen
class _Change:
    attribute: str
    stored: Stored[Any]
    new: Any
    places: list[Place]
    holds: tuple[LegalHold, ...]


def _holds_on(holds: list[LegalHold], value: object) -> tuple[LegalHold, ...]:
    if isinstance(value, Ticket):
        return holds_on_ticket(holds, value)
    if isinstance(value, Contact):
        return holds_on_contact(holds, value)
    if isinstance(value, Company):
        return holds_on_company(holds, value)
    if isinstance(value, Contract):
        return holds_on_contract(holds, value)
    return ()


def _walk(
    source: Any, forgetting: Forgetting, holds: list[LegalHold], *, batch_size: int, keep_values: bool = False
) -> Iterator[_Change]:
    """Every record of ``source`` (a store or a unit of work) that forgetting
    changes, the person's own record first."""
    own_attribute = "contacts" if forgetting.person_kind == "contact" else "employees"
    own_reader: Reader[Any] = getattr(source, own_attribute)
    own = own_reader.get(forgetting.person_id)
    new, places = forget_in(
        own.value, forgetting, record=f"{forgetting.person_kind} {forgetting.person_id}", own=True,
        keep_values=keep_values,
    )
    if forgetting.person_kind == "employee" and new.active:
        new = attrs.evolve(new, active=False)
    yield _Change(own_attribute, own, new, places, ())
    for attribute, label in _OTHER_KINDS:
        reader: Reader[Any] = getattr(source, attribute)
        for stored in reader.iter(batch_size=batch_size):
            if attribute == own_attribute and stored.value.id == forgetting.person_id:
                continue
            new, places = forget_in(
                stored.value, forgetting, record=f"{label} {stored.value.id}", keep_values=keep_values
            )
            if places:
                yield _Change(attribute, stored, new, places, _holds_on(holds, stored.value))
    for stored in source.tickets.iter_tickets(batch_size=batch_size):
        record = f"ticket {stored.value.id}"
        new, places = forget_in(stored.value, forgetting, record=record, keep_values=keep_values)
        if places:
            yield _Change("tickets", stored, new, places, _holds_on(holds, stored.value))


def _forgetting_of_contact(contact: Contact, salt: str, region: str | None) -> Forgetting:
    return Forgetting(
        person_id=contact.id,
        person_kind="contact",
        identifiers=contact_identifiers(contact, region=region),
        pseudonym=pseudonym_for(contact.id, salt),
    )


def _forgetting_of_employee(employee: Employee, salt: str) -> Forgetting:
    return Forgetting(
        person_id=employee.id,
        person_kind="employee",
        identifiers=employee_identifiers(employee),
        pseudonym=pseudonym_for(employee.id, salt),
    )


# -- plan --------------------------------------------------------------------------------


def plan_forget(
    store: Store, contact: str, *, region: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[Place | Held]:
    """Every place that forgetting the contact (external id or id) would change,
    streamed; a record covered by a legal hold comes as :class:`Held` (one per
    hold) instead of its places. Nothing is written. Raises :class:`HeldByLaw`
    when a hold covers the contact's own record."""
    ps = privacy_store(store)
    stored = find_contact(ps, contact)
    holds = _holds(ps)
    refuse_if_held(f"contact {stored.value.id}", holds_on_contact(holds, stored.value))
    forgetting = _forgetting_of_contact(stored.value, _new_salt(), region)
    yield from _plan_items(_walk(ps, forgetting, holds, batch_size=batch_size))


def _plan_items(changes: Iterable[_Change]) -> Iterator[Place | Held]:
    for change in changes:
        if change.holds:
            record = change.places[0].record
            for hold in change.holds:
                yield Held(record, hold, len(change.places))
        else:
            yield from change.places


def summarise(items: Iterable[Place | Held]) -> PlanSummary:
    """Counts per kind of a streamed plan."""
    tally = PlanTally()
    for item in items:
        if isinstance(item, Held):
            tally.hold(item.record, [item.hold], item.places)
        else:
            tally.add([item])
    return tally.summary()


# -- proof -------------------------------------------------------------------------------


@attrs.frozen
class Finding:
    """A place where the scan still found an identifier: no value, only where."""

    table: str
    key: str
    column: str
    kind: str


@attrs.frozen
class Proof:
    """The result of scanning every text of the store: ``scanned`` text values,
    ``remaining`` identifiers found outside held records (the first
    :data:`FINDINGS_KEPT` listed in ``findings``), ``held`` found inside
    records a legal hold kept unchanged."""

    scanned: int
    remaining: int
    held: int
    findings: tuple[Finding, ...] = ()

    @property
    def clean(self) -> bool:
        return self.remaining == 0

    def describe(self) -> str:
        verdict = "nothing found" if self.clean else f"{self.remaining} identifier(s) FOUND"
        kept = f"; {self.held} kept by legal holds" if self.held else ""
        return f"proof: scanned {self.scanned} text values in every table: {verdict}{kept}"


_JSON_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.)")


def _unescape(match: re.Match[str]) -> str:
    try:
        decoded: str = json.loads(f'"{match.group(0)}"')
    except ValueError:
        return " "
    return decoded


def _strings(text: str) -> Iterator[str]:
    """The text as it is, and — when it holds escapes, as stored JSON documents
    do — with every escape (``\\n``, ``\\"``, ``\\u00e1``) decoded, so that an
    escape neither hides a word boundary nor spells a letter differently."""
    yield text
    if "\\" in text:
        yield _JSON_ESCAPE.sub(_unescape, text)


def prove_forgotten(
    store: Store,
    identifiers: PersonIdentifiers,
    *,
    held_records: Iterable[str] = (),
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Proof:
    """Scan every text column of every table for ``identifiers``. Findings in
    ``held_records`` (record ids a legal hold kept) are counted apart."""
    matcher = IdentifierMatcher(identifiers)
    held_ids = set(held_records)
    scanned = remaining = held = 0
    findings: list[Finding] = []
    for cell in privacy_store(store).scan_text(batch_size=batch_size):
        scanned += 1
        for text in _strings(cell.text):
            hit = next(matcher.hits(text), None)
            if hit is None:
                continue
            if cell.key in held_ids:
                held += 1
            else:
                remaining += 1
                if len(findings) < FINDINGS_KEPT:
                    findings.append(Finding(cell.table, cell.key, cell.column, hit.kind))
            break
    return Proof(scanned, remaining, held, tuple(findings))


# -- forget ------------------------------------------------------------------------------


@attrs.frozen
class ForgetResult:
    """What forgetting did: the audit record (which holds the counts), the plan
    summary, the files the person sent (sha256 digests, for the file store to
    delete — not kept anywhere by the desk), what the scrub did, and the proof."""

    record: AuditRecord
    summary: PlanSummary
    sent_files: tuple[str, ...]
    scrubbed: str
    proof: Proof


def _sent_files(ticket: Ticket, forgetting: Forgetting) -> list[str]:
    return [
        a.sha256
        for e in ticket.events
        if isinstance(e, Comment) and forgetting.authored(e)
        for a in e.attachments
        if a.sha256 is not None
    ]


def _forget(
    store: PrivacyStore,
    forgetting: Forgetting,
    *,
    action: str,
    by: str,
    now: datetime,
    salt: str,
    extra_identifiers: PersonIdentifiers | None,
    scrub: bool,
    batch_size: int,
) -> ForgetResult:
    require_aware(now, "forget: now")
    holds = _holds(store)
    tally = PlanTally()
    sent: list[str] = []
    held_ids: set[str] = set()
    tables: set[str] = set()
    with store.unit_of_work() as uow:
        for change in _walk(uow, forgetting, holds, batch_size=batch_size):
            if change.holds:
                held_ids.add(change.stored.value.id)
                tally.hold(change.places[0].record, change.holds, len(change.places))
                continue
            if isinstance(change.stored.value, Ticket):
                sent += _sent_files(change.stored.value, forgetting)
            repository: Repository[Any] = getattr(uow, change.attribute)
            repository.save(change.new, expected_version=change.stored.version)
            tally.add(change.places)
            tables.add(_TABLE_OF_ATTRIBUTE[change.attribute])
            if change.attribute == "tickets":
                tables.add("ticket_events")
        summary = tally.summary()
        hashed = identifier_hashes(salt, forgetting.identifiers)
        if extra_identifiers is not None:
            hashed = tuple(sorted({*hashed, *identifier_hashes(salt, extra_identifiers)}))
        record = AuditRecord(
            id=_new_id("F"),
            action=action,
            subject=forgetting.person_id,
            by=by,
            at=now,
            salt=salt,
            identifier_hashes=hashed,
            pseudonym=forgetting.pseudonym,
            counts=summary.counts,
            held=sorted({h.hold.id for h in summary.held}),
        )
        uow.audit_records.add(record)
        uow.commit()
    scrubbed = store.scrub(sorted(tables)) if scrub else "not scrubbed (scrub=False)"
    proof = prove_forgotten(store, forgetting.identifiers, held_records=held_ids, batch_size=batch_size)
    return ForgetResult(record, summary, tuple(dict.fromkeys(sent)), scrubbed, proof)


def forget_contact(
    store: Store,
    contact: str,
    *,
    by: str,
    now: datetime,
    region: str | None = None,
    salt: str | None = None,
    scrub: bool = True,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ForgetResult:
    """Forget the contact (external id or id) in one transaction: their record
    keeps its id, company and customer groups under a pseudonym; their names,
    addresses and phone numbers are replaced in every text of the store; the
    files they sent lose their names and digests; @mentions of them go. Tickets,
    events, instants and SLA results stay. Then the files are scrubbed and
    every text column scanned: the result carries that proof.

    ``region`` reads national phone numbers (e.g. ``"CZ"``); ``salt`` (hex) is
    for :func:`replay`, which must reproduce the pseudonym. A legal hold on the
    contact refuses (:class:`HeldByLaw`); one on a ticket, company or contract
    keeps that record unchanged and is named in the result.
    """
    ps = privacy_store(store)
    stored = find_contact(ps, contact)
    refuse_if_held(f"contact {stored.value.id}", holds_on_contact(_holds(ps), stored.value))
    salt = salt or _new_salt()
    forgetting = _forgetting_of_contact(stored.value, salt, region)
    return _forget(
        ps, forgetting, action="forget-contact", by=by, now=now, salt=salt,
        extra_identifiers=None, scrub=scrub, batch_size=batch_size,
    )


def forget_employee(
    store: Store,
    employee: str,
    *,
    by: str,
    now: datetime,
    salt: str | None = None,
    scrub: bool = True,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ForgetResult:
    """Forget a departed employee: their record is deactivated under a
    pseudonym (name and a ``forgotten.invalid`` address), their name and
    address are replaced in every text, they leave observer lists and
    @mentions; the tickets they worked keep their ids, so statistics stay."""
    ps = privacy_store(store)
    stored = ps.employees.get_by_external_id(employee) or ps.employees.get(employee)
    salt = salt or _new_salt()
    forgetting = _forgetting_of_employee(stored.value, salt)
    return _forget(
        ps, forgetting, action="forget-employee", by=by, now=now, salt=salt,
        extra_identifiers=None, scrub=scrub, batch_size=batch_size,
    )


def _is_forgotten(value: Contact | Employee, record: AuditRecord) -> bool:
    return value.first_name == record.pseudonym


def replay(
    store: Store,
    *,
    by: str,
    now: datetime,
    records: Iterable[AuditRecord] | None = None,
    region: str | None = None,
) -> list[ForgetResult]:
    """Forget again everybody the audit trail says was forgotten but who is
    back — a restored backup, a re-import: the record's subject if it holds
    their data again, and any contact whose identifiers hash to the record's.
    The same salt gives the same pseudonym. ``records`` default to the store's
    own trail (pass the trail kept elsewhere when the backup predates it)."""
    ps = privacy_store(store)
    trail = list(records) if records is not None else [s.value for s in ps.audit_records.iter()]
    results: list[ForgetResult] = []
    for record in trail:
        if record.subject is None:
            continue
        if record.action == "forget-employee":
            employee = ps.employees.find(record.subject)
            if employee is not None and not _is_forgotten(employee.value, record):
                results.append(forget_employee(ps, record.subject, by=by, now=now, salt=record.salt))
            continue
        if record.action != "forget-contact":
            continue
        candidates = [
            s.value.id
            for s in ps.contacts.iter()
            if not s.value.first_name.startswith(PSEUDONYM_PREFIX)
            and (s.value.id == record.subject or record.matches(contact_identifiers(s.value, region=region)))
        ]
        for contact_id in candidates:
            results.append(forget_contact(ps, contact_id, by=by, now=now, region=region, salt=record.salt))
    return results


# -- export ------------------------------------------------------------------------------


def _json(value: object) -> Any:
    return converter.unstructure(value)


def export_person(store: Store, contact: str, *, region: str | None = None) -> dict[str, Any]:
    """One JSON-ready document of everything the store holds about the contact
    (external id or id): their record's personal fields, their company, the
    tickets where they are the contact or wrote a comment, the comments they
    wrote, every other place that names them, their consent history and the
    legal holds on them. The places are those the erasure would change — the
    same walk over the same field registry — so the two cannot drift apart."""
    ps = privacy_store(store)
    stored = find_contact(ps, contact)
    person = stored.value
    forgetting = _forgetting_of_contact(person, _new_salt(), region)
    record_fields: dict[str, Any] = {}
    mentions: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    tickets: list[dict[str, Any]] = []
    for change in _walk(ps, forgetting, [], batch_size=DEFAULT_BATCH_SIZE, keep_values=True):
        if change.attribute == "contacts" and change.stored.value.id == person.id:
            record_fields = {p.field: _json(p.value) for p in change.places}
            continue
        mentions += [{"record": p.record, "field": p.field, "value": _json(p.value)} for p in change.places]
    for s in ps.tickets.iter_tickets():
        ticket = s.value
        written = [e for e in ticket.events if isinstance(e, Comment) and forgetting.authored(e)]
        if ticket.contact != person.id and not written:
            continue
        tickets.append({
            "id": ticket.id, "subject": ticket.subject, "description": ticket.description,
            "created_at": ticket.created_at.isoformat(), "status": ticket.status,
            "company": ticket.company, "as_contact": ticket.contact == person.id,
        })
        comments += [{"ticket": ticket.id, **_json(c)} for c in written]
    company = ps.companies.find(person.company) if person.company else None
    ledger = ps.consents.find(person.id)
    return {
        "contact": {"id": person.id, "company": person.company, **record_fields},
        "companies": [_json(company.value)] if company is not None else [],
        "tickets": tickets,
        "comments": comments,
        "mentions": mentions,
        "consent": [_json(c) for c in ledger.value.changes] if ledger is not None else [],
        "legal_holds": [_json(h) for h in _holds(ps) if holds_on_contact([h], person)],
    }


# -- consent -----------------------------------------------------------------------------


def record_consent(store: Store, contact: str, change: ConsentChange) -> ConsentLedger:
    """Append ``change`` to the contact's consent ledger (created on first use)."""
    ps = privacy_store(store)
    person = find_contact(ps, contact).value
    with ps.unit_of_work() as uow:
        found = uow.consents.find(person.id)
        ledger = (found.value if found else ConsentLedger(id=person.id)).with_change(change)
        uow.consents.save(ledger, expected_version=found.version if found else None)
        uow.commit()
    return ledger


def consent_history(store: Store, contact: str) -> ConsentLedger:
    """The contact's consent ledger (empty when never asked)."""
    ps = privacy_store(store)
    person = find_contact(ps, contact).value
    found = ps.consents.find(person.id)
    return found.value if found is not None else ConsentLedger(id=person.id)


def mailing_audience(store: Store, purpose: str) -> Iterator[Recipient]:
    """The contacts to mail for ``purpose``: opted in, never forgotten, with an
    address; streamed in contact id order."""
    ps = privacy_store(store)
    forgotten = {
        s.value.subject
        for s in ps.audit_records.iter()
        if s.value.action == "forget-contact" and s.value.subject is not None
    }

    def ledger_of(contact_id: str) -> ConsentLedger | None:
        found = ps.consents.find(contact_id)
        return None if found is None else found.value

    yield from audience((s.value for s in ps.contacts.iter()), ledger_of, purpose, forgotten=forgotten)


# -- legal holds -------------------------------------------------------------------------


def place_hold(
    store: Store, *, scope: HoldScope | str, target: str, reason: str, by: str, now: datetime
) -> LegalHold:
    """Place a legal hold; returns it with its new id (``H-…``)."""
    require_aware(now, "place_hold: now")
    hold = LegalHold(id=_new_id("H"), scope=scope, target=target, reason=reason, at=now, by=by)
    ps = privacy_store(store)
    with ps.unit_of_work() as uow:
        uow.legal_holds.add(hold)
        uow.commit()
    return hold


def release_hold(store: Store, hold_id: str, *, now: datetime) -> LegalHold:
    """Release the hold ``hold_id`` (it stays on record, released at ``now``)."""
    require_aware(now, "release_hold: now")
    ps = privacy_store(store)
    with ps.unit_of_work() as uow:
        stored = uow.legal_holds.get(hold_id)
        hold = stored.value.released(now)
        uow.legal_holds.save(hold, expected_version=stored.version)
        uow.commit()
    return hold


def list_holds(store: Store, *, released: bool = False) -> list[LegalHold]:
    """The holds in force (and the released ones with ``released=True``), by id."""
    return [s.value for s in privacy_store(store).legal_holds.iter() if released or s.value.in_force]


# -- retention ---------------------------------------------------------------------------


@attrs.frozen
class RetentionItem:
    """One thing a retention rule acts on: ``what`` (``ticket`` anonymised or
    ``contract`` deleted), its id, the rule, the holds that keep it, and how
    many places anonymising changes."""

    what: str
    id: str
    rule: RetentionRule
    holds: tuple[LegalHold, ...]
    places: int = 1


def plan_retention(
    store: Store,
    rules: Iterable[RetentionRule],
    *,
    now: datetime,
    is_closed: Callable[[str], bool],
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Iterator[RetentionItem]:
    """What ``rules`` would do at ``now``, streamed: every closed ticket due
    and not yet anonymised, every contract due. ``is_closed`` tells a closed
    status (from the transition graph)."""
    require_aware(now, "plan_retention: now")
    ps = privacy_store(store)
    rules = list(rules)
    holds = _holds(ps)
    for stored in ps.tickets.iter_tickets(batch_size=batch_size):
        for rule in rules:
            if rule.ticket_due(stored.value, now=now, is_closed=is_closed):
                _, places = anonymise(stored.value, record=f"ticket {stored.value.id}")
                if places:
                    yield RetentionItem(
                        "ticket", stored.value.id, rule, holds_on_ticket(holds, stored.value), len(places)
                    )
                break
    for contract in ps.contracts.iter(batch_size=batch_size):
        for rule in rules:
            if rule.contract_due(contract.value, now=now):
                covering = holds_on_contract(holds, contract.value)
                yield RetentionItem("contract", contract.value.id, rule, covering)
                break


@attrs.frozen
class RetentionResult:
    """What a retention run did (or would do, ``dry_run``): the items acted on,
    those kept by holds, and the proof — a fresh plan after the run finds
    nothing left to do but what holds keep."""

    done: tuple[RetentionItem, ...]
    held: tuple[RetentionItem, ...]
    dry_run: bool
    left_after: int
    record: AuditRecord | None = None

    @property
    def clean(self) -> bool:
        return self.dry_run or self.left_after == 0


def run_retention(
    store: Store,
    rules: Iterable[RetentionRule],
    *,
    by: str,
    now: datetime,
    is_closed: Callable[[str], bool],
    dry_run: bool = False,
    scrub: bool = True,
) -> RetentionResult:
    """Apply ``rules`` in one transaction: anonymise due closed tickets, delete
    due contracts; what a hold covers is kept and listed. Records an audit
    record (counts only), scrubs the files, and proves by planning again."""
    rules = list(rules)
    items = list(plan_retention(store, rules, now=now, is_closed=is_closed))
    todo = tuple(i for i in items if not i.holds)
    held = tuple(i for i in items if i.holds)
    if dry_run:
        return RetentionResult(todo, held, True, len(todo))
    ps = privacy_store(store)
    counts = {"ticket anonymised": 0, "contract deleted": 0}
    with ps.unit_of_work() as uow:
        for item in todo:
            if item.what == "ticket":
                stored = uow.tickets.get(item.id)
                new, _ = anonymise(stored.value, record=f"ticket {item.id}")
                uow.tickets.save(new, expected_version=stored.version)
                counts["ticket anonymised"] += 1
            else:
                contract = uow.contracts.get(item.id)
                uow.contracts.delete(item.id, expected_version=contract.version)
                counts["contract deleted"] += 1
        salt = _new_salt()
        record = AuditRecord(
            id=_new_id("R"), action="retention", subject=None, by=by, at=now, salt=salt,
            counts=counts, held=sorted({h.id for i in held for h in i.holds}),
        )
        uow.audit_records.add(record)
        uow.commit()
    if scrub and todo:
        ps.scrub(["tickets", "ticket_events", "contracts"])
    left = sum(1 for i in plan_retention(ps, rules, now=now, is_closed=is_closed) if not i.holds)
    return RetentionResult(todo, held, False, left, record)


__all__ = [
    "FINDINGS_KEPT",
    "Finding",
    "ForgetResult",
    "Proof",
    "RetentionItem",
    "RetentionResult",
    "consent_history",
    "export_person",
    "find_contact",
    "flag_forgotten",
    "forget_contact",
    "forget_employee",
    "forgotten_record_for",
    "list_holds",
    "mailing_audience",
    "place_hold",
    "plan_forget",
    "plan_retention",
    "privacy_store",
    "prove_forgotten",
    "record_consent",
    "release_hold",
    "replay",
    "run_retention",
    "summarise",
]
