"""Mingle: event check-in and mingling planner."""

import os

from flask import Flask, has_request_context, request, session

from eventapp import config
from eventapp.extensions import babel, csrf, db, login_manager, migrate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def select_locale() -> str:
    """The language the user picked (?lang=, kept in the session), else the browser's choice."""
    if not has_request_context():  # CLI commands and background jobs
        return "en"
    languages = list(config.LANGUAGES)
    if (lang := request.args.get("lang")) in languages:
        session["lang"] = lang
    return session.get("lang") or request.accept_languages.best_match(languages) or "en"


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(ROOT, "templates"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.defaults(app.instance_path))
    if test_config is not None:
        app.config.from_mapping(test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    from eventapp import cli, views

    views.register(app)
    cli.register(app)
    return app
