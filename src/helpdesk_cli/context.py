"""Settings and lazily opened services shared by every command.

Built once per invocation from ``--db``/``--config`` (or ``HELPDESK_DB`` /
``HELPDESK_CONFIG``); tests pass their own through ``CliRunner.invoke(obj=...)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from helpdesk_core.config import Configuration
    from helpdesk_core.desk import Clock, Desk
    from helpdesk_core.storage import Store

DEFAULT_DB = "./helpdesk.sqlite3"


@attrs.define
class AppContext:
    """What a command needs: the store URL, the configuration file, and both
    opened on first use so that ``--help`` never touches the disk."""

    db_url: str = DEFAULT_DB
    config_path: Path | None = None
    clock: Clock | None = None
    """The desk's clock: None is the system clock (tests pass a fixed one)."""
    fill_sla_states: bool = True
    """Whether opening a store that holds tickets but whose SLA states were
    never built fills them first (``helpdesk_cli.sla_rebuild.fill_sla_states``);
    ``sla rebuild`` and dry runs turn it off."""
    _store: Store | None = None
    _config: Configuration | None = None
    _desk: Desk | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            from helpdesk_core.storage import open_store  # not for --help (≈ 0.05 s of imports)

            store = open_store(self.db_url)
            if self.fill_sla_states:
                from helpdesk_cli.sla_rebuild import fill_sla_states

                try:
                    fill_sla_states(store, lambda: self.config)
                except BaseException:
                    store.close()
                    raise
            self._store = store
        return self._store

    @property
    def config(self) -> Configuration:
        if self._config is None:
            from helpdesk_core.config import load_configuration  # not for --help (≈ 0.2 s of imports)

            self._config = load_configuration(self.config_path)
        return self._config

    @property
    def existing_store(self) -> Store:
        """The store, for commands that only read it: an SQLite file that does
        not exist is refused (``NotFound``, exit code 3) instead of being
        created empty, so a report over a mistyped ``--db`` fails loudly rather
        than finding no tickets."""
        if self._store is None:
            path = sqlite_file(self.db_url)
            if path is not None and not path.exists():
                from helpdesk_core.errors import NotFound

                raise NotFound(
                    f"no store at {str(path)!r}: check --db (or HELPDESK_DB); "
                    "helpdesk import, generate or demo create one"
                )
        return self.store

    def store_for(self, *, dry_run: bool) -> Store:
        """The store, for a command that writes unless ``dry_run``: a dry run
        creates no SQLite file — over a missing one it plans against an empty
        store in memory, and says so on stderr, so a mistyped ``--db`` shows
        as everything to be created and leaves nothing behind."""
        if dry_run:
            self.fill_sla_states = False  # a dry run writes nothing, not even the SLA states
        if dry_run and self._store is None:
            path = sqlite_file(self.db_url)
            if path is not None and not path.exists():
                import click

                from helpdesk_core.storage import open_store

                click.echo(
                    f"Note: no store at {str(path)!r} yet: the dry run plans against an empty store "
                    "(the import itself creates it)",
                    err=True,
                )
                self._store = open_store("memory://")
        return self.store

    @property
    def desk(self) -> Desk:
        """The desk over :attr:`existing_store` (a missing SQLite file is refused)."""
        self.existing_store  # noqa: B018 (refuses a missing SQLite file)
        return self.creating_desk

    @property
    def creating_desk(self) -> Desk:
        """The desk over :attr:`store`, which creates a missing SQLite file
        (``ticket new``, like the imports)."""
        if self._desk is None:
            from helpdesk_core.desk import Desk

            self._desk = Desk(self.store, self.config, self.clock)
        return self._desk

    def close(self) -> None:
        self._desk = None
        if self._store is not None:
            self._store.close()
            self._store = None


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite store URL (a plain path or ``sqlite:///PATH``);
    None for other stores."""
    if "://" not in url:
        return Path(url)
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    return None
