"""ACCEPTANCE bench: the start-up of ``helpdesk sla report`` on a 10-ticket
store, against ``helpdesk --help`` in the same run.

A fresh 10-ticket SQLite store is made with ``helpdesk generate`` in a
temporary directory, under the demo configuration (Prague and Bratislava
calendars with Czech and Slovak public holidays). Then the two commands run as
child processes, alternately (so both see the shared machine's same moods),
``--repeat`` times after one unmeasured warm-up of each:

* **help** — ``helpdesk --help``: the interpreter, click and the command list;
* **report** — ``helpdesk --db STORE --config demo.toml sla report`` (the
  table, printed into a pipe), as an admin types it.

The children write their bytecode (``PYTHONDONTWRITEBYTECODE`` is dropped from
their environment), as an installed package has it. Printed: the median wall
and CPU time of each and their ratios. Target: report ≤ 3× help (wall).

    python bench/startup.py              # 15 pairs
    python bench/startup.py --repeat 31  # steadier medians on a busy machine
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpdesk_core.sample import DEMO_CONFIGURATION

TARGET = 3.0


def helpdesk_command() -> list[str]:
    """The ``helpdesk`` script beside this interpreter, else ``python -m helpdesk_cli``."""
    script = Path(sys.executable).parent / "helpdesk"
    return [str(script)] if script.exists() else [sys.executable, "-m", "helpdesk_cli"]


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``command``; its wall time and CPU time (user + system) in seconds, and
    what it printed on standard error."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.read()
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{err}")
    return elapsed, usage.ru_utime + usage.ru_stime, err


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=15, help="help/report pairs; medians are printed")
    args = parser.parse_args()
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env.pop("HELPDESK_DB", None)
    env.pop("HELPDESK_CONFIG", None)
    helpdesk = helpdesk_command()
    workdir = Path(tempfile.mkdtemp(prefix="helpdesk-startup-"))
    try:
        store = workdir / "desk.sqlite3"
        config = workdir / "demo.toml"
        config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
        run([*helpdesk, "--db", str(store), "generate", "--tickets", "10"], env)
        help_command = [*helpdesk, "--help"]
        report_command = [*helpdesk, "--db", str(store), "--config", str(config), "sla", "report"]
        _, _, summary = run(report_command, env)  # the warm-up: bytecode written, files cached
        run(help_command, env)
        helps: list[tuple[float, float]] = []
        reports: list[tuple[float, float]] = []
        for _ in range(args.repeat):
            wall, cpu, _ = run(help_command, env)
            helps.append((wall, cpu))
            wall, cpu, _ = run(report_command, env)
            reports.append((wall, cpu))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{' '.join(Path(part).name for part in helpdesk)}: {summary.strip().splitlines()[-1]}")
    help_wall = statistics.median(wall for wall, _ in helps)
    help_cpu = statistics.median(cpu for _, cpu in helps)
    report_wall = statistics.median(wall for wall, _ in reports)
    report_cpu = statistics.median(cpu for _, cpu in reports)
    median = f"(median of {args.repeat})"
    rows = (("helpdesk --help", help_wall, help_cpu), ("helpdesk sla report", report_wall, report_cpu))
    for label, wall, cpu in rows:
        print(f"  {label + ':':22} wall {wall:6.3f} s  CPU {cpu:6.3f} s  {median}")
    ratio = report_wall / help_wall
    print(f"  {'ratio report / help:':22} wall {ratio:6.2f} x  CPU {report_cpu / help_cpu:6.2f} x")
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(f"target: report ≤ {TARGET:g}x help (wall) {verdict} ({ratio:.2f}x)")

if __name__ == "__main__":
    main()
