from edgelint.api import Check


class ConfigRuntimeInAppRouter(Check):
    """## What it does
    Reports `export const config = { runtime: … }` in an App Router file.

    ## Why is this bad?
    The App Router reads only the top-level `runtime` export. Up to 13.3.0 Next.js still fell back
    to `config.runtime` (REFERENCE.md §1.2); 13.3.1 warns that the `config` export is deprecated
    and ignores it; from 13.3.2 through 14.x `next build` fails on it as deprecated (read in next
    13.3.0's, 13.3.1's and 13.3.2's `dist/build/analysis/get-page-static-info.js`);
    from 15.0 its `runtime` is ignored and the route stays on Node.js (§1.4, §1.6).

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
            consequence = _consequence(ctx.app.next_version)
            still_read = ctx.app.next_version is not None and not ctx.app.next_version.at_least(13, 3, 1)
            lead = "`config.runtime` is deprecated in the App Router" if still_read else \
                "the App Router does not read `config.runtime`"
            yield ctx.finding(self, route.path, summary.exports["config"].span,
                              f"{lead}: {consequence}. Use a top-level `export const runtime = …` instead")


def _consequence(version) -> str:
    """What Next.js `version` (None: unknown, taken as the newest) does with `config.runtime` there."""
    if version is None or version.at_least(15):
        return "Next.js 15+ ignores it, so the route runs on Node.js"
    if not version.at_least(13, 3, 1):
        return (f"Next.js {version} still reads it, but 13.3.1 ignores it and `next build` fails on it from "
                f"13.3.2")
    if (version.major, version.minor) == (13, 3) and version.patch < 2:
        return f"Next.js {version} warns that it is deprecated and ignores it, so the route runs on Node.js"
    return f"`next build` fails on Next.js {version} (it rejects the `config` export as deprecated)"
