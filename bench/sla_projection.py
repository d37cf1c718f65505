"""The SLA projection against its peer, the fold: per ticket of the demo desk
(``helpdesk_core.sample``, ≈6 events each, as of the end of the histories),
in one process, rounds alternated, medians of ``--repeat`` rounds:

* **evaluate** — ``evaluate(ticket, as_of).to_json_text()``: what a folded
  report does per ticket (the peer);
* **project** — ``project(ticket)``: what the desk does once per change;
* **row** — ``projection.row(as_of).to_json_text()``: what a report reading
  stored projections does per ticket, from the value;
* **JSON + row** — ``sla_projection_from_json(text).row(as_of)``: the same
  from the stored JSON text (decoding included).

Ratios are to **evaluate** of the same round.

    python bench/sla_projection.py                  # 20,000 tickets, 5 rounds
    python bench/sla_projection.py --tickets 5000 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from helpdesk_core.config import parse_configuration
from helpdesk_core.reports.customers import CustomerDirectory
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END, sample_customers, sample_tickets
from helpdesk_core.serialization import sla_projection_from_json, sla_projection_to_json
from helpdesk_core.sla import evaluate
from helpdesk_core.sla.projection import project


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    config = parse_configuration(DEMO_CONFIGURATION, source="demo configuration")
    assert config.sla is not None
    policy, graph = config.sla, config.graph
    customers = sample_customers(2026)
    companies = {company.id: company for company in customers.companies}
    directory = CustomerDirectory(companies.get, customers.customer_groups)
    tickets = sample_tickets(2026, args.tickets, customers=customers, end=DEMO_END, days=120)
    cases = [(ticket, directory(ticket)) for ticket in tickets]
    as_of = max([DEMO_END, *(t.events[-1].at for t in tickets if t.events)])
    projections = [project(t, policy=policy, graph=graph, customer=c) for t, c in cases]
    texts = [sla_projection_to_json(p) for p in projections]

    def folded() -> None:
        for ticket, customer in cases:
            evaluate(ticket, policy=policy, graph=graph, as_of=as_of, customer=customer).to_json_text()

    def projected() -> None:
        for ticket, customer in cases:
            project(ticket, policy=policy, graph=graph, customer=customer)

    def rows() -> None:
        for projection in projections:
            projection.row(as_of, policy=policy).to_json_text()

    def stored_rows() -> None:
        for text in texts:
            sla_projection_from_json(text).row(as_of, policy=policy).to_json_text()

    runs: dict[str, Callable[[], None]] = {
        "evaluate": folded, "project": projected, "row": rows, "JSON + row": stored_rows,
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - started) / len(cases) * 1e6)
    peer = times["evaluate"]
    print(f"{len(cases):,} tickets of the demo desk, as of {as_of.isoformat()}, "
          f"medians of {args.repeat} alternated rounds (µs per ticket):")
    for name, values in times.items():
        ratio = statistics.median(v / p for v, p in zip(values, peer, strict=True))
        print(f"  {name:<12} {statistics.median(values):7.1f} µs   {ratio:5.2f}x evaluate")


if __name__ == "__main__":
    main()
