from edgelint.api import Check, Location

#: What to use instead, for the built-ins people reach for most.
HINTS = {
    "fs": "read the data at build time (import JSON), or from KV/R2/`fetch` at run time",
    "path": "use string operations or `URL`, or the `path-browserify` package",
    "crypto": "use Web Crypto: the global `crypto.subtle`, `crypto.getRandomValues()`, `crypto.randomUUID()`",
    "child_process": "move this work to a Node.js route or a separate service",
    "http": "use the global `fetch`",
    "https": "use the global `fetch`",
    "net": "talk HTTP with `fetch`: the edge runtime has no raw sockets",
    "tls": "talk HTTPS with `fetch`: the edge runtime has no raw sockets",
    "os": "remove it: there is no operating system to ask on the edge",
    "stream": "use Web Streams (`ReadableStream`, `TransformStream`)",
    "zlib": "use `CompressionStream`/`DecompressionStream` where the platform has them, or a pure-JS library",
    "url": "use the global `URL` and `URLSearchParams`",
    "querystring": "use the global `URLSearchParams`",
    "string_decoder": "use the global `TextDecoder`",
    "timers": "use the global `setTimeout`/`setInterval`",
    "worker_threads": "move this work out of edge code",
    "dns": "use DNS over HTTPS with `fetch`",
}


class NoNodeBuiltinInEdge(Check):
    """## What it does
    Reports an import of a Node.js built-in module that the edge runtime does not provide (`fs`,
    `path`, `child_process`, `net`, `crypto`, `node:crypto`, …) in edge code: an edge route, edge
    middleware, a layout or `_app` rendered with an edge page, the app's `instrumentation.ts`
    when it has edge functions (Next.js loads it in each), or any module they import,
    directly or through a chain of imports (static, `export … from`, `import()`, `require()`).
    The finding is made once, at the import, with the shortest import chain from an edge entry
    as evidence (a SARIF code flow) and every entry that reaches it listed in the JSON `data`.
    Type-only imports (`import type`, imports used only as types) are erased by the compiler and
    never count.

    ## Why is this bad?
    The Next.js edge compiler supports only `buffer`, `events`, `assert`, `util` and
    `async_hooks` (with or without `node:`); Cloudflare's `nodejs_compat` does not widen this under
    next-on-pages (REFERENCE.md §2.2, §2.3). What happens to any other built-in
    depends on the prefix, the router and the bundler (REFERENCE.md §2.2), and the message says which:

    * `node:x` — **build error** under webpack everywhere ("UnhandledSchemeError"); under
      Turbopack the module fails when loaded (App Router routes already fail `next build`).
    * bare `x` in App Router edge code or an `experimental-edge` Pages Router page under
      webpack — **build error** ("Module not found: Can't resolve 'x'").
    * bare `x` in middleware or a Pages Router edge API route (webpack), or anywhere under
      Turbopack — a build *warning* and a stub that **throws at run time** when used.

    A module bundled for several entries gets the worst outcome among them, and the message
    names the entry it comes from.

    A bare name that is also an npm dependency of the package (e.g. `url`, `events`,
    `punycode`) resolves to that package and is not reported, unless npm's package of that name
    ships no code (`crypto`, `child_process`, `dgram`, `tty`: placeholders; `fs`, `http`). Under OpenNext, routes run on
    Node.js and `runtime = 'edge'` is itself reported (EDGE111), so only edge middleware is
    checked there.

    ## Example
    ```ts
    // app/api/products/[id]/route.ts: export const runtime = 'edge'; import { price } from '@/lib/pricing'
    // lib/pricing.ts
    import { readFileSync } from 'fs'
    ```

    ## Use instead
    ```ts
    import rates from '@/content/rates.json'   // bundled at build time
    ```
    For `crypto`, use Web Crypto (`crypto.subtle`); for `path`, string operations or
    `path-browserify`.
    """

    code, name, area = "EDGE201", "no-node-builtin-in-edge", "edge-compat"
    severity = "error"

    def run(self, ctx):
        from ._compat import compat_graph, edge_files, evidence, failure_sentence, unsupported_builtin_imports

        graph = compat_graph(ctx)
        for path in edge_files(ctx, graph):
            for edge in unsupported_builtin_imports(ctx, path, graph.edges.get(path, ())):
                where = Location(path, edge.imp.span, f"imports '{edge.imp.source}'")
                found = evidence(ctx, graph, path, where)
                if not found.entries:
                    continue
                kind, failure = failure_sentence(ctx, found.entries, edge.imp.source)
                hint = HINTS.get(edge.resolved.target)
                via = {"dynamic": " (in `import()`)", "require": " (in `require()`)"}.get(edge.imp.kind, "")
                message = (f"'{edge.imp.source}'{via} is a Node.js built-in module that the edge runtime does not "
                           f"provide. {failure} {found.text}" + (f" Instead, {hint}." if hint else ""))
                yield ctx.finding(self, path, edge.imp.span, message, related=found.related, flow=found.flow,
                                  module=edge.imp.source, failure=kind, **found.data)
