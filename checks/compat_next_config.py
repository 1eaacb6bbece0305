from dataclasses import dataclass

from edgelint import jsvalues
from edgelint.api import Check, Location

#: next.config options next-on-pages does not support and is unlikely to (REFERENCE.md §2.4,
#: "next.config support"; the peer ESLint rule `next-on-pages/no-unsupported-configs` uses the same
#: table). Key path -> what goes wrong.
NEVER = {
    ("reactStrictMode",): "React strict mode is not supported by next-on-pages",
    ("serverRuntimeConfig",): "Runtime Config is not supported: `getConfig()` from `next/config` will not return "
                              "these values on Cloudflare Pages; use `process.env` / bindings",
    ("publicRuntimeConfig",): "Runtime Config is not supported: `getConfig()` from `next/config` will not return "
                              "these values on Cloudflare Pages; use `NEXT_PUBLIC_*` environment variables",
    ("experimental", "ppr"): "Partial Prerendering (PPR) is not supported by next-on-pages",
}
#: Options next-on-pages does not support *yet* (same sources). `productionBrowserSourceMaps` is
#: listed in the peer rule's table, not in the REFERENCE.md excerpt.
NOT_YET = {
    ("assetPrefix",): "`assetPrefix` is not currently supported by next-on-pages",
    ("generateEtags",): "`generateEtags` is not currently supported by next-on-pages",
    ("poweredByHeader",): "`poweredByHeader` is not currently supported by next-on-pages",
    ("incrementalCacheHandlerPath",): "a custom incremental cache handler is not currently supported by "
                                      "next-on-pages",
    ("experimental", "incrementalCacheHandlerPath"): "a custom incremental cache handler is not currently "
                                                     "supported by next-on-pages",
    ("experimental", "turbo"): "`experimental.turbo` is not currently supported by next-on-pages",
    ("productionBrowserSourceMaps",): "`productionBrowserSourceMaps` is not currently supported by next-on-pages",
}
#: Values that ask for nothing (an option switched off or left empty): not reported.
OFF_VALUES = (False, None, "", {}, [])


@dataclass
class Options:
    #: also report options next-on-pages does not support *yet* (like the peer rule's default)
    include_currently_unsupported: bool = True


class UnsupportedNextConfigOnPages(Check):
    """## What it does
    Under next-on-pages, reports `next.config.{js,mjs,ts}` options that `@cloudflare/next-on-pages`
    does not support: `reactStrictMode`, Runtime Config (`serverRuntimeConfig`,
    `publicRuntimeConfig`) and `experimental.ppr` ("not supported, and unlikely to be"), and —
    unless `include-currently-unsupported = false` — `assetPrefix`, `generateEtags`,
    `poweredByHeader`, `incrementalCacheHandlerPath`, `experimental.turbo` and
    `productionBrowserSourceMaps` ("not currently supported"). This is the ground of the peer
    ESLint rule `next-on-pages/no-unsupported-configs`. The config is read without running it:
    CommonJS and ESM, plugin wrappers such as `withX({...})`, and function-form configs
    (REFERENCE.md §6.1).

    An option set to a value that asks for nothing (`false`, `null`, `''`, `{}`) is not reported:
    `reactStrictMode: false` or `poweredByHeader: false` needs nothing from the adapter.

    ## Why is this bad?
    next-on-pages builds with Vercel's build output and supports only part of `next.config`
    (REFERENCE.md §2.4 "next.config support"). An unsupported option is accepted by `next build`
    and then silently has no effect on Cloudflare Pages (nothing fails at build time), so what you
    configured is not what you get: Runtime Config values are missing at run time, the asset
    prefix is not applied, and so on.

    ## Example
    ```js
    module.exports = { reactStrictMode: true, publicRuntimeConfig: { api: '/api' } }
    ```

    ## Use instead
    ```js
    module.exports = { env: { NEXT_PUBLIC_API: '/api' } }
    ```

    ## Options
    `[edge-compat]` `include-currently-unsupported = false` reports only the options that are
    unlikely ever to be supported.
    """

    code, name, area = "EDGE205", "unsupported-next-config-on-pages", "edge-compat"
    severity = "warning"
    targets = frozenset({"next-on-pages"})
    Options = Options

    def run(self, ctx):
        config = ctx.app.next_config
        if config is None or config.node is None:
            return
        options = self.options or Options()
        table = {**NEVER, **(NOT_YET if options.include_currently_unsupported else {})}
        for keys, why in sorted(table.items()):
            pair = _pair(config, keys)
            if pair is None:
                continue
            key_node, value_node = pair
            value = jsvalues.literal(value_node, config.pf) if value_node is not None else None
            if not isinstance(value, jsvalues.Unknown) and value in OFF_VALUES:
                continue
            dotted = ".".join(keys)
            later = keys in NOT_YET  # the reason says "not currently supported"
            message = (f"`{dotted}` in next.config: {why}. Cloudflare Pages ignores it, so the build succeeds "
                       f"but the option has no effect (REFERENCE.md §2.4).")
            yield ctx.finding(self, config.path, config.pf.span(key_node), message,
                              related=[Location(config.path, config.pf.span(config.node), "the exported config object")],
                              option=dotted, support="not-yet" if later else "never")


def _pair(config, keys):
    node = config.node
    pair = None
    for key in keys:
        pair = jsvalues.object_pairs(node, config.pf).get(key) if node is not None else None
        if pair is None:
            return None
        node = pair[1]
    return pair
