"""The import graph of an app and what is edge code.

Edges come from module summaries: static imports, side-effect imports, `export … from`, dynamic
`import()` and `require()` (bundlers follow all of them); type-only imports are already erased.
Only files reachable from an entry are ever summarised, so a large repository with few edge
routes is mostly never parsed.

Edge entries are the routes whose effective runtime is edge and edge middleware, with the files
rendered as part of them (a page's layouts, `_app`); everything they reach is edge code — `'use client'` components included, since they are server-rendered on the
edge too. For every reached file the graph keeps the shortest import chain from the nearest entry
(breadth-first from all entries at once) and the set of entries that reach it (bitsets
propagated to a fixpoint, so cycles terminate).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from edgelint.project import App, Route
from edgelint.resolve import Resolved, Resolver
from edgelint.summary import Import
from edgelint.workspace import Workspace


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

    @property
    def is_entry(self) -> bool:
        return self.parent is None


@dataclass
class EdgeGraph:
    entries: list[Route]
    reach: dict[str, Reach] = field(default_factory=dict)
    edges: dict[str, list[Edge]] = field(default_factory=dict)

    def is_edge(self, path: str) -> bool:
        return path in self.reach

    def chain(self, path: str) -> list[Edge]:
        """The shortest import chain from an entry to `path` (entry's import first)."""
        steps: list[Edge] = []
        seen = set()
        current = self.reach.get(path)
        while current is not None and current.parent is not None and current.parent.importer not in seen:
            steps.append(current.parent)
            seen.add(current.parent.importer)
            current = self.reach.get(current.parent.importer)
        return list(reversed(steps))

    def entry_of(self, path: str) -> str:
        chain = self.chain(path)
        return chain[0].importer if chain else path

    def entries_reaching(self, path: str) -> list[Route]:
        reach = self.reach.get(path)
        if reach is None:
            return []
        return [route for i, route in enumerate(self.entries) if reach.entries >> i & 1]


def edges_of(ws: Workspace, resolver: Resolver, path: str) -> list[Edge]:
    summary = ws.summary(path)
    if summary is None:
        return []
    result = []
    for imp in summary.imports:
        if imp.type_only:
            continue
        result.append(Edge(path, imp, resolver.resolve(path, imp.source)))
    return result


def edge_entries(app: App) -> list[Route]:
    """Routes that run on the edge runtime: pages, layouts, handlers, edge middleware."""
    return [r for r in app.routes if r.runtime is not None and r.runtime.is_edge]


def rendered_with(app: App, route: Route) -> list[str]:
    """Files rendered as part of a page without being imported by it: its layouts (App Router),
    `_app` and `_document` (Pages Router)."""
    if route.router == "app" and route.kind in ("page", "not-found", "default"):
        return list(route.layouts)
    if route.kind == "pages-page":
        return [r.path for r in app.routes if r.kind in ("app", "document")]
    return []


def build(ws: Workspace, app: App, resolver: Resolver | None = None, entries: list[Route] | None = None) -> EdgeGraph:
    resolver = resolver or Resolver(ws)
    entries = edge_entries(app) if entries is None else entries
    graph = EdgeGraph(entries)
    queue: deque[str] = deque()
    for index, route in enumerate(entries):
        for path in (route.path, *rendered_with(app, route)):
            if path not in graph.reach:
                graph.reach[path] = Reach(None)
                queue.append(path)
            graph.reach[path].entries |= 1 << index
    while queue:  # breadth-first: first discovery is the shortest chain
        path = queue.popleft()
        graph.edges[path] = edges_of(ws, resolver, path)
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


def shared_graph(ctx) -> EdgeGraph:
    """The app's edge graph, built once per run and shared by every check that needs it."""
    return ctx.shared("edge-graph", lambda: build(ctx.ws, ctx.app, ctx.shared("resolver", lambda: Resolver(ctx.ws))))
