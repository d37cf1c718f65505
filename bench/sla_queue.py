"""Bench: ``helpdesk sla queue --overdue --limit 50`` against the folded
``helpdesk sla report --format jsonl --recompute``-equivalent (today's
report, which folds every ticket) over one generated SQLite store, whole
processes (start-up included), alternated, medians.

The store is generated once with ``helpdesk generate`` (kept in --workdir and
reused); its stored SLA states are then filled once, ticket by ticket (the
projection of each history, as the desk writes it), and the setting
``sla.fingerprint`` set, so that the queue trusts the index.

    python bench/sla_queue.py --tickets 200000            # target: queue <= report / 20
    python bench/sla_queue.py --tickets 20000 --repeat 1  # quicker
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from helpdesk_core.config import parse_configuration
from helpdesk_core.reports.customers import customer_directory
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END
from helpdesk_core.serialization import ticket_sla_state_to_json
from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING, sla_fingerprint
from helpdesk_core.sla_states.state import sla_state_record, ticket_sla_state
from helpdesk_core.storage import open_store

BIN = Path(sys.executable).parent
NOW = DEMO_END.isoformat()


def fill(db: Path) -> int:
    """Store every ticket's SLA state under the demo configuration and set
    the fingerprint setting; returns how many were stored."""
    config = parse_configuration(DEMO_CONFIGURATION)
    assert config.sla is not None
    fingerprint = sla_fingerprint(config)
    store = open_store(str(db))
    try:
        if store.settings.get(FINGERPRINT_SETTING) == fingerprint:
            return 0
        directory = customer_directory(store)
        records = []
        for ticket in store.iter_tickets():
            customer = directory(ticket)
            state = ticket_sla_state(ticket, policy=config.sla, graph=config.graph, customer=customer)
            records.append(
                sla_state_record(
                    state,
                    document=ticket_sla_state_to_json(state),
                    fingerprint=fingerprint,
                    company=ticket.company,
                    status_category=config.graph.status(ticket.status).category.value,
                )
            )
        for start in range(0, len(records), 5000):
            with store.unit_of_work() as uow:
                for record in records[start : start + 5000]:
                    uow.sla_states.put(record)
                uow.commit()
        with store.unit_of_work() as uow:
            uow.settings.put(FINGERPRINT_SETTING, fingerprint, expected=uow.settings.get(FINGERPRINT_SETTING))
            uow.commit()
        return len(records)
    finally:
        store.close()


def timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/helpdesk-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / f"sla-queue-{args.tickets}.sqlite3"
    helpdesk = [str(BIN / "python"), "-m", "helpdesk_cli", "--db", str(db)]
    if not db.exists():
        subprocess.run([*helpdesk, "generate", "--tickets", str(args.tickets)], check=True)
    config = args.workdir / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    started = time.perf_counter()
    filled = fill(db)
    if filled:
        print(f"filled {filled:,} SLA states in {time.perf_counter() - started:.1f} s")
    queue = [*helpdesk, "--config", str(config), "sla", "queue", "--overdue", "--limit", "50", "--now", NOW,
             "--format", "jsonl"]  # fmt: skip
    report = [*helpdesk, "--config", str(config), "sla", "report", "--as-of", NOW, "--format", "jsonl"]
    queues, reports = [], []
    for n in range(args.repeat):
        seconds, out = timed(queue)
        queues.append(seconds)
        lines = out.count("\n")
        seconds, _ = timed(report)
        reports.append(seconds)
        print(f"round {n + 1}: queue {queues[-1]:.2f} s ({lines} entries), folded report {reports[-1]:.2f} s")
    q, r = statistics.median(queues), statistics.median(reports)
    print(f"{args.tickets:,} tickets: queue --overdue --limit 50 {q:.2f} s, folded report {r:.2f} s, "
          f"ratio 1/{r / q:.0f} (target <= 1/20)")  # fmt: skip


if __name__ == "__main__":
    main()
