"""What the next.config `webpack` hook does to `config.entry`, read once per app (EDGE5xx).

The seed pattern (REFERENCE.md §6.3) is

    webpack(config, { nextRuntime }) {
      if (nextRuntime === 'edge') {
        const originalEntry = config.entry
        config.entry = async () => {
          const entries = await originalEntry()
          … prepend './lib/edge-polyfills.js' to entries[name], unless it is already there …
          return entries
        }
      }
      return config
    }

`analyse(ctx)` (shared as `ctx.shared("polyfill-injection")` through `injection_analysis`) finds in
the next.config file:

* the hooks: a `webpack` property of any object (method, arrow, function, or an identifier bound
  to one; plugin wrappers defined in the file included) and `x.webpack = …` assignments;
* each `<config>.entry = …` assignment in a hook, or in a helper function a hook calls, with the
  guards that decide in which of the three compilations (client, Node.js server, edge server;
  §6.2) it runs: enclosing `if`s, ternaries, `&&`/`||` and early returns, evaluated on
  `isServer`, `nextRuntime` and `dev` (destructured, renamed, `options.x`, or local aliases);
* the new entry function: the captured original (`const originalEntry = config.entry`), whether
  it is called, awaited (or `.then`-chained), whether the function returns, and the helper
  functions it calls;
* the mutations of entry values (`.unshift`, `.push`, `.splice`, `.concat`, array spread), the
  module paths they add (string literals, constants, `path.resolve(__dirname, …)`,
  `require.resolve`, `new URL(…, import.meta.url)`), to which entry keys, how entry values are
  handled (arrays, strings, `{ import: [...] }` descriptors) and whether an `includes`-style
  check prevents adding the polyfill twice;
* for each added path that is a file of the project: the globals the module (and the local
  modules it imports) defines (`globalThis.X =`, `global.X =`, `self.X =`,
  `Object.defineProperty(globalThis, 'X', …)`, `Object.assign(globalThis, {…})`,
  `process.nextTick =` as `process.nextTick`) and the graph of its imports.

`edge_uses(ctx, names)` finds the Node globals and polyfilled names that edge code uses, with the
scope-aware search of the edge-compat checks (`_compat.free_references`).

Trees are walked iteratively (`ParsedFile.walk` or explicit stacks); nothing here recurses over a
tree, except short, depth-limited chains of identifier bindings.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from edgelint import jsvalues
from edgelint.api import Context, Route
from edgelint.graph import EdgeGraph, build, shared_resolver
from edgelint.parsing import ParsedFile, string_value

from ._compat import EDGE_UNSUPPORTED_NODE_APIS, EdgeCode, Scopes, compat_graph, edge_files, free_references, \
    is_guarded

WORLDS = ("client", "nodejs", "edge")
#: What the hook's context says in each compilation (REFERENCE.md §6.2); `dev` is unknown.
WORLD_VALUES = {
    "client": {"isServer": False, "nextRuntime": None},
    "nodejs": {"isServer": True, "nextRuntime": "nodejs"},
    "edge": {"isServer": True, "nextRuntime": "edge"},
}
FIELDS = frozenset({"isServer", "nextRuntime", "dev"})
WORLD_LABELS = {"client": "the client (browser)", "nodejs": "the Node.js server", "edge": "the edge server"}

#: Entry names of the client compilation: the classic browser-polyfill target (§6.3).
CLIENT_ENTRY_KEYS = frozenset({"main.js", "main", "main-app", "react-refresh", "amp"})
#: Entry names of the edge compilation only: `middleware` (Next's `runDependingOnPageType` builds a
#: middleware file for the edge server; a 15.5+ `runtime: 'nodejs'` middleware is taken as edge too).
EDGE_ENTRY_KEYS = frozenset({"middleware"})

FUNCTIONS = frozenset({"arrow_function", "function_expression", "function", "function_declaration",
                       "generator_function", "generator_function_declaration", "method_definition"})
GLOBAL_OBJECTS = frozenset({"globalThis", "global", "self", "window"})
#: Node globals a polyfill may provide to edge code (§2.1 has none of them; §2.2 lists the APIs).
NODE_GLOBALS = frozenset({"Buffer", "process", "global", *EDGE_UNSUPPORTED_NODE_APIS})
#: Globals Next.js itself provides to edge code, in every version checked (REFERENCE.md §8a).
PROVIDED_BY_NEXT = {"Buffer": "Next.js provides `Buffer` to edge code in every version checked (REFERENCE.md §8a)"}
MUTATORS = frozenset({"unshift", "push", "splice", "concat"})
DEDUPE_METHODS = frozenset({"includes", "indexOf", "some", "find", "findIndex", "has"})
ROOT_MARKERS = frozenset({"__dirname", "process.cwd()", "import.meta.dirname", "path.resolve()", "."})
MAX_BINDING_HOPS = 8
MAX_HELPER_DEPTH = 3
#: How far up the tree a search for guards, bindings or the enclosing function goes. Real configs
#: nest a few levels; pathological input (thousands of nested blocks) is cut off, and the guards
#: of code that deep are then unknown.
MAX_CLIMB = 200


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


# --------------------------------------------------------------------------------------------
# Data


@dataclass
class Hook:
    node: object  # the function
    where: object  # the `webpack` key / name, for locations
    config_name: str | None  # its first parameter


@dataclass(frozen=True)
class Guard:
    condition: object
    want: bool  # the truth value the condition must have for the guarded code to run
    case: object = None  # a `case` of `switch (condition)`: the guard is `condition === case`

    def holds(self, pf: ParsedFile, world: str) -> bool | None:
        """Whether the guard holds in a compilation; None when that cannot be told."""
        value = value_in(pf, self.condition, world)
        if self.case is not None:
            case = value_in(pf, self.case, world)
            return None if value is UNKNOWN or case is UNKNOWN else value == case
        truth = truthy(value)
        return None if truth is None else truth == self.want


@dataclass
class AddedPath:
    spec: str  # as webpack receives it, relative to the project root when built from __dirname
    node: object  # the string literal (or expression) that holds it
    via: str = ""  # the identifier it was read through (e.g. EDGE_POLYFILL)
    kind: str = ""  # 'file' | 'missing' | 'package' | 'other'
    file: str | None = None  # the resolved file, lint-root relative


@dataclass
class Mutation:
    node: object  # the call or array literal that adds the paths
    kind: str  # 'unshift' | 'push' | 'splice' | 'concat' | 'spread'
    key: str | None  # the entry name when literal, None when any entry
    paths: list[AddedPath]
    excluded: frozenset[str] = frozenset()  # compilations its own conditions rule out (`nextRuntime === 'edge'`)


@dataclass
class Injection:
    assign: object  # the `config.entry = …` assignment
    target: object  # its left side
    hook: Hook | None
    guards: list[Guard]
    compilations: frozenset[str] | None  # None: unknown (no hook found that calls it)
    function: object | None = None  # the new entry function
    replaced_with: str = ""  # 'an object' / 'an array' / … when the entry is replaced by a value
    original: str | None = None  # name of the captured original entry
    original_node: object | None = None
    original_calls: list[object] = field(default_factory=list)
    original_refs: int = 0  # every reference to the original in the new function
    self_calls: list[object] = field(default_factory=list)  # config.entry() inside the new function
    scope: list[object] = field(default_factory=list)  # the new function and the helpers it calls
    mutations: list[Mutation] = field(default_factory=list)
    shapes: set[str] = field(default_factory=set)  # evidence: 'array', 'string', 'descriptor', 'import-string'
    array_import: object = None  # the first `value.import` read as an array only (`value.import.unshift(…)`)
    dedupe: bool = False

    @property
    def paths(self) -> list[AddedPath]:
        return [p for m in self.mutations for p in m.paths]

    @property
    def keys(self) -> set[str] | None:
        """The literal entry names mutated; None when some mutation may touch any entry."""
        keys: set[str] = set()
        for mutation in self.mutations:
            if mutation.key is None:
                return None
            keys.add(mutation.key)
        return keys

    @property
    def runs_in(self) -> frozenset[str]:
        """The compilations whose entries get some of the paths."""
        if not self.mutations:
            return self.compilations if self.compilations is not None else frozenset(WORLDS)
        return frozenset().union(*(self.mutation_runs_in(m) for m in self.mutations))

    def mutation_runs_in(self, mutation: Mutation) -> frozenset[str]:
        """The compilations one mutation adds its paths in: the hook's, less the ones the
        mutation's own conditions rule out; a client entry name (`main.js`) is the client only,
        `middleware` the edge server only."""
        worlds = (self.compilations if self.compilations is not None else frozenset(WORLDS)) - mutation.excluded
        if mutation.key in CLIENT_ENTRY_KEYS:
            return worlds & {"client"}
        return worlds & {"edge"} if mutation.key in EDGE_ENTRY_KEYS else worlds

    def runs_in_for(self, added: AddedPath) -> frozenset[str]:
        """The compilations a path is added in (by every mutation that adds it)."""
        return frozenset().union(*(self.mutation_runs_in(m) for m in self.mutations
                                   if any(p.spec == added.spec for p in m.paths)))

    @property
    def reaches_edge(self) -> bool:
        return "edge" in self.runs_in

    def skips_edge_entries(self, pf: ParsedFile) -> bool:
        """Whether, in the edge compilation, an `Array.isArray` test lets every entry through
        untouched: only arrays are handled (edge entries are strings or descriptors), or
        descriptors only with an array `import` (Next.js gives it as a string there)."""
        if "edge" not in self.runs_in:
            return False
        if "array" in self.shapes and not self.shapes & {"string", "descriptor"}:
            return True
        return "import-string" not in self.shapes and self.array_import is not None and \
            array_tested(pf, self.array_import)


@dataclass
class Definition:
    name: str  # 'Buffer', 'setImmediate', 'process.nextTick'
    path: str
    node: object


@dataclass
class PolyfillModule:
    path: str
    graph: EdgeGraph  # the module and the local modules it imports
    definitions: list[Definition] = field(default_factory=list)
    builtins: list[str] = field(default_factory=list)  # Node built-ins imported anywhere in it

    @property
    def defined(self) -> set[str]:
        return {d.name for d in self.definitions}

    def first_definition(self, name: str) -> Definition | None:
        return next((d for d in self.definitions if d.name == name), None)

    @property
    def node_shim(self) -> bool:
        """Whether it provides Node globals or loads Node built-ins."""
        return bool(self.builtins) or any(is_node_global(d.name) for d in self.definitions)


@dataclass
class Analysis:
    config_path: str
    pf: ParsedFile
    hooks: list[Hook]
    injections: list[Injection]
    modules: dict[str, PolyfillModule]

    def module(self, added: AddedPath) -> PolyfillModule | None:
        return self.modules.get(added.file) if added.file else None

    def edge_polyfill_reason(self, added: AddedPath) -> str:
        """Why `added` is meant for the edge runtime ('' when nothing says so)."""
        lowered = (added.spec + " " + added.via).lower()
        if "edge" in lowered:
            return "named for the edge"
        module = self.module(added)
        if module is not None and module.node_shim:
            provided = sorted(d for d in module.defined if is_node_global(d))
            if provided:
                return f"it provides the Node global{'s' if len(provided) > 1 else ''} {_names(provided)}"
            return f"it loads the Node built-in{'s' if len(module.builtins) > 1 else ''} {_names(module.builtins)}"
        return ""


def provided_on_edge(ctx: Context) -> set[str]:
    """Globals ('setImmediate', 'process.nextTick', …) that a polyfill injected into the edge
    compilation defines (so edge code may use them)."""
    analysis = injection_analysis(ctx)
    if analysis is None:
        return set()
    provided: set[str] = set()
    for injection in analysis.injections:
        for added in injection.paths:
            module = analysis.module(added) if "edge" in injection.runs_in_for(added) else None
            if module is not None:
                provided |= module.defined
    return provided


def is_node_global(name: str) -> bool:
    return name in NODE_GLOBALS or name.startswith("process.")


def _names(names) -> str:
    return ", ".join(f"`{n}`" for n in names)


# --------------------------------------------------------------------------------------------
# Entry point


def injection_analysis(ctx: Context) -> Analysis | None:
    """The analysis of this app's next.config, computed once and shared by the EDGE5xx checks."""
    return ctx.shared("polyfill-injection", lambda: analyse(ctx))


def analyse(ctx: Context) -> Analysis | None:
    config = ctx.app.next_config
    if config is None or not ctx.ws.contains(config.path, b".entry"):
        return None
    pf = ctx.parse(config.path)
    if pf is None:
        return None
    hooks = find_hooks(pf)
    injections = [read_injection(pf, node, hooks) for node in entry_assignments(pf)]
    resolver = shared_resolver(ctx)
    files: list[str] = []
    for injection in injections:
        for added in injection.paths:
            classify_path(resolver, config.path, added)
            if added.file and added.file not in files and added.file.endswith(SOURCE_SUFFIXES):
                files.append(added.file)
    modules = {path: read_module(ctx, path) for path in files}
    return Analysis(config.path, pf, hooks, injections, modules)


SOURCE_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")


# --------------------------------------------------------------------------------------------
# Small tree helpers


def ancestors_of(node) -> list:
    """The ancestors of `node`, nearest first."""
    found, current = [], node.parent
    while current is not None and len(found) < MAX_CLIMB * 10:
        found.append(current)
        current = current.parent
    return found


def is_bound(scopes: Scopes, node, ancestors=None) -> bool:
    """`Scopes.is_bound`, computing the ancestors when the caller has none."""
    return scopes.is_bound(node, ancestors if ancestors is not None else ancestors_of(node))


def guarded(pf: ParsedFile, node, needle: str, ancestors=None) -> bool:
    """`_compat.is_guarded`, computing the ancestors when the caller has none."""
    return is_guarded(pf, node, ancestors if ancestors is not None else ancestors_of(node), needle)


def _id(node) -> int | None:
    return node.id if node is not None else None


def _within(node, outer) -> bool:
    return outer is not None and outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte


def _named(node) -> list:
    return [c for c in node.named_children if c.type != "comment"] if node is not None else []


def _property(pf: ParsedFile, member) -> str | None:
    """The property name of `a.b` or `a['b']`."""
    if member is None:
        return None
    if member.type == "member_expression":
        prop = member.child_by_field_name("property")
        return pf.text(prop) if prop is not None else None
    if member.type == "subscript_expression":
        index = member.child_by_field_name("index")
        return string_value(index, pf) if index is not None else None
    return None


def _object(member):
    return member.child_by_field_name("object") if member is not None else None


def walk_local(pf: ParsedFile, root):
    """The nodes of `root` without descending into nested functions (`root` itself may be one)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if node is not root and node.type in FUNCTIONS:
            continue
        stack.extend(reversed(node.children))


def enclosing_function(node):
    current, steps = node.parent, 0
    while current is not None and current.type not in FUNCTIONS:
        current, steps = current.parent, steps + 1
        if steps > MAX_CLIMB:
            return None
    return current


def _always_exits(statement) -> bool:
    if statement is None:
        return False
    if statement.type in ("return_statement", "throw_statement"):
        return True
    if statement.type == "statement_block":
        children = _named(statement)
        return bool(children) and children[-1].type in ("return_statement", "throw_statement")
    return False


def returns_value(fn) -> bool:
    """Whether a function returns a value on some path (a concise arrow always does)."""
    body = fn.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return True
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "return_statement" and _named(node):
            return True
        if node.type in FUNCTIONS:
            continue
        stack.extend(node.children)
    return False


# --------------------------------------------------------------------------------------------
# Bindings: what an identifier refers to


@dataclass
class Binding:
    kind: str  # 'value' | 'field' | 'function' | 'param' | 'loop'
    node: object = None  # initializer / function
    key: str = ""  # for 'field': the destructured property name


def find_binding(pf: ParsedFile, node, name: str) -> Binding | None:
    """The nearest declaration of `name` visible from `node` (function scopes, blocks, program)."""
    current, steps = node.parent, 0
    while current is not None and steps <= MAX_CLIMB:
        steps += 1
        t = current.type
        if t in FUNCTIONS:
            found = _param_binding(pf, current, name)
            if found is not None:
                return found
        elif t in ("statement_block", "program", "class_static_block", "switch_body"):
            for statement in current.named_children:
                found = _declared(pf, statement, name)
                if found is not None:
                    return found
        elif t == "for_in_statement":
            left = current.child_by_field_name("left")
            if left is not None and name in Scopes(pf).pattern_names(left):
                return Binding("loop")
        current = current.parent
    return None


def _declared(pf: ParsedFile, statement, name: str) -> Binding | None:
    if statement.type == "export_statement":
        statement = statement.child_by_field_name("declaration") or statement
    if statement.type in ("lexical_declaration", "variable_declaration"):
        for declarator in statement.named_children:
            if declarator.type != "variable_declarator":
                continue
            target = declarator.child_by_field_name("name")
            value = declarator.child_by_field_name("value")
            found = _pattern_binding(pf, target, name, "value", value, value) if target is not None else None
            if found is not None:
                return found
    elif statement.type in ("function_declaration", "generator_function_declaration"):
        ident = statement.child_by_field_name("name")
        if ident is not None and pf.text(ident) == name:
            return Binding("function", statement)
    return None


def _pattern_key(pf: ParsedFile, pattern, name: str) -> str | None:
    """The property `name` is destructured from in an object pattern (`{ a, b: name, c = 1 }`)."""
    for part in pattern.named_children:
        if part.type == "shorthand_property_identifier_pattern" and pf.text(part) == name:
            return name
        if part.type == "object_assignment_pattern":
            left = part.child_by_field_name("left")
            if left is not None and pf.text(left) == name:
                return name
        if part.type == "pair_pattern":
            key = jsvalues.property_key(part.child_by_field_name("key"), pf)
            value = part.child_by_field_name("value")
            if value is not None and value.type == "assignment_pattern":
                value = value.child_by_field_name("left")
            if value is not None and value.type == "identifier" and pf.text(value) == name:
                return key
    return None


def _pattern_binding(pf: ParsedFile, pattern, name: str, kind: str, node, value) -> Binding | None:
    """How a declared name or a parameter (`pattern`) binds `name`: as the identifier itself (a
    `kind` binding of `node`), or as a property destructured from `value` (`{ a, b: name }`)."""
    if pattern.type == "identifier" and pf.text(pattern) == name:
        return Binding(kind, node)
    if pattern.type == "object_pattern":
        key = _pattern_key(pf, pattern, name)
        if key is not None:
            return Binding("field", value, key)
    return None


def _parameters(fn) -> list:
    """The parameter nodes of a function (an arrow function's single bare parameter included)."""
    params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
    if params is None:
        return []
    return [params] if params.type == "identifier" else _named(params)


def _param_pattern(param):
    """The pattern a parameter declares (a TypeScript parameter wraps it with its type)."""
    if param.type in ("required_parameter", "optional_parameter"):
        return param.child_by_field_name("pattern")
    return param


def _param_binding(pf: ParsedFile, fn, name: str) -> Binding | None:
    for param in _parameters(fn):
        pattern = _param_pattern(param)
        if pattern is not None and pattern.type == "assignment_pattern":
            pattern = pattern.child_by_field_name("left")
        found = _pattern_binding(pf, pattern, name, "param", param, None) if pattern is not None else None
        if found is not None:
            return found
    return None


def function_of(pf: ParsedFile, node, hops: int = 0):
    """The function an expression denotes: itself, or the function an identifier is bound to."""
    node = jsvalues.unwrap(node)
    if node is None or hops > MAX_BINDING_HOPS:
        return None
    if node.type in FUNCTIONS:
        return node
    if node.type == "identifier":
        binding = find_binding(pf, node, pf.text(node))
        if binding is None:
            return None
        if binding.kind == "function":
            return binding.node
        if binding.kind == "value" and binding.node is not None:
            return function_of(pf, binding.node, hops + 1)
    return None


def _first_param_name(pf: ParsedFile, fn) -> str | None:
    params = _parameters(fn)
    first = _param_pattern(params[0]) if params else None
    return pf.text(first) if first is not None and first.type == "identifier" else None


# --------------------------------------------------------------------------------------------
# Guards: in which compilations a piece of the hook runs


def value_in(pf: ParsedFile, node, world: str, depth: int = 0):
    """The value of a condition expression in one compilation, or UNKNOWN."""
    node = jsvalues.unwrap(node)
    if node is None or depth > MAX_BINDING_HOPS * 2:
        return UNKNOWN
    t = node.type
    text = string_value(node, pf)
    if text is not None:
        return text
    if t == "true":
        return True
    if t == "false":
        return False
    if t in ("null", "undefined") or (t == "identifier" and pf.text(node) == "undefined"):
        return None
    if t == "identifier":
        return _identifier_value(pf, node, world, depth)
    if t == "member_expression":
        prop = _property(pf, node)
        return WORLD_VALUES[world].get(prop, UNKNOWN) if prop in FIELDS else UNKNOWN
    if t == "unary_expression":
        operator = node.child_by_field_name("operator")
        if operator is not None and pf.text(operator) == "!":
            truth = truthy(value_in(pf, node.child_by_field_name("argument"), world, depth + 1))
            return UNKNOWN if truth is None else not truth
        return UNKNOWN
    if t == "binary_expression":
        return _binary_value(pf, node, world, depth)
    if t == "ternary_expression":
        truth = truthy(value_in(pf, node.child_by_field_name("condition"), world, depth + 1))
        if truth is None:
            return UNKNOWN
        return value_in(pf, node.child_by_field_name("consequence" if truth else "alternative"), world, depth + 1)
    return UNKNOWN


def _identifier_value(pf: ParsedFile, node, world: str, depth: int):
    name = pf.text(node)
    binding = find_binding(pf, node, name)
    if binding is None:
        return WORLD_VALUES[world].get(name, UNKNOWN) if name in FIELDS else UNKNOWN
    if binding.kind == "field" and binding.key in FIELDS:
        return WORLD_VALUES[world].get(binding.key, UNKNOWN)
    if binding.kind == "value" and binding.node is not None:
        return value_in(pf, binding.node, world, depth + 1)
    return UNKNOWN


def _binary_value(pf: ParsedFile, node, world: str, depth: int):
    operator = node.child_by_field_name("operator")
    op = pf.text(operator) if operator is not None else ""
    left = value_in(pf, node.child_by_field_name("left"), world, depth + 1)
    right_node = node.child_by_field_name("right")
    if op == "&&":
        truth = truthy(left)
        if truth is False:
            return left
        right = value_in(pf, right_node, world, depth + 1)
        if truth is True:
            return right
        return False if truthy(right) is False else UNKNOWN
    if op == "||":
        truth = truthy(left)
        if truth is True:
            return left
        right = value_in(pf, right_node, world, depth + 1)
        if truth is False:
            return right
        return True if truthy(right) is True else UNKNOWN
    if op == "??":
        if left is UNKNOWN:
            return UNKNOWN
        return value_in(pf, right_node, world, depth + 1) if left is None else left
    if op in ("===", "!==", "==", "!="):
        right = value_in(pf, right_node, world, depth + 1)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        equal = type(left) is type(right) and left == right
        return equal if op in ("===", "==") else not equal
    return UNKNOWN


def truthy(value) -> bool | None:
    if value is UNKNOWN:
        return None
    return bool(value)


def guards_between(pf: ParsedFile, node, stop) -> list[Guard] | None:
    """The conditions under which `node` runs, up to (not including) the function `stop`; None
    when `stop` is too far up to tell."""
    guards: list[Guard] = []
    child, current, steps = node, node.parent, 0
    while current is not None and _id(current) != _id(stop):
        steps += 1
        if steps > MAX_CLIMB:
            return None
        t = current.type
        if t == "if_statement":
            condition = current.child_by_field_name("condition")
            if _within(child, current.child_by_field_name("consequence")):
                guards.append(Guard(condition, True))
            elif _within(child, current.child_by_field_name("alternative")):
                guards.append(Guard(condition, False))
        elif t == "ternary_expression":
            condition = current.child_by_field_name("condition")
            if _within(child, current.child_by_field_name("consequence")):
                guards.append(Guard(condition, True))
            elif _within(child, current.child_by_field_name("alternative")):
                guards.append(Guard(condition, False))
        elif t == "binary_expression":
            operator = current.child_by_field_name("operator")
            left = current.child_by_field_name("left")
            if operator is not None and left is not None and not _within(child, left):
                if pf.text(operator) == "&&":
                    guards.append(Guard(left, True))
                elif pf.text(operator) == "||":
                    guards.append(Guard(left, False))
        elif t == "switch_case" and not _within(child, current.child_by_field_name("value")):
            switch = current.parent.parent if current.parent is not None else None
            if switch is not None and switch.type == "switch_statement" and _falls_into(current) is None:
                guards.append(Guard(switch.child_by_field_name("value"), True, current.child_by_field_name("value")))
        elif t in ("statement_block", "program", "switch_body"):
            guards.extend(_early_returns(current, child))
        elif t in FUNCTIONS:
            break  # code in a nested function runs when it is called, not here
        child, current = current, current.parent
    return guards


def _falls_into(case):
    """The `case` before `case` when its code falls through into this one (it has no statements),
    else None."""
    before = case.prev_named_sibling
    while before is not None and before.type == "comment":
        before = before.prev_named_sibling
    if before is not None and before.type in ("switch_case", "switch_default") and \
            all(c.type == "comment" or c == before.child_by_field_name("value") for c in before.named_children):
        return before
    return None


def _early_returns(block, child) -> list[Guard]:
    """`if (cond) return …` statements before `child` in `block`: `cond` must be false."""
    found = []
    for statement in block.named_children:
        if statement.start_byte >= child.start_byte:
            break
        if statement.type == "if_statement" and statement.child_by_field_name("alternative") is None \
                and _always_exits(statement.child_by_field_name("consequence")):
            found.append(Guard(statement.child_by_field_name("condition"), False))
    return found


def compilations_of(pf: ParsedFile, guards: list[Guard]) -> frozenset[str]:
    """The compilations in which every guard can hold."""
    worlds = set()
    for world in WORLDS:
        if all(g.holds(pf, world) is not False for g in guards):
            worlds.add(world)
    return frozenset(worlds)


def describe_guard(pf: ParsedFile, guard: Guard) -> str:
    text = " ".join(pf.text(jsvalues.unwrap(guard.condition) or guard.condition).split())
    if guard.case is not None:
        return f"`{text} === {pf.text(guard.case)}`"
    return f"`{text}`" if guard.want else f"not `{text}`"


# --------------------------------------------------------------------------------------------
# Hooks and `config.entry` assignments


def find_hooks(pf: ParsedFile) -> list[Hook]:
    """Every function that is a `webpack` hook in the file (config objects, plugin wrappers,
    `nextConfig.webpack = …`)."""
    hooks: list[Hook] = []
    seen: set[int] = set()
    for node in pf.walk():
        candidate = where = None
        if node.type == "pair":
            key = node.child_by_field_name("key")
            if jsvalues.property_key(key, pf) == "webpack":
                candidate, where = node.child_by_field_name("value"), key
        elif node.type == "method_definition":
            name = node.child_by_field_name("name")
            if name is not None and jsvalues.property_key(name, pf) == "webpack":
                candidate, where = node, name
        elif node.type == "assignment_expression":
            left = node.child_by_field_name("left")
            if left is not None and left.type in ("member_expression", "subscript_expression") \
                    and _property(pf, left) == "webpack":
                candidate, where = node.child_by_field_name("right"), left
        elif node.type == "shorthand_property_identifier" and pf.text(node) == "webpack":  # { webpack }
            binding = find_binding(pf, node, "webpack")
            if binding is not None and binding.node is not None and binding.kind in ("value", "function"):
                candidate, where = binding.node, node
        if candidate is None:
            continue
        fn = function_of(pf, candidate)
        if fn is None or fn.id in seen:
            continue
        seen.add(fn.id)
        hooks.append(Hook(fn, where, _first_param_name(pf, fn)))
    return hooks


def entry_assignments(pf: ParsedFile) -> list:
    """`<identifier>.entry = …` assignments inside functions."""
    found = []
    for node in pf.walk():
        if node.type != "assignment_expression":
            continue
        left = jsvalues.unwrap(node.child_by_field_name("left"))
        if left is None or left.type not in ("member_expression", "subscript_expression") \
                or _property(pf, left) != "entry":
            continue
        obj = jsvalues.unwrap(_object(left))
        if obj is not None and obj.type == "identifier" and enclosing_function(node) is not None:
            found.append(node)
    return found


def _hook_containing(node, hooks: list[Hook]) -> Hook | None:
    ids = {h.node.id: h for h in hooks}
    current, steps = node.parent, 0
    while current is not None and steps <= MAX_CLIMB:
        if current.id in ids:
            return ids[current.id]
        current, steps = current.parent, steps + 1
    return None


def _helper_name(pf: ParsedFile, fn) -> str | None:
    """The name a function is declared or bound under (`function f`, `const f = () => …`)."""
    if fn.type in ("function_declaration", "generator_function_declaration"):
        name = fn.child_by_field_name("name")
        return pf.text(name) if name is not None else None
    parent = fn.parent
    if parent is not None and parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
        return pf.text(name) if name is not None and name.type == "identifier" else None
    return None


def _calls_to(pf: ParsedFile, root, name: str) -> list:
    found = []
    for node in pf.walk(root):
        if node.type == "call_expression":
            callee = jsvalues.unwrap(node.child_by_field_name("function"))
            if callee is not None and callee.type == "identifier" and pf.text(callee) == name:
                found.append(node)
    return found


def read_injection(pf: ParsedFile, assign, hooks: list[Hook]) -> Injection:
    target = assign.child_by_field_name("left")
    hook = _hook_containing(assign, hooks)
    if hook is not None:
        guards = guards_between(pf, assign, hook.node)
        compilations = compilations_of(pf, guards) if guards is not None else None
    else:
        guards, compilations, hook = _through_helper(pf, assign, hooks)
    injection = Injection(assign, target, hook, guards or [], compilations)
    _read_entry_function(pf, injection)
    return injection


def _through_helper(pf: ParsedFile, assign, hooks: list[Hook]):
    """Guards of an assignment in a helper function that hooks call (`addPolyfill(config)`)."""
    helper = enclosing_function(assign)
    while helper is not None and _helper_name(pf, helper) is None:
        helper = enclosing_function(helper)
    name = _helper_name(pf, helper) if helper is not None else None
    inner = guards_between(pf, assign, helper) if helper is not None else []
    worlds: set[str] | None = set()
    first: tuple[list[Guard], Hook] | None = None
    for hook in hooks:
        for call in _calls_to(pf, hook.node, name) if name else []:
            outer = guards_between(pf, call, hook.node)
            if inner is None or outer is None:
                worlds = None  # too deep to tell
            elif worlds is not None:
                worlds |= compilations_of(pf, inner + outer)
            first = first or ((inner or []) + (outer or []), hook)
    if first is None:
        return inner or [], None, None
    return first[0], frozenset(worlds) if worlds is not None else None, first[1]


# --------------------------------------------------------------------------------------------
# The new entry function


def _read_entry_function(pf: ParsedFile, injection: Injection) -> None:
    assign = injection.assign
    right = jsvalues.unwrap(assign.child_by_field_name("right"))
    if right is None:
        return
    config_obj = jsvalues.unwrap(_object(jsvalues.unwrap(injection.target)))
    config_name = pf.text(config_obj) if config_obj is not None else ""
    if right.type in ("object", "array", "string", "template_string"):
        injection.replaced_with = {"object": "an object", "array": "an array"}.get(right.type, "a string")
        injection.scope = [right]
    else:
        injection.function = function_of(pf, right) if right.type in FUNCTIONS or right.type == "identifier" \
            else None
        injection.scope = [injection.function] if injection.function is not None else [right]
    _capture_original(pf, injection, config_name)
    injection.scope += _helpers(pf, injection.scope)
    if injection.function is not None:
        for node in pf.walk(injection.function):
            if node.type != "call_expression":
                continue
            callee = jsvalues.unwrap(node.child_by_field_name("function"))
            if callee is not None and callee.type == "member_expression" and _property(pf, callee) == "entry" \
                    and pf.text(jsvalues.unwrap(_object(callee))) == config_name:
                injection.self_calls.append(node)
    _read_mutations(pf, injection)


def _capture_original(pf: ParsedFile, injection: Injection, config_name: str) -> None:
    """`const originalEntry = config.entry` (or `const { entry } = config`) in the enclosing function."""
    fn = enclosing_function(injection.assign)
    if fn is None or not config_name:
        return
    for node in walk_local(pf, fn):
        if node.type != "variable_declarator" or node.start_byte > injection.assign.start_byte:
            continue
        name, value = node.child_by_field_name("name"), jsvalues.unwrap(node.child_by_field_name("value"))
        if name is None or value is None:
            continue
        if name.type == "identifier" and value.type in ("member_expression", "subscript_expression") \
                and _property(pf, value) == "entry" and pf.text(jsvalues.unwrap(_object(value))) == config_name:
            injection.original, injection.original_node = pf.text(name), node
        elif name.type == "object_pattern" and value.type == "identifier" and pf.text(value) == config_name:
            for part in name.named_children:
                local = None
                if part.type == "shorthand_property_identifier_pattern" and pf.text(part) == "entry":
                    local = "entry"
                elif part.type == "pair_pattern" \
                        and jsvalues.property_key(part.child_by_field_name("key"), pf) == "entry":
                    target = part.child_by_field_name("value")
                    local = pf.text(target) if target is not None and target.type == "identifier" else None
                if local:
                    injection.original, injection.original_node = local, node
    if injection.original is None:
        return
    for root in injection.scope:
        for node in pf.walk(root):
            if node.type == "identifier" and pf.text(node) == injection.original:
                injection.original_refs += 1
                parent = node.parent
                if parent is not None and parent.type == "call_expression" \
                        and _id(parent.child_by_field_name("function")) == node.id:
                    injection.original_calls.append(parent)
                elif parent is not None and parent.type == "member_expression" \
                        and _property(pf, parent) in ("call", "apply") \
                        and parent.parent is not None and parent.parent.type == "call_expression":
                    injection.original_calls.append(parent.parent)


def _helpers(pf: ParsedFile, roots: list) -> list:
    """Functions of the file that `roots` call by name (transitively, a few levels deep)."""
    found: list = []
    seen = {r.id for r in roots if r is not None}
    frontier = [r for r in roots if r is not None]
    for _depth in range(MAX_HELPER_DEPTH):
        following = []
        for root in frontier:
            for node in pf.walk(root):
                if node.type != "call_expression":
                    continue
                callee = jsvalues.unwrap(node.child_by_field_name("function"))
                if callee is None or callee.type != "identifier":
                    continue
                fn = function_of(pf, callee)
                if fn is not None and fn.id not in seen:
                    seen.add(fn.id)
                    found.append(fn)
                    following.append(fn)
        frontier = following
    return found


def settlement(pf: ParsedFile, call, stop) -> str | None:
    """How the promise of `call` is settled: 'await', 'then', 'returned', or None."""
    child, current, steps = call, call.parent, 0
    while current is not None and _id(current) != _id(stop) and steps <= MAX_CLIMB:
        steps += 1
        t = current.type
        if t == "await_expression":
            return "await"
        if t == "member_expression" and _id(_object(current)) == child.id and _property(pf, current) in (
                "then", "catch", "finally"):
            return "then"
        if t == "return_statement":
            return "returned"
        if t == "arrow_function" and _id(current.child_by_field_name("body")) == child.id:
            return "returned"
        if t in FUNCTIONS or t.endswith("_statement") or t in ("lexical_declaration", "variable_declaration"):
            return None
        child, current = current, current.parent
    return None


def then_callback(pf: ParsedFile, call):
    """The callback of `call.then(cb)`, when `call` is `.then`-chained."""
    member = call.parent
    if member is None or member.type != "member_expression" or _property(pf, member) != "then":
        return None
    outer = member.parent
    if outer is None or outer.type != "call_expression":
        return None
    args = _named(outer.child_by_field_name("arguments"))
    return function_of(pf, args[0]) if args else None


# --------------------------------------------------------------------------------------------
# Mutations of entry values and the paths they add


def _read_mutations(pf: ParsedFile, injection: Injection) -> None:
    added_specs: set[str] = set()
    for root in injection.scope:
        for node in pf.walk(root):
            mutation = _mutation(pf, node, injection.scope)
            if mutation is not None and not any(m.node.id == mutation.node.id for m in injection.mutations):
                guards = guards_between(pf, mutation.node, root) or []
                mutation.excluded = _excluded(pf, guards) | _excluded_by_callers(pf, root, injection.scope)
                injection.mutations.append(mutation)
                added_specs |= {p.spec for p in mutation.paths}
    for root in injection.scope:
        for node in pf.walk(root):
            _shape_evidence(pf, node, injection)
            if not injection.dedupe and _is_dedupe(pf, node, added_specs):
                injection.dedupe = True


def _excluded(pf: ParsedFile, guards: list[Guard]) -> frozenset[str]:
    """The compilations in which one of `guards` is false."""
    return frozenset(w for w in WORLDS if any(g.holds(pf, w) is False for g in guards))


def _excluded_by_callers(pf: ParsedFile, root, scope: list, depth: int = 0) -> frozenset[str]:
    """For a helper of the entry function (`withPolyfill(entries[name])` inside
    `if (nextRuntime === 'edge')`): the compilations every call of it is guarded out of."""
    if root is None or not scope or root.id == scope[0].id or depth > MAX_HELPER_DEPTH:
        return frozenset()
    sites = []
    for other in scope:
        if other is None or other.id == root.id:
            continue
        for node in pf.walk(other):
            callee = jsvalues.unwrap(node.child_by_field_name("function")) if node.type == "call_expression" else None
            if callee is not None and callee.type == "identifier" and (function_of(pf, callee) or callee).id == root.id:
                sites.append(_excluded(pf, guards_between(pf, node, other) or [])
                             | _excluded_by_callers(pf, other, scope, depth + 1))
    return frozenset.intersection(*sites) if sites else frozenset()


def _mutation(pf: ParsedFile, node, scope: list) -> Mutation | None:
    added, value, kind = [], None, ""
    if node.type == "call_expression":
        callee = jsvalues.unwrap(node.child_by_field_name("function"))
        method = _property(pf, callee) if callee is not None and callee.type == "member_expression" else None
        if method not in MUTATORS:
            return None
        obj = jsvalues.unwrap(_object(callee))
        args = _named(node.child_by_field_name("arguments"))
        kind = method
        if method == "concat" and obj is not None and obj.type == "array":
            added = [e for e in _named(obj) if e.type != "spread_element"]
            value = args[0] if args else None
        elif method == "splice":
            added, value = args[2:], obj
        else:
            added, value = [a for a in args if a.type != "spread_element"], obj
    elif node.type == "array":
        elements = _named(node)
        spreads = [e for e in elements if e.type == "spread_element"]
        if spreads and len(spreads) < len(elements):  # [polyfill, ...value]
            kind = "spread"
            added = [e for e in elements if e.type != "spread_element"]
            value = _named(spreads[0])[0] if _named(spreads[0]) else None
        else:  # [polyfill, value]: a string entry made an array
            values = [e for e in elements if path_of(pf, e) is None and not _paths_through_parameter(pf, e, scope)]
            inner = jsvalues.unwrap(values[0]) if len(values) == 1 else None
            if inner is None or len(elements) < 2 or \
                    inner.type not in ("identifier", "member_expression", "subscript_expression"):
                return None
            kind, value = "wrap", values[0]
            added = [e for e in elements if e.id != values[0].id]
    else:
        return None
    paths = []
    for element in added:
        found = path_of(pf, element)
        paths += [found] if found is not None else _paths_through_parameter(pf, element, scope)
    if not paths:
        return None
    return Mutation(node, kind, _entry_key(pf, value, node), paths)


def _paths_through_parameter(pf: ParsedFile, node, scope: list) -> list[AddedPath]:
    """The paths a helper's parameter receives at its call sites (`withPolyfill(value, POLYFILL)`)."""
    node = jsvalues.unwrap(node)
    if node is None or node.type != "identifier":
        return []
    binding = find_binding(pf, node, pf.text(node))
    if binding is None or binding.kind != "param":
        return []
    param = binding.node
    while param.parent is not None and param.parent.type in ("assignment_pattern", "required_parameter",
                                                              "optional_parameter"):
        param = param.parent
    # `path = EDGE_POLYFILL`: the default is what a call without that argument passes
    default = param.child_by_field_name("right") or param.child_by_field_name("value")
    params = param.parent
    fn = params.parent if params is not None else None
    name = _helper_name(pf, fn) if fn is not None else None
    if not name or params.type != "formal_parameters":
        return []
    index = next((i for i, p in enumerate(_named(params)) if p.id == param.id), None)
    found: list[AddedPath] = []
    for root in scope:
        if root.id == fn.id:
            continue
        for call in _calls_to(pf, root, name):
            args = _named(call.child_by_field_name("arguments"))
            given = args[index] if index is not None and index < len(args) else default
            added = path_of(pf, given) if given is not None else None
            if added is not None and not any(a.node.id == added.node.id for a in found):
                found.append(added)
    return found


def _entry_key(pf: ParsedFile, value, site) -> str | None:
    """The literal entry name a mutated value belongs to (`entries['main.js']`, a local
    `const main = entries['main-app']`, or `entries['main-app'] = [P, ...main]`), else None."""
    value = jsvalues.unwrap(value)
    while value is not None and value.type == "member_expression" and _property(pf, value) == "import":
        value = jsvalues.unwrap(_object(value))
    parent = site.parent
    if parent is not None and parent.type == "assignment_expression" and parent.child_by_field_name("right") == site:
        target = jsvalues.unwrap(parent.child_by_field_name("left"))
        if target is not None and target.type in ("subscript_expression", "member_expression"):
            value = target  # the entry the new value is stored under
    if value is not None and value.type == "identifier":
        value = _local_alias(pf, value, site) or value
    if value is not None and value.type in ("subscript_expression", "member_expression"):
        key = _property(pf, value)
        if key is not None and (value.type == "subscript_expression" or key not in ("import",)):
            obj = jsvalues.unwrap(_object(value))
            if obj is not None and obj.type == "identifier":
                return key
    # `if (name === 'main.js') …` around a mutation of `entries[name]`
    current, steps = site.parent, 0
    while current is not None and current.type not in FUNCTIONS and steps <= MAX_CLIMB:
        steps += 1
        if current.type == "if_statement":
            condition = jsvalues.unwrap(current.child_by_field_name("condition"))
            if condition is not None and condition.type == "binary_expression" \
                    and pf.text(condition.child_by_field_name("operator")) in ("===", "=="):
                for side in ("left", "right"):
                    literal = string_value(condition.child_by_field_name(side), pf)
                    if literal is not None:
                        return literal
        current = current.parent
    return None


def _local_alias(pf: ParsedFile, identifier, site):
    """The `entries['…']` a local `const` of the enclosing function holds (`const main =
    entries['main-app']`, `const mw = entries.middleware`), else None."""
    function = site.parent
    while function is not None and function.type not in FUNCTIONS:
        function = function.parent
    name = pf.text(identifier)
    for node in pf.walk(function) if function is not None else ():
        if node.type == "variable_declarator" and pf.text(node.child_by_field_name("name")) == name:
            value = jsvalues.unwrap(node.child_by_field_name("value"))  # `entries['main-app']`, `entries.middleware`
            return value if value is not None and value.type in ("subscript_expression", "member_expression") else None
    return None


def _shape_evidence(pf: ParsedFile, node, injection: Injection) -> None:
    shapes = injection.shapes
    t = node.type
    if t == "member_expression" and _property(pf, node) == "import":
        shapes.add("descriptor")
        if _string_import_handled(pf, node):
            shapes.add("import-string")
        elif injection.array_import is None and pf.parent(node).type != "assignment_expression":
            injection.array_import = node
    elif t == "pair" and jsvalues.property_key(node.child_by_field_name("key"), pf) == "import":
        shapes.add("descriptor")
    elif t == "binary_expression":
        op = pf.text(node.child_by_field_name("operator"))
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op == "in" and left is not None and string_value(left, pf) == "import":
            shapes.add("descriptor")
        elif op in ("===", "!==", "==", "!="):
            sides = [left, right]
            if any(s is not None and s.type == "unary_expression" and pf.text(s).startswith("typeof") for s in sides):
                literals = {string_value(s, pf) for s in sides if s is not None}
                if "string" in literals:
                    shapes.add("string")
                if "object" in literals:
                    shapes.add("descriptor")
    elif t == "call_expression":
        callee = jsvalues.unwrap(node.child_by_field_name("function"))
        text = pf.text(callee) if callee is not None else ""
        if text == "Array.isArray":
            shapes.add("array")
        receiver = jsvalues.unwrap(_object(callee)) if callee is not None and callee.type == "member_expression" \
            else None
        if receiver is not None and receiver.type == "array":
            if text.endswith(".concat") and not _named(receiver):
                shapes.update({"array", "string"})  # [].concat(value) normalises a string or an array
            elif text.endswith(".flat"):
                shapes.update({"array", "string"})  # [value].flat()


def array_tested(pf: ParsedFile, node) -> bool:
    """Whether `node` is the argument of `Array.isArray(…)`."""
    call = pf.parent(pf.parent(node))
    return call is not None and call.type == "call_expression" and \
        pf.text(call.child_by_field_name("function")) == "Array.isArray"


def _string_import_handled(pf: ParsedFile, read) -> bool:
    """Whether a read of `value.import` treats it as possibly a string (as Next.js gives it in the
    edge compilation): `typeof value.import === 'string'`, an element of an array literal
    (`[].concat(value.import)`, `[POLYFILL, value.import]`, `[value.import].flat()`), or an
    argument of a normalising helper (not of `Array.isArray`)."""
    parent = pf.parent(read)
    while parent is not None and parent.type in jsvalues.TYPE_WRAPPERS:
        read, parent = parent, pf.parent(parent)
    if parent is None:
        return False
    if parent.type == "unary_expression" and pf.text(parent).startswith("typeof"):
        return True
    if parent.type == "array":
        return True
    if parent.type == "arguments":
        call = pf.parent(parent)
        callee = call.child_by_field_name("function") if call is not None else None
        return callee is not None and pf.text(callee) != "Array.isArray"
    return False


def _is_dedupe(pf: ParsedFile, node, specs: set[str]) -> bool:
    if node.type == "new_expression":
        ctor = node.child_by_field_name("constructor")
        return ctor is not None and pf.text(ctor) == "Set"
    if node.type != "call_expression":
        return False
    callee = jsvalues.unwrap(node.child_by_field_name("function"))
    method = _property(pf, callee) if callee is not None and callee.type == "member_expression" else None
    args = _named(node.child_by_field_name("arguments"))
    if method == "filter" and args:  # `list.filter((item) => item !== P)`: any copy is removed first
        return any(_excludes(pf, n, specs) for n in pf.walk(args[0]) if n.type == "binary_expression")
    if method not in DEDUPE_METHODS or not args:
        return False
    if method in ("some", "find", "findIndex"):
        return True
    found = path_of(pf, args[0])
    return found is None or found.spec in specs  # an unknown value (a helper's parameter) counts


def _excludes(pf: ParsedFile, comparison, specs: set[str]) -> bool:
    """`x !== P` (or `!=`) where P is one of the added paths, or a value not known here."""
    operator = comparison.child_by_field_name("operator")
    if operator is None or operator.type not in ("!==", "!="):
        return False
    for side in (comparison.child_by_field_name("left"), comparison.child_by_field_name("right")):
        found = path_of(pf, side) if side is not None else None
        if found is not None and found.spec in specs:
            return True
        side = jsvalues.unwrap(side)
        binding = find_binding(pf, side, pf.text(side)) if side is not None and side.type == "identifier" else None
        if side is not None and side.type == "identifier" and found is None and (
                binding is None or binding.kind != "value") and not _callback_parameter(pf, side):
            return True  # a value not known here (a helper's parameter), as `includes(p)` counts
    return False


def _callback_parameter(pf: ParsedFile, identifier) -> bool:
    """Whether an identifier is a parameter of the arrow function or function it is in."""
    node = identifier.parent
    while node is not None and node.type not in ("arrow_function", "function_expression", "function"):
        node = node.parent
    if node is None:
        return False
    params = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
    name = pf.text(identifier)
    return params is not None and any(n.type == "identifier" and pf.text(n) == name for n in pf.walk(params))


def path_of(pf: ParsedFile, node, via: str = "", hops: int = 0) -> AddedPath | None:
    """The module path an expression denotes, and the literal it is written in."""
    node = jsvalues.unwrap(node)
    if node is None or hops > MAX_BINDING_HOPS:
        return None
    text = string_value(node, pf)
    if text is not None:
        return AddedPath(text, node, via) if text.strip() else None
    t = node.type
    if t == "identifier":
        binding = find_binding(pf, node, pf.text(node))
        if binding is not None and binding.kind == "value" and binding.node is not None:
            return path_of(pf, binding.node, via or pf.text(node), hops + 1)
        return None
    if t == "template_string":
        return _template_path(pf, node, via)
    if t == "member_expression" and _property(pf, node) in ("pathname", "href"):
        return path_of(pf, _object(node), via, hops + 1)
    if t == "new_expression":
        ctor = node.child_by_field_name("constructor")
        args = _named(node.child_by_field_name("arguments"))
        if ctor is not None and pf.text(ctor) == "URL" and args:
            return path_of(pf, args[0], via, hops + 1)
        return None
    if t == "call_expression":
        return _call_path(pf, node, via, hops)
    return None


def _call_path(pf: ParsedFile, node, via: str, hops: int) -> AddedPath | None:
    callee = jsvalues.unwrap(node.child_by_field_name("function"))
    name = pf.text(callee) if callee is not None else ""
    args = _named(node.child_by_field_name("arguments"))
    if name in ("require.resolve", "fileURLToPath", "url.fileURLToPath") and args:
        return path_of(pf, args[0], via, hops + 1)
    if not (name.endswith(("resolve", "join")) and name.split(".")[0] in ("path", "resolve", "join", "posix")):
        return None
    parts, last = [], None
    for arg in args:
        if not parts and _is_root(pf, arg):
            continue
        value = string_value(jsvalues.unwrap(arg), pf)
        if value is None:
            inner = path_of(pf, arg, via, hops + 1)
            if inner is None:
                return None
            value, last = inner.spec, inner.node
        else:
            last = jsvalues.unwrap(arg)
        parts.append(value)
    if not parts or last is None:
        return None
    joined = posixpath.normpath(posixpath.join(*parts))
    spec = joined if joined.startswith(("../", "/")) else "./" + joined.removeprefix("./")
    return AddedPath(spec, last, via)


def _is_root(pf: ParsedFile, node, hops: int = 0) -> bool:
    """`__dirname`, `process.cwd()`, `import.meta.dirname`, or a constant bound to one of them."""
    node = jsvalues.unwrap(node)
    if node is None or hops > 2:
        return False
    text = " ".join(pf.text(node).split())
    if text in ROOT_MARKERS or "import.meta" in text or "__dirname" in text:
        return True
    if node.type == "identifier":
        binding = find_binding(pf, node, text)
        return binding is not None and binding.kind == "value" and binding.node is not None \
            and _is_root(pf, binding.node, hops + 1)
    return False


def _template_path(pf: ParsedFile, node, via: str) -> AddedPath | None:
    """`${__dirname}/lib/polyfill.js` and the like."""
    pieces = []
    for child in node.named_children:
        if child.type == "template_substitution":
            inner = " ".join(pf.text(child)[2:-1].split())
            if pieces or inner not in ROOT_MARKERS:
                return None
        elif child.type == "string_fragment":
            pieces.append(pf.text(child))
    rest = "".join(pieces).lstrip("/")
    return AddedPath("./" + rest, node, via) if rest else None


def classify_path(resolver, config_path: str, added: AddedPath) -> None:
    spec = added.spec
    if spec.startswith(("./", "../")):
        resolved = resolver.resolve(config_path, spec)
        if resolved.kind in ("file", "asset"):
            added.kind, added.file = "file", resolved.target
        else:
            added.kind = "missing"
    elif spec.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", spec):
        added.kind = "other"  # an absolute path of the build machine: cannot check it here
    else:
        added.kind = "package"


# --------------------------------------------------------------------------------------------
# The polyfill modules


def read_module(ctx: Context, path: str) -> PolyfillModule:
    entry = Route(path, "polyfill", "", "")
    graph = ctx.shared(f"polyfill-graph:{path}", lambda: build(ctx.ws, ctx.app, shared_resolver(ctx), [entry]))
    module = PolyfillModule(path, graph)
    for file in sorted(graph.reach, key=lambda p: (p != path, p)):
        for edge in graph.edges.get(file, ()):
            if edge.resolved.kind == "builtin" and edge.resolved.target not in module.builtins:
                module.builtins.append(edge.resolved.target)
        if not ctx.ws.exists(file):
            continue
        pf = ctx.parse(file)
        if pf is not None:
            module.definitions += definitions(pf)
    return module


def definitions(pf: ParsedFile) -> list[Definition]:
    """The globals a module defines, in source order."""
    found: list[Definition] = []
    scopes = Scopes(pf)
    for node in pf.walk():
        if node.type in ("assignment_expression", "augmented_assignment_expression"):
            name = _defined_name(pf, scopes, jsvalues.unwrap(node.child_by_field_name("left")))
            if name:
                found.append(Definition(name, pf.path, node))
        elif node.type == "call_expression":
            found += [Definition(n, pf.path, node) for n in _defined_by_call(pf, scopes, node)]
    return found


def _global_object(pf: ParsedFile, scopes: Scopes, node) -> str | None:
    """'global' for globalThis/global/self/window, 'process' for (globalThis.)process; else None."""
    node = jsvalues.unwrap(node)
    if node is None:
        return None
    if node.type == "identifier" and not is_bound(scopes, node):
        name = pf.text(node)
        if name in GLOBAL_OBJECTS:
            return "global"
        if name == "process":
            return "process"
    if node.type in ("member_expression", "subscript_expression") and _property(pf, node) == "process" \
            and _global_object(pf, scopes, _object(node)) == "global":
        return "process"
    return None


def _defined_name(pf: ParsedFile, scopes: Scopes, left) -> str | None:
    if left is None or left.type not in ("member_expression", "subscript_expression"):
        return None
    prop = _property(pf, left)
    owner = _global_object(pf, scopes, _object(left))
    if not prop or owner is None:
        return None
    return prop if owner == "global" else f"process.{prop}"


def _defined_by_call(pf: ParsedFile, scopes: Scopes, node) -> list[str]:
    callee = jsvalues.unwrap(node.child_by_field_name("function"))
    name = pf.text(callee) if callee is not None else ""
    if name not in ("Object.defineProperty", "Reflect.defineProperty", "Object.defineProperties", "Object.assign"):
        return []
    args = _named(node.child_by_field_name("arguments"))
    if len(args) < 2:
        return []
    owner = _global_object(pf, scopes, args[0])
    if owner is None:
        return []
    if name.endswith("defineProperty"):
        keys = [string_value(jsvalues.unwrap(args[1]), pf)]
    else:
        keys = [k for arg in args[1:] for k in jsvalues.object_pairs(arg, pf)]
    return [k if owner == "global" else f"process.{k}" for k in keys if k]


# --------------------------------------------------------------------------------------------
# What edge code uses


@dataclass
class Use:
    name: str  # 'setImmediate', 'process.nextTick', 'Buffer'
    path: str
    node: object
    guarded: bool  # feature detection or behind a check that mentions it


def edge_uses(ctx: Context, names: set[str]) -> dict[str, list[Use]]:
    """Uses of the global `names` (`process.x` for members of `process`) in edge code: free
    references (scope-aware, outside types and branches Next removes from edge bundles) and
    members of the global object (`globalThis.X`)."""
    key = "polyfill-edge-uses:" + ",".join(sorted(names))
    return ctx.shared(key, lambda: _edge_uses(ctx, names))


def _edge_uses(ctx: Context, names: set[str]) -> dict[str, list[Use]]:
    bare = {n.split(".", 1)[0] for n in names}
    needles = tuple(n.encode() for n in sorted(bare))
    graph = compat_graph(ctx)
    uses: dict[str, list[Use]] = {}
    for path in edge_files(ctx, graph):
        if not needles or not ctx.ws.contains(path, *needles):
            continue
        pf = ctx.parse(path)
        if pf is None:
            continue
        code = EdgeCode.of(pf)
        references = [(r.node, r.ancestors) for r in free_references(code, frozenset(bare))]
        for node, ancestors in references + [(m, None) for m in _global_members(code, bare)]:
            use = _use_of(pf, node, names, ancestors)
            if use is not None:
                uses.setdefault(use.name, []).append(use)
    return uses


def _global_members(code: EdgeCode, bare: set[str]) -> list:
    """`globalThis.X`, `global.X`, `self.X`, `(globalThis as any).X` nodes (the member) for X in `bare`."""
    pf = code.pf
    pattern = re.compile(rb"\.\s*(" + b"|".join(re.escape(n.encode()) for n in sorted(bare)) + rb")(?![\w$])")
    found = []
    for match in pattern.finditer(pf.source):
        node = pf.root.descendant_for_byte_range(match.start(1), match.end(1))
        member = node.parent if node is not None else None
        if member is None or member.type != "member_expression" or code.is_dead(member):
            continue
        if _id(member.child_by_field_name("property")) != node.id:
            continue
        obj = jsvalues.unwrap(_object(member))
        if obj is not None and obj.type == "identifier" and pf.text(obj) in GLOBAL_OBJECTS \
                and not is_bound(code.scopes, obj):
            found.append(member)
    return found


def _use_of(pf: ParsedFile, node, names: set[str], ancestors=None) -> Use | None:
    """The name a reference uses (`process` becomes `process.<member>`), or None."""
    if node.type == "member_expression":  # globalThis.X
        name = _property(pf, node)
        base = node
    else:
        name, base = pf.text(node), node
    if name == "process":
        member = base.parent
        if member is None or member.type not in ("member_expression", "subscript_expression") \
                or _id(_object(member)) != base.id:
            return None
        prop = _property(pf, member)
        if not prop:
            return None
        name, base = f"process.{prop}", member
    if name is None or (name not in names and not (name.startswith("process.") and "process" in names)):
        return None
    # a write (`globalThis.X = …`) defines it; it is not a use
    parent = base.parent
    if parent is not None and parent.type in ("assignment_expression", "augmented_assignment_expression") \
            and _id(parent.child_by_field_name("left")) == base.id:
        return None
    if ancestors is not None and base.id != node.id:  # `process.x`: the member is one level up
        ancestors = ancestors[1:]
    return Use(name, pf.path, base, guarded(pf, base, name, ancestors))


# --------------------------------------------------------------------------------------------
# Helpers for the checks


def location(analysis: Analysis, node, message: str = ""):
    from edgelint.api import Location

    return Location(analysis.config_path, analysis.pf.span(node), message)


def quoted(added: AddedPath, extra: str = "") -> str:
    """`'./lib/p.js' (`EDGE_POLYFILL`; extra)`."""
    inside = "; ".join(part for part in (f"`{added.via}`" if added.via else "", extra) if part)
    return f"'{added.spec}'" + (f" ({inside})" if inside else "")


def edge_polyfills(analysis: Analysis, injection: Injection) -> list[tuple[AddedPath, str]]:
    """The paths of an injection that are meant for the edge runtime, with the reason, one per spec."""
    found, seen = [], set()
    for added in injection.paths:
        reason = analysis.edge_polyfill_reason(added)
        if reason and added.spec not in seen:
            seen.add(added.spec)
            found.append((added, reason))
    return found


@dataclass
class Bundler:
    turbopack: bool
    assumed: bool  # the Next.js version is unknown: treated as the newest (Turbopack by default)
    build_fails: bool  # Next 16+ with a webpack hook, no `turbopack` key and no explicit flag
    build_script: str


def bundler(ctx: Context, analysis: Analysis | None = None) -> Bundler:
    """Whether `next build` uses Turbopack, where the `webpack` hook is never called (REFERENCE.md
    §6.3 item 7)."""
    app = ctx.app
    scripts = app.package.get("scripts") if isinstance(app.package.get("scripts"), dict) else {}
    build_script = str(scripts.get("build", ""))
    assumed = app.next_version is None and not app.turbopack and "--webpack" not in build_script
    turbopack = app.turbopack or assumed
    newest = app.next_version is None or app.next_version.at_least(16)
    has_key = app.next_config is not None and "turbopack" in app.next_config.pairs()
    build_fails = turbopack and newest and not has_key and "--turbo" not in build_script
    return Bundler(turbopack, assumed, build_fails, build_script)


def injected_modules(analysis: Analysis, *,
                     edge_only: bool = True) -> list[tuple[PolyfillModule, Injection, AddedPath]]:
    """(module, injection, path) for every polyfill file injected (into the edge compilation)."""
    found, seen = [], set()
    for injection in analysis.injections:
        for added in injection.paths:
            if edge_only and "edge" not in injection.runs_in_for(added):
                continue
            module = analysis.module(added)
            if module is not None and module.path not in seen:
                seen.add(module.path)
                found.append((module, injection, added))
    return found
