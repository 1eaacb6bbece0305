from edgelint.api import Check, Figure, Location


class NextImageUnoptimizedOnPages(Check):
    """## What it does
    On next-on-pages, reports the first `<Image>` (from `next/image` or `next/legacy/image`) of each
    file when next.config `images` has neither a loader (`loader: 'custom'` with `loaderFile`, or
    another loader) nor `unoptimized: true`, and the element has neither a `loader` nor an
    `unoptimized` prop. The next.config (its `images` key when present) is the related location.
    When `images` is not a literal, nothing is reported. An SVG (a `src` string ending in `.svg`,
    or an imported `.svg` file) is not reported either: with the default loader next/image serves
    it as it is, never through the optimizer (`get-img-props.js` in next 14–16), unless
    `images.dangerouslyAllowSVG` is set.

    ## Why is this bad?
    Next.js's image optimizer does not run on Cloudflare Pages. next-on-pages answers
    `/_next/image` itself and tries Cloudflare image resizing, but falls back to the original
    image (REFERENCE.md §4.6, §8a item 4): every size of the srcset is the full original, unoptimised.
    It works, so this is a warning. Use Cloudflare's custom loader (§4.5), or say
    `unoptimized: true` if the originals are what you want.

    ## Example
    ```js
    // next.config.mjs
    export default {}
    ```

    ## Use instead
    ```js
    export default { images: { loader: 'custom', loaderFile: './image-loader.ts' } }
    ```
    """

    code, name, area = "EDGE406", "next-image-unoptimized-on-pages", "image"
    severity = "warning"
    targets = frozenset({"next-on-pages"})

    def run(self, ctx):
        from ._image import config_location, element_span, images_config

        images = images_config(ctx.app)
        if not images.known or not self._unconfigured(images):
            return
        where = config_location(ctx.app, "images")
        related = [Location(where[0], where[1], "next.config images: no loader and not unoptimized")] if where else []
        for path, pf, element in self._unserved(ctx, images.allow_svg is True):
            if element is not None:
                tag = element.child_by_field_name("name")
                config_text = (f"{where[0]} sets neither an image loader nor unoptimized: true" if where
                               else "there is no next.config, so no image loader and no unoptimized: true")
                yield ctx.finding(
                    self, path, element_span(element, pf),
                    f"<{pf.text(tag)}> (next/image) is served unoptimised on next-on-pages: {config_text}; "
                    "Next.js's image optimizer does not run on "
                    "Cloudflare Pages and next-on-pages falls back to the original image; use Cloudflare's loader "
                    "(images.loader 'custom' + loaderFile) or say images.unoptimized: true "
                    "(REFERENCE.md §4.5, §4.6, §8a)",
                    related=related)

    def audit(self, ctx):
        """Files rendering next/image whose images go through a loader (or are meant unoptimised)."""
        from ._image import images_config

        images = images_config(ctx.app)
        if not images.known:
            return
        files = list(self._unserved(ctx, images.allow_svg is True))
        if not files:
            return
        served = len(files) if not self._unconfigured(images) else sum(1 for _p, _pf, e in files if e is None)
        yield Figure("image", "files with next/image served through an image loader (or unoptimized)", served,
                     len(files))

    @staticmethod
    def _unserved(ctx, allow_svg: bool = False):
        """(path, parsed file, first next/image element without loader/unoptimized, or None) per file."""
        from ._image import image_files, jsx_attributes, jsx_elements, jsx_value

        for path, pf, names in image_files(ctx):
            first, any_element = None, False
            for element in jsx_elements(pf, names):
                any_element = True
                attributes, spread = jsx_attributes(element, pf)
                if spread or "loader" in attributes:
                    continue
                if not allow_svg and _svg_source(ctx, pf, attributes.get("src")):
                    continue
                if "unoptimized" in attributes:
                    value = jsx_value(attributes["unoptimized"])
                    if value is None or value.type != "false":
                        continue
                first = element
                break
            if any_element:
                yield path, pf, first

    @staticmethod
    def _unconfigured(images) -> bool:
        if images.unoptimized is not None and images.unoptimized is not False:
            return False  # true, or not literal
        if images.loader_file is not None:
            return False
        if images.loader is None or images.loader == "default":
            return True
        return False  # 'custom', another CDN loader, or not literal


def _svg_source(ctx, pf, src) -> bool:
    """Whether a `src` attribute is an SVG: a string ending in `.svg` (query aside), or a name
    imported from a `.svg` file."""
    from edgelint.parsing import string_value

    from ._image import jsx_value

    value = jsx_value(src) if src is not None else None
    if value is None:
        return False
    text = string_value(value, pf)
    if text is not None:
        return text.split("?", 1)[0].endswith(".svg")  # as next/image tests it: `.SVG` is optimised
    if value.type != "identifier":
        return False
    name = pf.text(value)
    summary = ctx.summary(pf.path)
    return summary is not None and any(imp.source.split("?", 1)[0].endswith(".svg")
                                       for imp in summary.imports for _n, local in imp.names if local == name)
