"""The byte prefilters that spare a parse or a query must never hide what the parse or query
would find: checked on every source file of the fixtures and on hand-written edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgelint import parsing
from edgelint.summary import DYNAMIC_IMPORT_BYTES, DYNAMIC_IMPORT_QUERY

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SOURCES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in parsing.SOURCE_EXTENSIONS and p.is_file())

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


def _query_finds(path: str, source: bytes) -> bool:
    pf = parsing.parse(path, source)
    return any(kind in ("dynamic", "require") for kind, _node in pf.query(DYNAMIC_IMPORT_QUERY))


@pytest.mark.parametrize("source", TRICKY)
def test_dynamic_import_prefilter_on_tricky_sources(source):
    if _query_finds("x.ts", source):
        assert DYNAMIC_IMPORT_BYTES.search(source)


def test_dynamic_import_prefilter_on_every_fixture():
    checked = 0
    for path in SOURCES:
        source = path.read_bytes()
        if len(source) > parsing.MAX_PARSE_BYTES or b"\0" in source[:8192]:
            continue
        if _query_finds(path.name, source):
            checked += 1
            assert DYNAMIC_IMPORT_BYTES.search(source), path
    assert checked > 5  # the fixtures do have dynamic imports and requires


def test_dynamic_import_prefilter_skips_plain_modules():
    assert not DYNAMIC_IMPORT_BYTES.search(b"import x from 'y'\nimport { a } from 'b'\nexport const required = 1\n")
