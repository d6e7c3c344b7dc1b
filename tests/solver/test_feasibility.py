"""Impossible requests are refused at once, naming the rule and the people involved."""

from __future__ import annotations

import pytest

from solver import Fixed, Problem, Status, solve

CASES = {
    "more people than seats": (
        Problem(people=9, tables=(4, 4)),
        "capacity",
        [],
        "9 people but only 8 seats",
    ),
    "together group larger than any table": (
        Problem(people=8, tables=(3, 3, 3), together=((0, 1), (1, 2), (2, 5))),
        "keep_together",
        [0, 1, 2, 5],
        "largest table seats 3",
    ),
    "more large together groups than tables": (
        # Groups of 3 at tables of 5: no two fit at one table, and 3 groups meet 2 tables.
        Problem(
            people=10, tables=(5, 5), together=((0, 1), (1, 2), (3, 4), (4, 5), (6, 7), (7, 8))
        ),
        "keep_together",
        [0, 1, 2, 3, 4, 5, 6, 7, 8],
        "3 keep-together groups need a table each: (0, 1, 2), (3, 4, 5), (6, 7, 8).",
    ),
    "together and apart": (
        Problem(people=6, tables=(3, 3), together=((1, 2), (2, 3)), apart=((1, 3),)),
        "keep_together_apart",
        [1, 2, 3],
        "people 1 and 3 must sit apart",
    ),
    "one person fixed to two tables": (
        Problem(people=6, tables=(3, 3), fixed=(Fixed(4, 0), Fixed(4, 1))),
        "fixed_seats",
        [4],
        "fixed to different tables 0, 1",
    ),
    "together people fixed apart": (
        Problem(
            people=6,
            tables=(3, 3),
            together=((0, 5),),
            fixed=(Fixed(0, 0), Fixed(5, 1, 1)),
            rounds=2,
        ),
        "fixed_seats",
        [0, 5],
        "in round 1",
    ),
    "fixed seats over capacity": (
        Problem(people=6, tables=(2, 4), fixed=(Fixed(0, 0), Fixed(1, 0), Fixed(2, 0))),
        "fixed_seats",
        [0, 1, 2],
        "which seats only 2",
    ),
    "apart people fixed to one table": (
        Problem(people=6, tables=(3, 3), apart=((2, 3),), fixed=(Fixed(2, 1), Fixed(3, 1))),
        "keep_apart",
        [2, 3],
        "both at table 1",
    ),
    "more hosts than tables": (
        Problem(people=6, tables=(3, 3), hosts=frozenset({0, 1, 2})),
        "hosts",
        [0, 1, 2],
        "3 hosts",
    ),
    "two hosts kept together": (
        Problem(people=6, tables=(3, 3), hosts=frozenset({0, 4}), together=((0, 4),)),
        "hosts",
        [0, 4],
        "at most one host",
    ),
    "two hosts fixed to one table": (
        Problem(people=6, tables=(3, 3), hosts=frozenset({0, 1}), fixed=(Fixed(0, 1), Fixed(1, 1))),
        "hosts",
        [0, 1],
        "hosts fixed to table 1",
    ),
    "minimum sizes above the headcount": (
        Problem(people=10, tables=(6, 6), min_sizes=(6, 5)),
        "min_sizes",
        [],
        "add up to 11",
    ),
    "minimum above capacity": (
        Problem(people=10, tables=(6, 6), min_sizes=(7, 0)),
        "min_sizes",
        [],
        "Table 0 seats 6 but its minimum is 7",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_impossible_requests_are_refused_at_once_naming_people_and_rule(name: str) -> None:
    problem, rule, people, words = CASES[name]
    result = solve(problem, time_limit=30)
    assert result.status == Status.INFEASIBLE
    assert result.seconds < 1
    assert result.stats["conflict"]["rule"] == rule
    assert result.stats["conflict"]["people"] == people
    assert words in result.message
    for p in people:
        assert str(p) in result.message
    assert result.rounds == ()


def test_a_clash_only_search_can_find_names_the_rules() -> None:
    # Four people pairwise apart cannot share three tables; no single rule is at fault.
    apart = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
    result = solve(Problem(people=6, tables=(3, 3, 3), apart=apart), time_limit=30)
    assert result.status == Status.INFEASIBLE
    assert result.seconds < 5
    conflict = result.stats["conflict"]
    assert (conflict["rule"], conflict["people"], conflict["tables"]) == (
        "keep_apart",
        [0, 1, 2, 3],
        [],
    )
    assert conflict["case"] == "rules_clash"
    assert sorted(conflict["facts"]["clauses"]) == [
        ["keep_apart", list(pair), []] for pair in apart
    ]
    assert "keep 0, 1 apart" in result.message


def test_bad_argument_shapes_are_value_errors() -> None:
    with pytest.raises(ValueError, match="Weight pair"):
        Problem(people=3, tables=(3,), weights=((2, 1, 1.0),))
    with pytest.raises(ValueError, match="min_sizes"):
        Problem(people=3, tables=(3,), min_sizes=(1, 1))
    with pytest.raises(ValueError, match="at most 100 rounds"):
        Problem(people=3, tables=(3,), rounds=101)
