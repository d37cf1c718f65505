"""A table for a person, written as its rows come: never held whole.

Rows are read in chunks of :data:`CHUNK`; every column's width is known from
its format (an instant is ``YYYY-MM-DD HH:MM``, a state at most ``breached``)
or measured on the first chunk. A :class:`Layout` names the columns in the
order a person reads them; the columns a person decides by are *kept*: never
cropped, never dropped. The others follow as the width allows — cropped with
``…`` to the room left (a column of a known width, such as an instant,
is never cropped), or left out. Several layouts may be offered, widest
first (e.g. ``due → reacted ✗`` in one column, then only ``due ✗``): the first
whose kept columns fit is used.

Without a width (a file, or a pipe without ``COLUMNS``) every column of the
first layout is written in full: a plain layout, as wide as its rows.

A kept column wider in a later chunk (``T-9999`` then ``T-10000``) grows, and
the heading is written again above the rows it first applies to. Text shown
here went through :func:`helpdesk_cli.terminal.shown` (the column's ``text``
does it); widths are terminal cells (``rich.cells``: a CJK character takes two).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import IO, Any

import attrs

CHUNK = 100
"""Rows read, measured and written at a time."""
GAP = "  "
"""Between two columns."""
_MIN_CROPPED = 6
"""The narrowest a cropped column is shown (narrower: left out)."""


@attrs.frozen
class Symbols:
    """The marks a table draws with: Unicode, or ASCII where the output's
    encoding cannot write them."""

    arrow: str = "→"
    breached: str = "✗"
    in_time: str = "✓"
    rule: str = "─"
    ellipsis: str = "…"


ASCII = Symbols(arrow="->", breached="x", in_time="v", rule="-", ellipsis="~")


def symbols_for(out: IO[str]) -> Symbols:
    """Unicode marks when ``out``'s encoding writes them, else :data:`ASCII`."""
    marks = Symbols()
    try:
        "".join(attrs.astuple(marks)).encode(getattr(out, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return ASCII
    return marks


@attrs.frozen
class Column:
    """One column: its heading, its text for a row (escaped for a terminal),
    its width when the format fixes it (else measured), whether it is kept
    (never cropped or dropped) and aligned right (numbers)."""

    heading: str
    text: Callable[[Mapping[str, Any]], str]
    width: int | None = None
    kept: bool = False
    right: bool = False


@attrs.frozen
class Layout:
    """Columns in reading order, and the legend written above them."""

    columns: tuple[Column, ...]
    legend: str = ""


def width_of(out: IO[str]) -> int | None:
    """The columns ``out`` shows: ``COLUMNS`` when set (a pipe into ``less``
    then gets the terminal's width), else a terminal's own width, else None
    (a file or a pipe: the plain layout)."""
    given = os.environ.get("COLUMNS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        if out.isatty():
            return os.get_terminal_size(out.fileno()).columns
    except (AttributeError, OSError, ValueError):
        pass
    return None


_NARROW = str.maketrans(dict.fromkeys("→✗✓─…", "x"))
"""The table's own marks, one cell each (told apart without measuring every character)."""


def cells(text: str) -> int:
    """Terminal cells ``text`` takes."""
    if text.isascii() or text.translate(_NARROW).isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _fitted(text: str, width: int, right: bool, ellipsis: str) -> str:
    size = cells(text)
    if size > width:  # only a column that is not kept gets here
        from rich.cells import set_cell_size

        text, size = set_cell_size(text, width - cells(ellipsis)) + ellipsis, width
    padding = " " * (width - size)
    return padding + text if right else text + padding


def _arranged(layout: Layout, measured: Sequence[int], width: int | None) -> list[tuple[int, int]] | None:
    """(column index, width) of each column shown, or None when the kept
    columns do not fit ``width``."""
    columns = layout.columns
    kept = [(i, measured[i]) for i, c in enumerate(columns) if c.kept]
    if width is None:
        return list(enumerate(measured))
    room = width - sum(w for _, w in kept) - len(GAP) * (len(kept) - 1)
    if room < 0:
        return None
    shown = dict(kept)
    for i, column in enumerate(columns):
        if column.kept:
            continue
        narrowest = measured[i] if column.width is not None else min(  # an instant is whole or not shown
            measured[i], max(_MIN_CROPPED, cells(column.heading)))
        if room - len(GAP) < narrowest:
            break  # the rest would come after a gap in reading order
        shown[i] = min(measured[i], room - len(GAP))
        room -= len(GAP) + shown[i]
    return sorted(shown.items())


def write_table(
    rows: Iterable[Mapping[str, Any]],
    layouts: Callable[[Symbols], Sequence[Layout]],
    out: IO[str],
    *,
    width: int | None,
) -> int:
    """Write ``rows`` as a table of the first of ``layouts`` whose kept
    columns fit ``width`` (the last when none does; None: the first, whole);
    return how many rows were written. Rows are read :data:`CHUNK` at a time."""
    symbols = symbols_for(out)
    offered = layouts(symbols)
    source = iter(rows)
    count = 0
    layout: Layout | None = None
    measured: list[int] = []
    arranged: list[tuple[int, int]] = []
    for chunk in _chunks(source):
        if layout is None:
            layout, arranged, measured = _chosen(offered, chunk, width)
            if layout.legend:
                out.write(layout.legend + "\n")
            _heading(layout, arranged, out, symbols)
        texts = [[column.text(row) for column in layout.columns] for row in chunk]
        grown = _measure(layout, texts, measured, only_kept=True)
        if grown != measured:  # a longer ticket id: its column grows, under a new heading
            measured = grown
            kept = [(i, measured[i]) for i, c in enumerate(layout.columns) if c.kept]
            arranged = _arranged(layout, measured, width) or kept
            _heading(layout, arranged, out, symbols)
        columns = layout.columns
        lines = []
        for row_texts in texts:
            line = GAP.join(_fitted(row_texts[i], w, columns[i].right, symbols.ellipsis) for i, w in arranged)
            lines.append(line.rstrip() + "\n")
        out.write("".join(lines))
        count += len(chunk)
        out.flush()
    if layout is None:  # no rows: the heading alone says what would have been shown
        layout, arranged, _ = _chosen(offered, [], width)
        if layout.legend:
            out.write(layout.legend + "\n")
        _heading(layout, arranged, out, symbols)
    return count


def _chunks(rows: Iterator[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def _measure(
    layout: Layout, texts: Sequence[Sequence[str]], start: Sequence[int], *, only_kept: bool
) -> list[int]:
    widths = list(start)
    for i, column in enumerate(layout.columns):
        if column.width is not None or (only_kept and not column.kept):
            continue
        widths[i] = max([widths[i], *(cells(t[i]) for t in texts)])
    return widths


def _chosen(
    offered: Sequence[Layout], chunk: Sequence[Mapping[str, Any]], width: int | None
) -> tuple[Layout, list[tuple[int, int]], list[int]]:
    for number, layout in enumerate(offered):
        texts = [[column.text(row) for column in layout.columns] for row in chunk]
        start = [c.width if c.width is not None else cells(c.heading) for c in layout.columns]
        start = [max(w, cells(c.heading)) for w, c in zip(start, layout.columns, strict=True)]
        measured = _measure(layout, texts, start, only_kept=False)
        arranged = _arranged(layout, measured, width)
        if arranged is not None:
            return layout, arranged, measured
        if number == len(offered) - 1:  # nothing fits: the kept columns, whole, wider than the screen
            return layout, [(i, measured[i]) for i, c in enumerate(layout.columns) if c.kept], measured
    raise ValueError("no table layout offered")


def _heading(layout: Layout, arranged: Sequence[tuple[int, int]], out: IO[str], symbols: Symbols) -> None:
    columns = layout.columns
    out.write(GAP.join(_fitted(columns[i].heading, w, columns[i].right, symbols.ellipsis)
                       for i, w in arranged).rstrip() + "\n")
    out.write(GAP.join(symbols.rule * w for _, w in arranged) + "\n")


__all__ = ["ASCII", "CHUNK", "Column", "Layout", "Symbols", "symbols_for", "width_of", "write_table"]
