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
