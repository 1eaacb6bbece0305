"""The same findings with and without the cache and the process pool (issue: speed)."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES
from edgelint import workspace

APPS = sorted(p for p in (FIXTURES / "apps").iterdir() if p.is_dir())


def _report(cli, app, *args):
    result = cli("check", app, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_pool_and_cache_give_identical_reports(cli, app, tmp_path, monkeypatch):
    copy = tmp_path / app.name
    shutil.copytree(app, copy)
    serial = _report(cli, copy, "--no-cache", "--jobs", "1")
    monkeypatch.setattr(workspace, "POOL_THRESHOLD", 1)  # force the pool on these small apps
    pooled = _report(cli, copy, "--no-cache", "--jobs", "2")
    cold = _report(cli, copy, "--cache-dir", str(tmp_path / "cache"), "--jobs", "2")
    warm = _report(cli, copy, "--cache-dir", str(tmp_path / "cache"), "--jobs", "1")
    assert pooled == serial
    assert cold == serial
    assert warm == serial


def test_cache_sees_an_edit(cli, tmp_path):
    copy = tmp_path / "app"
    shutil.copytree(FIXTURES / "apps" / "pages-shop", copy)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    before = _report(cli, copy, *cache, "--select", "EDGE101")
    assert "account/orders/page.tsx" in before
    page = copy / "app" / "account" / "orders" / "page.tsx"
    page.write_text("export const runtime = 'edge';\n" + page.read_text("utf-8"), "utf-8")
    after = _report(cli, copy, *cache, "--select", "EDGE101")
    assert "account/orders/page.tsx" not in after
