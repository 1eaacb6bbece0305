"""Robustness on hostile and real-world input (property-based, hypothesis).

Fixture files are mutated — truncated, random bytes inserted, NUL bytes, invalid UTF-8, byte order
marks, CRLF and lone CR line ends, Unicode line separators, emptied — and Wrangler, tsconfig,
package.json and next.config files are generated; on every example:

* no exception escapes and no check crashes (no EDGE906), the run is complete;
* the SARIF passes the official 2.1.0 schema and `shared/tools/sarif_check.py`;
* every reported line and column (findings, related locations, flow steps) lies inside its file;
* the output is deterministic: byte-identical across runs, and with or without the cache (cold
  and warm) and the process pool.

Explicit cases cover 10,000-deep nesting of every kind of node, a 5 MB minified line, and the
time bound on checks (`edgelint.watchdog`).
"""

from __future__ import annotations

import json
import os
import shutil
import string
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, MINIMAL_APP, assert_clean_exit, write_tree
from edgelint import parsing, registry, watchdog, workspace
from edgelint.api import Check
from lintrun import assert_sane, lint, lint_app

#: A longer, random search: EDGELINT_HYPOTHESIS_EXAMPLES=2000 pytest tests/test_robustness.py
HUNT = int(os.environ.get("EDGELINT_HYPOTHESIS_EXAMPLES", "0"))
SETTINGS = settings(max_examples=HUNT or 40, deadline=None, suppress_health_check=list(HealthCheck),
                    derandomize=not HUNT, database=None)

CASES = sorted([*FIXTURES.glob("rules/*/*/"), *FIXTURES.glob("apps/*/")])
MUTABLE = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".json", ".jsonc", ".toml")


def _copy(case: Path, into: Path) -> Path:
    target = into / "app"
    shutil.copytree(case, target, ignore=shutil.ignore_patterns(".edgelint_cache", ".git", "node_modules"))
    return target


def _files(case: Path) -> list[str]:
    return sorted(p.relative_to(case).as_posix() for p in case.rglob("*")
                  if p.is_file() and p.suffix in MUTABLE and ".edgelint_cache" not in p.parts)


# --------------------------------------------------------------------------------------------
# Mutations


INVALID_UTF8 = [b"\xff", b"\xfe\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf",
                b"\x80\x80\x80"]
ODD_TEXT = [b"\0", b"\r", b"\r\n", b"\n", b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\x0c", b"\x0b", b"\x1b[31m", b"\t",
            b"\xef\xbb\xbf", b"`", b"${", b"/*", b"*/", b"//", b"'", b'"', b"<", b">", b"{", b"}", b"(", b")", b"[",
            b"]", b"\\", b"\xf0\x9f\x98\x80", b"\xcc\x81"]


@st.composite
def mutated(draw, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "insert", "odd", "invalid", "bom", "crlf", "cr", "empty",
                                     "duplicate", "delete"]))
        at = draw(st.integers(0, len(data)))
        if kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=12)) + data[at:]
        elif kind == "odd":
            data = data[:at] + draw(st.sampled_from(ODD_TEXT)) + data[at:]
        elif kind == "invalid":
            data = data[:at] + draw(st.sampled_from(INVALID_UTF8)) + data[at:]
        elif kind == "bom":
            data = b"\xef\xbb\xbf" + data
        elif kind == "crlf":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        elif kind == "cr":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
        elif kind == "empty":
            data = b""
        elif kind == "duplicate":
            end = draw(st.integers(at, min(len(data), at + 200)))
            data = data[:end] + data[at:end] + data[end:]
        elif kind == "delete":
            end = draw(st.integers(at, min(len(data), at + 40)))
            data = data[:at] + data[end:]
    return data


@st.composite
def mutated_case(draw):
    case = draw(st.sampled_from(CASES))
    files = _files(case)
    rel = draw(st.sampled_from(files))
    return case, rel, draw(mutated((case / rel).read_bytes()))


@SETTINGS
@given(example=mutated_case())
def test_mutated_fixture_files(example):
    case, rel, data = example
    with tempfile.TemporaryDirectory() as folder:
        root = _copy(case, Path(folder))
        (root / rel).write_bytes(data)
        first = lint_app(root)
        if first is None:
            return
        assert_sane(first)
        again = lint(root)
        assert again.outputs == first.outputs, "two runs on the same tree differ"


@settings(SETTINGS, max_examples=HUNT // 4 or 15)
@given(example=mutated_case())
def test_mutated_fixture_files_same_with_cache_and_pool(example):
    """No cache, a cold cache, a warm cache and the process pool give byte-identical reports."""
    case, rel, data = example
    with tempfile.TemporaryDirectory() as folder:
        root = _copy(case, Path(folder))
        (root / rel).write_bytes(data)
        plain = lint_app(root)
        if plain is None:
            return
        plain = plain.outputs
        cache = Path(folder) / "cache"
        cold = lint(root, cache_dir=cache).outputs
        warm = lint(root, cache_dir=cache).outputs
        threshold, workspace.POOL_THRESHOLD = workspace.POOL_THRESHOLD, 1  # force the pool on a small tree
        try:
            pooled = lint(root, jobs=2).outputs
        finally:
            workspace.POOL_THRESHOLD = threshold
        for name in ("text", "json", "sarif", "github", "audit-json"):
            assert cold[name] == plain[name], f"{name}: cold cache differs from no cache"
            assert warm[name] == plain[name], f"{name}: warm cache differs from no cache"
            assert pooled[name] == plain[name], f"{name}: process pool differs from serial"


# --------------------------------------------------------------------------------------------
# Generated configuration files


NAMES = st.text(string.ascii_letters + string.digits + "_-./*@:~ é\\\"'\n\t%", min_size=0, max_size=12)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False),
                    NAMES, st.sampled_from(["KV", "CACHE", ".vercel/output/static", ".open-next/worker.js", "edge",
                                            "nodejs", "", "../..", "/etc/passwd", "./src/*", "@/*", "*"]))


def _values(keys):
    return st.recursive(SCALARS, lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(keys), NAMES), inner, max_size=4)), max_leaves=12)


WRANGLER_KEYS = ["name", "main", "pages_build_output_dir", "compatibility_date", "compatibility_flags", "kv_namespaces",
                 "ratelimits", "r2_buckets", "d1_databases", "services", "vars", "env", "unsafe", "bindings",
                 "binding", "id", "preview_id", "namespace_id", "simple", "limit", "period", "assets", "images",
                 "durable_objects", "queues", "ai"]


def binding_item(name_field: str):
    return st.fixed_dictionaries({name_field: st.one_of(st.sampled_from(["KV", "CACHE", "LIMITER", "DB"]), SCALARS)},
                                 optional={"id": SCALARS, "simple": _values(WRANGLER_KEYS)})


WRANGLER_KNOWN = st.fixed_dictionaries({}, optional={
    "name": SCALARS, "main": SCALARS, "pages_build_output_dir": SCALARS,
    "kv_namespaces": st.one_of(st.lists(binding_item("binding"), max_size=3), _values(WRANGLER_KEYS)),
    "ratelimits": st.one_of(st.lists(binding_item("name"), max_size=3), _values(WRANGLER_KEYS)),
    "vars": _values(WRANGLER_KEYS),
    "env": st.dictionaries(NAMES, st.fixed_dictionaries({}, optional={
        "kv_namespaces": st.lists(binding_item("binding"), max_size=2), "vars": _values(WRANGLER_KEYS)}), max_size=2),
    "unsafe": _values(WRANGLER_KEYS),
})
WRANGLER = st.builds(lambda known, other: {**other, **known}, WRANGLER_KNOWN,
                     st.dictionaries(st.sampled_from(WRANGLER_KEYS), _values(WRANGLER_KEYS), max_size=3))


def toml_value(value) -> str:
    """TOML for a value, inline tables and arrays only (None has no TOML form: an empty string)."""
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if not isinstance(value, float) or value == value else "nan"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(data: dict) -> str:
    return "".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}\n" for k, v in data.items())


def jsonc_document(data, comments: bool) -> str:
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if comments:
        text = "// generated\n" + text.replace(",\n", ", /* c */\n").replace("\n}", ",\n}")
    return text


TSCONFIG = st.fixed_dictionaries({}, optional={
    "extends": st.one_of(SCALARS, st.lists(SCALARS, max_size=3),
                         st.sampled_from(["./tsconfig.json", "./base.json", "../tsconfig.json", "/etc/hosts",
                                          "@acme/tsconfig/base.json"])),
    "compilerOptions": st.fixed_dictionaries({}, optional={
        "baseUrl": st.one_of(SCALARS, st.sampled_from([".", "./src", "..", "/", "../../.."])),
        "paths": st.one_of(_values(["@/*", "~/*", "*"]), st.dictionaries(
            st.sampled_from(["@/*", "~/*", "*", "@lib", "#x/*", "@/a/*"]),
            st.lists(st.sampled_from(["./src/*", "./*", "../*", "/etc/*", "*", "./lib/x.ts", "./missing/*"]),
                     max_size=3), max_size=4)),
    }),
})

PACKAGE = st.fixed_dictionaries({
    "dependencies": st.one_of(
        st.fixed_dictionaries({"next": st.one_of(SCALARS, st.sampled_from(["14.2.15", "^15.0.0", "16.3.0", "latest",
                                                                           "workspace:*", "*", "0", "99999999999"]))},
                              optional={"@cloudflare/next-on-pages": SCALARS, "@opennextjs/cloudflare": SCALARS,
                                        "@upstash/ratelimit": SCALARS}),
        _values(["next"])),
}, optional={"name": SCALARS, "scripts": _values(["build", "dev"]), "devDependencies": _values(["next"]),
             "workspaces": _values(["packages/*"]), "exports": _values([".", "./*", "import", "edge-light"]),
             "main": SCALARS})


@SETTINGS
@given(WRANGLER, st.sampled_from(["wrangler.toml", "wrangler.json", "wrangler.jsonc"]), st.booleans(), PACKAGE,
       TSCONFIG)
def test_generated_config_files(wrangler, wrangler_name, comments, package, tsconfig):
    files = {
        "app/api/kv/route.ts": "import { getRequestContext } from '@cloudflare/next-on-pages';\n"
                               "export const runtime = 'edge';\n"
                               "export async function POST() {\n"
                               "  const { env } = getRequestContext();\n"
                               "  await env.KV.put('k', 'v', { expirationTtl: 10 });\n"
                               "  const { success } = await env.LIMITER.limit({ key: 'x' });\n"
                               "  return new Response(String(success));\n}\n",
        "tsconfig.json": jsonc_document(tsconfig, comments),
        "package.json": json.dumps(package, ensure_ascii=False),
        wrangler_name: toml_document(wrangler) if wrangler_name.endswith(".toml") else jsonc_document(wrangler, comments),
    }
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder) / "app", {**MINIMAL_APP, **files})
        outcome = lint_app(root)
        if outcome is not None:
            assert_sane(outcome)


JS_ATOMS = st.sampled_from([
    "1", "'x'", '"edge"', "`t${x}`", "true", "null", "undefined", "x", "process.env.X", "[]", "{}", "() => ({})",
    "async (phase) => ({ images: {} })", "withX", "require('x')", "import.meta.url", "-1", "1e9", "0x10", "/re/g",
    "new URL('./a', import.meta.url)", "path.resolve(__dirname, './polyfill.js')", "...rest", "a?.b", "!0",
])
CONFIG_KEYS = ["images", "loader", "loaderFile", "unoptimized", "remotePatterns", "pageExtensions", "webpack",
               "experimental", "output", "basePath", "reactStrictMode", "runtime", "entry", "config", "qualities",
               "deviceSizes", "imageSizes", "'quoted-key'", "[computed]", "123"]


def js_value(depth: int = 0):
    if depth > 2:
        return JS_ATOMS
    inner = st.deferred(lambda: js_value(depth + 1))
    return st.one_of(
        JS_ATOMS,
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(CONFIG_KEYS), inner), max_size=4).map(
            lambda pairs: "{ " + ", ".join(f"{k}: {v}" for k, v in pairs) + " }"),
        st.tuples(st.sampled_from(["withX", "withBundleAnalyzer({})", "defineConfig"]), inner).map(
            lambda t: f"{t[0]}({t[1]})"),
    )


WEBPACK = st.sampled_from([
    "",
    "webpack(config, { isServer, nextRuntime }) { const entry = config.entry; config.entry = async () => "
    "{ const e = await entry(); if (nextRuntime === 'edge') { e['middleware'].unshift('./polyfill.js'); } "
    "return e; }; return config; },",
    "webpack: (config) => { config.entry = () => config.entry; return config },",
    "webpack(c) { c.resolve.fallback = { ...c.resolve.fallback, fs: false }; return c },",
])


@SETTINGS
@given(st.sampled_from(["next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"]),
       st.sampled_from(["module.exports = {};", "export default {};", "const c = {}; export default c;",
                        "module.exports = (phase) => {};"]),
       st.lists(st.tuples(st.sampled_from(CONFIG_KEYS), js_value()), max_size=5), WEBPACK,
       st.sampled_from(["next-on-pages", "opennext", "vercel", "node"]))
def test_generated_next_config(name, form, pairs, webpack, target):
    body = "{ " + webpack + " " + ", ".join(f"{k}: {v}" for k, v in pairs) + " }"
    text = form.replace("{}", body, 1)
    files = {name: "const withX = (c) => c;\n" + text + "\n", "polyfill.js": "globalThis.x = 1;\n",
             "middleware.ts": "export const config = { matcher: ['/api/:path*'] };\n"
                              "export function middleware() {}\n",
             "app/img/page.tsx": "import Image from 'next/image';\nexport default function P() {\n"
                                 "  return <Image src='/cdn-cgi/image/width=10/a.png' width={10} height={10} alt='' />;\n}\n"}
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder) / "app", {**MINIMAL_APP, **files})
        assert_sane(lint(root, target=target))


# --------------------------------------------------------------------------------------------
# Pathological sizes and nesting


DEPTH = 10_000
NESTINGS = {
    "arrays": "[" * DEPTH + "]" * DEPTH,
    "objects": "{a:" * DEPTH + "1" + "}" * DEPTH,
    "parentheses": "(" * DEPTH + "1" + ")" * DEPTH,
    "calls": "f(" * DEPTH + ")" * DEPTH,
    "binary": "1+" * DEPTH + "1",
    "concatenation": "'/cdn-cgi/image/width=10/' + x" + " + 'a'" * DEPTH,
    "members": "a" + ".b" * DEPTH,
    "call-chain": "a" + ".b()" * DEPTH,
    "arrows": "() => " * DEPTH + "1",
    "ternaries": "a ? b : " * DEPTH + "c",
    "templates": "`${" * DEPTH + "1" + "}`" * DEPTH,
    "unary": "-" * DEPTH + "1",
    "casts": "x" + " as any" * DEPTH,
    "awaits": "await " * DEPTH + "env.KV.get('k')",
    "jsx": "<div>" * DEPTH + "</div>" * DEPTH,
    "blocks": "(() => {" + "{" * DEPTH + "}" * DEPTH + "})()",
    "ifs": "(() => {" + "if (a) {" * DEPTH + "}" * DEPTH + "})()",
    "functions": "(function g() {" + "function g() {" * DEPTH + "}" * DEPTH + "})",
    "unclosed": "[" * DEPTH,
}
PRELUDE = ("'use server';\nimport { getRequestContext } from '@cloudflare/next-on-pages';\n"
           "import { Ratelimit } from '@upstash/ratelimit';\n// edgelint-disable-next-line EDGE101\n")


def test_deep_nesting_everywhere(tmp_path):
    """10,000 levels of every kind of nesting, in pages, route handlers, middleware, next.config,
    package.json, tsconfig and wrangler files: no crash, no recursion error, bounded time."""
    files = {"package.json": json.dumps({"dependencies": {"next": "14.2.15", "@cloudflare/next-on-pages": "1"}}),
             "wrangler.toml": 'pages_build_output_dir = ".vercel/output/static"\n'
                              '[[kv_namespaces]]\nbinding = "KV"\nid = "x"\n',
             "wrangler.jsonc": '{"x": ' + "[" * DEPTH + "]" * DEPTH + "}",
             "tsconfig.json": '{"compilerOptions": {"paths": ' + "[" * DEPTH + "]" * DEPTH + "}}",
             "next.config.js": "module.exports = " + "{a:" * DEPTH + "1" + "}" * DEPTH + ";\n",
             "middleware.ts": "export const config = { matcher: " + "[" * DEPTH + "]" * DEPTH + " };\n"
                              "export function middleware() {}\n",
             "packages/deep/package.json": '{"name": "deep", "exports": ' + '{"import": ' * DEPTH + '"./x.js"'
                                           + "}" * DEPTH + "}"}
    for kind, expression in NESTINGS.items():
        expr = expression.replace("<div>", "").replace("</div>", "") if kind != "jsx" else expression
        files[f"app/{kind}/page.tsx"] = (PRELUDE + f"export const x = {expression};\n"
                                         "export default function Page() { return null; }\n")
        files[f"app/api/{kind}/route.ts"] = (PRELUDE + "export async function POST() {\n"
                                             f"  const env = getRequestContext().env;\n  const x = {expr};\n"
                                             "  return new Response(String(x));\n}\n")
    root = write_tree(tmp_path / "app", {**MINIMAL_APP, **files})
    start = time.monotonic()
    outcome = lint(root)
    elapsed = time.monotonic() - start
    assert_sane(outcome)
    assert elapsed < 120, f"{elapsed:.0f} s for {len(files)} deeply nested files"
    assert "EDGE902" in outcome.codes()  # the nested package.json is named, not a crash


def test_five_megabyte_minified_line(tmp_path):
    """A 5 MB one-line bundle (with every prefilter needle in it) is skipped with a note, fast."""
    needles = ("getRequestContext cdn-cgi/image .limit( 'use server' runtime process.env edgelint-disable "
               "config.entry NEXT_RUNTIME KVNamespace import(")
    line = ("var a=function(){return '" + needles + "'};").encode() * (5_000_000 // 160)
    root = write_tree(tmp_path / "app", {**MINIMAL_APP, "app/bundle.js": line,
                                         "app/page.tsx": "import './bundle.js';\nexport const runtime = 'edge';\n"
                                                         "export default function P() { return null; }\n"})
    start = time.monotonic()
    outcome = lint(root)
    assert time.monotonic() - start < 60
    assert_sane(outcome)
    notes = [f for f in outcome.findings if f.code == "EDGE903" and f.path == "app/bundle.js"]
    assert notes and "not parsed" in notes[0].message


def test_file_over_the_read_limit_is_skipped(tmp_path, monkeypatch):
    from edgelint import files

    root = write_tree(tmp_path / "app", MINIMAL_APP)
    big = root / "app" / "huge.ts"
    with big.open("wb") as out:  # sparse: no need to write the bytes
        out.truncate(files.MAX_READ_BYTES + 1)
    (root / "app" / "page.tsx").write_text("import './huge';\nexport const runtime = 'edge';\n"
                                           "export default function P() { return null; }\n")
    start = time.monotonic()
    outcome = lint(root)
    assert time.monotonic() - start < 30
    assert_sane(outcome)
    [note] = [f for f in outcome.findings if f.path == "app/huge.ts"]
    assert note.code == "EDGE903" and "larger than" in note.message


@pytest.mark.parametrize("kind", ["empty", "bom", "crlf", "cr", "nul", "invalid-utf8", "u2028"])
def test_odd_encodings_of_a_route(tmp_path, kind):
    source = ("import { readFileSync } from 'fs';\nexport const runtime = 'edge';\n"
              "export async function POST() {\n  return new Response(readFileSync('x'));\n}\n").encode()
    data = {"empty": b"", "bom": b"\xef\xbb\xbf" + source, "crlf": source.replace(b"\n", b"\r\n"),
            "cr": source.replace(b"\n", b"\r"), "nul": source.replace(b"POST", b"PO\0ST"),
            "invalid-utf8": source.replace(b"'x'", b"'\xff\xfe'"),
            "u2028": source.replace(b"'x'", "'\u2028x\u2029'".encode())}[kind]
    root = write_tree(tmp_path / "app", {**MINIMAL_APP, "app/api/x/route.ts": data})
    outcome = lint(root)
    assert_sane(outcome)
    if kind in ("bom", "crlf", "cr", "invalid-utf8", "u2028"):
        [fs] = [f for f in outcome.findings if f.code == "EDGE201"]
        assert (fs.span.line, fs.span.col) == (1, 30)  # a BOM takes no column, as in editors


def test_spans_on_lone_cr_lines_point_at_the_node():
    pf = parsing.parse("x.ts", b"const a = 1;\rconst b = require('fs');\rexport const runtime = 'edge';\r")
    strings = [pf.span(n) for n in pf.walk() if n.type == "string"]
    assert [(s.line, s.col) for s in strings] == [(2, 19), (3, 24)]


# --------------------------------------------------------------------------------------------
# Time bound and containment


class SlowCheck(Check):
    """## What it does
    Test-only: spins forever on the first file it parses.
    """

    code, name, area = "EDGE991", "test-slow", "edge-compat"

    def run(self, ctx):
        for path in ctx.files():
            if ctx.parse(path) is not None:
                while True:
                    try:
                        time.sleep(0.01)
                    except Exception:  # a check's own `except Exception` cannot swallow the stop
                        pass


class CrashingCheck(Check):
    """## What it does
    Test-only: raises on the first file it parses.
    """

    code, name, area = "EDGE992", "test-crash", "edge-compat"

    def run(self, ctx):
        for path in ctx.files():
            if ctx.parse(path) is not None:
                raise ValueError("boom\nsecond line")
        yield from ()


@pytest.mark.skipif(not watchdog.available(), reason="the watchdog needs SIGALRM in the main thread")
def test_a_check_that_hangs_is_stopped_and_named(tmp_path, monkeypatch, cli):
    monkeypatch.setattr(watchdog, "CHECK_FILE_TIMEOUT_SECONDS", 0.5)
    builtin = tuple(c for c in registry.all_checks() if c.code not in ("EDGE991", "EDGE992"))
    monkeypatch.setattr(registry, "all_checks", lambda: tuple(sorted([*builtin, SlowCheck, CrashingCheck],
                                                                     key=lambda c: c.code)))
    root = write_tree(tmp_path / "app", {**MINIMAL_APP, "app/api/x/route.ts": "export async function POST() {}\n"})
    start = time.monotonic()
    result = cli("check", root, "--format", "json", "--no-cache")
    assert time.monotonic() - start < 20
    assert result.exit_code == 2, result.output  # incomplete run
    doc = json.loads(result.stdout)
    internal = [f for f in doc["findings"] if f["code"] == "EDGE906"]
    assert len(internal) == 2
    slow = next(f for f in internal if "EDGE991" in f["message"])
    assert "stopped after 0.5 s on app/api/x/route.ts" in slow["message"] and slow["path"] == "app/api/x/route.ts"
    crash = next(f for f in internal if "EDGE992" in f["message"])
    assert "ValueError: boom" in crash["message"] and crash["path"] == "app/api/x/route.ts"
    assert doc["summary"]["incomplete"] is True
    # the other checks still ran: the built-in EDGE601 reports the unlimited POST
    assert any(f["code"] == "EDGE601" for f in doc["findings"])
    # and the signal handler is gone again
    import signal

    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)


def test_parser_is_usable_after_an_interrupted_parse(monkeypatch):
    calls = {"n": 0}
    real = time.monotonic

    def interrupting():
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real()

    source = b"let a = " + b"[" * 200_000 + b"]" * 200_000
    monkeypatch.setattr(time, "monotonic", interrupting)
    with pytest.raises(KeyboardInterrupt):
        parsing.parse("x.ts", source)
    monkeypatch.setattr(time, "monotonic", real)
    pf = parsing.parse("y.ts", b"const x = 1;")
    assert pf.root.end_byte == len(b"const x = 1;") and not pf.root.has_error


def test_engine_spans_are_deterministic_across_cache_states(tmp_path):
    """The fixture apps: no cache, cold, warm give identical SARIF (spans included)."""
    for case in sorted(FIXTURES.glob("apps/*/")):
        root = _copy(case, tmp_path / case.name)
        plain = lint(root, audit=False).outputs["sarif"]
        cache = tmp_path / (case.name + "-cache")
        assert lint(root, cache_dir=cache, audit=False).outputs["sarif"] == plain
        assert lint(root, cache_dir=cache, audit=False).outputs["sarif"] == plain


EDGELINT_KEYS = ["target", "select", "ignore", "extend-select", "fail-on", "exclude", "cache-dir", "apps", "kv",
                 "ratelimit", "edge-compat", "image", "allow-unused", "min-cache-ttl", "limiters", "wrappers",
                 "include-get", "ignore-urls", "forbidden-packages", "allowed-packages", "EDGE101", "ALL"]


@SETTINGS
@given(st.dictionaries(st.sampled_from(EDGELINT_KEYS), _values(EDGELINT_KEYS), max_size=4))
def test_generated_edgelint_toml(config):
    """Any edgelint.toml either works or is a configuration error that names the file (exit 2)."""
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder) / "app", {**MINIMAL_APP, "edgelint.toml": toml_document(config)})
        outcome = lint_app(root)
        if outcome is not None:
            assert_sane(outcome)


@pytest.mark.parametrize("option", ['[kv]\nmin-cache-ttl = "abc"', "[kv]\nmin-cache-ttl = true",
                                    "[kv]\nallow-unused = 5", '[ratelimit]\ninclude-get = "yes"'])
def test_option_of_the_wrong_type_is_a_config_error(tmp_path, cli, option):
    root = write_tree(tmp_path / "app", {**MINIMAL_APP, "edgelint.toml": option + "\n"})
    result = cli("check", root, "--no-cache")
    assert result.exit_code == 2 and "edgelint.toml" in result.stderr and "must be" in result.stderr


# --------------------------------------------------------------------------------------------
# The matcher and the import graph terminate on cycles and huge inputs


MATCHER_PIECES = st.sampled_from(["/", "/api", ":path", "*", "+", "?", "(", ")", "(.*)", "((?!_next).*)", "{", "}",
                                  "\\\\", "[", "]", "(a+)+", "(?:a|a)*", ":id(\\d+)", "/:a/:b?", ".*", "$", "^", "|",
                                  "(?<=x)", "\\u0000", "%", "\x00", "a" * 50, "/(", "(?=", "{/x}?", "[^/]+"])
ROUTE_PIECES = st.sampled_from(["/", "a", "[id]", "[...slug]", "[[...opt]]", "(group)", "@slot", "_next", "api",
                                "%", "é", "a" * 40, ".", ".."])


@SETTINGS
@given(st.one_of(
           st.lists(st.lists(MATCHER_PIECES, max_size=8).map("".join), max_size=4),
           st.lists(st.fixed_dictionaries({"source": st.lists(MATCHER_PIECES, max_size=8).map("".join)},
                                          optional={"has": st.just([{"type": "header", "key": "x"}]),
                                                    "missing": _values(["type", "key", "value"]),
                                                    "locale": st.sampled_from([False, True, None])}), max_size=3),
           _values(["source", "has", "missing", "locale"])),
       st.lists(ROUTE_PIECES, max_size=6).map(lambda parts: "/" + "/".join(parts)),
       st.text(max_size=60))
def test_matcher_never_raises_and_terminates(matcher_value, route, url):
    from edgelint import matcher

    start = time.monotonic()
    entries = matcher.compile_matcher(matcher_value, base_path=draw_safe(url), locales=["en", "fr"],
                                      default_locale="en")
    for probe in (url, route, "/" + url, "/api/" + "a" * 5000):
        matcher.url_coverage(entries, probe)
        matcher.url_matches(entries, probe)
    matcher.route_coverage(entries, route)
    assert time.monotonic() - start < 5


def draw_safe(text: str) -> str:
    return "" if not text.startswith("/") else text[:20]


def test_import_graph_terminates_on_cycles_and_many_files(tmp_path):
    """2,000 modules in one import cycle (plus self-imports, re-export loops and a package.json
    `main` loop) reached from 300 edge routes: the graph and every check finish in bounded time."""
    count, routes = 2000, 300
    files = {"package.json": json.dumps({"dependencies": {"next": "14.2.15", "@cloudflare/next-on-pages": "1"}}),
             "lib/a/package.json": '{"main": "../b"}', "lib/b/package.json": '{"main": "../a"}',
             "lib/a/index.ts": "export * from '../b';\n", "lib/b/index.ts": "export * from '../a';\n"}
    for i in range(count):
        files[f"lib/m{i}.ts"] = (f"import {{ v{(i + 1) % count} }} from './m{(i + 1) % count}';\n"
                                 f"export * from './m{i}';\nexport * from './m{(i + 7) % count}';\n"
                                 f"import '../lib/a';\nexport const v{i} = () => v{(i + 1) % count};\n")
    for r in range(routes):
        files[f"app/r{r}/page.tsx"] = (f"import {{ v{r * 6} }} from '../../lib/m{r * 6}';\n"
                                       "export const runtime = 'edge';\n"
                                       f"export default function P() {{ return v{r * 6}(); }}\n")
    root = write_tree(tmp_path / "app", {**MINIMAL_APP, **files})
    start = time.monotonic()
    outcome = lint(root)
    assert time.monotonic() - start < 120
    assert_sane(outcome)


def test_fix_applies_to_a_page_with_a_bare_ampersand_in_jsx(tmp_path, cli):
    """tree-sitter's JSX `&` mis-parse (REFERENCE.md §8a) is neither a syntax-error note nor a
    reason to refuse a safe fix (it made `--fix` skip most real pages)."""
    page = ("import { cookies } from 'next/headers';\n"
            "export default function Page() {\n  const theme = cookies().get('theme');\n"
            "  return <a href=\"/terms?a=1&b=2\">Terms & conditions {String(theme)}</a>;\n}\n")
    root = write_tree(tmp_path / "app", {**MINIMAL_APP, "app/page.tsx": page,
                                         "package.json": json.dumps({"dependencies": {
                                             "next": "14.2.15", "@cloudflare/next-on-pages": "1.13.12"}})})
    before = json.loads(cli("check", root, "--no-cache", "--format", "json").stdout)
    assert [f["code"] for f in before["findings"]] == ["EDGE101"]
    result = cli("check", root, "--no-cache", "--fix", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "export const runtime = 'edge'" in (root / "app" / "page.tsx").read_text()


@pytest.mark.parametrize("name", ["db.ts", "db.tsx"])
def test_a_tagged_template_with_type_arguments_is_not_a_syntax_error(name):
    """tree-sitter-typescript reads ``await sql<Row[]>`…` `` (valid since TypeScript 2.9) with a
    missing `!`; that node is no syntax error (it gave gymbrah-business a false EDGE901), while a
    real missing token still is."""
    from edgelint import parsing

    typed = b"export async function rows(id: string) {\n  return await prisma.$queryRaw<Row[]>`SELECT ${id}`;\n}\n"
    pf = parsing.parse(name, typed)
    assert [n.type for n in pf.error_nodes()] == ["!"] and pf.syntax_errors() == []
    assert parsing.parse(name, b"export const a = (1 + ;\n").syntax_errors()


def test_a_typeof_import_type_argument_is_not_a_syntax_error():
    """`vi.importActual<typeof import('./q')>('./q')` is valid TypeScript that tree-sitter reads as
    `f < typeof import(…)` and then fails on (false EDGE901 notes on a real repository's tests);
    a real error in another statement of the file is still one."""
    from edgelint import parsing

    source = (b"const x = f<typeof import('./q')>();\n"
              b"const y = await vi.importActual<typeof import(\"@/lib/q\")>(\n  \"@/lib/q\",\n);\n")
    pf = parsing.parse("q.test.ts", source)
    assert len(pf.error_nodes()) == 2 and pf.syntax_errors() == []
    broken = parsing.parse("q.test.ts", source + b"const z = (1 + ;\n")
    assert [n.start_point.row for n in broken.syntax_errors()] == [4]


def test_a_member_named_like_in_underscore_after_a_line_without_semicolon_parses(cli, tmp_path):
    """tree-sitter-typescript's automatic-semicolon scanner reads a line starting with `in_…`,
    `in$…`, `in2…` or `instanceof_…` as the `in`/`instanceof` operator (a real app's interface,
    `is_free: boolean⏎ in_stock: boolean`, got a false EDGE901 note). The file is parsed again
    with the `;` automatic semicolon insertion means, and the tree has every member; a line that
    does not end a member (`f(a,⏎ in_x)`) is left alone, and a real error is still reported."""
    from edgelint import parsing

    source = (b"interface Product {\n  id: string\n  is_free: boolean\n  in_stock: boolean\n}\n"
              b"class Cart {\n  total = 0\n\tin$flight = 1\n  instanceof_x = 2\n}\n"
              b"let a = b\nin2 = 3\n")
    pf = parsing.parse("product.ts", source)
    assert pf.syntax_errors() == []
    assert pf.source == source  # offsets and reported text are the file's own
    members = [pf.text(n) for n in pf.walk() if n.type == "property_identifier"]
    assert members == ["id", "is_free", "in_stock", "total", "in$flight", "instanceof_x"]
    call = b"f(a,\n  in_x)\n"
    assert parsing.parse("call.ts", call).syntax_errors() == []
    broken = parsing.parse("product.ts", source + call + b"const z = (1 + ;\n")
    assert [broken.span(n).line for n in broken.syntax_errors()] == [15]

    app = tmp_path / "shop"
    (app / "app" / "api" / "products").mkdir(parents=True)
    (app / "package.json").write_text('{"dependencies": {"next": "14.2.15"}}')
    (app / "app" / "api" / "products" / "route.ts").write_bytes(
        source.split(b"class")[0] + b"export async function GET() { return Response.json({}) }\n")
    result = cli("check", app, "--no-cache")
    assert_clean_exit(result, 0)
    assert "EDGE901" not in result.stdout


def test_a_comparison_with_a_variable_named_like_a_type_operator_is_not_a_syntax_error():
    """`i < unique.length` (tree-sitter-typescript reads `<unique` as the start of type arguments;
    a real repository's loop got a false EDGE901); a real error elsewhere is still one."""
    from edgelint import parsing

    source = b"for (let i = 0; i < unique.length; i++) {}\nconst a = n < keyof[0];\n"
    assert parsing.parse("loop.ts", source).syntax_errors() == []
    broken = parsing.parse("loop.ts", source + b"const z = (1 + ;\n")
    assert [broken.span(n).line for n in broken.syntax_errors()] == [3]


SPONSOR_LINKS = """import Image from 'next/image';

export const SponsorLogos = () => {
  const t = useTranslations('SponsorLogos');

  return (
    <LogoCloud text={t('sponsored_by')}>
      <a
        href="https://sentry.io/for/nextjs/?utm_source=github&utm_medium=paid-community&utm_campaign=general-fy25q1-nextjs&utm_content=github-banner-nextjsboilerplate-logo"
        target="_blank"
        rel="noopener"
      >
        <Image
          src={sentryLogoDark}
          alt={t('sentry_logo')}
          className="dark:hidden"
          width={130}
        />
        <Image
          src={sentryLogoWhite}
          alt={t('sentry_logo')}
          className="
            hidden
            dark:block
          "
          width={130}
        />
      </a>
    </LogoCloud>
  );
};
"""


def test_an_ampersand_in_a_long_jsx_attribute_is_not_a_syntax_error():
    """A tracking link in a JSX attribute (`href="…?utm_source=x&utm_medium=…"`) that
    tree-sitter's TSX reads as an HTML entity and fails on (a real app's sponsor logos got a
    false EDGE901 note): parsed again with the `&` read as text, the file's own bytes kept."""
    from edgelint import parsing

    source = SPONSOR_LINKS.encode()
    pf = parsing.parse("app/page.tsx", source)
    assert pf.syntax_errors() == [] and pf.source == source
    assert parsing.parse("app/page.tsx", source + b"const z = (1 + ;\n").syntax_errors()


def test_a_byte_order_mark_takes_no_column(cli, tmp_path):
    """Editors hide a leading BOM and count columns without it; so do findings and code frames."""
    app = tmp_path / "bom"
    (app / "app" / "items" / "[id]").mkdir(parents=True)
    (app / "package.json").write_text('{"dependencies": {"next": "14.2.15", "@cloudflare/next-on-pages": "1.13.12"}}')
    (app / "app" / "items" / "[id]" / "page.tsx").write_bytes(
        "\ufeffexport const runtime = 'nodejs';\nexport default function P() { return null; }\n".encode("utf-8"))
    result = cli("check", app, "--no-cache", "--select", "EDGE110")
    assert_clean_exit(result, 1)
    assert "page.tsx:1:24: EDGE110" in result.stdout and "\ufeff" not in result.stdout
    assert "\n  1 | export const runtime = 'nodejs';\n    |                        ^^^^^^^^\n" in result.stdout
