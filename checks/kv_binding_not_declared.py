import re

from edgelint.api import Check, Location, Span


class KvBindingNotDeclared(Check):
    """## What it does
    Reports a KV namespace binding that the code reads (`getRequestContext().env.X`,
    `getCloudflareContext().env.X` — also through helpers of other modules and modules that
    re-export the API —, `process.env.X`, a parameter typed `CloudflareEnv`, …) but
    that no Wrangler config of the app declares under `kv_namespaces` — or that an environment
    section (`[env.production]`) leaves out although it declares its own `kv_namespaces`.

    The finding is at the first use of the binding in the app (in path order), once per binding,
    with the number of other uses; a run on named files (`edgelint check FILES`, pre-commit)
    reports it when that first use is among them, so both kinds of run agree. The Wrangler file
    is a related location, and so is the `CloudflareEnv` member when the binding is only typed
    there.

    ## Why is this bad?
    A binding exists only if Wrangler declares it: `kv_namespaces = [{ binding = "X", id = … }]`
    or `[[kv_namespaces]]` (REFERENCE.md §3.3). A `CloudflareEnv` type in `env.d.ts` makes
    TypeScript happy but creates nothing, so `env.X` is `undefined` at run time and the first
    `env.X.get(…)` throws. Bindings are not inherited by environments: when `[env.production]`
    declares `kv_namespaces`, every namespace must be repeated there (§3.3). Wrangler reads one
    file per folder, the first of `wrangler.json`, `wrangler.jsonc`, `wrangler.toml` (workers-sdk
    `findWranglerConfig`): a second file beside it declares nothing.

    What counts as a KV namespace: a binding declared under `kv_namespaces`, typed `KVNamespace`
    in `CloudflareEnv` (or cast to it), or read from a request context and used only with KV
    methods (`get`, `getWithMetadata`, `put`, `delete`, `list`). Bindings declared as another
    kind (D1, R2, services, vars, …) are never reported here.

    Targets: `next-on-pages`, `opennext`. Without any Wrangler file the finding is a warning
    under next-on-pages (bindings may be set in the Pages dashboard) and an error under OpenNext;
    with one that cannot be read there is none (its EDGE902 note says what is wrong with it).

    ## Example
    ```ts
    const { env } = getCloudflareContext()
    const cached = await env.FEED_CACHE.get('rss')   // no FEED_CACHE in wrangler.jsonc
    ```

    ## Use instead
    ```jsonc
    // wrangler.jsonc
    "kv_namespaces": [{ "binding": "FEED_CACHE", "id": "<namespace id>" }]
    ```
    """

    code, name, area = "EDGE301", "kv-binding-not-declared", "kv"
    severity = "error"
    targets = frozenset({"next-on-pages", "opennext"})

    def run(self, ctx):
        from ._kv import describe_access, kv_index

        index = kv_index(ctx)
        uses: dict[str, list] = {}
        for path in sorted(index.files):
            for access in index.files[path].accesses:
                if access.how == "globalThis" and access.name not in index.declared:
                    continue  # a global of the app's own; EDGE303 covers declared bindings read from globalThis
                if index.is_kv(access.name, access.how, access.typed_kv):
                    uses.setdefault(access.name, []).append((path, access))
        counts: dict[str, int] = {}  # uses in the whole app: a run on named files analyses only those
        first: dict[str, str] = {}  # the file a whole run reports the binding in
        for path, name, how, typed_kv in index.reads:
            if not (how == "globalThis" and name not in index.declared) and index.is_kv(name, how, typed_kv):
                counts[name] = counts.get(name, 0) + 1
                first.setdefault(name, path)
        configs = ctx.app.wranglers
        searched = ", ".join(ctx.app.local(p) for p in ctx.app.wrangler_names)
        for name in sorted(uses):
            places = uses[name]
            path, access = places[0]
            if path != first[name]:
                continue  # reported where the app first uses it, a file not named in this run
            typed = index.typed.get(name)
            type_note = (f"; it is only typed in {ctx.app.local(typed.path)}, and a type does not create a binding"
                         if typed is not None else "")
            type_related = [Location(typed.path, typed.span, f"`{name}` is typed here")] if typed is not None else []
            what = f"`{describe_access(access)}`" + (f"; {counts[name]} uses" if counts[name] > 1 else "")
            if not configs and any(ctx.ws.exists(n) for n in ctx.app.wrangler_names):
                continue  # a Wrangler file that cannot be read (EDGE902 says why): its bindings are unknown
            if not configs:
                severity = "warning" if ctx.target == "next-on-pages" else "error"
                where = (" unless it is configured in the Cloudflare dashboard" if ctx.target == "next-on-pages"
                         else "")
                others = _other_wrangler_files(ctx)
                seen = (f"; {', '.join(others)} {'is' if len(others) == 1 else 'are'} read only with "
                        "`wrangler --config`" if others else "")
                yield ctx.finding(
                    self, path, access.span,
                    f"KV binding `{name}` is used here ({what}) but no Wrangler config declares it: "
                    f"none found (looked for {searched}{seen}){type_note}. `env.{name}` is undefined at run time"
                    f"{where}; declare it under `kv_namespaces`",
                    severity=severity, related=type_related, binding=name, uses=counts[name])
                continue
            if name not in index.declared:
                files = " or ".join(ctx.app.local(c.path) for c in configs)
                shadowed = [ctx.app.local(n) for n in ctx.app.wrangler_names
                            if ctx.ws.exists(n) and n not in {c.path for c in configs}]
                note = (f"Wrangler reads it, not {' or '.join(shadowed)} beside it" if shadowed  # the first file only
                        else f"searched {searched}")
                related = [Location(c.path, c.section_span("", "kv_namespaces") or Span(1, 1, 1, 1),
                                    f"`kv_namespaces` here has no `{name}`" if c.section_span("", "kv_namespaces")
                                    else f"{ctx.app.local(c.path)} declares no `kv_namespaces`") for c in configs]
                yield ctx.finding(
                    self, path, access.span,
                    f"KV binding `{name}` is used here ({what}) but not declared in {files} "
                    f"({note}){type_note}. `env.{name}` is undefined at run time; add "
                    f"{_entry(configs[0].path, name)} to `kv_namespaces`",
                    related=[*related, *type_related], binding=name, uses=counts[name])
                continue
            missing = _missing_environments(configs, name)
            if missing:
                config, env = missing[0]
                label = f"[env.{env}]" if env else "the top level"
                span = config.section_span(env, "kv_namespaces") or config.section_span(env) or Span(1, 1, 1, 1)
                others = [f"{ctx.app.local(c.path)} {f'[env.{e}]' if e else 'top level'}" for c, e in missing[1:]]
                more = f" (also missing from {', '.join(others)})" if others else ""
                yield ctx.finding(
                    self, path, access.span,
                    f"KV binding `{name}` is used here ({what}) but {label} of {ctx.app.local(config.path)} "
                    f"declares its own `kv_namespaces` without it{more}: bindings are not inherited by "
                    f"environments, so `env.{name}` is undefined there; repeat the namespace in that section",
                    related=[Location(config.path, span, f"`kv_namespaces` of {label} without `{name}`")],
                    binding=name, environment=env)


def _other_wrangler_files(ctx) -> list[str]:
    """Wrangler-like files in the app folder that Wrangler does not read (templates, per-worker configs)."""
    prefix = ctx.app.root + "/" if ctx.app.root else ""
    found = []
    for path in ctx.ws.under(ctx.app.root):
        rest = path[len(prefix):]
        if "/" not in rest and re.match(r"wrangler[^/]*\.(?:toml|jsonc?)$", rest) and path not in ctx.app.wrangler_names:
            found.append(rest)
    return sorted(found)[:3]


def _missing_environments(configs, name: str) -> list:
    """(config, env) pairs whose section declares `kv_namespaces` but not `name`."""
    missing = []
    for config in configs:
        for env in ["", *config.environments]:
            section = config.section(env)
            if "kv_namespaces" not in section:
                continue
            if not any(b.kind == "kv" and b.name == name and b.env == env for b in config.bindings):
                missing.append((config, env))
    return missing


def _entry(path: str, name: str) -> str:
    if path.endswith(".toml"):
        return f'`{{ binding = "{name}", id = "<namespace id>" }}`'
    return f'`{{ "binding": "{name}", "id": "<namespace id>" }}`'
