import re

from edgelint.api import Check

from ._runtime import SEGMENT_KINDS, replace_value_fix

VALID = ("edge", "nodejs", "experimental-edge")


class InvalidRuntimeValue(Check):
    """## What it does
    Reports a `runtime` value Next.js rejects or deprecates where it is used (REFERENCE.md §1.2):
    - any value other than `'edge'`, `'nodejs'`, `'experimental-edge'` (typos such as `'Edge'`):
      a build error everywhere;
    - `'experimental-edge'` in the App Router: a build error from Next.js 15.0, deprecated before;
    - `'edge'` in a Pages Router page (outside `pages/api`): a build error in every version —
      pages need `'experimental-edge'`;
    - `'experimental-edge'` in a Pages Router API route: works, with a warning to use `'edge'`;
    - `'edge'` before Next.js 13.0.7, which knows only `'experimental-edge'` and `'nodejs'`: a
      build error ("Provided runtime "edge" is not supported"; next 13.0.6 and 12.3.1
      `lib/constants.js`, `build/analysis/get-page-static-info.js`). Before 13.0 only
      `export const config = { runtime }` is read.

    ## Example
    ```ts
    // app/dashboard/page.tsx
    export const runtime = 'experimental-edge'
    ```

    ## Use instead
    ```ts
    export const runtime = 'edge'
    ```

    On the `opennext` target, where no edge spelling is right (EDGE111), the advice is to remove
    the export instead, and there is no rewrite.

    Fix: safe — rewrites the value for the three deprecated/wrong-router cases.
    """

    code, name, area = "EDGE104", "invalid-runtime-value", "runtime"
    fixable = True

    def run(self, ctx):
        from edgelint.project import read_runtime

        for route in ctx.routes(*SEGMENT_KINDS):
            summary = ctx.summary_with(route.path, "runtime")
            if summary is None:
                continue
            candidates = []
            export = summary.exports.get("runtime") if ctx.app.version_at_least(13) else None  # 12.x: `config` only
            value, readable = read_runtime(export, ctx.app)
            if export is not None and readable and value is not None:
                candidates.append((value, export.value_span or export.span))
            config = summary.value("config") if not candidates else None  # a top-level `runtime` wins (§1.2)
            if route.router == "pages" and isinstance(config, dict) and isinstance(config.get("runtime"), str):
                candidates.append((config["runtime"], summary.exports["config"].value_span))
            for value, span in candidates:
                problem = self._problem(route, value, ctx.app)
                if problem is None:
                    continue
                message, severity, replacement = problem
                if ctx.app.target == "opennext" and replacement is not None:  # no edge spelling is right there
                    advice = "; on OpenNext, which runs no edge runtime, remove the export (EDGE111)"
                    message, replacement = re.sub(r"; use '[\w-]+'$", "", message) + advice, None
                fix = replace_value_fix(ctx, route.path, span, value, replacement) if replacement else None
                yield ctx.finding(self, route.path, span, message, severity=severity, fixes=[fix] if fix else [])

    @staticmethod
    def _problem(route, value: str, app):
        if value not in VALID:
            said = (f"Invalid enum value. Expected 'edge' | 'nodejs', received '{value}'" if route.router == "app"
                    and app.version_at_least(15) else f"Provided runtime \"{value}\" is not supported")
            message = (f"'{value}' is not a runtime: Next.js fails the build (\"{said}\"); "
                       f"use '{app.edge_value}' or 'nodejs'")
            return message, "error", None
        if app.edge_value != "edge":
            if value != "edge":
                return None
            return (f"Next.js {app.next_version} knows no 'edge' runtime (it came in 13.0.7): `next build` fails "
                    "(\"Provided runtime \"edge\" is not supported\"); use 'experimental-edge'", "error",
                    "experimental-edge")
        if route.router == "app" and value == "experimental-edge":
            if app.version_at_least(15):
                return ("'experimental-edge' fails the build in the App Router from Next.js 15; use 'edge'",
                        "error", "edge")
            return "'experimental-edge' is deprecated in the App Router; use 'edge'", "warning", "edge"
        if route.kind == "pages-page" and value == "edge":
            return ("Pages Router pages cannot use 'edge': `next build` fails (\"Use runtime 'experimental-edge' "
                    "instead\"); use 'experimental-edge' (only API routes take 'edge')", "error",
                    "experimental-edge")
        if route.kind == "api" and value == "experimental-edge":
            return "API routes take 'edge'; 'experimental-edge' only works with a warning", "warning", "edge"
        return None
