"""The `edgelint` command line.

Exit codes: 0 nothing at or above the failing level, 1 findings, 2 usage, configuration or
internal error (the message names the file and key; never a traceback).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

from edgelint import __version__

TARGET_CHOICES = ("next-on-pages", "opennext", "vercel", "node", "static")


def _fail(message: str) -> None:
    click.echo(f"edgelint: error: {message}", err=True)
    sys.exit(2)


def _use_color(output: str | None) -> bool:
    if os.environ.get("NO_COLOR") or output:
        return False
    return sys.stdout.isatty()


def _load_config(config_file: str | None, paths: list[Path]):
    from edgelint import config as config_module, registry

    try:
        start = paths[0].resolve() if paths else Path.cwd()
    except (RuntimeError, OSError) as error:  # a symbolic-link loop
        raise config_module.ConfigError(f"cannot read {paths[0]}: {getattr(error, 'strerror', None) or error}") \
            from None
    location = Path(config_file) if config_file else config_module.find_config(start)
    option_types: dict[str, list[type]] = {}
    for check in registry.all_checks() if location is not None else ():  # the checks' options, for a config file
        if check.Options is not None:
            option_types.setdefault(check.area, []).append(check.Options)
    return config_module.load(location, TARGET_CHOICES, option_types)


def _check_config_rules(config) -> None:
    """Unknown rules in the config file are errors that name the file and the key."""
    from edgelint import registry
    from edgelint.config import ConfigError

    for key, refs in (("select", config.select or []), ("ignore", config.ignore),
                      ("extend-select", config.extend_select)):
        for ref in refs:
            if not registry.find(ref):
                raise ConfigError(f"{config.path}: '{key}': unknown rule '{ref}' (see `edgelint rules`)")


def _emit(report: str, output: str | None) -> None:
    """Write the report to `output`, or to standard output."""
    if output:
        try:
            Path(output).write_text(report, "utf-8")
        except OSError as error:
            _fail(f"cannot write {output}: {error.strerror or error}")
    else:
        click.echo(report, nl=False)


def _refs(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class _Group(click.Group):
    """Turns an unexpected exception into a one-line message and exit code 2 (never a traceback)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("edgelint: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # the reader went away (`edgelint rules | head`): nothing more to say
            sys.exit(1)
        except Exception as error:  # noqa: BLE001 - last line of defence
            if os.environ.get("EDGELINT_DEBUG"):
                raise
            click.echo(f"edgelint: internal error: {type(error).__name__}: {error} "
                       "(set EDGELINT_DEBUG=1 for the traceback; please report it)", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="edgelint")
def main() -> None:
    """Lint Next.js apps for edge runtimes: Cloudflare Pages (next-on-pages), OpenNext on
    Workers and Vercel Edge."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file.")
@click.option("--select", multiple=True, help="Rules to run: codes, prefixes (EDGE1), names or areas.")
@click.option("--ignore", multiple=True, help="Rules not to run.")
@click.option("--extend-select", multiple=True, help="Rules to add to the selection.")
@click.option("--target", type=click.Choice(TARGET_CHOICES), help="Deployment target (default: detected per app).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file (default: edgelint.toml found walking up).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option("--statistics", is_flag=True, help="Show the number of findings per rule.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only.")
@click.option("--category", help="SARIF automationDetails category (for several uploads per commit).")
@click.option("--fix", is_flag=True, help="Apply the safe fixes, then report what remains.")
@click.option("--diff", is_flag=True, help="Print the safe fixes as a unified diff; change nothing.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False), help="Record every current finding in a baseline file.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for runs with many checks to run on a large tree (default: the number of CPUs; 1: everything in this process).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory (default: .edgelint_cache in the linted directory).")
def check(paths, fmt, output, select, ignore, extend_select, target, config_file, exit_zero, statistics, quiet,
          category, fix, diff, baseline_file, write_baseline_file, jobs, no_cache, cache_dir) -> None:
    """Lint PATHS (directories or files; default: the current directory).

    Given files (as pre-commit passes them), only those files are reported on, with their whole
    project as context.
    """
    from edgelint import engine, registry
    from edgelint.config import ConfigError
    from edgelint.reporters import render

    paths = list(paths) or [Path(".")]
    try:
        config = _load_config(config_file, paths)
        _check_config_rules(config)
        if select and not _refs(select):
            raise ConfigError("--select names no rule (give codes, prefixes, names or areas, or ALL)")
        checks = registry.Selection([(config.select, config.extend_select, config.ignore),
                                     (_refs(select) or None, _refs(extend_select), _refs(ignore))])

        def lint():
            return engine.run(paths, config, checks, target=target, use_cache=not no_cache, cache_dir=cache_dir,
                              jobs=jobs or os.cpu_count() or 1)

        result = lint()
        _warn_unread(result)
        if diff or fix:
            result = _apply_fixes(result, lint, write=fix and not diff)  # --diff changes nothing, with --fix too
            if diff:
                sys.exit(1 if result.fixed else 0)
        if write_baseline_file:
            _write_baseline(result, Path(write_baseline_file))
            return
        if baseline_file:
            _apply_baseline(result, Path(baseline_file))
    except ConfigError as error:
        _fail(str(error))
        return
    if fmt == "sarif":  # its rule descriptions (a replayed run loaded no check)
        result.all_checks = registry.all_checks()
    options = {"color": _use_color(output), "statistics": statistics, "quiet": quiet,
               "shown": _from_cwd(result.root)} if fmt == "text" else {}
    if fmt == "sarif":
        options["category"] = category
    report = render(fmt, result, **options)
    _emit(report, output)
    code = engine.exit_code(result, config.fail_on)
    sys.exit(0 if exit_zero and code == 1 else code)


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file.")
@click.option("--target", type=click.Choice(TARGET_CHOICES),
              help="Audit for this target; on an app detected as another target this is the migration report.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--strict", is_flag=True, help="Exit 1 when any area fails.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory (default: .edgelint_cache in the linted directory).")
def audit(path, fmt, output, target, config_file, strict, no_cache, cache_dir) -> None:
    """The readiness report of the Next.js app(s) in PATH (default: .; a file or folder inside
    an app: that whole app): per route and per area, with coverage figures and the findings
    behind every gap."""
    from edgelint import audit as audit_module, engine, registry
    from edgelint.config import ConfigError
    from edgelint.reporters import audit_report

    paths = [path or Path(".")]
    whole = engine.app_around(paths[0])
    if whole is not None:  # a file or a folder inside an app: its figures are the whole app's
        click.echo(f"edgelint: the audit covers whole apps: auditing the app in {whole}", err=True)
        paths = [whole]
    progress = None
    if sys.stderr.isatty() and not output:
        def progress(message: str) -> None:
            click.echo(f"\redgelint: analysing {message}\x1b[K", err=True, nl=False)
    try:
        config = _load_config(config_file, paths)
        _check_config_rules(config)
        checks = registry.select(config.select, config.ignore, config.extend_select)
        result = engine.run(paths, config, checks, target=target, use_cache=not no_cache, cache_dir=cache_dir,
                            audit=True, progress=progress, jobs=os.cpu_count() or 1)
    except ConfigError as error:
        _fail(str(error))
        return
    if progress is not None:
        click.echo("\r\x1b[K", err=True, nl=False)
    _warn_unread(result)
    audits = audit_module.build(result)
    if fmt == "json":
        report = audit_report.render_json(audits)
    elif fmt == "markdown":
        report = audit_report.render_markdown(audits)
    else:
        report = audit_report.render_text(audits, color=_use_color(output))
    _emit(report, output)
    if result.incomplete:
        sys.exit(2)
    sys.exit(1 if strict and any(not a.passed for x in audits for a in x.areas) else 0)


def _warn_unread(result) -> None:
    """Say which folders could not be listed: a clean report must not claim code it never read."""
    for folder, reason in getattr(result.workspace, "unreadable", ()):
        click.echo(f"edgelint: cannot read the folder {folder} ({reason}): nothing in it is linted", err=True)


def _line_text(result):
    def line_text(path: str, line: int) -> str | None:
        text = result.workspace.text(path) if path in result.workspace.path_set else None
        lines = re.split(r"\r\n|\r|\n", text) if text else []
        return lines[line - 1] if 1 <= line <= len(lines) else None

    return line_text


def _from_cwd(root: Path):
    """A path relative to `root` as seen from the current folder (what a terminal can open)."""
    base, cwd = root.resolve(), Path.cwd().resolve()
    if base == cwd:
        return lambda path: path
    return lambda path: os.path.relpath(base / path, cwd).replace(os.sep, "/")


def _apply_fixes(result, lint, *, write: bool):
    """--diff prints the fixes; --fix writes them and lints again to report what remains."""
    from edgelint import fixes

    def shown(path: str) -> str:  # diff paths from the current folder, as `git apply` and `patch -p1` read them
        rel = _from_cwd(result.root)(path)
        return path if rel.startswith("../") else rel

    outcome = fixes.plan(result.root, result.findings, shown)
    for path, reason in sorted(outcome.skipped.items()):
        click.echo(f"edgelint: not fixing {path}: {reason}", err=True)
    if not write:
        for path in sorted(outcome.diffs):
            click.echo(outcome.diffs[path], nl=False)
        count = len(outcome.fixed)
        click.echo(f"{count} fix{'es' if count != 1 else ''} available in {len(outcome.diffs)} file"
                   f"{'s' if len(outcome.diffs) != 1 else ''} (apply with --fix)", err=True)
        result.fixed = outcome.fixed
        return result
    failed = fixes.write(result.root, outcome)
    for path, reason in sorted(failed.items()):
        click.echo(f"edgelint: cannot write the fixes of {path}: {reason}", err=True)
    count = sum(1 for f in outcome.fixed if not any(fix.path in failed for fix in f.fixes))
    written = len(outcome.new_sources) - len(failed)
    fresh = lint()
    click.echo(f"Fixed {count} problem{'s' if count != 1 else ''} in {written} file"
               f"{'s' if written != 1 else ''}; {len(fresh.findings)} remain.", err=True)
    fresh.fixed = outcome.fixed
    return fresh


def _baseline_scope(result, path: Path):
    """The run's scope, with paths from the baseline file's folder (the same finding has the same
    entry whether the run is on the repository, on an app's folder or from inside it)."""
    from edgelint import baseline

    prefix = Path(os.path.relpath(result.root.resolve(), path.resolve().parent)).as_posix()
    return baseline.Scope({c.code for c in result.checks} | {"EDGE906"}, result.focus,
                          "" if prefix == "." else prefix + "/")


def _write_baseline(result, path: Path) -> None:
    from edgelint import baseline

    scope = _baseline_scope(result, path)
    entries = baseline.fingerprints(result.findings, _line_text(result), scope.prefix)
    previous = baseline.read(path) if path.exists() else []
    try:
        baseline.write(path, baseline.merged(entries, previous, scope))
    except OSError as error:
        _fail(f"cannot write {path}: {error.strerror or error}")
    kept = len(previous) - sum(1 for e in previous if e in scope)
    click.echo(f"Wrote {len(result.findings)} finding{'s' if len(result.findings) != 1 else ''} to the baseline {path}"
               + (f" (and kept {kept} entr{'ies' if kept != 1 else 'y'} of files or rules this run did not check)"
                  if kept else ""), err=True)


def _apply_baseline(result, path: Path) -> None:
    from edgelint import baseline

    result.findings, stale = baseline.apply(result.findings, baseline.read(path), _line_text(result),
                                            _baseline_scope(result, path))
    result.stale_baseline = stale
    if stale:
        click.echo(f"edgelint: {len(stale)} baseline entr{'ies' if len(stale) != 1 else 'y'} in {path} no longer "
                   f"occur{'s' if len(stale) == 1 else ''} (refresh it with --write-baseline): "
                   + ", ".join(f"{e.code} {e.path}" for e in stale[:10]) + (" …" if len(stale) > 10 else ""), err=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(fmt) -> None:
    """List every rule: code, name, area, targets, severity, status."""
    import json

    from edgelint import registry

    checks = registry.all_checks()
    if fmt == "json":
        click.echo(json.dumps([{"code": c.code, "name": c.name, "area": c.area, "severity": c.severity,
                                "status": c.status, "fixable": c.fixable,
                                "targets": sorted(c.targets) if c.targets else "all",
                                "summary": c.summary_line()} for c in checks], indent=2))
        return
    rows = [(c.code, c.name, c.area, ",".join(sorted(c.targets)) if c.targets else "all", c.severity,
             c.status + (" (fix)" if c.fixable else "")) for c in checks]
    header = ("CODE", "NAME", "AREA", "TARGET", "SEVERITY", "STATUS")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())


@main.command()
@click.argument("rule")
def rule(rule) -> None:
    """Show the documentation of a rule (by code or name)."""
    from edgelint import registry

    found = [c for c in registry.all_checks() if c.code == rule.upper() or c.name == rule]
    if not found:
        _fail(f"unknown rule '{rule}' (see `edgelint rules`)")
    check = found[0]
    targets = ", ".join(sorted(check.targets)) if check.targets else "all targets"
    click.echo(f"# {check.code} {check.name}\n")
    click.echo(f"Area: {check.area} · Severity: {check.severity} · Status: {check.status} · Targets: {targets}"
               f" · Fix: {'yes' if check.fixable else 'no'}\n")
    docs, sources, listed = check.docs().partition("\n\n## Sources\n")
    click.echo(docs)
    if check.Options is not None:
        import dataclasses

        click.echo(f"\n## Options ([{check.area}] in edgelint.toml)")
        for f in dataclasses.fields(check.Options):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            click.echo(f"- `{f.name.replace('_', '-')}` (default {default!r})")
    if sources:
        click.echo(f"\n## Sources\n{listed}")


def _explain_root(file: Path) -> Path:
    """The project to read for FILE: walking up to the git work tree (or the file system root),
    the nearest workspace root (pnpm-workspace.yaml, or a package.json with `workspaces`), else the
    nearest Next.js app folder, else the git work tree, else FILE's folder."""
    import json

    folder = file.resolve().parent
    app_folder = None
    for candidate in [folder, *folder.parents]:
        if (candidate / "pnpm-workspace.yaml").is_file():
            return candidate
        manifest = candidate / "package.json"
        data = {}
        if manifest.is_file():
            try:
                data = json.loads(manifest.read_text("utf-8-sig"))
            except (OSError, ValueError, RecursionError):
                data = {}
            data = data if isinstance(data, dict) else {}
            if data.get("workspaces"):
                return candidate
        deps = {**(data.get("dependencies") or {}), **(data.get("devDependencies") or {})} \
            if isinstance(data.get("dependencies") or {}, dict) and isinstance(data.get("devDependencies") or {}, dict) \
            else {}
        if app_folder is None and ("next" in deps or any(candidate.glob("next.config.*"))):
            app_folder = candidate
        if (candidate / ".git").exists():
            return app_folder or candidate
    return app_folder or folder


@main.command("explain-runtime")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--root", type=click.Path(file_okay=False, path_type=Path),
              help="Project root (default: the git work tree, workspace or app folder that holds FILE).")
@click.option("--target", type=click.Choice(TARGET_CHOICES), help="Deployment target (default: detected per app).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def explain_runtime(file, root, target, fmt) -> None:
    """Explain why FILE is edge code: the edge entries that reach it and the shortest import chain.

    When FILE is not edge code, say why (for example: no edge route imports it).
    """
    import json

    from edgelint import graph, project
    from edgelint.config import ConfigError
    from edgelint.workspace import Workspace

    if file.is_dir():
        _fail(f"{file} is a directory: explain-runtime explains one source file (a route, a component, a helper)")
    if not file.is_file():
        _fail(f"no such file: {file}")
    root = (root or _explain_root(file)).resolve()
    try:
        rel = file.resolve().relative_to(root).as_posix()
    except ValueError:
        _fail(f"{file} is not inside {root}")
        return
    try:
        config = _load_config(None, [root])
        ws = Workspace(root)
        apps = project.find_apps(ws, target or config.target, config.app_targets_at(root))
    except ConfigError as error:
        _fail(str(error))
        return
    if not apps:
        _fail(f"no Next.js app found in {root}")
    if rel not in ws.path_set:
        click.echo(f"{rel} is not linted (ignored by git or in a build/dependency folder), so it is not edge code "
                   "as far as edgelint knows.")
        return
    found = graph.explain(ws, apps, rel)
    app = found.app
    if fmt == "json":
        def route(r):
            return {"path": r.path, "url": r.url, "kind": r.kind,
                    "runtime": r.runtime.value if r.runtime else None,
                    "runtime_reason": r.runtime.describe() if r.runtime else None}

        click.echo(json.dumps({
            "file": rel, "edge": found.edge, "app": app.label if app else None, "target": app.target if app else None,
            "entries": [route(r) for r in found.entries], "entry_count": len(found.entries),
            "chain": [{"path": s.path, "line": s.line, "how": s.how, "specifier": s.specifier} for s in found.chain],
            "reason": found.reason, "node_entries": [route(r) for r in found.node_entries], "notes": found.notes,
        }, indent=2))
        return
    where = f" (app {app.label}, target {app.target})" if app else ""
    if found.edge:
        count = len(found.entries)
        click.echo(f"{rel} is edge code{where}.")
        click.echo(f"Reached from {count} edge entr{'y' if count == 1 else 'ies'}:")
    else:
        click.echo(f"{rel} is not edge code{where}: {found.reason}.")
        if found.node_entries:
            count = len(found.node_entries)
            click.echo(f"Reached from {count} Node.js entr{'y' if count == 1 else 'ies'}:")
    for r in found.entries or found.node_entries:
        runtime = r.runtime.describe() if r.runtime else "unknown"
        click.echo(f"  {r.path}  {r.kind} {r.url}  (runtime {runtime})")
    if found.chain and (found.edge or found.node_entries):
        click.echo("Shortest chain:")
        for step in found.chain:
            if step.how == "renders":
                click.echo(f"  {step.path}  renders {step.specifier} (rendered with the page, not imported)")
            elif step.specifier:
                click.echo(f"  {step.path}:{step.line}  imports '{step.specifier}'")
            else:
                click.echo(f"  {step.path}")
    for note in found.notes:
        click.echo(f"Note: {note}.")
    if root != Path.cwd().resolve():
        click.echo(f"(paths are relative to {root})")


def run() -> None:
    """The `edgelint` program (console script and `python -m edgelint`): `main`, then a quick exit.

    Two costs of a short-lived process are left out (tests call `main` in-process instead):
    - The cyclic garbage collector is off. edgelint's data (summaries, cache entries decoded
      from JSON, findings) holds next to no reference cycles: the benchmark's peak memory is the
      same without it, while its passes over those containers took 10% of a pre-commit run.
    - Freeing every object at interpreter exit takes 25–40 ms after a large run, and nothing
      needs it: the report is written, the cache files were renamed into place, no worker
      process is left. So the output streams are flushed and the process ends with `os._exit`.
    """
    import gc

    gc.disable()
    try:
        main()
        code = 0
    except SystemExit as stop:  # click always ends with one
        code = stop.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what `sys.exit("message")` would do
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        code = code or 2
    os._exit(code or 0)
