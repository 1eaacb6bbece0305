import re

from edgelint.api import Check

from ._runtime import insert_runtime_fix, primary_span, runtime_evidence


#: A Node-style API handler: `NextApiResponse`, or a second parameter named `res`/`response` (an
#: edge API handler's second parameter is a `NextFetchEvent`).
NODE_HANDLER = re.compile(rb"\b(?:NextApiResponse|ServerResponse)\b|,\s*(?:res|response)\s*[:)]")


class DynamicRouteNotEdge(Check):
    """## What it does
    Reports a dynamic route (route handler, API route, or page that Next.js cannot prerender)
    whose effective runtime is not `edge` in an app deployed with `@cloudflare/next-on-pages`.

    ## Why is this bad?
    next-on-pages only supports edge functions: it reads the runtime Next.js resolved for every
    function and fails the build ("The following routes were not configured to run with the Edge
    Runtime") for any non-static route that is not edge (REFERENCE.md §0.4, §2.4). The route's
    effective runtime is its own `runtime` export, else the nearest layout's (pages always; route
    handlers only on Next ≤ 14.2 or under Turbopack, REFERENCE.md §1.5), else `'nodejs'`.

    A route counts as dynamic only for a reason edgelint can name (it is given in the message):
    an API route, `getServerSideProps`, a POST/PUT/PATCH/DELETE handler, a GET handler on Next 15+,
    `dynamic = 'force-dynamic'`, `revalidate = 0`, `cookies()`/`headers()`/`searchParams`, or a
    dynamic segment without `generateStaticParams`. Routes that set
    `runtime = 'nodejs'` themselves are reported by EDGE110 instead, unreadable values by EDGE102,
    and route handlers that lose a layout's edge runtime by EDGE112.

    ## Example
    ```ts
    // app/api/orders/route.ts
    export async function POST(request: Request) { … }
    ```

    ## Use instead
    ```ts
    export const runtime = 'edge'
    export async function POST(request: Request) { … }
    ```

    Fix: safe — adds `export const runtime = 'edge'` after the directives and imports (before
    Next.js 13.0.7 the value is `'experimental-edge'`, and before 13.0 the form is
    `export const config = { runtime: 'experimental-edge' }`: see EDGE104). None for an API route
    whose handler takes Node's `(req, res)`: on the edge runtime it gets a `Request` and must
    return a `Response` (§2.4), so it must be rewritten; none either for a route that itself
    imports a Node built-in or a Node-only package (`jsonwebtoken`, `fs`): on the edge it would
    not build (EDGE201, EDGE204).
    """

    code, name, area = "EDGE101", "dynamic-route-not-edge", "runtime"
    targets = frozenset({"next-on-pages"})
    fixable = True

    def run(self, ctx):
        from edgelint.dynamic import dynamic_reason
        from edgelint.project import inherited_runtime

        for route in ctx.routes("page", "route", "metadata", "not-found", "api", "pages-page"):
            runtime = route.runtime
            if runtime is None or runtime.is_edge or runtime.reason in ("own", "config", "unreadable"):
                continue
            if route.kind in ("route", "metadata") and inherited_runtime(ctx.ws, ctx.app, route):
                continue  # EDGE112 explains the lost layout runtime
            reason = dynamic_reason(ctx.ws, ctx.app, route)  # parses a page only if its bytes may say
            summary = ctx.summary(route.path) if reason is not None else None
            if summary is None:
                continue
            legacy = not ctx.app.version_at_least(13)  # only `config` is read (REFERENCE.md §1.2)
            value = "experimental-edge" if route.kind == "pages-page" else ctx.app.edge_value
            advice = (f"Add `export const config = {{ runtime: '{value}' }}`" if legacy
                      else f"Add `export const runtime = '{value}'`")
            if legacy and "runtime" in summary.exports:
                advice += f" (Next.js {ctx.app.next_version} reads no top-level `runtime` export; 13.0 added it)"
            handler = summary.exports.get("default")
            fix, blockers = None, _node_only_imports(summary)
            if route.kind == "api" and handler is not None and handler.params >= 2 and \
                    NODE_HANDLER.search(ctx.ws.read(route.path) or b""):
                advice += (" after rewriting its Node-style `(req, res)` handler: on the edge runtime it "
                           "receives a Request and returns a Response")
            elif blockers:
                shown = ", ".join(f"'{s}'" for s in blockers[:3])
                advice += (f" after replacing what it imports from {shown}, which the edge runtime "
                           "does not provide (EDGE201/EDGE204 would follow)")
            elif not legacy:
                fix = insert_runtime_fix(ctx, route.path, value)
            elif "config" not in summary.exports:
                fix = insert_runtime_fix(ctx, route.path, value, config=True)
            yield ctx.finding(
                self, route.path, primary_span(summary, route),
                f"{route.url} is dynamic ({reason}) but runs on the Node.js runtime ({runtime.describe()}); "
                f"next-on-pages fails the build for it. {advice}",
                related=runtime_evidence(route, "the runtime comes from here"), fixes=[fix] if fix else [],
                url=route.url, dynamic_reason=reason)


def _node_only_imports(summary) -> list[str]:
    """What the route imports itself that does not run on the edge: Node built-ins beyond the
    ones it provides, and Node-only packages (EDGE201, EDGE204). Switching it to the edge runtime
    would not build, so the fix is not offered."""
    from edgelint.resolve import builtin_name, package_name

    from ._compat import SUPPORTED_BUILTINS
    from .compat_node_only_package import NODE_ONLY_PACKAGES

    found = []
    for imp in summary.imports:
        if imp.type_only:
            continue
        builtin = builtin_name(imp.source)
        package = package_name(imp.source)
        if (builtin is not None and builtin not in SUPPORTED_BUILTINS) or package in NODE_ONLY_PACKAGES:
            found.append(imp.source)
    return list(dict.fromkeys(found))
