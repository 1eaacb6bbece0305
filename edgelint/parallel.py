"""Running checks in forked worker processes, when a run has enough of them to do.

The engine hands out units of work (the checks of one area on one app, `engine.UNIT_OF_AREA`)
to `jobs` processes forked from itself, so every worker starts with the project model, the
workspace and the cache already in memory and nothing has to be sent to it. A worker sends back
plain data only: the findings, the problems it noted, and the cache writes it made
(`Cache.start_journal`), which the parent applies, so the cache ends up as a serial run leaves
it. Units are handed out one at a time, so a slow unit does not hold up the others. A worker
that finishes gets the next unit of the group it just ran (`engine._groups`: what it holds in
memory serves that unit too); else the first unit of a group no other worker is on; else the
next unit in the engine's order (largest first), so that no worker waits while units are left.

Where processes cannot be forked (Windows, a sandbox without `fork`) or a worker dies, the
engine runs the remaining units itself.
"""

from __future__ import annotations

import contextlib
import os
import sys

#: Fewer check runs than this stay in one process: forking and merging would cost more. So does a
#: run that replays most of its results and has fewer than twice this many left (pre-commit).
MIN_CHECK_RUNS = 24
#: And fewer source files than this (small repositories are fast anyway).
MIN_FILES = 300

_work = None  # the parent's unit runner, inherited by the forked workers
_parent = 0


class WorkerFailed(RuntimeError):
    """A worker process died, or its unit raised (the message says which)."""


def worth_it(jobs: int, units: int, pending: int, runs: int, files: int) -> bool:
    """Whether to fork for `pending` check runs in `units` units, of the run's `runs`, on `files`."""
    many = pending >= MIN_CHECK_RUNS and (pending * 2 >= runs or pending >= 2 * MIN_CHECK_RUNS)
    return jobs > 1 and units > 1 and many and files >= MIN_FILES and available()


def available() -> bool:
    import multiprocessing  # here, not at the top: most runs never need it (10 ms to import)

    return "fork" in multiprocessing.get_all_start_methods()


def run_units(count: int, jobs: int, work, meanwhile=None, groups: list | None = None):
    """Yield (i, `work(i)`) for every unit i in 0..count-1, in completion order, from `jobs`
    worker processes, calling `meanwhile()` here while they start. `groups[i]` is unit i's group
    (units of one group go to the same worker when no other worker would wait). `work` runs in
    the workers; its results must pickle. Raises WorkerFailed (after yielding the units that
    completed) when a worker dies or a unit raises."""
    import multiprocessing
    from multiprocessing.connection import wait

    global _work, _parent
    _work, _parent = work, os.getpid()
    groups = groups or list(range(count))
    waiting = list(range(count))
    context = multiprocessing.get_context("fork")
    workers: dict = {}  # the parent's end of a worker's pipe -> [process, group of its last unit]
    for stream in (sys.stdout, sys.stderr):  # or a worker would write what is buffered again
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        for _ in range(min(jobs, count)):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, list(workers)), daemon=True)
            process.start()
            theirs.close()
            workers[ours] = [process, None]
            _hand_out(ours, workers, waiting, groups)
        if meanwhile is not None:
            meanwhile()
        while any(not end.closed for end in workers):
            for end in wait([end for end in workers if not end.closed]):
                try:
                    index, ok, result = end.recv()
                except (EOFError, OSError) as error:
                    raise WorkerFailed(f"a worker process died ({error!r})") from None
                if not ok:
                    raise WorkerFailed(result)
                yield index, result
                _hand_out(end, workers, waiting, groups)
    finally:
        _work = None
        for end, (process, _group) in workers.items():
            if not end.closed:  # the run stopped early: what this worker does is not wanted
                process.kill()
                end.close()
            process.join()


def _hand_out(end, workers: dict, waiting: list[int], groups: list) -> None:
    """Send the worker at `end` its next unit (or tell it to stop)."""
    if not waiting:
        end.send(None)
        end.close()
        return
    last = workers[end][1]
    taken = {group for other, (_process, group) in workers.items() if other is not end}
    index = next((i for i in waiting if groups[i] == last), None)
    if index is None:
        index = next((i for i in waiting if groups[i] not in taken), waiting[0])
    waiting.remove(index)
    workers[end][1] = groups[index]
    end.send(index)


def _serve(end, inherited: list) -> None:
    """A worker: run the units the parent sends until it sends None."""
    for other in inherited:  # the parent's ends of the earlier workers' pipes
        other.close()
    while True:
        try:
            index = end.recv()
        except EOFError:  # the parent is gone
            return
        if index is None:
            return
        try:
            end.send((index, True, _work(index)))
        except BaseException as error:  # noqa: BLE001 - the parent runs the unit itself
            end.send((index, False, f"unit {index} failed in a worker: {type(error).__name__}: {error}"))


def in_worker() -> bool:
    return _parent != 0 and os.getpid() != _parent
