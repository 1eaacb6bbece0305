"""File discovery outside git: `.gitignore` files are applied exactly as pathspec applies them
(the fast combined matcher must agree with pathspec on every path), folders are pruned, and
nested `.gitignore` files apply below their own folder only."""

from __future__ import annotations

import shutil
import subprocess

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import write_tree
from edgelint import files

SEGMENT = st.sampled_from(["src", "app", "node_modules", "out", "a.ts", "b.tsx", "x.tsbuildinfo", "keep.ts",
                           "docs", ".env.local", "dist", "page.tsx", "[id]", "a b"])
PATTERN = st.sampled_from(["node_modules/", "*.tsbuildinfo", "/out", "out/", "docs/**/page.tsx", "src/*.ts", "a?.ts",
                           "!keep.ts", "!src/a.ts", "[ab].ts", "**/dist", ".env*.local", "# comment", "", "app/",
                           "\\!x", "*.ts", "/src/app/"])


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(PATTERN, max_size=8), path=st.lists(SEGMENT, min_size=1, max_size=5), is_dir=st.booleans())
def test_the_fast_matcher_agrees_with_pathspec(lines, path, is_dir):
    rel = "/".join(path) + ("/" if is_dir else "")
    assert files._matcher(lines)(rel) == pathspec.GitIgnoreSpec.from_lines(lines).check_file(rel).include


def test_walk_applies_root_and_nested_gitignores(tmp_path):
    root = write_tree(tmp_path / "repo", {
        ".gitignore": "*.log\n/build/\ngenerated/\n",
        "a.ts": "", "debug.log": "", "build/x.ts": "", "src/build/y.ts": "", "src/generated/z.ts": "",
        "pkg/.gitignore": "secret.ts\n!keep.log\n", "pkg/secret.ts": "", "pkg/keep.log": "", "secret.ts": "",
        "node_modules/n/index.js": "", "src/.next/cache.ts": "", "lib/dist": "",  # a file named like a folder
    })
    expected = [".gitignore", "a.ts", "lib/dist", "pkg/.gitignore", "pkg/keep.log", "secret.ts", "src/build/y.ts"]
    assert files.discover(root) == expected
    if shutil.which("git"):  # git itself agrees
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        assert files._git_files(root) is not None and files.discover(root) == expected


def _age(root):
    """Make every folder look older than the walk's racy window (so its listing may be reused)."""
    import os

    past = 1_600_000_000
    for folder, _dirs, _files in os.walk(root):
        os.utime(folder, (past, past))
        if os.path.exists(os.path.join(folder, ".gitignore")):
            os.utime(os.path.join(folder, ".gitignore"), (past, past))


def test_the_walk_memo_reuses_unchanged_folders_and_sees_every_change(tmp_path, monkeypatch):
    import os

    root = write_tree(tmp_path / "repo", {
        ".gitignore": "*.log\n", "a.ts": "", "src/b.ts": "", "src/deep/c.ts": "", "src/deep/d.log": "",
        "pkg/.gitignore": "gen/\n", "pkg/gen/x.ts": "", "pkg/y.ts": "",
    })
    _age(root)
    memo = {}
    first = files.discover(root, memo)
    assert first == files.discover(root) == [".gitignore", "a.ts", "pkg/.gitignore", "pkg/y.ts", "src/b.ts",
                                              "src/deep/c.ts"]
    listed, stated = [], []
    scandir, stat = os.scandir, os.stat
    monkeypatch.setattr(os, "scandir", lambda path: listed.append(path) or scandir(path))
    monkeypatch.setattr(os, "stat", lambda path, **kw: stated.append(os.path.relpath(path, root)) or stat(path, **kw))
    assert files.discover(root, memo) == first and listed == []  # nothing listed again
    # folders are stat'ed, and the .gitignore files they had (edited in place, their folder's time stays)
    assert sorted(p for p in stated if p.endswith(".gitignore")) == [".gitignore", "pkg/.gitignore"]
    monkeypatch.setattr(os, "stat", stat)

    (root / "src" / "deep" / "new.ts").write_text("")  # a new file: its folder's time changes
    assert files.discover(root, memo) == files.discover(root) and "src/deep/new.ts" in files.discover(root, memo)
    _age(root)
    (root / "pkg" / ".gitignore").write_text("y.ts\n")  # same folder entries, other patterns
    os.utime(root / "pkg", (1_600_000_000, 1_600_000_000))
    after = files.discover(root, memo)
    assert "pkg/gen/x.ts" in after and "pkg/y.ts" not in after and after == files.discover(root)
    (root / ".gitignore").write_text("")  # the root's patterns: everything below is listed again
    assert "src/deep/d.log" in files.discover(root, memo)
    _age(root)
    files.discover(root, memo)
    (root / "src" / "deep" / ".gitignore").write_text("c.ts\n")  # a new one: its folder's time changes
    assert "src/deep/c.ts" not in files.discover(root, memo) and files.discover(root, memo) == files.discover(root)


def test_a_planted_walk_memo_cannot_name_files_outside_the_tree(tmp_path):
    import json

    from conftest import MINIMAL_APP
    from edgelint import engine, registry
    from edgelint.config import Config

    root = write_tree(tmp_path / "app", MINIMAL_APP)
    (tmp_path / "secret.ts").write_text("export const secret = 1;\n")
    _age(root)
    cache = tmp_path / "cache"

    def lint():
        return engine.run([root], Config(), list(registry.all_checks()), use_cache=True, cache_dir=str(cache))

    assert "app/page.tsx" in lint().workspace.path_set
    [memo_file] = cache.glob("*/dirs.json")
    memo = json.loads(memo_file.read_text())
    memo["dirs"][""][3] += ["../secret.ts", "app/../../secret.ts"]
    memo_file.write_text(json.dumps(memo))
    (root / "app" / "page.tsx").write_text("export default function P() { return null }\n")  # no whole-run replay
    listed = lint().workspace.path_set
    assert "app/page.tsx" in listed and not any("secret" in path for path in listed)


def test_a_planted_walk_memo_cannot_add_folders_the_walk_skips(tmp_path):
    import json

    from conftest import MINIMAL_APP
    from edgelint import engine, registry
    from edgelint.config import Config

    root = write_tree(tmp_path / "app", {**MINIMAL_APP, "node_modules/pkg/index.ts": "export const x = 1;\n"})
    _age(root)
    cache = tmp_path / "cache"

    def lint():
        return engine.run([root], Config(), list(registry.all_checks()), use_cache=True, cache_dir=str(cache))

    assert not any(p.startswith("node_modules/") for p in lint().workspace.path_set)
    [memo_file] = cache.glob("*/dirs.json")
    memo = json.loads(memo_file.read_text())
    memo["dirs"][""][4].append("node_modules")
    memo["dirs"]["node_modules"] = [*memo["dirs"]["app"][:3], [], ["node_modules/pkg"]]
    memo["dirs"]["node_modules/pkg"] = [*memo["dirs"]["app"][:3], ["node_modules/pkg/index.ts"], []]
    memo_file.write_text(json.dumps(memo))
    (root / "app" / "page.tsx").write_text("export default function P() { return null }\n")  # no whole-run replay
    listed = lint().workspace.path_set
    assert "app/page.tsx" in listed and not any(p.startswith("node_modules/") for p in listed)


@pytest.mark.parametrize("measured", [0, 5, 11, 12, 100])
def test_a_file_is_read_whole_whatever_size_was_measured(tmp_path, measured):
    """Reading asks for the measured size plus one byte; a file that grew since is read to its end."""
    from edgelint.files import _read_file

    path = tmp_path / "a.ts"
    path.write_bytes(b"export {}\n" + b"x" * 2_000_000)
    assert _read_file(str(path), measured) == path.read_bytes()
    (tmp_path / "empty.ts").write_bytes(b"")
    assert _read_file(str(tmp_path / "empty.ts"), measured) == b""
