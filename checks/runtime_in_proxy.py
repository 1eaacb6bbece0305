from edgelint.api import Check


class RuntimeInProxy(Check):
    """## What it does
    Reports a `runtime` export or `config.runtime` in `proxy.ts` (Next.js 16's successor of
    middleware).

    ## Why is this bad?
    Proxy always runs on Node.js, and any route segment config in a proxy file fails
    `next build` ("Route segment config is not allowed in Proxy file"; for `'edge'` Turbopack
    fails first with "Proxy does not support Edge runtime") — REFERENCE.md §0.2, §1.4.

    ## Example
    ```ts
    // proxy.ts
    export const runtime = 'edge'
    ```

    ## Use instead
    Remove the export. If the code must run on the edge, keep it in `middleware.ts`.
    """

    code, name, area = "EDGE107", "runtime-in-proxy", "runtime"

    def run(self, ctx):
        for route in ctx.routes("proxy"):
            summary = ctx.summary(route.path)
            if summary is None:
                continue
            if "runtime" in summary.exports:
                yield ctx.finding(self, route.path, summary.exports["runtime"].span,
                                  "a proxy file cannot export `runtime`: proxy always runs on Node.js and "
                                  "`next build` fails; remove it")
            config = summary.value("config")
            if isinstance(config, dict) and "runtime" in config:
                yield ctx.finding(self, route.path, summary.exports["config"].span,
                                  "a proxy file cannot set `config.runtime`: proxy always runs on Node.js and "
                                  "`next build` fails; remove it")
