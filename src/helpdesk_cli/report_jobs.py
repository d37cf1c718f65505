"""``helpdesk sla report`` on several processes, with the output of one.

The ticket stream (ordered by ``(created_at, id)``) is cut into ranges at
positions the store reads from its ordering index; each worker process opens
its own store connection, loads nothing else twice, reads whole ranges as the
one process does (the stored SLA states, or every history when the report
folds: :func:`~helpdesk_core.reports.stored_report.sla_report_lines`) and
sends back the rows already encoded (or as dicts for table and XLSX) with a
tally of them and what it read (how many tickets, which were folded). The
parent writes the ranges in stream order and merges the tallies, so rows and
summaries are exactly those of one process.

When the encoded rows go to a file, they do not pass through the parent at
all: each worker writes its range to a file of a private temporary folder
(the *spool*), and the parent has the kernel append those files to the output
in order. On a machine with as many CPUs as workers every CPU second the
parent spends is taken from the workers.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections import deque
from collections.abc import Callable, Generator, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from helpdesk_cli.collection import collect_for_batches
from helpdesk_cli.output import ENCODED_FORMATS, OutputUnwritable, row_encoder, spooled_text
from helpdesk_core.config import Configuration
from helpdesk_core.reports import GroupBy, GroupedTally, ReportFilter
from helpdesk_core.reports.customers import customer_directory
from helpdesk_core.reports.stored_report import ReportReading, ReportSource, sla_report_lines
from helpdesk_core.sla import SlaPolicy, SlaRow
from helpdesk_core.storage import open_store
from helpdesk_core.storage.protocols import TicketPosition
from helpdesk_core.worker_processes import PARALLEL_FROM, available_cpus, shareable

MIN_RANGE = 100
MAX_RANGE = 5_000
"""Tickets per range, at least and at most: small enough to keep every worker
busy to the end and the rows in flight few (a worker's memory grows with its
range, so the cap keeps it the same from 100,000 tickets on), large enough to
amortise a query."""
RANGES_PER_JOB = 8
"""Ranges per worker when the stream is short enough for ranges under MAX_RANGE."""
SPOOL_PREFIX = "helpdesk-report-"
"""The name of a spool folder begins with this (then random letters)."""


def sla_row_encoder(fmt: str, columns: Sequence[str]) -> Callable[[SlaRow], str] | None:
    """How one SLA row of an :data:`ENCODED_FORMATS` format is written (None
    for the other formats): JSON rows straight from the row, byte for byte
    what :func:`~helpdesk_cli.output.row_encoder` writes for its dict."""
    if fmt == "jsonl":
        return lambda row: row.to_json_text() + "\n"
    if fmt == "json":
        return SlaRow.to_json_text
    if fmt in ENCODED_FORMATS:
        encode = row_encoder(fmt, columns)
        return lambda row: encode(row.to_json())
    return None



def default_jobs(url: str, tickets: int | None) -> int:
    """The CPUs this process may use when the store is shared and holds at least
    :data:`PARALLEL_FROM` tickets; else 1 (one process)."""
    if not shareable(url) or tickets is None or tickets < PARALLEL_FROM:
        return 1
    return available_cpus()


@attrs.frozen
class Workers:
    """How many worker processes a report runs: what was asked, capped at the
    CPUs (more processes than CPUs only take turns) and at the ranges of
    tickets (a worker without a range would only start and stop)."""

    asked: int
    cpus: int
    ranges: int

    @property
    def count(self) -> int:
        return max(1, min(self.asked, self.cpus, self.ranges))

    def note(self) -> str | None:
        """What to tell the user when fewer workers run than asked, else None."""
        if self.count >= self.asked:
            return None
        why = []
        if self.cpus < self.asked:
            why.append(f"{self.cpus} CPU{'s' if self.cpus != 1 else ''}")
        if self.ranges < self.asked:
            why.append(f"{self.ranges} range{'s' if self.ranges != 1 else ''} of tickets")
        processes = "1 process" if self.count == 1 else f"{self.count} worker processes"
        return f"--jobs {self.asked}: running {processes} ({', '.join(why)})"


def range_size(tickets: int, jobs: int) -> int:
    """Tickets per range for ``tickets`` spread over ``jobs`` workers."""
    return max(MIN_RANGE, min(MAX_RANGE, tickets // (jobs * RANGES_PER_JOB) or 1))


def ranges(positions: list[TicketPosition]) -> list[tuple[TicketPosition | None, TicketPosition | None]]:
    """``(after, through)`` of each range cut at ``positions``; the last is open."""
    starts: list[TicketPosition | None] = [None, *positions]
    ends: list[TicketPosition | None] = [*positions, None]
    return list(zip(starts, ends, strict=True))


RegistrationWindow = tuple[TicketPosition | None, TicketPosition | None]
"""``(after, through)`` positions in the ticket stream bounding the tickets read."""
EVERY_REGISTRATION: RegistrationWindow = (None, None)


def registration_window(start: datetime | None, end: datetime | None) -> RegistrationWindow:
    """The stream positions holding the tickets registered in ``[start, end)``
    (either open), so that a report over a month of a large store reads that
    month, not the store. Tickets registered exactly one microsecond before
    ``start`` may be read too; the report's filter leaves them out."""
    after = None if start is None else (start - timedelta(microseconds=1), "")
    through = None if end is None else (end, "")
    return after, through


def _later(a: TicketPosition | None, b: TicketPosition | None) -> TicketPosition | None:
    """The later of two lower bounds (None: no bound)."""
    return b if a is None else a if b is None else max(a, b)


def _earlier(a: TicketPosition | None, b: TicketPosition | None) -> TicketPosition | None:
    """The earlier of two upper bounds (None: no bound)."""
    return b if a is None else a if b is None else min(a, b)


@attrs.frozen
class ReportJob:
    """What every worker evaluates: the same store, rules, instant, filter and
    grouping as the parent, and the output format its rows are encoded in."""

    url: str
    as_of: datetime
    only: ReportFilter
    group_by: GroupBy | None
    fmt: str
    columns: tuple[str, ...]
    window: RegistrationWindow = EVERY_REGISTRATION
    spool: str | None = None
    fingerprint: str | None = None
    """The SLA configuration's fingerprint when the stored SLA states are
    read (:class:`~helpdesk_core.reports.stored_report.ReportSource`); None:
    every ticket is folded."""
    """The folder where workers write each range's encoded rows
    (:func:`~helpdesk_cli.output.spooled_text`); None: rows are sent back."""


@attrs.frozen
class RangeReport:
    """One range's rows (encoded texts for :data:`ENCODED_FORMATS`, else row
    dicts; none when spooled), their tally, what was read (how many tickets,
    for the progress bar, and which were folded), and the spool file holding
    the encoded rows, if any."""

    rows: list[Any]
    tally: GroupedTally
    reading: ReportReading
    file: str | None = None

    @property
    def tickets(self) -> int:
        return self.reading.read


class _Worker:
    """The state of one worker process, built once by the pool's initializer."""

    def __init__(self, job: ReportJob, policy: SlaPolicy, config: Configuration) -> None:
        self.job = job
        self.source = ReportSource(policy, config.graph, job.fingerprint)
        self.store = open_store(job.url)
        self.customers = customer_directory(self.store)
        self.encode = sla_row_encoder(job.fmt, job.columns)

    def run(self, after: TicketPosition | None, through: TicketPosition | None) -> RangeReport:
        job = self.job
        reading = ReportReading()
        tally = GroupedTally(by=job.group_by)
        first, last = _later(after, job.window[0]), _earlier(through, job.window[1])
        if first is not None and last is not None and last <= first:
            return RangeReport([], tally, reading)
        lines = sla_report_lines(
            self.store, self.source, as_of=job.as_of, only=job.only, customers=self.customers,
            after=first, through=last, reading=reading,
        )  # fmt: skip
        encode = self.encode
        rows: list[Any] = (
            [tally.add(line).row.to_json() for line in lines]
            if encode is None
            else [encode(tally.add(line).row) for line in lines]
        )
        if job.spool is None or encode is None:
            return RangeReport(rows, tally, reading)
        return RangeReport([], tally, reading, _spool(spooled_text(rows, job.fmt), job.spool))


def _spool(data: bytes, folder: str) -> str:
    """Write ``data`` to a new file in ``folder``; return its path. A file that
    cannot be written whole is removed and reported as one line."""
    path = ""
    try:
        descriptor, path = tempfile.mkstemp(suffix=".part", dir=folder)
        with open(descriptor, "wb", buffering=0) as file:
            file.write(data)
    except OSError as error:
        if path:
            os.unlink(path)
        raise OutputUnwritable(
            f"{folder}: cannot write the report's temporary rows: {error.strerror or error}"
        ) from None
    except BaseException:
        if path:
            os.unlink(path)
        raise
    return path


_worker: _Worker | None = None


def _start(job: ReportJob, policy: SlaPolicy, config: Configuration) -> None:
    global _worker
    # Ctrl-C reaches the whole process group: the parent alone answers it (it
    # stops the pool and removes the spool), so no worker prints a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = _Worker(job, policy, config)
    collect_for_batches()


def _run(after: TicketPosition | None, through: TicketPosition | None) -> RangeReport:
    assert _worker is not None, "the pool initializer did not run"
    return _worker.run(after, through)


def run_ranges(
    job: ReportJob,
    *,
    policy: SlaPolicy,
    config: Configuration,
    jobs: int,
    bounds: list[tuple[TicketPosition | None, TicketPosition | None]],
    spool: bool = False,
) -> Generator[RangeReport, None, None]:
    """Each range's report, in the order of ``bounds``, computed by ``jobs``
    forked worker processes; at most two ranges per worker are in flight, so
    the parent holds a bounded number of rows. Errors of a worker are raised
    here (and the pool is stopped).

    With ``spool`` (an encoded format), the rows of each range are in the
    report's ``file``, in a private temporary folder (under ``TMPDIR``) that
    is removed with whatever is left in it once the workers are stopped: when
    the iteration ends, fails, or is closed (close it on the caller's errors
    and Ctrl-C, e.g. with ``contextlib.closing``)."""
    import multiprocessing  # here: a report of one process never needs it (≈ 0.01 s)

    context = multiprocessing.get_context("fork")
    folder = None
    try:
        if spool and job.fmt in ENCODED_FORMATS:
            try:
                folder = tempfile.mkdtemp(prefix=SPOOL_PREFIX)
            except OSError as error:
                raise OutputUnwritable(
                    f"{tempfile.gettempdir()}: cannot make a folder for the report's temporary rows: "
                    f"{error.strerror or error}"
                ) from None
            job = attrs.evolve(job, spool=folder)
        with context.Pool(jobs, initializer=_start, initargs=(job, policy, config)) as pool:
            pending: deque[Any] = deque()
            waiting = iter(bounds)
            for bound in waiting:
                pending.append(pool.apply_async(_run, bound))
                if len(pending) >= 2 * jobs:
                    break
            while pending:
                result: RangeReport = pending.popleft().get()
                following = next(waiting, None)
                if following is not None:
                    pending.append(pool.apply_async(_run, following))
                yield result
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def parallel_available() -> bool:
    """Whether this platform can fork workers that inherit the loaded rules."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


__all__ = [
    "EVERY_REGISTRATION",
    "MAX_RANGE",
    "MIN_RANGE",
    "PARALLEL_FROM",
    "SPOOL_PREFIX",
    "RangeReport",
    "RegistrationWindow",
    "ReportJob",
    "Workers",
    "available_cpus",
    "default_jobs",
    "parallel_available",
    "range_size",
    "ranges",
    "registration_window",
    "run_ranges",
    "shareable",
    "sla_row_encoder",
]
