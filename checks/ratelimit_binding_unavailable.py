from edgelint.api import Check, Location, Span

from ._ratelimit import RatelimitOptions, get


class RatelimitBindingUnavailable(Check):
    """## What it does
    Reports a Cloudflare rate-limiting binding (`env.NAME.limit({ key })`, REFERENCE.md §5.2)
    that will not exist at run time:

    * the app is a Cloudflare **Pages** project (`@cloudflare/next-on-pages`, or a Wrangler file
      with `pages_build_output_dir`): Pages does not support rate-limiting bindings, and
      Wrangler's Pages config rejects `unsafe` bindings (REFERENCE.md §8a item 3);
    * on Workers (OpenNext), `NAME` is declared in no Wrangler file — neither in `ratelimits`
      (Wrangler ≥ 4.36) nor as `[[unsafe.bindings]]` with `type = "ratelimit"`, at the top level
      or in an `[env.*]` section.

    Reported once per binding name, at its first use. A binding whose name is computed
    (`env[name]`) is only reported for Pages.

    ## Why is this bad?
    An undeclared or unsupported binding is `undefined`: `env.NAME.limit(…)` throws a TypeError
    on every request, or — with `env.NAME?.limit` and a fail-open guard — silently stops
    limiting. A type declaration in `env.d.ts` does not create the binding.

    ## Example
    ```ts
    const { success } = await getCloudflareContext().env.API_LIMITER.limit({ key })
    ```

    ## Use instead
    ```jsonc
    // wrangler.jsonc
    "ratelimits": [{ "name": "API_LIMITER", "namespace_id": "1001", "simple": { "limit": 100, "period": 60 } }]
    ```
    On Pages, use `@upstash/ratelimit` instead (or move the app to Workers with OpenNext).
    """

    code, name, area = "EDGE604", "ratelimit-binding-unavailable", "ratelimit"
    severity = "error"
    targets = frozenset({"next-on-pages", "opennext"})
    Options = RatelimitOptions

    def run(self, ctx):
        analysis = get(ctx, self)
        app = ctx.app
        pages = ctx.target == "next-on-pages" or any(w.is_pages for w in app.wranglers)
        declared = {b.name: b for w in app.wranglers for b in w.bindings_of("ratelimit")}
        seen: dict[str, int] = {}
        first = {}
        for call in analysis.limiter_calls():
            if call.kind != "cloudflare":
                continue
            name = call.binding or "?"
            if not pages and (call.binding is None or call.binding in declared):
                continue
            seen[name] = seen.get(name, 0) + 1
            first.setdefault(name, call)
        for name, call in first.items():
            if not ctx.in_focus(call.path) and not any(ctx.in_focus(w.path) for w in app.wranglers):
                continue
            others = seen[name] - 1
            also = f" (and {others} more use{'s' if others > 1 else ''})" if others else ""
            what = f"rate-limiting binding `{name}`" if name != "?" else "a rate-limiting binding"
            if pages:
                related = [Location(w.path, Span(1, 1, 1, 1), "Pages project configuration")
                           for w in app.wranglers if w.is_pages]
                if name in declared:
                    b = declared[name]
                    related.append(Location(b.path, b.span, "declared here, but Pages ignores it"))
                message = (f"{what}{also} is not available on Cloudflare Pages: Pages "
                           f"projects do not support rate-limiting bindings, so it is undefined at run time and "
                           f"`{call.callee}(…)` fails. Use `@upstash/ratelimit`, or deploy to Workers (OpenNext)")
            else:
                files = [w.path for w in app.wranglers]
                where = ", ".join(files) if files else f"any Wrangler file (looked for {', '.join(app.wrangler_names)})"
                related = [Location(p, Span(1, 1, 1, 1), "declares no rate-limiting binding " + name) for p in files]
                namespace = free_namespace_id(app)
                if files and all(f.endswith(".toml") for f in files):
                    example = (f"`[[ratelimits]]` with `name = \"{name}\"`, `namespace_id = \"{namespace}\"`, "
                               f"`simple = {{ limit = 100, period = 60 }}`")
                else:
                    example = (f"`\"ratelimits\": [{{ \"name\": \"{name}\", \"namespace_id\": \"{namespace}\", "
                               f"\"simple\": {{ \"limit\": 100, \"period\": 60 }} }}]`")
                message = (f"{what}{also} is not declared in {where}: it is undefined at "
                           f"run time, so `{call.callee}(…)` fails or stops limiting. Declare it: {example} "
                           f"(Wrangler ≥ 4.36; older versions: `[[unsafe.bindings]]` with `type = \"ratelimit\"`)")
            yield ctx.finding(self, call.path, call.span, message, related=related, binding=name)


def free_namespace_id(app) -> str:
    """A `namespace_id` no rate-limiting binding of the app's Wrangler files uses: bindings that
    share one share their counters (REFERENCE.md §5.2), so the suggestion must not reuse one."""
    used = {str(b.data.get("namespace_id")) for w in app.wranglers for b in w.bindings if b.kind == "ratelimit"}
    numbers = [int(u) for u in used if u.isdigit()]
    candidate = max(numbers) + 1 if numbers else 1001
    while str(candidate) in used:
        candidate += 1
    return str(candidate)
