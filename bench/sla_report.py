"""ACCEPTANCE bench: ``helpdesk sla report --format jsonl`` over generated
SQLite stores, against the floor of merely reading the same rows from SQLite.

For each size (default 100,000 and 1,000,000 tickets, ≈6 events each) the
store is generated once with ``helpdesk generate`` (kept in --workdir and
reused), then, in the same run:

* **floor** — a Python process that issues exactly the statement the SQLite
  store issues and reads the same rows: one row per ticket in
  ``(created_us, id)`` keyset pages of 1000, its header beside its event
  documents joined by SQLite (``group_concat``, with the ``seq`` numbers whose
  order the store checks, as the floor does too), decoding nothing;
* **report** — ``helpdesk sla report --format jsonl --output FILE`` under the
  demo configuration, as of the end of the generated histories (``--jobs``
  as given, else the report's default: one worker per CPU). Peak RSS is that
  of the largest process (``wait4`` reports the maximum over the children).

Both run as child processes, alternately, ``--repeat`` times (default 3: the
shared machine's speed drifts by a third from one minute to the next); each
pair's times are printed, then the median floor, the median report time and
the median of the pairs' ratios, with the largest peak RSS (from ``wait4``).
The store file is read once before the first pair, so that no pair starts
with a cold page cache.
Targets: report ≤ 3× the floor, ≤ 60 s for 1M tickets, peak RSS < 500 MB and
within 20 % from 100k to 1M.

    python bench/sla_report.py                 # 100k and 1M
    python bench/sla_report.py --tickets 20000 # smaller
    python bench/sla_report.py --repeat 1      # one pair per size, quicker
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

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
    size: int, workdir: Path, seed: int, jobs: int | None, repeat: int = 1
) -> tuple[float, float, float]:
    """Generate (once) and time the store of ``size`` tickets; its median report
    time (s), median ratio report / floor, and the report's largest peak RSS (MB)."""
    # "-numbered": generated since tickets are numbered in registration order
    # (stores of the earlier generator are laid out differently; not reused).
    db = workdir / f"bench-{size}-{seed}-numbered.sqlite3"
    helpdesk = [str(BIN / "helpdesk"), "--db", str(db)]
    if not db.exists():
        print(f"generating {size} tickets into {db} …", flush=True)
        _, _, _, out = run([*helpdesk, "generate", "--tickets", str(size), "--seed", str(seed)])
        print(f"  {out.strip()}")
    config = workdir / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    rows_file = workdir / "report.jsonl"
    pairs: list[tuple[float, float]] = []
    cpus: list[tuple[float, float]] = []
    floor_mb = report_mb = 0.0
    with db.open("rb") as store:  # into the page cache first: the first pair reads it warm too
        while store.read(1 << 24):
            pass
    for _ in range(repeat):  # floor and report alternate, so both see the machine's same moods
        floor_s, floor_cpu, floor_peak, floor_out = run([sys.executable, "-c", FLOOR, str(db)])
        tickets, events, size_bytes = map(int, floor_out.split())
        report_s, report_cpu, report_peak, summary = run(
            [*helpdesk, "--config", str(config), "sla", "report", "--as-of", DEMO_END.isoformat(),
             "--format", "jsonl", "--output", str(rows_file), *(["--jobs", str(jobs)] if jobs else [])]
        )
        with rows_file.open("rb") as rows:
            lines = sum(1 for _ in rows)
        rows_file.unlink()
        assert lines == tickets, f"{lines} rows for {tickets} tickets"
        pairs.append((floor_s, report_s))
        cpus.append((floor_cpu, report_cpu))
        floor_mb, report_mb = max(floor_mb, floor_peak), max(report_mb, report_peak)
    print(f"{size:>9,} tickets, {events / tickets:.1f} events each, {size_bytes / 2**20:,.0f} MB of JSON")
    if repeat > 1:
        print("  runs (floor, report, ratio):    " + "; ".join(
            f"{floor:.1f} s, {report:.1f} s, {report / floor:.1f}x" for floor, report in pairs))
    floor_s = statistics.median(floor for floor, _ in pairs)
    report_s = statistics.median(report for _, report in pairs)
    ratio = statistics.median(report / floor for floor, report in pairs)
    median = f" (median of {repeat})" if repeat > 1 else ""
    print(f"  floor  (read the rows):        {floor_s:7.1f} s  peak RSS {floor_mb:6.0f} MB{median}")
    print(f"  helpdesk sla report --jsonl:   {report_s:7.1f} s  peak RSS {report_mb:6.0f} MB per process"
          f"  ({tickets / report_s:,.0f} tickets/s){median}")
    print(f"  ratio report / floor:          {ratio:7.1f} x{median}")
    floor_us = statistics.median(floor for floor, _ in cpus) / tickets * 1e6
    report_us = statistics.median(report for _, report in cpus) / tickets * 1e6
    workers = jobs or os.cpu_count() or 1
    # what 3x allows: the CPU of `workers` cores busy for three floors, all of it for the report
    budget_us = 3 * floor_s * workers / tickets * 1e6
    print(f"  CPU per ticket:                floor {floor_us:.1f} µs, report {report_us:.1f} µs "
          f"(all processes); 3x the floor on {workers} CPUs allows ≤ {budget_us:.1f} µs{median}")
    print(f"  {summary.strip()}", flush=True)
    return report_s, ratio, report_mb


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("bench-data"))
    parser.add_argument("--jobs", type=int, default=None,
                        help="passed to the report as --jobs (default: its own default, the CPUs)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="floor/report pairs per size; medians are printed (default 3)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = {size: bench(size, args.workdir, args.seed, args.jobs, args.repeat) for size in args.tickets}
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = results[sizes[0]][2], results[sizes[-1]][2]
        print(f"peak RSS {sizes[0]:,} → {sizes[-1]:,} tickets: {small:.0f} → {large:.0f} MB "
              f"({100 * (large - small) / small:+.0f} %)")
    print("targets:")
    for size in sizes:
        report_s, ratio, _ = results[size]
        print(f"  {size:>9,}: report ≤ 3x the floor {_verdict(ratio <= 3)} ({ratio:.1f}x)")
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
