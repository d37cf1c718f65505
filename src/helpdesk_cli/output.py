"""Writing a stream of rows as a table, CSV, JSON, JSON Lines or XLSX — in one place.

Rows are dicts with the same keys; they are written as they arrive (except for
the table, which a terminal shows whole), so a report over millions of tickets
streams with flat memory. XLSX is written by openpyxl in write-only mode, which
also streams.

Spreadsheet safety: every CSV and XLSX cell goes through
:func:`helpdesk_core.spreadsheets.neutralised` — a text starting with
``= + - @``, tab or CR gets OWASP's leading single quote (formula injection);
plain numbers such as ``-5`` or ``+420601123456`` are left as they are.

XLSX date cells: Excel has no time zones, so instants are written as **UTC
wall-clock** (naive) date-time cells; each such column's header carries a note
saying so. UTC keeps rows of different calendars' zones comparable and sortable.

An ``--output`` file is written under another name and renamed when whole
(:func:`helpdesk_cli.output_files.whole_output`): an error or Ctrl-C leaves no
half-written file.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import IO, Any

import click

from helpdesk_cli.output_files import whole_output
from helpdesk_cli.terminal import cell
from helpdesk_core.errors import HelpdeskError, ValidationError
from helpdesk_core.extras import require_extra
from helpdesk_core.spreadsheets import csv_row_writer, neutralised

TEXT_FORMATS = ("table", "csv", "json", "jsonl")
FORMATS = (*TEXT_FORMATS, "xlsx")
ENCODED_FORMATS = ("jsonl", "json", "csv")
"""Formats whose rows are encoded one by one (in any process) and then joined."""
_JSON_SEPARATOR = ",\n  "
"""What precedes every row of a JSON array written by :func:`write_encoded`
(the first row's comma excepted)."""
_NO_SENDFILE = (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV)
"""``sendfile`` errors saying that these two files cannot be copied by the kernel."""
XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_UTC_NOTE = "UTC date and time (Excel cells have no time zone); the JSON and CSV rows carry the offset."


class OutputUnwritable(ValidationError):
    """The ``--output`` file cannot be written (a missing folder, no permission)."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def row_encoder(fmt: str, columns: Sequence[str]) -> Callable[[Mapping[str, Any]], str]:
    """How one row of an :data:`ENCODED_FORMATS` format is written: its text
    without separators (a JSON Lines line ends with its newline, a CSV line too).
    :func:`write_rows` and parallel report workers share it, so rows encoded in
    another process are byte for byte the rows written here."""
    if fmt == "jsonl":
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        return lambda row: dumps(row) + "\n"
    if fmt == "json":
        return lambda row: json.dumps(row, ensure_ascii=False)
    if fmt == "csv":
        buffer = io.StringIO()
        writerow = csv_row_writer(buffer)

        def csv_line(row: Mapping[str, Any]) -> str:
            buffer.seek(0)
            buffer.truncate()
            writerow([neutralised(_cell(row.get(c))) for c in columns])
            return buffer.getvalue()

        return csv_line
    raise ValueError(f"{fmt!r} rows are not encoded one by one (expected one of {ENCODED_FORMATS})")


def write_encoded(texts: Iterable[str], columns: Sequence[str], fmt: str, out: IO[str]) -> int:
    """Write rows already encoded by :func:`row_encoder` with the format's
    header, separators and brackets; return how many were written."""
    count = 0
    write = out.write
    if fmt == "json":
        write("[")
        for text in texts:
            write(("," if count else "") + "\n  " + text)
            count += 1
        write("\n]\n" if count else "]\n")
        return count
    if fmt == "csv":
        csv.writer(out, lineterminator="\n").writerow([neutralised(c) for c in columns])
    for text in texts:
        write(text)
        count += 1
    return count


def write_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: str,
    out: IO[str],
    *,
    instants: Collection[str] = (),
    zone: tzinfo | None = None,
) -> int:
    """Write ``rows`` to ``out`` in a text format ``fmt``; return how many were written.
    ``columns`` are the table and CSV columns (JSON rows keep every key). The
    table is for people: with a ``zone``, the ``instants`` columns show local
    date and time there (the caption names the zone), yes/no for flags, and
    headings whose words wrap, so it reads in a terminal's width."""
    if fmt in ENCODED_FORMATS:
        return write_encoded(map(row_encoder(fmt, columns), rows), columns, fmt, out)
    from rich import box
    from rich.console import Console  # only tables need rich (≈ 0.05 s of imports)
    from rich.table import Table

    local = frozenset(instants) if zone is not None else frozenset()
    count = 0
    table = Table(box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False)
    for column in columns:  # a narrow terminal wraps headings at their words and a time below its date
        table.add_column(column.replace("_", " "), min_width=len("2026-04-08") if column in local else None)
    if local:
        table.caption = f"times in {zone}"
    for row in rows:
        table.add_row(*(cell(_table_cell(row.get(c), zone if c in local else None)) for c in columns))
        count += 1
    Console(file=out, width=None if out.isatty() else _TABLE_WIDTH).print(table)
    return count


_TABLE_WIDTH = 200
"""Columns of a table written to a file or a pipe (a terminal's own width otherwise)."""


def _table_cell(value: object, zone: tzinfo | None) -> str:
    """A table cell: an instant as local ``YYYY-MM-DD HH:MM`` in ``zone`` (to
    the minute, as a clock shows it; CSV and JSON carry the exact instant)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if zone is not None and isinstance(value, str):
        return datetime.fromisoformat(value).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return _cell(value)


def _xlsx_value(value: object, instant: bool) -> object:
    if instant and isinstance(value, str):
        return datetime.fromisoformat(value).astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    return neutralised(value)


def write_xlsx(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    path: Path,
    *,
    instants: Collection[str] = (),
    sheet: str = "report",
) -> int:
    """Write ``rows`` to the workbook ``path``: one sheet, the header row frozen,
    the ``instants`` columns (ISO-8601 texts) as UTC date-time cells; return
    how many rows were written."""
    require_extra("xlsx", "--format xlsx")
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(worksheet, value=neutralised(column))
        if column in instants:
            cell.comment = Comment(XLSX_UTC_NOTE, "helpdesk")
        header.append(cell)
    worksheet.append(header)
    is_instant = [column in instants for column in columns]
    count = 0
    for row in rows:
        cells: list[object] = []
        for column, instant in zip(columns, is_instant, strict=True):
            value = _xlsx_value(row.get(column), instant)
            if isinstance(value, datetime):
                date_cell = WriteOnlyCell(worksheet, value=value)
                date_cell.number_format = XLSX_DATE_FORMAT
                value = date_cell
            cells.append(value)
        worksheet.append(cells)
        count += 1
    workbook.save(path)
    return count


def emit_encoded(texts: Iterable[str], columns: Sequence[str], fmt: str, output: Path | None) -> int:
    """:func:`write_encoded` to ``output`` (standard output when None)."""
    if output is None:
        return write_encoded(texts, columns, fmt, sys.stdout)
    try:
        with whole_output(output) as partial, partial.open("w", encoding="utf-8", newline="") as file:
            return write_encoded(texts, columns, fmt, file)
    except HelpdeskError:
        raise  # the rows' own failure (StorageUnavailable is an OSError too), not the file's
    except OSError as error:
        raise OutputUnwritable(f"{output}: cannot write the output: {error.strerror or error}") from None


def spooled_text(texts: Sequence[str], fmt: str) -> bytes:
    """Rows encoded by :func:`row_encoder`, joined as :func:`emit_spooled`
    appends them: the bytes :func:`write_encoded` writes for them, except that
    the first JSON row also has a comma before it (dropped when it is the
    array's first)."""
    if fmt == "json":
        return "".join(_JSON_SEPARATOR + text for text in texts).encode("utf-8")
    return "".join(texts).encode("utf-8")


def emit_spooled(files: Iterable[str], columns: Sequence[str], fmt: str, output: Path) -> int:
    """Write to the file ``output`` what :func:`emit_encoded` writes, from
    ``files`` holding :func:`spooled_text` rows in order: each is appended by
    the kernel (no row passes through this process) and then deleted. Returns
    how many bytes of rows were appended."""
    if fmt not in ENCODED_FORMATS:
        raise ValueError(f"{fmt!r} rows are not encoded one by one (expected one of {ENCODED_FORMATS})")
    appended = 0
    try:
        with whole_output(output) as partial, partial.open("wb", buffering=0) as file:
            if fmt == "csv":
                header = io.StringIO()
                csv.writer(header, lineterminator="\n").writerow([neutralised(c) for c in columns])
                file.write(header.getvalue().encode("utf-8"))
            elif fmt == "json":
                file.write(b"[")
            for path in files:
                skip = 1 if fmt == "json" and not appended else 0
                appended += _append(path, file, skip)
                os.unlink(path)
            if fmt == "json":
                file.write(b"\n]\n" if appended else b"]\n")
    except HelpdeskError:
        raise
    except OSError as error:
        raise OutputUnwritable(f"{output}: cannot write the output: {error.strerror or error}") from None
    return appended


def _append(path: str, out: IO[bytes], skip: int) -> int:
    """Append the file ``path`` from its byte ``skip`` on to the unbuffered
    file ``out``; return the bytes appended. ``os.sendfile`` copies in the
    kernel (on Linux the cheapest of sendfile, copy_file_range, copyfileobj and
    read + write, measured); a platform or file system refusing it before the
    first byte gets ``shutil.copyfileobj`` with 1 MiB reads."""
    with open(path, "rb") as source:
        size = os.fstat(source.fileno()).st_size
        offset = skip
        try:
            while offset < size:
                sent = os.sendfile(out.fileno(), source.fileno(), offset, size - offset)
                if sent == 0:
                    break
                offset += sent
        except (AttributeError, OSError) as error:
            if (isinstance(error, OSError) and error.errno not in _NO_SENDFILE) or offset > skip:
                raise
            source.seek(offset)
            shutil.copyfileobj(source, out, 1 << 20)
            offset = size
        return max(0, offset - skip)


def emit_rows(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: str,
    output: Path | None,
    *,
    instants: Collection[str] = (),
    zone: tzinfo | None = None,
) -> int:
    """Write ``rows`` in ``fmt`` to ``output`` (standard output when None);
    XLSX needs a file. ``instants`` name the columns holding ISO-8601 instants:
    UTC date cells in XLSX, local times in ``zone`` in a table. Returns how
    many rows were written."""
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx writes a workbook: give --output FILE.xlsx")
    if fmt == "xlsx":
        require_extra("xlsx", "--format xlsx")  # before a row is computed
    if output is None:
        return write_rows(rows, columns, fmt, sys.stdout, instants=instants, zone=zone)
    try:
        with whole_output(output) as partial:
            if fmt == "xlsx":
                return write_xlsx(rows, columns, partial, instants=instants)
            with partial.open("w", encoding="utf-8", newline="") as file:
                return write_rows(rows, columns, fmt, file, instants=instants, zone=zone)
    except HelpdeskError:
        raise
    except OSError as error:
        raise OutputUnwritable(f"{output}: cannot write the output: {error.strerror or error}") from None


__all__ = [
    "ENCODED_FORMATS",
    "FORMATS",
    "TEXT_FORMATS",
    "XLSX_UTC_NOTE",
    "OutputUnwritable",
    "emit_encoded",
    "emit_rows",
    "emit_spooled",
    "neutralised",
    "row_encoder",
    "spooled_text",
    "write_encoded",
    "write_rows",
    "write_xlsx",
]
