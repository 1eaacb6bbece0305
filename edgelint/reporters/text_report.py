"""`path:line:col: CODE [name] message`, a short code frame, and a per-rule summary.

Colour only when writing to a terminal and never when NO_COLOR is set (the CLI decides).
"""

from __future__ import annotations

import re
from collections import Counter

STYLE = {"error": "\x1b[31m", "warning": "\x1b[33m", "note": "\x1b[36m", "bold": "\x1b[1m", "dim": "\x1b[2m",
         "reset": "\x1b[0m"}


def _paint(text: str, style: str, color: bool) -> str:
    return f"{STYLE[style]}{text}{STYLE['reset']}" if color else text


def _clean(text: str) -> str:
    """Terminal-safe text: control characters (escape sequences in file names) are shown escaped."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


def code_frame(result, finding, color: bool) -> list[str]:
    text = result.workspace.text(finding.path) if finding.path in result.workspace.path_set else None
    if text is None:
        return []
    lines = re.split(r"\r\n|\r|\n", text)
    line_no = finding.span.line
    if not 1 <= line_no <= len(lines):
        return []
    line = lines[line_no - 1].expandtabs(4)
    if len(line) > 200:
        return []
    width = len(str(line_no))
    start = max(finding.span.col - 1, 0)
    end = finding.span.end_col - 1 if finding.span.end_line == line_no else len(line)
    caret = " " * start + "^" * max(1, min(end, len(line)) - start)
    gutter = _paint(f"{line_no:>{width}} |", "dim", color)
    blank = _paint(f"{'':>{width}} |", "dim", color)
    return [f"  {gutter} {_clean(line)}", f"  {blank} {_paint(caret, finding.severity, color)}"]


def render(result, *, color: bool = False, statistics: bool = False, quiet: bool = False, frames: bool = True,
           shown=None) -> str:
    """The report; `shown` maps a path (relative to the lint root) to the one printed."""
    shown = shown or (lambda path: path)
    out: list[str] = []
    for finding in result.findings:
        location = _paint(f"{_clean(shown(finding.path))}:{finding.span.line}:{finding.span.col}:", "bold", color)
        code = _paint(finding.code, finding.severity, color)
        out.append(f"{location} {code} [{finding.name}] {_clean(finding.message)}")
        if frames and not quiet:
            out.extend(code_frame(result, finding, color))
            for related in finding.related[:3]:
                out.append(f"  = {_clean(related.message) or 'see'}: {_clean(shown(related.path))}:"
                           f"{related.span.line}:{related.span.col}")
    if statistics and result.findings:
        counts = Counter((f.code, f.name, f.severity) for f in result.findings)
        if out:
            out.append("")
        for (code, name, severity), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            out.append(f"{count:>5}  {code}  {name} ({severity})")
    if not quiet:
        by_severity = Counter(f.severity for f in result.findings)
        if result.findings:
            parts = [f"{by_severity[s]} {s}{'s' if by_severity[s] != 1 else ''}" for s in ("error", "warning", "note") if by_severity[s]]
            rules = len({f.code for f in result.findings})
            summary = f"Found {len(result.findings)} problem{'s' if len(result.findings) != 1 else ''} ({', '.join(parts)}) from {rules} rule{'s' if rules != 1 else ''}"
        else:
            summary = "All checks passed"
        apps = _clean(", ".join(f"{a.label} ({a.target})" for a in result.apps))
        out.append("")
        out.append(_paint(summary, "bold", color) + (f" in {apps}" if apps else ""))
        if result.suppressed:
            out.append(f"{result.suppressed} suppressed by edgelint-disable comments")
    return "\n".join(out) + "\n"
