"""`check --fix` and `--diff`: the fixed text, idempotence, parseability, untouched broken files."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES, assert_clean_exit
from edgelint import parsing


def _copy(tmp_path, name="pages-shop"):
    target = tmp_path / name
    shutil.copytree(FIXTURES / "apps" / name, target, ignore=shutil.ignore_patterns(".edgelint_cache"))
    return target


def _sources(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and ".edgelint_cache" not in p.parts}


def test_diff_prints_the_fixes_and_changes_nothing(cli, tmp_path):
    app = _copy(tmp_path)
    before = _sources(app)
    result = cli("check", app, "--diff", "--select", "EDGE101,EDGE104", "--no-cache")
    assert_clean_exit(result, 1)
    assert "+export const runtime = 'edge';" in result.stdout
    assert "-export const config = { runtime: 'edge' };" in result.stdout
    assert "+export const config = { runtime: 'experimental-edge' };" in result.stdout
    assert _sources(app) == before
    with_fix = cli("check", app, "--diff", "--fix", "--select", "EDGE101,EDGE104", "--no-cache")
    assert_clean_exit(with_fix, 1)
    assert with_fix.stdout == result.stdout and _sources(app) == before  # --diff wins: nothing is written


def test_fix_applies_idempotently_and_keeps_files_parseable(cli, tmp_path):
    app = _copy(tmp_path)
    result = cli("check", app, "--fix", "--no-cache")
    assert_clean_exit(result, 1)  # what cannot be fixed remains
    assert "Fixed " in result.stderr
    page = (app / "app/account/orders/page.tsx").read_text("utf-8")
    header, rest = page.split("export const runtime = 'edge';", 1)
    assert "import { getSession } from '@/lib/session';\n\n" in header  # after the imports, quote style kept
    assert "export const metadata" in rest
    assert "runtime: 'experimental-edge'" in (app / "pages/orders/[id].tsx").read_text("utf-8")
    fixed = _sources(app)
    for path, data in fixed.items():
        if path.endswith((".ts", ".tsx", ".js", ".mjs")):
            assert not parsing.parse(path, data).root.has_error, path
    again = cli("check", app, "--fix", "--no-cache")
    assert "Fixed 0 problems" in again.stderr
    assert _sources(app) == fixed
    remaining = cli("check", app, "--select", "EDGE101,EDGE104", "--no-cache", "--format", "json")
    assert '"code": "EDGE101"' not in remaining.stdout and '"code": "EDGE104"' not in remaining.stdout


def test_fix_removes_edge_runtime_under_opennext(cli, tmp_path):
    app = _copy(tmp_path, "opennext-blog")
    assert_clean_exit(cli("check", app, "--fix", "--select", "EDGE111", "--no-cache"), 0, 1)
    remaining = cli("check", app, "--select", "EDGE111", "--no-cache")
    assert_clean_exit(remaining, 0)
    for path in app.rglob("*.tsx"):
        assert "export const runtime = 'edge'" not in path.read_text("utf-8")


def test_fix_never_touches_a_file_that_does_not_parse(cli, make_app):
    app = make_app({
        "package.json": '{"dependencies": {"next": "14.2.15", "@cloudflare/next-on-pages": "1.13.12"}}\n',
        "app/api/a/route.ts": "export async function POST() { return new Response('ok') }\nconst broken = ;\n",
    })
    before = (app / "app/api/a/route.ts").read_bytes()
    result = cli("check", app, "--fix", "--select", "EDGE101", "--no-cache", "--format", "json")
    assert_clean_exit(result, 1)
    assert '"code": "EDGE101"' in result.stdout  # still reported, not fixed
    assert (app / "app/api/a/route.ts").read_bytes() == before


def test_plan_skips_files_that_do_not_parse_and_rolls_back_broken_results(tmp_path):
    from edgelint import fixes
    from edgelint.api import Finding, Fix, Location, Span

    (tmp_path / "broken.ts").write_text("const a = ;\n", "utf-8")
    (tmp_path / "ok.ts").write_text("const a = 1;\n", "utf-8")
    where = Location("x", Span(1, 1, 1, 2))
    findings = [Finding("EDGE101", "m", where, fixes=(Fix("broken.ts", 0, 5, "let"),)),
                Finding("EDGE101", "m", where, fixes=(Fix("ok.ts", 10, 11, "(("),))]
    outcome = fixes.plan(tmp_path, findings)
    assert outcome.skipped == {"broken.ts": "the file does not parse cleanly",
                               "ok.ts": "the fixed file would not parse; nothing changed"}
    assert not outcome.new_sources and not outcome.fixed


def test_a_multi_line_config_gets_its_runtime_replaced_unless_ambiguous(cli, make_app):
    app = make_app({
        "package.json": '{"dependencies": {"next": "14.2.15"}, "devDependencies": {"@cloudflare/next-on-pages": "1.13.12"}}',
        "pages/api/webhook.ts": ("export const config = {\n  api: { bodyParser: false },\n  runtime: 'nodejs',\n};\n"
                                 "export default function handler() {}\n"),
        "pages/api/odd.ts": ("export const config = {\n  runtime: 'nodejs',\n  regions: ['nodejs'],\n};\n"
                             "export default function handler() {}\n"),
    })
    result = cli("check", app, "--fix", "--select", "EDGE110", "--no-cache")
    assert_clean_exit(result, 1)  # the ambiguous one remains
    assert "  runtime: 'edge',\n" in (app / "pages/api/webhook.ts").read_text("utf-8")
    assert (app / "pages/api/odd.ts").read_text("utf-8").count("'nodejs'") == 2


def test_a_fix_keeps_the_files_crlf_line_endings(cli, tmp_path):
    app = tmp_path / "crlf"
    (app / "app" / "items" / "[id]").mkdir(parents=True)
    (app / "package.json").write_text('{"dependencies": {"next": "14.2.15", "@cloudflare/next-on-pages": "1.13.12"}}')
    page = app / "app" / "items" / "[id]" / "page.tsx"
    page.write_bytes(b"import { cookies } from 'next/headers';\r\n"
                     b"export default function P() { return String(cookies().get('a')); }\r\n")
    result = cli("check", app, "--fix", "--select", "EDGE101", "--no-cache")
    assert_clean_exit(result, 0)
    fixed = page.read_bytes()
    assert b"export const runtime = 'edge';\r\n" in fixed and b"\n" not in fixed.replace(b"\r\n", b"")


NEXT_ON_PAGES_14 = '{"dependencies": {"next": "14.2.15", "@cloudflare/next-on-pages": "1.13.12"}}\n'


@pytest.mark.parametrize("files, kept, fixed, says", [
    # a `(req, res)` API handler gets a Request on the edge and must return a Response: it breaks
    ({"pages/api/hello.ts": "import type { NextApiRequest, NextApiResponse } from 'next'\n\n"
                            "export default function handler(req: NextApiRequest, res: NextApiResponse) {\n"
                            "  res.status(200).json({ name: 'John Doe' })\n}\n",
      "pages/api/ping.ts": "import type { NextRequest, NextFetchEvent } from 'next/server'\n\n"
                           "export default function handler(req: NextRequest, event: NextFetchEvent) {\n"
                           "  return Response.json({ pong: req.nextUrl.pathname })\n}\n"},
     "pages/api/hello.ts", "pages/api/ping.ts", "after rewriting its Node-style `(req, res)` handler"),
    # `jsonwebtoken` needs Node APIs: the edge build would fail (EDGE204 instead of EDGE101)
    ({"app/api/token/route.ts": "import jwt from 'jsonwebtoken'\n\n"
                                "export async function POST(request: Request) {\n"
                                "  return Response.json({ token: jwt.sign(await request.json(), 'secret') })\n}\n"},
     "app/api/token/route.ts", None, "after replacing what it imports from 'jsonwebtoken'"),
])
def test_no_edge_runtime_fix_where_the_edge_would_break_the_route(cli, make_app, files, kept, fixed, says):
    """EDGE101 then says what to change first and offers no fix; other routes still get theirs."""
    app = make_app({"package.json": NEXT_ON_PAGES_14, **files})
    before = (app / kept).read_bytes()
    result = cli("check", app, "--fix", "--select", "EDGE101", "--no-cache", "--format", "json")
    assert_clean_exit(result, 1)
    assert (app / kept).read_bytes() == before and says in result.stdout
    if fixed:
        assert b"export const runtime = 'edge'" in (app / fixed).read_bytes()


def test_before_next_13_the_pages_router_fix_is_a_config_export(cli, make_app):
    app = make_app({
        "package.json": '{"dependencies": {"next": "12.3.1", "@cloudflare/next-on-pages": "1.13.12"}}\n',
        "pages/api/ping.ts": "import type { NextRequest } from 'next/server';\n\n"
                             "export default function handler(req: NextRequest) {\n"
                             "  return new Response(req.url);\n}\n",
    })
    result = cli("check", app, "--diff", "--select", "EDGE101", "--no-cache")
    assert_clean_exit(result, 1)
    assert "+export const config = { runtime: 'experimental-edge' };" in result.stdout


NOP_APP = {"package.json": '{"dependencies": {"next": "14.2.15", "@cloudflare/next-on-pages": "1.13.12"}}'}


def test_the_diff_applies_with_patch_tools(cli, make_app, monkeypatch):
    """A fixed file without a final line break gets the `\\ No newline at end of file` marker (else
    the next file's header is glued to its last line), and paths are from the current folder."""
    app = make_app({**NOP_APP, "app/api/a/route.ts": "export async function POST() { return new Response() }",
                    "app/api/b/route.ts": "export async function POST() { return new Response() }\n"})
    monkeypatch.chdir(app.parent)
    result = cli("check", app.name, "--diff", "--select", "EDGE101", "--no-cache")
    assert_clean_exit(result, 1)
    assert f"--- a/{app.name}/app/api/a/route.ts\n" in result.stdout
    assert " export async function POST() { return new Response() }\n\\ No newline at end of file\n" in result.stdout
    assert f"\n--- a/{app.name}/app/api/b/route.ts\n" in result.stdout


def test_fix_through_a_symbolic_link_fixes_the_file_it_leads_to(cli, make_app):
    app = make_app({**NOP_APP, "shared/page.tsx": "export const runtime = 'experimental-edge'\n"
                                                  "export default function P() { return null }\n"})
    (app / "app" / "x").mkdir(parents=True)
    (app / "app" / "x" / "page.tsx").symlink_to("../../shared/page.tsx")
    result = cli("check", app, "--fix", "--select", "EDGE104", "--no-cache")
    assert (app / "app" / "x" / "page.tsx").is_symlink()
    assert "runtime = 'edge'" in (app / "shared" / "page.tsx").read_text()
    assert "Fixed 1 problem in 1 file" in result.stderr


def test_a_file_that_cannot_be_written_is_reported_and_the_rest_fixed(cli, make_app, monkeypatch):
    from edgelint import fixes

    app = make_app({**NOP_APP, "app/api/a/route.ts": "export async function POST() { return new Response() }\n",
                    "app/api/b/route.ts": "export async function POST() { return new Response() }\n"})
    real = fixes.tempfile.mkstemp

    def mkstemp(dir=None, prefix=None):
        if str(dir).endswith("/b"):
            raise PermissionError(13, "Permission denied")
        return real(dir=dir, prefix=prefix)

    monkeypatch.setattr(fixes.tempfile, "mkstemp", mkstemp)
    result = cli("check", app, "--fix", "--select", "EDGE101", "--no-cache")
    assert "edgelint: cannot write the fixes of app/api/b/route.ts: Permission denied" in result.stderr
    assert "Fixed 1 problem in 1 file; 1 remain." in result.stderr
    assert "runtime = 'edge'" in (app / "app/api/a/route.ts").read_text()
    assert "internal error" not in result.stderr


def test_removing_a_runtime_export_keeps_the_files_blank_line_separation(cli, make_app):
    """The statement goes with its line, a comment after it on that line, and one of the blank
    lines around it (not two blank lines in a row, not a stray ` // comment` line)."""
    app = make_app({"package.json": '{"dependencies": {"next": "15.3.0", "@opennextjs/cloudflare": "1.3.0"}}',
                    "app/api/a/route.ts": "import { x } from './x'\n\nexport const runtime = 'edge'\n\n"
                                          "export const GET = () => new Response(x)\n",
                    "app/api/a/x.ts": "export const x = 'x'\n",
                    "app/api/b/route.ts": "export const GET = () => new Response('b')\n"
                                          "  export const runtime = 'edge'; // keep on edge\n"})
    result = cli("check", app, "--fix", "--select", "EDGE111", "--no-cache")
    assert "Fixed 2 problems in 2 files" in result.stderr
    assert (app / "app/api/a/route.ts").read_text() == "import { x } from './x'\n\nexport const GET = () => new Response(x)\n"
    assert (app / "app/api/b/route.ts").read_text() == "export const GET = () => new Response('b')\n"
