"""Edge-compatibility checks (EDGE2xx) end to end: the pages-shop chain into `fs` with its code flow
(text, JSON and SARIF snapshots), one finding for a module shared by many routes, laziness (only
edge-reachable files are parsed), targets, options and the scope helper."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, Cli, assert_clean_exit, write_tree

PAGES_SHOP = FIXTURES / "apps" / "pages-shop"
NEXT_ON_PAGES = json.dumps({"name": "t", "dependencies": {"next": "14.2.15"},
                            "devDependencies": {"@cloudflare/next-on-pages": "1.13.12"}})


def run(path, *args: str):
    result = Cli()("check", path, *args)
    assert_clean_exit(result, 0, 1)
    return result


def sarif_results(path, *args: str) -> list[dict]:
    return json.loads(run(path, "--select", "EDGE2", "--format", "sarif", *args).stdout)["runs"][0]["results"]


# --------------------------------------------------------------------------------------------
# pages-shop: C1 (fs three imports deep), C2 (setImmediate), C3 (node:crypto) and nothing else


def test_pages_shop_text_snapshot(snapshot, monkeypatch):
    monkeypatch.chdir(PAGES_SHOP)  # text paths are from the current folder
    out = run(".", "--select", "EDGE2").stdout
    assert out == snapshot


def test_pages_shop_sarif_snapshot_with_code_flow(snapshot):
    results = sarif_results(PAGES_SHOP)
    assert results == snapshot


def test_pages_shop_findings_are_exactly_the_planted_ones():
    doc = json.loads(run(PAGES_SHOP, "--select", "EDGE2", "--format", "json").stdout)
    got = sorted((f["code"], f["path"], f["line"]) for f in doc["findings"])
    assert got == [("EDGE201", "lib/currency-rates.ts", 1), ("EDGE201", "pages/api/webhooks/payment.ts", 1),
                   ("EDGE202", "lib/analytics.ts", 27)]


def test_pages_shop_fs_chain_is_the_code_flow():
    fs = next(r for r in sarif_results(PAGES_SHOP) if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
              == "lib/currency-rates.ts")
    steps = fs["codeFlows"][0]["threadFlows"][0]["locations"]
    where = [(s["location"]["physicalLocation"]["artifactLocation"]["uri"],
              s["location"]["physicalLocation"]["region"]["startLine"], s["location"]["message"]["text"])
             for s in steps]
    assert where == [
        ("app/api/products/%5Bid%5D/route.ts", 6, "edge entry: route handler /api/products/[id]; runtime 'edge' from "
                                                  "its own `runtime` export"),
        ("app/api/products/%5Bid%5D/route.ts", 4, "imports '@/lib/inventory'"),
        ("lib/inventory.ts", 4, "imports './pricing'"),
        ("lib/pricing.ts", 2, "imports './currency-rates'"),
        ("lib/currency-rates.ts", 1, "imports 'fs'"),
    ]
    related = fs["relatedLocations"]
    assert related[0]["physicalLocation"]["artifactLocation"]["uri"] == "app/api/products/%5Bid%5D/route.ts"
    data = fs["properties"]["edgelint"]
    assert data["entries"] == ["app/api/products/[id]/route.ts"] and data["entry_count"] == 1
    assert data["chain"] == ["app/api/products/[id]/route.ts", "lib/inventory.ts", "lib/pricing.ts",
                             "lib/currency-rates.ts"]
    assert data["failure"] == "build" and fs["level"] == "error"


def test_other_fixture_apps_have_no_edge_compat_findings():
    for app in ("clean-edge", "opennext-blog"):
        doc = json.loads(run(FIXTURES / "apps" / app, "--select", "EDGE2", "--format", "json").stdout)
        assert doc["findings"] == [], app


# --------------------------------------------------------------------------------------------
# One finding per import, however many entries reach it


def test_module_shared_by_forty_routes_is_one_finding(tmp_path):
    files = {"package.json": NEXT_ON_PAGES,
             "lib/shared.ts": "import { readFileSync } from 'fs';\nexport const read = () => readFileSync('x');\n",
             "lib/middle.ts": "export { read } from './shared';\n"}
    for i in range(40):
        via = "middle" if i else "shared"
        files[f"app/api/r{i:02}/route.ts"] = (f"import {{ read }} from '../../../lib/{via}';\n"
                                             "export const runtime = 'edge';\nexport const GET = () => new Response(read());\n")
    root = write_tree(tmp_path / "many", files)
    doc = json.loads(run(root, "--select", "EDGE201", "--format", "json").stdout)
    assert len(doc["findings"]) == 1
    finding = doc["findings"][0]
    assert finding["data"]["entry_count"] == 40 and len(finding["data"]["entries"]) == 40
    assert "Reached from 40 edge entries; shortest chain: app/api/r00/route.ts → lib/shared.ts" in finding["message"]
    assert [step["path"] for step in finding["flow"]] == ["app/api/r00/route.ts", "app/api/r00/route.ts",
                                                          "lib/shared.ts"]


# --------------------------------------------------------------------------------------------
# Laziness: files no edge entry reaches are never parsed by these checks


def test_only_edge_reachable_files_are_parsed(tmp_path):
    from edgelint import engine, registry
    from edgelint.config import Config

    files = {"package.json": NEXT_ON_PAGES,
             "app/api/edge/route.ts": "import { x } from '../../../lib/edge';\nexport const runtime = 'edge';\n"
                                      "export const GET = () => new Response(x);\n",
             "lib/edge.ts": "export const x = 'edge';\n"}
    for i in range(60):
        files[f"lib/node/n{i}.ts"] = ("import { readFileSync } from 'fs';\neval('1');\nsetImmediate(() => 1);\n"
                                      "export const v = process.cwd() + __dirname + readFileSync('x');\n")
    root = write_tree(tmp_path / "lazy", files)
    result = engine.run([root], Config(), registry.select(["EDGE2"], [], []))
    assert result.findings == []
    parsed = result.workspace.parsed_paths
    assert not any(p.startswith("lib/node/") for p in parsed)
    assert "lib/edge.ts" in parsed


# --------------------------------------------------------------------------------------------
# Targets and options


def test_target_override_changes_what_is_edge_code(tmp_path):
    root = write_tree(tmp_path / "t", {
        "package.json": NEXT_ON_PAGES,
        "app/api/x/route.ts": "import { hostname } from 'os';\nexport const runtime = 'edge';\n"
                              "export const GET = () => new Response(hostname());\n",
        "middleware.ts": "import { join } from 'path';\nexport function middleware() { return join('a'); }\n",
    })
    default = {f["path"] for f in json.loads(run(root, "--select", "EDGE201", "--format", "json").stdout)["findings"]}
    assert default == {"app/api/x/route.ts", "middleware.ts"}
    opennext = json.loads(run(root, "--select", "EDGE201", "--format", "json", "--target", "opennext").stdout)
    assert {f["path"] for f in opennext["findings"]} == {"middleware.ts"}


def test_unknown_option_is_a_config_error(tmp_path):
    root = write_tree(tmp_path / "t", {"package.json": NEXT_ON_PAGES, "app/page.tsx": "export default 1;\n",
                                       "edgelint.toml": "[edge-compat]\nforbidden-package = ['x']\n"})
    result = Cli()("check", root, "--select", "EDGE204")
    assert_clean_exit(result, 2)
    assert "forbidden-packages" in result.output


def test_node_only_package_docs_list_every_table_entry():
    from edgelint.checks.compat_node_only_package import NODE_ONLY_PACKAGES, NoNodeOnlyPackageInEdge

    docs = NoNodeOnlyPackageInEdge.docs()
    missing = [name for name in NODE_ONLY_PACKAGES if f"`{name}`" not in docs]
    assert not missing


def test_rule_docs_cite_the_reference():
    import inspect

    from edgelint import registry

    for check in registry.all_checks():
        if check.code.startswith("EDGE2"):
            docs = check.docs()
            assert "REFERENCE.md §" in inspect.cleandoc(check.__doc__), check.code
            assert "## What it does" in docs and "## Why is this bad?" in docs and "## Sources" in docs, check.code
            assert "## Example" in docs and "## Use instead" in docs, check.code


# --------------------------------------------------------------------------------------------
# The scope helper


def _refs(source: str, names, path="x.ts"):
    from edgelint.checks._compat import EdgeCode, free_references
    from edgelint.parsing import parse

    pf = parse(path, source.encode())
    return [(pf.text(r.node), r.node.start_point[0] + 1) for r in free_references(EdgeCode.of(pf), names)]


def test_scopes_tell_globals_from_local_bindings():
    source = """\
import { setImmediate as later, process as proc } from './x';
function a(process) { return process.cwd(); }
const b = ({ process }) => process.cwd();
const c = ([, process = 1]) => process;
function d() { try { x(); } catch (process) { return process.cwd(); } }
function e() { if (x) { var process = 1; } return process; }
class process2 { m(process) { return process; } }
const f = function process() { return process; };
function g() { return process.cwd(); }
let h: typeof process;
const i = { process: 1, setImmediate };
label: for (const process of []) { process; }
declare const __dirname: string;
console.log(__dirname, later, proc);
"""
    assert _refs(source, ("process", "setImmediate", "__dirname")) == [
        ("process", 9), ("setImmediate", 11), ("__dirname", 14)]


def test_scopes_in_tsx_and_dead_edge_branches():
    source = """\
export default function Page({ process }: { process: string }) {
  return <div title={process}>{String(setImmediate)}</div>;
}
export function handler() {
  if (process.env.NEXT_RUNTIME === 'nodejs') { return process.cwd(); }
  return process.env.NEXT_RUNTIME === 'edge' ? 1 : process.cwd();
}
"""
    assert _refs(source, ("process", "setImmediate"), "x.tsx") == [
        ("setImmediate", 2), ("process", 5), ("process", 6)]


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("/lib/legacy/**", "lib/legacy/a/b.ts", True), ("**/node_modules/lodash/**", "node_modules/lodash/x.js", True),
    ("lib/*.ts", "lib/a.ts", True), ("lib/*.ts", "lib/a/b.ts", False), ("lib/{a,b}.ts", "lib/b.ts", True),
])
def test_allow_dynamic_globs(pattern, path, matches):
    from edgelint.checks._compat import glob_regex

    assert bool(glob_regex(pattern).match(path)) == matches
