"""The fuzz run's checks (benchmarks.fuzz): each must catch the mistake it is there for."""

from dataclasses import replace

import numpy as np

from benchmarks import fuzz
from benchmarks.fuzz import _mutated, check_result, input_findings, main, problem
from solver.model import Problem, Result, Status

COUPLE = Problem(people=4, tables=(2, 2), weights=((0, 1, 3.0), (2, 3, 1.0)), together=((0, 1),))
GOOD = Result(((((0, 1), (2, 3))),), 4.0, 4.0, "lp", Status.OPTIMAL, 0.1)


def test_a_valid_result_has_no_findings() -> None:
    assert check_result(COUPLE, GOOD, limit=1.0) == []


def test_a_broken_rule_is_wrong() -> None:
    split = replace(GOOD, rounds=(((0, 2), (1, 3)),), objective=0.0)
    assert [kind for kind, _ in check_result(COUPLE, split, 1.0)] == ["wrong"]
    assert "0 and 1 must sit together" in check_result(COUPLE, split, 1.0)[0][1]


def test_a_miscounted_objective_an_unproven_optimum_and_a_low_bound_are_wrong() -> None:
    for result, words in [
        (replace(GOOD, objective=5.0, upper_bound=5.0), "the plan is worth 4"),
        (replace(GOOD, upper_bound=6.0), "optimal at 4 of 6"),
        (replace(GOOD, upper_bound=3.0, status=Status.FEASIBLE), "bound 3 below"),
    ]:
        assert any(words in w for _, w in check_result(COUPLE, result, 1.0)), result


def test_a_refusal_must_name_its_rules_and_a_slow_or_empty_answer_is_counted() -> None:
    refused = Result((), 0.0, 0.0, "none", Status.INFEASIBLE, 0.1, message="No.")
    assert [kind for kind, _ in check_result(COUPLE, refused, 1.0)] == ["wrong"]
    slow = replace(GOOD, seconds=3.0)
    assert [kind for kind, _ in check_result(COUPLE, slow, 1.0)] == ["overran"]
    empty = Result((), 0.0, 4.0, "lp", Status.UNKNOWN, 0.1, message="Nothing in time.")
    assert check_result(COUPLE, empty, 1.0) == [("unknown", "Nothing in time.")]


def test_the_problems_cover_every_path_and_rule() -> None:
    made = [problem(seed) for seed in range(40)]
    assert {p.people <= 12 for p in made} == {True, False}
    assert max(p.people for p in made) >= 280
    for rule in ("together", "apart", "fixed", "hosts", "min_sizes", "handicaps"):
        assert any(getattr(p, rule) for p in made), rule


def test_a_short_run_prints_its_table_and_passes(capsys) -> None:
    assert main(["--kinds", "golf,seat", "--seeds", "0-1", "--time-limit", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "| golf | 2 |" in out and "| seat | 2 |" in out


def test_mutated_input_comes_back_as_words_and_a_crash_is_a_finding(monkeypatch) -> None:
    data = {"people": 4, "tables": [2, 2], "weights": [[0, 1, 3]]}
    rng = np.random.default_rng(0)
    assert any(_mutated(data, rng, 2) != data for _ in range(5))
    assert data == {"people": 4, "tables": [2, 2], "weights": [[0, 1, 3]]}
    found = [kind for seed in range(10) for kind, _ in input_findings(seed, 0.4)]
    assert {"feasible", "infeasible"} <= set(found) <= {"optimal", "feasible", "infeasible"}

    def crash(_data):
        raise TypeError("unhashable type: 'list'")

    monkeypatch.setattr(fuzz, "problem_from_json", crash)
    crashes = [words for kind, words in input_findings(0, 0.4) if kind == "crash"]
    assert len(crashes) == 5 and "instance: TypeError: unhashable type" in crashes[0]
