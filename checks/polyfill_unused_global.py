from edgelint.api import Check


class PolyfillUnusedGlobal(Check):
    """## What it does
    Reports a global that a polyfill injected into the edge compilation defines
    (`globalThis.X = …`, `global.X = …`, `self.X = …`, `Object.defineProperty(globalThis, 'X', …)`,
    `process.nextTick = …`) and that no edge source file uses — neither as a free reference
    (scope-aware, as the edge-compat checks search) nor as `globalThis.X`. A note: packages under
    `node_modules` are not read, and a dependency may be the reason for the polyfill.

    Not checked under Turbopack, where the hook is not called (EDGE508).

    ## Why is this bad?
    Every edge entry loads the polyfill before anything else (REFERENCE.md §6.3), so code that
    nothing uses costs size and start-up time in every edge function; stale shims also hide which
    Node APIs the edge code really relies on.

    ## Example
    ```js
    // lib/edge-polyfills.js
    globalThis.setImmediate ??= (fn) => setTimeout(fn, 0)   // nothing on the edge calls it
    ```

    ## Use instead
    Remove the shim (or keep it and suppress this note when a dependency needs it).
    """

    code, name, area = "EDGE507", "polyfill-unused-global", "polyfill"
    severity = "note"

    def run(self, ctx):
        from ._compat import compat_graph, edge_files
        from ._polyfill import bundler, edge_uses, injected_modules, injection_analysis, location

        analysis = injection_analysis(ctx)
        if analysis is None or bundler(ctx).turbopack:
            return
        modules = injected_modules(analysis)
        names = {d.name for module, _i, _a in modules for d in module.definitions}
        if not names:
            return
        uses = edge_uses(ctx, names)
        count = len(edge_files(ctx, compat_graph(ctx)))
        for module, _injection, added in modules:
            members = any(d.name.startswith("process.") for d in module.definitions)
            seen = {"process"} if members else set()  # the container of shimmed members
            for definition in module.definitions:
                name = definition.name
                if name in seen:
                    continue
                seen.add(name)
                used = uses.get(name) or (name == "process" and any(k.startswith("process.") for k in uses))
                if used:
                    continue
                pf = ctx.parse(definition.path)
                if pf is None:
                    continue
                yield ctx.finding(self, definition.path, pf.span(definition.node),
                                  f"The polyfill {module.path} defines `{name}` for the edge, but none of the "
                                  f"{count} edge source file{'s' if count != 1 else ''} uses it. Packages under "
                                  f"node_modules were not read: if a dependency needs it, keep it and suppress this "
                                  f"note; otherwise remove it.",
                                  related=[location(analysis, added.node,
                                                    "the polyfill injected into the edge entries")],
                                  api=name)
