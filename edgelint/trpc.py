"""tRPC endpoints: the mutations behind a route handler that serves a tRPC router.

A tRPC endpoint (`fetchRequestHandler({ router, … })` in an App Router route handler,
`createNextApiHandler({ router, … })` as a Pages API route, both from `@trpc/server/adapters/…`)
runs one procedure per request: a query for GET, a mutation for POST (tRPC's HTTP protocol). The
user actions behind its POST are the router's mutations, so each is looked at as a handler: the
procedure's own function and the middlewares of its builder chain
(`protectedProcedure.use(rateLimit).input(schema).mutation(fn)`) are followed for a limiter.

The router is read from source, never run: `router({ … })` (any callee: `t.router`,
`createTRPCRouter`; its record written inline or named: `router(endpoints)`), router records
(plain objects of procedures, tRPC 11), nested routers by name or inline, `mergeRouters(a, b)`
and `t.mergeRouters(…)`, followed through imports. A procedure is a call chain ending in
`.mutation(fn)`; queries and subscriptions are not user actions here.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgelint import jsvalues
from edgelint.ratelimit import FUNCTION_TYPES, args_of, last_name, unwrap

#: The adapters that serve a router, by the name they are imported under from `@trpc/server`.
ADAPTERS = ("fetchRequestHandler", "createNextApiHandler")
#: Routers nested deeper than this, or more procedures than this, are not read.
MAX_DEPTH = 8
MAX_PROCEDURES = 500


@dataclass(frozen=True)
class Mutation:
    name: str  # the dotted procedure path: `posts.create`
    module: object  # the ratelimit Module that holds it
    node: object  # the `….mutation(fn)` call


def adapter_router(analysis, mod, node, depth: int = 0):
    """(module, router expression) of the tRPC adapter call a handler value makes, else None;
    also of a handler passed to a wrapper (`withLogging(handler)`)."""
    node = unwrap(node)
    if node is not None and node.type == "identifier":
        target = analysis.resolve_function(mod, node)
        if target is None:
            return None
        mod, node = target
    if node is None or node.type not in FUNCTION_TYPES | {"call_expression"}:
        return None
    for call in mod.pf.nodes_within(node, "call_expression"):
        callee = unwrap(call.child_by_field_name("function"))
        if callee is None or last_name(callee, mod.pf) not in ADAPTERS:
            continue
        name = callee if callee.type == "identifier" else unwrap(callee.child_by_field_name("object"))
        if name is None or name.type != "identifier":  # `trpcNext.createNextApiHandler`: a namespace import
            continue
        bind = analysis.lookup(mod, mod.pf.text(name), name)
        if bind is None or bind.kind != "import" or not bind.source.startswith("@trpc/server") or \
                (callee.type == "member_expression") != (bind.imported == "*"):
            continue
        options = next(iter(_arguments(call)), None)
        pair = jsvalues.object_pairs(options, mod.pf).get("router") if options is not None else None
        if pair is not None:
            return mod, pair[1]
    if node.type == "call_expression" and depth < MAX_DEPTH:  # a wrapper: the handler it is given
        for argument in _arguments(node):
            found = adapter_router(analysis, mod, argument, depth + 1)
            if found is not None:
                return found
    return None


def mutations(analysis, mod, router) -> tuple[list[Mutation], list[str]]:
    """The mutation procedures of a router expression, in source order, and the names of the
    router parts that could not be read (a `lazy(() => import(…))` router, one a project function
    builds): what they serve is unknown."""
    found: list[Mutation] = []
    unread: list[str] = []
    stack = [(mod, router, "", 0)]
    seen = set()
    while stack and len(found) < MAX_PROCEDURES:
        mod, node, prefix, depth = stack.pop()
        mod, node = _value(analysis, mod, node)
        if node is None or depth > MAX_DEPTH:
            unread.append(prefix.rstrip(".") or "the router")
            continue
        if (mod.path, node.start_byte) in seen:
            continue
        seen.add((mod.path, node.start_byte))
        procedures = _procedures(mod, node)
        record = _record_argument(mod, node) if procedures is None else None
        if procedures is not None:
            for name, value in reversed(procedures):
                stack.append((mod, value, f"{prefix}{name}.", depth + 1))
        elif record is not None:  # `createTRPCRouter(endpoints)`: the record it is given, by name
            stack.append((mod, record, prefix, depth + 1))
        elif _chain_ends_with(mod, node, "mutation"):
            found.append(Mutation(prefix.rstrip("."), mod, node))
        elif _is_merge(mod, node):
            for argument in reversed(_arguments(node)):
                stack.append((mod, argument, prefix, depth + 1))
        elif not _chain_ends_with(mod, node, "query") and not _chain_ends_with(mod, node, "subscription"):
            unread.append(prefix.rstrip(".") or "the router")
    return found, unread


def _value(analysis, mod, node):
    """(module, expression) that a name denotes, through `const` and imports."""
    for _ in range(MAX_DEPTH):
        node = unwrap(node)
        if node is None or node.type not in ("identifier", "shorthand_property_identifier"):  # `{ router }`
            return mod, node
        bind = analysis.lookup(mod, mod.pf.text(node), node)
        found = analysis._bind_value(mod, bind, 0) if bind is not None else None
        if found is None or found[1] is None:
            return mod, None
        mod, node = found
    return mod, None


def _procedures(mod, node):
    """[(name, value)] of `router({ … })` (any callee with one object literal argument), or of a
    router record (tRPC 11: a plain object of procedures, `{ … } satisfies TRPCRouterRecord`),
    else None."""
    while node.type in ("satisfies_expression", "as_expression") and node.named_children:
        node = node.named_children[0]
    if node.type == "object":
        return [(key, value) for key, (_key, value) in jsvalues.object_pairs(node, mod.pf).items()
                if value is not None]
    if node.type != "call_expression":
        return None
    arguments = _arguments(node)
    callee = node.child_by_field_name("function")
    name = last_name(callee, mod.pf)
    if len(arguments) != 1 or arguments[0].type != "object" or "router" not in name.lower():
        return None
    return [(key, value) for key, (_key, value) in jsvalues.object_pairs(arguments[0], mod.pf).items()
            if value is not None]


def _record_argument(mod, node):
    """The one argument of `router(…)` when it is not written inline (a name, an expression):
    the router record it denotes is read like one written there."""
    if node.type != "call_expression" or "router" not in last_name(node.child_by_field_name("function"), mod.pf).lower():
        return None
    arguments = _arguments(node)
    return arguments[0] if len(arguments) == 1 and arguments[0].type != "object" else None


def _is_merge(mod, node) -> bool:
    callee = node.child_by_field_name("function") if node.type == "call_expression" else None
    return last_name(callee, mod.pf) == "mergeRouters"


def _chain_ends_with(mod, node, method: str) -> bool:
    callee = node.child_by_field_name("function") if node.type == "call_expression" else None
    return callee is not None and callee.type == "member_expression" and \
        last_name(callee, mod.pf) == method


def _arguments(call) -> list:
    return [a for a in (unwrap(a) for a in args_of(call)) if a is not None]

