"""``helpdesk demo`` and ``helpdesk generate``: the sample desk of
:mod:`helpdesk_core.sample` stored into an SQLite file (or any store), then —
for the demo — its SLA report summary and its dashboard."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from helpdesk_cli.context import AppContext
from helpdesk_cli.invocation import invoked_as, shown_path
from helpdesk_cli.reports import as_of_words, draw_chart
from helpdesk_cli.sla import (
    group_order,
    home_zone,
    instant,
    policy_of,
    progress,
    stored_tickets,
    summary_table,
)
from helpdesk_cli.terminal import cell, shown
from helpdesk_core.config import Configuration, parse_configuration
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.reports import (
    Dashboard,
    GroupBy,
    GroupedTally,
    dashboard,
    report_lines,
)
from helpdesk_core.reports.customers import customer_directory, customer_facts
from helpdesk_core.sample import (
    DEMO_CONFIGURATION,
    DEMO_END,
    SampleCustomers,
    sample_customers,
    sample_tickets,
)
from helpdesk_core.sla import NO_CUSTOMER, SlaState
from helpdesk_core.sla_states.fingerprint import sla_fingerprint
from helpdesk_core.sla_states.keeping import adopt_when_empty, keep_sla_state
from helpdesk_core.storage import Store, UnitOfWork, open_store, redacted, save_all

pass_app = click.make_pass_decorator(AppContext)

DEMO_FILE = Path("demo.sqlite3")
BATCH = 2000
"""Tickets saved per transaction (by the demo, which builds a file of its own)."""
MAX_COMPANIES = 100_000
"""The most companies ``generate`` makes (with their contacts and contracts,
held in memory at once)."""


def save_customers(store: Store, customers: SampleCustomers) -> None:
    """Upsert the sample customers, contracts and staff in one transaction."""
    with store.unit_of_work() as uow:
        _add_customers(uow, customers)
        uow.commit()


def _add_customers(uow: UnitOfWork, customers: SampleCustomers) -> None:
    save_all(uow.customer_groups, customers.customer_groups)
    save_all(uow.companies, customers.companies)
    save_all(uow.contacts, customers.contacts)
    save_all(uow.contracts, customers.contracts)
    save_all(uow.employee_groups, customers.groups)
    save_all(uow.employees, customers.staff)


def save_desk(
    store: Store, customers: SampleCustomers, tickets: Iterable[Ticket], *, config: Configuration
) -> tuple[int, int]:
    """Upsert the customers and add ``tickets`` (new ids only) with their
    stored SLA states under ``config`` in ONE transaction: a generate that
    fails half-way (a ticket id already stored, a history that cannot be
    written) leaves the store as it was. Returns how many tickets and events
    were stored."""
    count = events = 0
    with store.unit_of_work() as uow:
        _add_customers(uow, customers)
        keep = _Keeping(config, customers)
        for ticket in tickets:
            uow.tickets.add(ticket)
            keep(uow, ticket)
            count += 1
            events += len(ticket.events)
        adopt_when_empty(uow, keep.fingerprint, written=count)
        uow.commit()
    return count, events


def save_tickets(
    store: Store,
    tickets: Iterable[Ticket],
    *,
    config: Configuration,
    customers: SampleCustomers,
    batch: int = BATCH,
) -> tuple[int, int]:
    """Add ``tickets`` (new ids only) with their stored SLA states under
    ``config``, ``batch`` per transaction; returns how many tickets and
    events were stored. The store setting ``sla.fingerprint`` is adopted by
    the first batch when the store held no ticket before."""
    count = events = 0
    pending: list[Ticket] = []
    keep = _Keeping(config, customers)

    def flush() -> None:
        with store.unit_of_work() as uow:
            for ticket in pending:
                uow.tickets.add(ticket)
                keep(uow, ticket)
            adopt_when_empty(uow, keep.fingerprint, written=count)
            uow.commit()
        pending.clear()

    for ticket in tickets:
        pending.append(ticket)
        count += 1
        events += len(ticket.events)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return count, events


class _Keeping:
    """Keeps the stored SLA state of each sample ticket, its customer facts
    taken from the sample customers (no look-up in the store)."""

    def __init__(self, config: Configuration, customers: SampleCustomers) -> None:
        self.config = config
        self.fingerprint = sla_fingerprint(config)
        groups = {group.id: group for group in customers.customer_groups}
        self._facts = {company.id: customer_facts(company, groups) for company in customers.companies}

    def __call__(self, uow: UnitOfWork, ticket: Ticket) -> None:
        company = ticket.company
        customer = NO_CUSTOMER if company is None else self._facts.get(company, NO_CUSTOMER)
        keep_sla_state(uow, ticket, config=self.config, customer=customer, fingerprint=self.fingerprint)


@click.command("generate")
@click.option("--tickets", "count", type=click.IntRange(min=0), required=True, help="How many tickets.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same data.")
@click.option("--days", type=click.IntRange(min=1), default=365, show_default=True,
              help="Tickets are registered over this many days before --end.")
@click.option("--companies", type=click.IntRange(min=1, max=MAX_COMPANIES), default=200, show_default=True)
@click.option("--end", callback=instant, help=f"Where the histories end (default {DEMO_END.isoformat()}).")
@pass_app
def generate(app: AppContext, count: int, seed: int, days: int, companies: int, end: datetime | None) -> None:
    """Store a deterministic sample desk into --db: companies, contacts,
    contracts, staff and COUNT tickets with varied histories (for benchmarks)."""
    started = time.perf_counter()
    customers = sample_customers(seed, companies=companies)
    # checked here, before the store is opened: a bad --days or --end writes nothing
    tickets = sample_tickets(seed, count, customers=customers, end=end or DEMO_END, days=days)
    store = app.store
    with progress(tickets, count, "Generating") as counted:
        stored, events = save_desk(store, customers, counted, config=app.config)
    click.echo(
        f"{shown(redacted(store.url))}: {stored} tickets with {events} events, "
        f"{len(customers.companies)} companies "
        f"(seed {seed}) in {time.perf_counter() - started:.1f} s"
    )


@click.command("demo")
@click.option("--path", type=click.Path(dir_okay=False, path_type=Path), default=DEMO_FILE,
              show_default=True, help="The SQLite file to build (replaced if it exists).")
@click.option("--tickets", "count", type=click.IntRange(min=1), default=2000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@pass_app
def demo(app: AppContext, path: Path, count: int, seed: int) -> None:
    """Build a sample desk into an SQLite file — companies (client, partner,
    VIP), contacts, contracts, Czech and Slovak calendars, an SLA table with a
    catch-all, tickets with postpones, reopens, priority changes and deadlines
    set by hand — then show its SLA report summary and dashboard.

    In 30 lines: the SLA summary per rule, the dashboard in three lines, what
    the report's words mean; the dashboard chart is drawn beside the file
    (demo-dashboard.png for demo.sqlite3).

    Uses --config when given, else the demo configuration: examples/demo.toml
    when run in a checkout, otherwise written beside the file, for the
    commands it suggests next. The desk goes to --path, never to the --db
    store (the demo replaces its file); the suggested commands name both
    files and run as printed from the current folder (as .venv/bin/helpdesk
    when that is the helpdesk running and not the one on the PATH).
    """
    if app.config_path is not None:
        config = app.config
        config_file = app.config_path
    else:
        config = parse_configuration(DEMO_CONFIGURATION, source="demo configuration")
        config_file = _demo_configuration_file(path)
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    store = open_store(str(path))
    try:
        customers = sample_customers(seed)
        save_customers(store, customers)
        stored, events = save_tickets(
            store,
            sample_tickets(seed, count, customers=customers, end=DEMO_END, days=120),
            config=config,
            customers=customers,
        )
        console = Console(width=None if sys.stdout.isatty() else 120)
        console.print(Text.assemble(
            cell(path, "bold"),
            f": {stored} tickets, {events} events, {len(customers.companies)} companies, "
            f"{len(customers.contacts)} contacts (seed {seed})",
        ), soft_wrap=True)
        zone = home_zone(config)
        example = _show_report(store, config, console, as_of_words(DEMO_END, zone.key))
        board = dashboard(
            stored_tickets(store),
            policy=config.sla,
            graph=config.graph,
            as_of=DEMO_END,
            zone=zone,
            customers=customer_directory(store),
        )
        chart = chart_path(path)
        draw_chart(board, chart)
        _show_dashboard(board, chart, console)
        _show_words(policy_of(config).at_risk_share, console)
    finally:
        store.close()
    prefix = f"{invoked_as()} --db {shown_path(path)} --config {shown_path(config_file)}"
    console.print("Try next:", style="bold")
    for command in (
        f"sla report --as-of {DEMO_END.isoformat()} --group-by company --state breached",
        f"sla explain {example} --as-of {DEMO_END.isoformat()}",
        f"sla report --as-of {DEMO_END.isoformat()} --format xlsx --output sla.xlsx",
    ):
        console.print(cell(f"  {prefix} {command}"), highlight=False, soft_wrap=True)


def _demo_configuration_file(path: Path) -> Path:
    """A file holding the demo configuration: the checkout's example, else one
    written beside the demo store."""
    example = Path("examples") / "demo.toml"
    if example.is_file() and example.read_text(encoding="utf-8") == DEMO_CONFIGURATION:
        return example
    beside = path.with_suffix(".toml")
    beside.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    return beside


def chart_path(path: Path) -> Path:
    """Where the demo draws its dashboard chart: beside its store,
    ``demo.sqlite3`` → ``demo-dashboard.png``."""
    return path.with_name(f"{path.stem}-dashboard.png")


def _show_report(store: Store, config: Configuration, console: Console, as_of: str) -> str:
    """Print the SLA summary per rule; return a ticket worth explaining (a
    breached one that was postponed, else the first)."""
    example: str | None = None
    policy = policy_of(config)
    tally = GroupedTally(by=GroupBy.RULE)
    lines = report_lines(
        stored_tickets(store),
        policy=policy,
        graph=config.graph,
        as_of=DEMO_END,
        customers=customer_directory(store),
    )
    for line in lines:
        tally.add(line)
        row = line.row
        if example is None and row.state is SlaState.BREACHED and row.paused_minutes:
            example = row.ticket
    groups = tally.summaries(group_order(config, policy, GroupBy.RULE))
    table = summary_table(f"SLA report as of {as_of}, per rule", GroupBy.RULE.value, groups,
                          tally.total.summary())
    # the demo fits a 30-row screen of 80 columns: no empty lines above and
    # below, one space between columns, rule names whole; on a narrow screen
    # the headings fold at their spaces (rich would crop them to "react…")
    table.show_edge = table.pad_edge = False
    table.padding = (0, 0)  # the box draws a blank between columns
    table.columns[0].no_wrap = True
    if console.width < 100:
        for column in table.columns[1:]:
            column.header = str(column.header).replace(" ", "\n")
    console.print(table)
    return example or "T-1"


def _show_dashboard(board: Dashboard, chart: Path, console: Console) -> None:
    """The dashboard in three lines: where its chart is, the counters now,
    the flow of the period (the days themselves are in the chart and in
    ``helpdesk report dashboard``)."""
    console.print(Text.assemble("Dashboard (chart: ", cell(chart, "bold"), "):"), soft_wrap=True)
    counters = ", ".join(f"{value} {name}" for name, value in board.counters().items())
    console.print(f"  {counters}", highlight=False, soft_wrap=True)
    created = sum(d.created for d in board.days)
    resolved = sum(d.resolved for d in board.days)
    console.print(
        f"  {len(board.days)} days to {as_of_words(board.as_of, board.zone)}: {created} created, "
        f"{resolved} resolved",
        highlight=False, soft_wrap=True,
    )


def _show_words(at_risk_share: float, console: Console) -> None:
    """One line each on the words of the report and the dashboard an admin
    meets first."""
    for line in words(at_risk_share):
        console.print(f"  {line}", highlight=False, soft_wrap=True)


def words(at_risk_share: float) -> tuple[str, ...]:
    """The demo's explanations, each one line that fits 80 columns indented."""
    return (
        f"at risk:    running, less than {at_risk_share:.0%} of a target's working time left",
        "no SLA:     no rule applies, no deadline set by hand: nothing to judge",
        "reaction %: in time / judged (achieved or past due); resolution % alike",
        "breached:   in the report, a target missed, ever, even if resolved since",
        "overdue:    on the dashboard, open now and breached (resolved: never)",
    )
