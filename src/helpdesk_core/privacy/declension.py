"""The case forms of a first name or surname in Czech, Slovak and Polish, by a
small rule set on the word's ending.

People write about a person in every grammatical case: *volala paní Janě
Novákové*, *předejte Janu Novákovou*, *z panem Nováka*. The erasure looks for
these forms in the records linked to the person; outside them they are listed
as possible mentions. No maintained library on PyPI declines personal names in
these languages (``vokativ`` gives the vocative only; the morphological
analysers need dictionaries of their own), so the rules are written out here.

The rules, applied to the case-folded word; the first ending that applies wins,
and the word itself is always a form:

=================  ==========================================  =====================
ending             forms added                                 e.g.
=================  ==========================================  =====================
``-ová``           ``-ové -ovou -ovej``                        Nováková → Novákové
``-owa``           ``-owej -ową -owo``                         Nowakowa → Nowakowej
``-ska -cka``      ``-skiej -ską`` (``-ckiej -cką``)           Kowalska → Kowalskiej
``-á``             ``-é -ou -ej``                              Černá → Černou
``-ski -cki``      ``-skiego -skiemu -skim``                   Kowalski → Kowalskim
``-ý``             ``-ého -ému -ém -ým -om``                   Malý → Malému
``-í``             ``-ího -ímu -ím``                           Jiří → Jiřího
``-ie``            ``-ii -ií``                                 Lucie → Lucii
``-a``             ``-y -i -e -ě -u -o -ou -ovi -ie -ę -ą      Jana → Janě, Janu;
                   -owi``, the softened stem + ``-e``/``-ě``    Petra → Petře;
                   (k→c, g/h→z, ch→š, r→ř) and the Polish      Marta → Marcie
                   softened stem + ``-ie`` (t→c, d→dz, r→rz,
                   ł→l) or ``-e`` (k→c, g→dz)
``-o``             ``-a -u -ovi -om -em -owi``                 Janko → Jankovi
a consonant        ``-a -u -e -i -ovi -em -om -owi -ie``, and   Novák → Nováka;
                   ``-ře``/``-rze`` after r, ``-iem`` after     Pavel → Pavla;
                   k/g; a fleeting *e* (``-el -ek -ec``) is     Petr → Petře;
                   also dropped before the ending               Marek → Markiem
=================  ==========================================  =====================

Known limits: plural forms, irregular names (*Pavel* → *Pavla* is covered,
*Jiří* → *Jiřímu* too, but not e.g. a changed stem vowel as in *Kůň* →
*Koně*), Slovak and Polish vocatives beyond those listed, and other languages.
A feminine surname is never a form of the masculine one (*Nováková* is not
*Novák*): they are different people.
"""

from __future__ import annotations

_CS_SOFT = (("ch", "š"), ("k", "c"), ("g", "z"), ("h", "z"), ("r", "ř"))
_PL_SOFT_IE = (("t", "c"), ("d", "dz"), ("r", "rz"), ("ł", "l"))
_PL_SOFT_E = (("k", "c"), ("g", "dz"))
_NOUN_A = ("y", "i", "e", "ě", "u", "o", "ou", "ovi", "ie", "ę", "ą", "owi")
_NOUN_O = ("a", "u", "ovi", "om", "em", "owi")
_CONSONANT = ("a", "u", "e", "i", "ovi", "em", "om", "owi", "ie")
_FLEETING_E = ("el", "ek", "ec")
_VOWELS = frozenset("aáeéěiíoóuúůyý")


def _soften(stem: str, table: tuple[tuple[str, str], ...]) -> str | None:
    for hard, soft in table:
        if stem.endswith(hard):
            return stem[: -len(hard)] + soft
    return None


def _feminine_noun(stem: str) -> list[str]:
    found = [stem + ending for ending in _NOUN_A]
    cs = _soften(stem, _CS_SOFT)
    if cs is not None:
        found += [cs + "e", cs + "ě"]
    pl = _soften(stem, _PL_SOFT_IE)
    if pl is not None:
        found.append(pl + "ie")
    pl = _soften(stem, _PL_SOFT_E)
    if pl is not None:
        found.append(pl + "e")
    return found


def _masculine_noun(word: str) -> list[str]:
    stems = [word]
    if word.endswith(_FLEETING_E) and len(word) > 3:
        stems.append(word[:-2] + word[-1])
    found: list[str] = []
    for stem in stems:
        found += [stem + ending for ending in _CONSONANT]
        if stem.endswith("r"):
            found += [stem[:-1] + "ře", stem + "ze"]
        if stem.endswith(("k", "g")):
            found.append(stem + "iem")
    return found


def case_forms(word: str) -> tuple[str, ...]:
    """``word`` (case-folded) and its singular case forms by the rules of the
    module docstring, without duplicates, the word first. A word of fewer
    than two letters has no other forms."""
    w = word.casefold()
    if len(w) < 2 or not w.isalpha():
        return (w,)
    found: list[str] = [w]
    if w.endswith("ová"):
        found += [w[:-1] + "é", w[:-1] + "ou", w[:-1] + "ej"]
    elif w.endswith("owa"):
        found += [w[:-1] + "ej", w[:-1] + "ą", w[:-1] + "o"]
    elif w.endswith(("ska", "cka")):
        found += [w[:-1] + "iej", w[:-1] + "ą"]
    elif w.endswith("á"):
        found += [w[:-1] + "é", w[:-1] + "ou", w[:-1] + "ej"]
    elif w.endswith(("ski", "cki")):
        found += [w + "ego", w + "emu", w + "m"]
    elif w.endswith("ý"):
        found += [w[:-1] + e for e in ("ého", "ému", "ém", "ým", "om")]
    elif w.endswith("í"):
        found += [w + "ho", w + "mu", w + "m"]
    elif w.endswith("ie"):
        found += [w[:-1] + "i", w[:-1] + "í"]
    elif w.endswith("a"):
        found += _feminine_noun(w[:-1])
    elif w.endswith("o"):
        found += [w[:-1] + ending for ending in _NOUN_O]
    elif w[-1] not in _VOWELS:
        found += _masculine_noun(w)
    return tuple(dict.fromkeys(found))


__all__ = ["case_forms"]
