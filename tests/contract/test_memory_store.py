"""The storage contract on the in-memory backend."""

from __future__ import annotations

import pytest

from helpdesk_core.testing.contract import StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store_url(self) -> str:
        return "memory://"
