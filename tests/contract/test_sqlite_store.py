"""The storage contract on SQLite, and what only a file can show: migrations
of an older file, refusal of a newer one."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk_core.testing.contract import StoreContract


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def store_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'contract.sqlite3'}"
