"""What a bundler drops from a module's imports, decided from its syntax tree.

- TypeScript erases a named import whose bindings are used only in type positions (unless the
  tsconfig keeps value imports: `verbatimModuleSyntax`); `ValueUses` answers "is this name used
  as a value?" from the byte occurrences of the name only, so it is cheap on any file size.
- `import('x')` in a type position (`let s: import('fs').Stats`) is a type, not an import.
- Next.js compiles `process.env.NEXT_RUNTIME` (and `typeof EdgeRuntime`) to a constant, so
  branches that cannot run on the edge are removed from edge bundles (`dead_spans`); code after
  an early return, or in a branch on a `const` holding such a test, is not (webpack still
  resolves what it imports), though it never runs.

The summary records these facts per import, so the import graph never needs the tree.
"""

from __future__ import annotations

import re

from edgelint.parsing import ParsedFile, Span


#: Node types under which an identifier is a type, not a value (TypeScript erases them).
TYPE_CONTEXTS = frozenset({
    "type_annotation", "type_arguments", "type_parameters", "type_parameter", "type_alias_declaration",
    "interface_declaration", "type_query", "nested_type_identifier", "generic_type", "implements_clause",
    "extends_type_clause", "ambient_declaration", "type_predicate", "type_predicate_annotation",
    "asserts_annotation", "opting_type_annotation", "omitting_type_annotation", "index_signature",
    "property_signature", "method_signature", "abstract_method_signature", "construct_signature",
    "call_signature", "lookup_type", "import_statement", "import_alias",
})


class Ancestry:
    """Paths from the root to the nodes at byte ranges, by a top-down descent with cached child lists.

    tree-sitter's `Node.parent` scans the parent's children from the root down, so climbing from
    many nodes of a wide tree (a 5,000-statement program, a huge array) is quadratic; descending
    with a binary search over cached child lists is not.
    """

    def __init__(self, root):
        self.root = root
        self._children: dict[int, list] = {}
        # tree-sitter 0.24+ finds the node and the child on the way to it in C
        self._in_c = hasattr(root, "child_with_descendant") and hasattr(root, "descendant_for_byte_range")

    def _kids(self, node) -> list:
        kids = self._children.get(node.id)
        if kids is None:
            kids = self._children[node.id] = node.children
        return kids

    def path(self, start: int, end: int) -> list:
        """Nodes from the root down to the smallest node that covers [start, end)."""
        if self._in_c:
            target = self.root.descendant_for_byte_range(start, end)
            if target is not None and target.start_byte <= start and target.end_byte >= end:
                node, path = self.root, [self.root]
                while node != target:
                    node = node.child_with_descendant(target)
                    if node is None:
                        break
                    path.append(node)
                else:
                    return path
        node, path = self.root, [self.root]
        while True:
            kids = self._kids(node)
            lo, hi = 0, len(kids)
            while lo < hi:
                mid = (lo + hi) // 2
                if kids[mid].start_byte <= start:
                    lo = mid + 1
                else:
                    hi = mid
            child = None
            for index in range(lo - 1, -1, -1):  # zero-width siblings may share a start
                candidate = kids[index]
                if candidate.start_byte <= start and candidate.end_byte >= end:
                    child = candidate
                    break
                if candidate.end_byte <= start and candidate.start_byte < candidate.end_byte:
                    break
            if child is None:
                return path
            node = child
            path.append(node)

    def node_and_ancestors(self, start: int, end: int):
        """(the node exactly at [start, end) or None, its ancestors nearest first)."""
        path = self.path(start, end)
        node = path[-1]
        if node.start_byte != start or node.end_byte != end:
            return None, []
        return node, path[-2::-1]


class ValueUses:
    """Whether a name is used as a value somewhere in a file (outside imports and type positions).

    Looks only at the byte occurrences of the name, so asking is cheap on any file size.
    """

    def __init__(self, pf: ParsedFile, ancestry: Ancestry | None = None):
        self.pf = pf
        self.ancestry = ancestry or Ancestry(pf.root)
        self._answers: dict[str, bool] = {}

    def has(self, name: str) -> bool:
        if name not in self._answers:
            self._answers[name] = self._find(name)
        return self._answers[name]

    def _find(self, name: str) -> bool:
        if not name or name in ("*", "default"):
            return True
        for start, end in occurrences(self.pf.source, name.encode()):
            node, ancestors = self.ancestry.node_and_ancestors(start, end)
            if node is None or node.type not in ("identifier", "shorthand_property_identifier"):
                continue
            if not in_type_context(ancestors):
                return True
        return False


#: Bytes that continue an identifier (as `\\w` and `$` in a bytes pattern: ASCII only).
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


def occurrences(source: bytes, word: bytes):
    """(start, end) of every occurrence of `word` not inside a longer identifier-like word: the
    same as the pattern `(?<![\\w$])word(?![\\w$])`, without compiling one per name."""
    size = len(word)
    start = source.find(word)
    while start != -1:
        end = start + size
        if (start == 0 or source[start - 1] not in _WORD_BYTES) and (end == len(source) or source[end] not in _WORD_BYTES):
            yield start, end
        start = source.find(word, start + 1)


def in_type_context(ancestors) -> bool:
    """Whether a node with these ancestors (nearest first) is in a type position."""
    for current in ancestors:
        t = current.type
        if t in TYPE_CONTEXTS or t.endswith("_type"):
            return True
        if t in ("program", "statement_block", "class_body"):
            return False
    return False


# --------------------------------------------------------------------------------------------
# Code that Next.js removes from edge bundles


#: What Next.js compiles to a constant in edge bundles, and its value there: `process.env.NEXT_RUNTIME`
#: and the `EdgeRuntime` global it defines for the edge compilation only (a string; Next.js
#: `build/define-env.ts`, and Vercel's guide to dead-code elimination with `typeof EdgeRuntime`).
EDGE_CONSTANTS = {"process.env.NEXT_RUNTIME": "edge", "typeof EdgeRuntime": "string"}
_SUBJECT = r"process\.env\.NEXT_RUNTIME|typeof EdgeRuntime"
_RUNTIME_TEST = re.compile(rf"""^\(?\s*(?:(?P<l>{_SUBJECT})\s*(?P<op>[!=]==?)\s*(?P<q>['"])(?P<v>\w+)(?P=q)"""
                           rf"""|(?P<q2>['"])(?P<v2>\w+)(?P=q2)\s*(?P<op2>[!=]==?)\s*(?P<r>{_SUBJECT}))\s*\)?$""")


def _edge_truth(pf: ParsedFile, condition, depth: int = 0, aliases: dict | None = None) -> bool | None:
    """True/False when `condition` is constant in edge bundles: a NEXT_RUNTIME or `typeof
    EdgeRuntime` comparison, `!` of one, or `&&`/`||` whose left side decides (`NEXT_RUNTIME ===
    'nodejs' && flag` is false there: webpack folds a logical expression whose left side is
    constant, and drops the dead branch). `aliases`: names of `const`s that hold such a test, with
    their value (for what runs, not for what webpack bundles: it does not follow them)."""
    while condition is not None and condition.type == "parenthesized_expression" and depth < 64:
        condition, depth = next((c for c in condition.named_children if c.type != "comment"), None), depth + 1
    if condition is None or depth >= 64:
        return None
    if condition.type == "identifier" and aliases:
        return aliases.get(pf.text(condition))
    operator = condition.child_by_field_name("operator")
    if condition.type == "unary_expression" and operator is not None and operator.type == "!":
        inner = _edge_truth(pf, condition.child_by_field_name("argument"), depth + 1, aliases)
        return None if inner is None else not inner
    if condition.type == "binary_expression" and operator is not None and operator.type in ("&&", "||"):
        left = _edge_truth(pf, condition.child_by_field_name("left"), depth + 1, aliases)
        if left is None or left is (operator.type == "||"):
            return left  # unknown, or decided by the left side
        return _edge_truth(pf, condition.child_by_field_name("right"), depth + 1, aliases)
    text = " ".join(pf.text(condition).split())
    match = _RUNTIME_TEST.match(text)
    if not match:
        return None
    value = match.group("v") or match.group("v2")
    op = match.group("op") or match.group("op2")
    equal = value == EDGE_CONSTANTS[match.group("l") or match.group("r")]
    return equal if op.startswith("=") else not equal


def dead_spans(pf: ParsedFile, after_return: bool = True) -> list[tuple[int, int]]:
    """Byte ranges that never run on the edge: branches of `if` statements and ternaries on
    `process.env.NEXT_RUNTIME` that cannot run there and the right side of a `&&`/`||` whose left
    side decides (Next.js compiles them away), and, with `after_return` (what runs, rather than
    what webpack bundles), the rest of a block after `if (process.env.NEXT_RUNTIME === 'edge')
    return` and branches on a `const` holding such a test (`if (!isEdge)`). That code never runs,
    but webpack still resolves the modules it imports (a `next build` of 15.5 fails on an
    `import('fs')` there), so it is no elision for imports."""
    if b"NEXT_RUNTIME" not in pf.source and b"EdgeRuntime" not in pf.source:
        return []
    aliases = _constant_tests(pf) if after_return else None
    dead: list[tuple[int, int]] = []
    for node in pf.walk():
        if node.type == "if_statement":
            condition = node.child_by_field_name("condition")
            truth = _edge_truth(pf, condition, aliases=aliases)
            if truth is None:
                continue
            consequence = node.child_by_field_name("consequence")
            alternative = node.child_by_field_name("alternative")
            if truth is False and consequence is not None:
                dead.append((consequence.start_byte, consequence.end_byte))
            elif truth is True:
                if alternative is not None:
                    dead.append((alternative.start_byte, alternative.end_byte))
                if after_return and consequence is not None and _always_exits(consequence) and node.parent is not None:
                    dead.append((node.end_byte, node.parent.end_byte))
        elif node.type == "binary_expression" and node.child_by_field_name("operator") is not None and \
                node.child_by_field_name("operator").type in ("&&", "||"):
            left = _edge_truth(pf, node.child_by_field_name("left"), aliases=aliases)
            right = node.child_by_field_name("right")
            if right is not None and left is (node.child_by_field_name("operator").type == "||"):
                dead.append((right.start_byte, right.end_byte))  # `NEXT_RUNTIME === 'nodejs' && require('fs')`
        elif node.type == "ternary_expression":
            truth = _edge_truth(pf, node.child_by_field_name("condition"), aliases=aliases)
            branch = node.child_by_field_name("consequence" if truth is False else "alternative") \
                if truth is not None else None
            if branch is not None:
                dead.append((branch.start_byte, branch.end_byte))
    return dead


def _constant_tests(pf: ParsedFile) -> dict[str, bool]:
    """`const` names of the file whose value is a test constant in edge bundles, with its value."""
    found = {}
    for declarator in pf.nodes("variable_declarator"):
        name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
        declaration = declarator.parent
        if name is None or name.type != "identifier" or value is None or declaration is None or \
                declaration.type != "lexical_declaration" or pf.text(declaration.children[0]) != "const":
            continue
        text = pf.source[value.start_byte:value.end_byte]
        if b"NEXT_RUNTIME" not in text and b"EdgeRuntime" not in text:
            continue  # no test at all (most values; a large one would be joined as text for nothing)
        truth = _edge_truth(pf, value)
        if truth is not None:
            found[pf.text(name)] = truth
    return found


def _always_exits(statement) -> bool:
    if statement.type in ("return_statement", "throw_statement"):
        return True
    if statement.type == "statement_block":
        children = [c for c in statement.named_children if c.type != "comment"]
        return bool(children) and children[-1].type in ("return_statement", "throw_statement")
    return False


def in_spans(span: Span, ranges: list[tuple[int, int]], pf: ParsedFile) -> bool:
    """Whether the start of `span` (a position in `pf`) lies in one of the byte `ranges`."""
    if not ranges:
        return False
    start = byte_offset(pf, span.line, span.col)
    return any(lo <= start < hi for lo, hi in ranges)


def byte_offset(pf: ParsedFile, line: int, col: int) -> int:
    """The byte offset of a 1-based line and code-point column."""
    starts = pf.line_starts()
    if line - 1 >= len(starts):
        return len(pf.source)
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(pf.source)
    text = pf.source[start:end].decode("utf-8", "replace")
    return start + len(text[: col - 1].encode("utf-8"))
