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
    # paths are from the baseline file's folder, and one entry "no longer occurs"
    assert "1 baseline entry" in result.stderr and "no longer occurs (" in result.stderr
    assert "EDGE104 app/pages/orders/[id].tsx" in result.stderr


def test_a_run_on_some_files_or_rules_judges_only_its_own_entries(cli, tmp_path, monkeypatch):
    """A pre-commit run (named files) or a --select run neither calls the other entries stale nor
    drops them when it writes the baseline; the same baseline serves a run on an app's folder or
    from inside it (entry paths are from the baseline file's folder)."""
    root = tmp_path / "repo"
    web = root / "apps" / "web"
    for name in ("a", "b"):
        (web / "app" / "api" / name).mkdir(parents=True)
        (web / "app" / "api" / name / "route.ts").write_text("export async function POST() { return new Response(); }\n")
    (web / "package.json").write_text(json.dumps({"dependencies": {"next": "14.2.15",
                                                                   "@cloudflare/next-on-pages": "1.13.12"}}))
    (root / "package.json").write_text(json.dumps({"private": True, "workspaces": ["apps/*"]}))
    monkeypatch.chdir(root)
    baseline = root / "baseline.json"
    assert_clean_exit(cli("check", ".", "--no-cache", "--write-baseline", baseline), 0)
    entries = json.loads(baseline.read_text("utf-8"))["findings"]
    assert {e["path"] for e in entries} == {"apps/web/app/api/a/route.ts", "apps/web/app/api/b/route.ts"}

    one = cli("check", "apps/web/app/api/a/route.ts", "--no-cache", "--baseline", baseline)
    assert_clean_exit(one, 0)
    assert "no longer occur" not in one.stderr
    some = cli("check", ".", "--no-cache", "--select", "EDGE101", "--baseline", baseline)
    assert_clean_exit(some, 0)
    assert "no longer occur" not in some.stderr

    written = cli("check", "apps/web/app/api/a/route.ts", "--no-cache", "--select", "EDGE101",
                  "--write-baseline", baseline)
    assert "kept 3 entries of files or rules this run did not check" in written.stderr
    assert len(json.loads(baseline.read_text("utf-8"))["findings"]) == len(entries)
    assert_clean_exit(cli("check", ".", "--no-cache", "--baseline", baseline), 0)

    assert_clean_exit(cli("check", "apps/web", "--no-cache", "--baseline", baseline), 0)
    monkeypatch.chdir(web)
    assert_clean_exit(cli("check", ".", "--no-cache", "--baseline", baseline), 0)
    assert_clean_exit(cli("check", "app/api/b/route.ts", "--no-cache", "--baseline", baseline), 0)


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
