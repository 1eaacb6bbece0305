from edgelint.api import Check


class ImageUrlDoubleSlash(Check):
    """## What it does
    Reports `/cdn-cgi/image/` URLs whose source image does not follow the options the way
    Cloudflare documents it (a path without a leading slash, or an absolute `https://` URL):
    - a static `//` after the options (`/cdn-cgi/image/width=80//uploads/a.jpg`);
    - a source built so that it starts with `/`: in a next/image loader, `${src}` appended
      unchanged (next/image passes local images as `/path`), or a value that certainly starts
      with `/` (a `'/…'` constant, `url.pathname`);
    - a protocol-relative source (`//cdn.example.com/a.jpg`);
    - a URL-encoded source (`https%3A%2F%2F…`, `encodeURIComponent(src)`): an error.

    A source is taken as normalised when it comes from something that removes a leading slash
    (`src.startsWith('/') ? src.slice(1) : src`, `src.replace(/^\\//, '')`, `src.slice(1)`,
    `new URL(src, base).pathname.slice(1)`, a helper such as `normalizeSrc(src)` whose body does
    so) or sits in a branch that tests for one. When the value cannot be traced, nothing is
    reported.

    ## Why is this bad?
    REFERENCE.md §4.1: the source follows the options segment without a second leading slash and
    is not URL-encoded. Cloudflare's own Next.js loader strips the leading `/` for this reason
    (REFERENCE.md §4.2); what Cloudflare does with `…/<options>//path` is not documented
    (REFERENCE.md §8 item 6) — `//path` may be read as a protocol-relative URL with host `path` — so those are warnings. An encoded
    source is fetched as a literal path on the origin and does not exist: an error.

    ## Example
    ```ts
    export default function loader({ src, width, quality }: ImageLoaderProps) {
      return `/cdn-cgi/image/width=${width},quality=${quality || 75}/${src}`
    }
    ```

    ## Use instead
    ```ts
    const normalizeSrc = (src: string) => (src.startsWith('/') ? src.slice(1) : src)

    export default function loader({ src, width, quality }: ImageLoaderProps) {
      return `/cdn-cgi/image/width=${width},quality=${quality || 75}/${normalizeSrc(src)}`
    }
    ```

    Fix: safe for a static `//` that is not a host name — the extra `/` is removed.
    """

    code, name, area = "EDGE402", "image-url-double-slash", "image"
    severity = "warning"
    fixable = True

    def run(self, ctx):
        from ._image import url_findings

        yield from url_findings(ctx, self)
