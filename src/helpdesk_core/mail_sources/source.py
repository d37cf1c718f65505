"""The contract every mail source keeps (see the package docstring)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

import attrs


@attrs.frozen
class PendingMessage:
    """One message a source holds until it is told ``done`` or ``quarantine``.

    ``key`` is stable for the message (the same on the next run), ``raw`` its
    bytes exactly as delivered, ``where`` says in words where it lies (a file
    name, ``imap://agent:***@host/INBOX uid 42``) for errors and reports."""

    key: str
    raw: bytes = attrs.field(repr=lambda raw: f"<{len(raw)} bytes>")
    where: str


@runtime_checkable
class MailSource(Protocol):
    """Messages waiting for the intake; see the package docstring for the
    crash-safety contract of ``done`` and ``quarantine``."""

    def pending(self) -> Iterator[PendingMessage]:
        """Every message not yet done or quarantined."""
        ...

    def done(self, key: str) -> None:
        """The caller committed the message: never yield it again."""
        ...

    def quarantine(self, key: str, reason: str) -> None:
        """The message could not be processed: keep it aside with ``reason``."""
        ...

    def close(self) -> None:
        """Release what the source holds open (a connection)."""
        ...


__all__ = ["MailSource", "PendingMessage"]
