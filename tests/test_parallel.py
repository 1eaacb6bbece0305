"""Worker processes (`edgelint.parallel`): every unit once, a worker's next unit, failures."""

from __future__ import annotations

import os

import pytest

from edgelint import parallel

pytestmark = pytest.mark.skipif(not parallel.available(), reason="no fork here")


def test_every_unit_runs_once_in_a_worker_process():
    parent = os.getpid()
    results = dict(parallel.run_units(7, 2, lambda i: (i * i, os.getpid())))
    assert sorted(results) == list(range(7))
    assert all(square == i * i for i, (square, _pid) in results.items())
    assert parent not in {pid for _square, pid in results.values()}
    assert not parallel.in_worker()


def test_meanwhile_runs_in_the_parent_while_the_workers_start():
    seen = []
    assert sorted(i for i, _ in parallel.run_units(2, 2, lambda i: i, lambda: seen.append(os.getpid()))) == [0, 1]
    assert seen == [os.getpid()]


class _End:
    """Stands for the parent's end of a worker's pipe."""

    def __init__(self):
        self.sent, self.closed = [], False

    def send(self, value):
        self.sent.append(value)

    def close(self):
        self.closed = True


def test_a_worker_gets_the_next_unit_of_its_group_else_of_a_group_no_other_worker_is_on():
    first, second = _End(), _End()
    workers = {first: [None, None], second: [None, None]}
    waiting = [0, 1, 2, 3, 4]
    groups = ["a", "a", "b", "b", "c"]
    for end in (first, second, first, second, first):
        parallel._hand_out(end, workers, waiting, groups)
    assert first.sent == [0, 1, 4] and second.sent == [2, 3]  # a's units stay together, b's too
    parallel._hand_out(second, workers, waiting, groups)
    assert second.sent[-1] is None and second.closed


def test_a_worker_with_nothing_of_its_own_left_takes_a_unit_of_another_group():
    first, second = _End(), _End()
    workers = {first: [None, None], second: [None, None]}
    waiting = [0, 1]
    parallel._hand_out(first, workers, waiting, ["a", "a"])
    parallel._hand_out(second, workers, waiting, ["a", "a"])  # one app: its two units run at once
    assert first.sent == [0] and second.sent == [1]


def test_a_worker_that_dies_stops_the_pool_after_the_units_that_completed():
    def work(i):
        if i == 3:
            os._exit(3)  # killed, as by the out-of-memory killer
        return i

    done = []
    with pytest.raises(parallel.WorkerFailed, match="died"):
        for index, _result in parallel.run_units(4, 1, work):
            done.append(index)
    assert done == [0, 1, 2]


def test_a_unit_that_raises_in_a_worker_is_reported_by_the_pool():
    def work(i):
        raise ValueError(f"bad unit {i}")

    with pytest.raises(parallel.WorkerFailed, match="ValueError: bad unit 0"):
        list(parallel.run_units(1, 1, work))


def test_a_result_that_cannot_be_sent_back_is_reported_by_the_pool():
    with pytest.raises(parallel.WorkerFailed, match="unit 0 failed in a worker"):
        list(parallel.run_units(1, 1, lambda i: lambda: i))  # a function does not pickle


def test_large_results_come_back_whole():
    results = dict(parallel.run_units(3, 2, lambda i: bytes([i]) * (3 << 20)))  # larger than a pipe's buffer
    assert {i: (len(data), set(data)) for i, data in results.items()} == {i: (3 << 20, {i}) for i in range(3)}


def test_the_pool_leaves_no_process_behind(tmp_path):
    pids = dict(parallel.run_units(4, 2, lambda i: os.getpid()))
    for pid in set(pids.values()):
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped already


def _units(*apps):
    """Area units (ratelimit, then edge) of apps given as (root, number of files)."""
    from types import SimpleNamespace

    units = []
    for root, files in apps:
        ctx = SimpleNamespace(app=SimpleNamespace(root=root, files=[f"{root}/{i}.ts" for i in range(files)],
                                                  package_files=["packages/ui/button.tsx"]))
        units += [((ctx, "model", "ratelimit"), [f"{root}:EDGE601"]), ((ctx, "model", "edge"), [f"{root}:EDGE101"])]
    return units


def test_files_that_several_workers_would_search_are_read_before_forking_and_no_others():
    from edgelint.engine import _read_by_several

    alone = _units(("a", 3))  # one app, two workers: its units run at once
    assert sorted(_read_by_several(alone, jobs=2)) == ["a/0.ts", "a/1.ts", "a/2.ts", "packages/ui/button.tsx"]
    two = _units(("a", 3), ("b", 3))  # an app per worker: only the package they share
    assert _read_by_several(two, jobs=2) == ["packages/ui/button.tsx"]


def test_units_are_grouped_by_app_without_a_cache_and_by_kind_with_one():
    from edgelint.engine import _groups

    units = _units(("a", 1), ("b", 1))
    assert _groups(units, None) == ["a", "a", "b", "b"]
    assert _groups(units, object()) == ["ratelimit", "edge", "ratelimit", "edge"]
