"""Logging in and out."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user
from urllib.parse import urlsplit

from eventapp.extensions import db, login_manager
from eventapp.models import User

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never redirect a fresh login to another host.
    if target and target.startswith("/") and not urlsplit(target).netloc:
        return target
    return url_for("organiser.events")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
        if user and user.check_password(request.form.get("password", "")):
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong email or password."), "error")
    return render_template("auth/login.html"), 200 if request.method == "GET" else 401


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
