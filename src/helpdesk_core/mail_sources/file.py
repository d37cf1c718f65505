"""One message from a file or standard input (an MTA's pipe delivery)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from helpdesk_core.errors import MailSourceUnavailable, ValidationError
from helpdesk_core.mail_sources.source import PendingMessage

STDIN = "-"
"""The path naming standard input."""


class FileSource:
    """The one message of ``path`` (``"-"``: standard input, read as bytes).

    ``done`` and ``quarantine`` only stop this source from yielding the
    message again: standard input cannot be put back, and a quarantined file
    is left in place, untouched (the caller reports the reason; an MTA's pipe
    delivery sees the command's exit code). A missing file, or a directory, is
    a usage error (:class:`ValidationError`, exit 2); a file that exists but
    cannot be read is :class:`MailSourceUnavailable` (exit 5)."""

    def __init__(self, path: str | Path, *, stdin: BinaryIO | None = None) -> None:
        self._path = str(path)
        self._stdin = stdin
        self._finished: set[str] = set()

    @property
    def key(self) -> str:
        """The key of the one message: the file name, or ``-`` for standard input."""
        return self._path

    def pending(self) -> Iterator[PendingMessage]:
        if self._path in self._finished:
            return
        if self._path == STDIN:
            stream = self._stdin if self._stdin is not None else sys.stdin.buffer
            yield PendingMessage(key=STDIN, raw=stream.read(), where="standard input")
            return
        try:
            raw = Path(self._path).read_bytes()
        except FileNotFoundError:
            raise ValidationError(f"mail file {self._path}: no such file") from None
        except IsADirectoryError:
            raise ValidationError(f"mail file {self._path}: is a directory, expected a file") from None
        except OSError as exc:
            raise MailSourceUnavailable(
                f"mail file {self._path}: cannot be read ({exc.strerror or exc})"
            ) from exc
        yield PendingMessage(key=self._path, raw=raw, where=self._path)

    def done(self, key: str) -> None:
        self._finished.add(key)

    def quarantine(self, key: str, reason: str) -> None:
        self._finished.add(key)

    def close(self) -> None:
        return None


__all__ = ["STDIN", "FileSource"]
