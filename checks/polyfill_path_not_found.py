import posixpath

from edgelint.api import Check


class PolyfillPathNotFound(Check):
    """## What it does
    Reports a module path added to the webpack entries in the next.config `webpack` hook
    (`entries[name].unshift('./lib/edge-polyfills.js')`, `['./polyfills', ...value]`, …) that
    does not resolve to a file of the project. The path is resolved relative to the project root,
    as webpack resolves entries, with extension probing (`.ts`, `.tsx`, `.js`, `.jsx`, `.mjs`,
    `.cjs`, `./x.js` → `x.ts`) and directory `index` files. Paths built with
    `path.resolve(__dirname, …)`, `path.join(process.cwd(), …)`, `require.resolve('./…')` and
    `new URL('./…', import.meta.url)` are read too, and constants are followed to the string
    literal that holds the path; the finding points at that literal. Package names
    (`'core-js/stable'`) are not checked.

    ## Why is this bad?
    The entry function adds the path to what webpack bundles (REFERENCE.md §6.3); a path that
    names no file cannot be resolved, so the build fails, or — when the rewrite is skipped in
    some compilations — the polyfill silently never ships. Renamed or moved polyfill files are
    the usual cause.

    ## Example
    ```js
    const EDGE_POLYFILL = './lib/edge-polyfill.js'   // the file is lib/edge-polyfills.js
    ```

    ## Use instead
    ```js
    const EDGE_POLYFILL = './lib/edge-polyfills.js'
    ```
    """

    code, name, area = "EDGE502", "polyfill-path-not-found", "polyfill"
    severity = "error"

    def run(self, ctx):
        from ._polyfill import injection_analysis, location

        analysis = injection_analysis(ctx)
        if analysis is None:
            return
        seen = set()
        for injection in analysis.injections:
            for mutation in injection.mutations:
                for added in mutation.paths:
                    if added.kind != "missing" or added.node.id in seen:
                        continue
                    seen.add(added.node.id)
                    hint = _similar(ctx, analysis.config_path, added.spec)
                    message = (f"'{added.spec}' is added to the webpack entries but no such file exists (looked "
                               f"for it relative to the project root, with the .ts/.tsx/.js/.jsx/.mjs/.cjs "
                               f"extensions and index files): webpack cannot resolve it, so the build fails "
                               f"instead of prepending the polyfill (REFERENCE.md §6.3)."
                               + (f" Did you mean '{hint}'?" if hint else ""))
                    related = []
                    if mutation.node.id != added.node.id:
                        related.append(location(analysis, mutation.node, "added to the entries here"))
                    yield ctx.finding(self, analysis.config_path, analysis.pf.span(added.node), message,
                                      related=related, polyfill=added.spec)


def _similar(ctx, config_path: str, spec: str) -> str:
    """A project file with the same base name (ignoring the extension), as './dir/file.ext'."""
    root = posixpath.dirname(config_path)
    stem = posixpath.splitext(posixpath.basename(spec))[0].lower()
    if not stem or stem == "index":
        return ""
    candidates = []
    for path in ctx.app.files:
        base = posixpath.splitext(posixpath.basename(path))[0].lower()
        if base == stem or base.rstrip("s") == stem.rstrip("s"):
            candidates.append(path)
    if len(candidates) != 1:
        return ""
    rel = posixpath.relpath(candidates[0], root or ".")
    return rel if rel.startswith("../") else "./" + rel
