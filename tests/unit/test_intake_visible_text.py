"""The visible text of a reply (issue 17, item 4): quoted history and signature
cut off in the languages the desks write in, inline replies kept, forwards kept,
never an empty text."""

from __future__ import annotations

import pytest

from helpdesk_core.intake.reply_text import Cut, VisibleText, visible_text

REPLY = "Thank you, the printer works again.\nOne more question: can I order toner?"
HISTORY = "Hello,\nplease restart the printer.\nThe support team"


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.split("\n"))


QUOTE_HEADERS = {
    "en": "On Tue, 3 Dec 2026 at 10:15, Support <support@example.com> wrote:",
    "en-gmail-wrapped": "On Tue, Dec 3, 2026 at 10:15 AM Support Desk\n<support@example.com> wrote:",
    "cs": "Dne 3. 12. 2026 10:15 Podpora <podpora@example.cz> napsal(a):",
    "cs-napsal": "Dne út 3. 12. 2026 v 10:15 odesílatel Jan Novák <jan@example.cz> napsal:",
    "cs-gmail": "út 3. 12. 2026 v 10:15 odesílatel Podpora <podpora@example.cz> napsal:",
    "pl-gmail": "wt., 3 gru 2026 o 10:15 Pomoc <pomoc@example.pl> napisał(a):",
    "pl-w-dniu": "W dniu 3.12.2026 o 10:15, Pomoc <pomoc@example.pl> pisze:",
    "pl-dnia": "Dnia 3 grudnia 2026 10:15 Anna Nowak <anna@example.pl> napisał(a):",
    "pl-w-dniu-uzytkownik": "W dniu 2026-12-03 10:15:39 użytkownik Pomoc <pomoc@example.pl> napisał:",
    "ru-pishet": "3 декабря 2026 г., 10:15 пользователь Поддержка <help@example.ru> пишет:",
    "ru-napisal": "03.12.2026 10:15, Иван Петров <ivan@example.ru> написал(а):",
    "ru-yandex": "03.12.2026, 10:15, \"Поддержка\" <help@example.ru>:",
    "ru-gmail": "ср, 3 дек. 2026 г. в 10:15, Поддержка <help@example.ru>:",
    "ru-mail-ru": "Среда, 3 декабря 2026, 10:15 +03:00 от Поддержка <help@mail.ru>:",
    "ru-apple": "3 дек. 2026 г., в 10:15, Иван Петров <ivan@example.ru> написал(а):",
    "uk-napysav": "3 грудня 2026 р. о 10:15 Підтримка <help@example.ua> написав(ла):",
    "uk-napysala": "ср, 3 груд. 2026 о 10:15 Олена <olena@example.ua> написала:",
    "de": "Am 03.12.2026 um 10:15 schrieb Support <support@example.de>:",
    "de-gmail": "Am Di., 3. Dez. 2026 um 10:15 Uhr schrieb Max Mustermann <max@example.de>:",
}


@pytest.mark.parametrize("header", QUOTE_HEADERS.values(), ids=QUOTE_HEADERS.keys())
def test_a_quote_header_cuts_the_quoted_history(header: str) -> None:
    body = f"{REPLY}\n\n{header}\n\n{_quoted(HISTORY)}\n"
    result = visible_text(body)
    assert result.text == REPLY
    assert result.quote_cut
    assert result.cuts[0] == Cut("quote_header", REPLY.count("\n") + 3, header.split("\n")[0])
    assert "quote header at line" in result.reason


@pytest.mark.parametrize("header", QUOTE_HEADERS.values(), ids=QUOTE_HEADERS.keys())
def test_a_quote_header_over_unquoted_history_cuts_to_the_end(header: str) -> None:
    body = f"{REPLY}\n\n{header}\n\n{HISTORY}\n"
    assert visible_text(body).text == REPLY


OUTLOOK_BLOCKS = {
    "en": "From: Support <support@example.com>\nSent: Tuesday, December 3, 2026 10:15 AM\n"
    "To: Customer <c@example.com>\nSubject: RE: Printer",
    "en-bold-separator": "________________________________\n*From:* Support [mailto:support@example.com]\n"
    "*Sent:* Tuesday, December 3, 2026 10:15 AM\n*To:* c@example.com\n*Subject:* Printer",
    "de": "Von: Support <support@example.de>\nGesendet: Dienstag, 3. Dezember 2026 10:15\n"
    "An: Kunde <k@example.de>\nBetreff: AW: Drucker",
    "cs": "Od: Podpora <podpora@example.cz>\nOdesláno: úterý 3. prosince 2026 10:15\n"
    "Komu: Zákazník <z@example.cz>\nPředmět: RE: Tiskárna",
    "pl": "Od: Pomoc <pomoc@example.pl>\nWysłano: wtorek, 3 grudnia 2026 10:15\n"
    "Do: Klient <k@example.pl>\nTemat: RE: Drukarka",
    "ru": "От: Поддержка <help@example.ru>\nОтправлено: 3 декабря 2026 г. 10:15\n"
    "Кому: Клиент <k@example.ru>\nТема: RE: Принтер",
    "uk": "Від: Підтримка <help@example.ua>\nНадіслано: 3 грудня 2026 р. 10:15\n"
    "Кому: Клієнт <k@example.ua>\nТема: RE: Принтер",
    "fr": "De : Support <support@example.fr>\nEnvoyé : mardi 3 décembre 2026 10:15\n"
    "À : Client <c@example.fr>\nObjet : RE: Imprimante",
}


@pytest.mark.parametrize("block", OUTLOOK_BLOCKS.values(), ids=OUTLOOK_BLOCKS.keys())
def test_an_outlook_header_block_cuts_the_history_below_it(block: str) -> None:
    body = f"{REPLY}\n\n{block}\n\n{HISTORY}\n"
    result = visible_text(body)
    assert result.text == REPLY
    assert result.quote_cut
    assert result.cuts[0].kind == "outlook_header"
    assert result.cuts[0].line == REPLY.count("\n") + 3  # the separator line above is cut too


BANNERS = [
    "-----Original Message-----",
    "----- Original Message -----",
    "-----Ursprüngliche Nachricht-----",
    "-------- Původní zpráva --------",
    "---------- Původní e-mail ----------",
    "-----Wiadomość oryginalna-----",
    "-----Исходное сообщение-----",
    "-------- Оригінальне повідомлення --------",
]


@pytest.mark.parametrize("banner", BANNERS)
def test_an_original_message_banner_cuts_the_history(banner: str) -> None:
    body = f"{REPLY}\n\n{banner}\nFrom: Support\nSubject: Printer\n\n{HISTORY}\n"
    result = visible_text(body)
    assert result.text == REPLY
    assert result.cuts[0] == Cut("original_message", REPLY.count("\n") + 3, banner)


def test_quoted_lines_without_a_header_are_cut() -> None:
    result = visible_text(f"{REPLY}\n\n{_quoted(HISTORY)}\n")
    assert result.text == REPLY
    assert result.cuts[0].kind == "quoted_lines"


def test_an_inline_reply_keeps_the_quote_it_answers() -> None:
    body = (
        f"{QUOTE_HEADERS['en']}\n\n"
        "> Which printer model do you have?\n\n"
        "An HP LaserJet 4000.\n\n"
        "> Does the display show an error?\n\n"
        "Yes: 50.4 FUSER ERROR.\n\n"
        "> Regards,\n> The support team\n"
    )
    result = visible_text(body)
    assert result.inline_reply
    assert result.text == (
        f"{QUOTE_HEADERS['en']}\n\n"
        "> Which printer model do you have?\n\n"
        "An HP LaserJet 4000.\n\n"
        "> Does the display show an error?\n\n"
        "Yes: 50.4 FUSER ERROR."
    )
    assert result.quote_cut  # the quote below the last answer only
    assert "inline reply" in result.reason


def test_an_inline_reply_below_a_greeting_keeps_the_quotes() -> None:
    body = "Answers below.\n\n> 1) model?\nLaserJet 4000\n> 2) error?\n50.4 FUSER ERROR\n"
    result = visible_text(body)
    assert result.inline_reply
    assert result.text == body.strip()


def test_a_bottom_post_drops_the_single_quote_above_the_answer() -> None:
    body = f"{QUOTE_HEADERS['en']}\n{_quoted(HISTORY)}\n\nIt works now, thanks.\n"
    result = visible_text(body)
    assert result.text == "It works now, thanks."
    assert not result.inline_reply


SIGNATURES = {
    "dash-dash": "-- \nJan Novák\nACME s.r.o.\n+420 123 456 789",
    "iphone": "Sent from my iPhone",
    "czech-sign-off": "S pozdravem\nJan Novák\nACME s.r.o.",
    "polish-sign-off": "Pozdrawiam,\nJan Kowalski",
    "russian-sign-off": "С уважением,\nИван Петров\nтел. +7 900 000-00-00",
    "ukrainian-sign-off": "З повагою,\nОлена Коваленко",
    "german-sign-off": "Mit freundlichen Grüßen\nMax Mustermann",
    "english-sign-off": "Best regards,\nJohn Smith\nHead of IT",
    "hyphen-name": "-John",
}


@pytest.mark.parametrize("signature", SIGNATURES.values(), ids=SIGNATURES.keys())
def test_the_signature_is_cut_unless_the_desk_keeps_it(signature: str) -> None:
    body = f"{REPLY}\n\n{signature}\n"
    cut = visible_text(body)
    assert cut.text == REPLY
    assert cut.signature_cut
    assert cut.cuts[0].line == REPLY.count("\n") + 3
    kept = visible_text(body, cut_signature=False)
    assert kept.text == body.strip()
    assert not kept.signature_cut


def test_the_signature_above_the_quote_and_the_quote_are_both_cut() -> None:
    body = f"{REPLY}\n\n-- \nJan\n\n{QUOTE_HEADERS['cs']}\n{_quoted(HISTORY)}\n"
    result = visible_text(body)
    assert result.text == REPLY
    assert (result.quote_cut, result.signature_cut) == (True, True)
    assert [c.kind for c in result.cuts] == ["signature", "quote_header"]
    assert visible_text(body, cut_signature=False).text == f"{REPLY}\n\n-- \nJan"


def test_what_merely_looks_like_a_marker_stays() -> None:
    body = (
        "On Thursday, I restarted the printer.\n"
        "Something wrote:\n"
        "Sent from my desk, which is easier than from my phone.\n"
        "- first bullet\n- second bullet\n\n"
        "On your side you can run:\n    lpstat -p\n"
        "Thanks, this is the whole message."
    )
    result = visible_text(body)
    assert result.text == body
    assert (result.quote_cut, result.signature_cut) == (False, False)
    assert result.reason == "nothing to cut"


def test_a_header_block_at_the_very_top_is_not_a_quote() -> None:
    body = "Od: Jan Kowalski <jan@example.pl>\nTemat: Drukarka\n\nDrukarka nie działa.\n"
    assert visible_text(body).text == body.strip()


FORWARDS = {
    "gmail": "---------- Forwarded message ---------\nFrom: Shop <shop@example.com>\n"
    "Date: Tue, Dec 3, 2026 at 10:15 AM\nSubject: Order 1234\nTo: <c@example.com>",
    "apple": "Begin forwarded message:\n\nFrom: Shop <shop@example.com>\nSubject: Order 1234",
    "thunderbird-de": "-------- Weitergeleitete Nachricht --------\nBetreff: Bestellung 1234\n"
    "Datum: Tue, 3 Dec 2026 10:15:00 +0100\nVon: Shop <shop@example.de>",
    "outlook-fw": "From: Shop <shop@example.com>\nSent: Tuesday, December 3, 2026 10:15 AM\n"
    "To: c@example.com\nSubject: FW: Order 1234",
    "outlook-wg": "Von: Shop <shop@example.de>\nGesendet: Dienstag, 3. Dezember 2026 10:15\n"
    "An: k@example.de\nBetreff: WG: Bestellung 1234",
}


@pytest.mark.parametrize("marker", FORWARDS.values(), ids=FORWARDS.keys())
def test_a_forwarded_message_is_kept_whole(marker: str) -> None:
    body = (
        "Please look at the order below, it never arrived.\n\n"
        f"{marker}\n\nYour order 1234 has shipped.\n\n> an old quote inside the forward\n"
    )
    result = visible_text(body)
    assert result.text == body.strip()
    assert result.forward
    assert (result.quote_cut, result.signature_cut) == (False, False)
    assert "forwarded message is kept whole" in result.reason


@pytest.mark.parametrize(
    "body",
    [
        "> only a quote\n> and nothing else\n",
        f"{QUOTE_HEADERS['en']}\n> only a quote\n",
        "-- \nJust a signature",
        "Sent from my iPhone",
    ],
    ids=["quote", "header-and-quote", "signature", "device-signature"],
)
def test_nothing_left_after_the_cut_keeps_the_whole_text(body: str) -> None:
    result = visible_text(body)
    assert result.text == body.strip()
    assert result.kept_whole
    assert (result.quote_cut, result.signature_cut) == (False, False)
    assert result.reason == "cutting would leave nothing: the whole text is kept"


def test_an_empty_body_has_an_empty_visible_text() -> None:
    assert visible_text("  \n\n") == VisibleText(text="", quote_cut=False, signature_cut=False, reason="nothing to cut")


def test_line_ends_are_read_as_lf_and_lines_are_kept_as_written() -> None:
    body = f"Hi,\r\n\r\n    indented line  \r\nend\r\n\r\n{QUOTE_HEADERS['de']}\r\n> old\r\n"
    assert visible_text(body).text == "Hi,\n\n    indented line  \nend"


def test_the_result_is_frozen() -> None:
    result = visible_text("Hello")
    with pytest.raises(AttributeError):
        result.text = "changed"  # type: ignore[misc]


def test_long_header_like_lines_take_linear_time() -> None:
    """Lines built to make backtracking regexes explode (mail-parser-reply's own
    header patterns take 10 to 35 ms a line on the first four) stay cheap."""
    import time

    teasers = [
        "On " * 130 + "1@x",
        "On 1" + " a" * 190 + " wrote",
        "Dne 1 " * 66,
        "On 1 " * 80,
        "2022年1月1日(金) 9:00 " * 20 + "a@b",
        "Am 1 " * 55 + " schrieb x",
    ]
    body = "\n".join(f"reply line {i}\n{teasers[i % len(teasers)]}" for i in range(1200))
    started = time.perf_counter()
    result = visible_text(body)
    assert time.perf_counter() - started < 2.0
    assert result.text == body  # none of them is a header
