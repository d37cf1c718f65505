"""``helpdesk report dashboard``: what needs attention now, and the flow of
work per day — as tables, as JSON, and as a chart (PNG or SVG).
``helpdesk report workload``: each agent's open load, capacity and hours."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from helpdesk_cli.choices import Choice
from helpdesk_cli.context import AppContext
from helpdesk_cli.output import OutputUnwritable, emit_rows
from helpdesk_cli.output_files import whole_output
from helpdesk_cli.sla import (
    day_or_instant,
    home_zone,
    instant,
    now,
    progress,
)
from helpdesk_cli.terminal import shown
from helpdesk_core.desk.dashboard import read_dashboard
from helpdesk_core.errors import ValidationError
from helpdesk_core.extras import require_extra
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.reports import Dashboard, default_period
from helpdesk_core.reports.dashboard import MAX_DAYS, check_period

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from helpdesk_core.routing.load import WorkloadRow

pass_app = click.make_pass_decorator(AppContext)

CHART_SUFFIXES = (".png", ".svg")
_BARS_UP_TO = 31
"""Days drawn as paired bars; longer periods are drawn as two lines."""


@click.group("report")
def report_group() -> None:
    """Operational reports over the stored tickets."""


def _day(value: date | datetime | None, zone_of: AppContext) -> date | None:
    if value is None or not isinstance(value, datetime):
        return value
    return value.astimezone(home_zone(zone_of.config)).date()


@report_group.command("dashboard")
@click.option("--as-of", callback=instant, help="Count as of this instant (default: now).")
@click.option("--from", "first", callback=day_or_instant, metavar="DATE",
              help="First day of the created/resolved table (default: 13 days before the default --to; "
                   f"at most {MAX_DAYS} days before --to).")
@click.option("--to", "last", callback=day_or_instant, metavar="DATE",
              help="Last day of the created/resolved table (default: the day of --as-of; "
                   "the day before when --as-of is a local midnight).")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also draw the dashboard into FILE.png or FILE.svg.")
@click.option("--format", "fmt", type=Choice(["table", "json"]), default="table", show_default=True)
@pass_app
def dashboard_command(
    app: AppContext,
    as_of: datetime | None,
    first: date | datetime | None,
    last: date | datetime | None,
    chart: Path | None,
    fmt: str,
) -> None:
    """Open, overdue, in progress, due today and without responsible; tickets
    created and resolved per day. Days are those of the desk's home zone (the
    first configured calendar's); without SLA rules nothing is overdue."""
    if chart is not None and chart.suffix.lower() not in CHART_SUFFIXES:
        raise click.BadParameter(f"{str(chart)!r}: expected a .png or .svg file", param_hint="'--chart'")
    if chart is not None:
        require_extra("charts", "--chart")  # before the dashboard is computed
    config = app.config
    zone = home_zone(config)
    when = as_of or now()
    default_first, default_last = default_period(when, zone)
    first_day = _day(first, app) or default_first
    last_day = _day(last, app) or default_last
    if last_day < first_day:
        raise click.BadParameter("--to is before --from", param_hint="'--to'")
    try:
        check_period(first_day, last_day)
    except ValidationError as error:
        raise click.BadParameter(str(error), param_hint="'--from' / '--to'") from None
    store = app.existing_store

    @contextmanager
    def watched(stream: Iterable[Ticket]) -> Iterator[Iterable[Ticket]]:
        with progress(stream, None, "Dashboard") as counted:
            yield counted

    with ExitStack() as bars:
        board = read_dashboard(
            store,
            config,
            as_of=when,
            first_day=first_day,
            last_day=last_day,
            tickets=lambda stream: bars.enter_context(watched(stream)),
        )
    for warning in board.warnings:
        click.echo(f"Warning: {shown(warning)}", err=True)
    if fmt == "json":
        click.echo(json.dumps(board.to_json(), ensure_ascii=False, indent=2))
    else:
        show_dashboard(board, Console())
    if chart is not None:
        draw_chart(board, chart)
        click.echo(f"chart written to {chart}", err=True)


def show_dashboard(board: Dashboard, console: Console) -> None:
    """The counters, then created vs resolved per day, as two tables."""
    counters = Table(title=f"Dashboard as of {as_of_words(board.as_of, board.zone)}", show_header=True)
    for name in board.counters():
        counters.add_column(name, justify="right")
    counters.add_row(*(str(n) for n in board.counters().values()))
    console.print(counters)
    days = Table(title=f"Created and resolved per day ({board.zone})")
    days.add_column("day")
    days.add_column("created", justify="right")
    days.add_column("resolved", justify="right")
    partial = _partial_day(board)
    for day in board.days:
        label = f"{day.day.isoformat()} {day.day.strftime('%a')}"
        if partial is not None and day.day == partial[0]:
            label += f" (until {partial[1]})"
        days.add_row(label, str(day.created), str(day.resolved))
    days.add_row("total", str(sum(d.created for d in board.days)), str(sum(d.resolved for d in board.days)),
                 style="bold")
    console.print(days)


def _partial_day(board: Dashboard) -> tuple[date, str] | None:
    """The day the dashboard's instant cuts short, with the local time it ends
    at (``HH:MM``); None when the instant is a midnight."""
    local = board.as_of.astimezone(ZoneInfo(board.zone))
    if local.time() == time():
        return None
    return local.date(), f"{local:%H:%M}"


def as_of_words(as_of: datetime, zone: str) -> str:
    """An instant as a person at the desk reads it: local date and time in the
    desk's home zone, to the minute, the zone named
    (``2026-04-08 12:00 Europe/Prague``) — never seconds or microseconds."""
    return f"{as_of.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


def dashboard_figure(board: Dashboard) -> Figure:
    """The dashboard drawn as a matplotlib figure: created vs resolved per day
    as paired bars (lines beyond a month), days and the title in the desk's
    home zone, the counters above them. The y axis counts whole tickets from 0
    (an empty period gets 0–1, not matplotlib's −0.04…0.04)."""
    require_extra("charts", "a chart")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    days = [d.day for d in board.days]
    positions = range(len(days))
    created = [d.created for d in board.days]
    resolved = [d.resolved for d in board.days]
    inches = min(14.0, max(8.0, 0.45 * len(days) + 3))
    figure = Figure(figsize=(inches, 5.0), layout="constrained")
    axes = figure.add_subplot()
    if len(days) <= _BARS_UP_TO:
        width = 0.4
        axes.bar([p - width / 2 for p in positions], created, width, label="created", color="#4682b4")
        axes.bar([p + width / 2 for p in positions], resolved, width, label="resolved", color="#2e8b57")
    else:
        axes.plot(list(positions), created, label="created", color="#4682b4", linewidth=1.8)
        axes.plot(list(positions), resolved, label="resolved", color="#2e8b57", linewidth=1.8)
        axes.set_xlim(-0.5, len(days) - 0.5)
    highest = max([*created, *resolved, 0])
    axes.set_ylim(0, highest * 1.08 if highest else 1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=2))
    step = max(1, len(days) // 20)
    partial = _partial_day(board)
    labels = [f"{d:%a}\n{d:%d.%m.}" for d in days]
    if partial is not None and partial[0] in days:
        labels[days.index(partial[0])] += f"\nuntil {partial[1]}"
    axes.set_xticks(list(positions)[::step], labels[::step], fontsize=8)
    axes.set_ylabel(f"tickets per day ({board.zone})")
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="upper left")
    counters = "   ".join(f"{name}: {value}" for name, value in board.counters().items())
    figure.suptitle(f"Help desk as of {as_of_words(board.as_of, board.zone)}", fontsize=13, fontweight="bold")
    axes.set_title(counters, fontsize=10)
    return figure


def draw_chart(board: Dashboard, path: Path) -> None:
    """:func:`dashboard_figure` written to ``path`` (PNG or SVG, by its suffix;
    matplotlib's Agg renderer, no display needed)."""
    figure = dashboard_figure(board)
    try:
        with whole_output(path) as whole:
            figure.savefig(whole, dpi=110, format=path.suffix.lower().lstrip("."))
    except OSError as error:
        raise OutputUnwritable(f"{path}: cannot write the chart: {error.strerror or error}") from None


WORKLOAD_COLUMNS = ("employee", "name", "active", "load", "by_status", "capacity", "at_capacity", "working")
"""The workload report's columns (docs/routing.md, "Workload report")."""
_NONE = "—"


def _yes(value: bool | None) -> str:
    return _NONE if value is None else "yes" if value else "no"


def _workload_cells(row: WorkloadRow) -> dict[str, object]:
    """A row as the table and CSV show it: yes/no, "—" for no capacity limit
    or no calendar, the counts by status as ``status count`` pairs."""
    by_status = ", ".join(f"{status} {count}" for status, count in row.by_status.items())
    return {
        "employee": row.employee,
        "name": row.name,
        "active": _yes(row.active),
        "load": row.load,
        "by_status": by_status or _NONE,
        "capacity": _NONE if row.capacity is None else row.capacity,
        "at_capacity": _yes(row.at_capacity),
        "working": _yes(row.working),
    }


@report_group.command("workload")
@click.option("--at", "at", callback=instant, metavar="DATETIME",
              help="The load and the working hours at this instant, with a UTC offset (default: now).")
@click.option("--format", "fmt", type=Choice(["table", "json", "csv"]), default="table", show_default=True)
@pass_app
def workload_command(app: AppContext, at: datetime | None, fmt: str) -> None:
    """Each employee's load — their tickets in statuses counting toward load
    (`counts_toward_load`), by status —, their capacity, whether they are at
    it, and whether the instant is inside their working hours (— without a
    calendar of their own). Tickets held by a group count for nobody; an
    employee the store does not know who holds tickets gets a row too."""
    from helpdesk_core.desk.workload import workload_report

    rows = workload_report(app.existing_store, app.config, at or now())
    shown_rows = (row.to_json() for row in rows) if fmt == "json" else (_workload_cells(row) for row in rows)
    emit_rows(shown_rows, WORKLOAD_COLUMNS, fmt, None)
