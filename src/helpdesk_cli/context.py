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
    from helpdesk_core.storage import Store

DEFAULT_DB = "./helpdesk.sqlite3"


@attrs.define
class AppContext:
    """What a command needs: the store URL, the configuration file, and both
    opened on first use so that ``--help`` never touches the disk."""

    db_url: str = DEFAULT_DB
    config_path: Path | None = None
    _store: Store | None = None
    _config: Configuration | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            from helpdesk_core.storage import open_store  # not for --help (≈ 0.05 s of imports)

            self._store = open_store(self.db_url)
        return self._store

    @property
    def config(self) -> Configuration:
        if self._config is None:
            from helpdesk_core.config import load_configuration  # not for --help (≈ 0.2 s of imports)

            self._config = load_configuration(self.config_path)
        return self._config

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
