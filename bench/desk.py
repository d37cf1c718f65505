"""Benchmark: the live desk on SQLite — use cases per second, and the indexed
wake-up of ``run_due`` against a full scan.

**(a) Use cases per second.** Tickets are registered and given five events
each (comment, assign, move to in_progress, comment, resolve) through
:class:`~helpdesk_core.desk.Desk`, one transaction per use case. The peer, in
the same run, is the floor of the same writes: the same tickets and events
written directly with ``store.unit_of_work()`` + ``uow.tickets.add`` /
``uow.tickets.append`` (one transaction per write, versions known, no read,
no check, no out-box, no schedule). Each round writes ``--cases`` tickets into
a fresh SQLite file with both, in alternating order; the medians of the
per-use-case times and the median of the rounds' ratios are printed: the
ratio is the desk's overhead over the bare writes.

**(b) ``run_due`` on a large store.** ``--tickets`` tickets (default
1,000,000) are generated with the storage API, in transactions of 20,000
(``uow.tickets.add``, then ``uow.schedule.put`` with each ticket's wake-up, as
the desk would have left it): half open, half resolved, of which 1 % of all
tickets were resolved more than the 48 h of auto-close ago — they are due.
The generation time is printed. Then two comparisons, each measurement on a
fresh copy of that file (page cache warm), indexed and scan alternately:

* **finding what is due (the wake-up)** — indexed: ``schedule.next_wakeup()``
  and the pages of ``schedule.due(now)``, exactly what ``run_due`` reads to
  find its work; scan: stream every ticket (``store.tickets.iter_tickets()``)
  and ``workflow.apply_due`` each. Target (issue 14): indexed >= 50x cheaper.
* **run_due, settling every due ticket** — indexed: ``desk.run_due(now)``
  (each due ticket settled in its own transaction: history, out-box,
  schedule), then ``run_due(desk, now, batch=100)`` (``helpdesk tick
  --batch 100``: a hundred due tickets per transaction); scan: the same scan,
  then the automatic changes appended, one transaction per changed ticket
  (a hundred per transaction against the batched run; history only). Here
  both sides do the per-ticket work, so the ratio is bounded by how the cost
  of settling one due ticket compares with reading a hundred: it says how far
  from that bound the scheduler is. Printed with it: the **floor** — the scan
  side's appends alone per due ticket (settling writes at least that) — how
  many times the floor settling costs, and the best ratio reachable were
  settling no dearer than the floor: scan / (finding + appends).

The generated store records that its schedule was made under the bench's
policy (as after a first run), so ``run_due`` does not begin by making every
ticket due (the scheduler's reschedule-all after a policy change).

Both sides must find (and close) the same tickets. Printed: each round, the
medians and the median of the rounds' ratios scan / indexed.

    .venv/bin/python bench/desk.py                          # (a) and (b) at 1M tickets
    .venv/bin/python bench/desk.py --tickets 100000         # (b) at 100k
    .venv/bin/python bench/desk.py --only use-cases --cases 200
    .venv/bin/python bench/desk.py --keep /tmp/desk-1m.sqlite3  # reuse the generated store
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from helpdesk_core.config import Configuration
from helpdesk_core.desk import Desk, FixedClock
from helpdesk_core.desk.scheduler import adopt_policy, policy_fingerprint, run_due
from helpdesk_core.model.domain_events import ScheduleEntry
from helpdesk_core.model.staff import Employee
from helpdesk_core.model.ticket import Assignee, Assignment, Comment, Event, StatusChange, Ticket
from helpdesk_core.storage import SqliteStore, Store
from helpdesk_core.workflow import DEFAULT_GRAPH, DEFAULT_POLICY, apply_due, next_wakeup

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
"""The instant the scheduler runs at in (b)."""
TARGET_RATIO = 50
BATCH = 20_000
"""Tickets per generating transaction."""
BATCH_RUN = 100
"""Due tickets per transaction of the batched run_due."""
CONFIG = Configuration()
"""The default workflow (auto-close 48 h after resolving), no SLA rules."""

# -- (a) use cases per second -------------------------------------------------------------


def _staff(store: Store) -> None:
    with store.unit_of_work() as uow:
        for id in ("E-1", "E-2"):
            uow.employees.add(Employee(id=id, first_name="Agent", last_name=id, email=f"{id}@desk.example"))
        uow.commit()


def _instant(ticket: int, step: int) -> datetime:
    return START + timedelta(minutes=10 * ticket + step)


def _five_events(ticket: int) -> list[Event]:
    """The five history events the desk writes per ticket, as the floor writes them."""
    return [
        Comment(at=_instant(ticket, 1), author="employee", public=True, body="Looking at it.", by="E-1"),
        Assignment(at=_instant(ticket, 2), to="E-2", by="E-1"),
        StatusChange(at=_instant(ticket, 3), to="in_progress", by="E-2"),
        Comment(at=_instant(ticket, 4), author="employee", public=False, body="Toner replaced.", by="E-2"),
        StatusChange(at=_instant(ticket, 5), to="resolved", by="E-2"),
    ]


def desk_use_cases(path: Path, tickets: int) -> float:
    """Seconds per use case through the desk."""
    store = SqliteStore(path)
    _staff(store)
    desk = Desk(store, CONFIG, FixedClock(START))
    began = time.perf_counter()
    for n in range(tickets):
        id = desk.register_ticket(subject=f"Printer {n} jams", by="E-1", at=_instant(n, 0)).ticket.id
        desk.comment(id, body="Looking at it.", author="employee", by="E-1", at=_instant(n, 1))
        desk.assign(id, Assignee(id="E-2"), by="E-1", at=_instant(n, 2))
        desk.transition(id, "in_progress", by="E-2", at=_instant(n, 3))
        desk.comment(id, body="Toner replaced.", author="employee", public=False, by="E-2", at=_instant(n, 4))
        desk.transition(id, "resolved", by="E-2", at=_instant(n, 5))
    elapsed = time.perf_counter() - began
    store.close()
    return elapsed / (6 * tickets)


def floor_writes(path: Path, tickets: int) -> float:
    """Seconds per write of the same histories with the bare storage API."""
    store = SqliteStore(path)
    _staff(store)
    began = time.perf_counter()
    for n in range(tickets):
        id = f"T-{1001 + n}"
        with store.unit_of_work() as uow:
            uow.tickets.add(Ticket.register(id=id, subject=f"Printer {n} jams", created_at=_instant(n, 0)))
            uow.commit()
        for version, event in enumerate(_five_events(n), start=1):
            with store.unit_of_work() as uow:
                uow.tickets.append(id, [event], expected_version=version)
                uow.commit()
    elapsed = time.perf_counter() - began
    store.close()
    return elapsed / (6 * tickets)


def bench_use_cases(folder: Path, tickets: int, rounds: int) -> None:
    ours: list[float] = []
    floors: list[float] = []
    ratios: list[float] = []
    for name, warm_up in (("desk", desk_use_cases), ("floor", floor_writes)):  # imports, caches
        warm_up(folder / f"warm-up-{name}.sqlite3", 5)
    for r in range(rounds):
        order: list[tuple[str, Callable[[Path, int], float]]] = [
            ("desk", desk_use_cases),
            ("floor", floor_writes),
        ]
        if r % 2:
            order.reverse()
        times = {}
        for name, work in order:
            path = folder / f"use-cases-{r}-{name}.sqlite3"
            times[name] = work(path, tickets)
            path.unlink()
        ours.append(times["desk"])
        floors.append(times["floor"])
        ratios.append(times["desk"] / times["floor"])
        print(
            f"  round {r + 1}: desk {times['desk'] * 1e3:.2f} ms/use case, "
            f"floor {times['floor'] * 1e3:.2f} ms/write, ratio {ratios[-1]:.2f}x",
            flush=True,
        )
    desk_s, floor_s = statistics.median(ours), statistics.median(floors)
    print(
        f"(a) {tickets} tickets x (register + 5 events) per round, {rounds} rounds (medians):\n"
        f"    desk  {1 / desk_s:8.0f} use cases/s ({desk_s * 1e3:.2f} ms each)\n"
        f"    floor {1 / floor_s:8.0f} writes/s    ({floor_s * 1e3:.2f} ms each: "
        "uow.tickets.add/append, one transaction each)\n"
        f"    desk / floor: {statistics.median(ratios):.2f}x (median of the rounds' ratios)",
        flush=True,
    )


# -- (b) run_due against a full scan -----------------------------------------------------


def _generated(n: int, due_every: int) -> Ticket:
    """Ticket ``n`` of the large store: every ``due_every``-th was resolved
    more than 48 h before NOW (due), other odd ones resolved an hour before
    NOW (auto-close ahead), the rest open."""
    created = NOW - timedelta(days=30) + timedelta(seconds=n % 86_400)
    ticket = Ticket.register(id=f"T-{1001 + n}", subject=f"Ticket {n}", created_at=created, contact="P-1")
    if n % due_every == 0:
        return ticket.with_event(StatusChange(at=NOW - timedelta(hours=49), to="resolved", by="E-1"))
    if n % 2:
        return ticket.with_event(StatusChange(at=NOW - timedelta(hours=1), to="resolved", by="E-1"))
    return ticket


def generate(path: Path, tickets: int) -> int:
    """Write the large store; returns how many tickets are due at NOW."""
    due_every = 100
    checked = NOW - timedelta(days=1)
    store = SqliteStore(path)
    try:
        _staff(store)
        for first in range(0, tickets, BATCH):
            with store.unit_of_work() as uow:
                batch = [_generated(n, due_every) for n in range(first, min(first + BATCH, tickets))]
                for ticket in batch:
                    uow.tickets.add(ticket)
                for ticket in batch:
                    wake = next_wakeup(ticket, DEFAULT_POLICY, DEFAULT_GRAPH)
                    uow.schedule.put(
                        ScheduleEntry(ticket=ticket.id, wake_at=wake, checked_through=checked),
                        checked_through_was=None,
                    )
                uow.commit()
            print(f"\r    generated {min(first + BATCH, tickets):,} tickets", end="", flush=True)
        print()
        with store.unit_of_work() as uow:
            # the schedule was made under this policy (as after a first run): no reschedule-all
            adopt_policy(uow, policy_fingerprint(CONFIG) or "")
            uow.commit()
    finally:
        store.close()
    return len(range(0, tickets, due_every))


def _warm(path: Path) -> None:
    with path.open("rb") as data:
        while data.read(1 << 24):
            pass


def _fresh_copy(pristine: Path, work: Path) -> Path:
    shutil.copyfile(pristine, work)
    for suffix in ("-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    _warm(work)
    return work


def _scan(store: Store) -> Iterator[tuple[str, int, list[Event]]]:
    """Every ticket with the automatic changes due at NOW (those that have some)."""
    for stored in store.tickets.iter_tickets():
        ticket = stored.value
        after = apply_due(ticket, NOW, DEFAULT_POLICY, DEFAULT_GRAPH)
        if after.events != ticket.events:
            yield ticket.id, stored.version, list(after.events[len(ticket.events) :])


Measured = tuple[float, set[str]]


def find_indexed(path: Path) -> Measured:
    """What is due, from the schedule index: ``next_wakeup`` and the pages of
    ``schedule.due(now)`` — exactly what ``run_due`` reads to find its work."""
    store = SqliteStore(path)
    began = time.perf_counter()
    store.schedule.next_wakeup()
    due: set[str] = set()
    after = None
    while entries := store.schedule.due(NOW, after=after, limit=1000):
        due.update(entry.ticket for entry in entries)
        after = entries[-1]
    elapsed = time.perf_counter() - began
    store.close()
    return elapsed, due


def find_by_scan(path: Path) -> Measured:
    """What is due, without the index: every ticket read and ``apply_due``-d."""
    store = SqliteStore(path)
    began = time.perf_counter()
    due = {id for id, _, _ in _scan(store)}
    elapsed = time.perf_counter() - began
    store.close()
    return elapsed, due


def run_due_indexed(path: Path) -> Measured:
    """``desk.run_due(now)``: found through the index, each due ticket settled
    in its own transaction (history, out-box, schedule)."""
    store = SqliteStore(path)
    desk = Desk(store, CONFIG, FixedClock(NOW))
    began = time.perf_counter()
    actions = desk.run_due(NOW)
    elapsed = time.perf_counter() - began
    store.close()
    return elapsed, {a.ticket for a in actions if a.action == "status"}


def run_due_batched(path: Path) -> Measured:
    """``run_due(desk, now, batch=BATCH_RUN)`` (``helpdesk tick --batch``):
    the same, BATCH_RUN due tickets per transaction."""
    store = SqliteStore(path)
    desk = Desk(store, CONFIG, FixedClock(NOW))
    began = time.perf_counter()
    actions = run_due(desk, NOW, batch=BATCH_RUN)
    elapsed = time.perf_counter() - began
    store.close()
    return elapsed, {a.ticket for a in actions if a.action == "status"}


def run_due_by_scan(path: Path, batch: int = 1) -> Measured:
    """The same changes without the index: the scan, then the changed tickets'
    automatic moves appended, ``batch`` tickets per transaction (history only:
    no out-box, no schedule)."""
    store = SqliteStore(path)
    began = time.perf_counter()
    changed = list(_scan(store))
    scanned = time.perf_counter()
    for first in range(0, len(changed), batch):
        with store.unit_of_work() as uow:
            for id, version, events in changed[first : first + batch]:
                uow.tickets.append(id, events, expected_version=version)
            uow.commit()
    elapsed = time.perf_counter() - began
    BARE_APPENDS.append(elapsed - (scanned - began))
    store.close()
    return elapsed, {id for id, _, _ in changed}


BARE_APPENDS: list[float] = []
"""Seconds the scan side spent on its appends alone, one entry per call."""
FOUND_IN = [0.0]
"""The median seconds the index took to find what is due (the first comparison)."""


def _compare(
    title: str,
    pristine: Path,
    work: Path,
    indexed: Callable[[Path], Measured],
    scan: Callable[[Path], Measured],
    *,
    due: int,
    rounds: int,
    target: int | None,
    bound: bool = False,
) -> None:
    times: dict[str, list[float]] = {"indexed": [], "scan": []}
    ratios = []
    for r in range(rounds):
        order = [("indexed", indexed), ("scan", scan)]
        if r % 2:
            order.reverse()
        found = {}
        for name, measure in order:
            seconds, found[name] = measure(_fresh_copy(pristine, work))
            times[name].append(seconds)
        assert found["indexed"] == found["scan"], (
            f"{title}: the index found {len(found['indexed'])} due tickets, the scan {len(found['scan'])}"
        )
        assert len(found["scan"]) == due, f"expected {due} due tickets, found {len(found['scan'])}"
        ratios.append(times["scan"][-1] / times["indexed"][-1])
        print(
            f"    round {r + 1}: indexed {times['indexed'][-1]:.3f} s, full scan {times['scan'][-1]:.1f} s, "
            f"ratio {ratios[-1]:.0f}x",
            flush=True,
        )
    ratio = statistics.median(ratios)
    if bound:
        # Settling a ticket writes at least what the scan side appends: with
        # settling at that floor, the ratio could reach (scan) / (find + appends).
        appends = statistics.median(BARE_APPENDS[-rounds:])
        best = statistics.median(times["scan"]) / (FOUND_IN[0] + appends)
        print(
            f"    floor of settling: the bare appends, {appends / due * 1e6:.0f} µs per due ticket; "
            f"indexed / floor {statistics.median(times['indexed']) / appends:.1f}x; "
            f"best reachable scan / indexed with settling at the floor: {best:.0f}x",
            flush=True,
        )
    verdict = ""
    if title.startswith("finding"):
        FOUND_IN[0] = statistics.median(times["indexed"])
    if target is not None:
        verdict = f" — {'meets' if ratio >= target else 'MISSES'} the target of >= {target}x"
    print(
        f"  {title}: indexed {statistics.median(times['indexed']):.3f} s "
        f"({statistics.median(times['indexed']) / due * 1e6:.0f} µs per due ticket), "
        f"full scan {statistics.median(times['scan']):.1f} s; scan / indexed {ratio:.0f}x{verdict}",
        flush=True,
    )


def bench_run_due(folder: Path, tickets: int, rounds: int, keep: Path | None) -> None:
    pristine = keep or folder / "large.sqlite3"
    due = len(range(0, tickets, 100))
    if keep is not None and keep.exists():
        print(f"(b) reusing {keep}", flush=True)
    else:
        print(
            f"(b) generating {tickets:,} tickets (1 % due) with uow.tickets.add + uow.schedule.put ...",
            flush=True,
        )
        began = time.perf_counter()
        generate(pristine, tickets)
        print(
            f"    generated in {time.perf_counter() - began:.0f} s, "
            f"file {pristine.stat().st_size / 1e6:.0f} MB, {due:,} due",
            flush=True,
        )
    work = folder / "work.sqlite3"
    print(f"(b) {tickets:,} tickets, {due:,} due at NOW (1 %), {rounds} alternating rounds, medians:")
    _compare(
        "finding what is due (the wake-up)",
        pristine,
        work,
        find_indexed,
        find_by_scan,
        due=due,
        rounds=rounds,
        target=TARGET_RATIO,
    )
    _compare(
        "desk.run_due, settling every due ticket",
        pristine,
        work,
        run_due_indexed,
        run_due_by_scan,
        due=due,
        rounds=rounds,
        target=None,
        bound=True,
    )
    _compare(
        f"run_due(batch={BATCH_RUN}), settling every due ticket",
        pristine,
        work,
        run_due_batched,
        partial(run_due_by_scan, batch=BATCH_RUN),
        due=due,
        rounds=rounds,
        target=None,
        bound=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=("use-cases", "run-due"), help="run one part only")
    parser.add_argument("--cases", type=int, default=200, help="tickets per round in (a) (6 use cases each)")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets of the large store in (b)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per part (medians)")
    parser.add_argument("--keep", type=Path, help="(b): generate the large store here once and reuse it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-desk-") as folder:
        if args.only != "run-due":
            bench_use_cases(Path(folder), args.cases, args.rounds)
        if args.only != "use-cases":
            bench_run_due(Path(folder), args.tickets, args.rounds, args.keep)


if __name__ == "__main__":
    main()
