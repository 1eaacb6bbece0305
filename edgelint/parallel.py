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

Workers are forked with `os.fork` and talk to the parent through two pipes each (not with
`multiprocessing`, whose import and process start took 6–8 ms of a run's serial part). Where
processes cannot be forked (Windows, a sandbox without `fork`) or a worker dies, the engine runs
the remaining units itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import sys

#: Fewer check runs than this stay in one process: forking and merging would cost more. So does a
#: run that replays most of its results and has fewer than twice this many left (pre-commit; the
#: benchmark's, 19 rules to run again in four units, is 5% faster in two workers since they are
#: forked without `multiprocessing`).
MIN_CHECK_RUNS = 8
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
    return hasattr(os, "fork")


def run_units(count: int, jobs: int, work, meanwhile=None, groups: list | None = None):
    """Yield (i, `work(i)`) for every unit i in 0..count-1, in completion order, from `jobs`
    worker processes, calling `meanwhile()` here while they start. `groups[i]` is unit i's group
    (units of one group go to the same worker when no other worker would wait). `work` runs in
    the workers; its results must pickle. Raises WorkerFailed (after yielding the units that
    completed) when a worker dies or a unit raises."""
    import select

    global _work, _parent
    _work, _parent = work, os.getpid()
    groups = groups or list(range(count))
    waiting = list(range(count))
    workers: dict[_Worker, list] = {}  # a worker -> [its process id, the group of its last unit]
    for stream in (sys.stdout, sys.stderr):  # or a worker would write what is buffered again
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        for _ in range(min(jobs, count)):
            worker = _start(list(workers))
            workers[worker] = [worker.pid, None]
            _hand_out(worker, workers, waiting, groups)
        if meanwhile is not None:
            meanwhile()
        while any(not worker.closed for worker in workers):
            ready, _, _ = select.select([worker for worker in workers if not worker.closed], [], [])
            for worker in ready:
                try:
                    index, ok, result = worker.receive()
                except (EOFError, OSError) as error:
                    raise WorkerFailed(f"a worker process died ({error!r})") from None
                if not ok:
                    raise WorkerFailed(result)
                yield index, result
                _hand_out(worker, workers, waiting, groups)
    finally:
        _work = None
        for worker in workers:
            if not worker.closed:  # the run stopped early: what this worker does is not wanted
                with contextlib.suppress(OSError):
                    os.kill(worker.pid, signal.SIGKILL)
                worker.close()
            with contextlib.suppress(OSError):
                os.waitpid(worker.pid, 0)


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


class _Worker:
    """The parent's ends of a worker's two pipes: unit numbers go to it, pickled results come back
    (each after its length)."""

    def __init__(self, pid: int, to_worker: int, from_worker: int):
        self.pid, self.to_worker, self.from_worker = pid, to_worker, from_worker
        self.closed = False

    def fileno(self) -> int:  # for `select`
        return self.from_worker

    def send(self, index: int | None) -> None:
        os.write(self.to_worker, _UNIT.pack(-1 if index is None else index))

    def receive(self):
        import pickle

        header = _read(self.from_worker, _LENGTH.size)
        if len(header) < _LENGTH.size:
            raise EOFError("no result")
        size = _LENGTH.unpack(header)[0]
        data = _read(self.from_worker, size)
        if len(data) < size:
            raise EOFError("a partial result")
        return pickle.loads(data)

    def close(self) -> None:
        for fd in (self.to_worker, self.from_worker):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.closed = True


def _start(earlier: list[_Worker]) -> _Worker:
    """Fork a worker (`earlier`: the workers forked before it, whose pipes it must not hold open:
    a worker sees that the parent is gone when its unit pipe has no writer left)."""
    to_read, to_write = os.pipe()
    from_read, from_write = os.pipe()
    try:
        pid = os.fork()
    except OSError as error:
        for fd in (to_read, to_write, from_read, from_write):
            os.close(fd)
        raise WorkerFailed(f"cannot start a worker process ({error})") from None
    if pid == 0:  # the worker: it never returns into the parent's code
        code = 1
        try:
            os.close(to_write)
            os.close(from_read)
            for other in earlier:
                other.close()
            _serve(to_read, from_write)
            code = 0
        finally:
            os._exit(code)
    os.close(to_read)
    os.close(from_write)
    return _Worker(pid, to_write, from_read)


def _serve(units: int, results: int) -> None:
    """A worker: run the units the parent sends until it sends -1 (or is gone)."""
    import pickle

    while True:
        header = _read(units, _UNIT.size)
        if len(header) < _UNIT.size:  # the parent is gone
            return
        index = _UNIT.unpack(header)[0]
        if index < 0:
            return
        try:
            data = pickle.dumps((index, True, _work(index)), pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # noqa: BLE001 - the parent runs the unit itself
            data = pickle.dumps((index, False, f"unit {index} failed in a worker: {type(error).__name__}: {error}"))
        _write(results, _LENGTH.pack(len(data)) + data)


_UNIT = struct.Struct("<i")
_LENGTH = struct.Struct("<Q")


def _read(fd: int, size: int) -> bytes:
    """`size` bytes from a pipe, fewer only at its end."""
    chunks, left = [], size
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def in_worker() -> bool:
    return _parent != 0 and os.getpid() != _parent
