"""Reading Wrangler configuration (`wrangler.toml`, `wrangler.json`, `wrangler.jsonc`), REFERENCE.md §3.3.

Bindings are collected from the top level and from every `[env.<name>]` section, each with the
position of its declaration so findings can point at it. A file that does not parse yields a
`WranglerError` with the position the parser reported; it is never executed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from edgelint import jsonc
from edgelint.parsing import Span

WRANGLER_NAMES = ("wrangler.toml", "wrangler.json", "wrangler.jsonc")
#: Binding kinds edgelint reads: config key -> (kind, field that holds the binding name).
BINDING_KEYS = {"kv_namespaces": ("kv", "binding"), "ratelimits": ("ratelimit", "name"),
                "r2_buckets": ("r2", "binding"), "d1_databases": ("d1", "binding"),
                "services": ("service", "binding")}


@dataclass(frozen=True)
class Binding:
    name: str
    kind: str  # 'kv' | 'ratelimit' | 'r2' | 'd1' | 'service' | 'var' | …
    env: str  # '' for the top level, else the environment name
    path: str
    span: Span
    data: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass
class WranglerConfig:
    path: str
    data: dict
    bindings: list[Binding]

    @property
    def is_pages(self) -> bool:
        return "pages_build_output_dir" in self.data

    @property
    def is_worker(self) -> bool:
        return "main" in self.data

    def bindings_of(self, kind: str) -> list[Binding]:
        return [b for b in self.bindings if b.kind == kind]


class WranglerError(ValueError):
    def __init__(self, path: str, message: str, span: Span):
        super().__init__(message)
        self.path = path
        self.span = span


def load(path: str, data: bytes) -> WranglerConfig:
    if path.endswith(".toml"):
        return _load_toml(path, data)
    try:
        document = jsonc.loads(path, data)
    except jsonc.JsoncError as error:
        raise WranglerError(path, str(error), error.span) from None
    if not isinstance(document.value, dict):
        raise WranglerError(path, "the top level must be an object", Span(1, 1, 1, 1))
    bindings = []
    for env, section, prefix in _sections(document.value):
        for kind, name, item_data, index, key in _binding_items(section):
            span = (document.span_of(*prefix, key, index, BINDING_KEYS.get(key, ("", "binding"))[1])
                    or document.span_of(*prefix, key, index) or Span(1, 1, 1, 1))
            bindings.append(Binding(name, kind, env, path, span, item_data))
    return WranglerConfig(path, document.value, bindings)


def _sections(data: dict):
    yield "", data, ()
    envs = data.get("env")
    if isinstance(envs, dict):
        for name, section in envs.items():
            if isinstance(section, dict):
                yield name, section, ("env", name)


def _binding_items(section: dict):
    for key, (kind, name_field) in BINDING_KEYS.items():
        items = section.get(key)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get(name_field), str):
                yield kind, item[name_field], item, index, key
    unsafe = section.get("unsafe")
    if isinstance(unsafe, dict) and isinstance(unsafe.get("bindings"), list):
        for index, item in enumerate(unsafe["bindings"]):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                yield str(item.get("type", "unsafe")), item["name"], item, index, "unsafe.bindings"


def _load_toml(path: str, data: bytes) -> WranglerConfig:
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+), column (\d+)", str(error))
        line, col = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error)) or "invalid TOML"
        raise WranglerError(path, f"invalid TOML: {message}", Span(line, col, line, col + 1)) from None
    lines = text.splitlines()
    bindings = []
    for env, section, _prefix in _sections(parsed):
        for kind, name, item_data, _index, key in _binding_items(section):
            name_field = "name" if key in ("ratelimits", "unsafe.bindings") else BINDING_KEYS.get(key, ("", "binding"))[1]
            bindings.append(Binding(name, kind, env, path, _toml_span(lines, name_field, name), item_data))
    return WranglerConfig(path, parsed, bindings)


def _toml_span(lines: list[str], key: str, value: str) -> Span:
    """Where `key = "value"` is written (tomllib keeps no positions)."""
    pattern = re.compile(r'(?:^|[\s{,])' + re.escape(key) + r'\s*=\s*["\']' + re.escape(value) + r'["\']')
    for number, line in enumerate(lines, 1):
        match = pattern.search(line)
        if match:
            start = match.start() + (1 if match.group(0)[0] in " \t{," else 0)
            return Span(number, start + 1, number, match.end() + 1)
    return Span(1, 1, 1, 1)
