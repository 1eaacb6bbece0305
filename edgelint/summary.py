"""Module summaries: what one source file imports and exports, with literal values and positions.

A summary is computed from the syntax tree once per file content and is plain data (it can be
cached as JSON). The project model (routes, effective runtimes) and the import graph are built
from summaries only; checks that need more parse the file themselves.

Type-only imports and exports (`import type`, `export type`, `import { type A }` where every
specifier is a type) are erased, as TypeScript erases them, and never count as dependencies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from edgelint import elision, jsvalues
from edgelint.parsing import ParsedFile, Span, string_value

DECLARATION_TYPES = {"lexical_declaration": None, "variable_declaration": "var"}
TYPESCRIPT_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts")
FUNCTION_TYPES = {"function_declaration", "generator_function_declaration", "function_expression", "function",
                  "arrow_function", "generator_function"}


@dataclass
class Import:
    source: str
    kind: str  # 'static' | 'side-effect' | 'reexport' | 'dynamic' | 'require'
    span: Span  # the module specifier string
    names: list[tuple[str, str]] = field(default_factory=list)  # (imported name, local name); '*' / 'default'
    type_only: bool = False
    value_used: bool = True  # some imported binding is used as a value (TypeScript keeps the import)
    type_position: bool = False  # `import('x')` used as a type
    edge_dead: bool = False  # in a branch Next.js removes from edge bundles (NEXT_RUNTIME)

    def to_plain(self) -> dict:
        return {**vars(self), "span": list(self.span)}

    @classmethod
    def from_plain(cls, data: dict) -> "Import":
        return cls(**{**data, "span": Span(*data["span"]), "names": [tuple(n) for n in data["names"]]})


@dataclass
class Export:
    name: str
    kind: str  # 'const' | 'let' | 'var' | 'function' | 'class' | 'local' | 'reexport' | 'expression'
    span: Span  # the exported name (or the `export default` keyword)
    form: str = ""  # jsvalues.form() of the initializer / value
    value: object = None  # literal value, or {'unknown': reason}
    value_span: Span | None = None
    is_function: bool = False
    is_async: bool = False
    params: int = 0  # number of parameters, for functions
    reads_first_param: bool = False  # `GET`: its body uses its first parameter (the request; see `dynamic`)
    callee: str = ""  # for a call initializer, the callee's text (e.g. 'withRateLimit')
    local: str = ""  # for `export { local as name }`
    source: str = ""  # for re-exports


@dataclass
class ModuleSummary:
    path: str
    directives: list[str] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    exports: dict[str, Export] = field(default_factory=dict)
    star_exports: list[str] = field(default_factory=list)
    dynamic_apis: list[str] = field(default_factory=list)  # request-time APIs used: cookies, headers, searchParams…
    parse_errors: list[Span] = field(default_factory=list)

    @property
    def use_client(self) -> bool:
        return "use client" in self.directives

    @property
    def use_server(self) -> bool:
        return "use server" in self.directives

    def value(self, name: str):
        """The literal value of export `name`, None when absent, an `Unknown` when not literal."""
        export = self.exports.get(name)
        if export is None:
            return None
        if isinstance(export.value, dict) and set(export.value) == {"unknown"}:
            return jsvalues.Unknown(export.value["unknown"])
        return export.value

    def to_dict(self) -> dict:
        """Plain data for the cache (hand-written: `dataclasses.asdict` is far slower)."""
        def span(value):
            return list(value) if value is not None else None

        return {
            "path": self.path, "directives": self.directives,
            "imports": [i.to_plain() for i in self.imports],
            "exports": {name: {**vars(e), "span": span(e.span), "value_span": span(e.value_span)}
                        for name, e in self.exports.items()},
            "star_exports": self.star_exports, "dynamic_apis": self.dynamic_apis,
            "parse_errors": [span(e) for e in self.parse_errors],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ModuleSummary":
        def span(v):
            if not v:
                return None
            return Span(**v) if isinstance(v, dict) else Span(*v)

        imports = [Import.from_plain(i) for i in data["imports"]]
        exports = {}
        for name, e in data["exports"].items():
            e = dict(e)
            e["span"] = span(e["span"])
            e["value_span"] = span(e["value_span"])
            exports[name] = Export(**e)
        return cls(data["path"], list(data["directives"]), imports, exports, list(data["star_exports"]),
                   list(data["dynamic_apis"]), [span(s) for s in data["parse_errors"]])


def _plain(value):
    """A JSON-friendly copy of a literal value (Unknown becomes {'unknown': reason})."""
    if isinstance(value, jsvalues.Unknown):
        return {"unknown": value.reason}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def directives(pf: ParsedFile, body=None) -> list[str]:
    """The directive prologue ('use client', 'use server', 'use strict', …) of a program or body."""
    found = []
    for child in (body or pf.root).named_children:
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and child.named_child_count == 1:
            value = string_value(child.named_children[0], pf)
            if value is not None and child.named_children[0].type == "string":
                found.append(value)
                continue
        break
    return found


def imports_value(summary: ModuleSummary) -> dict:
    """The "imports" fact of a file (`edgelint.facts`) from its summary: its imports, and its
    first syntax error (whoever reads the imports reports it)."""
    error = summary.parse_errors[0] if summary.parse_errors else None
    return {"imports": [i.to_plain() for i in summary.imports], "error": list(error) if error else None}


def summarize(pf: ParsedFile) -> ModuleSummary:
    summary = ModuleSummary(pf.path, directives(pf))
    for statement in pf.root.named_children:
        if statement.type == "import_statement":
            _import(statement, pf, summary)
        elif statement.type == "export_statement":
            _export(statement, pf, summary)
    _dynamic_imports(pf, summary)
    _mark_erased(pf, summary)
    summary.dynamic_apis = _dynamic_apis(pf, summary)
    summary.parse_errors = [pf.span(n) for n in pf.syntax_errors()[:20]]
    return summary


def _has_token(node, token: str) -> bool:
    return any(c.type == token and not c.is_named for c in node.children)


def _import(node, pf: ParsedFile, summary: ModuleSummary) -> None:
    source = node.child_by_field_name("source")
    if source is None or string_value(source, pf) is None:
        return
    type_only = _has_token(node, "type")
    names: list[tuple[str, str]] = []
    specifier_count = type_specifiers = 0
    clause = next((c for c in node.named_children if c.type == "import_clause"), None)
    if clause is not None:
        for part in clause.named_children:
            if part.type == "identifier":
                names.append(("default", pf.text(part)))
            elif part.type == "namespace_import":
                ident = next((c for c in part.named_children if c.type == "identifier"), None)
                names.append(("*", pf.text(ident) if ident else "*"))
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    specifier_count += 1
                    if _has_token(spec, "type"):
                        type_specifiers += 1
                        continue
                    name = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias")
                    imported = pf.text(name) if name else ""
                    names.append((imported, pf.text(alias) if alias else imported))
    if specifier_count and specifier_count == type_specifiers and not names:
        type_only = True
    kind = "static" if clause is not None else "side-effect"
    summary.imports.append(Import(string_value(source, pf), kind, pf.span(source), names, type_only))


def _export(node, pf: ParsedFile, summary: ModuleSummary) -> None:
    source = node.child_by_field_name("source")
    type_only = _has_token(node, "type") or any(pf.export_type_star(c) for c in node.children if c.is_error)
    if source is not None:
        module = string_value(source, pf) or ""
        names = []
        clause = next((c for c in node.named_children if c.type == "export_clause"), None)
        if clause is not None:
            for local, exported, span in _export_specifiers(clause, pf):
                names.append((local, exported))
                summary.exports[exported] = Export(exported, "reexport", span, local=local, source=module)
            if not names and any(c.type == "export_specifier" for c in clause.named_children):
                type_only = True  # `export { type A, type B } from '…'`: erased like `export type { … }`
        else:
            if not type_only:
                summary.star_exports.append(module)
            names.append(("*", "*"))
        summary.imports.append(Import(module, "reexport", pf.span(source), names, type_only))
        return
    if type_only:
        return
    if _has_token(node, "default"):
        _default_export(node, pf, summary)
        return
    declaration = node.child_by_field_name("declaration")
    if declaration is not None:
        _declaration(declaration, pf, summary)
        return
    clause = next((c for c in node.named_children if c.type == "export_clause"), None)
    if clause is not None:
        for local, exported, span in _export_specifiers(clause, pf):
            summary.exports[exported] = Export(exported, "local", span, local=local)


def _export_specifiers(clause, pf: ParsedFile):
    """(local name, exported name, span of the exported name) of `{ a, b as c }`, types skipped."""
    for spec in clause.named_children:
        if spec.type != "export_specifier" or _has_token(spec, "type"):
            continue
        name = spec.child_by_field_name("name")
        exported = spec.child_by_field_name("alias") or name
        yield pf.text(name), pf.text(exported), pf.span(exported)


def _declaration(declaration, pf: ParsedFile, summary: ModuleSummary) -> None:
    t = declaration.type
    if t in ("function_declaration", "generator_function_declaration"):
        name = declaration.child_by_field_name("name")
        if name is not None:
            summary.exports[pf.text(name)] = Export(pf.text(name), "function", pf.span(name), form="function",
                                                    is_function=True, is_async=_has_token(declaration, "async"),
                                                    params=_param_count(declaration),
                                                    reads_first_param=_reads_first_param(pf.text(name), declaration, pf))
    elif t in ("class_declaration", "abstract_class_declaration"):
        name = declaration.child_by_field_name("name")
        if name is not None:
            summary.exports[pf.text(name)] = Export(pf.text(name), "class", pf.span(name), form="class")
    elif t in ("lexical_declaration", "variable_declaration"):
        kind = "var" if t == "variable_declaration" else pf.text(declaration.children[0])
        for declarator in declaration.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            if name is None or name.type != "identifier":
                continue
            value = declarator.child_by_field_name("value")
            summary.exports[pf.text(name)] = _valued_export(pf.text(name), kind, pf.span(name), value, pf)


def _valued_export(name: str, kind: str, span: Span, value, pf: ParsedFile) -> Export:
    export = Export(name, kind, span)
    if value is None:
        return export
    export.form = jsvalues.form(value)
    export.value = _plain(jsvalues.literal(value, pf))
    export.value_span = pf.span(value)
    inner = jsvalues.unwrap(value)
    if inner is not None and inner.type in FUNCTION_TYPES:
        export.is_function = True
        export.is_async = _has_token(inner, "async")
        export.params = _param_count(inner)
        export.reads_first_param = _reads_first_param(name, inner, pf)
    elif inner is not None and inner.type == "call_expression":
        callee = inner.child_by_field_name("function")
        export.callee = pf.text(callee) if callee is not None else ""
    return export


def _param_count(function) -> int:
    params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    if params is None:
        return 0
    if params.type == "identifier":
        return 1
    return sum(1 for c in params.named_children if c.type != "comment")


def _param_patterns(function) -> list:
    """The binding pattern of each parameter of a function (`x`, `{ a, b }`, `[c]`)."""
    params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    if params is None:
        return []
    if params.type == "identifier":  # `x => …`
        return [params]
    found = []
    for param in params.named_children:
        if param.type != "comment":
            pattern = param.child_by_field_name("pattern") if param.type in (
                "required_parameter", "optional_parameter") else param
            if pattern is not None:
                found.append(pattern)
    return found


def _reads_first_param(name: str, function, pf: ParsedFile) -> bool:
    """Whether the function's body uses its first parameter (a destructured one always reads it).
    Asked of `GET` only: whether a GET route handler reads its request is all it decides."""
    if name != "GET":
        return False
    pattern = next(iter(_param_patterns(function)), None)
    if pattern is None:
        return False
    if pattern.type != "identifier":
        return True
    body = function.child_by_field_name("body")
    if body is None:
        return False
    text = pf.source[body.start_byte:body.end_byte]  # the name, not a property of that name (`x.req`)
    return any(at == 0 or text[at - 1] != ord(".") for at, _end in elision.occurrences(text, pf.text(pattern).encode()))


def _default_export(node, pf: ParsedFile, summary: ModuleSummary) -> None:
    keyword = next(c for c in node.children if c.type == "default")
    declaration = node.child_by_field_name("declaration")
    value = node.child_by_field_name("value")
    target = declaration or value
    export = Export("default", "expression", pf.span(keyword))
    if target is not None:
        if target.type in ("function_declaration", "generator_function_declaration", "class_declaration"):
            export.kind = "class" if target.type == "class_declaration" else "function"
            export.is_function = target.type != "class_declaration"
            export.is_async = _has_token(target, "async")
            export.form = "function" if export.is_function else "class"
            export.params = _param_count(target) if export.is_function else 0
        else:
            export = _valued_export("default", "expression", pf.span(keyword), target, pf)
            if target.type == "identifier":
                export.local = pf.text(target)
    summary.exports["default"] = export




#: What follows the word in the bytes of every `import(…)` and `require(…)` call: (after blanks
#: and comments) `(`, `?.(` or `<` (type arguments). Files without such a word are not searched.
_CALL_AFTER_WORD = re.compile(rb"(?:\s|/\*.*?\*/|//[^\n\r]*)*(?:\(|\?|<)", re.S)
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


def may_call_import_or_require(source: bytes) -> bool:
    """Whether the word `import` or `require` (not preceded by a letter, digit, `_` or `$`) is
    followed by what starts a call (`_CALL_AFTER_WORD`). One regular expression for all of it
    took ten times longer: it tries every position of the file."""
    for word in (b"import", b"require"):
        at = source.find(word)
        while at != -1:
            if (at == 0 or source[at - 1] not in _WORD_BYTES) and _CALL_AFTER_WORD.match(source, at + len(word)):
                return True
            at = source.find(word, at + 1)
    return False


def dynamic_import_calls(pf: ParsedFile) -> list[tuple[str, object]]:
    """('dynamic' | 'require', call) for every `import(…)` and `require(…)` call, in document
    order: found from the words in the bytes (`ParsedFile.around`), not by a query. A query that
    compares text (`#eq? @fn "require"`) makes tree-sitter read the text of every candidate
    through the parse's read callback, quadratic on a large file (a minified bundle took 30 s)."""
    if not may_call_import_or_require(pf.source):
        return []
    found = {}
    for needle in (b"import", b"require"):
        for node in pf.around(needle):
            function = node.child_by_field_name("function") if node.type == "call_expression" else None
            if function is not None and function.type == "import":
                found[node.id] = ("dynamic", node)
            elif function is not None and function.type == "identifier" and pf.text(function) == "require":
                found[node.id] = ("require", node)
    return sorted(found.values(), key=lambda item: (item[1].start_byte, -item[1].end_byte))


def _declared_around(pf: ParsedFile, node, name: str) -> bool:
    """Whether `name` is a parameter, variable or function declared in a scope around `node` (a
    local `require` from `createRequire(…)` or a parameter is not the module loader bundlers see)."""
    current = pf.parent(node)
    while current is not None:
        if current.type in _SCOPE_FUNCTIONS and any(
                p.type == "identifier" and pf.text(p) == name for p in _param_patterns(current)):
            return True
        if current.type in ("statement_block", "program"):
            for statement in current.named_children:
                if statement.type == "export_statement":
                    statement = statement.child_by_field_name("declaration") or statement
                if statement.type in ("lexical_declaration", "variable_declaration"):
                    if any(d.type == "variable_declarator" and pf.text(d.child_by_field_name("name")) == name
                           for d in statement.named_children if d.child_by_field_name("name") is not None):
                        return True
                elif statement.type == "function_declaration" and statement.child_by_field_name("name") is not None \
                        and pf.text(statement.child_by_field_name("name")) == name:
                    return True
        current = pf.parent(current)
    return False


def _dynamic_imports(pf: ParsedFile, summary: ModuleSummary) -> None:
    """`import('x')` and `require('x')` calls anywhere in the file."""
    for kind, node in dynamic_import_calls(pf):
        if kind == "require" and _declared_around(pf, node, "require"):
            continue  # a local `require` (a parameter, createRequire's result): no module request
        args = node.child_by_field_name("arguments")
        first = next((a for a in args.named_children if a.type != "comment"), None) if args is not None else None
        value = string_value(first, pf) if first is not None else None
        if value is not None:
            summary.imports.append(Import(value, kind, pf.span(first)))


def _mark_erased(pf: ParsedFile, summary: ModuleSummary) -> None:
    """Record which imports a bundler drops (see `edgelint.elision`)."""
    named = [i for i in summary.imports if i.kind == "static" and i.names and not i.type_only]
    calls = [i for i in summary.imports if i.kind in ("dynamic", "require")]
    if not (named and pf.path.endswith(TYPESCRIPT_EXTENSIONS)) and not calls:
        return
    ancestry = elision.Ancestry(pf.root)
    if pf.path.endswith(TYPESCRIPT_EXTENSIONS):
        uses = elision.ValueUses(pf, ancestry)
        for imp in named:
            imp.value_used = any(uses.has(local) for _name, local in imp.names)
    dead = elision.dead_spans(pf, after_return=False) if calls else []
    for imp in calls:
        start = elision.byte_offset(pf, imp.span.line, imp.span.col)
        trail = ancestry.path(start, start + 1)
        call_at = [k for k, node in enumerate(trail) if node.type == "call_expression"]
        imp.type_position = bool(call_at) and call_at[-1] > 0 and elision.in_type_context(trail[call_at[-1] - 1::-1])
        imp.edge_dead = elision.in_spans(imp.span, dead, pf)


#: Request-time APIs that make an App Router route render dynamically (REFERENCE.md §1.8, §2.4).
DYNAMIC_API_MODULES = {"next/headers": {"cookies", "headers", "draftMode"},
                       "next/server": {"connection"},
                       "next/cache": {"unstable_noStore"}}


def _dynamic_apis(pf: ParsedFile, summary: ModuleSummary) -> list[str]:
    found = []
    for imp in summary.imports:
        wanted = DYNAMIC_API_MODULES.get(imp.source, set())
        found += [f"{name}()" for name, local in imp.names if name in wanted and _used_in_render(pf, local)]
    if b"searchParams" in pf.source and not summary.use_client and _default_reads_search_params(pf):
        found.append("searchParams")
    return sorted(set(found))


#: Functions, methods included: each has its own parameters and body.
_SCOPE_FUNCTIONS = FUNCTION_TYPES | {"method_definition"}


def _used_in_render(pf: ParsedFile, name: str) -> bool:
    """Whether an imported request-time API is used outside the file's inline server actions
    (functions with a 'use server' directive run per action call, not when the page renders)."""
    for ident in pf.around(name.encode()):
        if ident.type != "identifier" or pf.text(ident) != name:
            continue
        node, in_import, in_action = pf.parent(ident), False, False
        while node is not None:
            if node.type == "import_statement":
                in_import = True
                break
            body = node.child_by_field_name("body") if node.type in _SCOPE_FUNCTIONS else None
            if body is not None and body.type == "statement_block" and "use server" in directives(pf, body):
                in_action = True
                break
            node = pf.parent(node)
        if not in_import and not in_action:
            return True
    return False


def _default_reads_search_params(pf: ParsedFile) -> bool:
    """Whether the default-exported function (the page) or `generateMetadata` reads the
    `searchParams` prop: its first parameter destructures it, or the body reads
    `props.searchParams` (or destructures it from `props`). Not any `searchParams` in the file:
    `url.searchParams.set(…)` or a comment are not the prop."""
    default, named = _top_functions(pf)
    return any(_reads_search_params(pf, f) for f in (default, named.get("generateMetadata")) if f is not None)


def _reads_search_params(pf: ParsedFile, function) -> bool:
    pattern = next(iter(_param_patterns(function)), None)
    if pattern is None:
        return False
    if pattern.type == "object_pattern":
        return any(pf.text(c).split(":")[0].split("=")[0].strip() == "searchParams" for c in pattern.named_children)
    if pattern.type != "identifier":
        return False
    name = re.escape(pf.text(pattern).encode())
    body = pf.source[function.start_byte:function.end_byte]
    return re.search(rb"\b" + name + rb"\s*[?!]?\.\s*searchParams\b", body) is not None or \
        re.search(rb"\bsearchParams\b[^;=]*\}\s*=\s*(?:await\s+)?" + name + rb"\b", body) is not None


def _top_functions(pf: ParsedFile):
    """(the default-exported function node or None, {name: function node} of the top level)."""
    named = {}
    for statement in pf.root.named_children:
        node = statement.child_by_field_name("declaration") if statement.type == "export_statement" else statement
        if node is not None and node.type == "function_declaration" and node.child_by_field_name("name"):
            named[pf.text(node.child_by_field_name("name"))] = node
        elif node is not None and node.type == "lexical_declaration":
            for declarator in node.named_children:
                value = declarator.child_by_field_name("value")
                if value is not None and value.type in ("arrow_function", "function_expression", "function"):
                    named[pf.text(declarator.child_by_field_name("name"))] = value
    for statement in pf.root.named_children:
        if statement.type != "export_statement" or not _has_token(statement, "default"):
            continue
        value = statement.child_by_field_name("declaration") or statement.child_by_field_name("value")
        if value is None:
            value = next((c for c in statement.named_children if c.type not in ("comment", "decorator")), None)
        if value is not None and value.type == "identifier":
            return named.get(pf.text(value)), named
        if value is not None and value.type in ("function_declaration", "function_expression", "arrow_function",
                                                "function", "generator_function_declaration"):
            return value, named
        return None, named
    return None, named
