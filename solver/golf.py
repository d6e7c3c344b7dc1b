"""Golf-day arithmetic for the event planner: flight sizes, tee times, shotgun holes, handicaps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from statistics import fmean


def flight_sizes(players: int, flight_size: int = 4) -> list[int]:
    """Sizes of the fewest flights that hold `players` with at most `flight_size` each, as even
    as possible (largest first; sizes differ by at most 1).

    14 players in fours play as [4, 4, 3, 3]: 3-balls absorb the remainder. A flight below
    flight_size - 1 only happens when nothing else fits under the limit: 5 players in fours go
    out as a 3-ball and a 2-ball ([3, 2]), since a 5-ball is not allowed. No players, no flights.
    """
    if isinstance(players, bool) or not isinstance(players, int) or players < 0:
        raise ValueError(
            f"The number of players must be a whole number of 0 or more, not {players!r}."
        )
    if isinstance(flight_size, bool) or not isinstance(flight_size, int) or flight_size < 1:
        raise ValueError(f"A flight must hold at least 1 player, not {flight_size!r}.")
    flights = -(-players // flight_size)  # ceiling division
    if flights == 0:
        return []
    small, bigger = divmod(players, flights)
    return [small + 1] * bigger + [small] * (flights - bigger)


def tee_times(start: datetime, interval_minutes: int, flights: int) -> list[datetime]:
    """Tee time of each flight: the first at `start`, then one every `interval_minutes`."""
    if interval_minutes < 1:
        raise ValueError("Tee times need an interval of at least 1 minute; use a shotgun start.")
    if flights < 0:
        raise ValueError(f"The number of flights cannot be negative (got {flights}).")
    return [start + timedelta(minutes=interval_minutes * i) for i in range(flights)]


def shotgun_holes(flights: int, holes: int = 18, *, pars: Sequence[int] | None = None) -> list[int]:
    """Starting hole (1-based) of each flight in a shotgun start, in flight order.

    Up to one flight per hole, spread evenly round the course so groups do not wait on each
    other (9 flights on 18 holes start on 1, 3, 5, ...). With more flights than holes, every hole
    gets one and the extra flights go out as "B" groups behind an "A" group, on the longest holes
    (par 5s first, then par 4s, where `pars` gives the par of each hole), spread evenly, else on
    evenly spread holes. Flights sharing a hole come next to each other in the list.
    More than two flights per hole is refused.
    """
    if holes < 1:
        raise ValueError(f"A course needs at least one hole (got {holes}).")
    if flights < 0:
        raise ValueError(f"The number of flights cannot be negative (got {flights}).")
    if flights > 2 * holes:
        raise ValueError(
            f"{flights} flights cannot start together on {holes} holes: at most two per hole "
            f"({2 * holes}); use tee times or two waves."
        )
    if pars is not None and len(pars) != holes:
        raise ValueError(f"pars lists {len(pars)} holes but the course has {holes}.")
    if flights <= holes:
        return [1 + i * holes // flights for i in range(flights)]
    extra = flights - holes
    if pars is None:
        doubled = [1 + j * holes // extra for j in range(extra)]
    else:
        # Longest holes first; within one par, spread the picks evenly round the course.
        by_length: list[int] = []
        for par in sorted(set(pars), reverse=True):
            same = [hole for hole in range(1, holes + 1) if pars[hole - 1] == par]
            wanted = min(len(same), extra - len(by_length))
            by_length += [same[j * len(same) // wanted] for j in range(wanted)]
        doubled = by_length
    return sorted(list(range(1, holes + 1)) + doubled)


def handicap_spread(flights: list[list[float | None]]) -> float:
    """Highest minus lowest flight mean handicap; unknown handicaps (None) are left out, and so
    are flights where nobody's handicap is known. 0.0 when fewer than two flights count."""
    means = [fmean(known) for flight in flights if (known := [h for h in flight if h is not None])]
    return max(means) - min(means) if len(means) > 1 else 0.0
