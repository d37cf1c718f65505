"""``helpdesk routing …``: the routing table of ``helpdesk.toml``
(docs/routing.md)."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import IO

import click

from helpdesk_cli.context import AppContext
from helpdesk_cli.instants import day_or_instant, instant, now
from helpdesk_cli.terminal import shown

pass_app = click.make_pass_decorator(AppContext)


@click.group("routing")
def routing_group() -> None:
    """The routing table: who becomes responsible for a new ticket."""


@routing_group.command("lint")
@pass_app
def lint_command(app: AppContext) -> None:
    """Check the routing table against the configuration and the store's staff:
    shadowed rules, rules that never match, unknown values, unknown or
    deactivated employees, groups without members, unknown calendars, no
    catch-all. One line per finding (its kind, the rule, what is wrong);
    exits with code 1 when something is found."""
    from helpdesk_core.desk.routing_check import routing_findings

    findings = routing_findings(app.existing_store, app.config)
    for finding in findings:
        where = "" if finding.rule is None else f" [{finding.rule}]"
        click.echo(shown(f"{finding.kind.value}{where}: {finding.message}"))
    if findings:
        sys.exit(1)
    click.echo("no findings")


@routing_group.command("explain")
@click.argument("ticket_id", required=False, metavar="TICKET")
@click.option("--facts", "facts_file", type=click.File("r", encoding="utf-8-sig"), default=None,
              help="Route the facts of a ticket not registered yet: a JSON object with the fields of "
                   "RoutingFacts (docs/routing.md) in FILE, or - for standard input.")
@click.option("--at", callback=instant, metavar="DATETIME",
              help="With --facts: route at this instant (default: now); also the facts' "
                   "registered_at when they do not give one.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_app
def explain_command(
    app: AppContext, ticket_id: str | None, facts_file: IO[str] | None, at: datetime | None, fmt: str
) -> None:
    """Why TICKET has its owner: the routing decision its registration
    recorded, in words — when, under which configuration fingerprint, and
    whether the configuration in force differs. A ticket that was not routed
    (its owner given by hand, or imported) says so and shows today's answer:
    how the table in force and today's staff would route it. With --facts,
    the decision for a ticket not registered yet (nothing is stored)."""
    if (ticket_id is None) == (facts_file is None):
        raise click.UsageError("give either TICKET or --facts FILE")
    if at is not None and facts_file is None:
        raise click.BadParameter("only with --facts (a ticket's decision has its own instant)",
                                 param_hint="'--at'")
    from helpdesk_core.serialization import routing_explanation_to_json

    if facts_file is not None:
        from helpdesk_core.desk.routing_explain import explain_facts

        name = str(getattr(facts_file, "name", "<stdin>"))
        explanation = explain_facts(app.existing_store, app.config, facts_file.read(), at or now(),
                                    source="standard input" if name == "<stdin>" else name)
    else:
        from helpdesk_core.desk.routing_explain import explain_routing

        assert ticket_id is not None
        explanation = explain_routing(app.existing_store, app.config, ticket_id)
    if fmt == "json":
        click.echo(json.dumps(routing_explanation_to_json(explanation), ensure_ascii=False, indent=2))
        return
    for line in explanation.lines():
        click.echo(shown(line))


@routing_group.command("replay")
@click.option("--from", "registered_from", callback=day_or_instant, metavar="DATE",
              help="Only tickets registered on or after this day (or instant).")
@click.option("--to", "registered_to", callback=day_or_instant, metavar="DATE",
              help="Only tickets registered on or before this day (or instant).")
@click.option("--config", "other_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Replay the [routing] section of this helpdesk.toml instead of the one in force.")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="List at most this many tickets that would change owner.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_app
def replay_command(
    app: AppContext,
    registered_from: date | datetime | None,
    registered_to: date | datetime | None,
    other_path: Path | None,
    limit: int,
    fmt: str,
) -> None:
    """A backtest of a routing change: route the stored tickets again under
    the table in force (or --config's) and count how many would change
    owner, from whom to whom, what decides now, and list the first changed
    tickets. Days (--from, --to) are days of the desk's home zone. Load is
    today's; round robin is simulated from no cursor in registration order.
    Nothing is stored."""
    from helpdesk_core.desk.routing_replay import replay_in_range
    from helpdesk_core.serialization import routing_replay_to_json

    replay = replay_in_range(
        app.existing_store, app.config, proposed_path=other_path,
        first=registered_from, last=registered_to, limit=limit,
    )
    if fmt == "json":
        click.echo(json.dumps(routing_replay_to_json(replay), ensure_ascii=False, indent=2))
        return
    for line in replay.lines():
        click.echo(shown(line))


__all__ = ["routing_group"]
