"""The `inventory` command: Flask's CLI (run, db, shell, routes) plus the service's own commands."""

from __future__ import annotations

import copy
import json
import shutil
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import FlaskGroup, with_appcontext

from . import clock, create_app, logging_setup
from .clock import today
from .config import ConfigError
from .dates import add_months
from .errors import DomainError
from .extensions import unit_of_work
from .models import AccessAction, AccessChannel, Area, Role
from .services import access_log, demo, privacy, receiving, sign_in_rules
from .services import labels as label_service
from .services import reports as report_service
from .services import users as user_service


def _fail(error: DomainError) -> NoReturn:
    click.secho(f"Error: {error.message}", fg="red", err=True)
    if isinstance(error.errors, list):
        for row in error.errors:
            where = f"row {row['row']}" + (f", column {row['column']}" if row.get("column") else "")
            click.echo(f"  {where}: {row['message']}", err=True)
    elif error.errors:
        click.echo("  " + json.dumps(error.errors), err=True)
    sys.exit(1)


def _app():
    """The app, or a one-line refusal (exit status 1) when a setting is unsafe or wrong: no traceback."""
    try:
        return create_app()
    except ConfigError as refused:
        raise click.ClickException(f"The inventory refuses to start: {refused}") from None


class _Inventory(FlaskGroup):
    """Flask's command group, with Flask-Migrate's `db` commands but a `db downgrade` that looks first."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "db":
            return _db_commands()
        return super().get_command(ctx, name)


@click.group(cls=_Inventory, create_app=_app)
def main():
    """Device-lending inventory: web app, database and housekeeping commands."""
    logging_setup.configure()  # as the web app does: LOG_FORMAT (json in production), one place


@main.command("seed-demo")
@with_appcontext
def seed_demo():
    """Create demo programmes, places, users and the sample deliveries (safe to run again)."""
    with unit_of_work():
        with click.progressbar(length=1, label="Importing sample deliveries") as bar:

            def progress(done, total):
                bar.length = total
                bar.update(done - bar.pos)

            try:
                done = demo.seed_demo(progress=progress, today=today())
            except DomainError as error:
                _fail(error)
    click.echo("Created: " + ", ".join(f"{n} {what}" for what, n in done.items()))
    click.echo("\nDemo accounts (for trying the service out; never use these passwords for real):")
    click.echo("(the advocate's caseload has two demo participants; one's free data ends within the week)")
    for user in demo.USERS:
        org = f" (organisation {user['organisation']})" if user.get("organisation") else ""
        click.echo(f"  {user['role']:<10} {user['email']:<26} password: {user['password']}{org}")


@main.group()
def users():
    """Manage users."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "warehouse", "advocate", "partner"]))
@click.option("--organisation", help="Organisation code (required for partners).")
@click.option("--name", default="")
@click.option("--password", help="Leave out to have one generated and shown once.")
@with_appcontext
def create_user(email, role, organisation, name, password):
    """Create a user."""
    with unit_of_work():
        try:
            user, shown = user_service.create_user(email, role, name=name, organisation=organisation, password=password)
        except DomainError as error:
            _fail(error)
    click.echo(f"Created {user.role.value} {user.email}")
    if password is None:
        click.echo(f"Password (shown once): {shown}")


def _account_command(name: str, verb, said: str):
    @users.command(name)
    @click.argument("email")
    @with_appcontext
    def command(email):
        with unit_of_work():
            try:
                said_extra = verb(user_service.get_user(email))
            except DomainError as error:
                _fail(error)
        click.echo(said.format(email=email.strip().lower(), extra=said_extra or ""))

    command.__doc__ = f"{name.capitalize().replace('-', ' ')} the account of EMAIL."
    return command


# The command line acts as the operator on the server, not as a signed-in administrator: it may
# deactivate anyone (a locked-out last administrator included).
_OPERATOR = user_service.Principal(id=0, email="command line", role=Role.ADMIN, organisation_id=None)
_account_command(
    "deactivate",
    lambda u: user_service.deactivate(u.id, _OPERATOR) and None,
    "Deactivated {email}: every token and web session of theirs has stopped",
)
_account_command("reactivate", lambda u: user_service.reactivate(u.id) and None, "Reactivated {email}")
_account_command("unlock", lambda u: user_service.unlock(u.id) and None, "Unlocked {email}")
_account_command(
    "remove-second-factor",
    lambda u: user_service.remove_second_factor(u.id, _OPERATOR) and None,
    "Removed the second factor of {email}: their password alone signs them in until they set up a new one",
)
_account_command(
    "reset-password",
    lambda u: user_service.reset_password(u.id, _OPERATOR)[1],
    "One-time password for {email} (shown once; they choose their own at next sign-in): {extra}",
)


@main.group()
def tokens():
    """Manage API tokens."""


@tokens.command("create")
@click.argument("email")
@click.option("--description", default="created on the command line")
@click.password_option(
    "--password",
    confirmation_prompt=False,
    prompt="Your password",
    help="The password of EMAIL: only its owner makes a token in their name.",
)
@click.option("--otp", help="The authenticator's code (or a recovery code), once EMAIL has a second factor.")
@with_appcontext
def create_token(email, description, password, otp):
    """Create an API token for EMAIL, whose password you give, and print it (it is shown once)."""
    with unit_of_work():
        try:
            user = sign_in_rules.sign_in(email, password, otp, address="command line", now=clock.now())
            token = user_service.create_token(user, description)
        except DomainError as error:
            _fail(error)
    click.echo(token)


@tokens.command("revoke-all")
@click.argument("email")
@with_appcontext
def revoke_tokens(email):
    """Revoke every API token of EMAIL."""
    with unit_of_work():
        try:
            count = user_service.revoke_all_tokens(user_service.get_user(email))
        except DomainError as error:
            _fail(error)
    click.echo(f"Revoked {count} token(s)")


@main.group()
def assets():
    """Receive and look after assets."""


@assets.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row; store nothing.")
@click.option("--as", "as_user", help="Email of the user recorded as receiving the delivery.")
@with_appcontext
def import_assets(file: Path, dry_run: bool, as_user: str | None):
    """Import a delivery manifest (CSV): all rows, or none and every row's errors."""
    from flask import current_app

    with unit_of_work(), file.open("rb") as manifest:  # read a batch of rows at a time, never whole
        try:
            actor = user_service.get_user(as_user) if as_user else None
            with click.progressbar(length=1, label=f"Importing {file.name}") as bar:

                def progress(done, total):
                    bar.length = total
                    bar.update(done - bar.pos)

                result = receiving.import_manifest(
                    manifest,
                    actor,
                    dry_run=dry_run,
                    max_rows=current_app.config["MAX_IMPORT_ROWS"],
                    progress=progress,
                )
        except DomainError as error:
            _fail(error)
    if result.dry_run:
        click.echo(f"{result.checked} rows checked; all are valid. Nothing was stored (dry run).")
    else:
        click.echo(f"Imported {result.created} assets as batch {result.batch}.")


def _date(value: str | None):
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)") from None


@main.group()
def reports():
    """Outcome reports."""


@reports.command("outcomes")
@click.option("--programme", help="Programme code (default: all).")
@click.option("--area", type=click.Choice([a.value for a in Area]))
@click.option("--from", "date_from", help="First day, YYYY-MM-DD.")
@click.option("--to", "date_to", help="Last day, YYYY-MM-DD (default: today).")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV file to write."
)
@with_appcontext
def outcomes_report(programme, area, date_from, date_to, output: Path):
    """Write the outcome report (counts by area, no personal data) to a CSV file."""
    try:
        report = report_service.outcomes(
            today=today(), programme=programme, area=area, date_from=_date(date_from), date_to=_date(date_to)
        )
    except DomainError as error:
        _fail(error)
    output.write_text(report_service.as_csv(report), encoding="utf-8", newline="")
    click.echo(f"Wrote {output} ({report['from']} to {report['to']})")


@main.group()
def participants():
    """Participants' personal data (administrators' duties)."""


def _admin():
    from .services.users import Principal

    # The command line runs with the authority of whoever can run it on the server: an administrator.
    return Principal(id=0, email="command line", role=Role.ADMIN, organisation_id=None)


@participants.command("export")
@click.argument("participant_id", type=int)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: print).")
@with_appcontext
def export_participant(participant_id: int, output: Path | None):
    """Everything held about one participant, as JSON (a subject access request)."""
    with unit_of_work():
        try:
            data = privacy.export(participant_id, _admin(), today())
        except DomainError as error:
            _fail(error)
        # Whoever can run the command on the server: the log says "command line", with no user.
        access_log.record(None, AccessAction.EXPORTED, [participant_id], "subject access export", AccessChannel.CLI)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote {output}")
    else:
        click.echo(text)


@participants.command("erase")
@click.argument("participant_id", type=int)
@click.confirmation_option(prompt="Erase this participant's name and contact details for good?")
@with_appcontext
def erase_participant(participant_id: int):
    """Erase a participant's name and contact details; keep the reference and history."""
    with unit_of_work():
        try:
            privacy.erase(participant_id, _admin())
        except DomainError as error:
            _fail(error)
        access_log.record(None, AccessAction.ERASED, [participant_id], "erasure", AccessChannel.CLI)
    click.echo(f"Erased participant {participant_id}'s personal data")


@main.group()
def retention():
    """Data retention."""


@retention.command("run")
@click.option("--as-of", "as_of", help="Treat this date (YYYY-MM-DD) as today.")
@with_appcontext
def retention_run(as_of: str | None):
    """Erase personal data of participants whose involvement ended over RETENTION_MONTHS ago."""
    from flask import current_app

    months = current_app.config["RETENTION_MONTHS"]
    day = _date(as_of) or today()
    with unit_of_work():
        erased = privacy.anonymise_expired(day, months)
        access_log.record(None, AccessAction.ERASED, erased, "retention erasure", AccessChannel.CLI)
    click.echo(
        f"Erased personal data of {len(erased)} participant(s) whose involvement ended before "
        f"{add_months(day, -months).isoformat()}"
    )


@main.group()
def counts():
    """The kept counts (stock, ready kits, deliveries' labels)."""


@counts.command("check")
@with_appcontext
def counts_check():
    """Recount every kept count from its rows and say where they differ (exit status 1 if any do)."""
    from .services import counts as count_service

    with unit_of_work():
        wrong = count_service.differences()
    for difference in wrong:
        click.echo(str(difference))
    if wrong:
        click.echo(f"{len(wrong)} count(s) differ; `inventory counts repair` sets them to the recount", err=True)
        sys.exit(1)
    click.echo("Every kept count agrees with a recount")


@counts.command("repair")
@with_appcontext
def counts_repair():
    """Set every kept count to what recounting its rows gives."""
    from .services import counts as count_service

    with unit_of_work():
        wrong = count_service.repair()
    for difference in wrong:
        click.echo(f"repaired {difference}")
    click.echo(f"{len(wrong)} count(s) repaired")


@main.group()
def labels():
    """Print QR labels."""


@labels.command("sheet")
@click.option(
    "--template",
    "template_code",
    default=label_service.DEFAULT_TEMPLATE,
    show_default=True,
    type=click.Choice(list(label_service.TEMPLATE_CODES), case_sensitive=False),
)
@click.option(
    "--start",
    "start_position",
    default=1,
    show_default=True,
    type=int,
    help="First free label on a partly used sheet (from 1, left to right, then down).",
)
@click.option("--tags", help="Comma-separated asset or kit tags.")
@click.option("--batch", help="An import batch.")
@click.option("--location", help="Every asset at this location ...")
@click.option("--unprinted", is_flag=True, help="... that has never had a label.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def labels_sheet(template_code, start_position, tags, batch, location, unprinted, output: Path):
    """Make a PDF of label sheets and record the labels as printed."""
    from flask import current_app

    config = current_app.config
    with unit_of_work():
        try:
            things = label_service.select(
                tags=[t for t in (tags or "").split(",") if t.strip()] or None,
                batch=batch,
                location=location,
                unprinted=unprinted,
            )
            with click.progressbar(length=len(things), label=f"Drawing {len(things)} labels") as bar:
                pdf = label_service.sheet_pdf(
                    things,
                    base_url=config["PUBLIC_BASE_URL"],
                    template_code=template_code,
                    start_position=start_position,
                    offsets=config["LABEL_OFFSETS"],
                    progress=lambda done: bar.update(done - bar.pos),
                )
        except DomainError as error:
            _fail(error)
    output.write_bytes(pdf)
    click.echo(f"Wrote {len(things)} labels to {output}")


@main.group()
def jobs():
    """Background jobs: label sheets of more than 1,000 labels and long exports asked for on the web or API."""


@jobs.command("list")
@click.option("--limit", default=20, show_default=True, type=int)
@with_appcontext
def jobs_list(limit: int):
    """The latest jobs, newest first: what, whose, how far, and when."""
    from .services import background_jobs

    with unit_of_work(write=False):
        rows = background_jobs.listed(None, limit=limit)
        if not rows:
            click.echo("No jobs.")
        for job in rows:
            who = job.requested_by.email if job.requested_by else "command line"
            when = (job.finished_at or job.started_at or job.created_at).strftime("%Y-%m-%d %H:%M")
            progress = f"{job.done}/{job.total}" if job.total else str(job.done)
            line = f"{job.id:>6}  {job.kind:<13} {job.status.value:<8} {progress:>11}  {when}  {who}"
            click.echo(line + (f"  ({job.message})" if job.message else ""))


@jobs.command("run")
@with_appcontext
def jobs_run():
    """Run every waiting job now, here, with its progress (the scheduler does this every few seconds)."""
    from .services import background_jobs

    bars: list = []

    def watch(job):
        bar = click.progressbar(length=max(job.total, 1), label=f"Job {job.id} ({job.kind})")
        bar.__enter__()
        bars.append(bar)

        def show(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        return show

    with unit_of_work():
        try:
            counts = background_jobs.run_due(clock.now, limit=1000, watch=watch)
        finally:
            for bar in bars:
                bar.__exit__(None, None, None)
    click.echo(f"Done {counts['done']}, failed {counts['failed']}")


@jobs.command("download")
@click.argument("job_id", type=int)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def jobs_download(job_id: int, output: Path):
    """Save a finished job's file."""
    from .services import background_jobs

    with unit_of_work(write=False):
        try:
            body, _, name = background_jobs.result(job_id, _OPERATOR)
        except DomainError as error:
            _fail(error)
        with body, open(output, "wb") as out:
            shutil.copyfileobj(body, out)
    click.echo(f"Wrote {name} to {output}")


@main.group()
def reminders():
    """Free-data reminders: queue the due ones, send what is queued."""


@reminders.command("sweep")
@click.option("--as-of", "as_of", help="Treat this date (YYYY-MM-DD) as today.")
@with_appcontext
def reminders_sweep(as_of: str | None):
    """Queue the reminders due today (safe to run as often as you like)."""
    from .services import reminders as reminder_service

    day = _date(as_of) or today()
    with unit_of_work():
        counts = reminder_service.sweep(day)
    click.echo(
        f"{day.isoformat()}: queued {counts['participants']} participant reminder(s) and "
        f"{counts['advocates']} advocate digest(s)"
    )


@reminders.command("send")
@with_appcontext
def reminders_send():
    """Send what is due in the outbox through the configured notifier."""
    from flask import current_app

    from . import clock
    from .notifiers import from_config
    from .services import outbox

    config = current_app.config
    # The same claims as the scheduler's sender: safe to run beside it, each row is sent once.
    report = outbox.send_due(
        from_config(config),
        now=clock.now,
        max_attempts=config["REMINDER_MAX_ATTEMPTS"],
        next_steps=config["NEXT_STEPS"],
    )
    click.echo(
        f"sent {report.sent}, to retry {report.retrying}, failed {report.failed}"
        + (f", taken over by another sender {report.lost}" if report.lost else "")
    )


@main.command("scheduler")
@with_appcontext
def run_scheduler():
    """Run the scheduled jobs (reminders, retention) in this process until SIGTERM."""
    from flask import current_app

    from scheduler.process import run_forever

    # current_app is a LocalProxy that Flask types as Flask itself, so its proxy method is not seen
    run_forever(current_app._get_current_object())  # type: ignore[attr-defined]


def _db_commands() -> click.Group:
    """Flask-Migrate's `db` group (its options and every command) with our downgrade in place of its own."""
    from flask_migrate.cli import db as migrate_db

    group = copy.copy(migrate_db)
    group.commands = {**migrate_db.commands, "downgrade": db_downgrade}
    return group


@click.command("downgrade")
@click.option("-d", "--directory", default=None, help='Migration script directory (default is "migrations")')
@click.option("--sql", is_flag=True, help="Don't emit SQL to database - dump to standard output instead")
@click.option("--tag", default=None, help='Arbitrary "tag" name - can be used by custom env.py scripts')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@click.option("--force", is_flag=True, help="Drop tables and columns even though they hold rows (back up first).")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(directory, sql, tag, x_arg, revision, force):
    """Revert to a previous version; refused when it would drop tables or columns holding data."""
    from alembic.script import ScriptDirectory
    from flask import current_app, g
    from flask_migrate import downgrade

    from .downgrades import DowngradeError, losses
    from .extensions import db

    directory = directory or getattr(g, "directory", None)
    x_arg = x_arg or getattr(g, "x_arg", None)
    if not sql:  # --sql only prints the statements: nothing is dropped
        script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config(directory))
        try:
            with db.engine.connect() as conn:
                lost = losses(conn, script, revision)
        except DowngradeError as error:
            raise click.ClickException(str(error)) from None
        if lost and not force:
            click.secho(f"Refused: downgrading to {revision} would delete data:", fg="red", err=True)
            for loss in lost:
                click.echo(f"  {loss}", err=True)
            click.echo("Nothing was changed. Back up (inventory backup FILE), then add --force to go on.", err=True)
            sys.exit(1)
        for loss in lost:
            click.echo(f"Dropping {loss} (--force)", err=True)
    downgrade(directory, revision, sql, tag, x_arg)


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path):
    """Back up the whole database to FILE while the service runs (SQLite: a copy; PostgreSQL: pg_dump -Fc)."""
    from flask import current_app

    from . import backups

    try:
        backups.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], file)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {file} ({file.stat().st_size} bytes)")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_command(file: Path, force: bool):
    """Restore the database from FILE (made by `inventory backup`); refused over data unless --force."""
    from flask import current_app

    from . import backups
    from .extensions import db

    db.session.remove()
    db.engine.dispose()  # no pooled connection of ours holds the old database open
    try:
        restored = backups.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], file, force=force)
    except backups.BackupError as error:
        raise click.ClickException(f"Not restored: {error}") from None
    counts = ", ".join(f"{n} {table}" for table, n in restored.counts.items())
    click.echo(f"Restored {file}: schema revision {restored.revision or 'none'}; {counts}")
    click.echo("Then run `inventory db upgrade` if this version of the app has newer migrations.")
