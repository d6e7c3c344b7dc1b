"""Requests that cannot be met, found at once and explained by the people and rules involved."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from solver.model import Problem

PEOPLE_FACTS = ("people", "pair", "group", "hosts")  # a Conflict's facts that list people


@dataclass(frozen=True)
class Conflict:
    """Why no plan exists: the rule, the people (by index) and tables concerned, and a sentence.

    `case` names the sentence and `facts` holds what it says, so another layer can word it in
    another language: people as indices under PEOPLE_FACTS and "groups"
    (a list of groups), tables as indices under "table" and "tables", "round" from 0 (None with
    one round), "clauses" as (rule, people, tables) triples, the rest numbers.
    """

    rule: str
    people: tuple[int, ...]
    tables: tuple[int, ...]
    message: str
    case: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)

    def as_stats(self) -> dict:
        return {
            "rule": self.rule,
            "people": list(self.people),
            "tables": list(self.tables),
            "case": self.case,
            "facts": dict(self.facts),
        }


def together_groups(problem: Problem) -> list[tuple[int, ...]]:
    """The keep-together groups (connected by the together pairs), each sorted, size >= 2."""
    parent = list(range(problem.people))

    def root(p: int) -> int:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for i, j in problem.together:
        parent[root(i)] = root(j)
    members: dict[int, list[int]] = defaultdict(list)
    for p in range(problem.people):
        members[root(p)].append(p)
    return sorted(tuple(g) for g in members.values() if len(g) > 1)


def _people(people) -> str:
    names = [str(p) for p in sorted(people)]
    if len(names) == 1:
        return f"person {names[0]}"
    return "people " + ", ".join(names[:-1]) + " and " + names[-1]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _are(people) -> str:
    return "is" if len(people) == 1 else "are"


def find_conflict(problem: Problem) -> Conflict | None:
    """The first rule that visibly cannot hold, or None. Cheap: no search is involved."""
    seats = sum(problem.tables)
    all_tables = tuple(range(len(problem.tables)))
    if problem.people > seats:
        return Conflict(
            "capacity",
            (),
            all_tables,
            f"{_count(problem.people, 'person', 'people')} but only "
            f"{_count(seats, 'seat', 'seats')} at {_count(len(all_tables), 'table', 'tables')}.",
            "capacity",
            {"count": problem.people, "seats": seats, "table_count": len(problem.tables)},
        )
    if problem.min_sizes is not None:
        for t, (low, cap) in enumerate(zip(problem.min_sizes, problem.tables, strict=True)):
            if low > cap:
                return Conflict(
                    "min_sizes",
                    (),
                    (t,),
                    f"Table {t} seats {cap} but its minimum is {low}.",
                    "minimum_above_seats",
                    {"table": t, "seats": cap, "minimum": low},
                )
        if sum(problem.min_sizes) > problem.people:
            return Conflict(
                "min_sizes",
                (),
                all_tables,
                f"The tables' minimum sizes add up to {sum(problem.min_sizes)}, "
                f"more than the {_count(problem.people, 'person', 'people')}.",
                "minimums_above_people",
                {"total": sum(problem.min_sizes), "count": problem.people},
            )
    if len(problem.hosts) > len(problem.tables):
        return Conflict(
            "hosts",
            tuple(sorted(problem.hosts)),
            all_tables,
            f"{len(problem.hosts)} hosts ({_people(problem.hosts)}) but only "
            f"{len(problem.tables)} tables, and a table takes at most one host.",
            "too_many_hosts",
            {"hosts": sorted(problem.hosts), "table_count": len(problem.tables)},
        )
    groups = together_groups(problem)
    group_of = {p: g for g in groups for p in g}
    biggest = max(problem.tables, default=0)
    for g in groups:
        if len(g) > biggest:
            return Conflict(
                "keep_together",
                g,
                (),
                f"{_people(g)} must sit together, but the largest table seats {biggest}.",
                "group_above_seats",
                {"group": list(g), "seats": biggest},
            )
        if len(problem.hosts.intersection(g)) > 1:
            hosts = tuple(sorted(problem.hosts.intersection(g)))
            return Conflict(
                "hosts",
                hosts,
                (),
                f"{_people(hosts)} are hosts who must sit together (keep-together), "
                "but a table takes at most one host.",
                "hosts_together",
                {"hosts": list(hosts)},
            )
    # Two groups of more than half the largest table never fit at one: each needs its own.
    big = sorted((g for g in groups if 2 * len(g) > biggest), key=len, reverse=True)
    fits = sorted(problem.tables, reverse=True)
    for k, g in enumerate(big):
        if k >= len(fits) or len(g) > fits[k]:
            wide = sum(c >= len(g) for c in fits)
            listed = ", ".join("(" + ", ".join(map(str, h)) + ")" for h in big[: k + 1])
            return Conflict(
                "keep_together",
                tuple(sorted(p for h in big[: k + 1] for p in h)),
                (),
                f"{k + 1} keep-together groups need a table each: {listed}. No two of them fit "
                f"at one table of {biggest} seats or fewer, and only {wide} "
                f"table{'s' if wide != 1 else ''} seat {len(g)} or more.",
                "groups_need_tables",
                {
                    "groups": [list(h) for h in big[: k + 1]],
                    "seats": biggest,
                    "wide": wide,
                    "size": len(g),
                },
            )
    for i, j in problem.apart:
        if i == j or group_of.get(i) is not None and j in group_of[i]:
            group = group_of.get(i, (i,))
            return Conflict(
                "keep_together_apart",
                tuple(sorted({i, j, *group})),
                (),
                f"{_people({i, j})} must sit apart (keep-apart), but keep-together "
                f"joins them ({_people(group)}).",
                "together_and_apart",
                {"pair": sorted({i, j}), "group": list(group)},
            )
    crowd = _apart_crowd(problem)
    if len(crowd) > len(problem.tables):
        return Conflict(
            "keep_apart",
            crowd,
            all_tables,
            f"{_people(crowd)} must all sit apart (keep-apart), but there "
            f"{'is' if len(all_tables) == 1 else 'are'} only "
            f"{_count(len(all_tables), 'table', 'tables')}.",
            "apart_above_tables",
            {"people": list(crowd), "table_count": len(all_tables)},
        )
    return _fixed_conflict(problem, group_of)


def _apart_crowd(problem: Problem) -> tuple[int, ...]:
    """People who must all sit apart from each other, more of them than there are tables if
    such a set is found: each needs a table of their own. Greedy (finding the largest such set
    is NP-hard), but exact where keep-apart pairs come from companies, whose colleagues form
    these sets. Only people kept apart from at least as many as there are tables can be in one."""
    tables = len(problem.tables)
    partners: dict[int, set[int]] = defaultdict(set)
    for i, j in problem.apart:
        partners[i].add(j)
        partners[j].add(i)
    # Peel off people with too few partners left, until everyone left has enough.
    left = {p for p, ps in partners.items() if len(ps) >= tables}
    while drop := {p for p in left if len(partners[p] & left) < tables}:
        left -= drop
    for p in sorted(left, key=lambda p: (-len(partners[p] & left), p)):
        crowd = [p]
        for q in sorted(partners[p] & left, key=lambda q: (-len(partners[q] & left), q)):
            if all(q in partners[c] for c in crowd):
                crowd.append(q)
        if len(crowd) > tables:
            return tuple(sorted(crowd))
    return ()


def _fixed_conflict(problem: Problem, group_of: dict[int, tuple[int, ...]]) -> Conflict | None:
    for r in range(problem.rounds):
        # Where each unit (a together-group or a single person) is fixed in this round.
        fixed_at: dict[tuple[int, ...], dict[int, list[int]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for f in problem.fixed:
            if f.round in (None, r):
                unit = group_of.get(f.person, (f.person,))
                fixed_at[unit][f.table].append(f.person)
        round_note = f" in round {r}" if problem.rounds > 1 else ""
        round_ = r if problem.rounds > 1 else None
        table_of: dict[int, int] = {}
        load: dict[int, list[int]] = defaultdict(list)
        for unit, by_table in fixed_at.items():
            if len(by_table) > 1:
                people = tuple(sorted({p for ps in by_table.values() for p in ps}))
                tables = tuple(sorted(by_table))
                why = " (kept together)" if len(unit) > 1 else ""
                return Conflict(
                    "fixed_seats",
                    people,
                    tables,
                    f"{_people(people)}{why} {_are(people)} fixed to different tables "
                    f"{', '.join(map(str, tables))}{round_note}.",
                    "fixed_at_two_tables",
                    {
                        "people": list(people),
                        "tables": list(tables),
                        "round": round_,
                    },
                )
            (t,) = by_table
            for p in unit:
                table_of[p] = t
                load[t].append(p)
        for t, people in sorted(load.items()):
            if len(people) > problem.tables[t]:
                return Conflict(
                    "fixed_seats",
                    tuple(sorted(people)),
                    (t,),
                    f"{_people(people)} {_are(people)} fixed to table {t}{round_note}, "
                    f"which seats only {problem.tables[t]}.",
                    "fixed_above_seats",
                    {
                        "people": sorted(people),
                        "table": t,
                        "seats": problem.tables[t],
                        "round": round_,
                    },
                )
            hosts = problem.hosts.intersection(people)
            if len(hosts) > 1:
                return Conflict(
                    "hosts",
                    tuple(sorted(hosts)),
                    (t,),
                    f"{_people(hosts)} are hosts fixed to table {t}{round_note}, "
                    "but a table takes at most one host.",
                    "hosts_fixed_together",
                    {"hosts": sorted(hosts), "table": t, "round": round_},
                )
        # Each host needs a table of their own: not one that fixed seats fill with others.
        filled = sorted(
            t
            for t, people in load.items()
            if len(people) >= problem.tables[t] and not problem.hosts.intersection(people)
        )
        free = len(problem.tables) - len(filled)
        if filled and len(problem.hosts) > free:
            hosts = sorted(problem.hosts)
            seated = sorted(p for t in filled for p in load[t])
            return Conflict(
                "fixed_seats+hosts",
                tuple(sorted({*hosts, *seated})),
                tuple(filled),
                f"{len(hosts)} hosts ({_people(hosts)}) need a table each, but fixed seats fill "
                f"table{'s' if len(filled) > 1 else ''} {', '.join(map(str, filled))} with "
                f"{_people(seated)}{round_note}, which leaves "
                f"{_count(free, 'table', 'tables')}.",
                "hosts_above_free_tables",
                {
                    "hosts": hosts,
                    "people": seated,
                    "tables": filled,
                    "table_count": free,
                    "round": round_,
                },
            )
        for i, j in problem.apart:
            if i in table_of and table_of.get(j) == table_of[i]:
                return Conflict(
                    "keep_apart",
                    tuple(sorted((i, j))),
                    (table_of[i],),
                    f"{_people((i, j))} must sit apart (keep-apart), but fixed seats put "
                    f"both at table {table_of[i]}{round_note}.",
                    "apart_fixed_together",
                    {"pair": sorted((i, j)), "table": table_of[i], "round": round_},
                )
    return None
