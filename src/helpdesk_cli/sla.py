"""``helpdesk sla report``, ``explain``, ``whatif`` and ``lint``.

Rows go to standard output (or ``--output``), summaries to standard error, so
``helpdesk sla report --format jsonl > rows.jsonl`` keeps the file clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import click

from helpdesk_cli.choices import Choice
from helpdesk_cli.collection import few_collections
from helpdesk_cli.context import AppContext
from helpdesk_cli.instants import OPTION_YEARS as OPTION_YEARS
from helpdesk_cli.instants import day_or_instant as day_or_instant
from helpdesk_cli.instants import instant as instant
from helpdesk_cli.instants import now as now
from helpdesk_cli.output import ENCODED_FORMATS, FORMATS, emit_encoded, emit_rows, emit_spooled
from helpdesk_cli.report_jobs import (
    EVERY_REGISTRATION,
    RangeReport,
    RegistrationWindow,
    ReportJob,
    Workers,
    available_cpus,
    default_jobs,
    parallel_available,
    range_size,
    ranges,
    registration_window,
    run_ranges,
    shareable,
    sla_row_encoder,
)
from helpdesk_cli.sla_table import report_layouts
from helpdesk_cli.terminal import cell, shown
from helpdesk_core.config import Configuration, load_configuration
from helpdesk_core.desk.filters import check_report_filter
from helpdesk_core.errors import ConfigError
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.reports import (
    WHATIF_COLUMNS,
    GroupBy,
    GroupedTally,
    ReportFilter,
    Side,
    SlaSummary,
    WhatIfTally,
    compare,
)
from helpdesk_core.reports.customers import customer_directory
from helpdesk_core.reports.stored_report import ReportReading, report_source, sla_report_lines
from helpdesk_core.rules import lint
from helpdesk_core.sla import REPORT_COLUMNS, SlaPolicy, SlaState, explain
from helpdesk_core.storage import Store

if TYPE_CHECKING:
    from rich.table import Table

pass_app = click.make_pass_decorator(AppContext)
T = TypeVar("T")

INSTANT_COLUMNS = ("reaction_due", "reacted_at", "resolution_due", "resolved_at", "as_of")
"""Report columns holding instants (date cells in XLSX)."""
_PROGRESS_EVERY = 1000
"""Tickets between two updates of the progress bar."""


# -- option values ---------------------------------------------------------------------


def home_zone(config: Configuration) -> ZoneInfo:
    """The zone in which the desk's days begin and end: the zone of the first
    configured calendar, UTC without calendars."""
    for calendar in config.calendars.values():
        return calendar.zone
    return ZoneInfo("UTC")


def start_of(value: date | datetime | None, zone: ZoneInfo) -> datetime | None:
    """The first instant of a ``--from`` value (a day begins at local midnight)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time(), tzinfo=zone)


def end_of(value: date | datetime | None, zone: ZoneInfo) -> datetime | None:
    """The first instant after a ``--to`` value (a day is included whole, an
    instant is included)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value + timedelta(microseconds=1)
    return datetime.combine(value + timedelta(days=1), time(), tzinfo=zone)


def policy_of(config: Configuration) -> SlaPolicy:
    """The configured SLA policy; a configuration without rules is refused."""
    policy = config.sla
    if policy is None:
        raise ConfigError(
            f"{config.source}: no SLA rules are configured (add [[sla.rules]] to helpdesk.toml)"
        )
    return policy


# -- the store -------------------------------------------------------------------------


def stored_tickets(
    store: Store, *, company: str | None = None, window: RegistrationWindow = EVERY_REGISTRATION
) -> Iterator[Ticket]:
    """Every ticket with its history (registered inside ``window``: at least
    those), oldest first, streamed from the store."""
    for stored in store.tickets.iter_tickets(company=company, after=window[0], through=window[1]):
        yield stored.value


@contextmanager
def progress(
    tickets: Iterable[T],
    total: int | None,
    what: str,
    *,
    size: Callable[[T], int] | None = None,
    hidden: bool = False,
) -> Iterator[Iterable[T]]:
    """``tickets`` counted on a progress bar on standard error — only when
    standard error is a terminal, so pipes, files and cron mail stay clean,
    and not when ``hidden`` (a table streamed to the terminal: its rows show
    the progress). ``size`` tells how many tickets an item stands for (default one)."""
    if hidden or not sys.stderr.isatty():
        yield tickets
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        f"[bold]{what}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(what, total=total)

        def counted() -> Iterator[T]:
            pending = 0
            for ticket in tickets:
                yield ticket
                pending += 1 if size is None else size(ticket)
                if pending >= _PROGRESS_EVERY:
                    bar.advance(task, pending)
                    pending = 0
            bar.advance(task, pending)

        yield counted()


# -- summaries -------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value}%"


def summary_line(summary: SlaSummary) -> str:
    """One line: ticket counts by state and both compliance percentages."""
    states = summary.states
    return (
        f"{summary.tickets} tickets: {states.get('breached', 0)} breached, "
        f"{states.get('at_risk', 0)} at risk, "
        f"{states.get('running', 0)} running, {states.get('met', 0)} met, "
        f"{states.get('no_sla', 0)} without SLA; "
        f"reaction compliance {_pct(summary.reaction_compliance)}, "
        f"resolution compliance {_pct(summary.resolution_compliance)}"
    )


def summary_table(
    title: str, by: str, groups: Iterable[tuple[str, SlaSummary]], total: SlaSummary
) -> Table:
    """The per-group summaries as a table: a row per group under the ``by``
    column, the counts by state and both compliance percentages, then ``all``."""
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD)
    counts = ("tickets", "breached", "at risk", "running", "met", "no SLA")
    for heading in (by, *counts, "reaction %", "resolution %"):
        table.add_column(heading, justify="left" if heading == by else "right")
    for key, summary, style in [*((k, s, None) for k, s in groups), ("all", total, "bold")]:
        states = summary.states
        table.add_row(
            cell(key),
            str(summary.tickets),
            *(str(states.get(state, 0)) for state in ("breached", "at_risk", "running", "met", "no_sla")),
            _pct(summary.reaction_compliance).rstrip("%"),
            _pct(summary.resolution_compliance).rstrip("%"),
            style=style,
        )
    return table


def group_order(config: Configuration, policy: SlaPolicy, by: GroupBy | None) -> tuple[str, ...]:
    """The order a person expects the groups in: priorities from the most
    urgent down, ticket types as the catalog lists them, rules in the table's
    evaluation order; other values (and values no longer configured) follow in
    natural order."""
    if by is GroupBy.RULE:
        return policy.rule_names()
    if by is GroupBy.PRIORITY:
        return tuple(reversed(config.catalogs.known_values().get("priority", ())))
    if by is GroupBy.TYPE:
        return config.catalogs.known_values().get("type", ())
    return ()


# -- commands --------------------------------------------------------------------------


@click.group("sla")
def sla_group() -> None:
    """SLA reports, explanations, policy what-ifs and rule-table checks."""


@sla_group.command("report")
@click.option("--as-of", callback=instant, help="Evaluate as of this instant (default: now).")
@click.option("--from", "created_from", callback=day_or_instant, metavar="DATE",
              help="Only tickets registered on or after this day (or instant).")
@click.option("--to", "created_to", callback=day_or_instant, metavar="DATE",
              help="Only tickets registered on or before this day (or instant).")
@click.option("--company", default=None, help="Only tickets of this company id (an unknown id is refused).")
@click.option("--assignee", default=None, help="Only tickets this employee or group id is responsible for.")
@click.option("--priority", default=None, help="Only tickets of this priority id.")
@click.option("--state", "states", multiple=True, type=Choice([s.value for s in SlaState]),
              help="Only rows in this state (repeat for several).")
@click.option("--group-by", type=Choice([g.value for g in GroupBy]), default=None,
              help="Also summarise per priority, company, assignee, rule or type.")
@click.option("--format", "fmt", type=Choice(FORMATS), default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the rows to FILE instead of standard output (required for xlsx).")
@click.option("--fail-on-breach", is_flag=True, help="Exit with code 1 when any reported row is breached.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the CPUs for a shared store of 20,000 tickets "
                   "or more, else 1). The output is the same whatever the number.")
@click.option("--recompute", is_flag=True,
              help="Fold every ticket's history instead of reading its stored SLA state "
                   "(the same rows, slower).")
@pass_app
def report(
    app: AppContext,
    as_of: datetime | None,
    created_from: date | datetime | None,
    created_to: date | datetime | None,
    company: str | None,
    assignee: str | None,
    priority: str | None,
    states: tuple[str, ...],
    group_by: str | None,
    fmt: str,
    output: Path | None,
    fail_on_breach: bool,
    jobs: int | None,
    recompute: bool,
) -> None:
    """One SLA row per ticket (the columns of docs/formats.md), then a summary on
    standard error: counts by state and compliance, per group with --group-by.

    Dates (--from, --to) are days of the desk's home zone, the zone of the
    first configured calendar; the table and XLSX date cells show its times
    there, to the minute; CSV and JSON keep each instant's offset. The table
    fits the terminal (or COLUMNS), keeping ticket, state, reaction and
    resolution whole; in a file or a pipe without COLUMNS every column is
    written whole.

    As of an instant at or after the store's latest event (now, by default)
    the rows come from each ticket's stored SLA state; a ticket whose state
    is stale or missing is folded from its history (said once on standard
    error: `helpdesk sla rebuild` refreshes them). An earlier --as-of, or
    --recompute, folds every ticket.
    """
    config = app.config
    policy = policy_of(config)
    zone = home_zone(config)
    start, end = start_of(created_from, zone), end_of(created_to, zone)
    if start is not None and end is not None and end <= start:
        raise click.BadParameter("--to is before --from", param_hint="'--to'")
    only = ReportFilter(
        created_from=start,
        created_before=end,
        company=company,
        assignee=assignee,
        priority=priority,
        states=states,
    )
    store = app.existing_store
    check_report_filter(store, only, catalogs=config.catalogs)  # a typo is refused, not an empty report
    as_of = as_of or now()
    source = report_source(store, config, as_of, recompute=recompute)
    reading = ReportReading()
    window = registration_window(start, end)
    tally = GroupedTally(by=None if group_by is None else GroupBy(group_by))
    total = store.tickets.count() if company is None else None
    if jobs is None:
        jobs = default_jobs(store.url, total)
    if fmt == "xlsx" and output is None:
        emit_rows((), REPORT_COLUMNS, fmt, output)  # refuses, before any work
    layouts = report_layouts(zone)
    rows_on_screen = _rows_on_screen(fmt, output)
    bounds: list[RegistrationWindow] = []  # (after, through) of each range
    if jobs > 1 and shareable(store.url) and parallel_available():
        every = range_size(total if total is not None else store.tickets.count(), min(jobs, available_cpus()))
        bounds = ranges(store.tickets.positions(every, company=company))
        workers = Workers(asked=jobs, cpus=available_cpus(), ranges=len(bounds))
        note = workers.note()
        if note is not None:
            click.echo(note, err=True)
        jobs = workers.count
    else:
        jobs = 1  # a private store (memory://) or a platform without fork: one process
    if jobs > 1:
        job = ReportJob(store.url, as_of, only, tally.by, fmt, REPORT_COLUMNS, window,
                        fingerprint=source.fingerprint)
        spool = fmt in ENCODED_FORMATS and output is not None
        parts = run_ranges(job, policy=policy, config=config, jobs=jobs, bounds=bounds, spool=spool)
        counting = progress(parts, total, "SLA report", size=lambda part: part.tickets, hidden=rows_on_screen)
        with closing(parts), counting as counted:
            if output is not None and spool:
                emit_spooled(_spooled(counted, tally, reading), REPORT_COLUMNS, fmt, output)
            elif fmt in ENCODED_FORMATS:
                emit_encoded(_merged(counted, tally, reading), REPORT_COLUMNS, fmt, output)
            else:
                emit_rows(_merged(counted, tally, reading), REPORT_COLUMNS, fmt, output,
                          instants=INSTANT_COLUMNS, zone=zone, table=layouts)
    else:
        lines = sla_report_lines(store, source, as_of=as_of, only=only, after=window[0], through=window[1],
                                 reading=reading)
        shown = total if window == EVERY_REGISTRATION else None
        steps = _tickets_read(reading)
        counting_lines = progress(lines, shown, "SLA report", size=steps, hidden=rows_on_screen)
        with few_collections(), counting_lines as shown_lines:
            encode = sla_row_encoder(fmt, REPORT_COLUMNS)
            if encode is not None:
                encoded = (encode(tally.add(line).row) for line in shown_lines)
                emit_encoded(encoded, REPORT_COLUMNS, fmt, output)
            else:
                rows = (tally.add(line).row.to_json() for line in shown_lines)
                emit_rows(rows, REPORT_COLUMNS, fmt, output, instants=INSTANT_COLUMNS, zone=zone,
                          table=layouts)
    summary = tally.total.summary()
    _show_summary(tally, group_order(config, policy, tally.by))
    warning = reading.warning()
    if warning is not None:  # once, after the summary: how many were folded, and the cure
        click.echo(warning, err=True)
    if fail_on_breach and summary.states.get(SlaState.BREACHED.value, 0):
        sys.exit(1)


def _rows_on_screen(fmt: str, output: Path | None) -> bool:
    """Whether a table goes to the terminal as it is computed (no progress bar then)."""
    return fmt == "table" and output is None and sys.stdout.isatty()


def _show_summary(tally: GroupedTally, order: Sequence[str]) -> None:
    """The summary on standard error: on a terminal, a table per group above
    the total line; elsewhere (pipes, files, cron mail) one line per group
    after it."""
    total = tally.total.summary()
    if tally.by is None:
        click.echo(summary_line(total), err=True)
        return
    groups = tally.summaries(order)
    if sys.stderr.isatty():
        from rich.console import Console

        console = Console(stderr=True)
        console.print(summary_table(f"SLA summary per {tally.by.value}", tally.by.value, groups, total))
        console.print(summary_line(total), highlight=False, soft_wrap=True)
        return
    click.echo(summary_line(total), err=True)
    for key, group in groups:
        click.echo(f"  {tally.by.value} {shown(key)}: {summary_line(group)}", err=True)


def _tickets_read(reading: ReportReading) -> Callable[[object], int]:
    """How many tickets were read since the last call (the progress bar's step
    per line: a filter leaves tickets out)."""
    counted = 0

    def since(_: object) -> int:
        nonlocal counted
        step, counted = reading.read - counted, reading.read
        return step

    return since


def _merged(parts: Iterable[RangeReport], tally: GroupedTally, reading: ReportReading) -> Iterator[Any]:
    """The rows of each range in order, merging each range's tally into
    ``tally`` and what it read into ``reading``."""
    for part in parts:
        tally.merge(part.tally)
        reading.merge(part.reading)
        yield from part.rows


def _spooled(parts: Iterable[RangeReport], tally: GroupedTally, reading: ReportReading) -> Iterator[str]:
    """The spool file of each range in order, merging each range's tally into
    ``tally`` and what it read into ``reading``."""
    for part in parts:
        tally.merge(part.tally)
        reading.merge(part.reading)
        if part.file is not None:
            yield part.file


@sla_group.command("explain")
@click.argument("ticket_id")
@click.option("--as-of", callback=instant, help="Evaluate as of this instant (default: now).")
@pass_app
def explain_ticket(app: AppContext, ticket_id: str, as_of: datetime | None) -> None:
    """Why a ticket's SLA is what it is: the rule and why, each counted and
    paused segment, the holidays skipped, the due instants."""
    config = app.config
    policy = policy_of(config)
    store = app.existing_store
    ticket = store.tickets.get(ticket_id).value
    customer = customer_directory(store)(ticket)
    timeline = explain(ticket, policy=policy, graph=config.graph, as_of=as_of or now(), customer=customer)
    for line in timeline.lines():
        click.echo(shown(line))


@sla_group.command("whatif")
@click.option("--config", "other_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The proposed configuration (helpdesk.toml) to compare with the one in force.")
@click.option("--as-of", callback=instant, help="Evaluate as of this instant (default: now).")
@click.option("--format", "fmt", type=Choice(FORMATS), default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the changed tickets to FILE instead of standard output.")
@pass_app
def whatif(app: AppContext, other_path: Path, as_of: datetime | None, fmt: str, output: Path | None) -> None:
    """Re-evaluate the same histories under another configuration: the tickets
    whose SLA state would change (on standard output), then both summaries and
    the change in compliance (on standard error). Nothing is stored."""
    config = app.config
    current = Side(policy_of(config), config.graph)
    other = load_configuration(other_path)
    proposed = Side(policy_of(other), other.graph)
    store = app.existing_store
    tally = WhatIfTally()
    zone = home_zone(config)
    on_screen = _rows_on_screen(fmt, output)
    counting = progress(stored_tickets(store), store.tickets.count(), "What-if", hidden=on_screen)
    with counting as tickets:
        comparisons = compare(
            tickets, current=current, proposed=proposed, as_of=as_of or now(),
            customers=customer_directory(store),
        )
        changed: Iterable[dict[str, Any]] = (
            c.to_json() for c in map(tally.add, comparisons) if c.state_changed
        )
        if fmt == "table":
            emit_rows(changed, _WHATIF_TABLE_COLUMNS, fmt, output, instants=_WHATIF_INSTANTS, zone=zone)
        else:
            emit_rows(changed, WHATIF_COLUMNS, fmt, output, instants=_WHATIF_INSTANTS, zone=zone)
    summary = tally.summary()
    click.echo(f"current  ({config.source}): {summary_line(summary.before)}", err=True)
    click.echo(f"proposed ({other.source}): {summary_line(summary.after)}", err=True)
    click.echo(
        f"{summary.changed} tickets change state; reaction compliance "
        f"{_points(summary.reaction_change)}, resolution compliance {_points(summary.resolution_change)}",
        err=True,
    )
    for (before, after), count in sorted(summary.transitions.items()):
        click.echo(f"  {before} -> {after}: {count}", err=True)
        for cause, many in summary.causes_of((before, after)):
            click.echo(f"    {many:>{len(str(count))}}  {shown(cause)}", err=True)
    click.echo(
        f"deadlines move: reaction for {summary.reaction_moved} tickets, resolution for "
        f"{summary.resolution_moved} (whether their state changes or not)",
        err=True,
    )


_WHATIF_INSTANTS = (
    "resolution_due_before", "resolution_due_after", "reaction_due_before", "reaction_due_after",
)
_WHATIF_TABLE_COLUMNS = (
    "ticket", "state_before", "state_after", "cause",
    "reaction_due_before", "reaction_due_after", "resolution_due_before", "resolution_due_after",
)
"""The what-if table in the order a person reads it: the cause names the rules."""


def _points(value: float | None) -> str:
    return "not comparable" if value is None else f"{value:+.1f} points"


@sla_group.command("lint")
@pass_app
def lint_rules(app: AppContext) -> None:
    """Check the SLA rule table: shadowed rules, rules that never match, gaps.
    Exits with code 1 when something is found."""
    policy = policy_of(app.config)
    findings = lint(policy.table, app.config.catalogs.known_values(), calendars=tuple(policy.calendars))
    for finding in findings:  # each message names its rule itself
        click.echo(shown(f"{finding.kind}: {finding.message}"))
    if findings:
        sys.exit(1)
    click.echo("no findings")


from helpdesk_cli.sla_rebuild import rebuild_command  # noqa: E402 (a command of this group, in its own module)

sla_group.add_command(rebuild_command)
