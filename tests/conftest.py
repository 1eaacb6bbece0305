"""Shared test helpers: repository paths, the CLI runner, temporary Next.js trees.

Paths:
    REPO     this checkout (the folder holding pyproject.toml)
    SHARED   ../shared beside it (DESIGN.md, the SARIF schema, tools/sarif_check.py); tests that
             need a file from it skip, saying which file, when it is absent
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
FIXTURES = REPO / "fixtures"
SARIF_SCHEMA = SHARED / "sarif" / "sarif-schema-2.1.0.json"
SARIF_CHECK = SHARED / "tools" / "sarif_check.py"

#: The smallest tree edgelint accepts as a Next.js app (App Router, no adapter: target `node`).
MINIMAL_APP: dict[str, str | bytes] = {
    "package.json": json.dumps({"name": "tiny", "private": True, "dependencies": {"next": "14.2.15"}}, indent=2)
    + "\n",
    "app/layout.tsx": "export default function RootLayout({ children }: { children: React.ReactNode }) {\n"
                      "  return <html><body>{children}</body></html>;\n}\n",
    "app/page.tsx": "export default function Page() {\n  return <main>hello</main>;\n}\n",
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text or bytes) below `root`; return `root`."""
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, "utf-8", newline="")
    return root


@pytest.fixture(autouse=True)
def _fixture_paths_from_the_app(monkeypatch):
    """Report paths as if each fixture app were its own repository: the fixtures live inside this
    checkout's git work tree, and SARIF/GitHub paths would otherwise start with
    `fixtures/apps/<app>/` in a clone and not in an unpacked source tarball. Tests of the prefix
    itself set it back (`tests/test_cli.py`)."""
    from edgelint import files

    monkeypatch.setattr(files, "repository_prefix", lambda root: "")


@pytest.fixture
def make_app(tmp_path):
    """make_app(files=None, name='app') -> Path: MINIMAL_APP plus/overridden by `files` (None deletes)."""

    def make(files: dict[str, str | bytes | None] | None = None, name: str = "app") -> Path:
        merged: dict[str, str | bytes | None] = {**MINIMAL_APP, **(files or {})}
        return write_tree(tmp_path / name, {k: v for k, v in merged.items() if v is not None})

    return make


class Cli:
    """Runs `edgelint …` in-process; colour and NO_COLOR are neutral unless a test sets them."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str | os.PathLike, env: dict[str, str | None] | None = None):
        from edgelint.cli import main

        return self.runner.invoke(main, [str(a) for a in args], env={"NO_COLOR": None, **(env or {})},
                                  catch_exceptions=True)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def assert_clean_exit(result, *codes: int) -> None:
    """The command ended through sys.exit with one of `codes` and did not crash."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"edgelint raised {type(result.exception).__name__}:\n{tb}\noutput:\n{result.output}",
                    pytrace=False)
    assert "Traceback (most recent call last)" not in result.output
    assert result.exit_code in codes, f"exit {result.exit_code}, expected {codes}; output:\n{result.output}"
