"""Inline suppressions, read from comment nodes only (never from strings or template text).

    // edgelint-disable-next-line EDGE301, no-node-builtin -- reason
    foo();  // edgelint-disable-line EDGE301
    /* edgelint-disable-file EDGE301 */   (a bare `edgelint-disable` is file-wide too)

Codes or rule names, comma- or space-separated; none means every rule. Text after `--` is the
reason. A suppression that silences nothing, or names a rule that does not exist, is a finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from edgelint.parsing import ParsedFile, Span

MARKER = b"edgelint-disable"
DIRECTIVE = re.compile(r"edgelint-disable(-next-line|-line|-file)?(?![\w-])\s*(.*)", re.S)
#: `edgelint-disable` with another suffix (`-nextline`, `-next_line`, `-lines`): a typo, reported.
MISSPELT = re.compile(r"edgelint-disable[\w-]+")


@dataclass
class Suppression:
    path: str
    kind: str  # 'next-line' | 'line' | 'file' | 'misspelt' (an unknown directive: suppresses nothing)
    rules: list[str]  # empty: every rule
    line: int  # the line it applies to (0 for file-wide)
    span: Span  # where the comment is
    reason: str = ""
    used: set[str] = field(default_factory=set)

    def matches(self, code: str, name: str, line: int) -> bool:
        if self.kind == "misspelt" or (self.kind != "file" and line != self.line):
            return False
        return not self.rules or code in self.rules or name in self.rules


def read(pf: ParsedFile) -> list[Suppression]:
    if MARKER not in pf.source:
        return []
    found = []
    for node in pf.walk():
        if node.type != "comment":
            continue
        text = pf.text(node)
        body = text[2:-2] if text.startswith("/*") else text[2:]
        directive = body.strip().lstrip("*").strip()
        if not directive.startswith("edgelint-disable"):
            continue
        match = DIRECTIVE.match(directive)
        if not match:
            found.append(Suppression(pf.path, "misspelt", [MISSPELT.match(directive).group(0)], 0, pf.span(node)))
            continue
        kind = (match.group(1) or "-file").lstrip("-")  # a bare `edgelint-disable` is file-wide
        rest = match.group(2).strip()
        if text.startswith("/*"):
            rest = rest.rstrip("*/").strip()
        rules_text, _, reason = rest.partition("--")
        rules = [_normal(r) for r in re.split(r"[\s,]+", rules_text.strip()) if r]
        span = pf.span(node)
        line = {"next-line": span.end_line + 1, "line": span.line, "file": 0}[kind]
        found.append(Suppression(pf.path, kind, rules, line, span, reason.strip()))
    return found


def _normal(rule: str) -> str:
    """Codes in upper case (`edge301` is EDGE301), names (hyphenated) in lower case, as `--select`
    reads them; anything else as written, for the EDGE905 message."""
    if re.fullmatch(r"(?i)edge\d+", rule):
        return rule.upper()
    return rule.lower() if "-" in rule else rule
