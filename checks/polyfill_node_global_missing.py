from edgelint.api import Check, Location

MAX_RELATED_USES = 5


class NodeGlobalNotPolyfilled(Check):
    """## What it does
    When next.config injects a polyfill into the edge compilation that shims Node globals for edge
    code (it defines `process.nextTick`, `setImmediate`, …), reports each other Node global that
    edge code uses and that neither the edge runtime, nor Next.js, nor the injected polyfill
    provides. Edge code is what the edge-compat checks consider edge (edge routes, edge
    middleware, what is rendered with them and every module they import); uses are found
    scope-aware (a local `process` is not Node's), outside type positions and branches Next.js
    removes from edge bundles, and feature detection (`typeof setImmediate === 'function' ? …`)
    is not a use. Members of the global object count (`globalThis.setImmediate(…)`).

    The finding is made once per missing global, at the polyfill (where the fix goes), with the
    uses and the import chain that makes them edge code as evidence. `Buffer` is never reported:
    Next.js provides it to edge code in every version checked (REFERENCE.md §8a item 1). A polyfill that
    provides no Node global beyond what Next.js provides is not a Node-globals shim, and the
    Node globals edge code uses are then reported by EDGE202 alone. Not checked under Turbopack,
    where the hook is not called (EDGE508).

    ## Why is this bad?
    The edge runtime provides the Web globals of REFERENCE.md §2.1 and `process.env`; the Node
    APIs of `EDGE_UNSUPPORTED_NODE_APIS` are stubs that throw in Next's edge sandbox (§2.2). A
    polyfill that covers some of them but not all leaves edge code failing at run time on the
    ones it forgot.

    ## Example
    ```js
    // lib/edge-polyfills.js (injected for nextRuntime === 'edge')
    globalThis.process.nextTick ??= (fn, ...args) => queueMicrotask(() => fn(...args))
    // lib/jobs.ts (imported by an edge route)
    setImmediate(flush)
    ```

    ## Use instead
    ```js
    globalThis.setImmediate ??= (fn, ...args) => setTimeout(fn, 0, ...args)
    ```
    (or replace `setImmediate` in the edge code with `queueMicrotask` / `setTimeout`).
    """

    code, name, area = "EDGE506", "node-global-not-polyfilled", "polyfill"
    severity = "warning"

    def run(self, ctx):
        from ._compat import EDGE_UNSUPPORTED_NODE_APIS, compat_graph, evidence
        from ._polyfill import (PROVIDED_BY_NEXT, bundler, edge_uses, injected_modules, injection_analysis,
                                is_node_global, location)

        analysis = injection_analysis(ctx)
        if analysis is None or bundler(ctx).turbopack:
            return
        modules = injected_modules(analysis)
        defined = {name for module, _i, _a in modules for name in module.defined}
        shims = sorted(n for n in defined if is_node_global(n) and n not in PROVIDED_BY_NEXT)
        anchor = next(((m, a) for m, _i, a in modules if any(n in shims for n in m.defined)), None)
        if anchor is None:
            return
        module, added = anchor
        definition = next(d for d in module.definitions if d.name in shims)
        pf = ctx.parse(definition.path)
        if pf is None:
            return
        graph = compat_graph(ctx)
        # Node globals edge code may need from a polyfill: §2.2's list and the members of `process`
        needs = {*EDGE_UNSUPPORTED_NODE_APIS, "process"}
        for name, uses in sorted(edge_uses(ctx, needs).items()):
            if name == "process.env" or name in defined or name in PROVIDED_BY_NEXT \
                    or (name.startswith("process.") and "process" in defined):
                continue
            needed = [u for u in uses if not u.guarded]
            if not needed:
                continue
            first = needed[0]
            first_pf = ctx.parse(first.path)
            if first_pf is None:
                continue
            where = Location(first.path, first_pf.span(first.node), f"`{name}` used here")
            found = evidence(ctx, graph, first.path, where)
            if not found.entries:
                continue
            related = [where] + [Location(u.path, ctx.parse(u.path).span(u.node), f"`{name}` used here")
                                 for u in needed[1:MAX_RELATED_USES]]
            related.append(location(analysis, added.node, "the polyfill injected into the edge entries"))
            count = f" ({len(needed)} uses)" if len(needed) > 1 else ""
            message = (f"Edge code uses `{name}`{count}, which neither the edge runtime (REFERENCE.md §2.1, "
                       f"§2.2), nor Next.js, nor this polyfill provides: {module.path} shims "
                       f"{', '.join(f'`{s}`' for s in shims)} for edge code but not `{name}`, so it fails at run "
                       f"time. First use: {first.path}:{where.span.line}. {found.text} Add it to the polyfill, "
                       f"or replace it in the edge code.")
            yield ctx.finding(self, definition.path, pf.span(definition.node), message, related=related,
                              flow=found.flow, api=name, uses=len(needed), **found.data)
