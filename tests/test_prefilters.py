"""The byte-level shortcuts that spare a parse, a query or a regex must never change an answer:
checked on every source file of the fixtures, on hand-written edge cases and on generated input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgelint import files, parsing
from edgelint.elision import occurrences
from edgelint.facts import import_specifiers
from edgelint.summary import dynamic_import_calls, may_call_import_or_require

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SOURCES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in parsing.SOURCE_EXTENSIONS and p.is_file())


def _parseable_sources():
    """(path, bytes) of each fixture source file that edgelint parses (not binary, not too large)."""
    for path in SOURCES:
        source = path.read_bytes()
        if len(source) <= parsing.MAX_PARSE_BYTES and not files.is_binary(source):
            yield path, source

TRICKY = [
    b"const a = await import('x')",
    b"const b = import /* why */ ('x')",
    b"const c = import // line\n('x')",
    b"const d = require\n  ('x')",
    b"const e = require?.('x')",
    b"const f = require<typeof import('x')>('x')",
    b"type T = typeof import('x')",
    b"export default () => import(`./${name}`)",
    b"const g = (require)('x')",
]


#: What `summary.may_call_import_or_require` must answer: whether this expression matches.
DYNAMIC_IMPORT_BYTES = re.compile(rb"(?<![\w$])(?:import|require)(?:\s|/\*.*?\*/|//[^\n\r]*)*(?:\(|\?|<)", re.S)

DYNAMIC_IMPORT_QUERY = """
(call_expression function: (import)) @dynamic
(call_expression function: (identifier) @fn (#eq? @fn "require")) @require
"""


def _query_finds(path: str, source: bytes) -> bool:
    pf = parsing.parse(path, source)
    return any(kind in ("dynamic", "require") for kind, _node in pf.query(DYNAMIC_IMPORT_QUERY))


@pytest.mark.parametrize("source", TRICKY)
def test_dynamic_import_prefilter_on_tricky_sources(source):
    if _query_finds("x.ts", source):
        assert may_call_import_or_require(source)
    assert may_call_import_or_require(source) == bool(DYNAMIC_IMPORT_BYTES.search(source))


def test_dynamic_import_prefilter_on_every_fixture():
    checked = 0
    for path, source in _parseable_sources():
        assert may_call_import_or_require(source) == bool(DYNAMIC_IMPORT_BYTES.search(source)), path
        if _query_finds(path.name, source):
            checked += 1
            assert may_call_import_or_require(source), path
    assert checked > 5  # the fixtures do have dynamic imports and requires


def test_dynamic_import_prefilter_skips_plain_modules():
    assert not may_call_import_or_require(b"import x from 'y'\nimport { a } from 'b'\nexport const required = 1\n")


@settings(max_examples=800, deadline=None)
@given(source=st.lists(st.sampled_from([b"import", b"require", b"(", b"?", b"<", b" ", b"\n", b"/*", b"*/", b"//",
                                         b"a", b"$", b"_", b"\xc3\xa9", b"'x'"]), max_size=20).map(b"".join))
def test_dynamic_import_prefilter_matches_the_regular_expression(source):
    assert may_call_import_or_require(source) == bool(DYNAMIC_IMPORT_BYTES.search(source))


@settings(max_examples=500, deadline=None)
@given(source=st.binary(max_size=40).map(lambda b: bytes(c % 12 for c in b)).map(
           lambda b: b.translate(bytes.maketrans(bytes(range(12)), b"ab$_ 1.(\xc3\xa9x\n"))),
       word=st.text("ab$_x", min_size=1, max_size=3))
def test_name_occurrences_match_the_word_boundary_pattern(source, word):
    pattern = re.compile(rb"(?<![\w$])" + re.escape(word.encode()) + rb"(?![\w$])")
    assert list(occurrences(source, word.encode())) == [(m.start(), m.end()) for m in pattern.finditer(source)]


#: What `facts.import_specifiers` must find: this expression, scanned from the left.
IMPORT_SPEC = re.compile(rb"""(?:\bfrom|\bimport|\brequire)\s*\(?\s*['"]([^'"\n]{1,300})['"]""")


def _specifiers_by_regex(source: bytes) -> list[str]:
    return list(dict.fromkeys(m.group(1).decode("utf-8", "replace") for m in IMPORT_SPEC.finditer(source)))


def test_import_specifiers_on_every_fixture():
    found = 0
    for path in SOURCES:
        source = path.read_bytes()
        expected = _specifiers_by_regex(source)
        found += len(expected)
        assert import_specifiers(path.name, source) == expected, path
    assert found > 100


@pytest.mark.parametrize("source", [
    b"import x from './from'", b"from'a'from\"b\"", b"import('./x');require ( 'y' )", b"reimport 'x'",
    b"_from 'x'", b"$from 'x'", b"\xc3\xa9from 'x'", b"from 'import \"y\"'", b"from 'a\nb' import 'c'",
    b"export * from \"./a\"\nexport { b } from './a'",
])
def test_import_specifiers_on_tricky_sources(source):
    assert import_specifiers("x.ts", source) == _specifiers_by_regex(source)


@settings(max_examples=800, deadline=None)
@given(source=st.lists(st.sampled_from([b"from", b"import", b"require", b"'", b'"', b" ", b"(", b"\n", b"a",
                                         b"_", b"./x", b"\xc3\xa9", b"$"]), max_size=24).map(b"".join))
def test_import_specifiers_match_the_regular_expression(source):
    assert import_specifiers("x.ts", source) == _specifiers_by_regex(source)


def _walk_types(pf, types: set[str]) -> list[tuple[str, int, int]]:
    found, stack = [], [pf.root]
    while stack:
        node = stack.pop()
        if node.is_named and node.type in types:  # `string` is also the keyword of a type annotation
            found.append((node.type, node.start_byte, node.end_byte))
        stack.extend(reversed(node.children))
    return found


def test_node_queries_find_what_a_walk_of_the_tree_finds():
    """`ParsedFile.nodes` collects each group of node types with one query when first asked; any
    mix of types gives the nodes a walk of the whole tree gives, in document order."""
    mixes = [("string", "template_string", "identifier"), ("call_expression", "new_expression"),
             ("identifier",), ("variable_declarator", "shorthand_property_identifier", "string")]
    checked = 0
    for path in SOURCES[::3]:
        source = path.read_bytes()
        if len(source) > parsing.MAX_PARSE_BYTES or b"\0" in source[:8192]:
            continue
        for types in mixes:
            pf = parsing.parse(path.name, source)  # a fresh parse: the groups are collected in this order
            found = [(n.type, n.start_byte, n.end_byte) for n in pf.nodes(*types)]
            assert found == _walk_types(pf, set(types)), (path, types)
        checked += 1
    assert checked > 30


ALPHABET = b"aAbB_\xc3\x89.(\0"  # letters in both cases, a non-ASCII letter (É in UTF-8), punctuation, NUL
#: Needles long enough to share words of `bytesearch.WORD_LENGTH` characters (`abAba_` and
#: `Aba_b`), from few letters so that they often do, and case variants of one another.
NEEDLES = st.lists(st.text("aAbB_É.(", min_size=1, max_size=9).map(str.encode), min_size=1, max_size=12)
CONTENTS = st.binary(max_size=80).map(lambda b: bytes(ALPHABET[c % len(ALPHABET)] for c in b))


@settings(max_examples=500, deadline=None)
@given(data=CONTENTS, needles=NEEDLES)
def test_ruling_files_out_by_shared_or_lower_cased_words_never_changes_an_answer(data, needles):
    from edgelint.bytesearch import contains_any

    assert contains_any(data, tuple(needles)) == any(n in data for n in needles)


@settings(max_examples=300, deadline=None)
@given(contents=st.lists(st.one_of(st.none(), CONTENTS), max_size=8),
       needles=NEEDLES | st.just([b""]))  # an empty needle is in every readable file
def test_a_corpus_finds_exactly_the_files_that_contain_a_needle(contents, needles):
    from edgelint.bytesearch import Corpus

    paths = [f"f{i}.ts" for i in range(len(contents))]
    expected = [p for p, data in zip(paths, contents) if data is not None and any(n in data for n in needles)]
    corpus = Corpus(paths, contents)
    assert corpus.containing(tuple(needles)) == expected
    among = paths[::-2]  # a search of some of its files, in another order
    assert corpus.containing(tuple(needles), among) == [p for p in among if p in expected]


@settings(max_examples=300, deadline=None)
@given(contents=st.lists(st.one_of(st.none(), CONTENTS), min_size=4, max_size=12),
       searches=st.lists(st.tuples(NEEDLES, st.integers(-12, 12)), min_size=2, max_size=6))
def test_a_corpus_searched_again_answers_from_what_it_found_before_as_from_the_bytes(contents, searches):
    """Words found before are remembered with how many files were looked through (a search of the
    first files looks through those only), and a word that holds one is looked for only in the
    files that have it: every search must still find exactly the files holding a needle, of all
    files, of the first ones (`among` > 0) or of some in another order (`among` < 0)."""
    from edgelint.bytesearch import Corpus

    paths = [f"f{i}.ts" for i in range(len(contents))]
    corpus = Corpus(paths, contents)
    for needles, among in searches:
        searched = paths if among == 0 else paths[:among] if among > 0 else paths[::among]
        expected = [p for p in searched if contents[paths.index(p)] is not None
                    and any(n in contents[paths.index(p)] for n in needles)]
        assert corpus.containing(tuple(needles), None if among == 0 else searched) == expected


def test_a_word_holding_one_found_before_is_looked_for_in_that_words_files_only():
    from edgelint.bytesearch import Corpus

    contents = [b"x"] * 12
    contents[1], contents[2], contents[10] = b"rl.limit(k)", b"limit", b"a.limit(b)"
    paths = [f"f{i}.ts" for i in range(12)]
    corpus = Corpus(paths, contents)
    assert corpus.containing((b"limit",), paths[:8]) == ["f1.ts", "f2.ts"]  # the first 8 files only
    assert corpus._hits[b"limit"] == (8, [1, 2])
    assert corpus.containing((b".limit(",), paths[:8]) == ["f1.ts"]  # looked for in f1 and f2 only
    assert corpus.containing((b"limit(",)) == ["f1.ts", "f10.ts"]  # `limit` is not known past f7
    assert corpus.containing((b"limit",)) == ["f1.ts", "f2.ts", "f10.ts"]
    assert corpus._hits[b"limit"] == (12, [1, 2, 10])


def test_needles_are_compared_where_their_word_stands_at_each_of_its_places():
    from edgelint.bytesearch import Corpus, _anchors

    needles = (b"rateLimit", b"RateLimit", b"RATELIMIT", b"rate_limit", b".limit(")
    assert {word for word, _ in _anchors(needles)} == {b"limit"}
    assert dict(_anchors(needles)[0][1])[b".limit("] == 1  # it starts one byte before its word
    contents = [b"Limits apply. Then rl.limit(x)", b"Limits apply.", b"LIMIT rate_limit", b"x.Limit(", None]
    corpus = Corpus([f"f{i}.ts" for i in range(5)], contents)
    assert corpus.containing(needles) == ["f0.ts", "f2.ts"]  # the word's second place, in f0


def test_searches_through_a_corpus_answer_as_file_by_file_searches_on_the_fixtures():
    from edgelint.bytesearch import Corpus, contains_any
    from edgelint.checks._kv import ENV_OBJECTS, PREFILTER
    from edgelint.ratelimit import SEED_NEEDLES

    contents = [path.read_bytes() for path in SOURCES]
    corpus = Corpus([str(p) for p in SOURCES], contents)
    for needles in (SEED_NEEDLES, PREFILTER + ENV_OBJECTS, (b"use server",), (b"cdn-cgi", b"next/image"),
                    (b"kv", b"readCached", b"waitUntil"), (b"limit", b"Limit", b".limit(")):
        expected = [str(p) for p, data in zip(SOURCES, contents) if any(n in data for n in needles)]
        assert expected, needles  # each search finds something in the fixtures
        assert corpus.containing(needles) == expected
        assert [str(p) for p, data in zip(SOURCES, contents) if contains_any(data, needles)] == expected


def test_needles_that_share_a_word_are_looked_for_in_one_pass():
    from edgelint.bytesearch import _plan
    from edgelint.ratelimit import SEED_NEEDLES

    lowered, words = _plan(SEED_NEEDLES)
    assert lowered and b"limit" in words and len(words) < len(SEED_NEEDLES) // 2
    assert _plan((b"getRequestContext", b"getCloudflareContext", b"getOptionalRequestContext", b"KVNamespace")) \
        == (False, (b"Context", b"KVNamespace"))
    assert _plan((b"use server",)) is None and _plan((b"eval", b"Function")) is None  # no fewer passes


def _walk_containing(pf, needle: bytes) -> set[tuple[str, int, int]]:
    found, stack = set(), [pf.root]
    while stack:
        node = stack.pop()
        if node.is_named and needle in pf.source[node.start_byte:node.end_byte]:
            found.add((node.type, node.start_byte, node.end_byte))
        stack.extend(node.children)
    return found


def _around(pf, needle: bytes) -> list[tuple[str, int, int]]:
    return [(n.type, n.start_byte, n.end_byte) for n in pf.around(needle)]


@pytest.mark.parametrize("needle", [b"cdn-cgi", b"fetch", b"URL", b"s", b"=>"])
def test_nodes_around_a_word_are_the_named_nodes_containing_it(needle):
    """`ParsedFile.around` descends to each occurrence instead of visiting the tree: it finds
    exactly the named nodes a walk finds whose bytes contain the word, each once."""
    checked = 0
    for path in SOURCES[::3]:
        source = path.read_bytes()
        if len(source) > parsing.MAX_PARSE_BYTES or b"\0" in source[:8192]:
            continue
        pf = parsing.parse(path.name, source)
        found = _around(pf, needle)
        assert len(found) == len(set(found)) and set(found) == _walk_containing(pf, needle), path
        checked += 1
    assert checked > 30


TOKENS = ["'/cdn-cgi/image/w=1/'", '"cdn-cgi"', "`/cdn-cgi/${", "}`", "`", "s", "cdn", "+", "(", ")", "{", "}",
          "const s = ", "let t: string = ", ";\n", "fetch(", "new URL(", "// cdn-cgi\n", "/* s */", "=>", ","]


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(st.sampled_from(TOKENS), max_size=30), needle=st.sampled_from([b"cdn-cgi", b"s", b"URL"]))
def test_nodes_around_a_word_on_generated_sources(tokens, needle):
    """The same on generated input: nested templates, comments, keywords (`string`), broken code."""
    pf = parsing.parse("x.tsx", " ".join(tokens).encode())
    found = _around(pf, needle)
    assert len(found) == len(set(found)) and set(found) == _walk_containing(pf, needle)


@settings(max_examples=300, deadline=None)
@given(text=st.text("ab \t\r\nÉ€😀", max_size=40), data=st.data())
def test_columns_of_ascii_files_skip_the_decoding(text, data):
    """Columns count code points; a file that is all ASCII skips decoding its lines, with the
    same answer as decoding them."""
    source = text.encode()
    offset = data.draw(st.integers(0, len(source)))
    pf = parsing.parse("x.ts", source)
    row, col = pf._point(offset)
    start = pf.line_starts()[row]
    end = min(offset, len(source))
    if row + 1 < len(pf.line_starts()):
        end = min(end, pf.line_starts()[row + 1] - (2 if source[:pf.line_starts()[row + 1]].endswith(b"\r\n") else 1))
    assert col == len(source[start:end].decode("utf-8", "replace")) + 1


def _by_query(pf) -> list[tuple[str, int, int]]:
    return [(kind, n.start_byte, n.end_byte) for kind, n in pf.query(DYNAMIC_IMPORT_QUERY)
            if kind in ("dynamic", "require")]


def test_dynamic_import_calls_are_what_the_query_finds():
    """Summaries find `import()`/`require()` calls from the words, without the text predicate
    that is quadratic on large files; the calls are the query's, in its order."""
    checked = 0
    for path, source in [*((f"t{i}.ts", s) for i, s in enumerate(TRICKY)), *((p.name, p.read_bytes()) for p in SOURCES)]:
        if len(source) > parsing.MAX_PARSE_BYTES or b"\0" in source[:8192]:
            continue
        pf = parsing.parse(path, source)
        found = [(kind, n.start_byte, n.end_byte) for kind, n in dynamic_import_calls(pf)]
        assert found == _by_query(pf), path
        checked += bool(found)
    assert checked > 5


def test_dynamic_import_calls_of_a_large_bundle():
    """A 1 MB file full of `require` calls (the text predicate read each candidate's text
    through the parse's read callback: 30 s on such a bundle, and a crash when the watchdog
    interrupted it there)."""
    source = b"".join(b"var m%d = require('./m%d'); var n%d = f(m%d);\n" % (i, i, i, i) for i in range(25000))
    found = dynamic_import_calls(parsing.parse("bundle.js", source))
    assert len(found) == 25000 and {kind for kind, _node in found} == {"require"}


# --------------------------------------------------------------------------------------------
# Image URLs: a file whose every URL is a whole, valid literal is not parsed


IMAGE_CODES = ["EDGE401", "EDGE402", "EDGE407"]

#: Literals around `/cdn-cgi/image/`, each in a file of its own: the byte-level look may spare the
#: parse of a file only when the full analysis would report nothing there.
IMAGE_URL_CASES = [
    "export const a = '/cdn-cgi/image/width=64,quality=75/a.png';",
    "export const a = 'https://shop.example.com:8443/cdn-cgi/image/fit=cover,w=80/https://b.c/d.png';",
    "export const A = () => <img src={`/cdn-cgi/image/width=64,background=%23ffffff/m/${item.id}.png`} />;",
    "export const A = () => <img src=\"/cdn-cgi/image/width=64/a.png\" />;",
    "export const a = '/cdn-cgi/image/width=64/' + src;",
    "export const a = `/cdn-cgi/image/width=64/${src}`;",
    "export const a = '/cdn-cgi/image/width=64//uploads/a.png';",
    "export const a = '/cdn-cgi/image/fit=fill/a.png';",
    "export const a = '/cdn-cgi/image/background=#fff/a.png';",
    "export const a = '/cdn-cgi/image/width=64/%2Fa.png';",
    "export const a = '/cdn-cgi/image/width=64/a.png' + '/cdn-cgi/image/widht=1/b.png';",
    "export const a = '/cdn-cgi/image/w=1/https://b.c/cdn-cgi/image/fit=fill/d.png';",
    "export const a = '/cdn-cgi/image/w=1/a\\u002fb.png';",
    "export const a = '/cdn-cgi/image/w=%s/a.png';",
    "export const a = '/cdn-cgi/image/w={w}/a.png';",
    "export const a = '/cdn-cgi/image/w=1/{src}';",
    "export const a = '/cdn-cgi/image/w=1/a${x}';",
    "export const A = () => <img src=\"/cdn-cgi/image/w=1&amp;q=2/a.png\" />;",
    "const base = '/cdn-cgi/image/';\nexport const a = `${base}width=64/a.png`;",
    "const opts = 'fit=fill';\nexport const a = `/cdn-cgi/image/${opts}/a.png`;",
    "export const a = fetch('/cdn-cgi/image/width=64/a.png');",
    "export async function GET() {\n  return fetch('/cdn-cgi/image/width=64/a.png');\n}",
    "export const metadata = { openGraph: { images: ['/cdn-cgi/image/width=1200/og.png'] } };",
    "// '/cdn-cgi/image/fit=fill/a.png'\nexport const a = 1;",
    "export const a = ['/cdn-cgi/image/width=64/a.png', '/cdn-cgi/trace'];",
    "export const a = `/cdn-cgi/image/width=64/a.png\n`;",
    "export const a = 'https://cdn-cgi.example.com/cdn-cgi/image/width=64/a.png';",
]


def _image_outcome(root, monkeypatch, plain: bool):
    from edgelint import config as config_module, engine, imageurl, registry
    from edgelint.cli import TARGET_CHOICES

    with monkeypatch.context() as patch:
        if not plain:
            patch.setattr(imageurl, "plain_url_literals", lambda data: None)
        config = config_module.load(None, TARGET_CHOICES, {})
        result = engine.run([root], config, registry.select(IMAGE_CODES, [], []), audit=True)
    figures = sorted((f.label, f.value, f.total) for items in result.audit_items.values() for f in items
                     if getattr(f, "area", "") == "image")
    return [f.to_dict() for f in result.findings], figures, result.workspace.parsed_paths


def test_image_urls_without_a_parse_on_hand_written_literals(tmp_path, monkeypatch):
    from conftest import MINIMAL_APP, write_tree

    files = {**MINIMAL_APP, "wrangler.toml": "name = 'x'\npages_build_output_dir = '.vercel/output/static'\n"}
    files.update({f"app/case{i}/route.ts" if "GET" in case else f"lib/case{i}.tsx": case + "\n"
                  for i, case in enumerate(IMAGE_URL_CASES)})
    root = write_tree(tmp_path / "app", files)
    fast = _image_outcome(root, monkeypatch, plain=True)
    slow = _image_outcome(root, monkeypatch, plain=False)
    assert fast[:2] == slow[:2]
    assert len(fast[0]) >= 10  # the cases that must report do
    skipped = {p for p in slow[2] if p.startswith("lib/")} - fast[2]
    assert {"lib/case0.tsx", "lib/case1.tsx", "lib/case2.tsx", "lib/case3.tsx"} <= skipped


def _trees_with_image_urls() -> list[Path]:
    """The fixture apps and rule cases with a file that mentions cdn-cgi (each file's nearest
    folder with a package.json)."""
    trees = set()
    for path in SOURCES:
        if "node_modules" not in path.parts and b"cdn-cgi" in path.read_bytes():
            trees.add(next((q for q in path.parents if (q / "package.json").exists()), path.parent))
    return sorted(trees)


@pytest.mark.parametrize("tree", _trees_with_image_urls(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_image_urls_without_a_parse_on_every_fixture(tree, monkeypatch):
    assert _image_outcome(tree, monkeypatch, plain=True)[:2] == _image_outcome(tree, monkeypatch, plain=False)[:2]


# --------------------------------------------------------------------------------------------
# Names imported from a module, read from the bytes (rate limiting: the importers of an action)


NAMES_CASES = [
    b"import { a, b as c } from './x'", b"import d from './x'", b"import type { a } from './x'",
    b"import { type a, type b } from './x'", b"import { type a, b } from './x'", b"import * as ns from './x'",
    b"import d, { e } from './x'", b"import d, * as ns from './x'", b"export { a as z, default } from './x'",
    b"export * from './x'", b"export * as ns from './x'", b"export type { T } from './x'",
    b"export { type T, u } from './x'", b"const m = await import('./x')", b"const m = require('./x')",
    b"import './x'", b"import {} from './x'", b"import {\n  a,\n  b, // c\n} from './x'",
    b"import { a } from './x'\nimport { b } from \"./x\"", b"const s = 'from ./x'; foo(\"from './x'\")",
    b"import { from } from './x'", b"import(/* webpackChunkName: 'x' */ './x')", b"import x = require('./x')",
    b"// import { a } from './x'\nimport { b } from './x'", b"import {\n  a,\n  b,\n} from './x'",
]


def _names_from_summary(path: str, source: bytes, spec: str) -> set[str]:
    from edgelint.summary import summarize

    names: set[str] = set()
    for imp in summarize(parsing.parse(path, source)).imports:
        if imp.source != spec or imp.type_only:
            continue
        if imp.kind in ("static", "reexport") and imp.names:
            names.update(n for n, _local in imp.names)
        else:
            names.add("*")
    return names


@pytest.mark.parametrize("source", NAMES_CASES)
def test_imported_names_on_tricky_sources(source):
    from edgelint.facts import imported_names

    found = imported_names(source, "./x")
    if found is not None:  # None: the syntax tree decides
        assert found == _names_from_summary("x.ts", source, "./x")


def test_imported_names_on_every_fixture():
    from edgelint.facts import imported_names

    checked = 0
    for path, source in _parseable_sources():
        for spec in import_specifiers(path.name, source):
            found = imported_names(source, spec)
            if found is not None:
                checked += 1
                assert found == _names_from_summary(path.name, source, spec), (path, spec)
    assert checked > 300


RUNTIME_FILES = {
    "plain.tsx": "export const runtime = 'edge'\nexport default function P() { return null }\n",
    "double-quoted.tsx": 'import x from "y"\nexport const runtime = "nodejs";\nexport default function P() { return x }\n',
    "crlf.ts": "export const runtime = 'edge';\r\nexport async function GET() { return new Response('') }\r\n",
    "bom.tsx": "\ufeffexport const runtime = 'edge'\nexport default function P() { return null }\n",
    "invalid-value.tsx": "export const runtime = 'node'\nexport default function P() { return null }\n",
    "in-block-comment.tsx": "/*\nexport const runtime = 'edge'\n*/\nexport default function P() { return null }\n",
    "in-template.tsx": "const doc = `\nexport const runtime = 'edge'\n`\nexport default function P() { return doc }\n",
    "twice.tsx": "export const runtime = 'edge'\nconst other = runtime\nexport default function P() { return other }\n",
    "trailing-comment.tsx": "export const runtime = 'edge' // for Cloudflare\nexport default function P() { return null }\n",
    "let.tsx": "export let runtime = 'edge'\nexport default function P() { return null }\n",
    "as-const.tsx": "export const runtime = 'edge' as const\nexport default function P() { return null }\n",
    "escaped.tsx": "export const runtime = 'edge'\nconst \\u0061 = 1\nexport default function P() { return a }\n",
    "indented.tsx": "  export const runtime = 'edge'\nexport default function P() { return null }\n",
    "in-jsx-text.tsx": "export default function P() {\n  return (\n<pre>\nexport const runtime = 'edge'\n</pre>\n  )\n}\n",
    "in-namespace.ts": "declare module 'x' {\nexport const runtime = 'edge'\n}\nexport default function P() { return null }\n",
    "after-imports.tsx": "import { a } from 'a'\nimport type { B } from 'b'\n\nexport const runtime = 'edge'\n"
                         "export default function P() { return a }\n",
    "none.tsx": "export default function P() { return null }\n",
    "config.ts": "export const config = { runtime: 'edge' };\nexport default function h() { return null }\n",
    "config-comma.ts": "export const config = { runtime: \"experimental-edge\", };\nexport default () => null\n",
    "config-more.ts": "export const config = { runtime: 'edge', regions: ['iad1'] };\nexport default () => null\n",
    "config-open.ts": "export const config = { runtime: 'edge'\n  , ...base }\nexport default () => null\n",
    "config-twice.ts": "import config from './c'\nexport const config = { runtime: 'edge' }\nexport default () => config\n",
}


@pytest.mark.parametrize("next_version", ["12.3.4", "13.2.4", "14.2.15", "15.1.6", "16.4.0"])
def test_a_runtime_read_from_the_bytes_is_the_one_the_summary_gives(tmp_path, next_version):
    import json

    from conftest import write_tree
    from edgelint import project
    from edgelint.workspace import Workspace

    package = json.dumps({"name": "t", "dependencies": {"next": next_version}})
    root = write_tree(tmp_path / "app", {"package.json": package, "app/page.tsx": RUNTIME_FILES["none.tsx"],
                                         **{f"app/{name}": text for name, text in RUNTIME_FILES.items()}})
    ws = Workspace(root)
    app = project.find_apps(ws)[0]
    plain = set()
    for kind in ("page", "layout", "api", "route"):
        for name in RUNTIME_FILES:
            path = app.rel(f"app/{name}")
            expected = project.runtime_of(ws.summary(path), app, kind, path)
            assert project.own_runtime(ws, app, kind, path) == expected, (name, kind)
            if project._plain_runtime(ws, app, kind, path) is not None:
                plain.add((name, kind))
    exports = {"plain.tsx", "double-quoted.tsx", "crlf.ts", "invalid-value.tsx", "after-imports.tsx"} \
        if next_version != "12.3.4" else set()
    configs = {"config.ts", "config-comma.ts"}
    config_kinds = ("page", "api", "route") if next_version in ("12.3.4", "13.2.4") else ("api",)
    assert plain == {(name, kind) for name in exports for kind in ("page", "layout", "api", "route")} | \
        {(name, kind) for name in configs for kind in config_kinds}


def test_runtimes_read_from_the_bytes_are_the_summaries_on_every_fixture_app():
    from edgelint import project
    from edgelint.workspace import Workspace

    roots = sorted({p.parent for p in FIXTURES.rglob("package.json") if "node_modules" not in p.parts})
    read = 0
    for root in roots:
        ws = Workspace(root)
        for app in project.find_apps(ws):
            for path, kind in {(route.path, route.kind) for route in app.routes}:
                if project._plain_runtime(ws, app, kind, path) is not None:
                    read += 1
                    assert project.own_runtime(ws, app, kind, path) == \
                        project.runtime_of(ws.summary(path), app, kind, path), path
    assert read > 50


@settings(max_examples=500, deadline=None)
@given(source=st.binary(max_size=40).map(lambda b: bytes(b"a\r\n\xc3"[c % 4] for c in b)))
def test_line_starts_split_where_every_kind_of_line_break_ends_a_line(source):
    expected = [0, *(m.end() for m in re.finditer(rb"\r\n|\r|\n", source))]
    assert parsing.line_starts(source) == expected


@settings(max_examples=300, deadline=None)
@given(body=st.text("req.x_$ ;", max_size=30))
def test_a_parameter_is_read_where_the_name_stands_alone_not_as_a_property(body):
    from edgelint.summary import summarize

    source = f"export function GET(req) {{ {body} }}\n".encode()
    tree = parsing.parse("route.ts", source)
    function = summarize(tree).exports["GET"]
    text = source[source.index(b"{"):]
    assert function.reads_first_param == (re.search(rb"(?<![\w$.])req(?![\w$])", text) is not None)


def test_the_ancestry_found_in_c_is_the_one_found_by_descending_in_python():
    """tree-sitter 0.24+ finds a range's node and the path to it in C (`descendant_for_byte_range`,
    `child_with_descendant`); the Python descent it replaces must give the same path for every
    identifier-like word and every byte of each fixture file, syntax errors and missing nodes included."""
    from edgelint.elision import Ancestry

    sources = [*_parseable_sources(), (Path("broken.tsx"), b"export default function P() { return <div>{ </div> }\n"),
               (Path("missing.ts"), b"const a = f(\nexport const b = [1, 2,,]\nlet c = {x: }")]
    compared = 0
    for path, source in sources:
        root = parsing.parse(path.name, source).root
        in_c, in_python = Ancestry(root), Ancestry(root)
        if not in_c._in_c:
            pytest.skip("this tree-sitter has no child_with_descendant")
        in_python._in_c = False
        ranges = [(i, i + 1) for i in range(0, len(source), 7)]
        ranges += [m.span() for m in re.finditer(rb"[A-Za-z_$][\w$]*", source)][:400]
        for start, end in ranges:
            assert [n.id for n in in_c.path(start, end)] == [n.id for n in in_python.path(start, end)], (path, start)
            compared += 1
    assert compared > 10_000


def test_spans_read_from_tree_sitters_points_are_the_spans_of_the_byte_offsets():
    """Where tree-sitter's rows and byte columns are edgelint's lines and columns, a node's span
    is read from its points; it must be the span computed from the node's byte offsets, for every
    node of every fixture file and of files where they differ (a lone CR, CRLF, a byte-order
    mark, non-ASCII text, a repaired parse, a NUL)."""
    sources = [*_parseable_sources(),
               (Path("cr.ts"), b"const a = 1\rexport const b = 'x'\r\nlet c = `\r`\n"),
               (Path("bom.ts"), "\ufeffexport const a = 'é'; const b = 2\n".encode()),
               (Path("wide.tsx"), "export const x = <p title=\"ü\">{'ß'}</p>\nlet y = 1\n".encode()),
               (Path("in.ts"), b"interface P { a: boolean\nin_stock: boolean }\nexport const q = 1\n"),
               (Path("nul.ts"), b"const s = '\0'\nexport const t = 2\n")]
    fast = 0
    for path, source in sources:
        pf = parsing.parse(path.name, source)
        fast += pf._points_are_positions
        stack = [pf.root]
        while stack:
            node = stack.pop()
            assert pf.span(node) == pf.span_bytes(node.start_byte, node.end_byte), (path, node.type, node.start_byte)
            stack.extend(node.children)
    assert 30 < fast < len(sources) - 3  # both ways taken


def test_error_nodes_found_by_descending_into_errors_are_those_of_a_whole_walk():
    """`error_nodes` visits only the subtrees that hold an error (`has_error`): it must find every
    ERROR and MISSING node a walk of the whole tree finds, in the same order."""
    sources = [*_parseable_sources(), (Path("broken.tsx"), b"export default function P() { return <div>{ </div> }\n"),
               (Path("missing.ts"), b"const a = f(\nexport const b = [1, 2,,]\nlet c = {x: }\nif (a { b() }"),
               (Path("nested.tsx"), b"function f() { const x = <a href=\"?a=1&b=2\">&</a>; return (( }\nclass { }"),
               # an ERROR node inside another whose `has_error` is False (tree-sitter 0.23's TSX)
               (Path("hash.tsx"), b"export default function P() {\n  return <p className=\"x\">C# & F# support</p>\n}\n")]
    with_errors = 0
    for path, source in sources:
        pf = parsing.parse(path.name, source)
        everything = [n.id for n in pf.walk() if n.is_error or n.is_missing]
        assert [n.id for n in pf.error_nodes()] == everything, path
        with_errors += bool(everything)
    assert with_errors >= 3


def test_the_grammars_loaded_without_their_package_are_the_packages_grammars():
    import tree_sitter_typescript

    import tree_sitter as ts

    grammars = parsing._grammars()
    source = b"export const runtime = 'edge';\nexport default function P<T>(p: T) { return <div>{p}</div> }\n"
    for ours, theirs in ((grammars.language_typescript, tree_sitter_typescript.language_typescript),
                         (grammars.language_tsx, tree_sitter_typescript.language_tsx)):
        a, b = ts.Language(ours()), ts.Language(theirs())
        assert (a.node_kind_count, a.field_count) == (b.node_kind_count, b.field_count)
        assert str(ts.Parser(a).parse(source).root_node) == str(ts.Parser(b).parse(source).root_node)


def test_a_searched_path_list_is_named_by_its_digest_computed_once_per_list(tmp_path):
    from conftest import write_tree
    from edgelint.cache import list_digest
    from edgelint.workspace import Workspace

    root = write_tree(tmp_path / "app", {"a.ts": "rateLimit", "b.ts": "x", "c.ts": "rateLimit"})
    ws = Workspace(root)
    paths = ["a.ts", "b.ts"]
    assert ws.grep(paths, b"rateLimit") == ["a.ts"] and ws._list_id(paths) == list_digest(paths)
    assert ws._list_id(paths) is ws._list_id(paths)  # remembered
    paths.append("c.ts")  # a list changed after a search is named (and searched) anew
    assert ws._list_id(paths) == list_digest(paths) and ws.grep(paths, b"rateLimit") == ["a.ts", "c.ts"]
    assert ws._list_id(["a.ts", "b.ts"]) == list_digest(["a.ts", "b.ts"])  # an equal list: the same name
