"""Organiser forms. Field labels go through lazy_gettext so they follow the page language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from eventapp.config import LANGUAGES
from eventapp.services.attendees import AttendeeDetails
from solver.event import BALANCE_COST_PERCENT, HANDICAP_RANGE, is_time_zone

LANGUAGE_CHOICES = [SelectChoice(code, name) for code, name in LANGUAGES.items()]


class EventForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("First day"), validators=[Optional()])
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    venue = StringField(_l("Venue"), validators=[Length(max=200)])
    timezone = StringField(
        _l("Time zone"), default="Europe/Stockholm", validators=[DataRequired(), Length(max=64)]
    )
    languages = SelectMultipleField(
        _l("Languages"), choices=LANGUAGE_CHOICES, default=["en"], validators=[DataRequired()]
    )
    same_company_apart = BooleanField(_l("Seat colleagues from one company apart"), default=True)

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

    def validate_timezone(self, field):
        # The planner reads the event as an event file, which names a real time zone.
        if not is_time_zone(field.data):
            raise ValidationError(_l("Unknown time zone: write one like Europe/Stockholm."))


class TagForm(FlaskForm):
    key = StringField(_l("Key"), validators=[DataRequired(), Length(max=100)])
    label_en = StringField(_l("English label"), validators=[Length(max=200)])
    label_sv = StringField(_l("Swedish label"), validators=[Length(max=200)])
    label_he = StringField(_l("Hebrew label"), validators=[Length(max=200)])
    synonyms = StringField(_l("Synonyms (separated by ;)"), validators=[Length(max=1000)])


class SessionForm(FlaskForm):
    key = StringField(_l("Short key"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("seating", _l("Seated tables")),
            SelectChoice("golf", _l("Golf flights")),
        ],
    )
    rounds = IntegerField(_l("Rounds"), default=1, validators=[InputRequired(), NumberRange(1, 20)])
    tables = TextAreaField(
        _l("Tables, one per line: name, seats (and optionally a minimum)"),
        default="Table 1, 8\nTable 2, 8",
    )
    flight_size = SelectField(
        _l("Players per flight"), choices=[SelectChoice("4"), SelectChoice("3")], default="4"
    )
    tee_start = DateTimeLocalField(
        _l("First tee time"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    tee_interval_minutes = IntegerField(
        _l("Minutes between tee times"), default=10, validators=[Optional(), NumberRange(1, 60)]
    )
    shotgun = BooleanField(_l("Shotgun start (every flight starts at once from its own hole)"))
    balance_cost_percent = IntegerField(
        _l("Balancing handicaps may cost up to this share of the match value (%)"),
        default=BALANCE_COST_PERCENT,
        validators=[InputRequired(), NumberRange(0, 100)],
    )


class AttendeeForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[Length(max=100)])
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    company = StringField(_l("Company"), validators=[Length(max=200)])
    title = StringField(_l("Title"), validators=[Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Length(max=50)])
    languages = SelectMultipleField(_l("Languages spoken"), choices=LANGUAGE_CHOICES)
    offers = SelectMultipleField(_l("Offers"), choices=[])
    seeks = SelectMultipleField(_l("Seeks"), choices=[])
    goals = TextAreaField(_l("Goals in their own words"))
    handicap = DecimalField(
        _l("Golf handicap"), places=1, validators=[Optional(), NumberRange(*HANDICAP_RANGE)]
    )
    is_host = BooleanField(_l("Table host"))
    consent_to_share = BooleanField(_l("May appear on other people's sheets"), default=True)

    def details(self, **overrides) -> AttendeeDetails:
        data = {name: f.data for name, f in self._fields.items() if name != "csrf_token"}
        data["handicap"] = float(data["handicap"]) if data["handicap"] is not None else None
        for name in ("languages", "offers", "seeks"):
            data[name] = tuple(data[name] or ())
        return AttendeeDetails(**(data | overrides))


def tag_choices(tags, lang: str) -> list[SelectChoice]:
    """Options for an offers/seeks picker; every label and synonym is searchable by type-ahead."""
    return [
        SelectChoice(
            t.key,
            t.label(lang),
            {"data-search": " ".join([t.key, *t.labels.values(), *t.synonyms])},
        )
        for t in tags
    ]
