"""`edgelint.fingerprint.line_hashes` (GitHub's primaryLocationLineHash) against the published test
vectors of github/codeql-action, which `../shared/tools/sarif_check.py --self-test` carries; they
are imported from there at test time (not copied here), with that tool's independent port of the
algorithm as a second opinion for line endings, tabs and non-BMP text.
"""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import given, settings, strategies as st

from edgelint.fingerprint import line_hashes

from conftest import SARIF_CHECK


@pytest.fixture(scope="module")
def tool():
    if not SARIF_CHECK.is_file():
        pytest.skip(f"{SARIF_CHECK} not found (the shared/ folder beside the checkout holds the test vectors)")
    spec = importlib.util.spec_from_file_location("shared_sarif_check", SARIF_CHECK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ordered(hashes: dict[int, str]) -> list[str]:
    assert sorted(hashes) == list(range(1, len(hashes) + 1)), f"line numbers are not 1..n: {sorted(hashes)}"
    return [hashes[k] for k in sorted(hashes)]


def test_published_vectors(tool):
    vectors = tool._SELF_TEST_VECTORS
    assert len(vectors) >= 5
    for text, expected in vectors:
        assert ordered(line_hashes(text)) == expected, f"vector {text[:30]!r}"


def test_empty_file_has_one_line():
    assert line_hashes("") == {1: "c129715d7a2bc9a3:1"}


def test_crlf_and_cr_read_as_lf():
    lf = "export const runtime = 'edge';\n\tconst a = 1;\n\n  return a\n"
    assert line_hashes(lf.replace("\n", "\r\n")) == line_hashes(lf)
    assert line_hashes(lf.replace("\n", "\r")) == line_hashes(lf)
    assert line_hashes("a\r\nb\rc\nd") == line_hashes("a\nb\nc\nd")


def test_spaces_and_tabs_are_ignored_but_other_whitespace_is_not():
    assert line_hashes("a b\tc\n\t\td\n") == line_hashes("abc\nd\n")
    assert line_hashes("a\fb\n") != line_hashes("ab\n")
    assert line_hashes("a\u00a0b\n") != line_hashes("ab\n")


def test_lines_differ_and_counts_repeat():
    hashes = line_hashes("x\ny\nx\n")
    assert hashes[1] != hashes[2]
    # identical 100-character windows get increasing counts
    repeated = line_hashes("same\n" * 30)
    assert ordered(repeated)[:3] == [f"{repeated[1].split(':')[0]}:{n}" for n in (1, 2, 3)]


def test_a_change_after_100_characters_does_not_move_the_hash():
    head = "const a = 1;\n"
    far = "x" * 120
    assert line_hashes(head + far + "1\n")[1] == line_hashes(head + far + "2\n")[1]
    assert line_hashes(head + "1\n")[1] != line_hashes(head + "2\n")[1]


@pytest.mark.parametrize("text", [
    "a\r\n\r\nb\r",
    "\r\r\n\n\r",
    "\t\t\n \t \n\t",
    "emoji 😀 and 𝒳 outside the BMP\nnext line\n",
    "const s = '\ud7ff\ue000';\r\n",
    "x" * 250 + "\n" + "y" * 99 + "\r\n" + "z",
])
def test_agrees_with_the_reference_port(tool, text):
    assert line_hashes(text) == tool.line_hashes(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", "\t", "\n", "\r", "\r\n", "é", "😀", "\u2028", "\x00", "xyz" * 20]),
                max_size=200).map("".join))
def test_agrees_with_the_reference_port_on_any_text(tool, text):
    assert line_hashes(text) == tool.line_hashes(text)
