"""The import graph of an app and what is edge code.

Edges come from module summaries: static imports, side-effect imports, `export … from`, dynamic
`import()` and `require()` (bundlers follow all of them). Imports the compiler erases never
count: `import type` and all-`type` specifier lists (erased in the summary already), and, in
TypeScript files, imports whose bindings are used only as types or not at all (TypeScript and
SWC drop those, so the bundler never sees them) — unless the tsconfig sets
`verbatimModuleSyntax`, which keeps them. Imports inside a branch that Next.js compiles away for the edge
(`if (process.env.NEXT_RUNTIME === 'nodejs') { … }`, REFERENCE.md §2.2 "Import-but-don't-use")
are not followed either. Only files reachable from an entry are ever summarised, so a large
repository with few edge routes is mostly never parsed.

Edge entries are the routes whose effective runtime is edge and edge middleware. The files
rendered as part of an edge page without being imported by it (its layouts, templates, loading
and error boundaries, parallel-route `default` files; `_app` and `_document` for a Pages Router
page) are edge code too, and so is everything they reach — `'use client'` components included,
since they are server-rendered on the edge as well. So is the app's `instrumentation.ts` when it has
any edge entry: Next.js loads it in every edge function and calls `register` in all environments
(Next.js docs, Instrumentation). For every reached file the graph keeps the
shortest import chain from the nearest entry (breadth-first from all entries at once) and the
set of entries that reach it (bitsets propagated to a fixpoint, so cycles terminate).
"""

from __future__ import annotations

import posixpath
from collections import deque
from dataclasses import dataclass, field

from edgelint.parsing import Span
from edgelint.project import App, Route
from edgelint.resolve import Resolved, Resolver, workspace_resolver
from edgelint.summary import Import
from edgelint.workspace import SYNTAX_ERROR_MESSAGE, Workspace

#: Files the TypeScript compiler (or SWC's TypeScript strip) handles: only there are unused imports
#: erased. In JavaScript an import is kept even when its bindings are unused (it may have effects).
TYPESCRIPT_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts")
#: Route kinds that are their own edge function (an entry) when their runtime is edge.
ENTRY_KINDS = ("page", "route", "metadata", "not-found", "pages-page", "api", "middleware")
#: App Router files rendered together with a page of their segment or a segment below it.
SEGMENT_RENDERED = ("layout", "template", "loading", "error")


@dataclass(frozen=True)
class Edge:
    importer: str
    imp: Import
    resolved: Resolved


@dataclass
class Reach:
    """How a file is reached from edge entries."""

    parent: Edge | None  # the import through which it was first reached (None for an entry)
    entries: int = 0  # bitset over EdgeGraph.entries
    rendered_with: str = ""  # for a layout/_app reached without an import: the entry it renders with
    loaded: bool = False  # `rendered_with` is the first edge entry, which loads this instrumentation file

    @property
    def is_entry(self) -> bool:
        return self.parent is None and not self.rendered_with


@dataclass
class EdgeGraph:
    entries: list[Route]
    reach: dict[str, Reach] = field(default_factory=dict)
    edges: dict[str, list[Edge]] = field(default_factory=dict)
    dropped: dict[str, list[tuple[Import, str]]] = field(default_factory=dict)  # imports not followed, why

    def is_edge(self, path: str) -> bool:
        return path in self.reach

    def chain(self, path: str) -> list[Edge]:
        """The shortest import chain from an entry (or a file rendered with it) to `path`."""
        steps: list[Edge] = []
        seen = {path}
        current = self.reach.get(path)
        while current is not None and current.parent is not None and current.parent.importer not in seen:
            steps.append(current.parent)
            seen.add(current.parent.importer)
            current = self.reach.get(current.parent.importer)
        return list(reversed(steps))

    def root_of(self, path: str) -> str:
        """The first file of the shortest chain to `path`: an entry or a file rendered with one."""
        chain = self.chain(path)
        return chain[0].importer if chain else path

    def entry_of(self, path: str) -> str:
        """The entry route file at the start of the shortest chain to `path`."""
        root = self.root_of(path)
        reach = self.reach.get(root)
        return reach.rendered_with if reach is not None and reach.rendered_with else root

    def entries_reaching(self, path: str) -> list[Route]:
        reach = self.reach.get(path)
        if reach is None:
            return []
        mask = reach.entries
        return [route for i, route in enumerate(self.entries) if mask >> i & 1]

    def entry_count(self, path: str) -> int:
        reach = self.reach.get(path)
        return bin(reach.entries).count("1") if reach is not None else 0

    def importers(self, path: str) -> list[Edge]:
        """Every followed import of `path` inside the graph."""
        return [e for edges in self.edges.values() for e in edges if e.resolved.is_file and e.resolved.target == path]


# --------------------------------------------------------------------------------------------
# Entries


def edge_entries(app: App) -> list[Route]:
    """Routes that run as edge functions: pages, handlers, metadata routes, edge middleware."""
    return [r for r in app.routes if r.kind in ENTRY_KINDS and r.runtime is not None and r.runtime.is_edge]


def instrumentation_file(ws: Workspace, app: App) -> str | None:
    """The app's `instrumentation.ts` (root, or `src/` when the app's routes are there, with the
    page extensions): Next.js loads it in every edge function, and calls its `register` "in all
    environments" (Next.js docs, Instrumentation: code that does not support both edge and
    nodejs must be imported behind `process.env.NEXT_RUNTIME`)."""
    from edgelint.project import page_extensions

    folder = "src/" if (app.app_dir or app.pages_dir or "").startswith("src/") else ""
    for extension in page_extensions(app):
        path = app.rel(f"{folder}instrumentation.{extension}")
        if ws.exists(path):
            return path
    return None


def _folder(path: str) -> str:
    return posixpath.dirname(path)


def rendered_with(app: App, route: Route) -> list[str]:
    """Files rendered as part of a page without being imported by it: the layouts, templates,
    loading and error boundaries of its segments and the `default` files of parallel-route slots
    beside them (App Router), `_app` and `_document` (Pages Router)."""
    if route.router == "app" and route.kind in ("page", "not-found"):
        files = list(route.layouts)
        ancestors = set()
        folder = _folder(route.path)
        while folder and folder != (app.rel(app.app_dir) if app.app_dir else ""):
            ancestors.add(folder)
            folder = _folder(folder)
        ancestors.add(folder)
        for other in app.routes:
            if other.router != "app" or other.path == route.path or other.path in files:
                continue
            where = _folder(other.path)
            if other.kind in SEGMENT_RENDERED and where in ancestors:
                files.append(other.path)
            elif other.kind == "default" and posixpath.basename(where).startswith("@") and _folder(where) in ancestors:
                files.append(other.path)
        return files
    if route.kind == "pages-page":
        return [r.path for r in app.routes if r.kind in ("app", "document")]
    return []


# --------------------------------------------------------------------------------------------
# Edges


def edges_of(ws: Workspace, resolver: Resolver, path: str, dropped: list | None = None) -> list[Edge]:
    """The imports of `path` that a bundler follows, resolved (from the summary alone: what the
    compiler erases was decided when the file was summarised, see `edgelint.elision`). They are
    read as the file's "imports" fact, so an edit that changes no import keeps cached results."""
    found = ws.fact("imports", path)
    if found is None:  # not parsed (unreadable, binary, too large): the problem says why
        ws.note_problems_again(path)
        return []
    if found["error"] is not None:
        ws.problem("EDGE901", path, SYNTAX_ERROR_MESSAGE, Span(*found["error"]))
    elide_unused = path.endswith(TYPESCRIPT_EXTENSIONS)
    if elide_unused:
        config = resolver.tsconfig_for(posixpath.dirname(path))
        elide_unused = config is None or not config.keeps_value_imports
    edges = []
    for imp in map(Import.from_plain, found["imports"]):
        if imp.type_only:
            continue
        reason = ""
        if elide_unused and imp.kind == "static" and imp.names and not imp.value_used:
            reason = "its bindings are used only as types (erased by the compiler)"
        elif imp.type_position:
            reason = "it is an `import()` type, not an import"
        elif imp.edge_dead:
            reason = "it is in a branch Next.js removes from edge bundles (process.env.NEXT_RUNTIME, typeof EdgeRuntime)"
        if reason:
            if dropped is not None:
                dropped.append((imp, reason))
            continue
        edges.append(Edge(path, imp, resolver.resolve(path, imp.source, imp.kind == "require")))
    return edges


# --------------------------------------------------------------------------------------------
# Building


def build(ws: Workspace, app: App, resolver: Resolver | None = None, entries: list[Route] | None = None) -> EdgeGraph:
    resolver = resolver or Resolver(ws)
    entries = edge_entries(app) if entries is None else entries
    graph = EdgeGraph(entries)
    queue: deque[str] = deque()
    for index, route in enumerate(entries):
        if route.path not in graph.reach or graph.reach[route.path].rendered_with:
            if route.path not in graph.reach:
                queue.append(route.path)
            graph.reach[route.path] = Reach(None, graph.reach.get(route.path, Reach(None)).entries)
        graph.reach[route.path].entries |= 1 << index
    for index, route in enumerate(entries):
        for path in rendered_with(app, route):
            if path not in graph.reach:
                graph.reach[path] = Reach(None, rendered_with=route.path)
                queue.append(path)
            graph.reach[path].entries |= 1 << index
    instrumentation = instrumentation_file(ws, app) if entries else None
    if instrumentation is not None and instrumentation not in graph.reach:
        graph.reach[instrumentation] = Reach(None, (1 << len(entries)) - 1, entries[0].path, loaded=True)
        queue.append(instrumentation)
    while queue:  # breadth-first, a level at a time: first discovery is the shortest chain
        ws.prefetch_summaries(list(queue))  # the whole level at once (in parallel when large)
        for _ in range(len(queue)):
            path = queue.popleft()
            dropped: list = []
            graph.edges[path] = edges_of(ws, resolver, path, dropped)
            if dropped:
                graph.dropped[path] = dropped
            for edge in graph.edges[path]:
                target = edge.resolved.target
                if edge.resolved.is_file and target not in graph.reach:
                    graph.reach[target] = Reach(edge)
                    queue.append(target)
    _propagate_entries(graph)
    return graph


def _propagate_entries(graph: EdgeGraph) -> None:
    work = deque(path for path, reach in graph.reach.items() if reach.entries)
    while work:
        path = work.popleft()
        mask = graph.reach[path].entries
        for edge in graph.edges.get(path, ()):
            if not edge.resolved.is_file:
                continue
            child = graph.reach[edge.resolved.target]
            if child.entries | mask != child.entries:
                child.entries |= mask
                work.append(edge.resolved.target)


def shared_resolver(ctx) -> Resolver:
    return workspace_resolver(ctx.ws)


def shared_graph(ctx) -> EdgeGraph:
    """The app's edge graph, built once per run and shared by every check that needs it."""
    return ctx.shared("edge-graph", lambda: build(ctx.ws, ctx.app, shared_resolver(ctx)))


# --------------------------------------------------------------------------------------------
# Explaining (edgelint explain-runtime)


@dataclass
class Step:
    path: str
    line: int = 0
    specifier: str = ""  # the import that leads to the next file ('' for the last step)
    how: str = "imports"  # 'imports' | 'renders'


@dataclass
class Explanation:
    path: str
    app: App | None
    edge: bool
    entries: list[Route] = field(default_factory=list)
    chain: list[Step] = field(default_factory=list)
    reason: str = ""  # why it is not edge code
    notes: list[str] = field(default_factory=list)
    node_entries: list[Route] = field(default_factory=list)  # Node.js routes reaching it (when not edge)


def _steps(g: EdgeGraph, path: str) -> list[Step]:
    chain = g.chain(path)
    steps: list[Step] = []
    root = chain[0].importer if chain else path
    reach = g.reach.get(root)
    if reach is not None and reach.rendered_with:
        steps.append(Step(reach.rendered_with, 0, root, "renders"))
    for edge in chain:
        steps.append(Step(edge.importer, edge.imp.span.line, edge.imp.source))
    steps.append(Step(path))
    return steps


def explain(ws: Workspace, apps: list[App], path: str) -> Explanation:
    """Why `path` is (or is not) edge code, in the first app whose edge graph reaches it."""
    resolver = Resolver(ws)
    owner = next((a for a in sorted(apps, key=lambda a: -len(a.root)) if path in a.files), None)
    candidates = ([owner] if owner else []) + [a for a in apps if a is not owner]
    for app in candidates:
        g = build(ws, app, resolver)
        if g.is_edge(path):
            found = Explanation(path, app, True, g.entries_reaching(path), _steps(g, path))
            if app.target == "opennext":
                middleware = [r for r in found.entries if r.kind == "middleware"]
                found.notes.append("OpenNext does not support the edge runtime for routes (EDGE111 reports "
                                   "`runtime = 'edge'`); the EDGE2xx checks consider only edge middleware there"
                                   + ("" if middleware else ", which does not reach this file"))
            return found
    result = Explanation(path, owner, False)
    if not path.endswith(SOURCE_SUFFIXES):
        result.reason = "it is not a JavaScript/TypeScript module"
        return result
    if owner is None:
        result.reason = "it is not part of any Next.js app, and no app's edge routes import it"
        return result
    route = owner.route_for(path)
    if route is not None and route.kind in ENTRY_KINDS and route.runtime is not None:
        result.reason = f"it is a {route.kind} ({route.url}) whose runtime is {route.runtime.describe()}"
        return result
    if route is not None:
        result.reason = (f"it is a {route.kind} file, and no edge page renders it" if route.kind in SEGMENT_RENDERED
                         or route.kind in ("default", "app", "document") else f"it is a {route.kind} file")
    edge_count = len(edge_entries(owner))
    node_routes = [r for r in owner.routes if r.kind in ENTRY_KINDS and r.runtime is not None and not r.runtime.is_edge]
    node_graph = build(ws, owner, resolver, node_routes)
    if node_graph.is_edge(path):
        result.node_entries = node_graph.entries_reaching(path)
        result.chain = _steps(node_graph, path)
        result.reason = result.reason or (f"it is not imported by any edge route ({edge_count} edge "
                                          f"entr{'y' if edge_count == 1 else 'ies'} in the app); only Node.js "
                                          f"routes reach it")
    else:
        result.reason = result.reason or (f"it is not imported by any edge route ({edge_count} edge "
                                          f"entr{'y' if edge_count == 1 else 'ies'} in the app), nor by any "
                                          f"other route")
    return result


SOURCE_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
