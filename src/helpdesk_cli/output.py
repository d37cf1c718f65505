"""Writing a stream of rows as a table, CSV, JSON, JSON Lines or XLSX — in one place.

Rows are dicts with the same keys; they are written as they arrive — the
table too, a chunk at a time (:mod:`helpdesk_cli.table`) — so a report over
millions of tickets streams with flat memory. XLSX is written by openpyxl in
write-only mode, which also streams (its column widths are measured on the
first rows).

Spreadsheet safety: every CSV and XLSX cell goes through
:func:`helpdesk_core.spreadsheets.neutralised` — a text starting with
``= + - @``, tab or CR gets OWASP's leading single quote (formula injection);
plain numbers such as ``-5`` or ``+420601123456`` are left as they are.

XLSX date cells: Excel has no time zones, so instants are written as naive
date-time cells of local time in the desk's home zone, as the table shows
them; each such column's heading names the zone and carries a note saying so.

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
from contextlib import suppress
from datetime import UTC, datetime, tzinfo
from itertools import chain, islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import click

from helpdesk_cli.output_files import whole_output
from helpdesk_core.errors import HelpdeskError, ValidationError
from helpdesk_core.extras import require_extra
from helpdesk_core.spreadsheets import csv_row_writer, neutralised

if TYPE_CHECKING:
    from helpdesk_cli.table import Layout, Symbols

TableLayouts = Callable[["Symbols"], Sequence["Layout"]]
"""The layouts a table may take (see :func:`helpdesk_cli.table.write_table`)."""

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
XLSX_TIME_NOTE = (
    "Local date and time in {zone}, as the table shows them (Excel cells have no time zone); "
    "the JSON and CSV rows carry each instant's offset."
)
XLSX_MEASURED = 1000
"""Rows an XLSX column's width is measured on (the rest stream after them)."""
XLSX_WIDEST = 60
"""The widest an XLSX column is made, in characters (longer texts wrap or overflow in Excel)."""


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
    table: TableLayouts | None = None,
    width: int | Literal["out"] | None = "out",
) -> int:
    """Write ``rows`` to ``out`` in a text format ``fmt``; return how many were written.
    ``columns`` are the table and CSV columns (JSON rows keep every key).

    The table is for people and streams too (:mod:`helpdesk_cli.table`): the
    ``table`` layouts (by default a column each, the ``instants`` as local
    date and time in ``zone``, named above the heading), fitted to ``width``
    columns — by default ``out``'s (:func:`helpdesk_cli.table.width_of`);
    None writes the plain layout, every column whole."""
    if fmt in ENCODED_FORMATS:
        return write_encoded(map(row_encoder(fmt, columns), rows), columns, fmt, out)
    from helpdesk_cli.sla_table import plain_layouts
    from helpdesk_cli.table import width_of, write_table

    layouts = table if table is not None else plain_layouts(columns, instants, zone)
    return write_table(rows, layouts, out, width=width_of(out) if width == "out" else width)


def _xlsx_value(value: object, zone: tzinfo | None) -> object:
    """A cell's value: an instant (``zone`` given) as the naive local date and
    time there, lists and objects as JSON, texts neutralised."""
    if zone is not None and isinstance(value, str):
        return datetime.fromisoformat(value).astimezone(zone).replace(tzinfo=None)
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    return neutralised(value)


def _xlsx_text(value: object) -> str:
    """What a cell shows, for its column's width."""
    if isinstance(value, datetime):
        return "2026-04-08 15:00"  # XLSX_DATE_FORMAT
    if isinstance(value, bool):
        return "FALSE"
    return "" if value is None else str(value)


def _wrapped_lines(text: str, width: int) -> int:
    """Lines ``text`` takes wrapped at its spaces in ``width`` characters."""
    lines, used = 1, 0
    for word in text.split(" "):
        if used and used + 1 + len(word) > width:
            lines, used = lines + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
    return lines


def write_xlsx(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    path: Path,
    *,
    instants: Collection[str] = (),
    zone: tzinfo = UTC,
    sheet: str = "report",
) -> int:
    """Write ``rows`` to the workbook ``path``: one sheet, the header row
    frozen, the ``instants`` columns (ISO-8601 texts) as date-time cells of
    local time in ``zone`` — as the table shows them, the zone named in their
    headings — and every column as wide as its heading's longest word and
    the cells of the first :data:`XLSX_MEASURED` rows; return how many rows
    were written. Streams: the rows after those are not held."""
    require_extra("xlsx", "--format xlsx")
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from helpdesk_cli.table import cells

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.freeze_panes = "A2"
    zones = [zone if column in instants else None for column in columns]
    source = iter(rows)
    first = [[_xlsx_value(row.get(c), z) for c, z in zip(columns, zones, strict=True)]
             for row in islice(source, XLSX_MEASURED)]
    headings = [column if z is None else f"{column} ({zone})"
                for column, z in zip(columns, zones, strict=True)]
    lines = 1
    for number, heading in enumerate(headings):
        words = max(cells(word) for word in heading.split(" "))
        widest = max([words, *(cells(_xlsx_text(values[number])) for values in first)])
        width = min(widest, XLSX_WIDEST) + 2
        worksheet.column_dimensions[get_column_letter(number + 1)].width = width
        lines = max(lines, _wrapped_lines(heading, width - 2))
    if lines > 1:
        worksheet.row_dimensions[1].height = 15 * lines
    header = []
    for heading, column_zone in zip(headings, zones, strict=True):
        cell = WriteOnlyCell(worksheet, value=neutralised(heading))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column_zone is not None:
            cell.comment = Comment(XLSX_TIME_NOTE.format(zone=zone), "helpdesk")
        header.append(cell)
    worksheet.append(header)
    count = 0
    try:
        for values in chain(first, ([_xlsx_value(row.get(c), z) for c, z in zip(columns, zones, strict=True)]
                                    for row in source)):
            cells_of_row: list[object] = []
            for value in values:
                if isinstance(value, datetime):
                    date_cell = WriteOnlyCell(worksheet, value=value)
                    date_cell.number_format = XLSX_DATE_FORMAT
                    value = date_cell
                cells_of_row.append(value)
            worksheet.append(cells_of_row)
            count += 1
    except BaseException:
        # Interrupted (Ctrl-C) or failed: finish openpyxl's temporary sheet file
        # now, or its writer complains on stderr when collected at exit.
        with suppress(Exception):
            worksheet.close()
        raise
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
    table: TableLayouts | None = None,
) -> int:
    """Write ``rows`` in ``fmt`` to ``output`` (standard output when None);
    XLSX needs a file. ``instants`` name the columns holding ISO-8601 instants:
    local times in ``zone`` (the desk's home zone) in a table and in XLSX date
    cells (UTC without a zone). ``table`` gives the table's layouts; a table
    in a file is the plain layout. Returns how many rows were written."""
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx writes a workbook: give --output FILE.xlsx")
    if fmt == "xlsx":
        require_extra("xlsx", "--format xlsx")  # before a row is computed
    if output is None:
        return write_rows(rows, columns, fmt, sys.stdout, instants=instants, zone=zone, table=table)
    try:
        with whole_output(output) as partial:
            if fmt == "xlsx":
                return write_xlsx(rows, columns, partial, instants=instants, zone=zone or UTC)
            with partial.open("w", encoding="utf-8", newline="") as file:
                return write_rows(
                    rows, columns, fmt, file, instants=instants, zone=zone, table=table, width=None
                )
    except HelpdeskError:
        raise
    except OSError as error:
        raise OutputUnwritable(f"{output}: cannot write the output: {error.strerror or error}") from None


__all__ = [
    "ENCODED_FORMATS",
    "FORMATS",
    "TEXT_FORMATS",
    "XLSX_TIME_NOTE",
    "OutputUnwritable",
    "TableLayouts",
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
