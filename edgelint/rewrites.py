"""Rewrites that a middleware makes before its rate limiter runs.

`return NextResponse.rewrite(url)` hands the request to the route that `url` names, and Next.js
does not run middleware again for the rewritten request (REFERENCE.md §1.7 "Order": middleware
runs once, before the filesystem routes). So when a middleware rewrites some requests *before* it calls its limiter, a
client reaches the destination route without being limited by asking for the source URL instead:

    if (pathname.startsWith('/api/v1/')) {
      return NextResponse.rewrite(new URL(pathname.replace('/api/v1/', '/api/'), request.url))
    }
    const { success } = await ratelimit.limit(ip)      // never runs for /api/v1/posts

This module finds those early rewrites and computes, for a concrete source URL, the path they
rewrite to. It claims a bypass only with a witness: a source URL whose rewrite condition
evaluates to true and whose destination evaluates to a URL of the route (`ratelimit` evaluates the
condition). Destinations it can compute: string and template literals, `+`, `new URL(x, base)`,
the request's `pathname`, `.replace(a, b)` with literal arguments, and a URL cloned from the
request whose `.pathname` is assigned before the return. Anything else is unknown: no claim.
"""

from __future__ import annotations

import re
from typing import Callable

from edgelint.parsing import ParsedFile, string_value
from edgelint.ratelimit import FUNCTION_TYPES, args_of, unwrap_await  # the analysis this module serves

MAX_DEPTH = 12
_REWRITE = re.compile(r"^(?:Next)?Response\s*\.\s*rewrite\s*\(")
#: A URL object built from the request: what `.pathname = …` then rewrites.
_REQUEST_URL = re.compile(r"(?:\.nextUrl\s*\.\s*clone\s*\(\s*\)|^new\s+URL\s*\()")


def early_rewrites(node, pf: ParsedFile) -> list[tuple[object, object, object]]:
    """(condition, destination expression, return statement) of each `if (cond) { …; return
    NextResponse.rewrite(dest) }` without an else that comes before `node` in the blocks that
    contain it, inside its function."""
    found = []
    steps = 0
    while node.parent is not None and steps < 200 and node.type not in FUNCTION_TYPES:
        steps += 1
        parent = node.parent
        if parent.type in ("statement_block", "program", "switch_case"):
            for sibling in parent.named_children:
                if sibling.start_byte >= node.start_byte:
                    break
                if sibling.type == "if_statement" and sibling.child_by_field_name("alternative") is None:
                    exit_ = _final_return(sibling.child_by_field_name("consequence"))
                    dest = _rewrite_argument(exit_, pf)
                    if dest is not None:
                        found.append((sibling.child_by_field_name("condition"), dest, exit_))
        node = parent
    return found


def candidate_sources(condition, route_samples: list[str], pf: ParsedFile) -> list[str]:
    """Source URLs worth trying for a rewrite toward a route: a tail of one of the route's sample
    URLs, alone or behind a path literal of the condition (`startsWith('/api/v1/')`)."""
    literals = {string_value(n, pf) for n in pf.nodes_within(condition, "string", "template_string")}
    prefixes = [""] + sorted(p.rstrip("/") for p in literals if p and p.startswith("/"))
    found: list[str] = []
    for sample in route_samples:
        segments = [s for s in sample.split("/") if s]
        tails = ["/".join(segments[i:]) for i in range(len(segments) + 1)]
        for prefix in prefixes:
            for tail in tails:
                url = f"{prefix}/{tail}" if tail else (prefix or "/")
                if url not in found:
                    found.append(url)
    return found[:64]


def destination(dest, source: str, pf: ParsedFile, value: Callable, lookup: Callable,
                depth: int = 0) -> str | None:
    """The path `dest` rewrites `source` to, or None when it cannot be computed. `value(node)` is
    the condition evaluator's value (('path',) for the request path, ('str', s) for a constant),
    `lookup(identifier)` the initializer of the variable it names."""
    node = unwrap_await(dest)
    if node is None or depth > MAX_DEPTH:
        return None
    if node.type == "new_expression" and pf.text(node.child_by_field_name("constructor")) == "URL":
        args = args_of(node)
        return destination(args[0], source, pf, value, lookup, depth + 1) if args else None
    text = _text_value(node, source, pf, value, lookup, depth + 1)  # literals, templates, `+`, `.replace`
    if text is not None:
        return _path_of(text)
    if node.type == "identifier":
        init = lookup(node)
        if init is not None and _REQUEST_URL.search(pf.text(init)):
            assigned = _last_pathname_assignment(node, pf)
            if assigned is not None:
                return destination(assigned, source, pf, value, lookup, depth + 1)
            return source if ".nextUrl" in pf.text(init) else None
        return destination(init, source, pf, value, lookup, depth + 1) if init is not None else None
    return None


def route_regex(pattern: str) -> re.Pattern:
    """A regular expression for the concrete paths of a route pattern (`/blog/[slug]`,
    `/docs/[...path]`, `/shop/[[...path]]`)."""
    out = []
    for segment in [s for s in pattern.split("/") if s]:
        if segment.startswith("[[...") and segment.endswith("]]"):
            out.append("(?:/[^?#]+)?")
        elif segment.startswith("[...") and segment.endswith("]"):
            out.append("/[^?#]+")
        elif segment.startswith("[") and segment.endswith("]"):
            out.append("/[^/?#]+")
        else:
            out.append("/" + re.escape(segment))
    return re.compile("".join(out) + r"/?\Z")


# --------------------------------------------------------------------------------------------

def _final_return(consequence):
    if consequence is not None and consequence.type == "statement_block":
        statements = [c for c in consequence.named_children if c.type != "comment"]
        consequence = statements[-1] if statements else None
    return consequence if consequence is not None and consequence.type == "return_statement" else None


def _rewrite_argument(statement, pf: ParsedFile):
    value = unwrap_await(statement.named_children[0]) if statement is not None and statement.named_children else None
    if value is None or value.type != "call_expression" or not _REWRITE.match(pf.text(value)):
        return None
    args = args_of(value)
    return args[0] if args else None


def _template(node, source, pf, value, lookup, depth) -> str | None:
    parts = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(pf.text(child))
        elif child.type == "template_substitution":
            inner = next((c for c in child.named_children if c.type != "comment"), None)
            text = _text_value(inner, source, pf, value, lookup, depth + 1)
            if text is None:
                return None
            parts.append(text)
        elif child.type == "escape_sequence":
            return None
    return "".join(parts)


def _text_value(node, source, pf, value, lookup, depth) -> str | None:
    """A string expression's value for this request: a constant, the request path, a template,
    `+`, or `.replace(a, b)` with literal arguments (the first occurrence, as JavaScript does)."""
    node = unwrap_await(node)
    if node is None or depth > MAX_DEPTH:
        return None
    if node.type == "template_string":
        return _template(node, source, pf, value, lookup, depth)
    if node.type == "binary_expression" and node.child_by_field_name("operator").type == "+":
        left = _text_value(node.child_by_field_name("left"), source, pf, value, lookup, depth + 1)
        right = _text_value(node.child_by_field_name("right"), source, pf, value, lookup, depth + 1)
        return left + right if left is not None and right is not None else None
    if node.type == "call_expression":
        callee = unwrap_await(node.child_by_field_name("function"))
        args = args_of(node)
        if callee is not None and callee.type == "member_expression" and len(args) == 2 and \
                pf.text(callee.child_by_field_name("property")) in ("replace", "replaceAll"):
            subject = _text_value(callee.child_by_field_name("object"), source, pf, value, lookup, depth + 1)
            old, new = string_value(args[0], pf), string_value(args[1], pf)
            if subject is None or old is None or new is None:
                return None
            return subject.replace(old, new, -1 if pf.text(callee).endswith("replaceAll") else 1)
        return None
    found = value(node)
    if found is None:
        return None
    if found[0] == "path":
        return source
    return found[1] if found[0] == "str" and isinstance(found[1], str) else None


def _last_pathname_assignment(identifier, pf: ParsedFile):
    """X in the last `name.pathname = X` before `identifier`, in the same function."""
    name = pf.text(identifier)
    function = identifier
    while function is not None and function.type not in FUNCTION_TYPES:
        function = pf.parent(function)
    if function is None:
        return None
    last = None
    for node in pf.walk(function):
        if node.start_byte >= identifier.start_byte:
            break
        if node.type != "assignment_expression":
            continue
        left = node.child_by_field_name("left")
        if left is not None and left.type == "member_expression" and \
                pf.text(left).replace(" ", "") == f"{name}.pathname":
            last = node.child_by_field_name("right")
    return last


def _path_of(text: str) -> str | None:
    """The path of a rewrite destination: itself when it starts with `/`, the path of an absolute
    URL; None for anything else."""
    if text.startswith("/"):
        return text.split("?", 1)[0].split("#", 1)[0]
    match = re.match(r"https?://[^/]+(/[^?#]*)?", text)
    return (match.group(1) or "/") if match else None
