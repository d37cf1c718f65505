"""``helpdesk privacy …``: forget a person (plan, confirm, erase, prove), export
what the store holds about them, replay erasures on a restored backup, legal
holds, retention, consent and the mailing audience. Thin wrappers over
:mod:`helpdesk_core.desk.privacy`; the clock is read here, once per command."""

from __future__ import annotations

import getpass
import io
import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import cattrs
import click

from helpdesk_cli.choices import Choice
from helpdesk_cli.context import AppContext
from helpdesk_cli.terminal import shown
from helpdesk_core.desk import privacy as desk_privacy
from helpdesk_core.errors import ProofFailed, ValidationError
from helpdesk_core.privacy.audit import AuditRecord
from helpdesk_core.privacy.consent import ConsentChange
from helpdesk_core.privacy.holds import HoldScope
from helpdesk_core.privacy.retention import Retained, RetentionRule
from helpdesk_core.serialization import converter
from helpdesk_core.workflow import StatusCategory

pass_app = click.make_pass_decorator(AppContext)

_REGION = click.option(
    "--region", default="CZ", show_default=True, help="Country of phone numbers written without +prefix."
)
_BY = click.option("--by", default=None, help="Who does this, for the audit trail (default: the OS user).")


def _say(text: object) -> None:
    """One line to a person: stored text (names, reasons, sources) shown
    escaped, never obeyed by the terminal (JSON and CSV output keep it exact)."""
    click.echo(shown(text))


def _now() -> datetime:
    return datetime.now(tz=UTC)


def _who(by: str | None) -> str:
    return by or getpass.getuser()


@click.group("privacy")
def privacy_group() -> None:
    """GDPR: forget a person, export what we hold, holds, retention, consent."""


def _print_result(result: desk_privacy.ForgetResult) -> None:
    for line in result.summary.lines():
        _say(line)
    _say(f"audit record {result.record.id}: pseudonym {result.record.pseudonym}")
    if result.sent_files:
        _say(
            f"{len(result.sent_files)} file(s) they sent: delete these sha256 digests from the file store:"
        )
        for digest in result.sent_files:
            _say(f"  {digest}")
    _print_proof(result.scrubbed, result.proof)


def _proved(proof: desk_privacy.Proof) -> None:
    """Exit with :class:`ProofFailed` (code 7) unless the proof shows the
    tables clean and the physical scrub complete (the proof is printed)."""
    if not proof.clean:
        raise ProofFailed(f"the proof found {proof.remaining} identifier(s) that should be gone")
    if not proof.scrubbed:
        pending = f" for {', '.join(proof.scrub_pending)}" if proof.scrub_pending else ""
        raise ProofFailed(f"the physical scrub is not complete{pending}: run `helpdesk privacy scrub`")


def _print_proof(scrubbed: str, proof: desk_privacy.Proof) -> None:
    _say(scrubbed)
    for line in proof.lines():
        _say(line)
    for finding in proof.findings:
        _say(f"  found {finding.kind} in {finding.table} {finding.key} {finding.column}")


@privacy_group.command("forget")
@click.argument("contact")
@click.option("--dry-run", is_flag=True, help="Print the plan (counts per kind and holds); change nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--review",
    is_flag=True,
    help="Also list each possible mention of their name outside the records linked to them "
    "(left unchanged), with where it is.",
)
@_REGION
@_BY
@pass_app
def forget_command(
    app: AppContext, contact: str, dry_run: bool, yes: bool, review: bool, region: str, by: str | None
) -> None:
    """Forget CONTACT (their external id, as in the import files, or their id):
    print the plan, ask, erase in one transaction, scrub the files, and print
    the proof: what was searched where, and what was found."""
    plan = desk_privacy.summarise(desk_privacy.plan_forget(app.existing_store, contact, region=region))
    _say(f"plan to forget contact {contact}:")
    for line in plan.lines():
        _say(line)
    if review:
        _say(f"possible mentions, left unchanged ({plan.possible_mentions}):")
        for mention in desk_privacy.review_forget(app.existing_store, contact, region=region):
            kind = mention.kind.replace("_", " ")
            _say(f"  {mention.record} {mention.field}: {mention.text!r} ({kind})")
    if dry_run:
        _say("dry run: nothing changed")
        return
    if not yes:
        click.confirm(f"Forget contact {contact}? This cannot be undone", abort=True)
    result = desk_privacy.forget_contact(app.existing_store, contact, by=_who(by), now=_now(), region=region)
    _say(f"forgot contact {contact}:")
    _print_result(result)
    _proved(result.proof)


@privacy_group.command("forget-employee")
@click.argument("employee")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_BY
@pass_app
def forget_employee_command(app: AppContext, employee: str, yes: bool, by: str | None) -> None:
    """Forget a departed EMPLOYEE (external id or id); their tickets stay under a pseudonym."""
    if not yes:
        click.confirm(f"Forget employee {employee}? This cannot be undone", abort=True)
    result = desk_privacy.forget_employee(app.existing_store, employee, by=_who(by), now=_now())
    _print_result(result)
    _proved(result.proof)


@privacy_group.command("export")
@click.argument("contact")
@_REGION
@pass_app
def export_command(app: AppContext, contact: str, region: str) -> None:
    """Print one JSON document of everything the store holds about CONTACT."""
    document = desk_privacy.export_person(app.existing_store, contact, region=region)
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


@privacy_group.command("audit")
@pass_app
def audit_command(app: AppContext) -> None:
    """Print the audit trail as JSON Lines (hashes only; keep a copy outside
    the store, so that a restored backup can be scrubbed with replay --audit)."""
    for stored in desk_privacy.privacy_store(app.existing_store).audit_records.iter():
        click.echo(json.dumps(converter.unstructure(stored.value), ensure_ascii=False))


def _audit_records(path: Path) -> list[AuditRecord]:
    """The records of an audit trail written by ``privacy audit`` (JSON Lines);
    a file that is not one is refused naming the line and what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError(f"{path}: not UTF-8 text (byte {error.start}): not an audit trail") from None
    except OSError as error:
        raise ValidationError(f"{path}: cannot read the audit trail: {error.strerror or error}") from None
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        place = f"{path} line {number}"
        try:
            data = json.loads(line)
        except RecursionError:
            raise ValidationError(f"{place}: nested too deeply to be an audit record") from None
        except ValueError as error:
            raise ValidationError(f"{place}: not JSON: {error}") from None
        if not isinstance(data, dict):
            kind = type(data).__name__
            raise ValidationError(f"{place}: expected an audit record (a JSON object), got {kind}")
        try:
            records.append(converter.structure(data, AuditRecord))
        except cattrs.BaseValidationError as error:
            reasons = "; ".join(cattrs.transform_error(error, path="record"))
            raise ValidationError(f"{place}: not an audit record: {reasons}") from None
        except (ValueError, TypeError, KeyError) as error:
            reason = f"missing {error}" if isinstance(error, KeyError) else str(error)
            raise ValidationError(f"{place}: not an audit record: {reason}") from None
    return records


@privacy_group.command("replay")
@click.option(
    "--audit",
    "audit_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An audit trail written by `privacy audit` (default: the store's own).",
)
@click.option(
    "--dry-run", is_flag=True, help="Print the plan (who, and why they are the same person); change nothing."
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_REGION
@_BY
@pass_app
def replay_command(
    app: AppContext, audit_file: Path | None, dry_run: bool, yes: bool, region: str, by: str | None
) -> None:
    """Forget again everybody the audit trail lists who is back (a restored
    backup): recognised by the keyed hashes of an external id, e-mail or phone
    number, never by a name alone. Prints the plan first and asks."""
    records = None if audit_file is None else _audit_records(audit_file)
    plan = desk_privacy.plan_replay(app.existing_store, records=records, region=region)
    _say("plan to replay the audit trail:")
    for line in plan.lines():
        _say(line)
    if dry_run:
        _say("dry run: nothing changed")
        return
    if not plan.items:
        return
    if not yes:
        click.confirm(f"Forget {len(plan.items)} person(s) again? This cannot be undone", abort=True)
    results = desk_privacy.replay(app.existing_store, plan, by=_who(by), now=_now())
    _say(f"replayed {len(results)} erasure(s)")
    for result in results:
        _say(f"{result.record.subject}: {result.proof.describe()}")
    for result in results:
        _proved(result.proof)


@privacy_group.command("scrub")
@_REGION
@_BY
@pass_app
def scrub_command(app: AppContext, region: str, by: str | None) -> None:
    """Finish the physical erasure: scrub the store's files again (SQLite VACUUM,
    PostgreSQL VACUUM FULL), record it for every erasure that was waiting for
    it — after a crash between an erasure and its scrub — and prove by the
    audit trail's keyed hashes that no text holds their identifiers."""
    result = desk_privacy.finish_scrub(app.existing_store, by=_who(by), now=_now(), region=region)
    waiting = f"{len(result.finished)} erasure(s) were waiting for their physical scrub"
    if not result.finished:
        _say(f"{waiting}: nothing to prove")
        _say(result.scrubbed)
    else:
        _say(f"{waiting}: {', '.join(r.id for r in result.finished)} (searched by keyed hash)")
        _print_proof(result.scrubbed, result.proof)
    _proved(result.proof)


@privacy_group.group("hold")
def hold_group() -> None:
    """Legal holds: what must not be erased, and why."""


@hold_group.command("add")
@click.argument("scope", type=Choice([s.value for s in HoldScope]))
@click.argument("target")
@click.option("--reason", required=True, help="Why (a case number, the law).")
@_BY
@pass_app
def hold_add(app: AppContext, scope: str, target: str, reason: str, by: str | None) -> None:
    """Place a hold on the SCOPE (contact, company, contract, ticket) TARGET id."""
    hold = desk_privacy.place_hold(
        app.existing_store, scope=scope, target=target, reason=reason, by=_who(by), now=_now()
    )
    _say(f"placed {hold.describe()}")


@hold_group.command("release")
@click.argument("hold_id")
@pass_app
def hold_release(app: AppContext, hold_id: str) -> None:
    """Release the hold HOLD_ID."""
    hold = desk_privacy.release_hold(app.existing_store, hold_id, now=_now())
    _say(f"released {hold.describe()}")


@hold_group.command("list")
@click.option("--released", is_flag=True, help="Also list released holds.")
@pass_app
def hold_list(app: AppContext, released: bool) -> None:
    """List the holds in force."""
    for hold in desk_privacy.list_holds(app.existing_store, released=released):
        state = (
            "" if hold.in_force else f" (released {hold.released_at.isoformat() if hold.released_at else ''})"
        )
        _say(f"{hold.describe()}{state}")


@privacy_group.command("retention")
@click.option(
    "--closed-tickets-years", type=int, default=None, help="Anonymise tickets closed this many years ago."
)
@click.option("--contracts-years", type=int, default=None, help="Delete contracts ended this many years ago.")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@_BY
@pass_app
def retention_command(
    app: AppContext,
    closed_tickets_years: int | None,
    contracts_years: int | None,
    dry_run: bool,
    by: str | None,
) -> None:
    """Run the retention rules as a job: plan, apply (unless --dry-run), prove."""
    rules = []
    if closed_tickets_years is not None:
        rules.append(RetentionRule(Retained.CLOSED_TICKETS, closed_tickets_years))
    if contracts_years is not None:
        rules.append(RetentionRule(Retained.CONTRACTS, contracts_years))
    if not rules:
        raise ValidationError("retention: give --closed-tickets-years and/or --contracts-years")
    graph = app.config.graph

    def is_closed(status: str) -> bool:
        return graph.category(status) is StatusCategory.CLOSED

    result = desk_privacy.run_retention(
        app.existing_store, rules, by=_who(by), now=_now(), is_closed=is_closed, dry_run=dry_run
    )
    for rule in rules:
        _say(f"rule: {rule.describe()}")
    verb = "would act on" if dry_run else "acted on"
    _say(
        f"{verb} {sum(1 for i in result.done if i.what == 'ticket')} ticket(s), "
        f"{sum(1 for i in result.done if i.what == 'contract')} contract(s)"
    )
    for item in result.held:
        for hold in item.holds:
            _say(f"kept {item.what} {item.id} by {hold.describe()}")
    if dry_run:
        _say("dry run: nothing changed")
        return
    _say(f"proof: {result.left_after} item(s) left to do after the run")
    if result.scrub_pending:
        _say(
            f"physical scrub NOT complete for {', '.join(result.scrub_pending)}: run `helpdesk privacy scrub`"
        )
    if not result.clean:
        pending = f"; physical scrub not complete for {', '.join(result.scrub_pending)}" if (
            result.scrub_pending) else ""
        raise ProofFailed(f"retention: {result.left_after} item(s) left to do after the run{pending}")


@privacy_group.group("consent")
def consent_group() -> None:
    """Consent to mass mailing per purpose, and the audience of a mailing."""


def _change(purpose: str, opted_in: bool, source: str) -> ConsentChange:
    return ConsentChange(purpose=purpose, opted_in=opted_in, at=_now(), source=source)


@consent_group.command("opt-in")
@click.argument("contact")
@click.argument("purpose")
@click.option("--source", default="", help="How we know (web form, phone call…).")
@pass_app
def consent_opt_in(app: AppContext, contact: str, purpose: str, source: str) -> None:
    """Record that CONTACT agreed to PURPOSE (e.g. newsletter)."""
    desk_privacy.record_consent(app.existing_store, contact, _change(purpose, True, source))
    _say(f"{contact}: opted in to {purpose}")


@consent_group.command("opt-out")
@click.argument("contact")
@click.argument("purpose")
@click.option("--source", default="", help="How we know (unsubscribe link, e-mail…).")
@pass_app
def consent_opt_out(app: AppContext, contact: str, purpose: str, source: str) -> None:
    """Record that CONTACT refused PURPOSE."""
    desk_privacy.record_consent(app.existing_store, contact, _change(purpose, False, source))
    _say(f"{contact}: opted out of {purpose}")


@consent_group.command("history")
@click.argument("contact")
@pass_app
def consent_history(app: AppContext, contact: str) -> None:
    """Every consent change of CONTACT, oldest first."""
    for change in desk_privacy.consent_history(app.existing_store, contact).changes:
        verb = "opted in to" if change.opted_in else "opted out of"
        source = f" ({change.source})" if change.source else ""
        _say(f"{change.at.isoformat()} {verb} {change.purpose}{source}")


@consent_group.command("audience")
@click.argument("purpose")
@pass_app
def consent_audience(app: AppContext, purpose: str) -> None:
    """The recipients of a PURPOSE mailing as CSV: opted in, not forgotten.
    Cells are neutralised against formula injection (a name starting with ``=``
    gets a leading single quote)."""
    from helpdesk_core.spreadsheets import csv_row_writer, neutralised  # kept here: this writer's only need

    rows = (
        [r.contact, r.email, r.name] for r in desk_privacy.mailing_audience(app.existing_store, purpose)
    )
    for row in itertools.chain([["contact", "email", "name"]], rows):
        line = io.StringIO()
        csv_row_writer(line)([neutralised(cell) for cell in row])
        click.echo(line.getvalue(), nl=False)


__all__ = ["privacy_group"]
