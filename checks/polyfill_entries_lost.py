from edgelint.api import Check

WHY_LOST = "webpack gets no entries and the build loses every page, route and middleware entry"


class PolyfillEntriesLost(Check):
    """## What it does
    Reports a `config.entry` rewrite in the next.config `webpack` hook that loses the entries
    Next.js created:

    * the original entry function is called but not awaited (`const entries = originalEntry()`
      without `await` or `.then`): the code mutates a Promise;
    * the new entry function (or the `.then` callback it chains) does not return the entries;
    * the new entry function never calls the captured original (`const originalEntry =
      config.entry`), or captures nothing at all;
    * it calls `config.entry()` itself: by then `config.entry` is the new function, so it calls
      itself without end;
    * `config.entry` is replaced by an object, array or string instead of a function;
    * the hook that does this does not return `config`.

    Object and function configs, plugin wrappers (`withX({...})`), `module.exports` and
    `export default`, and helper functions called from the hook are followed.

    ## Why is this bad?
    `config.entry` is an async function that resolves to the object of entries (REFERENCE.md
    §6.3); the safe pattern saves it, awaits it inside the replacement and returns what it
    resolved to. The `webpack` hook must return the config (REFERENCE.md §6.2, §6.3 pitfall 1). Each mistake
    above makes the build lose its entries (or fail), usually with an error far from the cause.

    ## Example
    ```js
    webpack(config, { nextRuntime }) {
      if (nextRuntime === 'edge') {
        const originalEntry = config.entry
        config.entry = async () => {
          const entries = originalEntry()        // not awaited
          entries.middleware.unshift('./lib/edge-polyfills.js')
        }                                        // returns nothing
      }
      return config
    }
    ```

    ## Use instead
    ```js
    config.entry = async () => {
      const entries = await originalEntry()
      // … prepend the polyfill …
      return entries
    }
    ```
    """

    code, name, area = "EDGE501", "polyfill-entries-lost", "polyfill"
    severity = "error"

    def run(self, ctx):
        from ._polyfill import injection_analysis, location, returns_value

        analysis = injection_analysis(ctx)
        if analysis is None:
            return
        pf = analysis.pf
        for injection in analysis.injections:
            for node, message in self._problems(pf, injection):
                related = [] if node.id == injection.target.id else \
                    [location(analysis, injection.target, "`config.entry` is replaced here")]
                yield ctx.finding(self, analysis.config_path, pf.span(node), message, related=related)
        reported = set()
        for injection in analysis.injections:
            hook = injection.hook
            if hook is None or hook.node.id in reported or returns_value(hook.node):
                continue
            reported.add(hook.node.id)
            yield ctx.finding(self, analysis.config_path, pf.span(hook.where),
                              f"The `webpack` hook rewrites `config.entry` but does not return `config`: it must "
                              f"return the (modified) config (REFERENCE.md §6.2, §6.3 pitfall 1), or Next.js has "
                              f"no webpack config to build with. Add `return {hook.config_name or 'config'}` at its "
                              f"end.")

    def _problems(self, pf, injection):
        from ._polyfill import _within, returns_value, settlement, then_callback

        target = injection.target
        entry = pf.text(target)
        if injection.replaced_with:
            yield target, (f"`{entry}` is replaced by {injection.replaced_with}: Next.js' own entry function is "
                           f"gone, so {WHY_LOST}. Keep the original and extend what it resolves to "
                           f"(`const originalEntry = {entry}; {entry} = async () => {{ const entries = await "
                           f"originalEntry(); …; return entries }}`, REFERENCE.md §6.3).")
            return
        fn = injection.function
        if fn is None:
            return
        for call in injection.self_calls:
            yield call, (f"The new entry function calls `{pf.text(call)}`, but by the time it runs `{entry}` is the "
                         f"new function itself: it calls itself without end and the build never gets its "
                         f"entries. Save the original first (`const originalEntry = {entry}`) and call that "
                         f"(REFERENCE.md §6.3).")
        if injection.self_calls:
            return
        if not injection.original_calls and not injection.original_refs:
            what = f"never calls the original entry function `{injection.original}`" if injection.original \
                else "does not use the original entry function"
            yield target, (f"The new `{entry}` {what}: the entries Next.js created are dropped and {WHY_LOST}. "
                           f"Save it (`const originalEntry = {entry}`), `await originalEntry()` inside the new "
                           f"function and return what it resolves to (REFERENCE.md §6.3).")
            return
        settled_ok = True
        for call in injection.original_calls:
            if not _within(call, fn):
                continue
            how = settlement(pf, call, fn)
            if how is None and not _awaited_later(pf, call, fn):
                settled_ok = False
                yield call, (f"`{pf.text(call)}` is not awaited: the original entry function is async "
                             f"(REFERENCE.md §6.3), so this is a Promise, not the entries object, and the code "
                             f"after it mutates the Promise; the entries never get the polyfill, or the build "
                             f"fails. Write `await {pf.text(call)}` in an async function (or chain `.then`).")
            elif how == "then":
                callback = then_callback(pf, call)
                if callback is not None and not returns_value(callback):
                    yield callback, (f"The `.then` callback on `{pf.text(call)}` does not return the entries: the "
                                     f"promise resolves to undefined and {WHY_LOST}. Return the entries object "
                                     f"from the callback.")
        if settled_ok and not returns_value(fn):
            yield target, (f"The new `{entry}` function does not return the entries: its promise resolves to "
                           f"undefined and {WHY_LOST}. End it with `return entries` (REFERENCE.md §6.3 step 4).")


def _awaited_later(pf, call, fn) -> bool:
    """`const p = originalEntry(); … await p` (or `p.then(…)`)."""
    from ._polyfill import _named

    declarator = call.parent
    while declarator is not None and declarator.type in ("parenthesized_expression", "as_expression"):
        declarator = declarator.parent
    if declarator is None or declarator.type != "variable_declarator":
        return False
    name = declarator.child_by_field_name("name")
    if name is None or name.type != "identifier":
        return False
    wanted = pf.text(name)
    for node in pf.walk(fn):
        if node.type == "await_expression":
            inner = _named(node)
            if inner and pf.text(inner[0]) == wanted:
                return True
        if node.type == "member_expression":
            obj = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            if obj is not None and prop is not None and pf.text(obj) == wanted and pf.text(prop) == "then":
                return True
    return False
