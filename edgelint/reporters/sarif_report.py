"""SARIF 2.1.0 for GitHub code scanning (SARIF.md).

One run; every selected rule with full docs (`shortDescription`, `fullDescription` ≤ 1024
characters, `help.text` and `help.markdown`), the area as the first tag; relative URIs with
`uriBaseId: %SRCROOT%` (never absolute `file://`); columns in UTF-16 code units;
`partialFingerprints.primaryLocationLineHash` computed with GitHub's algorithm; related
locations and import chains (`codeFlows`) as evidence; results in a deterministic order.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from edgelint import __version__, files
from edgelint.fingerprint import line_hashes

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}


def _section(docs: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\s*\n(.*?)(?=^## |\Z)", docs, re.S | re.M)
    return " ".join(match.group(1).split()) if match else ""


def _first_sentence(text: str, long: int = 140) -> str:
    """The first sentence, shortened when it is long (GitHub shows a rule's short description as
    the title of its alerts): without its asides in parentheses or dashes, then up to a colon."""
    match = re.match(r"(.+?[.!?])(?=\s|$)", text)
    sentence = match.group(1) if match else text
    if len(sentence) > long:
        sentence = re.sub(r" \([^()]*\)", "", re.sub(r" — [^—]*? — ", " ", sentence))
    if len(sentence) > long:
        colon = next((m.start() for m in re.finditer(r":\s", sentence)
                      if m.start() >= 30 and sentence.count("`", 0, m.start()) % 2 == 0), None)
        if colon is not None:  # not one inside `code`
            return sentence[:colon] + "."
    return sentence


def _limit(text: str, size: int = 1024) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def rule_descriptor(check) -> dict:
    docs = check.docs()
    what = _section(docs, "What it does") or check.summary_line() or check.name
    why = _section(docs, "Why is this bad?") or what
    pascal = "".join(part.capitalize() for part in check.name.split("-"))
    return {
        "id": check.code,
        "name": pascal,
        "shortDescription": {"text": _limit(_first_sentence(what), 200)},
        "fullDescription": {"text": _limit(why)},
        "help": {"text": docs or what, "markdown": docs or what},
        "defaultConfiguration": {"level": check.severity},
        "properties": {"tags": [check.area, "edge", check.name], "precision": "high",
                       "problem.severity": PROBLEM_SEVERITY.get(check.severity, "warning")},
    }


class _Files:
    """Per-file text and line hashes, computed once."""

    def __init__(self, workspace):
        self.ws = workspace
        self._lines: dict[str, list[str]] = {}
        self._hashes: dict[str, dict[int, str]] = {}

    def lines(self, path: str) -> list[str]:
        if path not in self._lines:
            text = self.ws.text(path) if path in self.ws.path_set else None
            self._lines[path] = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return self._lines[path]

    def utf16_col(self, path: str, line: int, col: int) -> int:
        lines = self.lines(path)
        if not 1 <= line <= len(lines):
            return col
        prefix = lines[line - 1][: col - 1]
        return len(prefix.encode("utf-16-le")) // 2 + 1

    def line_hash(self, path: str, line: int) -> str | None:
        if path not in self._hashes:
            data = self.ws.read(path) if path in self.ws.path_set else None
            text = data.decode("utf-8", "replace") if data is not None else None  # with a BOM, as GitHub hashes it
            if text is None and line == 1 and path in self.ws.path_set:
                text = self._head(path)  # a file too large to read: line 1 needs only its start
                self._hashes[path] = {1: line_hashes(text)[1]} if text else {}
            else:
                self._hashes[path] = line_hashes(text) if text is not None else {}
        return self._hashes[path].get(line)

    def _head(self, path: str) -> str | None:
        """The first 64 kB of a file (the hash of its first line covers its first 100 characters
        other than spaces and tabs), or None when it cannot be read."""
        if not files.inside(self.ws.root, path):
            return None
        head = files.read_head(self.ws.root / path, 65536)
        if head is None:
            return None
        text = head.decode("utf-8", "replace")
        return text if len(text.replace(" ", "").replace("\t", "")) > 101 else None


def _physical(files: _Files, loc, prefix: str = "") -> dict:
    span = loc.span
    start_col = files.utf16_col(loc.path, span.line, span.col)
    end_col = files.utf16_col(loc.path, span.end_line, span.end_col)
    end_line = max(span.end_line, span.line)
    if end_line == span.line and end_col <= start_col:
        end_col = start_col + 1
    return {"artifactLocation": {"uri": quote(prefix + loc.path, safe="/"), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": span.line, "startColumn": start_col, "endLine": end_line, "endColumn": end_col}}


def render(result, *, category: str | None = None, **_options) -> str:
    from edgelint.files import repository_prefix

    files = _Files(result.workspace)
    prefix = repository_prefix(result.root)  # GitHub reads relative URIs from the repository root
    used_codes = {f.code for f in result.findings}
    known = {c.code: c for c in result.all_checks} if hasattr(result, "all_checks") else {}
    rules = sorted({c.code: c for c in [*result.checks, *[known[c] for c in used_codes if c in known]]}.values(),
                   key=lambda c: c.code)
    index = {c.code: i for i, c in enumerate(rules)}
    results = []
    for f in result.findings:
        item = {"ruleId": f.code, "level": f.severity if f.severity in ("error", "warning", "note") else "error",
                "message": {"text": f.message},
                "locations": [{"physicalLocation": _physical(files, f.location, prefix)}]}
        if f.code in index:
            item["ruleIndex"] = index[f.code]
        # a location whose text cannot be read (a folder, an unreadable file) hashes as an empty line
        line_hash = files.line_hash(f.path, f.span.line) or line_hashes("")[1]
        item["partialFingerprints"] = {"primaryLocationLineHash": line_hash}
        if f.related:
            item["relatedLocations"] = [{"id": i + 1, "physicalLocation": _physical(files, r, prefix),
                                         **({"message": {"text": r.message}} if r.message else {})}
                                        for i, r in enumerate(f.related)]
        if f.flow:
            item["codeFlows"] = [{"threadFlows": [{"locations": [
                {"location": {"physicalLocation": _physical(files, step, prefix),
                              **({"message": {"text": step.message}} if step.message else {})}}
                for step in f.flow]}]}]
        if f.data:
            item["properties"] = {"edgelint": f.data}
        results.append(item)
    run = {
        "tool": {"driver": {"name": "edgelint", "semanticVersion": __version__, "version": __version__,
                            "rules": [rule_descriptor(c) for c in rules]}},
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the root of the repository (git work tree) "
                                                                   "that holds the linted directory"}}},
        "invocations": [{"executionSuccessful": True}],
        "results": results,
    }
    if category:
        run["automationDetails"] = {"id": category.rstrip("/") + "/"}
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
