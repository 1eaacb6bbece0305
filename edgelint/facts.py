"""Facts: small values computed from a file's bytes alone, cached by the file's digest.

A check that asks the workspace for a fact depends on the fact's value, not on the file's bytes
(early cutoff, as in incremental build systems): an edit that leaves the value unchanged keeps the
check's cached result valid. The rate-limit import graph, for instance, reads the import
specifiers of every file of an app; editing a function body changes none of them.

Every fact is registered here by name (a function, or "module:function" imported when first
needed), so a cached result can be validated without importing the check that recorded it.
A fact function takes (path, bytes), or the file's module summary for the facts in
FROM_SUMMARY, and returns JSON (it is cached and compared) or None.
"""

from __future__ import annotations

import importlib
import re
from typing import Callable

#: Import specifiers in `from '…'`, `import '…'`, `import('…')`, `require('…')`, found in the
#: bytes without parsing (strings that only look like imports give extra, harmless edges): one of
#: these words, not preceded by a word character, then IMPORT_TAIL.
IMPORT_WORDS = (b"from", b"import", b"require")
IMPORT_TAIL = re.compile(rb"""\s*\(?\s*['"]([^'"\n]{1,300})['"]""")
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def import_specifiers(path: str, data: bytes) -> list[str]:
    """The distinct import specifiers of a file, in order of appearance.

    The same as scanning left to right with one regular expression, `\b(from|import|require)`
    + IMPORT_TAIL, but each word is found with `bytes.find` and the tail matched where it
    stands: three times faster than trying the alternation at every byte."""
    matches = []
    for word in IMPORT_WORDS:
        at = data.find(word)
        while at != -1:
            if at == 0 or data[at - 1] not in _WORD_BYTES:
                tail = IMPORT_TAIL.match(data, at + len(word))
                if tail is not None:
                    matches.append((at, tail.end(), tail.group(1)))
            at = data.find(word, at + 1)
    matches.sort()
    found: dict[str, None] = {}
    end = 0
    for start, stop, specifier in matches:
        if start >= end:  # a scan from the left skips matches that begin inside an earlier one
            found.setdefault(specifier.decode("utf-8", "replace"), None)
            end = stop
    return list(found)


#: What stands before a module specifier's quote: `… from`, `import(`, `require(`, or a bare `import`.
_BEFORE_SPECIFIER = re.compile(rb"(?:(?<![\w$.])(?P<from>from)|(?<![\w$.])(?P<call>import|require)\s*\(|"
                               rb"(?<![\w$.])(?P<bare>import))\s*$")
#: The clause of a static import or re-export, between the keyword and `from` (no comments, no
#: nested braces): `type`? then a default name, `* as ns`, `{ … }`, or a default and one of those.
_CLAUSE = re.compile(rb"(?P<kw>import|export)\s+(?P<type>type\s+)?(?:(?P<default>[A-Za-z_$][\w$]*)\s*(?:,\s*)?)?"
                     rb"(?:(?P<star>\*)(?:\s*as\s+[A-Za-z_$][\w$]*)?|\{(?P<named>[^{}/]*)\})?\s*$")
_NAMED_ITEM = re.compile(rb"\s*(?P<type>type\s+)?(?P<name>[A-Za-z_$][\w$]*|'[^']*'|\"[^\"]*\")(?:\s+as\s+[A-Za-z_$][\w$]*)?\s*")


def imported_names(data: bytes, spec: str) -> set[str] | None:
    """The names a file imports (or re-exports) from the module specifier `spec`, read from the
    bytes: as the module summary gives them, '*' for a namespace, `export *`, a side-effect,
    dynamic or `require` import; type-only imports skipped. None when a statement is not plainly
    written (a comment or a template literal around it, nested braces, not at the top level) and
    the syntax tree must say."""
    names: set[str] = set()
    found = False
    try:
        for quote in (b"'", b'"'):
            needle = quote + spec.encode() + quote
            at = data.find(needle)
            while at != -1:
                here = _names_at(data, at)
                if here is not None:
                    found = True
                    names |= here
                at = data.find(needle, at + 1)
    except _Unsure:
        return None
    return names if found else None


class _Unsure(Exception):
    """A statement the bytes alone do not answer for."""


def _names_at(data: bytes, at: int) -> set[str] | None:
    """The names of the import whose quoted specifier starts at `at`, None if it is no import."""
    head = data[max(0, at - 400):at]
    context = _BEFORE_SPECIFIER.search(head)
    if context is None:
        return None
    if in_comment(data, at) or _IMPORT_EQUALS.search(head, 0, context.start()) or (
            context.group("call") == b"require" and _LOCAL_REQUIRE.search(data)):
        raise _Unsure
    if context.group("call") is not None:
        return {"*"}  # `import('x')`, `require('x')`: anywhere in the file
    start = context.start() if context.group("bare") else _statement_start(head[:context.start()])
    if start is None:
        raise _Unsure
    keyword = at - len(head) + start
    line = data[data.rfind(b"\n", 0, keyword) + 1:keyword]
    if line and not line.rstrip().endswith(b";"):
        raise _Unsure  # not at the start of a line: maybe not at the top level (`declare module`)
    if context.group("bare"):
        return {"*"}  # `import 'x'`
    clause = _statement_clause(head[start:context.start()])
    if clause is None:
        raise _Unsure
    return clause


#: A `require` of the file's own (a parameter, a variable, `createRequire`): its calls load no module.
_LOCAL_REQUIRE = re.compile(rb"[(,]\s*require\s*[:,)=]|\b(?:const|let|var|function)\s+require\b|createRequire")
#: TypeScript's `import x = require('…')`, which module summaries do not list.
_IMPORT_EQUALS = re.compile(rb"import\s+[A-Za-z_$][\w$]*\s*=\s*$")


def in_comment(data: bytes, at: int) -> bool:
    """Whether the text at `at` may be inside a comment or a template literal (code written as
    text): `//` or a leading `*` on its line before it, an unclosed `/*` before it, or an odd
    number of backquotes before it."""
    line = data[data.rfind(b"\n", 0, at) + 1:at]
    opened = data.rfind(b"/*", 0, at)
    return b"//" in line or line.lstrip().startswith(b"*") or (opened != -1 and data.rfind(b"*/", 0, at) < opened) \
        or data.count(b"`", 0, at) % 2 == 1


def _statement_start(before: bytes) -> int | None:
    """Where the `import`/`export` keyword of the statement that ends `before` stands."""
    start = max(before.rfind(b"import"), before.rfind(b"export"))
    return start if start != -1 else None


def _statement_clause(clause_text: bytes) -> set[str] | None:
    """The names of an `import …`/`export …` clause (the statement's text up to `from`)."""
    clause = _CLAUSE.match(clause_text)
    if clause is None or b"/*" in clause_text or b"//" in clause_text:
        return None
    if clause.group("type"):
        return set()
    names = set()
    if clause.group("default"):
        if clause.group("kw") == b"export":
            return None
        names.add("default")
    if clause.group("star"):
        names.add("*")
    named = clause.group("named")
    if named is not None:
        items = [item for item in named.split(b",") if item.strip()]
        values = []
        for item in items:
            match = _NAMED_ITEM.fullmatch(item)
            if match is None:
                return None
            if not match.group("type"):
                values.append(match.group("name").strip(b"'\"").decode("utf-8", "replace"))
        if items and not values and not names:
            return set()  # `import { type A, type B }`: erased like `import type`
        names.update(values)
    if not names and clause.group("kw") == b"import":
        names.add("*")  # `import {} from 'x'` runs the module
    return names


FACTS: dict[str, Callable[[str, bytes], object] | str] = {
    "import-specifiers": import_specifiers,
    "kv-usage": "edgelint.checks._kv:usage_fact",
}

#: Facts taken from a file's module summary (`edgelint.summary`), by a function of the summary:
#: the workspace computes them from the summary it has, or makes (and keeps) one.
FROM_SUMMARY: dict[str, Callable[[object], object] | str] = {
    "imports": "edgelint.summary:imports_value",
}


def _kv_usage(value) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("methods"), dict)
            and all(isinstance(k, str) and isinstance(v, list) and all(isinstance(m, str) for m in v)
                    for k, v in value["methods"].items())
            and isinstance(value.get("reads"), list)
            and all(isinstance(r, list) and len(r) == 3 and isinstance(r[0], str) and isinstance(r[1], str)
                    and isinstance(r[2], bool) for r in value["reads"])
            and isinstance(value.get("dynamic_env"), bool)
            and isinstance(value.get("factories"), dict)
            and all(isinstance(k, str) and isinstance(v, list) and len(v) == 3 and isinstance(v[0], str)
                    and isinstance(v[1], str) and isinstance(v[2], bool) for k, v in value["factories"].items())
            and isinstance(value.get("factory_calls"), list)
            and all(isinstance(c, list) and len(c) == 3 and all(isinstance(x, str) for x in c)
                    for c in value["factory_calls"]))


def _span(value) -> bool:
    return isinstance(value, list) and len(value) == 4 and all(type(v) is int for v in value)


_IMPORT_FLAGS = ("type_only", "value_used", "type_position", "edge_dead")


def _imports(value) -> bool:
    return (isinstance(value, dict) and set(value) == {"imports", "error"} and isinstance(value["imports"], list)
            and (value["error"] is None or _span(value["error"]))
            and all(isinstance(i, dict) and set(i) == {"source", "kind", "span", "names", *_IMPORT_FLAGS}
                    and isinstance(i["source"], str) and isinstance(i["kind"], str) and _span(i["span"])
                    and isinstance(i["names"], list)
                    and all(isinstance(n, list) and len(n) == 2 and all(isinstance(x, str) for x in n)
                            for n in i["names"])
                    and all(type(i[flag]) is bool for flag in _IMPORT_FLAGS)
                    for i in value["imports"]))


#: What a value of each fact looks like: a cached value of another shape (a corrupt or planted
#: cache) is computed again.
SHAPES = {
    "import-specifiers": lambda value: isinstance(value, list) and all(isinstance(s, str) for s in value),
    "imports": _imports,
    "kv-usage": _kv_usage,
}


def well_formed(name: str, value) -> bool:
    return value is None or SHAPES[name](value)


def compute(name: str, path: str, data: bytes):
    """The fact `name` of a file with these bytes (KeyError for an unknown fact)."""
    return _function(FACTS, name)(path, data)


def derive(name: str, summary):
    """The fact `name` (one of FROM_SUMMARY) of a file with this summary."""
    return _function(FROM_SUMMARY, name)(summary)


def _function(registry: dict, name: str):
    function = registry[name]
    if isinstance(function, str):
        module, _, attribute = function.partition(":")
        function = registry[name] = getattr(importlib.import_module(module), attribute)
    return function
