from edgelint.api import Check, Location


class RequestContextAtModuleScope(Check):
    """## What it does
    Reports `getRequestContext()`, `getOptionalRequestContext()` (`@cloudflare/next-on-pages`)
    and `getCloudflareContext()` (`@opennextjs/cloudflare`) called at module top level — directly,
    through a function of the same file that is called at top level, through a class of the file
    created at top level whose constructor or instance fields call one (`export const repo = new
    CartRepo()`), through an imported function that calls one itself (`const db = getDb()` with
    `getDb = () => drizzle(getRequestContext().env.DB)` in another module), or in a function
    invoked where it is written (`(() => getRequestContext().env)()`). The API is followed
    through modules that re-export it (`export { getCloudflareContext } from
    '@opennextjs/cloudflare'`).

    ## Why is this bad?
    The request context exists only while a request is handled. Module code runs when the module
    is first loaded: `getRequestContext()` then throws "failed to retrieve the Cloudflare request
    context" and Cloudflare shows exactly this as the wrong way (REFERENCE.md §2.4);
    `getOptionalRequestContext()` returns `undefined`; a synchronous `getCloudflareContext()`
    throws ("sync mode is not allowed there", REFERENCE.md §2.5). Even where a call happens to work, the
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
                if top_call.type == "new_expression":
                    name = file.pf.text(top_call.child_by_field_name("constructor"))
                    what, instead = f"`new {name}()` runs at module top level and", f"create the {name}"
                elif function is not None and function.type == "identifier":
                    name = file.pf.text(function)
                    what, instead = f"`{name}()` is called at module top level and", f"call `{name}()`"
                else:
                    what, instead = "a function invoked at module top level", "move the call"
                yield ctx.finding(
                    self, path, file.pf.span(top_call),
                    f"{what} calls `{inner.api}()` (line {inner.span.line}): " + _message(inner, lead=False)
                    + f"; {instead} inside the request handler instead",
                    related=[Location(path, inner.span, f"{inner.api}() is called here")], api=inner.api)
        for path in sorted(index.top_calls):
            yield from self._imported_helpers(ctx, index, path)

    def _imported_helpers(self, ctx, index, path):
        """`getDb()` at top level, imported from a module whose `getDb` calls the context API."""
        from edgelint.api import Span
        from edgelint.graph import shared_resolver

        from ._kv import _async_option

        resolver = shared_resolver(ctx)
        pf = ctx.parse(path)
        for source, export, top_call in index.top_calls[path]:
            resolved = resolver.resolve(path, source)
            found = index.context_exports.get(resolved.target, {}).get(export) if resolved.is_file else None
            if found is None:
                continue
            api, line, is_async = found
            name = pf.text(top_call.child_by_field_name("function"))
            if is_async is None:  # the API itself, re-exported: what the call's own arguments say
                is_async = api == "getCloudflareContext" and _async_option(top_call.child_by_field_name("arguments"), pf)
                message = _message(_Api(api, is_async)) + "; call it inside the function that handles the request"
                here = Location(resolved.target, Span(line, 1, line, 1), f"{resolved.target} re-exports {api}()")
            else:
                here = Location(resolved.target, Span(line, 1, line, 1), f"{api}() is called here")
                message = (f"`{name}()` is called at module top level and calls `{api}()` ({resolved.target}:{line}): "
                           + _message(_Api(api, is_async), lead=False)
                           + f"; call `{name}()` inside the request handler instead")
            yield ctx.finding(self, path, pf.span(top_call), message, related=[here], api=api)


class _Api:
    """What `_message` needs of a context call known only from another module's facts."""

    def __init__(self, api: str, is_async: bool):
        self.api, self.is_async = api, is_async


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
