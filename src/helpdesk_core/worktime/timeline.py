"""The precomputed working time of one calendar, for O(log n) arithmetic.

Working time is kept as sorted, disjoint, non-touching periods ``[start, end)`` in
UTC epoch microseconds, with the cumulative working microseconds before each
period's start. Then

* ``work_before(t)`` (working time from the first period up to ``t``) is one
  bisection on the starts, and ``between(a, b)`` is a difference of two of them;
* the latest instant whose ``work_before`` equals a given amount is one bisection
  on the cumulative sums; that is ``add``.

The periods are generated per calendar year (of local dates) and only for the
years asked about; a :class:`Snapshot` holds a contiguous range of years and is
replaced, never changed, when the range grows in either direction. Readers take
the current snapshot without a lock; growth takes the lock. Adjacent periods
(a 24x7 week, a night shift ending where the next day's interval begins) and
overlapping ones are merged, so no zero-length closing exists.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable
from datetime import date, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from helpdesk_core.errors import ValidationError
from helpdesk_core.worktime.hours import WorkingHours
from helpdesk_core.worktime.local_time import (
    US_PER_DAY,
    utc_new_year_us,
    utc_year_of,
    wall_to_epoch_us,
)

FIRST_YEAR = 1800
LAST_YEAR = 3000
_GROWTH_CAP_YEARS = 16
_EDGE_BEFORE_US = 3 * US_PER_DAY
"""A night shift of the year before reaches at most ~25 h (+14 h of zone offset) into a year."""
_EDGE_AFTER_US = 2 * US_PER_DAY
"""The next year's first period starts at most 14 h (zone offset) before 1 January UTC."""

HoursOn = Callable[[date], tuple[WorkingHours, ...]]
"""The working hours that start on a local date (exceptions and holidays applied)."""


class Snapshot:
    """Working periods of the local years ``first_year..last_year``, immutable.

    The periods are exact for every instant in ``(lo, hi)``: periods of the years
    just outside the range can reach at most a day or two into it (a night shift),
    so ``lo`` and ``hi`` keep that margin from the years' edges.

    ``cum[i]`` is the working time (microseconds) before ``starts[i]``, counted from
    the first period; ``cum[-1]`` is the total. ``base[i] = cum[i] - starts[i]`` turns
    an instant inside period ``i`` into its working position with one addition.
    """

    __slots__ = ("base", "cum", "ends", "first_year", "hi", "last_year", "lo", "starts")

    def __init__(self, first_year: int, last_year: int, starts: list[int], ends: list[int]) -> None:
        self.first_year = first_year
        self.last_year = last_year
        self.starts = starts
        self.ends = ends
        self.cum = list(accumulate((e - s for s, e in zip(starts, ends, strict=True)), initial=0))
        self.base = [work - start for work, start in zip(self.cum, starts, strict=False)]
        self.lo = utc_new_year_us(first_year) + _EDGE_BEFORE_US
        self.hi = utc_new_year_us(last_year + 1) - _EDGE_AFTER_US

    def covers(self, low: int, high: int) -> bool:
        """True when every instant of ``[low, high]`` lies strictly inside ``(lo, hi)``."""
        return self.lo < low and high < self.hi

    def work_before(self, moment: int) -> int:
        """Working microseconds from the first period's start to ``moment``."""
        index = bisect_right(self.starts, moment) - 1
        if index < 0:
            return 0
        start = self.starts[index]
        return self.cum[index] + min(moment, self.ends[index]) - start

    def work_between(self, low: int, high: int) -> int:
        """``work_before(high) - work_before(low)`` in one step (the hot path of between)."""
        starts = self.starts
        ends = self.ends
        base = self.base
        index = bisect_right(starts, high) - 1
        work = 0
        if index >= 0:
            end = ends[index]
            work = base[index] + (high if high < end else end)
        index = bisect_right(starts, low) - 1
        if index >= 0:
            end = ends[index]
            work -= base[index] + (low if low < end else end)
        return work

    def latest_with_work(self, work: int) -> int | None:
        """The latest instant ``t`` with ``work_before(t) == work``, or None if unknown here.

        None means the answer lies outside this snapshot: later for a ``work`` past
        the known periods, earlier for one before them.
        """
        index = bisect_right(self.cum, work) - 1
        if index < 0 or index >= len(self.starts):
            return None
        offset = work - self.cum[index]
        start = self.starts[index]
        if offset >= self.ends[index] - start:
            return None
        moment = start + offset
        if not self.lo < moment < self.hi:
            return None
        return moment

    def shifted(self, moment: int, amount: int) -> int | None:
        """``latest_with_work(work_before(moment) + amount)`` in one step (the hot path of add)."""
        base = self.base
        ends = self.ends
        index = bisect_right(self.starts, moment) - 1
        if index < 0:
            work = amount
        else:
            end = ends[index]
            work = base[index] + (moment if moment < end else end) + amount
        index = bisect_right(self.cum, work) - 1
        if index < 0 or index >= len(ends):
            return None
        found = work - base[index]
        if found >= ends[index] or not self.lo < found < self.hi:
            return None
        return found

    def is_working(self, moment: int) -> bool:
        """True when ``moment`` lies inside a working period."""
        index = bisect_right(self.starts, moment) - 1
        return index >= 0 and moment < self.ends[index]

    def next_change(self, moment: int) -> int | None:
        """The first opening or closing strictly after ``moment``; None if not in range."""
        index = bisect_right(self.starts, moment) - 1
        if index >= 0 and moment < self.ends[index]:
            change = self.ends[index]
        elif index + 1 < len(self.starts):
            change = self.starts[index + 1]
        else:
            return None
        return change if change < self.hi else None

    def periods(self, low: int, high: int) -> list[tuple[int, int]]:
        """Working periods inside ``[low, high)``, clipped to it."""
        starts, ends = self.starts, self.ends
        index = bisect_right(ends, low)
        found: list[tuple[int, int]] = []
        while index < len(starts) and starts[index] < high:
            found.append((max(starts[index], low), min(ends[index], high)))
            index += 1
        return found

    def last_end(self) -> int | None:
        """End of the last known period (None when there is none)."""
        return self.ends[-1] if self.ends else None

    def first_start(self) -> int | None:
        """Start of the first known period (None when there is none)."""
        return self.starts[0] if self.starts else None


class Timeline:
    """The lazily grown working periods of one calendar; shared and thread-safe.

    ``current`` is the latest snapshot (None before first use); a reader may use
    it directly after checking that it covers the instants at hand.
    """

    __slots__ = ("_hours_on", "_lock", "_years", "_zone", "current")

    def __init__(self, zone: ZoneInfo, hours_on: HoursOn) -> None:
        self._zone = zone
        self._hours_on = hours_on
        self._years: dict[int, tuple[list[int], list[int]]] = {}
        self.current: Snapshot | None = None
        self._lock = threading.Lock()

    def covering(self, low: int, high: int) -> Snapshot:
        """A snapshot exact for every instant of ``[low, high]`` (epoch microseconds)."""
        snapshot = self.current
        if snapshot is not None and snapshot.covers(low, high):
            return snapshot
        first_year = utc_year_of(low)
        if low <= utc_new_year_us(first_year) + _EDGE_BEFORE_US:
            first_year -= 1
        last_year = utc_year_of(high)
        if high >= utc_new_year_us(last_year + 1) - _EDGE_AFTER_US:
            last_year += 1
        return self._grow(first_year, last_year)

    def later(self, snapshot: Snapshot) -> Snapshot:
        """A snapshot reaching further into the future than ``snapshot``."""
        span = snapshot.last_year - snapshot.first_year + 1
        step = min(max(1, span // 2), _GROWTH_CAP_YEARS)
        return self._grow(snapshot.first_year, snapshot.last_year + step)

    def earlier(self, snapshot: Snapshot) -> Snapshot:
        """A snapshot reaching further into the past than ``snapshot``."""
        span = snapshot.last_year - snapshot.first_year + 1
        step = min(max(1, span // 2), _GROWTH_CAP_YEARS)
        return self._grow(snapshot.first_year - step, snapshot.last_year)

    def _grow(self, first_year: int, last_year: int) -> Snapshot:
        if first_year < FIRST_YEAR or last_year > LAST_YEAR:
            raise ValidationError(
                f"working time is computed for the years {FIRST_YEAR + 1}–{LAST_YEAR - 1} only; "
                f"this needs {first_year}–{last_year}"
            )
        with self._lock:
            current = self.current
            if current is not None:
                first_year = min(first_year, current.first_year)
                last_year = max(last_year, current.last_year)
                if current.first_year == first_year and current.last_year == last_year:
                    return current
            for year in range(first_year, last_year + 1):
                if year not in self._years:
                    self._years[year] = self._periods_of_year(year)
            snapshot = self._merge(first_year, last_year)
            self.current = snapshot
            return snapshot

    def _periods_of_year(self, year: int) -> tuple[list[int], list[int]]:
        zone = self._zone
        raw: list[tuple[int, int]] = []
        day = date(year, 1, 1)
        one_day = timedelta(days=1)
        while day.year == year:
            for hours in self._hours_on(day):
                start = wall_to_epoch_us(day, hours.start, zone)
                end = wall_to_epoch_us(day, hours.end_minute, zone)
                if end > start:
                    raw.append((start, end))
            day += one_day
        raw.sort()
        starts: list[int] = []
        ends: list[int] = []
        _union_into(starts, ends, raw)
        return starts, ends

    def _merge(self, first_year: int, last_year: int) -> Snapshot:
        starts: list[int] = []
        ends: list[int] = []
        for year in range(first_year, last_year + 1):
            year_starts, year_ends = self._years[year]
            _union_into(starts, ends, zip(year_starts, year_ends, strict=True))
        return Snapshot(first_year, last_year, starts, ends)


def _union_into(
    starts: list[int], ends: list[int], periods: zip[tuple[int, int]] | list[tuple[int, int]]
) -> None:
    """Append periods sorted by start, merging overlapping and touching ones."""
    for start, end in periods:
        if starts and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
