"""``helpdesk tick`` and ``helpdesk run``: the desk's scheduler from the terminal.

``tick`` applies once what is due by ``--now`` (a cron job, a test); ``run``
keeps doing it as a long-running process. Both are calls into
:mod:`helpdesk_core.desk.scheduler` (``run_due`` and ``serve``); this module
parses options, prints the actions and turns SIGTERM / Ctrl-C into a clean
stop after the current transaction.
"""

from __future__ import annotations

import json
import signal
import threading
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from helpdesk_cli.choices import Choice
from helpdesk_cli.context import AppContext
from helpdesk_cli.sla import instant
from helpdesk_cli.terminal import shown
from helpdesk_core.desk.scheduler import DEFAULT_POLL, DueAction, run_due
from helpdesk_core.errors import INTERRUPTED

if TYPE_CHECKING:
    from helpdesk_core.desk import Desk

pass_app = click.make_pass_decorator(AppContext)


def _desk(app: AppContext) -> Desk:
    from helpdesk_core.desk import Desk

    return Desk(app.existing_store, app.config)


def _json(action: DueAction, **more: Any) -> str:
    return json.dumps({**action.to_json(), **more}, ensure_ascii=False)


_format_option = click.option(
    "--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True,
    help="text: one line per action; json: one JSON object per line and action.",
)
_batch_option = click.option(
    "--batch", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
    help="Tickets settled per transaction (one commit for N tickets; the store's write lock "
         "is held that much longer).",
)


@click.command("tick")
@click.option("--now", callback=instant, metavar="DATETIME",
              help="Apply what is due by this instant, with a UTC offset (default: now).")
@_format_option
@_batch_option
@pass_app
def tick(app: AppContext, now: datetime | None, fmt: str, batch: int) -> None:
    """Apply every automatic change and escalation due by --now.

    Status changes (auto-close, return from postponed, reopen on a reply),
    escalation notices and follow-ups of late replies, each once. One line
    per action (text: "<at> <ticket> <action>: <detail>"; json: an object
    with ticket, action — status, escalation, follow_up or skipped — at, and
    the action's data). Running it twice with the same --now does nothing the
    second time. A ticket that cannot be settled (its status is not in the
    workflow any more, …) is reported as skipped (text: a warning on stderr),
    left as it was and tried again by the next tick; the others are applied
    and the exit code stays 0.
    """
    app.fill_sla_states = False  # due work first: the scheduler keeps the states it touches
    desk = _desk(app)
    at = datetime.now(UTC) if now is None else now
    actions = run_due(desk, at, batch=batch)
    for action in actions:
        if fmt == "json":
            click.echo(_json(action))
        elif action.action == "skipped":
            click.echo(f"Warning: ticket {shown(action.ticket)} skipped: {shown(action.detail)}", err=True)
        else:
            click.echo(shown(action.line()))
    if fmt == "text" and not any(a.action != "skipped" for a in actions):
        click.echo(f"nothing due as of {at.isoformat()}")


class _Stop:
    """SIGTERM and Ctrl-C set :attr:`event` (the scheduler stops after the
    current transaction); a second Ctrl-C interrupts at once."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal: int | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.signal is None:
            self.signal = signum
        self.event.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)


@click.command("run")
@click.option("--poll", type=click.FloatRange(min=0.01), default=DEFAULT_POLL, show_default=True,
              metavar="SECONDS",
              help="Look at the schedule at least this often (new work is seen this late at the latest).")
@_format_option
@_batch_option
@pass_app
def run(app: AppContext, poll: float, fmt: str, batch: int) -> None:
    """Run the scheduler until stopped (SIGTERM, Ctrl-C).

    It sleeps until the next wake-up of the schedule (at most --poll seconds,
    so that new work is seen), applies what is due in one transaction per
    ticket and logs one line per action, prefixed with the time it was done
    (json: the object of tick --format json with "logged_at"). Any number of
    run processes may share a store: each action is applied once.

    SIGTERM stops it after the current transaction, exit code 0. Ctrl-C
    (SIGINT) does the same but exits with 130, as an interrupted command; a
    second Ctrl-C interrupts at once (the transaction under way is rolled
    back, nothing half-done is kept).
    """
    app.fill_sla_states = False  # due work first: the scheduler keeps the states it touches
    from helpdesk_core.desk.scheduler import serve

    desk = _desk(app)
    stop = _Stop()

    def log(action: DueAction) -> None:
        logged = datetime.now(UTC).isoformat(timespec="seconds")
        if fmt == "json":
            click.echo(_json(action, logged_at=logged))
        else:
            click.echo(f"{logged} {shown(action.line())}")

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        started = f"helpdesk run: scheduler started (poll {poll:g} s); stop with SIGTERM or Ctrl-C"
        click.echo(started, err=True)
        serve(desk, stop=stop.event, poll=poll, on_action=log, batch=batch)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    name = "Ctrl-C" if stop.signal == signal.SIGINT else "SIGTERM"
    click.echo(f"helpdesk run: stopped ({name}) after the last transaction", err=True)
    if stop.signal == signal.SIGINT:
        raise click.exceptions.Exit(INTERRUPTED)


__all__ = ["run", "tick"]
