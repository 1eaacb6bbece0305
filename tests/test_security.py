"""The analysed repository is untrusted input.

* Nothing from it is executed, imported or evaluated: next.config files, middleware matchers,
  JSON and TOML are parsed (watched with a Python audit hook: no `exec`/`compile` of its code, no
  import of its modules, no process but git, and the traps it sets never fire).
* No path in it (tsconfig `extends`/`paths`, `loaderFile`, polyfill entries, imports, Wrangler
  `main`, workspaces, symbolic links, a planted cache) makes edgelint read or write outside the
  repository and its cache.
* Every output format escapes file names and messages: text (no terminal control sequences),
  JSON (exact round trip), SARIF (percent-encoded URIs that decode to the path), GitHub workflow
  commands (one command per line, properties escaped) and the markdown audit (table intact).
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import MINIMAL_APP, assert_clean_exit, write_tree
from lintrun import assert_sane, lint

# --------------------------------------------------------------------------------------------
# An audit hook that records what edgelint does while a test asks it to


class Watch:
    events: list[tuple[str, tuple]] | None = None
    thread: int | None = None

    @classmethod
    def hook(cls, event: str, args: tuple) -> None:
        if cls.events is not None and threading.get_ident() == cls.thread and event in WATCHED:
            # relative paths are relative to the working directory of the moment
            cls.events.append((event, tuple(os.path.abspath(os.fsdecode(a)) if isinstance(a, (str, bytes))
                                            and event not in ("compile", "exec", "import") else a for a in args)))

    def __enter__(self):
        Watch.events, Watch.thread = [], threading.get_ident()
        return Watch.events

    def __exit__(self, *exc):
        Watch.events = None


WATCHED = {"open", "exec", "compile", "import", "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn",
           "os.spawn", "os.remove", "os.rename", "os.rmdir", "os.mkdir", "shutil.rmtree", "os.symlink",
           "os.chmod", "os.truncate", "shutil.copyfile", "ctypes.dlopen"}
sys.addaudithook(Watch.hook)


def _path(value) -> Path | None:
    if isinstance(value, (str, bytes, os.PathLike)) and not isinstance(value, int):
        try:
            return Path(os.fsdecode(value)).resolve()
        except (OSError, ValueError):
            return None
    return None


def _under(path: Path | None, folder: Path) -> bool:
    return path is not None and (path == folder or folder in path.parents)


TRAP = "EDGELINT_TRAP_FIRED"
TRAPS = {
    "next.config.js": f"require('fs').writeFileSync('{TRAP}', 'next.config.js ran');\n"
                      f"require('child_process').execSync('touch {TRAP}');\n"
                      "module.exports = { images: { loader: 'custom', loaderFile: '../outside/loader.js' },\n"
                      "  webpack(config) { const entry = config.entry; config.entry = async () => { const e = await "
                      "entry(); e['main.js'].unshift(require('path').resolve(__dirname, '../outside/polyfill.js'));"
                      " return e }; return config } };\n",
    "middleware.ts": "export const config = { matcher: [(() => { throw new Error('ran') })(), '/api/:path*', "
                     "`/${require('fs').readFileSync('/etc/passwd')}`] };\n"
                     "export function middleware() {}\n",
    "package.json": json.dumps({"name": "trap", "dependencies": {"next": "14.2.15", "@cloudflare/next-on-pages": "1"},
                                "scripts": {"prepare": f"touch {TRAP}", "postinstall": f"touch {TRAP}"},
                                "workspaces": ["../outside/*"], "main": "../outside/index.js"}),
    "tsconfig.json": '{ "extends": "../outside/tsconfig.json", "compilerOptions": { "baseUrl": "..", '
                     '"paths": { "@/*": ["../outside/*"], "#abs/*": ["/etc/*"] } } }',
    "wrangler.toml": 'pages_build_output_dir = "../outside"\nmain = "../outside/worker.js"\n'
                     '[[kv_namespaces]]\nbinding = "KV"\nid = "x"\n',
    "edgelint.toml": f'exclude = ["../outside/**"]\n',
    "conftest.py": f"open('{TRAP}', 'w').write('imported')\n",
    "sitecustomize.py": f"open('{TRAP}', 'w').write('imported')\n",
    "edgelint/__init__.py": f"open('{TRAP}', 'w').write('imported')\n",
    "app/api/x/route.ts": "import secret from '../../../../outside/secret';\nimport other from '@/secret';\n"
                          "import abs from '#abs/passwd';\nexport const runtime = 'edge';\n"
                          "export async function POST() { return new Response(secret + other + abs); }\n",
    "app/page.tsx": "import Image from 'next/image';\nexport default function P() { return "
                    "<Image src='/cdn-cgi/image/width=10/x.png' width={10} height={10} alt='' />; }\n",
}


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    files = {"secret.ts": "export default 'OUTSIDE-SECRET';\n", "tsconfig.json": '{"compilerOptions": {}}',
             "loader.js": "export default function loader() { return 'OUTSIDE-SECRET' }\n",
             "polyfill.js": "globalThis.OUTSIDE = 'OUTSIDE-SECRET';\n", "worker.js": "OUTSIDE-SECRET\n",
             "index.js": "OUTSIDE-SECRET\n", "package.json": '{"name": "outside", "dependencies": {"next": "1"}}'}
    write_tree(outside, files)
    return outside


def _git_trap(root: Path) -> None:
    """Make `root` a git work tree whose own config names a program: git starts `core.fsmonitor`
    for `git ls-files`, which edgelint runs to list the files."""
    import subprocess

    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "config", "core.fsmonitor", f"touch {TRAP}; echo"], check=True)


def test_nothing_from_the_repository_runs_and_nothing_outside_is_touched(tmp_path, cli):
    outside = _outside(tmp_path)
    root = write_tree(tmp_path / "repo", {**MINIMAL_APP, **TRAPS})
    _git_trap(root)
    (root / "app" / "linked").symlink_to(outside, target_is_directory=True)
    (root / "app" / "linked-secret.ts").symlink_to(outside / "secret.ts")
    cache = tmp_path / "cache"
    cwd = os.getcwd()
    os.chdir(root)  # a trap that writes relative to the working directory would land here
    try:
        with Watch() as events:
            for fmt in ("text", "json", "sarif", "github"):
                result = cli("check", ".", "--format", fmt, "--cache-dir", cache)
                assert_clean_exit(result, 0, 1)
            result = cli("audit", ".", "--format", "markdown")
            assert_clean_exit(result, 0, 1, 2)
            outcome = lint(root, cache_dir=cache)
    finally:
        os.chdir(cwd)
    assert not (root / TRAP).exists() and not (tmp_path / TRAP).exists()
    assert "OUTSIDE-SECRET" not in "\n".join(outcome.outputs.values())
    assert_sane(outcome)
    assert any(e == "open" for e, _ in events) and any(e == "subprocess.Popen" for e, _ in events)  # it watched
    repo = root.resolve()
    caches = [cache.resolve(), repo / ".edgelint_cache"]  # --cache-dir, and `audit`'s default
    for event, args in events:
        if event in ("exec", "compile"):
            source = args[0] if event == "compile" else None
            filename = args[1] if event == "compile" and len(args) > 1 else ""
            assert not _under(_path(filename), repo), f"{event} of repository code: {filename}"
            assert not (isinstance(source, (str, bytes)) and (TRAP in os.fsdecode(source)
                                                             if isinstance(source, bytes) else TRAP in source)), \
                f"{event} of repository text"
        elif event == "import":
            assert not _under(_path(args[1]), repo), f"imported {args[0]} from the repository ({args[1]})"
        elif event in ("subprocess.Popen", "os.posix_spawn", "os.exec", "os.spawn"):
            program = os.path.basename(os.fsdecode(args[0] if event != "subprocess.Popen" else
                                                   (args[1][0] if args[1] else args[0])))
            assert program == "git", f"ran {args}"
        elif event in ("os.system", "ctypes.dlopen"):
            assert event != "os.system", f"os.system{args}"
        elif event == "open":
            path = _path(args[0])
            assert not _under(path, outside.resolve()), f"opened {path} outside the repository"
            writing = isinstance(args[1], str) and any(c in args[1] for c in "wax+") or (
                isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            if writing and path is not None:
                assert any(_under(path, c) for c in caches), f"wrote {path} outside the caches"
        else:  # remove, rename, mkdir, rmtree, chmod, …
            for value in args:
                path = _path(value)
                if path is not None and path.is_absolute():
                    assert any(_under(path, c) for c in caches), f"{event} {path} outside the caches"


def test_a_planted_cache_is_not_trusted(tmp_path, cli):
    """A repository that commits .edgelint_cache (forged results), or makes it a link out of the
    repository, lints as if there were no cache, and nothing outside is written."""
    import subprocess

    outside = _outside(tmp_path)
    root = write_tree(tmp_path / "repo", {**MINIMAL_APP, "app/api/x/route.ts":
                                          "import fs from 'fs';\nexport const runtime = 'edge';\n"
                                          "export async function POST() { return new Response(fs); }\n"})
    expected = cli("check", root, "--format", "json", "--no-cache").stdout
    assert cli("check", root, "--format", "json").stdout == expected  # writes .edgelint_cache
    for shard in (root / ".edgelint_cache").rglob("c-*.json"):
        data = json.loads(shard.read_text())
        for entry in data.values():
            entry["findings"] = []  # forge: nothing to report
        shard.write_text(json.dumps(data))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-f", "-A"], cwd=root, check=True)
    assert cli("check", root, "--format", "json").stdout == expected  # the committed cache is not used
    # a link to a folder outside the repository
    subprocess.run(["git", "rm", "-r", "-q", "--cached", ".edgelint_cache"], cwd=root, check=True)
    import shutil

    shutil.rmtree(root / ".edgelint_cache")
    (root / ".edgelint_cache").symlink_to(outside, target_is_directory=True)
    before = sorted(p.name for p in outside.rglob("*"))
    result = cli("check", root, "--format", "json")
    assert_clean_exit(result, 1)
    assert result.stdout == expected
    assert sorted(p.name for p in outside.rglob("*")) == before


def test_cache_dir_config_cannot_delete_or_overwrite_repository_files(tmp_path, cli):
    """`cache-dir = "."` (or `app`) keeps every file of the repository: edgelint removes only its
    own cache files, never other folders, and adds no .gitignore to a folder it did not create."""
    root = write_tree(tmp_path / "repo", {**MINIMAL_APP, "edgelint.toml": 'cache-dir = "."\n',
                                          "0123456789abcdef/keep.txt": "a folder named like a cache folder\n",
                                          "lib/util.ts": "export const x = 1;\n"})
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    for _ in range(2):
        assert_clean_exit(cli("check", root), 0)
    after = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert set(before) <= set(after)
    assert ".gitignore" not in after
    assert (root / "0123456789abcdef" / "keep.txt").read_text() == "a folder named like a cache folder\n"


# --------------------------------------------------------------------------------------------
# Escaping in every output format


HOSTILE_DIRS = ["app/esc\x1b[31mred\x1b[0m", "app/new\nline", "app/cr\rret", "app/we,ird:na%me",
                "app/pipe|tick`star*", "app/<script>alert(1)</script>", "app/::error file=x::pwned",
                "app/%0A%25", "app/bell\x07nul"]
EDGE_FS = "import fs from 'fs';\nexport const runtime = 'edge';\nexport default function P() { return fs; }\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    if sys.platform == "win32":
        pytest.skip("these names are not allowed on Windows")
    root = write_tree(tmp_path_factory.mktemp("hostile") / "a|b\x1b[1m`", {
        **MINIMAL_APP, **{f"{d}/page.tsx": EDGE_FS for d in HOSTILE_DIRS}})
    outcome = lint(root)
    assert_sane(outcome)
    expected = {f"{d}/page.tsx" for d in HOSTILE_DIRS}
    assert {f.path for f in outcome.findings if f.code == "EDGE201"} == expected
    return outcome


def _controls(text: str) -> list[str]:
    return sorted({repr(ch) for ch in text if (ord(ch) < 32 and ch != "\n") or 0x7f <= ord(ch) < 0xa0})


def test_text_output_has_no_control_characters(hostile):
    assert _controls(hostile.outputs["text"]) == []
    assert _controls(hostile.outputs["audit-text"]) == []
    assert "app/esc\\x1b[31mred\\x1b[0m/page.tsx" in hostile.outputs["text"]


def test_json_round_trips_paths_and_messages(hostile):
    for name in ("json", "audit-json"):
        doc = json.loads(hostile.outputs[name])
        assert doc
    doc = json.loads(hostile.outputs["json"])
    assert {f["path"] for f in doc["findings"]} == {f.path for f in hostile.findings}
    assert [f["message"] for f in doc["findings"]] == [f.message for f in hostile.findings]


def test_sarif_uris_decode_to_the_paths(hostile):
    doc = json.loads(hostile.outputs["sarif"])
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]]
    assert [unquote(u) for u in uris] == [f.path for f in hostile.findings]
    for uri in uris:
        assert re.fullmatch(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]+", uri), uri  # RFC 3986 characters only


def _unescape_property(value: str) -> str:
    return (value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",")
            .replace("%25", "%"))


def test_github_annotations_are_one_command_per_finding(hostile):
    lines = hostile.outputs["github"].rstrip("\n").split("\n")
    assert len(lines) == len(hostile.findings)
    for line, finding in zip(lines, hostile.findings):
        match = re.fullmatch(r"::(error|warning|notice) (file=[^,]*,line=\d+,endLine=\d+,col=\d+,endColumn=\d+,"
                             r"title=[^,:]*)::(.*)", line)
        assert match, line
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        assert _controls(line) == [], line
        assert "\r" not in line
        if not _controls(finding.path):
            assert _unescape_property(props["file"]) == finding.path


def test_markdown_audit_keeps_its_table(hostile):
    markdown = hostile.outputs["audit-markdown"]
    assert "<script>" not in markdown
    assert _controls(markdown) == []
    lines = markdown.split("\n")
    header = next(i for i, line in enumerate(lines) if line.startswith("| ") and "ROUTE" in line.upper())
    columns = lines[header].count(" | ") + 1
    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        assert len(cells) == columns, line
