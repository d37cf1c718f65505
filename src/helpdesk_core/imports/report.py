"""What an import did (or, in a dry run, would do): one outcome per row and
a count per file, plus the warnings met on the way."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import attrs

from helpdesk_core.errors import ValidationError

Outcome = Literal["created", "updated", "unchanged", "rejected"]


class ImportRejected(ValidationError):
    """An import that cannot go ahead (an unreadable file, a bad row in an
    all-or-nothing import); nothing of it was stored. The message names the
    file, the line and the reason."""


@attrs.frozen
class RowResult:
    """The fate of one row. ``key`` names the record (its external id, or
    ``"CT-1 2026-01-01"`` for a service period: contract and first day);
    ``changed`` lists the fields an update changes; ``reason`` why a row
    was rejected."""

    file: str
    line: int
    kind: str
    key: str
    outcome: Outcome
    changed: tuple[str, ...] = ()
    reason: str = ""

    def describe(self, *, dry_run: bool = False) -> str:
        """One line for people: ``contacts.csv line 3: P-2 updated (email, phone)``."""
        where = f"{self.file} line {self.line}"
        if self.outcome == "rejected":
            return f"{where}: {self.reason}"
        would = {"created": "would be created", "updated": "would be updated"}
        state = would.get(self.outcome, self.outcome) if dry_run else self.outcome
        fields = f" ({', '.join(self.changed)})" if self.changed else ""
        return f"{where}: {self.key} {state}{fields}"


@attrs.frozen
class FileReport:
    """The counts of one file. ``rejects`` is where its rejected rows were
    written (skip-invalid mode with rejects), else None."""

    file: str
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: Path | None = None

    def summary(self) -> str:
        """``companies.csv: 3 created, 1 updated, 0 unchanged, 0 rejected``."""
        return (
            f"{self.file}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected"
        )


@attrs.frozen
class ImportReport:
    """The result of one import run (one file or a bundle, one transaction)."""

    files: tuple[FileReport, ...]
    rows: tuple[RowResult, ...] = ()
    warnings: tuple[str, ...] = ()
    dry_run: bool = False

    @property
    def created(self) -> int:
        """Rows that created a record, over every file."""
        return sum(f.created for f in self.files)

    @property
    def updated(self) -> int:
        """Rows that changed a record, over every file."""
        return sum(f.updated for f in self.files)

    @property
    def unchanged(self) -> int:
        """Rows equal to what the store already held, over every file."""
        return sum(f.unchanged for f in self.files)

    @property
    def rejected(self) -> int:
        """Rows left out (skip-invalid mode), over every file."""
        return sum(f.rejected for f in self.files)

    def rejects(self) -> tuple[RowResult, ...]:
        """The rejected rows, in file and line order."""
        return tuple(r for r in self.rows if r.outcome == "rejected")


__all__ = ["FileReport", "ImportRejected", "ImportReport", "Outcome", "RowResult"]
