from edgelint.api import Check, Location


class PolyfillNotEdgeSafe(Check):
    """## What it does
    Reports a Node.js built-in module that the edge runtime does not provide (`fs`, `path`,
    `node:crypto`, …) imported by a polyfill that the next.config `webpack` hook injects into the
    edge compilation — in the polyfill module itself or in any local module it imports. This is
    the analysis of the edge-compat checks (EDGE201) applied to the polyfill, which no route
    imports and the edge import graph therefore never reaches. `buffer`, `events`, `assert`,
    `util` and `async_hooks` (with or without `node:`) are supported and not reported; a bare
    name that is also an npm dependency resolves to that package.

    Not checked when the project builds with Turbopack: the hook is not called there and the
    polyfill is not built at all (EDGE508 reports that).

    ## Why is this bad?
    A polyfill runs in the edge runtime like any edge code, and a polyfill cannot make Node APIs
    work inside the edge compilation (REFERENCE.md §6.3 pitfall 6). The Next.js edge compiler
    supports only the five modules above; any other built-in is a build error (`node:x`
    everywhere, `x` in App Router edge code) or a stub that throws at run time (§2.2) — and the
    polyfill is prepended to every edge entry, so all of them are affected.

    ## Example
    ```js
    // lib/edge-polyfills.js
    import { randomBytes } from 'node:crypto'
    globalThis.randomId = () => randomBytes(8).toString('hex')
    ```

    ## Use instead
    ```js
    globalThis.randomId = () => crypto.randomUUID()   // Web Crypto is an edge global (§2.1)
    ```
    """

    code, name, area = "EDGE505", "polyfill-not-edge-safe", "polyfill"
    severity = "error"

    def run(self, ctx):
        from ._compat import chain_paths, compat_graph, format_chain, unsupported_builtin_imports
        from ._polyfill import bundler, injected_modules, injection_analysis, location

        analysis = injection_analysis(ctx)
        if analysis is None or bundler(ctx).turbopack:
            return
        entries = compat_graph(ctx).entries
        for module, _injection, added in injected_modules(analysis):
            injected = location(analysis, added.node, "injected into the edge entries here")
            for path in sorted(module.graph.edges):
                for edge in unsupported_builtin_imports(ctx, path, module.graph.edges[path]):
                    failure = self._failure(ctx, entries, edge.imp.source)
                    files = chain_paths(module.graph, path)
                    via = f" (imported through {format_chain(files)})" if len(files) > 1 else ""
                    flow = [injected] + [Location(e.importer, e.imp.span, f"imports '{e.imp.source}'")
                                         for e in module.graph.chain(path)]
                    flow.append(Location(path, edge.imp.span, f"imports '{edge.imp.source}'"))
                    yield ctx.finding(self, path, edge.imp.span,
                                      f"'{edge.imp.source}' is a Node.js built-in module that the edge runtime does "
                                      f"not provide, imported by the polyfill {module.path}{via}, which next.config "
                                      f"injects into the edge entries. {failure} A polyfill cannot make Node APIs "
                                      f"work on the edge (REFERENCE.md §2.2, §6.3 pitfall 6); use Web APIs, or one "
                                      f"of buffer, events, assert, util, async_hooks.",
                                      related=[injected], flow=flow, module=edge.imp.source)

    def _failure(self, ctx, entries, spec: str) -> str:
        from ._compat import failure_sentence

        found = failure_sentence(ctx, entries, spec)
        if found is not None:
            return found[1]
        if spec.startswith("node:"):
            return "Under webpack that is a build error (\"UnhandledSchemeError\")."
        return ("Under webpack that is a build error in App Router edge code (\"Module not found\") and a stub that "
                "throws when used in middleware.")
