"""Running checks in forked worker processes, when a run has enough of them to do.

The engine hands out units of work (checks of one app that share analyses, `engine.UNIT_OF_AREA`)
to `jobs` processes forked from itself, so every worker starts with the project model, the
workspace and the cache already in memory and nothing has to be sent to it. A worker sends back
plain data only: the findings, the problems it noted, and the cache writes it made
(`Cache.start_journal`), which the parent applies, so the cache ends up as a serial run leaves
it. Units are handed out one at a time, largest first, so a slow unit does not hold up the others.

Where processes cannot be forked (Windows, a sandbox without `fork`) or a worker dies, the
engine runs the remaining units itself.
"""

from __future__ import annotations

import os

#: Fewer check runs than this stay in one process: forking and merging would cost more. So does a
#: run that replays most of its results and has fewer than twice this many left (pre-commit).
MIN_CHECK_RUNS = 24
#: And fewer source files than this (small repositories are fast anyway).
MIN_FILES = 300

_work = None  # the parent's unit runner, inherited by the forked workers
_parent = 0


def worth_it(jobs: int, units: int, pending: int, runs: int, files: int) -> bool:
    """Whether to fork for `pending` check runs in `units` units, of the run's `runs`, on `files`."""
    many = pending >= MIN_CHECK_RUNS and (pending * 2 >= runs or pending >= 2 * MIN_CHECK_RUNS)
    return jobs > 1 and units > 1 and many and files >= MIN_FILES and available()


def available() -> bool:
    import multiprocessing  # here, not at the top: most runs never need it (10 ms to import)

    return "fork" in multiprocessing.get_all_start_methods()


def run_units(count: int, jobs: int, work, meanwhile=None):
    """Yield (i, `work(i)`) for every unit i in 0..count-1, in completion order, from `jobs`
    worker processes, calling `meanwhile()` here while they start. `work` runs in the workers;
    its results must pickle. Raises what the pool raises (a worker that died:
    BrokenProcessPool) after yielding the units that completed."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    global _work, _parent
    _work, _parent = work, os.getpid()
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, count), mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {pool.submit(_run, index): index for index in range(count)}
            if meanwhile is not None:
                meanwhile()
            for future in as_completed(futures):
                yield futures[future], future.result()
    finally:
        _work = None


def in_worker() -> bool:
    return _parent != 0 and os.getpid() != _parent


def _run(index: int):
    return _work(index)
