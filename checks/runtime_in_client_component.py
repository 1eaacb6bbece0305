from edgelint.api import Check

#: Segment options Next.js reads from the loaded module while rendering: a `'use client'` module
#: is only a client reference there, so they are lost. (`runtime`, `preferredRegion` and
#: `maxDuration` are read from the source at build time, whatever the directive.)
RENDER_TIME_OPTIONS = ("dynamic", "dynamicParams", "revalidate", "fetchCache")


class SegmentConfigInClientComponent(Check):
    """## What it does
    Reports route segment config that Next.js reads from the rendered module (`dynamic`,
    `dynamicParams`, `revalidate`, `fetchCache`) and `generateStaticParams` exported from a
    `'use client'` page or layout.

    `runtime`, `preferredRegion` and `maxDuration` are not reported: Next.js reads them from the
    file's source when it builds (`build/analysis/get-page-static-info`), directive or not, so
    `export const runtime = 'edge'` in a `'use client'` page does make it an edge function.

    ## Why is this bad?
    The render-time options are read from the page module's exports while rendering, and a
    `'use client'` module is only a client reference on the server: they are silently ignored
    (`dynamic = 'force-dynamic'` in a client page leaves it prerendered as static).
    `generateStaticParams` in a `'use client'` file fails the build (REFERENCE.md §1.1, §1.4).
    Verified by building the same app with Next.js 14.2.15, 15.5.0 and 16.0.0 (webpack and
    Turbopack): the client page with `runtime = 'edge'` is listed in the edge functions of
    `middleware-manifest.json`, the one with `dynamic = 'force-dynamic'` is prerendered (○).
    REFERENCE.md §1.4 says segment options have no effect in client files; the builds show that
    holds for the render-time options only.

    ## Example
    ```tsx
    'use client'
    export const dynamic = 'force-dynamic'
    export default function Page() { … }
    ```

    ## Use instead
    Move the export to a server `page.tsx`/`layout.tsx` that renders the client component.
    """

    code, name, area = "EDGE106", "segment-config-in-client-component", "runtime"

    def run(self, ctx):
        for route in ctx.routes("page", "layout", "template", "not-found", "default"):
            summary = ctx.summary_with(route.path, *RENDER_TIME_OPTIONS, "generateStaticParams")
            if summary is None or not summary.use_client:
                continue
            for option in (*RENDER_TIME_OPTIONS, "generateStaticParams"):
                export = summary.exports.get(option)
                if export is None:
                    continue
                if option == "generateStaticParams":
                    message = ("`generateStaticParams` cannot be exported from a 'use client' file: "
                               "`next build` fails")
                    severity = "error"
                else:
                    message = (f"`{option}` has no effect in a 'use client' file: Next.js reads it from the "
                               "rendered module, which is only a client reference here; move it to a server "
                               "page or layout")
                    severity = "warning"
                yield ctx.finding(self, route.path, export.span, message, severity=severity)
