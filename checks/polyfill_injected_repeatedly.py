from edgelint.api import Check


class PolyfillInjectedRepeatedly(Check):
    """## What it does
    Reports a `config.entry` rewrite that adds a polyfill path to entry values without first
    checking that it is not already there: no `includes`/`indexOf`/`some`/`find` test with the
    path (or a helper parameter), no `new Set(...)` and no `.filter((item) => item !== path)`
    that removes an earlier copy, in the new entry function or the helpers it calls.

    ## Why is this bad?
    The entry function is called repeatedly (for example on dev rebuilds), so a path that is
    prepended unconditionally is prepended once more each time (REFERENCE.md §6.3, pitfall 3; the
    well-known pattern checks `includes` first, step 3).

    ## Example
    ```js
    entries[name].unshift(EDGE_POLYFILL)
    ```

    ## Use instead
    ```js
    if (!entries[name].includes(EDGE_POLYFILL)) entries[name].unshift(EDGE_POLYFILL)
    ```
    """

    code, name, area = "EDGE509", "polyfill-injected-repeatedly", "polyfill"
    severity = "warning"

    def run(self, ctx):
        from ._polyfill import injection_analysis, location, quoted

        analysis = injection_analysis(ctx)
        if analysis is None:
            return
        for injection in analysis.injections:
            if not injection.mutations or injection.dedupe or injection.replaced_with:
                continue
            mutation = injection.mutations[0]
            added = mutation.paths[0]
            verb = "appended" if mutation.kind == "push" else "prepended"
            yield ctx.finding(self, analysis.config_path, analysis.pf.span(mutation.node),
                              f"{quoted(added)} is added to the entry without checking whether it is already "
                              f"there: the entry function is called repeatedly (for example on dev rebuilds), "
                              f"so it is {verb} once more each time (REFERENCE.md "
                              f"§6.3 pitfall 3). "
                              + (f"Test `includes({added.via})` first." if added.via else
                                 "Test `includes()` with the same path first."),
                              related=[location(analysis, injection.target, "`config.entry` is replaced here")])
