"""Public pages for attendees, reached by secret links: registration, and later their own page."""

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_babel import gettext as _

from eventapp.extensions import db
from eventapp.models import Event
from eventapp.services import attendees
from eventapp.views import forms

bp = Blueprint("attendee", __name__)


class RegistrationForm(forms.AttendeeForm):
    # Hosts are chosen by the organiser, not by the attendees themselves.
    is_host = None


@bp.route("/register/<token>", methods=["GET", "POST"])
def register(token: str):
    """Attendees enter their own details and goals. A known email changes nothing: anyone with
    the link could type it, so only the organisers edit a registered person."""
    event = db.one_or_404(db.select(Event).filter_by(registration_token=token))
    form = RegistrationForm()
    lang = str(get_locale())
    form.offers.choices = form.seeks.choices = forms.tag_choices(event.tags, lang)
    if not form.validate_on_submit():
        return render_template("attendee/register.html", event=event, form=form)
    try:
        attendees.save_attendee(event, None, form.details(is_host=False))
    except attendees.AttendeeProblem as problem:
        form.email.errors.append(str(problem))
        return render_template("attendee/register.html", event=event, form=form)
    message = _("You are registered. Welcome!")
    return render_template("attendee/registered.html", event=event, message=message)
