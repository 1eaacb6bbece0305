"""The public sources behind the platform facts the rules rely on.

The checks' docstrings cite the project's research notes (`REFERENCE.md §4.1`), which record each
fact with where it was read; those notes are not shipped. The documentation users read
(`edgelint rule`, SARIF rule help) drops the citations from the prose and ends with the public
pages and source files behind every section cited, so each fact can be followed to its origin.
"""

from __future__ import annotations

import re

#: Section of the notes (or one numbered item of its lists of findings, §8 to §8b) -> (title, URL)
#: of the public sources its facts come from, most authoritative first. Facts the notes verified
#: by reading the published `next` packages or by running `next build` point at the matching
#: source files of the release, or at the page that documents the behaviour.
SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "0": (
        ("Next.js docs: Route Segment Config — runtime",
         "https://nextjs.org/docs/app/api-reference/file-conventions/route-segment-config/runtime"),
        ("next-on-pages: packages/next-on-pages/README.md (edge opt-in, getRequestContext, next-dev)",
         "https://github.com/cloudflare/next-on-pages/blob/main/packages/next-on-pages/README.md"),
        ("OpenNext docs: Cloudflare — Get Started (remove export const runtime = \"edge\")",
         "https://opennext.js.org/cloudflare/get-started"),
    ),
    "0.2": (
        ("Next.js docs: proxy.js file convention (matcher, runtime, Server Functions)",
         "https://nextjs.org/docs/app/api-reference/file-conventions/proxy"),
        ("Next.js message: Renaming Middleware to Proxy",
         "https://nextjs.org/docs/messages/middleware-to-proxy"),
        ("Next.js source: build/analysis/get-page-static-info.ts (v16.0.0) — proxy/middleware checks",
         "https://github.com/vercel/next.js/blob/v16.0.0/packages/next/src/build/analysis/get-page-static-info.ts"),
    ),
    "0.3": (
        ("Next.js 15 docs: middleware.js file convention (matcher, runtime)",
         "https://nextjs.org/docs/15/app/api-reference/file-conventions/middleware"),
        ("Next.js blog: Next.js 15.5 (Node.js Middleware stable)",
         "https://nextjs.org/blog/next-15-5"),
        ("Next.js source: build/entries.ts (v15.2.0) — Node.js middleware warning",
         "https://github.com/vercel/next.js/blob/v15.2.0/packages/next/src/build/entries.ts"),
    ),
    "0.4": (
        ("next-on-pages: packages/next-on-pages/README.md (edge opt-in, getRequestContext, next-dev)",
         "https://github.com/cloudflare/next-on-pages/blob/main/packages/next-on-pages/README.md"),
        ("next-on-pages source: src/buildApplication/processVercelFunctions/invalidFunctions.ts",
         "https://github.com/cloudflare/next-on-pages/blob/main/packages/next-on-pages/src/buildApplication/processVercelFunctions/invalidFunctions.ts"),
        ("Cloudflare Pages docs: Next.js (next-on-pages) — Troubleshooting",
         "https://developers.cloudflare.com/pages/framework-guides/nextjs/ssr/troubleshooting/"),
    ),
    "0.5": (
        ("OpenNext docs: Cloudflare — Get Started (remove export const runtime = \"edge\")",
         "https://opennext.js.org/cloudflare/get-started"),
        ("OpenNext docs: Cloudflare overview (Node.js runtime, not Edge)",
         "https://opennext.js.org/cloudflare"),
        ("OpenNext source: packages/cloudflare/src/cli/commands/migrate.ts (edge runtime warning)",
         "https://github.com/opennextjs/opennextjs-cloudflare/blob/main/packages/cloudflare/src/cli/commands/migrate.ts"),
    ),
    "1.1": (
        ("Next.js docs: Route Segment Config",
         "https://nextjs.org/docs/app/api-reference/file-conventions/route-segment-config"),
        ("Next.js 15 docs: Route Segment Config (dynamic, revalidate, fetchCache, runtime, …)",
         "https://nextjs.org/docs/15/app/api-reference/file-conventions/route-segment-config"),
        ("Next.js source: build/analysis/get-page-static-info.ts (v15.5.0)",
         "https://github.com/vercel/next.js/blob/v15.5.0/packages/next/src/build/analysis/get-page-static-info.ts"),
    ),
    "1.2": (
        ("Next.js docs: Route Segment Config — runtime",
         "https://nextjs.org/docs/app/api-reference/file-conventions/route-segment-config/runtime"),
        ("Next.js source: build/segment-config/app/app-segment-config.ts (v15.5.0)",
         "https://github.com/vercel/next.js/blob/v15.5.0/packages/next/src/build/segment-config/app/app-segment-config.ts"),
        ("Next.js source: build/analysis/get-page-static-info.ts (v15.5.0)",
         "https://github.com/vercel/next.js/blob/v15.5.0/packages/next/src/build/analysis/get-page-static-info.ts"),
    ),
    "1.3": (
        ("Next.js source: build/analysis/get-page-static-info.ts (v15.5.0)",
         "https://github.com/vercel/next.js/blob/v15.5.0/packages/next/src/build/analysis/get-page-static-info.ts"),
        ("Next.js source: build/analysis/extract-const-value.ts (v16.3.0)",
         "https://github.com/vercel/next.js/blob/v16.3.0/packages/next/src/build/analysis/extract-const-value.ts"),
        ("Next.js 14 docs: Route Segment Config — values must be statically analyzable",
         "https://nextjs.org/docs/14/app/api-reference/file-conventions/route-segment-config"),
    ),
    "1.4": (
        ("Next.js docs: Route Segment Config",
         "https://nextjs.org/docs/app/api-reference/file-conventions/route-segment-config"),
        ("Next.js docs: proxy.js file convention (matcher, runtime, Server Functions)",
         "https://nextjs.org/docs/app/api-reference/file-conventions/proxy"),
        ("Cloudflare Pages docs: Next.js (next-on-pages) — Troubleshooting",
         "https://developers.cloudflare.com/pages/framework-guides/nextjs/ssr/troubleshooting/"),
    ),
    "1.5": (
        ("Next.js source: build/entries.ts (v15.5.0) — getStaticInfoIncludingLayouts",
         "https://github.com/vercel/next.js/blob/v15.5.0/packages/next/src/build/entries.ts"),
        ("Next.js source: build/get-static-info-including-layouts.ts (v16.0.0)",
         "https://github.com/vercel/next.js/blob/v16.0.0/packages/next/src/build/get-static-info-including-layouts.ts"),
        ("next-on-pages issue #459: layout runtime and SSG pages",
         "https://github.com/cloudflare/next-on-pages/issues/459"),
    ),
    "1.6": (
        ("Cloudflare Pages docs: Next.js (next-on-pages) — Troubleshooting",
         "https://developers.cloudflare.com/pages/framework-guides/nextjs/ssr/troubleshooting/"),
        ("Next.js source: build/analysis/get-page-static-info.ts (v15.5.0)",
         "https://github.com/vercel/next.js/blob/v15.5.0/packages/next/src/build/analysis/get-page-static-info.ts"),
        ("next-on-pages: packages/next-on-pages/README.md (edge opt-in, getRequestContext, next-dev)",
         "https://github.com/cloudflare/next-on-pages/blob/main/packages/next-on-pages/README.md"),
    ),
    "1.7": (
        ("Next.js 15 docs: middleware.js file convention (matcher, runtime)",
         "https://nextjs.org/docs/15/app/api-reference/file-conventions/middleware"),
        ("Next.js docs: proxy.js file convention (matcher, runtime, Server Functions)",
         "https://nextjs.org/docs/app/api-reference/file-conventions/proxy"),
        ("Next.js source: build/analysis/get-page-static-info.ts (v16.0.0) — proxy/middleware checks",
         "https://github.com/vercel/next.js/blob/v16.0.0/packages/next/src/build/analysis/get-page-static-info.ts"),
    ),
    "1.8": (
        ("Next.js source: build/analysis/get-page-static-info.ts (v15.5.0)",
         "https://github.com/vercel/next.js/blob/v15.5.0/packages/next/src/build/analysis/get-page-static-info.ts"),
        ("Cloudflare Pages docs: Next.js (next-on-pages) — Troubleshooting",
         "https://developers.cloudflare.com/pages/framework-guides/nextjs/ssr/troubleshooting/"),
        ("Next.js docs: Route Segment Config",
         "https://nextjs.org/docs/app/api-reference/file-conventions/route-segment-config"),
    ),
    "1.9": (
        ("Next.js docs: route.js (Route Handlers)",
         "https://nextjs.org/docs/app/api-reference/file-conventions/route"),
        ("Next.js 15 docs: Route Handlers and Middleware (unsupported method → 405)",
         "https://nextjs.org/docs/15/app/getting-started/route-handlers-and-middleware"),
        ("Next.js docs: Route Segment Config",
         "https://nextjs.org/docs/app/api-reference/file-conventions/route-segment-config"),
    ),
    "1.10": (
        ("Next.js docs: 'use server' directive",
         "https://nextjs.org/docs/app/api-reference/directives/use-server"),
        ("Next.js docs: proxy.js file convention (matcher, runtime, Server Functions)",
         "https://nextjs.org/docs/app/api-reference/file-conventions/proxy"),
        ("Next.js docs: Route Segment Config",
         "https://nextjs.org/docs/app/api-reference/file-conventions/route-segment-config"),
    ),
    "2.1": (
        ("Next.js docs: Edge Runtime API reference (supported and unsupported APIs)",
         "https://nextjs.org/docs/app/api-reference/edge"),
    ),
    "2.2": (
        ("Next.js docs: Edge Runtime API reference (supported and unsupported APIs)",
         "https://nextjs.org/docs/app/api-reference/edge"),
        ("Next.js source: build/webpack/plugins/middleware-plugin.ts (v15.5.0) — SUPPORTED_NATIVE_MODULES",
         "https://github.com/vercel/next.js/blob/v15.5.0/packages/next/src/build/webpack/plugins/middleware-plugin.ts"),
        ("Next.js source: shared/lib/constants.ts (v15.5.0) — EDGE_UNSUPPORTED_NODE_APIS",
         "https://github.com/vercel/next.js/blob/v15.5.0/packages/next/src/shared/lib/constants.ts"),
    ),
    "2.3": (
        ("Cloudflare Workers docs: Node.js compatibility",
         "https://developers.cloudflare.com/workers/runtime-apis/nodejs/"),
        ("Cloudflare Workers docs: Compatibility flags (nodejs_compat and per-module flags)",
         "https://developers.cloudflare.com/workers/configuration/compatibility-flags/"),
        ("workers-sdk source: packages/miniflare/src/plugins/core/node-compat.ts (Node.js compat modes)",
         "https://github.com/cloudflare/workers-sdk/blob/1f14fde47ca037561908a7da16d1795829c7029a/packages/miniflare/src/plugins/core/node-compat.ts"),
    ),
    "2.4": (
        ("next-on-pages source: src/buildApplication/processVercelFunctions/invalidFunctions.ts",
         "https://github.com/cloudflare/next-on-pages/blob/main/packages/next-on-pages/src/buildApplication/processVercelFunctions/invalidFunctions.ts"),
        ("next-on-pages: docs/supported.md (supported versions, Node built-ins, next.config options, images)",
         "https://github.com/cloudflare/next-on-pages/blob/main/packages/next-on-pages/docs/supported.md"),
        ("next-on-pages: packages/next-on-pages/README.md (edge opt-in, getRequestContext, next-dev)",
         "https://github.com/cloudflare/next-on-pages/blob/main/packages/next-on-pages/README.md"),
    ),
    "2.5": (
        ("OpenNext docs: Cloudflare — Get Started (remove export const runtime = \"edge\")",
         "https://opennext.js.org/cloudflare/get-started"),
        ("OpenNext docs: Cloudflare — Bindings (getCloudflareContext, async mode)",
         "https://opennext.js.org/cloudflare/bindings"),
        ("OpenNext source: packages/cloudflare/src/api/cloudflare-context.ts",
         "https://github.com/opennextjs/opennextjs-cloudflare/blob/main/packages/cloudflare/src/api/cloudflare-context.ts"),
    ),
    "3.1": (
        ("Cloudflare KV docs: Read key-value pairs",
         "https://developers.cloudflare.com/kv/api/read-key-value-pairs/"),
        ("Cloudflare KV docs: Write key-value pairs",
         "https://developers.cloudflare.com/kv/api/write-key-value-pairs/"),
        ("Cloudflare KV docs: List keys",
         "https://developers.cloudflare.com/kv/api/list-keys/"),
    ),
    "3.2": (
        ("Cloudflare KV docs: Limits",
         "https://developers.cloudflare.com/kv/platform/limits/"),
        ("Cloudflare changelog: Reduced minimum cache TTL for Workers KV to 30 seconds (2026-01-30)",
         "https://developers.cloudflare.com/changelog/post/2026-01-30-kv-reduced-minimum-cachettl/"),
        ("Cloudflare KV docs: Write key-value pairs",
         "https://developers.cloudflare.com/kv/api/write-key-value-pairs/"),
    ),
    "3.3": (
        ("Cloudflare KV docs: KV bindings",
         "https://developers.cloudflare.com/kv/concepts/kv-bindings/"),
        ("Cloudflare Workers docs: Wrangler configuration",
         "https://developers.cloudflare.com/workers/wrangler/configuration/"),
    ),
    "4": (
        ("Cloudflare Images: Transform via URL",
         "https://developers.cloudflare.com/images/transform-images/transform-via-url/"),
        ("Cloudflare Images: Integrate with frameworks (Next.js loader)",
         "https://developers.cloudflare.com/images/transform-images/integrate-with-frameworks/"),
        ("workerd source: types/defines/cf.d.ts (BasicImageTransformations, RequestInitCfPropertiesImage)",
         "https://github.com/cloudflare/workerd/blob/main/types/defines/cf.d.ts"),
    ),
    "4.1": (
        ("Cloudflare Images: Transform via URL",
         "https://developers.cloudflare.com/images/transform-images/transform-via-url/"),
    ),
    "4.2": (
        ("Cloudflare Images: Integrate with frameworks (Next.js loader)",
         "https://developers.cloudflare.com/images/transform-images/integrate-with-frameworks/"),
        ("Cloudflare Images: Transform via URL",
         "https://developers.cloudflare.com/images/transform-images/transform-via-url/"),
    ),
    "4.3": (
        ("Cloudflare Images: Transform via URL",
         "https://developers.cloudflare.com/images/transform-images/transform-via-url/"),
        ("workerd source: types/defines/cf.d.ts (BasicImageTransformations, RequestInitCfPropertiesImage)",
         "https://github.com/cloudflare/workerd/blob/main/types/defines/cf.d.ts"),
        ("Cloudflare Images: Transform via Workers (cf.image options)",
         "https://developers.cloudflare.com/images/transform-images/transform-via-workers/"),
        ("Cloudflare Images: Features (trim=border, blur from 0)",
         "https://developers.cloudflare.com/images/optimization/features/"),
    ),
    "4.5": (
        ("Cloudflare Images: Integrate with frameworks (Next.js loader)",
         "https://developers.cloudflare.com/images/transform-images/integrate-with-frameworks/"),
        ("Next.js docs: Image component — loader / loaderFile",
         "https://nextjs.org/docs/app/api-reference/components/image"),
        ("Next.js message: next-image-missing-loader-width",
         "https://nextjs.org/docs/messages/next-image-missing-loader-width"),
    ),
    "4.6": (
        ("next-on-pages: docs/supported.md (supported versions, Node built-ins, next.config options, images)",
         "https://github.com/cloudflare/next-on-pages/blob/main/packages/next-on-pages/docs/supported.md"),
        ("OpenNext docs: Cloudflare — Image Optimization",
         "https://opennext.js.org/cloudflare/howtos/image"),
        ("eslint-plugin-next-on-pages CHANGELOG (missing-image-loader rule removed)",
         "https://github.com/cloudflare/next-on-pages/blob/main/packages/eslint-plugin-next-on-pages/CHANGELOG.md"),
    ),
    "5.1": (
        ("Upstash ratelimit-js source: src/ratelimit.ts (constructor defaults, limit, blockUntilReady)",
         "https://github.com/upstash/ratelimit-js/blob/main/src/ratelimit.ts"),
        ("Upstash ratelimit-js source: src/single.ts (config, algorithms)",
         "https://github.com/upstash/ratelimit-js/blob/main/src/single.ts"),
    ),
    "5.2": (
        ("Cloudflare Workers docs: Rate Limiting binding",
         "https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/"),
        ("workers-sdk PR #10541: move ratelimit binding to stable (ratelimits vs unsafe.bindings)",
         "https://github.com/cloudflare/workers-sdk/pull/10541"),
    ),
    "5.3": (
        ("Upstash ratelimit-js example: examples/nextjs-middleware/middleware.ts",
         "https://github.com/upstash/ratelimit-js/blob/main/examples/nextjs-middleware/middleware.ts"),
        ("Upstash ratelimit-js example: examples/cloudflare-pages/app/api/route.ts",
         "https://github.com/upstash/ratelimit-js/blob/main/examples/cloudflare-pages/app/api/route.ts"),
        ("Next.js docs: proxy.js file convention (matcher, runtime, Server Functions)",
         "https://nextjs.org/docs/app/api-reference/file-conventions/proxy"),
    ),
    "5.4": (
        ("Next.js docs: proxy.js file convention (matcher, runtime, Server Functions)",
         "https://nextjs.org/docs/app/api-reference/file-conventions/proxy"),
        ("Next.js 15 docs: middleware.js file convention (matcher, runtime)",
         "https://nextjs.org/docs/15/app/api-reference/file-conventions/middleware"),
        ("Next.js source: build/segment-config/middleware/middleware-config.ts (v15.5.0) — matcher schema",
         "https://github.com/vercel/next.js/blob/v15.5.0/packages/next/src/build/segment-config/middleware/middleware-config.ts"),
    ),
    "6.1": (
        ("Next.js docs: next.config.js (file names, function and async forms)",
         "https://nextjs.org/docs/app/api-reference/config/next-config-js"),
        ("Next.js PR #70376: error for next.config.mts/.cjs/.cts (not supported)",
         "https://github.com/vercel/next.js/pull/70376"),
    ),
    "6.2": (
        ("Next.js docs: next.config.js — Custom Webpack Config",
         "https://nextjs.org/docs/app/api-reference/config/next-config-js/webpack"),
    ),
    "6.3": (
        ("Next.js docs: next.config.js — Custom Webpack Config",
         "https://nextjs.org/docs/app/api-reference/config/next-config-js/webpack"),
        ("webpack docs: Entry and Context — dynamic entry / entry descriptor",
         "https://webpack.js.org/configuration/entry-context/#dynamic-entry"),
        ("Next.js docs: Upgrading to version 16 (Turbopack by default, proxy)",
         "https://nextjs.org/docs/app/guides/upgrading/version-16"),
    ),
    "8 item 6": (
        ("Cloudflare Images: Transform via URL",
         "https://developers.cloudflare.com/images/transform-images/transform-via-url/"),
        ("Cloudflare Images: Integrate with frameworks (Next.js loader)",
         "https://developers.cloudflare.com/images/transform-images/integrate-with-frameworks/"),
    ),
    "8a item 1": (
        ("Next.js source: build/webpack-config.ts (v15.5.0) — ProvidePlugin({ Buffer })",
         "https://github.com/vercel/next.js/blob/v15.5.0/packages/next/src/build/webpack-config.ts"),
    ),
    "8a item 2": (
        ("next-on-pages PR #58: bindings on process.env",
         "https://github.com/cloudflare/next-on-pages/pull/58"),
        ("next-on-pages: README (edge runtime, getRequestContext)",
         "https://github.com/cloudflare/next-on-pages/blob/main/packages/next-on-pages/README.md"),
    ),
    "8a item 3": (
        ("cloudflare-docs issue #14186: rate-limit bindings not supported by Pages",
         "https://github.com/cloudflare/cloudflare-docs/issues/14186"),
    ),
    "8a item 4": (
        ("eslint-plugin-next-on-pages CHANGELOG (missing-image-loader rule removed)",
         "https://github.com/cloudflare/next-on-pages/blob/main/packages/eslint-plugin-next-on-pages/CHANGELOG.md"),
        ("next-on-pages: docs/supported.md (images)",
         "https://github.com/cloudflare/next-on-pages/blob/main/packages/next-on-pages/docs/supported.md"),
    ),
    "8a item 5": (
        ("tree-sitter-typescript issue #366: bare & in JSX text fails to parse",
         "https://github.com/tree-sitter/tree-sitter-typescript/issues/366"),
    ),
    "8b item 7": (
        ("Next.js docs: Upgrading to version 15 (NextRequest geo and ip removed)",
         "https://nextjs.org/docs/app/guides/upgrading/version-15"),
    ),
}

_SECTION = re.compile(r"§(\d+[a-z]?(?:\.\d+[a-z]?)*)(?: item (\d+))?")


def cited_sections(docs: str) -> list[str]:
    """The sections of the notes a text cites (`8a item 2` where an item has sources of its
    own), in order of first citation."""
    found = []
    for match in _SECTION.finditer(docs):
        item = f"{match.group(1)} item {match.group(2)}"
        found.append(item if item in SOURCES else match.group(1))
    return list(dict.fromkeys(found))


def sources_of(docs: str) -> list[tuple[str, str]]:
    """(title, URL) of the public sources behind the sections a text cites, each once."""
    found: dict[str, str] = {}
    for section in cited_sections(docs):
        for title, url in SOURCES.get(section, ()):
            found.setdefault(url, title)
    return [(title, url) for url, title in found.items()]


def public_docs(docs: str) -> str:
    """A rule's documentation as users read it: without citations of the notes, with a
    `## Sources` list of the public sources behind them."""
    from edgelint.api import user_text

    listed = sources_of(docs)
    text = user_text(docs)
    if not listed:
        return text
    return text.rstrip() + "\n\n## Sources\n" + "\n".join(f"- [{title}]({url})" for title, url in listed)
