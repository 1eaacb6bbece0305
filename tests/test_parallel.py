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


def test_a_worker_gets_the_next_unit_of_the_kind_it_ran_else_the_next_in_order():
    end = _End()
    workers = {end: [None, None]}
    waiting = [0, 1, 2, 3]
    kinds = ["ratelimit", "image", "edge", "image"]
    for _ in range(4):
        parallel._hand_out(end, workers, waiting, kinds)
    assert end.sent == [0, 1, 3, 2] and not end.closed  # image after image, then the rest in order
    parallel._hand_out(end, workers, waiting, kinds)
    assert end.sent[-1] is None and end.closed


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


def test_the_pool_leaves_no_process_behind(tmp_path):
    pids = dict(parallel.run_units(4, 2, lambda i: os.getpid()))
    for pid in set(pids.values()):
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped already


def _units(*apps):
    """Area units (ratelimit, then edge) of apps given as (root, number of files)."""
    from types import SimpleNamespace

    class Context:  # hashable, as the engine's contexts are
        def __init__(self, root, files):
            self.app = SimpleNamespace(root=root, files=[f"{root}/{i}.ts" for i in range(files)],
                                       package_files=["packages/ui/button.tsx"])

    units = []
    for root, files in apps:
        ctx = Context(root, files)
        units += [((ctx, "model", "ratelimit"), [f"{root}:EDGE601"]), ((ctx, "model", "edge"), [f"{root}:EDGE101"])]
    return units


def _shape(units):
    return [(ctx.app.root, kind, checks) for (ctx, _model, kind), checks in units]


def test_apps_of_similar_size_run_as_one_unit_each():
    from edgelint.engine import _merged_by_app

    merged = _merged_by_app(_units(("a", 40), ("b", 30), ("c", 20), ("d", 10)), jobs=2)
    assert _shape(merged) == [(root, "app", [f"{root}:EDGE601", f"{root}:EDGE101"]) for root in "abcd"]


def test_an_app_with_more_than_a_workers_share_of_the_files_keeps_its_areas_apart():
    from edgelint.engine import _merged_by_app

    assert _shape(_merged_by_app(_units(("a", 100)), jobs=2)) == [("a", "ratelimit", ["a:EDGE601"]),
                                                                  ("a", "edge", ["a:EDGE101"])]
    merged = _merged_by_app(_units(("a", 70), ("b", 20), ("c", 10)), jobs=2)
    assert _shape(merged) == [("a", "ratelimit", ["a:EDGE601"]), ("a", "edge", ["a:EDGE101"]),
                              ("b", "app", ["b:EDGE601", "b:EDGE101"]), ("c", "app", ["c:EDGE601", "c:EDGE101"])]
    # with more workers, a worker's share is smaller: every app is split
    assert [kind for _root, kind, _checks in _shape(_merged_by_app(_units(("a", 40), ("b", 30)), jobs=4))] == [
        "ratelimit", "edge", "ratelimit", "edge"]


def test_files_that_several_units_search_are_read_before_forking_and_no_others():
    from edgelint.engine import _merged_by_app, _read_by_several

    apart = _merged_by_app(_units(("a", 3)), jobs=2)  # one app: its areas run in two units
    assert sorted(_read_by_several(apart)) == ["a/0.ts", "a/1.ts", "a/2.ts", "packages/ui/button.tsx"]
    together = _merged_by_app(_units(("a", 3), ("b", 3)), jobs=2)  # one unit each: only the shared package
    assert _read_by_several(together) == ["packages/ui/button.tsx"]
