"""Options of the rate-limit area (`[ratelimit]` in edgelint.toml), apart from the analysis.

The EDGE6xx checks name `RatelimitOptions` as their `Options` when their class is defined, so it
lives here, in a module that imports nothing heavy: loading the checks does not load
`edgelint.ratelimit` (and the parser machinery it brings), which only a check that runs needs.
`edgelint.ratelimit` re-exports both names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DEFAULT_IGNORE_URLS", "RatelimitOptions"]

#: Machine endpoints (schedulers, webhooks) skipped by default.
DEFAULT_IGNORE_URLS = ("**/cron/**", "**/crons/**", "**/webhook/**", "**/webhooks/**")


@dataclass
class RatelimitOptions:
    """Options of the `ratelimit` area, read from `[ratelimit]` in edgelint.toml.

    * `limiters`: extra limiter calls, by callee text (`"guard.check"`, `"checkQuota"`); a call
      `guard.check(...)` or `x.guard.check(...)` then counts as a limiter call.
    * `wrappers`: higher-order functions that rate-limit the handler they wrap but cannot be
      followed (they come from a package): `export const POST = withLimit(handler)`, also
      handler factories with a limiter of their own, in the forms auth libraries document:
      `export const { GET, POST } = toNextJsHandler(auth)`, `… = handlers` (from
      `NextAuth(…)`), `export const POST = toNextJsHandler(auth).POST`.
    * `include-get`: also treat `GET` and `HEAD` route handlers as user actions.
    * `ignore-urls`: URL patterns of machine endpoints that are not user actions (called by a
      scheduler or another service, usually signature-checked). `*` matches within a segment,
      `**` any number of segments. Default: cron and webhook endpoints. They still appear in
      the coverage (status 'excluded').
    """

    limiters: list[str] = field(default_factory=list)
    wrappers: list[str] = field(default_factory=list)
    include_get: bool = False
    ignore_urls: list[str] = field(default_factory=lambda: list(DEFAULT_IGNORE_URLS))
