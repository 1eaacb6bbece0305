"""Helpers shared by the rate-limit checks (EDGE6xx): the shared analysis and fix advice.

Importing this module is cheap: `edgelint.ratelimit` (the analysis, and the parser machinery it
brings) is imported by the functions that need it, so loading the checks does not load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from edgelint.ratelimit_options import RatelimitOptions

if TYPE_CHECKING:
    from edgelint.ratelimit import Analysis

__all__ = ["RatelimitOptions", "get", "known_api_calls", "waituntil_advice", "ip_advice"]

#: Limiter kinds whose key and verdict edgelint reads: @upstash/ratelimit, Cloudflare bindings and
#: `.limit(key)` on a limiter-like receiver; not the configured `limiters`, whose API is the project's.
KNOWN_API_KINDS = ("upstash", "cloudflare", "flexible", "arcjet", "heuristic")


def get(ctx, check) -> Analysis:
    """The app's rate-limit analysis (computed once per app, whichever check asks first)."""
    from edgelint.ratelimit import analysis

    return analysis(ctx, check.options)


def known_api_calls(ctx, analysis: Analysis) -> list:
    """The limiter calls of a known API (KNOWN_API_KINDS) in the files in focus."""
    return [c for c in analysis.limiter_calls() if c.kind in KNOWN_API_KINDS and ctx.in_focus(c.path)]


def is_middleware(ctx, path: str) -> bool:
    return any(r.path == path for r in ctx.routes("middleware", "proxy"))


def waituntil_advice(ctx, path: str) -> str:
    """How to hand a promise to `waitUntil` where this file runs."""
    if is_middleware(ctx, path):
        return "pass it to `event.waitUntil(pending)` (the middleware's second argument, a NextFetchEvent)"
    if ctx.target == "next-on-pages":
        return "pass it to `getRequestContext().ctx.waitUntil(pending)`"
    if ctx.target == "opennext":
        return "pass it to `getCloudflareContext().ctx.waitUntil(pending)`"
    return "pass it to `waitUntil(pending)` from `@vercel/functions`"


def ip_advice(ctx) -> str:
    if ctx.target in ("next-on-pages", "opennext"):
        return "`request.headers.get('cf-connecting-ip')`"
    if ctx.target == "vercel":
        return "`ipAddress(request)` from `@vercel/functions`"
    return "the `x-forwarded-for` header your proxy sets"
