"""End-to-end behaviour of the `edgelint` command line, on temporary trees.

Suppression and robustness tests use a test-only plugin check, EDGE990 `no-forbidden-call` (a
call to `forbidden()`), registered by patching `edgelint.registry.all_checks`, so they do not
depend on what the built-in checks report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import edgelint
from edgelint import registry
from edgelint.api import Check

from conftest import FIXTURES, REPO, assert_clean_exit


class ForbiddenCallCheck(Check):
    """## What it does
    Test-only: reports every call to `forbidden()`.

    ## Why is this bad?
    It gives the tests a rule that fires where they want it to.
    """

    code, name, area, severity = "EDGE990", "no-forbidden-call", "edge-compat", "error"

    def run(self, ctx):
        for path in ctx.files():
            pf = ctx.parse(path)
            if pf is None:
                continue
            for node in pf.walk():
                if node.type == "call_expression" and pf.text(node.child_by_field_name("function")) == "forbidden":
                    yield ctx.finding(self, path, pf.span(node), "forbidden() is 100% forbidden")


@pytest.fixture
def plugin(monkeypatch):
    """Register ForbiddenCallCheck next to the built-in checks."""
    builtin = tuple(c for c in registry.all_checks() if c.code != ForbiddenCallCheck.code)
    patched = tuple(sorted([*builtin, ForbiddenCallCheck], key=lambda c: c.code))
    monkeypatch.setattr(registry, "all_checks", lambda: patched)
    return ForbiddenCallCheck


def findings(result, code: str | None = None) -> list[tuple[str, int]]:
    """(path, line) of the findings of a `--format json` run, optionally of one code."""
    doc = json.loads(result.stdout)
    return [(f["path"], f["line"]) for f in doc["findings"] if code is None or f["code"] == code]


def codes(result) -> list[str]:
    return [f["code"] for f in json.loads(result.stdout)["findings"]]


# --------------------------------------------------------------------------------------------
# Usage and configuration errors: exit 2, a message, never a traceback


def test_nonexistent_path(cli, tmp_path):
    missing = tmp_path / "no-such-dir"
    result = cli("check", missing)
    assert_clean_exit(result, 2)
    assert "path does not exist" in result.stderr and str(missing) in result.stderr
    assert result.stdout == ""


def test_directory_without_nextjs_app(cli, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.ts").write_text("export const x = 1;\n")
    (tmp_path / "package.json").write_text('{"name": "not-next", "dependencies": {"react": "18.3.1"}}\n')
    result = cli("check", tmp_path)
    assert_clean_exit(result, 2)
    assert "no Next.js app found" in result.stderr


NODE_PAGE = {"app/items/[id]/page.tsx": "export const runtime = 'nodejs';\nexport default function P() { return null; }\n",
             "package.json": json.dumps({"dependencies": {"next": "14.2.15", "@cloudflare/next-on-pages": "1.13.12"}})}


@pytest.mark.parametrize("where", ["outside", "inside"])
def test_a_file_named_from_outside_its_app_is_linted_with_its_app(cli, make_app, tmp_path, monkeypatch, where):
    """From a folder beside the app (absolute path) or inside it (`cd app && check items/…`), the
    file is linted with the app it belongs to, not silently passed."""
    app = make_app(NODE_PAGE)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere if where == "outside" else app / "app")
    page = app / "app" / "items" / "[id]" / "page.tsx" if where == "outside" else Path("items/[id]/page.tsx")
    result = cli("check", page, "--no-cache", "--format", "json")
    assert_clean_exit(result, 1)
    assert [(f["code"], f["path"]) for f in json.loads(result.stdout)["findings"]] == [
        ("EDGE110", "app/items/[id]/page.tsx")]


def test_a_file_named_from_a_folder_above_its_project_lints_that_project_only(cli, make_app, tmp_path,
                                                                              monkeypatch):
    """From a folder that is no project (`~/src`, `/tmp`) the run reads the file's project, not
    every project below the current folder (which it would also fill with a cache); the text
    report prints paths from the current folder, SARIF and JSON from the project."""
    app = make_app(NODE_PAGE)
    other = make_app({"app/page.tsx": "export const runtime = 'nodejs';\nexport default function P() { return null; }\n"},
                     name="other")
    monkeypatch.chdir(tmp_path)
    page = app / "app" / "items" / "[id]" / "page.tsx"
    result = cli("check", str(page), "--format", "json")
    assert_clean_exit(result, 1)
    report = json.loads(result.stdout)
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("EDGE110", "app/items/[id]/page.tsx")]
    assert [a["root"] for a in report["apps"]] == ["."]
    assert not (tmp_path / ".edgelint_cache").exists() and not (other / ".edgelint_cache").exists()
    text = cli("check", str(page), "--no-cache")
    assert text.stdout.startswith("app/app/items/[id]/page.tsx:1:")


def test_text_paths_are_relative_to_the_current_folder(cli, make_app, monkeypatch):
    """Run inside an app (`cd app && edgelint check .`), locations open from the terminal, as
    ruff's and ESLint's do; SARIF keeps them relative to the project."""
    app = make_app(NODE_PAGE)
    monkeypatch.chdir(app / "app")
    result = cli("check", ".", "--no-cache")
    assert_clean_exit(result, 1)
    assert result.stdout.startswith("items/[id]/page.tsx:1:")
    sarif = json.loads(cli("check", ".", "--no-cache", "--format", "sarif").stdout)
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "app/items/%5Bid%5D/page.tsx"


def test_a_package_that_lists_next_without_routes_is_named_when_no_app_is_found(cli, tmp_path):
    (tmp_path / "package.json").write_text('{"dependencies": {"next": "15.3.0"}}')
    (tmp_path / "middleware.ts").write_text("export function middleware() {}\n")
    result = cli("check", tmp_path, "--no-cache")
    assert_clean_exit(result, 2)
    assert "package.json lists `next` but has no app/ or pages/ folder" in result.stderr


def test_a_file_in_no_app_is_a_usage_error(cli, tmp_path, monkeypatch):
    (tmp_path / "notes.ts").write_text("export const x = 1;\n")
    monkeypatch.chdir(tmp_path)
    result = cli("check", "notes.ts", "--no-cache")
    assert_clean_exit(result, 2)
    assert "no Next.js app found for notes.ts" in result.stderr


def test_paths_outside_the_project_do_not_widen_the_run(cli, make_app, tmp_path, monkeypatch):
    """A stray path outside the current folder (`check . ../notes.txt`, `check . /etc/passwd`)
    is a usage error, not a reason to lint the common folder of both (every app on the disk, a
    cache written there); so are files of two unrelated projects."""
    app = make_app(NODE_PAGE)
    (tmp_path / "notes.txt").write_text("todo\n")
    other = tmp_path / "other"
    (other / "app").mkdir(parents=True)
    (other / "package.json").write_text(json.dumps({"dependencies": {"next": "14.2.15"}}))
    (other / "app" / "page.tsx").write_text("export default function P() { return null; }\n")
    monkeypatch.chdir(app)
    result = cli("check", ".", str(tmp_path / "notes.txt"))
    assert_clean_exit(result, 2)
    assert "is outside the current folder and in no Next.js app" in result.stderr
    result = cli("check", ".", str(other / "app" / "page.tsx"))
    assert_clean_exit(result, 2)
    assert "belong to different projects" in result.stderr
    assert not (tmp_path / ".edgelint_cache").exists()


def test_a_symbolic_link_loop_is_a_usage_error(cli, tmp_path, monkeypatch):
    (tmp_path / "loop").symlink_to("loop")
    monkeypatch.chdir(tmp_path)
    result = cli("check", "loop")
    assert_clean_exit(result, 2)
    assert "cannot read loop" in result.stderr and "internal error" not in result.stderr


def test_unknown_rule_in_select_option(cli, make_app):
    app = make_app()
    result = cli("check", app, "--select", "EDGE999")
    assert_clean_exit(result, 2)
    assert "unknown rule 'EDGE999'" in result.stderr
    result = cli("check", app, "--ignore", "EDGE901,no-such-rule")
    assert_clean_exit(result, 2)
    assert "'no-such-rule'" in result.stderr


def test_known_rule_in_select_option_is_accepted(cli, make_app):
    result = cli("check", make_app(), "--select", "EDGE902,syntax-error", "--select", "meta")
    assert_clean_exit(result, 0)


def test_rule_names_and_areas_are_case_insensitive_like_codes(cli, make_app):
    app = make_app({"app/api/posts/route.ts": "export async function POST(request: Request) {\n"
                                              "  return Response.json(await request.json())\n}\n"})
    for refs in (["Unlimited-User-Action"], ["RATELIMIT"], ["edge601"]):
        result = cli("check", app, "--format", "json", *[a for ref in refs for a in ("--select", ref)])
        assert_clean_exit(result, 1)
        assert {f["code"] for f in json.loads(result.stdout)["findings"]} == {"EDGE601"}


@pytest.mark.parametrize(("config", "args", "expected"), [
    ("", ["--ignore", "ALL", "--select", "EDGE110"], {"EDGE110"}),  # the more specific wins
    ("", ["--ignore", "EDGE1", "--extend-select", "EDGE110"], {"EDGE110"}),
    ("", ["--select", "EDGE1", "--ignore", "EDGE110"], set()),
    ("", ["--select", "runtime", "--ignore", "EDGE1"], set()),  # a tie: the ignore wins
    ('ignore = ["runtime"]\n', ["--select", "EDGE110"], {"EDGE110"}),  # the command line starts afresh
    ('ignore = ["runtime"]\n', [], set()),
    ('select = ["EDGE110"]\n', ["--ignore", "EDGE110"], set()),  # an ignore alone applies on top
])
def test_rule_selection_follows_ruff(cli, make_app, config, args, expected):
    app = make_app({**NODE_PAGE, "edgelint.toml": config or None})
    result = cli("check", app, "--no-cache", "--format", "json", *args)
    assert_clean_exit(result, 0, 1)
    assert {f["code"] for f in json.loads(result.stdout)["findings"]} == expected


def test_an_empty_select_is_a_usage_error_not_every_rule(cli, make_app):
    result = cli("check", make_app(), "--select", "")
    assert_clean_exit(result, 2)
    assert "--select names no rule" in result.stderr


@pytest.mark.parametrize("key", ["select", "ignore", "extend-select"])
def test_unknown_rule_in_config_names_the_rule(cli, make_app, key):
    app = make_app({"edgelint.toml": f'{key} = ["EDGE999"]\n'})
    result = cli("check", app)
    assert_clean_exit(result, 2)
    assert "EDGE999" in result.stderr


@pytest.mark.parametrize("key", ["select", "ignore", "extend-select"])
def test_unknown_rule_in_config_names_file_and_key(cli, make_app, key):
    app = make_app({"edgelint.toml": f'{key} = ["EDGE999"]\n'})
    result = cli("check", app)
    assert_clean_exit(result, 2)
    assert "edgelint.toml" in result.stderr and f"'{key}'" in result.stderr


def test_unknown_config_key_names_file_and_key(cli, make_app):
    app = make_app({"edgelint.toml": 'target = "vercel"\nfail_on = "error"\n'})
    result = cli("check", app)
    assert_clean_exit(result, 2)
    assert "edgelint.toml" in result.stderr and "'fail_on'" in result.stderr


def test_malformed_config_names_the_file(cli, make_app):
    app = make_app({"edgelint.toml": 'select = ["EDGE1"\ntarget = \n'})
    result = cli("check", app)
    assert_clean_exit(result, 2)
    assert str(app / "edgelint.toml") in result.stderr and "invalid TOML" in result.stderr


def test_bad_config_value_names_file_and_key(cli, make_app):
    app = make_app({"edgelint.toml": 'target = "heroku"\n'})
    result = cli("check", app)
    assert_clean_exit(result, 2)
    assert "edgelint.toml" in result.stderr and "'target'" in result.stderr and "heroku" in result.stderr


# --------------------------------------------------------------------------------------------
# Broken and hostile files: findings and notes, the rest still linted


def test_broken_wrangler_toml_is_edge902_at_the_line(cli, make_app):
    app = make_app({"wrangler.toml": 'name = "shop"\n\n[[kv_namespaces]]\nbinding = "CACHE\nid = "x"\n'})
    result = cli("check", app, "--format", "json")
    assert_clean_exit(result, 1)
    assert findings(result, "EDGE902") == [("wrangler.toml", 4)]


def test_a_broken_wrangler_file_is_not_taken_for_a_missing_one(cli, make_app):
    """With wrangler.toml unreadable, its bindings are unknown: EDGE902 says what is wrong, and
    no EDGE301 claims that no Wrangler config was found."""
    app = make_app({"wrangler.toml": 'name = "shop"\nmain = ".open-next/worker.js"\n[[kv_namespaces]]\nbinding = "CACHE\n',
                    "package.json": json.dumps({"dependencies": {"next": "15.1.0", "@opennextjs/cloudflare": "1.3.0"}}),
                    "app/api/a/route.ts": "import { getCloudflareContext } from '@opennextjs/cloudflare';\n"
                                          "export async function GET() {\n"
                                          "  return Response.json(await getCloudflareContext().env.CACHE.get('k'));\n}\n"})
    result = cli("check", app, "--format", "json", "--no-cache")
    assert_clean_exit(result, 1)
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert "EDGE902" in codes and "EDGE301" not in codes


@pytest.mark.parametrize("name, text, line, says", [
    ("wrangler.toml", 'name = "shop"\nkv_namespaces = "CACHE"\n', 2, "`kv_namespaces` must be a list of tables"),
    ("wrangler.toml", 'name = "shop"\n\n[[kv_namespaces]]\nbinding = 42\nid = "a"\n', 3,
     "`kv_namespaces` entry 1 has no string `binding`"),
    ("wrangler.jsonc", '{\n  "name": "shop",\n  "ratelimits": { "name": "RL", "namespace_id": "1" }\n}\n', 3,
     "`ratelimits` must be a list of tables (TOML `[[…]]`) or objects (JSON) (it is a single table)"),
    ("wrangler.toml", 'name = "shop"\n[env.production]\nkv_namespaces = ["CACHE"]\n', 3,
     "[env.production] `kv_namespaces` entry 1 has no string `binding`"),
])
def test_binding_lists_of_the_wrong_type_are_edge902(cli, make_app, name, text, line, says):
    """Wrangler rejects them; edgelint says where instead of silently reading no bindings."""
    result = cli("check", make_app({name: text}), "--format", "json", "--no-cache")
    assert_clean_exit(result, 1)
    [problem] = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "EDGE902"]
    assert (problem["path"], problem["line"]) == (name, line) and says in problem["message"]


def test_broken_wrangler_jsonc_is_edge902(cli, make_app):
    app = make_app({"wrangler.jsonc": '{\n  // the worker\n  "name": "shop",\n  "main": \n}\n'})
    result = cli("check", app, "--format", "json")
    assert_clean_exit(result, 1)
    assert [path for path, _ in findings(result, "EDGE902")] == ["wrangler.jsonc"]
    assert findings(result, "EDGE902")[0][1] in (4, 5)


@pytest.mark.parametrize("text, line, col, says", [
    ('{\n  "kv_namespaces": [\n    { "binding": "A", "id": "1" }\n    { "binding": "B", "id": "2" }\n  ]\n}\n',
     4, 5, "expected ',' delimiter"),
    ('{\n  // a comment, ] with brackets\n  "name": "shop\n}\n', 3, 16, "a line break or control character"),
    ('{\n  /* c */ "name": "shop", // c\n  "vars": { "A": "1", },\n  "main": 3 4\n}\n', 4, 13,
     "expected ',' delimiter"),
])
def test_a_broken_wrangler_jsonc_says_what_is_wrong_and_where(cli, make_app, text, line, col, says):
    """Comments and trailing commas are JSONC; past them, the error is the first JSON error."""
    result = cli("check", make_app({"wrangler.jsonc": text}), "--format", "json", "--no-cache")
    [problem] = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "EDGE902"]
    assert (problem["line"], problem["column"]) == (line, col) and says in problem["message"]


def test_broken_package_json_is_edge902_at_the_line(cli, make_app):
    app = make_app({"package.json": '{\n  "name": "shop",\n  "dependencies": {"next": "14.2.15"},\n}\n',
                    "next.config.mjs": "export default {};\n"})
    result = cli("check", app, "--format", "json")
    assert_clean_exit(result, 1)
    assert findings(result, "EDGE902") == [("package.json", 4)]


def test_broken_package_json_without_next_config_is_reported(cli, make_app):
    app = make_app({"package.json": '{\n  "name": "shop",\n  "dependencies": {"next": "14.2.15"},\n}\n'})
    result = cli("check", app, "--format", "json")
    assert_clean_exit(result, 1, 2)
    assert "EDGE902" in result.output or "not valid JSON" in result.output


def test_binary_non_utf8_and_syntax_error_files_are_notes(cli, make_app, plugin):
    app = make_app({
        "lib/blob.ts": b"forbidden();\0\0\0\x89PNG\r\n",
        "lib/utf16.ts": "forbidden();\n".encode("utf-16"),
        "lib/latin1.ts": "export const cafe = 'caf\xe9';\nforbidden();\n".encode("latin-1"),
        # a NUL character in a string literal (a key separator) is valid code, not a binary file
        "lib/separator.ts": b'export const SEP = "\0";\n' + b"// padding\n" * 300 + b'forbidden("\0");\n',
        "app/broken/page.tsx": "export const x = ;\nforbidden();\nexport default function P() { return <main/>; }\n",
        "app/page.tsx": "export default function Page() {\n  forbidden();\n  return <main/>;\n}\n",
    })
    result = cli("check", app, "--format", "json")
    assert_clean_exit(result, 1)
    doc = json.loads(result.stdout)
    by_code = {}
    for f in doc["findings"]:
        by_code.setdefault(f["code"], []).append((f["path"], f["line"], f["severity"]))
    assert by_code["EDGE903"] == [("lib/blob.ts", 1, "note"), ("lib/utf16.ts", 1, "note")]
    assert by_code["EDGE901"] == [("app/broken/page.tsx", 1, "note")]
    assert ("lib/separator.ts", 302, "error") in by_code["EDGE990"]
    # the rest is still linted: the clean file, the recovered tree, the non-UTF-8 file
    assert ("app/page.tsx", 2, "error") in by_code["EDGE990"]
    assert ("app/broken/page.tsx", 2, "error") in by_code["EDGE990"]
    assert ("lib/latin1.ts", 2, "error") in by_code["EDGE990"]
    assert not any(path == "lib/blob.ts" for path, _, _ in by_code["EDGE990"])
    assert "EDGE906" not in by_code
    # and every output format copes with the undecodable byte
    for fmt in ("text", "sarif", "github"):
        assert_clean_exit(cli("check", app, "--format", fmt), 1)
    # a warm cache (written by the runs above) gives the same notes and findings
    again = cli("check", app, "--format", "json")
    assert_clean_exit(again, 1)
    assert again.stdout == result.stdout
    assert (app / ".edgelint_cache").is_dir()


def test_notes_alone_never_fail_the_run(cli, make_app):
    app = make_app({"app/page.tsx": "export const runtime = 'edge';\nexport default function P() { return <div>{ </div> }\n"})
    result = cli("check", app, "--format", "json")
    assert_clean_exit(result, 0)
    assert codes(result) == ["EDGE901"]


@pytest.mark.parametrize("where", ["here", "in a worker process"])
def test_crashing_check_is_edge906_and_exit_2(cli, make_app, monkeypatch, where):
    from edgelint import parallel

    if where != "here":
        if not parallel.available():
            pytest.skip("no fork here: checks never run in worker processes")
        monkeypatch.setattr(parallel, "MIN_CHECK_RUNS", 1)
        monkeypatch.setattr(parallel, "MIN_FILES", 1)

    class Crashing(Check):
        code, name, area = "EDGE991", "always-crashes", "meta"

        def run(self, ctx):
            ctx.parse("app/page.tsx")
            raise RuntimeError("boom")

    patched = tuple(sorted([*registry.all_checks(), Crashing], key=lambda c: c.code))
    monkeypatch.setattr(registry, "all_checks", lambda: patched)
    result = cli("check", make_app(), "--format", "json", "--jobs", "2")
    assert_clean_exit(result, 2)
    doc = json.loads(result.stdout)
    [crash] = [f for f in doc["findings"] if f["code"] == "EDGE906"]
    assert "EDGE991" in crash["message"] and "boom" in crash["message"] and crash["path"] == "app/page.tsx"
    assert doc["summary"]["incomplete"] is True


# --------------------------------------------------------------------------------------------
# Options and output


def test_exit_zero(cli, make_app, plugin):
    app = make_app({"app/page.tsx": "forbidden();\n"})
    assert_clean_exit(cli("check", app), 1)
    result = cli("check", app, "--exit-zero")
    assert_clean_exit(result, 0)
    assert "EDGE990" in result.stdout


def test_exit_zero_keeps_exit_2_for_errors(cli, tmp_path):
    assert_clean_exit(cli("check", tmp_path / "missing", "--exit-zero"), 2)


def test_github_format_escapes_properties_and_message(cli, make_app, plugin):
    app = make_app({"app/100%,a:b/page.tsx": "export default function P() {\n  forbidden();\n}\n"})
    result = cli("check", app, "--format", "github")
    assert_clean_exit(result, 1)
    [line] = [ln for ln in result.stdout.splitlines() if "EDGE990" in ln]
    assert line.startswith("::error file=app/100%25%2Ca%3Ab/page.tsx,line=2,")
    assert ",title=EDGE990 no-forbidden-call::" in line
    assert line.endswith("::forbidden() is 100%25 forbidden")


def test_output_option_writes_the_report(cli, make_app, plugin, tmp_path):
    app = make_app({"app/page.tsx": "forbidden();\n"})
    out = tmp_path / "reports" / "edgelint.json"
    out.parent.mkdir()
    result = cli("check", app, "--format", "json", "-o", out)
    assert_clean_exit(result, 1)
    assert result.stdout == ""
    assert [(f["code"], f["path"]) for f in json.loads(out.read_text("utf-8"))["findings"]] == [
        ("EDGE990", "app/page.tsx")]


def test_output_to_unwritable_place_is_exit_2(cli, make_app, tmp_path):
    result = cli("check", make_app(), "-o", tmp_path / "no-such-dir" / "x.txt")
    assert_clean_exit(result, 2)
    assert "cannot write" in result.stderr


def test_not_a_terminal_means_no_colour(cli, make_app, plugin):
    app = make_app({"app/page.tsx": "forbidden();\n"})
    result = cli("check", app)
    assert "EDGE990" in result.stdout and "\x1b" not in result.output


def _on_terminal(app, env_extra: dict[str, str]) -> str:
    """stdout of `python -m edgelint check APP` when stdout is a pseudo-terminal."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(env_extra)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "edgelint", "check", str(app)], stdout=slave,
                                stderr=subprocess.DEVNULL, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=120)
    finally:
        os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_terminal_gets_colour_unless_no_color(make_app):
    app = make_app({"app/page.tsx": "export const runtime = 'edge';\nexport default function P() { return <div>{ </div> }\n"})
    coloured = _on_terminal(app, {})
    assert "EDGE901" in coloured and "\x1b[" in coloured
    plain = _on_terminal(app, {"NO_COLOR": "1"})
    assert "EDGE901" in plain and "\x1b" not in plain


# --------------------------------------------------------------------------------------------
# rules, rule, --version


def test_rules_lists_every_code(cli, plugin):
    result = cli("rules")
    assert_clean_exit(result, 0)
    listed = {line.split()[0] for line in result.stdout.splitlines()[1:] if line.strip()}
    assert listed == {c.code for c in registry.all_checks()}
    assert "EDGE990" in listed and {"EDGE901", "EDGE902", "EDGE903", "EDGE904", "EDGE905", "EDGE906"} <= listed
    as_json = cli("rules", "--format", "json")
    assert [r["code"] for r in json.loads(as_json.stdout)] == [c.code for c in registry.all_checks()]


@pytest.mark.parametrize("ref", ["EDGE901", "edge901", "syntax-error"])
def test_rule_prints_the_docs(cli, ref):
    result = cli("rule", ref)
    assert_clean_exit(result, 0)
    assert result.stdout.startswith("# EDGE901 syntax-error\n")
    assert "## What it does" in result.stdout and "tree-sitter could not parse" in result.stdout
    assert "Severity: note" in result.stdout


def test_rule_docs_end_with_the_public_sources_after_the_options(cli):
    out = cli("rule", "EDGE604").stdout
    assert "REFERENCE" not in out and "§" not in out
    options, sources = out.index("\n## Options"), out.index("\n## Sources\n")
    assert options < sources
    assert "- [Cloudflare Workers docs: Rate Limiting binding](https://developers.cloudflare.com/" in out[sources:]


def test_unknown_rule_docs_is_exit_2(cli):
    result = cli("rule", "NOPE")
    assert_clean_exit(result, 2)
    assert "unknown rule 'NOPE'" in result.stderr


def test_python_m_edgelint_version():
    proc = subprocess.run([sys.executable, "-m", "edgelint", "--version"], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"edgelint, version {edgelint.__version__}"


@pytest.mark.parametrize("app, expected", [("clean-edge", 0), ("pages-shop", 1), ("no-such-app", 2)])
def test_the_program_ends_quickly_with_the_whole_report_and_its_exit_code(app, expected):
    """`edgelint` ends with `os._exit` after flushing (`cli.run`): the exit code and every byte of
    a long report survive it, on a pipe and on standard error."""
    fixture = REPO / "fixtures" / "apps" / app
    proc = subprocess.run([sys.executable, "-m", "edgelint", "check", str(fixture), "--format", "json"],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == expected, proc.stderr
    if expected == 2:
        assert proc.stderr.startswith("edgelint: error: path does not exist") and not proc.stdout
    else:
        report = json.loads(proc.stdout)
        assert bool(report["findings"]) == (expected == 1)


def test_a_reader_that_goes_away_is_not_an_error_message():
    """`edgelint rules | head -1`: the pipe closes early; edgelint stops without a message."""
    proc = subprocess.Popen([sys.executable, "-m", "edgelint", "rules", "--format", "json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=REPO)
    proc.stdout.close()  # before edgelint has started up, let alone written its report
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert proc.returncode == 1
    assert b"error" not in err and b"Traceback" not in err


# --------------------------------------------------------------------------------------------
# Suppressions


def _lint(cli, make_app, source: str, *extra: str, path: str = "app/page.tsx", files=None):
    app = make_app({path: source, **(files or {})})
    result = cli("check", app, "--format", "json", *extra)
    assert_clean_exit(result, 0, 1)
    return result


def test_unsuppressed_finding_for_reference(cli, make_app, plugin):
    result = _lint(cli, make_app, "forbidden();\nforbidden();\n")
    assert findings(result) == [("app/page.tsx", 1), ("app/page.tsx", 2)]


def test_disable_next_line_with_reason(cli, make_app, plugin):
    result = _lint(cli, make_app, "// edgelint-disable-next-line EDGE990 -- legacy, tracked in #12\n"
                                  "forbidden();\nforbidden();\n")
    assert findings(result) == [("app/page.tsx", 3)]
    assert json.loads(result.stdout)["summary"]["suppressed"] == 1


def test_disable_line(cli, make_app, plugin):
    result = _lint(cli, make_app, "forbidden(); // edgelint-disable-line EDGE990\nforbidden();\n")
    assert findings(result) == [("app/page.tsx", 2)]


def test_disable_file(cli, make_app, plugin):
    result = _lint(cli, make_app, "/* edgelint-disable-file */\nforbidden();\n\nforbidden();\n",
                   files={"lib/other.ts": "forbidden();\n"})
    assert findings(result) == [("lib/other.ts", 1)]


def test_disable_file_for_one_rule(cli, make_app, plugin):
    result = _lint(cli, make_app, "/* edgelint-disable-file EDGE990 */\nforbidden();\n"
                                  "export default function P() { return <div>{ </div> }\n")
    assert codes(result) == ["EDGE901"]


def test_suppressions_name_rules_in_any_case(cli, make_app, plugin):
    result = _lint(cli, make_app, "forbidden(); // edgelint-disable-line edge990\n"
                                  "forbidden(); // edgelint-disable-line No-Forbidden-Call\n")
    assert findings(result) == []
    assert json.loads(result.stdout)["summary"]["suppressed"] == 2


def test_disable_by_rule_name(cli, make_app, plugin):
    result = _lint(cli, make_app, "// edgelint-disable-next-line no-forbidden-call\nforbidden();\n"
                                  "forbidden(); // edgelint-disable-line no-forbidden-call -- reason\n")
    assert findings(result) == []
    assert json.loads(result.stdout)["summary"]["suppressed"] == 2


def test_suppression_for_another_rule_does_not_suppress(cli, make_app, plugin):
    result = _lint(cli, make_app, "// edgelint-disable-next-line EDGE901\nforbidden();\n")
    assert ("app/page.tsx", 2) in findings(result, "EDGE990")
    assert findings(result, "EDGE904") == [("app/page.tsx", 1)]


def test_unused_suppression_is_edge904(cli, make_app, plugin):
    result = _lint(cli, make_app, "const ok = 1;\n\n// edgelint-disable-next-line EDGE990 -- not needed\n"
                                  "const fine = 2;\nforbidden();\n")
    assert findings(result, "EDGE904") == [("app/page.tsx", 3)]
    assert findings(result, "EDGE990") == [("app/page.tsx", 5)]
    [unused] = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "EDGE904"]
    assert unused["severity"] == "warning" and "EDGE990" in unused["message"]


def test_unknown_rule_in_suppression_is_edge905(cli, make_app, plugin):
    result = _lint(cli, make_app, "forbidden();\n// edgelint-disable-next-line EDGE1O1\nconst x = 1;\n")
    assert findings(result, "EDGE905") == [("app/page.tsx", 2)]
    [unknown] = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "EDGE905"]
    assert "EDGE1O1" in unknown["message"]


def test_misspelt_suppression_directive_is_edge905(cli, make_app, plugin):
    """`edgelint-disable-nextline` is not a directive: it suppresses nothing, and says so."""
    result = _lint(cli, make_app, "// edgelint-disable-nextline EDGE990\nforbidden();\n"
                                  "forbidden(); /* edgelint-disable-lines */\n")
    assert findings(result, "EDGE990") == [("app/page.tsx", 2), ("app/page.tsx", 3)]
    assert findings(result, "EDGE905") == [("app/page.tsx", 1), ("app/page.tsx", 3)]
    messages = [f["message"] for f in json.loads(result.stdout)["findings"] if f["code"] == "EDGE905"]
    assert "`edgelint-disable-nextline`" in messages[0] and "`edgelint-disable-lines`" in messages[1]


def test_suppression_text_in_strings_does_nothing(cli, make_app, plugin):
    source = ('const a = "// edgelint-disable-next-line EDGE990";\n'
              "forbidden();\n"
              "const b = `\n/* edgelint-disable-file */\n`;\n"
              "forbidden(); const c = '// edgelint-disable-line EDGE990';\n")
    result = _lint(cli, make_app, source)
    assert findings(result) == [("app/page.tsx", 2), ("app/page.tsx", 6)]
    assert json.loads(result.stdout)["summary"]["suppressed"] == 0


def test_suppression_in_jsx_comment(cli, make_app, plugin):
    source = ("export default function P() {\n  return (\n    <div>\n"
              "      {/* edgelint-disable-next-line EDGE990 */}\n"
              "      {forbidden()}\n      {forbidden()}\n    </div>\n  );\n}\n")
    result = _lint(cli, make_app, source)
    assert findings(result) == [("app/page.tsx", 6)]


def test_code_frame_shows_the_reported_line_when_a_string_holds_u2028(cli, make_app, plugin):
    result = _lint(cli, make_app, 'const s = "a\u2028b\u000cc";\nforbidden();\n')
    assert findings(result) == [("app/page.tsx", 2)]
    text = cli("check", make_app({"app/page.tsx": 'const s = "a\u2028b\u000cc";\nforbidden();\n'}, name="again"))
    assert "  2 | forbidden();" in text.stdout


def test_a_library_that_names_next_as_a_peer_is_not_an_app(cli, tmp_path):
    """A shared package with `next` as a peer dependency is part of the apps that import it: its
    files are checked under their target, not as an app of its own. With a router folder, a
    package is an app whatever lists `next`."""
    from conftest import write_tree

    repo = write_tree(tmp_path / "repo", {
        "package.json": json.dumps({"private": True, "workspaces": ["apps/*", "packages/*"]}),
        "apps/web/package.json": json.dumps({"dependencies": {"next": "15.3.3", "@acme/ui": "*"},
                                             "devDependencies": {"@cloudflare/next-on-pages": "1.13.12"}}),
        "apps/web/app/page.tsx": "export default function Home() { return <main>home</main> }\n",
        "packages/ui/package.json": json.dumps({"name": "@acme/ui", "scripts": {"build": "next build"},
                                                "peerDependencies": {"next": ">=14"},
                                                "devDependencies": {"next": "15.3.3"}}),
        "packages/ui/src/avatar.tsx": "export const Avatar = () => <img src='/cdn-cgi/image/widht=64/a.png' />\n",
        "packages/docs/package.json": json.dumps({"peerDependencies": {"next": ">=14"}}),
        "packages/docs/pages/index.tsx": "export default function Docs() { return <main>docs</main> }\n",
        # Next.js only for its types: a library too
        "packages/hooks/package.json": json.dumps({"name": "@acme/hooks", "devDependencies": {"next": "15.3.3"}}),
        "packages/hooks/src/use-route.ts": "export { useRouter as useRoute } from 'next/navigation'\n",
        # a `src/app/` folder of components, no page, layout or route in it: a library (events-helsinki)
        "packages/components/package.json": json.dumps({"name": "@acme/components", "dependencies": {"next": "15.3.3"}}),
        "packages/components/src/app/AppShell.tsx": "export const AppShell = () => <div />\n",
        # a dev dependency, but it runs `next`: an app
        "apps/admin/package.json": json.dumps({"scripts": {"dev": "next dev --turbo"},
                                               "devDependencies": {"next": "15.3.3"}}),
    })
    result = cli("check", repo, "--format", "json", "--no-cache")
    assert_clean_exit(result, 0, 1)
    report = json.loads(result.stdout)
    apps = {a["root"]: a["target"] for a in report["apps"]}
    assert apps == {"apps/admin": "node", "apps/web": "next-on-pages", "packages/docs": "node"}
    # the library's files are checked once, with the app that depends on it
    assert [(f["code"], f["path"]) for f in report["findings"] if f["path"].startswith("packages/ui/")] == [
        ("EDGE401", "packages/ui/src/avatar.tsx")]


def test_per_app_target_applies_however_the_app_is_named(cli, tmp_path, monkeypatch):
    """`[apps."apps/web"]` is relative to the config file: it holds when the repository, the app
    folder or one of its files is linted."""
    from conftest import write_tree

    repo = write_tree(tmp_path / "repo", {
        "edgelint.toml": '[apps."apps/web"]\ntarget = "opennext"\n',
        "apps/web/package.json": json.dumps({"dependencies": {"next": "15.3.3"}}),
        "apps/web/app/api/feed/route.ts": "export const runtime = 'edge'\n"
                                          "export async function GET() { return Response.json([]) }\n",
        "apps/docs/package.json": json.dumps({"dependencies": {"next": "15.3.3"}}),
        "apps/docs/app/page.tsx": "export default function Docs() { return <main>docs</main> }\n",
    })
    monkeypatch.chdir(repo)
    for args in (["."], ["apps/web"], ["apps/web/app/api/feed/route.ts"]):
        result = cli("check", *args, "--format", "json", "--no-cache")
        assert_clean_exit(result, 0, 1)
        report = json.loads(result.stdout)
        targets = {a["root"]: (a["target"], a["target_reason"]) for a in report["apps"]}
        web = targets.get("apps/web") or targets.get(".")
        assert web == ("opennext", "set in the edgelint config"), (args, targets)
        assert "apps/docs" not in targets or targets["apps/docs"][0] == "node"


def test_an_app_config_holds_when_its_files_are_named_from_the_repository_root(cli, tmp_path, monkeypatch):
    """pre-commit runs from the repository root: the app's own edgelint.toml (`exclude`,
    `[apps."."]`, relative to it) applies as it does when the app folder is linted."""
    from conftest import write_tree

    repo = write_tree(tmp_path / "repo", {
        "shop/edgelint.toml": 'exclude = ["legacy/**"]\n[apps."."]\ntarget = "opennext"\n',
        "shop/package.json": json.dumps({"dependencies": {"next": "15.3.3"}}),
        "shop/app/api/feed/route.ts": "export const runtime = 'edge'\n"
                                      "export async function GET() { return Response.json([]) }\n",
        "shop/legacy/old/route.ts": "export const runtime = 'edge'\n",
    })
    (repo / ".git").mkdir()
    monkeypatch.chdir(repo)
    result = cli("check", "shop/app/api/feed/route.ts", "shop/legacy/old/route.ts", "--format", "json", "--no-cache")
    assert_clean_exit(result, 1)
    report = json.loads(result.stdout)
    assert [(a["root"], a["target"]) for a in report["apps"]] == [("shop", "opennext")]
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("EDGE111", "shop/app/api/feed/route.ts")]


@pytest.mark.parametrize(("extra", "reason"), [
    ({"vercel.json": "{}"}, "vercel.json found"),
    ({"package.json": json.dumps({"dependencies": {"next": "15.3.3", "@vercel/functions": "2.0.0"}})},
     "package.json depends on @vercel/functions"),
    ({"package.json": json.dumps({"dependencies": {"next": "15.3.3", "@vercel/edge": "1.2.1"}})},
     "package.json depends on @vercel/edge"),
])
def test_vercel_is_detected_from_its_config_or_packages(cli, make_app, extra, reason):
    app = make_app(extra)
    report = json.loads(cli("check", app, "--format", "json", "--no-cache").stdout)
    assert [(a["target"], a["target_reason"]) for a in report["apps"]] == [("vercel", reason)]


@pytest.mark.parametrize(("deps", "target"), [
    ({"@cloudflare/next-on-pages": "1.13.16"}, ("next-on-pages", "package.json depends on @cloudflare/next-on-pages")),
    ({"@opennextjs/cloudflare": "1.3.0"}, ("opennext", "package.json depends on @opennextjs/cloudflare")),
    ({}, ("opennext", "open-next.config found")),
])
def test_the_installed_adapter_outranks_a_leftover_open_next_config(cli, make_app, deps, target):
    """An app that went back from OpenNext to next-on-pages keeps its open-next.config.ts (next-cf-vibe):
    without @opennextjs/cloudflare nothing reads it."""
    manifest = {"name": "shop", "dependencies": {"next": "15.3.3", **deps}}
    app = make_app({"package.json": json.dumps(manifest), "open-next.config.ts": "export default {}\n"})
    report = json.loads(cli("check", app, "--format", "json", "--no-cache").stdout)
    assert [(a["target"], a["target_reason"]) for a in report["apps"]] == [target]


@pytest.mark.parametrize("root_manifest", [
    {"workspaces": ["apps/*"]},  # npm/yarn workspaces: the app has its own package.json too
    {},  # an Nx "integrated" repository: one package.json at the root, none in the app
])
def test_next_and_the_adapter_declared_at_the_workspace_root_are_the_apps(cli, tmp_path, root_manifest):
    from conftest import write_tree

    repo = write_tree(tmp_path / "repo", {
        "package.json": json.dumps({**root_manifest, "dependencies": {"next": "14.2.3"},
                                    "devDependencies": {"@cloudflare/next-on-pages": "1.13.12"}}),
        "apps/web/next.config.js": "module.exports = {}\n",
        "apps/web/app/api/orders/route.ts": "export async function POST() { return Response.json({}) }\n",
        **({"apps/web/package.json": json.dumps({"name": "web", "private": True})} if root_manifest else {}),
    })
    report = json.loads(cli("check", repo, "--format", "json", "--no-cache", "--select", "EDGE101").stdout)
    assert [(a["root"], a["target"], a["next_version"]) for a in report["apps"]] == [
        ("apps/web", "next-on-pages", "14.2.3")]
    assert [f["code"] for f in report["findings"]] == ["EDGE101"]


def test_an_app_of_a_workspace_is_linted_with_the_workspace(cli, tmp_path, monkeypatch):
    """`check apps/web` (a per-app CI job) or `cd apps/web && check .` reads the workspace
    packages the app imports: a limiter in one covers the app's actions as in a run on the whole
    repository."""
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "rules" / "EDGE601" / "workspace-package-of-two-apps", repo)
    whole = json.loads(cli("check", repo, "--format", "json", "--no-cache", "--select", "EDGE601").stdout)
    expected = [(f["code"], f["path"], f["line"]) for f in whole["findings"]]
    assert expected == [("EDGE601", "apps/web/app/contact/actions.ts", 13)]
    for cwd, path in ((tmp_path, repo / "apps" / "web"), (repo / "apps" / "web", Path("."))):
        monkeypatch.chdir(cwd)
        part = json.loads(cli("check", path, "--format", "json", "--no-cache", "--select", "EDGE601").stdout)
        assert [(f["code"], f["path"], f["line"]) for f in part["findings"]] == expected


def test_a_next_config_without_a_package_json_inside_an_app_is_not_another_app(cli, tmp_path):
    """Next.js reads next.config where it runs, beside package.json: a stray `src/next.config.ts`
    does not split the app (its routes would lose the app's target)."""
    from conftest import write_tree

    app = write_tree(tmp_path / "shop", {
        "package.json": json.dumps({"dependencies": {"next": "15.3.3", "@opennextjs/cloudflare": "1.3.0"}}),
        "next.config.ts": "export default {}\n",
        "src/next.config.ts": "export default { reactStrictMode: true }\n",
        "src/app/api/feed/route.ts": "export const runtime = 'edge'\nexport async function GET() { return Response.json([]) }\n",
    })
    result = cli("check", app, "--format", "json", "--no-cache")
    assert_clean_exit(result, 1)
    report = json.loads(result.stdout)
    assert [a["root"] for a in report["apps"]] == ["."]
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("EDGE111", "src/app/api/feed/route.ts")]


def test_github_and_sarif_paths_start_at_the_repository_root(cli, tmp_path, monkeypatch):
    """GitHub reads report paths from the repository root: linting `apps/web` of a repository
    reports `apps/web/app/…`, not `app/…` (other formats keep paths relative to the lint root)."""
    from conftest import write_tree
    from edgelint import files

    monkeypatch.undo()  # the real prefix, not the fixtures' stand-in (conftest)
    repo = write_tree(tmp_path / "repo", {
        ".git/HEAD": "ref: refs/heads/main\n",
        "apps/web/package.json": json.dumps({"dependencies": {"next": "15.3.3"}}),
        "apps/web/app/api/posts/route.ts": "export async function POST(request: Request) {\n"
                                           "  return Response.json(await request.json())\n}\n",
    })
    app = repo / "apps" / "web"
    sarif = json.loads(cli("check", app, "--format", "sarif", "--no-cache").stdout)
    [result] = sarif["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "apps/web/app/api/posts/route.ts"
    github = cli("check", app, "--format", "github", "--no-cache").stdout
    assert "file=apps/web/app/api/posts/route.ts," in github
    text = json.loads(cli("check", app, "--format", "json", "--no-cache").stdout)
    assert [f["path"] for f in text["findings"]] == ["app/api/posts/route.ts"]
    assert files.repository_prefix(repo) == "" and files.repository_prefix(tmp_path) == ""


def test_a_shared_package_file_named_alone_is_linted_with_the_apps_that_reach_it(cli, tmp_path, monkeypatch):
    """pre-commit passes only the changed file: one in a workspace package (no app of its own)
    gets the findings a whole run gives it (an edge route of apps/web imports it)."""
    from conftest import write_tree

    repo = write_tree(tmp_path / "mono", {
        "package.json": json.dumps({"name": "mono", "private": True, "workspaces": ["apps/*", "packages/*"]}),
        "apps/web/package.json": json.dumps({"name": "web", "dependencies": {
            "next": "14.2.15", "@cloudflare/next-on-pages": "1.13.12", "@repo/lib": "workspace:*"}}),
        "apps/web/app/api/x/route.ts": "import { readConfig } from '@repo/lib/config'\nexport const runtime = 'edge'\n"
                                       "export async function GET() { return Response.json(readConfig()) }\n",
        "packages/lib/package.json": json.dumps({"name": "@repo/lib", "exports": {"./config": "./src/config.ts"}}),
        "packages/lib/src/config.ts": "import { readFileSync } from 'fs'\n"
                                      "export function readConfig() { return readFileSync('/etc/app.json', 'utf8') }\n",
    })
    monkeypatch.chdir(repo)

    def edge201(*args):
        report = json.loads(cli("check", *args, "--format", "json", "--no-cache").stdout)
        return [(f["path"], f["line"]) for f in report["findings"] if f["code"] == "EDGE201"]

    assert edge201(".") == [("packages/lib/src/config.ts", 1)]
    assert edge201("packages/lib/src/config.ts") == [("packages/lib/src/config.ts", 1)]


def test_a_folder_inside_an_app_is_linted_with_its_app(cli, make_app, monkeypatch):
    """`edgelint check app/api` (or `cd app && edgelint check .`) reports on that folder's files,
    with the whole app as context, as a file there would be; it is no usage error."""
    app = make_app({"package.json": json.dumps({"dependencies": {"next": "14.2.15", "@cloudflare/next-on-pages": "1.13.12"}}),
                    "app/api/x/route.ts": "export async function POST() { return new Response('ok') }\n",
                    "app/admin/page.tsx": "import { cookies } from 'next/headers'\n"
                                          "export default function A() { return <p>{String(cookies().get('a'))}</p> }\n"})
    monkeypatch.chdir(app)
    for args in (["app/api"], ["app/api/"]):
        result = cli("check", *args, "--format", "json", "--no-cache")
        assert_clean_exit(result, 1)
        assert {f["path"] for f in json.loads(result.stdout)["findings"]} == {"app/api/x/route.ts"}
    monkeypatch.chdir(app / "app")
    result = cli("check", ".", "--format", "json", "--no-cache")
    assert_clean_exit(result, 1)
    assert {f["path"] for f in json.loads(result.stdout)["findings"]} == {"app/api/x/route.ts", "app/admin/page.tsx"}
