"""Planning an import: every row checked and mapped, every reference
resolved, and the outcome decided — created, updated, unchanged or rejected —
before anything is written.

Planning reads the store through :class:`Finder` (any storage ``Reader`` or
``Repository`` fits) and writes nothing; :func:`plan_import` returns the rows'
outcomes and the records to save. Files are read twice: first to learn every
external id the import defines, then to map the rows. Because a new record's
id is its external id, a reference can be resolved before the record it
names exists — so references work within one file and across the files of a
bundle in any order, cycles included.

Matching a row to a stored record: by external id; failing that, by id when
the stored record with that id has no external id (records created before,
e.g. by a ticket import, and exported with their id in ``external_id``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.imports import cells
from helpdesk_core.imports.kinds import Kind, Reference
from helpdesk_core.imports.mapping import Record, RowContext, build_record, field_changes, with_period
from helpdesk_core.imports.readers import SourceFile, SourceRow
from helpdesk_core.imports.report import Outcome, RowResult
from helpdesk_core.model.contracts import Contract

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
    """The reads planning needs of one kind of record (any storage ``Reader``)."""

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
    from helpdesk_core.imports.kinds import KINDS

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
    ) -> None:
        self.sources = _by_kind_order(sources)
        self.lookups = lookups
        self.excluded = excluded
        self.progress = progress
        self.context = RowContext(region=region, resolve=self.resolve)
        self.defined: dict[str, dict[str, int]] = {}
        self.left_out: dict[str, dict[str, tuple[str, int]]] = {}
        self.ids: dict[tuple[str, str], str | None] = {}
        self.results: dict[tuple[str, int], RowResult] = {}
        self.warnings: list[str] = []
        self.totals: dict[str, int] = {}
        self.working: dict[tuple[str, str], Record] = {}
        self.stored: dict[tuple[str, str], Stored[Any] | None] = {}

    # -- pass 1: which external ids does this import define? ----------------

    def learn(self, source: SourceFile) -> None:
        kind = source.kind
        defined = self.defined.setdefault(kind.name, {})
        left_out = self.left_out.setdefault(kind.name, {})
        unknown_seen: set[str] = set()
        periods_seen: dict[tuple[str, str], int] = {}
        total = 0
        for row in source.rows():
            total += 1
            for key in row.values:
                if key not in kind.keys and key not in unknown_seen:
                    unknown_seen.add(key)
                    self.warnings.append(
                        f"{source.name}: unknown column {key!r} is ignored "
                        f"(known: {', '.join(kind.keys)})"
                    )
            if row.problem is not None:
                self.reject(source, row, "?", row.problem)
                continue
            try:
                identity = self.identity(kind, row)
            except ValidationError as error:
                self.reject(source, row, "?", str(error))
                continue
            reason = self.excluded.get((source.name, row.line))
            if reason is not None:
                if kind.identity == ("external_id",):
                    left_out.setdefault(identity, (source.name, row.line))
                self.reject(source, row, identity, reason)
                continue
            if kind.identity == ("external_id",):
                first = defined.get(identity)
                if first is not None:
                    self.reject(
                        source, row, identity,
                        f"external_id: {identity!r} appears again (first on line {first})",
                    )
                    continue
                defined[identity] = row.line
            else:
                pair = (str(row.values.get("contract", "")).strip(), identity.split(" ")[-1])
                if pair in periods_seen:
                    self.reject(
                        source, row, identity,
                        f"start: the service period of contract {pair[0]!r} starting {pair[1]} "
                        f"appears again (first on line {periods_seen[pair]})",
                    )
                    continue
                periods_seen[pair] = row.line
        self.totals[source.name] = total

    @staticmethod
    def identity(kind: Kind, row: SourceRow) -> str:
        """The row's key as messages show it; a CellProblem when missing."""
        parts = []
        for key in kind.identity:
            value = cells.day(key, row.values.get(key)) if key == "start" else cells.text(
                key, row.values.get(key)
            )
            if value is None:
                raise cells.CellProblem(f"{key}: required to identify a {kind.noun}, but it is empty")
            parts.append(str(value))
        return " ".join(parts)

    def reject(self, source: SourceFile, row: SourceRow, key: str, reason: str) -> None:
        self.results[(source.name, row.line)] = RowResult(
            source.name, row.line, source.kind.name, key, "rejected", reason=reason
        )

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
        lookup = self.lookups[REPOSITORIES[kind]]
        stored = lookup.get_by_external_id(external_id)
        if stored is not None:
            return stored
        by_id = lookup.find(external_id)
        if by_id is not None and by_id.value.external_id is None:
            return by_id
        return None

    def id_taken(self, kind: str, external_id: str) -> str | None:
        """The external id of another record already holding id ``external_id``."""
        by_id = self.lookups[REPOSITORIES[kind]].find(external_id)
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

    # -- pass 2: map the rows -------------------------------------------------

    def map_file(self, source: SourceFile) -> None:
        total = self.totals.get(source.name, 0)
        done = 0
        for row in source.rows():
            done += 1
            if self.progress is not None and done % _PROGRESS_EVERY == 0:
                self.progress(source.name, done, total)
            if (source.name, row.line) in self.results:
                continue
            try:
                if source.kind.name == "service-periods":
                    result = self.map_period(source, row)
                else:
                    result = self.map_record(source, row)
            except ValidationError as error:
                self.reject(source, row, self.identity(source.kind, row), str(error))
                continue
            self.results[(source.name, row.line)] = result
        if self.progress is not None:
            self.progress(source.name, total, total)

    def base(self, repository: str, id_: str, stored: Stored[Any] | None) -> Record | None:
        key = (repository, id_)
        if key not in self.stored:
            self.stored[key] = stored
        if key in self.working:
            return self.working[key]
        return None if stored is None else stored.value

    def map_record(self, source: SourceFile, row: SourceRow) -> RowResult:
        kind = source.kind
        external_id = self.identity(kind, row)
        repository = REPOSITORIES[kind.name]
        stored = self.stored_match(kind.name, external_id)
        if stored is None:
            holder = self.id_taken(kind.name, external_id)
            if holder is not None:
                raise cells.CellProblem(
                    f"external_id: {external_id!r} is already the id of the {kind.noun} with "
                    f"external id {holder!r}"
                )
        id_ = external_id if stored is None else stored.value.id
        base = self.base(repository, id_, stored)
        changes = field_changes(kind, row.values, self.context, creating=base is None, base=base)
        record = build_record(kind, changes, base=base, new_id=id_, external_id=external_id)
        self.working[(repository, id_)] = record
        return self.outcome(source, row, external_id, base, record, changes)

    def map_period(self, source: SourceFile, row: SourceRow) -> RowResult:
        kind = source.kind
        key = self.identity(kind, row)
        reference = kind.reference("contract")
        assert reference is not None
        external_id = cells.text("contract", row.values.get("contract"))
        assert external_id is not None
        _, contract_id = self.resolve(reference, external_id)
        contract = self.base("contracts", contract_id, self.lookups["contracts"].find(contract_id))
        if not isinstance(contract, Contract):
            raise cells.CellProblem(
                f"contract {external_id!r} cannot take service periods: its own row was rejected"
            )
        changes = field_changes(kind, row.values, self.context, creating=False)
        changes["start"] = cells.day("start", row.values.get("start"))
        updated, old, period = with_period(contract, changes)
        self.working[("contracts", contract_id)] = updated
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
        elif base == record:
            outcome = "unchanged"
        else:
            outcome = "updated"
            changed = tuple(k for k in changes if getattr(base, k) != getattr(record, k))
        return RowResult(source.name, row.line, source.kind.name, key, outcome, changed)

    def plan(self) -> ImportPlan:
        for source in self.sources:
            self.learn(source)
        for source in self.sources:
            self.map_file(source)
        writes = []
        for (repository, _id), record in self.working.items():
            stored = self.stored.get((repository, _id))
            if stored is None:
                writes.append(Write(repository, record, None))
            elif stored.value != record:
                writes.append(Write(repository, record, stored.version))
        rows = sorted(self.results.values(), key=lambda r: (self._file_index(r.file), r.line))
        return ImportPlan(tuple(rows), tuple(writes), tuple(self.warnings))

    def _file_index(self, name: str) -> int:
        return next(i for i, s in enumerate(self.sources) if s.name == name)


def plan_import(
    sources: Sequence[SourceFile],
    lookups: Mapping[str, Finder],
    *,
    region: str = "CZ",
    excluded: Excluded | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Plan the import of ``sources`` (one per kind) against the records that
    ``lookups`` (repository name → reader) hold. ``excluded`` rows are
    rejected with the reason given, and references to the records they would
    have created fail. Writes nothing."""
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ValidationError(f"two import files share a name: {', '.join(sorted(names))}")
    planner = _Planner(sources, lookups, region=region, excluded=excluded or {}, progress=progress)
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
    "Excluded",
    "Finder",
    "ImportPlan",
    "Progress",
    "Write",
    "plan_import",
    "plan_skipping_invalid",
]
