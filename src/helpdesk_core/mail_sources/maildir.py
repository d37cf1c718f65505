"""A Maildir: messages arrive in ``new/``, processed ones go to ``cur/``.

Pending are the messages of ``new/`` and those of ``cur/`` without the ``S``
(seen) flag — a mail reader may have moved a message to ``cur/`` without
anybody processing it. ``done`` renames the file to ``cur/NAME:2,S`` (the
standard info suffix, keeping other flags); ``quarantine`` writes the reason to
``QUARANTINE/reasons/NAME.reason`` and then renames the message, unchanged,
into ``QUARANTINE/new/`` — ``QUARANTINE`` is itself a Maildir, by default
``DIR/.quarantine`` (a Maildir++ sub-folder that mail readers show). Every
move is one ``os.rename``, atomic within a file system; a quarantine folder on
another file system gets a copy written under ``tmp/``, synced and renamed,
and only then is the original removed. A crash between two steps leaves the
message pending (yielded again), never lost.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from helpdesk_core.errors import MailSourceUnavailable, ValidationError
from helpdesk_core.mail_sources.source import PendingMessage

log = logging.getLogger(__name__)

INFO = ":2,"
"""What separates a Maildir file's unique name from its flags."""

SEEN = "S"
QUARANTINE_FOLDER = ".quarantine"
REASONS = "reasons"


def unique_name(file_name: str) -> str:
    """The part of a Maildir file name that never changes (before ``:2,``)."""
    return file_name.split(":", 1)[0]


def flags(file_name: str) -> str:
    """The flags of a Maildir file name (after ``:2,``), or ``""``."""
    _, sep, info = file_name.partition(INFO)
    return info if sep else ""


class MaildirSource:
    """The unprocessed messages of the Maildir ``directory`` (see the module
    docstring); a message's key is its unique name."""

    def __init__(self, directory: str | Path, quarantine_dir: str | Path | None = None) -> None:
        self.directory = Path(directory)
        self.quarantine_dir = (
            Path(quarantine_dir) if quarantine_dir is not None else self.directory / QUARANTINE_FOLDER
        )
        for sub in ("new", "cur", "tmp"):
            if not (self.directory / sub).is_dir():
                raise ValidationError(f"Maildir {self.directory}: no {sub}/ folder (not a Maildir)")

    def _listing(self) -> list[Path]:
        found: list[Path] = []
        try:
            for sub in ("new", "cur"):
                for entry in os.scandir(self.directory / sub):
                    if entry.name.startswith(".") or not entry.is_file():
                        continue
                    if sub == "cur" and SEEN in flags(entry.name):
                        continue
                    found.append(Path(entry.path))
        except OSError as exc:
            raise MailSourceUnavailable(
                f"Maildir {self.directory}: cannot be read ({exc.strerror or exc})"
            ) from exc
        # Delivery names begin with the time, so this is (about) arrival order.
        return sorted(found, key=lambda path: path.name)

    def pending(self) -> Iterator[PendingMessage]:
        for path in self._listing():
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                log.warning(
                    "Maildir message %s vanished before it was read (another process took it); skipped", path
                )
                continue
            yield PendingMessage(key=unique_name(path.name), raw=raw, where=str(path))

    def _find(self, key: str) -> Path | None:
        """The pending file of ``key`` (``new/`` or unseen ``cur/``)."""
        if os.sep in key or key.startswith("."):
            raise ValidationError(f"Maildir key {key!r} is not a message name")
        new = self.directory / "new" / key
        if new.is_file():
            return new
        try:
            for entry in os.scandir(self.directory / "cur"):
                if unique_name(entry.name) == key and SEEN not in flags(entry.name):
                    return Path(entry.path)
        except OSError as exc:
            raise MailSourceUnavailable(
                f"Maildir {self.directory}: cannot be read ({exc.strerror or exc})"
            ) from exc
        return None

    def done(self, key: str) -> None:
        """Move the message to ``cur/KEY:2,S`` (other flags kept)."""
        path = self._find(key)
        if path is None:
            log.warning(
                "Maildir message %s is no longer pending in %s; nothing to mark done", key, self.directory
            )
            return
        marked = "".join(sorted(set(flags(path.name)) | {SEEN}))
        target = self.directory / "cur" / f"{key}{INFO}{marked}"
        try:
            os.rename(path, target)
        except FileNotFoundError:
            log.warning("Maildir message %s vanished before it was marked done; skipped", path)
        except OSError as exc:
            raise MailSourceUnavailable(
                f"Maildir message {path}: cannot be moved to cur/ ({exc.strerror or exc})"
            ) from exc

    def quarantine(self, key: str, reason: str) -> None:
        """Write the reason, then move the message unchanged into the
        quarantine Maildir's ``new/``."""
        path = self._find(key)
        if path is None:
            log.warning(
                "Maildir message %s is no longer pending in %s; nothing to quarantine", key, self.directory
            )
            return
        try:
            for sub in ("new", "cur", "tmp", REASONS):
                (self.quarantine_dir / sub).mkdir(parents=True, exist_ok=True)
            note = self.quarantine_dir / REASONS / f"{key}.reason"
            draft = self.quarantine_dir / "tmp" / f"{key}.reason"
            draft.write_text(f"{path}\n{reason}\n", encoding="utf-8")
            os.replace(draft, note)
            target = self.quarantine_dir / "new" / key
            try:
                os.rename(path, target)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                copy = self.quarantine_dir / "tmp" / key
                shutil.copyfile(path, copy)
                with open(copy, "rb") as written:
                    os.fsync(written.fileno())
                os.rename(copy, target)
                path.unlink()
        except FileNotFoundError:
            log.warning("Maildir message %s vanished before it was quarantined; skipped", path)
        except OSError as exc:
            raise MailSourceUnavailable(
                f"Maildir message {path}: cannot be quarantined in {self.quarantine_dir} "
                f"({exc.strerror or exc})"
            ) from exc

    def reason(self, key: str) -> str | None:
        """The reason a quarantined message was put aside, or ``None``."""
        note = self.quarantine_dir / REASONS / f"{key}.reason"
        try:
            return note.read_text(encoding="utf-8").split("\n", 1)[1].rstrip("\n")
        except (FileNotFoundError, IndexError):
            return None

    def close(self) -> None:
        return None


__all__ = ["MaildirSource", "flags", "unique_name"]
