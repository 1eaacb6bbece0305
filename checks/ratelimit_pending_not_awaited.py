from edgelint.api import Check, Location

from ._ratelimit import RatelimitOptions, get, is_middleware, waituntil_advice


class RatelimitPendingNotAwaited(Check):
    """## What it does
    Reports an `@upstash/ratelimit` `limit()`/`blockUntilReady()` call whose `pending` promise is
    dropped — neither awaited nor handed to `waitUntil` — when the limiter is built with
    `analytics: true` (or is a `MultiRegionRatelimit`) and the call runs on the edge: any code
    of a next-on-pages or OpenNext app (Cloudflare Workers), or edge code of a Vercel app
    (an edge route or edge middleware and what they import).

    The limiter's construction is found through imports and factories; when it cannot be found,
    or `analytics` is not a literal, nothing is reported. A result whose verdict is ignored
    altogether is EDGE602's finding, and a result returned to the caller is the caller's.

    ## Why is this bad?
    `pending` carries the background work: the analytics write and multi-region sync. On
    Vercel Edge and Cloudflare Workers the isolate may stop as soon as the response is sent,
    so unless `pending` is passed to `waitUntil` that work is cut off (REFERENCE.md §5.1).

    ## Example
    ```ts
    const { success } = await ratelimit.limit(id)   // analytics: true
    ```

    ## Use instead
    ```ts
    const { success, pending } = await ratelimit.limit(id)
    event.waitUntil(pending)                          // middleware
    // getRequestContext().ctx.waitUntil(pending)     // next-on-pages
    // getCloudflareContext().ctx.waitUntil(pending)  // OpenNext
    // waitUntil(pending) from '@vercel/functions'    // Vercel
    ```
    """

    code, name, area = "EDGE605", "ratelimit-pending-not-awaited", "ratelimit"
    severity = "warning"
    targets = frozenset({"next-on-pages", "opennext", "vercel"})
    Options = RatelimitOptions

    def run(self, ctx):
        from edgelint.graph import shared_graph
        from edgelint.ratelimit import result_usage

        analysis = get(ctx, self)
        graph = None
        for call in analysis.limiter_calls():
            built = call.construction
            if call.kind != "upstash" or built is None or not (built.analytics or built.multi_region):
                continue
            if not ctx.in_focus(call.path):
                continue
            if ctx.target == "vercel":
                graph = graph or shared_graph(ctx)
                if not graph.is_edge(call.path):
                    continue
            mod = analysis.module(call.path)
            usage = result_usage(mod.pf, call.node)
            if usage.kind in ("ignored", "returned", "unknown") or usage.pending is not False:
                continue
            why = "`analytics: true`" if built.analytics else "a MultiRegionRatelimit"
            where = "the edge middleware" if is_middleware(ctx, call.path) else (
                "a Cloudflare Worker" if ctx.target in ("next-on-pages", "opennext") else "the edge runtime")
            message = (f"`pending` of `{call.callee}(…)` is dropped: with {why} the limiter's background work "
                       f"(analytics, sync) is cut off when {where} ends the request. Destructure `pending` and "
                       f"{waituntil_advice(ctx, call.path)}")
            related = [Location(built.path, built.span, f"limiter built here with {why}")]
            yield ctx.finding(self, call.path, call.span, message, related=related)
