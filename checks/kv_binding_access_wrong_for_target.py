from edgelint.api import Check

#: Pages Router files: there `process.env` is how bindings are read under next-on-pages (§1.6).
PAGES_ROUTER_KINDS = ("pages-page", "api", "app", "document", "error")


class BindingAccessWrongForTarget(Check):
    """## What it does
    Reports a Cloudflare binding read in a way that does not work on the app's target:

    * `globalThis.X` / `(globalThis as any).X` — bindings are never globals on Pages or on
      module Workers; the value is `undefined` (error);
    * `process.env.X` under next-on-pages 1.9 or 1.10 — next-on-pages copies bindings onto
      `process.env` in deployed workers, but its `next dev` set-up of those versions does not
      (REFERENCE.md §8a item 2), so local development breaks; the supported API is
      `getRequestContext().env.X` (warning; not reported in Pages Router files, where
      `getRequestContext` cannot be used, nor in modules that only Pages Router routes import).
      From 1.11.0 `setupDevPlatform` copies them under `next dev` too (next-on-pages CHANGELOG
      1.11.0, change 9900517: "fix `process.env` not giving access to bindings during local
      development"), so a version range that admits nothing older, or an unknown version, is not
      reported;
    * `process.env.X` under OpenNext — only `getCloudflareContext().env` carries bindings (error);
    * `getRequestContext()` / `getOptionalRequestContext()` from `@cloudflare/next-on-pages`
      under OpenNext, and `getCloudflareContext()` from `@opennextjs/cloudflare` under
      next-on-pages — the other adapter's request context does not exist there, so the call
      throws (or returns `undefined`) (error).

    Only names that are bindings are reported for `globalThis` / `process.env`: declared in a
    Wrangler config (vars excluded), typed as a binding in `CloudflareEnv` or in a
    `declare global { var X: KVNamespace }` block, or cast to `KVNamespace`. Imports are tracked by module, so a local function named
    `getRequestContext` is not the adapter's.

    ## Why is this bad?
    next-on-pages exposes bindings through `getRequestContext()` (REFERENCE.md §2.4, §8a item 2);
    OpenNext through `getCloudflareContext()` (§2.5) and tells users to uninstall
    next-on-pages. Code migrated from one adapter to the other, or copied from service-worker
    examples, reads a binding that is not there.

    Targets: `next-on-pages`, `opennext`.

    ## Example
    ```ts
    // OpenNext app
    import { getRequestContext } from '@cloudflare/next-on-pages'
    const { env } = getRequestContext()
    ```

    ## Use instead
    ```ts
    import { getCloudflareContext } from '@opennextjs/cloudflare'
    const { env } = getCloudflareContext()
    ```
    """

    code, name, area = "EDGE303", "binding-access-wrong-for-target", "kv"
    severity = "error"
    targets = frozenset({"next-on-pages", "opennext"})

    def run(self, ctx):
        from edgelint.graph import shared_graph
        from edgelint.project import parse_version
        from ._kv import NEXT_ON_PAGES, NEXT_ON_PAGES_APIS, OPENNEXT, kv_index

        index = kv_index(ctx)
        target = ctx.target
        reason = ctx.app.target_reason
        nop_range = ctx.app.dependency(NEXT_ON_PAGES)
        nop_version = parse_version(nop_range)  # the lowest version the range admits
        dev_lacks_env = nop_version is not None and nop_version.at_least(1, 9) and not nop_version.at_least(1, 11)
        graph = None
        for path in sorted(index.files):
            file = index.files[path]
            route = ctx.app.route_for(path)
            pages_router = route is not None and route.kind in PAGES_ROUTER_KINDS
            if not pages_router and target == "next-on-pages" and any(a.how == "process.env" for a in file.accesses):
                graph = graph or shared_graph(ctx)  # a helper of Pages Router routes only: same as they
                entries = graph.entries_reaching(path)
                pages_router = bool(entries) and all(e.router == "pages" for e in entries)
            for call in file.contexts:
                if target == "opennext" and call.api in NEXT_ON_PAGES_APIS:
                    outcome = ("returns undefined" if call.api == "getOptionalRequestContext"
                               else "throws \"failed to retrieve the Cloudflare request context\"")
                    yield ctx.finding(
                        self, path, call.span,
                        f"`{call.api}()` from {NEXT_ON_PAGES} does not work under OpenNext (target opennext: "
                        f"{reason}): there is no next-on-pages request context on Workers, so it {outcome}; use "
                        f"`getCloudflareContext()` from {OPENNEXT}", api=call.api)
                elif target == "next-on-pages" and call.api == "getCloudflareContext":
                    yield ctx.finding(
                        self, path, call.span,
                        f"`getCloudflareContext()` from {OPENNEXT} does not work under next-on-pages (target "
                        f"next-on-pages: {reason}): OpenNext's context does not exist on Pages, so it throws; use "
                        f"`getRequestContext()` from {NEXT_ON_PAGES}", api=call.api)
            use = "getCloudflareContext().env" if target == "opennext" else "getRequestContext().env"
            for access in file.accesses:
                if access.how not in ("globalThis", "process.env"):
                    continue
                if not index.is_binding(access.name, access.how, access.typed_kv):
                    continue
                kind = "KV namespace" if index.is_kv(access.name, access.how, access.typed_kv) else "binding"
                if access.how == "globalThis":
                    yield ctx.finding(
                        self, path, access.span,
                        f"{kind} `{access.name}` is read from `globalThis`, but bindings are not globals on "
                        f"{'Cloudflare Pages' if target == 'next-on-pages' else 'Workers'}: it is undefined at run "
                        f"time; use `{use}.{access.name}` inside the request", binding=access.name, how=access.how)
                elif target == "opennext":
                    yield ctx.finding(
                        self, path, access.span,
                        f"{kind} `{access.name}` is read from `process.env`, but under OpenNext bindings are on "
                        f"`getCloudflareContext().env`, not on `process.env` (which carries only string variables): "
                        f"it is undefined at run time; use `{use}.{access.name}`",
                        binding=access.name, how=access.how)
                elif not pages_router and dev_lacks_env:
                    admitted = f"{NEXT_ON_PAGES} {nop_version}" + (  # the range only when it says more
                        "" if nop_range.strip() == str(nop_version) else f" (`{nop_range}`)")
                    yield ctx.finding(
                        self, path, access.span,
                        f"{kind} `{access.name}` is read from `process.env`: next-on-pages copies bindings there "
                        f"when deployed, but under `next dev` only from 1.11.0, and package.json admits "
                        f"{admitted}, so local development breaks; use "
                        f"`{use}.{access.name}` (the supported API) or require 1.11 or later", severity="warning",
                        binding=access.name, how=access.how)
