"""GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.

Property values escape `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF (the rules of
the Actions toolkit's command escaping).
"""

from __future__ import annotations

LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result, **_options) -> str:
    lines = []
    for f in result.findings:
        props = (f"file={_prop(f.path)},line={f.span.line},endLine={f.span.end_line},col={f.span.col},"
                 f"endColumn={f.span.end_col},title={_prop(f'{f.code} {f.name}')}")
        lines.append(f"::{LEVEL.get(f.severity, 'error')} {props}::{_data(f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
