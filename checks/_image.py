"""Helpers shared by the image checks (EDGE4xx): static text of string expressions, bindings,
whether an image source is stripped of its leading slash, next.config `images`, loader functions.

Static text. A string literal, a template literal or a `+` concatenation is turned into the text it
produces, with every part that is not known statically replaced by one `imageurl.PLACEHOLDER`
character. `const` identifiers, `[...].join(sep)` of arrays (with their unconditional `.push()`es)
and `new URLSearchParams({...})` are inlined, so that `/cdn-cgi/image/${params.join(',')}/${src}`
is checked as `width=…,quality=…`. Template-engine tokens inside literals (`#{option}`,
`{{option}}`, `{option}`, `%s`) count as dynamic too. Each character remembers the source bytes it
was written with, so an `imageurl` offset maps back to an exact span (also across lines) and a fix
becomes a byte edit — only where the source bytes are exactly the character (no escapes, no
inlining across places, no placeholder).

Nothing here is recursive over the syntax tree as a whole: recursion is only along expression
chains and is bounded by MAX_DEPTH.
"""

from __future__ import annotations

import html
import posixpath
import re
import weakref
from dataclasses import dataclass, field

from edgelint import imageurl, jsvalues
from edgelint.api import Fix, Span

PH = imageurl.PLACEHOLDER
PREFIX = imageurl.IMAGE_PREFIX
MAX_DEPTH = 8
#: How far up the tree a name or a guard is looked for (beyond that: unknown, so silent).
MAX_ANCESTORS = 200

FUNCTION_TYPES = frozenset({"function_declaration", "generator_function_declaration", "function_expression",
                            "function", "arrow_function", "generator_function", "method_definition"})
IMAGE_MODULES = ("next/image", "next/legacy/image")
LOADER_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")

#: Problem kinds of `imageurl` that concern the source after the options (EDGE402); the rest are EDGE401.
SOURCE_KINDS = frozenset({"double-slash", "protocol-relative-source", "encoded-source", "possible-double-slash"})
#: Option problems that do not break the URL by themselves.
WARNING_KINDS = frozenset({"duplicate-option", "alias-and-name"})

_TEMPLATE_TOKEN = re.compile(r"#\{[^{}/]*\}|\{\{[^{}/]*\}\}|\{[A-Za-z_$][\w$.-]*\}|%[sd]")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_SLASH_TEST = re.compile(
    r"""startsWith\(\s*(['"`])/\1\s*\)|\[\s*0\s*\]\s*[!=]==?\s*(['"`])/\2|(['"`])/\3\s*[!=]==?\s*\w+\s*\[\s*0\s*\]"""
    r"""|charAt\(\s*0\s*\)\s*[!=]==?\s*(['"`])/\4|/\^\\?/""")


# --------------------------------------------------------------------------------------------
# Static text


@dataclass
class StaticText:
    """The static text of one expression, with each character's origin in the source."""

    root: object
    chars: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # source byte range of each character
    ends: list[int] = field(default_factory=list)
    origins: list[int] = field(default_factory=list)  # the literal node it comes from (start byte); -1: none
    exact: list[bool] = field(default_factory=list)  # its source bytes are the character itself
    anchors: list[tuple[int, int]] = field(default_factory=list)  # where it appears inside `root`
    nodes: dict[int, object] = field(default_factory=dict)  # placeholder index -> expression (None: unknown)

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def add(self, char: str, start: int, end: int, origin: int, exact: bool, anchor, node=None) -> None:
        if char == PH:
            self.nodes[len(self.chars)] = node
        self.chars.append(char)
        self.starts.append(start)
        self.ends.append(end)
        self.origins.append(origin)
        self.exact.append(exact)
        self.anchors.append(anchor if anchor is not None else (start, end))

    def placeholder(self, node, anchor, start: int | None = None, end: int | None = None) -> None:
        s = node.start_byte if start is None else start
        e = node.end_byte if end is None else end
        self.add(PH, s, e, -1, False, anchor, node)

    def byte_range(self, start: int, end: int) -> tuple[int, int]:
        """Source bytes of characters [start, end): exact when they come from one literal."""
        if not self.chars:
            return self.root.start_byte, self.root.end_byte
        if end <= start:  # zero width: show the character before (or after) it
            index = start - 1 if start > 0 else start
            index = min(index, len(self.chars) - 1)
            return self.starts[index], self.ends[index]
        end = min(end, len(self.chars))
        origins = set(self.origins[start:end])
        if len(origins) == 1 and -1 not in origins:
            return self.starts[start], self.ends[end - 1]
        anchors = self.anchors[start:end]
        return min(a[0] for a in anchors), max(a[1] for a in anchors)

    def inlined(self, start: int, end: int) -> bool:
        """Whether some character of [start, end) comes from a constant defined elsewhere."""
        return any(self.anchors[i] != (self.starts[i], self.ends[i]) for i in range(start, min(end, len(self.chars))))

    def anchor_range(self, start: int, end: int) -> tuple[int, int]:
        """Bytes of [start, end) as they appear in the root expression (a constant: its use)."""
        end = max(min(end, len(self.chars)), start + 1)
        anchors = self.anchors[start:end] or self.anchors[-1:]
        return min(a[0] for a in anchors), max(a[1] for a in anchors)

    def fix_range(self, start: int, end: int) -> tuple[int, int] | None:
        """The bytes to replace for a fix of [start, end), or None when that is not a plain edit."""
        if end <= start or end > len(self.chars):
            return None
        origin = self.origins[start]
        if origin == -1:
            return None
        for index in range(start, end):
            if self.origins[index] != origin or not self.exact[index] or self.chars[index] == PH:
                return None
            if index > start and self.starts[index] != self.ends[index - 1]:
                return None
        return self.starts[start], self.ends[end - 1]


def _decode_js(raw: str, base: int) -> list[tuple[str, int, int, bool]]:
    """Characters of a JS string body with their byte ranges; escapes decoded."""
    out = []
    i, pos, n = 0, base, len(raw)
    while i < n:
        ch = raw[i]
        if ch != "\\" or i + 1 >= n:
            width = len(ch.encode("utf-8", "surrogatepass"))
            out.append((ch, pos, pos + width, True))
            pos += width
            i += 1
            continue
        j = i + 1
        c = raw[j]
        value = None
        if c in "\r\n\u2028\u2029":
            j += 1
            if c == "\r" and j < n and raw[j] == "\n":
                j += 1
            value = ""
        elif c == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", raw[j + 1:j + 3]):
            value, j = chr(int(raw[j + 1:j + 3], 16)), j + 3
        elif c == "u" and raw[j + 1:j + 2] == "{":
            close = raw.find("}", j)
            digits = raw[j + 2:close] if close != -1 else ""
            if digits and re.fullmatch(r"[0-9a-fA-F]{1,6}", digits) and int(digits, 16) <= 0x10FFFF:
                value, j = chr(int(digits, 16)), close + 1
        elif c == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", raw[j + 1:j + 5]):
            value, j = chr(int(raw[j + 1:j + 5], 16)), j + 5
        if value is None:
            value, j = _SIMPLE_ESCAPES.get(c, c), j + 1
        width = len(raw[i:j].encode("utf-8", "surrogatepass"))
        for char in value:
            out.append((char, pos, pos + width, False))
        pos += width
        i = j
    return out


def _decode_jsx(raw: str, base: int) -> list[tuple[str, int, int, bool]]:
    """Characters of a JSX attribute string: no escapes, HTML character references decoded."""
    out = []
    i, pos = 0, base
    for match in re.finditer(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);", raw):
        for ch in raw[i:match.start()]:
            width = len(ch.encode("utf-8", "surrogatepass"))
            out.append((ch, pos, pos + width, True))
            pos += width
        text = match.group(0)
        width = len(text.encode())
        value = html.unescape(text)
        for ch in value:
            out.append((ch, pos, pos + width, value == text))
        pos += width
        i = match.end()
    for ch in raw[i:]:
        width = len(ch.encode("utf-8", "surrogatepass"))
        out.append((ch, pos, pos + width, True))
        pos += width
    return out


class TextBuilder:
    """Builds `StaticText` for expressions of one parsed file."""

    def __init__(self, pf):
        self.pf = pf
        self.fragments: list[StaticText] = []  # option lists seen only partially (conditional pushes)

    def build(self, node) -> StaticText:
        text = StaticText(node)
        self._add(text, node, None, 0, set())
        return text

    # pieces ------------------------------------------------------------------------------
    def _literal_chars(self, text: StaticText, chars, origin: int, anchor, literal) -> None:
        decoded = "".join(c[0] for c in chars)
        index = 0
        for match in _TEMPLATE_TOKEN.finditer(decoded):
            for char, start, end, exact in chars[index:match.start()]:
                text.add(char, start, end, origin, exact, anchor)
            piece = chars[match.start():match.end()]
            text.placeholder(literal, anchor, piece[0][1], piece[-1][2])
            index = match.end()
        for char, start, end, exact in chars[index:]:
            text.add(char, start, end, origin, exact, anchor)

    def _string(self, text: StaticText, node, anchor) -> None:
        raw = self.pf.source[node.start_byte + 1:node.end_byte - 1].decode("utf-8", "replace")
        parent = parent_of(node, self.pf)
        jsx = parent is not None and parent.type == "jsx_attribute"
        decode = _decode_jsx if jsx else _decode_js
        self._literal_chars(text, decode(raw, node.start_byte + 1), node.start_byte, anchor, node)

    def _template(self, text: StaticText, node, anchor, depth: int, seen: set) -> None:
        position = node.start_byte + 1
        for child in node.children:
            if child.type == "template_substitution":
                if child.start_byte > position:
                    self._template_part(text, node, position, child.start_byte, anchor)
                inner = child.named_children[0] if child.named_children else None
                sub_anchor = anchor if anchor is not None else (child.start_byte, child.end_byte)
                if inner is None:
                    text.placeholder(child, sub_anchor)
                else:
                    self._sub(text, inner, sub_anchor, depth, seen)
                position = child.end_byte
        end = node.end_byte - 1
        if end > position:
            self._template_part(text, node, position, end, anchor)

    def _template_part(self, text: StaticText, node, start: int, end: int, anchor) -> None:
        raw = self.pf.source[start:end].decode("utf-8", "replace")
        self._literal_chars(text, _decode_js(raw, start), node.start_byte, anchor, node)

    def _sub(self, text: StaticText, node, anchor, depth: int, seen: set) -> None:
        """A dynamic part: inlined when it is a known constant, else one placeholder."""
        if depth + 1 >= MAX_DEPTH:
            text.placeholder(node, anchor)
        else:
            self._add(text, node, anchor, depth + 1, seen)

    def _add(self, text: StaticText, node, anchor, depth: int, seen: set) -> None:
        node = jsvalues.unwrap(node)
        if node is None:
            return
        t = node.type
        if t == "string":
            self._string(text, node, anchor)
        elif t == "template_string":
            self._template(text, node, anchor, depth, seen)
        elif t == "binary_expression" and _operator(node) == "+":
            for operand in plus_operands(node):  # flat: long `a + b + …` chains must not recurse
                self._add(text, operand, anchor, depth, seen)
        elif not self._inline(text, node, anchor, depth, seen):
            text.placeholder(node, anchor)

    # inlining ----------------------------------------------------------------------------
    def _inline(self, text: StaticText, node, anchor, depth: int, seen: set) -> bool:
        pf = self.pf
        if depth >= MAX_DEPTH:
            return False
        if node.type == "identifier":
            binding = resolve(node, pf)
            if binding is None or binding.kind not in ("const", "let", "var") or binding.prop is not None:
                return False
            value = jsvalues.unwrap(binding.value)
            key = (binding.node.start_byte, binding.node.end_byte)
            if value is None or key in seen:
                return False
            if binding.kind != "const" and _reassigned(binding, pf):
                return False
            if value.type in ("string", "template_string", "binary_expression"):
                if value.type == "binary_expression" and _operator(value) != "+":
                    return False
                self._add(text, value, anchor, depth + 1, seen | {key})
                return True
            if _is_search_params(value):
                return self._search_params(text, value, anchor, binding)
            if value.type == "call_expression":  # `const paramsString = params.join(',')` (Cloudflare's loader)
                return self._inline(text, value, anchor, depth + 1, seen | {key})
            return False
        if node.type == "call_expression":
            callee = jsvalues.unwrap(node.child_by_field_name("function"))
            if callee is None or callee.type != "member_expression":
                return False
            prop = _prop_name(callee, pf)
            obj = jsvalues.unwrap(callee.child_by_field_name("object"))
            if prop == "join" and obj is not None:
                return self._join(text, node, obj, anchor, depth, seen)
            if prop == "toString" and obj is not None and not _args(node):
                return self._inline(text, obj, anchor, depth, seen) if obj.type == "identifier" else (
                    self._search_params(text, obj, anchor, None) if _is_search_params(obj) else False)
            return False
        if node.type == "new_expression" and _is_search_params(node):
            return self._search_params(text, node, anchor, None)
        return False

    def _join(self, text: StaticText, call, obj, anchor, depth: int, seen: set) -> bool:
        pf = self.pf
        args = _args(call)
        if len(args) > 1:
            return False
        sep_node = jsvalues.unwrap(args[0]) if args else None
        if sep_node is not None and string_of(sep_node, pf) is None:
            return False
        items, conditional, open_end = self._array_items(obj, seen)
        if items is None:
            # an unknown list joined with '&': at least the separator is visibly wrong
            if sep_node is not None and pf.text(sep_node)[1:-1] == "&":
                text.placeholder(obj, anchor)
                self._string(text, sep_node, anchor)
                text.placeholder(obj, anchor)
                return True
            return False
        pieces = [("item", item) for item in items] + [("open", None)] * bool(open_end)
        for number, (kind, item) in enumerate(pieces):
            if number:
                if sep_node is None:
                    text.add(",", call.start_byte, call.end_byte, -1, False, anchor or (call.start_byte, call.end_byte))
                elif sep_node.type == "string":
                    self._string(text, sep_node, anchor)
                else:
                    self._template(text, sep_node, anchor, depth, seen)
            if kind == "open":
                text.placeholder(obj, anchor)
            else:
                self._add(text, item, anchor, depth + 1, seen)
        for item in conditional:
            fragment = StaticText(item)
            self._add(fragment, item, None, depth + 1, seen)
            self.fragments.append(fragment)
        return True

    def _array_items(self, obj, seen: set):
        """(items, conditionally pushed items, may have more) of an array, or (None, [], False)."""
        pf = self.pf
        if obj.type == "array":
            items = [c for c in obj.named_children if c.type != "comment"]
            if any(c.type == "spread_element" for c in items):
                return None, [], False
            return items, [], False
        if obj.type != "identifier":
            return None, [], False
        binding = resolve(obj, pf)
        if binding is None or binding.kind not in ("const", "let", "var") or binding.prop is not None:
            return None, [], False
        value = jsvalues.unwrap(binding.value)
        if value is None or value.type != "array" or any(c.type == "spread_element" for c in value.named_children):
            return None, [], False
        if binding.kind != "const" and _reassigned(binding, pf):
            return None, [], False
        items = [c for c in value.named_children if c.type != "comment"]
        conditional, open_end = [], False
        scope = binding.scope
        name = pf.text(obj)
        for use in _identifier_uses(scope, name, pf):
            if use.start_byte == binding.name_node.start_byte or use.start_byte == obj.start_byte:
                continue
            parent = parent_of(use, pf)
            if parent is None or parent.type != "member_expression":
                open_end = True
                continue
            method = _prop_name(parent, pf)
            call = parent_of(parent, pf)
            if method in ("join", "length", "includes", "some", "every", "indexOf", "find", "filter", "map"):
                continue
            if method == "push" and call is not None and call.type == "call_expression":
                pushed = [a for a in _args(call)]
                if any(a.type == "spread_element" for a in pushed):
                    open_end = True
                elif _unconditional(call, scope, pf):
                    items.extend(pushed)
                else:
                    conditional.extend(pushed)
                    open_end = True
                continue
            open_end = True
        return items, conditional, open_end

    def _search_params(self, text: StaticText, node, anchor, binding) -> bool:
        """`new URLSearchParams({a: 1, b: 2})` serialises as `a=1&b=2`."""
        pf = self.pf
        args = _args(node)
        obj = jsvalues.unwrap(args[0]) if args else None
        if obj is not None and obj.type != "object":
            return False
        entries = []  # (key node or None, key text, value node or None)
        for child in (obj.named_children if obj is not None else []):
            if child.type == "pair":
                key = child.child_by_field_name("key")
                name = jsvalues.property_key(key, pf)
                if name is None:
                    return False
                entries.append((key, name, child.child_by_field_name("value")))
            elif child.type == "shorthand_property_identifier":
                entries.append((child, pf.text(child), None))
            elif child.type != "comment":
                return False
        if binding is not None:
            for use in _identifier_uses(binding.scope, pf.text(binding.name_node), pf):
                parent = parent_of(use, pf)
                if use.start_byte == binding.name_node.start_byte:
                    continue
                call = parent_of(parent, pf) if parent is not None else None
                if parent is not None and parent.type == "member_expression" and _prop_name(parent, pf) in (
                        "set", "append") and call is not None and call.type == "call_expression":
                    call_args = _args(call)
                    name = string_of(call_args[0], pf) if call_args else None
                    if name is None or not _unconditional(call, binding.scope, pf):
                        return False
                    entries.append((jsvalues.unwrap(call_args[0]), name, call_args[1] if len(call_args) > 1 else None))
        if not entries:
            return False
        whole = anchor if anchor is not None else (node.start_byte, node.end_byte)
        for number, (key, name, value) in enumerate(entries):
            if number:
                text.add("&", node.start_byte, node.end_byte, -1, False, whole)
            exact = key is not None and key.type in ("property_identifier", "shorthand_property_identifier")
            if key is not None and exact:
                for offset, char in enumerate(name):
                    text.add(char, key.start_byte + offset, key.start_byte + offset + 1, key.start_byte, True, whole)
            else:
                for char in name:
                    text.add(char, node.start_byte, node.end_byte, -1, False, whole)
            text.add("=", node.start_byte, node.end_byte, -1, False, whole)
            text.placeholder(value if value is not None else key, whole)
        return True


def plus_operands(node) -> list:
    """The operands of a `+` chain, left to right, without recursion (parentheses looked through)."""
    found, stack = [], [node]
    while stack:
        current = jsvalues.unwrap(stack.pop())
        if current is None:
            continue
        if current.type == "binary_expression" and _operator(current) == "+":
            right, left = current.child_by_field_name("right"), current.child_by_field_name("left")
            stack.extend(n for n in (right, left) if n is not None)
        else:
            found.append(current)
    return found


def _is_search_params(node) -> bool:
    if node is None or node.type != "new_expression":
        return False
    ctor = node.child_by_field_name("constructor")
    return ctor is not None and ctor.type == "identifier" and ctor.text == b"URLSearchParams"


def _operator(node) -> str:
    op = node.child_by_field_name("operator")
    return op.type if op is not None else ""


def _args(call) -> list:
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "arguments":
        return []
    return [a for a in args.named_children if a.type != "comment"]


def _prop_name(member, pf) -> str:
    prop = member.child_by_field_name("property")
    return pf.text(prop) if prop is not None else ""


def string_of(node, pf) -> str | None:
    """The value of a string literal (or a template without substitutions)."""
    from edgelint.parsing import string_value

    node = jsvalues.unwrap(node)
    return string_value(node, pf) if node is not None else None


_PARENTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def parent_of(node, pf):
    """The parent of `node`. `Node.parent` walks down from the root each time (quadratic in deep
    trees), so one index per file is built instead, in a single iterative pass."""
    index = _PARENTS.get(pf)
    if index is None:
        index = {}
        stack = [pf.root]
        while stack:
            current = stack.pop()
            for child in current.children:
                index[child.id] = current
                stack.append(child)
        _PARENTS[pf] = index
    return index.get(node.id)


def ancestors(node, pf, limit: int = MAX_ANCESTORS):
    """The parents of `node`, innermost first, at most `limit` of them."""
    current = parent_of(node, pf)
    while current is not None and limit > 0:
        yield current
        current = parent_of(current, pf)
        limit -= 1


def _unconditional(node, scope, pf) -> bool:
    """Whether `node` runs whenever the statements of `scope` run (no branch, loop or callback)."""
    current = parent_of(node, pf)
    steps = 0
    while current is not None and current != scope:
        steps += 1
        if steps > MAX_ANCESTORS:
            return False
        if current.type in ("if_statement", "ternary_expression", "switch_statement", "for_statement",
                            "for_in_statement", "while_statement", "do_statement", "try_statement",
                            "catch_clause") or current.type in FUNCTION_TYPES:
            return False
        if current.type == "binary_expression" and _operator(current) in ("&&", "||", "??"):
            return False
        current = parent_of(current, pf)
    return current is not None


# --------------------------------------------------------------------------------------------
# Bindings


@dataclass
class Binding:
    kind: str  # 'param' | 'const' | 'let' | 'var' | 'function' | 'import'
    name_node: object  # the identifier that declares it
    node: object  # declarator / function / parameter
    scope: object  # the node whose body the binding is visible in (function or block)
    value: object = None  # initializer (declarations) or default value (params)
    prop: str | None = None  # destructured property ('...' for a rest element)
    function: object = None  # for params: the function
    index: int = 0  # for params: the parameter position


def params_of(function) -> list:
    params = function.child_by_field_name("parameters")
    if params is None:
        single = function.child_by_field_name("parameter")
        return [single] if single is not None else []
    return [p for p in params.named_children if p.type != "comment"]


def param_pattern(param):
    """The binding pattern of one parameter (TypeScript wraps it in required/optional_parameter)."""
    if param.type in ("required_parameter", "optional_parameter"):
        pattern = param.child_by_field_name("pattern")
        return pattern if pattern is not None else (param.named_children[0] if param.named_children else None)
    if param.type == "assignment_pattern":
        return param.child_by_field_name("left")
    return param


def pattern_names(pattern, pf) -> list[tuple[object, str | None]]:
    """(identifier node, destructured property or None) for every name a pattern binds (one level)."""
    if pattern is None:
        return []
    if pattern.type == "identifier":
        return [(pattern, None)]
    if pattern.type == "assignment_pattern":
        return pattern_names(pattern.child_by_field_name("left"), pf)
    found = []
    if pattern.type == "object_pattern":
        for child in pattern.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                found.append((child, pf.text(child)))
            elif child.type == "object_assignment_pattern":
                left = child.child_by_field_name("left")
                if left is not None:
                    found.append((left, pf.text(left)))
            elif child.type == "pair_pattern":
                key = jsvalues.property_key(child.child_by_field_name("key"), pf)
                value = child.child_by_field_name("value")
                if value is not None and value.type == "assignment_pattern":
                    value = value.child_by_field_name("left")
                if value is not None and value.type == "identifier" and key is not None:
                    found.append((value, key))
            elif child.type == "rest_pattern":
                ident = next((c for c in child.named_children if c.type == "identifier"), None)
                if ident is not None:
                    found.append((ident, "..."))
    return found


def _declared_in(statement, name: str, pf, scope) -> Binding | None:
    node = statement
    if node.type == "export_statement":
        node = node.child_by_field_name("declaration") or node
    if node.type in ("lexical_declaration", "variable_declaration"):
        kind = "var" if node.type == "variable_declaration" else pf.text(node.children[0])
        for declarator in node.named_children:
            if declarator.type != "variable_declarator":
                continue
            target = declarator.child_by_field_name("name")
            for ident, prop in pattern_names(target, pf):
                if pf.text(ident) == name:
                    return Binding(kind if kind in ("const", "let") else "var", ident, declarator, scope,
                                   declarator.child_by_field_name("value"), prop)
    elif node.type in ("function_declaration", "generator_function_declaration"):
        ident = node.child_by_field_name("name")
        if ident is not None and pf.text(ident) == name:
            return Binding("function", ident, node, scope, node)
    elif node.type == "import_statement" and f"{name}".encode() in pf.node_bytes(node):
        clause = next((c for c in node.named_children if c.type == "import_clause"), None)
        for ident in (clause.named_children if clause is not None else []):
            candidates = [ident] if ident.type == "identifier" else [
                (s.child_by_field_name("alias") or s.child_by_field_name("name"))
                for s in ident.named_children if s.type == "import_specifier"]
            for candidate in candidates:
                if candidate is not None and pf.text(candidate) == name:
                    return Binding("import", candidate, node, scope)
    return None


def resolve(ident, pf) -> Binding | None:
    """The declaration an identifier refers to (params, declarations, functions, imports)."""
    name = pf.text(ident)
    for node in ancestors(ident, pf):
        if node.type in FUNCTION_TYPES:
            for index, param in enumerate(params_of(node)):
                pattern = param_pattern(param)
                for found, prop in pattern_names(pattern, pf):
                    if pf.text(found) == name:
                        default = param.child_by_field_name("value") if param.type in (
                            "required_parameter", "optional_parameter") else None
                        return Binding("param", found, param, node, default, prop, node, index)
            if node.type in ("function_expression", "function") and node.child_by_field_name("name") is not None:
                own = node.child_by_field_name("name")
                if pf.text(own) == name:
                    return Binding("function", own, node, node, node)
        if node.type in ("statement_block", "program", "switch_case", "switch_default", "class_body"):
            for statement in node.named_children:
                binding = _declared_in(statement, name, pf, node)
                if binding is not None:
                    return binding
    return None


def _identifier_uses(scope, name: str, pf):
    """Identifier nodes named `name` below `scope` (shadowing is ignored)."""
    encoded = name.encode()
    if encoded not in pf.source[scope.start_byte:scope.end_byte]:
        return
    for node in pf.walk(scope):
        if node.type in ("identifier", "shorthand_property_identifier") and pf.node_bytes(node) == encoded:
            yield node


def _reassigned(binding: Binding, pf) -> bool:
    return bool(assignments(binding, pf))


def assignments(binding: Binding, pf) -> list:
    """Right-hand sides of `name = …` (and `name += …`) in the binding's scope."""
    found = []
    name = pf.text(binding.name_node)
    for use in _identifier_uses(binding.scope, name, pf):
        parent = parent_of(use, pf)
        if parent is not None and parent.type in ("assignment_expression", "augmented_assignment_expression") \
                and parent.child_by_field_name("left") == use:
            found.append(parent.child_by_field_name("right"))
    return found


def function_of(node, pf, depth: int = 0):
    """The function an expression denotes (a function literal, or an identifier bound to one)."""
    node = jsvalues.unwrap(node)
    if node is None or depth > 4:
        return None
    if node.type in FUNCTION_TYPES:
        return node
    if node.type == "identifier":
        binding = resolve(node, pf)
        if binding is None:
            return None
        if binding.kind == "function":
            return binding.value
        if binding.kind == "const" and binding.prop is None:
            return function_of(binding.value, pf, depth + 1)
    return None


def returned_expressions(function) -> list:
    """The expressions a function returns (its body, for an arrow with an expression body)."""
    body = function.child_by_field_name("body")
    if body is None:
        return []
    if body.type != "statement_block":
        return [body]
    found = []
    stack = [body]
    while stack:
        node = stack.pop()
        for child in node.children:
            if child.type in FUNCTION_TYPES or child.type == "class_declaration":
                continue
            if child.type == "return_statement":
                if child.named_children and child.named_children[0].type != "comment":
                    found.append(child.named_children[0])
                continue
            stack.append(child)
    found.sort(key=lambda n: n.start_byte)
    return found


# --------------------------------------------------------------------------------------------
# Leading slash of an image source (REFERENCE.md §4.2)

STRIPPED, UNKNOWN, LOADER_SRC, SLASH, ENCODED = "stripped", "unknown", "loader-src", "slash", "encoded"
_ORDER = {STRIPPED: 0, UNKNOWN: 1, LOADER_SRC: 2, SLASH: 3, ENCODED: 4}


def _worst(*values: str) -> str:
    return max(values, key=_ORDER.__getitem__) if values else UNKNOWN


def _regex_strips_slash(node, pf) -> bool:
    pattern = next((c for c in node.children if c.type == "regex_pattern"), None)
    text = pf.text(pattern) if pattern is not None else ""
    return text.startswith(("^\\/", "^/", "^(\\/", "^[\\/]", "^[/]"))


def slash_test(node, pf) -> bool:
    """Whether a condition tests for a leading '/' (`s.startsWith('/')`, `s[0] === '/'`, `/^\\//.test(s)`)."""
    return node is not None and bool(_SLASH_TEST.search(pf.text(node)))


#: A test that a source is an absolute URL: `s.startsWith('https://')`, `/^https?:/.test(s)`.
_ABSOLUTE_TEST = re.compile(r"""startsWith\(\s*(['"`])https?(?::|\1)|/\^https\??:""")


def _in_absolute_branch(node, branching, condition, pf) -> bool:
    """Whether `node` is in the branch of an `if`/ternary taken when its condition, a test for an
    absolute URL (`!` turns it around), holds."""
    if condition is None:
        return False
    condition = jsvalues.unwrap(condition)
    negated = condition is not None and condition.type == "unary_expression" and pf.text(condition).startswith("!")
    if condition is None or not _ABSOLUTE_TEST.search(pf.text(condition)):
        return False
    branch = branching.child_by_field_name("alternative" if negated else "consequence")
    return branch is not None and branch.start_byte <= node.start_byte and node.end_byte <= branch.end_byte


class SourceClassifier:
    """Decides whether an expression used as an image source can begin with '/'.

    `classify` returns one of: STRIPPED (cannot: a leading slash is removed, or it starts with other
    text), SLASH (certainly starts with '/'), LOADER_SRC (the `src` a next/image loader receives,
    unchanged: local images start with '/'), ENCODED (URL-encoded with encodeURIComponent), or
    UNKNOWN (stay silent).
    """

    def __init__(self, pf, loader_functions: set):
        self.pf = pf
        self.loaders = loader_functions  # (start_byte, end_byte) of functions that are image loaders
        self.loader = None  # the loader whose `src` the last LOADER_SRC verdict is about

    def is_loader(self, function) -> bool:
        if function is not None and (function.start_byte, function.end_byte) in self.loaders:
            self.loader = function
            return True
        return False

    def classify(self, node, depth: int = 0, env: dict | None = None) -> str:
        pf = self.pf
        node = jsvalues.unwrap(node)
        if node is None or depth > MAX_DEPTH:
            return UNKNOWN
        env = env or {}
        t = node.type
        if t == "string":
            value = string_of(node, pf) or ""
            return SLASH if value.startswith("/") and not value.startswith("//") else STRIPPED
        if t in ("null", "undefined", "number", "true", "false"):
            return STRIPPED
        if t == "template_string":
            for child in node.children:
                if child.type == "template_substitution":
                    inner = child.named_children[0] if child.named_children else None
                    return self.classify(inner, depth + 1, env)
                if child.type in ("string_fragment", "escape_sequence"):
                    return SLASH if pf.text(child).startswith("/") else STRIPPED
            return UNKNOWN
        if t == "binary_expression":
            op = _operator(node)
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if op == "+":
                return self.classify(left, depth + 1, env)
            if op in ("||", "??"):
                return _worst(self.classify(left, depth + 1, env), self.classify(right, depth + 1, env))
            if op == "&&":
                return self.classify(right, depth + 1, env)
            return UNKNOWN
        if t == "ternary_expression":
            if slash_test(node.child_by_field_name("condition"), pf):
                return STRIPPED
            return _worst(self.classify(node.child_by_field_name("consequence"), depth + 1, env),
                          self.classify(node.child_by_field_name("alternative"), depth + 1, env))
        if t == "new_expression":
            return STRIPPED if pf.text(node).startswith("new URL") else UNKNOWN
        if t == "member_expression":
            return self._member(node, depth, env)
        if t == "call_expression":
            return self._call(node, depth, env)
        if t == "identifier":
            return self._identifier(node, depth, env)
        if t == "await_expression" and node.named_children:
            return self.classify(node.named_children[0], depth + 1, env)
        return UNKNOWN

    def _member(self, node, depth: int, env: dict) -> str:
        pf = self.pf
        prop = _prop_name(node, pf)
        if prop == "pathname":
            return SLASH
        if prop in ("href", "origin"):
            return STRIPPED
        obj = jsvalues.unwrap(node.child_by_field_name("object"))
        if prop == "src" and obj is not None and obj.type == "identifier":
            binding = resolve(obj, pf)
            if binding is not None and binding.kind == "param" and binding.prop is None and binding.index == 0 \
                    and self.is_loader(binding.function):
                return self._maybe_stripped(binding, LOADER_SRC, node)
        return UNKNOWN

    def _call(self, node, depth: int, env: dict) -> str:
        pf = self.pf
        callee = jsvalues.unwrap(node.child_by_field_name("function"))
        args = _args(node)
        if callee is None:
            return UNKNOWN
        if callee.type == "member_expression":
            prop = _prop_name(callee, pf)
            obj = callee.child_by_field_name("object")
            if prop in ("replace", "replaceAll") and args:
                first = jsvalues.unwrap(args[0])
                if first is not None and first.type == "regex" and _regex_strips_slash(first, pf):
                    return STRIPPED
                if first is not None and string_of(first, pf) == "/":
                    return STRIPPED
                return self.classify(obj, depth + 1, env)
            if prop in ("slice", "substring", "substr") and args:
                first = jsvalues.literal(args[0], pf)
                if isinstance(first, (int, float)) and not isinstance(first, bool) and first >= 1:
                    return STRIPPED
                return UNKNOWN
            if prop in ("trim", "trimEnd", "trimRight", "toString", "toLowerCase", "normalize", "valueOf"):
                return self.classify(obj, depth + 1, env)
            return UNKNOWN
        if callee.type == "identifier":
            name = pf.text(callee)
            if name == "encodeURIComponent":
                return ENCODED
            if name in ("String", "decodeURI", "decodeURIComponent") and args:
                return self.classify(args[0], depth + 1, env)
            function = function_of(callee, pf)
            if function is None:
                return UNKNOWN
            inner_env = dict(env)
            inner_env[(function.start_byte, function.end_byte)] = args
            results = [self.classify(r, depth + 1, inner_env) for r in returned_expressions(function)]
            if not results:
                return UNKNOWN
            if STRIPPED in results and not any(r in (SLASH, ENCODED) for r in results):
                return STRIPPED  # a helper that strips the slash somewhere: trust it (stay silent)
            return _worst(*results)
        return UNKNOWN

    def _identifier(self, node, depth: int, env: dict) -> str:
        pf = self.pf
        binding = resolve(node, pf)
        if binding is None:
            return UNKNOWN
        if binding.kind == "param":
            key = (binding.function.start_byte, binding.function.end_byte)
            if key in env:
                args = env[key]
                if binding.prop is None and binding.index < len(args):
                    return self._maybe_stripped(binding, self.classify(args[binding.index], depth + 1, env), node)
                return UNKNOWN
            if binding.index == 0 and binding.prop == "src" and self.is_loader(binding.function):
                return self._maybe_stripped(binding, LOADER_SRC, node)
            return self._maybe_stripped(binding, UNKNOWN, node)
        if binding.kind in ("const", "let", "var"):
            if binding.prop is not None:
                value = jsvalues.unwrap(binding.value)
                if binding.prop == "src" and value is not None and value.type == "identifier":
                    inner = resolve(value, pf)
                    if inner is not None and inner.kind == "param" and inner.prop is None and inner.index == 0 \
                            and self.is_loader(inner.function):
                        return self._maybe_stripped(binding, LOADER_SRC, node)
                return UNKNOWN
            result = self.classify(binding.value, depth + 1, env) if binding.value is not None else UNKNOWN
            return self._maybe_stripped(binding, result, node)
        return UNKNOWN

    def _maybe_stripped(self, binding: Binding, result: str, use) -> str:
        """A leading-slash strip reassigning the variable, or a guard around the use, wins."""
        if result in (STRIPPED, UNKNOWN):
            return result
        pf = self.pf
        for right in assignments(binding, pf):
            if self.classify(right, 1) == STRIPPED:
                return STRIPPED
        if result == LOADER_SRC and guarded(use, pf):
            return STRIPPED
        return result


def guarded(node, pf) -> bool:
    """Whether `node` sits in a branch that tests for a leading '/' (then the author handled it),
    or in the branch where the source is an absolute URL (`if (src.startsWith('https://'))`:
    Cloudflare takes an absolute source after the options, REFERENCE.md §4.1)."""
    function = None
    for current in ancestors(node, pf):
        if current.type in FUNCTION_TYPES:
            function = current
            break
        if current.type in ("ternary_expression", "if_statement"):
            condition = current.child_by_field_name("condition")
            if slash_test(condition, pf) or _in_absolute_branch(node, current, condition, pf):
                return True
    if function is None:
        return False
    body = function.child_by_field_name("body")
    # an early `if (src.startsWith('/')) return …` before the use, or `if (!isAbsolute) return …`
    for statement in (body.named_children if body is not None and body.type == "statement_block" else []):
        if statement.start_byte >= node.start_byte:
            break
        if statement.type == "if_statement" and (slash_test(statement.child_by_field_name("condition"), pf) or (
                statement.end_byte <= node.start_byte and _returns_unless_absolute(statement, pf))):
            return True
    return False


def _returns_unless_absolute(statement, pf) -> bool:
    """`if (!/^https?:/.test(src)) { …; return … }` without `else`: what follows has an absolute URL."""
    condition = jsvalues.unwrap(statement.child_by_field_name("condition"))
    if condition is None or statement.child_by_field_name("alternative") is not None or \
            condition.type != "unary_expression" or not _ABSOLUTE_TEST.search(pf.text(condition)):
        return False
    branch = statement.child_by_field_name("consequence")
    last = [c for c in branch.named_children if c.type != "comment"][-1:] if branch is not None and \
        branch.type == "statement_block" else [branch]
    return bool(last) and last[0] is not None and last[0].type in ("return_statement", "throw_statement")


# --------------------------------------------------------------------------------------------
# next.config `images` and loaders (REFERENCE.md §4.5)


@dataclass
class ImagesConfig:
    known: bool  # False: `images` (or a key that matters) is not a literal: stay silent
    present: bool = False
    loader: object = None
    loader_file: object = None
    unoptimized: object = None
    allow_svg: object = None  # images.dangerouslyAllowSVG


def images_config(app) -> ImagesConfig:
    config = app.next_config
    if config is None:
        return ImagesConfig(True)
    if config.node is None:
        return ImagesConfig(False)
    pairs = config.pairs()
    if any(child.type == "spread_element" for child in config.node.named_children):
        if "images" not in pairs:
            return ImagesConfig(False)
    images = config.value("images")
    if images is None:
        return ImagesConfig(True)
    if not isinstance(images, dict):
        return ImagesConfig(False, True)
    return ImagesConfig(True, True, images.get("loader"), images.get("loaderFile"), images.get("unoptimized"),
                        images.get("dangerouslyAllowSVG"))


def config_location(app, *keys) -> tuple[str, Span] | None:
    """Where a next.config key (or its closest present parent, or the config) is written."""
    config = app.next_config
    if config is None:
        return None
    for depth in range(len(keys), 0, -1):
        node = config.node_at(*keys[:depth])
        if node is not None:
            return config.path, config.pf.span(node)
    node = config.node or config.export_node
    if node is not None:
        return config.path, config.pf.span(node)
    return config.path, Span(1, 1, 1, 2)


def resolve_loader_file(ctx, loader_file: str) -> tuple[str | None, str, list[str]]:
    """(path Next.js checks, relative to the lint root, or None when outside it; state; candidates).

    Next.js joins `loaderFile` to the project directory and checks that exact path with
    `existsSync` (no extension resolution); state is 'file', 'directory' or 'missing'. When missing,
    `candidates` are the files the author probably meant (the path plus a source extension).
    """
    joined = posixpath.normpath(posixpath.join(ctx.app.root or ".", loader_file.lstrip("/")))
    if joined.startswith("../") or joined == "..":
        return None, "unknown", []
    rel = "" if joined == "." else joined
    if _is_file(ctx, rel):
        return rel, "file", []
    if _is_dir(ctx, rel):
        return rel, "directory", [c for c in (f"{rel}/index{e}" for e in LOADER_EXTENSIONS) if _is_file(ctx, c)]
    return rel, "missing", [c for c in (rel + e for e in LOADER_EXTENSIONS) if _is_file(ctx, c)]


def _is_file(ctx, rel: str) -> bool:
    if not rel:
        return False
    if ctx.ws.exists(rel):
        return True
    try:
        return (ctx.ws.root / rel).is_file()
    except OSError:
        return False


def _is_dir(ctx, rel: str) -> bool:
    if not rel:
        return True
    prefix = rel + "/"
    if any(p.startswith(prefix) for p in ctx.ws.paths):
        return True
    try:
        return (ctx.ws.root / rel).is_dir()
    except OSError:
        return False


def loader_module(ctx) -> str | None:
    """The module next.config's `images.loaderFile` points to (lint-root relative), when known."""
    images = images_config(ctx.app)
    if not images.known or not isinstance(images.loader_file, str):
        return None
    rel, state, candidates = resolve_loader_file(ctx, images.loader_file)
    if state == "file":
        return rel
    if state == "directory" and candidates:
        return candidates[0]
    return None


@dataclass
class DefaultExport:
    """What a module exports as default: a function, something else, or nothing."""

    kind: str  # 'function' | 'not-function' | 'none' | 'unknown'
    node: object = None  # the function, or the exported value / statement
    what: str = ""


def default_export(pf) -> DefaultExport:
    found = DefaultExport("none")
    for statement in pf.root.named_children:
        if statement.type == "export_statement":
            if any(c.type == "default" for c in statement.children):
                target = statement.child_by_field_name("declaration") or statement.child_by_field_name("value")
                found = _default_value(target, pf, statement)
                continue
            if statement.child_by_field_name("source") is not None:
                if b"default" in pf.node_bytes(statement):
                    found = DefaultExport("unknown", statement)
                continue
            clause = next((c for c in statement.named_children if c.type == "export_clause"), None)
            for spec in (clause.named_children if clause is not None else []):
                alias = spec.child_by_field_name("alias")
                name = spec.child_by_field_name("name")
                if spec.type == "export_specifier" and alias is not None and pf.text(alias) == "default":
                    found = _default_value(name, pf, spec)
        elif statement.type == "expression_statement" and statement.named_children:
            expr = statement.named_children[0]
            if expr.type == "assignment_expression":
                left = expr.child_by_field_name("left")
                text = pf.text(left).replace(" ", "") if left is not None else ""
                if text in ("module.exports", "exports.default", "module.exports.default"):
                    found = _default_value(expr.child_by_field_name("right"), pf, statement)
    return found


def _default_value(node, pf, where) -> DefaultExport:
    node = jsvalues.unwrap(node)
    if node is None:
        return DefaultExport("unknown", where)
    if node.type in FUNCTION_TYPES:
        return DefaultExport("function", node)
    if node.type in ("class_declaration", "class"):
        return DefaultExport("not-function", node, "a class (calling it without `new` throws)")
    if node.type == "identifier":
        binding = resolve(node, pf)
        if binding is None:
            return DefaultExport("unknown", node)
        if binding.kind == "function":
            return DefaultExport("function", binding.value)
        if binding.kind in ("const", "let", "var") and binding.prop is None and binding.value is not None:
            value = jsvalues.unwrap(binding.value)
            if value.type in FUNCTION_TYPES:
                return DefaultExport("function", value)
            if value.type in ("class", "object", "string", "template_string", "number", "array", "true", "false",
                              "null"):
                return DefaultExport("not-function", node, _describe(value))
        if binding.kind == "const" and binding.value is None:
            return DefaultExport("unknown", node)
        if binding.kind not in ("const", "let", "var"):
            return DefaultExport("unknown", node)
        if binding.kind in ("const", "let", "var") and binding.prop is None and binding.value is None:
            return DefaultExport("not-function", node, "undefined")
        return DefaultExport("unknown", node)
    if node.type in ("object", "string", "template_string", "number", "array", "true", "false", "null"):
        return DefaultExport("not-function", node, _describe(node))
    return DefaultExport("unknown", node)


def _describe(node) -> str:
    return {"object": "an object", "string": "a string", "template_string": "a string", "number": "a number",
            "array": "an array", "true": "a boolean", "false": "a boolean", "null": "null",
            "class": "a class (calling it without `new` throws)"}.get(node.type, "not a function")


def image_imports(summary) -> list[str]:
    """Local names bound to the default export of next/image (or next/legacy/image)."""
    names = []
    if summary is None:
        return names
    for imp in summary.imports:
        if imp.source in IMAGE_MODULES and imp.kind == "static" and not imp.type_only:
            names += [local for imported, local in imp.names if imported == "default"]
    return names


def image_files(ctx, only: set[str] | None = None):
    """(path, parsed file, local names of the next/image import) of each file that imports
    next/image (or next/legacy/image) and parses; only the files `only`, when given."""
    for path in ctx.files_containing(b"next/image", b"next/legacy/image"):
        if only is not None and path not in only:
            continue
        names = image_imports(ctx.summary(path))
        if not names:
            continue
        pf = ctx.parse(path)
        if pf is None:
            continue
        yield path, pf, names


def jsx_elements(pf, names: list[str]):
    """Opening / self-closing JSX elements whose tag is one of `names`, in document order."""
    wanted = {n.encode() for n in names}
    if not wanted:
        return
    for node in pf.walk():
        if node.type in ("jsx_opening_element", "jsx_self_closing_element"):
            tag = node.child_by_field_name("name")
            if tag is not None and pf.node_bytes(tag) in wanted:
                yield node


def jsx_attributes(element, pf) -> tuple[dict, bool]:
    """Attribute name -> value node (None for a bare attribute), and whether a spread is present."""
    attributes, spread = {}, False
    for child in element.named_children:
        if child.type == "jsx_attribute":
            name = child.named_children[0] if child.named_children else None
            if name is None:
                continue
            value = child.named_children[1] if len(child.named_children) > 1 else None
            attributes[pf.text(name)] = value
        elif child.type == "jsx_expression":  # {...props}
            spread = True
    return attributes, spread


def jsx_value(value):
    """The expression inside `{…}` of a JSX attribute value (or the string itself)."""
    if value is not None and value.type == "jsx_expression":
        inner = [c for c in value.named_children if c.type != "comment"]
        return inner[0] if inner else None
    return value


def loader_functions(ctx, path: str, pf) -> list:
    """Functions of the file that next/image calls as loaders, in document order.

    The default export of `images.loaderFile`; functions given as `loader={…}` to a next/image
    element, here or by a module that imports them; functions typed `ImageLoader` or whose
    parameter is typed `ImageLoaderProps`.
    """
    found = {}
    if path == loader_module(ctx):
        export = default_export(pf)
        if export.kind == "function":
            found[(export.node.start_byte, export.node.end_byte)] = export.node
    for (module, name) in imported_loaders(ctx):
        function = exported_function(pf, name) if module == path else None
        if function is not None:
            found[(function.start_byte, function.end_byte)] = function
    if b"loader" in pf.source and any(m.encode() in pf.source for m in IMAGE_MODULES):
        names = image_imports(ctx.summary(path))
        for element in jsx_elements(pf, names):
            attributes, _ = jsx_attributes(element, pf)
            if "loader" in attributes:
                function = function_of(jsx_value(attributes["loader"]), pf)
                if function is not None:
                    found[(function.start_byte, function.end_byte)] = function
    if b"ImageLoader" in pf.source:
        for node in pf.walk():
            if node.type in FUNCTION_TYPES:
                params = params_of(node)
                annotation = params[0].child_by_field_name("type") if params else None
                if annotation is not None and b"ImageLoaderProps" in pf.node_bytes(annotation):
                    found[(node.start_byte, node.end_byte)] = node
            elif node.type == "variable_declarator":
                annotation = node.child_by_field_name("type")
                value = jsvalues.unwrap(node.child_by_field_name("value"))
                if annotation is not None and b"ImageLoader" in pf.node_bytes(annotation) and value is not None \
                        and value.type in FUNCTION_TYPES:
                    found[(value.start_byte, value.end_byte)] = value
    return sorted(found.values(), key=lambda n: n.start_byte)


def imported_loaders(ctx) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(module, export name) -> [(importer, local name)] of the functions next/image elements get
    as `loader={name}` imported from another module of the app."""

    def compute():
        from edgelint.graph import shared_resolver

        found: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for path, pf, names in image_files(ctx):
            if b"loader" not in pf.source:
                continue
            imports = {local: (imp.source, imported) for imp in ctx.summary(path).imports
                       if imp.kind == "static" and not imp.type_only for imported, local in imp.names}
            for element in jsx_elements(pf, names):
                attributes, _ = jsx_attributes(element, pf)
                value = jsvalues.unwrap(jsx_value(attributes["loader"])) if "loader" in attributes else None
                local = pf.text(value) if value is not None and value.type == "identifier" else ""
                if local in imports:
                    resolved = shared_resolver(ctx).resolve(path, imports[local][0])
                    users = found.setdefault((resolved.target, imports[local][1]), []) if resolved.is_file else []
                    if (path, local) not in users:
                        users.append((path, local))
        return found

    return ctx.shared("image:imported-loaders", compute)


def exported_function(pf, name: str):
    """The function that export `name` of the file is, or None."""
    if name == "default":
        export = default_export(pf)
        return export.node if export.kind == "function" else None
    for statement in pf.root.named_children:
        binding = _declared_in(statement, name, pf, pf.root)
        if binding is not None:
            return binding.value if binding.kind == "function" else (
                function_of(binding.value, pf) if binding.kind == "const" and binding.prop is None else None)
    return None


# --------------------------------------------------------------------------------------------
# The URL analysis shared by EDGE401 and EDGE402


@dataclass
class UrlProblem:
    code: str  # 'EDGE401' | 'EDGE402'
    kind: str
    path: str
    span: Span
    message: str
    severity: str = ""
    fix: Fix | None = None
    related: tuple = ()
    url: tuple | None = None  # (path, byte of the URL's '/cdn-cgi/image/') it belongs to


def _roots(pf, names: set[bytes]):
    """String literals, template literals and `+` chains, not part of a larger chain, that mention
    cdn-cgi or one of the constant `names` (found from those words in the bytes: no visit of the
    rest of the tree)."""
    seen = set()
    roots = []
    chains: dict[int, object] = {}
    for needle in (b"cdn-cgi", *sorted(names)):
        for node in pf.around(needle):
            if node.type == "identifier":
                if pf.source[node.start_byte:node.end_byte] not in names:
                    continue
            elif node.type not in ("string", "template_string"):
                continue
            root = _chain_root(node, pf, chains)
            if root is not None and root.id not in seen:
                seen.add(root.id)
                roots.append(root)
    roots.sort(key=lambda n: (n.start_byte, -n.end_byte))
    return roots


def _chain_root(node, pf, chains: dict):
    """The outermost `+` chain around a string or name (through parentheses), or the node itself;
    None for a module specifier (import/export … from '…') or a bare identifier outside a chain.
    `chains` remembers the outermost chain of every `+` node climbed through, so the strings of one
    10,000-term concatenation do not each climb it again (and `pf.parent` is fast on deep trees)."""
    current, climbed = node, []
    while current.id not in chains:
        parent = pf.parent(current)
        while parent is not None and parent.type == "parenthesized_expression":
            parent = pf.parent(parent)
        if parent is None or parent.type != "binary_expression" or _operator(parent) != "+":
            if not climbed and (current.type == "identifier" or (
                    parent is not None and parent.type in ("import_statement", "export_statement"))):
                return None
            break
        climbed.append(parent.id)
        current = parent
    else:
        current = chains[current.id]
    for key in climbed:
        chains[key] = current
    return current


def _mentions_image(node, pf, names: set[bytes]) -> bool:
    raw = pf.source[node.start_byte:node.end_byte]
    if b"cdn-cgi" in raw:
        return True
    return any(name in raw for name in names)


def _image_constant_names(pf) -> set[bytes]:
    """Names of variables whose initializer mentions cdn-cgi (so uses elsewhere are inlined)."""
    names = set()
    for node in pf.around(b"cdn-cgi"):
        if node.type != "variable_declarator":
            continue
        name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if name is not None and name.type == "identifier" and value is not None \
                and b"cdn-cgi" in pf.source[value.start_byte:value.end_byte]:
            names.add(pf.node_bytes(name))
    return names


def analyse_file(ctx, path: str, pf, urls: set | None = None) -> list[UrlProblem]:
    """The problems of every /cdn-cgi/image/ URL in one file; `urls` collects the URLs seen."""
    builder = TextBuilder(pf)
    classifier = SourceClassifier(pf, {(f.start_byte, f.end_byte) for f in loader_functions(ctx, path, pf)})
    constants = _image_constant_names(pf)
    problems: list[UrlProblem] = []
    for root in _roots(pf, constants):
        if not _mentions_image(root, pf, constants):
            continue
        text = builder.build(root)
        if PREFIX not in text.text:
            continue
        found = imageurl.parse_image_urls(text.text)
        ids = [(path, text.starts[u.start]) for u in found]
        if urls is not None:
            urls.update(ids)
        for problem in imageurl.check_url(text.text, source_normalised=False):
            owner = max((i for i, u in enumerate(found) if u.start <= problem.start), default=None)
            for converted in _convert(ctx, path, pf, text, problem, classifier):
                converted.url = ids[owner] if owner is not None else None
                problems.append(converted)
    for fragment in builder.fragments:
        for problem in imageurl.check_options(fragment.text, dynamic_after=False):
            if problem.kind in ("missing-options", "empty-options"):
                continue
            problems.extend(_convert(ctx, path, pf, fragment, problem, classifier))
    return problems


def _convert(ctx, path, pf, text: StaticText, problem, classifier) -> list[UrlProblem]:
    kind = problem.kind
    code = "EDGE402" if kind in SOURCE_KINDS else "EDGE401"
    message = problem.message
    severity = "warning" if kind in WARNING_KINDS else ""
    related = ()
    if kind == "possible-double-slash":
        index = problem.end - 1
        node = text.nodes.get(index)
        classifier.loader = None
        verdict = classifier.classify(node) if node is not None else UNKNOWN
        if verdict in (STRIPPED, UNKNOWN):
            return []
        shown = _short(pf.text(node))
        if verdict == ENCODED:
            kind, severity = "encoded-source", "error"
            message = (f"The source image `{shown}` is URL-encoded (encodeURIComponent turns '/' into %2F and "
                       "'https://' into https%3A%2F%2F), but Cloudflare reads the source after the options as is: "
                       "append it unencoded, with any leading '/' removed (REFERENCE.md §4.1)")
        elif verdict == SLASH:
            message = (f"`{shown}` starts with '/', so the URL has '//' right after the options "
                       "(/cdn-cgi/image/<options>//path), which can be read as a protocol-relative URL: strip the "
                       "leading slash (REFERENCE.md §4.2)")
        else:
            site = _site_of(ctx, path, classifier.loader)
            evidence = local_sources(ctx, site) if site is not None else []
            if site is None or (site.via != "loaderFile" and not evidence):
                return []  # a loader for remote images only, as far as can be seen: stay silent
            from edgelint.api import Location

            related = tuple(Location(p, s, "a local image (its src starts with '/') rendered with this loader")
                            for p, s in evidence[:3])
            example = f" (e.g. {evidence[0][0]}:{evidence[0][1].line})" if evidence else ""
            message = (f"`{shown}` is the src next/image passes to the loader, unchanged: local images start with "
                       f"'/'{example}, so the URL becomes /cdn-cgi/image/<options>//path, which can be read as a "
                       "protocol-relative URL; strip the leading slash as Cloudflare's loader does "
                       "(`src.startsWith('/') ? src.slice(1) : src`, REFERENCE.md §4.2, §4.5)")
    elif kind == "encoded-source":
        severity = "error"
        message = message.rstrip(".") + " (REFERENCE.md §4.1)"
    elif kind in ("double-slash", "protocol-relative-source"):
        message = message.rstrip(".") + " (REFERENCE.md §4.2)"
    else:
        message = message.rstrip(".") + " (REFERENCE.md §4.3)" if kind in (
            "unknown-option", "invalid-value", "empty-value", "duplicate-option", "alias-and-name",
            "unencoded-hash", "unencoded-comma") else message.rstrip(".") + " (REFERENCE.md §4.1)"
    start, end = text.byte_range(problem.start, problem.end)
    use_site = code == "EDGE402" and text.inlined(problem.start, max(problem.end, problem.start + 1))
    if use_site:  # the constant is fine; the way it is used is not
        start, end = text.anchor_range(problem.start, problem.end)
    fix = None
    if problem.fix is not None and not use_site:
        edit = text.fix_range(problem.start, problem.end)
        if edit is not None:
            fix = Fix(path, edit[0], edit[1], problem.fix, _fix_description(kind, problem.fix))
    return [UrlProblem(code, kind, path, pf.span_bytes(start, end), message, severity, fix, related)]


def _fix_description(kind: str, replacement: str) -> str:
    if kind == "bad-separator":
        return "separate the options with ','"
    if kind == "unencoded-hash":
        return "encode '#' as %23"
    if kind == "unencoded-comma":
        return "encode the commas as %2C"
    if kind == "double-slash":
        return "remove the extra '/'"
    if replacement == "":
        return "remove it"
    return f"replace with {replacement!r}"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def cdn_cgi_paths(ctx, *also: bytes):
    """Each file that mentions `cdn-cgi` (and one of `also`, when given), among the files in focus
    (a pre-commit run reports on the named files only); not tests and mocks, whose URLs no page
    serves (a negative test holds a wrong URL on purpose)."""
    from ._kv import TEST_FILE

    for path in ctx.files_containing(b"cdn-cgi"):
        if ctx.in_focus(path) and not TEST_FILE.search(ctx.app.local(path)) \
                and (not also or ctx.ws.contains(path, *also)):
            yield path


def _url_analysis(ctx) -> tuple[list[UrlProblem], set]:
    def compute():
        found: list[UrlProblem] = []
        seen, urls = set(), set()
        for path in cdn_cgi_paths(ctx):
            data = ctx.ws.read(path)
            plain = imageurl.plain_url_literals(data) if data is not None else None
            if plain is not None:  # every URL is a whole, valid literal: nothing to report, no parse
                urls.update((path, offset) for offset in plain)
                continue
            pf = ctx.parse(path)
            if pf is None:
                continue
            for problem in analyse_file(ctx, path, pf, urls):
                key = (problem.code, problem.path, problem.span, problem.message)
                if key not in seen:
                    seen.add(key)
                    found.append(problem)
        return found, urls

    return ctx.shared("image:url-problems", compute)


def url_problems(ctx) -> list[UrlProblem]:
    """Every problem in /cdn-cgi/image/ URLs of the app, computed once and shared by EDGE401/402."""
    return _url_analysis(ctx)[0]


def url_findings(ctx, check):
    """The findings of `check` (EDGE401 or EDGE402) among the /cdn-cgi/image/ URL problems."""
    for problem in url_problems(ctx):
        if problem.code == check.code:
            yield ctx.finding(check, problem.path, problem.span, problem.message, severity=problem.severity,
                              fixes=[problem.fix] if problem.fix else [], related=problem.related, kind=problem.kind)


def url_counts(ctx) -> tuple[int, int]:
    """(URLs without an EDGE401/EDGE402 problem, URLs), each URL counted once where it is written."""
    problems, urls = _url_analysis(ctx)
    bad = {p.url for p in problems if p.url is not None}
    return len(urls - bad), len(urls)


# --------------------------------------------------------------------------------------------
# Loader functions and what they use (EDGE404, EDGE405)


@dataclass
class LoaderSite:
    path: str
    pf: object
    function: object
    via: str  # 'loaderFile' | 'prop' | 'typed'
    related: tuple = ()  # Locations that show why it is a loader

    @property
    def label(self) -> str:
        """What a message calls it."""
        return "images.loaderFile loader" if self.via == "loaderFile" else "image loader"


def loader_sites(ctx) -> list[LoaderSite]:
    """Every image loader function of the app (loaderFile default export, `loader={…}` props)."""

    def compute():
        from edgelint.api import Location

        sites: dict[tuple, LoaderSite] = {}
        module = loader_module(ctx)
        config = ctx.app.next_config
        paths = list(ctx.files_containing(b"next/image", b"next/legacy/image"))
        if module is not None and module not in paths:
            paths.append(module)
        paths += [target for target, _name in imported_loaders(ctx) if target not in paths]
        for path in sorted(paths):
            pf = ctx.parse(path)
            if pf is None:
                continue
            default = default_export(pf) if path == module else None
            for function in loader_functions(ctx, path, pf):
                via, related = "prop", ()
                if default is not None and default.kind == "function" and default.node == function:
                    via = "loaderFile"
                    node = config.node_at("images", "loaderFile") if config is not None else None
                    if node is not None:
                        related = (Location(config.path, config.pf.span(node), "images.loaderFile"),)
                sites[(path, function.start_byte)] = LoaderSite(path, pf, function, via, related)
        return list(sites.values())

    return ctx.shared("image:loader-sites", compute)


def loaders_not_using(ctx, prop: str) -> list[LoaderSite]:
    """The loaders that never use property `prop` (`width`, `quality`) of what next/image gives
    them, among those next/image calls: with `images.unoptimized: true`, or on an element with the
    `unoptimized` prop, it renders `src` as it is and calls no loader (next 15.1.2
    `shared/lib/get-img-props.js`: `if (config.unoptimized) unoptimized = true`, and
    `generateImgAttrs` returns `{ src }` for an unoptimized image)."""
    unoptimized = images_config(ctx.app).unoptimized
    if unoptimized is not None and unoptimized is not False:  # true, or not literal: stay silent
        return []
    return [site for site in loader_sites(ctx) if prop_usage(site.function, prop, site.pf) == "unused"
            and not _only_unoptimized(ctx, site)]


def _only_unoptimized(ctx, site: LoaderSite) -> bool:
    """Whether every element a `loader={…}` prop loader is given to also says `unoptimized`."""
    if site.via == "loaderFile":
        return False
    elements = list(rendered_with(ctx, site))
    return bool(elements) and all(_says_unoptimized(attributes) for _p, _pf, _e, attributes in elements)


def _says_unoptimized(attributes) -> bool:
    if "unoptimized" not in attributes:
        return False
    value = jsx_value(attributes["unoptimized"])
    return value is None or value.type == "true"


def prop_usage(function, prop: str, pf) -> str:
    """Whether a loader uses property `prop` of its argument: 'used', 'unused' or 'unknown'."""
    params = params_of(function)
    body = function.child_by_field_name("body")
    if not params:
        return "unknown" if body is not None and b"arguments" in body.text else "unused"
    pattern = param_pattern(params[0])
    if pattern is None:
        return "unknown"
    names = pattern_names(pattern, pf)
    if pattern.type == "identifier":
        return _member_usage(function, pattern, prop, pf)
    if pattern.type != "object_pattern":
        return "unknown"
    verdict = "unused"
    for ident, key in names:
        if key == prop:
            if any(u.start_byte != ident.start_byte for u in _identifier_uses(function, pf.text(ident), pf)):
                return "used"
        elif key == "...":
            rest = _member_usage(function, ident, prop, pf)
            if rest != "unused":
                verdict = rest
    return verdict


def _member_usage(function, ident, prop: str, pf) -> str:
    """'used' if `ident.prop` appears; 'unknown' if `ident` escapes whole; else 'unused'."""
    verdict = "unused"
    for use in _identifier_uses(function, pf.text(ident), pf):
        if use.start_byte == ident.start_byte:
            continue
        parent = parent_of(use, pf)
        if parent is not None and parent.type == "member_expression" and parent.child_by_field_name("object") == use:
            if _prop_name(parent, pf) == prop:
                return "used"
            continue
        if parent is not None and parent.type == "subscript_expression":
            verdict = "unknown"
            continue
        verdict = "unknown"
    return verdict


def function_span(function, pf) -> Span:
    """Where to report a finding about a function: its parameter list (or its start)."""
    params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    if params is not None:
        return pf.span(params)
    return pf.span(function.children[0]) if function.children else pf.span(function)


def rendered_with(ctx, site: LoaderSite):
    """(path, parsed file, element, attributes) of the next/image elements rendered with this
    loader: for a loaderFile loader those without a `loader` prop, else those whose `loader` prop is
    its function (in its own file)."""
    module_loader = site.via == "loaderFile"
    importers = {(path, local) for (module, name), users in imported_loaders(ctx).items() if module == site.path
                 and exported_function(site.pf, name) == site.function for path, local in users}
    only = None if module_loader else {site.path} | {path for path, _local in importers}
    for path, pf, names in image_files(ctx, only):
        for element in jsx_elements(pf, names):
            attributes, _ = jsx_attributes(element, pf)
            if "loader" in attributes:
                value = jsvalues.unwrap(jsx_value(attributes["loader"]))
                mine = path == site.path and function_of(value, pf) == site.function
                imported = value is not None and (path, pf.text(value)) in importers
                if module_loader or not (mine or imported):
                    continue
            elif not module_loader:
                continue
            yield path, pf, element, attributes


def element_span(element, pf) -> Span:
    """Where to report a finding about a JSX element: its `<` and tag name."""
    return pf.span(element.children[0], element.child_by_field_name("name"))


def elements_using(ctx, site: LoaderSite, attribute: str):
    """(path, span) of next/image elements rendered with this loader that set `attribute`."""
    for path, pf, element, attributes in rendered_with(ctx, site):
        if attribute in attributes:
            yield path, element_span(element, pf)


IMAGE_FILE = re.compile(r"\.(png|jpe?g|gif|webp|avif|svg|ico|bmp|tiff?)$", re.IGNORECASE)


def _site_of(ctx, path: str, function) -> LoaderSite | None:
    if function is None:
        return None
    return next((s for s in loader_sites(ctx) if s.path == path and s.function.start_byte == function.start_byte),
                None)


def local_src(value, pf) -> bool:
    """Whether a next/image `src` attribute value is plainly a local image (it starts with '/')."""
    node = jsx_value(value)
    node = jsvalues.unwrap(node) if node is not None else None
    if node is None:
        return False
    if node.type == "string":
        text = string_of(node, pf) or ""
        return text.startswith("/") and not text.startswith("//")
    if node.type == "template_string":
        for child in node.children:
            if child.type == "template_substitution":
                return False
            if child.type in ("string_fragment", "escape_sequence"):
                text = pf.text(child)
                return text.startswith("/") and not text.startswith("//")
        return False
    if node.type == "identifier":
        binding = resolve(node, pf)
        if binding is not None and binding.kind == "import":
            source = binding.node.child_by_field_name("source")
            return source is not None and bool(IMAGE_FILE.search(string_of(source, pf) or ""))
    return False


def local_sources(ctx, site: LoaderSite) -> list:
    """(path, span) of next/image elements rendered with this loader whose src is a local image."""

    def compute():
        return [(path, pf.span(attributes["src"])) for path, pf, _element, attributes in rendered_with(ctx, site)
                if "src" in attributes and local_src(attributes["src"], pf)]

    return ctx.shared(("image:local-sources", site.path, site.function.start_byte), compute)
