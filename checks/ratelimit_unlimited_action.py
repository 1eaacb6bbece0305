from edgelint.api import Check, Figure, RouteFact, counted

from ._ratelimit import RatelimitOptions, get


class UnlimitedUserAction(Check):
    """## What it does
    Reports a user action that can be called without passing a rate limiter: an App Router route
    handler for a mutating method (`POST`, `PUT`, `PATCH`, `DELETE`; also `GET`/`HEAD` with
    `include-get`), a Pages Router API route, or a Server Action (every export of a
    `'use server'` module and every function with an inline `'use server'`).

    An action counts as limited when something on its way calls a limiter (`@upstash/ratelimit`
    `limit`/`blockUntilReady`, rate-limiter-flexible `consume`, a Cloudflare rate-limiting
    binding `env.X.limit({ key })`, an Arcjet client's `protect(req)` when a rate-limit rule —
    `slidingWindow`, `fixedWindow`, `tokenBucket` — is among its rules (shield or bot rules alone
    limit nothing), or a call named in `limiters`); where in the handler is not
    checked (a limiter called after the work it should guard still counts):

    * **inline** — the handler calls one, directly or through helper functions followed through
      imports a few calls deep;
    * **wrapper** — the export is `withX(handler)` and `withX` calls one (followed through
      imports), or `withX` is listed in `wrappers`;
    * **tRPC** — the handler serves a tRPC router (`fetchRequestHandler({ router })`,
      `createNextApiHandler({ router })`): its POSTs run the router's mutations, so it is limited
      when each mutation calls one, in its function or in a middleware of its procedure builder
      (`limitedProcedure = t.procedure.use(…)`), and partly when some do;
    * **middleware** — `middleware.ts`/`proxy.ts` calls one and its `config.matcher` covers the
      route's URL, evaluated with Next.js' matcher semantics (path-to-regexp patterns, arrays,
      regex groups and lookaheads; entries with `has`/`missing` only partly cover). Server
      Actions are covered by the matcher entry of the page that uses them. A limiter inside
      `if (pathname.startsWith('/api'))` covers only the paths the test admits, also through a
      function given the request (`isApiRoute(request)` with one `return`, or Clerk's
      `createRouteMatcher([...])`); other tests of the request URL only partly. A test of a
      request header or cookie covers only partly (the client chooses what it sends). That
      includes `Next-Action`, which Next's client code sends with server-action calls: a
      multipart form POST without it runs the action too (the no-JavaScript form path, read in
      next 15.3's `action-handler.js`), and a limiter behind it covers no route handler, whose
      callers do not send it. An early `return` that answers the
      request itself (a response, redirect or error; not `NextResponse.next()` or a rewrite, which
      goes on to a route without the middleware running again) does not open a gap: what it
      takes never reaches a route. A rewrite before the limiter does: the route it rewrites to
      is only partly covered when a concrete URL shows it (its condition holds, its destination
      is a URL of the route: `/api/v1/posts` rewritten to `/api/posts`).

    Query-builder `.limit(10)`, pagination arguments and functions merely *named* like a
    limiter that call none are not limiters (a project function named like one, e.g. a
    hand-written KV counter `checkRateLimit`, is still accepted, and so is `limiter.check(…)`,
    the LRU-cache limiter of Next.js' example `api-routes-rate-limit`). An action whose limiter result
    is ignored is reported by EDGE602 instead, and a handler that does nothing but answer an
    error (`return new Response('Method Not Allowed', { status: 405 })`) is not reported: a
    limiter would only change that answer to 429. Partial coverage is a warning that names the URLs
    or conditions that miss; when coverage cannot be decided (a non-literal matcher, a server
    action whose page was not found) the finding is a note. Methods of a route that export the
    same handler (`export { handler as POST, handler as PUT }`) are one finding that names them.

    ## Why is this bad?
    Every mutating endpoint and server action is reachable by anyone with `curl`; without a
    limiter it invites brute force (coupon codes, logins), spam and cost amplification. Server
    Actions are POSTs to their page path, so a matcher limited to `/api/:path*` does not cover
    them (REFERENCE.md §1.7, §1.10, §5.3, §5.4).

    ## Example
    ```ts
    // middleware.ts: export const config = { matcher: ['/api/:path*'] }
    // app/cart/actions.ts
    'use server'
    export async function applyCoupon(form: FormData) { … }   // POST /cart: not matched
    ```

    ## Use instead
    ```ts
    'use server'
    export async function applyCoupon(form: FormData) {
      const { success } = await ratelimit.limit(`coupon:${await userId()}`)
      if (!success) return { error: 'Too many attempts' }
      …
    }
    ```

    ## Options
    - `limiters` (list of callee names): extra calls that count as limiters (`"guard.check"`).
    - `wrappers` (list of names): higher-order functions from packages that limit what they wrap.
    - `include-get` (bool, default false): also require limits on `GET`/`HEAD` handlers.
    - `ignore-urls` (list of URL globs, default `["**/cron/**", "**/crons/**", "**/webhook/**",
      "**/webhooks/**"]`): machine endpoints that are not user actions. `*` matches within one
      segment, `**` across segments. The list replaces the default.

    A Pages API route that checks no `req.method` answers every method; it counts as a user
    action when it reads a request body, and as a read (like `GET`) otherwise. One that does is
    judged for the methods that change data: a limiter in a branch for other methods
    (`if (req.method === 'GET') {…}`, `case 'GET':`) does not cover them.

    `edgelint audit` shows, per route and per server action, how it is covered (inline, which
    wrapper, middleware, partial, none) and the share of covered actions.
    """

    code, name, area = "EDGE601", "unlimited-user-action", "ratelimit"
    severity = "warning"
    Options = RatelimitOptions

    def run(self, ctx):
        analysis = get(ctx, self)
        reported = [cov for cov in analysis.coverage() if ctx.in_focus(cov.action.path)
                    and cov.status not in ("covered", "excluded") and not cov.verdict_ignored]
        for group in _same_handler(reported):
            cov, action = group[0], group[0].action
            label = _label(action) if len(group) == 1 else \
                f"{_and_list([c.action.name for c in group])} {action.url}"
            data = dict(url=action.url, method=action.method, action=action.kind, status=cov.status,
                        pages=list(action.pages))
            if len(group) > 1:
                data["methods"] = [c.action.name for c in group]
            verb = "is" if len(group) == 1 else "are"
            if cov.status == "partial":
                advice = _advice(analysis, cov) if cov.covered_by != "inline" else \
                    ("Limit those as the others are: a limiting middleware on their procedure builder "
                     "(`.use(…)`), or a limiter call in the mutation")
                message = f"{label} {verb} only partly rate limited: {cov.detail}. {advice}"
                yield ctx.finding(self, action.path, action.span, message, related=cov.evidence, **data)
            elif cov.status == "unknown":
                message = f"cannot tell whether {label} {verb} rate limited: {cov.detail}"
                yield ctx.finding(self, action.path, action.span, message, severity="note",
                                  related=cov.evidence, **data)
            else:
                why = _why(action, cov)
                message = f"{label} {verb} not rate limited: {why}. {_advice(analysis, cov)}"
                yield ctx.finding(self, action.path, action.span, message, related=_related(analysis, cov), **data)


    def audit(self, ctx):
        """Per-action coverage for `edgelint audit`: figures for handlers and server actions, and
        a 'rate limit' fact per route file and per server action (how it is covered)."""
        from edgelint.ratelimit import page_label

        coverage = get(ctx, self).coverage()
        counted = [c for c in coverage if c.status != "excluded"]
        groups = (("mutating route handlers and API routes rate limited",
                   [c for c in counted if c.action.kind != "server-action"]),
                  ("server actions rate limited", [c for c in counted if c.action.kind == "server-action"]))
        for label, items in groups:
            if items:
                covered = [c for c in items if c.status == "covered"]
                yield Figure("ratelimit", label, len(covered), len(items), detail=_breakdown(items, coverage))
        if not counted:
            excluded = f", {len(coverage)} excluded ({', '.join(sorted({c.excluded_as for c in coverage}))})" \
                if coverage else ""
            yield Figure("ratelimit", "user actions", 0, None,
                         detail=f"no mutating route handler, API route or server action found{excluded}")
        by_file: dict[str, list[str]] = {}
        for cov in coverage:
            action = cov.action
            if action.kind == "server-action":
                pages = ", ".join(page_label(p) for p in action.pages) if action.pages else "(no page found)"
                text = f"`{action.name}`: {fact_text(cov)}"
                if action.inline:  # shares the row of the page that declares it
                    text = f"server action {text}"
                yield RouteFact(action.path, "rate limit", text, url=pages, kind="server action",
                                lines=(action.span.line,))
            else:
                by_file.setdefault(action.path, []).append(f"{action.name.replace('|', '/')}: {fact_text(cov)}")
        for path, texts in by_file.items():
            yield RouteFact(path, "rate limit", "; ".join(texts))


def _same_handler(reported) -> list[list]:
    """The coverages to report, those of one route's methods that export the same handler with the
    same verdict (`export { handler as POST, handler as PUT }`) in one group, in source order: one
    finding, at the first export, names every method."""
    groups: dict[tuple, list] = {}
    for cov in reported:
        action = cov.action
        node = action.node
        key = (action.path, action.url, action.node_path, node.start_byte, node.end_byte, cov.status, cov.detail) \
            if action.kind == "route" and node is not None else (id(cov),)
        groups.setdefault(key, []).append(cov)
    return [sorted(group, key=lambda c: c.action.span) for group in groups.values()]


def _and_list(names: list[str]) -> str:
    """`POST, PUT and DELETE`."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def fact_text(cov) -> str:
    """How one action is covered, in a few words (the audit's 'rate limit' column)."""
    if cov.status == "excluded":
        return f"excluded ({cov.excluded_as})"
    if cov.status == "unknown":
        return "unknown"
    if cov.verdict_ignored:
        return "none (limiter verdict ignored)"
    if cov.covered_by is None:
        return "none"
    text = cov.covered_by
    if cov.covered_by == "wrapper" and cov.evidence:
        text = cov.evidence[0].message  # "wrapper `withX`"
    elif cov.covered_by == "inline" and cov.limiter_calls:
        text = f"inline `{cov.limiter_calls[0].callee}`"
    if cov.heuristic:
        text += " (by name)"
    if cov.status == "partial":
        text = f"partial: {text}"
    return text


def _breakdown(items, everything) -> str:
    counts: dict[str, int] = {}
    for c in items:
        key = c.covered_by if c.status == "covered" else c.status
        if c.verdict_ignored:
            key = "verdict ignored"
        counts[key] = counts.get(key, 0) + 1
    order = ("inline", "wrapper", "middleware", "partial", "verdict ignored", "not-covered", "unknown")
    parts = [f"{counts[k]} {k if k != 'not-covered' else 'not limited'}" for k in order if counts.get(k)]
    excluded = [c.excluded_as for c in everything if c.status == "excluded" and
                (c.action.kind == "server-action") == (items[0].action.kind == "server-action")]
    machines = excluded.count("machine endpoint")
    if machines:
        parts.append(f"{counted(machines, 'machine endpoint')} excluded")
    if len(excluded) > machines:
        others = len(excluded) - machines
        parts.append(f"{counted(others, 'handler')} that only answer{'s' if others == 1 else ''} an error excluded")
    return ", ".join(parts)


def _label(action) -> str:
    from edgelint.ratelimit import page_label

    if action.kind == "server-action":
        shown = ", ".join(page_label(p) for p in action.pages[:3]) + (", …" if len(action.pages) > 3 else "")
        where = f" (a POST to {shown})" if action.pages else ""
        return f"server action `{action.name}`{where}"
    return action.label()


def _why(action, cov) -> str:
    parts = ["no limiter call in it" if action.kind == "server-action" else "no limiter call in the handler"]
    if cov.limited_methods:
        parts = [f"its limiter runs only for {'/'.join(cov.limited_methods)} (in an `if` on the method)"]
    if action.kind != "server-action":
        parts.append("no limiting wrapper")
    mw = cov.middleware
    if mw is not None:
        if mw.status == "none":
            parts.append("and no middleware")
        elif mw.status == "no-limiter":
            parts.append(f"and {mw.detail}")
        else:
            parts.append(f"and {mw.detail}")
    return ", ".join(parts)


def _advice(analysis, cov) -> str:
    action = cov.action
    tips = []
    mw = cov.middleware
    info = analysis.middleware()
    if mw is not None and mw.status in ("not-covered", "partial") and info and info.reaches:
        shown = ", ".join(f"'{_matcher_path(t)}'" for t in mw.missed[:3] if t)
        if mw.reason == "matcher" and shown:
            tips.append(f"add {shown} to the matcher in {info.route.path}")
        elif mw.reason == "matcher-branch" and shown:
            tips.append(f"add {shown} to the matcher in {info.route.path} and call its limiter for "
                        f"{'them' if len(mw.missed) > 1 else 'it'} there")
        elif mw.reason == "conditions" and shown:
            tips.append(f"drop the `has`/`missing` conditions of the matcher entry for {shown} in "
                        f"{info.route.path} (clients choose their headers, cookies and query)")
        elif mw.reason == "rewrite":
            tips.append(f"call the limiter in {info.route.path} before it rewrites")
        elif shown:
            tips.append(f"make {info.route.path} call its limiter for {shown}")
    if action.kind != "server-action":
        wrapper = analysis.known_wrapper()
        if wrapper is not None:
            name, loc = wrapper
            tips.append(f"wrap the handler with `{name}` ({loc.path})")
    known = analysis.known_limiter()
    deny = "return an error" if action.kind == "server-action" else "return 429"
    helper = analysis.known_helper(action.kind)
    if helper is not None:
        name, loc, user = helper
        tips.append(f"use `{name}(…)` ({loc.path}) as {user} does")
    elif known is not None and known.kind == "upstash":
        instance = known.callee.rsplit(".", 1)[0]
        where = known.construction.path if known.construction is not None else known.path
        tips.append(f"call `{instance}.limit(key)` ({where}) first, keyed on the user or client, and {deny} "
                    f"when `success` is false")
    elif known is not None:
        tips.append(f"call `{known.callee}({{ key }})` first and {deny} when `success` is false")
    else:
        tips.append(f"call a rate limiter first (`@upstash/ratelimit` `ratelimit.limit(key)`, or a Cloudflare "
                    f"rate-limiting binding `env.LIMITER.limit({{ key }})`) and {deny} when `success` is false")
    if len(tips) == 1:
        return tips[0][0].upper() + tips[0][1:]
    return "To cover it: " + "; or ".join(tips)


def _matcher_path(pattern: str) -> str:
    """A matcher source for a route pattern: `/blog/[slug]` -> `/blog/:slug`."""
    import re

    pattern = re.sub(r"\[\[\.\.\.([^\]]+)\]\]", r":\1*", pattern)
    pattern = re.sub(r"\[\.\.\.([^\]]+)\]", r":\1+", pattern)
    return re.sub(r"\[([^\]]+)\]", r":\1", pattern)


def _related(analysis, cov):
    related = list(cov.evidence)
    if cov.action.kind != "server-action":
        wrapper = analysis.known_wrapper()
        if wrapper is not None:
            loc = wrapper[1]
            related.append(type(loc)(loc.path, loc.span, "a rate-limiting wrapper used by other handlers"))
    return related
