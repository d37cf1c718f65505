"""How the CLI's batch commands tune Python's cyclic garbage collector.

A batch decodes or imports a few dozen containers per ticket or row and keeps
none of them in a cycle, so with Python's default thresholds the collector
walks live objects thousands of times for nothing (≈ 6 % of an import, more
of a report). The library leaves the collector alone — the process is the
caller's to tune — and these commands tune their own.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BATCH_THRESHOLDS = (20_000, 20, 20)
"""Young objects between collections, and how often the older generations follow."""


def collect_for_batches() -> None:
    """Tune this process for batch work for the rest of its life (a report
    worker): what exists now — modules, rules, calendars — is frozen out of
    the collector's scans, and young objects are collected less often."""
    gc.freeze()
    gc.set_threshold(*BATCH_THRESHOLDS)


@contextmanager
def few_collections() -> Iterator[None]:
    """:func:`collect_for_batches` while the block runs; as before afterwards
    (objects frozen by somebody else stay frozen)."""
    thresholds = gc.get_threshold()
    freezing = gc.get_freeze_count() == 0
    if freezing:
        gc.freeze()
    gc.set_threshold(*BATCH_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freezing:
            gc.unfreeze()
