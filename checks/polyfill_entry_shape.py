from edgelint.api import Check

FAILS = {
    "unshift": "`unshift` is not a function on a string or a descriptor, so the build throws",
    "push": "`push` is not a function on a string or a descriptor, so the build throws",
    "splice": "`splice` is not a function on a string or a descriptor, so the build throws",
    "concat": "a descriptor is added as an array element and a string entry loses its shape",
    "spread": "spreading a descriptor throws (it is not iterable) and spreading a string splits it into characters",
}


class PolyfillEntryShape(Check):
    """## What it does
    Reports a `config.entry` rewrite that handles entry values only as arrays
    (`entries[name].unshift(polyfill)`, `[polyfill, ...entries[name]]`) in a compilation whose
    entries are not all arrays. An entry value counts as handled as a string when the code tests
    `typeof value === 'string'` (or normalises with `[].concat(value)`), and as a descriptor when
    it reads or writes `value.import` (or tests `'import' in value`); both are looked for in the
    new entry function and in the helpers it calls. Rewrites that only touch the client entries
    (`main.js`, `main-app`), the classic browser-polyfill target whose value is an array
    (REFERENCE.md §6.3), are not reported.

    In the edge compilation a descriptor's `import` must be handled as a string too: read where
    `typeof value.import` is tested, where it is an element of an array (`[].concat(value.import)`,
    `[POLYFILL, value.import]`) or passed to a normalising helper.

    ## Why is this bad?
    Entry values can be a string, an array of strings, or a descriptor object `{ import: … }`
    (REFERENCE.md §6.3, pitfall 4), whose `import` is itself a string or an array (webpack's
    `EntryDescription`). Next.js builds every edge entry (middleware, edge routes and pages) as
    `{ import: 'next-…-loader?…!', layer }` with a string `import` (`getEdgeServerEntry` in
    `next/dist/build/entries.js`, 13.x to 16.x). Code written for arrays throws on the others
    (`unshift is not a function`, a descriptor is not iterable), or — behind `Array.isArray` —
    silently skips those entries, so the polyfill is missing exactly there.

    ## Example
    ```js
    for (const name of Object.keys(entries)) {
      entries[name].unshift(EDGE_POLYFILL)
    }
    ```

    ## Use instead
    ```js
    function withPolyfill(value) {
      if (typeof value === 'string') value = [value]
      if (Array.isArray(value)) return value.includes(EDGE_POLYFILL) ? value : [EDGE_POLYFILL, ...value]
      if (value && 'import' in value) {
        const list = [].concat(value.import)   // a string in the edge compilation
        return list.includes(EDGE_POLYFILL) ? value : { ...value, import: [EDGE_POLYFILL, ...list] }
      }
      return value
    }
    for (const name of Object.keys(entries)) entries[name] = withPolyfill(entries[name])
    ```
    """

    code, name, area = "EDGE504", "polyfill-entry-shape", "polyfill"
    severity = "warning"

    def run(self, ctx):
        from ._polyfill import injection_analysis, location

        analysis = injection_analysis(ctx)
        if analysis is None:
            return
        pf = analysis.pf
        for injection in analysis.injections:
            if not injection.mutations or not (injection.runs_in & {"nodejs", "edge"}):
                continue
            missing = [s for s in ("string", "descriptor") if s not in injection.shapes]
            where = injection.mutations[0].node
            if missing:
                skipped = "array" in injection.shapes
                shapes = {"string": "strings", "descriptor": "`{ import: … }` descriptors"}
                lacking = " and ".join(shapes[s] for s in missing)
                consequence = ("behind `Array.isArray` the other entries are skipped, so they never get the "
                               "polyfill" if skipped else FAILS.get(injection.mutations[0].kind,
                                                                    "the rewrite fails on them"))
                message = f"Entry values are handled only as arrays here, but Next.js also gives {lacking}"
            elif "edge" in injection.runs_in and injection.array_import is not None and \
                    "import-string" not in injection.shapes:
                missing, where = ["import-string"], injection.array_import
                consequence = ("behind `Array.isArray` every edge entry is skipped, so the polyfill never reaches "
                               "the edge build" if injection.skips_edge_entries(pf) else
                               "the rewrite fails on every edge entry")
                message = (f"`{pf.text(where)}` is handled only as an array here, but in the edge compilation "
                           f"Next.js gives descriptors with a string `import` (`{{ import: "
                           f"'next-middleware-loader?…!', layer }}`)")
            else:
                continue
            yield ctx.finding(self, analysis.config_path, pf.span(where),
                              f"{message} (REFERENCE.md §6.3 pitfall 4): {consequence}. Normalise each value: a "
                              f"string becomes `[value]`, a descriptor gets the polyfill in "
                              f"`[].concat(value.import)`.",
                              related=[location(analysis, injection.target, "`config.entry` is replaced here")],
                              missing=missing)
