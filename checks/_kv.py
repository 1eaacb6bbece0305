"""Shared by the KV checks (EDGE3xx): where code reads Cloudflare bindings, which of them are KV
namespaces, the calls made on them, and where request contexts are obtained.

Facts (REFERENCE.md): binding access per adapter §2.4 (`getRequestContext`,
`getOptionalRequestContext`, bindings copied to `process.env` §8a) and §2.5
(`getCloudflareContext`, `{ async: true }`); KV methods and options §3.1-§3.2; Wrangler
declarations §3.3.

How a value is followed, never by running it:

* imports are tracked by source module: only `getRequestContext` / `getOptionalRequestContext`
  imported from `@cloudflare/next-on-pages` and `getCloudflareContext` from
  `@opennextjs/cloudflare` (named, aliased, namespace, `require`, `await import`) are request
  contexts; a local function or parameter with the same name shadows them (lexical scopes);
* `ctx.env`, `{ env } = ctx`, `{ env: { X } }`, `{ X } = env`, `env.X`, `env['X']`, casts,
  `await`, parentheses and non-null assertions are looked through;
* `process.env` (unless `process` is a local name) and `globalThis` count as an env object;
  parameters typed `CloudflareEnv` as well, and values typed `KVNamespace` as an unnamed KV
  namespace, also a destructured parameter whose object type (inline, or a `type`/`interface`
  of the file) gives the property one of those types (`{ kv }: Deps`);
* a context, env or binding passed to a function declared in the same file binds its
  parameter, and a local function that returns one makes its calls return it;
* across modules, one step: an exported function that returns a binding (or is typed to return
  `KVNamespace`) is recorded with the file (`FileKv.factories`), and the calls made on what an
  imported function returns (`sessions().put(…)` with `sessions` from '@/lib/kv') are named
  after the binding once the index has resolved the import (`_build_index`); so is an exported
  function that returns the env of a request context (`export const getEnv = () =>
  getRequestContext().env`), or the context itself (`getContext = () =>
  getCloudflareContext({ async: true })`): `getEnv().SESSIONS`, `const { SESSIONS } = getEnv()`,
  `const { env } = await getContext(); env.SESSIONS` in the modules that import it read bindings (until then they are pending, and dropped when the import turns
  out to be something else); an exported
  function that calls a request-context API itself is recorded too (`FileKv.context_exports`),
  so that EDGE304 sees `const db = getDb()` at the top level of the module that imports it.

Tests and mocks (`*.test.ts`, `__tests__/`, `__mocks__/`, a `tests/` or `e2e/` folder at the app
root) are not read: they run under a test runner with stubbed bindings, never on Cloudflare.

Whether a binding is a KV namespace is decided per app (`KvIndex.is_kv`): declared under
`kv_namespaces` in a Wrangler file, else typed `KVNamespace` in the `CloudflareEnv` interface (or
cast to it), else — for a binding read from a request context — used with KV methods only (and
none of R2's options: an R2 bucket has `get`/`put`/`list` too, `R2_OPTION_KEYS`).
Vercel KV, Upstash clients, `Map`s and query builders never come from an env object, so they
are never candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from edgelint.api import Context, ParsedFile, Span
from edgelint.jsvalues import property_key
from edgelint.parsing import string_value
from edgelint.summary import ModuleSummary

NEXT_ON_PAGES = "@cloudflare/next-on-pages"
OPENNEXT = "@opennextjs/cloudflare"
#: (module, exported name) -> API name
CONTEXT_APIS = {(NEXT_ON_PAGES, "getRequestContext"): "getRequestContext",
                (NEXT_ON_PAGES, "getOptionalRequestContext"): "getOptionalRequestContext",
                (OPENNEXT, "getCloudflareContext"): "getCloudflareContext"}
NEXT_ON_PAGES_APIS = ("getRequestContext", "getOptionalRequestContext")
PROCESS_MODULES = ("process", "node:process")

KV_METHODS = frozenset({"get", "getWithMetadata", "put", "delete", "list"})
#: Methods of other binding types (R2, Durable Objects, D1, services, queues, rate limiters, …):
#: a binding called with one of these is not a KV namespace.
NON_KV_METHODS = frozenset({
    "head", "createMultipartUpload", "resumeMultipartUpload", "(R2 options)",  # R2
    "idFromName", "idFromString", "newUniqueId", "jurisdiction", "getByName",  # Durable Objects
    "prepare", "batch", "exec", "dump", "withSession",  # D1
    "fetch", "connect",  # services, assets
    "limit",  # rate limiting
    "send", "sendBatch",  # queues
    "writeDataPoint",  # analytics engine
    "run", "query", "insert", "upsert", "getByIds", "deleteByIds", "describe",  # AI, Vectorize
    "create", "createBatch",  # workflows
})
#: Binding names OpenNext itself reads (its caches), REFERENCE.md §2.5.
OPENNEXT_RESERVED = frozenset({"NEXT_INC_CACHE_KV", "NEXT_CACHE_WORKERS_KV", "NEXT_TAG_CACHE_KV",
                               "NEXT_INC_CACHE_R2_BUCKET", "NEXT_TAG_CACHE_D1", "NEXT_TAG_CACHE_DO_SHARDED",
                               "NEXT_CACHE_DO_QUEUE", "WORKER_SELF_REFERENCE", "ASSETS"})
#: The binding next-on-pages' KV suspense cache reads (`templates/cache/kv.ts` of
#: @cloudflare/next-on-pages 1.13; Cloudflare's next-on-pages caching guide tells users to create it).
NEXT_ON_PAGES_RESERVED = frozenset({"__NEXT_ON_PAGES__KV_SUSPENSE_CACHE"})
#: Bytes a file must contain to be analysed at all.
PREFILTER = (b"getRequestContext", b"getCloudflareContext", b"getOptionalRequestContext", b"CloudflareEnv",
             b"KVNamespace")
#: Env objects that hold bindings only where Cloudflare runs the app: read for a Cloudflare target,
#: or an app with a Wrangler file (elsewhere `process.env.X` is an environment variable).
ENV_OBJECTS = (b"process.env", b"globalThis")
#: React's `cache(fn)`: a function that returns what `fn` returns (memoised per request).
REACT_CACHE = ("cache", "React.cache")
#: Files that usually hold the `CloudflareEnv` interface (REFERENCE.md §2.4 "Types").
ENV_TYPE_FILES = ("env.d.ts", "cloudflare-env.d.ts", "worker-configuration.d.ts")

KV_TYPE = re.compile(r"^\s*(?:Readonly<\s*)?KVNamespace\b")
KV_TYPE_ANYWHERE = re.compile(r"\bKVNamespace\b")
ENV_TYPE = re.compile(r"^\s*(?:CloudflareEnv|Cloudflare\.Env)\s*$")
SCALAR_TYPE = re.compile(r"^\s*(?:string|number|boolean|`|\"|'|\d)")

SCOPE_TYPES = frozenset({"program", "statement_block", "function_declaration", "generator_function_declaration",
                         "function_expression", "arrow_function", "generator_function",
                         "method_definition", "for_statement", "for_in_statement", "catch_clause", "switch_body",
                         "class_static_block"})
FUNCTION_TYPES = frozenset({"function_declaration", "generator_function_declaration", "function_expression",
                            "arrow_function", "generator_function", "method_definition"})
HOIST_SCOPES = FUNCTION_TYPES | {"program"}
INDEX_QUERY = """[
  (variable_declarator) (function_declaration) (generator_function_declaration) (function_expression)
  (arrow_function) (generator_function) (method_definition) (class_declaration) (abstract_class_declaration)
  (catch_clause) (for_in_statement) (member_expression) (subscript_expression) (call_expression)
  (new_expression)
] @node"""
WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
                      "type_assertion", "await_expression"})
MAX_DEPTH = 48


# --------------------------------------------------------------------------------------------
# What the analysis produces


@dataclass(frozen=True)
class Value:
    """What an expression evaluates to, as far as bindings are concerned."""

    tag: str  # 'module' | 'api' | 'context' | 'env' | 'binding' | 'process'
    how: str = ""  # module: its source; api/context: the API; env/binding: how the env was obtained
    name: str = ""  # binding: its name ('' when unknown, e.g. a parameter typed KVNamespace)
    origin: int = 0  # binding: id of the node where it was read from the env
    typed_kv: bool = False  # binding: typed or cast as KVNamespace
    is_async: bool = False  # context: from getCloudflareContext({ async: true })
    factory: tuple = ()  # binding: (module, export) of the imported function whose call returned it (or
    # whose call returned the env it was read from: how 'factory-env', pending until the index resolves it)


@dataclass
class Access:
    """A binding read from an env object: `env.X`, `env['X']`, `{ X } = env`."""

    name: str
    how: str  # 'getRequestContext' | 'getOptionalRequestContext' | 'getCloudflareContext' | 'process.env' | 'globalThis' | 'CloudflareEnv'
    node: object  # the member expression, or the destructuring property
    span: Span
    in_function: bool
    method: str | None = None  # the first method called on it, directly or through a local alias
    methods: tuple[str, ...] = ()
    typed_kv: bool = False  # cast or typed as KVNamespace where it is read
    factory: tuple = ()  # (module, export) of the imported function that returned the env (how 'factory-env')
    via: str = ""  # that function's name, once resolved: `getEnv().X`


@dataclass
class BindingCall:
    """A method call on a binding value: `env.X.put(…)`, `kv.get(…)` with `kv = env.X`."""

    method: str
    node: object  # the call_expression
    span: Span
    name: str  # '' for an unnamed KVNamespace value
    how: str
    origin: int
    typed_kv: bool
    arguments: list = field(default_factory=list)
    prefix: str = ""  # 'await' / 'void' / … swallowed into the callee (see `callee`)
    factory: tuple = ()  # (module, export) when the receiver is what an imported function returns


@dataclass
class ContextCall:
    """A call of a request-context API: `getRequestContext()`, `getCloudflareContext(…)`."""

    api: str
    node: object
    span: Span
    in_function: bool
    is_async: bool  # getCloudflareContext({ async: true })
    function: object | None  # the innermost enclosing function node
    function_name: str  # its name when it has one (declaration, variable, method, export)


@dataclass
class FileKv:
    path: str
    pf: ParsedFile
    accesses: list[Access]
    calls: list[BindingCall]
    contexts: list[ContextCall]
    dynamic_env: bool  # env[expression] or `...rest` of an env: any binding may be read
    analyzer: "_Analyzer"
    module_scope_helper_calls: list[tuple[object, ContextCall]] = field(default_factory=list)
    factories: dict[str, list] = field(default_factory=dict)  # export -> [binding, "*" (env) or "**" (context), how, typed_kv]
    context_exports: dict[str, list] = field(default_factory=dict)  # export -> [api, line, is_async] it calls
    dynamic_process_env: bool = False  # the same of `process.env` (bindings there on next-on-pages only)


def binding_accesses(pf: ParsedFile, summary: ModuleSummary | None) -> list[Access]:
    """Every binding read in the file (see the module docs for the forms recognised)."""
    return [a for a in analyze(pf, summary).accesses if a.how != "factory-env"]  # those need the index


def analyze(pf: ParsedFile, summary: ModuleSummary | None) -> FileKv:
    analyzer = _Analyzer(pf, summary)
    return analyzer.run()


# --------------------------------------------------------------------------------------------
# Scopes and values in one file


@dataclass
class _Decl:
    kind: str  # 'import' | 'var' | 'param' | 'function' | 'class' | 'other'
    node: object  # variable_declarator, function node (param, function), import → None
    steps: tuple = ()  # destructuring: ((key, node id), …); key None for array items
    index: int = -1  # param position
    source: str = ""  # import
    imported: str = ""
    const: bool = False


class _Analyzer:
    def __init__(self, pf: ParsedFile, summary: ModuleSummary | None):
        self.pf = pf
        self.summary = summary
        self.decls: dict[tuple[int, str], _Decl] = {}
        self.root_id = pf.root.id
        self.function_of: dict[int, object] = {}  # node id -> innermost enclosing function (memo)
        self._scope_of: dict[int, object] = {}  # node id -> innermost enclosing scope node (memo)
        self.members: list = []
        self.calls: list = []
        self.news: list = []  # `new X(…)` expressions
        self.declarators: list = []
        self.functions: dict[int, object] = {}  # function node id -> node
        self.param_values: dict[tuple[int, int], Value] = {}
        self._memo: dict[int, Value | None] = {}
        self._busy: set[int] = set()
        self._decl_memo: dict[int, Value | None] = {}
        self._returns: dict[int, Value | None] = {}
        self._types: dict | None = None  # local object types by name (`_local_types`)
        self.dynamic_env = False
        self.dynamic_process_env = False

    def _dynamic(self, env: Value) -> None:
        """Note a read of an env with a computed key (or `...rest`): any binding may be read.
        `process.env[name]` only under next-on-pages, which copies bindings there; `globalThis`
        never holds bindings."""
        if env.how == "process.env":
            self.dynamic_process_env = True
        elif env.how != "globalThis":
            self.dynamic_env = True

    # ---- indexing -------------------------------------------------------------------------

    def _index(self) -> None:
        """Collect declarations, member expressions and calls with one query (no Python walk over
        the whole tree); scopes are found from a node's ancestors when needed."""
        root = self.pf.root
        self.root_id = root.id
        if self.summary is not None:
            for imp in self.summary.imports:
                if imp.kind != "static" or imp.type_only:
                    continue
                for imported, local in imp.names:
                    self.decls[(root.id, local)] = _Decl("import", None, source=imp.source, imported=imported)
        for _name, node in self.pf.query(INDEX_QUERY):
            t = node.type
            if t in FUNCTION_TYPES:
                self.functions[node.id] = node
                name = node.child_by_field_name("name")
                if name is not None and t in ("function_declaration", "generator_function_declaration"):
                    self._declare(self.scope_of(node), self.pf.text(name), _Decl("function", node))
                self._declare_params(node)
            elif t in ("class_declaration", "abstract_class_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    self._declare(self.scope_of(node), self.pf.text(name), _Decl("class", node))
            elif t == "variable_declarator":
                self.declarators.append(node)
                self._declare_declarator(node)
            elif t == "catch_clause":
                param = node.child_by_field_name("parameter")
                if param is not None:
                    for name, _steps, _node in _pattern_names(param, self.pf):
                        self._declare(node.id, name, _Decl("other", node))
            elif t == "for_in_statement":
                left = node.child_by_field_name("left")
                if left is not None:
                    for name, _steps, _node in _pattern_names(left, self.pf):
                        self._declare(node.id, name, _Decl("other", node))
            elif t in ("member_expression", "subscript_expression"):
                self.members.append(node)
            elif t == "call_expression":
                self.calls.append(node)
            elif t == "new_expression":
                self.news.append(node)

    def _parent(self, node):
        return self.pf.parent(node)  # fast on deeply nested input too

    def _climb(self, node, memo: dict, stop) -> object:
        """The nearest ancestor for which `stop` holds (None if none), remembered in `memo` for
        every node on the way."""
        path = []
        current, found = node, None
        while True:
            if current.id in memo:
                found = memo[current.id]
                break
            path.append(current.id)
            parent = self._parent(current)
            if parent is None or stop(parent):
                found = parent
                break
            current = parent
        for key in path:
            memo[key] = found
        return found

    def _scope_node(self, node):
        """The innermost scope node that encloses `node` (not `node` itself), or None."""
        return self._climb(node, self._scope_of, lambda n: n.type in SCOPE_TYPES)

    def scope_of(self, node) -> int:
        """The id of the innermost scope that encloses `node` (not `node` itself)."""
        scope = self._scope_node(node)
        return scope.id if scope is not None else self.root_id

    def enclosing_function(self, node):
        """The innermost function around `node` (an instance field initialiser counts), or None."""
        return self._climb(node, self.function_of,
                           lambda parent: parent.type in FUNCTION_TYPES or _instance_field(parent))

    def _declare(self, scope: int, name: str, decl: _Decl) -> None:
        self.decls.setdefault((scope, name), decl)

    def _declare_params(self, function) -> None:
        params = function.child_by_field_name("parameters")
        single = function.child_by_field_name("parameter")
        items = []
        if params is not None:
            items = [c for c in params.named_children if c.type != "comment"]
        elif single is not None:
            items = [single]
        for index, param in enumerate(items):
            pattern = param.child_by_field_name("pattern") if param.type in ("required_parameter",
                                                                             "optional_parameter") else param
            if pattern is None:
                continue
            for name, steps, _node in _pattern_names(pattern, self.pf):
                self._declare(function.id, name, _Decl("param", param, steps, index))

    def _declare_declarator(self, node) -> None:
        name = node.child_by_field_name("name")
        if name is None:
            return
        declaration = node.parent
        const = declaration is not None and declaration.type == "lexical_declaration" and \
            declaration.children and declaration.children[0].type == "const"
        scope = self.scope_of(node)
        if declaration is not None and declaration.type == "variable_declaration":  # `var` is hoisted
            parent = self._scope_node(node)
            while parent is not None and parent.type not in HOIST_SCOPES:
                parent = self._scope_node(parent)
            scope = parent.id if parent is not None else self.root_id
        for local, steps, _node in _pattern_names(name, self.pf):
            self._declare(scope, local, _Decl("var", node, steps, const=const))

    # ---- resolution ----------------------------------------------------------------------

    def resolve(self, identifier) -> _Decl | None:
        """The declaration an identifier refers to, None for a global."""
        name = self.pf.text(identifier)
        node = self._scope_node(identifier)
        while node is not None:
            decl = self.decls.get((node.id, name))
            if decl is not None:
                return decl
            node = self._scope_node(node)
        return self.decls.get((self.root_id, name))

    def in_function(self, node) -> bool:
        return self.enclosing_function(node) is not None

    # ---- values --------------------------------------------------------------------------

    def value(self, node, depth: int = 0) -> Value | None:
        if node is None or depth > MAX_DEPTH:
            return None
        key = node.id
        if key in self._memo:
            return self._memo[key]
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            result = self._value(node, depth)
        finally:
            self._busy.discard(key)
        self._memo[key] = result
        return result

    def _value(self, node, depth: int) -> Value | None:
        t = node.type
        if t in WRAPPERS:
            inner = next((c for c in node.named_children if c.type != "comment"), None)
            result = self.value(inner, depth + 1)
            if t in ("as_expression", "type_assertion") and result is not None and result.tag == "binding":
                type_node = node.named_children[-1] if t == "as_expression" else node.named_children[0]
                if KV_TYPE.match(self.pf.text(type_node)):
                    result = replace(result, typed_kv=True)
            elif t == "as_expression" and result is None:
                type_node = node.named_children[-1] if node.named_children else None
                if type_node is not None and KV_TYPE.match(self.pf.text(type_node)):
                    return None  # a cast of something unknown: not a binding we can name
            return result
        if t == "identifier":
            name = self.pf.text(node)
            decl = self.resolve(node)
            if decl is None:
                if name == "globalThis":
                    return Value("env", "globalThis")
                if name == "process":
                    return Value("process")
                return None
            return self.decl_value(decl, depth + 1)
        if t == "member_expression":
            obj = self.value(node.child_by_field_name("object"), depth + 1)
            prop = node.child_by_field_name("property")
            if obj is None or prop is None:
                return None
            return self.member(obj, self.pf.text(prop), node.id)
        if t == "subscript_expression":
            obj = self.value(node.child_by_field_name("object"), depth + 1)
            if obj is None:
                return None
            index = node.child_by_field_name("index")
            key = string_value(index, self.pf) if index is not None else None
            if key is None:
                if obj.tag == "env":
                    self._dynamic(obj)
                return None
            return self.member(obj, key, node.id)
        if t == "call_expression":
            return self._call_value(node, depth)
        return None

    def _call_value(self, node, depth: int) -> Value | None:
        function, _prefix = callee(node)
        if function is None:
            return None
        args = node.child_by_field_name("arguments")
        if function.type == "import" or (function.type == "identifier" and self.pf.text(function) == "require"
                                         and self.resolve(function) is None):
            first = next((a for a in (args.named_children if args is not None else []) if a.type != "comment"), None)
            source = string_value(first, self.pf) if first is not None else None
            return Value("module", source) if source else None
        called = self.value(function, depth + 1)
        if called is not None and called.tag == "api":
            return Value("context", called.how, is_async=called.how == "getCloudflareContext" and _async_option(args, self.pf))
        if called is None and function.type == "identifier":
            target = self.local_function(function)
            if target is not None:
                return self._returned_value(target, depth + 1)
            decl = self.resolve(function)
            if decl is not None and decl.kind == "import" and decl.imported not in ("*", "default"):
                # what another module's function returns: a binding if that module's facts say so
                return Value("binding", "factory", "", node.id, factory=(decl.source, decl.imported))
        return None

    def _returned_value(self, function, depth: int) -> Value | None:
        if function.id in self._returns:
            return self._returns[function.id]
        self._returns[function.id] = None  # recursion
        result = self._returned_value_of(function, depth)
        self._returns[function.id] = result
        return result

    def _returned_value_of(self, function, depth: int) -> Value | None:
        body = function.child_by_field_name("body")
        if body is None:
            return None
        if body.type != "statement_block":
            return self.value(body, depth)
        for node in self.pf.walk(body):
            enclosing = self.enclosing_function(node) if node.type == "return_statement" else None
            if enclosing is not None and enclosing.id == function.id:
                returned = next((c for c in node.named_children if c.type != "comment"), None)
                result = self.value(returned, depth) if returned is not None else None
                if result is not None:
                    return result
        return None

    def member(self, obj: Value, prop: str, origin: int) -> Value | None:
        if obj.tag == "module":
            api = CONTEXT_APIS.get((obj.how, prop))
            return Value("api", api) if api else None
        if obj.tag == "process" and prop == "env":
            return Value("env", "process.env")
        if obj.tag == "context" and prop == "env":
            return Value("env", obj.how)
        if obj.tag == "env":
            return Value("binding", obj.how, prop, origin)
        if obj.tag == "binding" and obj.how == "factory" and not obj.name:  # `getEnv().X`, if it returns an env
            return Value("binding", "factory-env", prop, origin, factory=obj.factory)
        if obj.tag == "binding" and obj.how == "factory-env" and obj.name == "env" and len(obj.factory) == 2:
            return Value("binding", "factory-env", prop, origin, factory=(*obj.factory, "env"))  # `getContext().env.X`
        return None

    def decl_value(self, decl: _Decl, depth: int) -> Value | None:
        key = id(decl)
        if key in self._decl_memo:
            return self._decl_memo[key]
        self._decl_memo[key] = None  # cycles
        result = self._decl_value(decl, depth)
        self._decl_memo[key] = result
        return result

    def _decl_value(self, decl: _Decl, depth: int) -> Value | None:
        if decl.kind == "import":
            if decl.imported == "*" or decl.imported == "default":
                if decl.source in PROCESS_MODULES:
                    return Value("process")
                return Value("module", decl.source) if decl.source in (NEXT_ON_PAGES, OPENNEXT) else None
            api = CONTEXT_APIS.get((decl.source, decl.imported))
            if api:
                return Value("api", api)
            if decl.source in PROCESS_MODULES and decl.imported == "env":
                return Value("env", "process.env")
            return None
        if decl.kind == "var":
            declarator = decl.node
            type_node = declarator.child_by_field_name("type")
            if not decl.steps and type_node is not None:
                typed = self._typed_value(type_node, declarator.child_by_field_name("name"))
                if typed is not None:
                    base = self.value(declarator.child_by_field_name("value"), depth)
                    if base is not None and base.tag == "binding" and typed.tag == "binding":
                        return replace(base, typed_kv=True)
                    return typed
            base = self.value(declarator.child_by_field_name("value"), depth)
            return self._destructure(base, decl.steps)
        if decl.kind == "param":
            param = decl.node
            type_node = param.child_by_field_name("type") if param.type in ("required_parameter",
                                                                            "optional_parameter") else None
            typed = self._typed_value(type_node, param) if type_node is not None else None
            if typed is None and type_node is not None and decl.steps and decl.steps[0][0] is not None:
                member = self._member_type(type_node, decl.steps[0][0])  # `{ kv }: { kv: KVNamespace }`
                member_value = self._typed_value(member, param) if member is not None else None
                if member_value is not None:
                    return self._destructure(member_value, decl.steps[1:])
            function = param.parent.parent if param.parent is not None and param.parent.type == "formal_parameters" \
                else param.parent
            passed = self.param_values.get((function.id, decl.index)) if function is not None else None
            if passed is not None and passed.tag == "binding" and typed is not None and typed.tag == "binding":
                base = replace(passed, typed_kv=True)  # passed in, typed KVNamespace
            elif passed is not None and typed is not None and passed.tag == typed.tag:
                base = passed  # what is passed in says where it comes from (`process.env` typed CloudflareEnv)
            else:
                base = typed or passed
            return self._destructure(base, decl.steps)
        return None

    def _member_type(self, type_node, key: str):
        """The type annotation of property `key` of an object type: written inline, or a
        `type`/`interface` of this file named there."""
        node = type_node.named_children[0] if type_node.type == "type_annotation" and type_node.named_children \
            else type_node
        if node.type == "type_identifier":
            node = self._local_types().get(self.pf.text(node))
        if node is None or node.type not in ("object_type", "interface_body"):
            return None
        for member in node.named_children:
            name = member.child_by_field_name("name") if member.type == "property_signature" else None
            if name is not None and property_key(name, self.pf) == key:
                return member.child_by_field_name("type")
        return None

    def _local_types(self) -> dict:
        """Object types this file names with `type X = { … }` or `interface X { … }`."""
        if self._types is None:
            self._types = {}
            for statement in self.pf.root.named_children:
                declaration = statement.child_by_field_name("declaration") if statement.type == "export_statement" \
                    else statement
                if declaration is None or declaration.type not in ("type_alias_declaration", "interface_declaration"):
                    continue
                name = declaration.child_by_field_name("name")
                body = declaration.child_by_field_name("value" if declaration.type == "type_alias_declaration"
                                                       else "body")
                if name is not None and body is not None:
                    self._types.setdefault(self.pf.text(name), body)
        return self._types

    def _typed_value(self, type_node, at) -> Value | None:
        text = self.pf.text(type_node).lstrip(":").strip()
        if KV_TYPE.match(text):
            return Value("binding", "KVNamespace", "", at.id if at is not None else 0, True)
        if ENV_TYPE.match(text):
            return Value("env", "CloudflareEnv")
        return None

    def _destructure(self, value: Value | None, steps: tuple) -> Value | None:
        for key, origin in steps:
            if value is None or key is None:
                return None
            value = self.member(value, key, origin)
        return value

    def local_function(self, identifier):
        """The function node a local name refers to (declaration or `const f = () => …`)."""
        decl = self.resolve(identifier)
        if decl is None:
            return None
        if decl.kind == "function":
            return decl.node
        if decl.kind == "var" and not decl.steps:
            value = decl.node.child_by_field_name("value")
            while value is not None and value.type in ("parenthesized_expression", "as_expression",
                                                       "satisfies_expression"):
                value = value.named_children[0] if value.named_children else None
            if value is not None and value.type in FUNCTION_TYPES:
                return value
        return None

    # ---- the run -------------------------------------------------------------------------

    def _propagate(self) -> None:
        """Bind parameters of same-file functions to the contexts, envs and bindings passed in."""
        local_calls = []
        for call in self.calls:
            function, _prefix = callee(call)
            args = call.child_by_field_name("arguments")
            if function is None or args is None or function.type != "identifier":
                continue
            target = self.local_function(function)
            if target is not None:
                local_calls.append((target, [a for a in args.named_children if a.type != "comment"]))
        if not local_calls:
            return
        for _round in range(4):
            changed = False
            self._memo.clear()
            self._decl_memo.clear()
            self._returns.clear()
            for target, args in local_calls:
                for index, arg in enumerate(args):
                    if (target.id, index) in self.param_values or arg.type == "spread_element":
                        continue
                    value = self.value(arg)
                    if value is not None and value.tag in ("context", "env", "binding"):
                        self.param_values[(target.id, index)] = value
                        changed = True
            if not changed:
                break
        self._memo.clear()
        self._decl_memo.clear()
        self._returns.clear()

    def run(self) -> FileKv:
        self._index()
        self._propagate()
        pf = self.pf
        accesses: dict[int, Access] = {}
        order: list[int] = []

        def add(node, value: Value) -> None:
            if node.id in accesses:
                return
            accesses[node.id] = Access(value.name, value.how, node, pf.span(node), self.in_function(node),
                                       typed_kv=value.typed_kv or _cast_to_kv(node, pf, self._parent),
                                       factory=value.factory if value.how == "factory-env" else ())
            order.append(node.id)

        for node in self.members:
            if _is_assignment_target(node, self._parent):
                continue
            value = self.value(node)
            if value is not None and value.tag == "binding" and value.origin == node.id and value.name:
                add(node, value)
        for declarator in self.declarators:
            name = declarator.child_by_field_name("name")
            if name is None or name.type != "object_pattern":
                continue
            self._pattern_accesses(name, self.value(declarator.child_by_field_name("value")), add)
        for function in self.functions.values():
            params = function.child_by_field_name("parameters")
            if params is None:
                continue
            for index, param in enumerate(c for c in params.named_children if c.type != "comment"):
                pattern = param.child_by_field_name("pattern") if param.type in ("required_parameter",
                                                                                 "optional_parameter") else None
                if pattern is None or pattern.type != "object_pattern":
                    continue
                type_node = param.child_by_field_name("type")
                typed = self._typed_value(type_node, param) if type_node is not None else None
                passed = self.param_values.get((function.id, index))
                base = passed if passed is not None and typed is not None and passed.tag == typed.tag else typed or passed
                self._pattern_accesses(pattern, base, add)

        calls: list[BindingCall] = []
        contexts: list[ContextCall] = []
        for call in self.calls:
            function, prefix = callee(call)
            if function is None:
                continue
            called = self.value(function)
            if called is not None and called.tag == "api":
                enclosing = self.enclosing_function(call)
                contexts.append(ContextCall(called.how, call, pf.span(call), enclosing is not None,
                                            called.how == "getCloudflareContext"
                                            and _async_option(call.child_by_field_name("arguments"), pf),
                                            enclosing, _function_name(enclosing, pf)))
                continue
            if function.type != "member_expression":
                continue
            prop = function.child_by_field_name("property")
            target = self.value(function.child_by_field_name("object"))
            if prop is None or target is None or target.tag != "binding":
                continue
            args = call.child_by_field_name("arguments")
            arguments = [a for a in args.named_children if a.type != "comment"] if args is not None else []
            calls.append(BindingCall(pf.text(prop), call, pf.span(call), target.name, target.how, target.origin,
                                     target.typed_kv, arguments, prefix, target.factory))
            access = accesses.get(target.origin)
            if access is not None:
                if access.method is None:
                    access.method = pf.text(prop)
                access.methods = tuple(dict.fromkeys(access.methods + (pf.text(prop),)))
                access.typed_kv = access.typed_kv or target.typed_kv

        helper_calls = []
        for call in self.calls + self.news:
            if self.in_function(call):
                continue
            function, _prefix = callee(call) if call.type == "call_expression" else (
                call.child_by_field_name("constructor"), "")
            while function is not None and function.type == "parenthesized_expression":
                function = next((c for c in function.named_children if c.type != "comment"), None)
            if function is not None and function.type in FUNCTION_TYPES:
                targets = {function.id}  # invoked where it is written: `(() => getRequestContext().env)()`
            elif function is not None and function.type == "identifier":
                targets = self._run_by(function, call.type == "new_expression")
            else:
                continue
            inner = next((c for c in contexts if c.function is not None and c.function.id in targets), None)
            if inner is not None:
                helper_calls.append((call, inner))
        result = [accesses[i] for i in order]
        result.sort(key=lambda a: (a.node.start_byte, a.node.end_byte))
        return FileKv(pf.path, pf, result, calls, contexts, self.dynamic_env, self, helper_calls, self._factories(),
                      self._context_exports(contexts), self.dynamic_process_env)

    def _run_by(self, identifier, new: bool) -> set[int]:
        """The ids of the functions that calling `identifier` runs: the local function it names;
        for `new`, the constructor and instance field initialisers of the local class it names."""
        if not new:
            function = self.local_function(identifier)
            return {function.id} if function is not None else set()
        decl = self.resolve(identifier)
        body = decl.node.child_by_field_name("body") if decl is not None and decl.kind == "class" else None
        members = body.named_children if body is not None else ()
        return {m.id for m in members if _instance_field(m) or (
            m.type == "method_definition" and self.pf.text(m.child_by_field_name("name")) == "constructor")}

    def _exported_functions(self):
        """(export name, function node) of each exported function of the file; also one wrapped
        in React's `cache(…)` (`export const getContext = cache(() => getCloudflareContext(…))`),
        which returns what the function returns."""
        for name, export in (self.summary.exports.items() if self.summary is not None else ()):
            if export.kind == "reexport" or not (export.is_function or export.kind == "local"
                                                 or export.callee in REACT_CACHE):
                continue
            decl = self.decls.get((self.root_id, export.local or name))
            function = decl.node if decl is not None and decl.kind == "function" else None
            if decl is not None and decl.kind == "var" and not decl.steps:
                value = decl.node.child_by_field_name("value")
                while value is not None and value.type in WRAPPERS:
                    value = next((c for c in value.named_children if c.type != "comment"), None)
                if value is not None and value.type == "call_expression" and \
                        self.pf.text(value.child_by_field_name("function")) in REACT_CACHE:
                    args = value.child_by_field_name("arguments")
                    value = next((c for c in args.named_children if c.type != "comment"), None) if args else None
                function = value if value is not None and value.type in FUNCTION_TYPES else None
            if function is not None:
                yield name, function

    def _context_exports(self, contexts: list[ContextCall]) -> dict[str, list]:
        """Exported functions that call a request-context API themselves: [api, line, is_async];
        the API itself re-exported (`export { getCloudflareContext } from '@opennextjs/cloudflare'`),
        with is_async None (the caller's arguments say). Not those of a 'use server' module: server
        actions are called by the client, not at the top level of other modules."""
        found = {}
        if self.summary is not None and self.summary.use_server:
            return found
        for name, api in self._reexported_apis().items():
            found[name] = [api, self.summary.exports[name].span.line, None]
        for name, function in self._exported_functions():
            inner = next((c for c in contexts if c.function is not None and c.function.id == function.id), None)
            if inner is not None:
                found[name] = [inner.api, inner.span.line, inner.is_async]
        return found

    def _reexported_apis(self) -> dict[str, str]:
        """Export name -> API of the request-context APIs the file re-exports as they are."""
        exports = self.summary.exports.items() if self.summary is not None else ()
        return {name: CONTEXT_APIS[(e.source, e.local or name)] for name, e in exports
                if e.kind == "reexport" and (e.source, e.local or name) in CONTEXT_APIS}

    def _factories(self) -> dict[str, list]:
        """Exported functions that return a binding (`export const getKV = () =>
        getCloudflareContext().env.KV`, or a return type `KVNamespace`), or the env of a request
        context (binding "*") or the context itself ("**"): other modules' calls of them are binding
        values, env objects or contexts (resolved across modules by `_build_index`)."""
        found: dict[str, list] = {name: ["**", api, False] for name, api in self._reexported_apis().items()}
        for name, function in self._exported_functions():
            returned = self._returned_value(function, 0)
            annotation = function.child_by_field_name("return_type")
            typed = annotation is not None and bool(KV_TYPE_ANYWHERE.search(self.pf.text(annotation)))
            if returned is not None and returned.tag == "binding" and not returned.factory and (
                    returned.name or returned.typed_kv or typed):
                found[name] = [returned.name, returned.how, returned.typed_kv or typed]
            elif returned is not None and returned.tag in ("env", "context") and returned.how in CONTEXT_APIS.values():
                found[name] = ["*" if returned.tag == "env" else "**", returned.how, False]
            elif typed:
                found[name] = ["", "KVNamespace", True]
        return found

    def _pattern_accesses(self, pattern, value: Value | None, add) -> None:
        stack = [(pattern, value)]
        while stack:
            node, value = stack.pop()
            if value is None or node.type != "object_pattern":
                continue
            for child in node.named_children:
                if child.type == "shorthand_property_identifier_pattern":
                    key, sub = self.pf.text(child), None
                elif child.type == "object_assignment_pattern":
                    left = child.child_by_field_name("left")
                    key, sub = (self.pf.text(left) if left is not None else None), None
                elif child.type == "pair_pattern":
                    key = property_key(child.child_by_field_name("key"), self.pf)
                    sub = child.child_by_field_name("value")
                    if sub is not None and sub.type == "assignment_pattern":
                        sub = sub.child_by_field_name("left")
                elif child.type == "rest_pattern":
                    if value.tag == "env":
                        self._dynamic(value)
                    continue
                else:
                    continue
                if key is None:
                    continue
                member = self.member(value, key, child.id)
                if member is None:
                    continue
                if member.tag == "binding":
                    add(child, member)
                elif sub is not None:
                    stack.append((sub, member))

    # ---- constants (for literal options) -------------------------------------------------

    def const_value_node(self, identifier):
        """The initializer of a `const` a name refers to, or None."""
        decl = self.resolve(identifier)
        if decl is None or decl.kind != "var" or not decl.const or decl.steps:
            return None
        return decl.node.child_by_field_name("value")


def _pattern_names(pattern, pf: ParsedFile):
    """(name, steps, node) for each name a binding pattern declares; steps are the object keys
    leading to it as ((key, node id), …), with key None for array positions and defaults."""
    out = []
    stack = [(pattern, ())]
    while stack:
        node, steps = stack.pop()
        t = node.type
        if t in ("identifier", "shorthand_property_identifier_pattern"):
            if t == "shorthand_property_identifier_pattern":
                steps = steps + ((pf.text(node), node.id),)
            out.append((pf.text(node), steps, node))
        elif t == "object_pattern":
            for child in node.named_children:
                if child.type == "shorthand_property_identifier_pattern":
                    stack.append((child, steps))
                elif child.type == "object_assignment_pattern":
                    left = child.child_by_field_name("left")
                    if left is not None:
                        stack.append((left, steps))
                elif child.type == "pair_pattern":
                    key = property_key(child.child_by_field_name("key"), pf)
                    value = child.child_by_field_name("value")
                    if value is not None:
                        stack.append((value, steps + ((key, child.id),)))
                elif child.type == "rest_pattern":
                    for inner in child.named_children:
                        stack.append((inner, steps + ((None, child.id),)))
        elif t == "array_pattern":
            for child in node.named_children:
                stack.append((child, steps + ((None, child.id),)))
        elif t == "assignment_pattern":
            left = node.child_by_field_name("left")
            if left is not None:
                stack.append((left, steps))
        elif t == "rest_pattern":
            for inner in node.named_children:
                stack.append((inner, steps + ((None, node.id),)))
    return out


def callee(call):
    """(function, prefix) of a call. With type arguments tree-sitter-typescript parses
    `await kv.get<T>(k)` as `(await kv.get)<T>(k)` (and `void`/`!` likewise): the operator is
    peeled off the callee and returned as the prefix ('await', 'void', '!', …; '' if none)."""
    function = call.child_by_field_name("function")
    prefix = ""
    if function is not None and function.type in ("await_expression", "unary_expression") \
            and call.child_by_field_name("type_arguments") is not None:
        prefix = function.children[0].type if function.children else ""
        inner = function.child_by_field_name("argument") if function.type == "unary_expression" else None
        function = inner or next((c for c in function.named_children if c.type != "comment"), None)
    return function, prefix


def _cast_to_kv(node, pf: ParsedFile, parent_of=lambda n: n.parent) -> bool:
    """Whether the expression is cast to KVNamespace where it is read (`… as KVNamespace`)."""
    parent = parent_of(node)
    while parent is not None and parent.type in ("parenthesized_expression", "non_null_expression"):
        parent = parent_of(parent)
    if parent is None or parent.type != "as_expression" or not parent.named_children:
        return False
    return bool(KV_TYPE.match(pf.text(parent.named_children[-1])))


def _is_assignment_target(node, parent_of=lambda n: n.parent) -> bool:
    parent = parent_of(node)
    return parent is not None and parent.type in ("assignment_expression", "augmented_assignment_expression") \
        and parent.child_by_field_name("left") is not None and parent.child_by_field_name("left").id == node.id


def _async_option(args, pf: ParsedFile) -> bool:
    """Whether the arguments are `{ async: true }` (literally)."""
    if args is None:
        return False
    first = next((a for a in args.named_children if a.type != "comment"), None)
    if first is None or first.type != "object":
        return False
    for child in first.named_children:
        if child.type == "pair" and property_key(child.child_by_field_name("key"), pf) == "async":
            value = child.child_by_field_name("value")
            return value is not None and value.type == "true"
    return False


def _function_name(function, pf: ParsedFile) -> str:
    if function is None:
        return ""
    name = function.child_by_field_name("name")
    if name is not None:
        return pf.text(name)
    parent = function.parent
    if parent is not None and parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
        return pf.text(name) if name is not None and name.type == "identifier" else ""
    if parent is not None and parent.type == "pair":
        return property_key(parent.child_by_field_name("key"), pf) or ""
    return ""


# --------------------------------------------------------------------------------------------
# The app: declarations, types, every analysed file


@dataclass
class TypedMember:
    name: str
    type: str
    path: str
    span: Span

    @property
    def is_kv(self) -> bool:
        return bool(KV_TYPE.match(self.type))

    @property
    def is_binding(self) -> bool:
        """A binding type (KVNamespace, R2Bucket, D1Database, Fetcher, …), not a plain variable."""
        return not SCALAR_TYPE.match(self.type) and not re.search(r"\|\s*(?:string|undefined)\b", self.type)


@dataclass
class KvIndex:
    files: dict[str, FileKv]
    declared: dict[str, list]  # KV binding name -> its Binding declarations (every Wrangler file and env)
    other_kinds: dict[str, str]  # name -> kind, for other bindings and vars
    typed: dict[str, TypedMember]  # CloudflareEnv members
    methods: dict[str, set[str]]  # binding name -> methods called on it anywhere in the app
    dynamic_env: bool
    reads: list[tuple[str, str, str, bool]]  # (path, name, how, typed_kv) of every binding read in the app
    context_exports: dict[str, dict] = field(default_factory=dict)  # path -> export -> [api, line, is_async]
    top_calls: dict[str, list] = field(default_factory=dict)  # path -> (source, export, call) at module scope

    def is_kv(self, name: str, how: str = "", typed_kv: bool = False) -> bool:
        """Whether a binding value is a KV namespace (see the module docs)."""
        if not name:
            return typed_kv
        if name in self.declared:
            return True
        if name in self.other_kinds:
            return False
        member = self.typed.get(name)
        if member is not None:
            return member.is_kv
        if typed_kv:
            return True
        if how == "globalThis":
            return False
        used = self.methods.get(name, set())
        return bool(used & KV_METHODS) and not used & NON_KV_METHODS

    def is_binding(self, name: str, how: str = "", typed_kv: bool = False) -> bool:
        """Whether a name is a Cloudflare binding of any kind (not a plain variable)."""
        if self.is_kv(name, how, typed_kv):
            return True
        kind = self.other_kinds.get(name)
        if kind is not None:
            return kind != "var"
        member = self.typed.get(name)
        return member is not None and member.is_binding

    def kv_calls(self):
        """(file, call) for every KV method call on a KV namespace."""
        for path in sorted(self.files):
            file = self.files[path]
            for call in file.calls:
                if call.method in KV_METHODS and self.is_kv(call.name, call.how, call.typed_kv):
                    yield file, call


def kv_index(ctx: Context) -> KvIndex:
    """The KV facts of the app, computed once and shared by the KV checks."""
    return ctx.shared("kv.index", lambda: _build_index(ctx))


#: Configuration files of build and test tools (drizzle-kit, Vitest, Tailwind, …) and next.config
#: itself: Node runs them on a developer machine or in CI, they are never part of the deployed
#: app, and `process.env.X` there is a build-time variable, not a binding (drizzle.config.ts
#: reads the D1 database id from `process.env.DATABASE`, say).
TOOL_CONFIG = re.compile(r"(?:^|/)(?:next|drizzle|vitest|vitest\.workspace|vite|jest|playwright|tailwind|postcss|"
                         r"eslint|prettier|stylelint|tsup|cypress|knip|commitlint|lint-staged|next-sitemap|babel|"
                         r"webpack|rollup|esbuild)\.config\.[cm]?[jt]s$")


#: Tests and mocks (`*.test.ts`, `__mocks__/`, a `tests/` or `e2e/` folder beside `app/`): they run
#: under Vitest or Jest with stubbed bindings, never on Cloudflare.
TEST_FILE = re.compile(r"\.(?:test|spec)\.[cm]?[jt]sx?$|(?:^|/)(?:__tests__|__mocks__)/|^(?:tests?|e2e|__tests__)/")


def usage(file: FileKv) -> dict:
    """What the index takes from a file for the whole app: the methods called on each binding
    name, every binding read, whether any binding may be read, the exported functions that
    return a binding and the methods called on what imported functions return (a fact: see
    `usage_fact`)."""
    methods: dict[str, set[str]] = {}
    for call in file.calls:
        if call.name and call.how != "factory-env":
            methods.setdefault(call.name, set()).add(call.method)
            if _r2_options(call, file.pf):
                methods[call.name].add(R2_OPTIONS)
    factory_calls = sorted({(*c.factory, c.method) for c in file.calls if c.factory and not c.name})
    return {"methods": {name: sorted(found) for name, found in sorted(methods.items())},
            "reads": [[a.name, a.how, a.typed_kv] for a in file.accesses if a.how != "factory-env"],
            "dynamic_env": file.dynamic_env, "dynamic_process_env": file.dynamic_process_env,
            "factories": file.factories,
            "factory_calls": [list(c) for c in factory_calls], "context_exports": file.context_exports,
            "env_reads": [[list(a.factory), a.name, a.typed_kv] for a in file.accesses if a.how == "factory-env"],
            "env_calls": [[list(f), n, m] for f, n, m in
                          sorted({(c.factory, c.name, c.method) for c in file.calls if c.how == "factory-env"})]}


#: Option keys of R2's `get`/`put`/`list` that KV's methods of the same names do not take: a
#: binding called with one is an R2 bucket (R2 API reference: R2GetOptions, R2PutOptions,
#: R2ListOptions).
R2_OPTION_KEYS = frozenset({"httpMetadata", "customMetadata", "range", "onlyIf", "include", "md5", "sha1", "sha256",
                            "sha384", "sha512", "storageClass", "ssecKey", "delimiter", "startAfter"})
#: The pseudo-method recorded for such a call (one of `NON_KV_METHODS`).
R2_OPTIONS = "(R2 options)"


def _r2_options(call: BindingCall, pf: ParsedFile) -> bool:
    return call.method in KV_METHODS and any(
        argument.type == "object" and any(property_key(pair.child_by_field_name("key"), pf) in R2_OPTION_KEYS
                                          for pair in argument.named_children if pair.type == "pair")
        for argument in call.arguments)


def generated(data: bytes) -> bool:
    """A bundle committed with the app (a Storybook build, a service worker): 512 kB or more, or
    32 kB or more in lines of 1,000 bytes on average (minified). Nobody reads bindings there,
    and following every name of such a file through its scopes takes seconds."""
    return len(data) >= 512 * 1024 or (len(data) >= 32 * 1024 and len(data) > 1000 * (data.count(b"\n") + 1))


def usage_fact(path: str, data: bytes) -> dict | None:
    """`usage` of a file from its bytes (the "kv-usage" fact, `edgelint.facts`): a run on named
    files takes the other files' usage from the cache instead of parsing them."""
    from edgelint import files, parsing
    from edgelint.summary import summarize

    if files.is_binary(data) or len(data) > parsing.MAX_PARSE_BYTES or generated(data):
        return None
    try:
        pf = parsing.parse(path, data)
    except parsing.ParseTimeout:
        return None
    return usage(analyze(pf, summarize(pf)))


def _build_index(ctx: Context) -> KvIndex:
    files: dict[str, FileKv] = {}
    elsewhere: dict[str, dict] = {}  # usage of the files outside a run's named files

    def read(paths) -> None:
        for path in paths:
            if path in files or path in elsewhere or TOOL_CONFIG.search(ctx.app.local(path)) or \
                    TEST_FILE.search(ctx.app.local(path)):
                continue
            if not ctx.in_focus(path):
                found = ctx.ws.fact("kv-usage", path)
                if found is not None:
                    elsewhere[path] = found
                continue
            data = ctx.ws.read(path)
            pf = ctx.parse(path) if data is not None and not generated(data) else None
            if pf is None:
                continue
            files[path] = analyze(pf, ctx.summary(path))
            if ctx.focus is None:
                ctx.ws.note_fact("kv-usage", path, usage(files[path]))

    cloudflare = ctx.target in ("next-on-pages", "opennext") or bool(ctx.app.wranglers)
    read(ctx.files_containing(*PREFILTER, *(ENV_OBJECTS if cloudflare else ())))
    factories = {path: part["factories"] for path, part in elsewhere.items() if part["factories"]}
    factories.update((path, file.factories) for path, file in files.items() if file.factories)
    if factories:  # the modules that call them (`createKV().put(…)` from '@/lib/kv')
        read(ctx.files_containing(*sorted({name.encode() for found in factories.values() for name in found})))
        _resolve_factory_calls(ctx, files, factories)
    _resolve_env_reads(ctx, files, elsewhere, factories)
    context_exports = {path: part["context_exports"] for path, part in elsewhere.items()
                       if part.get("context_exports")}
    context_exports.update((path, file.context_exports) for path, file in files.items() if file.context_exports)
    context_exports = {path: found for path, found in context_exports.items()  # helpers, not routes and pages
                       if ctx.app.route_for(path) is None}
    top_calls = {}
    if context_exports:  # the modules that may call them at top level (EDGE304): a light look, no analysis
        names = sorted({name for found in context_exports.values() for name in found})
        for path in ctx.files_containing(*(name.encode() for name in names)):
            if ctx.in_focus(path) and not TEST_FILE.search(ctx.app.local(path)):
                found = _imported_top_calls(ctx, path, set(names))
                if found:
                    top_calls[path] = found
    declared: dict[str, list] = {}
    other: dict[str, str] = {}
    for config in ctx.app.wranglers:
        for binding in config.bindings:
            if binding.kind == "kv":
                declared.setdefault(binding.name, []).append(binding)
        for binding in config.bindings:
            if binding.kind != "kv" and binding.name not in declared:
                other.setdefault(binding.name, binding.kind)
        for env in ["", *config.environments]:
            for name, kind in _other_bindings(config.section(env)):
                if name not in declared:
                    other.setdefault(name, kind)
    found = sorted({**elsewhere, **{path: usage(file) for path, file in files.items()}}.items())
    methods: dict[str, set[str]] = {}
    for path, part in found:
        for name, called in part["methods"].items():
            methods.setdefault(name, set()).update(called)
        for module, export, method in part["factory_calls"]:  # the other files' calls through factories
            made = _factory(ctx, factories, path, module, export)
            if made is not None and made[0] and made[0] not in ("*", "**"):
                methods.setdefault(made[0], set()).add(method)
    reads = [(path, name, how, typed_kv) for path, part in found for name, how, typed_kv in part["reads"]]
    dynamic = any(part["dynamic_env"] or (ctx.target == "next-on-pages" and part.get("dynamic_process_env"))
                  for _, part in found)
    return KvIndex(files, declared, other, env_types(ctx), methods, dynamic,
                   reads, context_exports, top_calls)


def _imported_top_calls(ctx: Context, path: str, names: set[str]) -> list[tuple[str, str, object]]:
    """(source, export, call) of the calls at module scope (not in a function or an instance
    field initialiser) of functions imported by one of `names` (helpers that obtain a request
    context)."""
    summary = ctx.summary(path)
    imported = {local: (imp.source, name) for imp in (summary.imports if summary is not None else ())
                if imp.kind == "static" and not imp.type_only for name, local in imp.names if name in names}
    if not imported:
        return []
    pf = ctx.parse(path)
    found = []
    for call in pf.nodes("call_expression") if pf is not None else ():
        function = call.child_by_field_name("function")
        if function is None or function.type != "identifier" or pf.text(function) not in imported:
            continue
        node = pf.parent(call)
        while node is not None and node.type not in FUNCTION_TYPES and not _instance_field(node):
            node = pf.parent(node)
        if node is None:
            found.append((*imported[pf.text(function)], call))
    return found


def _instance_field(node) -> bool:
    """A class field without `static`: its initialiser runs per instance, not at module load."""
    return node.type == "public_field_definition" and not any(c.type == "static" for c in node.children)


def _factory(ctx: Context, factories: dict, importer: str, module: str, export: str, depth: int = 0) -> list | None:
    """[binding, how, typed_kv] that `export` of `module`, imported by `importer`, returns;
    through barrel files (`export { getEnv } from './env'`, `export *`, import then export)."""
    from edgelint.graph import shared_resolver

    resolved = shared_resolver(ctx).resolve(importer, module)
    if not resolved.is_file or depth > 8:
        return None
    made = factories.get(resolved.target, {}).get(export)
    summary = ctx.summary(resolved.target) if made is None else None
    if summary is None:
        return made
    entry = summary.exports.get(export)
    if entry is not None and entry.kind == "reexport":
        return _factory(ctx, factories, resolved.target, entry.source, entry.local or export, depth + 1)
    local = entry.local or export if entry is not None and entry.kind == "local" else None
    for imp in summary.imports if local else ():
        for name, alias in imp.names:
            if alias == local and name not in ("*", "default"):
                return _factory(ctx, factories, resolved.target, imp.source, name, depth + 1)
    for star in summary.star_exports if entry is None else ():
        made = _factory(ctx, factories, resolved.target, star, export, depth + 1)
        if made is not None:
            return made
    return None


def _resolve_factory_calls(ctx: Context, files: dict, factories: dict) -> None:
    """Name the binding of every call made on what an imported factory returns (the calls stay
    unnamed, so no KV check takes them, when the module's export returns no binding)."""
    for path, file in files.items():
        for call in file.calls:
            if call.factory and not call.name:
                made = _factory(ctx, factories, path, *call.factory)
                if made is not None and made[0] not in ("*", "**"):
                    call.name, call.how, call.typed_kv = made[0], made[1], made[2]


def _resolve_env_reads(ctx: Context, files: dict, elsewhere: dict, factories: dict) -> None:
    """Settle the pending reads of `getEnv().X` (how 'factory-env'): a binding read from the env of
    the request-context API that the imported function returns, else nothing (what it returns is
    not an env: `getUser().name` reads no binding)."""
    def env_api(path: str, factory) -> str | None:
        """The API whose env `factory` (module, export[, "env"]) reads from, if it does."""
        made = _factory(ctx, factories, path, *factory[:2]) if factories and len(factory) in (2, 3) else None
        wanted = "*" if len(factory) == 2 else "**" if tuple(factory[2:]) == ("env",) else None
        return made[1] if made is not None and made[0] == wanted else None

    for path, file in files.items():
        kept = []
        for access in file.accesses:
            if access.how == "factory-env":
                access.how = env_api(path, access.factory) or ""
                access.via = f"{access.factory[1]}()" + ("".join(f".{step}" for step in access.factory[2:]))
            if access.how:
                kept.append(access)
        file.accesses[:] = kept
        calls = []
        for call in file.calls:
            if call.how == "factory-env":
                call.how = env_api(path, call.factory) or ""
            if call.how:
                calls.append(call)
        file.calls[:] = calls
    for path, part in list(elsewhere.items()):  # facts: changed in a copy
        reads, methods = list(part["reads"]), dict(part["methods"])
        for factory, name, typed_kv in part.get("env_reads", ()):
            api = env_api(path, factory)
            if api:
                reads.append([name, api, typed_kv])
        for factory, name, method in part.get("env_calls", ()):
            if env_api(path, factory):
                methods[name] = sorted({*methods.get(name, ()), method})
        elsewhere[path] = {**part, "reads": reads, "methods": methods}


#: Wrangler keys of other binding kinds: key -> (kind, field holding the name); list or object.
_OTHER_BINDING_KEYS = {"durable_objects": ("durable-object", "name"), "queues": ("queue", "binding"),
                       "ai": ("ai", "binding"), "browser": ("browser", "binding"), "assets": ("assets", "binding"),
                       "images": ("images", "binding"), "version_metadata": ("version-metadata", "binding"),
                       "vectorize": ("vectorize", "binding"), "hyperdrive": ("hyperdrive", "binding"),
                       "analytics_engine_datasets": ("analytics-engine", "binding"),
                       "workflows": ("workflow", "binding"), "dispatch_namespaces": ("dispatch", "binding"),
                       "mtls_certificates": ("mtls", "binding"), "secrets_store_secrets": ("secret", "binding"),
                       "send_email": ("email", "name"), "pipelines": ("pipeline", "binding")}


def _other_bindings(section: dict):
    if isinstance(section.get("vars"), dict):
        for name in section["vars"]:
            yield name, "var"
    for key, (kind, name_field) in _OTHER_BINDING_KEYS.items():
        value = section.get(key)
        items = []
        if isinstance(value, list):
            items = value
        elif isinstance(value, dict):
            items = value.get("bindings") if key == "durable_objects" else [value]
            if key == "queues":
                items = value.get("producers")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get(name_field), str):
                yield item[name_field], kind


def env_types(ctx: Context) -> dict[str, TypedMember]:
    """Members of the `CloudflareEnv` interface (and `Env` in the files `wrangler types` writes)."""
    found: dict[str, TypedMember] = {}
    declarations = [path for path in ctx.files() if path.endswith(".d.ts") or path.rsplit("/", 1)[-1] in ENV_TYPE_FILES]
    for path in ctx.ws.grep(declarations, b"CloudflareEnv", b"interface Env"):
        base = path.rsplit("/", 1)[-1]
        pf = ctx.parse(path)
        if pf is None:
            continue
        names = ("CloudflareEnv", "Env") if base in ENV_TYPE_FILES else ("CloudflareEnv",)
        for node in pf.walk():
            if node.type != "interface_declaration":
                continue
            name = node.child_by_field_name("name")
            body = node.child_by_field_name("body")
            if name is None or body is None or pf.text(name) not in names:
                continue
            for member in body.named_children:
                if member.type != "property_signature":
                    continue
                key = property_key(member.child_by_field_name("name"), pf)
                type_node = member.child_by_field_name("type")
                if key is None or type_node is None:
                    continue
                found.setdefault(key, TypedMember(key, pf.text(type_node).lstrip(":").strip(), path,
                                                  pf.span(member)))
    for path, name, type_text, span in _global_vars(ctx):
        found.setdefault(name, TypedMember(name, type_text, path, span))
    return found


def _global_vars(ctx: Context):
    """(path, name, type, span) of each `var X: T` in a `declare global { … }` block: a name the
    code reads from `globalThis` (`declare global { var CACHE: KVNamespace }`)."""
    for path in ctx.files_containing(b"declare global"):
        pf = ctx.parse(path)
        if pf is None:
            continue
        for node in pf.root.named_children:
            if node.type == "export_statement":
                node = next((c for c in node.named_children if c.type == "ambient_declaration"), node)
            if node.type != "ambient_declaration" or not pf.text(node).startswith("declare global"):
                continue
            block = next((c for c in node.named_children if c.type == "statement_block"), None)
            for statement in block.named_children if block is not None else ():
                if statement.type not in ("variable_declaration", "lexical_declaration"):
                    continue
                for declarator in statement.named_children:
                    name, annotation = declarator.child_by_field_name("name"), declarator.child_by_field_name("type")
                    if declarator.type == "variable_declarator" and name is not None and annotation is not None:
                        yield path, pf.text(name), pf.text(annotation).lstrip(":").strip(), pf.span(declarator)


# --------------------------------------------------------------------------------------------
# Small helpers for the checks


def describe_access(access: Access) -> str:
    """How the code reads the binding, for messages."""
    if access.how == "globalThis":
        return f"globalThis.{access.name}"
    if access.how == "process.env":
        return f"process.env.{access.name}"
    if access.via:
        return f"{access.via}.{access.name}"
    if access.how in CONTEXT_APIS.values():
        return f"{access.how}().env.{access.name}"
    return f"env.{access.name}"


def fold_number(node, file: FileKv, depth: int = 0):
    """The number a constant expression evaluates to (literals, + - * / %, unary -, parentheses,
    same-file `const` names), else None. Never runs code."""
    pf = file.pf
    if node is None or depth > MAX_DEPTH:
        return None
    t = node.type
    if t in ("parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"):
        inner = next((c for c in node.named_children if c.type != "comment"), None)
        return fold_number(inner, file, depth + 1)
    if t == "number":
        text = pf.text(node).replace("_", "")
        try:
            if text.lower().startswith(("0x", "0o", "0b")):
                return int(text, 0)
            value = float(text)
            return int(value) if value.is_integer() and abs(value) < 1e18 else value
        except ValueError:
            return None
    if t == "unary_expression" and node.child_count == 2 and node.children[0].type in ("-", "+"):
        value = fold_number(node.children[1], file, depth + 1)
        return None if value is None else (-value if node.children[0].type == "-" else value)
    if t == "binary_expression":
        left = fold_number(node.child_by_field_name("left"), file, depth + 1)
        right = fold_number(node.child_by_field_name("right"), file, depth + 1)
        operator = node.child_by_field_name("operator")
        if left is None or right is None or operator is None:
            return None
        op = operator.type
        try:
            if op == "+":
                return left + right
            if op == "-":
                return left - right
            if op == "*":
                return left * right
            if op == "/":
                value = left / right
                return int(value) if float(value).is_integer() else value
            if op == "%":
                return left % right
            if op == "**":
                return left ** right if abs(right) < 64 else None
        except (ZeroDivisionError, OverflowError):
            return None
        return None
    if t == "identifier":
        init = file.analyzer.const_value_node(node)
        return fold_number(init, file, depth + 1) if init is not None else None
    return None


def _const_value(node, file: FileKv, depth: int = 0):
    """The expression a node stands for, through parentheses, type assertions and same-file
    `const` names (at most MAX_DEPTH steps); None where a name has no such value."""
    while node is not None and depth < MAX_DEPTH:
        if node.type in ("parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"):
            node = next((c for c in node.named_children if c.type != "comment"), None)
        elif node.type == "identifier":
            node = file.analyzer.const_value_node(node)
        else:
            break
        depth += 1
    return node


def resolve_object(node, file: FileKv, depth: int = 0):
    """The object literal a node is, or a same-file `const` name refers to; else None."""
    node = _const_value(node, file, depth)
    return node if node is not None and node.type == "object" else None


def resolve_string(node, file: FileKv, depth: int = 0) -> str | None:
    """The string a literal (or a same-file `const` name) is, else None."""
    node = _const_value(node, file, depth)
    return string_value(node, file.pf) if node is not None else None
