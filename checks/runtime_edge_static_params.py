from edgelint.api import Check, Location


class EdgeWithGenerateStaticParams(Check):
    """## What it does
    Reports a file that exports both `runtime = 'edge'` and `generateStaticParams`.

    ## Why is this bad?
    From Next.js 15.0 this fails the build ("Page … cannot use both `export const runtime =
    'edge'` and export `generateStaticParams`"); 14.x accepts it. The check looks at one file's
    own exports, with `runtime` read as Next.js reads it (an `export let runtime` is skipped from
    15.0 under webpack, REFERENCE.md §1.3): a page that only inherits edge from a layout builds (REFERENCE.md
    §1.8).

    ## Example
    ```tsx
    export const runtime = 'edge'
    export async function generateStaticParams() { … }
    ```

    ## Use instead
    Drop one of them: prerender the params on Node.js, or render on demand on the edge.
    """

    code, name, area = "EDGE108", "edge-with-generate-static-params", "runtime"

    def run(self, ctx):
        from edgelint.project import read_runtime

        if not ctx.app.version_at_least(15):
            return
        for route in ctx.routes("page", "layout", "route", "metadata"):
            summary = ctx.summary_with(route.path, "generateStaticParams")
            if summary is None or "generateStaticParams" not in summary.exports:
                continue
            if read_runtime(summary.exports.get("runtime"), ctx.app) != ("edge", True):
                continue  # as Next.js reads it (an `export let` is skipped on 15+ under webpack, §1.3)
            yield ctx.finding(self, route.path, summary.exports["generateStaticParams"].span,
                              "`generateStaticParams` next to `runtime = 'edge'` fails `next build` on Next.js 15+",
                              related=[Location(route.path, summary.exports["runtime"].span, "edge runtime set here")])
