"""Writing a stream of rows as a table, CSV, JSON or JSON Lines — in one place.

Rows are dicts with the same keys; they are written as they arrive (except for
the table, which a terminal shows whole), so a report over millions of tickets
streams with flat memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from rich.console import Console
from rich.table import Table

FORMATS = ("table", "csv", "json", "jsonl")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> object:
    """A spreadsheet cell that cannot run as a formula: a text starting with
    ``= + - @``, tab or CR gets a leading apostrophe (OWASP's advice against
    CSV injection). Numbers and booleans pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_rows(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], fmt: str, out: IO[str]) -> int:
    """Write ``rows`` to ``out`` in ``fmt``; return how many were written."""
    count = 0
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "json":
        out.write("[")
        for row in rows:
            out.write(("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([neutralised(_cell(row.get(c))) for c in columns])
            count += 1
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*(_cell(row.get(c)) for c in columns))
            count += 1
        Console(file=out, width=max(120, Console().width)).print(table)
    return count
