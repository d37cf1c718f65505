"""An HTML body as text a person can read.

With the ``intake`` extra installed (``pip install 'helpdesk-core[intake]'``)
this is Zyte's ``html-text`` on lxml: it drops scripts, styles and comments,
puts block elements on their own lines the way a browser lays them out, and
is fast (lxml's C parser). Without it, a small reader on the standard
library's :mod:`html.parser` does the same roughly, and the message says so
in its defects.

Either way, the content of a ``<blockquote>`` keeps its quote marks: each of
its lines starts with ``> `` (``> > `` in a quote within a quote), as the
plain-text part of the same mail would have it, so the visible text can cut
a quote of an HTML-only reply even where no quote header stands above it.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")

_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset"),
        *("figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul"),
    }
)
_HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript"})

_QUOTE_OPENS = "\ue000"
_QUOTE_CLOSES = "\ue001"
"""Private-use characters marking where a ``<blockquote>`` begins and ends in
the text on its way out of the converter (removed from the markup first)."""
_QUOTE_SENTINELS = re.compile(f"[{_QUOTE_OPENS}{_QUOTE_CLOSES}]")

FALLBACK_DEFECT = "HTML body read without html-text (a rough conversion): pip install 'helpdesk-core[intake]'"


def html_to_text(markup: str) -> tuple[str, str | None]:
    """``markup`` as text, and a defect when the rough reader was used or
    the HTML could not be read at all (then the tags are stripped)."""
    if not markup.strip():
        return "", None
    markup = _QUOTE_SENTINELS.sub("", markup)
    try:
        import html_text
    except ImportError:
        return _tidy(_read_with_stdlib(markup)), FALLBACK_DEFECT
    try:
        tree = html_text.parse_html(markup)
        _mark_quotes(tree)
        text: str = html_text.extract_text(tree, guess_layout=True)
    except Exception as error:  # lxml's errors on hostile markup
        return _tidy(_read_with_stdlib(markup)), f"HTML body cannot be parsed ({error}); tags stripped"
    return _tidy(text), None


def _mark_quotes(tree: Any) -> None:
    """Put the quote sentinels at the start and the end of each blockquote
    of the lxml ``tree`` (the end one as the tail of its last child, which
    the cleaner keeps when it drops that child)."""
    for quote in tree.iter("blockquote"):
        quote.text = _QUOTE_OPENS + (quote.text or "")
        if len(quote):
            last = quote[-1]
            last.tail = (last.tail or "") + _QUOTE_CLOSES
        else:
            quote.text += _QUOTE_CLOSES


def _tidy(text: str) -> str:
    """Spaces collapsed, lines stripped, runs of blank lines shortened, and
    the lines within the quote sentinels prefixed with ``> `` per level."""
    lines: list[str] = []
    depth = 0
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        level: int | None = None
        for char in line:
            if char == _QUOTE_OPENS:
                depth += 1
            elif char == _QUOTE_CLOSES:
                depth = max(0, depth - 1)
            elif level is None and not char.isspace():
                level = depth
        content = _SPACES.sub(" ", _QUOTE_SENTINELS.sub("", line)).strip()
        if not content and _QUOTE_SENTINELS.search(line):
            continue  # a line only the sentinels made
        lines.append("> " * level + content if level and content else content)
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
            if tag == "blockquote":
                self.parts.append(_QUOTE_OPENS)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            if tag == "blockquote":
                self.parts.append(_QUOTE_CLOSES)
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(_SPACES.sub(" ", data.replace("\n", " ")))


def _read_with_stdlib(markup: str) -> str:
    reader = _TextReader()
    try:
        reader.feed(markup)
        reader.close()
    except Exception:  # html.parser on hostile markup: strip the tags
        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    return "".join(reader.parts)


__all__ = ["FALLBACK_DEFECT", "html_to_text"]
