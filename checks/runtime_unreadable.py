import re

from edgelint.api import Check

from ._runtime import SEGMENT_KINDS


class UnreadableRuntime(Check):
    """## What it does
    Reports a `runtime` export that Next.js cannot read statically: an identifier, a template
    literal with `${}`, a function call, `export { runtime }`, `export let`, and — depending on the
    Next.js version — template literals, `satisfies` and `as const` (REFERENCE.md §1.3).

    ## Why is this bad?
    Next.js reads segment config from the syntax tree without running the module. A value it
    cannot read silently falls back to the Node.js runtime on 14.x (an outage under
    next-on-pages, which then fails to build the route) and fails `next build` from 15.0 ("Next.js
    can't recognize the exported `config` field"), except two forms that fall back to Node.js
    there too: `export let` (skipped by webpack builds from 15.0) and `export { runtime }` (a
    warning; a build error under Turbopack 16). Only a plain string literal in
    `export const runtime = '…'` behaves the same on every version and bundler.

    An error, except when the build still succeeds and falling back to Node.js is what is wanted
    — under OpenNext, which needs it, or where the value written is plainly `'nodejs'` (the
    literal of `export let`, a `const` of the file, the export of the module it comes from) —
    then a warning. The advice keeps the value written: `'nodejs'` stays `'nodejs'`, except under
    next-on-pages, which needs `'edge'`.

    ## Example
    ```ts
    const RUNTIME = 'edge'
    export const runtime = RUNTIME
    ```

    ## Use instead
    ```ts
    export const runtime = 'edge'
    ```
    """

    code, name, area = "EDGE102", "unreadable-runtime", "runtime"

    def run(self, ctx):
        from edgelint.project import read_runtime

        for route in ctx.routes(*SEGMENT_KINDS):
            summary = ctx.summary_with(route.path, "runtime")
            export = summary.exports.get("runtime") if summary else None
            if export is None:
                continue
            value, readable = read_runtime(export, ctx.app)
            if readable:
                continue
            consequence = _consequence(export, ctx.app)
            if ctx.target == "next-on-pages" and consequence.endswith("Node.js runtime"):
                consequence += ", and next-on-pages then rejects the route"
            node = ctx.target == "opennext" or (ctx.target != "next-on-pages" and
                                                 _written_value(ctx, route.path, export, summary) == "nodejs")
            if ctx.target == "opennext":
                advice = "Remove it: OpenNext runs routes on Node.js"
            elif node:
                advice = ("Write a plain string literal, `export const runtime = 'nodejs'`, or remove it: Node.js "
                          "is the default")
            else:
                advice = "Write a plain string literal: `export const runtime = 'edge'`"
            # where a fallback to Node.js is what the target needs or the code means, only a failing build is an error
            severity = "warning" if node and "fails" not in consequence else ""
            yield ctx.finding(self, route.path, export.value_span or export.span,
                              f"Next.js cannot read this `runtime` statically ({_describe(export)}): {consequence}. "
                              f"{advice}", severity=severity)


def _written_value(ctx, path: str, export, summary) -> str | None:
    """The string the code means, where it is plain to see: the literal of `export let`, a
    `const` of the same file named by the export, or the literal export of the module it is
    imported or re-exported from."""
    if isinstance(export.value, str):
        return export.value
    name = export.local if export.kind in ("local", "reexport") else None
    if export.form == "identifier" and isinstance(export.value, dict):  # the summary's {'unknown': 'identifier X'}
        name = str(export.value.get("unknown", "")).removeprefix("identifier ")
    if not name:
        return None
    if export.kind == "reexport":
        source = export.source
    else:  # imported under that name, else a `const` of the file
        source, name = next(((imp.source, imported) for imp in summary.imports for imported, local in imp.names
                             if local == name), (None, name))
    if source is None:
        found = re.search(rb"\bconst\s+" + re.escape(name.encode()) + rb"\s*(?::[^=;]+)?=\s*(['\"])(\w+)\1",
                          ctx.ws.read(path) or b"")
        return found.group(2).decode() if found else None
    from edgelint.graph import shared_resolver

    resolved = shared_resolver(ctx).resolve(path, source)
    other = ctx.summary(resolved.target) if resolved.is_file else None
    value = other.exports.get(name) if other is not None else None
    return value.value if value is not None and isinstance(value.value, str) else None


def _consequence(export, app) -> str:
    """What Next.js does with an unreadable `runtime` export (REFERENCE.md §1.3)."""
    if export.kind == "let":  # only webpack builds from 15.0 get here: the reader skips `export let`
        return "Next.js silently uses the Node.js runtime"
    if export.kind in ("local", "reexport"):
        if app.turbopack and app.version_at_least(16):
            return "`next build` fails under Turbopack (\"It mustn't be reexported\")"
        return "Next.js warns that it cannot read it and uses the Node.js runtime"
    if app.version_at_least(15):
        return "`next build` fails on Next.js 15+"
    if export.form == "identifier":
        return ("Next.js 14 takes the identifier's name as the value and fails the build "
                "(\"Provided runtime … is not supported\")")
    return "Next.js silently uses the Node.js runtime"


def _describe(export) -> str:
    if export.kind == "local":
        return "it is exported with `export { runtime }`"
    if export.kind == "reexport":
        return f"it is re-exported from '{export.source}'"
    if export.kind == "let":
        return "`export let` is ignored from Next.js 15"
    form = export.form
    return {"identifier": "an identifier is not a literal", "template": "a template literal",
            "template-expr": "a template literal with ${}", "as-const": "`as const`", "as": "a type assertion",
            "satisfies": "`satisfies`", "parenthesized": "a parenthesised value", "call": "a function call"}.get(
        form, f"a {form.removeprefix('other:').replace('_', ' ')}")
