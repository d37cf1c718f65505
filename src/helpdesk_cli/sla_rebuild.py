"""``helpdesk sla rebuild``, and the fill of the stored SLA states when the
CLI opens a store that has tickets but was never built (one migrated from
before the SLA-state table, or filled by a program that did not keep them).

Both are one library call, :func:`helpdesk_core.sla_states.rebuild.rebuild`,
with a progress bar on standard error when it is a terminal.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from helpdesk_cli.context import AppContext

if TYPE_CHECKING:
    from helpdesk_core.config import Configuration
    from helpdesk_core.sla_states.rebuild import RebuildSummary
    from helpdesk_core.storage import Store

pass_app = click.make_pass_decorator(AppContext)

TEST_PAUSE_ENV = "HELPDESK_TEST_REBUILD_PAUSE"
"""Test-only: seconds to sleep after each batch, so that a test can kill a
rebuild half-way (``tests/cli/test_sla_rebuild_cli.py``). Never set it in
production: it only slows the rebuild down."""


@contextmanager
def progress_bar(total: int, what: str) -> Iterator[Callable[[int], None]]:
    """A callback advancing a progress bar of ``total`` tickets on standard
    error — drawn only when standard error is a terminal (cron mail and pipes
    stay clean), like the report's."""
    pause = float(os.environ.get(TEST_PAUSE_ENV, "0") or 0)

    def paused(done: int) -> None:
        if pause:
            time.sleep(pause)

    if not sys.stderr.isatty():
        yield paused
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        f"[bold]{what}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(what, total=total)

        def advance(done: int) -> None:
            bar.advance(task, done)
            paused(done)

        yield advance


def summary_line(summary: RebuildSummary) -> str:
    """What a rebuild did, in one line."""
    line = (
        f"{summary.examined} tickets: {summary.rebuilt} SLA states computed again, "
        f"{summary.kept} kept as they were"
    )
    if summary.skipped:
        line += f", {summary.skipped} left to the desk (changed during the rebuild)"
    return f"{line} ({summary.seconds:.1f} s)"


@click.command("rebuild")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the CPUs for a shared store of 20,000 tickets "
                   "or more, else 1).")
@pass_app
def rebuild_command(app: AppContext, jobs: int | None) -> None:
    """Compute again every ticket's stored SLA state that does not follow from
    its history under this configuration (missing, written before a change of
    the SLA rules, calendars or holidays data, or of its company's customer
    facts); the rest are kept. Resumable: stopped half-way, the next rebuild
    goes on where it stopped. Afterwards reports and queues read the states
    again instead of folding every history."""
    from helpdesk_core.sla_states.rebuild import rebuild

    app.fill_sla_states = False  # this command is the fill
    config = app.config
    store = app.existing_store
    with progress_bar(store.tickets.count(), "SLA rebuild") as advance:
        summary = rebuild(store, config, jobs=jobs, progress=advance)
    click.echo(summary_line(summary))


def fill_sla_states(store: Store, config: Callable[[], Configuration]) -> RebuildSummary | None:
    """Fill ``store``'s SLA states once when it holds tickets, no build ever
    happened (the setting ``sla.fingerprint`` is unset, or withdrawn by a
    program that wrote tickets without their states) and the configuration
    (asked only then) has SLA rules: what the migration of a store from before
    the SLA-state table leaves to do. None when nothing was done; a
    configuration that cannot be read is left to the command to report.

    The fill never makes the command wait for another process's write (a
    command that reads must not): on SQLite it writes through its own
    connection that gives up at once when the store is locked, and when it
    cannot write it says so in one line on standard error and stops — the
    batches written so far stay, the command reads the histories instead and
    a later command goes on."""
    from helpdesk_core.errors import HelpdeskError, StorageUnavailable
    from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING

    if store.settings.get(FINGERPRINT_SETTING):  # a fingerprint ("": keeping.WITHDRAWN)
        return None
    tickets = store.tickets.count()
    if tickets == 0:
        return None
    try:
        configuration = config()
    except HelpdeskError:
        return None
    if configuration.sla is None:
        return None
    from helpdesk_core.sla_states.rebuild import rebuild

    filling = _without_waiting(store)
    try:
        with progress_bar(tickets, "Filling the SLA states") as advance:
            return rebuild(filling, configuration, progress=advance)
    except StorageUnavailable as error:
        click.echo(
            f"Note: the stored SLA states were not filled now ({' '.join(str(error).split())}); "
            "this command reads the histories, a later one fills them",
            err=True,
        )
        return None
    finally:
        if filling is not store:
            filling.close()


def _without_waiting(store: Store) -> Store:
    """``store``, or for an SQLite file a second store on it whose writes give
    up at once while another process holds the write lock."""
    from helpdesk_core.storage.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        return SqliteStore(store.path, url=store.url, busy_timeout=0.0)
    return store


__all__ = ["TEST_PAUSE_ENV", "fill_sla_states", "progress_bar", "rebuild_command", "summary_line"]
