"""Reading an import file into rows: CSV with a header row (UTF-8 with or
without a BOM, the delimiter given or guessed from the header) or JSON Lines
with the same keys.

A file is read lazily and may be read more than once (the import may read
it a first time to learn every external id, then again to map the rows), so
memory stays flat however long the file. Line numbers are the file's own, 1-based:
the header is line 1 and the first CSV record is line 2.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO, Literal

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.imports.kinds import Kind
from helpdesk_core.imports.report import ImportRejected
from helpdesk_core.serialization import json_from_line
from helpdesk_core.spreadsheets import QUOTE, restored

Format = Literal["csv", "jsonl"]

DELIMITERS = (",", ";", "\t", "|")
"""Candidates when the delimiter is guessed: the one the header uses most."""

MAX_LINE_BYTES = 64 * 1024 * 1024
"""The longest line an import file may have, in bytes (64 MiB: a ticket
history of some 400,000 events). A longer line is refused as soon as this
much of it has been read, so a file without line ends cannot fill memory."""


def bounded_lines(handle: BinaryIO, name: str) -> Iterator[bytes]:
    """The lines of ``handle`` (each with its line end), refusing with
    :class:`ImportRejected` a line longer than :data:`MAX_LINE_BYTES` before
    more of it is read. ``name`` is the file as messages show it."""
    readline = handle.readline
    number = 0
    while raw := readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise ImportRejected(
                f"{name} line {number}: longer than {_size(MAX_LINE_BYTES)}, the most a line "
                "may hold (is this a text file with line ends?)"
            )
        yield raw


@attrs.frozen
class SourceRow:
    """One record of a file: its line number and the values of the keys it has.

    A key absent from ``values`` was not in the file (its value is left as it
    is on update); a key present with an empty value means "no value".
    ``problem`` is set when the line itself is unreadable (malformed JSON, more
    cells than the header has columns).
    """

    line: int
    values: Mapping[str, object]
    problem: str | None = None


def format_of(path: Path, given: str | None = None) -> Format:
    """``csv`` or ``jsonl``: ``given`` when set, else from the file's extension."""
    choice = (given or path.suffix.lstrip(".")).lower()
    if choice in ("csv", "txt", "tsv"):
        return "csv"
    if choice in ("jsonl", "ndjson", "json"):
        return "jsonl"
    raise ImportRejected(
        f"{path.name}: cannot tell the format from the extension {path.suffix!r}; "
        "name the file .csv or .jsonl, or pass the format"
    )


def _opened(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise ImportRejected(f"{path.name}: no such file ({path})") from None
    except IsADirectoryError:
        raise ImportRejected(f"{path.name}: is a directory, expected a file") from None
    except OSError as error:
        raise ImportRejected(f"{path.name}: cannot be read ({error.strerror or error})") from None


def _decoded(path: Path, number: int, raw: bytes) -> str:
    """Line ``number`` of ``path`` as text; a BOM on line 1 is dropped."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            f"{path.name} line {number}: not UTF-8 text ({error.reason} at byte "
            f"{error.start + 1} of the line); save the file as UTF-8"
        ) from None
    return line.removeprefix("\ufeff") if number == 1 else line


def _size(count: int) -> str:
    return f"{count // 2**20} MiB" if count >= 2**20 else f"{count:,} bytes"


def text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The file's lines as text, numbered from 1; a BOM on line 1 is dropped."""
    with _opened(path) as handle:
        for number, raw in enumerate(bounded_lines(handle, path.name), start=1):
            yield number, _decoded(path, number, raw)


def _delimiter(given: str | None) -> str | None:
    """The CSV delimiter ``given`` (``\\t`` or ``tab`` for a tab), checked: one
    character that is not a quote or a line end."""
    if given is None:
        return None
    delimiter = {"\\t": "\t", "tab": "\t"}.get(given, given)
    if len(delimiter) != 1 or delimiter in "\"\r\n":
        raise ImportRejected(
            f"delimiter {given!r}: expected one character such as , ; | or \\t (a tab), "
            "not a quote or a line end"
        )
    return delimiter


@attrs.frozen
class SourceFile:
    """An import file of one kind. ``columns`` are the keys its header (CSV) or
    its lines (JSON Lines) use; ``unknown`` those the kind does not know, each
    reported once as a warning and otherwise ignored."""

    path: Path
    kind: Kind
    format: Format
    delimiter: str | None = attrs.field(default=None, converter=_delimiter)
    name: str = attrs.field(
        init=False, eq=False, default=attrs.Factory(lambda self: self.path.name, takes_self=True)
    )
    """The file's name as messages show it: ``contacts.csv`` (kept: asked once a row)."""

    def rows(self, keys: Collection[str] | None = None) -> Iterator[SourceRow]:
        """Every record, in file order; blank lines and empty records skipped.
        With ``keys``, a CSV row's ``values`` hold only those of its columns
        (a quick pass that needs a row's identity, not the whole row); lines
        and problems are the same either way."""
        if self.format == "csv":
            return self._csv_rows(keys)
        return self._jsonl_rows()

    def columns(self) -> tuple[str, ...]:
        """The keys the file uses, in first-seen order."""
        if self.format == "csv":
            return self._header()[0]
        seen: dict[str, None] = {}
        for row in self._jsonl_rows():
            seen.update(dict.fromkeys(row.values))
        return tuple(seen)

    def unknown_columns(self) -> tuple[str, ...]:
        """The keys of :meth:`columns` that the kind does not know."""
        return tuple(c for c in self.columns() if c not in self.kind.keys)

    def _header(self) -> tuple[tuple[str, ...], str]:
        for number, line in text_lines(self.path):
            if not line.strip():
                continue
            if "\r" in line.rstrip("\r\n"):
                raise ImportRejected(
                    f"{self.name} line {number}: the lines end with a carriage return alone (CR, "
                    "as on classic Mac OS); save the file with LF or CR LF line ends"
                )
            delimiter = self.delimiter or _guess_delimiter(line)
            cells = next(csv.reader([line], delimiter=delimiter))
            header = tuple(restored(c).strip() for c in cells)
            self._check_header(number, header)
            return header, delimiter
        raise ImportRejected(f"{self.name}: the file is empty; expected a header row")

    def _check_header(self, number: int, header: tuple[str, ...]) -> None:
        known = [c for c in header if c in self.kind.keys]
        if not known:
            raise ImportRejected(
                f"{self.name} line {number}: no header row: expected column names such as "
                f"{', '.join(self.kind.keys)}; got {', '.join(repr(c) for c in header)}"
            )
        seen: set[str] = set()
        for column in header:
            if column in seen:
                raise ImportRejected(f"{self.name} line {number}: column {column!r} appears twice")
            seen.add(column)
        for key in self.kind.identity:
            if key not in seen:
                raise ImportRejected(
                    f"{self.name} line {number}: the header has no {key!r} column, which "
                    f"identifies each {self.kind.noun}"
                )

    def _csv_rows(self, keys: Collection[str] | None) -> Iterator[SourceRow]:
        header, delimiter = self._header()
        width = len(header)
        picked = None if keys is None else [(k, header.index(k)) for k in keys if k in header]
        with _opened(self.path) as handle:
            lines = bounded_lines(handle, self.name)
            first_line = 0
            for number, raw in enumerate(lines, start=1):
                line = _decoded(self.path, number, raw)
                if line.strip():
                    first_line = number
                    break
            # The rest is decoded in C, line by line; a line that is not UTF-8 is
            # found again by the careful reader, which names it. Strict: a quote
            # that is never closed is an error, not a cell swallowing the file.
            reader = csv.reader(map(bytes.decode, lines), delimiter=delimiter, strict=True)
            read = reader.__next__
            while True:
                start = first_line + reader.line_num + 1
                try:
                    cells = read()
                except StopIteration:
                    return
                except csv.Error as error:
                    yield SourceRow(start, {}, _unreadable(error, start, first_line + reader.line_num))
                    continue
                except UnicodeDecodeError:
                    for _ in text_lines(self.path):
                        pass
                    raise
                count = len(cells)
                if count == width and picked is None and cells[0] and not cells[0].isspace():
                    for cell in cells:
                        if cell[:1] == QUOTE:  # neutralised against formula injection
                            cells = [restored(c) for c in cells]
                            break
                    yield SourceRow(start, dict(zip(header, cells, strict=True)))  # the everyday row
                    continue
                if not "".join(cells).strip():
                    continue
                if count != width:
                    end = first_line + reader.line_num
                    yield SourceRow(start, {}, _miscounted(count, width, delimiter, start, end))
                    continue
                cells = [restored(c) for c in cells]
                if picked is not None:
                    yield SourceRow(start, {k: cells[i] for k, i in picked})
                    continue
                yield SourceRow(start, dict(zip(header, cells, strict=True)))

    def _jsonl_rows(self) -> Iterator[SourceRow]:
        for number, line in text_lines(self.path):
            if not line.strip():
                continue
            try:
                data = json_from_line(line)
            except ValidationError as error:
                yield SourceRow(number, {}, str(error))
                continue
            if not isinstance(data, dict):
                yield SourceRow(
                    number, {}, f"expected a JSON object per line, got {type(data).__name__}"
                )
                continue
            yield SourceRow(number, data)


def _unreadable(error: csv.Error, start: int, end: int) -> str:
    """Why the CSV record opening on line ``start`` (read up to ``end``) cannot be read."""
    if "unexpected end of data" in str(error):
        return (
            "a quoted cell opens on this line and is never closed (a stray quote?); "
            f"it would run to the end of the file, line {end}"
        )
    where = f" (the record runs to line {end})" if end > start else ""
    return f"unreadable CSV: {error}{where}"


def _miscounted(count: int, width: int, delimiter: str, start: int, end: int) -> str:
    """Why a record of ``count`` cells is refused under a header of ``width`` columns."""
    said = f"{count} cells, but the header has {width} columns"
    if end > start:
        return (
            f"{said}: a quoted cell opened on this line runs to line {end} "
            "(a stray quote, or a quote that is not closed?)"
        )
    if count > width:
        return f"{said} (is the delimiter {delimiter!r} right?)"
    return f"{said} (a cell or a delimiter missing?)"


def _guess_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


__all__ = [
    "DELIMITERS",
    "MAX_LINE_BYTES",
    "Format",
    "SourceFile",
    "SourceRow",
    "bounded_lines",
    "format_of",
    "text_lines",
]
