"""GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.

Property values escape `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF (the rules of
the Actions toolkit's command escaping). Other control characters (a terminal escape sequence in a
file name) are written as `\x1b`, so nothing can restyle or rewrite the workflow log.
"""

from __future__ import annotations

LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _data(text: str) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result, **_options) -> str:
    from edgelint.files import repository_prefix

    prefix = repository_prefix(result.root)  # GitHub resolves `file=` from the repository root
    lines = []
    for f in result.findings:
        props = (f"file={_prop(prefix + f.path)},line={f.span.line},endLine={f.span.end_line},col={f.span.col},"
                 f"endColumn={f.span.end_col},title={_prop(f'{f.code} {f.name}')}")
        lines.append(f"::{LEVEL.get(f.severity, 'error')} {props}::{_data(f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
