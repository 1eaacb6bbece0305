"""Reading `next.config.{js,mjs,ts}` without running it (REFERENCE.md §6.1).

The exported value is followed through the forms real configs use: `module.exports = …`,
`export default …`, a variable holding the object, plugin wrappers `withX(withY({...}), opts)`,
`satisfies NextConfig`, and (async) functions `(phase, ctx) => ({...})` whose returned object is
taken. Only literal parts are read; everything else stays an `Unknown`.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgelint import jsvalues
from edgelint.parsing import ParsedFile

CONFIG_NAMES = ("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs", "next.config.mts",
                "next.config.cts")
MAX_HOPS = 16


@dataclass
class NextConfig:
    path: str
    pf: ParsedFile
    node: object  # the config object literal node, or None when it could not be found
    export_node: object  # the exported expression (for locations when the object is not found)

    def pairs(self) -> dict:
        """Top-level key -> (key node, value node) of the config object."""
        return jsvalues.object_pairs(self.node, self.pf) if self.node is not None else {}

    def value(self, *keys):
        """The literal value at a key path, None if absent, an Unknown if not literal."""
        node = self.node_at(*keys)
        return jsvalues.literal(node, self.pf) if node is not None else None

    def node_at(self, *keys):
        """The value node at a key path of nested object literals, None if absent."""
        node = self.node
        for key in keys:
            pair = jsvalues.object_pairs(node, self.pf).get(key) if node is not None else None
            if pair is None:
                return None
            node = pair[1]
        return node


def read(pf: ParsedFile) -> NextConfig:
    exported = exported_expression(pf)
    return NextConfig(pf.path, pf, resolve_object(exported, pf) if exported is not None else None, exported)


def exported_expression(pf: ParsedFile):
    """The expression a config module exports (`export default` or `module.exports =`)."""
    found = None
    for statement in pf.root.named_children:
        if statement.type == "export_statement" and any(c.type == "default" for c in statement.children):
            found = statement.child_by_field_name("value") or statement.child_by_field_name("declaration")
        elif statement.type == "expression_statement" and statement.named_child_count:
            expr = statement.named_children[0]
            if expr.type == "assignment_expression":
                left = expr.child_by_field_name("left")
                if left is not None and pf.text(left).replace(" ", "") == "module.exports":
                    found = expr.child_by_field_name("right")
    return found


def top_level_binding(pf: ParsedFile, name: str):
    """The initializer (or function node) bound to `name` at module top level."""
    for statement in pf.root.named_children:
        node = statement
        if statement.type == "export_statement":
            node = statement.child_by_field_name("declaration") or statement
        if node.type in ("lexical_declaration", "variable_declaration"):
            for declarator in node.named_children:
                if declarator.type == "variable_declarator":
                    ident = declarator.child_by_field_name("name")
                    if ident is not None and pf.text(ident) == name:
                        return declarator.child_by_field_name("value")
        elif node.type in ("function_declaration", "generator_function_declaration"):
            ident = node.child_by_field_name("name")
            if ident is not None and pf.text(ident) == name:
                return node
    return None


def resolve_object(node, pf: ParsedFile, hops: int = 0):
    """Follow identifiers, wrapper calls and functions to the config object literal."""
    node = jsvalues.unwrap(node)
    if node is None or hops > MAX_HOPS:
        return None
    if node.type == "object":
        return node
    if node.type == "identifier":
        return resolve_object(top_level_binding(pf, pf.text(node)), pf, hops + 1)
    if node.type == "await_expression" and node.named_child_count:
        return resolve_object(node.named_children[0], pf, hops + 1)
    if node.type == "ternary_expression":  # `isProduction ? withSentryConfig(config, …) : config`
        found = {(n.start_byte, n.end_byte): n for n in (
            resolve_object(node.child_by_field_name(side), pf, hops + 1) for side in ("consequence", "alternative"))
            if n is not None}
        return next(iter(found.values())) if len(found) == 1 else None  # two different objects: unknown
    if node.type == "call_expression":
        args = node.child_by_field_name("arguments")
        for arg in (args.named_children if args is not None else []):
            found = resolve_object(arg, pf, hops + 1)
            if found is not None:
                return found
        callee = jsvalues.unwrap(node.child_by_field_name("function"))
        if callee is not None and callee.type == "call_expression":  # withX(opts)(config)
            return resolve_object(callee, pf, hops + 1)
        return None
    if node.type in ("arrow_function", "function_expression", "function", "function_declaration"):
        body = node.child_by_field_name("body")
        if body is None:
            return None
        if body.type != "statement_block":
            return resolve_object(body, pf, hops + 1)
        returned = None
        for statement in body.named_children:
            if statement.type == "return_statement" and statement.named_child_count:
                returned = statement.named_children[0]
        if returned is not None:
            found = resolve_object(returned, pf, hops + 1)
            if found is not None:
                return found
            if jsvalues.unwrap(returned) is not None and jsvalues.unwrap(returned).type == "identifier":
                return _local_object(body, pf.text(jsvalues.unwrap(returned)), pf, hops)
    return None


def _local_object(body, name: str, pf: ParsedFile, hops: int):
    for statement in body.named_children:
        if statement.type in ("lexical_declaration", "variable_declaration"):
            for declarator in statement.named_children:
                ident = declarator.child_by_field_name("name") if declarator.type == "variable_declarator" else None
                if ident is not None and pf.text(ident) == name:
                    return resolve_object(declarator.child_by_field_name("value"), pf, hops + 1)
    return None
