from edgelint.api import Check
from edgelint.jsvalues import literal


class StaticParamsWithoutFallbackFalse(Check):
    """## What it does
    Under next-on-pages, reports `generateStaticParams` without `export const dynamicParams =
    false` (in a page, or in a layout above a page that is not edge), and Pages Router
    `getStaticPaths` returning a `fallback` other than `false`.

    ## Why is this bad?
    Next.js emits a Node.js function to render params that were not generated at build time,
    and next-on-pages rejects every Node.js function, so the build fails (REFERENCE.md §1.8,
    §2.4). `dynamicParams = false` (or `fallback: false`) makes unknown params a 404 instead.
    A route that exports `runtime = 'edge'` itself is fine: the on-demand function is then edge.

    ## Example
    ```tsx
    export async function generateStaticParams() { return [{ slug: 'a' }] }
    ```

    ## Use instead
    ```tsx
    export const dynamicParams = false
    export async function generateStaticParams() { return [{ slug: 'a' }] }
    ```
    """

    code, name, area = "EDGE109", "static-params-without-fallback-false", "runtime"
    targets = frozenset({"next-on-pages"})

    def run(self, ctx):
        from edgelint.project import literal_export

        reported_layouts: set[str] = set()
        for route in ctx.routes("page", "pages-page"):
            if route.runtime is not None and route.runtime.is_edge:
                continue
            summary = ctx.summary_with(route.path, "generateStaticParams", "getStaticPaths")
            if route.kind == "page":
                # the page's own generateStaticParams, else the nearest layout's (it generates the
                # params of the layout's segment; the pages below are rendered on demand for others)
                chain = [*route.layouts, route.path]
                owner = next((p for p in reversed(chain) if (s := ctx.summary_with(p, "generateStaticParams"))
                              is not None and "generateStaticParams" in s.exports), None)
                if owner is None or owner in reported_layouts:
                    continue
                summaries = [ctx.summary_with(p, "dynamicParams") for p in chain]
                if any(literal_export(s, "dynamicParams") is False for s in summaries):
                    continue
                pages = "" if owner == route.path else f" (the pages below this layout, such as {route.path})"
                if owner != route.path:
                    reported_layouts.add(owner)
                yield ctx.finding(
                    self, owner, ctx.summary(owner).exports["generateStaticParams"].span,
                    f"params not returned by `generateStaticParams` are rendered by a Node.js function{pages} "
                    "that next-on-pages rejects; add `export const dynamicParams = false` (or make the route edge)")
            elif summary is not None and route.kind == "pages-page" and "getStaticPaths" in summary.exports:
                fallback = self._fallback(ctx, route.path)
                if fallback is not None and fallback[0] is not False:
                    yield ctx.finding(
                        self, route.path, fallback[1],
                        f"`fallback: {fallback[2]}` renders unknown paths with a Node.js function that next-on-pages "
                        "rejects; use `fallback: false` with a non-empty `paths` list")

    @staticmethod
    def _fallback(ctx, path):
        """(value, span, text) of the `fallback` property returned by getStaticPaths, if literal."""
        pf = ctx.parse(path)
        if pf is None:
            return None
        for node in pf.walk():
            if node.type == "pair":
                key = node.child_by_field_name("key")
                if key is not None and pf.text(key) == "fallback":
                    value = node.child_by_field_name("value")
                    result = literal(value, pf)
                    if isinstance(result, (bool, str)):
                        return result, pf.span(node), pf.text(value)
        return None
