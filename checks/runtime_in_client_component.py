from edgelint.api import Check

from ._runtime import SEGMENT_OPTIONS


class SegmentConfigInClientComponent(Check):
    """## What it does
    Reports route segment config (`runtime`, `dynamic`, `revalidate`, …) and
    `generateStaticParams` exported from a `'use client'` page or layout.

    ## Why is this bad?
    Segment options only take effect in Server Components and Route Handlers, so in a client
    file they are silently ignored — the route keeps its default runtime. `generateStaticParams`
    in a `'use client'` file fails the build (REFERENCE.md §1.1, §1.4).

    ## Example
    ```tsx
    'use client'
    export const runtime = 'edge'
    export default function Page() { … }
    ```

    ## Use instead
    Move the export to a server `page.tsx`/`layout.tsx` that renders the client component.
    """

    code, name, area = "EDGE106", "segment-config-in-client-component", "runtime"

    def run(self, ctx):
        for route in ctx.routes("page", "layout", "template", "not-found", "default"):
            summary = ctx.summary_with(route.path, *SEGMENT_OPTIONS, "generateStaticParams")
            if summary is None or not summary.use_client:
                continue
            for option in (*SEGMENT_OPTIONS, "generateStaticParams"):
                export = summary.exports.get(option)
                if export is None:
                    continue
                if option == "generateStaticParams":
                    message = ("`generateStaticParams` cannot be exported from a 'use client' file: "
                               "`next build` fails")
                    severity = "error"
                else:
                    message = (f"`{option}` has no effect in a 'use client' file: segment config only applies "
                               "to Server Components; move it to a server page or layout")
                    severity = "warning"
                yield ctx.finding(self, route.path, export.span, message, severity=severity)
