"""Running an import: plan, and apply the plan as it is made, in ONE unit of work.

All or nothing by default: a single bad row refuses the whole import (every
file of a bundle) and the store is left exactly as it was. With
``skip_invalid`` the good rows are imported and the rejected ones written to
a CSV next to the file (``FILE.rejects.csv``: line, reason, then the row's own
cells) so they can be fixed and imported again. A dry run plans and reports,
and writes nothing — neither the store nor a rejects file.

Records are saved while the files are still being read, inside the one unit
of work, so that a long file needs no more memory than a short one; a bad row
anywhere stops the saving and the unit of work is rolled back (skip-invalid:
rolled back and planned again without the bad rows, until none is left). A
process killed half-way has committed nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from helpdesk_core.desk.privacy import flag_forgotten
from helpdesk_core.imports.cells import check_region
from helpdesk_core.imports.exporting import csv_cell
from helpdesk_core.imports.kinds import KINDS, kind_named
from helpdesk_core.imports.planning import (
    REPOSITORIES,
    Finder,
    ImportPlan,
    Progress,
    Write,
    plan_import,
)
from helpdesk_core.imports.readers import SourceFile, format_of
from helpdesk_core.imports.report import FileReport, ImportRejected, ImportReport, RowResult
from helpdesk_core.model.parties import Company, Contact, CustomerGroup
from helpdesk_core.spreadsheets import csv_row_writer

BUNDLE_FORMATS = ("csv", "jsonl")
"""The extensions a bundle directory's files may have."""

if TYPE_CHECKING:
    from helpdesk_core.imports.mapping import Record
    from helpdesk_core.storage.protocols import Store, UnitOfWork


class RowsRejected(ImportRejected):
    """An all-or-nothing import refused because of bad rows; ``rows`` holds
    every rejected row (the message names the first)."""

    def __init__(self, rows: Sequence[RowResult]) -> None:
        first = rows[0].describe()
        more = f" (and {len(rows) - 1} more rejected rows)" if len(rows) > 1 else ""
        super().__init__(first + more)
        self.rows = tuple(rows)


def default_rejects_path(path: Path) -> Path:
    """Where the rejects of ``path`` go unless told: ``contacts.csv.rejects.csv``."""
    return path.with_name(path.name + ".rejects.csv")


def import_file(
    kind: str,
    path: Path | str,
    *,
    store: Store,
    region: str = "CZ",
    dry_run: bool = False,
    skip_invalid: bool = False,
    format: str | None = None,
    delimiter: str | None = None,
    rejects: Path | str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one file of ``kind`` (``companies``, ``contacts``…) into ``store``,
    upserting by external id. ``region`` (ISO 3166, e.g. ``CZ``) is the country
    of phone numbers written without a ``+`` prefix. ``format`` is ``csv`` or
    ``jsonl`` (default: from the extension); ``delimiter`` is guessed from the
    CSV header unless given. Raises :class:`RowsRejected` naming file, line
    and reason when a row is bad and ``skip_invalid`` is off."""
    path = Path(path)
    source = SourceFile(path, kind_named(kind), format_of(path, format), delimiter)
    targets = {source.name: Path(rejects) if rejects is not None else default_rejects_path(path)}
    return import_sources(
        [source],
        store=store,
        region=region,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        rejects=targets,
        progress=progress,
    )


def bundle_files(directory: Path | str, *, delimiter: str | None = None) -> list[SourceFile]:
    """The import files of a bundle directory: for every kind, ``KIND.csv`` or
    ``KIND.jsonl`` (not both). Other files are ignored."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ImportRejected(f"{folder}: not a directory")
    sources = []
    for name, kind in KINDS.items():
        found = [folder / f"{name}.{ext}" for ext in BUNDLE_FORMATS if (folder / f"{name}.{ext}").is_file()]
        if len(found) > 1:
            raise ImportRejected(
                f"{folder}: both {found[0].name} and {found[1].name}; keep one file per kind"
            )
        if found:
            sources.append(SourceFile(found[0], kind, format_of(found[0]), delimiter))
    if not sources:
        expected = ", ".join(f"{name}.csv" for name in KINDS)
        raise ImportRejected(f"{folder}: no import files found (expected some of: {expected})")
    return sources


def import_bundle(
    directory: Path | str,
    *,
    store: Store,
    region: str = "CZ",
    dry_run: bool = False,
    skip_invalid: bool = False,
    delimiter: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import every known file of ``directory`` in one transaction; references
    resolve across the files whatever order they would be read in. Rejects go
    next to each file (``companies.csv.rejects.csv``)."""
    sources = bundle_files(directory, delimiter=delimiter)
    targets = {s.name: default_rejects_path(s.path) for s in sources}
    return import_sources(
        sources,
        store=store,
        region=region,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        rejects=targets,
        progress=progress,
    )


def import_sources(
    sources: Sequence[SourceFile],
    *,
    store: Store,
    region: str = "CZ",
    dry_run: bool = False,
    skip_invalid: bool = False,
    rejects: Mapping[str, Path] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Plan ``sources`` against the store and apply the plan in one unit of
    work (committed unless ``dry_run``). ``rejects`` maps a file name to where
    its rejected rows are written in skip-invalid mode."""
    region = check_region(region)
    targets = dict(rejects or {}) if skip_invalid and not dry_run else {}
    _check_rejects_targets(sources, targets)
    # The store is read before and after the unit of work, never inside it: with
    # a PostgreSQL pool of one connection a read inside would wait for itself.
    watch = _anyone_forgotten(store)
    with store.unit_of_work() as uow:
        lookups: dict[str, Finder] = {
            name: getattr(uow, name) for name in set(REPOSITORIES.values())
        }
        excluded: dict[tuple[str, int], str] = {}
        while True:
            saving = _Saving(uow, dry_run=dry_run, keep_contacts=watch)
            plan = plan_import(
                sources, lookups, region=region, excluded=excluded, progress=progress, apply=saving
            )
            fresh = {(r.file, r.line): r.reason for r in plan.problems() if (r.file, r.line) not in excluded}
            if not fresh:
                break
            if not skip_invalid:
                raise RowsRejected(plan.problems())
            uow.rollback()
            excluded.update(fresh)
        written: dict[str, Path] = {}
        if not dry_run:
            saving.flush()
            saving.mark_sla_states_stale()
            # Before the commit: a rejects file that cannot be written leaves
            # the store as it was instead of half a story.
            written = _write_rejects(sources, plan, targets) if targets else {}
            uow.commit()
    forgotten = _forgotten_again(store, saving.contacts)
    report = _report(sources, plan, dry_run=dry_run, rejects=written)
    return attrs.evolve(report, warnings=(*report.warnings, *forgotten))


def _anyone_forgotten(store: Store) -> bool:
    """Whether the store remembers anybody forgotten (by identifier hashes);
    when not, the imported contacts need not be kept and checked (reading a
    contact's identifiers takes ~90 µs; a backend without privacy tables has
    forgotten nobody)."""
    if not hasattr(store, "audit_records"):
        return False
    return any(s.value.identifier_hashes for s in store.audit_records.iter())


def _forgotten_again(store: Store, contacts: Sequence[Contact]) -> list[str]:
    """A warning for each imported contact who matches a person forgotten
    earlier (by the salted hashes of the audit trail): the import brings back
    somebody who asked to be forgotten, and a person must decide."""
    if not contacts:
        return []
    return [
        f"contact {contact.id} matches a person forgotten on {record.at.date().isoformat()} "
        f"(audit record {record.id}); check before keeping their data"
        for contact, record in flag_forgotten(store, contacts)
    ]


class _Saving:
    """Applies a plan's writes in the unit of work as they come: changed
    records at once, new ones gathered and added ``_ADD_BATCH`` at a time
    (one round trip instead of one each)."""

    def __init__(self, uow: UnitOfWork, *, dry_run: bool, keep_contacts: bool) -> None:
        self._uow = uow
        self._dry_run = dry_run
        self._keep_contacts = keep_contacts
        self._new: dict[str, list[Record]] = {}
        self._pending = 0
        self.contacts: list[Contact] = []
        """Contacts created or changed, for the check against forgotten people
        (kept only when the store has forgotten somebody)."""
        self._recategorised: set[str] = set()
        """Companies whose client category or customer groups changed."""
        self._regrouped: set[str] = set()
        """Customer groups created, or whose priority or SLA rule changed."""

    def __call__(self, write: Write) -> None:
        if self._keep_contacts and isinstance(write.value, Contact):
            self.contacts.append(write.value)
        if self._dry_run:
            return
        self._note_customer_change(write)
        if write.expected_version is not None:
            repository = getattr(self._uow, write.repository)
            repository.save(write.value, expected_version=write.expected_version)
            return
        self._new.setdefault(write.repository, []).append(write.value)
        self._pending += 1
        if self._pending >= _ADD_BATCH:
            self.flush()

    def _note_customer_change(self, write: Write) -> None:
        """Remember a change of what the SLA rule selection reads of a
        customer (one look-up of the record being replaced)."""
        value = write.value
        if isinstance(value, Company) and write.expected_version is not None:
            old = self._uow.companies.find(value.id)
            if old is None or (old.value.category, old.value.customer_groups) != (
                value.category,
                value.customer_groups,
            ):
                self._recategorised.add(value.id)
        elif isinstance(value, CustomerGroup):
            was = None if write.expected_version is None else self._uow.customer_groups.find(value.id)
            if was is None or (was.value.priority, was.value.sla) != (value.priority, value.sla):
                self._regrouped.add(value.id)

    def mark_sla_states_stale(self) -> int:
        """Mark stale the stored SLA states of every company whose customer
        facts changed — its own category or groups, or a group it is in
        (:meth:`~helpdesk_core.storage.protocols.SlaStates.mark_stale`): they
        were computed under the old facts. Call it after :meth:`flush`.
        Returns how many states were marked."""
        companies = set(self._recategorised)
        if self._regrouped:
            companies.update(
                stored.value.id
                for stored in self._uow.companies.iter()
                if not self._regrouped.isdisjoint(stored.value.customer_groups)
            )
        return sum(self._uow.sla_states.mark_stale(company) for company in sorted(companies))

    def flush(self) -> None:
        """Add the new records gathered so far."""
        for name, values in self._new.items():
            repository = getattr(self._uow, name)
            add_many = getattr(repository, "add_many", None)
            if add_many is not None:
                add_many(values)
            else:
                for value in values:
                    repository.add(value)
        self._new.clear()
        self._pending = 0


_ADD_BATCH = 500
"""New records added per round trip."""


def _report(
    sources: Sequence[SourceFile], plan: ImportPlan, *, dry_run: bool, rejects: Mapping[str, Path]
) -> ImportReport:
    counted: dict[str, dict[str, int]] = {
        source.name: {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0} for source in sources
    }
    for row in plan.rows:
        counted[row.file][row.outcome] += 1
    files = []
    for source in sorted(sources, key=lambda s: list(KINDS).index(s.kind.name)):
        counts = counted[source.name]
        files.append(
            FileReport(source.name, source.kind.name, rejects=rejects.get(source.name), **counts)
        )
    return ImportReport(tuple(files), plan.rows, plan.warnings, dry_run)


def _check_rejects_targets(sources: Sequence[SourceFile], targets: Mapping[str, Path]) -> None:
    """Refuse, before anything is read or written, a rejects file that could
    not be written: in a missing folder, a directory, not writable, or one of
    the files being imported."""
    imported = {source.path.resolve(): source.name for source in sources}
    for target in targets.values():
        folder = target.parent
        problem = None
        if not folder.is_dir():
            problem = f"the folder {folder} does not exist"
        elif target.is_dir():
            problem = "it is a directory"
        elif target.resolve() in imported:
            problem = f"it is {imported[target.resolve()]}, a file being imported"
        elif not os.access(target if target.exists() else folder, os.W_OK):
            problem = "permission denied"
        if problem is not None:
            raise ImportRejected(f"{target}: cannot write the rejected rows there: {problem}")


def _write_rejects(
    sources: Sequence[SourceFile], plan: ImportPlan, targets: Mapping[str, Path]
) -> dict[str, Path]:
    """Write each file's rejected rows (line, reason, the row's cells), every
    cell neutralised against formula injection."""
    written: dict[str, Path] = {}
    for source in sources:
        reasons = {r.line: r.reason for r in plan.problems() if r.file == source.name}
        target = targets.get(source.name)
        if not reasons or target is None:
            continue
        columns = list(source.columns()) if source.format == "csv" else list(source.kind.keys)
        try:
            with target.open("w", encoding="utf-8", newline="") as out:
                writerow = csv_row_writer(out)
                writerow([csv_cell(c) for c in ("line", "reason", *columns)])
                for row in source.rows():
                    if row.line in reasons:
                        cells = [csv_cell(row.values.get(c)) for c in columns]
                        writerow([row.line, csv_cell(reasons[row.line]), *cells])
        except OSError as error:
            raise ImportRejected(
                f"{target}: cannot write the rejected rows: {error.strerror or error}; nothing was imported"
            ) from None
        written[source.name] = target
    return written


__all__ = [
    "RowsRejected",
    "bundle_files",
    "default_rejects_path",
    "import_bundle",
    "import_file",
    "import_sources",
]
