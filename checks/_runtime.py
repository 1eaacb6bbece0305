"""Helpers shared by the route runtime checks (EDGE1xx): where to report, and runtime fixes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from edgelint.api import Context, Fix, Location, Route, Span

if TYPE_CHECKING:
    from edgelint.summary import ModuleSummary

#: Route kinds whose own segment config (`runtime`, `dynamic`, …) Next.js reads.
SEGMENT_KINDS = ("page", "layout", "route", "metadata", "not-found", "pages-page", "api", "middleware")
SEGMENT_OPTIONS = ("runtime", "dynamic", "dynamicParams", "revalidate", "fetchCache", "preferredRegion",
                   "maxDuration")


def primary_span(summary: ModuleSummary, route: Route) -> Span:
    """The file's first HTTP handler or its default export, else the first export, else line 1."""
    from edgelint.project import HTTP_METHODS

    exports = summary.exports
    handlers = [exports[m] for m in HTTP_METHODS if m in exports]
    if route.kind in ("route", "metadata") and handlers:
        return min(handlers, key=lambda e: e.span).span
    if "default" in exports:
        return exports["default"].span
    if exports:
        return min(exports.values(), key=lambda e: e.span).span
    return Span(1, 1, 1, 1)


def runtime_evidence(route: Route, message: str = "runtime set here") -> tuple[Location, ...]:
    """The location that set the route's runtime, when it is another file or an explicit export."""
    runtime = route.runtime
    if runtime is None or runtime.span is None or runtime.reason == "default":
        return ()
    return (Location(runtime.source, runtime.span, message),)


def quote_style(source: bytes) -> str:
    """The quote the file mostly uses for strings."""
    return '"' if source.count(b'"') > source.count(b"'") else "'"


def insert_runtime_fix(ctx: Context, path: str, value: str = "edge", config: bool = False) -> Fix | None:
    """Insert `export const runtime = '<value>'` (or `export const config = { runtime: '<value>' }`)
    after the directives and imports."""
    pf = ctx.parse(path)
    if pf is None or pf.syntax_errors():
        return None
    after = 0
    for statement in pf.root.named_children:
        if statement.type == "comment":
            continue
        directive = (statement.type == "expression_statement" and statement.named_child_count == 1
                     and statement.named_children[0].type == "string")
        if statement.type != "import_statement" and not directive:
            break
        after = statement.end_byte
    q = quote_style(pf.source)
    semi = ";" if b";\n" in pf.source or b";\r\n" in pf.source else ""
    statement = (f"export const config = {{ runtime: {q}{value}{q} }}" if config
                 else f"export const runtime = {q}{value}{q}")
    line = f"{statement}{semi}\n"
    if after == 0:
        return Fix(path, 0, 0, line, f"add {statement}")
    newline = pf.source.find(b"\n", after)
    position = len(pf.source) if newline == -1 else newline + 1
    prefix = "" if newline != -1 else "\n"
    return Fix(path, position, position, prefix + "\n" + line, f"add {statement}")


def replace_value_fix(ctx: Context, path: str, span: Span, old: str, new: str) -> Fix | None:
    """Replace the string literal `old` (quoted) on the lines of the span by `new`, keeping its
    quotes; none when those lines hold it more than once (a multi-line `config = { … }` does
    not say which)."""
    pf = ctx.parse(path)
    if pf is None:
        return None
    starts = pf.line_starts()
    if span.line - 1 >= len(starts):
        return None
    first = starts[span.line - 1]
    last = starts[span.end_line] if span.end_line < len(starts) else len(pf.source)
    lines = pf.source[first:last]
    found = [first + m.start() + 1 for m in re.finditer(rb"(['\"`])" + re.escape(old.encode()) + rb"\1", lines)]
    if len(found) != 1:
        return None
    return Fix(path, found[0], found[0] + len(old.encode()), new, f"replace '{old}' with '{new}'")


def remove_export_fix(ctx: Context, path: str, name: str) -> Fix | None:
    """Remove a whole `export const <name> = …` statement (only when it declares nothing else)."""
    pf = ctx.parse(path)
    if pf is None or pf.syntax_errors():
        return None
    for statement in pf.root.named_children:
        if statement.type != "export_statement":
            continue
        declaration = statement.child_by_field_name("declaration")
        if declaration is None or declaration.type != "lexical_declaration":
            continue
        declarators = [d for d in declaration.named_children if d.type == "variable_declarator"]
        if len(declarators) == 1 and pf.text(declarators[0].child_by_field_name("name")) == name:
            start, end = _whole_line(pf.source, statement.start_byte, statement.end_byte)
            return Fix(path, start, end, "", f"remove export const {name}")
    return None


def _whole_line(source: bytes, start: int, end: int) -> tuple[int, int]:
    """The bytes to remove with a statement: its `;`, a comment after it on its line and the line
    break (the whole line when nothing else is on it), and one of the blank lines around it when
    it stands between two, so the file keeps its single blank-line separation."""
    if source[end:end + 1] == b";":
        end += 1
    rest = source[end:source.find(b"\n", end) if b"\n" in source[end:] else len(source)]
    if rest.strip().startswith((b"//", b"/*")) or not rest.strip():
        end += len(rest)
    line_start = source.rfind(b"\n", 0, start) + 1
    if not source[line_start:start].strip():
        start = line_start  # the indentation goes too
    if source[end:end + 2] == b"\r\n":
        end += 2
    elif source[end:end + 1] == b"\n":
        end += 1
    before_blank = start >= 2 and source[:start].endswith((b"\n\n", b"\n\r\n")) or start == 1 and source[:1] == b"\n"
    after_blank = source[end:end + 1] == b"\n" or source[end:end + 2] == b"\r\n"
    if before_blank and after_blank:
        end += 2 if source[end:end + 2] == b"\r\n" else 1
    return start, end
