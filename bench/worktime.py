"""Benchmark: WorkingCalendar.add / between against pandas' CustomBusinessHour.

Same calendar (Mon-Fri 09:00-17:00, UTC, the Czech public holidays of 2026-2027 as
holiday dates), same starts, same whole-hour durations (pandas offsets count whole
business hours). Each measurement is repeated and the median taken; the per-call
time of both and the ratio are printed.

pandas has no "business time between two instants"; its peer for ``between`` is
the usual recipe on top of CustomBusinessHour: roll both ends forward to working
time, count whole business days with numpy's busday_count, add the partial days.
Both answers are compared on every pair before timing.

Run: ``.venv/bin/python bench/worktime.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from pandas.tseries.offsets import CustomBusinessHour

from helpdesk_core.worktime import WorkingCalendar

HOLIDAYS = (
    "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-08", "2026-07-06",
    "2026-09-28", "2026-10-28", "2026-11-17", "2026-12-24", "2026-12-25", "2026-12-26",
    "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-01", "2027-05-08", "2027-07-05",
    "2027-07-06", "2027-09-28", "2027-10-28", "2027-11-17", "2027-12-24", "2027-12-27",
)  # fmt: skip
WEEKMASK = "Mon Tue Wed Thu Fri"
DAY_HOURS = 8


def our_calendar() -> WorkingCalendar:
    return WorkingCalendar.from_dict(
        {
            "name": "bench-office",
            "tz": "UTC",
            "week": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": list(HOLIDAYS),
        }
    )


def pandas_offset(hours: int) -> CustomBusinessHour:
    # pandas-stubs leaves out CustomBusinessHour's weekmask argument; pandas has it.
    return CustomBusinessHour(  # type: ignore[call-arg]
        n=hours, start="09:00", end="17:00", weekmask=WEEKMASK, holidays=list(HOLIDAYS)
    )


class PandasBetween:
    """Working time between two instants with CustomBusinessHour + numpy.busday_count."""

    def __init__(self) -> None:
        self.offset = pandas_offset(1)
        self.holidays = np.array(HOLIDAYS, dtype="datetime64[D]")

    def __call__(self, a: pd.Timestamp, b: pd.Timestamp) -> pd.Timedelta:
        start = self.offset.rollforward(a)
        end = self.offset.rollforward(b)
        days = int(
            np.busday_count(
                np.datetime64(start.date()),
                np.datetime64(end.date()),
                weekmask="1111100",
                holidays=self.holidays,
            )
        )
        return pd.Timedelta(hours=DAY_HOURS * days) + (end - end.normalize()) - (start - start.normalize())


def median_per_call(work: Callable[[], object], calls: int, runs: int) -> float:
    """Median over ``runs`` of the time of one ``work()`` divided by ``calls``, in seconds."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) / calls)
    return statistics.median(times)


def random_starts(rng: random.Random, count: int) -> list[datetime]:
    origin = datetime(2026, 1, 1, tzinfo=UTC)
    return [origin + timedelta(minutes=rng.randrange(0, 360 * 24 * 60)) for _ in range(count)]


def naive(moments: Sequence[datetime]) -> list[pd.Timestamp]:
    return [pd.Timestamp(moment.replace(tzinfo=None)) for moment in moments]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a few seconds")
    parser.add_argument("--runs", type=int, default=None, help="repetitions per measurement (median)")
    args = parser.parse_args()
    ours_calls, theirs_calls, runs = (2_000, 100, 3) if args.quick else (20_000, 500, 7)
    runs = args.runs or runs

    rng = random.Random(7)
    calendar = our_calendar()
    starts = random_starts(rng, ours_calls)
    hours = [rng.randint(1, 40) for _ in starts]
    durations = [timedelta(hours=h) for h in hours]
    ends = [start + timedelta(hours=rng.randint(1, 500)) for start in starts]
    offsets = {h: pandas_offset(h) for h in set(hours)}
    their_starts = naive(starts[:theirs_calls])
    their_ends = naive(ends[:theirs_calls])
    pandas_between = PandasBetween()

    for start, h, their_start in zip(starts, hours, their_starts, strict=False):
        mine = calendar.add(start, timedelta(hours=h))
        theirs = (their_start + offsets[h]).to_pydatetime().replace(tzinfo=UTC)
        assert mine == theirs, f"add({start}, {h} h): ours {mine}, pandas {theirs}"
    for a, b, their_a, their_b in zip(starts, ends, their_starts, their_ends, strict=False):
        mine_between = calendar.between(a, b)
        their_between = pandas_between(their_a, their_b).to_pytimedelta()
        assert mine_between == their_between, (
            f"between({a}, {b}): ours {mine_between}, pandas {their_between}"
        )

    def ours_add() -> None:
        for start, duration in zip(starts, durations, strict=True):
            calendar.add(start, duration)

    def theirs_add() -> None:
        for start, h in zip(their_starts, hours, strict=False):
            start + offsets[h]

    def ours_between() -> None:
        for a, b in zip(starts, ends, strict=True):
            calendar.between(a, b)

    def theirs_between() -> None:
        for a, b in zip(their_starts, their_ends, strict=True):
            pandas_between(a, b)

    print(
        f"calendar: Mon-Fri 09:00-17:00 UTC, {len(HOLIDAYS)} holidays; durations 1-40 h; median of {runs} "
        f"runs; ours {ours_calls} calls, pandas {theirs_calls} calls (pandas {pd.__version__})"
    )
    print(f"{'operation':<10} {'ours µs/call':>13} {'pandas µs/call':>15} {'speed-up':>9}")
    for name, our_work, their_work in (
        ("add", ours_add, theirs_add),
        ("between", ours_between, theirs_between),
    ):
        mine_s = median_per_call(our_work, ours_calls, runs)
        theirs_s = median_per_call(their_work, theirs_calls, runs)
        print(f"{name:<10} {mine_s * 1e6:>13.2f} {theirs_s * 1e6:>15.2f} {theirs_s / mine_s:>8.0f}x")

    began = time.perf_counter()
    fresh = our_calendar()
    fresh.add(datetime(2026, 6, 1, 10, tzinfo=UTC), timedelta(hours=1))
    first = time.perf_counter() - began
    began = time.perf_counter()
    fresh.between(datetime(2000, 1, 3, tzinfo=UTC), datetime(2030, 1, 3, tzinfo=UTC))
    thirty = time.perf_counter() - began
    print(
        f"first call on a new calendar (one year computed): {first * 1e3:.1f} ms; "
        f"extending it to 30 years: {thirty * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    main()
