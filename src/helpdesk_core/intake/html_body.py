"""An HTML body as text a person can read.

With the ``intake`` extra installed (``pip install 'helpdesk-core[intake]'``)
this is Zyte's ``html-text`` on lxml: it drops scripts, styles and comments,
puts block elements on their own lines the way a browser lays them out, and
is fast (lxml's C parser). Without it, a small reader on the standard
library's :mod:`html.parser` does the same roughly, and the message says so
in its defects.
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

FALLBACK_DEFECT = "HTML body read without html-text (a rough conversion): pip install 'helpdesk-core[intake]'"


def html_to_text(markup: str) -> tuple[str, str | None]:
    """``markup`` as text, and a defect when the rough reader was used or
    the HTML could not be read at all (then the tags are stripped)."""
    if not markup.strip():
        return "", None
    try:
        import html_text
    except ImportError:
        return _tidy(_read_with_stdlib(markup)), FALLBACK_DEFECT
    try:
        text: str = html_text.extract_text(markup, guess_layout=True)
    except Exception as error:  # lxml's errors on hostile markup
        return _tidy(_read_with_stdlib(markup)), f"HTML body cannot be parsed ({error}); tags stripped"
    return _tidy(text), None


def _tidy(text: str) -> str:
    lines = [
        _SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
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

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
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
