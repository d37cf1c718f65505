"""parse_message on the tricky shapes of real mail, each written out here."""

from __future__ import annotations

import base64
import hashlib
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest

from helpdesk_core.intake import IncomingMessage, parse_message
from helpdesk_core.intake.html_body import FALLBACK_DEFECT


def mail(*header_lines: str, body: str = "Hello.\n") -> bytes:
    return ("\r\n".join(header_lines) + "\r\n\r\n" + body).encode("utf-8", "surrogateescape")


def raw(text: bytes) -> IncomingMessage:
    return parse_message(text)


# -- headers ---------------------------------------------------------------


def test_encoded_word_subject_is_decoded_and_whitespace_collapsed() -> None:
    message = raw(
        mail(
            "From: a@example.com",
            "Subject: =?utf-8?q?Kotel_nefunguje_-_=C5=BElu=C5=A5ou=C4=8Dk=C3=BD?=\r\n  =?utf-8?b?a8WvxYg=?=  now",
        )
    )
    # Whitespace between adjacent encoded words is dropped (RFC 2047), runs collapsed.
    assert message.subject == "Kotel nefunguje - žluťoučkýkůň now"


def test_subject_in_a_charset_python_does_not_know_is_decoded_under_its_alias() -> None:
    hebrew = "מענה".encode("iso-8859-8")
    word = "=?iso-8859-8-i?b?" + base64.b64encode(hebrew).decode() + "?="
    message = raw(mail("From: a@example.com", f"Subject: {word} Invoice"))
    assert message.subject == "מענה Invoice"


def test_raw_8bit_subject_is_read_as_utf8_then_in_the_bodys_charset() -> None:
    utf8 = raw("From: a@example.com\r\nSubject: Děkuji\r\n\r\nx\r\n".encode())
    assert utf8.subject == "Děkuji"
    koi8 = raw(
        b"From: a@example.com\r\nSubject: "
        + "тест".encode("koi8-r")
        + b"\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n"
        + "тест".encode("koi8-r")
    )
    assert koi8.subject == "тест"
    assert koi8.text == "тест"


def test_a_configured_fallback_charset_reads_undeclared_8bit_mail() -> None:
    data = b"From: a@example.com\r\nSubject: " + "тест тест".encode("koi8-r") + b"\r\n\r\nx"
    assert parse_message(data).subject != "тест тест"
    assert parse_message(data, fallback_charsets=("utf-8", "koi8-r")).subject == "тест тест"


def test_iso_2022_jp_with_microsoft_extension_characters_is_decoded() -> None:
    # "№" is in NEC's row 13, which Outlook writes and Python's codec refuses.
    message = raw(
        mail(
            "From: a@example.com",
            "Subject: =?iso-2022-jp?B?GyRCJygnJS1iGyhCNDEgGyRCJ2AnZBsoQiAyOC4wOS4yMDE2?=",
        )
    )
    assert message.subject == "ЖД№41 от 28.09.2016"


def test_addresses_are_lower_case_with_decoded_display_names_and_the_first_from_wins() -> None:
    message = raw(
        mail(
            'From: "=?utf-8?q?Zdenka_Nov=C3=A1kov=C3=A1?=" <Zdenka.Novakova@Example.CZ>',
            "From: Second <second@example.com>",
            "To: support@example.com, Other <OTHER@example.com>,",
            "Cc: old.style@example.com (Old Style)",
            "Reply-To: <reply@example.com>",
        )
    )
    assert message.from_ is not None
    assert (message.from_.address, message.from_.name) == ("zdenka.novakova@example.cz", "Zdenka Nováková")
    assert message.from_.domain == "example.cz"
    assert [m.address for m in message.to] == ["support@example.com", "other@example.com"]
    assert [m.address for m in message.cc] == ["old.style@example.com"]
    assert [m.address for m in message.reply_to] == ["reply@example.com"]


def test_a_from_without_an_address_gives_no_sender_and_says_so() -> None:
    message = raw(mail('From: "" (Mail Delivery System)', "Subject: x"))
    assert message.from_ is None
    assert any("From header names no usable address" in defect for defect in message.defects)


def test_message_ids_references_and_date() -> None:
    message = raw(
        mail(
            "From: a@example.com",
            "Message-ID: <abc@example.com>",
            "In-Reply-To: Re: your message <parent@desk.example>",
            "References: <one@x>\r\n <two@y>   <parent@desk.example>",
            "Date: Tue, 1 Oct 2024 10:00:00 +0200",
        )
    )
    assert message.message_id == "<abc@example.com>"
    assert message.in_reply_to == "<parent@desk.example>"
    assert message.references == ("<one@x>", "<two@y>", "<parent@desk.example>")
    assert message.date == datetime(2024, 10, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))


def test_a_date_without_a_zone_is_taken_as_utc_and_a_bad_date_is_a_defect() -> None:
    assert raw(mail("Date: Tue, 1 Oct 2024 10:00:00 -0000")).date == datetime(2024, 10, 1, 10, tzinfo=UTC)
    bad = raw(mail("Date: the day after tomorrow"))
    assert bad.date is None
    assert any("Date header is not a date" in defect for defect in bad.defects)


def test_header_lines_that_lost_their_indent_do_not_end_the_headers() -> None:
    # A news gateway stripped the continuation indent of DKIM-Signature.
    message = raw(
        mail(
            "Received: by x",
            "DKIM-Signature: v=1; a=rsa-sha256;",
            "d=gmail.com; s 120113;",
            "b=gm7U//CXLdrS6yvml0MHSjb1LAQ",
            "Subject: Re: [PHP-DEV] RFC",
            "From: tyra3l@gmail.com (Ferenc Kovacs)",
        )
    )
    assert message.subject == "Re: [PHP-DEV] RFC"
    assert message.from_ is not None and message.from_.address == "tyra3l@gmail.com"
    assert any("are not headers" in defect for defect in message.defects)
    assert message.text == "Hello.\n"


def test_the_repaired_headers_keep_the_body_whole() -> None:
    lines = ["Received: by x", "DKIM-Signature: v=1;", *(f"b=line{n}" for n in range(12)), "Subject: s"]
    message = raw(
        mail(
            *lines,
            'Content-Type: multipart/alternative; boundary="0123456789"',
            body="--0123456789\r\nContent-Type: text/plain\r\n\r\nThe reply.\r\n--0123456789--\r\n",
        )
    )
    assert message.subject == "s"
    assert message.text == "The reply."
    assert [d for d in message.defects if "are not headers" not in d] == []


def test_the_repair_leaves_headers_the_parser_accepts_alone() -> None:
    message = raw(mail("Received: by x", "X_Original_To: a@example.com", "Subject: kept"))
    assert message.header("X_Original_To") == "a@example.com"
    assert message.header("Received") == "by x"
    assert not any("are not headers" in defect for defect in message.defects)


def test_headers_are_kept_decoded_in_order() -> None:
    message = raw(mail("From: a@example.com", "X-Thing: one", "x-thing: =?utf-8?q?dv=C4=9B?="))
    assert message.header_values("X-THING") == ("one", "dvě")
    assert message.header("x-thing") == "one"
    assert message.header("Missing") is None


# -- bodies --------------------------------------------------------------------


def test_wrong_and_missing_charsets_fall_back_and_say_so() -> None:
    cp1252 = "Grüße – café".encode("cp1252")
    declared_utf8 = raw(b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + cp1252)
    assert declared_utf8.text == "Grüße – café"
    assert any("is not valid utf-8; read as cp1252" in defect for defect in declared_utf8.defects)

    undeclared = raw(b"Subject: x\r\n\r\n" + "Grüße".encode())
    assert undeclared.text == "Grüße"

    unknown = raw(b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n" + "Grüße".encode())
    assert unknown.text == "Grüße"
    assert any("unknown charset 'x-no-such-charset'" in defect for defect in unknown.defects)

    mislabelled = raw(b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\n" + "Děkuji".encode())
    assert mislabelled.text == "Děkuji"


def test_line_endings_become_newlines() -> None:
    message = raw(b"Subject: x\r\n\r\none\r\ntwo\rthree\nfour")
    assert message.text == "one\ntwo\nthree\nfour"


def test_alternative_gives_the_plain_text_and_the_html_as_text() -> None:
    message = raw(
        mail(
            "From: a@example.com",
            'Content-Type: multipart/alternative; boundary="b"',
            body=(
                "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain words.\r\n"
                "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML <b>words</b>.</p>\r\n--b--\r\n"
            ),
        )
    )
    assert message.text == "Plain words."
    assert message.html_text == "HTML words."
    assert message.body == "Plain words."
    assert message.attachments == ()


HTML_ONLY = mail(
    "From: a@example.com",
    "Content-Type: text/html; charset=iso-8859-1",
    body=(
        "<html><head><style>p { color: red }</style><script>alert(1)</script></head>"
        "<body><p>Dobr\xfd den,</p><div>kotel <i>nefunguje</i>.</div><p>Zdenka</p></body></html>"
    ),
)


def test_an_html_only_body_becomes_readable_text() -> None:
    message = raw(HTML_ONLY)
    assert message.text is None
    assert message.html_text == "Dobrý den,\n\nkotel nefunguje.\n\nZdenka"
    assert message.body == message.html_text
    assert FALLBACK_DEFECT not in message.defects


def test_without_html_text_a_rough_reader_is_used_and_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "html_text", None)  # import html_text now raises ImportError
    message = raw(HTML_ONLY)
    assert message.html_text is not None
    assert "alert" not in message.html_text and "color" not in message.html_text
    assert "Dobrý den," in message.html_text and "kotel nefunguje." in message.html_text
    assert FALLBACK_DEFECT in message.defects


# -- attachments ---------------------------------------------------------------


def attachment_mail(*part_headers: str, content: bytes = b"data") -> bytes:
    encoded = base64.b64encode(content).decode()
    part = "\r\n".join(part_headers) + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + encoded + "\r\n"
    return mail(
        "From: a@example.com",
        'Content-Type: multipart/mixed; boundary="b"',
        body=f"--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\n{part}--b--\r\n",
    )


def test_attachment_size_content_type_and_sha256() -> None:
    content = bytes(range(256)) * 4
    message = raw(
        attachment_mail(
            "Content-Type: application/pdf",
            'Content-Disposition: attachment; filename="faktura.pdf"',
            content=content,
        )
    )
    (attachment,) = message.attachments
    assert attachment.name == "faktura.pdf"
    assert attachment.size == 1024
    assert attachment.content_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.content == content
    assert not attachment.inline
    assert message.text == "See attached."


def test_rfc2231_names_with_continuations_and_charsets_are_decoded() -> None:
    message = raw(
        attachment_mail(
            "Content-Type: application/octet-stream",
            "Content-Disposition: attachment;\r\n filename*0*=UTF-8''%E6%96%B0%E3%81%97%E3%81%84;\r\n filename*1*=%20doc.txt",
        )
    )
    assert message.attachments[0].name == "新しい doc.txt"
    latin1 = raw(
        attachment_mail(
            "Content-Type: image/jpeg", "Content-Disposition: attachment; filename*=ISO-8859-1''p%E4ring.jpg"
        )
    )
    assert latin1.attachments[0].name == "päring.jpg"


def test_encoded_word_names_and_raw_utf8_names_are_decoded() -> None:
    encoded = raw(
        attachment_mail(
            'Content-Type: text/plain; name="=?iso-8859-1?Q?HasenundFr=F6sche=2Etxt?="',
            "Content-Disposition: attachment",
        )
    )
    assert encoded.attachments[0].name == "HasenundFrösche.txt"
    raw_utf8 = raw(attachment_mail('Content-Type: application/msword; name="管理.doc"'))
    assert raw_utf8.attachments[0].name == "管理.doc"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('Content-Disposition: attachment; filename="1234/../../1234.txt"', "1234_.._.._1234.txt"),
        ("Content-Disposition: attachment; filename=attach/01", "attach_01"),
        ('Content-Disposition: attachment; filename="C:\\\\Users\\\\x.pdf"', "C:_Users_x.pdf"),
        (
            'Content-Disposition: attachment; filename="=?UTF-8?b?'
            + base64.b64encode(b"Konto 1506\nBedrift\t.pdf").decode()
            + '?="',
            "Konto 1506_Bedrift_.pdf",
        ),
        ('Content-Disposition: attachment; filename=".."', None),
        ("Content-Disposition: attachment", None),
        ("Content-Disposition: attachment; filename=This is a test.txt", "This is a test.txt"),
    ],
)
def test_names_are_sanitised(header: str, expected: str | None) -> None:
    (attachment,) = raw(attachment_mail("Content-Type: application/octet-stream", header)).attachments
    assert attachment.name == expected
    assert "/" not in attachment.file_name and "\\" not in attachment.file_name
    if expected is None:
        assert attachment.file_name == "attachment-1.bin"


def test_disposition_filename_wins_over_content_type_name() -> None:
    message = raw(
        attachment_mail(
            'Content-Type: text/x-ruby; name="other.rb"', 'Content-Disposition: attachment; filename="api.rb"'
        )
    )
    assert message.attachments[0].name == "api.rb"


def test_truncated_and_dirty_base64_is_decoded_as_far_as_it_goes() -> None:
    good = base64.b64encode(b"x" * 174).decode()  # 232 characters
    message = raw(
        mail(
            "From: a@example.com",
            "Content-Type: image/jpeg; name=photo.jpg",
            "Content-Transfer-Encoding: base64",
            body=good[:100] + "*\r\n" + good[100:] + "Q\r\n",  # a stray "*" and a 233rd character
        )
    )
    assert message.attachments[0].content == b"x" * 174
    assert any(
        "base64 with characters outside base64 and a truncated last group" in d for d in message.defects
    )


def test_inline_images_of_related_html_and_a_named_inline_text() -> None:
    image = base64.b64encode(b"\x89PNG").decode()
    message = raw(
        mail(
            "From: a@example.com",
            'Content-Type: multipart/related; boundary="r"',
            body=(
                '--r\r\nContent-Type: text/html\r\n\r\n<p>Logo: <img src="cid:logo@x"></p>\r\n'
                "--r\r\nContent-Type: image/png; name=logo.png\r\nContent-ID: <logo@x>\r\n"
                f"Content-Transfer-Encoding: base64\r\n\r\n{image}\r\n--r--\r\n"
            ),
        )
    )
    (logo,) = message.attachments
    assert (logo.name, logo.inline, logo.content_id, logo.size) == ("logo.png", True, "<logo@x>", 4)
    assert message.html_text == "Logo:"

    named_text = raw(
        mail(
            'Content-Type: text/plain; charset=utf-8; name="notes.txt"',
            'Content-Disposition: inline; filename="notes.txt"',
            body="The only text.",
        )
    )
    assert named_text.text == "The only text."
    assert [(a.name, a.inline) for a in named_text.attachments] == [("notes.txt", True)]


def test_an_attached_message_is_an_attachment_and_its_files_are_listed_within_it() -> None:
    inner = (
        "From: b@example.com\r\nSubject: Original\r\n"
        'Content-Type: multipart/mixed; boundary="i"\r\n\r\n'
        "--i\r\nContent-Type: text/plain\r\n\r\nInner words.\r\n"
        '--i\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="inner.pdf"\r\n\r\n'
        "PDF\r\n--i--\r\n"
    )
    message = raw(
        mail(
            "From: a@example.com",
            'Content-Type: multipart/mixed; boundary="o"',
            body=(
                "--o\r\nContent-Type: text/plain\r\n\r\nForwarding this.\r\n"
                '--o\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="original.eml"\r\n\r\n'
                f"{inner}\r\n--o--\r\n"
            ),
        )
    )
    assert [(a.name, a.content_type, a.within) for a in message.attachments] == [
        ("original.eml", "message/rfc822", None),
        ("inner.pdf", "application/pdf", "original.eml"),
    ]
    assert message.text == "Forwarding this."
    reparsed = parse_message(message.attachments[0].content)
    assert reparsed.subject == "Original" and reparsed.text == "Inner words."


def test_a_tnef_winmail_dat_is_kept_and_the_defects_say_it_is_not_unpacked() -> None:
    message = raw(
        attachment_mail(
            'Content-Type: application/ms-tnef; name="winmail.dat"',
            "Content-Disposition: attachment",
            content=b"\x78\x9f\x3e\x22",
        )
    )
    assert [(a.name, a.content_type) for a in message.attachments] == [("winmail.dat", "application/ms-tnef")]
    assert any("TNEF attachment (winmail.dat) kept as it is" in defect for defect in message.defects)


def test_a_delivery_status_part_is_read_per_recipient() -> None:
    message = raw(
        mail(
            "From: MAILER-DAEMON@mx.example.net",
            'Content-Type: multipart/report; report-type=delivery-status; boundary="d"',
            body=(
                "--d\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
                "--d\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
                "Final-Recipient: rfc822; <Gone@Example.com>\r\nOriginal-Recipient: rfc822;alias@example.com\r\n"
                "Action: failed\r\nStatus: 5.1.1 (user unknown)\r\nDiagnostic-Code: smtp; 550 5.1.1\r\n  no such user\r\n"
                "--d--\r\n"
            ),
        )
    )
    assert message.report_type == "delivery-status"
    (report,) = message.delivery_reports
    assert (report.recipient, report.original_recipient, report.action, report.status) == (
        "gone@example.com",
        "alias@example.com",
        "failed",
        "5.1.1",
    )
    assert report.diagnostic == "smtp; 550 5.1.1 no such user"
    assert message.text == "Delivery failed."


# -- never a crash ---------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\xff\xfe",
        b"no headers at all, just words",
        b"Content-Type: multipart/mixed\r\n\r\nno boundary parameter",
        b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nunterminated',
        b"Subject: =?utf-8?b?!!!?=\r\nFrom: <<<@>>>\r\nDate: 99 Foo 99999\r\n\r\nx",
        b"Content-Type: text/plain; charset=\r\nContent-Transfer-Encoding: x-bogus\r\n\r\nx",
        b"Content-Type: message/rfc822\r\n\r\n",
        b"Content-Type: multipart/mixed; boundary=a\r\n\r\n"
        + b"--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n" * 200,
    ],
)
def test_broken_input_never_raises_and_keeps_the_raw_bytes(data: bytes) -> None:
    message = parse_message(data)
    assert message.raw == data
    assert isinstance(message.body, str)


def test_a_multipart_without_its_boundary_is_read_as_text_and_said() -> None:
    message = parse_message(b"Content-Type: multipart/mixed\r\n\r\nThe words are still here.")
    assert "The words are still here." in message.body
    assert message.defects


def test_a_charset_label_holding_a_nul_byte_is_an_unknown_charset_not_a_failed_parse() -> None:
    """The standard library decodes an 8-bit body with its label and raised
    ValueError ("embedded null character"): the whole message fell back to raw
    text (found by the property that inserts MIME syntax into corpus mail)."""
    raw = (
        b"From: from@example.com\r\nSubject: test\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset=\x00"ks_c_5601-1987"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
        b"\xbd\xba\xc6\xbc\xc7\xd8\r\n"
    )
    message = parse_message(raw)
    assert message.subject == "test" and message.from_ is not None
    assert not any(d.startswith("the message cannot be parsed") for d in message.defects), message.defects
    assert any("unknown charset" in d for d in message.defects)
