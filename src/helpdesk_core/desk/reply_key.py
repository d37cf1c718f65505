"""The desk's reply key: the secret that signs reply tokens
(:mod:`helpdesk_core.reply_tokens`), kept in the store setting
``mail.reply_key`` so every process of one desk — notifications that issue
tokens, intake that verifies them — uses the same one. Made on first use by
compare-and-set: two processes starting at once agree on one key."""

from __future__ import annotations

import secrets

from helpdesk_core.errors import ConflictError
from helpdesk_core.reply_tokens import KEY_SETTING
from helpdesk_core.storage.protocols import Store


def reply_key(store: Store) -> bytes:
    """The store's reply key, made (32 random bytes) when it has none yet."""
    held = store.settings.get(KEY_SETTING)
    if held is None:
        try:
            with store.unit_of_work() as uow:
                uow.settings.put(KEY_SETTING, secrets.token_hex(32), expected=None)
                uow.commit()
        except ConflictError:
            pass  # another process made it first: use theirs
        held = store.settings.get(KEY_SETTING)
        assert held is not None
    return bytes.fromhex(held)


__all__ = ["reply_key"]
