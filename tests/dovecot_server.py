"""A real IMAP server for the mail-source tests (the ``imap_server`` fixture,
loaded by tests/conftest.py as a plugin): Dovecot from the machine's
packages (``dovecot-imapd``), started for the test session and always stopped.

The fixture writes a minimal configuration into a temporary directory (no
system configuration is read: ``dovecot -c CONF -F``): IMAP only, on
127.0.0.1 and a free port, plaintext logins allowed, users in a passwd-file
of that directory and their mail in Maildirs under it; ``imap_server`` runs
with ``ssl = no`` (no STARTTLS offered), ``imap_tls_server`` with a
self-signed certificate made by ``openssl`` (``imaps`` on a second port, and
STARTTLS). Run as root, Dovecot's internal processes use the ``dovecot`` and
``dovenull`` users the package creates and the mail belongs to ``nobody``;
run as another user, everything runs as that user. The server runs in its own
process group, killed at the end even when tests fail. Under pytest-xdist
every worker is its own session: its own servers, directories and ports. Each
test gets its own IMAP user (all written before the server starts), so tests
share no mailbox.

Without the ``dovecot`` binary the IMAP tests are skipped locally, and FAIL
under ``CI`` (``make test`` installs the package there as root), as the
PostgreSQL tests do.
"""

from __future__ import annotations

import contextlib
import grp
import imaplib
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

START_ATTEMPTS = 5
START_TIMEOUT = 20.0
USERS = 200
"""Users written before the server starts (Dovecot caches its passwd-file)."""
_users = itertools.count(1)


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (str(path) for path in (Path("/usr/sbin/dovecot"),) if path.is_file()), None
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@attrs.frozen
class ImapServer:
    """A running Dovecot: where it listens and how to add a user."""

    host: str
    port: int
    root: Path
    mail_uid: int
    mail_gid: int
    tls_port: int | None = None
    """The ``imaps`` port of a server started with TLS (STARTTLS is offered too)."""
    certificate: Path | None = None
    """Its self-signed certificate, for a client's ``ssl.SSLContext``."""

    def add_user(self) -> str:
        """A user nobody used yet, with an empty INBOX (its password: ``s3cret``)."""
        number = next(_users)
        if number > USERS:
            raise RuntimeError(f"the test IMAP server has only {USERS} users; raise USERS")
        return f"agent{number}"

    def url(
        self,
        user: str,
        password: str = "s3cret",
        folder: str = "INBOX",
        query: str = "",
        *,
        imaps: bool = False,
    ) -> str:
        scheme, port = ("imaps", self.tls_port) if imaps else ("imap", self.port)
        return f"{scheme}://{user}:{password}@{self.host}:{port}/{folder}" + (f"?{query}" if query else "")

    def client(self, user: str, password: str = "s3cret") -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(user, password)
        return client


def _config(root: Path, port: int, tls_port: int, internal_user: str, login_user: str) -> str:
    ssl = f"ssl = yes\nssl_cert = <{root}/cert.pem\nssl_key = <{root}/key.pem\n" if tls_port else "ssl = no\n"
    return (
        ssl
        + f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
disable_plaintext_auth = no
login_trusted_networks = 127.0.0.0/8
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal_user).pw_gid).gr_name}
default_login_user = {login_user}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
"""
    )


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            return connection.recv(64).startswith(b"* OK")
    except OSError:
        return False


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    """A Dovecot without TLS (``ssl = no``: no STARTTLS offered)."""
    yield from _dovecot(tls=False)


@pytest.fixture(scope="session")
def imap_tls_server() -> Iterator[ImapServer]:
    """A Dovecot with a self-signed certificate: ``imaps`` and STARTTLS."""
    yield from _dovecot(tls=True)


def _dovecot(*, tls: bool) -> Iterator[ImapServer]:
    binary = dovecot_binary()
    if binary is None:
        message = "the dovecot binary is not installed; install dovecot-imapd to run the IMAP source tests"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the IMAP source tests: {message}", pytrace=False)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="helpdesk-imap-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        internal, login = "dovecot", "dovenull"
        nobody = pwd.getpwnam("nobody")
        uid, gid = nobody.pw_uid, nobody.pw_gid
    else:
        internal = login = pwd.getpwuid(os.geteuid()).pw_name
        uid, gid = os.geteuid(), os.getegid()
    (root / "mail").mkdir()
    os.chown(root / "mail", uid, gid)
    (root / "users").write_text(
        "".join(
            f"agent{number}:{{PLAIN}}s3cret:{uid}:{gid}::{root / 'mail' / f'agent{number}'}\n"
            for number in range(1, USERS + 1)
        ),
        encoding="utf-8",
    )
    (root / "users").chmod(0o644)
    process: subprocess.Popen[bytes] | None = None
    try:
        certificate = _certificate(root) if tls else None
        for attempt in range(1, START_ATTEMPTS + 1):
            port = _free_port()
            tls_port = _free_port() if tls else 0
            conf = root / "dovecot.conf"
            conf.write_text(_config(root, port, tls_port, internal, login), encoding="utf-8")
            with (root / "stderr.log").open("ab") as stderr:
                process = subprocess.Popen(
                    [binary, "-c", str(conf), "-F"],
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    start_new_session=True,
                )
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and process.poll() is None and not _accepts(port):
                time.sleep(0.05)
            if process.poll() is None and _accepts(port):
                break
            _stop(process)
            process = None
            if attempt == START_ATTEMPTS:
                log = "\n".join(
                    path.read_text(errors="replace")
                    for path in (root / "stderr.log", root / "dovecot.log")
                    if path.exists()
                )
                raise RuntimeError(f"Dovecot did not start on 127.0.0.1:{port}:\n{log}")
        yield ImapServer(
            host="127.0.0.1",
            port=port,
            root=root,
            mail_uid=uid,
            mail_gid=gid,
            tls_port=tls_port or None,
            certificate=certificate,
        )
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(root, ignore_errors=True)


def _certificate(root: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 (``openssl``), its path."""
    openssl = shutil.which("openssl")
    if openssl is None:
        message = "the openssl binary is not installed; it makes the TLS test server's certificate"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the IMAP TLS tests: {message}", pytrace=False)
        pytest.skip(message)
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(root / "key.pem"),
            "-out",
            str(root / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    (root / "key.pem").chmod(0o644)
    return root / "cert.pem"


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill Dovecot's whole process group (master, login and mail processes)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    # The master's children may outlive it for a moment: kill what is left.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
