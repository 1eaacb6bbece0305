from edgelint.api import Check, Fix

WRITES = ("put", "delete")
#: Expressions a promise passes through unchanged on its way to a statement.
PASS_THROUGH = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
                          "type_assertion", "ternary_expression", "array"})
CHAIN_METHODS = ("then", "catch", "finally")
MAX_STEPS = 64


class KvPromiseNotAwaited(Check):
    """## What it does
    Reports a KV call (`put`, `delete`, `get`, `getWithMetadata`, `list` on a KV namespace) whose
    promise is dropped: the call is a statement of its own (also behind `void`, `&&`, a
    `.then()`/`.catch()` chain, or inside `forEach`), instead of being awaited, returned,
    assigned, passed on (`ctx.waitUntil(…)`, `after(…)`, `Promise.all([…])`, any call), or
    collected into a `.map()` whose result is used.

    ## Why is this bad?
    Every KV method returns a Promise (REFERENCE.md §3.1); a `put` "should be awaited to
    confirm success". A write that is neither awaited nor handed to `waitUntil` can be cancelled
    when the response is sent, and its failure (e.g. `KV PUT failed: 429 Too Many Requests`
    when one key is written more than once a second, REFERENCE.md §3.2) is never seen. A dropped `get` or
    `list` is wasted work (a warning rather than an error).

    Targets: all (the call is a KV call wherever it runs).

    Fix: safe where a `put`/`delete` is a statement of its own inside an `async` function — `await `
    is inserted in front of it.

    ## Example
    ```ts
    const { env } = getRequestContext()
    env.PRODUCT_CACHE.put(`product:${slug}`, JSON.stringify(product))
    return Response.json({ ok: true })
    ```

    ## Use instead
    ```ts
    await env.PRODUCT_CACHE.put(`product:${slug}`, JSON.stringify(product))
    // or, to answer first: getRequestContext().ctx.waitUntil(env.PRODUCT_CACHE.put(…))
    ```
    """

    code, name, area = "EDGE305", "kv-promise-not-awaited", "kv"
    severity = "error"
    fixable = True

    def run(self, ctx):
        from ._kv import kv_index

        index = kv_index(ctx)
        for file, call in index.kv_calls():
            if call.prefix == "await":
                continue
            how = "void" if call.prefix == "void" else dropped(call.node)
            if how is None:
                continue
            target = f"`{call.name}`" if call.name else "a KV namespace"
            if call.method in WRITES:
                consequence = ("the write can be cancelled once the response is sent and a failure is never seen; "
                               "await it, or pass it to `ctx.waitUntil()`")
                severity = "error"
            else:
                consequence = "its result is thrown away; await it and use the value, or remove the call"
                severity = "warning"
            fix = _await_fix(file, call) if how == "statement" and call.method in WRITES else None
            yield ctx.finding(
                self, file.path, call.span,
                f"the promise of `{call.method}()` on {target} is dropped ({DESCRIPTIONS[how]}): {consequence}",
                severity=severity, fixes=[fix] if fix else [], method=call.method, binding=call.name)


DESCRIPTIONS = {
    "statement": "a statement that is not awaited",
    "void": "`void` discards it",
    "chain": "the `.then()`/`.catch()` chain it starts is not awaited",
    "forEach": "`forEach` ignores what its callback returns",
    "map": "the array of promises from `.map()` is not awaited",
}


def dropped(node) -> str | None:
    """How the value of expression `node` is thrown away, or None when it is used."""
    from ._kv import FUNCTION_TYPES

    how = "statement"
    for _ in range(MAX_STEPS):
        parent = node.parent
        if parent is None:
            return None
        t = parent.type
        if t == "expression_statement":
            return how
        if t == "unary_expression" and parent.children and parent.children[0].type == "void":
            return "void"
        if t in PASS_THROUGH:
            if t == "ternary_expression" and _field_is(parent, "condition", node):
                return None
            node = parent
            continue
        if t == "sequence_expression":
            if _field_is(parent, "right", node) or (parent.named_children and parent.named_children[-1].id == node.id):
                node = parent  # the last value of `a, b` is the value of the sequence
                continue
            return how
        if t == "binary_expression":
            operator = parent.child_by_field_name("operator")
            if operator is not None and operator.type in ("&&", "||", "??") and _field_is(parent, "right", node):
                node = parent
                continue
            return None
        if t == "member_expression" and _field_is(parent, "object", node):
            prop = parent.child_by_field_name("property")
            grand = parent.parent
            if prop is not None and prop.text.decode() in CHAIN_METHODS and grand is not None \
                    and grand.type == "call_expression" and _field_is(grand, "function", parent):
                node, how = grand, "chain"
                continue
            return None
        if t in FUNCTION_TYPES and _field_is(parent, "body", node):
            return _callback_fate(parent)
        if t == "return_statement":
            function = _enclosing_function(parent)
            return _callback_fate(function) if function is not None else None
        return None
    return None


def _callback_fate(function) -> str | None:
    """A function returns the promise: dropped when it is a `forEach` callback, or a `.map()`
    callback whose array is itself dropped."""
    if function is None or function.type not in ("arrow_function", "function_expression", "function"):
        return None
    args = function.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    if call is None or call.type != "call_expression":
        return None
    callee = call.child_by_field_name("function")
    prop = callee.child_by_field_name("property") if callee is not None and callee.type == "member_expression" else None
    name = prop.text.decode() if prop is not None else ""
    if name == "forEach":
        return "forEach"
    if name in ("map", "flatMap"):
        return "map" if dropped(call) is not None else None
    return None


def _enclosing_function(node):
    from ._kv import FUNCTION_TYPES

    current = node.parent
    for _ in range(10_000):
        if current is None:
            return None
        if current.type in FUNCTION_TYPES:
            return current
        current = current.parent
    return None


def _field_is(parent, field: str, node) -> bool:
    child = parent.child_by_field_name(field)
    return child is not None and child.id == node.id


def _await_fix(file, call) -> Fix | None:
    """Insert `await ` before a call that is a statement of its own, inside an async function."""
    statement = call.node.parent
    if statement is None or statement.type != "expression_statement":
        return None
    function = _enclosing_function(call.node)
    if function is None or not any(c.type == "async" for c in function.children):
        return None
    start = call.node.start_byte
    return Fix(file.path, start, start, "await ", f"await the {call.method}() call")
