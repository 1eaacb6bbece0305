"""The image checks (EDGE401-EDGE407) beyond the rule fixtures: the fixture apps, Cloudflare's
documented loader, safe fixes end to end, and the static-text / leading-slash helpers of
checks/_image.py."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, MINIMAL_APP, assert_clean_exit, write_tree

IMAGE_CODES = ["EDGE401", "EDGE402", "EDGE403", "EDGE404", "EDGE405", "EDGE406", "EDGE407"]


def lint(root, codes=IMAGE_CODES):
    from edgelint import config as config_module, engine, registry
    from edgelint.cli import TARGET_CHOICES

    config = config_module.load(None, TARGET_CHOICES, {})
    return engine.run([root], config, registry.select(codes, [], []))


def found(result):
    return sorted((f.code, f.path, f.span.line) for f in result.findings)


# --------------------------------------------------------------------------------------------
# Whole apps


def test_pages_shop_gets_exactly_its_three_planted_image_mistakes():
    result = lint(FIXTURES / "apps" / "pages-shop")
    assert found(result) == [
        ("EDGE401", "app/(marketing)/about/page.tsx", 22),  # I2 fit=fill
        ("EDGE401", "app/_components/ProductCard.tsx", 6),  # I3 background=#ffffff
        ("EDGE402", "lib/image-loader.ts", 13),  # I1 raw src after the options
    ]
    by_path = {f.path: f for f in result.findings}
    assert "fit=fill" in by_path["app/(marketing)/about/page.tsx"].message
    hash_fix = by_path["app/_components/ProductCard.tsx"].fixes
    assert [fix.replacement for fix in hash_fix] == ["%23"]
    loader = by_path["lib/image-loader.ts"]
    assert loader.severity == "warning"
    assert loader.related, "the local <Image src='/…'> that reaches the loader is shown as evidence"


@pytest.mark.parametrize("app", ["clean-edge", "opennext-blog"])
def test_clean_apps_have_no_image_findings(app):
    assert found(lint(FIXTURES / "apps" / app)) == []


def test_cloudflare_documented_loader_reports_nothing_at_all():
    tree = FIXTURES / "rules" / "EDGE402" / "cloudflare-documented-loader"
    result = lint(tree)
    assert result.apps[0].target == "next-on-pages"
    assert found(result) == []


def test_only_candidate_files_are_parsed(tmp_path):
    files = {**MINIMAL_APP, **{f"lib/plain{i}.ts": f"export const x{i} = {i};\n" for i in range(20)},
             "lib/url.ts": "export const u = '/cdn-cgi/image/fit=fill/a.jpg';\n"}
    result = lint(write_tree(tmp_path / "app", files))
    assert found(result) == [("EDGE401", "lib/url.ts", 1)]
    parsed = result.workspace.parsed_paths
    assert "lib/url.ts" in parsed and not any(p.startswith("lib/plain") for p in parsed)


# --------------------------------------------------------------------------------------------
# Fixes


def test_fix_rewrites_separators_hash_double_slash_and_loader_extension(tmp_path, cli):
    root = write_tree(tmp_path / "app", {
        **MINIMAL_APP,
        "next.config.mjs": "export default {\n  images: { loader: 'custom', loaderFile: './lib/image-loader' },\n};\n",
        "lib/image-loader.ts": ("export default function loader({ src, width, quality }) {\n"
                                "  if (process.env.NODE_ENV === 'development') return src;\n"
                                "  return `/cdn-cgi/image/width=${width},quality=${quality || 75}/${src.slice(1)}`;\n"
                                "}\n"),
        "lib/urls.ts": ("export const a = '/cdn-cgi/image/width=100&quality=75;format=auto/a.jpg';\n"
                        "export const b = `/cdn-cgi/image/fit=pad,background=#fff/${'x'}`;\n"
                        "export const c = '/cdn-cgi/image/width=80//uploads/a.jpg';\n"
                        "export const d = (opts: string[]) => `/cdn-cgi/image/${opts.join('&')}/a.jpg`;\n"
                        "export const e = '/cdn-cgi/image/width=100\\u0026quality=75/a.jpg';\n"),
    })
    result = cli("check", root, "--select", "image", "--fix", "--no-cache")
    assert_clean_exit(result, 0, 1)
    urls = (root / "lib/urls.ts").read_text()
    assert "'/cdn-cgi/image/width=100,quality=75,format=auto/a.jpg'" in urls
    assert "background=%23fff/" in urls
    assert "'/cdn-cgi/image/width=80/uploads/a.jpg'" in urls
    assert "opts.join(',')" in urls
    assert "width=100\\u0026quality=75" in urls, "an escaped separator is reported but never rewritten"
    assert "loaderFile: './lib/image-loader.ts'" in (root / "next.config.mjs").read_text()
    again = lint(root)
    assert [(c, p, line) for c, p, line in found(again)] == [("EDGE401", "lib/urls.ts", 5)]


def test_fixes_never_touch_shared_constants_used_as_a_source(tmp_path):
    root = write_tree(tmp_path / "app", {
        **MINIMAL_APP,
        "lib/urls.ts": "const LOGO = '/logo.png';\nexport const u = `/cdn-cgi/image/width=80/${LOGO}`;\n",
    })
    (finding,) = lint(root).findings
    assert (finding.code, finding.span.line) == ("EDGE402", 2)
    assert not finding.fixes


# --------------------------------------------------------------------------------------------
# Helpers of checks/_image.py


def _parse(source: str, path: str = "x.tsx"):
    from edgelint import parsing

    return parsing.parse(path, source.encode())


def _first(pf, node_type):
    return next(n for n in pf.walk() if n.type == node_type)


def test_static_text_maps_escapes_and_lines_back_to_the_source():
    from edgelint.checks._image import PH, TextBuilder

    pf = _parse("const s = `\n  <img src=\"/cdn-cgi/image/w=1\\u002Cq=2/${a}\">`;\n")
    text = TextBuilder(pf).build(_first(pf, "template_string"))
    assert text.text == f'\n  <img src="/cdn-cgi/image/w=1,q=2/{PH}">'
    comma = text.text.index(",")
    start, end = text.byte_range(comma, comma + 1)
    assert pf.source[start:end] == b"\\u002C"
    assert text.fix_range(comma, comma + 1) is None  # escaped: not a plain edit
    span = pf.span_bytes(*text.byte_range(text.text.index("/cdn"), text.text.index("/cdn") + 1))
    assert (span.line, span.col) == (2, 13)


def test_static_text_inlines_constants_joins_and_search_params():
    from edgelint.checks._image import PH, TextBuilder

    pf = _parse("const O = 'w=1';\n"
                "function f(q) {\n"
                "  const p = [O, 'f=auto'];\n"
                "  p.push('q=2');\n"
                "  if (q) p.push(`q=${q}`);\n"
                "  const s = new URLSearchParams({ width: '1', fit: 'cover' });\n"
                "  return [`/cdn-cgi/image/${p.join(',')}/a`, `/cdn-cgi/image/${s}/a`];\n"
                "}\n")
    builder = TextBuilder(pf)
    first, second = [n for n in pf.walk() if n.type == "template_string" and b"cdn-cgi" in n.text]
    assert builder.build(first).text == f"/cdn-cgi/image/w=1,f=auto,q=2,{PH}/a"
    assert [f.text for f in builder.fragments] == [f"q={PH}"]  # the conditional push, checked alone
    assert builder.build(second).text == f"/cdn-cgi/image/width={PH}&fit={PH}/a"


@pytest.mark.parametrize(("expression", "verdict"), [
    ("src", "loader-src"),
    ("props.src", "loader-src"),
    ("src.slice(1)", "stripped"),
    ("src.replace(/^\\/+/, '')", "stripped"),
    ("src.startsWith('/') ? src.slice(1) : src", "stripped"),
    ("src[0] === '/' ? src.substring(1) : src", "stripped"),
    ("norm(src)", "stripped"),
    ("keep(src)", "loader-src"),
    ("new URL(src, 'https://x').pathname", "slash"),
    ("new URL(src, 'https://x').pathname.slice(1)", "stripped"),
    ("encodeURIComponent(src)", "encoded"),
    ("'/a.png'", "slash"),
    ("`a/${src}`", "stripped"),
    ("other", "unknown"),
    ("src.trim()", "loader-src"),
])
def test_source_classifier(expression, verdict):
    from edgelint.checks._image import SourceClassifier

    source = ("const norm = (s) => (s.startsWith('/') ? s.slice(1) : s);\n"
              "const keep = (s) => s;\n"
              "export default function loader(props, other) {\n"
              "  const { src } = props;\n"
              f"  return `/cdn-cgi/image/w=1/${{{expression}}}`;\n"
              "}\n")
    pf = _parse(source, "loader.js")
    loader = _first(pf, "function_declaration")
    substitution = next(n for n in pf.walk() if n.type == "template_substitution" and n.start_byte > loader.start_byte
                        and b"w=1" in n.parent.text)
    classifier = SourceClassifier(pf, {(loader.start_byte, loader.end_byte)})
    assert classifier.classify(substitution.named_children[0]) == verdict


def test_reassigned_source_is_normalised():
    from edgelint.checks._image import SourceClassifier

    pf = _parse("export default function l({ src, width }) {\n"
                "  let s = src;\n  if (s.startsWith('/')) s = s.slice(1);\n"
                "  return `/cdn-cgi/image/w=${width}/${s}`;\n}\n", "l.js")
    loader = _first(pf, "function_declaration")
    ident = [n for n in pf.walk() if n.type == "identifier" and n.text == b"s"][-1]
    assert SourceClassifier(pf, {(loader.start_byte, loader.end_byte)}).classify(ident) == "stripped"


@pytest.mark.parametrize(("body", "width", "quality"), [
    ("({ src, width, quality }) => `${src}${width}${quality}`", "used", "used"),
    ("({ src }) => src", "unused", "unused"),
    ("({ src, width: w }) => `${src}${w}`", "used", "unused"),
    ("(p) => `${p.src}${p.width}`", "used", "unused"),
    ("(p) => helper(p)", "unknown", "unknown"),
    ("({ src, ...rest }) => `${src}${rest.quality}`", "unused", "used"),
    ("() => '/x'", "unused", "unused"),
])
def test_prop_usage(body, width, quality):
    from edgelint.checks._image import prop_usage

    pf = _parse(f"export default {body};\n", "l.js")
    function = _first(pf, "arrow_function")
    assert (prop_usage(function, "width", pf), prop_usage(function, "quality", pf)) == (width, quality)


def test_default_export_forms():
    from edgelint.checks._image import default_export

    cases = {
        "export default function l() {}\n": "function",
        "const l = () => 1;\nexport default l;\n": "function",
        "function l() {}\nexport { l as default };\n": "function",
        "module.exports = function () {};\n": "function",
        "export default { a: 1 };\n": "not-function",
        "export default class L {}\n": "not-function",
        "export function l() {}\n": "none",
        "export { default } from './other';\n": "unknown",
        "import x from './x';\nexport default x;\n": "unknown",
    }
    for source, kind in cases.items():
        assert default_export(_parse(source, "l.js")).kind == kind, source


def test_fixture_app_copy_is_stable_under_fix(tmp_path, cli):
    """--fix on pages-shop applies only the one safe image fix (%23) and leaves the rest reported."""
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "apps" / "pages-shop", root)
    result = cli("check", root, "--select", "image", "--fix", "--no-cache")
    assert_clean_exit(result, 1)
    assert "background=%23ffffff/" in (root / "app/_components/ProductCard.tsx").read_text()
    assert found(lint(root)) == [("EDGE401", "app/(marketing)/about/page.tsx", 22),
                                 ("EDGE402", "lib/image-loader.ts", 13)]


def test_deep_chains_and_nesting_do_not_crash(tmp_path):
    """Long `+` chains and deep parentheses (generated code) are analysed without recursion."""
    chain = "export const a = '/cdn-cgi/image/fit=fill/' + " + " + ".join(["x"] * 3000) + ";\n"
    parens = "export const b = " + "(" * 2000 + "'/cdn-cgi/image/blur=-1/a.jpg'" + ")" * 2000 + ";\n"
    root = write_tree(tmp_path / "app", {**MINIMAL_APP, "lib/deep.ts": chain + parens})
    result = lint(root)
    assert not [f for f in result.findings if f.code == "EDGE906"]
    assert found(result) == [("EDGE401", "lib/deep.ts", 1), ("EDGE401", "lib/deep.ts", 2)]


def test_audit_figures():
    from edgelint import config as config_module, engine, registry
    from edgelint.api import Figure
    from edgelint.cli import TARGET_CHOICES

    config = config_module.load(None, TARGET_CHOICES, {})
    result = engine.run([FIXTURES / "apps" / "pages-shop"], config, registry.select(IMAGE_CODES, [], []),
                        audit=True)
    figures = {f.label: (f.value, f.total) for items in result.audit_items.values() for f in items
               if isinstance(f, Figure) and f.area == "image"}
    assert figures == {
        "/cdn-cgi/image/ URLs without option or source problems": (2, 5),
        "files with next/image served through an image loader (or unoptimized)": (3, 3),
    }


@pytest.mark.parametrize(("export", "found"), [
    ("export default config;", True),
    ("export default withSentryConfig(config, { silent: true });", True),
    ("export default isProduction ? withSentryConfig(config, { silent: true }) : config;", True),
    ("export default isProduction ? config : { images: { unoptimized: true } };", False),  # two configs: unknown
])
def test_the_config_object_is_found_through_a_conditional_export(export, found):
    """midday's next.config ends `isProduction ? withSentryConfig(config, …) : config`: both
    branches are the same object, so its `images.loaderFile` is read."""
    from edgelint import nextconfig, parsing

    source = ("import { withSentryConfig } from '@sentry/nextjs';\nconst isProduction = process.env.NODE_ENV === 'production';\n"
              "const config = { images: { loader: 'custom', loaderFile: './image-loader.ts' } };\n" + export + "\n")
    read = nextconfig.read(parsing.parse("next.config.ts", source.encode()))
    assert (read.value("images") == {"loader": "custom", "loaderFile": "./image-loader.ts"}) is found


# --------------------------------------------------------------------------------------------
# Decoding string literals character by character


@settings(max_examples=400, deadline=None)
@given(raw=st.lists(st.sampled_from(["a", "/", "=", ",", "%", "\\n", "\\\\", "\\x41", "\\u00e9", "\\u{1F600}", "é",
                                      "😀", "\\\n", "\\q", "\ue000"]), max_size=12).map("".join),
       base=st.integers(0, 50))
def test_decoded_literal_characters_cover_the_source_bytes(raw, base):
    """Each character keeps the bytes it was written as, in order, inside the literal; `exact`
    only where those bytes are the character itself; without escapes, every character exactly."""
    from edgelint.checks._image import _decode_js

    source = raw.encode("utf-8")
    chars = _decode_js(raw, base)
    assert [c[1] for c in chars] == sorted(c[1] for c in chars)
    for char, start, end, exact in chars:
        assert base <= start < end <= base + len(source)
        if exact:
            assert source[start - base:end - base] == char.encode("utf-8")
    if "\\" not in raw:
        assert "".join(c[0] for c in chars) == raw and all(c[3] for c in chars)
        assert [c[1] for c in chars[1:]] == [c[2] for c in chars[:-1]]
