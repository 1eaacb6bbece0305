"""Facts: small values computed from a file's bytes alone, cached by the file's digest.

A check that asks the workspace for a fact depends on the fact's value, not on the file's bytes
(early cutoff, as in incremental build systems): an edit that leaves the value unchanged keeps the
check's cached result valid. The rate-limit import graph, for instance, reads the import
specifiers of every file of an app; editing a function body changes none of them.

Every fact is registered here by name (a function, or "module:function" imported when first
needed), so a cached result can be validated without importing the check that recorded it.
A fact function takes (path, bytes) and returns JSON (it is cached and compared) or None.
"""

from __future__ import annotations

import importlib
import re
from typing import Callable

#: Import specifiers in `from '…'`, `import '…'`, `import('…')`, `require('…')`, found in the
#: bytes without parsing (strings that only look like imports give extra, harmless edges).
IMPORT_SPEC = re.compile(rb"""(?:\bfrom|\bimport|\brequire)\s*\(?\s*['"]([^'"\n]{1,300})['"]""")


def import_specifiers(path: str, data: bytes) -> list[str]:
    """The distinct import specifiers of a file, in order of appearance."""
    return list(dict.fromkeys(m.group(1).decode("utf-8", "replace") for m in IMPORT_SPEC.finditer(data)))


FACTS: dict[str, Callable[[str, bytes], object] | str] = {
    "import-specifiers": import_specifiers,
    "kv-usage": "edgelint.checks._kv:usage_fact",
}


def _kv_usage(value) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("methods"), dict)
            and all(isinstance(k, str) and isinstance(v, list) and all(isinstance(m, str) for m in v)
                    for k, v in value["methods"].items())
            and isinstance(value.get("reads"), list)
            and all(isinstance(r, list) and len(r) == 3 and isinstance(r[0], str) and isinstance(r[1], str)
                    and isinstance(r[2], bool) for r in value["reads"])
            and isinstance(value.get("dynamic_env"), bool))


#: What a value of each fact looks like: a cached value of another shape (a corrupt or planted
#: cache) is computed again.
SHAPES = {
    "import-specifiers": lambda value: isinstance(value, list) and all(isinstance(s, str) for s in value),
    "kv-usage": _kv_usage,
}


def well_formed(name: str, value) -> bool:
    return value is None or SHAPES[name](value)


def compute(name: str, path: str, data: bytes):
    """The fact `name` of a file with these bytes (KeyError for an unknown fact)."""
    function = FACTS[name]
    if isinstance(function, str):
        module, _, attribute = function.partition(":")
        function = FACTS[name] = getattr(importlib.import_module(module), attribute)
    return function(path, data)
