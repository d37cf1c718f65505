"""Cells a spreadsheet cannot run as formulas (CSV and formula injection).

A text cell starting with ``=``, ``+``, ``-`` or ``@`` is run as a formula by
Excel, LibreOffice and Google Sheets when a CSV file is opened (and a tab or a
carriage return before one hides it): a customer who names their company
``=HYPERLINK("http://evil.example", "click")`` reaches whoever opens an
export. Every CSV and XLSX cell helpdesk-core writes goes through
:func:`neutralised`, which puts OWASP's single quote in front of such a text;
every CSV cell it imports goes through :func:`restored`, which takes that
quote away again, so export → import → export is byte-identical and stores
nothing new.

Two kinds of text are left as they are:

- a plain number, ``-5``, ``+420601123456``, ``12.5`` (a sign, digits, at most
  one decimal point): a spreadsheet reads it as the number it is, which runs
  nothing, so negative numbers and phone numbers stay usable;
- a text whose first character is none of the above.

A text that already starts with quotes before a formula character
(``'=x``) gets one more, so :func:`restored` gives back exactly the text
written: ``restored(neutralised(t)) == t`` for every text ``t``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters a spreadsheet treats as the start of a formula (OWASP)."""

QUOTE = "'"
"""What goes in front of a neutralised cell."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\Z")


def neutralised(value: object) -> object:
    """``value`` as a spreadsheet cell that cannot run as a formula: a text
    starting (after any single quotes) with one of :data:`FORMULA_STARTS` gets
    a leading single quote, unless it is a plain number. Numbers, booleans,
    None and other texts pass unchanged."""
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first == QUOTE:
        if not value.lstrip(QUOTE).startswith(FORMULA_STARTS):
            return value
    elif first not in FORMULA_STARTS or _PLAIN_NUMBER.match(value):
        return value
    return QUOTE + value


def restored(cell: str) -> str:
    """The text a CSV cell written by :func:`neutralised` stands for: one
    leading quote fewer when quotes precede a formula character."""
    if cell[:1] == QUOTE and cell.lstrip(QUOTE).startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def csv_row_writer(out: TextIO) -> Callable[[Sequence[Any]], Any]:
    """``writerow`` for CSV lines ending in ``\\n`` on ``out`` (cells already
    neutralised). A row holding a carriage return is written with every cell
    quoted: the csv module quotes only the characters of its line terminator,
    so a lone CR would be written bare and end the record early when read."""
    plain = csv.writer(out, lineterminator="\n").writerow
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow

    def writerow(cells: Sequence[Any]) -> Any:
        for cell in cells:
            if isinstance(cell, str) and "\r" in cell:
                return quoted(cells)
        return plain(cells)

    return writerow


__all__ = ["FORMULA_STARTS", "QUOTE", "csv_row_writer", "neutralised", "restored"]
