"""EDGE9xx: what the engine itself reports about the run (files, config, suppressions).

These checks produce nothing in `run`: the engine emits their findings. They are listed so that
`edgelint rules`, `edgelint rule` and SARIF rule metadata describe them like any other rule.
"""

from edgelint.api import Check


class _EngineReported(Check):
    area = "meta"

    def run(self, ctx):
        return ()


class SyntaxErrorNote(_EngineReported):
    """## What it does
    Notes a file that tree-sitter could not parse cleanly, among the files edgelint parses: route
    and config files that may set a runtime (not one whose bytes say it plainly, a line
    `export const runtime = 'edge'` alone), modules reachable from edge code, and files whose
    bytes show they matter to a check (`cdn-cgi/image`, KV calls, limiter calls, …). Like the
    rest of edgelint it does not parse files no check needs, so it is not a syntax checker for the
    whole repository: `tsc --noEmit` or `next build` is.

    ## Why is this bad?
    The file is still linted on the recovered tree, but findings near the error may be missing.
    tree-sitter-typescript also mis-parses some valid code (a bare `&` in JSX text, tagged
    templates with type arguments; REFERENCE.md §8a item 5), so this is a note and never fails a
    run.

    ## Example
    ```tsx
    export default function Page() { return <div>{ </div> }
    ```
    """

    code, name, severity = "EDGE901", "syntax-error", "note"


class InvalidConfigFile(_EngineReported):
    """## What it does
    Reports a project file edgelint needs but cannot read: a `wrangler.toml`/`wrangler.json(c)`,
    `package.json`, `tsconfig.json` or `next.config.*` that does not parse.

    ## Why is this bad?
    The deployment tooling cannot read it either, and every check that depends on it (bindings,
    targets, path aliases) works with less information.

    ## Example
    ```toml
    [[kv_namespaces]]
    binding = "CACHE
    ```
    """

    code, name, severity = "EDGE902", "invalid-config-file", "error"


class SkippedFile(_EngineReported):
    """## What it does
    Notes a file that was not analysed: binary (NUL bytes in its first 8 KiB, either many of them
    or among bytes that are not UTF-8: a NUL character in a string literal is valid code), too
    large (over 1.5 MB, usually minified or generated), unreadable, or gone while linting.

    ## Why is this bad?
    Nothing in it was checked. Exclude generated files with `exclude` in `edgelint.toml`.
    """

    code, name, severity = "EDGE903", "skipped-file", "note"


class UnusedSuppression(_EngineReported):
    """## What it does
    Reports an `edgelint-disable…` comment that suppresses nothing.

    ## Why is this bad?
    Stale suppressions hide future findings on that line and mislead readers.

    ## Example
    ```ts
    // edgelint-disable-next-line EDGE201
    const x = 1
    ```

    ## Use instead
    Remove the comment.
    """

    code, name, severity = "EDGE904", "unused-suppression", "warning"


class UnknownSuppressedRule(_EngineReported):
    """## What it does
    Reports a suppression comment that names a rule edgelint does not know, or whose directive
    is not one of `edgelint-disable-next-line`, `edgelint-disable-line`, `edgelint-disable-file`
    and `edgelint-disable` (e.g. `edgelint-disable-nextline`).

    ## Why is this bad?
    A typo in a code, a name or the directive silently suppresses nothing.

    ## Example
    ```ts
    // edgelint-disable-next-line EDGE1O1
    // edgelint-disable-nextline EDGE101
    ```
    """

    code, name, severity = "EDGE905", "unknown-suppressed-rule", "warning"


class InternalError(_EngineReported):
    """## What it does
    Reports a check that crashed on a file. The other checks and files were still analysed, and
    the exit code (2) says the run was incomplete.

    ## Why is this bad?
    It is a bug in edgelint or a plugin: please report it with the file that triggered it.
    """

    code, name, severity = "EDGE906", "internal-error", "error"
