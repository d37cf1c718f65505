"""ACCEPTANCE bench: ``helpdesk sla report --format jsonl`` over generated
SQLite stores, against the floor of merely reading the same rows from SQLite.

For each size (default 200,000 and 1,000,000 tickets, ≈6 events each) the
store is generated once with ``helpdesk generate`` (kept in --workdir and
reused) and every ticket's SLA state kept under the demo configuration (as
``helpdesk generate`` and the desk do as they write; a store generated
without them gets them once, untimed), then, in the same run:

* **floor** — a Python process that issues exactly the statement the SQLite
  store's ticket stream issues and reads the same rows: one row per ticket in
  ``(created_us, id)`` keyset pages of 1000, its header beside its event
  documents joined by SQLite (``group_concat``, with the ``seq`` numbers whose
  order the store checks, as the floor does too), decoding nothing;
* **stored report** — ``helpdesk sla report --format jsonl --output FILE``
  under the demo configuration, as of the end of the generated histories
  (the stored SLA states answer: no warning allowed), ``--jobs`` as given,
  else the report's default (one worker per CPU);
* **recompute** — the same with ``--recompute`` (every history folded);
* **queue** — ``helpdesk sla queue --overdue --limit 50`` at the same instant
  (when the tree has the command).

Peak RSS is that of the largest process (``wait4`` reports the maximum over
the children). All run as child processes, alternately, ``--repeat`` times
(default 3: the shared machine's speed drifts by a third from one minute to
the next); medians are printed, each ratio the median of the rounds' ratios
to their own floor. The store file is read once before the first round, so
that no round starts with a cold page cache.
Targets: stored report ≤ 3× the floor, ≤ 60 s for 1M tickets, peak RSS <
500 MB and within 20 % from 200k to 1M.

    python bench/sla_report.py                 # 200k and 1M
    python bench/sla_report.py --tickets 20000 # smaller
    python bench/sla_report.py --repeat 1      # one round per size, quicker
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END

BIN = Path(sys.executable).parent
FLOOR = r"""
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
position = (-(2**62), "")
prefixes = [",".join(map(str, range(n))) + ";" for n in range(64)]
tickets = events = size = 0
while True:
    db.execute("BEGIN")
    rows = db.execute(
        "SELECT id, created_us, version, header, event_count, CASE WHEN event_count <> 0 THEN "
        "(SELECT group_concat(seq) || ';' || group_concat(document, ',') FROM ticket_events "
        "WHERE ticket_id = tickets.id) END FROM tickets "
        "WHERE (created_us, id) > (?, ?) ORDER BY created_us, id LIMIT 1000", position).fetchall()
    db.execute("COMMIT")
    for r in rows:
        size += len(r[3])
        if r[4]:
            prefix = prefixes[r[4]] if r[4] < 64 else ",".join(map(str, range(r[4]))) + ";"
            assert r[5].startswith(prefix), f"ticket {r[0]}: events aggregated out of seq order"
            events += r[4]
            size += len(r[5]) - len(prefix)
    tickets += len(rows)
    if len(rows) < 1000:
        break
    position = (rows[-1][1], rows[-1][0])
print(tickets, events, size)
"""


def fill_states(db: Path, config_file: Path, jobs: int = 2) -> int:
    """Keep the SLA state of every ticket of ``db`` whose state is missing or
    not usable under ``config_file`` (what ``helpdesk generate`` does as it
    writes, and ``helpdesk sla rebuild`` for a store generated before), in
    batches, on ``jobs`` processes; then set the store's ``sla.fingerprint``.
    Not timed."""
    import multiprocessing

    from helpdesk_core.config import load_configuration
    from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING, sla_fingerprint
    from helpdesk_core.storage import open_store

    fingerprint = sla_fingerprint(load_configuration(config_file))
    store = open_store(f"sqlite:///{db}")
    positions = store.tickets.positions(max(1, store.tickets.count() // jobs + 1))
    bounds = list(zip([None, *positions], [*positions, None], strict=True))
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        ranges = [(db, config_file, after, through) for after, through in bounds]
        kept = sum(pool.starmap(_fill_range, ranges))
    setting = store.settings.get(FINGERPRINT_SETTING)
    if setting != fingerprint:
        with store.unit_of_work() as uow:
            uow.settings.put(FINGERPRINT_SETTING, fingerprint, expected=setting)
            uow.commit()
    store.close()
    return kept


def _fill_range(db: Path, config_file: Path, after: Any, through: Any) -> int:
    """:func:`fill_states` of the tickets after ``after`` through ``through``."""
    from helpdesk_core.config import load_configuration
    from helpdesk_core.model.ticket import Ticket
    from helpdesk_core.reports.customers import customer_directory
    from helpdesk_core.serialization import ticket_sla_state_to_json
    from helpdesk_core.sla_states.fingerprint import sla_fingerprint
    from helpdesk_core.sla_states.state import sla_state_record, ticket_sla_state
    from helpdesk_core.storage import open_store

    config = load_configuration(config_file)
    policy = config.sla
    assert policy is not None
    fingerprint = sla_fingerprint(config)
    store = open_store(f"sqlite:///{db}")
    customers = customer_directory(store)
    pending: list[Ticket] = []
    kept = 0

    def flush() -> None:
        with store.unit_of_work() as uow:
            for ticket in pending:
                customer = customers(ticket)
                state = ticket_sla_state(ticket, policy=policy, graph=config.graph, customer=customer)
                uow.sla_states.put(sla_state_record(
                    state, document=ticket_sla_state_to_json(state), fingerprint=fingerprint,
                    company=ticket.company, status_category=config.graph.category(ticket.status).value,
                ))  # fmt: skip
            uow.commit()
        pending.clear()

    for entry in store.tickets.iter_with_sla_states(fingerprint, after=after, through=through):
        if entry.history is not None:
            pending.append(entry.history)
            kept += 1
            if len(pending) >= 1000:
                flush()
    flush()
    store.close()
    return kept


def run(command: list[str]) -> tuple[float, float, float, str]:
    """Run ``command``; its wall time (s), CPU time (s, with the children it
    waited for, such as report workers), peak RSS (MB) and standard output."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stderr is not None
    out = child.stdout.read()
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{err}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out + err


def bench(
    size: int, workdir: Path, seed: int, jobs: int | None, repeat: int = 1, recompute: int | None = None
) -> tuple[float, float, float]:
    """Generate (once) and time the store of ``size`` tickets; its median
    stored report time (s), median ratio stored report / floor, and the stored
    report's largest peak RSS (MB)."""
    # "-numbered": generated since tickets are numbered in registration order
    # (stores of the earlier generator are laid out differently; not reused).
    db = workdir / f"bench-{size}-{seed}-numbered.sqlite3"
    helpdesk = [str(BIN / "helpdesk"), "--db", str(db)]
    config = workdir / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    if not db.exists():
        print(f"generating {size} tickets into {db} …", flush=True)
        _, _, _, out = run([*helpdesk, "generate", "--tickets", str(size), "--seed", str(seed)])
        print(f"  {out.strip()}")
    started = time.perf_counter()
    kept = fill_states(db, config)
    if kept:
        took = time.perf_counter() - started
        print(f"  kept the SLA states of {kept:,} tickets in {took:.0f} s (not timed)")
    rows_file = workdir / "report.jsonl"
    report = [*helpdesk, "--config", str(config), "sla", "report", "--as-of", DEMO_END.isoformat(),
              "--format", "jsonl", "--output", str(rows_file), *(["--jobs", str(jobs)] if jobs else [])]
    queue = [*helpdesk, "--config", str(config), "sla", "queue", "--overdue", "--limit", "50",
             "--now", DEMO_END.isoformat()]
    has_queue = subprocess.run([*queue, "--help"], capture_output=True).returncode == 0
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in KINDS}
    tickets = events = size_bytes = 0
    summary = ""
    with db.open("rb") as store:  # into the page cache first: the first round reads it warm too
        while store.read(1 << 24):
            pass
    for number in range(repeat):  # the kinds alternate, so all see the machine's same moods
        floor_s, floor_cpu, floor_peak, floor_out = run([sys.executable, "-c", FLOOR, str(db)])
        tickets, events, size_bytes = map(int, floor_out.split())
        runs["floor"].append((floor_s, floor_cpu, floor_peak))
        for kind, command in (("stored", report), ("recompute", [*report, "--recompute"])):
            if kind == "recompute" and recompute is not None and number >= recompute:
                continue
            elapsed, cpu, peak, summary = run(command)
            with rows_file.open("rb") as rows:
                lines = sum(1 for _ in rows)
            rows_file.unlink()
            assert lines == tickets, f"{lines} rows for {tickets} tickets"
            assert kind == "recompute" or "stored SLA state" not in summary, summary
            runs[kind].append((elapsed, cpu, peak))
        if has_queue:
            runs["queue"].append(run(queue)[:3])
    print(f"{size:>9,} tickets, {events / tickets:.1f} events each, {size_bytes / 2**20:,.0f} MB of JSON")
    floors = [wall for wall, _, _ in runs["floor"]]
    results: dict[str, tuple[float, float, float]] = {}
    for kind, label in KINDS.items():
        if not runs[kind]:
            print(f"  {label:<36} (no `helpdesk sla queue` in this tree)")
            continue
        median = f" (median of {len(runs[kind])})" if len(runs[kind]) > 1 else ""
        wall = statistics.median(w for w, _, _ in runs[kind])
        cpu_us = statistics.median(c for _, c, _ in runs[kind]) / tickets * 1e6
        peak = max(p for _, _, p in runs[kind])
        ratio = statistics.median(w / f for (w, _, _), f in zip(runs[kind], floors, strict=False))
        results[kind] = (wall, ratio, peak)
        print(f"  {label:<36} {wall:7.2f} s  {ratio:5.2f}x the floor  peak RSS {peak:5.0f} MB  "
              f"CPU {cpu_us:5.1f} µs/ticket{median}")
    if repeat > 1:
        for kind in ("stored", "recompute"):
            print(f"  runs {kind:<10} (s, ratio):  " + "; ".join(
                f"{w:.1f}, {w / f:.2f}x" for (w, _, _), f in zip(runs[kind], floors, strict=False)))
    print(f"  {summary.strip()}", flush=True)
    return results["stored"]


KINDS = {
    "floor": "floor (read the rows)",
    "stored": "sla report --format jsonl",
    "recompute": "sla report --format jsonl --recompute",
    "queue": "sla queue --overdue --limit 50",
}
"""What is timed, in the order printed."""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("bench-data"))
    parser.add_argument("--jobs", type=int, default=None,
                        help="passed to the report as --jobs (default: its own default, the CPUs)")
    parser.add_argument("--recompute-rounds", type=int, default=None,
                        help="run --recompute in the first N rounds only (it is the slow one; default: all)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="floor/report pairs per size; medians are printed (default 3)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = {
        size: bench(size, args.workdir, args.seed, args.jobs, args.repeat, args.recompute_rounds)
        for size in args.tickets
    }
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = results[sizes[0]][2], results[sizes[-1]][2]
        print(f"peak RSS {sizes[0]:,} → {sizes[-1]:,} tickets: {small:.0f} → {large:.0f} MB "
              f"({100 * (large - small) / small:+.0f} %)")
    print("targets:")
    for size in sizes:
        report_s, ratio, _ = results[size]
        print(f"  {size:>9,}: stored report ≤ 3x the floor {_verdict(ratio <= 3)} ({ratio:.2f}x)")
    if 1_000_000 in results:
        report_s = results[1_000_000][0]
        print(f"  1,000,000: ≤ 60 s {_verdict(report_s <= 60)} ({report_s:.1f} s)")
    largest = max(mb for _, _, mb in results.values())
    print(f"  peak RSS < 500 MB {_verdict(largest < 500)} ({largest:.0f} MB)")
    if len(sizes) > 1:
        print(f"  peak RSS flat within 20 % {_verdict(abs(large - small) <= 0.2 * small)}")


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    main()
