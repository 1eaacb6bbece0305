from edgelint.api import Check, Location

from ._ratelimit import RatelimitOptions, get, ip_advice, known_api_calls


class LimiterKeyNotPerCaller(Check):
    """## What it does
    Reports a rate-limiter key that is the same for every caller, or undefined on the platform:

    * a constant: `ratelimit.limit('api')`, `env.RL.limit({ key: 'global' })`, a template with
      only constant parts;
    * the request path alone (`env.RL.limit({ key: pathname })` with `pathname` from
      `new URL(request.url)`, `request.nextUrl.pathname`, with constants around it), or the
      whole URL (`request.url`, `request.nextUrl.href`): every client of a URL shares its
      bucket. This is the line of Cloudflare's binding example, whose guidance is to key on a
      user, API key or tenant plus the route (§5.2);
    * `request.ip` on Next.js 15 or later (`NextRequest.ip` was removed in 15.0, so it is
      `undefined`; an unknown Next.js version is treated as the newest) when nothing but a
      constant follows it (`request.ip ?? 'anonymous'`);
    * a request header read with no fallback (`request.headers.get('x-forwarded-for')`):
      every request without that header is counted under `null`. Not the client-address
      headers the deployment target sets on every request: `cf-connecting-ip` on Cloudflare
      (next-on-pages, OpenNext; Cloudflare's "HTTP headers" reference), `x-forwarded-for` and
      `x-real-ip` on Vercel (Vercel's "Request headers" reference).

    The key is followed through `const` declarations, template literals, `??`/`||` and string
    conversions. Keys computed by helper functions are not followed.

    ## Why is this bad?
    A limiter counts per key (REFERENCE.md §5.1, §5.2). When every caller has the same key the
    limit is global: one client uses it up and every other client is refused — the limiter
    turns into an outage switch and no longer stops one abuser. Upstash's own middleware example
    keys on `request.ip`, which is `undefined` on Next 15+ (REFERENCE.md §5.1, §8b item 7). Cloudflare advises
    keying on a user, API key or tenant rather than the address (REFERENCE.md §5.2).

    Severity: error for `request.ip` on Next 15+ (certainly shared), warning otherwise (a
    constant may be a deliberate global cap: suppress with a reason).

    ## Example
    ```ts
    const { success } = await ratelimit.limit(request.ip ?? 'anonymous')   // Next 15
    ```

    ## Use instead
    ```ts
    const id = session?.user.id ?? request.headers.get('cf-connecting-ip') ?? 'anonymous'
    const { success } = await ratelimit.limit(`api:${id}`)
    ```
    """

    code, name, area = "EDGE603", "limiter-key-not-per-caller", "ratelimit"
    severity = "warning"
    Options = RatelimitOptions

    def run(self, ctx):
        from edgelint.ratelimit import key_verdict

        analysis = get(ctx, self)
        for call in known_api_calls(ctx, analysis):
            if call.key is None:
                continue
            mod = analysis.module(call.path)
            verdict = key_verdict(analysis, mod, call.key)
            if verdict.kind not in ("const", "path", "undefined-ip", "header-no-fallback"):
                continue
            key_span = mod.pf.span(call.key)
            related = []
            if verdict.node is not None and verdict.node != call.key:
                related.append(Location(call.path, mod.pf.span(verdict.node), "the key comes from here"))
            if verdict.kind == "const":
                message = (f"the key of `{call.callee}(…)` is {verdict.detail}: every caller shares one bucket, so "
                           f"one client can use up the limit for all. Key on the user, API key or client "
                           f"(e.g. {ip_advice(ctx)}); if a global cap is intended, suppress this with a reason")
                severity = ""
            elif verdict.kind == "path":
                message = (f"the key of `{call.callee}(…)` is {verdict.detail}: every client of a URL shares one "
                           f"bucket, so one client can use up its limit for all. Add the user, API key or client "
                           f"(e.g. {ip_advice(ctx)}) to the key")
                severity = ""
            elif verdict.kind == "undefined-ip":
                message = (f"the key of `{call.callee}(…)` is {verdict.detail}: every caller shares one bucket. "
                           f"Use {ip_advice(ctx)} or, better, a user or API key")
                severity = "error"
            else:
                advice = ip_advice(ctx)
                same = "x-forwarded-for" in advice and "x-forwarded-for" in verdict.detail.lower()
                fix = ("Make sure the proxy in front of the app sets it on every request, or key on the user or "
                       "API key") if same else f"Fall back to another per-client value (e.g. {advice}) or key on " \
                                               f"the user or API key"
                message = (f"the key of `{call.callee}(…)` is {verdict.detail}: every request without it is "
                           f"counted under the same `null` key. {fix}")
                severity = ""
            yield ctx.finding(self, call.path, key_span, message, severity=severity, related=related,
                              key=verdict.kind)
