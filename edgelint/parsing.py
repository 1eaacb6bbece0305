"""Parsing JavaScript and TypeScript files with tree-sitter.

`.ts`, `.mts` and `.cts` use the TypeScript grammar (TSX mis-reads `<T>x` casts there); every
other source extension uses TSX, which also parses plain JavaScript and JSX. Grammars, parsers and
queries are created once per process.

Columns: tree-sitter reports byte columns. A `Span` carries 1-based lines and 1-based columns
counted in Unicode code points (what editors show); reporters that need UTF-16 units (SARIF)
convert from the line text.
"""

from __future__ import annotations

import bisect
import re
import time
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Iterator

import tree_sitter as ts

TS_EXTENSIONS = (".ts", ".mts", ".cts")
SOURCE_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")

#: Files larger than this are not parsed (a note says so): minified bundles, generated code.
MAX_PARSE_BYTES = 1_500_000
#: Parsing that takes longer than this is abandoned (pathological input).
PARSE_TIMEOUT_SECONDS = 5.0
#: Bytes the parse's read callback hands tree-sitter at a time. tree-sitter also reads a node's
#: text (`Node.text`) through it, one call per node: a large chunk copied per call made reading
#: the text of 2,000 nodes of a 1 MB file take 4 s (16 KiB: 0.07 s; parsing is no slower).
READ_CHUNK = 1 << 14


@cache
def language(name: str) -> ts.Language:
    grammars = _grammars()
    return ts.Language(grammars.language_typescript() if name == "typescript" else grammars.language_tsx())


def _grammars():
    """tree-sitter-typescript's compiled grammars. Its package's `__init__` imports
    `importlib.resources` for query files edgelint does not use (8 ms of a run's start), so the
    extension module is loaded by itself where the package is a plain folder; else imported."""
    import importlib.machinery
    import importlib.util

    try:
        package = importlib.util.find_spec("tree_sitter_typescript")  # finds, does not run, the package
        spec = importlib.machinery.PathFinder.find_spec("tree_sitter_typescript._binding",
                                                        list(package.submodule_search_locations or ()))
        if spec is not None and isinstance(spec.loader, importlib.machinery.ExtensionFileLoader):
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            if hasattr(module, "language_typescript") and hasattr(module, "language_tsx"):
                return module
    except (ImportError, AttributeError, TypeError, ValueError, OSError):
        pass
    import tree_sitter_typescript

    return tree_sitter_typescript


@cache
def _parser(name: str) -> ts.Parser:
    return ts.Parser(language(name))


@cache
def query(grammar: str, source: str) -> ts.Query:
    """A compiled query, cached per grammar and query text."""
    return ts.Query(language(grammar), source)


#: The node types `ParsedFile.nodes` collects, in groups collected by one query each when first
#: asked for: identifiers are most of a file's nodes, and most files never need them.
NODE_GROUPS = (("string", "template_string", "call_expression", "new_expression", "variable_declarator"),
               ("identifier", "shorthand_property_identifier"))
NODE_TYPES = tuple(t for group in NODE_GROUPS for t in group)
_GROUP_OF = {t: index for index, group in enumerate(NODE_GROUPS) for t in group}
_GROUP_QUERIES = tuple("[" + " ".join(f"({t})" for t in group) + "] @node" for group in NODE_GROUPS)


def grammar_for(path: str) -> str:
    return "typescript" if path.endswith(TS_EXTENSIONS) else "tsx"


@dataclass(frozen=True, order=True)
class Span:
    """A source range: 1-based lines, 1-based code-point columns, end exclusive."""

    line: int
    col: int
    end_line: int
    end_col: int

    def __iter__(self):
        return iter((self.line, self.col, self.end_line, self.end_col))


class ParseTimeout(Exception):
    pass


class ParsedFile:
    """A parsed source file: its bytes, its tree and position helpers."""

    def __init__(self, path: str, source: bytes, tree: ts.Tree, grammar: str, rows_exact: bool = False):
        self.path = path
        self.source = source
        self.tree = tree
        self.grammar = grammar
        self._ascii = source.isascii()  # one byte per code point
        # tree-sitter's points are the positions edgelint reports when its rows are our lines (no
        # lone CR, and `rows_exact`: the tree is of these bytes, not a repair that moved a line
        # break) and its byte columns are code-point columns (ASCII, so no byte-order mark either)
        self._points_are_positions = rows_exact and self._ascii and source.find(b"\r") == -1
        self._line_starts: list[int] | None = None
        self._errors: list[ts.Node] | None = None
        self._parents: dict[int, ts.Node] | None = None
        self._parent_seconds = 0.0
        self._by_type: dict[str, list[ts.Node]] = {}
        self._starts: dict[str, list[int]] = {}
        self._source_tests: dict[str, bool] = {}

    @property
    def root(self) -> ts.Node:
        return self.tree.root_node

    def text(self, node: ts.Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def node_bytes(self, node: ts.Node) -> bytes:
        """The node's bytes. Not `node.text`: on a tree parsed through a read callback, as every
        tree here is, tree-sitter reads a node's text through the callback again (ten times slower
        than slicing, and thousands of calls per run)."""
        return self.source[node.start_byte : node.end_byte]

    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = line_starts(self.source)
        return self._line_starts

    def _col(self, row: int, byte_col: int) -> int:
        if self._ascii:
            return byte_col + 1
        starts = self.line_starts()
        start = starts[row] if row < len(starts) else len(self.source)
        prefix = self.source[start : start + byte_col].decode("utf-8", "replace")
        return len(prefix.removeprefix("\ufeff") if row == 0 else prefix) + 1  # a byte-order mark takes no column

    def _point(self, offset: int) -> tuple[int, int]:
        """(0-based line, 1-based code-point column) of a byte offset; an offset inside a line
        break counts as the end of its line."""
        starts = self.line_starts()
        offset = max(0, min(offset, len(self.source)))
        row = bisect.bisect_right(starts, offset) - 1
        if row + 1 < len(starts) and offset >= starts[row + 1] - 2:  # maybe in the line break
            following = starts[row + 1]
            offset = min(offset, following - (2 if self.source[following - 2:following] == b"\r\n" else 1))
        return row, self._col(row, offset - starts[row])

    def span(self, node: ts.Node, end: ts.Node | None = None) -> Span:
        # From byte offsets, not tree-sitter's points: its rows count LF only, while the lines
        # edgelint reports (like editors and GitHub) also end at a lone CR. Except where they are
        # the same (most files), as they are three times faster to read.
        last = end or node
        if self._points_are_positions and last.end_byte >= node.start_byte:
            start, stop = node.start_point, last.end_point
            return Span(start[0] + 1, start[1] + 1, stop[0] + 1, stop[1] + 1)
        return self.span_bytes(node.start_byte, last.end_byte)

    def span_bytes(self, start: int, end: int) -> Span:
        """The span of a byte range of the source."""
        r1, c1 = self._point(start)
        r2, c2 = self._point(max(start, end))
        return Span(r1 + 1, c1, r2 + 1, c2)

    def query(self, source: str) -> list[tuple[str, ts.Node]]:
        """Run a query; captures sorted by position (their order differs between versions)."""
        cursor = ts.QueryCursor(query(self.grammar, source))
        found = [(name, node) for name, nodes in cursor.captures(self.root).items() for node in nodes]
        found.sort(key=lambda item: (item[1].start_byte, -item[1].end_byte, item[0]))
        return found

    def nodes(self, *types: str) -> list[ts.Node]:
        """The nodes of these types (each one of `NODE_TYPES`) in document order. One query
        collects every type of a group in `NODE_GROUPS` on first use: a query costs about half a
        parse, so analyses that each need a few types share a single pass over the tree."""
        for kind in types:
            if kind not in self._by_type:
                self._collect(_GROUP_OF[kind])
        if len(types) == 1:
            return self._by_type[types[0]]
        found = [node for kind in dict.fromkeys(types) for node in self._by_type[kind]]
        found.sort(key=_document_order)
        return found

    def _collect(self, group: int) -> None:
        cursor = ts.QueryCursor(query(self.grammar, _GROUP_QUERIES[group]))
        found = [node for nodes in cursor.captures(self.root).values() for node in nodes]
        found.sort(key=_document_order)
        for kind in NODE_GROUPS[group]:
            self._by_type[kind] = []
        for node in found:
            self._by_type[node.type].append(node)

    def nodes_within(self, node: ts.Node, *types: str) -> list[ts.Node]:
        """The nodes of these types inside `node` (itself included), in document order: a
        binary search in `nodes`, not a walk of the subtree."""
        found = []
        for kind in types:
            listed = self.nodes(kind)
            starts = self._starts.get(kind)
            if starts is None:
                starts = self._starts[kind] = [n.start_byte for n in listed]
            low = bisect.bisect_left(starts, node.start_byte)
            high = bisect.bisect_left(starts, node.end_byte, low)
            found += [n for n in listed[low:high] if n.end_byte <= node.end_byte]
        if len(types) > 1:
            found.sort(key=lambda n: (n.start_byte, -n.end_byte))
        return found

    def around(self, needle: bytes) -> list[ts.Node]:
        """Every named node whose bytes contain an occurrence of `needle` (the innermost node around
        each occurrence and its ancestors), each once, innermost first along each chain. For
        analyses that start from a word in the bytes: tree-sitter descends straight to each
        occurrence, so the rest of the tree is never visited, as a query or walk would visit it."""
        found, seen = [], set()
        start = self.source.find(needle) if needle else -1
        while start != -1:
            node = self.root.descendant_for_byte_range(start, start + len(needle))
            while node is not None and node.id not in seen:  # a seen node's ancestors are found already
                seen.add(node.id)
                if node.is_named:  # not a keyword or punctuation (`string` is also a type's keyword)
                    found.append(node)
                node = self.parent(node)
            start = self.source.find(needle, start + 1)
        return found

    def parent(self, node: ts.Node) -> ts.Node | None:
        """`node.parent`, also fast on deeply nested input. tree-sitter finds a parent by descending
        from the root, O(depth) per call, so climbing out of 10,000 levels is quadratic; once those
        calls have cost 50 ms in this file, a parent map of the whole tree is built and used."""
        if self._parents is not None:
            return self._parents.get(node.id)
        start = time.perf_counter()
        parent = node.parent
        self._parent_seconds += time.perf_counter() - start
        if self._parent_seconds > 0.05:
            self._parents = {}
            stack = [self.root]
            while stack:
                current = stack.pop()
                for child in current.children:
                    self._parents[child.id] = current
                    stack.append(child)
        return parent

    def walk(self, node: ts.Node | None = None) -> Iterator[ts.Node]:
        """Every node below `node` in document order, without recursion (deep trees are fine)."""
        stack = [node or self.root]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(current.children))

    def error_nodes(self) -> list[ts.Node]:
        """The ERROR and MISSING nodes in document order, found by descending only into nodes
        that hold one (`has_error`; an ERROR node inside another may say False); remembered."""
        if self._errors is None:
            found, stack = [], [self.root] if self.root.has_error else []
            while stack:
                node = stack.pop()
                if node.is_error or node.is_missing:
                    found.append(node)
                stack.extend(reversed([c for c in node.children if c.has_error or c.is_error or c.is_missing]))
            self._errors = found
        return self._errors

    def syntax_errors(self) -> list[ts.Node]:
        """The error nodes, less the ones tree-sitter-typescript produces for valid code and
        recovers from locally: a bare `&` in JSX text (`<p>Terms & conditions</p>`) or in a JSX
        attribute string (`href="?a=1&b=2"`), REFERENCE.md §8a, the `type` of
        `export type * from '…'`, the missing `!` in a tagged template with type arguments, a
        call with a `typeof import('…')` type argument, and a comparison with a variable named
        like a type operator (`i < unique.length`)."""
        return [node for node in self.error_nodes()
                if not self._jsx_ampersand(node) and not self.export_type_star(node)
                and not self._typed_tagged_template(node) and not self._typeof_import_argument(node)
                and not self._compared_with_type_keyword(node)]

    def _compared_with_type_keyword(self, node: ts.Node) -> bool:
        """Whether `node` is the error tree-sitter-typescript makes of `i < unique.length` (a
        variable named like a type operator, `unique`, `keyof`, `readonly`, after `<`): it reads
        the start of a type argument list. The error is after such a comparison in the same
        statement."""
        if not self._has("type keyword comparison", lambda: _TYPE_KEYWORD_COMPARISON.search(self.source)):
            return False
        statement, parent = node, self.parent(node)
        while parent is not None and parent.type not in ("program", "statement_block"):
            statement, parent = parent, self.parent(parent)
        return _TYPE_KEYWORD_COMPARISON.search(self.source[statement.start_byte:node.end_byte]) is not None

    def _has(self, what: str, test) -> bool:
        """`test()` about the whole source, once per file (error filters ask it per error node)."""
        if what not in self._source_tests:
            self._source_tests[what] = bool(test())
        return self._source_tests[what]

    def _typeof_import_argument(self, node: ts.Node) -> bool:
        """Whether `node` is the error tree-sitter-typescript makes of a call with a
        `typeof import('…')` type argument (`vi.importActual<typeof import('./q')>('./q')`, valid
        TypeScript): it reads `f < typeof import('./q')`, then fails on `>(…)` or on a trailing
        comma inside it. The error is after such a construct in the same statement."""
        if not self._has("typeof", lambda: b"typeof" in self.source):
            return False
        statement, parent = node, self.parent(node)
        while parent is not None and parent.type not in ("program", "statement_block"):
            statement, parent = parent, self.parent(parent)
        return _TYPEOF_IMPORT_CALL.search(self.source[statement.start_byte:node.end_byte]) is not None

    @staticmethod
    def _typed_tagged_template(node: ts.Node) -> bool:
        """Whether `node` is the missing `!` tree-sitter-typescript puts in a tagged template with
        type arguments (``sql<Row[]>`…` ``, valid TypeScript since 2.9): it reads it as
        ``(sql<Row[]>)!`…` ``, the same call of the tag with the template."""
        if not (node.is_missing and node.type == "!"):  # before `parent`, which is O(depth) per call
            return False
        parent = node.parent
        call = parent.parent if parent is not None else None
        return parent is not None and parent.type == "non_null_expression" and \
            parent.named_child_count == 1 and parent.named_children[0].type == "instantiation_expression" and \
            call is not None and call.type == "call_expression" and call.child_by_field_name("function") == parent \
            and (call.child_by_field_name("arguments") or parent).type == "template_string"

    def export_type_star(self, node: ts.Node) -> bool:
        """Whether `node` is the `type` of `export type * from '…'` (TypeScript 5.0), which
        tree-sitter-typescript reads as an error node of that one word between `export` and
        `*` (or `* as name`): the rest of the statement parses as `export * from '…'`."""
        if not node.is_error or self.source[node.start_byte:node.end_byte] != b"type":
            return False
        parent, before, after = node.parent, node.prev_sibling, node.next_sibling
        return parent is not None and parent.type == "export_statement" and before is not None and \
            before.type == "export" and after is not None and after.type in ("*", "namespace_export")

    def _jsx_ampersand(self, node: ts.Node) -> bool:
        if not node.is_error or not self.source.startswith(b"&", node.start_byte):
            return False
        parent = node.parent
        if parent is not None and parent.type == "jsx_element":
            return True
        return parent is not None and parent.type == "string" and parent.parent is not None and \
            parent.parent.type == "jsx_attribute"


def _document_order(node: ts.Node) -> tuple[int, int]:
    return node.start_byte, -node.end_byte


#: `i < unique.length`: a comparison with a name that is also a type operator (see `_compared_with_type_keyword`).
_TYPE_KEYWORD_COMPARISON = re.compile(rb"[\w$)\]]\s*<\s*(?:unique|keyof|readonly|infer)\s*[.\[?]")
#: `<typeof import('x')>(`: a call with a `typeof import` type argument (see `_typeof_import_argument`).
_TYPEOF_IMPORT_CALL = re.compile(rb"<\s*typeof\s+import\s*\(\s*(['\"`])[^'\"`\n]*\1\s*\)\s*>\s*\(")


def line_starts(source: bytes) -> list[int]:
    """Byte offsets of line starts; LF, CRLF and lone CR all end a line (as `bytes.splitlines`
    splits, in C: a pattern matched line by line cost as much as the rest of a summary)."""
    starts = [0, *accumulate(map(len, source.splitlines(keepends=True)))]
    if source and not source.endswith((b"\n", b"\r")):
        starts.pop()  # where the last line ends, no line starts
    return starts


def offset_span(text: str, offset: int) -> Span:
    """A span of one character at a character offset of `text` (as decoded for the reports),
    kept inside its line: for error positions that parsers give as offsets or LF-counted lines."""
    offset = max(0, min(offset, len(text)))
    starts = [0, *(m.end() for m in _LINE_BREAK_TEXT.finditer(text))]
    row = bisect.bisect_right(starts, offset) - 1
    end = starts[row + 1] if row + 1 < len(starts) else len(text)
    length = len(text[starts[row]:end].rstrip("\r\n"))
    col = min(offset - starts[row], length) + 1
    return Span(row + 1, col, row + 1, min(col + 1, length + 1))


_LINE_BREAK_TEXT = re.compile(r"\r\n|\r|\n")


def parse(path: str, source: bytes) -> ParsedFile:
    """Parse `source`; raise ParseTimeout if tree-sitter takes too long. A tree with errors that
    `_semicolons_before_in_names` explains is replaced by the tree of the repaired bytes."""
    grammar = grammar_for(path)
    deadline = time.monotonic() + PARSE_TIMEOUT_SECONDS
    # tree-sitter reads a NUL as the end of input; valid code may hold one in a string literal,
    # and a space in its place keeps every offset (the file's own bytes stay the text)
    parsed = source.replace(b"\0", b" ") if b"\0" in source else source
    tree = original = _parse_bytes(path, parsed, grammar, deadline)
    if tree.root_node.has_error:
        for repair in (_semicolons_before_in_names, _ampersands_in_jsx_attributes if grammar == "tsx" else None):
            repaired = repair(parsed) if repair is not None else None
            if repaired is not None:
                other = _parse_bytes(path, repaired, grammar, deadline)
                if _error_count(other) < _error_count(tree):
                    tree = other  # the file's own bytes stay the text: offsets are the same
    return ParsedFile(path, source, tree, grammar, rows_exact=tree is original)


#: A JSX attribute string holding `&` (`href="…?a=1&b=2"`).
_JSX_AMPERSAND_ATTRIBUTE = re.compile(rb"""[\w-]=("[^"\n]*&[^"\n]*"|'[^'\n]*&[^'\n]*')""")


def _ampersands_in_jsx_attributes(source: bytes) -> bytes | None:
    """`source` with `_` for every `&` inside a quoted JSX attribute value, None when there is
    none. tree-sitter-typescript's TSX reads `&…` there as the start of an HTML entity and, in a
    long value (a tracking link), fails on valid code; the value stays a string either way, and
    one byte for one keeps every offset."""
    repaired = None
    for match in _JSX_AMPERSAND_ATTRIBUTE.finditer(source):
        repaired = repaired if repaired is not None else bytearray(source)
        start, end = match.span(1)
        repaired[start:end] = source[start:end].replace(b"&", b"_")
    return bytes(repaired) if repaired is not None else None


def _parse_bytes(path: str, source: bytes, grammar: str, deadline: float) -> ts.Tree:
    def progress(*_state) -> bool:  # the signature differs between py-tree-sitter versions
        return time.monotonic() > deadline

    def read(offset: int, _point) -> bytes:
        return source[offset : offset + READ_CHUNK]

    try:
        tree = _parser(grammar).parse(read, progress_callback=progress)
    except TypeError:  # older bindings without progress callbacks
        tree = _parser(grammar).parse(source)
    except BaseException:  # interrupted (watchdog, Ctrl-C): a parser not reset resumes the old parse
        _parser(grammar).reset()
        raise
    if tree is None:
        _parser(grammar).reset()
        raise ParseTimeout(path)
    return tree


#: A line that starts with a name tree-sitter's automatic-semicolon scanner takes for the `in` or
#: `instanceof` operator: the keyword followed by `_`, `$` or a digit (`in_stock`, `in2`), or alone
#: as a member name (`in: boolean`, `in?(…)`). The group is the byte before it on its line.
_IN_NAME_LINE = re.compile(rb"[\n\r]([ \t]*)(?=(?:in|instanceof)(?:[_$0-9]|[ \t]*[?:(<]))")
#: Bytes after which a line break ends a statement or member (where automatic semicolon
#: insertion applies): the end of a name, literal or bracketed group.
_ENDS_MEMBER = re.compile(rb"[A-Za-z0-9_$)\]}'\"`]\Z")


def _semicolons_before_in_names(source: bytes) -> bytes | None:
    """`source` with a `;` for the last blank before every line that starts with a name like
    `in_stock`, where the line before ends a member or statement; None when there is none.

    tree-sitter-typescript 0.23 (its scanner, shared with JavaScript) inserts no automatic
    semicolon before a line starting with `in` or `instanceof` not followed by a letter: it reads
    the operator, so valid code such as `interface P { is_free: boolean⏎ in_stock: boolean }` or a
    class field `in_x = 1` after `a = 1` fails to parse. The explicit `;` is what automatic
    semicolon insertion means there. Replacing one byte keeps every byte offset of the file (spans
    are computed from those; tree-sitter's own rows shift only where a line break had to go)."""
    repaired = None
    for match in _IN_NAME_LINE.finditer(source):
        before = source[max(0, match.start() - 200):match.start()].rstrip()
        if not _ENDS_MEMBER.search(before):
            continue
        repaired = repaired if repaired is not None else bytearray(source)
        at = match.end() - 1  # a blank before the name, else one before the line break, else the break
        if not match.group(1) and match.start() > 0 and source[match.start() - 1] in b" \t\r":
            at = match.start() - 1
        elif not match.group(1):
            at = match.start()
        repaired[at] = ord(";")
    return bytes(repaired) if repaired is not None else None


def _error_count(tree: ts.Tree) -> int:
    count, stack = 0, [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            count += 1
        elif node.has_error:
            stack.extend(node.children)
    return count


def string_value(node: ts.Node, pf: ParsedFile) -> str | None:
    """The value of a string literal node (quotes removed, simple escapes decoded), else None."""
    if node.type == "string":
        return _unescape(pf.text(node)[1:-1])
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.children):
        return _unescape(pf.text(node)[1:-1])
    return None


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    out, i = [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            out.append(simple.get(nxt, nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)
