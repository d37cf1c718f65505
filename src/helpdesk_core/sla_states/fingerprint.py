"""What a stored SLA state was computed under: a digest of the SLA
configuration (rules, calendars, escalation plans, the at-risk share), the
statuses' effect on the clock (the workflow graph), the data the calendars
read from installed packages (public holidays, time-zone rules) and the
version of the projection's format. A state whose fingerprint differs from
the configuration in use is stale: a reader folds the ticket's history
instead, and ``helpdesk sla rebuild`` refreshes it."""

from __future__ import annotations

import functools
import importlib.metadata
import os

from helpdesk_core.config import Configuration
from helpdesk_core.fingerprints import digest

FINGERPRINT_SETTING = "sla.fingerprint"
"""The store setting naming the fingerprint every ticket's SLA state was
last (re)built under by ``helpdesk sla rebuild`` (or the migration's fill);
unset before the first build."""

PROJECTION_FORMAT = 1
"""The version of what a stored state holds and means; a change of the
projection's logic or document bumps it, so every stored state is stale."""

UNKNOWN = "unknown"


@functools.cache
def _package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return UNKNOWN


def data_versions() -> tuple[str, str]:
    """The versions of the public-holiday data and of the time-zone database
    (the ``tzdata`` package when installed, else the system's)."""
    return _package_version("holidays"), _package_version("tzdata")


def sla_fingerprint(config: Configuration) -> str:
    """The fingerprint of ``config``'s SLA: equal configurations give equal
    texts in every process. A configuration holding a value without a stable
    form gets a text no store holds (``"unstable:"`` and the process id), so
    every state counts as stale: correct, only slower."""
    found = digest(PROJECTION_FORMAT, data_versions(), config.graph, config.sla)
    if found is None:
        return f"unstable:{os.getpid()}"
    return found


__all__ = ["FINGERPRINT_SETTING", "PROJECTION_FORMAT", "data_versions", "sla_fingerprint"]
