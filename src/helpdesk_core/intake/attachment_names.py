"""File names of attachments made safe to store and show.

A name comes decoded (RFC 2231 and RFC 2047) from the part's
``Content-Disposition`` ``filename``, else its ``Content-Type`` ``name``.
Then every path separator (``/``, ``\\``) and every control character (a tab
or line break inside an encoded word included) becomes ``_``, the
replacement character left by broken bytes is dropped, surrounding
whitespace and dots are trimmed, and a name longer than 255 characters is cut
keeping its extension. A name that is empty or only dots is no name
(``None``).
"""

from __future__ import annotations

import unicodedata

MAX_NAME_LENGTH = 255


def sanitise_name(name: str | None) -> str | None:
    """``name`` safe to store: see the module's docstring."""
    if name is None:
        return None
    cleaned = "".join(
        "_" if char in "/\\" or unicodedata.category(char) in ("Cc", "Cs") else char
        for char in name
        if char != "\ufffd"  # what a broken byte sequence left: it carries nothing
    ).strip()
    cleaned = cleaned.strip(" .") if set(cleaned) <= {".", " "} else cleaned.strip()
    if not cleaned:
        return None
    if len(cleaned) > MAX_NAME_LENGTH:
        stem, dot, extension = cleaned.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            cleaned = stem[: MAX_NAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            cleaned = cleaned[:MAX_NAME_LENGTH]
    return cleaned


__all__ = ["MAX_NAME_LENGTH", "sanitise_name"]
