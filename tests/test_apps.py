"""Whole fixture apps (`fixtures/apps/<scenario>/`): snapshots of the text, JSON and SARIF reports of
`edgelint check <app>`, and the SARIF checked against the official schema and `sarif_check.py`.

Each app is linted in-process as its own lint root, so every path in the output is relative to
the app folder and the snapshots do not depend on where the checkout lives. Snapshots are taken
with `--no-cache`; a separate test checks that a cold and a warm cache give the same report.
"""

from __future__ import annotations

import contextlib

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, SARIF_CHECK, SARIF_SCHEMA, Cli, assert_clean_exit

APPS = sorted(p for p in (FIXTURES / "apps").glob("*/") if p.is_dir() and not p.name.startswith("."))
IDS = [p.name for p in APPS]


@cache
def report(app: Path, fmt: str) -> tuple[int, str]:
    """(exit code, stdout) of `cd APP && edgelint check . --format FMT`, computed once per session
    (from the app's folder, text paths are the same wherever the tests run)."""
    with contextlib.chdir(app):
        result = Cli()("check", ".", "--format", fmt, "--no-cache")
    assert_clean_exit(result, 0, 1)
    assert result.stderr == "", f"unexpected stderr:\n{result.stderr}"
    return result.exit_code, result.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
@pytest.mark.parametrize("app", APPS, ids=IDS)
def test_app_report_snapshot(app, fmt, snapshot):
    code, out = report(app, fmt)
    for absolute in {str(app), str(app.resolve()), str(REPO), str(REPO.resolve())}:
        assert absolute not in out, f"the {fmt} report contains the machine-specific path {absolute}"
    assert "\x1b[" not in out, "colour codes in output that is not a terminal"
    if fmt != "text":
        json.loads(out)
    assert out == snapshot


@pytest.mark.parametrize("app", APPS, ids=IDS)
def test_app_exit_code_matches_findings(app):
    code, out = report(app, "json")
    doc = json.loads(out)
    failing = [f for f in doc["findings"] if f["severity"] in ("error", "warning")]
    assert code == (1 if failing else 0), f"exit {code} with {len(failing)} error/warning findings"
    assert doc["summary"]["findings"] == len(doc["findings"])
    assert report(app, "sarif")[0] == report(app, "text")[0] == code


@pytest.mark.parametrize("app", APPS, ids=IDS)
def test_app_sarif_matches_official_schema(app):
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF 2.1.0 schema not found at {SARIF_SCHEMA} (the shared/ folder beside the checkout)")
    from jsonschema.validators import validator_for

    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    validator = validator_for(schema)(schema)
    doc = json.loads(report(app, "sarif")[1])
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "SARIF schema errors:\n" + "\n".join(
        f"  {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:20])
    assert doc["runs"][0]["results"] is not None


@pytest.mark.parametrize("app", APPS, ids=IDS)
def test_app_sarif_passes_sarif_check(app, tmp_path):
    if not SARIF_CHECK.is_file():
        pytest.skip(f"{SARIF_CHECK} not found (the shared/ folder beside the checkout)")
    sarif = tmp_path / "edgelint.sarif"
    sarif.write_text(report(app, "sarif")[1], "utf-8")
    proc = subprocess.run([sys.executable, str(SARIF_CHECK), str(sarif), "--source-root", str(app)],
                          capture_output=True, text=True, timeout=300)
    lines = proc.stdout.strip().splitlines()
    assert lines and lines[-1].startswith("OK"), (
        f"sarif_check.py exit {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")


@pytest.mark.parametrize("app", APPS, ids=IDS)
def test_app_report_is_the_same_with_a_cold_and_a_warm_cache(app, tmp_path):
    uncached = report(app, "json")
    for run in ("cold", "warm"):
        result = Cli()("check", app, "--format", "json", "--cache-dir", tmp_path / "cache")
        assert_clean_exit(result, 0, 1)
        assert (result.exit_code, result.stdout) == uncached, f"{run} cache run differs from --no-cache"
    assert any((tmp_path / "cache").iterdir()), "the cache directory was not written"
