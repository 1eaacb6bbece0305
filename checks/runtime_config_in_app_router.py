from edgelint.api import Check


class ConfigRuntimeInAppRouter(Check):
    """## What it does
    Reports `export const config = { runtime: … }` in an App Router file.

    ## Why is this bad?
    The App Router reads only the top-level `runtime` export. On Next.js 14 a `config` export
    there fails `next build` ("Page config in … is deprecated"); from 15.0 its `runtime` is
    ignored and the route stays on Node.js (REFERENCE.md §1.4, §1.6).

    ## Example
    ```ts
    // app/api/hello/route.ts
    export const config = { runtime: 'edge' }
    ```

    ## Use instead
    ```ts
    export const runtime = 'edge'
    ```
    """

    code, name, area = "EDGE105", "config-runtime-in-app-router", "runtime"

    def run(self, ctx):
        for route in ctx.routes("page", "layout", "route", "metadata", "template", "not-found", "default"):
            summary = ctx.summary_with(route.path, "config")
            if summary is None or "config" not in summary.exports:
                continue
            config = summary.value("config")
            if not (isinstance(config, dict) and "runtime" in config):
                continue
            if ctx.app.version_at_least(15):
                consequence = "Next.js 15+ ignores it, so the route runs on Node.js"
            else:
                consequence = "`next build` fails on Next.js 14 (\"Page config … is deprecated\")"
            yield ctx.finding(self, route.path, summary.exports["config"].span,
                              f"the App Router does not read `config.runtime`: {consequence}. "
                              "Use a top-level `export const runtime = …` instead")
