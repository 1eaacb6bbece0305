"""File discovery outside git: `.gitignore` files are applied exactly as pathspec applies them
(the fast combined matcher must agree with pathspec on every path), folders are pruned, and
nested `.gitignore` files apply below their own folder only."""

from __future__ import annotations

import shutil
import subprocess

import pathspec
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
        "node_modules/n/index.js": "",
    })
    expected = [".gitignore", "a.ts", "pkg/.gitignore", "pkg/keep.log", "secret.ts", "src/build/y.ts"]
    assert files.discover(root) == expected
    if shutil.which("git"):  # git itself agrees
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        assert files._git_files(root) is not None and files.discover(root) == expected
