"""``helpdesk routing …``: the routing table of ``helpdesk.toml``
(docs/routing.md)."""

from __future__ import annotations

import sys

import click

from helpdesk_cli.context import AppContext
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


__all__ = ["routing_group"]
