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

    ## Why is this bad?
    Entry values can be a string, an array of strings, or a descriptor object `{ import: [...] }`
    (REFERENCE.md §6.3, pitfall 4). Code written for arrays throws on the other two
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
      if (value && Array.isArray(value.import)) {
        return value.import.includes(EDGE_POLYFILL) ? value : { ...value, import: [EDGE_POLYFILL, ...value.import] }
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
            if not missing:
                continue
            mutation = injection.mutations[0]
            skipped = "array" in injection.shapes
            shapes = {"string": "strings", "descriptor": "`{ import: [...] }` descriptors"}
            lacking = " and ".join(shapes[s] for s in missing)
            consequence = ("behind `Array.isArray` the other entries are skipped, so they never get the polyfill"
                           if skipped else FAILS.get(mutation.kind, "the rewrite fails on them"))
            yield ctx.finding(self, analysis.config_path, pf.span(mutation.node),
                              f"Entry values are handled only as arrays here, but Next.js also gives {lacking} "
                              f"(REFERENCE.md §6.3 pitfall 4): {consequence}. Normalise each value: a string "
                              f"becomes `[value]`, a descriptor gets the polyfill in `value.import`.",
                              related=[location(analysis, injection.target, "`config.entry` is replaced here")],
                              missing=missing)
