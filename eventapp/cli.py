"""`flask --app eventapp ...` commands: thin wrappers over the services."""

import secrets
import sys
from pathlib import Path

import click
from flask import Flask

from eventapp.extensions import db
from eventapp.models import Event, User
from eventapp.models.user import ROLES
from eventapp.services import events, exporting, importing, jobs

SAMPLES = Path(__file__).resolve().parent.parent / "sample_events"
DEMO_EMAIL = "demo@mingle.example"
DEMO_SAMPLE = "nordic-golf"


def create_user(email: str, role: str, password: str | None = None) -> tuple[User, str]:
    """Create a user, or reset the password of an existing one; returns the password used."""
    password = password or secrets.token_urlsafe(12)
    email = email.strip().lower()
    user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, name=email.split("@")[0])
        db.session.add(user)
    user.role = role
    user.set_password(password)
    db.session.commit()
    return user, password


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


def _event(ref: str) -> Event:
    event = events.find_event(ref)
    if event is None:
        _fail(f"No event with id or name {ref!r}.")
    return event


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="organiser", show_default=True)
@click.option("--password", help="Leave out to have one generated and printed.")
def create_user_command(email, role, password):
    """Create a user (or reset an existing user's password)."""
    user, password = create_user(email, role, password)
    click.secho(f"{user.role} {user.email} can log in with password: {password}", fg="green")


@click.command("load-sample")
@click.argument("name")
def load_sample_command(name):
    """Load sample_events/NAME.json as a new event."""
    path = SAMPLES / f"{name.removesuffix('.json')}.json"
    if not path.exists():
        names = ", ".join(sorted(p.stem for p in SAMPLES.glob("*.json")))
        _fail(f"No sample event {name!r}. Samples: {names}.")
    try:
        event = events.load_event_file(path)
    except events.EventFileError as error:
        _fail(str(error))
    click.secho(
        f"Loaded {event.name!r} (event {event.id}, {len(event.attendees)} attendees).", fg="green"
    )


@click.command("demo")
def demo_command():
    """First-run set-up for `make run`: a sample event and a demo organiser, printed once."""
    if db.session.execute(db.select(Event.id).limit(1)).first() is None:
        event = events.load_event_file(SAMPLES / f"{DEMO_SAMPLE}.json")
        click.echo(f"Loaded the sample event {event.name!r}.")
    exists = db.session.execute(db.select(User.id).filter_by(email=DEMO_EMAIL)).first()
    click.echo("Mingle is at http://127.0.0.1:5000")
    if exists:
        click.echo(
            f"Log in as {DEMO_EMAIL} with the password printed on the first run"
            f" (new one: flask --app eventapp create-user {DEMO_EMAIL})."
        )
    else:
        _, password = create_user(DEMO_EMAIL, "organiser")
        click.secho(f"Log in as {DEMO_EMAIL} with password: {password}", fg="green", bold=True)


@click.command("import-attendees")
@click.argument("event_ref", metavar="EVENT")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only list what would change and the problems.")
@click.option("--create-tags", is_flag=True, help="Add unknown offers/seeks to the tag catalog.")
def import_attendees_command(event_ref, file, dry_run, create_tags):
    """Import attendees from a CSV or XLSX FILE into EVENT (its id or name)."""
    event = _event(event_ref)
    preview = importing.preview_import(event, file.name, file.read_bytes(), create_tags=create_tags)
    for problem in preview.problems:
        click.secho(str(problem), fg="red", err=True)
    click.echo(f"{preview.new} new, {preview.updated} updated, {preview.unchanged} unchanged.")
    if preview.problems:
        _fail(f"Nothing imported: {len(preview.problems)} problem(s) to fix first.")
    if not dry_run:
        importing.apply_import(event, preview)
        click.secho("Imported.", fg="green")


@click.command("export-attendees")
@click.argument("event_ref", metavar="EVENT")
@click.argument("file", type=click.File("w", encoding="utf-8-sig"), default="-")
def export_attendees_command(event_ref, file):
    """Write EVENT's attendees as CSV (to FILE, or standard output), ready to re-import."""
    file.write(exporting.attendees_csv(_event(event_ref)))


def register(app: Flask) -> None:
    for command in (
        create_user_command,
        load_sample_command,
        demo_command,
        import_attendees_command,
        export_attendees_command,
        jobs.worker_command,
    ):
        app.cli.add_command(command)
