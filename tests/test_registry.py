"""Finding checks: plugins registered as `edgelint.checks` entry points by installed distributions.

Each test runs a fresh interpreter, with a folder on PYTHONPATH that holds a distribution's
metadata (as an installer leaves it) and the plugin's module.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

PLUGIN = textwrap.dedent('''
    from edgelint.api import Check

    class NoTodo(Check):
        """Reports nothing: a plugin check for the registry tests."""
        code, name, area = "EDGE995", "no-todo", "meta"

        def run(self, ctx):
            return ()
''')


def _python(tmp_path, code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)


def _install(tmp_path, folder: str, entry_points: str) -> None:
    (tmp_path / "todo_plugin.py").write_text(PLUGIN)
    info = tmp_path / folder
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: edgelint-todo\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)


LIST_CODES = "import json; from edgelint import registry; print(json.dumps([c.code for c in registry.all_checks()]))"


def test_a_plugin_distribution_adds_its_checks(tmp_path):
    _install(tmp_path, "edgelint_todo-1.0.dist-info", "[edgelint.checks]\ntodo = todo_plugin\n")
    result = _python(tmp_path, LIST_CODES)
    assert result.returncode == 0, result.stderr
    codes = json.loads(result.stdout)
    assert "EDGE995" in codes and "EDGE101" in codes


def test_a_distribution_without_the_group_adds_nothing(tmp_path):
    _install(tmp_path, "edgelint_todo-1.0.dist-info", "[console_scripts]\ntodo = todo_plugin:main\n")
    result = _python(tmp_path, LIST_CODES)
    assert result.returncode == 0, result.stderr
    assert "EDGE995" not in json.loads(result.stdout)


def test_importlib_metadata_is_not_imported_without_plugins(tmp_path):
    """Its import costs a tenth of a pre-commit run; only plugins need it."""
    result = _python(tmp_path, "import sys; from edgelint import registry; registry.all_checks(); "
                               "print('importlib.metadata' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("written, shown", [
    ("with any leading '/' removed (REFERENCE.md §4.1)", "with any leading '/' removed"),
    ("(`src.slice(1)`, REFERENCE.md §4.2, §4.5).", "(`src.slice(1)`)."),
    ("once more each time (REFERENCE.md §6.3 pitfall 3). Test it first.", "once more each time. Test it first."),
    ("neither the edge runtime (REFERENCE.md §2.1, Next.js) provides", "neither the edge runtime (Next.js) provides"),
    ("as documented — REFERENCE.md §0.2, §1.4.", "as documented."),
    ("no citation here (§ is just a sign)", "no citation here (§ is just a sign)"),
    ("the Node.js server bundles get it too (§6.3 pitfall 2). Guard", "the Node.js server bundles get it too. Guard"),
    ("both (§2.3, §2.4) say so", "both say so"),
    ("never calls the hook (REFERENCE.md §6.3 item 7). Build", "never calls the hook. Build"),
    ('("no `turbopack` config", REFERENCE.md §6.3 item 7). Build', '("no `turbopack` config"). Build'),
    ('only part of it (REFERENCE.md §2.4 "next.config support"). An', "only part of it. An"),
])
def test_messages_drop_citations_of_the_projects_own_notes(written, shown):
    """Users have no REFERENCE.md: the rules' docs cite it, their messages do not."""
    from edgelint.api import user_text

    assert user_text(written) == shown


def test_rule_docs_stand_on_their_own():
    """The docs users read cite no unshipped notes; every section a rule's docstring cites has
    public sources, listed under `## Sources`."""
    import inspect

    from edgelint import registry
    from edgelint.sources import SOURCES, cited_sections

    for check in registry.all_checks():
        written, shown = inspect.cleandoc(check.__doc__ or ""), check.docs()
        assert "REFERENCE" not in shown and "§" not in shown, check.code
        cited = cited_sections(written)
        assert not [s for s in cited if s not in SOURCES], check.code
        if cited:
            listed = shown.split("\n## Sources\n", 1)[1].splitlines()
            assert listed and all(re.fullmatch(r"- \[[^\]]+\]\(https://[^\s)]+\)", line) for line in listed), check.code
