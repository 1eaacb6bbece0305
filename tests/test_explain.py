"""`edgelint explain-runtime FILE`: why a file is (or is not) edge code."""

from __future__ import annotations

import json

from conftest import FIXTURES, Cli, assert_clean_exit, write_tree

PAGES_SHOP = FIXTURES / "apps" / "pages-shop"


def explain(*args, cwd=None, monkeypatch=None):
    if cwd is not None and monkeypatch is not None:
        monkeypatch.chdir(cwd)
    result = Cli()("explain-runtime", *args)
    return result


def test_three_level_chain_into_fs(monkeypatch):
    result = explain("lib/currency-rates.ts", cwd=PAGES_SHOP, monkeypatch=monkeypatch)
    assert_clean_exit(result, 0)
    assert result.output == (
        "lib/currency-rates.ts is edge code (app ., target next-on-pages).\n"
        "Reached from 1 edge entry:\n"
        "  app/api/products/[id]/route.ts  route /api/products/[id]  (runtime 'edge' from its own `runtime` export)\n"
        "Shortest chain:\n"
        "  app/api/products/[id]/route.ts:4  imports '@/lib/inventory'\n"
        "  lib/inventory.ts:4  imports './pricing'\n"
        "  lib/pricing.ts:2  imports './currency-rates'\n"
        "  lib/currency-rates.ts\n")


def test_layout_rendered_with_pages_and_entry_count(monkeypatch):
    result = explain("app/layout.tsx", "--format", "json", cwd=PAGES_SHOP, monkeypatch=monkeypatch)
    assert_clean_exit(result, 0)
    doc = json.loads(result.output)
    assert doc["edge"] is True and doc["entry_count"] == 7
    assert doc["chain"][0]["how"] == "renders" and doc["chain"][-1]["path"] == "app/layout.tsx"
    assert {e["path"] for e in doc["entries"]} >= {"app/not-found.tsx", "app/(shop)/cart/page.tsx"}


def test_not_edge_code_says_why(monkeypatch):
    monkeypatch.chdir(PAGES_SHOP)
    script = explain("scripts/seed-kv.ts")
    assert_clean_exit(script, 0)
    assert script.output.startswith("scripts/seed-kv.ts is not edge code (app ., target next-on-pages): "
                                    "it is not imported by any edge route (16 edge entries in the app), nor by "
                                    "any other route.")
    page = explain("app/account/orders/page.tsx")
    assert "it is a page (/account/orders) whose runtime is 'nodejs', the default" in page.output
    css = explain("app/globals.css")
    assert "not a JavaScript/TypeScript module" in css.output


def test_reached_only_from_node_routes(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "app", {
        "package.json": json.dumps({"dependencies": {"next": "14.2.15"}}),
        "app/api/export/route.ts": "import { dump } from '../../../lib/dump';\nexport const POST = () => dump();\n",
        "app/api/edge/route.ts": "export const runtime = 'edge';\nexport const GET = () => new Response('');\n",
        "lib/dump.ts": "export const dump = () => new Response('');\n",
    })
    result = explain("lib/dump.ts", cwd=root, monkeypatch=monkeypatch)
    assert_clean_exit(result, 0)
    assert "only Node.js routes reach it" in result.output
    assert "Reached from 1 Node.js entry:\n  app/api/export/route.ts  route /api/export" in result.output
    assert "  app/api/export/route.ts:1  imports '../../../lib/dump'" in result.output


def test_monorepo_package_file_from_the_app_folder(monkeypatch):
    tree = FIXTURES / "rules" / "EDGE201" / "monorepo-package"
    result = explain("../../packages/auth/src/sign.ts", cwd=tree / "apps" / "web", monkeypatch=monkeypatch)
    assert_clean_exit(result, 0)
    assert "packages/auth/src/sign.ts is edge code (app apps/web, target next-on-pages)." in result.output
    assert "  apps/web/app/api/session/route.ts:2  imports '@acme/auth/sign'" in result.output
    assert f"(paths are relative to {tree.resolve()})" in result.output


def test_opennext_note(monkeypatch):
    tree = FIXTURES / "rules" / "EDGE202" / "not-reachable-and-opennext"
    result = explain("lib/root.ts", cwd=tree, monkeypatch=monkeypatch)
    assert_clean_exit(result, 0)
    assert "is edge code (app ., target opennext)" in result.output
    assert "Note: OpenNext does not support the edge runtime for routes" in result.output


def test_missing_file_exits_2(tmp_path):
    result = explain(str(tmp_path / "nope.ts"))
    assert_clean_exit(result, 2)
    assert "no such file" in result.output


def test_a_directory_is_a_usage_error_that_says_so():
    result = explain(str(PAGES_SHOP / "app"))
    assert_clean_exit(result, 2)
    assert "is a directory: explain-runtime explains one source file" in result.output


def test_other_commands_still_work():
    assert "explain-runtime" in Cli()("--help").output
    result = Cli()("rule", "EDGE201")
    assert_clean_exit(result, 0)
    assert "# EDGE201 no-node-builtin-in-edge" in result.output
