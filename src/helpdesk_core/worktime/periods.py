"""The stretches a calendar answers with: working periods and closed periods."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


class WorkingPeriod(NamedTuple):
    """Working time ``[start, end)``, both aware, in the calendar's zone."""

    start: datetime
    end: datetime


class ClosedPeriod(NamedTuple):
    """A closed stretch ``[start, end)`` and why it is closed.

    ``reason`` is one of ``"outside hours"``, ``"outside hours (exception day)"``,
    ``"day off"``, ``"exception: day off"``, ``"holiday"`` (a date of the
    calendar's own ``holidays`` list) or ``"holiday: <name>"`` (a public holiday
    named by the ``holidays`` package).
    """

    start: datetime
    end: datetime
    reason: str
