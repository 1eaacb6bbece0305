"""Applying the safe fixes that findings carry (`check --fix`, `check --diff`).

A fix is a byte edit a check declared safe. Per file, fixes are applied from the end of the file
backwards and overlapping ones are left for a later run; the lines they add end as the file's
lines mostly do (`\r\n` or `\n`). A file is never touched when it did not
parse cleanly before, and an edit is rolled back when the result does not parse cleanly: a fix
must never break code. Fixes are idempotent because checks only offer them where the problem is
still present.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from edgelint import parsing
from edgelint.api import Finding, Fix


@dataclass
class FixOutcome:
    fixed: list[Finding] = field(default_factory=list)  # findings whose fix was applied
    skipped: dict[str, str] = field(default_factory=dict)  # path -> why it was not touched
    diffs: dict[str, str] = field(default_factory=dict)  # path -> unified diff
    new_sources: dict[str, bytes] = field(default_factory=dict)


def _parses_cleanly(path: str, source: bytes) -> bool:
    try:
        return not parsing.parse(path, source).syntax_errors()
    except parsing.ParseTimeout:
        return False


def plan(root: Path, findings: list[Finding], shown=lambda path: path) -> FixOutcome:
    """Compute the fixed sources and diffs without writing anything (`shown(path)`: the path a
    diff names, e.g. from the current folder)."""
    outcome = FixOutcome()
    by_path: dict[str, list[tuple[Fix, Finding]]] = {}
    for finding in findings:
        for fix in finding.fixes:
            by_path.setdefault(fix.path, []).append((fix, finding))
    for path in sorted(by_path):
        try:
            original = (root / path).read_bytes()
        except OSError as error:
            outcome.skipped[path] = f"cannot read: {error.strerror or error}"
            continue
        if not _parses_cleanly(path, original):
            outcome.skipped[path] = "the file does not parse cleanly"
            continue
        source, applied, last_start = original, [], len(original) + 1
        crlf = original.count(b"\r\n") * 2 > original.count(b"\n")  # the file's line endings, kept
        for fix, finding in sorted(by_path[path], key=lambda item: (item[0].start, item[0].end), reverse=True):
            if fix.end > last_start or fix.end > len(source) or fix.start < 0:
                continue  # overlaps an edit already made: a later run picks it up
            text = fix.replacement.replace("\r\n", "\n").replace("\n", "\r\n") if crlf else fix.replacement
            source = source[: fix.start] + text.encode("utf-8") + source[fix.end :]
            last_start = fix.start
            applied.append(finding)
        if source == original:
            continue
        if not _parses_cleanly(path, source):
            outcome.skipped[path] = "the fixed file would not parse; nothing changed"
            continue
        outcome.new_sources[path] = source
        outcome.fixed.extend(applied)
        before = original.decode("utf-8", "replace").splitlines(keepends=True)
        after = source.decode("utf-8", "replace").splitlines(keepends=True)
        outcome.diffs[path] = _unified_diff(before, after, shown(path))
    return outcome


def _unified_diff(before: list[str], after: list[str], path: str) -> str:
    """A unified diff that `git apply` and `patch` take: a last line without a line break is
    followed by the `\\ No newline at end of file` marker."""
    out = []
    for line in difflib.unified_diff(before, after, f"a/{path}", f"b/{path}"):
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def write(root: Path, outcome: FixOutcome) -> dict[str, str]:
    """Write the fixed files atomically (a temporary file renamed over the original; through a
    symbolic link, over the file it leads to). Returns path -> why it could not be written."""
    failed = {}
    for path, source in outcome.new_sources.items():
        target = (root / path).resolve()  # a link is kept, and the file it leads to fixed
        temp = None
        try:
            handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".edgelint-fix-")
            with os.fdopen(handle, "wb") as out:
                out.write(source)
            try:
                os.chmod(temp, target.stat().st_mode & 0o7777)
            except OSError:
                pass
            os.replace(temp, target)
        except OSError as error:
            failed[path] = error.strerror or str(error)
            if temp is not None:
                Path(temp).unlink(missing_ok=True)
    return failed
