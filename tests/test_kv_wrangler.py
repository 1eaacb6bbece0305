"""Wrangler config reading as the KV checks use it (`edgelint/wrangler.py`): binding positions per
section, section spans, environments; JSONC with a leading comment."""

from __future__ import annotations

from edgelint import wrangler
from edgelint.parsing import Span

TOML = b'''name = "shop"
pages_build_output_dir = ".vercel/output/static"

[[kv_namespaces]]
binding = "CACHE"
id = "a"

[env.production]
kv_namespaces = [
  { binding = "CACHE", id = "b" },
  { binding = "SESSIONS", id = "c" },
]

[[env."staging-eu".kv_namespaces]]
binding = "CACHE"
id = "d"
'''


def test_toml_bindings_point_at_their_own_section():
    config = wrangler.load("wrangler.toml", TOML)
    found = [(b.name, b.env, b.span.line) for b in config.bindings]
    assert found == [("CACHE", "", 5), ("CACHE", "production", 10), ("SESSIONS", "production", 11),
                     ("CACHE", "staging-eu", 15)]
    assert config.bindings[1].span == Span(10, 5, 10, 22)


def test_toml_sections_and_environments():
    config = wrangler.load("wrangler.toml", TOML)
    assert config.environments == ["production", "staging-eu"]
    assert config.section_span("", "kv_namespaces").line == 4
    assert config.section_span("production").line == 8
    assert config.section_span("production", "kv_namespaces").line == 9
    assert config.section_span("staging-eu", "kv_namespaces").line == 14
    assert config.section_span("production", "vars") == config.section_span("production")
    assert "kv_namespaces" in config.section("production") and config.section("nope") == {}


def test_jsonc_with_leading_comment_and_trailing_commas():
    data = b'''/**
 * A worker
 */
{
  "main": ".open-next/worker.js",
  // caches
  "kv_namespaces": [
    { "binding": "VIEWS", "id": "x" },
  ],
  "env": { "staging": { "kv_namespaces": [{ "binding": "VIEWS", "id": "y" }] } },
}
'''
    config = wrangler.load("wrangler.jsonc", data)
    assert [(b.name, b.env, b.span.line) for b in config.bindings] == [("VIEWS", "", 8), ("VIEWS", "staging", 10)]
    assert config.section_span("", "kv_namespaces").line == 7
    assert config.section_span("staging").line == 10
    assert config.environments == ["staging"]


def test_toml_span_without_sections_is_unchanged():
    lines = ['binding = "A"', 'x = { binding = "A" }']
    assert wrangler._toml_span(lines, "binding", "A") == Span(1, 1, 1, 14)
