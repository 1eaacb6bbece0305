from edgelint.api import Check


class WebpackPolyfillUnderTurbopack(Check):
    """## What it does
    Reports a polyfill injected through the next.config `webpack` hook (`config.entry`) when the
    project builds with Turbopack: Next.js 16+ without `--webpack` in the `build` script, or an
    explicit `--turbopack` / `--turbo` flag. When the Next.js version is unknown, the newest
    behaviour (Turbopack by default) is assumed, and the message says so.

    * **error** when `next build` fails: Next 16+ with a `webpack()` hook, no `turbopack` key in
      the config and no explicit Turbopack flag;
    * **warning** otherwise: the build succeeds, the hook is never called, and the polyfill is
      silently left out.

    ## Why is this bad?
    Turbopack is the default for `next build` from 16.0.0. A 16.0.0 build with a `webpack()` hook
    and no `turbopack` key fails ("ERROR: This build is using Turbopack, with a `webpack` config
    and no `turbopack` config."); with `turbopack: {}` (or an explicit `--turbopack` flag) it
    succeeds and the hook is never called, so the polyfill injected through it is silently
    skipped (REFERENCE.md §6.3 item 7, verified by build).

    ## Example
    ```json
    { "dependencies": { "next": "16.0.0" }, "scripts": { "build": "next build" } }
    ```

    ## Use instead
    ```json
    { "scripts": { "build": "next build --webpack" } }
    ```
    or drop the webpack polyfill and import it from the edge code that needs it.
    """

    code, name, area = "EDGE508", "webpack-polyfill-under-turbopack", "polyfill"
    severity = "warning"

    def run(self, ctx):
        from ._polyfill import bundler, injection_analysis, location

        analysis = injection_analysis(ctx)
        if analysis is None:
            return
        state = bundler(ctx)
        if not state.turbopack:
            return
        version = str(ctx.app.next_version) if ctx.app.next_version else "unknown"
        why = ("the Next.js version is unknown, so the newest behaviour is assumed: Turbopack is the default "
               "for `next build` from 16.0.0" if state.assumed else
               f"`next build` uses Turbopack (Next.js {version}, build script `{state.build_script or 'none'}`)")
        for injection in analysis.injections:
            if not injection.mutations:
                continue
            added = injection.mutations[0].paths[0]
            related = [location(analysis, added.node, "the injected polyfill")]
            if injection.hook is not None:
                related.append(location(analysis, injection.hook.where, "the webpack hook"))
            if state.build_fails:
                message = (f"The polyfill '{added.spec}' is injected through the `webpack` hook, but {why}, and with "
                           f"a `webpack` config and no `turbopack` key `next build` fails (\"This build is using "
                           f"Turbopack, with a `webpack` config and no `turbopack` config\", REFERENCE.md §6.3 item "
                           f"7). Build with `next build --webpack`, or move the polyfill out of the webpack hook.")
                severity = "warning" if state.assumed else "error"
            else:
                message = (f"The polyfill '{added.spec}' is injected through the `webpack` hook, but {why}, which "
                           f"never calls the hook: the polyfill is silently left out of the build (REFERENCE.md "
                           f"§6.3 item 7). Build with `next build --webpack`, or import the polyfill from the edge "
                           f"code that needs it.")
                severity = "warning"
            yield ctx.finding(self, analysis.config_path, analysis.pf.span(injection.target), message,
                              severity=severity, related=related, bundler="turbopack",
                              build_fails=state.build_fails, assumed=state.assumed)
