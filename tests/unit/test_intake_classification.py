"""classify: each signal, its reason, and the order in which they decide."""

from __future__ import annotations

import pytest

from helpdesk_core.intake import LOOP_HEADER, Classification, classify, parse_message


def mail(*header_lines: str, body: str = "Hello.\n") -> bytes:
    return ("\r\n".join(header_lines) + "\r\n\r\n" + body).encode()


def kind_of(*header_lines: str, body: str = "Hello.\n", own: bool = False) -> Classification:
    """The classification of the message; ``own`` gives the desk's own address
    (support@desk.example) and Message-ID domain (desk.example)."""
    message = parse_message(mail(*header_lines, body=body))
    if own:
        return classify(
            message, own_addresses=("support@desk.example",), own_message_id_domain="desk.example"
        )
    return classify(message)


PERSON = ("From: Zdenka <zdenka@example.cz>", "To: support@desk.example", "Subject: Kotel nefunguje")


def test_a_person_writing_is_human() -> None:
    result = kind_of(*PERSON)
    assert result == Classification("human", "no sign of automatic, bounced, list or looping mail")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied"),
        ("Auto-Submitted: auto-generated", "Auto-Submitted: auto-generated"),
        ("X-Autoreply: yes", "X-Autoreply: yes"),
        ("X-Autorespond: Out of office", "X-Autorespond: Out of office"),
        ("Precedence: bulk", "Precedence: bulk"),
        ("Precedence: junk", "Precedence: junk"),
        ("Precedence: auto_reply", "Precedence: auto_reply"),
        ("X-Apple-Action: VACATION", "X-Apple-Action: VACATION (an iCloud vacation reply)"),
    ],
)
def test_automatic_reply_headers(header: str, reason: str) -> None:
    assert kind_of(*PERSON, header) == Classification("auto_reply", reason)


def test_auto_submitted_no_is_a_person() -> None:
    assert kind_of(*PERSON, "Auto-Submitted: no").kind == "human"


def test_exchange_suppress_header_with_an_automatic_reply_subject() -> None:
    result = kind_of(
        "From: kijitora@example.org", "Subject: Automatic reply: Nyaan", "X-Auto-Response-Suppress: All"
    )
    assert result.kind == "auto_reply"
    assert result.reason == "X-Auto-Response-Suppress: All with the subject 'Automatic reply'"


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: Kotel",
        "Automatic reply: Kotel",
        "Auto reply: Kotel",
        "Abwesenheitsnotiz: Kotel",
        "Automatische Antwort: Kotel",
        "Réponse automatique : Kotel",
        "Risposta automatica: Kotel",
        "Respuesta automática: Kotel",
        "Automatická odpověď: Kotel",
        "Odpowiedź automatyczna: Kotel",
        "Автоматический ответ: Kotel",
        "Автовідповідь: Kotel",
        "自動応答: Kotel",
    ],
)
def test_vacation_subjects_in_several_languages(subject: str) -> None:
    result = kind_of("From: a@example.com", f"Subject: {subject}")
    assert result.kind == "auto_reply"
    assert result.reason.startswith("an automatic-reply subject")


def test_a_person_replying_about_an_absence_is_still_a_person() -> None:
    assert kind_of("From: a@example.com", "Subject: Re: Out of office next week?").kind == "human"


def test_a_read_receipt_is_automatic() -> None:
    result = kind_of(
        "From: a@example.com",
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="m"',
        body="--m\r\nContent-Type: text/plain\r\n\r\nDisplayed.\r\n--m--\r\n",
    )
    assert result.kind == "auto_reply"


@pytest.mark.parametrize(
    "header",
    [
        "List-Id: Shapelib <shapelib.lists.maptools.org>",
        "List-Unsubscribe: <mailto:leave@lists.example.org>",
        "List-Post: <mailto:list@lists.example.org>",
        "Mailing-List: contact internals-help@lists.php.net; run by ezmlm",
        "X-Mailman-Version: 2.1.9",
        "Precedence: list",
        "Sender: owner-new-httpd@apache.org",
        "Sender: list-bounces@example.org",
    ],
)
def test_list_signals(header: str) -> None:
    result = kind_of(*PERSON, header)
    assert result.kind == "list"
    assert result.reason.startswith(header.split(":")[0])


def test_list_signals_come_before_precedence_bulk() -> None:
    assert kind_of(*PERSON, "List-Id: <x.example.org>", "Precedence: bulk").kind == "list"


DSN = (
    "--d\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
    "--d\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
    "Final-Recipient: rfc822; gone@example.com\r\nAction: {action}\r\nStatus: {status}\r\n"
    "--d\r\nContent-Type: text/rfc822-headers\r\n\r\nTo: gone@example.com\r\n--d--\r\n"
)


def dsn(*extra_headers: str, action: str = "failed", status: str = "5.1.1") -> Classification:
    return kind_of(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>",
        "Subject: Undelivered Mail Returned to Sender",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="d"',
        *extra_headers,
        body=DSN.format(action=action, status=status),
    )


def test_an_rfc3464_report_is_a_bounce_with_its_failed_recipient() -> None:
    result = dsn()
    assert result == Classification(
        "bounce", "a delivery status report (RFC 3464) with 1 failed recipient", ("gone@example.com",)
    )


def test_a_delay_report_is_a_temporary_bounce() -> None:
    result = dsn(action="delayed", status="4.4.7")
    assert (result.kind, result.bounced_recipients, result.temporary) == (
        "bounce",
        ("gone@example.com",),
        True,
    )


def test_a_bounce_stays_a_bounce_with_auto_submitted_and_list_headers() -> None:
    result = dsn("Auto-Submitted: auto-replied", "List-Id: <python-list.python.org>", "Precedence: bulk")
    assert result.kind == "bounce"


@pytest.mark.parametrize(
    ("sender", "subject", "body", "recipients"),
    [
        (
            "MAILER-DAEMON@mx4.example.jp",
            "failure notice",
            "Hi. This is the qmail-send program at mx4.example.jp.\n"
            "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
            "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
            "<kijitora@example.ne.jp>:\nSorry, no SMTP connection got far enough\n\n"
            "--- Below this line is a copy of the message.\n\nReturn-Path: <sender@example.jp>\n"
            "To: other@example.jp\n",
            ("kijitora@example.ne.jp",),
        ),
        (
            "Mail Delivery System <Mailer-Daemon@e1.example.org>",
            "Mail delivery failed: returning message to sender",
            "This message was created automatically by mail delivery software.\n\n"
            "A message that you sent could not be delivered to one or more of its\n"
            "recipients. This is a permanent error. The following address(es) failed:\n\n"
            "  kijitora@example.ed.jp\n    SMTP error from remote mail server after MAIL FROM:<me@example.jp>:\n"
            "    host mx.example.jp: 550 5.7.0 <me@example.jp>... Please use your ISP\n\n"
            "------ This is a copy of the message, including all the headers. ------\n"
            "From: me@example.jp\nTo: kijitora@example.ed.jp\n",
            ("kijitora@example.ed.jp",),
        ),
        (
            "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            "Delivery Status Notification (Failure)",
            "Delivery to the following recipient failed permanently:\n\n     nobody@someserver.example\n\n"
            "----- Original message -----\n\nTo: nobody@someserver.example\n",
            ("nobody@someserver.example",),
        ),
        (
            "postmaster@example.onmicrosoft.com",
            "Undeliverable: Nyaan",
            "Delivery has failed to these recipients or groups:\n\n"
            "kijitora@example.onmicrosoft.com (kijitora@example.onmicrosoft.com)\n"
            "The e-mail address you entered couldn't be found.\n",
            ("kijitora@example.onmicrosoft.com",),
        ),
        (
            "MAILER-DAEMON@python.org",
            "Undelivered Mail Returned to Sender",
            "This is the Postfix program at host dinsdale.python.org.\n\n"
            "I'm sorry to have to inform you that the message returned\nbelow could not be delivered.\n\n"
            "<xxxxx@local.ie>: host mail.local.ie[195.7.46.14] said: 550 5.1.1\n    <xxxxx@local.ie>... User unknown\n",
            ("xxxxx@local.ie",),
        ),
        (
            "MAILER-DAEMON@yahoo.com",
            "Delivery failure",
            "Message from yahoo.com.\nUnable to deliver message to the following address(es).\n\n"
            "<one@yahoo.es>:\nSorry, your message to one@yahoo.es cannot be delivered.\n\n"
            "<two@yahoo.co.uk>:\nThis account is over quota.\n\n--- Original message follows.\n\nTo: three@x.example\n",
            ("one@yahoo.es", "two@yahoo.co.uk"),
        ),
    ],
)
def test_prose_bounces_of_the_common_mail_servers(
    sender: str, subject: str, body: str, recipients: tuple[str, ...]
) -> None:
    result = kind_of(f"From: {sender}", f"Subject: {subject}", "List-Id: <boost.lists.boost.org>", body=body)
    assert result.kind == "bounce", result.reason
    assert result.bounced_recipients == recipients


def test_x_failed_recipients_names_the_bounced_addresses() -> None:
    result = kind_of(
        "From: someone@relay.example", "Subject: problem", "X-Failed-Recipients: A@example.com, b@example.com"
    )
    assert result == Classification(
        "bounce", "an X-Failed-Recipients header", ("a@example.com", "b@example.com")
    )


def test_a_person_forwarding_a_bounce_like_subject_without_the_prose_is_not_a_bounce() -> None:
    assert kind_of("From: a@example.com", "Subject: Returned mail from the shop").kind == "human"


def test_our_own_mail_coming_back_is_a_loop() -> None:
    result = kind_of(
        "From: support@desk.example", "Message-ID: <T-1001.abc@desk.example>", "Subject: x", own=True
    )
    assert result.kind == "loop"
    assert "our own address support@desk.example" in result.reason


def test_the_loop_header_marks_our_mail_even_from_another_sender() -> None:
    result = kind_of(
        "From: forwarder@example.com",
        f"{LOOP_HEADER}: support@desk.example",
        "Auto-Submitted: auto-replied",
        own=True,
    )
    assert result.kind == "loop"
    assert LOOP_HEADER in result.reason


def test_our_address_with_a_foreign_message_id_or_another_desks_loop_header_is_not_a_loop() -> None:
    assert kind_of("From: support@desk.example", "Message-ID: <x@gmail.com>", own=True).kind == "human"
    assert kind_of("From: a@example.com", f"{LOOP_HEADER}: help@other.example", own=True).kind == "human"


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Vacation booking problem", "Hello, my vacation booking failed."),
        ("Out of office hours support?", "Do you answer at night?"),
        ("Away game tickets", "Two please."),
        ("Order not delivered", "My order could not be delivered, the courier says."),
        ("Package undeliverable", "The parcel came back as undeliverable. Delivery errors again!"),
    ],
)
def test_a_customer_writing_about_absence_or_delivery_is_a_person(subject: str, body: str) -> None:
    result = kind_of("From: a@example.com", f"Subject: {subject}", body=body)
    assert result.kind == "human", result.reason


def test_a_report_names_only_the_recipients_that_failed() -> None:
    result = kind_of(
        "From: MAILER-DAEMON@mx.example.net",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="d"',
        body=(
            "--d\r\nContent-Type: text/plain\r\n\r\nSome failed.\r\n"
            "--d\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
            "Final-Recipient: rfc822; fine@example.com\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\n"
            "Final-Recipient: rfc822; gone@example.com\r\nOriginal-Recipient: rfc822; alias@example.org\r\n"
            "Action: failed\r\nStatus: 5.1.1\r\n\r\n"
            "Final-Recipient: rfc822; slow@example.com\r\nAction: delayed\r\nStatus: 4.4.7\r\n--d--\r\n"
        ),
    )
    assert (result.kind, result.bounced_recipients, result.temporary) == (
        "bounce",
        ("gone@example.com", "alias@example.org"),
        False,
    )


def test_a_report_of_successful_delivery_is_automatic_not_a_bounce() -> None:
    result = kind_of(
        "From: MAILER-DAEMON@mx.example.net",
        "Subject: Successful Mail Delivery Report",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="d"',
        body=(
            "--d\r\nContent-Type: text/plain\r\n\r\nDelivered.\r\n"
            "--d\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"
            "Final-Recipient: rfc822; fine@example.com\r\nAction: delivered\r\nStatus: 2.0.0\r\n--d--\r\n"
        ),
    )
    assert result == Classification("auto_reply", "a delivery status report that the message was delivered")
