"""Where the desk's "now" comes from: the system clock in production, a fixed
one in tests and replays. Every use case takes an explicit ``at`` too; the
clock only answers when the caller gives none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from helpdesk_core.model.checks import require_aware


class Clock(Protocol):
    """Tells the current instant (aware)."""

    def now(self) -> datetime:
        """The current instant, with its offset."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told otherwise: ``set`` and ``advance``."""

    def __init__(self, at: datetime) -> None:
        require_aware(at, "FixedClock at")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        """Stand at ``at`` from now on."""
        require_aware(at, "FixedClock.set at")
        self._at = at

    def advance(self, delta: timedelta) -> None:
        """Move forward (or back, for a negative ``delta``) by ``delta``."""
        self._at = self._at + delta


__all__ = ["Clock", "FixedClock", "SystemClock"]
