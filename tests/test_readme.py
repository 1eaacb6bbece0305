"""The README stays true: its first two commands, and every rule listed."""

import re

from conftest import REPO
from edgelint import registry


def test_readme_starts_with_the_two_commands():
    text = (REPO / "README.md").read_text("utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1).strip().splitlines()
    assert len(block) == 2
    assert "pip install ." in block[0] and "edgelint audit fixtures/apps/" in block[0]
    app = block[0].rsplit("fixtures/apps/", 1)[1].split()[0]
    assert (REPO / "fixtures" / "apps" / app).is_dir()
    assert "pip install -e '.[test]'" in block[1] and block[1].endswith("pytest")


def test_readme_lists_every_rule():
    text = (REPO / "README.md").read_text("utf-8")
    missing = [c.code for c in registry.all_checks() if f"| {c.code} | `{c.name}` |" not in text]
    assert not missing, f"README rules table lacks {missing} (regenerate it from `edgelint rules --format json`)"
