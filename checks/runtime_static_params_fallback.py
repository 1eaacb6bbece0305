from edgelint.api import Check
from edgelint.jsvalues import literal
from edgelint.project import literal_export


class StaticParamsWithoutFallbackFalse(Check):
    """## What it does
    Under next-on-pages, reports `generateStaticParams` without `export const dynamicParams =
    false`, and Pages Router `getStaticPaths` returning a `fallback` other than `false`.

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
        for route in ctx.routes("page", "pages-page"):
            summary = ctx.summary_with(route.path, "generateStaticParams", "getStaticPaths")
            if summary is None or (route.runtime is not None and route.runtime.is_edge):
                continue
            if route.kind == "page" and "generateStaticParams" in summary.exports:
                chain = [ctx.summary(p) for p in route.layouts] + [summary]
                if not any(literal_export(s, "dynamicParams") is False for s in chain):
                    yield ctx.finding(
                        self, route.path, summary.exports["generateStaticParams"].span,
                        "params not returned by `generateStaticParams` are rendered by a Node.js function that "
                        "next-on-pages rejects; add `export const dynamicParams = false` (or make the route edge)")
            elif route.kind == "pages-page" and "getStaticPaths" in summary.exports:
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
