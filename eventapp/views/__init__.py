"""Blueprints, one per audience."""

from babel.lists import format_list
from flask import Flask, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from eventapp.config import LANGUAGES, RTL_LANGUAGES

MAX_ID = 2**31 - 1  # ids are PostgreSQL integers: it refuses to look up a larger one


class IdConverter(IntegerConverter):
    """`<int:...>` in addresses: a number beyond any id is a page that does not exist (404), not
    a query PostgreSQL refuses (a 500)."""

    def __init__(self, url_map, **options) -> None:
        super().__init__(url_map, **{"max": MAX_ID} | options)


def register(app: Flask) -> None:
    from eventapp.views import attendee, auth, organiser, planning

    app.url_map.converters["int"] = IdConverter  # before any rule uses it
    app.register_blueprint(auth.bp)
    app.register_blueprint(organiser.bp)
    app.register_blueprint(attendee.bp)
    app.register_blueprint(planning.bp)

    @app.context_processor
    def page_language() -> dict:
        lang = str(get_locale())
        return {
            "lang": lang,
            "text_dir": "rtl" if lang in RTL_LANGUAGES else "ltr",
            "languages": LANGUAGES,
        }

    @app.template_filter("names")
    def names(items) -> Markup:
        """Names as a list in the page's language ("A, B and C"), each isolated in <bdi>."""
        return Markup(
            format_list([Markup("<bdi>%s</bdi>") % n for n in items], locale=get_locale())
        )

    @app.before_request
    def refuse_nul():
        """Nobody types a NUL character, and PostgreSQL cannot store or even look one up (a 500
        on the sign-in and registration pages): a request holding one is refused first."""
        if "\x00" in request.path:
            message = _("The address holds a NUL character. Check the link.")
            return render_template("error.html", code=400, message=message), 400
        fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
        fields += [(name, file.filename or "") for name, file in request.files.items(multi=True)]
        for name, value in fields:
            if "\x00" in name + value:
                message = _(
                    "The field %(field)s holds a NUL character, which cannot be stored. "
                    "Remove it and send the form again.",
                    field=name.replace("\x00", "\\0"),
                )
                return render_template("error.html", code=400, message=message), 400
        return None

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Werkzeug's pages are English only; these follow the page language.
        messages = {
            400: _(
                "The request could not be read. If you sent a form, reload the page and try again."
            ),
            403: _("Your account may not open this page."),
            404: _("There is no such page. The link may be old or mistyped."),
            405: _("This page cannot be used that way."),
            413: _("The file is too large."),
        }
        message = messages.get(error.code, _("The request could not be carried out."))
        return render_template("error.html", code=error.code, message=message), error.code
