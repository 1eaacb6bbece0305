"""The pre-commit hook (`.pre-commit-hooks.yaml`, SARIF.md §10): the manifest is valid, and
`pre-commit try-repo <this checkout> edgelint` installs edgelint and fails on a known problem in a
consumer repository, and passes on a clean one.

try-repo clones this checkout (tracked files, with their uncommitted changes), so the manifest must
be tracked by git; it pip-installs edgelint into a hook environment (from PyPI for dependencies).
The hook environments go to a per-session PRE_COMMIT_HOME, never the user's cache.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import MINIMAL_APP, REPO, write_tree

MANIFEST = REPO / ".pre-commit-hooks.yaml"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed (pre-commit needs it)")

BROKEN_WRANGLER = 'name = "tiny"\ncompatibility_date = "2024-09-23"\n\n[[kv_namespaces]]\nbinding = "CACHE\n'
CLEAN_WRANGLER = 'name = "tiny"\ncompatibility_date = "2024-09-23"\n'


def _env(**extra: str) -> dict[str, str]:
    """The environment without git variables a surrounding hook or worktree may have set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k not in ("PRE_COMMIT", "NO_COLOR")}
    env.update(extra)
    return env


def _pre_commit(*args: str, cwd: Path, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_manifest_is_valid():
    proc = _pre_commit("validate-manifest", str(MANIFEST), cwd=REPO, env=_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_manifest_hook_settings():
    [hook] = yaml.safe_load(MANIFEST.read_text("utf-8"))
    assert hook["id"] == "edgelint" and hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["edgelint", "check"]
    assert hook["require_serial"] is True
    assert hook["minimum_pre_commit_version"] == "3.2.0"
    files = re.compile(hook["files"])
    for path in ["app/page.tsx", "a.ts", "b.js", "c.jsx", "d.mjs", "e.cjs", "f.mts", "g.cts", "wrangler.toml",
                 "apps/web/wrangler.json", "wrangler.jsonc", "next.config.mjs", "apps/web/next.config.ts"]:
        assert files.search(path), f"{path} should trigger the hook"
    for path in ["README.md", "setup.py", "styles.css", "tsconfig.json", "mywrangler.toml", "x.jsonc"]:
        assert not files.search(path), f"{path} should not trigger the hook"


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    proc = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"{REPO} is not a git work tree; pre-commit try-repo needs one")
    tracked = subprocess.run(["git", "-C", str(REPO), "ls-files", "--error-unmatch", MANIFEST.name],
                             capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.fail(f"{MANIFEST.name} is not tracked by git: pre-commit try-repo only sees tracked files "
                    f"(git add it)", pytrace=False)
    return tmp_path_factory.mktemp("pre-commit-home")


def _consumer(root: Path, wrangler: str) -> Path:
    write_tree(root, {**MINIMAL_APP, "wrangler.toml": wrangler, "README.md": "# tiny\n"})
    env = _env()
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    return root


def _try_repo(consumer: Path, home: Path) -> subprocess.CompletedProcess:
    return _pre_commit("try-repo", str(REPO), "edgelint", "--all-files", "--color", "never", cwd=consumer,
                       env=_env(PRE_COMMIT_HOME=str(home)))


def test_try_repo_fails_on_a_known_problem(tmp_path, pre_commit_home):
    proc = _try_repo(_consumer(tmp_path / "consumer", BROKEN_WRANGLER), pre_commit_home)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "wrangler.toml:5:" in output and "EDGE902" in output, output
    assert "Failed" in output


def test_try_repo_passes_on_a_clean_app(tmp_path, pre_commit_home):
    proc = _try_repo(_consumer(tmp_path / "consumer", CLEAN_WRANGLER), pre_commit_home)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Passed" in output and not re.search(r"EDGE\d{3}", output), output
