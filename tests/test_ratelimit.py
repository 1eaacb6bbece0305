"""Unit tests for edgelint.ratelimit: limiter recognition, result usage, keys, guards, coverage."""

from __future__ import annotations

import json

import pytest

from conftest import write_tree
from edgelint import project, ratelimit
from edgelint.api import Context
from edgelint.parsing import parse
from edgelint.workspace import Workspace

LAYOUT = "export default function L({ children }: any) { return <html><body>{children}</body></html>; }\n"
RATELIMIT = ("import { Ratelimit } from '@upstash/ratelimit';\nimport { Redis } from '@upstash/redis';\n"
             "export const ratelimit = new Ratelimit({ redis: Redis.fromEnv(), "
             "limiter: Ratelimit.slidingWindow(10, '10 s'), analytics: true });\n")


def package(next_version="14.2.15", **extra) -> str:
    deps = {"next": next_version, "@upstash/ratelimit": "^2.0.5", **extra}
    return json.dumps({"name": "t", "private": True, "dependencies": deps})


def analyse(tmp_path, files: dict[str, str], options: ratelimit.RatelimitOptions | None = None,
            next_version="14.2.15", **deps) -> ratelimit.Analysis:
    tree = {"package.json": package(next_version, **deps), "app/layout.tsx": LAYOUT,
            "tsconfig.json": json.dumps({"compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./*"]}}}), **files}
    root = write_tree(tmp_path / "app", tree)
    ws = Workspace(root)
    apps = project.find_apps(ws)
    return ratelimit.analysis(Context(ws, apps[0], apps), options)


def calls(result: ratelimit.Analysis, path: str | None = None) -> list[tuple[int, str, str]]:
    return [(c.span.line, c.kind, c.callee) for c in result.limiter_calls() if path is None or c.path == path]


def by_action(result: ratelimit.Analysis) -> dict[str, ratelimit.ActionCoverage]:
    return {f"{c.action.path}:{c.action.name}": c for c in result.coverage()}


# --------------------------------------------------------------------------------------------
# Recognising limiters


def test_upstash_instances_are_followed_through_imports_factories_and_assignments(tmp_path):
    result = analyse(tmp_path, {
        "lib/ratelimit.ts": RATELIMIT,
        "lib/factory.ts": ("import { Ratelimit } from '@upstash/ratelimit';\n"
                           "export const limiter = (n = 10) =>\n  new Ratelimit({ redis: {} as any, "
                           "limiter: Ratelimit.fixedWindow(n, '1 m') });\n"),
        "lib/index.ts": "export * from './factory';\n",
        "app/api/a/route.ts": (
            "import { ratelimit as rl } from '@/lib/ratelimit';\n"
            "import { limiter } from '@/lib';\n"
            "import { MultiRegionRatelimit, Ratelimit } from '@upstash/ratelimit';\n"
            "let lazy: Ratelimit | null = null;\n"
            "if (process.env.X) { lazy = new Ratelimit({ redis: {} as any, limiter: W }); }\n"
            "const multi = new MultiRegionRatelimit({ redis: [], limiter: W });\n"
            "async function check(l: Ratelimit, id: string) { return l.limit(id); }\n"
            "export async function POST(req: Request) {\n"
            "  const a = await rl.limit('x:' + req.url);\n"              # line 9
            "  const b = await limiter(\n    5,\n  ).limit(req.url);\n"  # line 10
            "  const c = await lazy!.limit(req.url);\n"                 # line 13
            "  const d = await multi.blockUntilReady(req.url, 1000);\n"  # line 14
            "  return Response.json([a, b, c, d].map((r) => r.success));\n"
            "}\n"),
    })
    found = {line: (kind, callee) for line, kind, callee in calls(result, "app/api/a/route.ts")}
    assert found == {7: ("upstash", "l.limit"), 9: ("upstash", "rl.limit"), 10: ("upstash", "limiter(…).limit"),
                     13: ("upstash", "lazy!.limit"), 14: ("upstash", "multi.blockUntilReady")}
    built = {c.span.line: c.construction for c in result.limiter_calls()}
    assert built[9].path == "lib/ratelimit.ts" and built[9].analytics is True
    assert built[10].path == "lib/factory.ts" and built[10].analytics is False
    assert built[14].multi_region


def test_query_builders_pagination_and_slices_are_not_limiters(tmp_path):
    result = analyse(tmp_path, {
        "lib/db.ts": "export const db = {} as any; export const posts = {} as any; export const PAGE_SIZE = 20;\n",
        "app/api/a/route.ts": (
            "import { db, posts, PAGE_SIZE } from '@/lib/db';\n"
            "export async function POST(req: Request) {\n"
            "  const { limit, pageSize } = await req.json();\n"
            "  await db.select().from(posts).limit(10);\n"
            "  await db.select().from(posts).where({}).limit(limit).offset(2);\n"
            "  const query = db.select().from(posts);\n"
            "  await query.limit(pageSize);\n"
            "  await db.query.posts.findMany({ limit: PAGE_SIZE });\n"
            "  await prisma.post.findMany().limit(PAGE_SIZE);\n"
            "  const items = [1, 2, 3].slice(0, 2);\n"
            "  return Response.json(items);\n"
            "}\n"),
    })
    assert calls(result) == []
    (cov,) = result.coverage()
    assert cov.status == "not-covered" and cov.covered_by is None


def test_cloudflare_binding_calls_and_their_names(tmp_path):
    result = analyse(tmp_path, {
        "wrangler.jsonc": '{ "main": "w.js", "ratelimits": [{ "name": "RL", "namespace_id": "1", '
                          '"simple": { "limit": 1, "period": 10 } }] }',
        "app/api/a/route.ts": (
            "import { getCloudflareContext } from '@opennextjs/cloudflare';\n"
            "export async function POST(req: Request, binding: string) {\n"
            "  const { env } = getCloudflareContext();\n"
            "  const { RL } = env;\n"
            "  await env.RL.limit({ key: 'a' });\n"                                     # 5
            "  await getCloudflareContext().env.OTHER.limit({ key: 'b' });\n"           # 6
            "  await env['RL'].limit({ key: 'c' });\n"                                  # 7
            "  await RL.limit({ key: 'd' });\n"                                         # 8
            "  await (env as any)[binding].limit({ key: 'e' });\n"                      # 9
            "  await env.RL.limit('f');\n"                                              # 10: declared binding
            "  return new Response();\n"
            "}\n"),
    }, **{"@opennextjs/cloudflare": "1.3.0"})
    got = {c.span.line: (c.kind, c.binding) for c in result.limiter_calls()}
    assert got == {5: ("cloudflare", "RL"), 6: ("cloudflare", "OTHER"), 7: ("cloudflare", "RL"),
                   8: ("cloudflare", "RL"), 9: ("cloudflare", None), 10: ("cloudflare", "RL")}


def test_configured_limiters_and_wrappers(tmp_path):
    options = ratelimit.RatelimitOptions(limiters=["guard.check"], wrappers=["withQuota"])
    result = analyse(tmp_path, {
        "app/api/a/route.ts": (
            "import { guard } from '@acme/guard';\nimport { withQuota } from '@acme/quota';\n"
            "export async function POST(req: Request) { if (!(await guard.check(req))) return new Response(); "
            "return new Response(); }\n"
            "export const PUT = withQuota(async () => new Response());\n"
            "export async function DELETE() { return new Response(); }\n"),
    }, options)
    got = {c.action.name: (c.status, c.covered_by) for c in result.coverage()}
    assert got == {"POST": ("covered", "inline"), "PUT": ("covered", "wrapper"), "DELETE": ("not-covered", None)}


def test_helpers_named_like_limiters(tmp_path):
    result = analyse(tmp_path, {
        "lib/limit.ts": ("export async function checkRateLimit(key: string) {\n"
                         "  const n = await kv.get(key);\n  return { success: Number(n) < 10 };\n}\n"
                         "export function rateLimitHeaders(n: number) {\n"
                         "  return { 'X-RateLimit-Remaining': String(n) };\n}\n"),
        "app/api/a/route.ts": (
            "import { checkRateLimit, rateLimitHeaders } from '@/lib/limit';\n"
            "import { enforceRateLimit } from '@acme/limits';\n"
            "export async function POST() { const { success } = await checkRateLimit('k'); "
            "return new Response(null, { status: success ? 200 : 429 }); }\n"
            "export async function PUT() { return new Response(null, { headers: rateLimitHeaders(1) }); }\n"
            "export async function DELETE() { await enforceRateLimit(); return new Response(); }\n"),
    })
    got = {c.action.name: (c.status, c.heuristic) for c in result.coverage()}
    assert got == {"POST": ("covered", True), "PUT": ("not-covered", False), "DELETE": ("covered", True)}


def test_handlers_that_only_answer_an_error_are_excluded(tmp_path):
    """A handler whose whole body answers 4xx/5xx has no work to limit; one that does anything
    else, or answers a success, still needs a limiter."""
    result = analyse(tmp_path, {
        "app/api/a/route.ts": (
            "import { NextResponse } from 'next/server';\n"
            "// Only allow GET requests\n"
            "export async function POST() {\n  return new NextResponse('Method Not Allowed', { status: 405 });\n}\n"
            "export const PUT = () => NextResponse.json({ error: 'gone' }, { status: 410 });\n"
            "export function DELETE() { /* nope */ return new Response(null, { status: 501 }) }\n"
            "export async function PATCH(req: Request) {\n  await save(await req.json());\n"
            "  return new Response(null, { status: 405 });\n}\n"),
        "app/api/b/route.ts": (
            "export async function POST() { return new Response('ok', { status: 200 }); }\n"
            "export async function PUT() { return Response.json({}, { status: STATUS }); }\n"
            "export async function DELETE() { return Response.json({ error: 'x' }, { status: 404 }); }\n"),
    })
    got = {(c.action.path[8:9], c.action.name): (c.status, c.excluded_as) for c in result.coverage()}
    assert got == {("a", "POST"): ("excluded", "only answers 405"), ("a", "PUT"): ("excluded", "only answers 410"),
                   ("a", "DELETE"): ("excluded", "only answers 501"), ("a", "PATCH"): ("not-covered", ""),
                   ("b", "POST"): ("not-covered", ""), ("b", "PUT"): ("not-covered", ""),
                   ("b", "DELETE"): ("excluded", "only answers 404")}


def test_hand_written_counters_named_like_limiters(tmp_path):
    """A counter of one's own (Redis INCR, a returned `count <= limit`) decides like a limiter; a
    function named like one that neither counts nor decides does not."""
    result = analyse(tmp_path, {
        "lib/limits.ts": (
            "import { redis } from '@acme/redis';\n"
            "const MAX_ATTEMPTS = 10;\n"
            "export async function ssoLookupRateLimit(ip: string): Promise<boolean> {\n"
            "  const count = await redis.eval<[number], number>(`local c = redis.call('INCR', KEYS[1]) return c`,"
            " [`rl:${ip}`], [600]);\n"
            "  return count <= MAX_ATTEMPTS;\n}\n"
            "export async function loginRateLimit(ip: string) {\n"
            "  const n = Number(await redis.get(ip)) + 1;\n  await redis.set(ip, n);\n  return n > 5\n}\n"
            "export function throttleLabel(ip: string) {\n  return format<string>(ip);\n}\n"),
        "app/actions.ts": (
            "'use server';\n"
            "import { ssoLookupRateLimit, loginRateLimit, throttleLabel } from '@/lib/limits';\n"
            "export async function a(ip: string) { if (!(await ssoLookupRateLimit(ip))) return; }\n"
            "export async function b(ip: string) { if (await loginRateLimit(ip)) return; }\n"
            "export async function c(ip: string) { throttleLabel(ip); }\n"),
        "app/page.tsx": "import { a, b, c } from './actions';\nexport default function P() { return null; }\n",
    })
    got = {c.action.name: (c.status, c.heuristic) for c in result.coverage()}
    assert got == {"a": ("covered", True), "b": ("covered", True), "c": ("not-covered", False)}


# --------------------------------------------------------------------------------------------
# Result usage, keys


def _usage(body: str) -> ratelimit.Usage:
    pf = parse("a.ts", f"async function f(rl: any, env: any) {{\n{body}\n}}\n".encode())
    call = next(n for n in pf.walk() if n.type == "call_expression" and b".limit(" in n.text
                and n.child_by_field_name("function").type == "member_expression"
                and pf.text(n.child_by_field_name("function")).endswith("limit"))
    return ratelimit.result_usage(pf, call)


@pytest.mark.parametrize(("body", "kind", "pending"), [
    ("await rl.limit(id);", "ignored", False),
    ("const { pending } = await rl.limit(id); ctx.waitUntil(pending);", "ignored", True),
    ("const { success } = await rl.limit(id);", "ignored", False),
    ("const r = await rl.limit(id); log(r.remaining);", "ignored", False),
    ("ctx.waitUntil(rl.limit(id));", "ignored", True),
    ("const { success, pending } = await rl.limit(id); if (!success) return 429; ctx.waitUntil(pending);",
     "checked", True),
    ("const { success } = await rl.limit(id); if (!success) return 429;", "checked", False),
    ("const r = await rl.limit(id); if (!r.success) return 429;", "checked", False),
    ("const r = await rl.limit(id); return r;", "checked", True),
    ("if (!(await rl.limit(id)).success) return 429;", "checked", False),
    ("return rl.limit(id);", "returned", None),
    ("const { success, ...rest } = await rl.limit(id);", "unknown", None),
    ("const { success: ok } = await env.RL.limit({ key }); if (!ok) throw 1;", "checked", False),
    ("await rl.limit(id); throw new Error('bad code');", "checked", False),
])
def test_result_usage(body, kind, pending):
    usage = _usage(body)
    assert (usage.kind, usage.pending) == (kind, pending)
    assert (usage.reason != "") == (kind == "ignored")


@pytest.mark.parametrize(("next_version", "key", "expected"), [
    ("14.2.15", "'global'", "const"),
    ("14.2.15", "`api:${PREFIX}`", "const"),
    ("14.2.15", "req.headers.get('x-forwarded-for')", "header-no-fallback"),
    ("14.2.15", "`ip:${req.headers.get('x-forwarded-for')}`", "header-no-fallback"),
    ("14.2.15", "req.headers.get('x-forwarded-for') ?? 'anonymous'", "varying"),
    ("14.2.15", "req.ip ?? 'anonymous'", "varying"),
    ("15.1.0", "req.ip ?? 'anonymous'", "undefined-ip"),
    ("15.1.0", "request.ip", "undefined-ip"),
    ("15.1.0", "req.ip ?? req.headers.get('x-real-ip') ?? 'anonymous'", "varying"),
    ("15.1.0", "`u:${user.id}`", "unknown"),
    ("15.1.0", "clientId(req)", "unknown"),
    ("15.1.0", "ip", "const"),
    ("15.1.0", "{ key: ip }", "const"),
    ("15.1.0", "{ key }", "header-no-fallback"),
])
def test_key_verdict(tmp_path, next_version, key, expected):
    result = analyse(tmp_path, {
        "app/api/a/route.ts": (
            "import { Ratelimit } from '@upstash/ratelimit';\n"
            "const rl = new Ratelimit({} as any);\nconst PREFIX = 'api';\n"
            "export async function POST(req: any, request: any, user: any) {\n"
            "  const ip = 'static';\n  const key = req.headers.get('x-real-ip');\n"
            f"  const r = await rl.limit({key});\n"
            "  return new Response(null, { status: r.success ? 200 : 429 });\n}\n"),
    }, next_version=next_version)
    (call,) = result.limiter_calls()
    verdict = ratelimit.key_verdict(result, result.module(call.path), call.key)
    assert verdict.kind == expected


# --------------------------------------------------------------------------------------------
# Middleware: matcher and guard conditions


MIDDLEWARE = """import { Ratelimit } from '@upstash/ratelimit';
import { NextResponse, type NextRequest } from 'next/server';
let limiter: Ratelimit | null = null;
if (process.env.URL) { limiter = new Ratelimit({} as any); }
const LIMITED = ['/api/orders', '/api/search'];
export async function middleware(request: NextRequest) {
  const { pathname } = request.nextUrl;
  if (pathname.startsWith('/api/auth')) return NextResponse.next();
  const shouldLimit = LIMITED.some((p) => pathname.startsWith(p));
  if (shouldLimit && limiter) {
    const { success } = await limiter.limit(request.headers.get('x-forwarded-for') ?? 'anon');
    if (!success) return new NextResponse(null, { status: 429 });
  }
  if (request.method === 'DELETE' && /^\\/api\\/admin\\//.test(pathname)) {
    const { success } = await limiter!.limit('admin:' + (request.headers.get('x-user') ?? 'anon'));
    if (!success) return new NextResponse(null, { status: 429 });
  }
  return NextResponse.next();
}
"""


def test_middleware_limiter_behind_path_and_method_conditions(tmp_path):
    handler = "export async function {m}() {{ return new Response(); }}\n"
    result = analyse(tmp_path, {
        "middleware.ts": MIDDLEWARE + "export const config = { matcher: ['/api/:path*'] };\n",
        "app/api/orders/[id]/route.ts": handler.format(m="PUT"),
        "app/api/auth/login/route.ts": handler.format(m="POST"),
        "app/api/admin/users/route.ts": handler.format(m="DELETE") + handler.format(m="POST"),
        "app/checkout/route.ts": handler.format(m="POST"),
    })
    got = {f"{c.action.url} {c.action.name}": c.status for c in result.coverage()}
    assert got == {"/api/orders/[id] PUT": "covered", "/api/auth/login POST": "not-covered",
                   "/api/admin/users DELETE": "covered", "/api/admin/users POST": "not-covered",
                   "/checkout POST": "not-covered"}
    checkout = next(c for c in result.coverage() if c.action.url == "/checkout")
    assert "matcher ['/api/:path*'] does not match /checkout" in checkout.detail
    # adding it to the matcher would not do: the limiter runs for the LIMITED paths only
    assert "(and its limiter only runs when (`shouldLimit && limiter`" in checkout.detail
    assert checkout.middleware.reason == "matcher-branch" and checkout.middleware.missed == ("/checkout",)
    login = next(c for c in result.coverage() if c.action.url == "/api/auth/login")
    assert login.middleware.reason == "branch" and "pathname.startsWith('/api/auth')" in login.detail


def test_middleware_matcher_forms(tmp_path):
    handler = "export async function POST() { return new Response(); }\n"
    result = analyse(tmp_path, {
        "middleware.ts": ("import { ratelimit } from './lib/rl';\n"
                          "export default async function mw(req: Request) {\n"
                          "  const { success } = await ratelimit.limit(req.headers.get('x') ?? 'a');\n"
                          "  return success ? undefined : new Response(null, { status: 429 });\n}\n"
                          "export const config = { matcher: [\n"
                          "  '/((?!_next|hooks/).*)',\n"
                          "  { source: '/hooks/github', has: [{ type: 'header', key: 'x-github-event' }] },\n"
                          "] };\n"),
        "lib/rl.ts": RATELIMIT,
        "app/api/a/route.ts": handler,
        "app/hooks/stripe/route.ts": handler,
        "app/hooks/github/route.ts": handler,
    })
    got = {c.action.url: (c.status, c.covered_by) for c in result.coverage()}
    assert got == {"/api/a": ("covered", "middleware"), "/hooks/stripe": ("not-covered", None),
                   "/hooks/github": ("partial", "middleware")}


#: A middleware that limits /dashboard/* only.
DASHBOARD_MIDDLEWARE = ("import { ratelimit } from './lib/rl';\n"
                        "export async function middleware(req: Request) {\n"
                        "  const { success } = await ratelimit.limit(req.headers.get('x') ?? 'a');\n"
                        "  if (!success) return new Response(null, { status: 429 });\n}\n"
                        "export const config = { matcher: ['/dashboard/:path*'] };\n")


def test_server_actions_follow_the_pages_that_use_each_export(tmp_path):
    result = analyse(tmp_path, {
        "middleware.ts": DASHBOARD_MIDDLEWARE,
        "lib/rl.ts": RATELIMIT,
        "app/actions.ts": ("'use server';\nexport async function rename() {}\nexport async function invite() {}\n"
                           "export const unused = async () => {};\n"),
        "components/Invite.tsx": ("'use client';\nimport { invite } from '@/app/actions';\n"
                                  "export const I = () => null;\n"),
        "app/dashboard/page.tsx": ("import { rename } from '../actions';\nimport { I } from '@/components/Invite';\n"
                                   "export default function P() { return null; }\n"),
        "app/team/[id]/page.tsx": ("import { I } from '@/components/Invite';\n"
                                   "export default function P() { return null; }\n"),
        "app/contact/page.tsx": ("export default function P() {\n"
                                 "  async function send() { 'use server'; }\n  return null;\n}\n"),
    })
    got = {c.action.name: (c.action.pages, c.status) for c in result.coverage()}
    assert got == {"rename": (("/dashboard",), "covered"),
                   "invite": (("/dashboard", "/team/[id]"), "partial"),
                   "unused": ((), "unknown"),
                   "send": (("/contact",), "not-covered")}
    send = next(a for a in result.actions() if a.name == "send")
    assert send.inline and send.span.line == 2


def test_server_actions_used_by_error_boundaries_post_to_every_page_of_their_segment(tmp_path):
    result = analyse(tmp_path, {
        "middleware.ts": DASHBOARD_MIDDLEWARE,
        "lib/rl.ts": RATELIMIT,
        "lib/report.ts": ("'use server';\nexport async function reportError(m: string) { console.log(m) }\n"
                          "export async function reportGlobalError(m: string) { console.log(m) }\n"),
        "app/dashboard/error.tsx": ("'use client';\nimport { reportError } from '@/lib/report';\n"
                                    "export default function E({ error }: { error: Error }) { reportError(error.message);"
                                    " return null; }\n"),
        "app/global-error.tsx": ("'use client';\nimport { reportGlobalError } from '@/lib/report';\n"
                                 "export default function G({ error }: { error: Error }) {"
                                 " reportGlobalError(error.message); return null; }\n"),
    })
    got = {c.action.name: (c.action.pages, c.status) for c in result.coverage()}
    assert got == {"reportError": (("/dashboard/[[...path]]",), "covered"),
                   "reportGlobalError": (("/[[...path]]",), "partial")}


def test_pages_api_methods(tmp_path):
    def api(body: str) -> str:
        return f"export default async function handler(req: any, res: any) {{\n{body}\n}}\n"

    result = analyse(tmp_path, {
        "pages/api/post.ts": api("if (req.method !== 'POST') return res.status(405).end();"),
        "pages/api/get.ts": api("if (req.method !== 'GET') return res.status(405).end();"),
        "pages/api/read.ts": api("res.json({})"),
        "pages/api/any.ts": api("res.json(req.body)"),
        "pages/api/switch.ts": api("switch (req.method) { case 'GET': break; case 'DELETE': break; }"),
        "pages/api/list.ts": api("if (!['PUT', 'PATCH'].includes(req.method)) return;"),
    })
    got = {a.url: a.name for a in result.actions()}
    assert got == {"/api/post": "POST", "/api/any": "ANY", "/api/switch": "DELETE", "/api/list": "PUT|PATCH"}


# --------------------------------------------------------------------------------------------
# The coverage API (what the audit reads)


def test_coverage_api_reports_how_each_action_is_covered(tmp_path):
    result = analyse(tmp_path, {
        "lib/rl.ts": RATELIMIT,
        "lib/with.ts": ("import { ratelimit } from './rl';\n"
                        "export const withLimit = (h: any) => async (req: Request) => {\n"
                        "  const { success } = await ratelimit.limit(req.url);\n"
                        "  return success ? h(req) : new Response(null, { status: 429 });\n};\n"),
        "app/api/a/route.ts": ("import { withLimit } from '@/lib/with';\nimport { ratelimit } from '@/lib/rl';\n"
                               "export const POST = withLimit(async () => new Response());\n"
                               "export async function PUT(req: Request) {\n"
                               "  await ratelimit.limit(req.url);\n  return new Response();\n}\n"
                               "export async function DELETE(req: Request) {\n"
                               "  const { success } = await ratelimit.limit(req.url);\n"
                               "  return new Response(null, { status: success ? 204 : 429 });\n}\n"),
        "app/api/cron/x/route.ts": "export async function POST() { return new Response(); }\n",
    })
    got = {c.action.name if "cron" not in c.action.path else "cron": c for c in result.coverage()}
    assert (got["POST"].covered_by, got["POST"].status) == ("wrapper", "covered")
    assert [e.message for e in got["POST"].evidence] == ["wrapper `withLimit`", "wrapper defined here",
                                                         "limiter call `ratelimit.limit(…)`"]
    assert got["POST"].evidence[1].path == "lib/with.ts"
    assert (got["PUT"].covered_by, got["PUT"].status, got["PUT"].verdict_ignored) == (None, "not-covered", True)
    assert (got["DELETE"].covered_by, got["DELETE"].status) == ("inline", "covered")
    assert got["cron"].status == "excluded"
    data = got["POST"].to_dict()
    assert data["status"] == "covered" and data["covered_by"] == "wrapper" and data["url"] == "/api/a"
    assert {"kind", "path", "url", "name", "line", "pages", "evidence", "middleware", "detail"} <= set(data)
    assert ratelimit.coverage is not None and ratelimit.user_actions is not None


def test_analysis_is_computed_once_per_app(tmp_path):
    root = write_tree(tmp_path / "a", {"package.json": package(), "app/layout.tsx": LAYOUT,
                                       "app/api/a/route.ts": "export async function POST() {}\n"})
    ws = Workspace(root)
    apps = project.find_apps(ws)
    ctx = Context(ws, apps[0], apps)
    first = ratelimit.analysis(ctx)
    assert ratelimit.analysis(ctx) is first
    assert ratelimit.coverage(ctx) is first.coverage()
    assert [a.name for a in ratelimit.user_actions(ctx)] == ["POST"]


# --------------------------------------------------------------------------------------------
# Robustness


def test_cycles_in_calls_imports_and_bindings_terminate(tmp_path):
    result = analyse(tmp_path, {
        "lib/a.ts": "import { b } from './b';\nexport function a(n: number): any { return b(n); }\n",
        "lib/b.ts": "import { a } from './a';\nexport function b(n: number): any { return a(n); }\n",
        "lib/c.ts": "export * from './d';\n",
        "lib/d.ts": "export * from './c';\n",
        "app/api/x/route.ts": ("import { a } from '@/lib/a';\nimport { nothing } from '@/lib/c';\n"
                               "let x: any = y; let y: any = x;\n"
                               "function self(h: any): any { return self(h); }\n"
                               "export const POST = self(async () => a(1));\n"
                               "export async function PUT() { return x.limit(nothing); }\n"),
    })
    assert [c.status for c in result.coverage()] == ["not-covered", "not-covered"]


def test_deeply_nested_code_does_not_crash(tmp_path):
    deep = "(" * 3000 + "1" + ")" * 3000
    arrows = "const f = " + "() => " * 800 + "ratelimit.limit(k);\n"
    result = analyse(tmp_path, {
        "lib/rl.ts": RATELIMIT,
        "app/api/x/route.ts": ("import { ratelimit } from '@/lib/rl';\n"
                               f"export async function POST(k: string) {{ const v = {deep}; {arrows} return v; }}\n"),
    })
    assert [c.status for c in result.coverage()] == ["covered"]


def test_url_globs():
    glob = ratelimit.url_glob
    assert glob("**/cron/**").match("/api/cron/x/[id]") and glob("**/cron/**").match("/cron")
    assert not glob("**/cron/**").match("/api/crontab")
    assert glob("/api/*").match("/api/x") and not glob("/api/*").match("/api/x/y")
    assert glob("/api/**").match("/api") and glob("/api/**").match("/api/a/b")


# --------------------------------------------------------------------------------------------
# The fixture apps: exactly the planted rate-limit mistakes (their EXPECTED.md), none of the traps


def _app_findings(name: str):
    from conftest import FIXTURES
    from edgelint import config as config_module, engine, registry

    checks = registry.select(["EDGE6"], [], [])
    result = engine.run([FIXTURES / "apps" / name], config_module.Config(), checks)
    return {(f.path, f.span.line, f.code) for f in result.findings}, result


@pytest.mark.parametrize(("app", "expected"), [
    ("pages-shop", {("app/(shop)/cart/actions.ts", 32, "EDGE601"),          # L1 applyCoupon
                    ("app/(marketing)/newsletter/page.tsx", 8, "EDGE601"),  # L2 inline subscribe
                    ("app/track/route.ts", 10, "EDGE602")}),                # L3 verdict ignored
    ("clean-edge", set()),
    ("opennext-blog", {("app/api/subscribe/route.ts", 5, "EDGE601")}),     # L1
])
def test_fixture_apps_report_exactly_the_planted_ratelimit_mistakes(app, expected):
    found, _result = _app_findings(app)
    assert found == expected


def test_pages_shop_coverage_by_layer():
    from conftest import FIXTURES

    ws = Workspace(FIXTURES / "apps" / "pages-shop")
    apps = project.find_apps(ws)
    cov = {f"{c.action.path}:{c.action.name}": (c.status, c.covered_by)
           for c in ratelimit.coverage(Context(ws, apps[0], apps))}
    assert cov["app/api/reviews/route.ts:POST"] == ("covered", "wrapper")
    assert cov["app/api/cart/route.ts:POST"] == ("covered", "middleware")
    assert cov["app/api/products/[id]/route.ts:PUT"] == ("covered", "middleware")
    assert cov["app/(shop)/cart/actions.ts:addToCart"] == ("covered", "inline")
    assert cov["app/(shop)/cart/actions.ts:applyCoupon"] == ("not-covered", None)
    assert cov["app/track/route.ts:POST"] == ("not-covered", None)
    assert "app/(shop)/cart/count/route.ts:GET" not in cov  # GET-only handlers are not user actions


def test_audit_figures_and_facts_for_pages_shop():
    from conftest import FIXTURES
    from edgelint.api import Figure, RouteFact
    from edgelint.checks.ratelimit_unlimited_action import UnlimitedUserAction

    ws = Workspace(FIXTURES / "apps" / "pages-shop")
    apps = project.find_apps(ws)
    items = list(UnlimitedUserAction().audit(Context(ws, apps[0], apps)))
    figures = {f.label: (f.value, f.total) for f in items if isinstance(f, Figure)}
    assert figures == {"mutating route handlers and API routes rate limited": (3, 4),
                       "server actions rate limited": (1, 3)}
    facts = {(f.path, f.kind): f.text for f in items if isinstance(f, RouteFact)}
    assert facts[("app/api/reviews/route.ts", "")] == "POST: wrapper `withRateLimit`"
    assert facts[("app/api/cart/route.ts", "")] == "POST: middleware"
    assert facts[("app/track/route.ts", "")] == "POST: none (limiter verdict ignored)"
    actions = {(f.path, f.text) for f in items if isinstance(f, RouteFact) and f.kind == "server action"}
    assert actions == {("app/(shop)/cart/actions.ts", "`addToCart`: inline `ratelimit.limit`"),
                       ("app/(shop)/cart/actions.ts", "`applyCoupon`: none"),
                       ("app/(marketing)/newsletter/page.tsx", "server action `subscribe`: none")}


def test_key_advice_does_not_suggest_the_header_the_key_already_is(cli, make_app):
    """On a plain Node.js target the advice is the `x-forwarded-for` header: for a key that is
    that header with no fallback, it says to make the proxy set it instead of naming it again."""
    app = make_app({"package.json": '{"dependencies": {"next": "14.2.15", "@upstash/ratelimit": "2.0.5"}}',
                    "app/api/chat/route.ts": "import { Ratelimit } from '@upstash/ratelimit';\n"
                    "import { Redis } from '@upstash/redis';\n"
                    "const ratelimit = new Ratelimit({ redis: Redis.fromEnv(), limiter: Ratelimit.slidingWindow(5, '1 m') });\n"
                    "export async function POST(req: Request) {\n"
                    "  const { success } = await ratelimit.limit(req.headers.get('x-forwarded-for'));\n"
                    "  if (!success) return new Response('slow down', { status: 429 });\n"
                    "  return new Response('ok');\n}\n"})
    result = cli("check", app, "--no-cache", "--select", "EDGE603")
    assert "Make sure the proxy in front of the app sets it on every request" in result.stdout
    assert "e.g. the `x-forwarded-for` header" not in result.stdout
