from edgelint.api import Check, Location
from edgelint.parsing import string_value

#: CommonJS module globals: there is no module file (nor a file system) on the edge.
MODULE_GLOBALS = ("__dirname", "__filename")


class NoNodeGlobalInEdge(Check):
    """## What it does
    Reports Node.js-only globals and APIs in edge code (edge routes, edge middleware, what is
    rendered with them and every module they import):

    * `process.<anything>` other than `process.env` (`process.cwd()`, `process.nextTick()`,
      `process.argv`, `process.exit()`, …), also destructured (`const { cwd } = process`) —
      **error**;
    * `__dirname` and `__filename` — **error**;
    * `require(variable)`, `require.resolve()`, `require.cache` — **error** (nothing can load a
      module at run time); a plain `require('literal')` is bundled by webpack and reported as a
      **warning** (the docs ask for ES modules), except in a package folder inside the tree that
      the app imports by path and does not depend on (a Prisma client generated into the app):
      that is how the package is built, like one in `node_modules`;
    * the Node globals Next.js lists as `EDGE_UNSUPPORTED_NODE_APIS`: `setImmediate`,
      `clearImmediate`, `MessageChannel`, `BroadcastChannel`, `CompressionStream`, …, also read
      from the global object (`globalThis.setImmediate(…)`) — **warning**.

    Only references to the *global* are reported: a parameter, variable, import, function, class
    or `catch` binding of the same name in an enclosing scope is not Node's (`function f(process)
    { process.steps }` is fine). Feature detection is not a use: `typeof setImmediate`, an
    uncalled test such as `if (process.version)`, an optional chain on it
    (`process.versions?.node`), an assignment (`process.nextTick = …`: a shim defines it), or
    code inside a branch whose condition mentions the name (`typeof setImmediate === 'function'
    ? setImmediate(f) : setTimeout(f)`). Code in a branch on `process.env.NEXT_RUNTIME` or
    `typeof EdgeRuntime` that cannot run on the edge is skipped (Next.js removes it from edge
    bundles), and so is a branch on a `const` of the file that holds such a test (`const isEdge =
    process.env.NEXT_RUNTIME === 'edge'`): it never runs there. Bare `Buffer` is **not** reported:
    Next.js provides it to edge code in every version (REFERENCE.md §8a item 1), and neither is a
    global that a polyfill injected into the edge compilation from `next.config` defines (the
    polyfill checks, EDGE5xx, judge the injection itself). Under OpenNext, routes run on Node.js
    (a `runtime = 'edge'` export is reported by EDGE111 instead), so only edge middleware is
    checked.

    ## Why is this bad?
    The Next.js Edge Runtime documents `process.env` and the Web-standard globals only (§2.1);
    `require` is not available (§2.2). For `EDGE_UNSUPPORTED_NODE_APIS`, webpack prints a build
    warning in middleware and edge API routes ("A Node.js API is used (setImmediate …) which is
    not supported in the Edge Runtime"), and Next's own edge sandbox (`next dev`, `next start`)
    replaces each with a stub that throws when called (§2.2); some of them exist on Cloudflare's
    runtime, so the failure can hide until you run the app elsewhere. All of these fail at **run
    time**, not at build time.

    ## Example
    ```ts
    setImmediate(flush)
    const root = process.cwd()
    ```

    ## Use instead
    ```ts
    queueMicrotask(flush)                  // or setTimeout(flush, 0), or ctx.waitUntil(...)
    const base = new URL(request.url).origin
    ```
    """

    code, name, area = "EDGE202", "no-node-global-in-edge", "edge-compat"
    severity = "error"

    def run(self, ctx):
        from ._compat import EDGE_UNSUPPORTED_NODE_APIS, EdgeCode, compat_graph, edge_files, evidence, free_references
        from ._polyfill import provided_on_edge

        names = (*EDGE_UNSUPPORTED_NODE_APIS, *MODULE_GLOBALS, "process", "require")
        graph = compat_graph(ctx)
        self.polyfilled = provided_on_edge(ctx)
        self.packaged = _packaged_folders(ctx)
        in_focus = [path for path in edge_files(ctx, graph) if ctx.in_focus(path)]  # findings are per file
        for path in ctx.ws.grep(in_focus, *(name.encode() for name in names)):
            pf = ctx.parse(path)
            if pf is None:
                continue
            code = EdgeCode.of(pf)
            for ref in free_references(code, (*names, "globalThis")):
                report = self._judge(pf, ref)
                if report is None:
                    continue
                target, message, severity = report
                span = pf.span(target)
                found = evidence(ctx, graph, path, Location(path, span, "used here"))
                if not found.entries:
                    continue
                yield ctx.finding(self, path, span, f"{message} {found.text}", severity=severity,
                                  related=found.related, flow=found.flow, api=pf.text(target), **found.data)

    def _judge(self, pf, ref):
        """(node to report, message, severity) for a free reference, or None when it is fine."""
        from ._compat import is_guarded

        node = ref.node
        name = pf.text(node)
        parent = ref.up(1)
        if name == "globalThis":
            return self._global_member(pf, ref)
        if name == "process":
            member = parent if parent is not None and parent.type in ("member_expression", "subscript_expression") \
                and parent.child_by_field_name("object") == node else None
            if member is None:
                return self._destructured_process(pf, ref)
            prop = member.child_by_field_name("property") or member.child_by_field_name("index")
            prop_name = pf.text(prop) if prop is not None and prop.type != "string" else string_value(prop, pf)
            if prop_name is None or prop_name == "env" or f"process.{prop_name}" in self.polyfilled:
                return None
            if is_guarded(pf, member, ref.above(1), f"process.{prop_name}"):
                return None
            outer = ref.up(2)
            if outer is not None and outer.type in ("assignment_expression", "augmented_assignment_expression") \
                    and outer.child_by_field_name("left") == member:
                return None  # `process.nextTick = …` defines it (a polyfill), it uses nothing
            called = outer is not None and outer.type == "call_expression" and \
                outer.child_by_field_name("function") == member
            what = f"`process.{prop_name}{'()' if called else ''}`"
            return member, (f"{what} is Node.js-only: the edge runtime's `process` provides `process.env` only "
                            f"(REFERENCE.md §2.1), so this fails or is undefined at run time."), "error"
        if name in self.polyfilled:
            return None  # the injected edge polyfill defines it (EDGE506 checks the injection)
        if name in MODULE_GLOBALS:
            if is_guarded(pf, node, ref.ancestors, name):
                return None
            return node, (f"`{name}` is a CommonJS/Node.js global: edge code has no module directory and no "
                          f"file system, so it is undefined or meaningless at run time."), "error"
        if name == "require":
            return self._require(pf, ref)
        if is_guarded(pf, node, ref.ancestors, name):
            return None
        called = parent is not None and parent.type in ("call_expression", "new_expression")
        return node, (f"`{name}` is a Node.js API that the Next.js Edge Runtime does not provide "
                      f"(EDGE_UNSUPPORTED_NODE_APIS): a build warning in middleware and edge API routes, and a stub "
                      f"that throws when {'called' if called else 'used'} at run time in Next's edge sandbox."
                      + (" Use `queueMicrotask()` or `setTimeout(fn, 0)` (or `waitUntil` for background work)."
                         if name in ("setImmediate", "clearImmediate") else "")), "warning"

    def _destructured_process(self, pf, ref):
        """`const { cwd, nextTick } = process`: the members taken other than `env`; else None
        (`typeof process`, passing `process` around: nothing is used yet)."""
        declarator = ref.up(1)
        pattern = declarator.child_by_field_name("name") if declarator is not None and \
            declarator.type == "variable_declarator" and declarator.child_by_field_name("value") == ref.node else None
        if pattern is None or pattern.type != "object_pattern":
            return None
        taken = []
        for entry in pattern.named_children:
            key = entry.child_by_field_name("key") if entry.type == "pair_pattern" else \
                entry.child_by_field_name("left") if entry.type == "object_assignment_pattern" else entry
            if key is not None and key.type in ("shorthand_property_identifier_pattern", "property_identifier"):
                member = pf.text(key)
                if member != "env" and f"process.{member}" not in self.polyfilled:
                    taken.append(member)
        if not taken:
            return None
        what = ", ".join(f"`process.{m}`" for m in taken)
        verb = "is" if len(taken) == 1 else "are"
        return pattern, (f"{what} {verb} Node.js-only: the edge runtime's `process` provides `process.env` "
                         f"only (REFERENCE.md §2.1), so this is undefined at run time."), "error"

    def _global_member(self, pf, ref):
        """`globalThis.setImmediate(…)`: a Node API read from the global object, judged as the bare name."""
        from ._compat import EDGE_UNSUPPORTED_NODE_APIS, is_guarded

        member = ref.up(1)
        if member is None or member.type != "member_expression" or member.child_by_field_name("object") != ref.node:
            return None
        prop = member.child_by_field_name("property")
        name = pf.text(prop) if prop is not None else ""
        if name not in EDGE_UNSUPPORTED_NODE_APIS or name in self.polyfilled:
            return None
        if is_guarded(pf, member, ref.above(1), name):
            return None
        return member, (f"`globalThis.{name}` is a Node.js API that the Next.js Edge Runtime does not provide "
                        f"(EDGE_UNSUPPORTED_NODE_APIS): a build warning in middleware and edge API routes, and a "
                        f"stub that throws when used at run time in Next's edge sandbox."), "warning"

    def _require(self, pf, ref):
        from ._compat import is_guarded

        node, parent = ref.node, ref.up(1)
        if is_guarded(pf, node, ref.ancestors, "require"):
            return None
        if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == node:
            args = parent.child_by_field_name("arguments")
            first = next((a for a in args.named_children if a.type != "comment"), None) if args is not None else None
            if first is not None and string_value(first, pf) is not None:
                if self.packaged(pf.path):
                    return None
                return parent, ("`require()` in edge code: the Edge Runtime has no `require` and Next.js asks for ES "
                                "modules (REFERENCE.md §2.2). webpack bundles a literal `require`, so this works "
                                "today; use `import` instead."), "warning"
            return parent, ("`require()` of a computed name in edge code: the Edge Runtime has no `require` "
                            "(REFERENCE.md §2.2), so the module cannot be loaded at run time. Use a static "
                            "`import` (or `import()` of a literal)."), "error"
        if parent is not None and parent.type == "member_expression" and parent.child_by_field_name("object") == node:
            prop = parent.child_by_field_name("property")
            return parent, (f"`require.{pf.text(prop) if prop is not None else ''}` is Node.js-only: the Edge Runtime "
                            f"has no `require` (REFERENCE.md §2.2), so this fails at run time."), "error"
        return None


def _packaged_folders(ctx):
    """`packaged(path)`: whether the file belongs to a package folder inside the tree (its own
    package.json below the app's) whose name the app does not depend on: generated or vendored
    code, imported by path."""
    from edgelint.graph import shared_resolver

    resolver, root, memo = shared_resolver(ctx), ctx.app.root, {}

    def packaged(path: str) -> bool:
        folder = resolver.package_folder_of(path)
        if folder not in memo:
            name = resolver.manifest(folder).get("name") if folder is not None else None
            memo[folder] = folder is not None and folder != root and (folder + "/").startswith(
                f"{root}/" if root else "") and not (isinstance(name, str) and name in ctx.app.dependencies)
        return memo[folder]
    return packaged
