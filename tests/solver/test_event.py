"""Event planning: the event file in, a session's Problem, and the plan back in names and reasons.

The search is injected: a brute-force solve that is exact on these tiny events, so the tests
check the mapping, not the search's timing.
"""

import copy
import itertools
import json
import time

import numpy as np
import pytest

from solver.event import (
    RETRY_SHARE,
    EventPlan,
    broken_rules,
    crowding_note,
    everyone_to_meet,
    load_event,
    people_to_meet,
    session_problem,
    solve_event_session,
)
from solver.model import Fixed, Problem, Result, Status

TAGS = [
    {
        "key": "office-furniture",
        "labels": {"en": "office furniture", "sv": "kontorsmöbler", "he": "ריהוט משרדי"},
        "synonyms": ["office chairs"],
    },
    {"key": "event-venues", "labels": {"en": "event venues", "sv": "eventlokaler"}},
    {"key": "golf-travel", "labels": {"en": "golf travel", "sv": "golfresor"}},
]


def attendee(first, last, email, company, languages, offers=(), seeks=(), **more):
    return {
        "first_name": first,
        "last_name": last,
        "email": email,
        "company": company,
        "languages": list(languages),
        "offers": list(offers),
        "seeks": list(seeks),
        **more,
    }


EVENT = {
    "format": "mingle-event/1",
    "event": {"name": "Test dinner", "languages": ["sv", "en"], "same_company_apart": True},
    "tags": TAGS,
    "attendees": [
        attendee("Lena", "Berg", "lena@berg.se", "Berg AB", ["sv", "en"], ["golf-travel"],
                 ["eventlokaler"], handicap=12.0),  # seeks by Swedish label: normalised
        attendee("Avi", "Cohen", "avi@cohen.il", "Cohen Ltd", ["he", "en"], ["event-venues"],
                 ["golf-travel"], handicap=20.5),
        attendee("Åsa", "Lindström", "asa@lindstrom.se", "Lindström Bygg AB", ["sv"],
                 ["office-furniture"], [], handicap=None),
        attendee("Bo", "Ek", "bo@lindstrom.se", "Lindström Bygg AB", ["sv"], [],
                 ["office-furniture"], handicap=30.0),
        attendee("Noa", "Levi", "noa@levi.il", "Levi", ["he"], [], ["office furniture"],
                 handicap=8.0),
        attendee("Pia", "Holm", "pia@holm.se", "Holm", ["sv", "en"], ["event-venues"], [],
                 host=True, consent=False, handicap=15.0),
    ],
    "sessions": [
        {"key": "dinner", "name": "Dinner", "kind": "seating", "rounds": 2,
         "tables": [{"name": "Table 1", "capacity": 3}, {"name": "Table 2", "capacity": 3}]},
        {"key": "golf", "name": "Golf day", "kind": "golf", "rounds": 1, "flight_size": 3,
         "tee_start": "2027-05-13T08:00", "tee_interval_minutes": 10, "shotgun": False},
    ],
    "constraints": [],
}  # fmt: skip
LENA, AVI, ASA, BO, NOA, PIA = range(6)


def event(**changes) -> dict:
    copied = copy.deepcopy(EVENT)
    copied.update(changes)
    return copied


def valid_rounds(problem: Problem, r: int):
    """Every seating of one round that keeps all the rules (tiny problems only)."""
    n, tables = problem.people, len(problem.tables)
    fixed = {f.person: f.table for f in problem.fixed if f.round in (None, r)}
    for seat in itertools.product(range(tables), repeat=n):
        sizes = [seat.count(t) for t in range(tables)]
        if any(s > c for s, c in zip(sizes, problem.tables, strict=True)):
            continue
        if problem.min_sizes and any(s < m for s, m in zip(sizes, problem.min_sizes, strict=True)):
            continue
        if any(seat[p] != t for p, t in fixed.items()):
            continue
        if any(seat[i] != seat[j] for i, j in problem.together):
            continue
        if any(seat[i] == seat[j] for i, j in problem.apart):
            continue
        hosts = [seat[h] for h in problem.hosts]
        if len(set(hosts)) < len(hosts):
            continue
        yield tuple(tuple(p for p in range(n) if seat[p] == t) for t in range(tables))


def brute_solve(problem: Problem, *, time_limit=10.0, seed=0, progress=None, stop=None) -> Result:
    """The exact optimum by trying every plan: the oracle for tiny events."""
    values = {(i, j): v for i, j, v in problem.weights}
    options = [list(valid_rounds(problem, r)) for r in range(problem.rounds)]
    best, best_value = None, -1.0
    for plan in itertools.product(*options):
        met = {(i, j) for tables in plan for t in tables for i, j in itertools.combinations(t, 2)}
        value = sum(values.get(pair, problem.base_value) for pair in met)
        if value > best_value:
            best, best_value = plan, value
    if best is None:
        return Result((), 0.0, 0.0, "brute force", Status.INFEASIBLE, 0.0, message="No plan.")
    return Result(best, best_value, best_value, "brute force", Status.OPTIMAL, 0.0)


def plan(ev=None, session="dinner", solve=brute_solve, **kwargs) -> EventPlan:
    return solve_event_session(ev or event(), session, solve=solve, **kwargs)


def group_of(result: EventPlan, email: str, r: int = 0) -> str:
    return next(g.name for g in result.rounds[r] if email in g.emails)


# ---------------------------------------------------------------- the file


def test_load_event_reads_a_valid_file(tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps(EVENT, ensure_ascii=False), encoding="utf-8")
    assert load_event(path) == EVENT


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "mingle-event/9"}, "format"),
        ({"format": None}, 'not an event file: "format" must be "mingle-event/1"'),
        ({"event": {"name": "X", "timezone": "Mars/Olympus"}}, "unknown time zone 'Mars/Olympus'"),
        ({"event": {"languages": ["sv"]}}, "event: name is missing"),
        ({"attendees": [attendee("A", "B", "a@b", "C", ["sv"])]}, "invalid email 'a@b'"),
        (
            {"attendees": [attendee("A", "B", "a@b.se", "C", ["sv"], hcp=3)]},
            "attendee a@b.se: unknown field 'hcp'",
        ),
        (
            {"constraints": [{"kind": "keep_apart", "people": ["lena@berg.se", "LENA@berg.se"]}]},
            "keep_apart needs two or more different people",
        ),
        (
            {"sessions": [{"key": "g", "kind": "golf", "tables": [{"name": "T", "capacity": 4}]}]},
            "session 'g': golf sessions have no tables",
        ),
        ({"attendees": [{"first_name": "X"}]}, r"attendees\[0\].*email"),
        ({"sessions": [{"key": "x", "kind": "dance"}]}, "session 'x': kind must be .* not 'dance'"),
        ({"sessions": [{"key": "x", "kind": "seating", "tables": []}]}, "tables"),
        (
            {
                "sessions": [
                    {"key": "x", "kind": "seating", "tables": [{"name": "T", "capacity": 0}]}
                ]
            },
            "capacity",
        ),
        ({"constraints": [{"kind": "keep_apart", "people": ["lena@berg.se"]}]}, "two or more"),
        (
            {"constraints": [{"kind": "keep_apart", "people": ["lena@berg.se", "x@y.z"]}]},
            "constraints\\[0\\]: 'x@y.z' is not one of the attendees",
        ),
        (
            {"constraints": [{"kind": "fixed_seat", "person": "lena@berg.se", "table": "T9"}]},
            "table 'T9'",
        ),
    ],
)
def test_load_event_names_the_problem(tmp_path, change, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(event(**change)), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_event(path)


def test_load_event_reports_bad_json_and_unknown_tags_with_a_suggestion(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"tags": [}', encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON.*line 1"):
        load_event(path)
    broken = event()
    broken["attendees"][0]["seeks"] = ["event venus"]
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ValueError, match=r"lena@berg.se.*'event venus'.*Did you mean event-venues"):
        load_event(path)
    broken["attendees"][0]["seeks"] = []
    broken["attendees"][1]["email"] = "LENA@berg.se"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ValueError, match="twice"):
        load_event(path)


# ---------------------------------------------------------------- the problem


def test_session_becomes_a_problem_with_tables_hosts_and_values():
    built = session_problem(event(), "dinner")
    problem = built.problem
    assert problem.tables == (3, 3) and problem.rounds == 2
    assert built.group_names == ("Table 1", "Table 2")
    assert problem.hosts == {PIA}
    assert problem.base_value == 0
    values = {(i, j): v for i, j, v in problem.weights}
    assert values[(LENA, AVI)] == 4.0  # win-win: (1 + 1) * 2, Lena's Swedish label normalised
    assert values[(ASA, BO)] == 1.0
    assert (ASA, NOA) not in values  # Noa seeks what Åsa offers, but they share no language
    assert (ASA, BO) in problem.apart  # colleagues at Lindström Bygg AB


def test_constraints_become_pairs_and_fixed_seats():
    rules = [
        {"kind": "keep_together", "people": ["lena@berg.se", "noa@levi.il", "pia@holm.se"]},
        {"kind": "keep_apart", "people": ["avi@cohen.il", "asa@lindstrom.se", "bo@lindstrom.se"]},
        {"kind": "fixed_seat", "person": "noa@levi.il", "session": "dinner", "table": "Table 2"},
        {"kind": "keep_apart", "people": ["lena@berg.se", "avi@cohen.il"], "session": "golf"},
    ]
    problem = session_problem(event(constraints=rules), "dinner").problem
    assert set(problem.together) == {(LENA, NOA), (LENA, PIA)}
    assert {(AVI, ASA), (AVI, BO), (ASA, BO)} <= set(problem.apart)
    assert (LENA, AVI) not in problem.apart  # that rule is for golf only
    assert problem.fixed == (Fixed(NOA, 1, None),)


def test_locks_become_fixed_seats_for_their_round():
    problem = session_problem(event(), "dinner", locked=[("AVI@cohen.il", 1, 0)]).problem
    assert problem.fixed == (Fixed(AVI, 0, 1),)
    with pytest.raises(ValueError, match="round 2"):
        session_problem(event(), "dinner", locked=[("avi@cohen.il", 2, 0)])
    with pytest.raises(ValueError, match="not an attendee"):
        session_problem(event(), "dinner", locked=[("nobody@x.se", 0, 0)])
    with pytest.raises(ValueError, match="no session 'lunch'"):
        session_problem(event(), "lunch")


def test_colleagues_kept_together_are_not_also_kept_apart():
    rules = [{"kind": "keep_together", "people": ["asa@lindstrom.se", "bo@lindstrom.se"]}]
    problem = session_problem(event(constraints=rules), "dinner").problem
    assert (ASA, BO) not in problem.apart
    no_rule = event()
    no_rule["event"]["same_company_apart"] = False
    assert (ASA, BO) not in session_problem(no_rule, "dinner").problem.apart


def test_a_company_bigger_than_the_tables_is_spread_as_far_as_possible():
    ev = event()
    for a in ev["attendees"][:5]:
        a["company"] = "Big Co"  # five colleagues, two tables of three: 3 + 2 at best
    problem = session_problem(ev, "dinner").problem
    result = brute_solve(problem)
    assert result.status == Status.OPTIMAL
    for tables in result.rounds:
        assert max(sum(p < 5 for p in t) for t in tables) == 3


def colleagues_at(capacities: list[int], companies: dict[str, int]) -> dict:
    """A one-round dinner at tables of these sizes for colleagues of these companies."""
    people = [
        attendee(f"{company[0]}{k}", "Test", f"{k}@{company.lower()}.se", company, ["en"])
        for company, count in companies.items()
        for k in range(count)
    ]
    tables = [{"name": f"Table {t + 1}", "capacity": c} for t, c in enumerate(capacities)]
    session = {"key": "dinner", "name": "Dinner", "kind": "seating", "rounds": 1, "tables": tables}
    return event(attendees=people, sessions=[session])


def test_a_company_bigger_than_the_tables_is_dealt_into_even_chunks_kept_apart():
    # Four colleagues at three tables: two at a table at most, as 2 + 2 (not 3 + 1, whose three
    # would need every table).
    problem = session_problem(colleagues_at([3, 3, 3], {"Big": 4, "Other": 1}), "dinner").problem
    assert problem.apart == ((0, 2), (1, 3))


def test_even_chunks_leave_a_small_table_free_of_any_company():
    # Two companies of four at tables of 4, 4 and 1: chunks of three would each need the table
    # of one, which cannot take two.
    ev = colleagues_at([4, 4, 1], {"Alfa": 4, "Beta": 4})
    result = solve_event_session(ev, "dinner", time_limit=5.0)
    assert result.status == Status.OPTIMAL and result.crowding == {}
    assert broken_rules(ev, result) == []


def test_colleagues_share_a_table_where_no_plan_spreads_them_further_and_the_plan_says_so():
    # Two companies of three at tables of 3, 3 and 1: one of each at every table would put two
    # at the table of one, so one company (the last by name, of two alike) gets a table with
    # two of its people; the seats say so before any search (_overcrowded).
    ev = colleagues_at([3, 3, 1], {"Alfa": 3, "Beta": 3})
    assert session_problem(ev, "dinner").crowding == {"beta": 1}
    result = solve_event_session(ev, "dinner", time_limit=5.0)
    assert result.status == Status.OPTIMAL and result.crowding == {"Beta": 1}
    assert crowding_note(result) == (
        "Colleagues at Beta could not be spread as far as their numbers allow: a table may hold "
        "up to 1 more of them than the fewest possible."
    )
    assert result.to_dict()["crowding"] == {"Beta": 1}
    broken = broken_rules(ev, result)
    assert len(broken) == 1 and broken[0]["rule"] == "colleagues"
    assert len(broken[0]["people"]) == 2 and broken[0]["people"][0].endswith("@beta.se")


def test_a_company_that_fills_most_seats_is_spread_as_the_table_sizes_allow():
    # 50 of 56 people from one company at ten tables, two of them seating two: ceil(50 / 10)
    # = 5 at every table cannot be, so some tables hold more of them. The seats say so at once;
    # the search took 7.8 s of 10 to prove it.
    ev = colleagues_at([7, 2, 10, 2, 9, 7, 10, 3, 4, 9], {"Big": 50, "Solo": 1, "Else": 5})
    problem = session_problem(ev, "dinner")
    assert problem.crowding == {"big": 2}
    result = solve_event_session(ev, "dinner", time_limit=5.0)
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE) and result.crowding == {"Big": 2}


def test_only_the_companies_in_the_clash_are_spread_less():
    # A fixed seat fills the table of one, so Alfa's three cannot have a table each; Beta's two
    # still can.
    ev = colleagues_at([3, 3, 1], {"Alfa": 3, "Beta": 2, "Solo": 2})
    ev["constraints"] = [{"kind": "fixed_seat", "person": "0@solo.se", "table": "Table 3"}]
    result = solve_event_session(ev, "dinner", time_limit=5.0)
    assert result.status == Status.OPTIMAL and result.crowding == {"Alfa": 1}
    broken = broken_rules(ev, result)
    assert broken and all(b["rule"] == "colleagues" and "alfa" in b["message"].lower()
                          for b in broken)  # fmt: skip


def test_a_plan_with_colleagues_less_spread_gets_time_when_proving_the_spread_impossible_took_it():
    ev = colleagues_at([3, 3, 3], {"Alfa": 3, "Beta": 3})
    limits = []

    def slow_to_refuse(problem, *, time_limit, **kwargs):
        limits.append(time_limit)
        if len(limits) == 1:  # the whole limit spent on proving the colleagues' spread impossible
            time.sleep(time_limit)
            conflict = {"rule": "keep_apart", "people": list(range(6)), "tables": []}
            return Result((), 0.0, 0.0, "none", Status.INFEASIBLE, time_limit,
                          stats={"conflict": conflict})  # fmt: skip
        return brute_solve(problem)

    result = solve_event_session(ev, "dinner", time_limit=0.4, solve=slow_to_refuse)
    assert result.status == Status.OPTIMAL and result.crowding == {"Alfa": 1, "Beta": 1}
    assert len(limits) == 2 and limits[1] >= RETRY_SHARE * 0.4 - 0.01


# ---------------------------------------------------------------- the plan in names


def test_plan_seats_the_win_win_pair_together_and_says_why():
    result = plan()
    assert result.status == Status.OPTIMAL and result.gap == 0
    assert group_of(result, "lena@berg.se") == group_of(result, "avi@cohen.il")
    assert sorted(len(g.emails) for r in result.rounds for g in r) == [3, 3, 3, 3]
    assert all(len({group_of(result, e, r) for e in ("asa@lindstrom.se", "bo@lindstrom.se")})
               == 2 for r in range(2))  # fmt: skip
    top = result.meetings[0]
    assert (top.a, top.b, top.value, top.mutual) == ("lena@berg.se", "avi@cohen.il", 4.0, True)
    assert [r.text for r in top.reasons] == [
        "Lena Berg seeks event venues, which Avi Cohen offers",
        "Avi Cohen seeks golf travel, which Lena Berg offers",
    ]
    assert top.text.endswith("(win-win)")
    assert result.objective == sum(m.value for m in result.meetings)


def test_plan_respects_locks():
    result = plan(locked=[("lena@berg.se", 0, 1), ("avi@cohen.il", 0, 0)])
    assert group_of(result, "lena@berg.se", 0) == "Table 2"
    assert group_of(result, "avi@cohen.il", 0) == "Table 1"
    assert group_of(result, "lena@berg.se", 1) == group_of(result, "avi@cohen.il", 1)


def test_to_dict_is_json_with_names_and_reasons_in_words():
    data = json.loads(json.dumps(plan().to_dict(), ensure_ascii=False))
    assert data["status"] == "optimal" and data["session"] == "dinner"
    assert len(data["rounds"]) == 2 and len(data["rounds"][0]) == 2
    people = [p["name"] for g in data["rounds"][0] for p in g["people"]]
    assert sorted(people) == sorted(
        ["Lena Berg", "Avi Cohen", "Åsa Lindström", "Bo Ek", "Noa Levi", "Pia Holm"]
    )
    meeting = data["meetings"][0]
    assert meeting["a"] == {"email": "lena@berg.se", "name": "Lena Berg"}
    assert meeting["reasons"][0]["label"] == "event venues"


def conflict_solve(conflict: dict, message: str):
    def solve(problem, **_):
        return Result((), 0.0, 0.0, "none", Status.INFEASIBLE, 0.0, message=message,
                      stats={"conflict": conflict})  # fmt: skip

    return solve


def test_infeasible_plan_names_the_people_and_the_rules():
    rules = [
        {"kind": "keep_together",
         "people": ["lena@berg.se", "avi@cohen.il", "noa@levi.il", "bo@lindstrom.se"]},
    ]  # fmt: skip
    solve = conflict_solve(
        {"rule": "keep_together", "people": [LENA, AVI, BO, NOA], "tables": []},
        "people 0, 1, 3 and 4 must sit together, but the largest table seats 3.",
    )
    result = solve_event_session(event(constraints=rules), "dinner", solve=solve)
    assert result.status == Status.INFEASIBLE and result.rounds == ()
    for name in ("Lena Berg", "Avi Cohen", "Bo Ek", "Noa Levi"):
        assert name in result.message
    assert "Åsa" not in result.message and "Pia" not in result.message
    assert "Dinner cannot be planned: people kept together must fit at one table" in result.message
    assert "Rule: keep together Lena Berg, Avi Cohen, Noa Levi and Bo Ek." in result.message
    assert "Lena Berg, Avi Cohen, Bo Ek and Noa Levi must sit together" in result.message
    assert result.conflict["people"] == [
        "lena@berg.se", "avi@cohen.il", "bo@lindstrom.se", "noa@levi.il"
    ]  # fmt: skip
    assert result.to_dict()["conflict"]["rule"] == "keep_together"


def test_contradictory_locks_name_the_person_and_the_tables():
    solve = conflict_solve(
        {"rule": "fixed_seats", "people": [AVI], "tables": [0, 1]},
        "person 1 is fixed to different tables 0, 1 in round 0.",
    )
    result = plan(locked=[("avi@cohen.il", 0, 0), ("avi@cohen.il", 0, 1)], solve=solve)
    assert (
        "Avi Cohen is fixed to different tables Table 1 and Table 2 in round 1." in result.message
    )
    assert "Locked: Avi Cohen at Table 1 in round 1." in result.message
    assert "Groups: Table 1, Table 2." in result.message


def test_a_clash_of_several_rules_is_told_in_names():
    solve = conflict_solve(
        {"rule": "fixed_seats+keep_apart", "people": [LENA, AVI], "tables": [1]},
        "These rules cannot all hold: keep 0, 1 apart; seat 0, 1 at table 1.",
    )
    result = plan(solve=solve)
    assert result.message.startswith(
        "Dinner cannot be planned: fixed or locked seats contradict each other; "
        "people kept apart cannot all sit at different tables. "
        "People involved: Lena Berg and Avi Cohen."
    )
    assert result.message.endswith(
        "(These rules cannot all hold: keep Lena Berg and Avi Cohen apart; "
        "seat Lena Berg and Avi Cohen at Table 2.)"
    )


def test_infeasible_without_details_still_says_which_session():
    rules = [{"kind": "keep_apart", "people": [a["email"] for a in EVENT["attendees"][:3]]}]
    crowded = event(constraints=rules)
    crowded["sessions"][0]["tables"][0]["capacity"] = 1  # 3 + 1 seats... for 6 people
    result = plan(crowded)
    assert result.status == Status.INFEASIBLE
    assert result.message.startswith("Dinner cannot be planned")


# ---------------------------------------------------------------- one person's sheet


def test_people_to_meet_lists_helpers_helped_and_introductions():
    result = plan()
    sheet = people_to_meet(EVENT, result, "lena@berg.se")
    assert sheet["name"] == "Lena Berg" and len(sheet["groups"]) == 2
    assert [p["email"] for p in sheet["can_help_you"]] == ["avi@cohen.il"]
    assert (
        sheet["can_help_you"][0]["text"] == "Lena Berg seeks event venues, which Avi Cohen offers"
    )
    assert [p["email"] for p in sheet["you_can_help"]] == ["avi@cohen.il"]
    assert sheet["you_can_help"][0]["reasons"][0]["tag"] == "golf-travel"
    # The dict form of the plan gives the same sheet.
    assert people_to_meet(EVENT, result.to_dict(), "lena@berg.se") == sheet


def manual(*rounds: str, session: str = "dinner") -> dict:
    """A plan as the app keeps it: per round, groups of people (by first name here)."""
    email = {a["first_name"]: a["email"] for a in EVENT["attendees"]}
    return {
        "session": session,
        "rounds": [
            [
                {"name": f"Table {t + 1}", "people": [email[n] for n in group.split()]}
                for t, group in enumerate(r.split("|"))
            ]
            for r in rounds
        ],
    }


def test_a_valid_plan_breaks_no_rules():
    assert broken_rules(EVENT, plan()) == []
    assert broken_rules(EVENT, plan().to_dict()) == []


def test_broken_rules_name_people_rules_and_why():
    rules = [
        {"kind": "keep_together", "people": ["lena@berg.se", "noa@levi.il"]},
        {"kind": "fixed_seat", "person": "avi@cohen.il", "table": "Table 2"},
    ]
    ev = event(constraints=rules)
    ev["attendees"][LENA]["host"] = True
    seating = manual("Lena Pia Åsa Bo | Avi Noa", "Lena Noa | Avi Pia Åsa")
    found = broken_rules(ev, seating, locked=[("avi@cohen.il", 1, 0)])
    by_rule = {}
    for item in found:
        by_rule.setdefault(item["rule"], []).append(item["message"])
    assert by_rule["capacity"] == ["Round 1, Table 1: 4 people, but it takes 3."]
    assert by_rule["hosts"] == [
        "Round 1, Table 1: Lena Berg and Pia Holm are all hosts; a table takes one."
    ]
    assert by_rule["keep_together"] == [
        "Round 1, Table 1: Lena Berg must sit with Noa Levi, who is at Table 2."
    ]
    assert by_rule["colleagues"] == [
        "Round 1, Table 1: Åsa Lindström and Bo Ek work at Lindström Bygg AB; "
        "they could sit further apart."
    ]
    assert by_rule["unplaced"] == ["Round 2: no seat for Bo Ek."]
    assert by_rule["locked"] == ["Round 2, Table 1: Avi Cohen is locked here, but sits at Table 2."]
    assert "fixed_seat" not in by_rule  # Avi sits at Table 2 as his fixed seat says ...
    found = broken_rules(ev, manual("Avi Lena Noa | Pia Åsa Bo", "Lena Noa Åsa | Avi Pia Bo"))
    assert [f["message"] for f in found if f["rule"] == "fixed_seat"] == [
        "Round 1, Table 2: Avi Cohen has a fixed seat here, but sits at Table 1."
    ]  # ... until he is moved
    capacity = next(f for f in broken_rules(ev, seating) if f["rule"] == "capacity")
    assert (capacity["round"], capacity["group"], capacity["group_index"], capacity["limit"]) == (
        0,
        "Table 1",
        0,
        3,
    )
    assert capacity["people"] == [
        "lena@berg.se",
        "pia@holm.se",
        "asa@lindstrom.se",
        "bo@lindstrom.se",
    ]


def test_colleagues_kept_together_through_a_third_person_may_share_a_table():
    # Keeping Åsa and Bo each with Lena keeps them with each other too.
    together = ["lena@berg.se", "asa@lindstrom.se", "bo@lindstrom.se"]
    ev = event(constraints=[{"kind": "keep_together", "people": together}])
    assert broken_rules(ev, manual("Lena Åsa Bo | Avi Noa Pia", "Lena Åsa Bo | Avi Noa Pia")) == []


def test_a_big_company_breaks_the_rule_only_when_it_could_be_spread_further():
    ev = event()
    for p in (NOA, PIA):
        ev["attendees"][p]["company"] = "lindström  bygg ab"  # four colleagues, two tables
    assert broken_rules(ev, manual("Åsa Bo Lena | Noa Pia Avi", "Åsa Noa Lena | Bo Pia Avi")) == []
    found = broken_rules(ev, manual("Åsa Bo Noa | Pia Lena Avi", "Åsa Noa Lena | Bo Pia Avi"))
    assert [(f["rule"], f["round"], f["group"], len(f["people"])) for f in found] == [
        ("colleagues", 0, "Table 1", 3)
    ]


def test_an_empty_table_below_its_minimum_is_a_broken_rule():
    ev = event()
    ev["event"]["same_company_apart"] = False
    ev["sessions"][0]["tables"] = [
        {"name": "Table 1", "capacity": 6},
        {"name": "Table 2", "capacity": 3, "min_size": 2},
    ]
    found = broken_rules(ev, manual("Lena Avi Åsa Bo Noa Pia |", "Lena Avi Åsa | Bo Noa Pia"))
    assert [(f["rule"], f["round"], f["group"], f["people"], f["limit"]) for f in found] == [
        ("min_size", 0, "Table 2", [], 2)
    ]


def test_a_golf_plan_moved_by_hand_is_checked_flight_by_flight():
    ev = event(
        constraints=[
            {"kind": "fixed_seat", "person": "noa@levi.il", "session": "golf", "table": "Flight 2"}
        ]
    )
    # Six players in threes make two flights; by hand the organiser made three.
    assert broken_rules(ev, manual("Lena Avi | Åsa Noa | Bo Pia", session="golf")) == []
    found = broken_rules(ev, manual("Lena Avi Noa Åsa | Bo Pia", session="golf"))
    assert [f["message"] for f in found] == [
        "Round 1, Flight 1: 4 people, but it takes 3.",
        "Round 1, Flight 2: Noa Levi has a fixed seat here, but sits at Flight 1.",
    ]


def test_people_to_meet_hides_people_without_consent():
    seating = manual("Lena Pia Noa | Avi Åsa Bo", "Lena Åsa Bo | Avi Pia Noa")
    # Pia offers event venues, which Lena seeks, but Pia did not consent to be listed.
    lena = people_to_meet(EVENT, seating, "lena@berg.se")
    assert lena["can_help_you"] == []
    with_consent = event()
    with_consent["attendees"][PIA]["consent"] = True
    lena = people_to_meet(with_consent, seating, "lena@berg.se")
    assert [p["email"] for p in lena["can_help_you"]] == ["pia@holm.se"]
    assert lena["can_help_you"][0]["groups"] == ["Table 1"]
    # Pia's own sheet still works; Bo seeks office furniture from Åsa, but they sit together.
    pia = people_to_meet(EVENT, seating, "pia@holm.se")
    assert [p["email"] for p in pia["you_can_help"]] == ["lena@berg.se"]


def test_people_to_meet_suggests_introductions_between_tablemates_who_never_meet():
    seating = manual("Pia Lena | Avi Åsa Bo Noa", "Pia Avi | Lena Åsa Bo Noa")
    sheet = people_to_meet(EVENT, seating, "pia@holm.se")
    (intro,) = sheet["introductions"]
    assert (intro["a"]["name"], intro["b"]["name"]) == ("Lena Berg", "Avi Cohen")
    assert intro["text"].startswith("Introduce Lena Berg to Avi Cohen: Lena Berg seeks event")
    hidden = event()
    hidden["attendees"][AVI]["consent"] = False
    assert people_to_meet(hidden, seating, "pia@holm.se")["introductions"] == []


def test_everyone_to_meet_gives_each_seated_person_their_sheet():
    result = plan()
    sheets = everyone_to_meet(EVENT, result)
    assert sorted(sheets) == sorted(a["email"] for a in EVENT["attendees"])
    assert sheets["avi@cohen.il"] == people_to_meet(EVENT, result, "avi@cohen.il")
    assert all(
        p["email"] != "pia@holm.se"
        for email, sheet in sheets.items()
        if email != "pia@holm.se"
        for p in sheet["can_help_you"] + sheet["you_can_help"]
    )


def test_people_to_meet_respects_blocks():
    seating = manual("Pia Lena | Avi Åsa Bo Noa", "Pia Avi | Lena Åsa Bo Noa")
    blocked = people_to_meet(
        EVENT, seating, "pia@holm.se", blocks=[("lena@berg.se", "avi@cohen.il")]
    )
    assert blocked["introductions"] == []


def test_people_to_meet_refuses_strangers():
    with pytest.raises(ValueError, match="not an attendee"):
        people_to_meet(EVENT, plan(), "nobody@x.se")


# ---------------------------------------------------------------- golf


def test_golf_flights_come_from_the_headcount_with_tee_times_and_handicaps():
    built = session_problem(event(), "golf")
    problem = built.problem
    assert problem.tables == (3, 3)  # six players in threes
    assert built.group_names == ("Flight 1", "Flight 2")
    assert problem.base_value == 1.0  # any new face counts
    assert {(i, j): v for i, j, v in problem.weights}[(LENA, AVI)] == 5.0  # 1 + win-win 4
    assert problem.hosts == frozenset()
    assert problem.handicaps == (12.0, 20.5, None, 30.0, 8.0, 15.0)
    result = plan(session="golf")
    assert [g.tee_time for g in result.rounds[0]] == ["2027-05-13T08:00:00", "2027-05-13T08:10:00"]
    assert [g.starting_hole for g in result.rounds[0]] == [None, None]
    assert group_of(result, "lena@berg.se") == group_of(result, "avi@cohen.il")
    flights = [
        [problem.handicaps[built.emails.index(e)] for e in g.emails] for g in result.rounds[0]
    ]
    means = [sum(h for h in f if h is not None) / sum(h is not None for h in f) for f in flights]
    assert result.handicap_spread == pytest.approx(max(means) - min(means))
    assert result.to_dict()["rounds"][0][0]["tee_time"] == "2027-05-13T08:00:00"


def test_golf_shotgun_start_gives_starting_holes_and_fixed_flights_work():
    ev = event(constraints=[{"kind": "fixed_seat", "person": "noa@levi.il", "table": "Flight 2"}])
    golf = ev["sessions"][1]
    golf.update(shotgun=True, flight_size=4, rounds=2)
    for k in range(3):  # nine players in fours: 3 + 3 + 3
        ev["attendees"].append(attendee(f"P{k}", "Golfer", f"p{k}@golf.se", f"Club {k}", ["sv"]))
    built = session_problem(ev, "golf")
    assert built.problem.tables == (3, 3, 3)
    assert built.starting_holes == (1, 7, 13)
    assert built.problem.fixed == (Fixed(NOA, 1, None),)
    assert session_problem(ev, "dinner").problem.fixed == ()  # no Flight 2 at dinner
    golf.update(tee_interval_minutes=0)  # no matter with a shotgun start
    assert session_problem(ev, "golf").starting_holes == (1, 7, 13)
    with pytest.raises(ValueError, match="tee_interval_minutes"):
        golf.update(shotgun=False)
        session_problem(ev, "golf")


def test_fixed_seat_in_a_flight_that_does_not_exist_is_refused():
    rules = [
        {"kind": "fixed_seat", "person": "noa@levi.il", "session": "golf", "table": "Flight 3"}
    ]
    with pytest.raises(ValueError, match="golf has no 'Flight 3'"):
        session_problem(event(constraints=rules), "golf")


# ---------------------------------------------------------------- with the real search


def random_event(seed: int) -> dict:
    """10-80 people from a few companies (some bigger than the tables), with tags, languages,
    hosts, handicaps and every kind of rule; a dinner at uneven tables with seats to spare and
    some minimum sizes, and a golf day."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 81))
    keys = [t["key"] for t in TAGS]
    people = [
        attendee(f"P{k}", "Levi" if k % 3 else "לוי", f"p{k}@example.se",
                 f"Co {int(rng.integers(1 + n // 6))}", list(rng.choice(["sv", "en", "he"], 2)),
                 list(rng.choice(keys, int(rng.integers(3)), replace=False)),
                 list(rng.choice(keys, int(rng.integers(3)), replace=False)),
                 handicap=round(float(rng.uniform(0, 36)), 1), host=bool(rng.random() < 0.05))
        for k in range(n)
    ]  # fmt: skip
    tables, seats = [], 0
    while seats < n + n // 5:
        c = int(rng.integers(2, 11))
        low = int(rng.integers(c + 1)) if rng.random() < 0.3 else 0
        tables.append({"name": f"Table {len(tables) + 1}", "capacity": c, "min_size": low})
        seats += c
    emails = [p["email"] for p in people]

    def some(count: int) -> list[str]:
        return [str(e) for e in rng.choice(emails, count, replace=False)]

    constraints = [
        *({"kind": "keep_together", "people": some(2)} for _ in range(2)),
        *({"kind": "keep_apart", "people": some(3)} for _ in range(3)),
        {"kind": "fixed_seat", "person": some(1)[0], "session": "dinner", "table": "Table 1"},
    ]
    sessions = [
        {"key": "dinner", "name": "Dinner", "kind": "seating", "rounds": 2, "tables": tables},
        {"key": "golf", "name": "Golf", "kind": "golf", "rounds": 2, "flight_size": 4,
         "tee_start": "2027-05-13T08:00", "tee_interval_minutes": 10},
    ]  # fmt: skip
    return event(attendees=people, sessions=sessions, constraints=constraints)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("session", ["dinner", "golf"])
def test_random_events_get_plans_that_keep_their_rules(seed, session):
    ev = random_event(seed)
    result = solve_event_session(ev, session, time_limit=1.0, seed=seed)
    # Each of these has a plan: "impossible" would be the colleague rules' fault, as it was.
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE), result.message
    # Colleagues may share a group beyond the fewest possible only where the plan says so.
    company = {a["email"]: a["company"] for a in ev["attendees"]}
    for b in broken_rules(ev, result):
        assert b["rule"] == "colleagues" and company[b["people"][0]] in result.crowding, b


def test_the_search_finds_the_brute_force_optimum():
    real = solve_event_session(event(), "dinner", time_limit=5.0)
    exact = plan()
    assert real.status == Status.OPTIMAL
    assert real.objective == exact.objective
    assert real.meetings[0].a == "lena@berg.se" and real.meetings[0].b == "avi@cohen.il"
    assert broken_rules(EVENT, real) == []


def test_the_search_refuses_an_impossible_request_in_names():
    rules = [
        {"kind": "keep_together", "people": ["lena@berg.se", "avi@cohen.il", "noa@levi.il"]},
        {"kind": "keep_together", "people": ["noa@levi.il", "bo@lindstrom.se"]},
    ]
    result = solve_event_session(event(constraints=rules), "dinner", time_limit=5.0)
    assert result.status == Status.INFEASIBLE
    assert result.seconds < 1.0
    for name in ("Lena Berg", "Avi Cohen", "Noa Levi", "Bo Ek"):
        assert name in result.message
    assert "keep together" in result.message
    assert sorted(result.conflict["people"]) == sorted(
        ["lena@berg.se", "avi@cohen.il", "noa@levi.il", "bo@lindstrom.se"]
    )


def test_the_search_reports_a_lock_against_a_fixed_seat():
    rules = [{"kind": "fixed_seat", "person": "avi@cohen.il", "table": "Table 2"}]
    result = solve_event_session(
        event(constraints=rules), "dinner", time_limit=5.0, locked=[("avi@cohen.il", 1, 0)]
    )
    assert result.status == Status.INFEASIBLE
    assert "Avi Cohen" in result.message
    assert "Locked: Avi Cohen at Table 1 in round 2." in result.message
    assert "Rule: fixed seat Avi Cohen at Table 2." in result.message


def test_the_search_plans_a_golf_day():
    result = solve_event_session(event(), "golf", time_limit=5.0)
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert [len(g.emails) for g in result.rounds[0]] == [3, 3]
    assert result.handicap_spread is not None
    assert result.handicap_spread <= result.handicap_spread_before
    assert 0 <= result.to_dict()["balance_cost"] <= 0.05 * (result.objective + result.balance_cost)


def test_the_organiser_sets_what_balancing_handicaps_may_cost():
    golf = session_problem(event(), "golf").problem
    assert golf.balance_budget == 0.05  # the default
    ev = event()
    ev["sessions"][1]["balance_cost_percent"] = 20
    assert session_problem(ev, "golf").problem.balance_budget == 0.2
    assert session_problem(ev, "dinner").problem.balance_budget == 0  # no handicaps at dinner


def test_no_plan_in_time_is_reported_as_unknown_not_as_impossible():
    def slow(problem, **_):
        return Result((), 0.0, 10.0, "per-person", Status.UNKNOWN, 1.0, message="No plan in 1 s.")

    result = plan(session="golf", solve=slow)
    assert result.status == Status.UNKNOWN and result.rounds == () and result.conflict is None
    assert result.to_dict()["status"] == "unknown"
    assert result.message == "No plan in 1 s."
    assert result.handicap_spread is None
