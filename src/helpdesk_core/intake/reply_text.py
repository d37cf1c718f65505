"""The visible text of an e-mail reply: what the sender wrote, with the quoted
history (and, by default, the signature) cut off.

It is a *derived* field: the caller keeps the full body next to it, so a better
rule later recomputes it from the body and nothing is ever lost. The function is
pure and only ever drops whole lines — the visible text is a sub-sequence of the
body's lines, never an edited copy — and it never returns an empty text for a
body that says something (it keeps the whole body then and says so).

How it decides, line by line (lines are the body's, with CRLF and CR read as LF):

1. **Markers.** Quoted lines start with ``>``. A quote header is a line (or up
   to four wrapped lines) such as ``On … wrote:``, ``Am … schrieb …:``,
   ``Dne … napsal(a):``, ``W dniu … napisał:``, ``… пишет:``,
   ``… написав(ла):``, ``2022年1月1日(金) 9:00 名前 <a@b>:`` (the verbs of
   some twenty languages); it ends in a colon and carries a date, a time or an
   address, so ``Something wrote:`` in a sentence is no header.
   An Outlook block is two or more ``From:``/``Sent:``/``To:``/``Subject:``
   lines in one of many languages; ``-----Original Message-----`` banners and
   separator lines right above a header belong to the cut.
2. **Forwards** (``---------- Forwarded message ----------``, ``Begin
   forwarded message:``, an Outlook block whose subject starts ``FW:``/``WG:``…)
   are content the sender passes on: nothing from there on is cut.
3. **History.** A header followed by unquoted text is the start of the quoted
   history: everything from it to the end is cut (never a header at the very
   top, with nothing written above it).
4. **Quote blocks.** A header followed by ``>`` lines, or ``>`` lines alone,
   form a quote block. Quote blocks after the last thing the sender wrote are
   cut. When the sender answers *between* quote blocks (two or more quote
   blocks each followed by an answer) it is an **inline reply** and those quote
   blocks stay — the answers mean nothing without them; a single quote block
   followed by the answer (bottom-posting) is cut.
5. **Signature** of the last answer: ``-- ``, ``Sent from my iPhone`` and its
   kin, a sign-off line (``Best regards,``, ``S pozdravem``, ``Pozdrawiam``,
   ``С уважением``, ``З повагою``, ``Mit freundlichen Grüßen``…; ours plus the
   sign-off and "sent from" lists of ``mail-parser-reply``'s languages)
   followed by a few short lines, ``-Name``, or a ``____`` mailing-list footer. It is cut
   when ``cut_signature`` is true (the default); a desk that wants its agents
   to see the customer's signature (phone numbers, job title) sets it false.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Final

import attrs
from mailparser_reply.constants import MAIL_LANGUAGES

# --- the result ----------------------------------------------------------------------------------


@attrs.frozen
class Cut:
    """One marker that cut text away: what it is, the 1-based line of the body
    where the cut part starts, and that line as written."""

    kind: str
    line: int
    text: str


@attrs.frozen
class VisibleText:
    """The visible text of a body and why it is what it is.

    ``text`` holds whole lines of the body, in order (blank lines at both ends
    dropped). ``quote_cut``/``signature_cut`` say what was cut, ``cuts`` the
    markers that cut it, ``inline_reply`` that quote blocks were kept because
    the sender answered between them, ``forward`` that a forwarded message
    was kept whole, ``kept_whole`` that cutting would have left nothing so the
    whole body is the visible text. ``reason`` says it in one sentence.
    """

    text: str
    quote_cut: bool
    signature_cut: bool
    reason: str
    cuts: tuple[Cut, ...] = ()
    inline_reply: bool = False
    forward: bool = False
    kept_whole: bool = False


# --- the markers ---------------------------------------------------------------------------------


_QUOTED = re.compile(r"^[ \t]*>")
_SEPARATOR = re.compile(r"^[ \t]*(?:[-_=*~]{5,}|[_]{5,}[ \t]*[-_]*)[ \t]*$")
_LIST_FOOTER = re.compile(r"^[ \t]*_{10,}[ \t]*$")
_DASH_DASH = re.compile(r"^(?:--|—|-- )[ \t]*$")
_HAS_TIME = re.compile(r"\d{1,2}[:.]\d{2}")
_HAS_DIGIT = re.compile(r"\d")
_HAS_ADDRESS = re.compile(r"\S@\S")

# "... wrote:" in the languages we promise (en, cs, pl, ru, uk, de) and those the corpus
# shows; the verb may be followed by the name and address (German, Scandinavian).
_WROTE_VERBS: Final = (
    r"wrote|writes|has written|"
    r"schrieb|geschrieben|"
    r"napsal(?:\(a\)|a)?|napísal(?:\(a\)|a)?|"
    r"napisał(?:\(a\)|a)?|napisal(?:\(a\)|a)?|pisze|nadesłał|"
    r"написал(?:\(а\)|а)?|пишет|писал(?:\(а\)|а)?|"
    r"написав(?:\(ла\))?|написала|пише|"
    r"a écrit|a ecrit|ha scritto|escribió|escribio|escreveu|schreef|skrev|írta|irta|kirjoitti|yazdı|"
    r"写道|寫道|작성"
)
_WROTE = re.compile(rf"(?:^|[\s,\"'>)])(?:{_WROTE_VERBS})(?:\s[^:：]{{0,120}})?\s*[:：]\s*$", re.IGNORECASE)
# The openers of a header line; without one the header must name a time or an address.
_OPENER = re.compile(
    r"^(?:\d|(?:on|am|le|il|el|em|op|den|dne|dnia|w dniu|в|у|"
    r"mon|tue|wed|thu|fri|sat|sun|po|út|st|čt|pá|so|ne|"
    r"man|tir|ons|tor|fre|lør|søn|mån|tis|lör|sön)\b)",
    re.IGNORECASE,
)
# Headers without a verb — Japanese, Yandex, Gmail and Mail.ru in Russian:
# "2022年1月1日(金) 9:00 名前 <a@b.c>:", "пн, 2 дек. 2026 г. в 10:15, Иван <ivan@example.ru>:" —
# a time, then the address closing the line; or a date first and a bare address.
_DATED_ADDRESS = re.compile(
    r"^(?:.*\d{1,2}:\d{2}.*<[^<>\s]+@[^<>\s]+>|\d.*\d{1,2}:\d{2}.*\s[^\s<>]+@[^\s<>]+)\s*[:：]\s*$"
)

_FIELD_GROUPS: Final = {
    "from": "from|von|od|от|від|de|da|van|fra|från|发件人|寄件者|差出人|feladó|lähettäjä|kimden|보낸 사람",
    "date": (
        "sent|date|gesendet|datum|odesláno|wysłano|wysłane|data|отправлено|дата|надіслано|"
        "envoyé|envoyé le|message du|inviato|enviado|enviada|verzonden|sendt|skickat|dato|fecha|"
        "发送时间|日期|送信日時|elküldve|dátum|lähetetty|tarih|보낸 날짜"
    ),
    "to": "to|an|komu|do|кому|à|a|para|aan|til|till|收件人|宛先|címzett|vastaanottaja|kime|받는 사람",
    "cc": "cc|kopie|kopia|dw|копия|копія|copie à|抄送|másolat|kopio|bilgi|참조",
    "subject": "subject|betreff|předmět|temat|тема|objet|sujet|oggetto|asunto|onderwerp|emne|ämne|主题|件名|"
    "tárgy|aihe|konu|제목",
}
_FIELD = re.compile(
    r"^[ \t\u00a0]*\*?[ \t]*(?P<name>"
    + "|".join(f"(?P<{group}>{names})" for group, names in _FIELD_GROUPS.items())
    + r")[ \t\u00a0]*\*?[ \t\u00a0]*[:：][ \t\u00a0*]*(?P<value>.*)$",
    re.IGNORECASE,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|fw|wg|tr|pd|rv|enc|vs|vb|doorst|přep|пересл)\s*:", re.IGNORECASE)

_BANNER = re.compile(r"^[ \t]*[-_=*~]{2,}[ \t]*(?P<phrase>[^-_=*~\s].*?)[ \t]*[-_=*~]{2,}[ \t]*$")
_ORIGINAL_PHRASES: Final = (
    "original message", "original-nachricht", "ursprüngliche nachricht", "ursprungliche nachricht",
    "oprindelig meddelelse", "opprinnelig melding", "ursprungligt meddelande", "originalmeddelande",
    "původní zpráva", "původní e-mail", "originální zpráva", "pôvodná správa",
    "wiadomość oryginalna", "oryginalna wiadomość", "oryginalna wiadomosc", "wiadomosc oryginalna",
    "исходное сообщение", "оригинальное сообщение", "исходное письмо",
    "вихідне повідомлення", "оригінальне повідомлення", "початкове повідомлення",
    "message d'origine", "message original", "messaggio originale", "mensaje original",
    "oorspronkelijk bericht", "origineel bericht", "eredeti üzenet", "alkuperäinen viesti",
)
_FORWARD_PHRASES: Final = (
    "forwarded message", "forwarded e-mail", "weitergeleitete nachricht", "weitergeleitete e-mail",
    "přeposlaná zpráva", "preposlaná správa", "przekazana wiadomość", "wiadomość przekazana dalej",
    "przesłana wiadomość", "пересылаемое сообщение", "пересланное сообщение", "переслане повідомлення",
    "пересланий лист", "message transféré", "messaggio inoltrato", "mensaje reenviado",
    "doorgestuurd bericht", "videresendt", "vidarebefordrat", "továbbított üzenet",
)
_FORWARD_LINE = re.compile(
    r"^[ \t]*(?:begin forwarded message|anfang der weitergeleiteten (?:nachricht|e-mail)|"
    r"début du message réexpédié|inizio messaggio inoltrato|začátek přeposlané zprávy|"
    r"początek przekazywanej wiadomości|начало переадресованного сообщения|"
    r"comienzo del mensaje reenviado)[ \t]*[:：][ \t]*$",
    re.IGNORECASE,
)

# Signatures.
_SENT_FROM_OURS: Final = (
    r"sent from|sent with|sent via|sent using|get outlook for|"
    r"von meinem .{1,40} gesendet|gesendet von|gesendet mit|"
    r"odesláno z|odesláno ze|odeslano z|"
    r"wysłane z|wysłano z|wysłane przez|"
    r"отправлено с|отправлено из|отправлено через|"
    r"надіслано з|надіслано із|"
    r"envoyé de mon|envoyé depuis|inviato da|enviado desde|verstuurd vanaf|verzonden vanaf|"
    r"sendt fra|skickat från"
)
_SENT_FROM = re.compile(
    "^[ \t]*(?:"
    + "|".join(
        [_SENT_FROM_OURS]
        + [str(table["sent_from"]) for table in MAIL_LANGUAGES.values() if table.get("sent_from")]
    )
    + r")\b(?P<rest>.*)$",
    re.IGNORECASE,
)
_SIGN_OFFS_OURS: Final = (
    "best regards", "kind regards", "warm regards", "warmest regards", "with best regards", "regards",
    "best wishes", "all the best", "cheers", "thanks", "thank you", "many thanks", "thanks again",
    "thanks in advance", "sincerely", "yours sincerely", "yours truly", "yours faithfully", "greetings",
    "mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße", "freundliche grüsse",
    "viele grüße", "viele grüsse", "beste grüße", "liebe grüße", "lg", "mfg", "gruß", "grüße", "danke",
    "vielen dank",
    "s pozdravem", "s přátelským pozdravem", "se srdečným pozdravem", "s úctou", "děkuji", "díky",
    "zdravím", "hezký den", "pěkný den",
    "pozdrawiam", "pozdrawiam serdecznie", "serdecznie pozdrawiam", "z poważaniem", "z powazaniem",
    "pozdrowienia", "dziękuję", "dziekuje", "dzięki", "łączę pozdrowienia",
    "с уважением", "с наилучшими пожеланиями", "спасибо", "заранее спасибо", "всего доброго",
    "всего хорошего", "с уважением и наилучшими пожеланиями",
    "з повагою", "дякую", "з найкращими побажаннями", "щиро", "гарного дня", "заздалегідь дякую",
)
_SIGN_OFF = re.compile(
    r"^[ \t]*(?:"
    + "|".join(
        [re.escape(phrase) for phrase in _SIGN_OFFS_OURS]
        + [
            str(pattern)
            for lang in MAIL_LANGUAGES
            for pattern in MAIL_LANGUAGES[lang].get("signatures", [])
        ]
    )
    + r")[ \t,.!:;]*$",
    re.IGNORECASE,
)
_SHORT_NAME_SIGN = re.compile(r"^(?:-[ \t]?[^\W\d_]|/[^\W\d_])[^\n]{0,38}$")

_MAX_HEADER_LINES = 4
_MAX_HEADER_CHARS = 300
_MAX_BLOCK_LINES = 12
_MAX_SIGN_OFF_TAIL = 6
_MAX_FOOTER_TAIL = 12


# --- the line model ------------------------------------------------------------------------------


@attrs.frozen
class _Header:
    start: int  # first line of the cut (a separator or banner above the header included)
    end: int  # the line after the header
    kind: str  # quote_header | outlook_header | original_message | forward


@attrs.frozen
class _Segment:
    kind: str  # text | quote | history | forward
    start: int
    end: int
    cut_kind: str = ""


def _lines_of(body: str) -> list[str]:
    return body.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _blank(line: str) -> bool:
    return not line.strip()


def _quoted(line: str) -> bool:
    return _QUOTED.match(line) is not None


def _joined(lines: Sequence[str]) -> str:
    """Wrapped header lines as one; a quoted-printable soft break (``w=`` / ``rote:``)
    left in the text joins without a space."""
    text = ""
    for line in lines:
        piece = line.strip()
        if text.endswith("="):
            text = text[:-1] + piece
        elif text:
            text = f"{text} {piece}"
        else:
            text = piece
    return text


def _is_wrote_header(text: str) -> bool:
    candidate = text.lstrip("-* \t").rstrip()
    if not candidate.endswith((":", "：")) or len(candidate) > _MAX_HEADER_CHARS:
        return False
    if not (_HAS_DIGIT.search(candidate) or _HAS_ADDRESS.search(candidate)):
        return False
    if _DATED_ADDRESS.match(candidate):
        return True
    if _WROTE.search(candidate) is None:
        return False
    if _OPENER.match(candidate):
        return True
    return bool(_HAS_TIME.search(candidate) or _HAS_ADDRESS.search(candidate))


@functools.lru_cache(maxsize=4096)
def _field_group(line: str) -> tuple[str, str] | None:
    """The group (from, date, to, cc, subject) and value of a header-field line."""
    head = line[:40]
    if ":" not in head and "：" not in head:
        return None
    match = _FIELD.match(line)
    if match is None:
        return None
    for group in _FIELD_GROUPS:
        if match.group(group) is not None:
            return group, match.group("value")
    return None  # pragma: no cover - one group always matched


def _outlook_block(lines: Sequence[str], start: int) -> tuple[int, bool] | None:
    """The end of an Outlook header block starting at ``start`` and whether its
    subject says it is a forward, or ``None`` when there is no block."""
    groups: set[str] = set()
    forward = False
    index = start
    while index < min(len(lines), start + _MAX_BLOCK_LINES):
        found = _field_group(lines[index])
        if found is None:
            # a wrapped address list inside the block: one line, then fields again
            wrapped = index + 1 < len(lines) and not _blank(lines[index])
            if groups and wrapped and _field_group(lines[index + 1]):
                index += 1
                continue
            break
        group, value = found
        groups.add(group)
        if group == "subject" and _FORWARD_SUBJECT.match(value):
            forward = True
        index += 1
    if "from" in groups and len(groups) >= 2 and (groups & {"date", "subject", "to"}):
        return index, forward
    return None


def _banner_kind(line: str) -> str | None:
    match = _BANNER.match(line)
    if match is None:
        return None
    phrase = match.group("phrase").casefold()
    if any(p in phrase for p in _FORWARD_PHRASES):
        return "forward"
    if any(p in phrase for p in _ORIGINAL_PHRASES):
        return "original_message"
    return None


def _header_at(lines: Sequence[str], index: int) -> _Header | None:
    line = lines[index]
    banner = _banner_kind(line)
    if banner is not None:
        end = index + 1
        block = _outlook_block(lines, end)
        if block is not None:
            end = block[0]
        return _Header(_separator_above(lines, index), end, banner)
    if _FORWARD_LINE.match(line):
        return _Header(index, index + 1, "forward")
    if _field_group(line) is not None:
        block = _outlook_block(lines, index)
        if block is not None:
            end, forward = block
            return _Header(_separator_above(lines, index), end, "forward" if forward else "outlook_header")
    size = _wrote_header_size(lines, index)
    if size > 1 and _OPENER.match(lines[index + 1].lstrip("-* \t")) and _wrote_header_size(lines, index + 1):
        return None  # the header starts on the next line; this one is the reply's
    if size:
        return _Header(_separator_above(lines, index), index + size, "quote_header")
    return None


def _wrote_header_size(lines: Sequence[str], index: int) -> int:
    """How many lines the ``… wrote:`` header starting at ``index`` spans (0: none).
    A header wrapped over several lines starts with its opener (``On``, a date…)."""
    if _quoted(lines[index]):
        return 0
    for size in range(1, _MAX_HEADER_LINES + 1):
        last = index + size - 1
        if last >= len(lines) or _blank(lines[last]):
            return 0
        if size == 2 and not _OPENER.match(lines[index].lstrip("-* \t")):
            return 0
        if lines[last].rstrip().endswith((":", "：")) and _is_wrote_header(_joined(lines[index : last + 1])):
            return size
    return 0


def _separator_above(lines: Sequence[str], index: int) -> int:
    """The first line of a separator (``-----``, ``_____``, ``=====``) right above
    the header at ``index`` (blank lines between allowed), else ``index``."""
    probe = index - 1
    while probe >= 0 and _blank(lines[probe]):
        probe -= 1
    if probe >= 0 and _SEPARATOR.match(lines[probe]):
        return probe
    return index


def _end_of_quote(lines: Sequence[str], index: int) -> int:
    """The line after the quote block starting at ``index``: ``>`` lines, blank
    lines between them, and a lone unquoted line wrapped between two ``>``
    lines (see :func:`_wrapped_quote_line`); blank lines after the block belong to it."""
    n = len(lines)
    while index < n:
        line = lines[index]
        if _quoted(line):
            index += 1
        elif _blank(line):
            probe = index
            while probe < n and _blank(lines[probe]):
                probe += 1
            if probe < n and _quoted(lines[probe]):
                index = probe
            else:
                return probe
        elif _wrapped_quote_line(lines, index):
            index += 1
        else:
            return index
    return index


def _wrapped_quote_line(lines: Sequence[str], index: int) -> bool:
    """A quoted line the client wrapped without its ``>``: between two quoted
    lines, after a long one, going on in lower case or after a quoted-printable
    ``=`` (``… Nullam pharetra d`` / ``ignissim odio?``). A short answer between
    quoted questions, or one starting with a capital or a digit, is no such line."""
    if not (0 < index < len(lines) - 1 and _quoted(lines[index - 1]) and _quoted(lines[index + 1])):
        return False
    previous = lines[index - 1].lstrip(" \t>").rstrip()
    first = lines[index].lstrip()[:1]
    return len(previous) >= 40 and (previous.endswith("=") or not (first.isupper() or first.isdigit()))


def _segments(lines: Sequence[str]) -> list[_Segment]:
    segments: list[_Segment] = []
    text_start: int | None = None
    wrote_something = False
    index = 0
    n = len(lines)

    def close_text(at: int) -> None:
        nonlocal text_start
        if text_start is not None and text_start < at:
            segments.append(_Segment("text", text_start, at))
        text_start = None

    while index < n:
        line = lines[index]
        if _quoted(line):
            close_text(index)
            end = _end_of_quote(lines, index)
            segments.append(_Segment("quote", index, end, "quoted_lines"))
            index = end
            continue
        header = None if _blank(line) else _header_at(lines, index)
        if header is not None:
            start = max(header.start, text_start if text_start is not None else header.start)
            if header.kind == "forward":
                close_text(start)
                segments.append(_Segment("forward", start, n, "forward"))
                return segments
            after = header.end
            while after < n and _blank(lines[after]):
                after += 1
            if after < n and _quoted(lines[after]):
                close_text(start)
                end = _end_of_quote(lines, after)
                segments.append(_Segment("quote", start, end, header.kind))
                index = end
                continue
            if wrote_something:
                close_text(start)
                segments.append(_Segment("history", start, n, header.kind))
                return segments
            # a header at the very top, nothing written above it: it is the text itself
        if text_start is None:
            text_start = index
        if not _blank(line) and not _SEPARATOR.match(line):
            wrote_something = True
        index += 1
    close_text(n)
    return segments


def _signature_start(lines: Sequence[str], segment: _Segment, first_line: int) -> tuple[int, str] | None:
    """Where the signature of a text segment starts and what marks it."""
    written_after = [0] * (segment.end - segment.start + 1)  # non-blank lines after each line
    for index in range(segment.end - 1, segment.start - 1, -1):
        offset = index - segment.start
        written_after[offset] = written_after[offset + 1] + (0 if _blank(lines[index]) else 1)
    for index in range(segment.start, segment.end):
        line = lines[index]
        stripped = line.strip()
        if not stripped:
            continue
        after = written_after[index - segment.start] - 1
        if _DASH_DASH.match(line):
            return index, "signature"
        sent = _SENT_FROM.match(line)
        if sent is not None and _is_device_tag(sent.group("rest")):
            return index, "mobile_signature"
        if _LIST_FOOTER.match(line) and 0 < after <= _MAX_FOOTER_TAIL:
            return index, "list_footer"
        if index == first_line or after > _MAX_SIGN_OFF_TAIL:
            continue
        short_tail = all(len(lines[i].strip()) <= 80 for i in range(index + 1, segment.end))
        if _SIGN_OFF.match(stripped) and short_tail:
            return index, "sign_off"
        preceded_by_blank = index > 0 and _blank(lines[index - 1])
        if preceded_by_blank and _SHORT_NAME_SIGN.match(line) and not _is_list_item(lines, index):
            return index, "signature"
    return None


def _is_device_tag(rest: str) -> bool:
    """``Sent from my iPhone`` yes; ``Sent from my desk, is much easier …`` no."""
    rest = re.sub(r"\(.*?\)|<.*?>", "", rest).strip()
    return "," not in rest and len(rest.split()) <= 6 and not rest.endswith((".", "?", "!"))


def _is_list_item(lines: Sequence[str], index: int) -> bool:
    def bullet(i: int) -> bool:
        return 0 <= i < len(lines) and lines[i].lstrip().startswith(("-", "*", "•"))

    before = index - 1
    while before >= 0 and _blank(lines[before]):
        before -= 1
    after = index + 1
    while after < len(lines) and _blank(lines[after]):
        after += 1
    return bullet(before) or bullet(after)


def _first_written_line(lines: Sequence[str]) -> int:
    for index, line in enumerate(lines):
        if not _blank(line):
            return index
    return len(lines)


# --- the decision --------------------------------------------------------------------------------


def visible_text(body: str, *, cut_signature: bool = True) -> VisibleText:
    """The reply in ``body`` without its quoted history and, when
    ``cut_signature`` is true, without its signature (see the module's doc)."""
    lines = _lines_of(body)
    segments = _segments(lines)
    first_line = _first_written_line(lines)
    keep = [True] * len(lines)
    cuts: list[Cut] = []
    signature_cut = quote_cut = inline = forward = False

    def cut(start: int, end: int, kind: str) -> None:
        marker = start
        while marker < end and _blank(lines[marker]):
            marker += 1
        if marker < end:
            cuts.append(Cut(kind, marker + 1, lines[marker]))
        for i in range(start, end):
            keep[i] = False

    # what each text segment says before its signature
    signatures: dict[int, tuple[int, str]] = {}
    answers: list[int] = []  # segment positions that hold something the sender wrote
    for position, segment in enumerate(segments):
        if segment.kind == "forward":
            forward = True
            answers.append(position)
        elif segment.kind == "text":
            found = _signature_start(lines, segment, first_line)
            if found is not None:
                signatures[position] = found
            body_end = found[0] if found is not None else segment.end
            if any(not _blank(lines[i]) for i in range(segment.start, body_end)):
                answers.append(position)

    last_answer = answers[-1] if answers else -1
    for position, segment in enumerate(segments):
        if segment.kind == "history" or (segment.kind == "quote" and position > last_answer):
            cut(segment.start, segment.end, segment.cut_kind)
            quote_cut = True
    kept_quotes = [p for p, s in enumerate(segments) if s.kind == "quote" and p < last_answer]
    if len(kept_quotes) >= 2:
        inline = True
    else:
        for position in kept_quotes:
            segment = segments[position]
            cut(segment.start, segment.end, segment.cut_kind)
            quote_cut = True
    if cut_signature and not forward:
        for position, (start, kind) in sorted(signatures.items()):
            if position >= last_answer:
                cut(start, segments[position].end, kind)
                signature_cut = True

    kept = [line for line, wanted in zip(lines, keep, strict=True) if wanted]
    text = _trimmed(kept)
    if not text.strip() and body.strip():
        return VisibleText(
            text=_trimmed(lines),
            quote_cut=False,
            signature_cut=False,
            reason="cutting would leave nothing: the whole text is kept",
            cuts=(),
            kept_whole=True,
        )
    return VisibleText(
        text=text,
        quote_cut=quote_cut,
        signature_cut=signature_cut,
        reason=_reason(cuts, inline=inline, forward=forward),
        cuts=tuple(sorted(cuts, key=lambda c: c.line)),
        inline_reply=inline,
        forward=forward,
    )


def _trimmed(lines: Iterable[str]) -> str:
    kept = list(lines)
    while kept and _blank(kept[0]):
        kept.pop(0)
    while kept and _blank(kept[-1]):
        kept.pop()
    return "\n".join(kept)


_CUT_WORDS: Final = {
    "quote_header": "quote header",
    "outlook_header": "Outlook header block",
    "original_message": "original-message banner",
    "quoted_lines": "quoted lines",
    "signature": "signature",
    "mobile_signature": "device signature",
    "sign_off": "sign-off",
    "list_footer": "mailing-list footer",
}


def _reason(cuts: Sequence[Cut], *, inline: bool, forward: bool) -> str:
    parts = [
        f"{_CUT_WORDS.get(c.kind, c.kind)} at line {c.line} ({c.text.strip()[:60]!r})"
        for c in sorted(cuts, key=lambda c: c.line)
    ]
    said = "cut from " + "; ".join(parts) if parts else "nothing to cut"
    if inline:
        said += "; inline reply: the quoted lines between the answers are kept"
    if forward:
        said += "; a forwarded message is kept whole"
    return said


__all__ = ["Cut", "VisibleText", "visible_text"]
