from edgelint.api import Check

from ._runtime import insert_runtime_fix, primary_span


class RouteHandlerLosesLayoutRuntime(Check):
    """## What it does
    Reports a route handler (`route.ts`) below a layout that exports `runtime = 'edge'` when the
    handler has no `runtime` of its own and the build does not pass the layout's runtime to it:
    Next.js 15+ with webpack (the default `next build` in 15.x, `--webpack` in 16.x), or an
    unknown Next.js version. Handlers Next.js prerenders at build time (a static `sitemap.ts`,
    `dynamic = 'force-static'`, as EDGE101 reads them) are not reported: they become files, not
    functions, so their runtime does not matter (REFERENCE.md §1.8, §2.4).

    ## Why is this bad?
    Up to 14.2, and under Turbopack, route handlers inherit a layout's runtime; with webpack on
    15.0+ only pages do, so the handler silently runs on Node.js (REFERENCE.md §1.5). Upgrading
    14 → 15 or switching bundler moves such handlers between runtimes. Under next-on-pages the
    build then fails (error); elsewhere the handler just loses the edge (warning).

    ## Example
    ```ts
    // app/api/layout.tsx: export const runtime = 'edge'
    // app/api/orders/route.ts
    export async function POST() { … }
    ```

    ## Use instead
    ```ts
    export const runtime = 'edge'
    export async function POST() { … }
    ```

    Fix: safe — adds `export const runtime = 'edge'` to the handler.
    """

    code, name, area = "EDGE112", "route-handler-loses-layout-runtime", "runtime"
    severity = "warning"
    targets = frozenset({"next-on-pages", "vercel", "node"})
    fixable = True

    def run(self, ctx):
        from edgelint.dynamic import dynamic_reason
        from edgelint.project import inherited_runtime

        app = ctx.app
        if app.next_version is not None and (not app.next_version.at_least(15) or app.turbopack):
            return
        for route in ctx.routes("route", "metadata"):
            if route.runtime is None or route.runtime.reason != "default":
                continue
            inherited = inherited_runtime(ctx.ws, app, route)
            if inherited is None or not inherited.is_edge:
                continue
            if dynamic_reason(ctx.ws, app, route) is None:
                continue  # prerendered at build time (a static sitemap, `dynamic = 'force-static'`): no function
            summary = ctx.summary(route.path)
            version = f"Next.js {app.next_version}" if app.next_version else "an unknown Next.js version"
            fix = insert_runtime_fix(ctx, route.path)
            yield ctx.finding(
                self, route.path, primary_span(summary, route),
                f"this route handler runs on Node.js: with {version} and webpack, route handlers do not inherit "
                f"`runtime = '{inherited.value}'` from {inherited.source}; export it here",
                severity="error" if ctx.target == "next-on-pages" else "warning",
                related=[_layout_location(inherited)], fixes=[fix] if fix else [])


def _layout_location(runtime):
    from edgelint.api import Location

    return Location(runtime.source, runtime.span, "layout runtime set here")
