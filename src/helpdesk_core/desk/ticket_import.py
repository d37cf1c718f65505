"""Importing ticket histories: every line checked, then one transaction;
histories only ever grow (a file that contradicts a stored one is refused)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import attrs

from helpdesk_core.config import Configuration
from helpdesk_core.errors import ValidationError
from helpdesk_core.imports.readers import text_lines
from helpdesk_core.imports.report import ImportRejected
from helpdesk_core.model.catalog import Catalogs
from helpdesk_core.model.domain_events import ScheduleEntry
from helpdesk_core.model.history import HistoryDiverges, events_beyond
from helpdesk_core.model.references import NOUNS, PartyKind, parties_named
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.reports.customers import customer_directory
from helpdesk_core.serialization import ticket_from_json
from helpdesk_core.sla_states.fingerprint import sla_fingerprint
from helpdesk_core.sla_states.keeping import adopt_when_empty, keep_sla_state, withdraw_fingerprint
from helpdesk_core.storage.protocols import STALE_WAKEUP, Reader, Store, UnitOfWork
from helpdesk_core.workflow import AutomationPolicy, TransitionGraph, check_history


class ImportRefused(ValidationError):
    """An import file with a bad line; nothing of the file was stored."""


@attrs.frozen
class HistoryImportSummary:
    """What a ticket-history import did, ticket by ticket: ``created`` new
    tickets, ``appended`` stored tickets whose history the file continued
    (``events_appended`` events in all), ``unchanged`` stored tickets whose
    history the file holds whole or in part (an older copy changes nothing)."""

    created: int = 0
    appended: int = 0
    unchanged: int = 0
    events_appended: int = 0
    skipped: tuple[str, ...] = ()
    """With ``skip_invalid``: why each line left out was refused, in file order."""


def read_ticket_histories(
    lines: Iterable[str],
    *,
    graph: TransitionGraph,
    policy: AutomationPolicy | None = None,
    catalogs: Catalogs | None = None,
    source: str = "input",
) -> Iterator[Ticket]:
    """Parse ticket-history JSONL and replay each history through the workflow.

    Raises :class:`ImportRefused` naming ``source``, the line number (1-based)
    and the reason at the first line that cannot be imported. Blank lines are
    skipped; a ticket id seen twice in one file is refused.
    """
    for _, checked in _checked_histories(
        enumerate(lines, start=1), graph=graph, policy=policy, catalogs=catalogs, source=source
    ):
        if isinstance(checked, ImportRefused):
            raise checked
        yield checked


def _checked_histories(
    lines: Iterable[tuple[int, str]],
    *,
    graph: TransitionGraph,
    policy: AutomationPolicy | None,
    catalogs: Catalogs | None,
    source: str,
) -> Iterator[tuple[int, Ticket | ImportRefused]]:
    """Each non-blank line's ticket, or why it cannot be imported."""
    seen: dict[str, int] = {}
    for number, line in lines:
        if not line.strip():
            continue
        try:
            ticket = ticket_from_json(line)
            check_history(ticket, graph, policy=policy)
            if catalogs is not None:
                catalogs.check_ticket(ticket)
        except ValidationError as error:
            yield number, ImportRefused(f"{source} line {number}: {error}")
            continue
        if ticket.id in seen:
            yield number, ImportRefused(
                f"{source} line {number}: ticket {ticket.id} appears again (first on line {seen[ticket.id]})"
            )
            continue
        seen[ticket.id] = number
        yield number, ticket


def import_ticket_histories(
    path: Path | str,
    *,
    store: Store,
    graph: TransitionGraph,
    policy: AutomationPolicy | None = None,
    catalogs: Catalogs | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    handled_through: datetime | Literal["now"] | None = "now",
    config: Configuration | None = None,
) -> HistoryImportSummary:
    """Import a ticket-history JSONL file all-or-nothing: every line is checked
    before anything is written, and the write is one transaction.

    A ticket may only name parties the store knows: its company, its contact,
    who it is assigned to (a group when ``"group": true``) and its comments'
    authors (an employee, or a contact when ``"author": "contact"``) —
    import the customer base and the staff first. Histories are append-only:
    a ticket not stored is created; a stored one
    whose history the file holds whole or in part is left as it is; one the
    file continues gets the new events; one whose history the file contradicts
    (a registration field or an event that differs) refuses the whole import
    with :class:`ImportRefused` naming the line, the ticket and the first
    difference. A line longer than
    :data:`helpdesk_core.imports.readers.MAX_LINE_BYTES` is refused before it
    is read whole.

    With ``skip_invalid`` a bad line is left out instead (the rest imported)
    and the summary's ``skipped`` says which and why.

    ``handled_through``: up to which instant the system the histories come
    from already handled them — its escalation notices were sent, its
    follow-ups made. The scheduler (:meth:`Desk.run_due`) looks at every
    created ticket at once, applies the automatic status changes its history
    still owes (dated at their own instants), and sends only the notices due
    after this instant: ``"now"`` (the default) is the import's own instant,
    so moving ten years of history in does not flood the out-box with ten
    years of old deadline warnings; ``None`` settles each history from its
    registration. A ticket the file continues keeps what the desk checked.

    ``config``: the desk's configuration, under which every created or
    continued ticket's stored SLA state is kept in the same transaction (and
    the store setting ``sla.fingerprint`` adopted when the store held no
    ticket before). Without it the states are not kept and the setting is
    taken back: the queues fold until ``helpdesk sla rebuild``."""
    path = Path(path)
    through = datetime.now(UTC) if handled_through == "now" else handled_through
    if not path.exists():
        raise ImportRefused(f"{path}: no such file")
    skipped: list[ImportRefused] = []

    def refuse(error: ImportRefused) -> None:
        if not skip_invalid:
            raise error
        skipped.append(error)

    tickets: list[tuple[int, Ticket]] = []
    try:
        for number, checked in _checked_histories(
            text_lines(path), graph=graph, policy=policy, catalogs=catalogs, source=str(path)
        ):
            if isinstance(checked, ImportRefused):
                refuse(checked)
            else:
                tickets.append((number, checked))
    except ImportRejected as error:
        raise ImportRefused(str(error)) from None
    created = appended = unchanged = events = 0
    fingerprint = None if config is None else sla_fingerprint(config)
    with store.unit_of_work() as uow:
        customers = customer_directory(uow)

        def keep(written: Ticket) -> None:
            if config is not None and fingerprint is not None:
                keep_sla_state(
                    uow, written, config=config, customer=customers(written), fingerprint=fingerprint
                )

        known = _known_parties(uow, (ticket for _, ticket in tickets))
        for number, ticket in tickets:
            unknown = [r for r in parties_named(ticket) if r.id not in known[r.kind]]
            if unknown:
                refuse(ImportRefused(
                    f"{path} line {number}: ticket {ticket.id}: {unknown[0].unknown()} "
                    "(not in the store; import the customer base and the staff first)"
                ))
                continue
            existing = uow.tickets.find(ticket.id)
            if existing is None:
                uow.tickets.add(ticket)
                keep(ticket)
                if through is not None:
                    handled = ScheduleEntry(ticket=ticket.id, wake_at=STALE_WAKEUP, checked_through=through)
                    uow.schedule.put(handled, checked_through_was=None)
                created += 1
                continue
            try:
                new = events_beyond(existing.value, ticket)
            except HistoryDiverges as error:
                refuse(ImportRefused(f"{path} line {number}: {error}"))
                continue
            if not new:
                unchanged += 1
                continue
            uow.tickets.append(ticket.id, new, expected_version=existing.version)
            continued = existing.value
            for event in new:
                continued = continued.with_event(event)
            keep(continued)
            appended += 1
            events += len(new)
        if fingerprint is not None:
            adopt_when_empty(uow, fingerprint, written=created)
        elif created or appended:
            withdraw_fingerprint(uow)
        if not dry_run:
            uow.commit()
    return HistoryImportSummary(
        created, appended, unchanged, events, skipped=tuple(str(e) for e in skipped)
    )


def _known_parties(uow: UnitOfWork, tickets: Iterable[Ticket]) -> dict[PartyKind, set[str]]:
    """Of the parties ``tickets`` name, those the store holds, by kind (one
    lookup per kind)."""
    named: dict[PartyKind, set[str]] = {kind: set() for kind in NOUNS}
    for ticket in tickets:
        for reference in parties_named(ticket):
            named[reference.kind].add(reference.id)
    known: dict[PartyKind, set[str]] = {}
    for kind, ids in named.items():
        repository: Reader[Any] = getattr(uow, kind)
        known[kind] = set(repository.find_many(ids)) if ids else set()
    return known


__all__ = [
    "HistoryImportSummary",
    "ImportRefused",
    "import_ticket_histories",
    "read_ticket_histories",
]
