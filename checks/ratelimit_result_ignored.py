from edgelint.api import Check, Location

from ._ratelimit import RatelimitOptions, get, known_api_calls


class LimiterResultIgnored(Check):
    """## What it does
    Reports a rate-limiter call whose verdict is never looked at: `await ratelimit.limit(id)` as
    a statement, a result whose `success` is never read (`const { pending } = await …`, or
    `success` destructured and unused; a test of `remaining` that holds for every refused
    request, such as `remaining <= 0`, counts as reading it; the result is followed into a
    `.then(result => …)` callback and to its place in `const [a, b] = await Promise.all([…])`), a
    Cloudflare binding's `{ success }` ignored, a limiter promise only handed to `waitUntil`, or a
    verdict only passed to `console.log`. It also reports a call to a project helper that returns
    a limiter's verdict (`return ratelimit.limit(id)`, or its `success`: `return success`) when
    the caller discards it or only logs it, and
    a `success` that is read but never refuses anything: `if (!success) console.warn(…)` (only
    logged), `if (!success) return NextResponse.next()` (passed on), or copied into a response
    header. A failing branch that returns, throws or calls anything else (`redirect()` throws)
    counts as a refusal. Testing the result itself (`if (!ratelimit.limit(ip))`,
    `if (!(await env.RL.limit({ key })))`, or a helper's returned verdict) is reported too: a
    Promise and the `{ success }` object are always truthy, so the test never refuses.
    rate-limiter-flexible's `consume(key)` rejects instead of returning a verdict: it is reported
    when it is neither awaited nor returned, or when the `catch` around it is empty or only logs
    (one that answers, rethrows or records the rejection decides). An Arcjet `protect(req)`
    decision is reported when it is discarded or never read (`decision.isDenied()` reads it).

    ## Why is this bad?
    A limiter only counts requests; it does not block anything. `limit()` resolves to
    `{ success, limit, remaining, reset, pending }` (Upstash, REFERENCE.md §5.1) or
    `{ success }` (Cloudflare binding, REFERENCE.md §5.2), and the handler must refuse the request when
    `success` is false. Without that check the endpoint is not limited at all, while the code
    (and an audit that greps for `.limit(`) suggests it is.

    ## Example
    ```ts
    export async function POST(request: NextRequest) {
      await ratelimit.limit(ip)
      …
    }
    ```

    ## Use instead
    ```ts
    const { success, pending } = await ratelimit.limit(ip)
    getRequestContext().ctx.waitUntil(pending)
    if (!success) return new Response('Too many requests', { status: 429 })
    ```
    """

    code, name, area = "EDGE602", "limiter-result-ignored", "ratelimit"
    severity = "error"
    Options = RatelimitOptions

    def run(self, ctx):
        from edgelint.ratelimit import OBJECT_VERDICTS, result_usage

        analysis = get(ctx, self)
        analysis.coverage()  # records helper calls whose returned verdict is dropped
        for call in known_api_calls(ctx, analysis):
            mod = analysis.module(call.path)
            usage = result_usage(mod.pf, call.node, call.kind in OBJECT_VERDICTS)
            if usage.kind != "ignored":
                continue
            what = "{ success }" if call.kind == "cloudflare" else "`success`"
            if call.callee.endswith("consume"):
                advice = "Let its rejection stop the request: await it, and answer 429 (or rethrow) in the `catch`"
            elif call.kind == "arcjet":
                advice = "Keep its decision and refuse the request (429) when `decision.isDenied()`"
            else:
                advice = f"Read {what} and refuse the request (429) when it is false"
            message = (f"the verdict of `{call.callee}(…)` is never acted on: {usage.reason}, so requests over "
                       f"the limit go through. {advice}")
            yield ctx.finding(self, call.path, call.span, message, limiter=call.kind)
        for (path, _start), (hop, boolean) in sorted(analysis.ignored_helper_calls.items()):
            if not ctx.in_focus(path):
                continue
            mod = analysis.module(path)
            reach = analysis.call_reach(mod, hop.node, 4)
            usage = result_usage(mod.pf, hop.node, reach is not None and reach.call.kind in OBJECT_VERDICTS
                                 and not boolean)
            related = [reach.call.location("the limiter whose verdict the helper returns")] if reach else []
            reason = usage.reason or "it is discarded"
            what = "it" if boolean else "its `success`"
            yield ctx.finding(self, path, hop.span,
                              f"`{hop.what}(…)` returns a rate limiter's verdict, but {reason}; check {what} "
                              f"and refuse the request (429) when it is false",
                              related=[Location(r.path, r.span, r.message) for r in related], limiter="helper")
