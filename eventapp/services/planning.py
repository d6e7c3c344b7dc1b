"""Planning: solver runs as plan versions, their seating charts and tee sheets, hand edits, exports.

The solver works on the event file's shape (names and emails in, names out); this module turns a
session into that shape, runs the solver as a background job, stores what it found as a Plan with
its Assignments, and builds the plain view models (dataclasses) the pages, exports and printouts
render. Nothing here reads the request: the page language is passed in.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from babel.lists import format_list
from flask_babel import gettext
from sqlalchemy import case, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventapp.extensions import db
from eventapp.models import Assignment, Attendee, EventSession, Plan
from eventapp.models.base import utcnow
from eventapp.services import jobs
from eventapp.services.events import event_to_dict
from solver import solve
from solver.event import broken_rules, solve_event_session
from solver.feasibility import PEOPLE_FACTS
from solver.model import MAX_SEED, Progress
from solver.scoring import PairScores, Profile, score_pairs

log = logging.getLogger(__name__)

RUNNING = ("queued", "running", "cancelling")
FINISHED = ("done", "failed", "cancelled")
TIME_LIMITS = (0.1, 600.0)  # seconds: tests use fractions, a real event a minute or more
PROGRESS_EVERY = 0.5  # seconds between progress writes: at most two per second
STOP_CHECK_EVERY = 0.25  # seconds between looks at the plan's state for a cancel
OVERDUE_AFTER = 300  # seconds past its time limit when a running plan's worker must have died


class PlanError(Exception):
    """Something the organiser asked for that cannot be done; the message says why."""


# --- Running the solver ---------------------------------------------------------------------


def start_plan(
    session: EventSession, *, time_limit: float, seed: int, base: Plan | None = None
) -> Plan:
    """Create the next plan version of `session` (state queued) and start solving it.

    With `base`, the new version keeps the seats locked in `base` and re-optimises the rest.
    Returns at once; the job fills in progress, scores and assignments.
    """
    low, high = TIME_LIMITS
    if not low <= time_limit <= high:
        raise PlanError(
            gettext(
                "The time limit must be between %(low)s and %(high)s seconds.",
                low=f"{low:g}",
                high=f"{high:g}",
            )
        )
    if not 0 <= seed <= MAX_SEED:
        raise PlanError(
            gettext("The seed must be a whole number from 0 to %(most)d.", most=MAX_SEED)
        )
    if base is not None and base.session_id != session.id:
        raise PlanError(gettext("That plan belongs to another session."))
    if not session.event.attendees:
        raise PlanError(gettext("There is nobody to plan for: add attendees first."))
    plan = _new_version(session, time_limit=time_limit, seed=seed)
    try:
        jobs.submit("eventapp.services.planning.run_plan", plan.id, base.id if base else 0)
    except Exception as error:  # e.g. Redis is down: say so on the plan page, not as a 500
        log.exception("Could not start plan %s", plan.id)
        plan.state = "failed"
        plan.message = gettext("The plan could not be started: %(error)s", error=error)
        db.session.commit()
    return plan


def _new_version(session: EventSession, **settings: float | int) -> Plan:
    # Two quick clicks on "Plan" may race for the same version number; the loser takes the next.
    attempts = 0
    while True:
        last = db.session.execute(
            select(func.max(Plan.version)).where(Plan.session_id == session.id)
        ).scalar()
        plan = Plan(
            session_id=session.id,
            version=(last or 0) + 1,
            state="queued",
            progress={},
            message="",
            **settings,
        )
        db.session.add(plan)
        try:
            db.session.commit()
            return plan
        except IntegrityError:
            db.session.rollback()
            attempts += 1
            if attempts == 3:
                raise


def reoptimise(plan: Plan) -> Plan:
    """A new version that keeps `plan`'s locked seats and re-plans everyone else around them."""
    if not any(a.locked for a in plan.assignments):
        raise PlanError(gettext("Lock some people or tables first: nothing would be kept."))
    return start_plan(plan.session, time_limit=plan.time_limit, seed=plan.seed, base=plan)


def cancel_plan(plan: Plan) -> bool:
    """Ask a queued or running plan to stop; a running one keeps the best plan found so far.

    Returns False when the plan had already finished. The job sees the request through its
    stop callback (state "cancelling"), so it works for thread and RQ workers alike. A plan
    whose worker died (long past its time limit) is marked failed instead of waiting forever.
    """
    if plan.state in ("running", "cancelling") and _overdue(plan):
        plan.state = "failed"
        plan.message = gettext("The worker stopped before the plan was finished.")
        db.session.commit()
        return True
    result = db.session.execute(
        update(Plan)
        .where(Plan.id == plan.id, Plan.state.in_(("queued", "running")))
        .values(state=case((Plan.state == "queued", "cancelled"), else_="cancelling"))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(plan)
    return result.rowcount > 0


def _overdue(plan: Plan) -> bool:
    # The solver stops at its time limit; allow generous time for building and storing.
    return utcnow() - plan.created_at > timedelta(seconds=plan.time_limit + OVERDUE_AFTER)


def activate_plan(plan: Plan) -> None:
    """Make `plan` the session's active plan (the one exports and sheets use); one per session."""
    if plan.state in RUNNING:
        raise PlanError(gettext("This plan is still being worked on."))
    if not plan.assignments:
        raise PlanError(gettext("This plan seats nobody, so it cannot be made active."))
    db.session.execute(
        update(Plan)
        .where(Plan.session_id == plan.session_id, Plan.id != plan.id)
        .values(is_active=False)
        .execution_options(synchronize_session=False)
    )
    plan.is_active = True
    db.session.commit()


def active_plan(session: EventSession) -> Plan | None:
    return db.session.execute(
        select(Plan).filter_by(session_id=session.id, is_active=True)
    ).scalar_one_or_none()


class _RunControl:
    """The solver's progress and stop callbacks for one plan.

    The solver may call them from its own threads, where there is no app context: they use
    the engine directly and never the request-scoped session.
    """

    def __init__(self, engine: Engine, plan_id: int, started: float) -> None:
        self._engine = engine
        self._plan_id = plan_id
        self._started = started
        self._lock = threading.Lock()
        self._last_write = -math.inf
        self._last_check = -math.inf
        self._stopping = False

    def progress(self, progress: Progress) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last_write < PROGRESS_EVERY:
                return
            self._last_write = now
        values = {
            "best": _finite(progress.best),
            "bound": _finite(progress.bound),
            "elapsed": round(progress.elapsed, 2),
            "started": self._started,
        }
        with self._engine.begin() as conn:
            conn.execute(
                update(Plan)
                .where(Plan.id == self._plan_id, Plan.state.in_(("running", "cancelling")))
                .values(progress=values)
            )

    def stop(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._stopping or now - self._last_check < STOP_CHECK_EVERY:
                return self._stopping
            self._last_check = now
        with self._engine.connect() as conn:
            state = conn.execute(select(Plan.state).where(Plan.id == self._plan_id)).scalar()
        self._stopping = state != "running"
        return self._stopping


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def run_plan(plan_id: int, base_id: int = 0) -> None:
    """The background job: solve the plan's session and store the result on the plan."""
    started = db.session.execute(
        update(Plan)
        .where(Plan.id == plan_id, Plan.state == "queued")
        .values(state="running", progress={"started": time.time()})
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if started.rowcount == 0:  # cancelled (or already taken) before it started
        return
    plan = db.session.get(Plan, plan_id)
    base = db.session.get(Plan, base_id) if base_id else None
    control = _RunControl(db.engine, plan_id, plan.progress.get("started", time.time()))
    try:
        event, key = event_to_dict(plan.session.event), plan.session.key
        time_limit, seed = plan.time_limit, plan.seed
        locked, locked_keys = (_locked_seats(base), _locked_keys(base)) if base else ((), set())
        # No connection or open transaction while solving: 16 plans at once took every pooled
        # connection, and PostgreSQL kept each one "idle in transaction" for the whole time limit.
        db.session.commit()
        result = solve_event_session(
            event,
            key,
            time_limit=time_limit,
            seed=seed,
            progress=control.progress,
            stop=control.stop,
            locked=locked,
            solve=solve,
        ).to_dict()
        plan = db.session.get(Plan, plan_id)
        if plan is None:  # its session or event was deleted while it ran: nothing to store
            log.info("Plan %s was deleted while it ran", plan_id)
            return
        _store_result(plan, result, locked=locked_keys)
        plan.state = "cancelled" if plan.state == "cancelling" else "done"
    except Exception as error:  # the organiser sees why on the plan page; the log has the trace
        log.exception("Plan %s failed", plan_id)
        db.session.rollback()
        plan = db.session.get(Plan, plan_id)
        if plan is None:
            return
        plan.state = "failed"
        plan.message = str(error) or error.__class__.__name__
    db.session.commit()


def _locked_keys(plan: Plan) -> set[tuple[int, int]]:
    return {(a.attendee_id, a.round) for a in plan.assignments if a.locked}


def _locked_seats(plan: Plan) -> tuple[tuple[str, int, int], ...]:
    """Locked seats in the solver's terms: (email, round, group index in session order)."""
    tables = {t.id: k for k, t in enumerate(plan.session.tables)}
    return tuple(
        (a.attendee.email, a.round, tables[a.table_id] if a.table_id is not None else a.flight)
        for a in sorted(plan.assignments, key=lambda a: (a.round, a.attendee_id))
        if a.locked
    )


def _store_result(plan: Plan, result: dict, *, locked: set[tuple[int, int]]) -> None:
    """Copy the solver's scores and seats onto the plan (replacing any earlier assignments)."""
    plan.status = str(result.get("status") or "")
    planned = plan.status in ("optimal", "feasible")  # no figures for a plan that does not exist
    plan.objective = result.get("objective") if planned else None
    plan.upper_bound = _finite(result.get("upper_bound")) if planned else None
    plan.bound_kind = result.get("bound_kind") if planned else None
    plan.people_without_match = result.get("people_without_match") if planned else None
    plan.handicap_spread = result.get("handicap_spread")
    plan.handicap_spread_before = result.get("handicap_spread_before")
    plan.balance_cost = result.get("balance_cost")
    plan.seconds = result.get("seconds")
    plan.message = result.get("message") or ""
    plan.progress = {
        **(plan.progress or {}),
        "best": _finite(plan.objective),
        "bound": plan.upper_bound,
        "elapsed": plan.seconds,
    }
    if result.get("conflict"):  # why no plan exists, for the page to word in its language
        plan.progress["conflict"] = result["conflict"]
    if result.get("crowding"):  # colleagues could not be spread as far as their numbers allow
        plan.progress["crowding"] = result["crowding"]
    plan.assignments.clear()
    session = plan.session
    people = {a.email.lower(): a.id for a in session.event.attendees}
    # Groups come in session order: tables as listed, flights numbered from the first.
    for r, groups in enumerate(result.get("rounds") or ()):
        for g, group in enumerate(groups):
            for person in group["people"]:
                attendee_id = people[person["email"].lower()]
                assignment = Assignment(
                    round=r, attendee_id=attendee_id, locked=(attendee_id, r) in locked
                )
                if session.kind == "golf":
                    assignment.flight = g
                    assignment.tee_time = _datetime(group.get("tee_time"))
                    assignment.starting_hole = group.get("starting_hole")
                else:
                    assignment.table_id = session.tables[g].id
                plan.assignments.append(assignment)


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- What the pages show --------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInfo:
    """The session a planning page is about, as the page needs it."""

    id: int
    key: str
    name: str
    kind: str  # seating or golf
    rounds: int
    event_id: int
    event_name: str
    people: int
    tables: int
    seats: int  # seating: total capacity
    flight_size: int


def session_info(session: EventSession) -> SessionInfo:
    return SessionInfo(
        id=session.id,
        key=session.key,
        name=session.name,
        kind=session.kind,
        rounds=session.rounds,
        event_id=session.event_id,
        event_name=session.event.name,
        people=len(session.event.attendees),
        tables=len(session.tables),
        seats=sum(t.capacity for t in session.tables),
        flight_size=session.flight_size,
    )


@dataclass(frozen=True)
class PlanSummary:
    """A plan version's state and scores, as the versions list and the compare page show them."""

    id: int
    version: int
    state: str
    status: str
    is_active: bool
    objective: float | None
    upper_bound: float | None
    gap: float | None
    bound_kind: str
    people_without_match: int | None
    handicap_spread: float | None
    handicap_spread_before: float | None
    balance_cost: float | None
    seconds: float | None
    time_limit: float
    seed: int
    message: str
    rules: tuple[str, ...]  # an impossible plan: the rules that clash (see conflict_of)
    created_at: datetime
    locked: int
    can_activate: bool


def summarise(plan: Plan) -> PlanSummary:
    return PlanSummary(
        id=plan.id,
        version=plan.version,
        state=plan.state,
        status=plan.status or "",
        is_active=plan.is_active,
        objective=plan.objective,
        upper_bound=plan.upper_bound,
        gap=plan.gap,
        bound_kind=plan.bound_kind or "",
        people_without_match=plan.people_without_match,
        handicap_spread=plan.handicap_spread,
        handicap_spread_before=plan.handicap_spread_before,
        balance_cost=plan.balance_cost,
        seconds=plan.seconds,
        time_limit=plan.time_limit,
        seed=plan.seed,
        message=plan.message or "",
        rules=tuple(_conflict_rules(plan)),
        created_at=plan.created_at,
        locked=sum(a.locked for a in plan.assignments),
        can_activate=plan.state in FINISHED and bool(plan.assignments) and not plan.is_active,
    )


def plan_versions(session: EventSession) -> list[PlanSummary]:
    """Every plan of the session, newest first."""
    plans = db.session.execute(
        select(Plan)
        .filter_by(session_id=session.id)
        .options(selectinload(Plan.assignments))
        .order_by(Plan.version.desc())
    ).scalars()
    return [summarise(p) for p in plans]


def progress_of(plan: Plan) -> dict:
    """The progress bar's data: best value so far, bound, gap, elapsed seconds, state."""
    progress = plan.progress or {}
    best, bound = progress.get("best"), progress.get("bound")
    if plan.state in FINISHED:
        # What the plan is worth now: hand edits change it after the solver has finished.
        best, bound = _finite(plan.objective), plan.upper_bound
    elapsed = progress.get("elapsed") or 0.0
    if plan.state in ("running", "cancelling") and "started" in progress:
        # The solver reports when it improves; the clock keeps the bar moving in between.
        elapsed = max(elapsed, round(time.time() - progress["started"], 2))
    gap = None
    if best is not None and bound:
        gap = max(0.0, (bound - best) / bound)
    return {
        "id": plan.id,
        "state": plan.state,
        "finished": plan.state in FINISHED,
        "status": plan.status,
        "best": best,
        "bound": bound,
        "gap": gap,
        "elapsed": elapsed,
        "time_limit": plan.time_limit,
        "fraction": 1.0 if plan.state in FINISHED else min(1.0, elapsed / plan.time_limit),
        "message": plan.message or "",
        "crowding": progress.get("crowding") or {},
    }


def _conflict_rules(plan: Plan) -> list[str]:
    conflict = (plan.progress or {}).get("conflict") or {}
    return [r for r in conflict.get("rule", "").split("+") if r]


def conflict_of(plan: Plan) -> dict | None:
    """Why an impossible plan cannot be made, for the page to word in its own language: the
    solver's conflict (solver.event._explain) with names in place of emails. None for a plan
    that exists, or one stored before conflicts were kept (its message says why)."""
    conflict = (plan.progress or {}).get("conflict")
    if plan.status != "infeasible" or not conflict:
        return None
    names = {a.email.lower(): a.full_name for a in plan.session.event.attendees}

    def named(emails: Iterable[str]) -> list[str]:
        return [names.get(e.lower(), e) for e in emails]

    facts = dict(conflict.get("facts") or {})
    for key in PEOPLE_FACTS:
        if key in facts:
            facts[key] = named(facts[key])
    if "groups" in facts:
        facts["groups"] = [named(g) for g in facts["groups"]]
    if "clauses" in facts:
        facts["clauses"] = [{**c, "people": named(c["people"])} for c in facts["clauses"]]
    return {
        "session": plan.session.name,
        "rules": _conflict_rules(plan),
        "people": named(conflict.get("people", [])),
        "groups": conflict.get("groups", []),
        "case": conflict.get("case", ""),
        "facts": facts,
        "about": [{**r, "people": named(r["people"])} for r in conflict.get("rules", [])],
    }


@dataclass(frozen=True)
class Seat:
    """One person in one round, placed around their table's drawing."""

    attendee_id: int
    name: str
    label: str  # short form for the drawing; the full name is in its tooltip
    company: str
    email: str
    handicap: float | None
    is_host: bool
    locked: bool
    match: str  # "none", "one-way" or "mutual": the best pair this person has at the table
    x: float = 0.0
    y: float = 0.0
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "middle"


@dataclass(frozen=True)
class Group:
    """A table (seating) or a flight (golf) in one round."""

    key: int  # the table's id, or the flight number (0-based)
    name: str
    capacity: int
    seats: tuple[Seat, ...]
    empty: tuple[tuple[float, float], ...] = ()  # positions of free seats
    locked: bool = False  # everyone at it is locked
    tee: str = ""  # golf: tee time or starting hole
    mean_handicap: float | None = None


@dataclass(frozen=True)
class Round:
    index: int  # 0-based, as stored
    number: int  # 1-based, as shown
    groups: tuple[Group, ...]
    unplaced: tuple[tuple[int, str], ...] = ()  # (attendee id, name): registered after planning


@dataclass(frozen=True)
class Violation:
    """A rule the plan breaks in one round (usually after a hand edit)."""

    rule: str  # as solver.event.broken_rules names it, or unchecked
    round: int  # 1-based (0 for unchecked)
    group: str  # the table or flight concerned ("" for unplaced)
    people: tuple[str, ...]
    attendee_ids: tuple[int, ...]
    limit: int = 0  # capacity: the seats; min_size: the minimum
    message: str = ""  # unchecked: why the rules could not be checked


@dataclass(frozen=True)
class TableDrawing:
    """The geometry of one round table's SVG (user units): the table, its seats, name labels."""

    width: int = 360
    height: int = 290
    table_radius: int = 52
    seat_radius: int = 78
    label_radius: int = 96

    @property
    def cx(self) -> float:
        return self.width / 2

    @property
    def cy(self) -> float:
        return self.height / 2


DRAWING = TableDrawing()


@dataclass(frozen=True)
class Chart:
    """Everything the plan page, the print lists and the exports need, without ORM objects."""

    plan: PlanSummary
    session: SessionInfo
    rounds: tuple[Round, ...]
    violations: tuple[Violation, ...]
    drawing: TableDrawing = DRAWING


LABEL_LENGTH = 14


def _short(person: Attendee) -> str:
    """First name and initial ("Åsa L."): what fits beside a seat; the tooltip has the rest."""
    name = f"{person.first_name} {person.last_name[:1]}." if person.last_name else person.first_name
    return name if len(name) <= LABEL_LENGTH else name[: LABEL_LENGTH - 1] + "…"


def _around(k: int, n: int, d: TableDrawing = DRAWING) -> dict:
    """Where seat k of n sits: first seat at the top, then clockwise."""
    angle = -math.pi / 2 + 2 * math.pi * k / max(n, 1)
    cos, sin = math.cos(angle), math.sin(angle)
    return {
        "x": round(d.cx + d.seat_radius * cos, 1),
        "y": round(d.cy + d.seat_radius * sin, 1),
        "label_x": round(d.cx + d.label_radius * cos, 1),
        # Labels below the table hang lower, so their text clears the seat.
        "label_y": round(d.cy + d.label_radius * sin + 4 + 8 * sin, 1),
        # The drawing is always left-to-right; names extend away from the table.
        "anchor": "start" if cos > 0.25 else "end" if cos < -0.25 else "middle",
    }


class _Matches:
    """Pair values of the event's people (solver.scoring), looked up by attendee id."""

    def __init__(self, attendees: Sequence[Attendee]) -> None:
        self.index = {a.id: i for i, a in enumerate(attendees)}
        self.scores: PairScores = score_pairs(
            [
                Profile(
                    offers=frozenset(t.key for t in a.offers),
                    seeks=frozenset(t.key for t in a.seeks),
                    languages=frozenset(lang.strip().lower() for lang in a.languages or ()),
                )
                for a in attendees
            ]
        )

    def value(self, a: int, b: int) -> float:
        return self.scores.value(self.index[a], self.index[b])

    def level(self, person: int, others: Iterable[int]) -> str:
        level = "none"
        for other in others:
            if other == person or self.value(person, other) <= 0:
                continue
            if self.scores.pair(self.index[person], self.index[other]).mutual:
                return "mutual"
            level = "one-way"
        return level


@dataclass
class _Loaded:
    plan: Plan
    session: EventSession
    attendees: dict[int, Attendee]
    # placed[round][group key] -> assignments, in a stable order
    placed: dict[int, dict[int, list[Assignment]]]
    matches: _Matches

    @property
    def golf(self) -> bool:
        return self.session.kind == "golf"

    def group_keys(self, r: int) -> list[int]:
        if self.golf:
            return sorted(self.placed.get(r, {}))
        return [t.id for t in self.session.tables]

    def group_name(self, key: int) -> str:
        if self.golf:
            return gettext("Flight %(number)d", number=key + 1)
        return next((t.name for t in self.session.tables if t.id == key), "?")

    def capacity(self, key: int) -> int:
        if self.golf:
            return self.session.flight_size
        return next((t.capacity for t in self.session.tables if t.id == key), 0)

    def where(self, attendee_id: int, r: int) -> Assignment | None:
        for group in self.placed.get(r, {}).values():
            for a in group:
                if a.attendee_id == attendee_id:
                    return a
        return None


def _key(a: Assignment) -> int:
    return a.flight if a.table_id is None else a.table_id


def _load(plan: Plan) -> _Loaded:
    session = plan.session
    attendees = list(
        db.session.execute(
            select(Attendee)
            .filter_by(event_id=session.event_id)
            .options(selectinload(Attendee.offers), selectinload(Attendee.seeks))
            .order_by(Attendee.id)
        ).scalars()
    )
    placed: dict[int, dict[int, list[Assignment]]] = defaultdict(lambda: defaultdict(list))
    for a in sorted(plan.assignments, key=lambda a: (a.round, a.id or 0)):
        placed[a.round][_key(a)].append(a)
    return _Loaded(plan, session, {a.id: a for a in attendees}, placed, _Matches(attendees))


def _tee(assignments: Sequence[Assignment]) -> str:
    first = assignments[0] if assignments else None
    if first is None:
        return ""
    if first.starting_hole is not None:
        return gettext("Hole %(number)d", number=first.starting_hole)
    return first.tee_time.strftime("%H:%M") if first.tee_time else ""


def _round_view(data: _Loaded, r: int) -> Round:
    groups = []
    for key in data.group_keys(r):
        placed = data.placed.get(r, {}).get(key, [])
        ids = [a.attendee_id for a in placed]
        places = max(len(placed), data.capacity(key))
        seats = []
        for k, a in enumerate(placed):
            person = data.attendees[a.attendee_id]
            seats.append(
                Seat(
                    attendee_id=person.id,
                    name=person.full_name,
                    label=_short(person),
                    company=person.company,
                    email=person.email,
                    handicap=person.handicap,
                    is_host=person.is_host,
                    locked=a.locked,
                    match=data.matches.level(person.id, ids),
                    **_around(k, places),
                )
            )
        handicaps = [s.handicap for s in seats if s.handicap is not None]
        groups.append(
            Group(
                key=key,
                name=data.group_name(key),
                capacity=data.capacity(key),
                seats=tuple(seats),
                empty=tuple(
                    (spot["x"], spot["y"])
                    for spot in (_around(k, places) for k in range(len(seats), places))
                ),
                locked=bool(placed) and all(a.locked for a in placed),
                tee=_tee(placed),
                mean_handicap=round(sum(handicaps) / len(handicaps), 1) if handicaps else None,
            )
        )
    seated = {a.attendee_id for group in data.placed.get(r, {}).values() for a in group}
    unplaced = tuple(
        (i, person.full_name) for i, person in data.attendees.items() if i not in seated
    )
    return Round(index=r, number=r + 1, groups=tuple(groups), unplaced=unplaced)


def chart(plan: Plan) -> Chart:
    """The plan as the page draws it: per round, each table or flight with its people."""
    data = _load(plan)
    seated = bool(plan.assignments)  # an impossible or failed plan has only its message
    return Chart(
        plan=summarise(plan),
        session=session_info(data.session),
        rounds=tuple(_round_view(data, r) for r in range(data.session.rounds)) if seated else (),
        violations=tuple(_violations(data)) if seated else (),
    )


# --- Rules a plan breaks --------------------------------------------------------------------


def _violations(data: _Loaded) -> list[Violation]:
    """Every rule the stored seats break, round by round, as solver.event.broken_rules finds
    them, with attendee ids and the page's names for tables and flights."""
    session = data.session
    if data.golf:  # flights by number, an emptied one too, so positions stay flight numbers
        keys = list(range(1 + max((k for r in data.placed.values() for k in r), default=-1)))
    else:
        keys = [t.id for t in session.tables]
    seats = {
        "session": session.key,
        "rounds": [
            [
                {"people": [data.attendees[a.attendee_id].email for a in placed.get(key, [])]}
                for key in keys
            ]
            for placed in (data.placed.get(r, {}) for r in range(session.rounds))
        ],
    }
    try:
        broken = broken_rules(event_to_dict(session.event), seats)
    except ValueError as error:  # stored data the event format refuses: say so, never a 500
        return [Violation("unchecked", 0, "", (), (), message=str(error))]
    ids = {a.email: i for i, a in data.attendees.items()}
    found = []
    for item in broken:
        people = tuple(ids[email] for email in item["people"])
        t = item["group_index"]
        found.append(
            Violation(
                rule=item["rule"],
                round=item["round"] + 1,
                group="" if t is None else data.group_name(keys[t]),
                people=tuple(data.attendees[i].full_name for i in people),
                attendee_ids=people,
                limit=item["limit"] or 0,
            )
        )
    return found


# --- Why someone sits where they sit --------------------------------------------------------


@dataclass(frozen=True)
class Direction:
    """`seeker` seeks `tags` (labels in the page language, joined), which `offerer` offers."""

    seeker: str
    offerer: str
    tags: str


@dataclass(frozen=True)
class Tablemate:
    attendee_id: int
    name: str
    company: str
    value: float
    mutual: bool
    common_language: bool
    directions: tuple[Direction, ...]
    met_before: tuple[int, ...]  # earlier rounds (1-based) where the two already shared a table


@dataclass(frozen=True)
class Why:
    """One person in one round: where they sit, their valuable pairs there, where they could go."""

    plan_id: int
    attendee_id: int
    name: str
    company: str
    round: int  # 0-based
    round_number: int
    golf: bool  # in a flight rather than at a table
    group_key: int
    group_name: str
    locked: bool
    is_host: bool
    match: str
    mates: tuple[Tablemate, ...]  # valuable pairs at this table, best first
    others: tuple[str, ...]  # the rest of the table
    move_targets: tuple[tuple[int, str], ...]  # other tables or flights of the round
    swap_with: tuple[tuple[int, str], ...]  # people at other tables in the round
    violations: tuple[Violation, ...] = field(default=())


def why(plan: Plan, attendee_id: int, round_: int, language: str) -> Why:
    """Why this person sits at their table in this round, with reasons in `language`."""
    data = _load(plan)
    seat = data.where(attendee_id, round_)
    if seat is None:
        raise PlanError(gettext("That person has no seat in this round."))
    person = data.attendees[attendee_id]
    key = _key(seat)
    here = [a.attendee_id for a in data.placed[round_][key]]
    tags = {t.key: t.label(language) for t in data.session.event.tags}
    scores, index = data.matches.scores, data.matches.index
    mates, others = [], []
    for other_id in here:
        if other_id == attendee_id:
            continue
        other = data.attendees[other_id]
        pair = scores.pair(index[attendee_id], index[other_id])
        if pair.value <= 0:
            others.append(other.full_name)
            continue
        by_direction: dict[tuple[int, int], list[str]] = defaultdict(list)
        for reason in pair.reasons:
            by_direction[(reason.seeker, reason.offerer)].append(tags.get(reason.tag, reason.tag))
        people = {index[attendee_id]: person.full_name, index[other_id]: other.full_name}
        mates.append(
            Tablemate(
                attendee_id=other_id,
                name=other.full_name,
                company=other.company,
                value=pair.value,
                mutual=pair.mutual,
                common_language=pair.common_language,
                directions=tuple(
                    Direction(people[s], people[o], format_list(labels, locale=language))
                    for (s, o), labels in by_direction.items()
                ),
                met_before=tuple(
                    r + 1
                    for r in range(round_)
                    if (earlier := data.where(attendee_id, r)) is not None
                    and (theirs := data.where(other_id, r)) is not None
                    and _key(earlier) == _key(theirs)
                ),
            )
        )
    mates.sort(key=lambda m: (-m.value, m.name))
    return Why(
        plan_id=plan.id,
        attendee_id=attendee_id,
        name=person.full_name,
        company=person.company,
        round=round_,
        round_number=round_ + 1,
        golf=data.golf,
        group_key=key,
        group_name=data.group_name(key),
        locked=seat.locked,
        is_host=person.is_host,
        match=data.matches.level(attendee_id, here),
        mates=tuple(mates),
        others=tuple(others),
        move_targets=tuple((k, data.group_name(k)) for k in data.group_keys(round_) if k != key),
        swap_with=tuple(
            sorted(
                (
                    # Company and table tell two people of one name apart.
                    (a.attendee_id, _swap_label(data.attendees[a.attendee_id], data.group_name(k)))
                    for k, group in data.placed[round_].items()
                    if k != key
                    for a in group
                ),
                key=lambda item: item[1],
            )
        ),
        violations=tuple(
            v for v in _violations(data) if attendee_id in v.attendee_ids and v.round == round_ + 1
        ),
    )


# --- Adjusting by hand ----------------------------------------------------------------------


def _editable(plan: Plan) -> _Loaded:
    if plan.state in RUNNING or not plan.assignments:
        raise PlanError(gettext("Only a finished plan with seats can be adjusted."))
    return _load(plan)


def _seat_of(data: _Loaded, attendee_id: int, round_: int) -> Assignment:
    seat = data.where(attendee_id, round_)
    if seat is None:
        raise PlanError(gettext("That person has no seat in this round."))
    return seat


def _place(data: _Loaded, seat: Assignment, key: int) -> None:
    if data.golf:
        mates = data.placed.get(seat.round, {}).get(key)
        if not mates:
            raise PlanError(gettext("There is no such flight in this round."))
        seat.flight = key
        seat.tee_time, seat.starting_hole = mates[0].tee_time, mates[0].starting_hole
    else:
        if key not in {t.id for t in data.session.tables}:
            raise PlanError(gettext("There is no such table in this session."))
        seat.table_id = key


def _swap_label(person: Attendee, group: str) -> str:
    return " · ".join(part for part in (person.full_name, person.company, group) if part)


def move_person(plan: Plan, attendee_id: int, round_: int, target: int) -> list[Violation]:
    """Move a person to another table (or flight) in one round, or seat someone the plan left
    out (registered after it was made); returns the rules now broken.

    The move is stored even when it breaks rules: the organiser decides, the page lists them.
    """
    data = _editable(plan)
    seat = data.where(attendee_id, round_)
    if seat is None:
        if attendee_id not in data.attendees or not 0 <= round_ < data.session.rounds:
            raise PlanError(gettext("That person has no seat in this round."))
        seat = Assignment(plan_id=plan.id, round=round_, attendee_id=attendee_id)
        _place(data, seat, target)
        db.session.add(seat)
    elif _key(seat) == target:
        raise PlanError(gettext("That person already sits there."))
    else:
        _place(data, seat, target)
    return _after_edit(plan, {attendee_id}, round_)


def swap_people(plan: Plan, round_: int, first: int, second: int) -> list[Violation]:
    """Swap two people's seats in one round; returns the rules now broken by either of them."""
    data = _editable(plan)
    a, b = _seat_of(data, first, round_), _seat_of(data, second, round_)
    key_a, key_b = _key(a), _key(b)
    if key_a == key_b:
        raise PlanError(gettext("Those two already sit at the same table."))
    _place(data, a, key_b)
    _place(data, b, key_a)
    return _after_edit(plan, {first, second}, round_)


def set_locked(
    plan: Plan,
    round_: int,
    *,
    locked: bool,
    attendee_id: int | None = None,
    group: int | None = None,
) -> int:
    """Lock (or unlock) one person's seat, or everyone at one table or flight, in one round.

    Locked seats are kept when the plan is re-optimised. Returns how many seats changed.
    """
    data = _editable(plan)
    if attendee_id is not None:
        seats = [_seat_of(data, attendee_id, round_)]
    else:
        seats = data.placed.get(round_, {}).get(group, [])
        if not seats:
            raise PlanError(gettext("Nobody sits there in this round."))
    changed = sum(s.locked != locked for s in seats)
    for s in seats:
        s.locked = locked
    db.session.commit()
    return changed


def _after_edit(plan: Plan, people: set[int], round_: int) -> list[Violation]:
    """Rescore the plan after a hand edit and return the violations that concern `people`."""
    db.session.flush()
    data = _load(plan)
    rescore(plan, data)
    plan.status = "edited"  # the solver's "optimal" no longer holds after a hand edit
    db.session.commit()
    return [
        v
        for v in _violations(data)
        if v.round == round_ + 1 and people & set(v.attendee_ids) and v.rule != "unplaced"
    ]


def rescore(plan: Plan, data: _Loaded | None = None) -> None:
    """Recompute the plan's value, people without a match and handicap spread from its seats,
    counted as the solver counts them (the caller commits)."""
    data = data or _load(plan)
    base = 1.0 if data.golf else 0.0  # in golf every new face is worth 1, as the solver counts
    met: set[tuple[int, int]] = set()
    without_match: set[int] = set()
    for r in range(data.session.rounds):
        for group in data.placed.get(r, {}).values():
            ids = [a.attendee_id for a in group]
            for k, a in enumerate(ids):
                if not any(base + data.matches.value(a, b) > 0 for b in ids if b != a):
                    without_match.add(a)
                met.update((min(a, b), max(a, b)) for b in ids[k + 1 :])
    plan.objective = sum(base + data.matches.value(a, b) for a, b in met)
    plan.people_without_match = len(without_match)
    if data.golf:
        plan.handicap_spread = _handicap_spread(data)


def _handicap_spread(data: _Loaded) -> float | None:
    """Largest gap between two flights' mean handicaps in one round (as the solver reports it)."""
    spread = None
    for groups in data.placed.values():
        means = []
        for group in groups.values():
            handicaps = [data.attendees[a.attendee_id].handicap for a in group]
            known = [h for h in handicaps if h is not None]
            if known:
                means.append(sum(known) / len(known))
        if len(means) > 1:
            spread = max(spread or 0.0, max(means) - min(means))
    return spread


# --- Comparing versions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    name: str
    round_number: int
    before: str
    after: str


@dataclass(frozen=True)
class Comparison:
    a: PlanSummary
    b: PlanSummary
    changes: tuple[Change, ...]  # people whose table or flight differs between the two


def compare_plans(a: Plan, b: Plan) -> Comparison:
    """Two versions of one session side by side: their scores and who sits elsewhere."""
    if a.session_id != b.session_id:
        raise PlanError(gettext("Only versions of the same session can be compared."))
    first, second = _load(a), _load(b)
    changes = []
    for r in range(first.session.rounds):
        for attendee_id, person in sorted(first.attendees.items(), key=lambda i: i[1].full_name):
            x, y = first.where(attendee_id, r), second.where(attendee_id, r)
            before = first.group_name(_key(x)) if x else "—"
            after = second.group_name(_key(y)) if y else "—"
            if before != after:
                changes.append(Change(person.full_name, r + 1, before, after))
    return Comparison(summarise(a), summarise(b), tuple(changes))


# --- Exports ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    round: int  # 1-based
    group: str  # table or flight
    tee: str  # golf: tee time (date and time) or starting hole
    name: str
    company: str
    email: str


def export_rows(plan: Plan) -> list[ExportRow]:
    """One row per person and round, by round, table and name."""
    data = _load(plan)
    rows = []
    for r in range(data.session.rounds):
        for key in data.group_keys(r):
            placed = data.placed.get(r, {}).get(key, [])
            tee = ""
            if placed and placed[0].starting_hole is not None:
                tee = gettext("Hole %(number)d", number=placed[0].starting_hole)
            elif placed and placed[0].tee_time is not None:
                tee = placed[0].tee_time.strftime("%Y-%m-%d %H:%M")
            people = sorted(
                (data.attendees[a.attendee_id] for a in placed), key=lambda p: p.full_name
            )
            for p in people:
                rows.append(
                    ExportRow(r + 1, data.group_name(key), tee, p.full_name, p.company, p.email)
                )
    return rows


def _headers(golf: bool) -> list[str]:
    return [
        gettext("Round"),
        gettext("Flight") if golf else gettext("Table"),
        gettext("Tee time or hole"),
        gettext("Name"),
        gettext("Company"),
        gettext("Email"),
    ]


def plan_csv(plan: Plan) -> str:
    """The plan as CSV text (the caller adds a BOM for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headers(plan.session.kind == "golf"))
    for row in export_rows(plan):
        writer.writerow([row.round, row.group, row.tee, row.name, row.company, row.email])
    return out.getvalue()


def plan_xlsx(plan: Plan) -> bytes:
    """The plan as an Excel workbook: one sheet, one row per person and round."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = plan.session.name[:31] or "Plan"  # Excel's limit on sheet names
    sheet.append(_headers(plan.session.kind == "golf"))
    for row in export_rows(plan):
        sheet.append([row.round, row.group, row.tee, row.name, row.company, row.email])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
