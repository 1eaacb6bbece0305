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
    "revalidate""); the reader takes `satisfies` from 15.0 and `as`/`as const` only from 16.3,
    never a parenthesised value. On 14.x, `preferredRegion` and `maxDuration` must be plain
    literals (else the default is used) and the other options are read when rendering, so only
    the coming build failure is reported for them, as a warning (REFERENCE.md §1.3).

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
        app = ctx.app
        v15 = app.version_at_least(15)
        for route in ctx.routes(*SEGMENT_KINDS):
            if route.router != "app":
                continue
            summary = ctx.summary_with(route.path, *OPTIONS)
            for option in OPTIONS:
                export = summary.exports.get(option) if summary else None
                if export is None or export.kind != "const":
                    continue
                why, fails_until = _unreadable(summary.value(option), export.form, option, app)
                if why is None:
                    continue
                if v15:
                    consequence = "`next build` fails on Next.js 15+"
                elif option in READ_ON_14:
                    consequence = "Next.js 14 cannot read it and uses the default"
                else:
                    consequence = f"Next.js 14 reads it when rendering, but `next build` fails on Next.js {fails_until}"
                yield ctx.finding(self, route.path, export.value_span or export.span,
                                  f"`{option}` must be a literal value that Next.js can read without running "
                                  f"the module ({why}): {consequence}", severity="error" if v15 else "warning")


def _unreadable(value, form: str, option: str, app) -> tuple[str | None, str]:
    """Why Next.js' static reader cannot read the value on this version (None when it can), and
    the versions whose build it fails ('15+', '15.0-16.2'), REFERENCE.md §1.3: from 15.0 every
    segment export goes through the reader, which takes `satisfies` from 15.0 and `as`/`as
    const` from 16.3, never parentheses; 14.x reads `preferredRegion` and `maxDuration` as plain
    literals only (the other options it reads when rendering)."""
    if isinstance(value, Unknown):
        return value.reason, "15+"
    if form == "parenthesized":
        return "a parenthesised value", "15+"
    if form in ("as", "as-const") and not app.version_at_least(16, 3, unknown=False):
        return ("`as const`" if form == "as-const" else "a type assertion"), "15.0-16.2"
    if not app.version_at_least(15) and option in READ_ON_14 and form in ("satisfies", "template", "as", "as-const"):
        return {"satisfies": "`satisfies`", "template": "a template literal"}.get(form, "a type assertion"), "15+"
    return None, ""
