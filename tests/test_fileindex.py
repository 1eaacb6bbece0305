"""The file index (`edgelint.fileindex`): a file's digest and byte-search answers are trusted only
while its stat is the one recorded, never for files changed just before the run, and a malformed
index is ignored."""

from __future__ import annotations

import os
import time

from edgelint.fileindex import MAX_SEARCHES, FileIndex


#: The run of these tests "starts" a minute from now, so the files they write are old enough.
LATER = time.time_ns() + 60 * 1_000_000_000


def _old_file(path, data: bytes):
    path.write_bytes(data)
    return FileIndex.stat_of(str(path))


def test_a_remembered_digest_holds_while_the_stat_does(tmp_path):
    index = FileIndex(started_ns=LATER)
    stat = _old_file(tmp_path / "a.ts", b"one")
    index.remember("a.ts", stat, "d1")
    index.note_answer("a.ts", "cdn-cgi", True)
    assert index.digest("a.ts", stat) == "d1" and index.answer("a.ts", "cdn-cgi") is True
    assert index.answer("a.ts", "other search") is None
    changed = _old_file(tmp_path / "a.ts", b"two!")  # other size
    assert index.digest("a.ts", changed) is None
    index.remember("a.ts", changed, "d2")  # new bytes: the old answers go
    assert index.digest("a.ts", changed) == "d2" and index.answer("a.ts", "cdn-cgi") is None


def test_same_bytes_with_a_new_stat_keep_their_answers(tmp_path):
    index = FileIndex(started_ns=LATER)
    index.remember("a.ts", _old_file(tmp_path / "a.ts", b"one"), "d1")
    index.note_answer("a.ts", "x", False)
    os.utime(tmp_path / "a.ts", (time.time() - 100, time.time() - 100))
    touched = FileIndex.stat_of(str(tmp_path / "a.ts"))
    index.remember("a.ts", touched, "d1")
    assert index.digest("a.ts", touched) == "d1" and index.answer("a.ts", "x") is False


def test_files_changed_just_now_are_not_remembered(tmp_path):
    index = FileIndex()
    (tmp_path / "new.ts").write_bytes(b"fresh")
    index.remember("new.ts", FileIndex.stat_of(str(tmp_path / "new.ts")), "d")
    assert "new.ts" not in index.entries and index.digest("new.ts", FileIndex.stat_of(str(tmp_path / "new.ts"))) is None
    assert FileIndex.stat_of(str(tmp_path / "missing.ts")) is None


def test_it_survives_a_round_trip_and_ignores_malformed_data(tmp_path):
    index = FileIndex(started_ns=LATER)
    stat = _old_file(tmp_path / "a.ts", b"one")
    index.remember("a.ts", stat, "d1")
    index.note_answer("a.ts", "s", True)
    index.note_grep_positions("key", [0, 2])
    again = FileIndex(index.to_dict(), index.greps_to_dict(), started_ns=LATER)
    assert again.digest("a.ts", stat) == "d1" and again.answer("a.ts", "s") is True
    assert again.grep("key", ["p0", "p1", "p2"]) == ["p0", "p2"] and again.grep("key", ["p0"]) is None
    for junk in (None, [], {"searches": "x", "entries": {}}, {"searches": [], "entries": {"a.ts": [1, 2]}},
                 {"searches": [1], "entries": {}}, {"searches": [], "entries": {"a.ts": [1, 2, 3, 4, "d", -1, 0]}}):
        assert FileIndex(junk, started_ns=LATER).entries == {}


def test_searches_beyond_the_limit_are_simply_not_remembered(tmp_path):
    index = FileIndex(started_ns=LATER)
    index.remember("a.ts", _old_file(tmp_path / "a.ts", b"one"), "d1")
    for number in range(MAX_SEARCHES + 5):
        index.note_answer("a.ts", f"s{number}", True)
    assert len(index.searches) == MAX_SEARCHES
    assert index.answer("a.ts", f"s{MAX_SEARCHES + 1}") is None and index.answer("a.ts", "s0") is True


def test_the_code_digest_that_names_the_cache_folder_reads_each_source_once(tmp_path, monkeypatch):
    """Installed, edgelint.checks is a folder inside edgelint's: its files are hashed once, and an
    edit of any source (not of compiled files) names another cache folder."""
    import builtins

    import edgelint
    import edgelint.checks
    from edgelint import cache

    package = tmp_path / "edgelint"
    (package / "checks" / "__pycache__").mkdir(parents=True)
    for name in ("__init__.py", "engine.py", "checks/__init__.py", "checks/rule.py", "checks/__pycache__/rule.pyc"):
        (package / name).write_text(f"# {name}\n")
    monkeypatch.setattr(edgelint, "__file__", str(package / "__init__.py"))
    monkeypatch.setattr(edgelint.checks, "__file__", str(package / "checks" / "__init__.py"))
    opened = []
    real_open = builtins.open
    monkeypatch.setattr(builtins, "open", lambda path, *a, **k: opened.append(str(path)) or real_open(path, *a, **k))
    first = cache.code_digest.__wrapped__()
    monkeypatch.setattr(builtins, "open", real_open)
    assert sorted(opened) == sorted(str(package / n) for n in ("__init__.py", "checks/__init__.py", "checks/rule.py",
                                                               "engine.py"))
    (package / "checks" / "__pycache__" / "rule.pyc").write_text("other")
    assert cache.code_digest.__wrapped__() == first
    (package / "checks" / "rule.py").write_text("# edited\n")
    assert cache.code_digest.__wrapped__() != first


def test_check_results_are_kept_in_sixteen_files_each_holding_its_share_of_the_limit(tmp_path):
    """A run on changed files stores the results of checks on every app: 16 files to rewrite, not
    one per result (writing a file costs more than the bytes in it)."""
    import json

    from edgelint.cache import Cache, _Shards

    cache = Cache(tmp_path / "cache")
    for number in range(200):
        cache.store_run(f"{number:064x}"[::-1], {"n": number})
    cache.save()
    names = sorted(p.name for p in cache.folder.glob("c-*.json"))
    assert names == [f"c-{digit:x}.json" for digit in range(16)]
    shards = _Shards(tmp_path / "small", "c", limit=32, digits=1)  # 3 keys per file at most
    (tmp_path / "small").mkdir()
    for number in range(10):
        shards.put(f"a{number:063x}", number)
    shards.save()
    assert json.loads((tmp_path / "small" / "c-a.json").read_text()) == {f"a{n:063x}": n for n in (7, 8, 9)}
