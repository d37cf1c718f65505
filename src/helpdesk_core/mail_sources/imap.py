"""An IMAP mailbox: the unseen messages of one folder.

``imap://USER:PASSWORD@HOST[:PORT]/FOLDER`` (port 143; STARTTLS whenever the
server offers it) or ``imaps://…`` (TLS from the start, port 993); the folder
defaults to ``INBOX``; user and password are percent-decoded. Query options:

``starttls=auto|require|no``
    ``auto`` (default) upgrades when the server offers ``STARTTLS``;
    ``require`` fails when it does not;
``processed=FOLDER``
    ``done`` also moves the message there;
``quarantine=FOLDER``
    where quarantined messages go (default ``Quarantine``, created if missing);
``timeout=SECONDS``
    of the network operations (default 30).

Pending are the folder's ``UNSEEN`` messages by UID, fetched with
``BODY.PEEK[]`` so that nothing is marked read before ``done``; a key is
``UIDVALIDITY:UID``. ``done`` sets ``\\Seen`` (then moves the message when
``processed`` is set). ``quarantine`` appends a copy to the quarantine folder
with one header line added on top, ``X-Helpdesk-Quarantine-Reason`` (the
original bytes follow unchanged), then marks the original ``\\Seen \\Deleted``
and expunges that UID only (``UID EXPUNGE``; without ``UIDPLUS`` the flagged
message stays, and no longer counts as pending). A crash between the append and
the flags leaves the message pending: at worst quarantined twice, never lost.
Errors name the URL with the password shown as ``***``.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from collections.abc import Iterator
from email.header import Header
from typing import Any
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

import attrs

from helpdesk_core.errors import MailSourceUnavailable, ValidationError
from helpdesk_core.mail_sources.source import PendingMessage

DEFAULT_PORTS = {"imap": 143, "imaps": 993}
STARTTLS_MODES = ("auto", "require", "no")
QUARANTINE_HEADER = "X-Helpdesk-Quarantine-Reason"
log = logging.getLogger(__name__)


def redacted_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (and no query)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        credentials, _, host = netloc.rpartition("@")
        user = credentials.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in credentials else f"{user}@{host}"
    return SplitResult(parts.scheme, netloc, parts.path, "", "").geturl()


@attrs.frozen
class ImapAddress:
    """What an ``imap://`` or ``imaps://`` URL says."""

    tls: bool
    host: str
    port: int
    user: str
    password: str = attrs.field(repr=False)
    folder: str
    starttls: str
    processed: str | None
    quarantine: str
    timeout: float
    shown: str

    @classmethod
    def parse(cls, url: str) -> ImapAddress:
        shown = redacted_url(url)
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS:
            raise ValidationError(
                f"IMAP URL {shown}: the scheme must be imap:// or imaps://, not {parts.scheme!r}"
            )
        if not parts.hostname:
            raise ValidationError(f"IMAP URL {shown}: no host")
        if parts.username is None or parts.password is None:
            raise ValidationError(
                f"IMAP URL {shown}: give the user and password as imap://USER:PASSWORD@HOST/"
            )
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError:
            raise ValidationError(f"IMAP URL {shown}: the port is not a number") from None
        options = {name: values[-1] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
        unknown = sorted(set(options) - {"starttls", "processed", "quarantine", "timeout"})
        if unknown:
            raise ValidationError(
                f"IMAP URL {shown}: unknown option {unknown[0]!r} "
                "(known: starttls, processed, quarantine, timeout)"
            )
        starttls = options.get("starttls", "auto")
        if starttls not in STARTTLS_MODES:
            raise ValidationError(
                f"IMAP URL {shown}: starttls={starttls!r} is not one of {', '.join(STARTTLS_MODES)}"
            )
        try:
            timeout = float(options.get("timeout", "30"))
        except ValueError:
            raise ValidationError(
                f"IMAP URL {shown}: timeout={options['timeout']!r} is not a number"
            ) from None
        folder = unquote(parts.path.lstrip("/")) or "INBOX"
        return cls(
            tls=parts.scheme == "imaps",
            host=parts.hostname,
            port=port,
            user=unquote(parts.username),
            password=unquote(parts.password),
            folder=folder,
            starttls=starttls,
            processed=options.get("processed") or None,
            quarantine=options.get("quarantine") or "Quarantine",
            timeout=timeout,
            shown=shown,
        )


def _quoted(name: str) -> str:
    """A mailbox name as an IMAP quoted string."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapSource:
    """The unseen messages of an IMAP folder (see the module docstring). The
    connection opens on first use; ``close`` (or ``with``) ends it."""

    def __init__(self, url: str, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.address = ImapAddress.parse(url)
        self._ssl_context = ssl_context
        self._client: imaplib.IMAP4 | None = None
        self._uidvalidity = ""
        self._capabilities: frozenset[str] = frozenset()

    def __enter__(self) -> ImapSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fail(self, what: str, exc: BaseException) -> MailSourceUnavailable:
        detail: object
        if isinstance(exc, ssl.SSLError):
            detail = str(exc)  # "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: …"
        elif isinstance(exc, OSError):
            detail = exc.strerror or str(exc) or type(exc).__name__
        else:
            detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        return MailSourceUnavailable(f"IMAP {self.address.shown}: {what} ({detail})")

    def _connect(self) -> imaplib.IMAP4:
        if self._client is not None:
            return self._client
        address = self.address
        context = self._ssl_context or ssl.create_default_context()
        try:
            client: imaplib.IMAP4
            if address.tls:
                client = imaplib.IMAP4_SSL(
                    address.host, address.port, ssl_context=context, timeout=address.timeout
                )
            else:
                client = imaplib.IMAP4(address.host, address.port, timeout=address.timeout)
                offered = "STARTTLS" in client.capabilities
                if address.starttls == "require" and not offered:
                    client.logout()
                    raise MailSourceUnavailable(
                        f"IMAP {address.shown}: the server does not offer STARTTLS (starttls=require)"
                    )
                if offered and address.starttls != "no":
                    client.starttls(ssl_context=context)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise self._fail("cannot connect", exc) from None
        try:
            client.login(address.user, address.password)
        except imaplib.IMAP4.error as exc:
            client.shutdown()
            raise self._fail("login refused", exc) from None
        except OSError as exc:
            raise self._fail("connection lost at login", exc) from None
        try:
            _, caps = client.capability()
            self._capabilities = frozenset(str(caps[0], "ascii", "replace").upper().split())
            status, data = client.select(_quoted(address.folder))
            if status != "OK":
                raise imaplib.IMAP4.error(data[0] if data else status)
            validity = client.response("UIDVALIDITY")[1]
            self._uidvalidity = str(validity[0], "ascii") if validity and validity[0] else "0"
        except imaplib.IMAP4.error as exc:
            client.shutdown()
            raise self._fail(f"folder {address.folder!r} cannot be opened", exc) from None
        except OSError as exc:
            raise self._fail("connection lost", exc) from None
        self._client = client
        return client

    def _command(self, what: str, *args: Any) -> list[Any]:
        """``UID`` ``args`` on the open connection; its data, or the error."""
        client = self._connect()
        try:
            status, data = client.uid(*args)
        except (imaplib.IMAP4.error, OSError) as exc:
            self._drop()
            raise self._fail(what, exc) from None
        if status != "OK":
            raise self._fail(what, imaplib.IMAP4.error(data[0] if data else status))
        return list(data)

    def _drop(self) -> None:
        if self._client is not None:
            with contextlib.suppress(OSError):
                self._client.shutdown()
        self._client = None

    def _where(self, uid: str) -> str:
        return f"{self.address.shown} uid {uid}"

    def pending(self) -> Iterator[PendingMessage]:
        self._connect()
        found = self._command("cannot search unseen messages", "SEARCH", "UNSEEN")
        uids = [uid for chunk in found if chunk for uid in str(chunk, "ascii").split()]
        for uid in sorted(uids, key=int):
            data = self._command(f"cannot fetch uid {uid}", "FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in data if isinstance(item, tuple)), None)
            if raw is None:
                # Expunged by another client between the search and the fetch.
                continue
            yield PendingMessage(key=f"{self._uidvalidity}:{uid}", raw=raw, where=self._where(uid))

    def _uid(self, key: str) -> str | None:
        validity, _, uid = key.partition(":")
        if not uid.isdigit():
            raise ValidationError(
                f"IMAP {self.address.shown}: {key!r} is not a message key (UIDVALIDITY:UID)"
            )
        self._connect()
        if validity != self._uidvalidity:
            # The folder was recreated: the UID names another message now.
            log.warning(
                "IMAP %s: key %s belongs to an earlier folder (UIDVALIDITY now %s); left alone",
                self.address.shown,
                key,
                self._uidvalidity,
            )
            return None
        return uid

    def done(self, key: str) -> None:
        uid = self._uid(key)
        if uid is None:
            return
        self._command(f"cannot mark uid {uid} seen", "STORE", uid, "+FLAGS.SILENT", r"(\Seen)")
        if self.address.processed:
            self._move(uid, self.address.processed)

    def _ensure_folder(self, folder: str) -> None:
        client = self._connect()
        try:
            status, _ = client.create(_quoted(folder))
        except (imaplib.IMAP4.error, OSError) as exc:
            self._drop()
            raise self._fail(f"cannot create folder {folder!r}", exc) from None
        del status  # "NO [ALREADYEXISTS]" is fine: the folder is there

    def _move(self, uid: str, folder: str) -> None:
        self._ensure_folder(folder)
        if "MOVE" in self._capabilities:
            self._command(f"cannot move uid {uid} to {folder!r}", "MOVE", uid, _quoted(folder))
            return
        self._command(f"cannot copy uid {uid} to {folder!r}", "COPY", uid, _quoted(folder))
        self._expunge(uid)

    def _expunge(self, uid: str) -> None:
        self._command(f"cannot flag uid {uid} deleted", "STORE", uid, "+FLAGS.SILENT", r"(\Seen \Deleted)")
        if "UIDPLUS" in self._capabilities:
            self._command(f"cannot expunge uid {uid}", "EXPUNGE", uid)

    def quarantine(self, key: str, reason: str) -> None:
        uid = self._uid(key)
        if uid is None:
            return
        data = self._command(f"cannot fetch uid {uid}", "FETCH", uid, "(BODY.PEEK[])")
        raw = next((item[1] for item in data if isinstance(item, tuple)), None)
        if raw is None:
            return  # gone already
        folder = self.address.quarantine
        self._ensure_folder(folder)
        line = " ".join(reason.split()) or "no reason given"
        header = Header(line, "utf-8", header_name=QUARANTINE_HEADER).encode(linesep="\r\n")
        copy = f"{QUARANTINE_HEADER}: {header}\r\n".encode("ascii") + raw
        client = self._connect()
        try:
            status, answer = client.append(_quoted(folder), None, None, copy)
        except (imaplib.IMAP4.error, OSError) as exc:
            self._drop()
            raise self._fail(f"cannot append uid {uid} to {folder!r}", exc) from None
        if status != "OK":
            raise self._fail(f"cannot append uid {uid} to {folder!r}", imaplib.IMAP4.error(answer[0]))
        self._expunge(uid)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


__all__ = ["QUARANTINE_HEADER", "ImapAddress", "ImapSource", "redacted_url"]
