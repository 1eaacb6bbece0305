from edgelint.api import Check
from edgelint.jsvalues import Unknown

from ._runtime import SEGMENT_KINDS

OPTIONS = ("dynamic", "dynamicParams", "revalidate", "fetchCache", "preferredRegion", "maxDuration")
#: On 14.x only these go through Next's static reader (the others are ignored when unreadable).
READ_ON_14 = ("preferredRegion", "maxDuration")


class NonLiteralSegmentConfig(Check):
    """## What it does
    Reports a route segment option other than `runtime` (`dynamic`, `dynamicParams`,
    `revalidate`, `fetchCache`, `preferredRegion`, `maxDuration`) whose value is not a plain
    literal, e.g. `export const revalidate = 60 * 10`.

    ## Why is this bad?
    From Next.js 15.0 every segment export goes through the same static reader as `runtime`, and
    an unreadable value fails `next build` ("Unsupported node type "BinaryExpression" at
    "revalidate""). On 14.x the value is silently ignored for most options (REFERENCE.md §1.3).

    ## Example
    ```ts
    export const revalidate = 60 * 10
    ```

    ## Use instead
    ```ts
    export const revalidate = 600
    ```
    """

    code, name, area = "EDGE103", "non-literal-segment-config", "runtime"

    def run(self, ctx):
        v15 = ctx.app.version_at_least(15)
        for route in ctx.routes(*SEGMENT_KINDS):
            if route.router != "app":
                continue
            summary = ctx.summary_with(route.path, *OPTIONS)
            for option in OPTIONS:
                export = summary.exports.get(option) if summary else None
                if export is None or export.kind != "const":
                    continue
                if not isinstance(summary.value(option), Unknown):
                    continue
                if v15:
                    consequence = "`next build` fails on Next.js 15+"
                elif option in READ_ON_14:
                    consequence = "Next.js 14 cannot read it and uses the default"
                else:
                    consequence = "Next.js 14 ignores it (and 15+ fails the build)"
                yield ctx.finding(self, route.path, export.value_span or export.span,
                                  f"`{option}` must be a literal value that Next.js can read without running "
                                  f"the module ({summary.value(option).reason}): {consequence}",
                                  severity="error" if v15 else "warning")
