"""`edgelint audit`: the readiness report, where every number comes with its evidence.

Per app: the target and Next.js version, one row per route (URL, kind, file, effective runtime and
why, facts the checks contribute such as rate limiting and KV bindings, findings by area), and per
area the coverage figures, a pass/fail and the findings behind each gap.

An area passes when it has no finding at warning level or above and every figure with a total is
complete (or the figure says otherwise). The score is the mean, over the areas that have figures
with totals, of value/total — printed with its terms, so nobody has to trust it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edgelint.api import AREAS, Figure, Finding, RouteFact, counted
from edgelint.dynamic import dynamic_reason
from edgelint.graph import build as build_graph
from edgelint.project import App, Route

AUDIT_AREAS = tuple(a for a in AREAS if a != "meta")
ROUTE_KINDS = {"page": "page", "route": "route handler", "metadata": "route handler", "api": "API route",
               "pages-page": "page", "middleware": "middleware", "proxy": "proxy", "not-found": "page"}
FAILING = ("error", "warning")


@dataclass
class RouteRow:
    url: str
    kind: str
    path: str
    runtime: str = ""
    facts: dict[str, str] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)  # area -> count
    lines: set[int] = field(default_factory=set, repr=False)  # of the facts' subjects in `path`


@dataclass
class AreaResult:
    area: str
    figures: list[Figure]
    findings: list[Finding]

    @property
    def passed(self) -> bool:
        if any(f.severity in FAILING for f in self.findings):
            return False
        for figure in self.figures:
            if figure.passed is False or (figure.passed is None and figure.total is not None and figure.value < figure.total):
                return False
        return True

    @property
    def ratio(self) -> float | None:
        totals = [(f.value, f.total) for f in self.figures if f.total]
        if not totals:
            return None
        return sum(min(v, t) / t for v, t in totals) / len(totals)


@dataclass
class AppAudit:
    app: App
    rows: list[RouteRow]
    areas: list[AreaResult]
    detected_target: str = ""

    @property
    def score(self) -> tuple[int, list[tuple[str, float]]] | None:
        terms = [(a.area, a.ratio) for a in self.areas if a.ratio is not None]
        if not terms:
            return None
        return round(100 * sum(r for _a, r in terms) / len(terms)), terms


def build(result) -> list[AppAudit]:
    audits = []
    for app in result.apps:
        items = result.audit_items.get(app.root, [])
        figures = [i for i in items if isinstance(i, Figure)]
        facts = [i for i in items if isinstance(i, RouteFact)]
        findings = [f for f in result.findings if _in_app(f.path, app, result.apps)]
        figures = runtime_figures(result.workspace, app) + compat_figures(result.workspace, app, findings) + figures
        rows = route_rows(result.workspace, app, facts, findings)
        areas = [AreaResult(area, [f for f in figures if f.area == area], [f for f in findings if f.area == area])
                 for area in AUDIT_AREAS]
        audits.append(AppAudit(app, rows, areas, app.detected_target or app.target))
    return audits


def _in_app(path: str, app: App, apps: list[App]) -> bool:
    inside = [a for a in apps if not a.root or path == a.root or path.startswith(a.root + "/")]
    return bool(inside) and max(inside, key=lambda a: len(a.root)) is app


def runtime_figures(ws, app: App) -> list[Figure]:
    routes = [r for r in app.routes if r.kind in ("page", "route", "metadata", "api", "pages-page")
              or r.kind == "not-found" and r.url == "/_not-found"]
    if app.target == "next-on-pages":
        dynamic = [r for r in routes if dynamic_reason(ws, app, r)]
        edge = [r for r in dynamic if r.runtime and r.runtime.is_edge]
        return [Figure("runtime", "dynamic routes on the edge runtime", len(edge), len(dynamic))]
    if app.target == "opennext":
        node = [r for r in routes if not (r.runtime and r.runtime.is_edge)]
        return [Figure("runtime", "routes without the unsupported edge runtime", len(node), len(routes))]
    edge = [r for r in routes if r.runtime and r.runtime.is_edge]
    return [Figure("runtime", "routes on the edge runtime", len(edge), None, detail=f"of {counted(len(routes), 'route')}")]


def compat_figures(ws, app: App, findings: list[Finding]) -> list[Figure]:
    graph = build_graph(ws, app)
    edge_files = set(graph.reach)
    if not edge_files:
        return [Figure("edge-compat", "files in edge code", 0, None)]
    bad = {f.path for f in findings if f.area == "edge-compat" and f.severity in FAILING} & edge_files
    return [Figure("edge-compat", "edge-code files free of Node-only APIs", len(edge_files - bad), len(edge_files),
                   detail=counted(len(graph.entries), "edge entry", "edge entries"))]


def route_rows(ws, app: App, facts: list[RouteFact], findings: list[Finding]) -> list[RouteRow]:
    rows: dict[str, RouteRow] = {}
    for route in app.routes:
        if route.kind not in ROUTE_KINDS or route.kind == "not-found" and route.url != "/_not-found":
            continue  # a nested not-found renders inside its segment's pages: no route of its own
        rows[route.path] = RouteRow(route.url, ROUTE_KINDS[route.kind], route.path, _runtime_text(route))
    for fact in facts:
        row = rows.get(fact.path)
        if row is None or (fact.url and fact.url != row.url):
            key = f"{fact.path}#{fact.url}#{fact.kind}"
            row = rows.setdefault(key, RouteRow(fact.url or "", fact.kind or "", fact.path))
        known = row.facts.get(fact.column)  # several server actions of one file on one page share a row
        row.facts[fact.column] = f"{known}; {fact.text}" if known and fact.text not in known.split("; ") else fact.text
        row.lines.update(fact.lines)
    for finding in findings:
        same_file = [row for row in rows.values() if row.path == finding.path]
        row = next((r for r in same_file if finding.span.line in r.lines), same_file[0] if same_file else None)
        if row is not None and finding.area:
            row.findings[finding.area] = row.findings.get(finding.area, 0) + 1
    return sorted(rows.values(), key=lambda r: (r.url, r.kind, r.path))


def _runtime_text(route: Route) -> str:
    runtime = route.runtime
    if runtime is None:
        return ""
    why = {"own": "own export", "config": "config.runtime", "layout": f"from {runtime.source}",
           "default": "default", "unreadable": "unreadable export → nodejs"}.get(runtime.reason, runtime.reason)
    return f"{runtime.value} ({why})"
