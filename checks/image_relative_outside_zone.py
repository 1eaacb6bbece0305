import re

from edgelint import jsvalues
from edgelint.api import Check

SERVER_KINDS = ("route", "api", "middleware", "proxy", "metadata")
SERVER_COMPONENT_KINDS = ("page", "layout", "template", "not-found", "default")
SERVER_FUNCTIONS = ("getServerSideProps", "getStaticProps", "getStaticPaths", "generateMetadata",
                    "generateStaticParams", "generateImageMetadata", "generateSitemaps", "GET", "HEAD", "POST", "PUT",
                    "PATCH", "DELETE", "OPTIONS", "middleware", "proxy")
#: Every call this check looks at names one of these words: `fetch(…)`, `….redirect(…)`, `new URL(…)`.
SINK_WORDS = (b"fetch", b"redirect", b"URL")
DEV_MARKERS = (b"NODE_ENV", b"development", b"process.env", b"import.meta.env")
#: A next.config that chooses its settings by phase (`phase === PHASE_DEVELOPMENT_SERVER`).
DEV_PHASE = re.compile(rb"PHASE_DEVELOPMENT_SERVER|['\"]phase-development-server['\"]")


class RelativeImageUrlOutsideZone(Check):
    """## What it does
    Reports a relative `/cdn-cgi/image/…` URL (no `https://<zone>` in front) where it is plain
    that it will not be resolved against the Cloudflare zone:
    - passed to `fetch()` in code that runs on the server (route handlers, API routes, middleware,
      server actions, server components, `getServerSideProps`/`generateMetadata`…), or to
      `Response.redirect()`/`NextResponse.redirect()`, or to `new URL()` without a base: these
      throw (`Invalid URL`) — an error;
    - in `openGraph.images`/`twitter.images` of a `metadata` export when neither the file nor its
      layouts set `metadataBase`: Next.js then resolves it against `http://localhost:3000`, so
      crawlers get a dead link — a warning;
    - returned by an image loader that has no development branch: under `next dev` the page is
      served from localhost, where `/cdn-cgi/image/` does not exist — a note (not for the
      `loaderFile` of a next.config that picks its settings by phase, `PHASE_DEVELOPMENT_SERVER`:
      `next dev` may not use it).
    Anything less obvious (a URL stored and used later, a helper whose caller is unknown) is left
    alone.

    ## Why is this bad?
    `/cdn-cgi/image/` is served by Cloudflare on your zone (REFERENCE.md §4.1): a relative URL
    only works in a page served from that zone. Server code has no page to be relative to, social
    crawlers and local development are outside the zone; Cloudflare's loader returns `src`
    unchanged in development for this reason, and uses `https://<zone>/cdn-cgi/image/…` when
    developing against a remote zone (§4.5).

    ## Example
    ```ts
    export async function GET() {
      return fetch('/cdn-cgi/image/width=400/images/og.png')
    }
    ```

    ## Use instead
    ```ts
    export async function GET(request: Request) {
      return fetch(new URL('/cdn-cgi/image/width=400/images/og.png', request.url))
    }
    ```
    """

    code, name, area = "EDGE407", "relative-image-url-outside-zone", "image"
    severity = "error"

    def run(self, ctx):
        from ._image import TextBuilder, cdn_cgi_paths

        for path in cdn_cgi_paths(ctx, *SINK_WORDS, b"metadata"):
            pf = ctx.parse(path)
            if pf is None:
                continue
            builder = TextBuilder(pf)
            yield from self._calls(ctx, path, pf, builder)
            if b"metadata" in pf.source:
                yield from self._metadata(ctx, path, pf, builder)
        yield from self._loaders(ctx)

    # fetch / redirect / new URL ------------------------------------------------------------
    def _calls(self, ctx, path, pf, builder):
        for node in self._sinks(pf):
            args = node.child_by_field_name("arguments")
            named = [a for a in args.named_children if a.type != "comment"] if args is not None else []
            if not named:
                continue
            if node.type == "new_expression":
                ctor = node.child_by_field_name("constructor")
                if ctor is None or pf.text(ctor) != "URL" or len(named) != 1:
                    continue
                sink, why, severity = "new URL()", "without a base throws `Invalid URL`", ""
            else:
                callee = pf.text(node.child_by_field_name("function")).replace(" ", "")
                if callee in ("fetch", "globalThis.fetch", "self.fetch"):
                    reason = self._server(ctx, path, node, pf)
                    if reason is None:
                        continue
                    sink = "fetch()"
                    why = f"in server code ({reason}) throws: there is no page origin to resolve it against"
                    severity = ""
                elif callee in ("Response.redirect", "NextResponse.redirect"):
                    sink, why, severity = f"{callee}()", "throws: it needs an absolute URL", ""
                else:
                    continue
            if not self._relative_image(builder, named[0]):
                continue
            yield ctx.finding(
                self, path, pf.span(named[0]),
                f"{sink} with a relative /cdn-cgi/image/ URL {why}; /cdn-cgi/image/ is served on the Cloudflare "
                "zone only: make it absolute, e.g. new URL('/cdn-cgi/image/…', request.url) or "
                "https://<zone>/cdn-cgi/image/… (REFERENCE.md §4.1)",
                severity=severity)

    @staticmethod
    def _sinks(pf):
        """The calls and `new` expressions around SINK_WORDS in the bytes, in document order."""
        calls = {node.id: node for needle in SINK_WORDS for node in pf.around(needle)
                 if node.type in ("call_expression", "new_expression")}
        return sorted(calls.values(), key=lambda n: (n.start_byte, -n.end_byte))

    @staticmethod
    def _relative_image(builder, node) -> bool:
        from ._image import PREFIX

        node = jsvalues.unwrap(node)
        if node is None:
            return False
        text = builder.build(node).text
        return text.startswith(PREFIX)

    @staticmethod
    def _server(ctx, path, node, pf):
        from ._image import FUNCTION_TYPES, ancestors, parent_of

        summary = ctx.summary(path)  # only for files that fetch: most never need it
        if summary is not None and summary.use_client:
            return None
        route = ctx.app.route_for(path)
        if route is not None and route.kind in SERVER_KINDS:
            return {"route": "a route handler", "api": "an API route", "middleware": "middleware",
                    "proxy": "proxy", "metadata": "a metadata route"}[route.kind]
        if summary is not None and summary.use_server:
            return "a 'use server' module"
        if route is not None and route.router == "app" and route.kind in SERVER_COMPONENT_KINDS:
            return "a server component"
        outer = None
        for current in ancestors(node, pf, 2000):
            if current.type in FUNCTION_TYPES:
                outer = current
        if outer is not None:
            name = outer.child_by_field_name("name")
            holder = parent_of(outer, pf)
            if name is None and holder is not None and holder.type == "variable_declarator":
                name = holder.child_by_field_name("name")
            if name is not None and pf.text(name) in SERVER_FUNCTIONS and route is not None:
                return f"in {pf.text(name)}"
        return None

    # metadata ------------------------------------------------------------------------------
    def _metadata(self, ctx, path, pf, builder):
        route = ctx.app.route_for(path)
        if route is None or route.router != "app" or b"metadataBase" in pf.source:
            return
        for layout in route.layouts:
            if ctx.ws.contains(layout, b"metadataBase"):
                return
        for statement in pf.root.named_children:
            if statement.type != "export_statement":
                continue
            declaration = statement.child_by_field_name("declaration")
            if declaration is None or declaration.type != "lexical_declaration":
                continue
            for declarator in declaration.named_children:
                name = declarator.child_by_field_name("name") if declarator.type == "variable_declarator" else None
                if name is None or pf.text(name) != "metadata":
                    continue
                value = declarator.child_by_field_name("value")
                for section in ("openGraph", "twitter"):
                    section_node = jsvalues.object_pairs(value, pf).get(section)
                    images = jsvalues.object_pairs(section_node[1], pf).get("images") if section_node else None
                    for candidate in self._image_values(images[1] if images else None, pf):
                        if self._relative_image(builder, candidate):
                            yield ctx.finding(
                                self, path, pf.span(candidate),
                                f"metadata.{section}.images has a relative /cdn-cgi/image/ URL and neither this file "
                                "nor its layouts set metadataBase: Next.js resolves it against http://localhost:3000, "
                                "so crawlers (outside your zone) get a dead image; set metadataBase to the zone's "
                                "origin or write https://<zone>/cdn-cgi/image/… (REFERENCE.md §4.1)",
                                severity="warning")

    @staticmethod
    def _image_values(node, pf):
        node = jsvalues.unwrap(node)
        if node is None:
            return []
        items = [c for c in node.named_children if c.type != "comment"] if node.type == "array" else [node]
        found = []
        for item in items:
            item = jsvalues.unwrap(item)
            if item is None:
                continue
            if item.type == "object":
                url = jsvalues.object_pairs(item, pf).get("url")
                if url is not None:
                    found.append(url[1])
            elif item.type in ("string", "template_string", "binary_expression", "identifier"):
                found.append(item)
        return found

    # loaders without a development branch -------------------------------------------------------
    def _loaders(self, ctx):
        from ._image import TextBuilder, loader_sites, returned_expressions

        config = ctx.app.next_config
        by_phase = config is not None and DEV_PHASE.search(config.pf.source) is not None
        for site in loader_sites(ctx):
            body = site.function.child_by_field_name("body")
            if body is None or any(marker in body.text for marker in DEV_MARKERS):
                continue
            if by_phase and site.via == "loaderFile":
                continue  # next.config picks its settings by phase: `next dev` may not use this loader
            builder = TextBuilder(site.pf)
            for returned in returned_expressions(site.function):
                if self._relative_image(builder, returned):
                    yield ctx.finding(
                        self, site.path, site.pf.span(returned),
                        "This image loader returns a relative /cdn-cgi/image/ URL in development too: `next dev` "
                        "serves the page from localhost, outside the Cloudflare zone, where /cdn-cgi/image/ does "
                        "not exist, so every image is broken locally; return `src` when process.env.NODE_ENV === "
                        "'development' as Cloudflare's loader does (REFERENCE.md §4.5)",
                        severity="note", related=site.related)
                    break
