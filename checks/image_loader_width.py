from edgelint.api import Check


class LoaderIgnoresWidth(Check):
    """## What it does
    Reports an image loader — the default export of next.config `images.loaderFile`, or a
    function passed as `loader={…}` to `next/image` — that never uses the `width` it receives
    (not destructured, or destructured and never read). Loaders that pass their whole argument on
    to another function are not judged.
    Loaders next/image never calls are not judged either: with `images.unoptimized: true`, or
    when every element given the loader also has the `unoptimized` prop, it renders `src` as
    it is (next 15.1.2 `shared/lib/get-img-props.js`).

    ## Why is this bad?
    next/image calls the loader once per width of the `srcset` (`deviceSizes`/`imageSizes`); a
    loader that ignores `width` returns the same URL for every entry, so a phone downloads the
    desktop-sized image and the srcset is useless. Next.js documents that a custom loader must
    implement `width` (its development check warns "has a "loader" property that does not
    implement width"). Cloudflare's loader always emits `width=<width>` (REFERENCE.md §4.5).

    ## Example
    ```ts
    export default function loader({ src }: ImageLoaderProps) {
      return `/cdn-cgi/image/width=1200,format=auto/${src.slice(1)}`
    }
    ```

    ## Use instead
    ```ts
    export default function loader({ src, width }: ImageLoaderProps) {
      return `/cdn-cgi/image/width=${width},format=auto/${src.slice(1)}`
    }
    ```
    """

    code, name, area = "EDGE404", "loader-ignores-width", "image"
    severity = "warning"

    def run(self, ctx):
        from ._image import function_span, loaders_not_using

        for site in loaders_not_using(ctx, "width"):
            yield ctx.finding(
                self, site.path, function_span(site.function, site.pf),
                f"This {site.label} never uses the `width` next/image gives it: every srcset entry gets the same "
                "URL, so every screen downloads the same image (Next.js requires loaders to implement width); put it "
                "in the options, e.g. `width=${width}` (REFERENCE.md §4.5)",
                related=site.related)
