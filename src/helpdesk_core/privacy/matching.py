"""Finding a person's identifiers in free text, and replacing them.

Matching is case-insensitive and ignores diacritics (``Novakova`` finds
``Nováková``), and it respects word boundaries so that another person with a
similar name is untouched: forgetting *Jan Novák* leaves *Jana Nováková*, and
*jana@example.com* leaves *xjana@example.com*. A hyphen or apostrophe counts as
part of a word (*Nováková-Svobodová* is somebody else). Phone numbers are found
in any common spelling: with or without the country code (``+420``, ``00420``),
a trunk ``0``, spaces, dashes, dots or parentheses between any digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

import attrs

from helpdesk_core.privacy.identifiers import LAST_DIGITS, PersonIdentifiers

_WORD_BEFORE = r"(?<![\w\-'’])"
_WORD_AFTER = r"(?![\w\-'’])"
_EMAIL_BEFORE = r"(?<![\w.+\-])"
_EMAIL_AFTER = r"(?![\w\-]|\.\w)"
_SEPARATOR = r"[\s\-./()]{0,3}"
_NOT_DIGIT_BEFORE = r"(?<![\d+])"
_FOREIGN_CODE = re.compile(r"(?:\+|(?<!\d)00)\s*\(?\d{1,3}\)?[\s\-./()]{0,3}$")
"""A country code just before a number found without its own: another country's number."""
_NOT_DIGIT_AFTER = r"(?!\d)"


def _letter(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and base != char and len(base) == 1:
        return f"[{re.escape(char)}{re.escape(base)}]"
    return re.escape(char)


def _loose_word(word: str) -> str:
    """A word matching itself with or without diacritics (in any case, with IGNORECASE)."""
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)
    )
    return "".join(_letter(c) for c in unicodedata.normalize("NFC", word)) if folded else re.escape(word)


def name_pattern(name: str) -> str | None:
    """A regular expression for a full name in the orders people write it:
    ``First Last``, ``Last First``, ``Last, First`` (any white space between).
    None for a name too short to look for safely (a single letter)."""
    words = name.split()
    if not words or sum(len(w) for w in words) < 2:
        return None
    forms = [words]
    if len(words) > 1:
        forms.append([words[-1], *words[:-1]])
    alternatives = [r"\s+".join(_loose_word(w) for w in form) for form in forms]
    if len(words) > 1:
        alternatives.append(
            _loose_word(words[-1]) + r",\s*" + r"\s+".join(_loose_word(w) for w in words[:-1])
        )
    return _WORD_BEFORE + "(?:" + "|".join(alternatives) + ")" + _WORD_AFTER


def email_pattern(email: str) -> str:
    """An e-mail address as a whole, in any case."""
    return _EMAIL_BEFORE + re.escape(email.strip()) + _EMAIL_AFTER


def _digits_with_separators(digits: str) -> str:
    return _SEPARATOR.join(digits)


def phone_pattern(digits: str, country_code: int | None) -> str:
    """A phone number whose national significant number is ``digits``: with an
    optional ``+CC``/``00CC`` (any code when ``country_code`` is None) or a
    trunk ``0`` in front, and any of space, dash, dot or parentheses between
    digits; numbers longer than nine digits are also found by their last nine."""
    code = r"\d{1,3}" if country_code is None else re.escape(str(country_code))
    prefix = rf"(?:\(?(?:\+|00)\s*\(?{code}\)?{_SEPARATOR}|\(?0\)?{_SEPARATOR})?"
    bodies = [_digits_with_separators(digits)]
    if len(digits) > LAST_DIGITS:
        bodies.append(_digits_with_separators(digits[-LAST_DIGITS:]))
    body = "|".join(bodies)
    return rf"{_NOT_DIGIT_BEFORE}(?:{prefix}(?:{body})){_NOT_DIGIT_AFTER}"


@attrs.frozen
class Hit:
    """One identifier found in a text: ``kind`` (name, email or phone) and the
    half-open character range ``[start, end)``."""

    kind: str
    start: int
    end: int


class IdentifierMatcher:
    """Compiled patterns of one person's identifiers; see the module docstring.

    One regular expression with a named group per kind, so a text is read once
    whatever the number of identifiers.
    """

    def __init__(self, identifiers: PersonIdentifiers) -> None:
        self.identifiers = identifiers
        groups: dict[str, list[str]] = {"email": [], "phone": [], "name": []}
        groups["email"] = [email_pattern(e) for e in identifiers.emails]
        groups["phone"] = [phone_pattern(p.digits, p.country_code) for p in identifiers.phones]
        groups["name"] = [p for n in identifiers.names if (p := name_pattern(n)) is not None]
        parts = [f"(?P<{kind}>{'|'.join(alts)})" for kind, alts in groups.items() if alts]
        self._pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def hits(self, text: str) -> Iterator[Hit]:
        """Every identifier in ``text``, left to right, not overlapping."""
        if self._pattern is None or not text:
            return
        for match in self._pattern.finditer(text):
            kind = match.lastgroup or "name"
            if kind == "phone" and _FOREIGN_CODE.search(text, max(0, match.start() - 8), match.start()):
                continue
            yield Hit(kind, match.start(), match.end())

    def found_in(self, text: str) -> bool:
        """True when ``text`` holds any of the identifiers."""
        return self._pattern is not None and bool(text) and self._pattern.search(text) is not None

    def replace(self, text: str, replacement: Callable[[str], str]) -> tuple[str, int]:
        """``text`` with every identifier replaced by ``replacement(kind)``, and
        how many were replaced."""
        pieces: list[str] = []
        done = 0
        for hit in self.hits(text):
            pieces += [text[done : hit.start], replacement(hit.kind)]
            done = hit.end
        if not pieces:
            return text, 0
        pieces.append(text[done:])
        return "".join(pieces), len(pieces) // 2


__all__ = ["Hit", "IdentifierMatcher", "email_pattern", "name_pattern", "phone_pattern"]
