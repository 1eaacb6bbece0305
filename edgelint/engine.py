"""Running the checks: paths -> workspace -> apps -> checks -> findings -> suppressions.

A check that raises does not stop the run: it becomes an EDGE906 finding naming the check and
the file it was working on, the other checks still run, and the exit code says the run was
incomplete.
"""

from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from edgelint import cache as cache_module
from edgelint import files, parallel, registry, replay, suppressions, watchdog
from edgelint.api import Check, Context, Finding, Location
from edgelint.config import Config, ConfigError
from edgelint.parsing import SOURCE_EXTENSIONS, Span
from edgelint.workspace import Workspace

if TYPE_CHECKING:
    from edgelint import project

META_SEVERITY = {"EDGE901": "note", "EDGE902": "error", "EDGE903": "note"}


@dataclass
class RunResult:
    root: Path
    apps: list[project.App]
    findings: list[Finding]
    checks: list[type[Check]]  # or a `registry.Selection`, loaded when first used (a replayed run)
    workspace: Workspace
    incomplete: bool = False
    suppressed: int = 0
    stats: dict = field(default_factory=dict)
    audit_items: dict = field(default_factory=dict)  # app root -> [Figure | RouteFact]
    focus: set[str] | None = None  # the files a run on named files reported on (None: every file)


class TrackingContext(Context):
    """A Context that remembers the last file a check parsed or summarised, directly or through a
    shared helper (for internal-error reports), and gives the check a fresh time budget for every
    new file (see `edgelint.watchdog`)."""

    current: str = ""
    budget: watchdog.Budget | None = None

    def touch(self, path: str) -> None:
        self.current = path
        if self.budget is not None:
            self.budget.touch(path)


def lint_root(paths: list[Path]) -> tuple[Path, set[str] | None]:
    """The directory findings are relative to, and the focus (files named) if any. Files named are
    linted with the app they belong to: when the current directory (or their common folder) holds
    no app around one of them, the root moves up to its app's repository (`_project_of`), and when
    the current directory is no project itself (a folder above repositories), the root is their
    repository. So is a single folder inside an app (`app/api`), and an app folder of a workspace
    (`apps/web`: the root is the workspace's); any other folder is the root itself."""
    resolved = []
    for path in paths:
        try:
            if not path.exists():
                raise ConfigError(f"path does not exist: {path}")
            resolved.append(path.resolve())
        except (RuntimeError, OSError) as error:  # a symbolic-link loop, an unreadable folder
            raise ConfigError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    if len(paths) == 1 and paths[0].is_dir() and not _inside_an_app(resolved[0]):
        workspace = _workspace_around(resolved[0]) if _looks_like_app(resolved[0]) else None
        if workspace is None:
            return paths[0], None
        # an app of a workspace (`check apps/web`): linted with the workspace, whose packages it imports
        return workspace, {os.path.relpath(resolved[0], workspace).replace(os.sep, "/")}
    cwd = Path.cwd()
    root = cwd
    outside = [p for p in resolved if not _is_under(p, cwd.resolve())]
    if outside:  # the project around them, one for all (never the common folder of unrelated paths)
        projects = [_project_of(p) for p in outside]
        if None in projects:
            stray = outside[projects.index(None)]
            raise ConfigError(f"{stray} is outside the current folder and in no Next.js app: name files and "
                              f"folders of one project")
        root = min(projects, key=lambda p: len(p.parts))
        if any(not _is_under(p, root) for p in outside) or (len(outside) < len(resolved)
                                                            and not _is_under(cwd.resolve(), root)):
            raise ConfigError(f"the paths belong to different projects ({root} and another): lint each in its "
                              f"own run")
    if not outside and not _is_project(cwd.resolve()):  # run from a folder above the project: lint that project
        projects = {_project_of(p) for p in resolved}
        if len(projects) == 1 and None not in projects:
            root = projects.pop()
    for path in resolved:
        if _package_folder(path, root.resolve()) is None:  # not in an app or package under the root
            project = _project_of(path)
            if project is not None and not _is_under(project, root.resolve()):
                root = Path(os.path.commonpath([root.resolve(), project]))
    focus: set[str] = set()
    for path in resolved:
        rel = os.path.relpath(path, root.resolve()).replace(os.sep, "/")
        focus.add("" if rel == "." else rel)
    return root, focus


def app_around(path: Path) -> Path | None:
    """The app folder around a file or a folder inside an app (as named, relative when `path` is),
    else None (a folder that is an app, or holds apps, is linted as it is)."""
    try:
        if not path.exists() or (path.is_dir() and not _inside_an_app(path.resolve())):
            return None
        app = _nearest(path.resolve(), Path(path.resolve().anchor), _looks_like_app)
    except (OSError, RuntimeError):
        return None
    if app is None:
        return None
    rel = os.path.relpath(app, Path.cwd().resolve())
    return Path(rel) if not path.is_absolute() and not rel.startswith("..") else app


def _workspace_around(app: Path) -> Path | None:
    """The workspace root above an app folder (a pnpm-workspace.yaml, or a package.json with
    `workspaces`), not above its repository; None when there is none."""
    for folder in app.parents:
        if (folder / "pnpm-workspace.yaml").is_file():
            return folder
        if b'"workspaces"' in (files.read_head(folder / "package.json", files.MAX_READ_BYTES) or b""):
            return folder
        if (folder / ".git").exists():
            return None
    return None


def _is_project(folder: Path) -> bool:
    """Whether a folder is (in) a project: a repository, a package, or inside an app."""
    return (folder / ".git").exists() or (folder / "package.json").is_file() or \
        _nearest(folder, Path(folder.anchor), _looks_like_app) is not None


def _inside_an_app(folder: Path) -> bool:
    """Whether a folder is part of an app without being a package itself (`app/api` of an app):
    it is then linted as a folder named in its app, like a file."""
    if (folder / "package.json").is_file() or _looks_like_app(folder) or folder.parent == folder:
        return False
    return _nearest(folder.parent, Path(folder.anchor), _looks_like_app) is not None


def _looks_like_app(folder: Path) -> bool:
    """A folder with a next.config.* or a package.json that mentions `next`."""
    if any(folder.glob("next.config.*")):
        return True
    return b'"next"' in (files.read_head(folder / "package.json", files.MAX_READ_BYTES) or b"")


def _nearest(path: Path, root: Path, test) -> Path | None:
    """The nearest folder from `path` up to `root` (inclusive) that passes `test`."""
    folder = path if path.is_dir() else path.parent
    while _is_under(folder, root):
        if test(folder):
            return folder
        if folder == root or folder.parent == folder:
            break
        folder = folder.parent
    return None


def _package_folder(path: Path, root: Path) -> Path | None:
    """The nearest folder up to `root` that is an app or a package (a workspace package is linted
    with the apps that import it)."""
    return _nearest(path, root, lambda folder: (folder / "package.json").is_file() or _looks_like_app(folder))


def _project_of(path: Path) -> Path | None:
    """The repository around the nearest app above `path` (its git work tree, so that workspace
    packages resolve), or that app's folder; None when no folder above looks like an app."""
    app = _nearest(path, Path(path.anchor), _looks_like_app)
    if app is None:
        return None
    import subprocess  # here: only a run on named files asks git this

    try:
        out = subprocess.run([*files.GIT, "-C", str(app), "rev-parse", "--show-toplevel"], capture_output=True,
                             timeout=20)
        top = Path(os.fsdecode(out.stdout.strip())) if out.returncode == 0 and out.stdout.strip() else None
    except (OSError, subprocess.SubprocessError):
        top = None
    return top.resolve() if top is not None and _is_under(app, top.resolve()) else app


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def _in_focus(path: str, focus: set[str] | None) -> bool:
    if focus is None:
        return True
    return any(path == f or not f or path.startswith(f + "/") for f in focus)


def _focus_files(paths: list[str], path_set: set[str], focus: set[str]) -> set[str]:
    """The files named, and the files below the folders named."""
    folders = [f for f in focus if f not in path_set]
    named = focus & path_set
    if not folders:
        return named
    return named | {p for p in paths if _in_focus(p, set(folders))}


def run(paths: list[Path], config: Config, checks: list[type[Check]], *, target: str | None = None,
        use_cache: bool = False, cache_dir: str | None = None, audit: bool = False, progress=None,
        jobs: int = 1) -> RunResult:
    """Lint `paths`. The cache lives in `cache_dir` (default: the config's `cache-dir` inside the
    lint root); a config value may not point outside the lint root. A cache that a symbolic link
    in the repository leads elsewhere, or that the repository commits (results anyone could
    forge), is not used."""
    root, focus = lint_root(paths)
    cache = None
    if use_cache:
        directory = Path(cache_dir) if cache_dir else root / config.cache_dir
        outside = not cache_dir and not _is_under(directory.resolve(), root.resolve())
        if outside and config.path is not None and config.cache_dir != Config.cache_dir:
            raise ConfigError(f"{config.path}: 'cache-dir' must stay inside {root} (use --cache-dir for another place)")
        committed = not cache_dir and files.tracked(root, config.cache_dir)
        cache = cache_module.Cache(directory) if not (outside or committed) else None
        cache = cache if cache is not None and cache.usable else None
    ws = Workspace(root, cache=cache, jobs=jobs, record=cache is not None)
    if config.exclude:
        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines(config.exclude)
        ws.paths = [p for p in ws.paths if (rel := config.relative(root, p)) is None or not spec.match_file(rel)]
    # A whole run is memoised (not a run on named files: pre-commit runs are made because files
    # changed, and their checks' own cached results serve them; not the audit, which needs the model)
    run_key = None if cache is None or audit or focus is not None else _run_key(config, root, target, checks)
    replayed = replay.replay_run(ws, cache, run_key) if run_key is not None else None
    if replayed is not None:  # no file it read has changed
        cache.save()  # what the file index and the walk learned (a folder's new time, say)
        apps, findings, suppressed, count = replayed
        return RunResult(root, apps, findings, checks, ws, False, suppressed, {"files": count, "parsed": 0})
    checks = list(checks)  # a `registry.Selection` loads its checks here
    with ws.recording() if run_key is not None else contextlib.nullcontext() as everything:
        result, extra = _lint(ws, cache, config, checks, root, focus, target, audit, progress, jobs)
    if run_key is not None and not result.incomplete:
        replay.store_run(ws, cache, run_key, result, everything.deps, extra)
    if cache is not None:
        cache.save()
    return result


def _run_key(config: Config, root: Path, target: str | None, checks) -> str:
    """The key of a whole run in the cache: the targets, and the checks with their options (from
    a `registry.Selection` without loading the checks, where it can say)."""
    chosen = checks.key() if isinstance(checks, registry.Selection) else None
    if chosen is not None:
        chosen = ["selected", chosen, config.sections]
    else:
        chosen = [(c.code, repr(config.options_for(c))) for c in checks]
    return cache_module.key("run", target or config.target, config.app_targets_at(root), chosen)


def _lint(ws: Workspace, cache, config: Config, checks: list[type[Check]], root: Path, focus: set[str] | None,
          target: str | None, audit: bool, progress, jobs: int) -> tuple[RunResult, set[str]]:
    """The project model, the checks, the suppressions: a run's result, and the paths outside the
    file list that worker processes read."""
    from edgelint import project  # here: a replayed run builds no project model

    apps = project.find_apps(ws, target or config.target, config.app_targets_at(root))
    if not apps and focus is not None:
        raise ConfigError(f"no Next.js app found for {', '.join(sorted(focus)) or '.'} (looked in {root} and in the "
                          "folders above the files named for a package.json that depends on `next`, or a next.config.*)")
    if not apps and focus is None:
        broken = [f"{p.path}:{p.span.line if p.span else 1}: {p.message}" for p in ws.problems.values()
                  if p.code == "EDGE902"]
        libraries = project.next_libraries(ws)
        why = (f"; {', '.join(libraries[:3])} list{'s' if len(libraries) == 1 else ''} `next` but "
               f"{'has' if len(libraries) == 1 else 'have'} no app/ or pages/ folder (or src/app, src/pages) and no "
               f"`next` script, so edgelint reads {'it' if len(libraries) == 1 else 'them'} as a library" if libraries else "")
        raise ConfigError(f"no Next.js app found in {root} (looked for a package.json that depends on `next`, "
                          "or a next.config.*)" + why + (f"; could not read: {'; '.join(broken)}" if broken else ""))
    focus_files = None if focus is None else _focus_files(ws.paths, ws.path_set, focus)
    owned = {f for app in apps for f in app.files}
    # A named source file of no app (a shared workspace package) is linted with every app: any
    # of them may import it, and its findings come from theirs (an edge route reaching it).
    shared = focus_files is not None and any(f.endswith(SOURCE_EXTENSIONS) and f not in owned for f in focus_files)
    linted = [app for app in apps if focus_files is None or shared or any(f in focus_files for f in app.files)
              or any(_in_focus(p, focus) for p in app.wrangler_names)]
    models = [cache_module.key(app_model(ws, app), target) for app in linted]
    findings, incomplete, audit_items, extra = _check_phase(ws, cache, config, checks, apps, linted, models,
                                                           focus_files, audit, progress, jobs)
    for problem in ws.problems.values():
        findings.append(Finding(problem.code, problem.message, Location(problem.path, problem.span or Span(1, 1, 1, 1)),
                                META_SEVERITY.get(problem.code, "")))
    selected = {c.code for c in checks}
    findings = [f for f in findings if f.code in selected or f.code == "EDGE906"]
    if focus_files is not None:
        findings = [f for f in findings if f.path in focus_files]
    known = {c.code: c for c in registry.all_checks()}
    for finding in findings:
        meta = known.get(finding.code)
        if meta is not None:
            finding.name = finding.name or meta.name
            finding.area = finding.area or meta.area
            finding.severity = finding.severity or meta.severity
        finding.severity = finding.severity or "error"
    findings, suppressed = apply_suppressions(ws, findings, focus_files, selected, known)
    findings = _dedupe(sorted(findings, key=Finding.sort_key))
    # a run on named files or an app folder reports (and audits) the apps it linted, not every app around
    return RunResult(root, linted if focus_files is not None else apps, findings, checks, ws, incomplete, suppressed,
                     {"files": len(ws.paths), "parsed": len(ws.parsed_paths)}, audit_items, focus_files), extra


def _check_phase(ws: Workspace, cache, config: Config, checks: list[type[Check]], apps: list[project.App],
                 linted: list[project.App], models: list[str], focus_files: set[str] | None, audit: bool, progress,
                 jobs: int) -> tuple[list[Finding], bool, dict, set[str]]:
    """Every check on every app: cached results replayed, the rest run (in worker processes
    when there are enough). Returns the findings, whether a check crashed, the audit figures and
    the paths outside the file list that workers read."""
    findings: list[Finding] = []
    incomplete = False
    audit_items: dict[str, list] = {}
    pending: dict[tuple, list[Check]] = {}  # (context, model key, unit) -> checks to run
    runs = 0  # check runs in all, replayed or not
    for number, (app, model) in enumerate(zip(linted, models), 1):
        if progress is not None:
            progress(f"app {number} of {len(linted)}: {app.label}")
        ctx = TrackingContext(ws, app, apps, focus_files)
        for check_type in checks:
            check = check_type(config.options_for(check_type))
            if not check.applies_to(app):
                continue
            runs += 1
            if audit:
                found, failed = run_check(ctx, check, cache, model)
                findings += found
                incomplete |= failed
                if not failed:
                    broken = _audit(ctx, check, audit_items)
                    findings += broken
                    incomplete |= bool(broken)
                continue
            cached = replay.replay_check(ctx, check, cache, model)
            if cached is not None:
                findings += cached
            else:
                pending.setdefault((ctx, model, UNIT_OF_AREA.get(check.area, check.area)), []).append(check)
    # while worker processes run the checks, this process reads the suppression comments of the
    # files they do not search
    meanwhile = functools.partial(_suppression_files, ws, focus_files)
    found, failed, extra = _run_pending(ws, cache, list(pending.items()), jobs, runs, meanwhile)
    return findings + found, incomplete or failed, audit_items, extra


# ------------------------------------------------------------------------------------------------
# One check


def run_check(ctx: TrackingContext, check: Check, cache, model_key: str) -> tuple[list[Finding], bool]:
    """Run one check on one app, or replay its cached findings when none of its inputs changed.

    Returns the findings and whether the check crashed (then an EDGE906 finding says where)."""
    cached = replay.replay_check(ctx, check, cache, model_key)
    return (cached, False) if cached is not None else execute_check(ctx, check, cache, model_key)


def execute_check(ctx: TrackingContext, check: Check, cache, model_key: str) -> tuple[list[Finding], bool]:
    """Run a check (and store its result with what it read). Returns the findings and whether it
    crashed (then an EDGE906 finding says where)."""
    ws = ctx.ws
    ctx.current = ""
    ctx.budget = watchdog.Budget()
    ws.on_file = ctx.touch
    with ws.recording() as recorder:
        try:
            with watchdog.watch(ctx.budget):
                findings = list(check.run(ctx) or ())
        except watchdog.CheckTimeout as stopped:
            where = ctx.current or stopped.path or _app_file(ws, ctx.app)  # the file it last asked for
            on = f"on {where}" if stopped.path or ctx.current else f"on the app {ctx.app.label}"
            return [Finding("EDGE906", f"internal error: check {check.code} ({check.name}) was stopped after "
                                       f"{stopped.seconds:g} s {on} (a pathological input?); its findings "
                                       f"for this app are missing; please report it",
                            Location(where, Span(1, 1, 1, 1)))], True
        except Exception as error:  # contain a failing check, report it, go on
            import traceback

            where = ctx.current or _app_file(ws, ctx.app)
            frame = traceback.extract_tb(error.__traceback__)[-1]
            return [Finding("EDGE906", f"internal error: check {check.code} ({check.name}) failed on {where}: "
                                       f"{type(error).__name__}: {error} (at {Path(frame.filename).name}:"
                                       f"{frame.lineno}); please report it", Location(where, Span(1, 1, 1, 1)))], True
        finally:
            ctx.budget = ws.on_file = None
    if cache is not None:
        cache.store_check(replay.check_keys(ctx, check, cache, model_key)[1], recorder.deps, [f.to_dict() for f in findings],
                          [p.to_dict() for p in recorder.problems], recorder.scopes)
    return findings, False


def _audit(ctx: TrackingContext, check: Check, audit_items: dict) -> list[Finding]:
    """Collect a check's audit figures; an EDGE906 finding if that fails."""
    ws = ctx.ws
    ctx.budget, ws.on_file = watchdog.Budget(), ctx.touch
    try:
        with watchdog.watch(ctx.budget):
            items = list(check.audit(ctx) or ())
        audit_items.setdefault(ctx.app.root, []).extend(items)
        return []
    except (Exception, watchdog.CheckTimeout) as error:  # an audit figure must not take the report down
        return [Finding("EDGE906", f"internal error: audit of {check.code} ({check.name}) failed: "
                                   f"{type(error).__name__}: {error}; please report it",
                        Location(_app_file(ws, ctx.app), Span(1, 1, 1, 1)))]
    finally:
        ctx.budget = ws.on_file = None


#: Areas whose checks run as one unit of work (on one app): they share the edge import graph, the
#: summaries of the files it reaches and the searches through the app's bytes, which separate
#: worker processes would each make again.
UNIT_OF_AREA = {"edge-compat": "edge", "kv": "edge", "polyfill": "edge", "runtime": "edge", "meta": "edge",
                "image": "edge"}
#: The order units of work are handed out in (larger analyses first, so they start early).
UNIT_ORDER = ("ratelimit", "edge")


def _run_pending(ws: Workspace, cache, units: list[tuple[tuple, list[Check]]], jobs: int, runs: int,
                 meanwhile=None) -> tuple[list[Finding], bool, set[str]]:
    """Run the checks no cached result answered: in worker processes when there are enough of
    them (`edgelint.parallel`: most of the run's `runs`, or many), else here, one unit after the
    other. `meanwhile(files)` runs here while the workers run, given the source files they
    search. Returns the findings, whether a check crashed, and the paths outside the file list
    that the workers read."""
    units.sort(key=lambda unit: (-len(unit[0][0].app.files), UNIT_ORDER.index(unit[0][2])
                                 if unit[0][2] in UNIT_ORDER else len(UNIT_ORDER)))
    findings: list[Finding] = []
    incomplete = False
    done: set[int] = set()
    extra: set[str] = set()
    if parallel.worth_it(jobs, len(units), sum(len(checks) for _, checks in units), runs, len(ws.paths)):
        ws.forget_trees()  # the workers need not inherit them, but they do share the bytes:
        if cache is None:  # with a cache, its file index answers their byte searches for unchanged files
            ws.read_ahead(_read_by_several(units, jobs))
        sources = {ctx: _unit_sources(ctx) for (ctx, _model, _kind), _checks in units}  # one context per app
        by_units = {path for paths in sources.values() for path in paths}
        try:
            for index, (found, failed, problems, journal, read, marked) in parallel.run_units(
                    len(units), jobs, lambda i: _work_unit(ws, cache, units[i]),
                    meanwhile and functools.partial(meanwhile, by_units),
                    _groups(units, cache)):
                done.add(index)
                extra.update(read)
                ws.learn_contains(sources[units[index][0][0]], (suppressions.MARKER,), set(marked))
                findings += [Finding.from_dict(f) for f in found]
                incomplete |= failed
                for problem in problems:
                    ws.problem(**problem)
                if cache is not None:
                    cache.apply(journal)
        except Exception:  # noqa: BLE001 - no processes here, or a worker died: the rest run here
            pass
    for index, ((ctx, model, _unit), checks) in enumerate(units):
        if index not in done:
            ws.forget_trees(unless_for=ctx.app.root)
            for check in checks:
                found, failed = execute_check(ctx, check, cache, model)
                findings += found
                incomplete |= failed
    ws.forget_trees()
    return findings, incomplete, extra


def _groups(units: list[tuple[tuple, list[Check]]], cache) -> list[str]:
    """The group of each unit: a worker takes the next unit of the group it just ran, as that
    reuses what it holds in memory. Without a cache, the app (its parsed trees, summaries, resolved
    imports and byte searches serve both of its units); with one, the kind of unit (most results
    come from the cache, and the cache entries and package summaries a worker has decoded serve
    that kind of unit on every app)."""
    return [ctx.app.root if cache is None else kind for (ctx, _model, kind), _checks in units]


def _read_by_several(units: list[tuple[tuple, list[Check]]], jobs: int) -> list[str]:
    """The files more than one worker is likely to search, read before forking so that they are
    read once for all workers: those of the workspace packages apps share, and every app's when
    the apps are fewer than the workers (then units of one app run at once). A worker reads the
    others when it needs them, at the same time as the other workers."""
    apps = list({ctx.app.root: ctx.app for (ctx, _model, _kind), _checks in units}.values())
    if len(apps) < jobs:
        return [path for app in apps for path in (*app.files, *app.package_files)]
    seen: set[str] = set()
    several: dict[str, None] = {}
    for app in apps:
        for path in (*app.files, *app.package_files):
            if path in seen:
                several[path] = None
            else:
                seen.add(path)
    return list(several)


def _work_unit(ws: Workspace, cache, unit: tuple[tuple, list[Check]]):
    """In a worker process: run one unit; return plain data (findings, whether one crashed, new
    problems, the cache writes, the paths outside the file list it read, the files of the unit
    that hold a suppression comment)."""
    (ctx, model, _unit), checks = unit
    ws.jobs = 1  # this process is one of the workers already: no pool of its own
    if cache is not None and cache._journal is None:
        cache.start_journal()
    known = set(ws.problems)
    findings: list[Finding] = []
    incomplete = False
    ws.forget_trees(unless_for=ctx.app.root)
    with ws.recording() as recorder:
        for check in checks:
            found, failed = execute_check(ctx, check, cache, model)
            findings += found
            incomplete |= failed
    read = {p for dep in recorder.deps for p in replay.dep_paths(dep)} - ws.path_set
    # which of the unit's files hold a suppression comment: the bytes are here (the parent would
    # read every file again to find out)
    marked = ws.grep(_unit_sources(ctx), suppressions.MARKER)
    problems = [{"code": p.code, "path": p.path, "message": p.message, "span": p.span}
                for key, p in ws.problems.items() if key not in known]
    return ([f.to_dict() for f in findings], incomplete, problems, cache.take_journal() if cache is not None else [],
            sorted(read), marked)


def _unit_sources(ctx: TrackingContext) -> list[str]:
    """The source files (in focus) a unit of work on the context's app searches (the app's own
    and its packages')."""
    app = ctx.app
    return [path for path in (*app.files, *app.package_files) if path.endswith(SOURCE_EXTENSIONS) and ctx.in_focus(path)]


def _app_file(ws: Workspace, app: project.App) -> str:
    """A file that stands for the app in a finding: its package.json, else its next.config."""
    if not ws.exists(app.rel("package.json")) and app.next_config is not None:
        return app.next_config.path
    return app.rel("package.json")


def app_model(ws: Workspace, app: project.App) -> list:
    """Everything about an app that checks read from the model rather than from files."""
    routes = [(r.path, r.kind, r.url, r.layouts, r.runtime and (r.runtime.value, r.runtime.reason, r.runtime.source,
                                                                 r.runtime.span)) for r in app.routes]
    configs = [(p, ws.digest(p)) for p in (app.rel("package.json"), *app.wrangler_names) if ws.exists(p)]
    if app.next_config is not None:
        configs.append((app.next_config.path, ws.digest(app.next_config.path)))
    dependencies = sorted((name, str(spec)) for name, spec in app.dependencies.items())  # `catalog:` resolved
    return [app.root, app.target, str(app.next_version), app.turbopack, routes, configs, dependencies, len(app.files),
            len(app.package_files)]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, result = set(), []
    for finding in findings:
        key = (finding.code, finding.path, finding.span, finding.message)
        if key not in seen:
            seen.add(key)
            result.append(finding)
    return result


def _suppression_files(ws: Workspace, focus: set[str] | None, skipped: set[str] = frozenset()) -> list[tuple[str, object]]:
    """(path, parsed file) of every source file (in focus, not `skipped`) with a suppression comment."""
    found = []
    for path in ws.paths:
        if path.endswith(SOURCE_EXTENSIONS) and (focus is None or path in focus) and path not in skipped and \
                ws.contains(path, suppressions.MARKER):
            pf = ws.parse(path)
            if pf is not None:
                found.append((path, pf))
    return found


def apply_suppressions(ws: Workspace, findings: list[Finding], focus: set[str] | None, selected: set[str],
                       known: dict) -> tuple[list[Finding], int]:
    """Drop suppressed findings; report unused (EDGE904) and unknown-rule (EDGE905) suppressions."""
    by_path: dict[str, list[suppressions.Suppression]] = {}
    for path, pf in _suppression_files(ws, focus):
        by_path[path] = suppressions.read(pf)
    names = {c.name: c.code for c in known.values()}
    kept, suppressed = [], 0
    for finding in findings:
        hit = None
        for sup in by_path.get(finding.path, ()):
            if sup.matches(finding.code, finding.name, finding.span.line):
                hit = sup
                break
        if hit is None or finding.code in ("EDGE904", "EDGE905", "EDGE906"):
            kept.append(finding)
        else:
            hit.used.add(finding.code)
            suppressed += 1
    for path, sups in by_path.items():
        for sup in sups:
            if sup.kind == "misspelt":
                if "EDGE905" in selected:
                    kept.append(_meta("EDGE905", f"unknown suppression directive `{sup.rules[0]}`: it suppresses "
                                      "nothing; use edgelint-disable-next-line, edgelint-disable-line or "
                                      "edgelint-disable-file", sup, known))
                continue
            unknown = [r for r in sup.rules if r not in known and r not in names]
            if unknown and "EDGE905" in selected:
                kept.append(_meta("EDGE905", f"unknown rule {', '.join(unknown)} in suppression comment", sup, known))
            relevant = [r for r in sup.rules if r in known or r in names]
            codes = {names.get(r, r) for r in relevant}
            if "EDGE904" in selected and not sup.used and (not sup.rules or codes):
                if not sup.rules or codes <= selected:
                    what = ", ".join(sup.rules) if sup.rules else "any rule"
                    kept.append(_meta("EDGE904", f"unused suppression: nothing reported here for {what}", sup, known))
    return kept, suppressed


def _meta(code: str, message: str, sup: suppressions.Suppression, known: dict) -> Finding:
    meta = known.get(code)
    return Finding(code, message, Location(sup.path, sup.span), meta.severity if meta else "warning", name=meta.name if meta else "",
                   area="meta")


def exit_code(result: RunResult, fail_on: str) -> int:
    order = {"note": 0, "warning": 1, "error": 2}
    threshold = order[fail_on]
    if result.incomplete:
        return 2
    return 1 if any(order.get(f.severity, 2) >= threshold for f in result.findings) else 0
