from edgelint.api import Check, Location


class RequestContextAtModuleScope(Check):
    """## What it does
    Reports `getRequestContext()`, `getOptionalRequestContext()` (`@cloudflare/next-on-pages`)
    and `getCloudflareContext()` (`@opennextjs/cloudflare`) called at module top level — directly,
    through a function of the same file that is called at top level, or in a function invoked
    where it is written (`(() => getRequestContext().env)()`).

    ## Why is this bad?
    The request context exists only while a request is handled. Module code runs when the module
    is first loaded: `getRequestContext()` then throws "failed to retrieve the Cloudflare request
    context" and Cloudflare shows exactly this as the wrong way (REFERENCE.md §2.4);
    `getOptionalRequestContext()` returns `undefined`; a synchronous `getCloudflareContext()`
    throws ("sync mode is not allowed there", §2.5). Even where a call happens to work, the
    `ctx` it captures (`waitUntil`) belongs to one request and is reused for every later one.
    `await getCloudflareContext({ async: true })` at top level is reported for that reason too.

    Targets: all (the call fails wherever the module runs).

    ## Example
    ```ts
    import { getRequestContext } from '@cloudflare/next-on-pages'
    const { env } = getRequestContext()
    export async function getCart(id: string) { return env.CART_KV.get(id) }
    ```

    ## Use instead
    ```ts
    export async function getCart(id: string) {
      const { env } = getRequestContext()
      return env.CART_KV.get(id)
    }
    ```
    """

    code, name, area = "EDGE304", "request-context-at-module-scope", "kv"
    severity = "error"

    def run(self, ctx):
        from ._kv import kv_index

        index = kv_index(ctx)
        for path in sorted(index.files):
            file = index.files[path]
            for call in file.contexts:
                if call.in_function:
                    continue
                yield ctx.finding(self, path, call.span, _message(call) + "; call it inside the function that "
                                  "handles the request", api=call.api)
            for top_call, inner in file.module_scope_helper_calls:
                function = top_call.child_by_field_name("function")
                if function is not None and function.type == "identifier":
                    name = file.pf.text(function)
                    what, instead = f"`{name}()` is called at module top level and", f"call `{name}()`"
                else:
                    what, instead = "a function invoked at module top level", "move the call"
                yield ctx.finding(
                    self, path, file.pf.span(top_call),
                    f"{what} calls `{inner.api}()` (line {inner.span.line}): " + _message(inner, lead=False)
                    + f"; {instead} inside the request handler instead",
                    related=[Location(path, inner.span, f"{inner.api}() is called here")], api=inner.api)


def _message(call, lead: bool = True) -> str:
    start = f"`{call.api}()` is called at module top level, outside any request: " if lead else ""
    if call.api == "getOptionalRequestContext":
        return start + "there is no request context while the module loads, so it returns undefined"
    if call.api == "getRequestContext":
        return start + ("there is no request context while the module loads, so it throws \"failed to retrieve "
                        "the Cloudflare request context\"")
    if call.is_async:
        return start + ("the context it resolves to, with its `ctx.waitUntil`, belongs to one request but is kept "
                        "for every later one")
    return start + "a synchronous getCloudflareContext() at top level throws (\"sync mode is not allowed there\")"
