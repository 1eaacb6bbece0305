from edgelint.api import Check, Figure


class InvalidImageUrlOptions(Check):
    """## What it does
    Checks the options segment of every `/cdn-cgi/image/<OPTIONS>/<SOURCE>` URL written in a string
    literal, a template literal (its static parts; `${…}` counts as unknown) or a `+`
    concatenation: unknown option names, values outside their range or enum (`fit`, `format`,
    `quality` 1–100, `blur` 0–250, `sharpen` 0–10, `zoom` 0–1, …), numbers where numbers are
    required, options joined with `&` or `;` instead of `,`, empty options, spaces, an unencoded
    `#`, duplicated options (or an alias together with its full name), an empty options segment,
    and a missing one (`/cdn-cgi/image/uploads/a.jpg`). Constants, `[…].join(sep)` of option
    arrays (with their `.push()`es) and `new URLSearchParams({…})` used as the options are read
    too. Aliases (`w`, `h`, `q`, `f`, `g`, `scq`, `face-zoom`) are accepted. Text in comments,
    and other `/cdn-cgi/` paths (`/cdn-cgi/trace`, `/cdn-cgi/challenge-platform`, …), are ignored.

    ## Why is this bad?
    The options are a comma-separated list of `name=value`, at least one, without spaces
    (REFERENCE.md §4.1), with the names and values Cloudflare documents (REFERENCE.md §4.3). Cloudflare answers an invalid
    options segment with an error instead of the image, so the picture is broken in production
    only (the development loader usually returns `src` unchanged). Duplicates are warnings: the
    URL still works but one of the two values is ignored.

    ## Example
    ```ts
    const hero = '/cdn-cgi/image/width=1600&quality=80,fit=fill/images/hero.jpg'
    ```

    ## Use instead
    ```ts
    const hero = '/cdn-cgi/image/width=1600,quality=80,fit=cover/images/hero.jpg'
    ```

    Fix: safe — `&`/`;` separators become `,`, empty options and stray spaces are removed, `#`
    in `background` becomes `%23`, commas inside a `background` color become `%2C`; only where
    the URL text is written literally (no escapes) in the file.
    """

    code, name, area = "EDGE401", "invalid-image-url-options", "image"
    severity = "error"
    fixable = True

    def run(self, ctx):
        from ._image import url_findings

        yield from url_findings(ctx, self)

    def audit(self, ctx):
        """How many /cdn-cgi/image/ URLs are free of option and source problems."""
        from ._image import url_counts

        good, total = url_counts(ctx)
        if total:
            yield Figure("image", "/cdn-cgi/image/ URLs without option or source problems", good, total)
