"""Planning pages: run the solver, watch it, compare versions, adjust the chart, export."""

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from eventapp.extensions import db
from eventapp.models import EventSession, Plan
from eventapp.services import planning
from eventapp.views import MAX_ID
from eventapp.views.organiser import organiser_required

bp = Blueprint("planning", __name__)


@bp.before_request
@organiser_required
def organisers_only() -> None:
    """Every planning page shows goals and seats: organisers only, for every route below."""


def _number(name: str, kind: type = int, default: str | None = None):
    value = request.values.get(name, default)
    try:
        number = kind(value)
    except (TypeError, ValueError):
        abort(400, f"{name} must be a number")
    if kind is int and abs(number) > MAX_ID:  # no id, round or seed is this large
        abort(400, f"{name} is out of range")
    return number


def _plan_page(plan: Plan, **args) -> Response:
    return redirect(url_for(".plan", plan_id=plan.id, **args))


def _flash_violations(violations: list[planning.Violation]) -> None:
    if violations:
        flash(
            ngettext(
                "This breaks %(num)d rule: see the rules broken beside the chart.",
                "This breaks %(num)d rules: see the rules broken beside the chart.",
                len(violations),
            ),
            "error",
        )


@bp.get("/sessions/<int:session_id>/plans")
def session_plans(session_id: int):
    session = db.get_or_404(EventSession, session_id)
    versions = planning.plan_versions(session)
    return render_template(
        "organiser/plan_session.html",
        session=planning.session_info(session),
        versions=versions,
        active=next((v for v in versions if v.is_active), None),
        time_limits=planning.TIME_LIMITS,
        max_seed=planning.MAX_SEED,
    )


@bp.post("/sessions/<int:session_id>/plans")
def start_plan(session_id: int):
    session = db.get_or_404(EventSession, session_id)
    try:
        plan = planning.start_plan(
            session,
            time_limit=_number("time_limit", float, "10"),
            seed=_number("seed", int, "0"),
        )
    except planning.PlanError as error:
        flash(str(error), "error")
        return redirect(url_for(".session_plans", session_id=session.id))
    return _plan_page(plan)


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    why = None
    if "person" in request.args:
        try:
            why = planning.why(
                plan, _number("person"), _number("round", int, "0"), str(get_locale())
            )
        except planning.PlanError as error:
            flash(str(error), "error")
    return render_template(
        "organiser/plan.html",
        chart=planning.chart(plan),
        progress=planning.progress_of(plan),
        conflict=planning.conflict_of(plan),
        why=why,
    )


@bp.get("/plans/<int:plan_id>/progress")
def progress(plan_id: int):
    return jsonify(planning.progress_of(db.get_or_404(Plan, plan_id)))


@bp.get("/plans/<int:plan_id>/why")
def why(plan_id: int):
    """The person panel alone, for the chart's script to show without a page load."""
    plan = db.get_or_404(Plan, plan_id)
    try:
        why = planning.why(plan, _number("person"), _number("round"), str(get_locale()))
    except planning.PlanError as error:
        abort(404, str(error))
    return render_template("organiser/plan_why.html", why=why, editable=True)


@bp.post("/plans/<int:plan_id>/cancel")
def cancel(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    if planning.cancel_plan(plan):
        flash(_("Stopping: the best plan found so far is kept."), "success")
    else:
        flash(_("This plan had already finished."), "error")
    return _plan_page(plan)


@bp.post("/plans/<int:plan_id>/activate")
def activate(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    try:
        planning.activate_plan(plan)
        flash(_("Version %(version)d is now the active plan.", version=plan.version), "success")
    except planning.PlanError as error:
        flash(str(error), "error")
    if request.form.get("back") == "plan":
        return _plan_page(plan)
    return redirect(url_for(".session_plans", session_id=plan.session_id))


def _adjust(plan: Plan, edit: Callable[[int, int], list], done: str) -> Response:
    """Apply a hand edit to one person's seat in a round, then show them with what it broke."""
    person, round_ = _number("person"), _number("round")
    try:
        broken = edit(person, round_)
        flash(done, "success")
        _flash_violations(broken)
    except planning.PlanError as error:
        flash(str(error), "error")
    return _plan_page(plan, person=person, round=round_, _anchor="why")


@bp.post("/plans/<int:plan_id>/move")
def move(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    return _adjust(
        plan,
        lambda person, r: planning.move_person(plan, person, r, _number("target")),
        _("Moved."),
    )


@bp.post("/plans/<int:plan_id>/swap")
def swap(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    return _adjust(
        plan,
        lambda person, r: planning.swap_people(plan, r, person, _number("other")),
        _("Swapped."),
    )


@bp.post("/plans/<int:plan_id>/lock")
def lock(plan_id: int):
    """Lock or unlock one person's seat (person=) or a whole table or flight (group=) in a round."""
    plan = db.get_or_404(Plan, plan_id)
    round_, locked = _number("round"), request.form.get("locked") == "1"
    person = _number("person") if "person" in request.form else None
    group = None if person is not None else _number("group")
    try:
        planning.set_locked(plan, round_, locked=locked, attendee_id=person, group=group)
    except planning.PlanError as error:
        flash(str(error), "error")
    if person is not None:
        return _plan_page(plan, person=person, round=round_, _anchor="why")
    return _plan_page(plan, _anchor=f"round-{round_ + 1}")


@bp.post("/plans/<int:plan_id>/reoptimise")
def reoptimise(plan_id: int):
    plan = db.get_or_404(Plan, plan_id)
    try:
        new = planning.reoptimise(plan)
    except planning.PlanError as error:
        flash(str(error), "error")
        return _plan_page(plan)
    return _plan_page(new)


@bp.get("/sessions/<int:session_id>/compare")
def compare(session_id: int):
    session = db.get_or_404(EventSession, session_id)
    a, b = db.get_or_404(Plan, _number("a")), db.get_or_404(Plan, _number("b"))
    if a.session_id != session.id or b.session_id != session.id:
        abort(404)
    return render_template(
        "organiser/plan_compare.html",
        session=planning.session_info(session),
        comparison=planning.compare_plans(a, b),
    )


def _active_or_404(session: EventSession) -> Plan:
    plan = planning.active_plan(session)
    if plan is None:
        abort(404, _("This session has no active plan yet."))
    return plan


@bp.get("/sessions/<int:session_id>/plan.csv")
def export_csv(session_id: int):
    session = db.get_or_404(EventSession, session_id)
    return Response(
        "\ufeff" + planning.plan_csv(_active_or_404(session)),  # BOM: Excel reads UTF-8 right
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="plan-{session.key}.csv"'},
    )


@bp.get("/sessions/<int:session_id>/plan.xlsx")
def export_xlsx(session_id: int):
    session = db.get_or_404(EventSession, session_id)
    return Response(
        planning.plan_xlsx(_active_or_404(session)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="plan-{session.key}.xlsx"'},
    )


@bp.get("/sessions/<int:session_id>/tables")
def table_lists(session_id: int):
    """Per-table (or per-flight) lists of the active plan, to print."""
    session = db.get_or_404(EventSession, session_id)
    return render_template(
        "organiser/plan_print.html", chart=planning.chart(_active_or_404(session))
    )
