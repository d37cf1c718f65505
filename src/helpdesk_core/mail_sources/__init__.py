"""Mail sources: where incoming messages wait until the intake has stored them.

A :class:`MailSource` hands out :class:`PendingMessage` values (a stable
``key``, the ``raw`` bytes, ``where`` it came from in words for errors) and is
told afterwards what became of each:

``pending()``
    yields every message not yet processed, in a stable order;
``done(key)``
    called by the caller AFTER it committed the message (its own transaction):
    the source then never yields it again;
``quarantine(key, reason)``
    the message could not be processed: the source keeps it aside with the
    reason, never loses it, and never yields it again;
``close()``
    releases a connection (a no-op for files and Maildirs).

Crash safety is the point of the contract. The source forgets a message only
after ``done`` (or ``quarantine``), and the caller calls ``done`` only after
its commit, so a crash between the caller's commit and ``done`` at worst
yields the message again on the next run — the caller then recognises it by
its ``Message-ID`` and does not store it twice — and a crash before the
commit leaves the message pending: it is never lost. ``done`` and
``quarantine`` are idempotent and a message that vanished meanwhile (another
process took it) is skipped with a logged warning, not an exception.

Sources: :class:`FileSource` (one file or standard input, an MTA's pipe
delivery), :class:`MaildirSource` and :class:`ImapSource`; see
``docs/intake-sources.md``. Network and file-system failures raise
:class:`~helpdesk_core.errors.MailSourceUnavailable` (exit code 5), whose
message never shows a password.

Each name is imported on first use: reading a file does not load ``imaplib``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk_core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from helpdesk_core.mail_sources.file import FileSource
    from helpdesk_core.mail_sources.imap import ImapSource, redacted_url
    from helpdesk_core.mail_sources.maildir import MaildirSource
    from helpdesk_core.mail_sources.source import MailSource, PendingMessage

_EXPORTS = {
    "FileSource": "file",
    "ImapSource": "imap",
    "redacted_url": "imap",
    "MaildirSource": "maildir",
    "MailSource": "source",
    "PendingMessage": "source",
}
"""Each public name and the module of the package defining it."""

__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "FileSource",
    "ImapSource",
    "MailSource",
    "MaildirSource",
    "PendingMessage",
    "redacted_url",
]
