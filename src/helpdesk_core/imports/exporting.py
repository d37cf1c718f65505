"""Export: the records of one kind as rows with the keys of the import files,
so that an export can be edited and imported again.

References go out as the external ids of the records they name (a record
without an external id is named by its id, which an import matches too).
Lists are sorted; in CSV they are joined with ``;``, booleans are written
``true``/``false`` and a missing value is an empty cell.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Any, TextIO

from helpdesk_core.imports.cells import LIST_SEPARATOR
from helpdesk_core.imports.kinds import Kind, kind_named
from helpdesk_core.imports.planning import REPOSITORIES
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.ticket import Assignee
from helpdesk_core.spreadsheets import csv_row_writer, neutralised

Row = dict[str, object]

if TYPE_CHECKING:
    from helpdesk_core.storage.protocols import Store


class _ExternalIds:
    """Maps ids to external ids, reading each referenced record once."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._known: dict[tuple[str, str], str] = {}

    def of(self, kind: str, id_: str) -> str:
        key = (kind, id_)
        if key not in self._known:
            stored = getattr(self._store, REPOSITORIES[kind]).find(id_)
            external = None if stored is None else stored.value.external_id
            self._known[key] = id_ if external is None else str(external)
        return self._known[key]

    def assignee(self, value: Assignee | None) -> str | None:
        if value is None:
            return None
        return self.of("employee-groups" if value.group else "employees", value.id)


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set | tuple):
        return sorted(str(v) for v in value)
    return value


def _record_row(kind: Kind, record: Any, ids: _ExternalIds) -> Row:
    row: Row = {}
    for key in kind.keys:
        if key == "external_id":
            row[key] = record.external_id if record.external_id is not None else record.id
            continue
        value = getattr(record, key)
        reference = kind.reference(key)
        if isinstance(value, Assignee) or (reference is not None and key == "responsible"):
            row[key] = ids.assignee(value)
        elif reference is not None and reference.many:
            row[key] = sorted(ids.of(reference.targets[0], v) for v in value)
        elif reference is not None:
            row[key] = None if value is None else ids.of(reference.targets[0], value)
        else:
            row[key] = _plain(value)
    return row


def export_rows(kind: str, store: Store) -> Iterator[Row]:
    """Every record of ``kind`` as an import row (keys of docs/formats.md, in
    order), in id order; service periods contract by contract, oldest first.
    Values are JSON-ready: texts, booleans, lists of texts, None."""
    chosen = kind_named(kind)
    ids = _ExternalIds(store)
    reader = getattr(store, REPOSITORIES[chosen.name])
    if chosen.name == "service-periods":
        for stored in reader.iter():
            contract: Contract = stored.value
            for period in contract.periods:
                yield {
                    "contract": ids.of("contracts", contract.id),
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                    "paid": period.paid,
                    "remind_on": None if period.remind_on is None else period.remind_on.isoformat(),
                }
        return
    for stored in reader.iter():
        yield _record_row(chosen, stored.value, ids)


def csv_cell(value: object) -> str:
    """How a row value is written in a CSV cell: neutralised against formula
    injection (:mod:`helpdesk_core.spreadsheets`; the import takes the quote
    away again)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return str(neutralised(LIST_SEPARATOR.join(str(v) for v in value)))
    return str(neutralised(str(value)))


def write_rows(
    rows: Iterator[Mapping[str, object]], keys: tuple[str, ...], out: TextIO, *, format: str
) -> int:
    """Write ``rows`` to ``out`` as CSV (header ``keys``) or JSON Lines; returns
    how many rows were written."""
    count = 0
    if format == "csv":
        writerow = csv_row_writer(out)
        writerow([csv_cell(k) for k in keys])
        for row in rows:
            writerow([csv_cell(row.get(k)) for k in keys])
            count += 1
    else:
        for row in rows:
            out.write(json.dumps({k: row.get(k) for k in keys}, ensure_ascii=False) + "\n")
            count += 1
    return count


def export_kind(kind: str, store: Store, out: TextIO, *, format: str = "csv") -> int:
    """Write every record of ``kind`` to ``out`` as ``csv`` or ``jsonl``, the
    columns of the import file; returns the number of rows."""
    chosen = kind_named(kind)
    return write_rows(export_rows(chosen.name, store), chosen.keys, out, format=format)


__all__ = ["csv_cell", "export_kind", "export_rows", "write_rows"]
