"""Whether Next.js renders a route at request time ("dynamic") or can prerender it.

next-on-pages needs every non-static route on the edge runtime (REFERENCE.md §0.4, §2.4). These
rules are conservative in the direction of silence: a route is called dynamic only for a reason
that can be named, and the reason goes into the finding.

- Pages Router API routes are always dynamic (§2.4).
- Pages with `getServerSideProps` are dynamic (§2.4); so are pages with `getInitialProps`, or,
  without `getStaticProps`, under a custom `_app` with `getInitialProps` (Next.js "Automatic
  Static Optimization": such pages are rendered on demand; the 404 and 500 pages stay static).
- App Router: `dynamic = 'force-static'` is static; `dynamic = 'force-dynamic'` or `revalidate = 0`
  is dynamic (§1.1, §1.8), set in a Server Component (a `'use client'` file's options have no
  effect, §1.4); request-time APIs (`cookies()`, `headers()`, `draftMode()`,
  `connection()`, `unstable_noStore()`, the `searchParams` prop of a page) in the file or in a
  layout above it make it dynamic (layouts do not apply to route handlers and metadata routes,
  which render none); a dynamic segment (`[id]`) without `generateStaticParams` anywhere in the
  chain is rendered on demand (a page's, a metadata route's or a GET route handler's).
- Route handlers: any of POST/PUT/PATCH/DELETE is dynamic; GET handlers are not cached by default
  from Next.js 15 (dynamic) unless they set `dynamic = 'error'`, a `revalidate` other than 0 or
  export `generateStaticParams` (Next's `isStaticGenEnabled`); on 14.x a GET handler that reads
  the request (uses its parameter, not merely declares it) or a request-time API is dynamic (§1.9).
- `revalidate = false` is the default, "never": static, not 0.
"""

from __future__ import annotations

import re

from edgelint.project import MUTATING_METHODS, App, Route, literal_export
from edgelint.summary import ModuleSummary
from edgelint.workspace import Workspace

DYNAMIC_SEGMENT = re.compile(r"\[\[[^\]]+\]\]|\[[^\]]+\]")  # `[[...slug]]` whole


#: What a page or layout must contain to make a route dynamic: segment options, request-time APIs
#: (their modules, the `searchParams` prop) and `generateStaticParams`; files without any of
#: these bytes are not parsed.
PAGE_NEEDLES = ("dynamic", "revalidate", "searchParams", "generateStaticParams", "next/headers", "next/server",
                "next/cache")


#: `Page.getInitialProps = …` or a class's `static async getInitialProps(…)`.
INITIAL_PROPS = re.compile(rb"\.getInitialProps\s*=[^=]|\bstatic\s+(?:async\s+)?getInitialProps\s*\(")


def _revalidate(summary: ModuleSummary):
    """The literal `revalidate` export (`False` is not 0: it means "never", fully static)."""
    value = literal_export(summary, "revalidate")
    return None if isinstance(value, bool) else value


def _prerendered_handler(summary: ModuleSummary, dynamic) -> bool:
    """Whether Next.js 15+ prerenders a GET route handler: it sets `dynamic = 'error'`, a
    `revalidate` other than 0 (`false` or seconds), or exports `generateStaticParams`
    (`isStaticGenEnabled`, next/dist/server/route-modules/app-route/helpers/is-static-gen-enabled.js)."""
    return dynamic == "error" or "generateStaticParams" in summary.exports or (
        "revalidate" in summary.exports and _revalidate(summary) != 0)


def dynamic_reason(ws: Workspace, app: App, route: Route) -> str | None:
    """Why the route is rendered at request time, or None if it can be prerendered."""
    if route.kind in ("api", "pages-page", "route"):
        summary = ws.summary(route.path)
    elif not ws.readable(route.path):
        return None
    else:
        summary = ws.summary_with(route.path, *PAGE_NEEDLES) or ModuleSummary(route.path)
    if summary is None:
        return None
    if route.kind == "api":
        return "it is an API route"
    if route.kind == "pages-page":
        if "getServerSideProps" in summary.exports:
            return "it exports getServerSideProps"
        if "getStaticProps" in summary.exports:
            return None
        if ws.grep([route.path], pattern=INITIAL_PROPS):
            return "it has getInitialProps"
        custom_app = next((r.path for r in app.routes if r.router == "pages" and r.kind == "app"), None)
        if custom_app is not None and route.url not in ("/404", "/500") and ws.grep([custom_app], pattern=INITIAL_PROPS):
            return f"{custom_app} has getInitialProps, which turns off Automatic Static Optimization"
        return None
    if route.router != "app" or route.kind not in ("page", "route", "metadata", "not-found"):
        return None
    if route.kind == "not-found" and route.url != "/_not-found":
        return None  # a nested not-found renders inside its segment's pages (judged themselves), no route of its own
    # Route handlers and metadata routes (sitemap.ts, opengraph-image.tsx: route handlers too)
    # render no layout: neither a layout's segment config nor its request-time APIs apply to them.
    layouts = route.layouts if route.kind in ("page", "not-found") else ()
    chain = [ws.summary_with(layout, *PAGE_NEEDLES) for layout in layouts] + [summary]
    configs = [s for s in chain if s is not None and not s.use_client]  # segment config is read in Server Components only
    dynamic = next((literal_export(s, "dynamic") for s in reversed(configs) if literal_export(s, "dynamic")), None)
    if dynamic == "force-static":
        return None
    if dynamic == "force-dynamic":
        return "it sets dynamic = 'force-dynamic'"
    if any(_revalidate(s) == 0 for s in configs):
        return "it sets revalidate = 0"
    if route.kind == "route":
        methods = [m for m in MUTATING_METHODS if m in summary.exports]
        if methods:
            return f"it handles {'/'.join(methods)} requests"
        if "GET" in summary.exports and app.version_at_least(15) and not _prerendered_handler(summary, dynamic):
            return "GET route handlers are not cached by default from Next.js 15"
        get = summary.exports.get("GET")
        if get is not None and (get.reads_first_param or summary.dynamic_apis):
            return "its GET handler reads the request"
    for layout_summary in chain:
        apis = [a for a in layout_summary.dynamic_apis if a != "searchParams" or layout_summary is summary] \
            if layout_summary is not None else []  # a layout is not given `searchParams`
        if apis:
            where = "it" if layout_summary is summary else f"its layout {layout_summary.path}"
            return f"{where} uses {', '.join(apis)}"
    if route.kind in ("page", "metadata", "route") and DYNAMIC_SEGMENT.search(route.url):
        if not any(s is not None and "generateStaticParams" in s.exports for s in chain):
            segment = DYNAMIC_SEGMENT.search(route.url).group(0)
            return f"its dynamic segment {segment} has no generateStaticParams"
    return None

