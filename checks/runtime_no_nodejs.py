from edgelint.api import Check
from edgelint.project import runtime_of

from ._runtime import SEGMENT_KINDS, replace_value_fix


class NoNodejsRuntime(Check):
    """## What it does
    Under next-on-pages, reports `runtime = 'nodejs'` (or `config.runtime = 'nodejs'`) in a page,
    layout, route handler, API route or middleware (in middleware from Next.js 15.2, which honours
    it: earlier versions ignore it and keep middleware on the edge, REFERENCE.md §1.4).

    ## Why is this bad?
    next-on-pages supports only the edge runtime and fails the build for every Node.js function
    (REFERENCE.md §0.4, §2.4). A `'nodejs'` layout also moves every page below it to Node.js
    (§1.5). This is the ground of the peer ESLint rule `next-on-pages/no-nodejs-runtime`. Pages
    that Next.js prerenders are static files, not functions (§2.4): a `'nodejs'` export whose
    pages are all static (no request-time API, no dynamic segment without `generateStaticParams`,
    see EDGE101) fails nothing and is not reported — `'edge'` there would only turn their static
    generation off (§1.8).

    ## Example
    ```ts
    export const runtime = 'nodejs'
    ```

    ## Use instead
    ```ts
    export const runtime = 'edge'
    ```

    Fix: safe — `'nodejs'` becomes `'edge'` (`'experimental-edge'` in a Pages Router page).
    """

    code, name, area = "EDGE110", "no-nodejs-runtime", "runtime"
    targets = frozenset({"next-on-pages"})
    fixable = True

    def run(self, ctx):
        for route in ctx.routes(*SEGMENT_KINDS):
            own = runtime_of(ctx.summary_with(route.path, "runtime"), ctx.app, route.kind, route.path)
            if own is None or own.value != "nodejs" or own.reason == "unreadable":
                continue
            if route.kind == "middleware" and route.runtime is not None and route.runtime.is_edge:
                continue  # Next.js ≤ 15.1 ignores 'nodejs' in middleware: it stays edge (REFERENCE.md §1.4)
            if route.kind == "layout" and not ctx.app.version_at_least(13, 4):
                continue  # before 13.4 a layout's runtime reaches no page (`project.layouts_apply`)
            scope = _functions(ctx, route)
            if scope is None:
                continue  # only prerendered pages: static files, no Node.js function for next-on-pages to reject
            replacement = "experimental-edge" if route.kind == "pages-page" else "edge"
            summary = ctx.summary(route.path)
            export = summary.exports.get("runtime") if own.reason == "own" else summary.exports.get("config")
            span = (export.value_span if export and export.value_span else own.span)
            fix = replace_value_fix(ctx, route.path, span, "nodejs", replacement)
            yield ctx.finding(self, route.path, span,
                              f"next-on-pages only supports the edge runtime: {scope} on Node.js and the build "
                              f"fails; use '{replacement}'", fixes=[fix] if fix else [])


def _functions(ctx, route) -> str | None:
    """What runs as a Node.js function because of this `runtime` export ("this route runs", "the
    dynamic pages below this layout (/a, …) run"), or None when it is only prerendered pages."""
    from edgelint.dynamic import dynamic_reason

    if route.kind == "middleware":
        return "this middleware runs"
    if route.kind != "layout":
        return "this route runs" if dynamic_reason(ctx.ws, ctx.app, route) is not None else None
    below = [r for r in ctx.app.routes if route.path in r.layouts and r.runtime is not None
             and r.runtime.source == route.path and dynamic_reason(ctx.ws, ctx.app, r) is not None]
    if not below:
        return None
    urls = sorted(r.url for r in below)
    shown = ", ".join(urls[:3]) + (f", and {len(urls) - 3} more" if len(urls) > 3 else "")
    return f"the dynamic page{'s' if len(urls) > 1 else ''} below this layout ({shown}) run{'' if len(urls) > 1 else 's'}"
