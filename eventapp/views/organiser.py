"""What organisers see: events, their catalog, sessions, attendees and rules; imports, exports."""

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventapp.extensions import db
from eventapp.models import Attendee, Constraint, Event, EventSession, SeatingTable, Tag
from eventapp.services import (
    attendees,
    catalog,
    constraints,
    events,
    exporting,
    importing,
    sessions,
)
from eventapp.services.qr import qr_svg
from eventapp.views import MAX_ID, forms

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
def event_list():
    rows = db.session.execute(db.select(Event).order_by(Event.starts_on.desc())).scalars()
    return render_template("organiser/events.html", events=list(rows))


@bp.get("/events/<int:event_id>")
@organiser_required
def event(event_id: int):
    event = db.get_or_404(Event, event_id)
    filters = attendees.Filters.from_args(request.args)
    registration_url = url_for("attendee.register", token=event.registration_token, _external=True)
    return render_template(
        "organiser/event.html",
        event=event,
        filters=filters,
        attendees=attendees.search(event, filters),
        companies=attendees.companies(event),
        registration_url=registration_url,
        registration_qr=qr_svg(registration_url),
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


@bp.route("/events/new", methods=["GET", "POST"])
@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_event(event_id: int | None = None):
    event = db.get_or_404(Event, event_id) if event_id else None
    form = forms.EventForm(obj=event)
    if form.validate_on_submit():
        event = events.save_event(event, **_form_data(form))
        flash(_("Saved."), "success")
        return redirect(url_for(".event", event_id=event.id))
    return render_template("organiser/event_form.html", form=form, event=event)


def _form_data(form) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@bp.route("/events/<int:event_id>/tags", methods=["GET", "POST"])
@bp.route("/events/<int:event_id>/tags/<int:tag_id>", methods=["GET", "POST"])
@organiser_required
def tags(event_id: int, tag_id: int | None = None):
    """The tag catalog, with a form to add a tag or change the one chosen."""
    event = db.get_or_404(Event, event_id)
    tag = _owned(Tag, tag_id, event) if tag_id else None
    form = forms.TagForm(
        data=tag
        and {"key": tag.key, "synonyms": "; ".join(tag.synonyms)}
        | {f"label_{lang}": label for lang, label in tag.labels.items()}
    )
    if form.validate_on_submit():
        try:
            catalog.save_tag(
                event,
                tag,
                key=form.key.data,
                labels={
                    lang: getattr(form, f"label_{lang}").data or "" for lang in ("en", "sv", "he")
                },
                synonyms=(form.synonyms.data or "").split(";"),
            )
        except catalog.CatalogProblem as problem:
            form.key.errors.append(str(problem))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".tags", event_id=event.id))
    return render_template("organiser/tags.html", event=event, form=form, tag=tag)


@bp.post("/events/<int:event_id>/tags/<int:tag_id>/delete")
@organiser_required
def delete_tag(event_id: int, tag_id: int):
    event = db.get_or_404(Event, event_id)
    catalog.delete_tag(_owned(Tag, tag_id, event))
    flash(_("Tag removed."), "success")
    return redirect(url_for(".tags", event_id=event.id))


def _posted_id(name: str) -> int:
    """An id from the form, or 0 (no row has it) where it is missing or beyond any id."""
    value = request.form.get(name, type=int) or 0
    return value if 0 < value <= MAX_ID else 0


def _owned(model, row_id: int, event: Event):
    """A row of this event, or 404: ids from the URL never reach another event's data."""
    row = db.get_or_404(model, row_id)
    if row.event_id != event.id:
        abort(404)
    return row


@bp.route("/events/<int:event_id>/sessions/new", methods=["GET", "POST"])
@bp.route("/events/<int:event_id>/sessions/<int:session_id>", methods=["GET", "POST"])
@organiser_required
def edit_session(event_id: int, session_id: int | None = None):
    event = db.get_or_404(Event, event_id)
    session = _owned(EventSession, session_id, event) if session_id else None
    form = forms.SessionForm(obj=session)
    if session is not None and request.method == "GET":
        form.tables.data = sessions.tables_text(session)
        form.flight_size.data = str(session.flight_size)
    if form.validate_on_submit():
        try:
            data = _form_data(form)
            data["tables"] = sessions.parse_tables(data["tables"] or "")
            data["flight_size"] = int(data["flight_size"])
            sessions.save_session(event, session, **data)
        except sessions.SessionProblem as problem:
            form[problem.field].errors.append(str(problem))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".event", event_id=event.id))
    return render_template("organiser/session_form.html", event=event, form=form, session=session)


@bp.post("/events/<int:event_id>/sessions/<int:session_id>/delete")
@organiser_required
def delete_session(event_id: int, session_id: int):
    event = db.get_or_404(Event, event_id)
    sessions.delete_session(_owned(EventSession, session_id, event))
    flash(_("Session removed."), "success")
    return redirect(url_for(".event", event_id=event.id))


def _attendee_form(event: Event, attendee: Attendee | None) -> forms.AttendeeForm:
    form = forms.AttendeeForm(obj=attendee)
    lang = str(get_locale())
    form.offers.choices = form.seeks.choices = forms.tag_choices(event.tags, lang)
    if attendee is not None and request.method == "GET":
        form.offers.data = [t.key for t in attendee.offers]
        form.seeks.data = [t.key for t in attendee.seeks]
    return form


@bp.route("/events/<int:event_id>/attendees/new", methods=["GET", "POST"])
@bp.route("/events/<int:event_id>/attendees/<int:attendee_id>", methods=["GET", "POST"])
@organiser_required
def edit_attendee(event_id: int, attendee_id: int | None = None):
    event = db.get_or_404(Event, event_id)
    attendee = _owned(Attendee, attendee_id, event) if attendee_id else None
    form = _attendee_form(event, attendee)
    if form.validate_on_submit():
        try:
            attendees.save_attendee(event, attendee, form.details())
        except attendees.AttendeeProblem as problem:
            form.email.errors.append(str(problem))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".event", event_id=event.id))
    return render_template(
        "organiser/attendee_form.html", event=event, form=form, attendee=attendee
    )


@bp.route("/events/<int:event_id>/attendees/<int:attendee_id>/delete", methods=["GET", "POST"])
@organiser_required
def delete_attendee(event_id: int, attendee_id: int):
    """GET asks for confirmation; POST deletes."""
    event = db.get_or_404(Event, event_id)
    attendee = _owned(Attendee, attendee_id, event)
    if request.method == "GET":
        return render_template("organiser/attendee_delete.html", event=event, attendee=attendee)
    name = attendee.full_name
    attendees.delete_attendee(attendee)
    flash(_("%(name)s was removed.", name=name), "success")
    return redirect(url_for(".event", event_id=event.id))


@bp.route("/events/<int:event_id>/rules", methods=["GET", "POST"])
@organiser_required
def rules(event_id: int):
    """Keep-together, keep-apart and fixed seats; hosts are set on each attendee."""
    event = db.get_or_404(Event, event_id)
    if request.method == "POST":
        person = _owned(Attendee, _posted_id("attendee_id"), event)
        try:
            if request.form.get("kind") == "fixed_seat":
                table = db.get_or_404(SeatingTable, _posted_id("table_id"))
                if table.session.event_id != event.id:
                    abort(404)
                constraints.fix_seat(event, person, table)
            else:
                other = _owned(Attendee, _posted_id("other_id"), event)
                kind = request.form.get("kind", "")
                if kind not in ("keep_together", "keep_apart"):
                    abort(400)
                constraints.add_pair_rule(event, kind, person, other)
        except constraints.ConstraintProblem as problem:
            flash(str(problem), "error")
        else:
            flash(_("Rule added."), "success")
        return redirect(url_for(".rules", event_id=event.id))
    return render_template(
        "organiser/rules.html",
        event=event,
        rules=constraints.event_constraints(event),
        people=attendees.search(event, attendees.Filters()),
    )


@bp.post("/events/<int:event_id>/rules/<int:rule_id>/delete")
@organiser_required
def delete_rule(event_id: int, rule_id: int):
    event = db.get_or_404(Event, event_id)
    constraints.delete_constraint(_owned(Constraint, rule_id, event))
    flash(_("Rule removed."), "success")
    return redirect(url_for(".rules", event_id=event.id))
