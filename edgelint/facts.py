"""Facts: small values computed from a file's bytes alone, cached by the file's digest.

A check that asks the workspace for a fact depends on the fact's value, not on the file's bytes
(early cutoff, as in incremental build systems): an edit that leaves the value unchanged keeps the
check's cached result valid. The rate-limit import graph, for instance, reads the import
specifiers of every file of an app; editing a function body changes none of them.

Every fact is registered here by name, so a cached result can be validated without importing
the check that recorded it. Values must be JSON (they are cached and compared).
"""

from __future__ import annotations

import re
from typing import Callable

#: Import specifiers in `from '…'`, `import '…'`, `import('…')`, `require('…')`, found in the
#: bytes without parsing (strings that only look like imports give extra, harmless edges).
IMPORT_SPEC = re.compile(rb"""(?:\bfrom|\bimport|\brequire)\s*\(?\s*['"]([^'"\n]{1,300})['"]""")


def import_specifiers(data: bytes) -> list[str]:
    """The distinct import specifiers of a file, in order of appearance."""
    return list(dict.fromkeys(m.group(1).decode("utf-8", "replace") for m in IMPORT_SPEC.finditer(data)))


FACTS: dict[str, Callable[[bytes], object]] = {
    "import-specifiers": import_specifiers,
}
