"""``helpdesk intake …``: tickets from a phone call or a web form
(docs/intake-form-phone.md). Each command is one library call; the e-mail
command joins this group later."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from helpdesk_cli.choices import Choice
from helpdesk_cli.context import AppContext
from helpdesk_cli.instants import instant
from helpdesk_cli.terminal import shown

if TYPE_CHECKING:
    from helpdesk_core.intake.web_form import WebForm

pass_app = click.make_pass_decorator(AppContext)

_BY = click.option("--by", envvar="HELPDESK_BY", default="system", show_default=True, metavar="ID",
                   help="Who registers it: an employee id, or system (env HELPDESK_BY).")
_AT = click.option("--at", callback=instant, metavar="DATETIME",
                   help="When it is registered, with a UTC offset (default: now).")
_FORMAT = click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True)


@click.group("intake")
def intake_group() -> None:
    """Tickets from a phone call or a web form: who called, who wrote."""


@intake_group.command("call")
@click.option("--number", required=True, metavar="N", help="The caller's number, as shown by the phone.")
@click.option("--register", is_flag=True, help="Register a ticket (channel phone) for the caller.")
@click.option("--subject", default=None, metavar="S", help="The ticket's subject (with --register).")
@click.option("--contact", default=None, metavar="ID",
              help="The caller among several matches: a contact id, or a company id whose own phone matched.")
@_BY
@_AT
@_FORMAT
@pass_app
def call_command(app: AppContext, number: str, register: bool, subject: str | None, contact: str | None,
                 by: str, at: datetime | None, fmt: str) -> None:
    """List who may be calling from --number: the contacts and companies whose
    phone or mobile ends in the same last digits ([intake] phone_digits,
    default 9); "unknown caller" when none. With --register --subject S, a
    ticket with channel phone for the one match, or the match --contact
    chooses (several without --contact is refused, listing them)."""
    from helpdesk_core.desk.intake_call import intake_call

    if register and subject is None:
        raise click.UsageError("--register needs --subject")
    if subject is not None and not register:
        raise click.UsageError("--subject is for --register")
    desk = app.creating_desk if register else app.desk
    done = intake_call(desk, number, subject=subject, contact=contact, at=at, by=by)
    for warning in done.warnings:
        click.echo(f"Warning: {shown(warning)}", err=True)
    if fmt == "json":
        click.echo(json.dumps(done.to_json(), ensure_ascii=False, indent=2))
        return
    if not done.callers:
        click.echo(shown(f"unknown caller: {number}"))
    for caller in done.callers:
        click.echo(shown(caller.line()))
    if done.ticket is not None:
        linked = done.contact or done.company or "nobody"
        click.echo(shown(f"{done.ticket} version {done.version}: registered by phone for {linked}"))


@intake_group.command("form")
@click.argument("file", metavar="FILE.json|-")
@click.option("--dry-run", is_flag=True, help="Decide everything and print it; store nothing.")
@_BY
@_AT
@_FORMAT
@pass_app
def form_command(app: AppContext, file: str, dry_run: bool, by: str, at: datetime | None, fmt: str) -> None:
    """Register a submitted web form (a JSON object, from FILE or - for standard
    input) as a ticket with channel web: every filled field in the
    description, the subject from the message field, the e-mail field's
    sender linked ([intake] unknown_sender), the order number kept as an
    attribute. Held forms are not registered; the output says why."""
    from helpdesk_core.desk.intake_form import intake_form

    form = _read_form(file)
    desk = app.creating_desk if not dry_run else _dry_desk(app)
    done = intake_form(desk, form, at=at, by=by, dry_run=dry_run)
    for warning in done.warnings:
        click.echo(f"Warning: {shown(warning)}", err=True)
    if fmt == "json":
        click.echo(json.dumps(done.to_json(), ensure_ascii=False, indent=2))
        return
    verb = {"new_ticket": "would register" if dry_run else "registered", "held": "held"}[done.action]
    head = f"{done.ticket} version {done.version}: {verb}" if done.ticket else verb
    contact = done.contact or ("new contact " + done.new_contact.email if done.new_contact else "-")
    if done.new_contact is not None and done.contact is not None:
        contact += " (created)"
    lines = [
        f"{head} from web form {done.form!r}" if done.form else f"{head} from a web form",
        f"subject  {done.subject}",
        f"contact  {contact}",
        f"company  {done.company or '-'}",
        f"reason   {done.reason}",
    ]
    lines += [f"attribute {key} = {value}" for key, value in done.attributes.items()]
    lines += ["description:", *(f"  {line}" for line in done.description.splitlines())]
    for line in lines:
        click.echo(shown(line))


def _dry_desk(app: AppContext) -> Any:
    app.store_for(dry_run=True)
    return app.creating_desk


def _read_form(file: str) -> WebForm:
    """The form in FILE (or standard input); a bad one is a ValidationError
    naming the file and the line and column, or the field (exit code 2)."""
    from helpdesk_core.errors import ValidationError
    from helpdesk_core.intake.web_form import form_from_json

    name = "standard input" if file == "-" else file
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValidationError(f"{name}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(f"{name}: cannot be read ({error})") from None
    return form_from_json(text, source=name)


__all__ = ["intake_group"]
