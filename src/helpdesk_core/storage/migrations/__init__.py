"""Numbered forward migrations, one folder per SQL backend.

A migration is ``vNNNN_what.sql`` (statements separated by ``;``) or
``vNNNN_what.py`` (a module with ``migrate(session)``), numbered from 1 without
gaps. A store records each applied number in its ``schema_version`` table; on
open, the missing ones are applied in order inside one transaction, and a store
whose number is higher than the newest one known here is refused — it was
written by a newer helpdesk-core.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from importlib import resources

import attrs

from helpdesk_core.errors import StorageUnavailable
from helpdesk_core.storage.sql import Session

_NAME = re.compile(r"^v(\d{4})_(\w+)\.(sql|py)$")


@attrs.frozen
class Migration:
    """One step of a backend's schema: ``number`` 1, 2, …; ``apply`` runs it."""

    number: int
    name: str
    apply: Callable[[Session], None]


def _sql_step(text: str) -> Callable[[Session], None]:
    def apply(session: Session) -> None:
        for statement in text.split(";"):
            if statement.strip():
                session.run(statement)

    return apply


def migrations(backend: str) -> tuple[Migration, ...]:
    """The migrations of ``backend`` (``"sqlite"`` or ``"postgresql"``) in order."""
    found: list[Migration] = []
    for entry in resources.files(__name__).joinpath(backend).iterdir():
        match = _NAME.match(entry.name)
        if match is None:
            continue
        number, name, suffix = int(match[1]), match[2], match[3]
        if suffix == "sql":
            step = _sql_step(entry.read_text(encoding="utf-8"))
        else:
            module = importlib.import_module(f"{__name__}.{backend}.{entry.name[:-3]}")
            step = module.migrate
        found.append(Migration(number, name, step))
    found.sort(key=lambda m: m.number)
    if [m.number for m in found] != list(range(1, len(found) + 1)):
        raise StorageUnavailable(f"the {backend} migrations are not numbered 1..n without gaps")
    return tuple(found)


def latest(backend: str) -> int:
    """The schema version this helpdesk-core writes for ``backend``."""
    return len(migrations(backend))


def recorded_version(session: Session) -> int:
    """The highest migration number ``session``'s store records (0: none yet;
    the ``schema_version`` table must exist)."""
    row = session.one("SELECT max(version) FROM schema_version")
    return int(row[0]) if row is not None and row[0] is not None else 0


def is_current(recorded: int, backend: str, where: str) -> bool:
    """Whether a store at version ``recorded`` needs no migration; refuses one
    written by a newer helpdesk-core. Checked in a read transaction first, so
    that opening an up-to-date store never takes the write lock (a reader
    opening the store while an import writes does not wait for it)."""
    known = latest(backend)
    if recorded > known:
        raise StorageUnavailable(
            f"the store {where} has schema version {recorded}, newer than this helpdesk-core "
            f"understands ({known}); upgrade helpdesk-core to open it"
        )
    return recorded == known


def apply_pending(session: Session, backend: str, where: str) -> int:
    """Bring the schema in ``session`` (already inside a write transaction) up to
    date; returns the version reached. ``where`` names the store in messages.
    The version is read again inside the write transaction: of two processes
    that found the store behind, the second finds it migrated."""
    session.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    current = recorded_version(session)
    steps = migrations(backend)
    is_current(current, backend, where)
    for step in steps[current:]:
        step.apply(session)
        session.run("INSERT INTO schema_version (version) VALUES (?)", (step.number,))
    return len(steps)


__all__ = ["Migration", "apply_pending", "is_current", "latest", "migrations", "recorded_version"]
