"""The edge import graph (edgelint/graph.py): entries, files rendered with pages, shortest chains,
entry counting, cycles, erased imports and branches Next.js compiles away for the edge."""

from __future__ import annotations

import json

from conftest import write_tree
from edgelint import graph, project
from edgelint.workspace import Workspace

PACKAGE = json.dumps({"name": "t", "dependencies": {"next": "14.2.15"},
                      "devDependencies": {"@cloudflare/next-on-pages": "1.13.12"}})
LAYOUT = "export default function L({ children }) { return <html><body>{children}</body></html>; }\n"


def build(tmp_path, files: dict[str, str]):
    root = write_tree(tmp_path / "app", {"package.json": PACKAGE, "app/layout.tsx": LAYOUT, **files})
    ws = Workspace(root)
    app = project.find_apps(ws)[0]
    return ws, app, graph.build(ws, app)


def edge_route(imports: str = "") -> str:
    return f"{imports}\nexport const runtime = 'edge';\nexport const GET = () => new Response('x');\n"


def test_entries_chains_and_counts(tmp_path):
    _ws, _app, g = build(tmp_path, {
        "app/api/a/route.ts": edge_route("import { x } from '../../../lib/x';\nconsole.log(x);"),
        "app/api/b/route.ts": edge_route("import { y } from '../../../lib/y';\nconsole.log(y);"),
        "app/api/node/route.ts": "import { z } from '../../../lib/z';\nexport const GET = () => new Response(z);\n",
        "lib/x.ts": "import { y } from './y';\nexport const x = y;\n",
        "lib/y.ts": "import { deep } from './deep';\nexport const y = deep;\n",
        "lib/deep.ts": "export const deep = 1;\n",
        "lib/z.ts": "export const z = 'node only';\n",
    })
    assert [r.path for r in g.entries] == ["app/api/a/route.ts", "app/api/b/route.ts"]
    assert g.is_edge("lib/deep.ts") and not g.is_edge("lib/z.ts") and not g.is_edge("app/api/node/route.ts")
    # breadth-first from all entries: the shortest chain to deep.ts starts at b (b -> y -> deep)
    assert [e.importer for e in g.chain("lib/deep.ts")] == ["app/api/b/route.ts", "lib/y.ts"]
    assert g.entry_of("lib/deep.ts") == "app/api/b/route.ts"
    assert g.entry_count("lib/deep.ts") == 2 and g.entry_count("lib/x.ts") == 1
    assert [r.path for r in g.entries_reaching("lib/y.ts")] == ["app/api/a/route.ts", "app/api/b/route.ts"]
    assert g.chain("app/api/a/route.ts") == [] and g.reach["app/api/a/route.ts"].is_entry


def test_cycles_terminate_and_propagate_entries(tmp_path):
    _ws, _app, g = build(tmp_path, {
        "app/api/a/route.ts": edge_route("import { a } from '../../../lib/a';\nconsole.log(a);"),
        "app/api/b/route.ts": edge_route("import { c } from '../../../lib/c';\nconsole.log(c);"),
        "lib/a.ts": "import { b } from './b';\nexport const a = () => b();\n",
        "lib/b.ts": "import { c } from './c';\nexport const b = () => c();\n",
        "lib/c.ts": "import { a } from './a';\nexport const c = () => a();\n",
    })
    for name in ("a", "b", "c"):
        assert g.entry_count(f"lib/{name}.ts") == 2  # both entries reach every file of the cycle
    assert [e.importer for e in g.chain("lib/b.ts")] == ["app/api/a/route.ts", "lib/a.ts"]


def test_type_only_and_type_used_imports_are_erased(tmp_path):
    _ws, _app, g = build(tmp_path, {
        "app/api/a/route.ts": edge_route(
            "import type { A } from '../../../lib/types-a';\n"
            "import { type B } from '../../../lib/types-b';\n"
            "import { C } from '../../../lib/types-c';\n"
            "import { D } from '../../../lib/value-d';\n"
            "import { E } from '../../../lib/unused-e';\n"
            "export type { F } from '../../../lib/types-f';\n"
            "let a: A; let b: B; let c: C | typeof D;\nconsole.log(D);"),
        "app/api/j/route.js": "import { E } from '../../../lib/js-e';\nexport const runtime = 'edge';\n",
        **{f"lib/{n}.ts": "export type X = 1; export const E = 1, D = 1;\n"
           for n in ("types-a", "types-b", "types-c", "value-d", "unused-e", "types-f", "js-e")},
    })
    assert g.is_edge("lib/value-d.ts")
    assert not any(g.is_edge(f"lib/{n}.ts") for n in ("types-a", "types-b", "types-c", "unused-e", "types-f"))
    assert g.is_edge("lib/js-e.ts")  # JavaScript keeps unused imports (they may have side effects)
    dropped = {imp.source for imp, _why in g.dropped["app/api/a/route.ts"]}
    assert dropped == {"../../../lib/types-c", "../../../lib/unused-e"}


def test_type_only_re_exports_are_erased(tmp_path):
    """`export { type A } from` with only type specifiers and TypeScript 5's `export type * from`
    (which tree-sitter-typescript reads with an error node, not reported as a syntax error) are
    erased; a list with one value specifier is not."""
    ws, _app, g = build(tmp_path, {
        "app/api/a/route.ts": edge_route("import { v } from '../../../lib/barrel';\nconsole.log(v);"),
        "lib/barrel.ts": ("export { type A, type B } from './types-a';\n"
                          "export type * from './types-b';\n"
                          "export type * as T from './types-c';\n"
                          "export { type C, v } from './value';\n"),
        **{f"lib/{n}.ts": "import fs from 'node:fs';\nexport type A = 1; export type B = 2; export type C = 3;\n"
           for n in ("types-a", "types-b", "types-c")},
        "lib/value.ts": "export type C = 3; export const v = 1;\n",
    })
    assert g.is_edge("lib/value.ts")
    assert not any(g.is_edge(f"lib/{n}.ts") for n in ("types-a", "types-b", "types-c"))
    assert not [p for p in ws.problems.values() if p.code == "EDGE901"]


def test_layouts_and_segment_files_render_with_pages(tmp_path):
    _ws, app, g = build(tmp_path, {
        "app/shop/layout.tsx": "export const runtime = 'edge';\n" + LAYOUT,
        "app/shop/template.tsx": "import { t } from '../../lib/t';\nexport default function T({ children }) { return [t, children]; }\n",
        "app/shop/loading.tsx": "export default function L() { return null; }\n",
        "app/shop/cart/page.tsx": "export default function P() { return null; }\n",
        "app/shop/@modal/default.tsx": "export default function D() { return null; }\n",
        "app/blog/layout.tsx": "import { b } from '../../lib/b';\nconsole.log(b);\n" + LAYOUT,
        "app/blog/page.tsx": "export default function B() { return null; }\n",
        "lib/t.ts": "export const t = 1;\n", "lib/b.ts": "export const b = 1;\n",
        "pages/_app.tsx": "import '../lib/app-init';\nexport default function App() { return null; }\n",
        "pages/_document.tsx": "export default function Doc() { return null; }\n",
        "pages/edge.tsx": "export const config = { runtime: 'experimental-edge' };\n"
                          "export default function E() { return null; }\nexport const getServerSideProps = () => ({ props: {} });\n",
        "lib/app-init.ts": "export {};\n",
    })
    entries = [r.path for r in g.entries]
    assert entries == ["app/shop/cart/page.tsx", "pages/edge.tsx"]  # layouts are not entries themselves
    for rendered in ("app/layout.tsx", "app/shop/layout.tsx", "app/shop/template.tsx", "app/shop/loading.tsx",
                     "app/shop/@modal/default.tsx"):
        assert g.reach[rendered].rendered_with == "app/shop/cart/page.tsx", rendered
    assert g.is_edge("lib/t.ts") and g.entry_of("lib/t.ts") == "app/shop/cart/page.tsx"
    assert not g.is_edge("app/blog/layout.tsx") and not g.is_edge("lib/b.ts")
    assert g.reach["pages/_app.tsx"].rendered_with == "pages/edge.tsx" and g.is_edge("lib/app-init.ts")
    assert g.reach["pages/_document.tsx"].rendered_with == "pages/edge.tsx"


def test_middleware_and_route_handlers_under_layouts(tmp_path):
    _ws, _app, g = build(tmp_path, {
        "middleware.ts": "import { m } from './lib/m';\nexport function middleware() { return m; }\n",
        "lib/m.ts": "export const m = 1;\n",
        "app/e/layout.tsx": "export const runtime = 'edge';\n" + LAYOUT,
        "app/e/r/route.ts": "export const GET = () => new Response('');\n",  # inherits on Next 14 (§1.5)
    })
    assert [r.path for r in g.entries] == ["app/e/r/route.ts", "middleware.ts"]
    assert g.is_edge("lib/m.ts")
    assert not g.is_edge("app/e/layout.tsx")  # a route handler renders no layout


def test_next_runtime_branches_are_not_followed(tmp_path):
    _ws, _app, g = build(tmp_path, {
        "app/api/a/route.ts": edge_route(
            "export async function register() {\n"
            "  if (process.env.NEXT_RUNTIME === 'nodejs') {\n    await import('../../../lib/node-only');\n  }\n"
            "  if (process.env.NEXT_RUNTIME !== 'edge') await import('../../../lib/node-two');\n"
            "  const x = process.env.NEXT_RUNTIME === 'edge' ? await import('../../../lib/edge-one') "
            ": await import('../../../lib/node-three');\n"
            "  if (process.env.NEXT_RUNTIME === 'edge') return x;\n"
            "  return import('../../../lib/node-four');\n}\n"),
        **{f"lib/{n}.ts": "export const v = 1;\n" for n in ("node-only", "node-two", "edge-one", "node-three",
                                                             "node-four")},
    })
    assert g.is_edge("lib/edge-one.ts")
    assert not any(g.is_edge(f"lib/{n}.ts") for n in ("node-only", "node-two", "node-three"))
    # after an early return on the edge the code never runs, but webpack still bundles its imports
    assert g.is_edge("lib/node-four.ts")


def test_next_runtime_tests_combined_with_other_conditions(tmp_path):
    """`NEXT_RUNTIME === 'nodejs' && flag` is false on the edge whatever the flag (webpack folds a
    logical expression whose left side is constant), and so on for `!` and `||`; a left side that
    is not constant decides nothing (formbricks' instrumentation.ts had false EDGE202 errors)."""
    _ws, _app, g = build(tmp_path, {
        "app/api/a/route.ts": edge_route(
            "export async function register() {\n"
            "  if (process.env.NEXT_RUNTIME === 'nodejs' && !process.env.VERCEL) {\n"
            "    await import('../../../lib/node-only');\n  }\n"
            "  if (!(process.env.NEXT_RUNTIME === 'edge') && flag) await import('../../../lib/node-two');\n"
            "  if ((process.env.NEXT_RUNTIME === 'edge' || flag)) { await import('../../../lib/edge-one'); }\n"
            "  else { await import('../../../lib/node-three'); }\n"
            "  const fs = process.env.NEXT_RUNTIME === 'nodejs' && (await import('../../../lib/node-four'));\n"
            "  if (flag && process.env.NEXT_RUNTIME === 'nodejs') await import('../../../lib/edge-two');\n}\n"),
        **{f"lib/{n}.ts": "export const v = 1;\n" for n in ("node-only", "node-two", "edge-one", "node-three",
                                                             "node-four", "edge-two")},
    })
    assert g.is_edge("lib/edge-one.ts") and g.is_edge("lib/edge-two.ts")
    assert not any(g.is_edge(f"lib/{n}.ts") for n in ("node-only", "node-two", "node-three", "node-four"))


def test_unparsable_and_missing_files_do_not_break_the_graph(tmp_path):
    _ws, _app, g = build(tmp_path, {
        "app/api/a/route.ts": edge_route("import { x } from '../../../lib/broken';\nimport '../../../lib/missing';\nconsole.log(x);"),
        "lib/broken.ts": "export const x = (;\nimport { y } from './y';\n",
        "lib/y.ts": "export const y = 1;\n",
    })
    assert g.is_edge("lib/broken.ts")
    kinds = {e.imp.source: e.resolved.kind for e in g.edges["app/api/a/route.ts"]}
    assert kinds["../../../lib/missing"] == "unresolved"


def test_shared_graph_is_built_once(tmp_path):
    from edgelint.api import Context

    ws, app, _g = build(tmp_path, {"app/api/a/route.ts": edge_route()})
    ctx = Context(ws, app, [app])
    assert graph.shared_graph(ctx) is graph.shared_graph(ctx)


def test_import_types_are_not_imports(tmp_path):
    _ws, _app, g = build(tmp_path, {
        "app/api/a/route.ts": edge_route(
            "export type S = import('../../../lib/t1').S;\n"
            "let x: typeof import('../../../lib/t2') | undefined;\n"
            "export const load = () => import('../../../lib/real');\nconsole.log(x);"),
        **{f"lib/{n}.ts": "export type S = 1;\n" for n in ("t1", "t2", "real")},
    })
    assert g.is_edge("lib/real.ts") and not g.is_edge("lib/t1.ts") and not g.is_edge("lib/t2.ts")


def test_verbatim_module_syntax_keeps_imports_used_as_types(tmp_path):
    _ws, _app, g = build(tmp_path, {
        "tsconfig.json": '{ "compilerOptions": { "verbatimModuleSyntax": true } }',
        "app/api/a/route.ts": edge_route("import { C } from '../../../lib/c';\nlet c: C;"),
        "lib/c.ts": "export type C = 1;\n",
    })
    assert g.is_edge("lib/c.ts")
