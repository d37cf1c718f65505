"""Stored and given text on its way to a person's terminal.

A subject, a comment body, a company name or an id typed on the command line
may hold control characters: an escape sequence that recolours, clears or
retitles the terminal, a carriage return that overwrites what was printed, a
right-to-left override that shows a line in another order. Wherever such text
is shown to a person (tables, ``ticket show``, error messages) it goes through
:func:`shown`, which writes those characters escaped, as Python writes them
(``\\x1b``, ``\\r``, ``\\u202e``); :func:`cell` does the same for a rich table
cell and keeps rich from reading ``[…]`` in the text as markup.

Machine formats (JSON, JSON Lines, CSV, XLSX) carry the text exactly and do
not come here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from rich.text import Text

_UNSHOWABLE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""C0 and C1 control characters (escape, carriage return, newline, bell …),
Unicode line separators, bidirectional overrides and isolates, and lone
surrogates (which no terminal encoding can write)."""


def _escaped(found: re.Match[str]) -> str:
    return found.group().encode("unicode_escape").decode("ascii")


def shown(text: object) -> str:
    """``text`` (made a string) with every character of :data:`_UNSHOWABLE`
    written as its Python escape, so it is printed as it is, not obeyed."""
    return _UNSHOWABLE.sub(_escaped, str(text))


def cell(text: object, style: str = "") -> Text:
    """:func:`shown` ``text`` as a rich table cell or line: plain text, never markup."""
    from rich.text import Text

    return Text(shown(text), style=style)


__all__ = ["cell", "shown"]
