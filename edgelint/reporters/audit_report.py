"""Rendering `edgelint audit`: `text` (terminal tables), `markdown` (step summaries, PR comments), `json`.

JSON schema (version 1):
```
{"version": 1, "tool": {...},
 "apps": [{"root", "target", "detected_target", "target_reason", "next_version",
           "score": {"value": 0-100, "terms": [{"area", "ratio"}]} | null,
           "routes": [{"url", "kind", "path", "runtime", "facts": {column: text}, "findings": {area: n}}],
           "areas": [{"area", "passed", "figures": [{"label", "value", "total", "passed", "detail"}],
                      "findings": [finding objects as in `check --format json`]}]}],
 "migration": {"from": target, "to": target} | null}
```
"""

from __future__ import annotations

import json

from edgelint import __version__
from edgelint.reporters.json_report import finding_dict

MAX_LISTED = 8
GREEN, RED, BOLD, DIM, RESET = "\x1b[32m", "\x1b[31m", "\x1b[1m", "\x1b[2m", "\x1b[0m"


def _figure_text(figure) -> str:
    if figure.total is None:
        text = f"{figure.label}: {figure.value}"
    elif figure.total == 0:
        text = f"{figure.label}: none to count"
    else:
        text = f"{figure.label}: {figure.value} of {figure.total}"
    return text + (f" ({figure.detail})" if figure.detail else "")


#: The route table's fact columns in the order the README lists them; any other after these.
FACT_ORDER = ("rate limit", "KV")


def _fact_columns(audit) -> list[str]:
    found = {column for row in audit.rows for column in row.facts}
    return [c for c in FACT_ORDER if c in found] + sorted(found - set(FACT_ORDER))


def _findings_text(row) -> str:
    return ", ".join(f"{area} {n}" for area, n in sorted(row.findings.items())) or "-"


def _table_rows(audit) -> tuple[list[str], list[list[str]]]:
    columns = _fact_columns(audit)
    header = ["route", "kind", "runtime", *columns, "findings", "file"]
    rows = [[r.url or "-", r.kind, r.runtime or "-", *[r.facts.get(c, "-") for c in columns], _findings_text(r), r.path]
            for r in audit.rows]
    return header, rows


def _score_text(audit) -> str | None:
    score = audit.score
    if score is None:
        return None
    value, terms = score
    formula = " + ".join(f"{area} {ratio:.2f}" for area, ratio in terms)
    failing = [a.area for a in audit.areas if not a.passed]
    verdict = f"; failing on findings or figures: {', '.join(failing)}" if failing else ""
    return f"{value}/100 = ({formula}) / {len(terms)} areas with coverage figures{verdict}"


def _migration(audit) -> str | None:
    if audit.detected_target and audit.detected_target != audit.app.target:
        return (f"migration report: {audit.detected_target} → {audit.app.target}; every finding below is a change "
                f"the move needs")
    return None


def _clean(text: str) -> str:
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def render_text(audits, *, color: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"{style}{text}{RESET}" if color else text

    out: list[str] = []
    for audit in audits:
        app = audit.app
        version = str(app.next_version) if app.next_version else "unknown"
        out.append(paint(_clean(f"{app.label}: Next.js {version}, target {app.target} ({app.target_reason})"), BOLD))
        migration = _migration(audit)
        if migration:
            out.append(migration)
        out.append("")
        header, rows = _table_rows(audit)
        rows = [[_clean(c) for c in row] for row in rows]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        out.append("  ".join(h.upper().ljust(w) for h, w in zip(header, widths)).rstrip())
        for row in rows:
            out.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
        out.append("")
        listed = None if migration else MAX_LISTED  # a migration report lists every change
        for area in audit.areas:
            mark = paint("PASS", GREEN) if area.passed else paint("FAIL", RED)
            figures = _clean("; ".join(_figure_text(f) for f in area.figures)) or "no figures"
            count = len(area.findings)
            out.append(f"{mark}  {area.area:<12} {figures}; {count} finding{'s' if count != 1 else ''}")
            for finding in area.findings[:listed]:
                out.append(paint(f"        {_clean(finding.path)}:{finding.span.line}:{finding.span.col} {finding.code} "
                                 f"{_clean(finding.message)}", DIM))
            if listed is not None and count > listed:
                out.append(f"        … {count - MAX_LISTED} more (edgelint check --select {area.area})")
        score = _score_text(audit)
        if score:
            out.append("")
            out.append(paint(f"Score {score}", BOLD))
        out.append("")
    return "\n".join(out)


def _md(text: str) -> str:
    """Escape text for a markdown table cell."""
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")
    for ch in "`*_[]<>#":
        escaped = escaped.replace(ch, "\\" + ch)
    return _clean(escaped)  # other control characters (terminal escapes in file names) as \x1b


def render_markdown(audits) -> str:
    out: list[str] = ["# edgelint audit", ""]
    for audit in audits:
        app = audit.app
        version = str(app.next_version) if app.next_version else "unknown"
        out.append(f"## {_md(app.label)}")
        out.append("")
        out.append(f"Next.js {_md(version)} · target **{_md(app.target)}** ({_md(app.target_reason)})")
        migration = _migration(audit)
        if migration:
            out.append("")
            out.append(f"> {_md(migration)}")
        out.append("")
        out.append("| area | result | coverage | findings |")
        out.append("|---|---|---|---|")
        for area in audit.areas:
            figures = "; ".join(_md(_figure_text(f)) for f in area.figures) or "—"
            out.append(f"| {area.area} | {'✅ pass' if area.passed else '❌ fail'} | {figures} | {len(area.findings)} |")
        score = _score_text(audit)
        if score:
            out.append("")
            out.append(f"**Score** {_md(score)}")
        out.append("")
        header, rows = _table_rows(audit)
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        for row in rows:
            out.append("| " + " | ".join(_md(str(c)) for c in row) + " |")
        out.append("")
        failing = [a for a in audit.areas if a.findings]
        if failing:
            out.append("<details><summary>Findings</summary>")
            out.append("")
            for area in failing:
                for finding in area.findings:
                    out.append(f"- `{finding.code}` {_md(finding.path)}:{finding.span.line} — {_md(finding.message)}")
            out.append("")
            out.append("</details>")
            out.append("")
    return "\n".join(out) + "\n"


def render_json(audits) -> str:
    apps = []
    for audit in audits:
        app = audit.app
        score = audit.score
        apps.append({
            "root": app.label, "target": app.target, "detected_target": audit.detected_target,
            "target_reason": app.target_reason, "next_version": str(app.next_version) if app.next_version else None,
            "score": {"value": score[0], "terms": [{"area": a, "ratio": round(r, 4)} for a, r in score[1]]}
            if score else None,
            "routes": [{"url": r.url, "kind": r.kind, "path": r.path, "runtime": r.runtime, "facts": r.facts,
                        "findings": r.findings} for r in audit.rows],
            "areas": [{"area": a.area, "passed": a.passed,
                       "figures": [{"label": f.label, "value": f.value, "total": f.total, "passed": f.passed,
                                    "detail": f.detail} for f in a.figures],
                       "findings": [finding_dict(f) for f in a.findings]} for a in audit.areas],
        })
    migration = next(({"from": a.detected_target, "to": a.app.target} for a in audits
                      if a.detected_target != a.app.target), None)
    doc = {"version": 1, "tool": {"name": "edgelint", "version": __version__}, "apps": apps, "migration": migration}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
