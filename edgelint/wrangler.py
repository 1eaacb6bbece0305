"""Reading Wrangler configuration (`wrangler.toml`, `wrangler.json`, `wrangler.jsonc`), REFERENCE.md §3.3.

Wrangler reads one file per folder, the first that exists of `wrangler.json`, `wrangler.jsonc` and
`wrangler.toml` (workers-sdk `packages/wrangler/src/config/config-helpers.ts`,
`findWranglerConfig`), so a second file beside it declares nothing.

Bindings are collected from the top level and from every `[env.<name>]` section, each with the
position of its declaration so findings can point at it. A file that does not parse yields a
`WranglerError` with the position the parser reported; it is never executed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from edgelint import jsonc
from edgelint.parsing import Span, offset_span

#: In the order Wrangler looks for them: the first that exists is the one it reads.
WRANGLER_NAMES = ("wrangler.json", "wrangler.jsonc", "wrangler.toml")
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
    #: (env, key) -> where that section declares `key` (e.g. ('production', 'kv_namespaces')); env ''
    #: is the top level, and ('production', '') is the `[env.production]` section itself.
    section_spans: dict[tuple[str, str], Span] = field(default_factory=dict)

    @property
    def is_pages(self) -> bool:
        return "pages_build_output_dir" in self.data

    @property
    def is_worker(self) -> bool:
        return "main" in self.data

    def bindings_of(self, kind: str) -> list[Binding]:
        return [b for b in self.bindings if b.kind == kind]

    @property
    def environments(self) -> list[str]:
        """The names of the `[env.<name>]` sections."""
        envs = self.data.get("env")
        return [name for name, section in envs.items() if isinstance(section, dict)] if isinstance(envs, dict) else []

    def section(self, env: str) -> dict:
        """The top level ('') or an environment's section."""
        if not env:
            return self.data
        envs = self.data.get("env")
        section = envs.get(env) if isinstance(envs, dict) else None
        return section if isinstance(section, dict) else {}

    def section_span(self, env: str, key: str = "") -> Span | None:
        """Where a section declares `key` (or where the `[env.<name>]` section starts), if known."""
        return self.section_spans.get((env, key)) or (self.section_spans.get((env, "")) if key else None)

    def shape_problems(self) -> list[tuple[str, Span]]:
        """Binding lists of the wrong type, which Wrangler rejects and edgelint cannot read
        (`kv_namespaces = "CACHE"`, an entry without a string `binding`): (message, where)."""
        found = []
        for env, section, _prefix in _sections(self.data):
            where = f"[env.{env}] " if env else ""
            for key, (_kind, name_field) in BINDING_KEYS.items():
                items = section.get(key)
                if items is None:
                    continue
                span = self.section_span(env, key) or Span(1, 1, 1, 1)
                if not isinstance(items, list):
                    found.append((f"{where}`{key}` must be a list of {_ENTRY} (it is {_type_name(items)}): "
                                  "Wrangler rejects the config, and its bindings are not read", span))
                    continue
                for index, item in enumerate(items, 1):
                    if not isinstance(item, dict) or not isinstance(item.get(name_field), str):
                        found.append((f"{where}`{key}` entry {index} has no string `{name_field}`: Wrangler "
                                      "rejects the config, and the entry is not read", span))
        return found


_ENTRY = "tables (TOML `[[…]]`) or objects (JSON)"


def _type_name(value) -> str:
    return {str: "a string", bool: "a boolean", int: "a number", float: "a number", dict: "a single table"}.get(
        type(value), "not a list")


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
    spans: dict[tuple[str, str], Span] = {}
    for env, section, prefix in _sections(document.value):
        if env:
            where = document.key_span(*prefix)
            if where is not None:
                spans[(env, "")] = where
        for key in section:
            where = document.key_span(*prefix, key)
            if where is not None:
                spans[(env, key)] = where
    return WranglerConfig(path, document.value, bindings, spans)


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
        where = _position(text, int(match.group(1)), int(match.group(2))) if match else \
            _position(text, text.count("\n") + 1, len(text.rsplit("\n", 1)[-1]) + 1) if "end of document" in str(error) \
            else Span(1, 1, 1, 1)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error)) or "invalid TOML"
        raise WranglerError(path, f"invalid TOML: {message}", where) from None
    except RecursionError:
        raise WranglerError(path, "invalid TOML: nested too deeply", Span(1, 1, 1, 2)) from None
    lines = re.split(r"\r?\n", text)  # TOML's line breaks (str.splitlines also splits at \f, U+2028, …)
    tables = _toml_tables(lines)
    bindings = []
    used: set[tuple[int, int]] = set()
    for env, section, _prefix in _sections(parsed):
        for kind, name, item_data, _index, key in _binding_items(section):
            name_field = "name" if key in ("ratelimits", "unsafe.bindings") else BINDING_KEYS.get(key, ("", "binding"))[1]
            span = _toml_span(lines, name_field, name, env=env, tables=tables, used=used)
            bindings.append(Binding(name, kind, env, path, span, item_data))
    return WranglerConfig(path, parsed, bindings, _toml_section_spans(lines, tables, parsed))


def _position(text: str, line: int, col: int) -> Span:
    """tomllib's (line, column), which count LF only, as a one-character span inside a line of
    the file as edgelint reports lines (a lone CR ends one too)."""
    lf_lines = text.split("\n")
    return offset_span(text, sum(len(part) + 1 for part in lf_lines[: line - 1]) + col - 1)


_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_KEY_PART = re.compile(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)')


def _toml_key(text: str) -> tuple[str, ...]:
    return tuple(m.group(1) if m.group(1) is not None else m.group(2) if m.group(2) is not None else m.group(3)
                 for m in _TOML_KEY_PART.finditer(text))


def _toml_tables(lines: list[str]) -> list[tuple[tuple[str, ...], bool]]:
    """For each line, the table it belongs to (its header's key path; () at the top) and whether
    the line is that header itself."""
    current: tuple[str, ...] = ()
    result = []
    for line in lines:
        match = _TOML_HEADER.match(line)
        if match:
            current = _toml_key(match.group(2))
            result.append((current, True))
        else:
            result.append((current, False))
    return result


def _table_env(table: tuple[str, ...]) -> str:
    return table[1] if len(table) >= 2 and table[0] == "env" else ""


def _toml_section_spans(lines: list[str], tables, parsed: dict) -> dict[tuple[str, str], Span]:
    """Where each section (top level, `[env.<name>]`) declares each of its keys."""
    spans: dict[tuple[str, str], Span] = {}
    for number, (line, (table, is_header)) in enumerate(zip(lines, tables), 1):
        env = _table_env(table)
        if is_header:
            key_path = table[2:] if env else table
            if env and len(table) == 2:
                spans.setdefault((env, ""), _line_span(lines, number))
            elif key_path:
                spans.setdefault((env, key_path[0]), _line_span(lines, number))
            continue
        match = re.match(r'\s*("[^"]*"|\'[^\']*\'|[A-Za-z0-9_.-]+)\s*=', line)
        if not match:
            continue
        key_path = (table[2:] if env else table) + _toml_key(match.group(1))
        if not env and len(key_path) >= 3 and key_path[0] == "env":  # dotted `env.production.x = …`
            env, key_path = key_path[1], key_path[2:]
        if key_path and (len(key_path) == 1 or not (table[2:] if env else table)):
            spans.setdefault((env, key_path[0]), _line_span(lines, number))
    return spans


def _line_span(lines: list[str], number: int) -> Span:
    line = lines[number - 1]
    start = len(line) - len(line.lstrip())
    return Span(number, start + 1, number, len(line.rstrip()) + 1)


def _toml_span(lines: list[str], key: str, value: str, *, env: str | None = None, tables=None,
               used: set[tuple[int, int]] | None = None) -> Span:
    """Where `key = "value"` is written (tomllib keeps no positions).

    With `env` and `tables` (from `_toml_tables`), a match inside that environment's tables is
    preferred; positions in `used` are skipped and the one returned is added to it, so repeated
    declarations of one name (top level and `[env.production]`) each get their own line.
    """
    pattern = re.compile(r'(?:^|[\s{,])' + re.escape(key) + r'\s*=\s*["\']' + re.escape(value) + r'["\']')
    matches = []
    for number, line in enumerate(lines, 1):
        for match in pattern.finditer(line):
            start = match.start() + (1 if match.group(0)[0] in " \t{," else 0)
            matches.append((number, start, match.end()))
    if not matches:
        return Span(1, 1, 1, 1)
    used = used if used is not None else set()
    free = [m for m in matches if (m[0], m[1]) not in used] or matches
    if env is not None and tables is not None:
        preferred = [m for m in free if _table_env(tables[m[0] - 1][0]) == env]
        free = preferred or free
    number, start, end = free[0]
    used.add((number, start))
    return Span(number, start + 1, number, end + 1)
