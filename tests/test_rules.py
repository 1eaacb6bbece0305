"""Rule fixtures: `fixtures/rules/<CODE>/<case>/` (or `fixtures/rules/<CODE>/` itself when it holds a
package.json) is a mini Next.js tree; its comments say what edgelint must report.

    export const runtime = "nodejs"; // expect: EDGE101          this line, with that code
    // expect: EDGE101, EDGE104                                  alone on its line: the next code line
    {/* expect: EDGE401 */}                                      JSX form (alone: the next code line)
    binding = "CACHE"  # expect: EDGE302                         TOML (`#` comments, .toml files only)
    export const runtime = "edge"; // ok: EDGE101                a true negative: must NOT be reported

A comment that is alone on its line (only whitespace, or `{` for the JSX form, before it) applies
to the next line that is neither blank nor a comment; at the end of a code line it applies to that
line. Lines are where a finding starts.

Each tree is linted in-process with `--select <CODE>` semantics (config from the tree's own
`edgelint.toml` if any, e.g. `target = "opennext"`), and:
  * the (path, line) pairs reported for CODE must equal the `expect: CODE` lines exactly (a tree
    without any `expect:` must stay silent), and no `ok: CODE` line may be reported;
  * other codes a tree mentions are checked one way, with their own `--select`: their `expect:`
    lines must be reported and their `ok:` lines must not (the tree need not list all their
    findings; that is their own fixtures' job);
  * a check that crashes (EDGE906) fails the case;
  * the text report of the CODE findings (no colour) is snapshotted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import FIXTURES

RULES = FIXTURES / "rules"
SKIPPED_DIRS = {".git", "node_modules"}
CODE_RE = r"[A-Z]+[0-9]+"
MARKER = re.compile(rf"(?P<lead>//|/\*|#)[ \t]*(?P<kind>expect|ok)[ \t]*:[ \t]*(?P<codes>{CODE_RE}(?:[ \t]*,[ \t]*{CODE_RE})*)")


# --------------------------------------------------------------------------------------------
# Finding the trees


def discover_trees(rules_dir: Path = RULES) -> list[tuple[str, Path]]:
    """(code, tree) for every fixture tree, sorted."""
    trees: list[tuple[str, Path]] = []
    if not rules_dir.is_dir():
        return trees
    for code_dir in sorted(p for p in rules_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if (code_dir / "package.json").is_file():
            trees.append((code_dir.name, code_dir))
            continue
        for case in sorted(p for p in code_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
            trees.append((code_dir.name, case))
    return trees


def tree_id(code: str, tree: Path) -> str:
    return tree.relative_to(RULES).as_posix()


# --------------------------------------------------------------------------------------------
# Reading the expectations


@dataclass
class Expectations:
    expect: dict[str, set[tuple[str, int]]] = field(default_factory=dict)  # code -> {(path, line)}
    ok: dict[str, set[tuple[str, int]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # malformed fixtures
    lines: dict[tuple[str, int], str] = field(default_factory=dict)  # (path, line) -> text, for messages

    @property
    def codes(self) -> set[str]:
        return set(self.expect) | set(self.ok)

    def text(self, path: str, line: int) -> str:
        return self.lines.get((path, line), "")


def _is_comment_only(stripped: str, toml: bool) -> bool:
    if toml:
        return stripped.startswith("#")
    return stripped.startswith(("//", "/*", "*", "{/*"))


def read_expectations(tree: Path) -> Expectations:
    found = Expectations()
    for file in sorted(tree.rglob("*")):
        rel_parts = file.relative_to(tree).parts
        if not file.is_file() or any(part in SKIPPED_DIRS for part in rel_parts[:-1]):
            continue
        data = file.read_bytes()
        if b"\0" in data[:8192]:
            continue
        rel = "/".join(rel_parts)
        read_file(rel, data.decode("utf-8", "replace"), found)
    return found


def read_file(rel: str, text: str, found: Expectations) -> None:
    """Add the markers of one file to `found`."""
    toml = rel.endswith(".toml")
    lines = re.split(r"\r\n|\r|\n", text)
    for number, line in enumerate(lines, 1):
        found.lines[(rel, number)] = line.strip()
    pending: list[tuple[int, str, list[str]]] = []  # own-line markers waiting for a code line
    for number, line in enumerate(lines, 1):
        markers = [m for m in MARKER.finditer(line) if (m.group("lead") == "#") == toml]
        stripped = line.strip()
        if markers and line[: markers[0].start()].strip() in ("", "{"):
            pending.extend((number, m.group("kind"), _codes(m)) for m in markers)
            continue
        targets = [(number, m.group("kind"), _codes(m)) for m in markers]  # at the end of this line
        if stripped and not _is_comment_only(stripped, toml):
            targets, pending = pending + targets, []
        for _where, kind, codes in targets:
            for code in codes:
                getattr(found, kind).setdefault(code, set()).add((rel, number))
    for where, kind, codes in pending:
        found.errors.append(f"{rel}:{where}: `{kind}: {', '.join(codes)}` has no code line after it")
    for code in found.codes:
        for path, line in sorted(found.expect.get(code, set()) & found.ok.get(code, set())):
            if path == rel:
                found.errors.append(f"{rel}:{line}: both `expect: {code}` and `ok: {code}`")


def _codes(match: re.Match) -> list[str]:
    return [c.strip() for c in match.group("codes").split(",")]


# --------------------------------------------------------------------------------------------
# Running edgelint on a tree


def run_tree(tree: Path, codes: list[str]):
    """Lint `tree` as `edgelint check TREE --select CODES` would, with the tree's own config."""
    from edgelint import config as config_module, engine, registry
    from edgelint.cli import TARGET_CHOICES

    option_types: dict[str, list[type]] = {}
    for check in registry.all_checks():
        if check.Options is not None:
            option_types.setdefault(check.area, []).append(check.Options)
    location = next((tree / n for n in config_module.CONFIG_NAMES if (tree / n).is_file()), None)
    config = config_module.load(location, TARGET_CHOICES, option_types)
    checks = registry.select(codes, [], [])
    return engine.run([tree], config, checks)


def _registered() -> set[str]:
    from edgelint import registry

    return {c.code for c in registry.all_checks()}


def _describe(found: Expectations, pairs, messages: dict | None = None) -> list[str]:
    out = []
    for path, line in sorted(pairs):
        extra = f"    <- {messages[(path, line)]}" if messages and (path, line) in messages else ""
        out.append(f"    {path}:{line}: {found.text(path, line)}{extra}")
    return out


def _crashes(result) -> list[str]:
    return [f"{f.path}:{f.span.line}: {f.message}" for f in result.findings if f.code == "EDGE906"]


TREES = discover_trees()


@pytest.mark.parametrize(("code", "tree"), TREES, ids=[tree_id(c, t) for c, t in TREES])
def test_rule_fixture(code, tree, snapshot):
    from edgelint.config import ConfigError
    from edgelint.reporters import render

    where = tree.relative_to(FIXTURES.parent).as_posix() if tree.is_relative_to(FIXTURES.parent) else str(tree)
    found = read_expectations(tree)
    if found.errors:
        pytest.fail(f"{where}: malformed fixture:\n  " + "\n  ".join(found.errors), pytrace=False)
    registered = _registered()
    unknown = sorted(c for c in found.codes | {code} if c not in registered)
    if unknown:
        pytest.fail(f"{where}: no registered check has the code {', '.join(unknown)} "
                    f"(known: {', '.join(sorted(registered))})", pytrace=False)

    try:
        result = run_tree(tree, [code])
    except ConfigError as error:
        pytest.fail(f"{where}: edgelint stopped with a usage/config error: {error}", pytrace=False)
    problems = [f"check crashed: {c}" for c in _crashes(result)]
    reported = {(f.path, f.span.line) for f in result.findings if f.code == code}
    messages = {(f.path, f.span.line): f.message for f in result.findings if f.code == code}
    expected = found.expect.get(code, set())
    if expected - reported:
        problems += [f"{code} missing (expected, not reported):", *_describe(found, expected - reported)]
    if reported - expected - found.ok.get(code, set()):
        problems += [f"{code} unexpected (reported, no `expect: {code}`):",
                     *_describe(found, reported - expected - found.ok.get(code, set()), messages)]
    if reported & found.ok.get(code, set()):
        problems += [f"{code} reported on an `ok: {code}` line:",
                     *_describe(found, reported & found.ok.get(code, set()), messages)]

    for other in sorted(found.codes - {code}):
        other_result = run_tree(tree, [other])
        problems += [f"check crashed: {c}" for c in _crashes(other_result)]
        got = {(f.path, f.span.line) for f in other_result.findings if f.code == other}
        other_messages = {(f.path, f.span.line): f.message for f in other_result.findings if f.code == other}
        if found.expect.get(other, set()) - got:
            problems += [f"{other} missing (expected, not reported):",
                         *_describe(found, found.expect[other] - got)]
        if got & found.ok.get(other, set()):
            problems += [f"{other} reported on an `ok: {other}` line:",
                         *_describe(found, got & found.ok[other], other_messages)]

    if problems:
        pytest.fail(f"{where} (--select {code}):\n  " + "\n  ".join(problems), pytrace=False)

    result.findings = [f for f in result.findings if f.code == code]
    assert render("text", result, color=False) == snapshot


# --------------------------------------------------------------------------------------------
# The harness itself (so a broken harness cannot pass every fixture)


def _expectations(files: dict[str, str]) -> Expectations:
    found = Expectations()
    for rel, text in files.items():
        read_file(rel, text, found)
    return found


def test_harness_reads_trailing_own_line_jsx_and_toml_markers():
    found = _expectations({
        "app/page.tsx": (
            "// a plain comment\n"
            "export const runtime = 'nodejs'; // expect: EDGE101\n"
            "// expect: EDGE102, EDGE103\n"
            "\n"
            "/** a doc comment\n"
            " * in between */\n"
            "export const dynamic = 'force-dynamic';\n"
            "export default function Page() {\n"
            "  return (\n"
            "    <div>\n"
            "      {/* expect: EDGE401 */}\n"
            "      <img src='/cdn-cgi/image/x' />\n"
            "      <img src='/y' /> {/* ok: EDGE401 */}\n"
            "    </div>\n"
            "  );\n"
            "}\n"
        ),
        "wrangler.toml": "# expect: EDGE302\n[[kv_namespaces]]\nbinding = 'X'  # ok: EDGE303\n",
        "lib/x.ts": "const a = 1; # expect: EDGE999\n",  # `#` is not a comment outside TOML
    })
    assert not found.errors
    assert found.expect == {"EDGE101": {("app/page.tsx", 2)}, "EDGE102": {("app/page.tsx", 7)},
                            "EDGE103": {("app/page.tsx", 7)}, "EDGE401": {("app/page.tsx", 12)},
                            "EDGE302": {("wrangler.toml", 2)}}
    assert found.ok == {"EDGE401": {("app/page.tsx", 13)}, "EDGE303": {("wrangler.toml", 3)}}
    assert found.text("app/page.tsx", 12) == "<img src='/cdn-cgi/image/x' />"


def test_harness_crlf_and_dangling_and_contradictory_markers():
    found = _expectations({"a.ts": "x();\r\n// expect: EDGE1\r\ny(); // ok: EDGE1\r\n// expect: EDGE2\r\n"})
    assert found.expect == {"EDGE1": {("a.ts", 3)}}
    assert found.ok == {"EDGE1": {("a.ts", 3)}}
    assert any("EDGE2" in e and "no code line" in e for e in found.errors)
    assert any("both `expect: EDGE1` and `ok: EDGE1`" in e for e in found.errors)


def test_harness_trailing_marker_on_a_comment_line_targets_that_line():
    found = _expectations({"a.ts": "// expect: EDGE1\n"
                                   "// edgelint-disable-next-line EDGE2 -- why // expect: EDGE904\n"
                                   "f();\n"})
    assert found.expect == {"EDGE904": {("a.ts", 2)}, "EDGE1": {("a.ts", 3)}}
    assert not found.errors


def test_harness_discovers_cases_and_single_trees(tmp_path):
    (tmp_path / "EDGE101" / "a").mkdir(parents=True)
    (tmp_path / "EDGE101" / "b").mkdir()
    (tmp_path / "EDGE102" / "app").mkdir(parents=True)
    (tmp_path / "EDGE102" / "package.json").write_text("{}")
    (tmp_path / "EDGE103").mkdir()
    assert discover_trees(tmp_path) == [("EDGE101", tmp_path / "EDGE101" / "a"),
                                        ("EDGE101", tmp_path / "EDGE101" / "b"),
                                        ("EDGE102", tmp_path / "EDGE102")]
    assert discover_trees(tmp_path / "missing") == []


def test_harness_compares_with_real_findings(tmp_path):
    """A broken wrangler.toml gives EDGE902 at the error line: the harness sees it there."""
    from conftest import MINIMAL_APP, write_tree

    tree = write_tree(tmp_path / "t", {**MINIMAL_APP, "wrangler.toml": 'name = "x"\n# expect: EDGE902\nmain = "\n'})
    found = read_expectations(tree)
    result = run_tree(tree, ["EDGE902"])
    assert {(f.path, f.span.line) for f in result.findings if f.code == "EDGE902"} == found.expect["EDGE902"] \
        == {("wrangler.toml", 3)}
