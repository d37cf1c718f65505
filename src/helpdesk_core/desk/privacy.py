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
import random
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

import attrs

from helpdesk_core.desk.filters import check_company
from helpdesk_core.errors import ConflictError, HelpdeskError, NotFound, StorageUnavailable, ValidationError
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
from helpdesk_core.privacy.erasure import (
    Forgetting,
    Namesake,
    Place,
    PossibleMention,
    anonymise,
    forget_in,
    rewrite,
)
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
from helpdesk_core.privacy.matching import KIND_LABELS, IdentifierMatcher, Scope
from helpdesk_core.privacy.plan import Held, PlanSummary, PlanTally
from helpdesk_core.privacy.recognition import Recogniser, written_identifiers
from helpdesk_core.privacy.redaction import Redaction, about_them, others_among, strings_in, value_at
from helpdesk_core.privacy.retention import RetentionRule
from helpdesk_core.serialization import converter
from helpdesk_core.sla_states.keeping import keep_after_rewrite
from helpdesk_core.storage.protocols import (
    DEFAULT_BATCH_SIZE,
    Lookup,
    PrivacyStore,
    Reader,
    Repository,
    Store,
    Stored,
    TextCell,
)
from helpdesk_core.storage.urls import redacted
from helpdesk_core.suggestions import did_you_mean

FINDINGS_KEPT = 100
"""Findings of a proof listed by place; more are only counted."""
RETRY_ATTEMPTS = 6
"""Times an erasure's transaction is tried while other writers keep changing
the records it rewrites (each try rolls back whole)."""
RETRY_FIRST_DELAY = 0.05
"""Seconds waited before the second try; doubled before each further one (a
random half to all of it, so that writers fall out of step), at most
:data:`RETRY_MAX_DELAY`."""
RETRY_MAX_DELAY = 2.0
"""Seconds waited at most between two tries."""
SCRUB_ACTION = "scrub"
"""The audit action that records the completed physical scrub of an erasure
(its ``subject`` is the erasure's audit record id)."""
_ERASURES = ("forget-contact", "forget-employee", "retention")

_T = TypeVar("_T")

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

OUTBOX_TABLE = "outbox"
"""The out-box: its entries carry texts of the tickets (comment bodies, subjects)."""

_TABLE_OF_ATTRIBUTE = {
    "tickets": "tickets", OUTBOX_TABLE: OUTBOX_TABLE, **{name: name for name, _ in _OTHER_KINDS}
}


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
        if record.action != "forget-contact":
            continue
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
    mentions: list[PossibleMention] = attrs.field(factory=list)


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
    source: Any,
    forgetting: Forgetting,
    holds: list[LegalHold],
    *,
    batch_size: int,
    keep_values: bool = False,
    linked: LinkedRecords | None = None,
) -> Iterator[_Change]:
    """Every record of ``source`` (a store or a unit of work) that forgetting
    changes or that holds a possible mention, the person's own record first.
    ``linked``, when given, gathers the records linked to the person (for the
    proof)."""
    own_attribute = "contacts" if forgetting.person_kind == "contact" else "employees"
    own_reader: Reader[Any] = getattr(source, own_attribute)
    own = own_reader.get(forgetting.person_id)
    new, places = forget_in(
        own.value, forgetting, record=f"{forgetting.person_kind} {forgetting.person_id}", own=True,
        keep_values=keep_values,
    )
    if forgetting.person_kind == "employee" and new.active:
        new = attrs.evolve(new, active=False)
    if linked is not None:
        linked.add_record(own_attribute, forgetting.person_id)
    yield _Change(own_attribute, own, new, places, ())
    for attribute, label in _OTHER_KINDS:
        reader: Reader[Any] = getattr(source, attribute)
        for stored in reader.iter(batch_size=batch_size):
            if attribute == own_attribute and stored.value.id == forgetting.person_id:
                continue
            record = f"{label} {stored.value.id}"
            done = rewrite(stored.value, forgetting, record=record, keep_values=keep_values)
            if linked is not None and done.linked:
                linked.add_record(attribute, stored.value.id)
            if done.places or done.mentions:
                yield _Change(
                    attribute, stored, done.value, done.places, _holds_on(holds, stored.value), done.mentions
                )
    linked_tickets: set[str] = set()
    held_tickets: dict[str, tuple[LegalHold, ...]] = {}
    for stored in source.tickets.iter_tickets(batch_size=batch_size):
        ticket = stored.value
        done = rewrite(ticket, forgetting, record=f"ticket {ticket.id}", keep_values=keep_values)
        if linked is not None:
            linked.add_ticket(forgetting, ticket, linked=done.linked)
        if done.linked:
            linked_tickets.add(ticket.id)
        ticket_holds = _holds_on(holds, ticket)
        if ticket_holds:
            held_tickets[ticket.id] = ticket_holds
        if done.places or done.mentions:
            yield _Change("tickets", stored, done.value, done.places, ticket_holds, done.mentions)
    yield from _walk_outbox(source, forgetting, linked_tickets, held_tickets, batch_size, keep_values, linked)


def _walk_outbox(
    source: Any,
    forgetting: Forgetting,
    linked_tickets: set[str],
    held_tickets: dict[str, tuple[LegalHold, ...]],
    batch_size: int,
    keep_values: bool,
    linked: LinkedRecords | None,
) -> Iterator[_Change]:
    """The out-box entries forgetting changes: an entry is linked to the
    person when its ticket is, and kept unchanged when a hold keeps its ticket."""
    after = 0
    while page := source.outbox.entries(after=after, limit=batch_size):
        for entry in page:
            event = entry.event
            is_linked = event.ticket in linked_tickets
            done = rewrite(
                event, forgetting, record=f"out-box entry {entry.position}", keep_values=keep_values,
                linked=is_linked,
            )
            if linked is not None and is_linked:
                linked.add_record(OUTBOX_TABLE, str(entry.position))
            if done.places or done.mentions:
                new = attrs.evolve(entry, event=done.value)
                entry_holds = held_tickets.get(event.ticket or "", ())
                yield _Change(OUTBOX_TABLE, Stored(entry, 1), new, done.places, entry_holds, done.mentions)
        after = page[-1].position


def find_namesakes(
    source: Any, identifiers: PersonIdentifiers, *, person: Namesake, batch_size: int = DEFAULT_BATCH_SIZE
) -> tuple[frozenset[Namesake], tuple[str, ...]]:
    """The other contacts and employees of ``source`` (a store or a unit of
    work) whose full name holds a form of the person's name — the same full
    name, the same surname, a declined form — as ``(kind, id)`` pairs, and their
    full names. Their own tickets and comments are not linked to the person,
    and their names are never taken for the person's. Without a ``source``
    (None) there are none."""
    if source is None:
        return frozenset(), ()
    matcher = IdentifierMatcher(identifiers)
    found: set[Namesake] = set()
    names: dict[str, None] = {}
    for attribute, kind in (("contacts", "contact"), ("employees", "employee")):
        reader: Reader[Any] = getattr(source, attribute)
        for stored in reader.iter(batch_size=batch_size):
            value: Contact | Employee = stored.value
            if (kind, value.id) == person:
                continue
            name = " ".join(p for p in (value.first_name.strip(), value.last_name.strip()) if p)
            if matcher.names_in(name):
                found.add((kind, value.id))
                names[name] = None
    return frozenset(found), tuple(names)


def _forgetting_of_contact(
    contact: Contact, salt: str, region: str | None, *, source: Any = None
) -> Forgetting:
    """How to forget ``contact``; with ``source`` (a store or a unit of work)
    their namesakes are found there."""
    identifiers = contact_identifiers(contact, region=region)
    namesakes, names = find_namesakes(source, identifiers, person=("contact", contact.id))
    return Forgetting(
        person_id=contact.id,
        person_kind="contact",
        identifiers=identifiers,
        pseudonym=pseudonym_for(contact.id, salt),
        company=contact.company,
        namesakes=namesakes,
        namesake_names=names,
    )


def _forgetting_of_employee(employee: Employee, salt: str, *, source: Any = None) -> Forgetting:
    identifiers = employee_identifiers(employee)
    namesakes, names = find_namesakes(source, identifiers, person=("employee", employee.id))
    return Forgetting(
        person_id=employee.id,
        person_kind="employee",
        identifiers=identifiers,
        pseudonym=pseudonym_for(employee.id, salt),
        namesakes=namesakes,
        namesake_names=names,
    )


# -- plan --------------------------------------------------------------------------------


PlanItem = Place | Held | PossibleMention
"""One item of a streamed plan: a place that changes, a record a hold keeps,
or a possible mention left for review."""


def plan_forget(
    store: Store, contact: str, *, region: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[PlanItem]:
    """Every place that forgetting the contact (external id or id) would change,
    streamed; a record covered by a legal hold comes as :class:`Held` (one per
    hold) instead of its places; a form of their name outside the records
    linked to them comes as a :class:`PossibleMention` (left unchanged, for a
    person to review). Nothing is written. Raises :class:`HeldByLaw` when a
    hold covers the contact's own record."""
    ps = privacy_store(store)
    stored = find_contact(ps, contact)
    holds = _holds(ps)
    refuse_if_held(f"contact {stored.value.id}", holds_on_contact(holds, stored.value))
    forgetting = _forgetting_of_contact(stored.value, _new_salt(), region, source=ps)
    yield from _plan_items(_walk(ps, forgetting, holds, batch_size=batch_size))


def _plan_items(changes: Iterable[_Change]) -> Iterator[PlanItem]:
    for change in changes:
        if change.holds and change.places:
            record = change.places[0].record
            for hold in change.holds:
                yield Held(record, hold, len(change.places))
        else:
            yield from change.places
        yield from change.mentions


def summarise(items: Iterable[PlanItem]) -> PlanSummary:
    """Counts per kind of a streamed plan."""
    tally = PlanTally()
    for item in items:
        if isinstance(item, Held):
            tally.hold(item.record, [item.hold], item.places)
        elif isinstance(item, PossibleMention):
            tally.mention(item)
        else:
            tally.add([item])
    return tally.summary()


def review_forget(
    store: Store, contact: str, *, region: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[PossibleMention]:
    """The possible mentions of the contact outside the records linked to
    them — where a form of their name stands that may be about them or about a
    namesake — streamed; forgetting leaves these unchanged."""
    for item in plan_forget(store, contact, region=region, batch_size=batch_size):
        if isinstance(item, PossibleMention):
            yield item


# -- proof -------------------------------------------------------------------------------


@attrs.frozen
class Finding:
    """A place where the scan still found an identifier: no value, only where."""

    table: str
    key: str
    column: str
    kind: str


class LinkedRecords:
    """The records linked to a forgotten person, as the proof finds them among
    the store's text cells (``table``, ``key``): their own record and consent
    ledger, the linked tickets, and per event row whether it is linked (a
    comment by a namesake in a linked ticket is not; a comment the person
    wrote in a namesake's ticket is). Gathered while the erasure walks."""

    def __init__(self) -> None:
        self._records: set[tuple[str, str]] = set()
        self._tickets: set[str] = set()
        self._exceptions: set[tuple[str, int]] = set()
        self._mixed: set[str] = set()

    def add_record(self, table: str, key: str) -> None:
        self._records.add((table, key))

    def add_ticket(self, forgetting: Forgetting, ticket: Ticket, *, linked: bool) -> None:
        if linked:
            self._tickets.add(ticket.id)
        for seq, event in enumerate(ticket.events):
            event_linked = linked
            if isinstance(event, Comment):
                event_linked = forgetting.linked_comment(event, in_linked_ticket=linked)
            if event_linked != linked:
                self._exceptions.add((ticket.id, seq))
                self._mixed.add(ticket.id)

    @property
    def count(self) -> int:
        """How many records are linked (tickets and others)."""
        return len(self._records) + len(self._tickets)

    def covers(self, cell: TextCell) -> bool | None:
        """Whether ``cell`` belongs to a linked record; None for an event row
        the store keys by its ticket only (SQLite, PostgreSQL) in a ticket whose
        events are not all alike."""
        if cell.table == "tickets":
            return cell.key in self._tickets
        if cell.table == "ticket_events":
            ticket, _, seq = cell.key.partition(" ")
            if not seq.isdigit():
                return None if ticket in self._mixed else ticket in self._tickets
            return (ticket in self._tickets) != ((ticket, int(seq)) in self._exceptions)
        return (cell.table, cell.key) in self._records


@attrs.frozen
class Proof:
    """The result of scanning every text of the store.

    ``scanned`` text values; ``remaining`` identifiers found where they must
    not be (the first :data:`FINDINGS_KEPT` listed in ``findings``) and
    ``held`` inside records a legal hold kept unchanged. What was searched is
    part of the proof: ``searched_everywhere`` the kinds looked for in every
    text value; ``searched_linked`` those looked for in the ``linked_records``
    (None: names were not searched at all); ``possible_mentions`` how many
    forms of the person's name the erasure found outside them and left for
    review (None when not known: a proof made on its own).
    """

    scanned: int
    remaining: int
    held: int
    findings: tuple[Finding, ...] = ()
    searched_everywhere: tuple[str, ...] = ()
    searched_linked: tuple[str, ...] = ()
    linked_records: int | None = None
    possible_mentions: int | None = None
    scrub_pending: tuple[str, ...] | None = None
    """The audit records of erasures whose physical scrub has not completed
    (empty: every one has); None when the files were not looked at."""

    @property
    def clean(self) -> bool:
        return self.remaining == 0

    @property
    def scrubbed(self) -> bool:
        """True when the tables are clean and the physical scrub of every erasure completed."""
        return self.clean and self.scrub_pending == ()

    def describe(self) -> str:
        """The verdict in one line, naming what was searched where."""
        verdict = "nothing found" if self.clean else f"{self.remaining} identifier(s) FOUND"
        kept = f"; {self.held} kept by legal holds" if self.held else ""
        forms = f" for their {_listed(self.searched_everywhere)}" if self.searched_everywhere else ""
        if self.linked_records is not None:
            also = tuple(k for k in self.searched_linked if k not in self.searched_everywhere)
            forms += f"; in the {self.linked_records} record(s) linked to them also for their {_listed(also)}"
        return (
            f"proof: scanned {self.scanned} text values in every table{forms}: {verdict}{kept}"
            f"{self._physical()}"
        )

    def _physical(self) -> str:
        if self.scrub_pending is None:
            return ""
        if not self.scrub_pending:
            return "; physical scrub complete"
        return (
            f"; physical scrub NOT complete for {', '.join(self.scrub_pending)}: the files may still hold "
            "erased values, run `helpdesk privacy scrub`"
        )

    def lines(self) -> list[str]:
        """The verdict, then what was not searched and what stays for review."""
        if self.linked_records is None:
            return [self.describe(), (
                "not searched: their name in any form (a name identifies them only in the records linked "
                "to them, and none were given)"
            )]
        left = (
            "their name outside the linked records was not searched"
            if self.possible_mentions is None
            else f"{self.possible_mentions} possible mention(s) of their name outside the linked records, "
            "for a person to review"
        )
        return [
            self.describe(),
            f"not erased: {left}",
            "not searched: the first name alone; the external id (hashed in the audit record)",
        ]


def _listed(labels: tuple[str, ...]) -> str:
    if not labels:
        return "nothing"
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


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
    linked: LinkedRecords | None = None,
    namesakes: Iterable[str] = (),
    held_records: Iterable[str] = (),
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Proof:
    """Scan every text column of every table: for the person's addresses and
    phone numbers everywhere, and — given the ``linked`` records — for every
    form of their name in those (``namesakes``: full names of other people,
    never taken for theirs). Findings in ``held_records`` (record ids a legal
    hold kept) are counted apart. The proof names exactly what it searched."""
    matcher = IdentifierMatcher(identifiers, namesakes=namesakes)
    held_ids = set(held_records)
    scanned = remaining = held = 0
    findings: list[Finding] = []
    for cell in privacy_store(store).scan_text(batch_size=batch_size):
        scanned += 1
        covered = linked.covers(cell) if linked is not None else False
        scope = Scope.LINKED if covered else Scope.ELSEWHERE
        hit = next((h for text in _strings(cell.text) for h in matcher.hits(text, scope)), None)
        if hit is None:
            continue
        if cell.key.partition(" ")[0] in held_ids or cell.key in held_ids:
            held += 1
        else:
            remaining += 1
            if len(findings) < FINDINGS_KEPT:
                findings.append(Finding(cell.table, cell.key, cell.column, hit.kind))
    return Proof(
        scanned,
        remaining,
        held,
        tuple(findings),
        searched_everywhere=matcher.searched(Scope.ELSEWHERE),
        searched_linked=matcher.searched(Scope.LINKED) if linked is not None else (),
        linked_records=linked.count if linked is not None else None,
    )


# -- retrying and scrubbing -------------------------------------------------------------


def _retrying(what: str, transaction: Callable[[], _T]) -> _T:
    """Run ``transaction`` (one unit of work, rolled back whole on a conflict)
    and run it again with a growing pause while other writers keep changing
    its records, :data:`RETRY_ATTEMPTS` times at most; then a
    :class:`ConflictError` that says so."""
    for attempt in range(1, RETRY_ATTEMPTS + 1):
        try:
            return transaction()
        except ConflictError as error:
            if attempt == RETRY_ATTEMPTS:
                raise ConflictError(
                    f"{what}: other writers changed the records it rewrites during each of "
                    f"{RETRY_ATTEMPTS} attempts (last: {error}); nothing was changed, "
                    "run it again when the desk is quieter"
                ) from error
            delay = min(RETRY_MAX_DELAY, RETRY_FIRST_DELAY * 2 ** (attempt - 1))
            time.sleep(random.uniform(delay / 2, delay))
    raise AssertionError("unreachable: the last attempt returns or raises")


def unscrubbed_erasures(store: Store) -> list[AuditRecord]:
    """The audit records of erasures (forget, retention) that changed something
    and whose physical scrub has not completed — a crash or an error between
    the erasure's commit and the end of its scrub. Their old values may still
    be in the store's files until :func:`finish_scrub` runs."""
    records = [s.value for s in privacy_store(store).audit_records.iter()]
    done = {r.subject for r in records if r.action == SCRUB_ACTION}
    return [r for r in records if r.action in _ERASURES and r.id not in done and any(r.counts.values())]


def _scrub(
    store: PrivacyStore, tables: Iterable[str], *, by: str, now: datetime, erasure: str | None
) -> tuple[str, tuple[str, ...]]:
    """Scrub the files after ``erasure`` committed — every table when earlier
    erasures are still unscrubbed — and record each completed scrub in the
    audit trail. Returns what the scrub did (or why it did not complete) and
    the erasures still unscrubbed."""
    pending = unscrubbed_erasures(store)
    ids = tuple(r.id for r in pending)
    names = sorted(tables) if set(ids) <= {erasure} else []
    try:
        said = store.scrub(names)
    except HelpdeskError as error:
        return f"the physical scrub did NOT complete: {error}", ids

    def record() -> None:
        with store.unit_of_work() as uow:
            for erased in pending:
                uow.audit_records.add(
                    AuditRecord(
                        id=_new_id("S"), action=SCRUB_ACTION, subject=erased.id, by=by, at=now,
                        salt=_new_salt(),
                    )
                )
            uow.commit()

    if pending:
        _retrying("record the scrub", record)
    return said, ()


def prove_erasures(
    store: Store,
    records: Sequence[AuditRecord],
    *,
    region: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Proof:
    """Scan every text column for e-mail addresses and phone numbers whose
    keyed hash is in one of ``records``: the proof that can still be given once
    the plain values are forgotten (:mod:`helpdesk_core.privacy.recognition`
    says exactly what it finds). Names are not searched: a name is an
    identifier only in the records linked to the person, which are no longer
    known, and a namesake keeps their own. Findings in records a hold named
    by the record kept are counted apart.
    Without a record that has hashes nothing is scanned (``scanned`` is 0)."""
    ps = privacy_store(store)
    recogniser = Recogniser(records)
    if not recogniser:
        return Proof(0, 0, 0)
    held_ids = _held_by(ps, {h for r in records for h in r.held})
    scanned = remaining = held = 0
    findings: list[Finding] = []
    for cell in ps.scan_text(batch_size=batch_size):
        scanned += 1
        for text in _strings(cell.text):
            kind = recogniser.kind_in(written_identifiers(text, region=region, with_names=False))
            if kind is None:
                continue
            if cell.key.split(" ")[0] in held_ids:
                held += 1
            else:
                remaining += 1
                if len(findings) < FINDINGS_KEPT:
                    findings.append(Finding(cell.table, cell.key, cell.column, kind))
            break
    return Proof(
        scanned,
        remaining,
        held,
        tuple(findings),
        searched_everywhere=tuple(f"{KIND_LABELS[kind]} (by keyed hash)" for kind in ("email", "phone")),
    )


def _held_by(store: PrivacyStore, hold_ids: set[str]) -> set[str]:
    """The ids of the records the holds ``hold_ids`` cover."""
    holds = [s.value for s in store.legal_holds.iter() if s.value.id in hold_ids]
    if not holds:
        return set()
    found = {s.value.id for s in store.tickets.iter_tickets() if holds_on_ticket(holds, s.value)}
    for attribute in ("companies", "contacts", "contracts"):
        reader: Reader[Any] = getattr(store, attribute)
        found |= {s.value.id for s in reader.iter() if _holds_on(holds, s.value)}
    return found


@attrs.frozen
class ScrubResult:
    """What :func:`finish_scrub` did: the erasures whose physical scrub it
    completed, what the scrub did, and the proof (by keyed hashes)."""

    finished: tuple[AuditRecord, ...]
    scrubbed: str
    proof: Proof


def finish_scrub(
    store: Store,
    *,
    by: str,
    now: datetime,
    region: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ScrubResult:
    """Finish the physical erasure: scrub every table of the store (SQLite:
    VACUUM and WAL truncation; PostgreSQL: VACUUM FULL), record the scrub of
    every erasure that was waiting for it (:func:`unscrubbed_erasures`), and
    prove by keyed hashes that no text holds their identifiers. Safe to run any
    time, again and again; after a crash between an erasure and its scrub it is
    what removes the old values from the files."""
    require_aware(now, "finish_scrub: now")
    ps = privacy_store(store)
    pending = unscrubbed_erasures(ps)
    scrubbed, still = _scrub(ps, (), by=by, now=now, erasure=None)
    proof = prove_erasures(ps, pending, region=region, batch_size=batch_size)
    return ScrubResult(tuple(pending), scrubbed, attrs.evolve(proof, scrub_pending=still))


# -- forget ------------------------------------------------------------------------------


@attrs.frozen
class ForgetResult:
    """What forgetting did: the audit record (which holds the counts), the plan
    summary, the files the person sent (sha256 digests, for the file store to
    delete — not kept anywhere by the desk), what the scrub did, the proof,
    and the first :data:`FINDINGS_KEPT` possible mentions left unchanged (the
    summary counts them all)."""

    record: AuditRecord
    summary: PlanSummary
    sent_files: tuple[str, ...]
    scrubbed: str
    proof: Proof
    review: tuple[PossibleMention, ...] = ()


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
    erased = _retrying(
        f"{action.replace('-', ' ')} {forgetting.person_id}",
        lambda: _erase(
            store, forgetting, action=action, by=by, now=now, salt=salt,
            extra_identifiers=extra_identifiers, batch_size=batch_size,
        ),
    )
    record = erased.record
    if scrub:
        scrubbed, pending = _scrub(store, erased.tables, by=by, now=now, erasure=record.id)
    else:
        scrubbed, pending = "not scrubbed (scrub=False)", tuple(r.id for r in unscrubbed_erasures(store))
    proof = prove_forgotten(
        store,
        forgetting.identifiers,
        linked=erased.linked,
        namesakes=forgetting.namesake_names,
        held_records=erased.held_ids,
        batch_size=batch_size,
    )
    proof = attrs.evolve(proof, possible_mentions=erased.summary.possible_mentions, scrub_pending=pending)
    return ForgetResult(
        record, erased.summary, tuple(dict.fromkeys(erased.sent)), scrubbed, proof, tuple(erased.review)
    )


@attrs.frozen
class _Erased:
    """What the erasure's transaction did: its audit record, the plan summary,
    the files sent, the ids of held records, the tables written, the records
    linked to the person and the first possible mentions left for review."""

    record: AuditRecord
    summary: PlanSummary
    sent: list[str]
    held_ids: set[str]
    tables: set[str]
    linked: LinkedRecords
    review: list[PossibleMention]


def _erase(
    store: PrivacyStore,
    forgetting: Forgetting,
    *,
    action: str,
    by: str,
    now: datetime,
    salt: str,
    extra_identifiers: PersonIdentifiers | None,
    batch_size: int,
) -> _Erased:
    """The erasure's one transaction (see :class:`_Erased`)."""
    holds = _holds(store)
    tally = PlanTally()
    sent: list[str] = []
    held_ids: set[str] = set()
    tables: set[str] = set()
    review: list[PossibleMention] = []
    linked = LinkedRecords()
    with store.unit_of_work() as uow:
        for change in _walk(uow, forgetting, holds, batch_size=batch_size, linked=linked):
            for mention in change.mentions:
                tally.mention(mention)
                if len(review) < FINDINGS_KEPT:
                    review.append(mention)
            if not change.places and change.new is change.stored.value:
                continue
            if change.attribute == OUTBOX_TABLE:
                if change.holds:  # its ticket's hold keeps it (the ticket is named as held)
                    held_ids.add(str(change.new.position))  # the key the store's scan gives it
                    tally.hold(change.places[0].record, change.holds, len(change.places))
                    continue
                uow.outbox.rewrite(change.new)
                tally.add(change.places)
                tables.add(OUTBOX_TABLE)
                continue
            if change.holds:
                held_ids.add(change.stored.value.id)
                tally.hold(change.places[0].record, change.holds, len(change.places))
                continue
            repository: Repository[Any] = getattr(uow, change.attribute)
            # a ticket's stored SLA state: forgetting changes nothing the SLA
            # reads, so the state read before the rewrite is put again after it
            sla_state = uow.sla_states.get(change.stored.value.id) if change.attribute == "tickets" else None
            try:
                repository.save(change.new, expected_version=change.stored.version)
                keep_after_rewrite(uow, sla_state)
            except ConflictError as conflict:
                own = change.attribute in ("contacts", "employees")
                if own and change.stored.value.id == forgetting.person_id:
                    raise
                # rewritten on a newer version: its state stays stale (a reader folds it)
                change = _on_latest(repository, change, forgetting, conflict)
            if isinstance(change.stored.value, Ticket):
                sent += _sent_files(change.stored.value, forgetting)
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
    return _Erased(record, summary, sent, held_ids, tables, linked, review)


def _on_latest(
    repository: Repository[Any], change: _Change, forgetting: Forgetting, conflict: ConflictError
) -> _Change:
    """``change`` done again on the latest committed version of its record, in
    the same transaction, after a writer saved the record between the walk's
    read and the save (a comment appended on a busy desk). Reading it again
    inside the transaction sees that commit (SQLite: the single writer;
    PostgreSQL: READ COMMITTED; a stale version does not abort the transaction
    there), so the save that follows rarely meets another one; if it does, or
    a backend spoiled the unit of work on the conflict, the whole transaction
    is tried again (:func:`_retrying`)."""
    try:
        fresh = repository.get(change.stored.value.id)
    except StorageUnavailable:
        raise conflict from None
    new, places = forget_in(fresh.value, forgetting, record=change.places[0].record)
    if places:
        repository.save(new, expected_version=fresh.version)
    return _Change(change.attribute, fresh, new, places, change.holds)


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
    forgetting = _forgetting_of_contact(stored.value, salt, region, source=ps)
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
    forgetting = _forgetting_of_employee(stored.value, salt, source=ps)
    return _forget(
        ps, forgetting, action="forget-employee", by=by, now=now, salt=salt,
        extra_identifiers=None, scrub=scrub, batch_size=batch_size,
    )


def _is_forgotten(value: Contact | Employee) -> bool:
    return value.first_name.startswith(PSEUDONYM_PREFIX)


@attrs.frozen
class ReplayItem:
    """One person to forget again: the audit ``record`` that says they were
    forgotten, the ``person`` (``contact`` or ``employee``) and their ``id``
    in this store, and ``because``: the kinds of identifier that match the
    record's keyed hashes (``email``, ``phone``, ``id`` — the external id — or
    ``same id and name``: the record's own subject, back with its name)."""

    record: AuditRecord
    person: str
    id: str
    because: tuple[str, ...]

    def describe(self) -> str:
        return (
            f"forget {self.person} {self.id} again: matches audit record {self.record.id} "
            f"of {self.record.at.date().isoformat()} by {', '.join(self.because)}"
        )


@attrs.frozen
class ReplayPlan:
    """What :func:`replay` would do: the people to forget again, the region
    their phone numbers were read in, and how many erasure records of persons were read."""

    items: tuple[ReplayItem, ...]
    region: str | None
    records_read: int

    def lines(self) -> list[str]:
        """The plan as people read it: one line per person, then the total."""
        out = [item.describe() for item in self.items]
        out.append(f"{len(self.items)} person(s) to forget again, from {self.records_read} audit record(s)")
        return out


def _same_person(
    record: AuditRecord, identifiers: PersonIdentifiers, *, same_id: bool
) -> tuple[str, ...]:
    """Why the person of ``identifiers`` is the one ``record`` forgot, or ()
    when they may be a namesake: a unique identifier hashes alike, or they
    are the record's own subject (same id) and the name hashes alike too."""
    because = record.matched_by(identifiers)
    if not because and same_id and record.name_matches(identifiers):
        because = ("same id and name",)
    return because


def plan_replay(
    store: Store, *, records: Iterable[AuditRecord] | None = None, region: str | None = None
) -> ReplayPlan:
    """Everybody the audit trail says was forgotten who is back — a restored
    backup, a re-import — recognised only as the *same person*: by the keyed
    hashes of an external id, e-mail or phone number, or as the record's own
    subject with the same name; never by a name alone (a namesake is somebody
    else). Nothing is written. ``records`` default to the store's own trail
    (pass the trail kept elsewhere when the backup predates it)."""
    ps = privacy_store(store)
    trail = [
        r
        for r in (records if records is not None else (s.value for s in ps.audit_records.iter()))
        if r.action in ("forget-contact", "forget-employee")
    ]
    items: list[ReplayItem] = []
    chosen: set[tuple[str, str]] = set()
    contacts: list[tuple[str, PersonIdentifiers]] | None = None  # read once, when a record needs them
    for record in trail:
        if record.subject is None:
            continue
        if record.action == "forget-employee":
            employee = ps.employees.find(record.subject)
            if employee is not None and not _is_forgotten(employee.value):
                because = _same_person(record, employee_identifiers(employee.value), same_id=True)
                if because and ("employee", employee.value.id) not in chosen:
                    chosen.add(("employee", employee.value.id))
                    items.append(ReplayItem(record, "employee", employee.value.id, because))
            continue
        if contacts is None:
            contacts = [
                (s.value.id, contact_identifiers(s.value, region=region))
                for s in ps.contacts.iter()
                if not _is_forgotten(s.value)
            ]
        for contact_id, identifiers in contacts:
            if ("contact", contact_id) in chosen:
                continue
            because = _same_person(record, identifiers, same_id=contact_id == record.subject)
            if because:
                chosen.add(("contact", contact_id))
                items.append(ReplayItem(record, "contact", contact_id, because))
    return ReplayPlan(tuple(items), region, len(trail))


def replay(store: Store, plan: ReplayPlan, *, by: str, now: datetime) -> list[ForgetResult]:
    """Carry out ``plan`` (from :func:`plan_replay`): forget each person again
    with their record's salt, so the pseudonym is the same as before. A person
    forgotten meanwhile is skipped."""
    ps = privacy_store(store)
    results: list[ForgetResult] = []
    for item in plan.items:
        if item.person == "employee":
            employee = ps.employees.find(item.id)
            if employee is not None and not _is_forgotten(employee.value):
                results.append(forget_employee(ps, item.id, by=by, now=now, salt=item.record.salt))
            continue
        contact = ps.contacts.find(item.id)
        if contact is not None and not _is_forgotten(contact.value):
            results.append(
                forget_contact(ps, item.id, by=by, now=now, region=plan.region, salt=item.record.salt)
            )
    return results


# -- export ------------------------------------------------------------------------------


def _json(value: object) -> Any:
    return converter.unstructure(value)


def export_person(store: Store, contact: str, *, region: str | None = None) -> dict[str, Any]:
    """One JSON-ready document of the data about the contact (external id or
    id): their record's personal fields, their company, the tickets where they
    are the contact (with the public replies), the comments they wrote, and of
    every other record only the parts that name them — the places the erasure
    would change, the same walk over the same field registry, so the two cannot
    drift apart — their consent history and the legal holds on them.

    Other people's data is left out (GDPR Art. 15(4), the rights and freedoms
    of others): the subjects, descriptions and notes of tickets that are not
    theirs, and in every text shown, other people's names, addresses and
    numbers (:mod:`helpdesk_core.privacy.redaction`)."""
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
        after = change.new.event if change.attribute == OUTBOX_TABLE else change.new
        mentions += [
            {
                "record": p.record,
                "field": p.field,
                "value": _json(about_them(p.value, value_at(after, p.field))),
            }
            for p in change.places
        ]
    for s in ps.tickets.iter_tickets():
        ticket = s.value
        for comment in ticket.comments:
            if forgetting.authored(comment):
                shown = _json(comment)
                shown["mentions"] = [m for m in comment.mentions if m == person.id]
                comments.append({"ticket": ticket.id, **shown})
        if ticket.contact != person.id:
            continue
        tickets.append({
            "id": ticket.id, "subject": ticket.subject, "description": ticket.description,
            "created_at": ticket.created_at.isoformat(), "status": ticket.status, "company": ticket.company,
            "replies": [
                {"at": c.at.isoformat(), "author": c.author, "body": c.body}
                for c in ticket.comments
                if c.public and not forgetting.authored(c)
            ],
        })
    company = ps.companies.find(person.company) if person.company else None
    ledger = ps.consents.find(person.id)
    document: dict[str, Any] = {
        "contact": {"id": person.id, "company": person.company, **record_fields},
        "companies": [{"id": company.value.id, "name": company.value.name}] if company is not None else [],
        "tickets": tickets,
        "comments": comments,
        "mentions": mentions,
        "consent": [_json(c) for c in ledger.value.changes] if ledger is not None else [],
        "legal_holds": [_json(h) for h in _holds(ps) if holds_on_contact([h], person)],
    }
    others = others_among(
        strings_in(document), _other_people(ps, person.id, region), forgetting.identifiers
    )
    redacted: dict[str, Any] = Redaction.of(forgetting.identifiers, others).tree(document)
    return {**redacted, "left_out": EXPORT_LEFT_OUT}


EXPORT_LEFT_OUT = (
    "Other people's names, e-mail addresses and phone numbers are withheld, and of records that are "
    "not about you only the sentences naming you are shown ([…] marks what was left out): "
    "GDPR Art. 15(4), the rights and freedoms of others."
)
"""The note an export carries about what it leaves out."""


def _other_people(store: PrivacyStore, person_id: str, region: str | None) -> Iterator[PersonIdentifiers]:
    """The identifiers of every contact but ``person_id`` and of every employee, streamed."""
    for s in store.contacts.iter():
        if s.value.id != person_id:
            yield contact_identifiers(s.value, region=region)
    for e in store.employees.iter():
        yield employee_identifiers(e.value)


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
    address; streamed in contact id order. A purpose no contact was ever asked
    about is refused (:class:`ValidationError`, with the closest recorded
    purposes) before anything is streamed: a mistyped one would otherwise look
    like nobody to mail."""
    ps = privacy_store(store)
    recorded = {p for stored in ps.consents.iter() for p in stored.value.purposes}
    if purpose not in recorded:
        known = f" (recorded: {', '.join(sorted(recorded))})" if recorded else " (none is recorded yet)"
        raise ValidationError(
            f"no consent to {purpose!r} is recorded for anybody{known}{did_you_mean(purpose, recorded)}"
        )
    return _audience(ps, purpose)


def _audience(ps: PrivacyStore, purpose: str) -> Iterator[Recipient]:
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
    """Place a legal hold; returns it with its new id (``H-…``). A target the
    store does not know is refused (:class:`NotFound`): a hold on a mistyped id
    would hold nothing. A company is known when stored or named by a ticket."""
    require_aware(now, "place_hold: now")
    hold = LegalHold(id=_new_id("H"), scope=scope, target=target, reason=reason, at=now, by=by)
    ps = privacy_store(store)
    _check_hold_target(ps, hold.scope, hold.target)
    with ps.unit_of_work() as uow:
        uow.legal_holds.add(hold)
        uow.commit()
    return hold


def _check_hold_target(store: PrivacyStore, scope: HoldScope, target: str) -> None:
    if scope is HoldScope.COMPANY:
        check_company(store, target)
        return
    readers: dict[HoldScope, Lookup[Any]] = {
        HoldScope.CONTACT: store.contacts,
        HoldScope.CONTRACT: store.contracts,
        HoldScope.TICKET: store.tickets,
    }
    if readers[scope].find(target) is not None:
        return
    suggestion = ""
    if scope is HoldScope.CONTACT:
        suggestion = did_you_mean(target, (stored.value.id for stored in store.contacts.iter()))
    elif scope is HoldScope.CONTRACT:
        suggestion = did_you_mean(target, (stored.value.id for stored in store.contracts.iter()))
    raise NotFound(f"{scope.value} {target!r} not found: a hold on it would hold nothing{suggestion}")


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
    scrub_pending: tuple[str, ...] = ()
    """Erasures whose physical scrub did not complete (run :func:`finish_scrub`)."""

    @property
    def clean(self) -> bool:
        return self.dry_run or (self.left_after == 0 and not self.scrub_pending)


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

    def apply() -> AuditRecord:
        counts = {"ticket anonymised": 0, "contract deleted": 0}
        with ps.unit_of_work() as uow:
            for item in todo:
                if item.what == "ticket":
                    stored = uow.tickets.get(item.id)
                    sla_state = uow.sla_states.get(item.id)
                    new, _ = anonymise(stored.value, record=f"ticket {item.id}")
                    uow.tickets.save(new, expected_version=stored.version)
                    keep_after_rewrite(uow, sla_state)  # anonymising keeps what the SLA reads
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
        return record

    record = _retrying("retention", apply)
    pending: tuple[str, ...] = ()
    if scrub and todo:
        _, pending = _scrub(ps, ["tickets", "ticket_events", "contracts"], by=by, now=now, erasure=record.id)
    elif todo:
        pending = (record.id,)
    left = sum(1 for i in plan_retention(ps, rules, now=now, is_closed=is_closed) if not i.holds)
    return RetentionResult(todo, held, False, left, record, pending)


__all__ = [
    "EXPORT_LEFT_OUT",
    "FINDINGS_KEPT",
    "Finding",
    "ForgetResult",
    "LinkedRecords",
    "PlanItem",
    "Proof",
    "ReplayItem",
    "ReplayPlan",
    "RetentionItem",
    "RetentionResult",
    "ScrubResult",
    "consent_history",
    "export_person",
    "find_contact",
    "find_namesakes",
    "finish_scrub",
    "flag_forgotten",
    "forget_contact",
    "forget_employee",
    "forgotten_record_for",
    "list_holds",
    "mailing_audience",
    "place_hold",
    "plan_forget",
    "plan_replay",
    "plan_retention",
    "privacy_store",
    "prove_erasures",
    "prove_forgotten",
    "record_consent",
    "release_hold",
    "replay",
    "review_forget",
    "run_retention",
    "summarise",
    "unscrubbed_erasures",
]
