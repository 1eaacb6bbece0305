"""Helpers shared by the edge-compatibility checks (EDGE2xx).

* which files are edge code for the target (`compat_graph`, `edge_files`);
* the evidence of a finding in edge code: the import chain from the nearest entry as a code flow,
  the entry route as a related location, every entry that reaches the file in `data`
  (`Evidence`);
* the platform facts the checks share (REFERENCE.md §2.1-2.2): supported built-ins,
  `EDGE_UNSUPPORTED_NODE_APIS`, what fails at build time and what at run time;
* a scope-aware search for free references to global names (`Scopes`, `free_references`).

Target decision: under OpenNext routes run on Node.js and `runtime = 'edge'` is itself the error
(EDGE111); its fix — removing the export — makes Node APIs available, so edge routes are *not*
entries there. Middleware still is: Next.js compiles it with its edge compiler whatever the
adapter (REFERENCE.md §0.3, §2.2), unless it opts into the Node.js runtime (15.2+). Under
next-on-pages, Vercel and plain Next.js every edge route and edge middleware is an entry, and the
Next.js edge compiler rules apply (§2.3 "Key point": `nodejs_compat` does not widen them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from edgelint.api import Context, Location, Route, Span
from edgelint.elision import Ancestry, dead_spans, in_type_context
from edgelint.graph import EdgeGraph, build, shared_graph, shared_resolver
from edgelint.parsing import ParsedFile

#: Node built-ins the Next.js edge compiler supports, with or without `node:` (§2.2).
SUPPORTED_BUILTINS = frozenset({"buffer", "events", "assert", "util", "async_hooks"})

#: Next.js' `EDGE_UNSUPPORTED_NODE_APIS` (§2.2): the same 16 names in 14.2.15, 15.5.0 and 16.4.6.
EDGE_UNSUPPORTED_NODE_APIS = (
    "clearImmediate", "setImmediate", "BroadcastChannel", "ByteLengthQueuingStrategy", "CompressionStream",
    "CountQueuingStrategy", "DecompressionStream", "DomException", "MessageChannel", "MessageEvent", "MessagePort",
    "ReadableByteStreamController", "ReadableStreamBYOBRequest", "ReadableStreamDefaultController",
    "TransformStreamDefaultController", "WritableStreamDefaultController",
)

#: Built-in names whose npm package ships no code: npm's placeholders (`crypto` 1.0.1 from
#: npm/deprecate-holder, "now a built-in Node module"; `child_process`, `dgram`, `tty` from
#: npm/security-holder) and names npm refuses as core modules (`fs`, `http`). A dependency on one
#: is a common mistake, and the import still means the built-in (npm registry, 2026-11).
CODELESS_PACKAGES = frozenset({"crypto", "child_process", "dgram", "tty", "fs", "http"})

ENTRY_LABELS = {"page": "page", "route": "route handler", "metadata": "metadata route", "not-found": "not-found page",
                "pages-page": "page", "api": "API route", "middleware": "middleware"}

MAX_CHAIN_IN_MESSAGE = 6
MAX_ENTRIES_IN_DATA = 100


# --------------------------------------------------------------------------------------------
# Which files are edge code


def compat_graph(ctx: Context) -> EdgeGraph:
    """The edge graph the EDGE2xx checks use for this app's target (see the module docs)."""
    if ctx.target != "opennext":
        return shared_graph(ctx)

    def middleware_only():
        entries = [r for r in ctx.app.routes if r.kind == "middleware" and r.runtime is not None and r.runtime.is_edge]
        return build(ctx.ws, ctx.app, shared_resolver(ctx), entries)

    return ctx.shared("edge-graph:opennext", middleware_only)


def edge_files(ctx: Context, graph: EdgeGraph) -> list[str]:
    """The source files of the edge graph, sorted."""
    return sorted(p for p in graph.reach if ctx.ws.exists(p))


def entry_label(route: Route) -> str:
    label = ENTRY_LABELS.get(route.kind, route.kind)
    if route.kind == "middleware":
        return "middleware"
    return f"{label} {route.url}"


# --------------------------------------------------------------------------------------------
# Evidence


@dataclass
class Evidence:
    """How a file is edge code, ready for a finding."""

    text: str  # ", reached from …" (to append to a message)
    flow: tuple[Location, ...]
    related: tuple[Location, ...]
    data: dict = field(default_factory=dict)
    entries: list[Route] = field(default_factory=list)


def entry_location(ctx: Context, route: Route, message: str) -> Location:
    """Where to point at an entry: its own `runtime` export, else its handler or default export."""
    runtime = route.runtime
    if runtime is not None and runtime.span is not None and runtime.source == route.path:
        return Location(route.path, runtime.span, message)
    summary = ctx.summary(route.path)
    span = Span(1, 1, 1, 1)
    if summary is not None:
        from ._runtime import primary_span

        span = primary_span(summary, route)
    return Location(route.path, span, message)


def _entry_message(route: Route) -> str:
    why = route.runtime.describe() if route.runtime is not None else "edge"
    return f"edge entry: {entry_label(route)}; runtime {why}"


def chain_paths(graph: EdgeGraph, path: str) -> list[str]:
    """The files of the shortest chain, entry first (a layout rendered with a page follows the page)."""
    chain = graph.chain(path)
    root = chain[0].importer if chain else path
    files = [root] + [edge.resolved.target for edge in chain]
    reach = graph.reach.get(root)
    if reach is not None and reach.rendered_with:
        files.insert(0, reach.rendered_with)
    return files


def format_chain(files: list[str], rendered: bool = False) -> str:
    """`a → b → c`; when the second file is rendered with the entry (a layout), `b (rendered with a) → c`."""
    if rendered and len(files) > 1:
        files = [f"{files[1]} (rendered with {files[0]})"] + files[2:]
    if len(files) > MAX_CHAIN_IN_MESSAGE:
        files = files[:2] + [f"… ({len(files) - 4} more)"] + files[-2:]
    return " → ".join(files)


def evidence(ctx: Context, graph: EdgeGraph, path: str, where: Location | None = None) -> Evidence:
    """The chain and entries that make `path` edge code; `where` ends the code flow."""
    entries = graph.entries_reaching(path)
    entry_path = graph.entry_of(path)
    entry = next((r for r in entries if r.path == entry_path), entries[0] if entries else None)
    chain = graph.chain(path)
    files = chain_paths(graph, path)
    flow: list[Location] = []
    related: list[Location] = []
    if entry is not None:
        start = entry_location(ctx, entry, _entry_message(entry))
        flow.append(start)
        related.append(start)
        runtime = entry.runtime
        if runtime is not None and runtime.span is not None and runtime.source != entry.path and runtime.source:
            related.append(Location(runtime.source, runtime.span, f"runtime {runtime.value!r} set here"))
    rendered = len(files) > 1 and bool(graph.reach.get(files[1]) and graph.reach[files[1]].rendered_with)
    loaded = rendered and graph.reach[files[1]].loaded
    if entry is not None and rendered:
        flow.append(Location(files[1], Span(1, 1, 1, 1), "loaded by every edge function (instrumentation)"
                             if loaded else f"rendered with {entry_label(entry)}"))
    for edge in chain:
        flow.append(Location(edge.importer, edge.imp.span, f"imports '{edge.imp.source}'"))
    if where is not None and (not flow or flow[-1] != where):
        flow.append(where)
    count = len(entries)
    if entry is None:
        text = ""
    elif loaded:
        text = (f"Next.js loads {files[1]} in every edge function ({count} here) and calls its `register` in "
                f"all environments" + (f": {' → '.join(files[1:])}." if len(files) > 2 else "."))
    elif count == 1 and len(files) == 1:
        text = f"It is in the edge {entry_label(entry)}."
    elif count == 1:
        text = f"Reached from the edge {entry_label(entry)}: {format_chain(files, rendered)}."
    else:
        text = f"Reached from {count} edge entries; shortest chain: {format_chain(files, rendered)}."
    listed = sorted(r.path for r in entries)
    data = {"entries": listed[:MAX_ENTRIES_IN_DATA], "entry_count": count, "chain": files}
    if count > MAX_ENTRIES_IN_DATA:
        data["entries_truncated"] = True
    return Evidence(text, tuple(flow), tuple(related), data, entries)


# --------------------------------------------------------------------------------------------
# Build failure or run-time failure (§2.2 table)


def builtin_failure(ctx: Context, entry: Route, spec: str) -> tuple[str, str]:
    """('build' | 'runtime', what happens) for an unsupported built-in `spec` in code bundled for
    `entry` (REFERENCE.md §2.2 table)."""
    app_router = entry.router == "app"
    prefixed = spec.startswith("node:")
    if ctx.app.turbopack:
        if prefixed:
            if app_router:
                return "build", f"with Turbopack, `next build` fails when it loads the module (\"Failed to load external module {spec}\")"
            return "runtime", "with Turbopack, the module fails when it is loaded at run time"
        return "runtime", "with Turbopack, the import becomes a stub that throws when it is used"
    if prefixed:
        return "build", f"webpack fails with \"UnhandledSchemeError: Reading from {spec} is not handled by plugins\""
    # webpack turns an unresolvable built-in into a throwing stub only in the middleware and edge
    # API layers (verified by build on 14.2.15 and 15.5.0, §2.2); pages and App Router fail
    stubbed = entry.kind in ("middleware", "api")
    if not stubbed:
        return "build", f"webpack fails with \"Module not found: Can't resolve '{spec}'\""
    return "runtime", "webpack only warns, and the import becomes a stub that throws when it is used"


def failure_sentence(ctx: Context, entries, spec: str) -> tuple[str, str] | None:
    """('build' | 'runtime', the sentence a message gives) for an unsupported built-in `spec` in
    code bundled for `entries`: the build error when any entry fails to build (naming that entry
    when the others fail differently), else the run-time error; None without entries."""
    outcomes = {}
    for entry in entries:
        kind, what = builtin_failure(ctx, entry, spec)
        outcomes.setdefault(kind, (what, entry))
    if not outcomes:
        return None
    if "build" in outcomes:
        what, entry = outcomes["build"]
        where = f" (for the {entry_label(entry)})" if len(outcomes) > 1 else ""
        return "build", f"Build error{where}: {what}."
    return "runtime", f"Run-time error: {outcomes['runtime'][0]}."


def unsupported_builtin_imports(ctx: Context, path: str, edges):
    """The import edges of `path` (among `edges`) that load a Node.js built-in the edge runtime
    does not provide (§2.2): not one of SUPPORTED_BUILTINS, and — written without `node:` — not
    the name of a package the project depends on (that package is what the import resolves to)."""
    deps = None
    for edge in edges:
        if edge.resolved.kind != "builtin" or edge.resolved.target in SUPPORTED_BUILTINS:
            continue
        if not edge.imp.source.startswith("node:"):
            deps = dependency_names(ctx, path) if deps is None else deps
            name = edge.imp.source.split("/", 1)[0]
            if name in deps and name not in CODELESS_PACKAGES:
                continue
        yield edge


# --------------------------------------------------------------------------------------------
# Scopes: which identifiers are free (globals) and which are local bindings


FUNCTION_SCOPES = frozenset({"function_declaration", "generator_function_declaration", "function_expression",
                             "function", "generator_function", "arrow_function", "method_definition"})
BLOCK_SCOPES = frozenset({"statement_block", "for_statement", "for_in_statement", "catch_clause", "switch_body",
                          "class_static_block"})
DECLARED_BY_NAME = frozenset({"function_declaration", "generator_function_declaration", "class_declaration",
                              "abstract_class_declaration", "enum_declaration"})
TYPE_CONTEXTS = frozenset({
    "type_annotation", "type_arguments", "type_parameters", "type_alias_declaration", "interface_declaration",
    "type_query", "nested_type_identifier", "generic_type", "implements_clause", "extends_type_clause",
    "ambient_declaration", "type_predicate", "index_signature", "property_signature", "method_signature",
    "abstract_method_signature", "construct_signature", "call_signature", "lookup_type",
})
#: Parents under which an identifier names something other than a variable (a module export name).
NOT_REFERENCES = frozenset({"import_specifier", "export_specifier", "namespace_export", "import_clause",
                            "namespace_import", "import_statement", "labeled_statement", "break_statement",
                            "continue_statement"})


class Scopes:
    """Declarations per scope, to tell a global `process` from a parameter named `process`.

    Scopes follow JavaScript: a function declares its parameters, its own name (a named function
    expression), every `var` in its body (hoisted, outside nested functions) and the
    `let`/`const`/class/function declarations directly in its body; a block (`{ }`, a `for`
    head, `catch (e)`, a `switch` body, a class static block) declares its own `let`/`const`/
    class/function declarations; the program adds its imports. `declare const x` (ambient)
    declares nothing: it describes a global.
    """

    def __init__(self, pf: ParsedFile):
        self.pf = pf
        self._declared: dict[int, frozenset[str]] = {}

    def is_bound(self, node, ancestors) -> bool:
        """Whether the identifier `node` (with its `ancestors`, nearest first) refers to a local
        binding of its name."""
        name = self.pf.text(node)
        for index, current in enumerate(ancestors):
            parent = ancestors[index + 1] if index + 1 < len(ancestors) else None
            if self._is_scope(current, parent) and name in self.declared(current):
                return True
        return False

    @staticmethod
    def _is_scope(node, parent) -> bool:
        t = node.type
        if t in FUNCTION_SCOPES or t == "program":
            return True
        if t in BLOCK_SCOPES:
            # a function's body block belongs to the function's own scope
            return not (t == "statement_block" and parent is not None and parent.type in FUNCTION_SCOPES)
        return False

    def declared(self, scope) -> frozenset[str]:
        key = scope.id
        if key not in self._declared:
            self._declared[key] = frozenset(self._collect(scope))
        return self._declared[key]

    def _collect(self, scope) -> set[str]:
        t = scope.type
        names: set[str] = set()
        if t == "catch_clause":
            param = scope.child_by_field_name("parameter")
            return self.pattern_names(param) if param is not None else names
        if t == "for_statement":
            init = scope.child_by_field_name("initializer")
            if init is not None and init.type == "lexical_declaration":
                names |= self._declarator_names(init)
            return names
        if t == "for_in_statement":
            kind = scope.child_by_field_name("kind")
            left = scope.child_by_field_name("left")
            if kind is not None and self.pf.text(kind) in ("let", "const") and left is not None:
                names |= self.pattern_names(left)
            return names
        if t in FUNCTION_SCOPES:
            params = scope.child_by_field_name("parameters") or scope.child_by_field_name("parameter")
            if params is not None:
                names |= self.pattern_names(params)
            own = scope.child_by_field_name("name")
            if own is not None and t in ("function_expression", "function", "generator_function"):
                names.add(self.pf.text(own))
            body = scope.child_by_field_name("body")
            if body is None:
                return names
            if body.type == "statement_block":
                names |= self._direct(body) | self._hoisted(body)
            return names
        if t == "program":
            return self._direct(scope) | self._hoisted(scope)
        return self._direct(scope)

    def _direct(self, block) -> set[str]:
        """`let`/`const`/class/function/import declarations that are statements of `block`."""
        names: set[str] = set()
        for statement in block.named_children:
            if statement.type == "export_statement":
                statement = statement.child_by_field_name("declaration") or statement
            t = statement.type
            if t in DECLARED_BY_NAME:
                name = statement.child_by_field_name("name")
                if name is not None:
                    names.add(self.pf.text(name))
            elif t == "lexical_declaration":
                names |= self._declarator_names(statement)
            elif t == "import_statement":
                names |= self._import_names(statement)
            elif t == "import_alias":  # import x = require('…')
                ident = next((c for c in statement.named_children if c.type == "identifier"), None)
                if ident is not None:
                    names.add(self.pf.text(ident))
        return names

    def _hoisted(self, root) -> set[str]:
        """`var` declarations anywhere below `root`, outside nested functions and classes."""
        names: set[str] = set()
        stack = list(reversed(root.named_children))
        while stack:
            node = stack.pop()
            t = node.type
            if t in FUNCTION_SCOPES or t in ("class", "class_body", "class_declaration", "ambient_declaration") \
                    or t in TYPE_CONTEXTS:
                continue
            if t == "variable_declaration":
                names |= self._declarator_names(node)
            elif t == "for_in_statement":
                kind = node.child_by_field_name("kind")
                left = node.child_by_field_name("left")
                if kind is not None and self.pf.text(kind) == "var" and left is not None:
                    names |= self.pattern_names(left)
            stack.extend(reversed(node.named_children))
        return names

    def _declarator_names(self, declaration) -> set[str]:
        names: set[str] = set()
        for declarator in declaration.named_children:
            if declarator.type == "variable_declarator":
                name = declarator.child_by_field_name("name")
                if name is not None:
                    names |= self.pattern_names(name)
        return names

    def _import_names(self, node) -> set[str]:
        names = set()
        clause = next((c for c in node.named_children if c.type == "import_clause"), None)
        if clause is None:
            return names
        for part in clause.named_children:
            if part.type == "identifier":
                names.add(self.pf.text(part))
            elif part.type == "namespace_import":
                names |= {self.pf.text(c) for c in part.named_children if c.type == "identifier"}
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type == "import_specifier":
                        local = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                        if local is not None:
                            names.add(self.pf.text(local))
        return names

    def pattern_names(self, node) -> set[str]:
        """Names bound by a parameter list or a destructuring pattern."""
        names = set()
        stack = [node]
        while stack:
            current = stack.pop()
            t = current.type
            if t in ("identifier", "shorthand_property_identifier_pattern"):
                names.add(self.pf.text(current))
            elif t == "pair_pattern":
                value = current.child_by_field_name("value")
                if value is not None:
                    stack.append(value)
            elif t in ("assignment_pattern", "object_assignment_pattern"):
                left = current.child_by_field_name("left")
                if left is not None:
                    stack.append(left)
            elif t in ("required_parameter", "optional_parameter"):
                pattern = current.child_by_field_name("pattern")
                if pattern is not None:
                    stack.append(pattern)
            elif t in TYPE_CONTEXTS or t in ("this", "accessibility_modifier", "override_modifier", "decorator"):
                continue
            else:
                stack.extend(current.named_children)
        return names


@dataclass
class Ref:
    """A reference to a global: the identifier node and its ancestors, nearest first (computed
    once, top-down: climbing with `Node.parent` is slow in wide trees)."""

    node: object
    ancestors: list

    def up(self, level: int = 1):
        """The ancestor `level` steps up (1 = the parent), or None."""
        return self.ancestors[level - 1] if 0 < level <= len(self.ancestors) else None

    def above(self, level: int) -> list:
        """The ancestors of the ancestor `level` steps up."""
        return self.ancestors[level:]


@dataclass
class EdgeCode:
    """One parsed edge file with what the global checks need: scopes and dead branches."""

    pf: ParsedFile
    scopes: Scopes
    dead: list[tuple[int, int]]
    ancestry: Ancestry

    @classmethod
    def of(cls, pf: ParsedFile) -> "EdgeCode":
        return cls(pf, Scopes(pf), dead_spans(pf), Ancestry(pf.root))

    def is_dead(self, node) -> bool:
        return any(lo <= node.start_byte < hi for lo, hi in self.dead)


def free_references(code: EdgeCode, names: tuple[str, ...] | frozenset[str]):
    """Identifier nodes that refer to the *global* `names`: not declared in an enclosing scope,
    not in a type position, not in code Next.js removes from edge bundles. In source order."""
    pf = code.pf
    if not names:
        return []
    pattern = re.compile(rb"(?<![\w$.])(?:" + b"|".join(re.escape(n.encode()) for n in sorted(names, key=len, reverse=True))
                         + rb")(?![\w$])")
    found = []
    for match in pattern.finditer(pf.source):
        node, ancestors = code.ancestry.node_and_ancestors(match.start(), match.end())
        if node is None or node.type not in ("identifier", "shorthand_property_identifier"):
            continue
        if ancestors and ancestors[0].type in NOT_REFERENCES:
            continue
        if in_type_context(ancestors) or code.is_dead(node) or code.scopes.is_bound(node, ancestors):
            continue
        found.append(Ref(node, ancestors))
    return found


def _mentions(pf: ParsedFile, node, needle: str) -> bool:
    return node is not None and needle in pf.text(node)


def is_guarded(pf: ParsedFile, node, ancestors, needle: str) -> bool:
    """Whether `node` (with its `ancestors`, nearest first) is feature detection or runs only
    behind a check that mentions `needle`: `typeof x`, an uncalled test (`if (process.version)`,
    `process.browser && …`), an optional chain on it (`process.versions?.node`), or code inside
    the branch of an `if`/ternary/`&&` whose condition mentions it (`typeof setImmediate ===
    'function' ? setImmediate(f) : setTimeout(f)`)."""
    parent = ancestors[0] if ancestors else None
    if parent is not None and _optional_on(parent, node):
        return True  # `process.versions?.node`, `process.nextTick?.(f)`: nothing happens when it is missing
    called = parent is not None and parent.type in ("call_expression", "new_expression") and \
        (parent.child_by_field_name("function") or parent.child_by_field_name("constructor")) == node
    child = node
    for current in ancestors:
        t = current.type
        if t == "unary_expression" and pf.text(current).startswith("typeof"):
            return True
        if t in ("if_statement", "ternary_expression", "while_statement", "do_statement"):
            condition = current.child_by_field_name("condition")
            if condition is not None:
                inside = condition.start_byte <= child.start_byte and child.end_byte <= condition.end_byte
                if inside and not called:
                    return True  # read as a test itself (feature detection)
                if not inside and _mentions(pf, condition, needle):
                    return True
        if t == "binary_expression":
            op = current.child_by_field_name("operator")
            left = current.child_by_field_name("left")
            if op is not None and pf.text(op) in ("&&", "||", "??") and left is not None:
                inside = left.start_byte <= child.start_byte and child.end_byte <= left.end_byte
                if inside and not called:
                    return True
                if not inside and pf.text(op) == "&&" and _mentions(pf, left, needle):
                    return True
        child = current
    return False


def _optional_on(parent, node) -> bool:
    """Whether `parent` goes on from `node` with `?.` (a property read or a call)."""
    base = parent.child_by_field_name("object") if parent.type in ("member_expression", "subscript_expression") \
        else parent.child_by_field_name("function") if parent.type == "call_expression" else None
    return base == node and any(c.type in ("optional_chain", "?.") for c in parent.children)


# --------------------------------------------------------------------------------------------
# Small utilities


def glob_regex(pattern: str) -> re.Pattern:
    """A micromatch-style glob (`**`, `*`, `?`, `{a,b}`) as a regex over app-relative paths."""
    pattern = pattern.lstrip("./").lstrip("/")
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "{":
            end = pattern.find("}", i)
            if end == -1:
                out.append(re.escape(ch))
            else:
                out.append("(?:" + "|".join(re.escape(p) for p in pattern[i + 1:end].split(",")) + ")")
                i = end + 1
                continue
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("^" + "".join(out) + "$")


def dependency_names(ctx: Context, path: str) -> set[str]:
    """Packages declared in the package.json files that govern `path` (its own package and the app)."""
    resolver = shared_resolver(ctx)
    names: set[str] = set()
    folders = {resolver.package_folder_of(path), ctx.app.root}
    for folder in folders:
        if folder is None:
            continue
        manifest = resolver.manifest(folder)
        for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
            if isinstance(manifest.get(key), dict):
                names |= set(manifest[key])
    return names
