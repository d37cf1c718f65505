"""The storage contract on a real PostgreSQL server (see conftest.py)."""

from __future__ import annotations

import psycopg
import pytest

from helpdesk_core.errors import StorageUnavailable
from helpdesk_core.storage import open_store
from helpdesk_core.storage.migrations import latest
from helpdesk_core.testing.contract import StoreContract


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def store_url(self, postgres_url: str) -> str:
        return postgres_url


def test_a_postgres_schema_written_by_a_newer_version_is_refused(postgres_url: str) -> None:
    open_store(postgres_url).close()
    schema = postgres_url.rsplit("%3D", 1)[1]
    base = postgres_url.split("?", 1)[0]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"INSERT INTO {schema}.schema_version (version) VALUES (42)")
    with pytest.raises(
        StorageUnavailable, match=rf"schema version 42, newer than .*\({latest('postgresql')}\)"
    ):
        open_store(postgres_url)
