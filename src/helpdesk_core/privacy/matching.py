"""Finding a person's identifiers in free text, and replacing them.

Two scopes (:class:`Scope`), because a name is shared by namesakes and an
address or a phone number is not:

* **everywhere** — every e-mail address, whole, and every phone number in any
  common spelling: with or without the country code (``+420``, ``00420``, a bare
  ``420``), a trunk ``0``, spaces, dashes, dots or parentheses between any digits;
* **linked** (records linked to the person: see
  :meth:`helpdesk_core.privacy.erasure.Forgetting.linked_ticket`) — also the full
  name in any order and case, declined (:mod:`~helpdesk_core.privacy.declension`:
  *Janě Novákové*, *Janu Novákovou*), the surname alone when it starts with a
  capital (*paní Novákové*), initials with the surname (*J. Nováková*) and the
  local part of each address (*j.novakova* of ``j.novakova@…``; not role names
  like ``info``, nor one that is just their first name: *Jana* alone is every
  Jana). Outside linked records these forms are :meth:`possible mentions
  <IdentifierMatcher.possible_mentions>` for a person to review, never changed.

Matching ignores case (but for the capital of a bare surname or an initial) and
diacritics (``Novakova`` finds ``Nováková``), and respects word boundaries so
that somebody with a similar name is untouched: forgetting *Jan Novák* leaves
*Jana Nováková*, and *jana@example.com* leaves *xjana@example.com*. A hyphen or
apostrophe counts as part of a word (*Nováková-Svobodová* is somebody else).
The full names of *namesakes* — other people whose names share a form with the
person's (*Hana Černá* beside *Anna Černá*) — are recognised first and never
taken for the person's surname.

The public API, shared by the erasure, the proof and the export:
:class:`IdentifierMatcher` (``hits``, ``replace``, ``possible_mentions``,
``names_in``, ``searched``), :class:`Scope`, :class:`Hit` and the kinds
:data:`UNIQUE_KINDS` / :data:`NAME_KINDS`.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator

import attrs

from helpdesk_core.privacy.declension import case_forms
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


def _capital(form: str) -> str:
    """``form`` whose first letter must be a capital (with or without its
    diacritics); the rest in any case."""
    first = form[0].upper()
    base = "".join(c for c in unicodedata.normalize("NFKD", first) if not unicodedata.combining(c))
    letters = dict.fromkeys([first, base] if len(base) == 1 else [first])
    head = "[" + "".join(re.escape(c) for c in letters) + "]"
    return f"(?-i:{head})" + _loose_word(form[1:])


def _declined(word: str, *, capital: bool = False) -> str:
    """Any case form of ``word``, longest first."""
    forms = sorted(case_forms(word), key=len, reverse=True)
    return "(?:" + "|".join(_capital(f) if capital else _loose_word(f) for f in forms) + ")"


def name_pattern(name: str, *, declined: bool = True) -> str | None:
    """A regular expression for a full name in the orders people write it:
    ``First Last``, ``Last First``, ``Last, First`` (any white space between),
    each word in any of its case forms unless ``declined`` is False. None for a
    name too short to look for safely (a single letter)."""
    words = name.split()
    if not words or sum(len(w) for w in words) < 2:
        return None
    word: Callable[[str], str] = _declined if declined else _loose_word
    forms = [words]
    if len(words) > 1:
        forms.append([words[-1], *words[:-1]])
    alternatives = [r"\s+".join(word(w) for w in form) for form in forms]
    if len(words) > 1:
        alternatives.append(word(words[-1]) + r",\s*" + r"\s+".join(word(w) for w in words[:-1]))
    return _WORD_BEFORE + "(?:" + "|".join(alternatives) + ")" + _WORD_AFTER


def surname_pattern(surname: str) -> str | None:
    """The surname alone, in any case form, starting with a capital (so that
    *Černá* the person is found, *černá tiskárna*, a black printer, is not).
    None for a surname shorter than two letters."""
    words = surname.split()
    if not words or len(words[-1]) < 2:
        return None
    parts = [_capital(w) for w in words[:-1]] + [_declined(words[-1], capital=True)]
    return _WORD_BEFORE + r"\s+".join(parts) + _WORD_AFTER


def initials_pattern(name: str, surname: str) -> str | None:
    """Initials of the first names with the surname in any case form:
    ``J. Nováková``, ``J.Nováková``, ``Nováková J.``; None when ``name`` has no
    first name besides ``surname``."""
    last = surname.split()
    words = name.split()
    first = words[: len(words) - len(last)] if words[len(words) - len(last) :] == last else []
    if not first or not last or len(last[-1]) < 2:
        return None
    letters = [f"(?-i:{re.escape(w[0].upper())})" for w in first]
    initials = r"\.\s*".join(letters) + r"\."
    surname_words = r"\s+".join([_capital(w) for w in last[:-1]] + [_declined(last[-1], capital=True)])
    alternatives = [rf"{initials}\s*{surname_words}", rf"{surname_words}\s+{initials}"]
    return _WORD_BEFORE + "(?:" + "|".join(alternatives) + ")" + r"(?![\w\-'’])"


ROLE_LOCAL_PARTS = frozenset(
    {
        "admin", "billing", "contact", "faktury", "hello", "help", "helpdesk", "hr", "info", "kancelar",
        "kontakt", "mail", "noreply", "no-reply", "objednavky", "office", "podpora", "postmaster", "recepce",
        "sales", "servis", "service", "support", "ucetni",
    }
)
"""Local parts of shared mailboxes: ``info@…`` names nobody, so it is not searched alone."""
MIN_LOCAL_PART = 3
"""A local part shorter than this (``jn@…``) is not searched alone."""


def local_part_pattern(email: str) -> str | None:
    """The local part of ``email`` alone (``jana`` of ``jana@kavarna.example``),
    as a whole word in any case — not as the local part of another address
    (``jana@other.example`` may be somebody else's); None for a role mailbox
    or a short one."""
    local = email.strip().partition("@")[0]
    if len(local) < MIN_LOCAL_PART or local.casefold() in ROLE_LOCAL_PARTS:
        return None
    return _EMAIL_BEFORE + re.escape(local) + _EMAIL_AFTER + "(?!@)"


def email_pattern(email: str) -> str:
    """An e-mail address as a whole, in any case."""
    return _EMAIL_BEFORE + re.escape(email.strip()) + _EMAIL_AFTER


def _digits_with_separators(digits: str) -> str:
    return _SEPARATOR.join(digits)


def phone_pattern(digits: str, country_code: int | None) -> str:
    """A phone number whose national significant number is ``digits``: with an
    optional ``+CC``/``00CC`` (any code when ``country_code`` is None), a bare
    ``CC`` (``420601123456``; only a known code) or a trunk ``0`` in front,
    and any of space, dash, dot or parentheses between digits; numbers longer
    than nine digits are also found by their last nine."""
    code = r"\d{1,3}" if country_code is None else re.escape(str(country_code))
    bare_code = "" if country_code is None else rf"|{code}{_SEPARATOR}"
    prefix = rf"(?:\(?(?:\+|00)\s*\(?{code}\)?{_SEPARATOR}|\(?0\)?{_SEPARATOR}{bare_code})?"
    bodies = [_digits_with_separators(digits)]
    if len(digits) > LAST_DIGITS:
        bodies.append(_digits_with_separators(digits[-LAST_DIGITS:]))
    body = "|".join(bodies)
    return rf"{_NOT_DIGIT_BEFORE}(?:{prefix}(?:{body})){_NOT_DIGIT_AFTER}"


class Scope(enum.Enum):
    """Where a text is, relative to the person: in a record linked to them, or
    anywhere else. See the module docstring for what each scope searches."""

    LINKED = "linked"
    ELSEWHERE = "elsewhere"


UNIQUE_KINDS = frozenset({"email", "phone"})
"""Kinds of hit that identify the person wherever they are."""
NAME_KINDS = frozenset({"name", "surname", "initials", "local_part"})
"""Kinds of hit that identify the person only in records linked to them;
elsewhere they are possible mentions."""
KIND_LABELS = {
    "email": "e-mail addresses",
    "phone": "phone numbers (any spelling)",
    "name": "full name (any order, declined)",
    "surname": "surname alone (declined)",
    "initials": "initials with surname",
    "local_part": "e-mail local parts",
}
"""How each kind of hit is named to people."""

_PROTECTED = "protected"


@attrs.frozen
class Hit:
    """One identifier found in a text: ``kind`` (one of :data:`KIND_LABELS`)
    and the half-open character range ``[start, end)``."""

    kind: str
    start: int
    end: int


def _compile(groups: dict[str, list[str]]) -> re.Pattern[str] | None:
    parts = [f"(?P<{kind}>{'|'.join(alts)})" for kind, alts in groups.items() if alts]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


class IdentifierMatcher:
    """Compiled patterns of one person's identifiers; see the module docstring.

    ``namesakes`` are the full names of other people whose names share a form
    with this person's (e.g. the same surname): a namesake's full name is
    recognised first and left alone, so *Hana Černá* stays when *Anna Černá*
    is forgotten, also in Anna's own tickets. A namesake of the very same full
    name cannot be told apart in text: in a linked record it is taken for the
    person.

    One regular expression per scope with a named group per kind, so a text is
    read once whatever the number of identifiers.
    """

    def __init__(self, identifiers: PersonIdentifiers, *, namesakes: Iterable[str] = ()) -> None:
        self.identifiers = identifiers
        own_names = {" ".join(n.split()).casefold() for n in identifiers.names}
        self.namesakes = tuple(
            dict.fromkeys(n for n in namesakes if " ".join(n.split()).casefold() not in own_names)
        )
        everywhere: dict[str, list[str]] = {
            "email": [email_pattern(e) for e in identifiers.emails],
            "phone": [phone_pattern(p.digits, p.country_code) for p in identifiers.phones],
        }
        surnames = identifiers.surnames
        name_words = {w.casefold() for n in identifiers.names for w in n.split()}
        linked = {
            **everywhere,
            "name": [p for n in identifiers.names if (p := name_pattern(n)) is not None],
            _PROTECTED: [p for n in self.namesakes if (p := name_pattern(n)) is not None],
            "initials": [
                p for n in identifiers.names for s in surnames if (p := initials_pattern(n, s)) is not None
            ],
            "surname": [p for s in surnames if (p := surname_pattern(s)) is not None],
            "local_part": [
                p
                for e in identifiers.emails
                if e.partition("@")[0].casefold() not in name_words
                and (p := local_part_pattern(e)) is not None
            ],
        }
        self._kinds = {kind for kind, alternatives in linked.items() if alternatives and kind != _PROTECTED}
        self._patterns = {Scope.ELSEWHERE: _compile(everywhere), Scope.LINKED: _compile(linked)}

    def _matches(self, text: str, scope: Scope) -> Iterator[Hit]:
        pattern = self._patterns[scope]
        if pattern is None or not text:
            return
        for match in pattern.finditer(text):
            kind = match.lastgroup or "name"
            if kind == "phone" and _FOREIGN_CODE.search(text, max(0, match.start() - 8), match.start()):
                continue
            yield Hit(kind, match.start(), match.end())

    def hits(self, text: str, scope: Scope = Scope.LINKED) -> Iterator[Hit]:
        """Every identifier of ``scope`` in ``text``, left to right, not
        overlapping (a namesake's full name is skipped)."""
        return (h for h in self._matches(text, scope) if h.kind != _PROTECTED)

    def possible_mentions(self, text: str) -> Iterator[Hit]:
        """The name-like forms (:data:`NAME_KINDS`) in a text outside the
        linked records: they may be about the person or about somebody else,
        so a person decides; the erasure leaves them."""
        return (h for h in self._matches(text, Scope.LINKED) if h.kind in NAME_KINDS)

    def names_in(self, text: str) -> bool:
        """True when ``text`` (e.g. somebody's display name) holds any form
        of the person's name, besides the namesakes' names given: how
        namesakes are found (with a matcher given none)."""
        return any(h.kind in NAME_KINDS for h in self._matches(text, Scope.LINKED))

    def found_in(self, text: str, scope: Scope = Scope.LINKED) -> bool:
        """True when ``text`` holds any identifier of ``scope``."""
        return next(self.hits(text, scope), None) is not None

    def replace(
        self, text: str, replacement: Callable[[str], str], scope: Scope = Scope.LINKED
    ) -> tuple[str, int]:
        """``text`` with every identifier of ``scope`` replaced by
        ``replacement(kind)``, and how many were replaced."""
        pieces: list[str] = []
        done = 0
        for hit in self.hits(text, scope):
            pieces += [text[done : hit.start], replacement(hit.kind)]
            done = hit.end
        if not pieces:
            return text, 0
        pieces.append(text[done:])
        return "".join(pieces), len(pieces) // 2

    def searched(self, scope: Scope) -> tuple[str, ...]:
        """What a search in ``scope`` looks for, in words (only kinds this
        person has identifiers of): the proof says exactly this."""
        kinds = UNIQUE_KINDS if scope is Scope.ELSEWHERE else UNIQUE_KINDS | NAME_KINDS
        order = ("email", "phone", "name", "surname", "initials", "local_part")
        return tuple(KIND_LABELS[k] for k in order if k in kinds and k in self._kinds)


__all__ = [
    "KIND_LABELS",
    "MIN_LOCAL_PART",
    "NAME_KINDS",
    "ROLE_LOCAL_PARTS",
    "UNIQUE_KINDS",
    "Hit",
    "IdentifierMatcher",
    "Scope",
    "email_pattern",
    "initials_pattern",
    "local_part_pattern",
    "name_pattern",
    "phone_pattern",
    "surname_pattern",
]
