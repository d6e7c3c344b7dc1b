"""Blueprints, one per audience."""

from flask import Flask
from flask_babel import get_locale

from eventapp.config import LANGUAGES, RTL_LANGUAGES


def register(app: Flask) -> None:
    from eventapp.views import attendee, auth, organiser, planning

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
