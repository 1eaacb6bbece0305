"""Polyfill injection (EDGE5xx): the next.config analysis in `checks/_polyfill.py` (hooks, guards,
entry function, mutations, paths, polyfill definitions, edge uses) and the fixture apps' exact
findings."""

from __future__ import annotations

import json
import textwrap

import pytest

from conftest import FIXTURES, MINIMAL_APP, Cli, assert_clean_exit, write_tree

from edgelint.api import Context
from edgelint.checks import _polyfill as P
from edgelint.parsing import parse
from edgelint.project import find_apps
from edgelint.workspace import Workspace

APPS = FIXTURES / "apps"


def analyse(tmp_path, config: str, files: dict[str, str] | None = None, name: str = "next.config.js",
            package: dict | None = None):
    root = write_tree(tmp_path / "app", {**MINIMAL_APP, name: textwrap.dedent(config), **(files or {}),
                                         **({"package.json": json.dumps(package)} if package else {})})
    ws = Workspace(root)
    apps = find_apps(ws)
    ctx = Context(ws, apps[0], apps)
    return P.injection_analysis(ctx), ctx


def only(analysis):
    assert analysis is not None and len(analysis.injections) == 1, analysis
    return analysis.injections[0]


HOOK = """
module.exports = {{
  webpack({params}) {{
    {before}
    const originalEntry = config.entry;
    {assign}
    return config;
  }},
}};
"""
ASSIGN = ("config.entry = async () => { const e = await originalEntry(); "
          "for (const k of Object.keys(e)) if (!e[k].includes('./lib/p.js')) e[k].unshift('./lib/p.js'); return e; };")


def hook(params: str = "config, { isServer, nextRuntime, dev }", before: str = "", assign: str = ASSIGN,
         guard: str = "") -> str:
    body = f"if ({guard}) {{ {assign} }}" if guard else assign
    return HOOK.format(params=params, before=before, assign=body)


# --------------------------------------------------------------------------------------------
# Guards: which compilations (client, nodejs, edge) run the rewrite


@pytest.mark.parametrize(("params", "before", "guard", "expected"), [
    ("config, { nextRuntime }", "", "nextRuntime === 'edge'", {"edge"}),
    ("config, { isServer }", "", "isServer", {"nodejs", "edge"}),
    ("config, { isServer }", "", "!isServer", {"client"}),
    ("config, { dev }", "", "!dev", {"client", "nodejs", "edge"}),
    ("config, options", "", "options.nextRuntime === 'edge'", {"edge"}),
    ("config, options", "", "options.isServer && options.nextRuntime !== 'nodejs'", {"edge"}),
    ("config, { nextRuntime: runtime }", "", "runtime == 'edge'", {"edge"}),
    ("config, { nextRuntime }", "", "nextRuntime", {"nodejs", "edge"}),
    ("config, { nextRuntime }", "", "nextRuntime === 'nodejs'", {"nodejs"}),
    ("config, ctx", "const { isServer, nextRuntime } = ctx;", "isServer && nextRuntime === 'edge'", {"edge"}),
    ("config, { nextRuntime, isServer }", "const isEdge = isServer && nextRuntime === 'edge';", "isEdge", {"edge"}),
    ("config, { nextRuntime }", "if (nextRuntime !== 'edge') return config;", "", {"edge"}),
    ("config, { isServer }", "if (!isServer) { return config }", "", {"nodejs", "edge"}),
    ("config", "", "", {"client", "nodejs", "edge"}),
])
def test_guards_decide_the_compilations(tmp_path, params, before, guard, expected):
    injection = only(analyse(tmp_path, hook(params, before, guard=guard))[0])
    assert injection.compilations == frozenset(expected)


def test_guards_through_and_and_ternary(tmp_path):
    config = """
    module.exports = {
      webpack: (config, { nextRuntime, isServer }) => {
        nextRuntime === 'edge' && (config.entry = wrap(config.entry));
        isServer ? null : (config.entry = wrap(config.entry));
        return config;
      },
    };
    """
    analysis, _ = analyse(tmp_path, config)
    assert [i.compilations for i in analysis.injections] == [frozenset({"edge"}), frozenset({"client"})]


def test_helper_called_from_the_hook_takes_the_call_site_guards(tmp_path):
    config = """
    function inject(config) {
      const originalEntry = config.entry;
      config.entry = async () => { const e = await originalEntry(); return e; };
    }
    module.exports = {
      webpack(config, { nextRuntime }) { if (nextRuntime === 'edge') inject(config); return config; },
    };
    """
    injection = only(analyse(tmp_path, config)[0])
    assert injection.hook is not None and injection.compilations == frozenset({"edge"})


def test_helper_never_called_has_unknown_compilations(tmp_path):
    config = """
    export function inject(config) {
      const originalEntry = config.entry;
      config.entry = async () => { const e = await originalEntry(); return e; };
    }
    export default {};
    """
    injection = only(analyse(tmp_path, config, name="next.config.mjs")[0])
    assert injection.hook is None and injection.compilations is None


# --------------------------------------------------------------------------------------------
# Hooks in every config form


@pytest.mark.parametrize(("name", "config"), [
    ("next.config.js", "module.exports = { webpack(config) { return config } }"),
    ("next.config.js", "module.exports = { webpack: function (config) { return config } }"),
    ("next.config.mjs", "const webpack = (config) => config; export default { webpack }"),
    ("next.config.mjs", "function hook(config) { return config }\nexport default { webpack: hook }"),
    ("next.config.js", "const nextConfig = {}; nextConfig.webpack = (config) => config; module.exports = nextConfig"),
    ("next.config.js", "module.exports = (phase) => ({ webpack: (config) => config })"),
    ("next.config.ts", "import type { NextConfig } from 'next'\n"
                       "const c: NextConfig = { webpack(config) { return config } }\nexport default c"),
    ("next.config.js", "const withX = (n) => ({ ...n, webpack(config, o) { return n.webpack ? n.webpack(config, o) "
                       ": config } })\nmodule.exports = withX({})"),
])
def test_find_hooks(name, config):
    pf = parse(name, config.encode())
    hooks = P.find_hooks(pf)
    assert len(hooks) == 1 and hooks[0].config_name == "config"


# --------------------------------------------------------------------------------------------
# The entry function: capture, await, return, mutations, shapes, dedupe


def test_pages_shop_style_injection(tmp_path):
    config = """
    const EDGE_POLYFILLS = './lib/edge-polyfills.js';
    export default {
      webpack(config, { isServer }) {
        if (isServer) {
          const originalEntry = config.entry;
          config.entry = async () => {
            const entries = await originalEntry();
            for (const name of Object.keys(entries)) entries[name].unshift(EDGE_POLYFILLS);
            return entries;
          };
        }
        return config;
      },
    };
    """
    analysis, _ = analyse(tmp_path, config, {"lib/edge-polyfills.js": "globalThis.Buffer ??= 1;\n"},
                          name="next.config.mjs")
    injection = only(analysis)
    assert injection.original == "originalEntry"
    assert [P.settlement(analysis.pf, c, injection.function) for c in injection.original_calls] == ["await"]
    assert P.returns_value(injection.function)
    (mutation,) = injection.mutations
    assert (mutation.kind, mutation.key) == ("unshift", None)
    assert [(p.spec, p.via, p.kind, p.file) for p in mutation.paths] == [
        ("./lib/edge-polyfills.js", "EDGE_POLYFILLS", "file", "lib/edge-polyfills.js")]
    assert injection.shapes == set() and not injection.dedupe
    assert analysis.edge_polyfill_reason(mutation.paths[0]) == "named for the edge"
    assert analysis.modules["lib/edge-polyfills.js"].defined == {"Buffer"}


def test_classic_client_pattern_is_client_only(tmp_path):
    config = """
    module.exports = { webpack(config) {
      const originalEntry = config.entry;
      config.entry = async () => {
        const entries = await originalEntry();
        if (entries['main.js'] && !entries['main.js'].includes('./client/polyfills.js')) {
          entries['main.js'].unshift('./client/polyfills.js');
        }
        return entries;
      };
      return config;
    } };
    """
    injection = only(analyse(tmp_path, config)[0])
    assert injection.keys == {"main.js"} and injection.dedupe
    assert injection.runs_in == frozenset({"client"}) and not injection.reaches_edge


def test_each_path_of_one_rewrite_has_its_own_compilations(tmp_path):
    """A rewrite that adds a browser polyfill to 'main.js' and an edge one under `nextRuntime ===
    'edge'`: each path is judged where it is added, so neither is 'unguarded'."""
    config = """
    module.exports = { webpack(config, { nextRuntime }) {
      const originalEntry = config.entry;
      config.entry = async () => {
        const entries = await originalEntry();
        if (entries['main.js'] && !entries['main.js'].includes('./lib/polyfills.js')) {
          entries['main.js'].unshift('./lib/polyfills.js');
        }
        if (nextRuntime === 'edge' && entries['middleware']) {
          entries['middleware'].unshift('./lib/edge-polyfill.js');
        }
        return entries;
      };
      return config;
    } };
    """
    injection = only(analyse(tmp_path, config)[0])
    by_spec = {p.spec: injection.runs_in_for(p) for p in injection.paths}
    assert by_spec == {"./lib/polyfills.js": frozenset({"client"}), "./lib/edge-polyfill.js": frozenset({"edge"})}
    assert injection.runs_in == frozenset({"client", "edge"})


def test_shapes_and_dedupe_found_in_helpers(tmp_path):
    config = """
    const P = './lib/p.js';
    function withPolyfill(value) {
      const list = typeof value === 'string' ? [value] : value;
      if (Array.isArray(list)) return list.includes(P) ? list : [P, ...list];
      return { ...list, import: [P, ...list.import] };
    }
    module.exports = { webpack(config, { nextRuntime }) {
      if (nextRuntime !== 'edge') return config;
      const originalEntry = config.entry;
      config.entry = () => originalEntry().then((e) => { for (const k in e) e[k] = withPolyfill(e[k]); return e; });
      return config;
    } };
    """
    analysis, _ = analyse(tmp_path, config)
    injection = only(analysis)
    assert injection.shapes == {"string", "array", "descriptor"} and injection.dedupe
    assert [P.settlement(analysis.pf, c, injection.function) for c in injection.original_calls] == ["then"]


def test_paths_through_a_helper_parameter_keep_each_call_site(tmp_path):
    config = """
    const A = './lib/a.js';
    function prepend(value, polyfill) { return [polyfill, ...value]; }
    module.exports = { webpack(config) {
      const originalEntry = config.entry;
      config.entry = async () => {
        const e = await originalEntry();
        e.x = prepend(e.x, A);
        e.y = prepend(e.y, './lib/b.js');
        return e;
      };
      return config;
    } };
    """
    injection = only(analyse(tmp_path, config)[0])
    assert sorted(p.spec for p in injection.paths) == ["./lib/a.js", "./lib/b.js"]


@pytest.mark.parametrize(("expression", "spec"), [
    ("'./lib/p.js'", "./lib/p.js"),
    ("path.resolve(__dirname, 'lib/p.js')", "./lib/p.js"),
    ("path.join(process.cwd(), './lib', 'p.js')", "./lib/p.js"),
    ("require.resolve('./lib/p')", "./lib/p"),
    ("fileURLToPath(new URL('./lib/p.js', import.meta.url))", "./lib/p.js"),
    ("`${__dirname}/lib/p.js`", "./lib/p.js"),
    ("ROOT_P", "./lib/p.js"),
    ("'core-js/stable'", "core-js/stable"),
])
def test_path_forms(expression, spec):
    source = (f"const path = require('path');\nconst root = __dirname;\n"
              f"const ROOT_P = path.resolve(root, 'lib/p.js');\nx = {expression};\n")
    pf = parse("next.config.js", source.encode())
    assignment = pf.root.named_children[-1].named_children[0]
    found = P.path_of(pf, assignment.child_by_field_name("right"))
    assert found is not None and found.spec == spec


def test_unknown_paths_are_not_guessed():
    pf = parse("next.config.js", b"x = path.join(os.tmpdir(), 'p.js');\ny = someFunction();\n")
    for statement in pf.root.named_children:
        assert P.path_of(pf, statement.named_children[0].child_by_field_name("right")) is None


# --------------------------------------------------------------------------------------------
# What a polyfill defines, what edge code uses


def test_definitions():
    source = textwrap.dedent("""
        import { Buffer } from 'buffer';
        globalThis.Buffer = Buffer;
        if (typeof global.setImmediate === 'undefined') global.setImmediate = (f) => setTimeout(f, 0);
        self['clearImmediate'] ??= () => {};
        process.nextTick = (f) => queueMicrotask(f);
        globalThis.process.emitWarning = () => {};
        Object.defineProperty(globalThis, 'structuredClone', { value: 1 });
        Object.assign(globalThis, { TextDecoderStream: 1, EventSource: 2 });
        Promise.withResolvers = () => {};               // a built-in's member: not a global
        function local(globalThis) { globalThis.Nope = 1 }  // a parameter named globalThis
        const self2 = {}; self2.Nope = 1;
    """)
    pf = parse("lib/p.js", source.encode())
    assert [d.name for d in P.definitions(pf)] == [
        "Buffer", "setImmediate", "clearImmediate", "process.nextTick", "process.emitWarning", "structuredClone",
        "TextDecoderStream", "EventSource"]


def test_edge_uses_are_scope_aware_and_see_global_members(tmp_path):
    files = {
        "app/api/x/route.ts": "import { f } from '../../../lib/f';\nexport const runtime = 'edge';\n"
                              "export const GET = () => new Response(String(f()));\n",
        "lib/f.ts": textwrap.dedent("""
            export function f() {
              setImmediate(() => {});
              (globalThis as any).structuredClone(1);
              process.nextTick(() => {});
              const useEnv = process.env.X;
              if (typeof clearImmediate === 'function') clearImmediate(undefined as any);
              return ((setImmediate) => setImmediate)(1);
            }
        """),
    }
    _, ctx = analyse(tmp_path, "module.exports = {}", files)
    uses = P.edge_uses(ctx, {"setImmediate", "structuredClone", "process", "clearImmediate"})
    found = {name: [(u.path, u.node.start_point[0] + 1, u.guarded) for u in found] for name, found in uses.items()}
    assert found == {
        "setImmediate": [("lib/f.ts", 3, False)],
        "structuredClone": [("lib/f.ts", 4, False)],
        "process.nextTick": [("lib/f.ts", 5, False)],
        "process.env": [("lib/f.ts", 6, False)],
        "clearImmediate": [("lib/f.ts", 7, True), ("lib/f.ts", 7, True)],
    }


# --------------------------------------------------------------------------------------------
# Turbopack


@pytest.mark.parametrize(("version", "build", "config_extra", "expected"), [
    ("14.2.15", "next build", "", (False, False, False)),
    ("15.5.0", "next build --turbopack", "", (True, False, False)),
    ("16.0.0", "next build", "", (True, False, True)),
    ("16.0.0", "next build", "turbopack: {},", (True, False, False)),
    ("16.0.0", "next build --webpack", "", (False, False, False)),
    ("latest", "next build", "", (True, True, True)),
])
def test_bundler(tmp_path, version, build, config_extra, expected):
    package = {"name": "t", "scripts": {"build": build}, "dependencies": {"next": version}}
    _, ctx = analyse(tmp_path, f"module.exports = {{ {config_extra} webpack: (c) => c }}", package=package)
    state = P.bundler(ctx)
    assert (state.turbopack, state.assumed, state.build_fails) == expected


# --------------------------------------------------------------------------------------------
# The fixture apps: exactly the planted polyfill mistakes


def polyfill_findings(app):
    result = Cli()("check", app, "--select", "EDGE5", "--format", "json", "--no-cache")
    assert_clean_exit(result, 0, 1)
    return sorted((f["code"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"])


def test_pages_shop_reports_exactly_p1_p2_p3():
    assert polyfill_findings(APPS / "pages-shop") == [
        ("EDGE503", "next.config.mjs", 20),   # P1: isServer guard
        ("EDGE504", "next.config.mjs", 25),   # P3: arrays only
        ("EDGE509", "next.config.mjs", 25),   # P2: no includes check
    ]


@pytest.mark.parametrize("app", ["clean-edge", "vercel-edge-buffer", "opennext-blog"])
def test_correct_injections_are_silent(app):
    assert polyfill_findings(APPS / app) == []
