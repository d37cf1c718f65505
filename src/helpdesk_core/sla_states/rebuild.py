"""Computing the stored SLA states again: ``helpdesk sla rebuild``, the
migration's fill, and whether a store's states are fresh.

:func:`rebuild` walks every ticket by id with its record
(:meth:`~helpdesk_core.storage.protocols.SlaStateReader.standing`), keeps the
records that are usable under the configuration (put under its fingerprint,
not stale, computed for the customer facts the ticket's company has now) and
folds the others' histories again — in worker processes when asked for more
than one job and the store can be opened by another process — writing each
batch of records in its own short unit of work (the desk's writers wait for
one batch, not the whole rebuild). Each record is written only while its
ticket keeps the version it was folded from, so a ticket the desk changed
meanwhile keeps the state the desk wrote.

**Resumable.** Whatever stops a rebuild (an error, Ctrl-C, ``kill -9``, a
power cut) leaves whole committed batches and nothing else; the next rebuild
keeps them and folds only the rest. The setting ``sla.fingerprint`` is set
(compare-and-set) only when every ticket was examined: it says "a complete
build under this configuration happened", which the queues and the dashboard
need before they trust the index.
"""

from __future__ import annotations

import json
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from helpdesk_core.config import Configuration
from helpdesk_core.errors import ConflictError, ValidationError
from helpdesk_core.model.parties import CustomerGroup
from helpdesk_core.reports.customers import customer_facts
from helpdesk_core.sla import NO_CUSTOMER, CustomerFacts
from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING, sla_fingerprint
from helpdesk_core.sla_states.keeping import sla_state_record_of
from helpdesk_core.sla_states.state import CustomerKey, customer_key
from helpdesk_core.storage import Store, open_store
from helpdesk_core.storage.protocols import SlaStateRecord, StandingState
from helpdesk_core.worker_processes import PARALLEL_FROM, available_cpus, shareable

DEFAULT_BATCH = 500
"""Records written per unit of work: short enough that the desk's writers
wait little for one, long enough to amortise a commit."""


@attrs.frozen
class RebuildSummary:
    """What a rebuild did: ``examined`` tickets, of which ``rebuilt`` got a
    new record, ``kept`` had a usable one, and ``skipped`` were written by
    somebody else while their state was computed (that writer keeps their
    state); ``seconds`` it took."""

    examined: int
    rebuilt: int
    kept: int
    seconds: float
    skipped: int = 0


@attrs.frozen
class Freshness:
    """Whether a store's SLA states were built under a configuration:
    ``fingerprint`` is the configuration's, ``in_store`` the setting
    ``sla.fingerprint`` (None: never built)."""

    fingerprint: str
    in_store: str | None

    @property
    def fresh(self) -> bool:
        """A complete build under this configuration happened (and every
        writer since kept the records)."""
        return self.in_store == self.fingerprint


def freshness(store: Store, config: Configuration) -> Freshness:
    """The freshness of ``store``'s SLA states for ``config`` (one setting read)."""
    return Freshness(sla_fingerprint(config), store.settings.get(FINGERPRINT_SETTING))


class _Customers:
    """The customer facts and key of each company as they are now, read once
    per company (a rebuild over a million tickets of a few thousand companies
    asks the store a few thousand times)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._groups: dict[str, CustomerGroup] | None = None
        self._facts: dict[str, CustomerFacts] = {}
        self._endings: dict[str | None, str] = {}

    def facts(self, company: str | None) -> CustomerFacts:
        if company is None:
            return NO_CUSTOMER
        found = self._facts.get(company)
        if found is None:
            if self._groups is None:
                self._groups = {group.value.id: group.value for group in self._store.customer_groups.iter()}
            stored = self._store.companies.find(company)
            found = customer_facts(None if stored is None else stored.value, self._groups)
            self._facts[company] = found
        return found

    def key(self, company: str | None) -> CustomerKey | None:
        return customer_key(self.facts(company))

    def ending(self, company: str | None) -> str:
        """How a document written for ``company``'s customer facts as they are
        now ends: its last member, ``"customer"``, in the compact JSON the
        writers write (``serialization.ticket_sla_state_to_json``)."""
        found = self._endings.get(company)
        if found is None:
            key = self.key(company)
            value = None if key is None else [key[0], list(key[1]), [list(pair) for pair in key[2]]]
            found = self._endings[company] = f'"customer":{_COMPACT(value)}}}'
        return found


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _stored_customer(document: str) -> tuple[bool, CustomerKey | None]:
    """The customer key a stored document was computed for (False: unreadable)."""
    try:
        found = json.loads(document)["customer"]
        if found is None:
            return True, None
        category, groups, rules = found
        return True, (category, tuple(groups), tuple((group, rule) for group, rule in rules))
    except (ValueError, KeyError, TypeError):
        return False, None


def _usable(standing: StandingState, customers: _Customers) -> bool:
    """Whether ``standing``'s record can be kept: under the fingerprint, not
    stale (the store checked both), and for the customer the ticket has now.
    A document ending as the writers end one for that customer is compared
    without being parsed (a resumed rebuild over a million kept states reads
    them at the speed of the store); any other is parsed."""
    document = standing.document
    if document is None:
        return False
    if document.endswith(customers.ending(standing.company)):
        return True
    readable, stored = _stored_customer(document)
    return readable and stored == customers.key(standing.company)


Folded = tuple[list[SlaStateRecord], dict[str, int]]
"""Records computed from tickets, and the version of each ticket they follow."""


class _Folder:
    """Folds tickets into records: what the rebuild's process, or each worker
    process, holds (its own store connection and customer cache)."""

    def __init__(self, store: Store, config: Configuration, fingerprint: str) -> None:
        self.store = store
        self.config = config
        self.fingerprint = fingerprint
        self.customers = _Customers(store)

    def fold(self, ids: list[str]) -> Folded:
        records = []
        versions = {}
        found = self.store.tickets.find_many(ids)
        for ticket_id in ids:
            stored = found.get(ticket_id)
            if stored is None:  # deleted since it was listed
                continue
            ticket = stored.value
            record = sla_state_record_of(
                ticket, config=self.config, customer=self.customers.facts(ticket.company),
                fingerprint=self.fingerprint,
            )  # fmt: skip
            records.append(record)
            versions[ticket_id] = stored.version
        return records, versions


_worker: _Folder | None = None


def _start(url: str, config: Configuration, fingerprint: str) -> None:
    global _worker
    # Ctrl-C reaches the whole process group: the parent alone answers it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = _Folder(open_store(url), config, fingerprint)


def _fold(ids: list[str]) -> Folded:
    assert _worker is not None, "the pool initializer did not run"
    return _worker.fold(ids)


def _jobs(store: Store, jobs: int | None) -> int:
    """Worker processes: none for a store only this process can open or a
    platform without ``fork``; else what was asked (default: the CPUs from
    :data:`PARALLEL_FROM` tickets), at most the CPUs."""
    if not shareable(store.url):
        return 1
    if jobs is None:
        jobs = available_cpus() if store.tickets.count() >= PARALLEL_FROM else 1
    if min(jobs, available_cpus()) <= 1:
        return 1  # one process: multiprocessing is not even imported
    import multiprocessing

    return min(jobs, available_cpus()) if "fork" in multiprocessing.get_all_start_methods() else 1


def _needing(
    store: Store, fingerprint: str, customers: _Customers, batch: int, tally: list[int],
    progress: Callable[[int], None] | None,
) -> Iterator[list[str]]:  # fmt: skip
    """Batches of ids of the tickets whose record cannot be kept, in id order;
    ``tally`` counts [examined, kept] as the walk goes (kept ones are reported
    to ``progress`` at once)."""
    after: str | None = None
    pending: list[str] = []
    while True:
        page = store.sla_states.standing(fingerprint, after=after, limit=batch)
        if not page:
            break
        after = page[-1].ticket
        kept = 0
        for standing in page:
            if _usable(standing, customers):
                kept += 1
            else:
                pending.append(standing.ticket)
        tally[0] += len(page)
        tally[1] += kept
        if progress is not None and kept:
            progress(kept)
        while len(pending) >= batch:
            yield pending[:batch]
            pending = pending[batch:]
    if pending:
        yield pending


def rebuild(
    store: Store,
    config: Configuration,
    *,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = DEFAULT_BATCH,
) -> RebuildSummary:
    """Compute again every ticket's stored SLA state that cannot be kept under
    ``config`` (missing, stale, of another fingerprint or another customer
    key), ``batch`` records per unit of work, folding in ``jobs`` worker
    processes (None: one per CPU from :data:`PARALLEL_FROM` tickets on; a
    ``memory://`` store always folds in this process); then set the store
    setting ``sla.fingerprint`` to the configuration's. ``progress`` is called
    with the number of tickets done since its last call (kept or written).

    A configuration without SLA rules builds states that say ``no_sla``, as
    the desk's writers keep them (:func:`~helpdesk_core.sla_states.keeping.sla_policy`).
    Resumable: an interrupted rebuild leaves whole batches; the next keeps them."""
    if batch < 1:
        raise ValidationError(f"rebuild: batch must be at least 1, got {batch}")
    started = time.monotonic()
    fingerprint = sla_fingerprint(config)
    folder = _Folder(store, config, fingerprint)
    tally = [0, 0]  # examined, kept
    rebuilt = skipped = 0

    def write(folded: Folded, asked: int) -> None:
        nonlocal rebuilt, skipped
        records, versions = folded
        with store.unit_of_work() as uow:
            written = uow.sla_states.put_many(records, ticket_versions=versions)
            uow.commit()
        rebuilt += written
        skipped += asked - written
        if progress is not None:
            progress(asked)

    batches = _needing(store, fingerprint, folder.customers, batch, tally, progress)
    workers = _jobs(store, jobs)
    if workers == 1:
        for ids in batches:
            write(folder.fold(ids), len(ids))
    else:
        for folded, asked in _folded_in_workers(store.url, config, fingerprint, workers, batches):
            write(folded, asked)
    _set_fingerprint(store, fingerprint)
    examined, kept = tally
    return RebuildSummary(
        examined=examined, rebuilt=rebuilt, kept=kept, seconds=time.monotonic() - started, skipped=skipped
    )


def _folded_in_workers(
    url: str, config: Configuration, fingerprint: str, jobs: int,
    batches: Iterator[list[str]],
) -> Iterator[tuple[Folded, int]]:  # fmt: skip
    """Each batch folded by one of ``jobs`` forked workers, in order; at most
    two batches per worker in flight, so the ids and records held stay few."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_start, initargs=(url, config, fingerprint)) as pool:
        pending: deque[tuple[Any, int]] = deque()
        for ids in batches:
            pending.append((pool.apply_async(_fold, (ids,)), len(ids)))
            while len(pending) >= 2 * jobs:
                result, asked = pending.popleft()
                yield result.get(), asked
        while pending:
            result, asked = pending.popleft()
            yield result.get(), asked


def _set_fingerprint(store: Store, fingerprint: str) -> None:
    """Set ``sla.fingerprint`` (compare-and-set on the value read); a rebuild
    that finished at the same time under the same configuration is no conflict."""
    current = store.settings.get(FINGERPRINT_SETTING)
    if current == fingerprint:
        return
    try:
        with store.unit_of_work() as uow:
            uow.settings.put(FINGERPRINT_SETTING, fingerprint, expected=current)
            uow.commit()
    except ConflictError:
        if store.settings.get(FINGERPRINT_SETTING) != fingerprint:
            raise


__all__ = [
    "DEFAULT_BATCH",
    "PARALLEL_FROM",
    "Freshness",
    "RebuildSummary",
    "freshness",
    "rebuild",
    "shareable",
]
