"""JSON with comments and trailing commas (wrangler.jsonc, tsconfig.json), with source positions.

The text is parsed with the TypeScript grammar as a parenthesised expression — a JSONC document
is a valid JavaScript expression — so every key and value keeps its line and column, which a
finding about a wrangler binding or a tsconfig path needs. Nothing is evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgelint import jsvalues
from edgelint.parsing import ParsedFile, Span, line_starts, offset_span, parse


class JsoncError(ValueError):
    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.span = span


@dataclass
class JsoncDocument:
    value: object
    _pf: ParsedFile
    _root: object

    def _node_at(self, keys):
        node = self._root
        for key in keys:
            node = jsvalues.unwrap(node)
            if node is None:
                return None
            if isinstance(key, int):
                items = [c for c in node.named_children if c.type != "comment"] if node.type == "array" else []
                node = items[key] if 0 <= key < len(items) else None
            else:
                pair = jsvalues.object_pairs(node, self._pf).get(key)
                node = pair[1] if pair else None
            if node is None:
                return None
        return node

    def span_of(self, *keys) -> Span | None:
        """The span of the value at a key path (strings for object keys, ints for array items)."""
        node = self._node_at(keys)
        return _shift(self._pf.span(node)) if node is not None else None

    def key_span(self, *keys) -> Span | None:
        """The span of the last key of a key path (the key itself, not its value)."""
        parent = self._node_at(keys[:-1]) if keys else None
        pair = jsvalues.object_pairs(parent, self._pf).get(keys[-1]) if parent is not None else None
        return _shift(self._pf.span(pair[0])) if pair else None


def _shift(span: Span) -> Span:
    return Span(span.line - 1, span.col, span.end_line - 1, span.end_col)


def loads(path: str, data: bytes) -> JsoncDocument:
    """Parse JSONC; raise JsoncError with a position when the text is not a JSON value."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    pf = parse(path + ".ts", b"(\n" + data + b"\n)")
    statements = [c for c in pf.root.named_children if c.type != "comment"]
    if pf.root.has_error or len(statements) != 1 or statements[0].type != "expression_statement":
        errors = pf.error_nodes()
        where = _shift(pf.span(errors[0])) if errors else Span(1, 1, 1, 1)
        last = len(line_starts(data))
        if where.line < 1:
            where = Span(1, 1, 1, 1)
        elif where.line > last:  # at the closing parenthesis added above: the end of the text
            end = len(data[line_starts(data)[-1]:].decode("utf-8", "replace")) + 1
            where = Span(last, end, last, end)
        strict = _strict_error(data)
        if strict is not None:
            message, offset = strict
            raise JsoncError(f"not valid JSON (with comments): {message}",
                             offset_span(data.decode("utf-8", "replace"), offset))
        raise JsoncError("not valid JSON (with comments)", where)
    expression = statements[0].named_children[0]
    inner = jsvalues.unwrap(expression)
    value = _plain(jsvalues.literal(inner, pf))
    if isinstance(value, jsvalues.Unknown):
        raise JsoncError(f"not valid JSON: {value.reason}", _shift(pf.span(inner)))
    return JsoncDocument(value, pf, inner)


def _strict_error(data: bytes) -> tuple[str, int] | None:
    """Python's JSON error (message, character offset) for the text with its comments and trailing
    commas blanked out (so positions stay), when that is what makes it invalid; else None."""
    import json

    text = data.decode("utf-8", "replace")
    out = list(text)
    i, n, in_string = 0, len(text), False
    while i < n:
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"' or ch == "\n":
                in_string = False
        elif ch == '"':
            in_string = True
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end == -1 else end + 2
            for j in range(i, end):
                out[j] = out[j] if text[j] == "\n" else " "
            i = end
            continue
        elif ch == ",":
            j = i + 1
            while j < n and (out[j].isspace()):
                j += 1
            if j < n and text[j] in "}]":
                out[i] = " "
        i += 1
    try:
        json.loads("".join(out))
    except json.JSONDecodeError as error:
        message = "a line break or control character inside a string" if error.msg.startswith(
            "Invalid control character") else error.msg.replace("Expecting", "expected")
        return message, error.pos
    except (ValueError, RecursionError):
        return None
    return None


def _plain(value):
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
