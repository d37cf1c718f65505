"""Planning an import: every row checked and mapped, every reference
resolved, and the outcome decided — created, updated, unchanged or rejected —
before anything is written.

Planning reads the store through :class:`Finder` (any storage ``Reader`` or
``Repository`` fits) and writes nothing; :func:`plan_import` returns the rows'
outcomes and the records to save. Every external id a file defines is learnt
before any row that may refer to it is mapped. Because a new record's id is
its external id, a reference can be resolved before the record it names
exists — so references work within one file and across the files of a
bundle in any order, cycles included. Files are mapped in the order of the
kinds, so most are referred to only by files mapped after them: those are
read once, each batch learnt and then mapped; a file a kind mapped earlier
refers to (employees, named by employee groups) is read a first time on its
own.

The second pass goes a batch of rows at a time: the stored records a batch
updates or names are looked up in two round trips (``find_many_by_external_id``
and ``find_many`` when the reader has them), and each finished record can be
handed straight on to be saved (``apply``), so neither the rows nor the
records of a long file are all held at once. A contract is the exception: it
is kept until its service periods are mapped, then built and written once.

Matching a row to a stored record: by external id; failing that, by id when
the stored record with that id has no external id (records created before,
e.g. by a ticket import, and exported with their id in ``external_id``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.imports import cells
from helpdesk_core.imports.cells import LIST_SEPARATOR
from helpdesk_core.imports.kinds import KINDS, Kind, Reference
from helpdesk_core.imports.mapping import (
    Record,
    RowContext,
    build_record,
    field_changes,
    with_period,
    with_periods,
)
from helpdesk_core.imports.readers import SourceFile, SourceRow
from helpdesk_core.imports.report import Outcome, RowResult
from helpdesk_core.model.contracts import Contract, ServicePeriod

REPOSITORIES: dict[str, str] = {
    "employee-groups": "employee_groups",
    "employees": "employees",
    "customer-groups": "customer_groups",
    "companies": "companies",
    "contacts": "contacts",
    "contracts": "contracts",
    "service-periods": "contracts",
    "service-objects": "service_objects",
    "equipment": "equipment",
}
"""Per kind, the repository (unit-of-work attribute) its records live in:
service periods are part of their contract."""

Progress = Callable[[str, int, int], None]
"""Told ``(file name, rows done, rows in the file)`` as rows are planned."""

_PROGRESS_EVERY = 500
"""Rows between two progress calls."""

if TYPE_CHECKING:
    from helpdesk_core.storage.protocols import Stored


class Finder(Protocol):
    """The reads planning needs of one kind of record (any storage ``Reader``).
    ``find_many`` and ``find_many_by_external_id`` are used when present."""

    def find(self, id: str) -> Stored[Any] | None: ...

    def get_by_external_id(self, external_id: str) -> Stored[Any] | None: ...


@attrs.frozen
class Write:
    """One record to save: into ``repository``, replacing ``expected_version``
    (None: a new record)."""

    repository: str
    value: Record
    expected_version: int | None


@attrs.frozen
class ImportPlan:
    """Every row's outcome (file order, then line order) and the writes."""

    rows: tuple[RowResult, ...]
    writes: tuple[Write, ...]
    warnings: tuple[str, ...]

    def problems(self) -> tuple[RowResult, ...]:
        """The rejected rows."""
        return tuple(r for r in self.rows if r.outcome == "rejected")


Excluded = Mapping[tuple[str, int], str]
"""Rows left out of a plan, ``(file name, line) → reason``."""


def _by_kind_order(sources: Sequence[SourceFile]) -> list[SourceFile]:
    order = list(KINDS)
    return sorted(sources, key=lambda s: order.index(s.kind.name))


class _Planner:
    def __init__(
        self,
        sources: Sequence[SourceFile],
        lookups: Mapping[str, Finder],
        *,
        region: str,
        excluded: Excluded,
        progress: Progress | None,
        apply: Apply | None,
    ) -> None:
        self.sources = _by_kind_order(sources)
        self.lookups = lookups
        self.excluded = excluded
        self.progress = progress
        self.apply = apply
        self.context = RowContext(region=region, resolve=self.resolve)
        self.defined: dict[str, dict[str, int]] = {}
        self.left_out: dict[str, dict[str, tuple[str, int]]] = {}
        self.ids: dict[tuple[str, str], str | None] = {}
        self.early: dict[tuple[str, int], RowResult] = {}
        self.rows: list[RowResult] = []
        self.warnings: dict[str, list[str]] = {}
        self.learned: set[str] = set()
        self.writes: list[Write] = []
        self.spoiled = False
        self.deferred: dict[str, tuple[Record, Stored[Any] | None]] = {}
        self.periods: dict[str, dict[date, ServicePeriod]] = {}
        """Per deferred contract taking service periods, its periods by first day."""
        self.by_external: dict[tuple[str, str], Stored[Any] | None] = {}
        self.by_id: dict[tuple[str, str], Stored[Any] | None] = {}

    # -- which external ids does this import define? ---------------------------

    def learning(self, source: SourceFile) -> _Learning:
        """Start learning ``source``'s rows (its state kept per file)."""
        self.defined.setdefault(source.kind.name, {})
        self.left_out.setdefault(source.kind.name, {})
        self.warnings.setdefault(source.name, [])
        return _Learning(source)

    def learn(self, source: SourceFile) -> None:
        """Learn every row of ``source`` ahead of mapping any (a first pass)."""
        learning = self.learning(source)
        # A readable CSV row has every column of the header: it is read with its
        # identity columns alone.
        for row in source.rows(source.kind.identity if source.format == "csv" else None):
            self.learn_row(learning, row)
        self.learned.add(source.name)

    def learn_row(self, learning: _Learning, row: SourceRow) -> str | None:
        """Note the external id ``row`` defines; an unreadable row, a missing
        identity or an id seen before is rejected before the row is mapped.
        Returns the row's key (:meth:`identity`) when it is not rejected."""
        source = learning.source
        kind = source.kind
        if source.format != "csv":
            self.warn_unknown(learning, row.values)
        elif not learning.header_told and row.problem is None:
            learning.header_told = True
            self.warn_unknown(learning, source.columns())
        if row.problem is not None:
            self.reject_early(source, row, "?", row.problem)
            return None
        try:
            identity = self.identity(kind, row)
        except ValidationError as error:
            self.reject_early(source, row, "?", str(error))
            return None
        reason = self.excluded.get((source.name, row.line))
        if reason is not None:
            if kind.identity == ("external_id",):
                self.left_out[kind.name].setdefault(identity, (source.name, row.line))
            self.reject_early(source, row, identity, reason)
            return None
        if kind.identity == ("external_id",):
            defined = self.defined[kind.name]
            first = defined.get(identity)
            if first is not None:
                self.reject_early(
                    source, row, identity,
                    f"external_id: {identity!r} appears again (first on line {first})",
                )
                return None
            defined[identity] = row.line
        else:
            periods_seen = learning.periods_seen
            pair = (str(row.values.get("contract", "")).strip(), identity.split(" ")[-1])
            if pair in periods_seen:
                self.reject_early(
                    source, row, identity,
                    f"start: the service period of contract {pair[0]!r} starting {pair[1]} "
                    f"appears again (first on line {periods_seen[pair]})",
                )
                return None
            periods_seen[pair] = row.line
        return identity

    def warn_unknown(self, learning: _Learning, keys: Iterable[str]) -> None:
        """Warn once about each of ``keys`` the kind does not know."""
        kind = learning.source.kind
        for key in keys:
            if key not in kind.keys and key not in learning.unknown_seen:
                learning.unknown_seen.add(key)
                self.warnings[learning.source.name].append(
                    f"{learning.source.name}: unknown column {key!r} is ignored "
                    f"(known: {', '.join(kind.keys)})"
                )

    @staticmethod
    def identity(kind: Kind, row: SourceRow) -> str:
        """The row's key as messages show it; a CellProblem when missing."""
        if kind.identity == _BY_EXTERNAL_ID:  # the common case: one text cell
            value = row.values.get("external_id")
            if type(value) is str and (stripped := value.strip()):
                return stripped
        parts = []
        for key in kind.identity:
            value = cells.day(key, row.values.get(key)) if key == "start" else cells.text(
                key, row.values.get(key)
            )
            if value is None:
                raise cells.CellProblem(f"{key}: required to identify a {kind.noun}, but it is empty")
            parts.append(str(value))
        return " ".join(parts)

    def rejected(self, source: SourceFile, row: SourceRow, key: str, reason: str) -> RowResult:
        if (source.name, row.line) not in self.excluded:
            self.spoiled = True
        return RowResult(source.name, row.line, source.kind.name, key, "rejected", reason=reason)

    def reject_early(self, source: SourceFile, row: SourceRow, key: str, reason: str) -> None:
        self.early[(source.name, row.line)] = self.rejected(source, row, key, reason)

    # -- reading the store, a batch of rows at a time ---------------------------

    def fetch(self, repository: str, external_ids: Iterable[str]) -> None:
        """Look up, in two round trips, the stored records these external ids
        name: by external id, and by id for those not found so (the fallback
        match and the check that a new record's id is free)."""
        lookup = self.lookups[repository]
        wanted = [e for e in dict.fromkeys(external_ids) if (repository, e) not in self.by_external]
        if not wanted:
            return
        found = _many_by_external_id(lookup, wanted)
        for external_id in wanted:
            stored = found.get(external_id)
            self.by_external[(repository, external_id)] = stored
            if stored is not None:
                self.by_id[(repository, stored.value.id)] = stored
        self.fetch_ids(repository, [e for e in wanted if e not in found])

    def fetch_ids(self, repository: str, ids: Iterable[str]) -> None:
        wanted = [i for i in dict.fromkeys(ids) if (repository, i) not in self.by_id]
        if wanted:
            found = _many(self.lookups[repository], wanted)
            for id_ in wanted:
                self.by_id[(repository, id_)] = found.get(id_)

    def stored_by_external_id(self, repository: str, external_id: str) -> Stored[Any] | None:
        key = (repository, external_id)
        if key not in self.by_external:
            self.by_external[key] = self.lookups[repository].get_by_external_id(external_id)
        return self.by_external[key]

    def stored_by_id(self, repository: str, id_: str) -> Stored[Any] | None:
        key = (repository, id_)
        if key not in self.by_id:
            self.by_id[key] = self.lookups[repository].find(id_)
        return self.by_id[key]

    def prefetch(
        self, source: SourceFile, rows: Sequence[SourceRow], keys: Mapping[int, str | None]
    ) -> None:
        """Fetch what mapping ``rows`` will read: the records they update and
        the records their reference cells name. ``keys`` holds the identity of
        each row learnt with the batch (None: rejected); empty when the file
        was learnt before."""
        kind = source.kind
        if keys:
            live = [r for r in rows if keys[r.line] is not None]
        else:
            live = [r for r in rows if (source.name, r.line) not in self.early]
        if kind.identity == ("external_id",):
            own = []
            for row in live:
                external_id = keys[row.line] if keys else _quiet_text(
                    "external_id", row.values.get("external_id")
                )
                if external_id is not None:
                    own.append(external_id)
            self.fetch(REPOSITORIES[kind.name], own)
        for reference in kind.references:
            named: set[str] = set()
            key = reference.key
            for row in live:
                value = row.values.get(key)
                if type(value) is str and LIST_SEPARATOR not in value:
                    value = value.strip()
                    if value:
                        named.add(value)
                elif value is not None:
                    named.update(_quiet_list(key, value))
            ids = self.ids
            if len(reference.targets) == 1:
                target = reference.targets[0]
                todo = [e for e in named if (target, e) not in ids]
            else:
                todo = [e for e in named if any((t, e) not in ids for t in reference.targets)]
            for target in reference.targets:
                self.fetch(REPOSITORIES[target], todo)

    # -- references -----------------------------------------------------------

    def planned_id(self, kind: str, external_id: str) -> str | None:
        """The id of the record ``external_id`` names: the stored one's, or the
        external id itself for a record this import creates; None if neither."""
        cache_key = (kind, external_id)
        if cache_key in self.ids:
            return self.ids[cache_key]
        stored = self.stored_match(kind, external_id)
        if stored is not None:
            found: str | None = stored.value.id
        elif external_id in self.defined.get(kind, {}) and self.id_taken(kind, external_id) is None:
            found = external_id
        else:
            found = None
        self.ids[cache_key] = found
        return found

    def stored_match(self, kind: str, external_id: str) -> Stored[Any] | None:
        repository = REPOSITORIES[kind]
        stored = self.stored_by_external_id(repository, external_id)
        if stored is not None:
            return stored
        by_id = self.stored_by_id(repository, external_id)
        if by_id is not None and by_id.value.external_id is None:
            return by_id
        return None

    def id_taken(self, kind: str, external_id: str) -> str | None:
        """The external id of another record already holding id ``external_id``."""
        by_id = self.stored_by_id(REPOSITORIES[kind], external_id)
        if by_id is None or by_id.value.external_id in (None, external_id):
            return None
        return str(by_id.value.external_id)

    def resolve(self, reference: Reference, external_id: str) -> tuple[str, str]:
        for target in reference.targets:
            found = self.planned_id(target, external_id)
            if found is not None:
                return target, found
        prefix = "" if reference.noun == reference.key else f"{reference.key}: "
        for target in reference.targets:
            where = self.left_out.get(target, {}).get(external_id)
            if where is not None:
                raise cells.CellProblem(
                    f"{prefix}{reference.noun} {external_id!r} is not known (its own row, "
                    f"{where[0]} line {where[1]}, was rejected)"
                )
        raise cells.CellProblem(
            f"{prefix}{reference.noun} {external_id!r} is not known "
            "(not in the store nor in this import)"
        )

    # -- pass 2: map the rows, a batch at a time -------------------------------

    def map_file(self, source: SourceFile) -> None:
        learning = None if source.name in self.learned else self.learning(source)
        total = 0
        if self.progress is not None:
            total = sum(1 for _ in source.rows(()))
        done = 0
        for batch in _batches(source.rows(), _BATCH_ROWS):
            keys: dict[int, str | None] = {}
            if learning is not None:
                for row in batch:
                    keys[row.line] = self.learn_row(learning, row)
            self.prefetch(source, batch, keys)
            for row in batch:
                done += 1
                if self.progress is not None and done % _PROGRESS_EVERY == 0:
                    self.progress(source.name, done, total)
                self.rows.append(self.map_row(source, row, keys.get(row.line)))
            self.by_external.clear()
            self.by_id.clear()
        if self.progress is not None:
            self.progress(source.name, total, total)

    def map_row(self, source: SourceFile, row: SourceRow, key: str | None = None) -> RowResult:
        """The outcome of ``row``; ``key`` is its identity when learning the
        row has just found it (else it is read again)."""
        early = self.early.pop((source.name, row.line), None)
        if early is not None:
            return early
        if key is None:
            key = self.identity(source.kind, row)
        try:
            if source.kind.name == "service-periods":
                return self.map_period(source, row, key)
            return self.map_record(source, row, key)
        except ValidationError as error:
            return self.rejected(source, row, key, str(error))

    def map_record(self, source: SourceFile, row: SourceRow, external_id: str) -> RowResult:
        kind = source.kind
        repository = REPOSITORIES[kind.name]
        stored = self.stored_match(kind.name, external_id)
        holder = self.id_taken(kind.name, external_id) if stored is None else None
        id_ = external_id if stored is None else stored.value.id
        if kind.name in _REFERENCED:  # as planned_id would find it: later references need no lookup
            self.ids.setdefault((kind.name, external_id), id_ if holder is None else None)
        if holder is not None:
            raise cells.CellProblem(
                f"external_id: {external_id!r} is already the id of the {kind.noun} with "
                f"external id {holder!r}"
            )
        base: Record | None = None if stored is None else stored.value
        changes = field_changes(kind, row.values, self.context, creating=base is None, base=base)
        if base is not None and all(getattr(base, k) == v for k, v in changes.items()):
            record = base
        else:
            record = build_record(kind, changes, base=base, new_id=id_, external_id=external_id)
        result = self.outcome(source, row, external_id, base, record, changes)
        if repository in _DEFERRED:
            self.deferred[id_] = (record, stored)
        elif result.outcome != "unchanged":
            self.write(Write(repository, record, None if stored is None else stored.version))
        return result

    def map_period(self, source: SourceFile, row: SourceRow, key: str) -> RowResult:
        kind = source.kind
        reference = kind.reference("contract")
        assert reference is not None
        external_id = cells.text("contract", row.values.get("contract"))
        assert external_id is not None
        _, contract_id = self.resolve(reference, external_id)
        contract: Record | None
        if contract_id in self.deferred:
            contract, stored = self.deferred[contract_id]
        else:
            stored = self.stored_by_id("contracts", contract_id)
            contract = None if stored is None else stored.value
        if not isinstance(contract, Contract):
            raise cells.CellProblem(
                f"contract {external_id!r} cannot take service periods: its own row was rejected"
            )
        periods = self.periods.get(contract_id)
        if periods is None:
            periods = self.periods[contract_id] = {p.start: p for p in contract.periods}
        changes = field_changes(kind, row.values, self.context, creating=False)
        changes["start"] = cells.day("start", row.values.get("start"))
        old, period = with_period(contract, periods, changes)
        periods[period.start] = period
        self.deferred[contract_id] = (contract, stored)
        return self.outcome(source, row, key, old, period, changes)

    @staticmethod
    def outcome(
        source: SourceFile,
        row: SourceRow,
        key: str,
        base: object | None,
        record: object,
        changes: Mapping[str, object],
    ) -> RowResult:
        outcome: Outcome
        changed: tuple[str, ...] = ()
        if base is None:
            outcome = "created"
        elif base is record or base == record:
            outcome = "unchanged"
        else:
            outcome = "updated"
            changed = tuple(k for k in changes if getattr(base, k) != getattr(record, k))
        return RowResult(source.name, row.line, source.kind.name, key, outcome, changed)

    def write(self, write: Write) -> None:
        """Hand a finished record on; once a row is rejected nothing more is
        applied (that plan is never committed as it stands)."""
        if self.apply is None:
            self.writes.append(write)
        elif not self.spoiled:
            self.apply(write)

    def plan(self) -> ImportPlan:
        for source in self.sources:
            if source.kind.name in _LEARNED_FIRST:
                self.learn(source)
        for source in self.sources:
            self.map_file(source)
        for contract_id, (record, stored) in self.deferred.items():
            periods = self.periods.get(contract_id)
            if periods is not None and isinstance(record, Contract):
                record = with_periods(record, periods)
            if stored is None:
                self.write(Write(_CONTRACTS, record, None))
            elif stored.value != record:
                self.write(Write(_CONTRACTS, record, stored.version))
        self.deferred.clear()
        self.periods.clear()
        warnings = [w for source in self.sources for w in self.warnings.get(source.name, ())]
        return ImportPlan(tuple(self.rows), tuple(self.writes), tuple(warnings))


_BY_EXTERNAL_ID = ("external_id",)

Apply = Callable[[Write], None]
"""Applies one write as soon as the plan has it (inside the caller's unit of work)."""

_BATCH_ROWS = 500
"""Rows mapped per batch: their stored records are looked up in one go."""

_REFERENCED = frozenset(t for k in KINDS.values() for r in k.references for t in r.targets)
"""The kinds other kinds refer to (contacts, say, are referred to by none)."""

_ORDER = {name: n for n, name in enumerate(KINDS)}
_LEARNED_FIRST = frozenset(
    t for k in KINDS.values() for r in k.references for t in r.targets if _ORDER[t] >= _ORDER[k.name]
)
"""The kinds that a kind mapped before them refers to (employees, named by
employee groups): their external ids are all learnt in a pass of their own
before any row is mapped. Every other file is learnt a batch at a time as it
is mapped — read once — since only files mapped after it can refer to it."""


@attrs.define
class _Learning:
    """What learning one file's rows keeps from row to row."""

    source: SourceFile
    unknown_seen: set[str] = attrs.Factory(set)
    periods_seen: dict[tuple[str, str], int] = attrs.Factory(dict)
    header_told: bool = False
    """CSV: the unknown columns are the header's, told at the first readable row."""

_CONTRACTS = REPOSITORIES["service-periods"]
_DEFERRED = frozenset({_CONTRACTS})
"""Repositories whose records later rows may change again (a contract takes
its service periods): written once, at the end of the plan."""


def _batches(rows: Iterator[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    while batch := list(itertools.islice(rows, size)):
        yield batch


def _quiet_text(key: str, value: object) -> str | None:
    try:
        return cells.text(key, value)
    except ValidationError:
        return None


def _quiet_list(key: str, value: object) -> tuple[str, ...]:
    try:
        return cells.text_list(key, value)
    except ValidationError:
        return ()


def _many_by_external_id(lookup: Finder, external_ids: list[str]) -> Mapping[str, Stored[Any]]:
    many = getattr(lookup, "find_many_by_external_id", None)
    if many is not None:
        found: Mapping[str, Stored[Any]] = many(external_ids)
        return found
    return {e: s for e in external_ids if (s := lookup.get_by_external_id(e)) is not None}


def _many(lookup: Finder, ids: list[str]) -> Mapping[str, Stored[Any]]:
    many = getattr(lookup, "find_many", None)
    if many is not None:
        found: Mapping[str, Stored[Any]] = many(ids)
        return found
    return {i: s for i in ids if (s := lookup.find(i)) is not None}


def plan_import(
    sources: Sequence[SourceFile],
    lookups: Mapping[str, Finder],
    *,
    region: str = "CZ",
    excluded: Excluded | None = None,
    progress: Progress | None = None,
    apply: Apply | None = None,
) -> ImportPlan:
    """Plan the import of ``sources`` (one per kind) against the records that
    ``lookups`` (repository name → reader) hold. ``excluded`` rows are
    rejected with the reason given, and references to the records they would
    have created fail. Writes nothing itself.

    Without ``apply`` the plan lists its writes. With it, each write is handed
    to ``apply`` as soon as it is known and the plan lists none, so memory
    stays flat however long the files: the caller applies them inside one unit
    of work, and rolls it back when the plan has rejected rows (after the first
    rejected row nothing more is handed on)."""
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ValidationError(f"two import files share a name: {', '.join(sorted(names))}")
    planner = _Planner(
        sources, lookups, region=region, excluded=excluded or {}, progress=progress, apply=apply
    )
    return planner.plan()


def plan_skipping_invalid(
    sources: Sequence[SourceFile],
    lookups: Mapping[str, Finder],
    *,
    region: str = "CZ",
    progress: Progress | None = None,
) -> ImportPlan:
    """Plan as :func:`plan_import`, then leave out the rejected rows and plan
    again until no row depends on a rejected one: a contact of a rejected
    new company is rejected too, naming the company's row."""
    excluded: dict[tuple[str, int], str] = {}
    while True:
        plan = plan_import(sources, lookups, region=region, excluded=excluded, progress=progress)
        fresh = {(r.file, r.line): r.reason for r in plan.problems() if (r.file, r.line) not in excluded}
        if not fresh:
            return plan
        excluded.update(fresh)


__all__ = [
    "REPOSITORIES",
    "Apply",
    "Excluded",
    "Finder",
    "ImportPlan",
    "Progress",
    "Write",
    "plan_import",
    "plan_skipping_invalid",
]
