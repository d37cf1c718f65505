"""``helpdesk sla report``, ``helpdesk sla explain`` and ``helpdesk sla lint``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from helpdesk_cli.context import AppContext
from helpdesk_cli.output import FORMATS, write_rows
from helpdesk_core.errors import ConfigError
from helpdesk_core.reports import SlaTally, sla_rows
from helpdesk_core.rules import lint
from helpdesk_core.sla import REPORT_COLUMNS, SlaPolicy, SlaState, explain

pass_app = click.make_pass_decorator(AppContext)


def instant(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """An ISO-8601 date-time with an offset; a plain date means its midnight UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO-8601 date-time (e.g. 2026-03-02T09:15:00+01:00)"
        ) from None
    if parsed.tzinfo is None:
        if len(value) == 10:
            return parsed.replace(tzinfo=UTC)
        raise click.BadParameter(f"{value!r} has no UTC offset (e.g. 2026-03-02T09:15:00+01:00)")
    return parsed


def _policy(app: AppContext) -> SlaPolicy:
    policy = app.config.sla
    if policy is None:
        raise ConfigError(
            f"{app.config.source}: no SLA rules are configured (add [[sla.rules]] to helpdesk.toml)"
        )
    return policy


def _now() -> datetime:
    return datetime.now(UTC)


@click.group("sla")
def sla_group() -> None:
    """SLA reports, explanations and rule-table checks."""


@sla_group.command("report")
@click.option("--as-of", callback=instant, help="Evaluate as of this instant (default: now).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the rows to FILE instead of standard output.")
@click.option("--fail-on-breach", is_flag=True, help="Exit with code 1 when any row is breached.")
@pass_app
def report(app: AppContext, as_of: datetime | None, fmt: str, output: Path | None,
           fail_on_breach: bool) -> None:
    """One SLA row per ticket (the columns of FORMATS.md), then a summary on stderr."""
    policy = _policy(app)
    tally = SlaTally()
    rows = (
        tally.add(row).to_json()
        for row in sla_rows(app.store.iter_tickets(), policy=policy, graph=app.config.graph,
                            as_of=as_of or _now())
    )
    columns = REPORT_COLUMNS if fmt in ("table", "csv") else ()
    if output is None:
        write_rows(rows, columns, fmt, sys.stdout)
    else:
        with output.open("w", encoding="utf-8", newline="") as file:
            write_rows(rows, columns, fmt, file)
    summary = tally.summary()
    click.echo(_summary_line(summary.to_json()), err=True)
    if fail_on_breach and summary.states.get(SlaState.BREACHED.value, 0):
        sys.exit(1)


def _summary_line(summary: dict[str, object]) -> str:
    def pct(value: object) -> str:
        return "-" if value is None else f"{value}%"

    return (
        f"{summary['tickets']} tickets: {summary['breached']} breached, {summary['at_risk']} at risk, "
        f"{summary['running']} running, {summary['met']} met, {summary['no_sla']} without SLA; "
        f"reaction compliance {pct(summary['reaction_compliance'])}, "
        f"resolution compliance {pct(summary['resolution_compliance'])}"
    )


@sla_group.command("explain")
@click.argument("ticket_id")
@click.option("--as-of", callback=instant, help="Evaluate as of this instant (default: now).")
@pass_app
def explain_ticket(app: AppContext, ticket_id: str, as_of: datetime | None) -> None:
    """Why a ticket's SLA is what it is: the rule, each segment, the due instants."""
    ticket = app.store.get_ticket(ticket_id)
    timeline = explain(ticket, policy=_policy(app), graph=app.config.graph, as_of=as_of or _now())
    for line in timeline.lines():
        click.echo(line)


@sla_group.command("lint")
@pass_app
def lint_rules(app: AppContext) -> None:
    """Check the SLA rule table: shadowed rules, rules that never match, gaps.
    Exits with code 1 when something is found."""
    policy = _policy(app)
    findings = lint(policy.table, app.config.catalogs.known_values(), calendars=tuple(policy.calendars))
    for finding in findings:
        where = f"rule {finding.rule!r}: " if finding.rule else ""
        click.echo(f"{finding.kind}: {where}{finding.message}")
    if findings:
        sys.exit(1)
    click.echo("no findings")
