"""What deciding on worker processes needs, for the batch report's ranges and
the SLA rebuild alike: whether another process can open a store by its URL,
the CPUs this process may run on, and the size from which workers pay off."""

from __future__ import annotations

import os

PARALLEL_FROM = 20_000
"""Tickets from which the default is one worker per CPU: below, starting
workers costs more than it saves."""
_SHARED_SCHEMES = ("sqlite", "postgresql", "postgres")
"""Stores another process can open by URL (a plain path is an SQLite file)."""


def shareable(url: str) -> bool:
    """Whether worker processes can open the store at ``url`` themselves
    (an SQLite file or a database server; never ``memory://``)."""
    return "://" not in url or url.split("://", 1)[0].lower() in _SHARED_SCHEMES


def available_cpus() -> int:
    """The CPUs this process may run on."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


__all__ = ["PARALLEL_FROM", "available_cpus", "shareable"]
