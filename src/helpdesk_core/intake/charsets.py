"""Bytes of a message body or header to text, whatever charset the sender
declared — or forgot, or got wrong.

Real mail declares charsets Python does not know (``iso-8859-8-i``,
``x-unknown``), declares ``us-ascii`` for UTF-8, declares ``utf-8`` for
Windows-1252, or declares nothing. :func:`decode_text` tries the declared
charset (under its usual alias), then the fallbacks (UTF-8, then Windows-1252
by default; a desk may configure others, e.g. ``koi8-r``, the way RT's
``EmailInputEncodings`` does), and finally Latin-1, which reads any byte. It
never raises, and says in words when it had to guess.
"""

from __future__ import annotations

import codecs

DEFAULT_FALLBACK_CHARSETS: tuple[str, ...] = ("utf-8", "cp1252")
"""The charsets tried, in order, when the declared one is missing or wrong."""

_ALIASES = {
    # Labels seen in real mail that Python's codecs do not know, or know under
    # a narrower table than the senders use (WHATWG's encoding labels).
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "iso-8859-8-e": "iso-8859-8",
    "iso-8859-6-e": "iso-8859-6",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "x-mac-roman": "mac-roman",
    "x-user-defined": "cp1252",
    "unicode-1-1-utf-7": "utf-7",
    "x-unicode20utf8": "utf-8",
    "utf8": "utf-8",
}

_SINGLE_BYTE_LABELS = frozenset(
    {"us-ascii", "ascii", "iso-8859-1", "latin1", "latin-1", "cp1252", "windows-1252"}
)
"""Declared charsets that UTF-8 is often mislabelled as: valid UTF-8 with
multi-byte sequences under one of these is read as UTF-8."""


def codec_of(label: str | None) -> str | None:
    """The Python codec for a declared charset label, or ``None`` when there is
    no label or Python knows no such charset."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def _is_utf8_with_multibyte(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_text(
    data: bytes,
    declared: str | None,
    *,
    fallbacks: tuple[str, ...] = DEFAULT_FALLBACK_CHARSETS,
    what: str = "text",
) -> tuple[str, str | None]:
    """``data`` as text and, when the declared charset could not be used as
    is, a defect in words naming ``what`` was decoded and how."""
    codec = codec_of(declared)
    label = (declared or "").strip().lower()
    if codec is not None:
        if label in _SINGLE_BYTE_LABELS and _is_utf8_with_multibyte(data):
            return data.decode("utf-8"), f"{what} declared {declared} but is UTF-8; read as UTF-8"
        if codec.startswith("iso2022_jp"):
            text = _iso2022_jp_with_windows_extensions(data)
            if text is not None:
                return text, None
        try:
            return data.decode(codec), None
        except UnicodeDecodeError:
            pass
    if data.isascii():
        return data.decode("ascii"), None
    for fallback in fallbacks:
        fallback_codec = codec_of(fallback)
        if fallback_codec is None or fallback_codec == codec:
            continue
        try:
            text = data.decode(fallback_codec)
        except UnicodeDecodeError:
            if fallback_codec == "utf-8":
                mostly = _mostly_utf8(data)
                if mostly is not None:
                    return mostly, f"{what} is UTF-8 with a broken character (cut off?); read as UTF-8"
            continue
        return text, _guess_defect(what, declared, codec, fallback)
    return data.decode("latin-1"), _guess_defect(what, declared, codec, "latin-1")


def _mostly_utf8(data: bytes) -> str | None:
    """``data`` as UTF-8 when a single character is broken (a name cut off in
    the middle of a character) among several good multi-byte ones."""
    text = data.decode("utf-8", "replace")
    broken = text.count("\ufffd")
    good = sum(1 for char in text if ord(char) > 0x7F and char != "\ufffd")
    return text if broken <= 1 and good >= 3 else None


def _guess_defect(what: str, declared: str | None, codec: str | None, used: str) -> str | None:
    if not declared:
        return f"{what} declares no charset; read as {used}"
    if codec is None:
        return f"{what} declares the unknown charset {declared!r}; read as {used}"
    return f"{what} is not valid {declared}; read as {used}"


def _iso2022_jp_with_windows_extensions(data: bytes) -> str | None:
    """ISO-2022-JP as Outlook writes it (Microsoft's CP50220: the NEC and IBM
    extension rows, e.g. ``№`` and circled digits, which Python's strict codec
    refuses): each JIS X 0208 run re-coded as Shift-JIS and read as CP932.
    ``None`` when ``data`` is not such text."""
    try:
        return data.decode("iso2022_jp")
    except UnicodeDecodeError:
        pass
    out = bytearray()
    index, two_byte = 0, False
    while index < len(data):
        if data[index] == 0x1B:
            escape = data[index + 1 : index + 3]
            if escape in (b"$B", b"$@"):
                two_byte = True
            elif escape in (b"(B", b"(J"):
                two_byte = False
            else:
                return None
            index += 3
            continue
        if not two_byte:
            out.append(data[index])
            index += 1
            continue
        if data[index] in b"\r\n":
            out.append(data[index])
            index += 1
            continue
        if index + 1 >= len(data):
            return None
        first, second = data[index], data[index + 1]
        if not (0x21 <= first <= 0x7E and 0x21 <= second <= 0x7E):
            return None
        lead = (first + 1) // 2 + (0x70 if first <= 0x5E else 0xB0)
        trail = second + (0x1F if first % 2 else 0x7D)
        if first % 2 and second >= 0x60:
            trail += 1
        out += bytes((lead, trail))
        index += 2
    try:
        return bytes(out).decode("cp932")
    except UnicodeDecodeError:
        return None


__all__ = ["DEFAULT_FALLBACK_CHARSETS", "codec_of", "decode_text"]
