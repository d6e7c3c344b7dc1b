"""What organisers see: their events, attendees, imports and exports."""

import secrets
from functools import wraps
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventapp.extensions import db
from eventapp.models import Event
from eventapp.services import attendees, exporting, importing

bp = Blueprint("organiser", __name__)


def organiser_required(view):
    """Logged in as an organiser: check-in staff may not see goals or plans."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_organiser:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/")
@organiser_required
def events():
    rows = db.session.execute(db.select(Event).order_by(Event.starts_on.desc())).scalars()
    return render_template("organiser/events.html", events=list(rows))


@bp.get("/events/<int:event_id>")
@organiser_required
def event(event_id: int):
    event = db.get_or_404(Event, event_id)
    filters = attendees.Filters.from_args(request.args)
    return render_template(
        "organiser/event.html",
        event=event,
        filters=filters,
        attendees=attendees.search(event, filters),
    )


def _upload_path(token: str) -> Path:
    folder = Path(current_app.instance_path, "imports")
    folder.mkdir(exist_ok=True)
    return folder / token


@bp.route("/events/<int:event_id>/import", methods=["GET", "POST"])
@organiser_required
def import_attendees(event_id: int):
    """Upload a spreadsheet and see what it would change; nothing is written yet."""
    event = db.get_or_404(Event, event_id)
    if request.method == "GET":
        return render_template("organiser/import.html", event=event, preview=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a CSV or Excel file to import."), "error")
        return redirect(url_for(".import_attendees", event_id=event.id))
    data = upload.read()
    create_tags = bool(request.form.get("create_tags"))
    preview = importing.preview_import(event, upload.filename, data, create_tags=create_tags)
    token = ""
    if preview.ok:
        # Keep the file until the organiser confirms; the token names it, never the user's name.
        token = secrets.token_urlsafe(16) + Path(upload.filename).suffix.lower()
        _upload_path(token).write_bytes(data)
    return render_template(
        "organiser/import.html",
        event=event,
        preview=preview,
        token=token,
        filename=upload.filename,
        create_tags=create_tags,
    )


@bp.post("/events/<int:event_id>/import/confirm")
@organiser_required
def confirm_import(event_id: int):
    event = db.get_or_404(Event, event_id)
    token = request.form.get("token", "")
    path = _upload_path(Path(token).name)
    if not token or not path.exists():
        flash(_("That import has expired: upload the file again."), "error")
        return redirect(url_for(".import_attendees", event_id=event.id))
    preview = importing.preview_import(
        event, path.name, path.read_bytes(), create_tags=bool(request.form.get("create_tags"))
    )
    try:
        summary = importing.apply_import(event, preview)
    except importing.ImportRejected:
        flash(_("The file has problems: nothing was imported."), "error")
        return render_template("organiser/import.html", event=event, preview=preview, token="")
    finally:
        path.unlink(missing_ok=True)
    flash(
        _("Imported: %(new)d new, %(updated)d updated.", new=summary.new, updated=summary.updated),
        "success",
    )
    return redirect(url_for(".event", event_id=event.id))


@bp.get("/events/<int:event_id>/attendees.csv")
@organiser_required
def export_attendees(event_id: int):
    event = db.get_or_404(Event, event_id)
    return Response(
        "\ufeff" + exporting.attendees_csv(event),  # BOM: Excel then reads UTF-8 correctly
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="attendees-{event.id}.csv"'},
    )
