from edgelint.api import Check, Figure


class EdgePolyfillNotGuarded(Check):
    """## What it does
    Reports an *edge* polyfill injected through `config.entry` in compilations other than the edge
    one:

    * without a `nextRuntime === 'edge'` guard, so it is prepended to the client (browser) and
      Node.js server entries too;
    * guarded by `isServer` alone, which is true for the Node.js server compilation as well;
    * guarded (or keyed) so that it never reaches the edge compilation at all (`!isServer`,
      `nextRuntime === 'nodejs'`, only the client entry `main.js`), although it is named for the
      edge.

    A polyfill is an edge polyfill when the project names it so (`edge` in its path or in the
    constant that holds it) or when it provides Node globals (`globalThis.Buffer = …`,
    `process.nextTick = …`) or loads Node built-ins. Guards are read from enclosing `if`s,
    ternaries, `&&`, early returns (`if (nextRuntime !== 'edge') return config`), destructured or
    renamed parameters (`{ nextRuntime: runtime }`), `options.nextRuntime` and local aliases
    (`const isEdge = nextRuntime === 'edge'`). A browser polyfill prepended to the client entries
    (`main.js`, `main-app`) is a different, legitimate pattern and is not reported.

    ## Why is this bad?
    The `webpack` hook runs three times per build: client, Node.js server and edge server;
    `isServer` is true for both server compilations and only `nextRuntime` is `'edge'` for the
    edge one (REFERENCE.md §6.2; §6.3 pitfall 2). An unguarded edge polyfill ships to every
    browser and overrides Node's own globals on the server; one that never reaches the edge
    compilation leaves edge code without what it was written for.

    ## Example
    ```js
    webpack(config, { isServer }) {
      if (isServer) {   // also the Node.js server compilation
        …prepend './lib/edge-polyfills.js'…
      }
      return config
    }
    ```

    ## Use instead
    ```js
    webpack(config, { nextRuntime }) {
      if (nextRuntime === 'edge') {
        …prepend './lib/edge-polyfills.js'…
      }
      return config
    }
    ```
    """

    code, name, area = "EDGE503", "edge-polyfill-not-guarded", "polyfill"
    severity = "warning"

    def run(self, ctx):
        from ._polyfill import WORLD_LABELS, describe_guard, edge_polyfills, injection_analysis, location, quoted

        analysis = injection_analysis(ctx)
        if analysis is None:
            return
        pf = analysis.pf
        for injection in analysis.injections:
            if injection.compilations is None or not injection.mutations:
                continue
            found = edge_polyfills(analysis, injection)
            if not found:
                continue
            # the first edge polyfill added where it should not be, or (named for the edge) not on the
            # edge; each path has its own conditions (a `main.js` browser polyfill next to it is fine)
            problem = next(((a, r) for a, r in found if _misplaced(injection.runs_in_for(a), r)), None)
            if problem is None:
                continue
            added, reason = problem
            what = f"The edge polyfill {quoted(added, reason)}"
            runs = injection.runs_in_for(added)
            related = [location(analysis, added.node, "the polyfill path")]
            if "edge" not in runs:
                node, why = self._excluding(pf, injection)
                yield ctx.finding(self, analysis.config_path, pf.span(node),
                                  f"{what} never reaches the edge compilation: {why}. Edge code does not get it "
                                  f"(REFERENCE.md §6.2: only `nextRuntime === 'edge'` selects the edge server "
                                  f"compilation; client entry names such as 'main.js' exist only in the browser "
                                  f"build). Guard with `nextRuntime === 'edge'` and prepend it to every entry of "
                                  f"that compilation.", related=related, compilations=sorted(runs))
                continue
            extra = sorted(runs - {"edge"}, key=["client", "nodejs"].index)
            if not extra:
                continue
            others = " and ".join(WORLD_LABELS[w] for w in extra)
            guard = next((g for g in injection.guards if "isServer" in pf.text(g.condition)), None)
            if extra == ["nodejs"] and guard is not None:
                yield ctx.finding(self, analysis.config_path, pf.span(guard.condition),
                                  f"{what} is injected under {describe_guard(pf, guard)}, which is true for the "
                                  f"Node.js server compilation as well as the edge one (REFERENCE.md §6.2): the "
                                  f"Node.js server bundles get it too (§6.3 pitfall 2). Guard with `nextRuntime "
                                  f"=== 'edge'` instead.",
                                  related=related + [location(analysis, injection.target,
                                                              "`config.entry` is replaced here")],
                                  compilations=sorted(runs))
                continue
            guarded = ", ".join(describe_guard(pf, g) for g in injection.guards)
            why = f"the guard {guarded} does not exclude them" if guarded else "nothing here restricts it"
            yield ctx.finding(self, analysis.config_path, pf.span(injection.target),
                              f"{what} is injected into {others} compilation{'s' if len(extra) > 1 else ''} too: "
                              f"the `webpack` hook runs once per compilation (REFERENCE.md §6.2) and "
                              f"{why} (§6.3 pitfall 2). Wrap the rewrite in `if (nextRuntime === 'edge')`.",
                              related=related, compilations=sorted(runs))

    def _excluding(self, pf, injection):
        """The guard (or entry key) that keeps the injection out of the edge compilation."""
        from ._polyfill import describe_guard

        for guard in injection.guards:
            if guard.holds(pf, "edge") is False:
                return guard.case or guard.condition, f"{describe_guard(pf, guard)} is false there"
        keys = sorted(injection.keys or ())
        node = injection.mutations[0].node if injection.mutations else injection.target
        return node, f"it is prepended only to the client entr{'y' if len(keys) == 1 else 'ies'} " + \
            ", ".join(f"'{k}'" for k in keys)

    def audit(self, ctx):
        """Whether the polyfill injected through `config.entry` really reaches the edge build."""
        from ._polyfill import bundler, edge_polyfills, injection_analysis

        analysis = injection_analysis(ctx)
        if analysis is None:
            return
        # what is meant for the edge: it can reach it, or it is an edge polyfill (a browser polyfill
        # on the client entry `main.js` is another, legitimate pattern)
        injections = [i for i in analysis.injections if i.mutations and (i.reaches_edge or edge_polyfills(analysis, i))]
        if not injections:
            return
        turbopack = bundler(ctx).turbopack
        built = [i for i in injections if i.reaches_edge and not turbopack and not i.skips_edge_entries(analysis.pf)
                 and all(p.kind != "missing" for p in i.paths)]
        detail = "Turbopack build: the webpack hook is not called" if turbopack else \
            ", ".join(sorted({p.spec for i in injections for p in i.paths}))
        yield Figure("polyfill", "entry polyfill injections that reach the edge build", len(built), len(injections),
                     detail=detail)
        edge = [i for i in injections if edge_polyfills(analysis, i) and i.compilations is not None]
        if edge:
            only = [i for i in edge if i.runs_in == frozenset({"edge"})]
            yield Figure("polyfill", "edge polyfills injected into the edge compilation only", len(only), len(edge))


def _misplaced(runs: frozenset, reason: str) -> bool:
    """Whether an edge polyfill added in these compilations is a problem: it reaches others as
    well as the edge, or it is named for the edge and misses it."""
    return bool(runs - {"edge"}) if "edge" in runs else reason == "named for the edge"
