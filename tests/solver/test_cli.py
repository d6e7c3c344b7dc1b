"""`python -m solver`: JSON on stdout, exit codes 0 / 1 (bad input) / 2 (no plan)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from solver import Problem
from solver.evaluate import violations

KEYS = {"rounds", "objective", "upper_bound", "bound_kind", "gap", "status", "seconds", "repeats",
        "people_without_match"}  # fmt: skip


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "solver", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )


def write(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_seat_prints_a_valid_plan_in_table_order(tmp_path) -> None:
    data = {"people": 10, "tables": [4, 3, 3], "rounds": 2, "weights": [[0, 1, 5], [2, 9, 3]],
            "together": [[3, 4]], "apart": [[0, 2]], "fixed": [[5, 2], [6, 0, 1]],
            "min_sizes": [3, 3, 3], "hosts": [7, 8]}  # fmt: skip
    done = run("seat", write(tmp_path, data), "--time-limit", "2", "--seed", "3")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out.keys() >= KEYS
    assert out["status"] == "optimal" and out["objective"] == 8 == out["upper_bound"]
    assert [len(tables) for tables in out["rounds"]] == [3, 3]
    problem = Problem(10, (4, 3, 3), 2, ((0, 1, 5.0), (2, 9, 3.0)), together=((3, 4),),
                      apart=((0, 2),), min_sizes=(3, 3, 3), hosts=frozenset({7, 8}))  # fmt: skip
    assert violations(problem, out["rounds"]) == []
    assert 5 in out["rounds"][0][2] and 5 in out["rounds"][1][2] and 6 in out["rounds"][1][0]


def test_seat_infeasible_exits_2_with_the_reason(tmp_path) -> None:
    done = run("seat", write(tmp_path, {"people": 7, "tables": [3, 3]}))
    assert done.returncode == 2
    assert json.loads(done.stdout)["status"] == "infeasible"
    assert "7 people but only 6 seats" in done.stderr


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"people": 4, "tables": [2, 2], "weights": [[0, 4, 1]]}, "weights[0]: person 4"),
        ({"people": 4, "tables": [2, "2"]}, "tables[1]: expected a whole number"),
        ({"people": 4, "tables": [2, 2], "fixed": [[0, 5]]}, "fixed[0]: table 5 does not exist"),
        ({"people": 4, "tables": [2, 2], "min_sizes": [1]}, "min_sizes: needs one entry"),
        ({"people": 4}, "tables: required field"),
        ({"people": 4, "tables": [4], "colour": 1}, "colour: unknown field"),
        ({"people": 0, "tables": [4]}, "people: must be at least 1"),
        ({"people": 4, "tables": []}, "tables: needs at least one table"),
        ({"people": 4, "tables": [4], "rounds": 10**9}, "rounds: must be at most 100"),
        ({"people": 5001, "tables": [4]}, "people: must be at most 5000"),
        ({"people": 4, "tables": [4, 2**70]}, "tables[1]: must be at most 5000"),
        ({"people": 4, "tables": [4], "weights": [[0, 1, 1e308]]}, "weights[0]: must be from"),
    ],
)
def test_bad_input_exits_1_naming_the_field(tmp_path, data, words) -> None:
    done = run("seat", write(tmp_path, data))
    assert done.returncode == 1
    assert words in done.stderr
    assert done.stdout == ""


def test_broken_json_and_missing_files_exit_1(tmp_path) -> None:
    path = tmp_path / "broken.json"
    for text, words in [
        (b"{people: 3", "not valid JSON"),
        ('{"people": 3, "tables": ["Göta"]}'.encode("latin-1"), "not UTF-8 text"),
        (b"[" * 100_000, "lists or objects nested too deeply"),
        (b"1" * 5000, "a number is too long"),
    ]:
        path.write_bytes(text)
        done = run("seat", str(path))
        assert done.returncode == 1
        assert f"{path}: {words}" in done.stderr
    assert run("seat", str(tmp_path / "missing.json")).returncode == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--time-limit", "nan"], "--time-limit: must be more than 0 seconds and at most 86400"),
        (["--time-limit", "inf"], "--time-limit: must be more than 0 seconds and at most 86400"),
        (["--time-limit", "0"], "--time-limit: must be more than 0 seconds and at most 86400"),
        (["--time-limit", "1e308"], "--time-limit: must be more than 0 seconds and at most 86400"),
        (["--seed", "3000000000"], "--seed: must be a whole number from 0 to 2147483647"),
        (["--seed", "-1"], "--seed: must be a whole number from 0"),
        (["--seed", "1.5"], "--seed: must be a whole number from 0 to 2147483647, got 1.5"),
        (["--groups", "0"], "--groups: must be a whole number, at least 1, got 0"),
    ],
)
def test_bad_arguments_exit_1_naming_the_option(args, words) -> None:
    shape = {"--groups": "4", "--size": "4", "--rounds": "2"}
    shape.update(zip(args[::2], args[1::2], strict=True))
    done = run("golf", *[x for kv in shape.items() for x in kv])
    assert done.returncode == 1
    assert words in done.stderr
    assert done.stdout == ""


def test_golf_prints_a_schedule_without_repeats() -> None:
    done = run("golf", "--groups", "4", "--size", "4", "--rounds", "5", "--time-limit", "10")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["repeats"] == 0 and out["status"] == "optimal"
    assert len(out["rounds"]) == 5
    assert all(sorted(p for g in groups for p in g) == list(range(16)) for groups in out["rounds"])


EVENT = {
    "format": "mingle-event/1",
    "event": {"name": "CLI dinner", "languages": ["en"]},
    "tags": [{"key": "venues", "labels": {"en": "event venues"}}],
    "attendees": [
        {"first_name": name, "last_name": "Test", "email": f"{name.lower()}@example.com",
         "company": name, "languages": ["en"], "offers": offers, "seeks": seeks}
        for name, offers, seeks in [("Ann", ["venues"], []), ("Ben", [], ["venues"]),
                                    ("Cy", [], []), ("Di", [], [])]
    ],
    "sessions": [{"key": "dinner", "name": "Dinner", "kind": "seating", "rounds": 1,
                  "tables": [{"name": "Table 1", "capacity": 2},
                             {"name": "Table 2", "capacity": 2}]}],
    "constraints": [],
}  # fmt: skip


def test_plan_puts_names_in_and_out_for_the_first_session(tmp_path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(EVENT))
    done = run("plan", str(path), "--time-limit", "2")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["session"] == "dinner" and out["status"] == "optimal"
    together = [{p["name"] for p in g["people"]} for g in out["rounds"][0]]
    assert {"Ann Test", "Ben Test"} in together


def test_plan_with_an_unknown_session_exits_1(tmp_path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(EVENT))
    done = run("plan", str(path), "--session", "lunch")
    assert done.returncode == 1
    assert "lunch" in done.stderr


def test_the_time_limit_counts_from_the_process_start(monkeypatch) -> None:
    import solver.__main__ as cli

    assert 0 < cli._running_for() < 24 * 3600  # this process's age, read from /proc on Linux
    monkeypatch.setattr(cli, "_running_for", lambda: 1.5)
    assert cli._left(10) == pytest.approx(9.9 - 1.5)
    assert cli._left(1) == pytest.approx(0.1)  # starting Python took it all: a tenth is left


def test_seat_help_shows_the_instance_form_and_what_the_time_limit_counts() -> None:
    done = run("seat", "--help")
    assert done.returncode == 0
    assert '"weights": [[i, j, value], ...]' in done.stdout
    assert "starting Python included" in " ".join(done.stdout.split())  # however it wraps
