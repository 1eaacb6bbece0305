import re

from edgelint.api import Check, Location

from edgelint.parsing import string_value

NEEDLES = (b"eval", b"Function", b"WebAssembly")
#: Expressions that evidently hold bytes, not a compiled `WebAssembly.Module`.
BYTES_HINTS = re.compile(r"arrayBuffer\(|\bfetch\(|Uint8Array|ArrayBuffer|Buffer\.from|readFile|\batob\(|base64",
                         re.I)
#: Hosts through which `eval` can be reached as a member (`globalThis.eval(…)`).
GLOBAL_OBJECTS = ("globalThis", "self", "window", "global")
#: Entries whose webpack layer `next build` checks for dynamic code: middleware, edge Pages API routes.
BUILD_CHECKED = frozenset({"middleware", "api"})


class NoDynamicCodeInEdge(Check):
    """## What it does
    Reports code generation from strings or bytes in edge code: `eval(…)` (also
    `globalThis.eval` and indirect `(0, eval)(…)`), `new Function(…)` / `Function(…)`,
    `WebAssembly.compile(…)`, `WebAssembly.compileStreaming(…)`,
    `WebAssembly.instantiateStreaming(…)`, `new WebAssembly.Module(…)`, and
    `WebAssembly.instantiate(…)` when its argument is evidently bytes (a `fetch` response's
    `arrayBuffer()`, a `Uint8Array`, `Buffer.from`, …). Instantiating a module imported from a
    `.wasm` file is fine and not reported. Local bindings named `eval` or `Function` are not the
    globals and are not reported.

    ## Why is this bad?
    Dynamic code evaluation is disabled in the Edge Runtime: `eval`, `new Function(evalString)`,
    `WebAssembly.compile` and `WebAssembly.instantiate` with a buffer (REFERENCE.md §2.2). Next.js
    fails the production build when such code is bundled for an edge entry ("Dynamic Code
    Evaluation (e. g. 'eval', 'new Function') not allowed in Edge Runtime") — for middleware and
    edge Pages API routes, the webpack layers its check runs in (`isInMiddlewareLayer`,
    next/dist/build/webpack/plugins/middleware-plugin.js, 14.2 to 15.5); in App Router routes and
    pages the code only fails when it runs —, and Workers refuse code generation at run time. `config.unstable_allowDynamic` in the entry (globs relative to
    the app root) only silences the build check for code that never runs; such code still throws
    if executed. A file matched by the `unstable_allowDynamic` of every entry that reaches it is
    therefore reported as a **warning** (run-time failure if reached) rather than an error.
    Under OpenNext only edge middleware is checked (routes run on Node.js there; EDGE111 reports
    `runtime = 'edge'`).

    ## Example
    ```ts
    const fn = new Function('a', 'b', 'return a + b')
    const { instance } = await WebAssembly.instantiate(await (await fetch(url)).arrayBuffer())
    ```

    ## Use instead
    ```ts
    const fn = (a: number, b: number) => a + b
    import wasm from './add.wasm?module'             // compiled at build time
    const instance = await WebAssembly.instantiate(wasm)
    ```
    """

    code, name, area = "EDGE203", "no-dynamic-code-in-edge", "edge-compat"
    severity = "error"

    def run(self, ctx):
        from ._compat import EdgeCode, compat_graph, edge_files, evidence

        graph = compat_graph(ctx)
        in_focus = [path for path in edge_files(ctx, graph) if ctx.in_focus(path)]  # findings are per file
        for path in ctx.ws.grep(in_focus, *NEEDLES):
            pf = ctx.parse(path)
            if pf is None:
                continue
            code = EdgeCode.of(pf)
            for target, what in self._uses(pf, code):
                span = pf.span(target)
                found = evidence(ctx, graph, path, Location(path, span, "evaluated here"))
                if not found.entries:
                    continue
                allowed = self._allowed(ctx, path, found.entries)
                if allowed:
                    message = (f"{what} in edge code: `unstable_allowDynamic` silences the build check, but the Edge "
                               f"Runtime still throws if this code runs (REFERENCE.md §2.2). {found.text}")
                    severity = "warning"
                elif any(entry.kind in BUILD_CHECKED for entry in found.entries):
                    message = (f"{what} in edge code: dynamic code evaluation is disabled in the Edge Runtime; "
                               f"`next build` fails (\"Dynamic Code Evaluation … not allowed in Edge Runtime\") and "
                               f"Workers refuse it at run time (REFERENCE.md §2.2). {found.text}")
                    severity = ""
                else:
                    message = (f"{what} in edge code: dynamic code evaluation is disabled in the Edge Runtime, so it "
                               f"throws when this code runs (`next build` checks middleware and Pages API routes "
                               f"only, not this entry) and Workers refuse it (REFERENCE.md §2.2). {found.text}")
                    severity = ""
                yield ctx.finding(self, path, span, message, severity=severity, related=found.related,
                                  flow=found.flow, api=what.strip("`"), **found.data)

    def _uses(self, pf, code):
        from ._compat import free_references

        found = []
        for ref in free_references(code, ("eval", "Function", "WebAssembly")):
            node = ref.node
            name = pf.text(node)
            parent = ref.up(1)
            if name == "eval":
                call = _call_of(node, ref.ancestors)
                if call is not None:
                    found.append((call, "`eval()`"))
            elif name == "Function":
                if parent is not None and parent.type in ("call_expression", "new_expression") and \
                        (parent.child_by_field_name("function") or parent.child_by_field_name("constructor")) == node:
                    found.append((parent, "`new Function()`" if parent.type == "new_expression" else "`Function()`"))
            else:
                hit = self._wasm(pf, ref)
                if hit is not None:
                    found.append(hit)
        for ref in free_references(code, GLOBAL_OBJECTS):  # globalThis.eval(…)
            parent = ref.up(1)
            if parent is not None and parent.type == "member_expression":
                prop = parent.child_by_field_name("property")
                if prop is not None and pf.text(prop) == "eval":
                    call = _call_of(parent, ref.above(1))
                    if call is not None:
                        found.append((call, "`eval()`"))
        found.sort(key=lambda item: item[0].start_byte)
        return found

    def _wasm(self, pf, ref):
        node, member = ref.node, ref.up(1)
        if member is None or member.type != "member_expression" or member.child_by_field_name("object") != node:
            return None
        prop = member.child_by_field_name("property")
        method = pf.text(prop) if prop is not None else ""
        outer = ref.up(2)
        if method == "Module" and outer is not None and outer.type == "new_expression":
            return outer, "`new WebAssembly.Module()`"
        if outer is None or outer.type != "call_expression" or outer.child_by_field_name("function") != member:
            return None
        if method in ("compile", "compileStreaming", "instantiateStreaming"):
            return outer, f"`WebAssembly.{method}()`"
        if method == "instantiate":
            args = outer.child_by_field_name("arguments")
            first = next((a for a in args.named_children if a.type != "comment"), None) if args is not None else None
            if first is not None and _is_bytes(pf, first):
                return outer, "`WebAssembly.instantiate()` of bytes"
        return None

    def _allowed(self, ctx, path: str, entries) -> bool:
        """Whether every entry's `config.unstable_allowDynamic` matches `path` (app-relative)."""
        from ._compat import glob_regex

        local = ctx.app.local(path)
        for entry in entries:
            summary = ctx.summary(entry.path)
            config = summary.value("config") if summary is not None else None
            globs = config.get("unstable_allowDynamic") if isinstance(config, dict) else None
            if isinstance(globs, str):
                globs = [globs]
            if not isinstance(globs, list) or not any(isinstance(g, str) and glob_regex(g).match(local) for g in globs):
                return False
        return True


def _call_of(node, ancestors):
    """The call that calls `node` directly, or through `(0, eval)` (indirect eval)."""
    parent = ancestors[0] if ancestors else None
    if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == node:
        return parent
    if parent is not None and parent.type == "sequence_expression":
        outer = ancestors[1] if len(ancestors) > 1 else None
        if outer is not None and outer.type == "parenthesized_expression":
            call = ancestors[2] if len(ancestors) > 2 else None
            if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == outer:
                return call
    return None


def _is_bytes(pf, node) -> bool:
    """Whether `node` evidently holds bytes (or is bound to such an initializer in this file)."""
    text = pf.text(node)
    if BYTES_HINTS.search(text):
        return True
    if node.type == "identifier":
        name = text
        for candidate in pf.walk():
            if candidate.type == "variable_declarator":
                ident = candidate.child_by_field_name("name")
                value = candidate.child_by_field_name("value")
                if ident is not None and pf.text(ident) == name and value is not None:
                    if string_value(value, pf) is not None:
                        return False
                    return bool(BYTES_HINTS.search(pf.text(value)))
    return False
