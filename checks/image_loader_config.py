from edgelint.api import Check, Fix, Location, Span


class CustomLoaderMisconfigured(Check):
    """## What it does
    Checks the custom image loader wiring in next.config `images` (REFERENCE.md §4.5):
    - `loader: 'custom'` without `loaderFile`, while some `<Image>` has no `loader` prop;
    - a `loaderFile` that does not exist. Next.js joins it to the project directory and checks
      that exact path, without trying extensions: `'./image-loader'` fails when the file is
      `image-loader.ts`;
    - a `loaderFile` together with a `loader` other than `'custom'`/`'default'`;
    - a `loaderFile` whose module has no default export, or default-exports something that is
      not a function.

    Reported at the literal in next.config, with the loader module or the `<Image>` as evidence.
    Values that are not literals are not judged.

    ## Why is this bad?
    Each case fails at build, start-up or render time: `Specified images.loaderFile does not exist
    at "…"` and `… cannot be used with images.loaderFile property` stop `next build`/`next start`;
    `images.loaderFile detected but the file is missing default export` and `Image with src "…"
    is missing "loader" prop` are thrown when an `<Image>` renders. Cloudflare's documented set-up
    is `images: { loader: 'custom', loaderFile: './imageLoader.ts' }` with a default-exported
    function (REFERENCE.md §4.5).

    ## Example
    ```js
    // next.config.mjs
    export default { images: { loader: 'custom', loaderFile: './lib/image-loader' } }
    ```

    ## Use instead
    ```js
    export default { images: { loader: 'custom', loaderFile: './lib/image-loader.ts' } }
    ```

    Fix: safe — when `loaderFile` lacks only an extension and exactly one file matches, the
    extension is added.
    """

    code, name, area = "EDGE403", "custom-loader-misconfigured", "image"
    severity = "error"
    fixable = True

    def run(self, ctx):
        from ._image import default_export, images_config, resolve_loader_file

        config = ctx.app.next_config
        images = images_config(ctx.app)
        if config is None or not images.known or not images.present:
            return
        loader, loader_file = images.loader, images.loader_file
        loader_node = config.node_at("images", "loader")
        file_node = config.node_at("images", "loaderFile")
        if loader == "custom" and loader_file is None and loader_node is not None:
            missing = list(self._images_without_loader(ctx))
            if missing:
                first_path, first_span = missing[0]
                yield ctx.finding(
                    self, config.path, config.pf.span(loader_node),
                    f"images.loader is 'custom' but there is no images.loaderFile: every next/image without a "
                    f"`loader` prop throws `Image with src \"…\" is missing \"loader\" prop` when it renders "
                    f"({len(missing)} file{'s' if len(missing) != 1 else ''}, e.g. {first_path}:{first_span.line}); "
                    f"add `loaderFile: './image-loader.ts'` (REFERENCE.md §4.5)",
                    related=[Location(p, s, "<Image> without a loader prop") for p, s in missing[:5]])
            return
        if not isinstance(loader_file, str) or file_node is None:
            return
        file_span = config.pf.span(file_node)
        if isinstance(loader, str) and loader not in ("default", "custom"):
            yield ctx.finding(
                self, config.path, config.pf.span(loader_node),
                f"images.loader '{loader}' cannot be combined with images.loaderFile: Next.js fails with "
                f"`Specified images.loader property ({loader}) cannot be used with images.loaderFile property`; "
                "set loader to 'custom' (REFERENCE.md §4.5)",
                related=[Location(config.path, file_span, "loaderFile set here")])
        rel, state, candidates = resolve_loader_file(ctx, loader_file)
        if state == "unknown":
            return
        if state == "missing":
            yield self._missing(ctx, config, file_node, file_span, loader_file, rel, candidates)
            return
        module = rel if state == "file" else (candidates[0] if candidates else None)
        if module is None or not module.endswith((".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")):
            return
        pf = ctx.parse(module)
        if pf is None:
            return
        export = default_export(pf)
        if export.kind == "none":
            yield ctx.finding(
                self, config.path, file_span,
                f"images.loaderFile {module} has no default export: every next/image throws `images.loaderFile "
                "detected but the file is missing default export` when it renders; `export default function "
                "loader({ src, width, quality }) { … }` (REFERENCE.md §4.5)",
                related=[Location(module, Span(1, 1, 1, 1), "the loader module")])
        elif export.kind == "not-function":
            yield ctx.finding(
                self, config.path, file_span,
                f"images.loaderFile {module} default-exports {export.what}, not a function: next/image calls the "
                "default export with { src, width, quality } and fails; export the loader function as default "
                "(REFERENCE.md §4.5)",
                related=[Location(module, pf.span(export.node), "the default export")])

    def _missing(self, ctx, config, file_node, file_span, loader_file, rel, candidates):
        where = rel or "."
        if len(candidates) == 1:
            found = candidates[0]
            extension = found[len(rel):]
            raw = config.pf.text(file_node)
            fixes = []
            if file_node.type == "string" and raw[1:-1] == loader_file:
                fixes.append(Fix(config.path, file_node.end_byte - 1, file_node.end_byte - 1, extension,
                                 f"add the extension: '{loader_file}{extension}'"))
            return ctx.finding(
                self, config.path, file_span,
                f"images.loaderFile '{loader_file}' does not exist: Next.js checks this exact path ({where}) without "
                f"trying extensions and fails with `Specified images.loaderFile does not exist`; the file is {found}, "
                f"write '{loader_file}{extension}' (REFERENCE.md §4.5)",
                related=[Location(found, Span(1, 1, 1, 1), "the loader module")], fixes=fixes)
        hint = f" (candidates: {', '.join(candidates)})" if candidates else ""
        return ctx.finding(
            self, config.path, file_span,
            f"images.loaderFile '{loader_file}' does not exist ({where}, resolved against the app root): Next.js fails "
            f"with `Specified images.loaderFile does not exist`{hint}; point it at the loader module "
            "(REFERENCE.md §4.5)")

    @staticmethod
    def _images_without_loader(ctx):
        from ._image import element_span, image_files, jsx_attributes, jsx_elements

        for path, pf, names in image_files(ctx):
            for element in jsx_elements(pf, names):
                attributes, spread = jsx_attributes(element, pf)
                if "loader" not in attributes and not spread:
                    yield path, element_span(element, pf)
                    break
