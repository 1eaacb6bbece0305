"""`--write-baseline` / `--baseline`: only new findings fail, across edits that shift lines."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES, assert_clean_exit


def test_baseline_survives_shifted_lines_and_reports_new_and_stale(cli, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(FIXTURES / "apps" / "pages-shop", app, ignore=shutil.ignore_patterns(".edgelint_cache"))
    baseline = tmp_path / "baseline.json"
    written = cli("check", app, "--write-baseline", baseline, "--no-cache")
    assert_clean_exit(written, 0)
    entries = json.loads(baseline.read_text("utf-8"))["findings"]
    assert entries and all({"code", "path", "fingerprint"} <= set(e) for e in entries)

    assert_clean_exit(cli("check", app, "--baseline", baseline, "--no-cache"), 0)

    search = app / "app/api/search/route.ts"  # EDGE102 lives here; push it down three lines
    search.write_text("// moved\n// down\n// three lines\n" + search.read_text("utf-8"), "utf-8")
    assert_clean_exit(cli("check", app, "--baseline", baseline, "--no-cache"), 0)

    orders = app / "app/api/cart/route.ts"  # a new finding: drop its edge runtime
    orders.write_text(orders.read_text("utf-8").replace("export const runtime = 'edge';", ""), "utf-8")
    fixed = app / "pages/orders/[id].tsx"  # an old finding goes away
    fixed.write_text(fixed.read_text("utf-8").replace("runtime: 'edge'", "runtime: 'experimental-edge'"), "utf-8")
    result = cli("check", app, "--baseline", baseline, "--no-cache", "--format", "json")
    assert_clean_exit(result, 1)
    new = {(f["code"], f["path"]) for f in json.loads(result.stdout)["findings"]}
    assert new == {("EDGE101", "app/api/cart/route.ts")}
    assert "no longer occur" in result.stderr and "EDGE104 pages/orders/[id].tsx" in result.stderr


def test_missing_or_broken_baseline_is_a_usage_error(cli, make_app, tmp_path):
    app = make_app()
    assert_clean_exit(cli("check", app, "--baseline", tmp_path / "nope.json"), 2)
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    result = cli("check", app, "--baseline", broken)
    assert_clean_exit(result, 2)
    assert "broken.json:1:2: not a baseline file written by edgelint (invalid JSON: Expecting" in result.stderr
    for text, why in (('{"findings": [{"code": "EDGE101"}]}', 'finding 1 lacks a string "code", "path" or'),
                      ('[1, 2]', 'no "findings" list'), ('{"findings": {"a": 1}}', 'no "findings" list')):
        broken.write_text(text, "utf-8")
        result = cli("check", app, "--baseline", broken)
        assert_clean_exit(result, 2)
        assert f"broken.json: not a baseline file written by edgelint ({why}" in result.stderr
