"""A memetic search in a process of its own: solver.seating runs `python -m solver.elsewhere`
with a pickled (problem, assignment, seed, end on the wall clock, target) on stdin, and reads the
best plan, pickled, from stdout."""

from __future__ import annotations

import os
import pickle
import sys
import time

import numpy as np

from solver.evaluate import value_matrix
from solver.search import Rules, Seating, memetic_search


def main() -> None:
    problem, assignment, seed, end, target = pickle.load(sys.stdin.buffer)
    state = Seating(value_matrix(problem), Rules.of(problem), assignment)
    deadline = time.perf_counter() + end - time.time()
    rng = np.random.default_rng([seed, 1])
    best, _ = memetic_search(state, rng, deadline, lambda: False, lambda _: None, target)
    pickle.dump(best, sys.stdout.buffer)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
    # The caller waits for this process to end: skip the interpreter's teardown (a few tenths of
    # a second with numba and OR-Tools loaded), which would come out of its time limit.
    os._exit(0)
