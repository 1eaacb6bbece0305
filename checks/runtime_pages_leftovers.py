import re

from edgelint.api import Check, Span


class NextOnPagesLeftoverOnOpenNext(Check):
    """## What it does
    Under OpenNext, reports the pieces of a Cloudflare Pages (next-on-pages) set-up that the move
    to Workers must replace: the `@cloudflare/next-on-pages` dependency, a Wrangler config with
    `pages_build_output_dir` (a Pages project), and the next-on-pages dev set-up
    (`setupDevPlatform`, `@cloudflare/next-on-pages/next-dev`) in `next.config`.

    ## Why is this bad?
    OpenNext deploys a Worker: its Wrangler config needs `main` (`.open-next/worker.js`) and
    `assets`, `nodejs_compat` with a compatibility date ≥ 2024-09-23, and its docs say to
    uninstall `@cloudflare/next-on-pages`; in `next dev`, bindings come from
    `initOpenNextCloudflareForDev()` (REFERENCE.md §2.5, §3.3). Together with EDGE111 (edge
    exports) and the KV checks (`getRequestContext` → `getCloudflareContext`), this is the
    migration list that `edgelint audit --target opennext` prints for a next-on-pages app.

    ## Example
    ```toml
    pages_build_output_dir = ".vercel/output/static"
    ```

    ## Use instead
    ```toml
    main = ".open-next/worker.js"
    assets = { directory = ".open-next/assets", binding = "ASSETS" }
    ```
    """

    code, name, area = "EDGE113", "next-on-pages-leftover-on-opennext", "runtime"
    targets = frozenset({"opennext"})

    def run(self, ctx):
        app = ctx.app
        package = app.rel("package.json")
        yield from self._mentions(ctx, package, r'"@cloudflare/next-on-pages"\s*:',
                                  "@cloudflare/next-on-pages is a Cloudflare Pages adapter: uninstall it and use "
                                  "@opennextjs/cloudflare")
        for config in app.wranglers:
            yield from self._mentions(ctx, config.path, r"\bpages_build_output_dir\b",
                                      "a Pages project setting: OpenNext deploys a Worker, so set "
                                      "`main = \".open-next/worker.js\"` and `assets` instead")
        if app.next_config is not None:
            yield from self._mentions(ctx, app.next_config.path,
                                      r"@cloudflare/next-on-pages/next-dev|\bsetupDevPlatform\b",
                                      "next-on-pages dev set-up: call `initOpenNextCloudflareForDev()` from "
                                      "@opennextjs/cloudflare instead", first_only=True)

    def _mentions(self, ctx, path, pattern, message, first_only=False):
        if not ctx.ws.exists(path):
            return
        text = ctx.ws.text(path) or ""
        for number, line in enumerate(_without_comments(text, hash_comments=path.endswith(".toml")), 1):
            match = re.search(pattern, line)
            if match:
                col = len(line[: match.start()]) + 1
                yield ctx.finding(self, path, Span(number, col, number, col + len(match.group(0))), message)
                if first_only:
                    return


def _without_comments(text: str, hash_comments: bool) -> list[str]:
    """The lines of a config file with its comments blanked out, columns kept: `#` comments (TOML)
    or `//` and `/* … */` comments (JSONC, JavaScript), outside strings. Lines end at LF, CRLF
    and a lone CR, not at U+2028."""
    lines, in_block = [], False
    for line in re.split(r"\r\n|\r|\n", text):
        out, i, quote = [], 0, None
        while i < len(line):
            char = line[i]
            if in_block:
                in_block = not line.startswith("*/", i)
                out.append("  " if not in_block else " ")
                i += 1 if in_block else 2
            elif quote:
                escaped = char == "\\" and quote != "'" and i + 1 < len(line)
                out.append(line[i:i + 2] if escaped else char)
                quote = None if char == quote else quote
                i += 2 if escaped else 1
            elif char in "\"'`":
                quote = char
                out.append(char)
                i += 1
            elif (char == "#") if hash_comments else line.startswith("//", i):
                break
            elif not hash_comments and line.startswith("/*", i):
                in_block = True
                out.append("  ")
                i += 2
            else:
                out.append(char)
                i += 1
        lines.append("".join(out))
    return lines
