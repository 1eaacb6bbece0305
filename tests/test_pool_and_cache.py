"""The same findings with and without the cache and the process pool (issue: speed)."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from conftest import FIXTURES
from edgelint import engine, parallel, registry, workspace
from edgelint.api import Check
from edgelint.parsing import Span

APPS = sorted(p for p in (FIXTURES / "apps").iterdir() if p.is_dir())


def _report(cli, app, *args):
    result = cli("check", app, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def _record_runs(monkeypatch) -> list[str]:
    """The codes of the checks that run from now on (not replayed from the cache)."""
    ran: list[str] = []
    execute = engine.execute_check
    monkeypatch.setattr(engine, "execute_check", lambda *a: ran.append(a[1].code) or execute(*a))
    return ran


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_pool_and_cache_give_identical_reports(cli, app, tmp_path, monkeypatch):
    copy = tmp_path / app.name
    shutil.copytree(app, copy)
    serial = _report(cli, copy, "--no-cache", "--jobs", "1")
    monkeypatch.setattr(workspace, "POOL_THRESHOLD", 1)  # force the pool and the workers on these small apps
    monkeypatch.setattr(parallel, "MIN_CHECK_RUNS", 1)
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    pooled = _report(cli, copy, "--no-cache", "--jobs", "2")
    cold = _report(cli, copy, "--cache-dir", str(tmp_path / "cache"), "--jobs", "2")
    warm = _report(cli, copy, "--cache-dir", str(tmp_path / "cache"), "--jobs", "1")
    assert pooled == serial
    assert cold == serial
    assert warm == serial


def test_cache_sees_an_edit(cli, tmp_path):
    copy = tmp_path / "app"
    shutil.copytree(FIXTURES / "apps" / "pages-shop", copy)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    before = _report(cli, copy, *cache, "--select", "EDGE101")
    assert "account/orders/page.tsx" in before
    page = copy / "app" / "account" / "orders" / "page.tsx"
    page.write_text("export const runtime = 'edge';\n" + page.read_text("utf-8"), "utf-8")
    after = _report(cli, copy, *cache, "--select", "EDGE101")
    assert "account/orders/page.tsx" not in after


@pytest.mark.parametrize("files", [
    {},  # the range in package.json
    {"pnpm-workspace.yaml": "catalog:\n  '@cloudflare/next-on-pages': 1.10.1\n"},  # a `catalog:` range
], ids=["package-json", "pnpm-catalog"])
def test_cache_sees_a_dependency_version_edit(cli, tmp_path, files):
    """Rules that read a dependency's version from the app model (EDGE303 for next-on-pages
    before 1.11) run again when package.json or the pnpm catalog changes it."""
    copy = tmp_path / "app"
    shutil.copytree(FIXTURES / "rules" / "EDGE303" / "process-env-next-on-pages", copy)
    for name, text in files.items():
        (copy / name).write_text(text)
    package = json.loads((copy / "package.json").read_text())
    if files:
        package["devDependencies"]["@cloudflare/next-on-pages"] = "catalog:"
        (copy / "package.json").write_text(json.dumps(package))
    cache = ["--cache-dir", str(tmp_path / "cache"), "--select", "EDGE303"]
    assert "process.env" in _report(cli, copy, *cache)
    if files:
        (copy / "pnpm-workspace.yaml").write_text("catalog:\n  '@cloudflare/next-on-pages': ^1.11.0\n")
    else:
        package["devDependencies"]["@cloudflare/next-on-pages"] = "^1.11.0"
        (copy / "package.json").write_text(json.dumps(package))
    assert "process.env" not in _report(cli, copy, *cache)


def test_kv_calls_through_a_factory_module_follow_its_edits(cli, tmp_path, monkeypatch):
    """`sessions().put(…)` in a route, with `sessions` from lib/kv.ts: a run on the route alone
    (as pre-commit runs it, from the root) takes the factory from the cache, and editing the
    factory runs the route's KV rules again."""
    copy = tmp_path / "app"
    shutil.copytree(FIXTURES / "rules" / "EDGE305" / "kv-from-a-factory-module", copy)
    monkeypatch.chdir(copy)
    cache = ["--cache-dir", str(tmp_path / "cache"), "--select", "EDGE305"]

    def lines(path="."):
        result = cli("check", path, "--format", "json", *cache)
        assert result.exit_code in (0, 1), result.output
        return sorted(f["line"] for f in json.loads(result.stdout)["findings"])

    route = "app/api/sessions/route.ts"
    assert lines() == [8, 11] and lines(route) == [8, 11]
    kv = copy / "lib" / "kv.ts"
    kv.write_text(kv.read_text().replace("getCloudflareContext().env.SESSIONS;", "new Map<string, string>();"))
    assert lines(route) == [11] and lines() == [11]


@pytest.mark.skipif(not parallel.available(), reason="no fork here: checks never run in worker processes")
def test_worker_processes_fill_the_cache_as_a_serial_run_does(cli, tmp_path, monkeypatch):
    copy = tmp_path / "app"
    shutil.copytree(FIXTURES / "apps" / "pages-shop", copy)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    serial = _report(cli, copy, "--no-cache", "--jobs", "1")
    monkeypatch.setattr(parallel, "MIN_CHECK_RUNS", 1)
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    forked = []
    run_units = parallel.run_units
    monkeypatch.setattr(parallel, "run_units", lambda *a, **k: forked.append(a[0]) or run_units(*a, **k))
    filled = _report(cli, copy, *cache, "--jobs", "2")
    assert forked and forked[0] > 1  # the checks did run in worker processes

    ran, computed = [], []
    monkeypatch.setattr(engine, "execute_check", lambda ctx, check, *a: ran.append(check.code) or ([], False))
    warm = _report(cli, copy, *cache, "--jobs", "1")
    assert ran == []  # every result came from what the workers stored
    assert warm == filled == serial

    # a run on named files validates the results with every file's facts: the workers stored
    # them all (two workers adding different facts of one file must not lose either)
    from edgelint import facts

    compute, derive = facts.compute, facts.derive
    monkeypatch.setattr(facts, "compute", lambda name, path, data: computed.append(path) or compute(name, path, data))
    monkeypatch.setattr(facts, "derive", lambda name, summary: computed.append(summary.path) or derive(name, summary))
    monkeypatch.chdir(copy)
    _report(cli, "lib/pricing.ts", *cache, "--jobs", "1")
    assert ran == [] and computed == []



@pytest.mark.skipif(not parallel.available(), reason="no fork here: checks never run in worker processes")
def test_units_of_a_worker_that_dies_run_in_the_parent(cli, tmp_path, monkeypatch):
    copy = tmp_path / "app"
    shutil.copytree(FIXTURES / "apps" / "pages-shop", copy)
    serial = _report(cli, copy, "--no-cache", "--jobs", "1")
    monkeypatch.setattr(parallel, "MIN_CHECK_RUNS", 1)
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    work = engine._work_unit

    def dies_in_a_worker(ws, cache, unit):
        if parallel.in_worker() and unit[0][2] == "edge":
            os._exit(9)  # killed, as by the out-of-memory killer
        return work(ws, cache, unit)

    monkeypatch.setattr(engine, "_work_unit", dies_in_a_worker)
    ran = _record_runs(monkeypatch)
    assert _report(cli, copy, "--no-cache", "--jobs", "2") == serial
    assert any(code.startswith(("EDGE2", "EDGE4")) for code in ran)  # the edge and image checks ran here after all


class ReadsAnUnlistedFile(Check):
    """A check that reads a file the file list leaves out (it is git-ignored): generated code."""

    code, name, area = "EDGE992", "reads-generated", "meta"

    def run(self, ctx):
        data = ctx.ws.read("gen/data.ts")
        if data is not None and b"bad" in data:
            yield ctx.finding(self, "app/page.tsx", Span(1, 1, 1, 2), "the generated data is bad")


def test_a_whole_run_is_replayed_only_while_nothing_it_read_changed(cli, make_app, tmp_path, monkeypatch):
    """The run memo covers every listed file and the files outside the list that checks read."""
    app = make_app({".gitignore": "gen/\n", "gen/data.ts": "export const data = 'bad';\n"})
    checks = tuple(sorted([*registry.all_checks(), ReadsAnUnlistedFile], key=lambda c: c.code))
    monkeypatch.setattr(registry, "all_checks", lambda: checks)
    cache = ["--cache-dir", str(tmp_path / "cache"), "--select", "EDGE992"]
    first = _report(cli, app, *cache)
    assert "generated data is bad" in first
    ran = _record_runs(monkeypatch)
    assert _report(cli, app, *cache) == first and ran == []  # replayed
    (app / "gen" / "data.ts").write_text("export const data = 'good';\n", "utf-8")
    assert "generated data is bad" not in _report(cli, app, *cache) and ran == ["EDGE992"]


@pytest.mark.parametrize("app", APPS, ids=lambda p: p.name)
def test_a_run_on_named_files_reports_what_the_whole_run_reports_there(cli, app, tmp_path, monkeypatch):
    """Pre-commit runs name files; whatever shortcuts checks take for them (cached facts of the
    other files, analyses limited to the named files), the findings in those files are the whole
    run's, message for message. Each file with findings is named alone, then all at once with a
    few files without findings, with and without a warm cache."""
    copy = tmp_path / app.name
    shutil.copytree(app, copy)
    monkeypatch.chdir(copy)
    whole = json.loads(_report(cli, ".", "--no-cache"))["findings"]
    with_findings = sorted({f["path"] for f in whole})
    sources = sorted(str(p.relative_to(copy)) for p in copy.rglob("*") if p.suffix in (".ts", ".tsx", ".js", ".mjs"))
    quiet = [p for p in sources if p not in with_findings][:5]
    cache = ["--cache-dir", str(tmp_path / "cache")]
    _report(cli, ".", *cache)  # fill the cache with a whole run
    groups = [[path] for path in with_findings] + [with_findings + quiet]
    for named in groups:
        expected = [f for f in whole if f["path"] in named]
        for options in (["--no-cache"], cache):
            found = json.loads(_report(cli, *named, *options))["findings"]
            assert found == expected, (named, options)


@pytest.mark.parametrize("code, reported", [("EDGE601", "rate limited"), ("EDGE201", "lib/currency-rates.ts")])
def test_an_edit_that_keeps_a_files_imports_keeps_the_results_built_on_imports(cli, tmp_path, monkeypatch, code,
                                                                                reported):
    """The rate-limit analysis (EDGE601) reads every file's import specifiers and the edge import
    graph (EDGE201) every reached file's imports: facts, not the bytes. Editing a function body in
    lib/pricing.ts (on the chain to the `fs` import EDGE201 reports) replays the result; adding an
    import runs the check again."""
    copy = tmp_path / "app"
    shutil.copytree(FIXTURES / "apps" / "pages-shop", copy)
    cache = ["--cache-dir", str(tmp_path / "cache"), "--select", code]
    before = _report(cli, copy, *cache)
    assert reported in before
    ran = _record_runs(monkeypatch)
    pricing = copy / "lib" / "pricing.ts"
    pricing.write_text(pricing.read_text("utf-8").replace("Math.round(", "Math.floor("), "utf-8")
    assert _report(cli, copy, *cache) == before and ran == []
    pricing.write_text(pricing.read_text("utf-8") + "import './session';\n", "utf-8")
    assert _report(cli, copy, *cache) == before and ran == [code]


def test_problems_of_files_the_edge_graph_reaches_survive_the_cache(cli, tmp_path):
    """A syntax error (EDGE901) and a binary file (EDGE903) reached only through imports are
    reported the same by a cold run, a cache fill, a replay and a run after edits elsewhere."""
    from conftest import write_tree

    app = write_tree(tmp_path / "app", {
        "package.json": '{"dependencies": {"next": "14.2.0", "@cloudflare/next-on-pages": "1"}}',
        "app/api/x/route.ts": "import { helper } from '../../../lib/broken';\nimport '../../../lib/blob';\n"
                              "export const runtime = 'edge';\n"
                              "export async function GET() { return new Response(helper()) }\n",
        "lib/broken.ts": "import fs from 'fs';\nexport function helper() { return fs.readFileSync('x') +++ ; }\n",
        "lib/blob.ts": b"binary\0data",
    })
    cache = ["--cache-dir", str(tmp_path / "cache")]

    def codes(*args):
        return sorted((f["code"], f["path"]) for f in json.loads(_report(cli, app, *args))["findings"])

    expected = codes("--no-cache")
    assert {("EDGE901", "lib/broken.ts"), ("EDGE903", "lib/blob.ts"), ("EDGE201", "lib/broken.ts")} <= set(expected)
    assert codes(*cache) == expected and codes(*cache) == expected
    (app / "app" / "api" / "x" / "route.ts").write_text(
        (app / "app" / "api" / "x" / "route.ts").read_text() + "// edited\n")
    assert codes(*cache) == expected


def test_a_fresh_checkout_replays_from_a_restored_cache(cli, tmp_path, monkeypatch):
    """CI: every run checks out the repository anew (new files, new times, another folder) and
    restores the cache; results are replayed for files whose bytes are unchanged."""
    cache = ["--cache-dir", str(tmp_path / "cache")]
    first = tmp_path / "run1" / "repo"
    shutil.copytree(FIXTURES / "apps" / "pages-shop", first)
    before = _report(cli, first, *cache)
    second = tmp_path / "run2" / "repo"
    shutil.copytree(FIXTURES / "apps" / "pages-shop", second)
    ran = _record_runs(monkeypatch)
    assert _report(cli, second, *cache) == before and ran == []


def test_cached_facts_of_the_wrong_shape_are_computed_again(cli, tmp_path, monkeypatch):
    """A corrupt or planted cache may hold facts that are JSON but not what the checks expect."""
    import json as json_module

    copy = tmp_path / "app"
    shutil.copytree(FIXTURES / "apps" / "pages-shop", copy)
    cache = tmp_path / "cache"
    expected = _report(cli, copy, "--no-cache")
    assert _report(cli, copy, "--cache-dir", str(cache)) == expected
    shards = list(cache.rglob("f-*.json"))
    assert shards
    for shard in shards:
        facts = json_module.loads(shard.read_text())
        shard.write_text(json_module.dumps({digest: {"import-specifiers": [1, {"x": 2}], "kv-usage": {"methods": 5},
                                                     "imports": {"imports": [{"source": 5}], "error": None}}
                                            for digest in facts}))
    for results in cache.rglob("c-*.json"):
        results.unlink()  # no result to replay (nor the whole run): every check runs, reading the planted facts
    monkeypatch.setattr(parallel, "MIN_FILES", 10**9)
    assert _report(cli, copy, "--cache-dir", str(cache), "--jobs", "1") == expected
    assert _report(cli, copy, "--cache-dir", str(cache), "--jobs", "1") == expected


def test_a_check_records_the_same_inputs_in_a_whole_run_as_alone(monkeypatch, tmp_path):
    """Checks share analyses and memoised answers (resolutions, summaries, facts). A check that
    gets one computed for another check must still record what is behind it, or its cached result
    would outlive an edit to those files: each check's recorded inputs in a run of every check
    include those it records when run alone."""
    from edgelint.config import Config

    recorded: dict[tuple, set] = {}
    execute = engine.execute_check

    def recording(ctx, check, cache, model):
        with ctx.ws.recording() as recorder:
            result = execute(ctx, check, cache, model)
        recorded[ctx.app.label, check.code] = set(recorder.deps)
        return result

    monkeypatch.setattr(engine, "execute_check", recording)
    app = FIXTURES / "apps" / "pages-shop"
    checks = list(registry.all_checks())
    engine.run([app], Config(), checks, jobs=1, use_cache=True, cache_dir=str(tmp_path / "whole"))  # an empty cache:
    in_whole_run = dict(recorded)  # every check runs, and records (a run without a cache records nothing)
    assert len(in_whole_run) > 40
    for (label, code), inputs in in_whole_run.items():
        recorded.clear()
        engine.run([app], Config(), [c for c in checks if c.code == code], jobs=1, use_cache=True,
                   cache_dir=str(tmp_path / code))
        assert recorded[label, code] <= inputs, (code, sorted(map(str, recorded[label, code] - inputs))[:5])


def test_suppressions_in_files_the_workers_search_and_in_files_they_do_not(cli, tmp_path, monkeypatch):
    """Worker processes tell which of their apps' files hold a suppression comment; the main
    process looks through the other files itself. Both count, as in a run without workers."""
    from conftest import write_tree

    edge_page = "import fs from 'fs';\nexport const runtime = 'edge';\nexport default function P() { return fs; }\n"
    app = {"package.json": json.dumps({"name": "{}", "dependencies": {"next": "14.2.15", "ui": "workspace:*"}}),
           "app/layout.tsx": "export default function L({ children }) { return children; }\n"}
    root = write_tree(tmp_path / "repo", {
        "package.json": json.dumps({"name": "repo", "private": True, "workspaces": ["apps/*", "packages/*"]}),
        **{f"apps/a/{k}": v.replace("{}", "a") for k, v in app.items()},
        **{f"apps/b/{k}": v.replace("{}", "b") for k, v in app.items()},
        "apps/a/app/page.tsx": "// edgelint-disable-next-line EDGE201 -- reviewed\n" + edge_page,
        "apps/b/app/page.tsx": edge_page,
        "packages/ui/package.json": json.dumps({"name": "ui", "main": "index.ts"}),
        "packages/ui/index.ts": "// edgelint-disable-next-line EDGE201\nexport const ui = 1;\n",
        "scripts/seed.ts": "// edgelint-disable-next-line EDGE301\nexport const seed = 1;\n",
    })
    serial = _report(cli, root, "--no-cache", "--jobs", "1")
    monkeypatch.setattr(parallel, "MIN_CHECK_RUNS", 1)
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    work = engine._work_unit
    monkeypatch.setattr(engine, "_work_unit", lambda *a: (tmp_path / f"ran-in-{os.getpid()}").touch() or work(*a))
    pooled = _report(cli, root, "--no-cache", "--jobs", "2")
    assert {p.name for p in tmp_path.glob("ran-in-*")} - {f"ran-in-{os.getpid()}"}  # the workers ran the units
    assert pooled == serial
    report = json.loads(pooled)
    assert report["summary"]["suppressed"] == 1
    found = {(f["code"], f["path"]) for f in report["findings"]}
    assert ("EDGE201", "apps/b/app/page.tsx") in found and ("EDGE201", "apps/a/app/page.tsx") not in found
    assert {("EDGE904", "packages/ui/index.ts"), ("EDGE904", "scripts/seed.ts")} <= found
    monkeypatch.chdir(root)  # and on named files (pre-commit), where only those files count
    named = ["apps/a/app/page.tsx", "apps/b/app/page.tsx", "packages/ui/index.ts", "scripts/seed.ts"]
    focused = _report(cli, *named, "--no-cache", "--jobs", "2")
    assert focused == _report(cli, *named, "--no-cache", "--jobs", "1")
    assert ("EDGE904", "scripts/seed.ts") in {(f["code"], f["path"]) for f in json.loads(focused)["findings"]}


def test_a_replayed_run_keeps_what_it_learned_of_the_folders(cli, make_app, monkeypatch):
    """The first run creates the cache folder inside the tree, which changes the root folder's
    time: the next run lists the root again (and is replayed), and the runs after it must not."""
    from edgelint import engine as engine_module
    from edgelint import files

    root = make_app({".gitignore": "*.log\n"})
    for folder, _dirs, _files in os.walk(root):
        os.utime(folder, (1_600_000_000, 1_600_000_000))  # older than the walk's racy window
    _report(cli, root)
    os.utime(root, (1_600_000_100, 1_600_000_100))  # the cache folder's creation, aged
    replayed = []
    replay_run = engine_module.replay.replay_run
    monkeypatch.setattr(engine_module.replay, "replay_run", lambda *a: replayed.append(found := replay_run(*a)) or found)
    matched = []  # the root's .gitignore is read when the walk lists the root
    verdict = files._gitignore_verdict
    monkeypatch.setattr(files, "_gitignore_verdict", lambda path: matched.append(path) or verdict(path))
    second = _report(cli, root)
    assert matched and replayed[-1] is not None  # listed again, and replayed
    matched.clear()
    assert _report(cli, root) == second
    assert not matched and replayed[-1] is not None


def test_a_replayed_run_finds_the_tree_unchanged_from_its_stats_alone(cli, make_app, monkeypatch):
    """The stats of the files vouch for their bytes, as they do in the file index: an unchanged
    tree is replayed without reading the file index; a file touched but not edited is replayed
    from the digests of the bytes (and from the next run on its stats vouch again); an edit of
    the same size under a forged modification time is seen (by its change time, then its bytes)."""
    from edgelint import fileindex

    monkeypatch.setattr(workspace, "RACY_SECONDS", 0)  # files written just now count as settled
    monkeypatch.setattr(fileindex, "RACY_SECONDS", 0)
    root = make_app({"app/api/x/route.ts": "import fs from 'fs';\nexport const runtime = 'edge';\n"
                                           "export async function POST() { return new Response(fs.readFileSync('a')); }\n"})
    first = _report(cli, root)
    read = []
    init = fileindex.FileIndex.__init__
    monkeypatch.setattr(fileindex.FileIndex, "__init__", lambda self, *a, **k: read.append(1) or init(self, *a, **k))
    ran = _record_runs(monkeypatch)
    assert _report(cli, root) == first and ran == [] and read == []
    route = root / "app" / "api" / "x" / "route.ts"
    os.utime(route)
    assert _report(cli, root) == first and ran == [] and read == [1]
    assert _report(cli, root) == first and ran == [] and read == [1]
    before = route.stat()
    route.write_text(route.read_text("utf-8").replace("'a'", "'b'"), "utf-8")
    os.utime(route, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert route.stat().st_size == before.st_size and route.stat().st_mtime_ns == before.st_mtime_ns
    _report(cli, root)
    assert ran and read == [1, 1]


def test_a_replayed_run_loads_no_rule_module(cli, make_app, monkeypatch):
    """The whole-run memo is keyed by the selection (edgelint's own code names the cache folder),
    so a replayed run imports no rule module; a SARIF report loads them for its rule texts."""
    from edgelint import registry

    root = make_app({"app/api/x/route.ts": "import fs from 'fs';\nexport const runtime = 'edge';\n"
                                           "export async function POST() { return new Response(fs.readFileSync('a')); }\n"})
    first, first_sarif = _report(cli, root), cli("check", root, "--format", "sarif").stdout

    def refuse():
        raise AssertionError("a replayed run loaded the rule modules")

    monkeypatch.setattr(registry, "all_checks", refuse)
    assert _report(cli, root) == first
    monkeypatch.undo()
    assert cli("check", root, "--format", "sarif").stdout == first_sarif
    assert json.loads(first)["findings"]  # there was something to replay
    # with a plugin installed, the checks themselves key the run (the selection cannot say)
    monkeypatch.setattr(registry, "_plugins", lambda: ("a plugin",))
    assert registry.Selection([(None, [], [])]).key() is None
