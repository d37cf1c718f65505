"""ImapSource against a real Dovecot (see conftest.py): the pending/done/
quarantine contract, crash safety and the hidden password."""

from __future__ import annotations

import email
import email.policy
import imaplib
import ssl

import pytest

from dovecot_server import ImapServer
from helpdesk_core.errors import MailSourceUnavailable, StorageUnavailable
from helpdesk_core.mail_sources import ImapSource, MailSource, redacted_url
from helpdesk_core.mail_sources.imap import QUARANTINE_HEADER


def message(number: int) -> bytes:
    return (
        f"From: client{number}@example.com\r\nTo: desk@example.com\r\n"
        f"Subject: Printer {number}\r\nMessage-ID: <m{number}@example.com>\r\n\r\n"
        f"The printer on floor {number} is jammed.\r\n"
    ).encode()


def deliver(server: ImapServer, user: str, *numbers: int) -> None:
    client = server.client(user)
    for number in numbers:
        status, _ = client.append("INBOX", None, None, message(number))
        assert status == "OK"
    client.logout()


def subjects(source: ImapSource) -> list[str]:
    return [str(email.message_from_bytes(item.raw)["Subject"]) for item in source.pending()]


def test_pending_yields_every_unseen_message_without_marking_it_read(imap_server: ImapServer) -> None:
    user = imap_server.add_user()
    deliver(imap_server, user, 1, 2, 3)
    with ImapSource(imap_server.url(user)) as source:
        assert isinstance(source, MailSource)
        found = list(source.pending())
        assert [item.raw for item in found] == [message(1), message(2), message(3)]
        assert found[0].where.startswith(f"imap://{user}:***@127.0.0.1:{imap_server.port}/INBOX uid ")
        assert "s3cret" not in repr(found) and "s3cret" not in repr(source.address)
    # BODY.PEEK: a second connection still sees all three unseen.
    with ImapSource(imap_server.url(user)) as again:
        assert subjects(again) == ["Printer 1", "Printer 2", "Printer 3"]


def test_done_marks_seen_and_the_message_is_not_yielded_again(imap_server: ImapServer) -> None:
    user = imap_server.add_user()
    deliver(imap_server, user, 1, 2)
    with ImapSource(imap_server.url(user)) as source:
        first = next(iter(source.pending()))
        source.done(first.key)
        source.done(first.key)  # idempotent
        assert subjects(source) == ["Printer 2"]
    with ImapSource(imap_server.url(user)) as again:
        assert subjects(again) == ["Printer 2"]
    client = imap_server.client(user)
    client.select("INBOX")
    _, seen = client.uid("SEARCH", "SEEN")
    assert len(seen[0].split()) == 1  # kept in INBOX, only flagged \Seen
    client.logout()


def test_done_moves_to_the_processed_folder_when_asked(imap_server: ImapServer) -> None:
    user = imap_server.add_user()
    deliver(imap_server, user, 1, 2)
    with ImapSource(imap_server.url(user, query="processed=Processed")) as source:
        first = next(iter(source.pending()))
        source.done(first.key)
        source.done(first.key)  # idempotent: moved already
        source.quarantine(first.key, "late")  # gone from INBOX: nothing to put aside
    client = imap_server.client(user)
    assert client.select("Processed")[1] == [b"1"]
    assert client.select("INBOX")[1] == [b"1"]
    client.logout()


def test_quarantine_keeps_the_message_aside_with_its_reason(imap_server: ImapServer) -> None:
    user = imap_server.add_user()
    deliver(imap_server, user, 1, 2)
    with ImapSource(imap_server.url(user)) as source:
        bad = next(iter(source.pending()))
        source.quarantine(bad.key, "cannot parse: header line\nbroken — řádek")
        assert subjects(source) == ["Printer 2"]
    client = imap_server.client(user)
    assert client.select("INBOX")[1] == [b"1"]  # expunged from INBOX, that UID only
    status, count = client.select("Quarantine")
    assert status == "OK" and count == [b"1"]
    _, data = client.uid("FETCH", "1:*", "(BODY.PEEK[])")
    kept = data[0][1]
    client.logout()
    assert kept.endswith(message(1))  # the original bytes, unchanged, after one header
    added = kept[: -len(message(1))]
    assert email.message_from_bytes(added + b"\r\n").keys() == [QUARANTINE_HEADER]
    reason = email.message_from_bytes(kept, policy=email.policy.default)[QUARANTINE_HEADER]
    assert str(reason) == "cannot parse: header line broken — řádek"


def test_a_crash_before_done_yields_the_message_again(imap_server: ImapServer) -> None:
    user = imap_server.add_user()
    deliver(imap_server, user, 7)
    crashed = ImapSource(imap_server.url(user))
    taken = next(iter(crashed.pending()))
    crashed._drop()  # the process dies: the connection is cut, done never called
    with ImapSource(imap_server.url(user)) as restarted:
        again = list(restarted.pending())
        assert [item.key for item in again] == [taken.key]
        assert again[0].raw == taken.raw


def test_a_wrong_password_is_the_projects_error_with_the_password_hidden(imap_server: ImapServer) -> None:
    user = imap_server.add_user()
    source = ImapSource(imap_server.url(user, password="hunter2-wrong"))
    with pytest.raises(MailSourceUnavailable) as caught:
        list(source.pending())
    text = str(caught.value)
    assert "hunter2-wrong" not in text
    assert f"imap://{user}:***@127.0.0.1:{imap_server.port}/INBOX" in text
    assert "login refused" in text
    assert isinstance(caught.value, StorageUnavailable) and caught.value.exit_code == 5


def test_an_unreachable_server_is_the_projects_error() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = ImapSource(f"imap://agent:pa%40ss@127.0.0.1:{port}/INBOX?timeout=2")
    with pytest.raises(
        MailSourceUnavailable, match=r"imap://agent:\*\*\*@127\.0\.0\.1:\d+/INBOX: cannot connect \(Connection refused\)"
    ):
        list(source.pending())


def test_redacted_url_hides_the_password_and_the_query() -> None:
    assert redacted_url("imaps://ann:top%20secret@mail.example.com/INBOX?processed=Done") == (
        "imaps://ann:***@mail.example.com/INBOX"
    )


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("pop3://a:b@host/", "scheme must be imap:// or imaps://"),
        ("imap://host/INBOX", "give the user and password"),
        ("imap://a:b@host/INBOX?starttls=maybe", "starttls='maybe' is not one of auto, require, no"),
        ("imap://a:b@host/INBOX?proccessed=Done", "unknown option 'proccessed'"),
    ],
)
def test_a_bad_url_is_refused_by_name(url: str, words: str) -> None:
    from helpdesk_core.errors import ValidationError

    with pytest.raises(ValidationError, match=words) as caught:
        ImapSource(url)
    assert ":b@" not in str(caught.value)


def test_starttls_require_fails_when_the_server_does_not_offer_it(imap_server: ImapServer) -> None:
    user = imap_server.add_user()
    source = ImapSource(imap_server.url(user, query="starttls=require"))
    with pytest.raises(MailSourceUnavailable, match="does not offer STARTTLS"):
        list(source.pending())


def test_done_moves_by_copy_and_uid_expunge_without_the_move_extension(imap_server: ImapServer) -> None:
    user = imap_server.add_user()
    deliver(imap_server, user, 1, 2)
    with ImapSource(imap_server.url(user, query="processed=Done")) as source:
        first = next(iter(source.pending()))
        assert "MOVE" in source._capabilities and "UIDPLUS" in source._capabilities
        source._capabilities = source._capabilities - {"MOVE"}  # an older server
        source.done(first.key)
        assert subjects(source) == ["Printer 2"]
    client = imap_server.client(user)
    assert client.select("Done")[1] == [b"1"]
    assert client.select("INBOX")[1] == [b"1"]  # only that UID expunged
    client.logout()


def trusting(server: ImapServer) -> ssl.SSLContext:
    assert server.certificate is not None
    return ssl.create_default_context(cafile=str(server.certificate))


def test_imaps_reads_over_tls(imap_tls_server: ImapServer) -> None:
    user = imap_tls_server.add_user()
    deliver(imap_tls_server, user, 1)
    with ImapSource(imap_tls_server.url(user, imaps=True), ssl_context=trusting(imap_tls_server)) as source:
        assert isinstance(source._client, type(None))
        assert subjects(source) == ["Printer 1"]
        assert isinstance(source._client, imaplib.IMAP4_SSL)


@pytest.mark.parametrize("mode", ["auto", "require"])
def test_starttls_upgrades_when_the_server_offers_it(imap_tls_server: ImapServer, mode: str) -> None:
    user = imap_tls_server.add_user()
    deliver(imap_tls_server, user, 1)
    url = imap_tls_server.url(user, query=f"starttls={mode}")
    with ImapSource(url, ssl_context=trusting(imap_tls_server)) as source:
        assert subjects(source) == ["Printer 1"]
        assert source._client is not None and isinstance(source._client.sock, ssl.SSLSocket)


def test_an_untrusted_certificate_is_an_unavailable_source(imap_tls_server: ImapServer) -> None:
    user = imap_tls_server.add_user()
    with pytest.raises(MailSourceUnavailable, match=r":\*\*\*@.*: cannot connect \(.*CERTIFICATE_VERIFY_FAILED"):
        list(ImapSource(imap_tls_server.url(user, imaps=True)).pending())


def test_a_key_from_an_earlier_folder_is_left_alone_with_a_warning(
    imap_server: ImapServer, caplog: pytest.LogCaptureFixture
) -> None:
    user = imap_server.add_user()
    deliver(imap_server, user, 1)
    with ImapSource(imap_server.url(user)) as source:
        [item] = source.pending()
        uid = item.key.split(":")[1]
        source.done(f"1:{uid}")  # another UIDVALIDITY: the UID may name another message now
        assert "belongs to an earlier folder" in caplog.text
        assert [again.key for again in source.pending()] == [item.key]
