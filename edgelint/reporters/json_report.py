"""JSON output, schema version 1 (stable; additions only within a version).

```
{
  "version": 1, "tool": {"name": "edgelint", "version": "0.1.0"},
  "apps": [{"root": ".", "target": "next-on-pages", "target_reason": "...", "next_version": "14.2.15"}],
  "findings": [{
     "code": "EDGE101", "name": "...", "area": "runtime", "severity": "error",
     "path": "app/api/x/route.ts", "line": 3, "column": 1, "end_line": 3, "end_column": 10,
     "message": "...",
     "related": [{"path": ..., "line": ..., "column": ..., "end_line": ..., "end_column": ..., "message": ...}],
     "flow": [ same shape as related ],
     "fix": [{"path": ..., "start": byte, "end": byte, "replacement": "...", "description": "..."}] or null,
     "data": {...check-specific facts...}
  }],
  "summary": {"findings": N, "error": N, "warning": N, "note": N, "suppressed": N, "incomplete": false}
}
```
Lines and columns are 1-based; columns count Unicode code points; ends are exclusive.
"""

from __future__ import annotations

import json

from edgelint import __version__


def location(loc) -> dict:
    return {"path": loc.path, "line": loc.span.line, "column": loc.span.col, "end_line": loc.span.end_line,
            "end_column": loc.span.end_col, "message": loc.message}


def finding_dict(f) -> dict:
    data = {"code": f.code, "name": f.name, "area": f.area, "severity": f.severity}
    data.update({k: v for k, v in location(f.location).items() if k != "message"})
    data["message"] = f.message
    data["related"] = [location(r) for r in f.related]
    data["flow"] = [location(r) for r in f.flow]
    data["fix"] = [{"path": x.path, "start": x.start, "end": x.end, "replacement": x.replacement,
                    "description": x.description} for x in f.fixes] or None
    data["data"] = f.data
    return data


def render(result, **_options) -> str:
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in ("error", "warning", "note")}
    doc = {
        "version": 1,
        "tool": {"name": "edgelint", "version": __version__},
        "apps": [{"root": a.label, "target": a.target, "target_reason": a.target_reason,
                  "next_version": str(a.next_version) if a.next_version else None} for a in result.apps],
        "findings": [finding_dict(f) for f in result.findings],
        "summary": {"findings": len(result.findings), **counts, "suppressed": result.suppressed,
                    "incomplete": result.incomplete},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
