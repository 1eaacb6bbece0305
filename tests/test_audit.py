"""`edgelint audit`: snapshots in every format, the migration report, exit codes."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import FIXTURES, assert_clean_exit

APPS = sorted(p for p in (FIXTURES / "apps").iterdir() if p.is_dir())


@pytest.fixture
def app_copy(tmp_path):
    def copy(name: str):
        target = tmp_path / name
        shutil.copytree(FIXTURES / "apps" / name, target, ignore=shutil.ignore_patterns(".edgelint_cache"))
        return target

    return copy


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_audit_snapshot(cli, app_copy, app, fmt, snapshot):
    result = cli("audit", app_copy(app.name), "--format", fmt)
    assert_clean_exit(result, 0)
    assert str(app.parent) not in result.stdout
    assert result.stdout == snapshot


def test_audit_json_figures_have_evidence(cli, app_copy):
    doc = json.loads(cli("audit", app_copy("pages-shop"), "--format", "json").stdout)
    app = doc["apps"][0]
    areas = {a["area"]: a for a in app["areas"]}
    assert set(areas) == {"runtime", "edge-compat", "kv", "image", "polyfill", "ratelimit"}
    runtime = areas["runtime"]["figures"][0]
    assert runtime["label"] == "dynamic routes on the edge runtime" and runtime["value"] < runtime["total"]
    assert not areas["runtime"]["passed"] and areas["runtime"]["findings"]
    assert all(f["path"] and f["line"] >= 1 for a in app["areas"] for f in a["findings"])
    kinds = {r["kind"] for r in app["routes"]}
    assert {"page", "route handler", "API route", "middleware", "server action"} <= kinds
    assert any(r["facts"].get("KV") for r in app["routes"])
    terms = app["score"]["terms"]
    assert app["score"]["value"] == round(100 * sum(t["ratio"] for t in terms) / len(terms))


@pytest.mark.parametrize("inside", ["app/api", "lib/cart.ts"])
def test_a_path_inside_an_app_audits_the_whole_app(cli, app_copy, inside):
    """Figures count the whole app, so the findings behind them must too: a folder or file inside
    an app is audited as its app (it showed false PASS figures), and stderr says so."""
    app = app_copy("pages-shop")
    whole = cli("audit", app, "--format", "json", "--no-cache")
    part = cli("audit", app / inside, "--format", "json", "--no-cache")
    assert_clean_exit(part, 0)
    assert json.loads(part.stdout)["apps"][0]["areas"] == json.loads(whole.stdout)["apps"][0]["areas"]
    assert "auditing the app in" in part.stderr


def test_an_app_folder_of_a_workspace_audits_that_app_only(cli, tmp_path):
    """`audit apps/web` reads the workspace (for the packages the app imports) but reports the
    named app only: another team's app must not fail its `--strict` step."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "rules" / "EDGE601" / "workspace-package-of-two-apps", repo)
    doc = json.loads(cli("audit", repo / "apps" / "web", "--format", "json", "--no-cache").stdout)
    assert [a["root"] for a in doc["apps"]] == ["apps/web"]


def test_clean_app_passes_every_area(cli, app_copy):
    doc = json.loads(cli("audit", app_copy("clean-edge"), "--format", "json", "--strict").stdout)
    assert all(a["passed"] for a in doc["apps"][0]["areas"])


def test_strict_fails_on_a_failing_area(cli, app_copy):
    assert_clean_exit(cli("audit", app_copy("pages-shop"), "--strict"), 1)


def test_migration_report_lists_every_change(cli, app_copy):
    app = app_copy("pages-shop")
    result = cli("audit", app, "--target", "opennext", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["migration"] == {"from": "next-on-pages", "to": "opennext"}
    codes = {f["code"] for a in doc["apps"][0]["areas"] for f in a["findings"]}
    assert {"EDGE111", "EDGE113"} <= codes  # edge exports to remove, Pages-only config
    paths = {f["path"] for a in doc["apps"][0]["areas"] for f in a["findings"] if f["code"] == "EDGE113"}
    assert {"package.json", "wrangler.toml", "next.config.mjs"} <= paths
    text = cli("audit", app, "--target", "opennext").stdout
    assert "migration report: next-on-pages → opennext" in text
    assert "more (edgelint check" not in text  # a migration report lists every change


def test_markdown_escapes_cells(cli, make_app):
    app = make_app({"app/a|b/page.tsx": "import { cookies } from 'next/headers'\n"
                                        "export default function P() { cookies(); return null }\n"})
    out = cli("audit", app, "--format", "markdown").stdout
    assert "/a\\|b" in out and "| /a|b |" not in out


def test_handlers_that_only_answer_an_error_are_shown_as_excluded(cli, make_app):
    app = make_app({"app/api/feed/route.ts": (
        "export async function GET() { return Response.json([]) }\n"
        "// only GET is served\n"
        "export async function POST() { return new Response('Method Not Allowed', { status: 405 }) }\n")})
    doc = json.loads(cli("audit", app, "--format", "json").stdout)
    area = next(a for a in doc["apps"][0]["areas"] if a["area"] == "ratelimit")
    assert area["passed"] and not area["findings"]
    assert area["figures"][0]["detail"] == ("no mutating route handler, API route or server action found, "
                                            "1 excluded (only answers 405)")
    rows = {r["url"]: r for r in doc["apps"][0]["routes"]}
    assert rows["/api/feed"]["facts"]["rate limit"] == "POST: excluded (only answers 405)"


def test_server_actions_of_one_file_each_have_their_row_and_findings(cli, make_app):
    app = make_app({
        "app/actions.ts": ("'use server'\nexport async function login(form: FormData) { return form.get('u') }\n"
                           "export async function signup(form: FormData) { return form.get('u') }\n"
                           "export async function signout() { return null }\n"),
        "app/form/page.tsx": ("import { login, signup } from '../actions'\nexport default function Page() {\n"
                              "  return <form action={login}><button formAction={signup}>x</button></form>\n}\n"),
        "app/page.tsx": ("import { signout } from './actions'\n"
                         "export default function Page() { return <form action={signout}><button>out</button></form> }\n"),
    })
    doc = json.loads(cli("audit", app, "--format", "json").stdout)
    rows = {(r["url"], r["kind"]): r for r in doc["apps"][0]["routes"]}
    assert rows[("/form", "server action")]["facts"]["rate limit"] == "`login`: none; `signup`: none"
    assert rows[("/form", "server action")]["findings"] == {"ratelimit": 2}
    assert rows[("/", "server action")]["facts"]["rate limit"] == "`signout`: none"
    assert rows[("/", "server action")]["findings"] == {"ratelimit": 1}


@pytest.mark.parametrize(("polyfill", "figure"), [
    ("./client/polyfills.js", None),  # a browser polyfill for the client entry: not meant for the edge
    ("./lib/edge-polyfills.js", (0, 1)),  # an edge polyfill kept out of the edge build: the gap EDGE503 reports
])
def test_the_polyfill_figure_counts_what_is_meant_for_the_edge(cli, make_app, polyfill, figure):
    config = ("module.exports = {\n  webpack(config, { isServer }) {\n    const originalEntry = config.entry\n"
              "    config.entry = async () => {\n      const entries = await originalEntry()\n"
              f"      if (!isServer && entries['main.js'] && !entries['main.js'].includes('{polyfill}')) {{\n"
              f"        entries['main.js'].unshift('{polyfill}')\n      }}\n      return entries\n    }}\n"
              "    return config\n  },\n}\n")
    app = make_app({"next.config.js": config, "client/polyfills.js": "import 'core-js/stable'\n",
                    "lib/edge-polyfills.js": "globalThis.setImmediate ??= (fn) => setTimeout(fn, 0)\n"})
    doc = json.loads(cli("audit", app, "--format", "json", "--no-cache").stdout)
    area = next(a for a in doc["apps"][0]["areas"] if a["area"] == "polyfill")
    found = [(f["value"], f["total"]) for f in area["figures"] if "reach the edge build" in f["label"]]
    assert found == ([figure] if figure else [])


def test_audit_can_leave_the_tree_alone(cli, make_app, tmp_path):
    """`--no-cache` writes no cache into the audited tree; `--cache-dir` puts it elsewhere."""
    app = make_app({"app/api/x/route.ts": "export async function POST() { return new Response('ok') }\n"})
    plain = cli("audit", app, "--format", "json", "--no-cache")
    assert_clean_exit(plain, 0)
    assert not (app / ".edgelint_cache").exists()
    elsewhere = cli("audit", app, "--format", "json", "--cache-dir", tmp_path / "cache")
    assert_clean_exit(elsewhere, 0)
    assert not (app / ".edgelint_cache").exists() and any((tmp_path / "cache").iterdir())
    assert json.loads(elsewhere.stdout)["apps"] == json.loads(plain.stdout)["apps"]


@pytest.mark.parametrize(("folder", "base", "url"), [
    ("app/feed/(..)photo/[id]", "page", "/photo/[id]"),  # intercepts one level up
    ("app/feed/(.)photo/[id]", "page", "/feed/photo/[id]"),  # the same level
    ("app/a/b/(..)(..)photo", "page", "/photo"),  # two levels up
    ("app/shop/items/@modal/(...)photo/[id]", "page", "/photo/[id]"),  # from the root
    ("app/(shop)/@modal/(.)cart", "page", "/cart"),  # groups and slots are no levels
    ("app", "sitemap", "/sitemap.xml"), ("app/blog", "sitemap", "/blog/sitemap.xml"),
    ("app", "robots", "/robots.txt"), ("app", "manifest", "/manifest.webmanifest"),
    ("app/blog", "opengraph-image", "/blog/opengraph-image"),
    ("app/%5Fnews", "page", "/_news"),  # a URL segment that starts with an underscore
    # under a route group or a slot Next appends a hash of the parent path (verified by a 16.0 build)
    ("app/(marketing)", "opengraph-image", "/opengraph-image-pwu6ef"),
    ("app/(app)/history", "opengraph-image", "/history/opengraph-image-k3eu6f"),
    ("app/(marketing)", "sitemap", "/sitemap.xml"),
])
def test_route_urls_of_intercepting_and_metadata_routes(folder, base, url):
    """The URL a route serves: an intercepting route the one it intercepts, a metadata route the
    file it generates (sitemap.xml, robots.txt, manifest.webmanifest)."""
    from edgelint.project import _app_route

    assert _app_route(f"{folder}/{base}.tsx", folder, base, "app", {}).url == url


@pytest.mark.parametrize("folder", ["app/[locale]", "app/(marketing)", "app/blog"])
@pytest.mark.parametrize("base", ["robots", "manifest"])
def test_nested_robots_and_manifest_are_no_routes(folder, base):
    """Next.js reads robots and manifest files at the root of app/ only (`isMetadataRouteFile`
    anchors them there); sitemaps and images may be nested."""
    from edgelint.project import _app_route

    assert _app_route(f"{folder}/{base}.ts", folder, base, "app", {}) is None
