from edgelint.api import Check, Location, Span


class MiddlewareAndProxy(Check):
    """## What it does
    Reports a `middleware.ts` next to a `proxy.ts` in a Next.js 16 app (one of each, at the
    project root or in `src/`).

    ## Why is this bad?
    Next.js 16 renamed middleware to proxy and accepts one of the two: with both, `next build`
    fails ("Both middleware file … and proxy file … are detected", REFERENCE.md §1.7). A
    migration that adds `proxy.ts` and forgets to delete `middleware.ts` breaks the build, and
    until then it is unclear which of the two guards the app (its matcher, its rate limiter).

    ## Example
    ```text
    middleware.ts   // export function middleware(…) { … }
    proxy.ts        // export function proxy(…) { … }
    ```

    ## Use instead
    Keep `proxy.ts` (the 16.x name, always Node.js) with the code of both, and delete
    `middleware.ts`; or keep only `middleware.ts` while it must run on the edge.
    """

    code, name, area = "EDGE114", "middleware-and-proxy", "runtime"
    severity = "error"

    def run(self, ctx):
        middleware = ctx.routes("middleware")
        proxy = ctx.routes("proxy")
        if not middleware or not proxy:
            return
        for route in middleware:
            other = proxy[0]
            yield ctx.finding(
                self, route.path, _first_line(ctx, route.path),
                f"{ctx.app.local(route.path)} and {ctx.app.local(other.path)} both exist: Next.js 16 fails the "
                "build when it finds a middleware file and a proxy file; move the middleware code into "
                f"{ctx.app.local(other.path)} and delete {ctx.app.local(route.path)}",
                related=[Location(other.path, _first_line(ctx, other.path), "the proxy file")])


def _first_line(ctx, path: str) -> Span:
    text = ctx.ws.text(path) or ""
    first = text.split("\n", 1)[0].rstrip("\r")
    return Span(1, 1, 1, max(2, len(first) + 1))
