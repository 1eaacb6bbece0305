"""The binding-access recognizer shared by the KV checks (`checks/_kv.py`)."""

from __future__ import annotations

import pytest

from edgelint.checks import _kv
from edgelint.parsing import parse
from edgelint.summary import summarize


def analyze(source: str, path: str = "lib/x.ts") -> _kv.FileKv:
    pf = parse(path, source.encode())
    return _kv.analyze(pf, summarize(pf))


def accesses(source: str, path: str = "lib/x.ts") -> list[tuple[str, str, int, bool]]:
    """The file's own binding reads (not the pending `helper().X` reads the index settles)."""
    return [(a.name, a.how, a.span.line, a.in_function) for a in analyze(source, path).accesses
            if a.how != "factory-env"]


NOP = "import { getRequestContext, getOptionalRequestContext } from '@cloudflare/next-on-pages';\n"
ON = "import { getCloudflareContext } from '@opennextjs/cloudflare';\n"


@pytest.mark.parametrize("code, expected", [
    ("function f() { return getRequestContext().env.KV.get('a') }", [("KV", "getRequestContext", 2, True)]),
    ("function f() { const { env } = getRequestContext(); return env.KV }", [("KV", "getRequestContext", 2, True)]),
    ("function f() { const { env: e } = getRequestContext(); return e['KV'] }", [("KV", "getRequestContext", 2, True)]),
    ("function f() { const { KV } = getRequestContext().env; return KV }", [("KV", "getRequestContext", 2, True)]),
    ("function f() { const { env: { KV } } = getRequestContext(); return KV }", [("KV", "getRequestContext", 2, True)]),
    ("function f() { const c = getRequestContext(); return c.env.KV }", [("KV", "getRequestContext", 2, True)]),
    ("function f() { return getOptionalRequestContext()?.env.KV }", [("KV", "getOptionalRequestContext", 2, True)]),
    ("const e = (getRequestContext().env as any).KV", [("KV", "getRequestContext", 2, False)]),
])
def test_next_on_pages_forms(code, expected):
    assert accesses(NOP + code) == expected


@pytest.mark.parametrize("code, expected", [
    ("async function f() { const { env } = await getCloudflareContext({ async: true }); return env.KV }",
     [("KV", "getCloudflareContext", 2, True)]),
    ("async function f() { return (await getCloudflareContext({ async: true })).env.KV }",
     [("KV", "getCloudflareContext", 2, True)]),
    ("function f() { return getCloudflareContext().env.KV }", [("KV", "getCloudflareContext", 2, True)]),
])
def test_opennext_forms(code, expected):
    assert accesses(ON + code) == expected


def test_async_option_is_read():
    file = analyze(ON + "async function f() { await getCloudflareContext({ async: true }); getCloudflareContext() }")
    assert [c.is_async for c in file.contexts] == [True, False]


def test_namespace_require_and_dynamic_imports():
    assert accesses("import * as cf from '@cloudflare/next-on-pages';\n"
                    "function f() { return cf.getRequestContext().env.A }") == [("A", "getRequestContext", 2, True)]
    assert accesses("const { getRequestContext } = require('@cloudflare/next-on-pages');\n"
                    "function f() { return getRequestContext().env.B }") == [("B", "getRequestContext", 2, True)]
    assert accesses("async function f() {\n"
                    "  const { getCloudflareContext } = await import('@opennextjs/cloudflare');\n"
                    "  return getCloudflareContext().env.C;\n}") == [("C", "getCloudflareContext", 3, True)]


def test_process_env_and_globalthis():
    found = accesses("function f() {\n  process.env.A;\n  (process.env as any).B;\n  globalThis.C;\n"
                     "  (globalThis as any).D;\n  process.env['E'];\n  const { F } = process.env;\n}")
    assert found == [("A", "process.env", 2, True), ("B", "process.env", 3, True), ("C", "globalThis", 4, True),
                     ("D", "globalThis", 5, True), ("E", "process.env", 6, True), ("F", "process.env", 7, True)]


def test_assignment_targets_are_not_reads():
    assert accesses("globalThis.cache = new Map();\nprocess.env.X = '1';") == []


def test_local_function_with_the_adapters_name_is_not_it():
    # dub-style: the project defines its own getRequestContext
    assert accesses("function getRequestContext() { return { env: { A: 1 } } }\n"
                    "export function f() { return getRequestContext().env.A }") == []
    # imported from elsewhere
    assert accesses("import { getRequestContext } from '@/lib/context';\n"
                    "export function f() { return getRequestContext().env.A }") == []


@pytest.mark.parametrize("code", [
    "function f(getRequestContext: () => any) { return getRequestContext().env.A }",
    "function f() { const getRequestContext = () => ({ env: {} as any }); return getRequestContext().env.A }",
    "function f(process: any) { return process.env.A }",
    "function f() { const globalThis = { A: 1 }; return globalThis.A }",
    "function f(env: any) { return env.A }",
])
def test_shadowing(code):
    assert accesses(NOP + code) == []


def test_values_passed_to_same_file_helpers():
    file = analyze(NOP + "async function put(kv, key) { await kv.put(key, '1') }\n"
                   "function read(env) { return env.B.get('k') }\n"
                   "export async function f() {\n  const { env } = getRequestContext();\n"
                   "  await put(env.A, 'k');\n  return read(env);\n}")
    assert [(a.name, a.span.line, a.methods) for a in file.accesses] == [("B", 3, ("get",)), ("A", 6, ("put",))]
    assert [(c.method, c.name, c.span.line) for c in file.calls] == [("put", "A", 2), ("get", "B", 3)]


def test_local_function_returning_a_binding():
    file = analyze(ON + "function store(): KVNamespace { const b = getCloudflareContext().env.S; return b }\n"
                   "export async function f() { await store().put('k', 'v') }")
    assert [(a.name, a.methods) for a in file.accesses] == [("S", ("put",))]


def test_typed_parameters():
    file = analyze("export async function f(env: CloudflareEnv, kv: KVNamespace) {\n"
                   "  await env.A.get('a');\n  await kv.put('b', '1');\n}")
    assert [(a.name, a.how) for a in file.accesses] == [("A", "CloudflareEnv")]
    assert [(c.method, c.name, c.typed_kv) for c in file.calls] == [("get", "A", False), ("put", "", True)]


def test_await_with_type_arguments_is_seen_through():
    # tree-sitter-typescript reads `await kv.get<T>(k)` as `(await kv.get)<T>(k)`
    file = analyze(NOP + "async function f() {\n  const { env } = getRequestContext();\n"
                   "  const a = await env.KV.get<string[]>('a', 'json');\n  void env.KV.put<string>('b', 'c');\n}")
    assert [(c.method, c.prefix) for c in file.calls] == [("get", "await"), ("put", "void")]


def test_module_scope_and_helpers_called_there():
    file = analyze(NOP + "const { env } = getRequestContext();\n"
                   "function load() { return getRequestContext().env }\n"
                   "const loaded = load();\n"
                   "class S { env = getRequestContext().env }\n")
    assert [(c.span.line, c.in_function) for c in file.contexts] == [(2, False), (3, True), (5, True)]
    assert [(file.pf.span(call).line, inner.span.line) for call, inner in file.module_scope_helper_calls] == [(4, 3)]


def test_dynamic_env_access():
    assert analyze(NOP + "function f(k: string) { return getRequestContext().env[k] }").dynamic_env
    assert analyze(NOP + "function f() { const { A, ...rest } = getRequestContext().env; return rest }").dynamic_env
    assert not analyze(NOP + "function f() { return getRequestContext().env['A'] }").dynamic_env


def test_non_kv_lookalikes_are_not_bindings():
    file = analyze("import { kv } from '@vercel/kv';\nimport { Redis } from '@upstash/redis';\n"
                   "const redis = Redis.fromEnv();\nconst m = new Map();\n"
                   "export async function f(db: any) {\n  await kv.get('a');\n  await redis.get('b');\n"
                   "  m.get('c');\n  await db.select().limit(1);\n"
                   "  await fetch('https://api.cloudflare.com/client/v4/accounts/x/storage/kv/namespaces/y/values/z');\n}")
    assert file.accesses == [] and file.calls == []


def test_broken_and_deep_trees_do_not_crash():
    analyze(NOP + "function f( { const { env } = getRequestContext(); env.A.put('k'")
    deep = "const x = " + "(" * 5000 + "getRequestContext().env.A" + ")" * 5000 + ";\n"
    file = analyze(NOP + deep)
    assert [c.in_function for c in file.contexts] == [False]


def test_fold_number_and_constants():
    file = analyze("const MIN = 60;\nconst TTL = MIN * 60 * 24;\nlet later = 5;\n"
                   "f({ a: TTL, b: 60 * 0.5, c: -1, d: later, e: (2 ** 3), f: 10 / 4, g: 1_000 });")
    from edgelint.jsvalues import object_pairs
    call = next(n for n in file.pf.walk() if n.type == "object")
    pairs = object_pairs(call, file.pf)
    assert {k: _kv.fold_number(v[1], file) for k, v in pairs.items()} == {
        "a": 86400, "b": 30, "c": -1, "d": None, "e": 8, "f": 2.5, "g": 1000}


def test_a_run_on_named_files_takes_the_other_files_kv_usage_from_facts(tmp_path, monkeypatch, cli):
    """EDGE301 is reported once per binding, where the app first uses it, with the number of uses
    in the whole app; a run naming one file parses only that one of the KV files and says the same."""
    import json
    import shutil
    from pathlib import Path

    from edgelint import facts

    root = tmp_path / "app"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "rules" / "EDGE301" / "undeclared-toml", root)
    monkeypatch.chdir(root)
    first, second = "app/api/session/route.ts", "lib/sessions.ts"

    def run(*args):
        return json.loads(cli("check", *args, "--select", "EDGE301", "--format", "json").stdout)["findings"]

    whole = run(".", "--no-cache")
    assert [(f["path"], f["data"]["binding"], f["data"]["uses"]) for f in whole] == [(first, "SESSIONS", 2)]
    computed = []
    usage_fact = _kv.usage_fact
    monkeypatch.setitem(facts.FACTS, "kv-usage", lambda path, data: computed.append(path) or usage_fact(path, data))
    assert run(first, "--no-cache") == whole and second in computed and first not in computed
    assert run(second, "--no-cache") == []  # the whole run reports it in the first file only
    cache = ["--cache-dir", str(tmp_path / "cache")]
    run(".", *cache)  # a whole run stores every file's usage on the way
    computed.clear()
    assert run(first, *cache) == whole and computed == []


def test_a_run_on_named_files_knows_the_helpers_of_the_files_it_does_not_parse(tmp_path, monkeypatch, cli):
    """EDGE304 through an imported helper: naming only the caller (pre-commit) reports what the
    whole run reports there, with the helper's module read from its facts."""
    import json
    import shutil
    from pathlib import Path

    root = tmp_path / "app"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "rules" / "EDGE304" / "next-on-pages", root,
                    ignore=shutil.ignore_patterns(".edgelint_cache"))
    monkeypatch.chdir(root)

    def run(*args):
        found = json.loads(cli("check", *args, "--select", "EDGE304", "--format", "json", "--no-cache").stdout)
        return [(f["path"], f["line"], f["message"]) for f in found["findings"]]

    whole = [f for f in run(".") if f[0] == "lib/catalog.ts"]
    assert [line for _path, line, _message in whole] == [4] and "lib/cf.ts:4" in whole[0][2]
    assert run("lib/catalog.ts") == whole


def test_generated_bundles_are_not_analysed():
    """Minified (lines of 1,000 bytes on average) or very large files are bundles committed with
    the app; hand-written sources, even with a long data URI line, are analysed."""
    minified = b"var a=process.env.X;" * 2000  # 40 kB on one line
    assert _kv.generated(minified)
    assert _kv.generated(b"const x = 1;\n" * 45000)  # 570 kB
    written = b"export const blur = 'data:image/png;base64," + b"A" * 40000 + b"';\n" + b"const y = 2;\n" * 200
    assert not _kv.generated(written) and not _kv.generated(b"const z = 3;\n" * 1000)


def test_a_committed_bundle_does_not_stall_the_kv_rules(tmp_path, monkeypatch):
    """A 1 MB minified bundle that reads `process.env` and calls `require` thousands of times
    (a Storybook build): skipped by the KV rules (analysing it took 7 s), the rest of the app
    still checked."""
    from conftest import MINIMAL_APP, write_tree
    from lintrun import lint

    analysed = []
    real = _kv.analyze
    monkeypatch.setattr(_kv, "analyze", lambda pf, summary: analysed.append(pf.path) or real(pf, summary))

    bundle = b"".join(b"var m%d=require('./m%d');globalThis.q%d=process.env.A%d;" % (i, i, i, i) for i in range(20000))
    package = '{"dependencies": {"next": "15.1.0", "@opennextjs/cloudflare": "1.3.0"}}'
    route = ("import { getCloudflareContext } from '@opennextjs/cloudflare';\n"
             "export async function GET() { getCloudflareContext().env.KV.put('a', 'b'); return new Response(); }\n")
    root = write_tree(tmp_path / "app", {**MINIMAL_APP, "package.json": package, "docs/iframe.bundle.js": bundle,
                                          "app/api/a/route.ts": route})
    outcome = lint(root)
    assert not [f for f in outcome.findings if f.code in ("EDGE906", "EDGE901") or f.path.startswith("docs/")]
    assert ("EDGE305", "app/api/a/route.ts") in {(f.code, f.path) for f in outcome.findings}
    assert "app/api/a/route.ts" in analysed and "docs/iframe.bundle.js" not in analysed


# --------------------------------------------------------------------------------------------
# Which files the KV index reads


def test_process_env_is_read_for_bindings_only_where_cloudflare_runs_the_app(tmp_path):
    """`process.env.X` holds bindings on Cloudflare only: an app for another target with no
    Wrangler file has no file analysed for it (civitai: 334 files, 10 s), one for Cloudflare has."""
    from conftest import MINIMAL_APP, write_tree
    from edgelint import config as config_module, engine, registry
    from edgelint.cli import TARGET_CHOICES

    files = {**MINIMAL_APP, **{f"lib/env{i}.ts": f"export const v{i} = process.env.SETTING_{i};\n" for i in range(5)}}
    config = config_module.load(None, TARGET_CHOICES, {})
    kv = registry.select(["kv"], [], [])
    plain = engine.run([write_tree(tmp_path / "node", files)], config, kv)
    assert plain.apps[0].target == "node"
    assert not any(p.startswith("lib/env") for p in plain.workspace.parsed_paths)
    cloudflare = engine.run([write_tree(tmp_path / "pages", files)], config, kv, target="next-on-pages")
    assert all(f"lib/env{i}.ts" in cloudflare.workspace.parsed_paths for i in range(5))
