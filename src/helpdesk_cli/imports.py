"""``helpdesk import KIND FILE``, ``helpdesk import --bundle DIR`` and
``helpdesk export KIND``: thin wrappers over :mod:`helpdesk_core.imports`.

Summaries and dry-run plans go to stdout, warnings to stderr; the progress bar
is drawn on stderr only when stderr is a terminal, so piped output stays clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from helpdesk_cli.choices import Choice
from helpdesk_cli.collection import few_collections
from helpdesk_cli.context import AppContext
from helpdesk_cli.output import OutputUnwritable
from helpdesk_cli.output_files import whole_output
from helpdesk_cli.terminal import shown
from helpdesk_cli.tickets import import_group
from helpdesk_core.errors import HelpdeskError, RowsLeftOut
from helpdesk_core.imports import (
    KINDS,
    ImportReport,
    export_kind,
    import_bundle,
    import_file,
    kind_named,
)

pass_app = click.make_pass_decorator(AppContext)

ProgressCallback = Callable[[str, int, int], None]


@contextmanager
def _progress_bar() -> Iterator[ProgressCallback | None]:
    """A rich progress bar on stderr when stderr is a terminal, else nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    tasks: dict[str, TaskID] = {}
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=Console(stderr=True), transient=True,
    )

    def advance(file: str, done: int, total: int) -> None:
        if file not in tasks:
            tasks[file] = bar.add_task(file, total=total)
        bar.update(tasks[file], completed=done, total=total)

    with bar:
        yield advance


def _print_report(report: ImportReport) -> None:
    for warning in report.warnings:
        click.echo(f"Warning: {shown(warning)}", err=True)
    if report.dry_run:
        for row in report.rows:
            click.echo(shown(row.describe(dry_run=True)))
    suffix = " (dry run: nothing stored)" if report.dry_run else ""
    for file in report.files:
        click.echo(shown(file.summary() + suffix))
        if file.rejects is not None:
            click.echo(shown(f"{file.file}: rejected rows written to {file.rejects}"))


def _left_out(report: ImportReport) -> None:
    """Exit with :class:`RowsLeftOut` (code 8) when ``--skip-invalid`` left
    rows out: the good rows are stored, but a cron job must notice."""
    if not report.rejected:
        return
    if report.dry_run:
        raise RowsLeftOut(f"{report.rejected} rejected row(s) would be left out (--skip-invalid)")
    raise RowsLeftOut(f"{report.rejected} rejected row(s) left out (--skip-invalid); the rest is stored")


def _import_command(kind: str) -> click.Command:
    chosen = kind_named(kind)

    @click.command(
        chosen.name,
        help=(
            f"Import {chosen.name} from FILE (CSV with a header row, or JSON Lines), upserting "
            f"by {' and '.join(chosen.identity)}; all or nothing unless --skip-invalid.\n\n"
            f"Keys: {', '.join(chosen.keys)}."
        ),
    )
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--format", "fmt", type=Choice(["csv", "jsonl"]), help="Default: from the extension.")
    @click.option("--delimiter", help="CSV delimiter; default: guessed from the header.")
    @click.option(
        "--region", default="CZ", show_default=True, help="Country of phone numbers without +prefix."
    )
    @click.option(
        "--dry-run", is_flag=True, help="Show what would be created/updated/unchanged; store nothing."
    )
    @click.option(
        "--skip-invalid", is_flag=True, help="Import the good rows; write the bad ones to --rejects."
    )
    @click.option(
        "--rejects",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Where --skip-invalid writes rejected rows (default: FILE.rejects.csv).",
    )
    @pass_app
    def command(
        app: AppContext,
        file: Path,
        fmt: str | None,
        delimiter: str | None,
        region: str,
        dry_run: bool,
        skip_invalid: bool,
        rejects: Path | None,
    ) -> None:
        with _progress_bar() as progress, few_collections():
            report = import_file(
                chosen.name,
                file,
                store=app.store_for(dry_run=dry_run),
                region=region,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                format=fmt,
                delimiter=delimiter,
                rejects=rejects,
                progress=progress,
            )
        _print_report(report)
        _left_out(report)

    return command


def _bundle(
    bundle: Path | None, region: str, dry_run: bool, skip_invalid: bool, delimiter: str | None
) -> None:
    ctx = click.get_current_context()
    if bundle is None:
        if ctx.invoked_subcommand is None:
            click.echo(ctx.get_help())
        return
    if ctx.invoked_subcommand is not None:
        raise click.UsageError("--bundle imports a directory; give it without a KIND and FILE")
    app = ctx.find_object(AppContext)
    assert app is not None
    with _progress_bar() as progress, few_collections():
        report = import_bundle(
            bundle,
            store=app.store_for(dry_run=dry_run),
            region=region,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            delimiter=delimiter,
            progress=progress,
        )
    _print_report(report)
    _left_out(report)


_BUNDLE_OPTIONS = [
    click.Option(
        ["--bundle"],
        type=click.Path(file_okay=False, path_type=Path),
        help=f"Import every known file of this directory ({', '.join(KINDS)} as .csv or "
        ".jsonl) in one transaction; references resolve across the files.",
    ),
    click.Option(["--region"], default="CZ", show_default=True, help="With --bundle: phone region."),
    click.Option(["--dry-run"], is_flag=True, help="With --bundle: show the plan, store nothing."),
    click.Option(["--skip-invalid"], is_flag=True, help="With --bundle: import the good rows only."),
    click.Option(["--delimiter"], help="With --bundle: CSV delimiter (default: guessed)."),
]


def attach(import_group: click.Group) -> None:
    """Add the customer-base commands and ``--bundle`` to the ``import`` group."""
    for name in KINDS:
        import_group.add_command(_import_command(name))
    import_group.params.extend(_BUNDLE_OPTIONS)
    import_group.invoke_without_command = True
    import_group.callback = _bundle


@click.command("export")
@click.argument("kind", type=Choice(list(KINDS)))
@click.option("--format", "fmt", type=Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout."
)
@pass_app
def export_command(app: AppContext, kind: str, fmt: str, output: Path | None) -> None:
    """Write every KIND record with the columns of its import file, so that the
    export can be edited and imported again."""
    store = app.existing_store  # a missing store is refused before any file is made
    if output is None:
        export_kind(kind, store, sys.stdout, format=fmt)
        return
    try:
        with whole_output(output) as partial, partial.open("w", encoding="utf-8", newline="") as out:
            count = export_kind(kind, store, out, format=fmt)
    except HelpdeskError:
        raise  # the store's own failure (StorageUnavailable is an OSError too), not the file's
    except OSError as error:
        raise OutputUnwritable(f"{output}: cannot write the output: {error.strerror or error}") from None
    click.echo(shown(f"{count} {kind} written to {output}"), err=True)


# ``helpdesk import`` is loaded from here (see helpdesk_cli.main.COMMANDS): the
# ticket import of helpdesk_cli.tickets with this module's customer-base
# commands and --bundle, attached once, when this module is first imported.
attach(import_group)

__all__ = ["attach", "export_command", "import_group"]
