"""Hostile file systems: symbolic link loops, broken and escaping links, unreadable files and
directories, odd file names, files that vanish while linting, unwritable cache directories and
very large files. Every case runs with and without git (discovery differs), ends cleanly and
leaves a report that is valid and points inside files (`lintrun.assert_sane`)."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
from pathlib import Path
import subprocess
import sys

import pytest

from conftest import MINIMAL_APP, assert_clean_exit, write_tree
from edgelint import files, parsing
from lintrun import assert_sane, lint

EDGE_FS_PAGE = "import fs from 'fs';\nexport const runtime = 'edge';\nexport default function P() { return fs; }\n"
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_symlinks = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")


@pytest.fixture(params=["plain", "git"])
def mode(request):
    if request.param == "git" and shutil.which("git") is None:
        pytest.skip("git is not installed")
    return request.param


def _git(root):
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, capture_output=True)


def make(tmp_path, mode, extra=None, after=None):
    root = write_tree(tmp_path / "app", {**MINIMAL_APP, **(extra or {})})
    if after:
        after(root)
    if mode == "git":
        _git(root)
    return root


def notes(outcome, path):
    return [f.message for f in outcome.findings if f.code == "EDGE903" and f.path == path]


# --------------------------------------------------------------------------------------------
# Symbolic links


@needs_symlinks
def test_symlink_loops_broken_and_escaping_links(tmp_path, mode):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.ts").write_text("export const secret = 'do not read';\n")

    def links(root):
        (root / "app" / "a.ts").symlink_to("b.ts")  # a loop of two links
        (root / "app" / "b.ts").symlink_to("a.ts")
        (root / "app" / "broken.ts").symlink_to("missing.ts")
        (root / "app" / "up").symlink_to("..", target_is_directory=True)  # a directory loop
        (root / "app" / "self").symlink_to(".", target_is_directory=True)
        (root / "app" / "escape.ts").symlink_to(outside / "secret.ts")
        (root / "app" / "escape-dir").symlink_to(outside, target_is_directory=True)
        (root / "app" / "inside.ts").symlink_to("page.tsx")

    root = make(tmp_path, mode, {"app/page.tsx": "import { secret } from './escape';\nimport './a';\n"
                                                 "import './broken';\nimport './escape-dir/secret';\n"
                                                 "import './up/app/self/page';\n"
                                                 "export default function P() { return secret; }\n"}, links)
    outcome = lint(root)
    assert_sane(outcome)
    text = "\n".join(outcome.outputs.values())
    assert "do not read" not in text
    paths = set(outcome.result.workspace.paths)
    assert not any(p.startswith(("app/up/", "app/self/", "app/escape-dir/")) for p in paths)
    assert not {"app/a.ts", "app/b.ts", "app/broken.ts", "app/escape.ts"} & paths  # loops, dangling, escaping


@needs_symlinks
def test_links_that_break_after_discovery(tmp_path, monkeypatch):
    root = make(tmp_path, "plain", {"app/page.tsx": "import './x';\nexport default function P() { return 1; }\n",
                                    "app/x.ts": "export {};\n", "app/y.ts": "export {};\n"})
    real = files.discover

    def discover_then_break(where, *memo):
        found = real(where, *memo)
        (root / "app" / "x.ts").unlink()
        (root / "app" / "x.ts").symlink_to("x.ts")
        (root / "app" / "y.ts").unlink()
        (root / "app" / "y.ts").symlink_to("missing.ts")
        return found

    monkeypatch.setattr(files, "discover", discover_then_break)
    outcome = lint(root)
    assert notes(outcome, "app/x.ts") == ["skipped: symbolic link loop"]
    assert notes(outcome, "app/y.ts") == ["skipped: broken symbolic link (its target does not exist)"]


@needs_symlinks
def test_a_computed_path_through_a_linked_directory_is_not_read(tmp_path):
    """A check may compute a path from a config (a loader file, a polyfill entry): the workspace
    never reads through a link out of the repository, nor a `..` path."""
    from edgelint.workspace import Workspace

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.js").write_text("secret")
    root = write_tree(tmp_path / "app", MINIMAL_APP)
    (root / "linked").symlink_to(outside, target_is_directory=True)
    ws = Workspace(root)
    assert ws.read("linked/secret.js") is None
    assert ws.read("../outside/secret.js") is None
    assert ws.read(str(outside / "secret.js")) is None
    assert ws.read("app/page.tsx") is not None
    assert not ws.problems  # nothing to report about paths outside the tree
    assert files.inside(root, "app/page.tsx") and not files.inside(root, "app/../../x")


# --------------------------------------------------------------------------------------------
# Unreadable files and directories


def test_unreadable_file(tmp_path, mode, monkeypatch):
    root = make(tmp_path, mode, {"app/locked/page.tsx": EDGE_FS_PAGE, "app/open/page.tsx": EDGE_FS_PAGE})
    locked = root / "app" / "locked" / "page.tsx"
    if ROOT:  # chmod does not stop root: refuse the read the way the OS would
        real = pathlib.Path.read_bytes

        def read_bytes(self):
            if self == locked:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
        real_open = open

        def guarded_open(file, *args, **kwargs):
            if pathlib.Path(file) == locked:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr("builtins.open", guarded_open)
        real_os_open = os.open

        def guarded_os_open(file, *args, **kwargs):
            if pathlib.Path(file) == locked:
                raise PermissionError(13, "Permission denied", str(file))
            return real_os_open(file, *args, **kwargs)

        monkeypatch.setattr(os, "open", guarded_os_open)
    else:
        locked.chmod(0)
    try:
        outcome = lint(root)
    finally:
        locked.chmod(0o644)
    assert notes(outcome, "app/locked/page.tsx") == ["skipped: permission denied"]
    assert any(f.code == "EDGE201" and f.path == "app/open/page.tsx" for f in outcome.findings)
    assert not outcome.result.incomplete


def test_unreadable_directory(tmp_path, monkeypatch):
    root = make(tmp_path, "plain", {"app/locked/page.tsx": EDGE_FS_PAGE, "app/open/page.tsx": EDGE_FS_PAGE})
    locked = root / "app" / "locked"
    if ROOT:
        real = os.scandir

        def scandir(path="."):
            if isinstance(path, (str, os.PathLike)) and os.fspath(path) == os.fspath(locked):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)
    else:
        locked.chmod(0)
    try:
        outcome = lint(root)
    finally:
        locked.chmod(0o755)
    assert_sane(outcome)
    assert any(f.code == "EDGE201" and f.path == "app/open/page.tsx" for f in outcome.findings)
    assert not any(f.path.startswith("app/locked/") for f in outcome.findings)
    # said (on stderr: a folder is no location for a finding): a clean report must not claim code it never read
    assert outcome.result.workspace.unreadable == [("app/locked", "Permission denied")]


# --------------------------------------------------------------------------------------------
# Names


ODD_NAMES = ["app/my route/page.tsx", "app/über/日本/page.tsx", "app/we,ird:na%me/page.tsx",
             "app/[slug]/(group)/page.tsx", "app/emoji 😀/page.tsx", "app/quote'\"/page.tsx",
             "app/tab\tname/page.tsx", "app/pipe|back`tick*/page.tsx"]


def test_an_unreadable_folder_is_named_on_stderr(tmp_path, cli, monkeypatch):
    root = make(tmp_path, "plain", {"app/locked/page.tsx": EDGE_FS_PAGE, "app/open/page.tsx": EDGE_FS_PAGE})
    locked = os.fspath(root / "app" / "locked")
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path=".": (_ for _ in ()).throw(PermissionError(13, "Permission denied"))
                        if os.fspath(path) == locked else real(path))
    for command in ("check", "audit"):
        result = cli(command, root, "--no-cache")
        assert "edgelint: cannot read the folder app/locked (Permission denied): nothing in it is linted" \
            in result.stderr


def test_paths_with_spaces_and_non_ascii_names(tmp_path, mode, cli):
    root = make(tmp_path, mode, {name: EDGE_FS_PAGE for name in ODD_NAMES})
    outcome = lint(root)
    assert_sane(outcome)
    reported = {f.path for f in outcome.findings if f.code == "EDGE201"}
    assert reported == set(ODD_NAMES)
    sarif = json.loads(outcome.outputs["sarif"])
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert "app/my%20route/page.tsx" in uris and "app/%C3%BCber/%E6%97%A5%E6%9C%AC/page.tsx" in uris
    # through the command line too, writing each format to a file
    for fmt in ("text", "json", "sarif", "github"):
        out = tmp_path / f"out.{fmt}"
        result = cli("check", root, "--no-cache", "--format", fmt, "-o", out)
        assert_clean_exit(result, 1)
        out.read_text("utf-8")


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a file system that allows any bytes in names")
def test_file_names_that_are_not_utf8_are_left_out(tmp_path, mode, cli):
    root = write_tree(tmp_path / "app", MINIMAL_APP)
    folder = os.path.join(os.fsencode(root / "app"), b"bad\xff")
    os.mkdir(folder)
    with open(os.path.join(folder, b"page.tsx"), "w") as out:
        out.write(EDGE_FS_PAGE)
    if mode == "git":
        _git(root)
    outcome = lint(root)
    assert_sane(outcome)
    assert not any("bad" in p for p in outcome.result.workspace.paths)
    for fmt in ("json", "sarif", "github", "text"):
        result = cli("check", root, "--no-cache", "--format", fmt, "-o", tmp_path / f"out.{fmt}")
        assert_clean_exit(result, 0)


# --------------------------------------------------------------------------------------------
# Files that change while edgelint runs


def test_files_that_vanish_while_linting(tmp_path, mode, monkeypatch):
    root = make(tmp_path, mode, {"app/gone/page.tsx": EDGE_FS_PAGE, "app/gone/layout.tsx": EDGE_FS_PAGE,
                                 "app/kept/page.tsx": EDGE_FS_PAGE, "app/dir/x.ts": "export const x = 1;\n",
                                 "app/dir/page.tsx": "import { x } from './x';\nexport default function P() { return x; }\n"})
    real = files.discover

    def discover_then_delete(where, *memo):
        found = real(where, *memo)
        shutil.rmtree(root / "app" / "gone")  # a branch switch or a build step deletes files now
        (root / "app" / "dir" / "x.ts").unlink()
        (root / "app" / "dir" / "x.ts").mkdir()  # and a directory takes a file's place
        return found

    monkeypatch.setattr(files, "discover", discover_then_delete)
    outcome = lint(root)
    codes_by_path = {(f.code, f.path) for f in outcome.findings}
    assert ("EDGE201", "app/kept/page.tsx") in codes_by_path
    assert notes(outcome, "app/gone/page.tsx") == ["skipped: file vanished while linting"]
    assert notes(outcome, "app/dir/x.ts") == ["skipped: not a regular file"]
    assert not outcome.result.incomplete
    assert not any(f.code == "EDGE906" for f in outcome.findings)
    json.loads(outcome.outputs["sarif"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_skipped_without_waiting_for_a_writer(tmp_path):
    """A pipe with a source file's name (made by a dev server, or a mistake): reading it would
    wait for a writer forever; it is skipped, and the rest is linted."""
    import threading
    import time

    root = make(tmp_path, "plain", {"app/kept/page.tsx": EDGE_FS_PAGE}, lambda r: os.mkfifo(r / "app" / "pipe.ts"))
    stuck = []

    def unblock():  # a reader waiting on the pipe gets its end, so that a failure is not a hang
        try:
            os.close(os.open(root / "app" / "pipe.ts", os.O_WRONLY | os.O_NONBLOCK))
            stuck.append(True)
        except OSError:  # no reader: nothing waits
            pass

    timer = threading.Timer(20, unblock)
    timer.start()
    started = time.monotonic()
    try:
        outcome = lint(root)
    finally:
        timer.cancel()
    assert not stuck and time.monotonic() - started < 20
    assert notes(outcome, "app/pipe.ts") == ["skipped: not a regular file"]
    assert ("EDGE201", "app/kept/page.tsx") in {(f.code, f.path) for f in outcome.findings}


def test_a_tracked_file_deleted_from_the_work_tree_is_no_file(tmp_path, mode):
    """`rm` of a tracked file (not `git rm`): git still lists it, but there is nothing to lint and
    nothing to report about it (a finding there would point at no file)."""
    root = make(tmp_path, mode, {"app/old/page.tsx": EDGE_FS_PAGE, "app/kept/page.tsx": EDGE_FS_PAGE})
    (root / "app" / "old" / "page.tsx").unlink()
    outcome = lint(root)
    assert ("EDGE201", "app/kept/page.tsx") in {(f.code, f.path) for f in outcome.findings}
    assert not [f for f in outcome.findings if f.path == "app/old/page.tsx"]


# --------------------------------------------------------------------------------------------
# The cache directory


def _reports(cli, root, *args):
    result = cli("check", root, "--format", "json", *args)
    assert_clean_exit(result, 0, 1)
    return result.exit_code, result.stdout


@pytest.mark.parametrize("where", ["under-a-file", "read-only", "proc"])
def test_unwritable_cache_directory(tmp_path, cli, where, monkeypatch):
    root = make(tmp_path, "plain", {"app/x/page.tsx": EDGE_FS_PAGE})
    expected = _reports(cli, root, "--no-cache")
    if where == "under-a-file":
        (tmp_path / "file").write_text("x")
        cache = tmp_path / "file" / "cache"
    elif where == "proc":
        if not os.path.isdir("/proc/self"):
            pytest.skip("no /proc")
        cache = pathlib.Path("/proc/self/edgelint-cache")
    else:
        cache = tmp_path / "cache"
        cache.mkdir()
        if ROOT:  # root writes through chmod: fail like a read-only mount would
            import errno
            import tempfile

            def read_only(*args, **kwargs):
                raise OSError(errno.EROFS, "Read-only file system")

            monkeypatch.setattr(tempfile, "mkstemp", read_only)
        else:
            cache.chmod(0o555)
    assert _reports(cli, root, "--cache-dir", cache) == expected
    assert _reports(cli, root, "--cache-dir", cache) == expected  # and again, warm or not


def test_corrupt_cache_is_ignored(tmp_path, cli):
    root = make(tmp_path, "plain", {"app/x/page.tsx": EDGE_FS_PAGE})
    cache = tmp_path / "cache"
    expected = _reports(cli, root, "--no-cache")
    assert _reports(cli, root, "--cache-dir", cache) == expected
    for shard in cache.rglob("*.json"):
        shard.write_bytes(b"\xff{not json" if shard.name.startswith("s") else b'{"x": [1, 2')
    assert _reports(cli, root, "--cache-dir", cache) == expected
    for shard in cache.rglob("*.json"):
        shard.write_text(json.dumps({k: {"deps": "nonsense", "findings": 5, "problems": None}
                                     for k in json.loads(shard.read_text() or "{}")}) if shard.read_text() else "")
    assert _reports(cli, root, "--cache-dir", cache) == expected


def test_cache_entries_of_the_wrong_shape_are_misses(tmp_path, cli):
    """Valid JSON with fields of the wrong type (a stale format, a cache restored from another
    build) is dropped and recomputed, never an internal error on every later run."""
    root = make(tmp_path, "plain", {"app/x/page.tsx": EDGE_FS_PAGE})
    cache = tmp_path / "cache"
    expected = _reports(cli, root, "--no-cache")
    assert _reports(cli, root, "--cache-dir", cache) == expected
    summaries = 0
    for shard in cache.rglob("*.json"):
        data = json.loads(shard.read_text() or "{}")
        if shard.name.startswith("s-"):
            shard.write_text(json.dumps({k: {**v, "exports": "x"} for k, v in data.items()}))
            summaries += 1
        elif shard.name.startswith("c-"):
            shard.unlink()  # check results: the run must read the summaries again
    assert summaries
    assert _reports(cli, root, "--cache-dir", cache) == expected
    assert _reports(cli, root, "--cache-dir", cache) == expected


# --------------------------------------------------------------------------------------------
# Size


def test_documented_limits():
    """The limits the docs name are the ones the code applies."""
    assert files.MAX_READ_BYTES == 8_000_000
    assert parsing.MAX_PARSE_BYTES == 1_500_000
    assert parsing.PARSE_TIMEOUT_SECONDS == 5.0
    from edgelint import watchdog

    assert watchdog.CHECK_FILE_TIMEOUT_SECONDS == 30.0


def _remove_chain(folder: Path, name: str = "d") -> None:
    """Delete a chain of nested folders bottom-up without recursion (shutil.rmtree recurses per
    level in Python 3.11, so pytest could not clean the temporary folder up afterwards)."""
    chain = [folder]
    while (chain[-1] / name).is_dir():
        chain.append(chain[-1] / name)
    for current in reversed(chain[1:]):
        for child in current.iterdir():
            child.unlink()
        current.rmdir()


def test_folders_nested_a_thousand_deep(tmp_path, mode, request):
    """os.walk recurses once per level in Python 3.11, and so did the tsconfig lookup: a tree 1,200
    folders deep ended in a RecursionError before any rule ran."""
    depth = 1200
    request.addfinalizer(lambda: _remove_chain(tmp_path / "app" / "lib"))
    root = write_tree(tmp_path / "app", {**MINIMAL_APP, "tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["./*"]}}}',
                                         "app/x/page.tsx": "import { x } from '@/lib/" + "d/" * depth + "x';\n"
                                                           "export const runtime = 'edge';\n"
                                                           "export default function P() { return x; }\n"})
    folder = os.open(root, os.O_RDONLY)
    try:
        os.mkdir("lib", dir_fd=folder)
        current = os.open("lib", os.O_RDONLY, dir_fd=folder)
        for _ in range(depth):
            os.mkdir("d", dir_fd=current)
            inner = os.open("d", os.O_RDONLY, dir_fd=current)
            os.close(current)
            current = inner
        file = os.open("x.ts", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=current)
        os.write(file, b"import fs from 'fs';\nexport const x = fs;\n")
        os.close(file)
        os.close(current)
    finally:
        os.close(folder)
    if mode == "git":
        _git(root)
    outcome = lint(root)
    assert_sane(outcome)
    [finding] = [f for f in outcome.findings if f.code == "EDGE201"]
    assert finding.path == "lib/" + "d/" * depth + "x.ts"


def test_a_tracked_file_missing_from_disk_gives_the_same_report_with_workers(tmp_path, monkeypatch):
    """Workers read the source files up front; a listed file that is gone (git still tracks it)
    is noted only where a check reads it, as without workers, and assets are never read."""
    from edgelint import parallel

    pages = {f"app/p{i}/page.tsx": "export default function P() { return null; }\n" for i in range(12)}
    root = make(tmp_path, "git", {**pages, "public/model.glb": b"\0glb", "app/gone.ts": "export const g = 1;\n"})
    (root / "public" / "model.glb").unlink()
    monkeypatch.setattr(parallel, "MIN_CHECK_RUNS", 1)
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    serial = lint(root, jobs=1, audit=False)
    pooled = lint(root, jobs=2, audit=False)  # an audit runs its checks in this process
    assert [f.to_dict() for f in pooled.findings] == [f.to_dict() for f in serial.findings]
    assert not notes(pooled, "public/model.glb")
