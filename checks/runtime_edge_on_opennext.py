from edgelint.api import Check
from edgelint.project import runtime_of

from ._runtime import SEGMENT_KINDS, remove_export_fix


class NoEdgeRuntimeOnOpenNext(Check):
    """## What it does
    Under OpenNext (`@opennextjs/cloudflare`), reports `runtime = 'edge'` or
    `'experimental-edge'` (top-level or in `config`) in any route or layout.

    ## Why is this bad?
    OpenNext runs Next.js' Node.js runtime on Workers and does not support the edge runtime; its
    docs and its `migrate` command tell you to remove the export (REFERENCE.md §0.5, §2.5). The
    Node.js runtime there has the full `nodejs_compat` surface, so the export only breaks things.

    ## Example
    ```ts
    export const runtime = 'edge'
    ```

    ## Use instead
    Remove the export (Node.js is the default).

    Fix: safe — removes a single-declaration `export const runtime = …` statement.
    """

    code, name, area = "EDGE111", "no-edge-runtime-on-opennext", "runtime"
    targets = frozenset({"opennext"})
    fixable = True

    def run(self, ctx):
        for route in ctx.routes(*SEGMENT_KINDS):
            if route.kind == "middleware":
                continue
            summary = ctx.summary_with(route.path, "runtime")
            own = runtime_of(summary, ctx.app, route.kind, route.path)
            if own is None or own.value not in ("edge", "experimental-edge"):
                continue
            fix = remove_export_fix(ctx, route.path, "runtime") if own.reason == "own" else None
            yield ctx.finding(self, route.path, own.span or summary.exports["runtime"].span,
                              f"OpenNext does not support the edge runtime: remove `runtime = '{own.value}'` "
                              "(routes run on Node.js on Workers)", fixes=[fix] if fix else [])
