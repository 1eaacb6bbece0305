from edgelint.api import Check, Location


class LoaderDropsQuality(Check):
    """## What it does
    Reports an image loader — the default export of next.config `images.loaderFile`, or a
    function passed as `loader={…}` to `next/image` — that never uses the `quality` it receives.
    A note; a warning when some `<Image quality={…}>` rendered with that loader is found (it is
    named as evidence).
    Loaders next/image never calls are not judged either: with `images.unoptimized: true`, or
    when every element given the loader also has the `unoptimized` prop, it renders `src` as
    it is (next 15.1.2 `shared/lib/get-img-props.js`).

    ## Why is this bad?
    The `quality` prop of `<Image>` only reaches the image CDN through the loader. A loader that
    drops it makes every `quality` prop a no-op, and Cloudflare encodes at its default (85,
    REFERENCE.md §4.3). Cloudflare's loader adds `quality=<quality>` whenever it is given
    (REFERENCE.md §4.5).

    ## Example
    ```ts
    export default function loader({ src, width }: ImageLoaderProps) {
      return `/cdn-cgi/image/width=${width}/${src.slice(1)}`
    }
    ```

    ## Use instead
    ```ts
    export default function loader({ src, width, quality }: ImageLoaderProps) {
      const params = [`width=${width}`]
      if (quality) params.push(`quality=${quality}`)
      return `/cdn-cgi/image/${params.join(',')}/${src.slice(1)}`
    }
    ```
    """

    code, name, area = "EDGE405", "loader-drops-quality", "image"
    severity = "note"

    def run(self, ctx):
        from ._image import elements_using, function_span, loaders_not_using

        for site in loaders_not_using(ctx, "quality"):
            evidence = list(elements_using(ctx, site, "quality"))[:3]
            if evidence:
                path, span = evidence[0]
                message = (f"This {site.label} never uses `quality`, so quality={{…}} on <Image> ({path}:{span.line}) "
                           "has no effect and Cloudflare encodes at its default; add `quality=${quality}` to the "
                           "options when it is given (REFERENCE.md §4.3, §4.5)")
            else:
                message = (f"This {site.label} never uses the `quality` next/image gives it: a quality prop on <Image> "
                           "would have no effect; add `quality=${quality}` to the options when it is given "
                           "(REFERENCE.md §4.3, §4.5)")
            yield ctx.finding(
                self, site.path, function_span(site.function, site.pf), message,
                severity="warning" if evidence else "",
                related=[*site.related, *(Location(p, s, "<Image> with a quality prop") for p, s in evidence)])
