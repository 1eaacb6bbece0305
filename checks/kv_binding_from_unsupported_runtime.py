from edgelint.api import Check

from ._runtime import runtime_evidence

#: App Router files rendered as (part of) a route, whose effective runtime edgelint knows.
APP_ROUTE_KINDS = ("page", "route", "metadata", "not-found", "default")
#: Pages Router components (§1.6: getRequestContext cannot be called from them).
PAGES_COMPONENT_KINDS = ("pages-page", "app", "document", "error")
BUILD_TIME_FUNCTIONS = ("generateStaticParams",)


class BindingFromUnsupportedRuntime(Check):
    """## What it does
    Reports a request context obtained where the route cannot have one on the target. Only route
    files themselves are judged (not helper modules they import):

    * next-on-pages: `getRequestContext()` / `getOptionalRequestContext()` in an App Router route
      whose effective runtime is not `edge` (its own `runtime` export, else its layouts', else
      `'nodejs'`); in a Pages Router page, `_app`, `_document` or `_error`; and in
      `generateStaticParams`, which runs at build time;
    * OpenNext: a synchronous `getCloudflareContext()` in `generateStaticParams` or in a route
      that is prerendered (`dynamic = 'force-static'`, or `revalidate` > 0 with nothing that makes
      it dynamic). A page without segment config is not reported, although Next.js prerenders
      it when nothing makes it dynamic: that depends on request-time APIs anywhere in what it
      renders (a session helper that reads `cookies()` makes it dynamic), which edgelint does
      not follow, and a wrong error would cost more than the miss.

    Calls at module top level are EDGE304's.

    ## Why is this bad?
    next-on-pages serves only edge functions and puts the request context in place only for
    them (REFERENCE.md §0.4, §2.4): a Node.js route is either prerendered at build time, where
    `getRequestContext()` throws and `next build` fails, or it fails the next-on-pages build
    (EDGE101 reports that at the route). `getRequestContext()` cannot be used from Pages Router
    components at all (§1.6); read bindings from `process.env` there. Under OpenNext,
    `getCloudflareContext()` must be called with `{ async: true }` in static routes and
    `generateStaticParams`; the synchronous form throws (§2.5).

    Targets: `next-on-pages`, `opennext`.

    ## Example
    ```tsx
    // app/stats/page.tsx, next-on-pages, no runtime export: Node.js
    export default async function Stats() {
      const { env } = getRequestContext()
      …
    }
    ```

    ## Use instead
    ```tsx
    export const runtime = 'edge'
    export default async function Stats() { const { env } = getRequestContext(); … }
    ```
    """

    code, name, area = "EDGE307", "binding-from-unsupported-runtime", "kv"
    severity = "error"
    targets = frozenset({"next-on-pages", "opennext"})

    def run(self, ctx):
        from ._kv import NEXT_ON_PAGES_APIS, kv_index

        index = kv_index(ctx)
        for path in sorted(index.files):
            file = index.files[path]
            route = ctx.app.route_for(path)
            if route is None:
                continue
            for call in file.contexts:
                if not call.in_function:
                    continue
                if ctx.target == "next-on-pages" and call.api in NEXT_ON_PAGES_APIS:
                    finding = self._next_on_pages(ctx, route, call)
                elif ctx.target == "opennext" and call.api == "getCloudflareContext" and not call.is_async:
                    finding = self._opennext(ctx, route, call)
                else:
                    finding = None
                if finding is not None:
                    yield finding

    def _next_on_pages(self, ctx, route, call):
        from edgelint.dynamic import dynamic_reason

        api = f"`{call.api}()`"
        if call.function_name in BUILD_TIME_FUNCTIONS:
            return ctx.finding(self, route.path, call.span,
                               f"{api} in `{call.function_name}`, which runs at build time: there is no request "
                               "context then, so it throws and the build fails; read build-time data another way",
                               api=call.api)
        if route.kind in PAGES_COMPONENT_KINDS:
            return ctx.finding(self, route.path, call.span,
                               f"{api} cannot be used in Pages Router components (next-on-pages supports it in "
                               "the App Router only); read bindings from `process.env` here", api=call.api)
        if route.router != "app" or route.kind not in APP_ROUTE_KINDS or route.runtime is None \
                or route.runtime.is_edge:
            return None
        reason = dynamic_reason(ctx.ws, ctx.app, route)
        if reason is not None:
            what = (f"it is dynamic ({reason}), and next-on-pages only serves edge functions: the build fails "
                    "for this route, and only edge functions get a request context")
        else:
            what = ("it is prerendered at build time, where there is no request context: the call throws and "
                    "`next build` fails")
        return ctx.finding(self, route.path, call.span,
                           f"{api} in {route.url}, which runs on the Node.js runtime "
                           f"({route.runtime.describe()}): {what}. Add `export const runtime = 'edge'`",
                           related=runtime_evidence(route, "the runtime comes from here"), api=call.api,
                           url=route.url)

    def _opennext(self, ctx, route, call):
        if call.function_name in BUILD_TIME_FUNCTIONS:
            why = f"in `{call.function_name}`, which runs at build time"
        elif route.router == "app" and route.kind in APP_ROUTE_KINDS:
            why = _prerendered(ctx, route)
            if why is None:
                return None
        else:
            return None
        return ctx.finding(self, route.path, call.span,
                           f"synchronous `getCloudflareContext()` {why}: OpenNext throws (\"sync mode is not allowed "
                           "there\"); use `await getCloudflareContext({ async: true })`", api=call.api, url=route.url)


def _prerendered(ctx, route) -> str | None:
    """Why an App Router route is prerendered at build time, or None when that is not certain."""
    from edgelint.dynamic import dynamic_reason
    from edgelint.project import literal_export

    for path in (route.path, *reversed(route.layouts)):  # the nearest `dynamic` export wins
        dynamic = literal_export(ctx.summary(path), "dynamic")
        if dynamic is None:
            continue
        if dynamic == "force-static":
            where = "" if path == route.path else f" in {ctx.app.local(path)}"
            return f"in {route.url}, a static route (`dynamic = 'force-static'`{where})"
        break
    revalidate = literal_export(ctx.summary(route.path), "revalidate")
    if isinstance(revalidate, (int, float)) and not isinstance(revalidate, bool) and revalidate > 0 \
            and dynamic_reason(ctx.ws, ctx.app, route) is None:
        return f"in {route.url}, a prerendered route (`revalidate = {revalidate}`)"
    return None
