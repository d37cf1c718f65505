"""One error hierarchy for the whole library.

Every error subclasses :class:`HelpdeskError` and the builtin it resembles, so a
caller may catch either. Messages name the offending thing and the bad value;
the CLI prints them as one line and maps the class to an exit code.
"""

from __future__ import annotations


class HelpdeskError(Exception):
    """Root of every error raised on purpose by helpdesk-core."""

    exit_code = 2


class ValidationError(HelpdeskError, ValueError):
    """A value cannot exist: a missing subject, a naive datetime, a bad id."""


class ConfigError(ValidationError):
    """The configuration file is malformed; the message names the place in it."""


class TransitionError(ValidationError):
    """A status move that the transition graph does not allow."""


class HistoryError(ValidationError):
    """A ticket history that cannot have happened (checked by replay)."""


class NotFound(HelpdeskError, LookupError):
    """A ticket, contact, calendar or other thing that does not exist."""

    exit_code = 3


class ConflictError(HelpdeskError):
    """A save based on a stale version: somebody else saved first."""

    exit_code = 4


class StorageUnavailable(HelpdeskError, OSError):
    """The store cannot be opened or reached."""

    exit_code = 5


class MailSourceUnavailable(StorageUnavailable):
    """A mail source (a message file, a Maildir, an IMAP server) cannot be read
    or reached, or refuses the login; the message never shows a password."""


class MissingExtra(HelpdeskError, ImportError):
    """A feature whose optional packages (an extra of helpdesk-core) are not
    installed; the message names the ``pip install`` that adds them."""

    exit_code = 2  # the install lacks what the command was asked to do, as a usage error

    def __init__(self, message: str, *, extra: str, module: str) -> None:
        super().__init__(message, name=module)
        self.extra = extra


class Declined(HelpdeskError):
    """A person answered no (or nothing) when asked to confirm: nothing changed."""

    exit_code = 6


class ProofFailed(HelpdeskError):
    """The change was made, but its proof found what should be gone: an erasure
    whose physical scrub did not complete, retention items left to do."""

    exit_code = 7


class RowsLeftOut(HelpdeskError):
    """An import with ``--skip-invalid`` stored its good rows and left bad ones out."""

    exit_code = 8


class PermissionDenied(HelpdeskError):
    """The actor may not do this (a contact moving a ticket, a deactivated
    employee writing, somebody unknown): nothing was stored."""

    exit_code = 9


INTERRUPTED = 130
"""The exit code of a command stopped by Ctrl-C (SIGINT), as shells report it."""


__all__ = [
    "INTERRUPTED",
    "ConfigError",
    "ConflictError",
    "Declined",
    "HelpdeskError",
    "HistoryError",
    "MailSourceUnavailable",
    "MissingExtra",
    "NotFound",
    "PermissionDenied",
    "ProofFailed",
    "RowsLeftOut",
    "StorageUnavailable",
    "TransitionError",
    "ValidationError",
]
