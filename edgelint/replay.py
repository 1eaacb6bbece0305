"""Replaying cached results instead of computing them again: one check's findings on one app, or
a whole run's result, each only while everything it read is unchanged (`edgelint.cache` says
what is stored; `edgelint.workspace` records what a check reads).

- A check's entry holds its findings, the problems it noted and its dependencies: file digests
  and facts in groups (a stored path list and one fingerprint of their values), byte-search
  answers, the file list. It is replayed when every dependency has its recorded value.
- A whole run's entry holds the final findings and what reports show of the apps, with a
  fingerprint of the file list and every file's bytes (plus any file outside the list a check
  read): nothing a check could have read has changed, so nothing needs to run, not even the
  project model.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgelint import cache as cache_module
from edgelint import watchdog
from edgelint.api import Check, Finding
from edgelint.workspace import Problem, Workspace


# ------------------------------------------------------------------------------------------------
# One check on one app


def check_keys(ctx, check: Check, cache, model_key: str) -> tuple[str | None, str | None]:
    """The cache keys of a check's whole-project result and of this run's result. A run on named
    files (pre-commit) may reuse a whole-project result (the engine filters it to the focus), but
    stores its own under a key of its own: it may have looked at less."""
    if cache is None:
        return None, None
    full_key = cache_module.key("check", check.code, repr(check.options), model_key)
    return full_key, full_key if ctx.focus is None else cache_module.key(full_key, sorted(ctx.focus))


def replay_check(ctx, check: Check, cache, model_key: str) -> list[Finding] | None:
    """The cached findings of a check whose recorded inputs are all unchanged, else None."""
    if cache is None:
        return None
    ws = ctx.ws
    for candidate in dict.fromkeys(check_keys(ctx, check, cache, model_key)):
        try:  # validating an entry runs its recorded byte searches: bounded like a check
            with watchdog.watch(watchdog.Budget()):
                cached = cached_result(ws, cache, cache.check_entry(candidate))
        except watchdog.CheckTimeout:
            cached = None
        if cached is not None:
            findings, groups, deps, problems = cached
            if ws.recording_active:  # inside a shared analysis or a memoised run: they need the inputs too
                for kind, values in groups:
                    deps.update(((*kind, rel), value) for rel, value in values)
            scopes = {dep[1]: ws._scopes.get(dep[1]) or cache.path_list(dep[1]) for dep in deps if dep[0] == "grep"}
            ws.replay(deps, problems, scopes)
            return findings
    return None


def cached_result(ws: Workspace, cache, entry: dict | None):
    """(findings, dependency groups, other dependencies, problems) of a cache entry whose
    dependencies still have their recorded values, else None. A malformed entry is a miss: the
    cache is input too. A group is (kind, [(path, value)]), expanded only when someone records."""
    if entry is None:
        return None
    try:
        groups = []
        for kind, list_id, group_fingerprint in entry["groups"]:
            values, now = group_now(ws, cache, kind, list_id)
            if now != group_fingerprint:
                return None
            groups.append((tuple(kind), values))
        deps = {tuple(dep): value for dep, value in entry["deps"]}
        if not all(ws.current(dep, cache.path_list) == value for dep, value in deps.items()):
            return None
        problems = [Problem.from_dict(p) for p in entry["problems"]]
        findings = [Finding.from_dict(f) for f in entry["findings"]]
        if not well_formed(findings, problems):
            return None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, UnicodeError):
        return None
    return findings, groups, deps, problems


def group_now(ws: Workspace, cache, kind: list, list_id: str) -> tuple[list, str | None]:
    """The current values of a group of dependencies (one kind, a stored path list) and their
    fingerprint; memoised for the run, as many entries share a group."""
    memo = ws.memo.setdefault("groups", {})
    key = (tuple(kind), list_id)
    if key not in memo:
        paths = cache.path_list(list_id)
        if paths is None or not kind or kind[0] not in cache_module.GROUPED:
            memo[key] = [], None
        else:
            now = ws.digests(paths) if kind[0] == "digest" else [ws._fact(kind[1], rel) for rel in paths]
            memo[key] = list(zip(paths, now)), cache_module.fingerprint(now)
    return memo[key]


# ------------------------------------------------------------------------------------------------
# A whole run


def dep_paths(dep: tuple) -> tuple:
    """The paths a recorded dependency names."""
    kind = dep[0]
    if kind in ("digest", "contains"):
        return dep[1:2]
    if kind == "fact":
        return dep[2:3]
    return ()


def run_files(ws: Workspace, extra) -> list[str]:
    """The files a whole run depends on: the file list, then the files outside it the run read."""
    return ws._paths + sorted(set(extra) - ws.path_set)


def tree_fingerprint(ws: Workspace, paths: list[str]) -> str:
    """The file list and the bytes of every file."""
    return cache_module.fingerprint(ws.digests(paths), label=cache_module.list_digest(paths))


@dataclass(frozen=True)
class AppInfo:
    """What the reports show of an app, kept with a memoised run (which builds no project model)."""

    label: str
    target: str
    target_reason: str
    next_version: str | None


def replay_run(ws: Workspace, cache, key: str) -> tuple[list[AppInfo], list[Finding], int, int] | None:
    """(apps, findings, suppressed, files) of an earlier whole run with the same checks, options
    and targets, when no file it read has changed since: neither the file list nor any file's bytes."""
    entry = cache.run_entry(key)
    if entry is None:
        return None
    try:
        paths = run_files(ws, [str(p) for p in entry["extra"]])
        stats = ws.stat_fingerprint(paths)
        if stats is None or stats != entry.get("stats"):  # the same stats say the same bytes; else the bytes must
            if tree_fingerprint(ws, paths) != entry["fingerprint"]:
                return None
            if stats is not None:  # files touched since, or changed just before the run that stored it
                cache.store_run(key, {**entry, "stats": stats})
        findings = [Finding.from_dict(f) for f in entry["findings"]]
        apps = [AppInfo(*(str(v) if v is not None else None for v in app)) for app in entry["apps"]]
        if not well_formed(findings, []) or any(a.label is None or a.target is None for a in apps):
            return None
        return apps, findings, int(entry["suppressed"]), int(entry["files"])
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, UnicodeError):
        return None


def store_run(ws: Workspace, cache, key: str, result, everything: dict, extra: set[str]) -> None:
    """Keep a whole run's result for `replay_run`, with every file it read: the listed ones, and
    those outside the list found in its recorded dependencies (`everything`) or by workers (`extra`)."""
    extra = extra | ({p for dep in everything for p in dep_paths(dep)} - ws.path_set)
    paths = run_files(ws, extra)
    cache.store_run(key, {
        "fingerprint": tree_fingerprint(ws, paths), "stats": ws.stat_fingerprint(paths), "extra": sorted(extra),
        "apps": [[a.label, a.target, a.target_reason, str(a.next_version) if a.next_version else None]
                 for a in result.apps],
        "findings": [f.to_dict() for f in result.findings], "suppressed": result.suppressed,
        "files": result.stats["files"]})


def well_formed(findings: list[Finding], problems: list[Problem]) -> bool:
    """Whether findings and problems read from the cache have the types reports rely on."""
    for item in [*problems, *findings]:
        spans = [item.span] if isinstance(item, Problem) else \
            [loc.span for loc in (item.location, *item.related, *item.flow)]
        if not all(span is None or all(type(v) is int for v in span) for span in spans) or \
                not all(isinstance(v, str) for v in (item.code, item.path, item.message)):
            return False
    return True
