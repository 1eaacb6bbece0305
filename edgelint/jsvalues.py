"""Static values of JavaScript expressions, read from the syntax tree and never evaluated.

`literal(node, pf)` returns the Python value of a literal expression: strings, numbers, booleans,
`null`/`undefined` (None), regexes (their source), template literals without substitutions,
arrays and plain objects of these. Anything else is an `Unknown` that says why. `form` names the
syntactic shape, which is what Next.js' own segment-config reader cares about (REFERENCE.md §1.3).
"""

from __future__ import annotations

from dataclasses import dataclass

from edgelint.parsing import ParsedFile, string_value

#: Wrappers that TypeScript erases; Next reads some of them only from certain versions (§1.3).
TYPE_WRAPPERS = {"as_expression", "satisfies_expression", "parenthesized_expression", "non_null_expression",
                 "type_assertion"}

MAX_DEPTH = 64


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known statically."""

    reason: str

    def __bool__(self) -> bool:
        return False


def form(node) -> str:
    """The syntactic form of a value, as Next's reader distinguishes them.

    One of: 'string', 'template', 'template-expr', 'as-const', 'as', 'satisfies', 'parenthesized',
    'identifier', 'number', 'boolean', 'null', 'object', 'array', 'call', 'other:<type>'.
    """
    t = node.type
    if t == "string":
        return "string"
    if t == "template_string":
        return "template-expr" if any(c.type == "template_substitution" for c in node.children) else "template"
    if t == "as_expression":
        last = node.children[-1] if node.children else None
        return "as-const" if last is not None and last.type == "const" else "as"
    if t == "satisfies_expression":
        return "satisfies"
    if t == "parenthesized_expression":
        return "parenthesized"
    if t in ("identifier", "undefined"):
        return "undefined" if node.end_byte - node.start_byte == len("undefined") and node.text == b"undefined" \
            else "identifier"
    if t == "number":
        return "number"
    if t in ("true", "false"):
        return "boolean"
    if t == "null":
        return "null"
    if t == "object":
        return "object"
    if t == "array":
        return "array"
    if t in ("call_expression", "new_expression"):
        return "call"
    return "other:" + t


def unwrap(node):
    """The expression inside TypeScript-only wrappers and parentheses."""
    depth = 0
    while node is not None and node.type in TYPE_WRAPPERS and depth < MAX_DEPTH:
        node = next((c for c in node.named_children if c.type != "comment"), None)  # `( /* c */ x )`
        depth += 1
    return node


def literal(node, pf: ParsedFile, *, erase_types: bool = True, _depth: int = 0):
    """The static value of `node`, or an `Unknown`."""
    if node is None:
        return Unknown("missing")
    if _depth > MAX_DEPTH:
        return Unknown("nested too deeply")
    if erase_types:
        node = unwrap(node)
        if node is None:
            return Unknown("missing")
    t = node.type
    text = string_value(node, pf)
    if text is not None:
        return text
    if t == "template_string":
        return Unknown("template literal with substitutions")
    if t == "number":
        return _number(pf.text(node))
    if t == "true":
        return True
    if t == "false":
        return False
    if t in ("null", "undefined") or (t == "identifier" and pf.node_bytes(node) == b"undefined"):
        return None
    if t == "regex":
        return pf.text(node)
    if t == "unary_expression" and node.child_count == 2 and node.children[0].type in ("-", "+"):
        value = literal(node.children[1], pf, _depth=_depth + 1)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if node.children[0].type == "-" else value
        return Unknown("unary expression")
    if t == "array":
        items = []
        for child in node.named_children:
            if child.type == "comment":
                continue
            if child.type == "spread_element":
                return Unknown("array spread")
            items.append(literal(child, pf, _depth=_depth + 1))
        return items
    if t == "object":
        return _object(node, pf, _depth)
    if t == "identifier":
        return Unknown(f"identifier {pf.text(node)}")
    return Unknown(t.replace("_", " "))


def _object(node, pf: ParsedFile, depth: int):
    result = {}
    for child in node.named_children:
        if child.type == "pair":
            key = property_key(child.child_by_field_name("key"), pf)
            if key is None:
                return Unknown("computed key")
            result[key] = literal(child.child_by_field_name("value"), pf, _depth=depth + 1)
        elif child.type == "shorthand_property_identifier":
            result[pf.text(child)] = Unknown(f"identifier {pf.text(child)}")
        elif child.type == "comment":
            continue
        else:
            return Unknown(child.type.replace("_", " "))
    return result


def property_key(node, pf: ParsedFile) -> str | None:
    """The name of an object key (identifier, string or number), or None if computed."""
    if node is None:
        return None
    if node.type in ("property_identifier", "identifier", "private_property_identifier"):
        return pf.text(node)
    if node.type == "number":
        return pf.text(node)
    return string_value(node, pf)


def object_pairs(node, pf: ParsedFile) -> dict:
    """Key -> (key node, value node) of an object literal; computed keys and spreads skipped."""
    pairs = {}
    node = unwrap(node)
    if node is None or node.type != "object":
        return pairs
    for child in node.named_children:
        if child.type == "pair":
            key = property_key(child.child_by_field_name("key"), pf)
            if key is not None:
                pairs[key] = (child.child_by_field_name("key"), child.child_by_field_name("value"))
        elif child.type == "shorthand_property_identifier":
            pairs[pf.text(child)] = (child, child)
        elif child.type == "method_definition":
            name = child.child_by_field_name("name")
            key = property_key(name, pf)
            if key is not None:
                pairs[key] = (name, child)
    return pairs


def _number(text: str):
    clean = text.replace("_", "")
    try:
        if clean.lower().startswith(("0x", "0o", "0b")):
            return int(clean, 0)
        if clean.endswith("n"):
            return int(clean[:-1])
        value = float(clean)
        return int(value) if value.is_integer() and "." not in clean and "e" not in clean.lower() else value
    except ValueError:
        return Unknown("number")
