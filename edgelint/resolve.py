"""Resolving import specifiers the way TypeScript and Next.js do, without node_modules.

Order: Node built-ins (`fs`, `node:fs`, `fs/promises`); relative paths; `tsconfig.json` /
`jsconfig.json` `paths` (with `*` patterns) and `baseUrl`, following `extends` chains; workspace
packages of a monorepo (a package.json `name` inside the linted directory: its `exports`,
`module`, `main`, `source`, else `index.*` / `src/index.*`); anything else is a bare package,
recorded by name and never parsed. Probing tries the TypeScript extensions, `./x.js` → `x.ts`,
and directory `index.*` files.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from functools import lru_cache

from edgelint import jsonc
from edgelint.parsing import SOURCE_EXTENSIONS
from edgelint.workspace import Workspace

NODE_BUILTINS = frozenset("""
assert async_hooks buffer child_process cluster console constants crypto dgram diagnostics_channel dns domain
events fs http http2 https inspector module net os path perf_hooks process punycode querystring readline repl
stream string_decoder sys timers tls trace_events tty url util v8 vm wasi worker_threads zlib test sqlite
""".split())
PROBE_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
JS_TO_TS = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}
MAX_EXTENDS = 8


@dataclass(frozen=True)
class Resolved:
    kind: str  # 'file' | 'builtin' | 'package' | 'unresolved' | 'asset'
    target: str  # the file path, the built-in module name (without 'node:'), or the package name

    @property
    def is_file(self) -> bool:
        return self.kind == "file"


def builtin_name(spec: str) -> str | None:
    """'fs' for 'fs', 'node:fs', 'fs/promises'; None for anything else."""
    bare = spec[5:] if spec.startswith("node:") else spec
    head = bare.split("/", 1)[0]
    if head in NODE_BUILTINS or spec.startswith("node:"):
        return head
    return None


def package_name(spec: str) -> str:
    parts = spec.split("/")
    return "/".join(parts[:2]) if spec.startswith("@") and len(parts) > 1 else parts[0]


@dataclass
class TsConfig:
    path: str
    base: str  # the directory `paths` are relative to
    paths: dict[str, list[str]]
    base_url: str | None


class Resolver:
    def __init__(self, ws: Workspace):
        self.ws = ws
        self._tsconfigs: dict[str, TsConfig | None] = {}
        self._packages: dict[str, str] | None = None
        self._cache: dict[tuple[str, str], Resolved] = {}

    # -- public -----------------------------------------------------------------------------

    def resolve(self, importer: str, spec: str) -> Resolved:
        key = (posixpath.dirname(importer), spec)
        if key not in self._cache:
            self._cache[key] = self._resolve(importer, spec)
        return self._cache[key]

    # -- steps ------------------------------------------------------------------------------

    def _resolve(self, importer: str, spec: str) -> Resolved:
        spec = spec.split("?", 1)[0]
        builtin = builtin_name(spec)
        if builtin is not None:
            return Resolved("builtin", builtin)
        folder = posixpath.dirname(importer)
        if spec.startswith(("./", "../")) or spec in (".", ".."):
            return self._file(posixpath.normpath(posixpath.join(folder, spec)), spec)
        if spec.startswith("/"):
            return Resolved("unresolved", spec)
        config = self.tsconfig_for(folder)
        if config is not None:
            found = self._paths(config, spec)
            if found is not None:
                return found
        package = self._workspace_package(spec)
        if package is not None:
            return package
        return Resolved("package", package_name(spec))

    def _file(self, path: str, spec: str) -> Resolved:
        found = self.probe(path)
        if found:
            return Resolved("file", found)
        if posixpath.splitext(path)[1] in (".css", ".scss", ".svg", ".png", ".jpg", ".json", ".md", ".mdx"):
            return Resolved("asset", path)
        return Resolved("unresolved", spec)

    def probe(self, path: str) -> str | None:
        """The source file a module path denotes, with TypeScript's extension probing."""
        if path.startswith("../") or path == "..":
            return None
        exists = self.ws.exists
        ext = posixpath.splitext(path)[1]
        if ext in SOURCE_EXTENSIONS and exists(path):
            return path
        for alternative in JS_TO_TS.get(ext, ()):
            if exists(path[: -len(ext)] + alternative):
                return path[: -len(ext)] + alternative
        for extension in PROBE_EXTENSIONS:
            if exists(path + extension):
                return path + extension
        for extension in PROBE_EXTENSIONS:
            if exists(f"{path}/index{extension}"):
                return f"{path}/index{extension}"
        return None

    def _paths(self, config: TsConfig, spec: str) -> Resolved | None:
        best = None
        for pattern, targets in config.paths.items():
            prefix, star, suffix = pattern.partition("*")
            if star:
                if spec.startswith(prefix) and spec.endswith(suffix) and len(spec) >= len(prefix) + len(suffix):
                    matched = spec[len(prefix): len(spec) - len(suffix) if suffix else None]
                    if best is None or len(prefix) > len(best[0]):
                        best = (prefix, targets, matched)
            elif spec == pattern:
                best = (pattern + "\0", targets, "")
                break
        if best is not None:
            for target in best[1]:
                candidate = posixpath.normpath(posixpath.join(config.base, target.replace("*", best[2])))
                found = self.probe(candidate)
                if found:
                    return Resolved("file", found)
        if config.base_url is not None:
            found = self.probe(posixpath.normpath(posixpath.join(config.base_url, spec)))
            if found:
                return Resolved("file", found)
        return None

    # -- tsconfig ---------------------------------------------------------------------------

    def tsconfig_for(self, folder: str) -> TsConfig | None:
        if folder in self._tsconfigs:
            return self._tsconfigs[folder]
        config = None
        for name in ("tsconfig.json", "jsconfig.json"):
            path = f"{folder}/{name}" if folder else name
            if self.ws.exists(path):
                config = self._load_tsconfig(path, 0)
                break
        if config is None and folder:
            config = self.tsconfig_for(posixpath.dirname(folder) if "/" in folder else "")
        self._tsconfigs[folder] = config
        return config

    def _load_tsconfig(self, path: str, depth: int) -> TsConfig | None:
        data = self.ws.read(path)
        if data is None:
            return None
        try:
            value = jsonc.loads(path, data).value
        except jsonc.JsoncError as error:
            self.ws.problem("EDGE902", path, f"cannot read {posixpath.basename(path)}: {error}", error.span)
            return None
        if not isinstance(value, dict):
            return None
        folder = posixpath.dirname(path)
        inherited = None
        extends = value.get("extends")
        for parent in ([extends] if isinstance(extends, str) else extends if isinstance(extends, list) else []):
            if not isinstance(parent, str) or depth >= MAX_EXTENDS:
                continue
            parent_path = self._extends_path(folder, parent)
            if parent_path is not None:
                inherited = self._load_tsconfig(parent_path, depth + 1) or inherited
        options = value.get("compilerOptions") if isinstance(value.get("compilerOptions"), dict) else {}
        base_url = options.get("baseUrl")
        base_url = posixpath.normpath(posixpath.join(folder, base_url)) if isinstance(base_url, str) else None
        paths = options.get("paths")
        if isinstance(paths, dict):
            clean = {k: [t for t in v if isinstance(t, str)] for k, v in paths.items() if isinstance(v, list)}
            return TsConfig(path, base_url if base_url is not None else folder, clean, base_url)
        if inherited is not None:
            return TsConfig(path, inherited.base, inherited.paths, base_url or inherited.base_url)
        return TsConfig(path, base_url or folder, {}, base_url)

    def _extends_path(self, folder: str, parent: str) -> str | None:
        if parent.startswith("."):
            candidate = posixpath.normpath(posixpath.join(folder, parent))
            for option in (candidate, candidate + ".json", candidate + "/tsconfig.json"):
                if self.ws.exists(option):
                    return option
            return None
        package = self.packages().get(package_name(parent))
        if package is None:
            return None
        rest = parent[len(package_name(parent)):].lstrip("/") or "tsconfig.json"
        for option in (f"{package}/{rest}", f"{package}/{rest}.json"):
            if self.ws.exists(option.lstrip("/")):
                return option.lstrip("/")
        return None

    # -- workspace packages -----------------------------------------------------------------

    def packages(self) -> dict[str, str]:
        """Package name -> folder for every package.json in the linted directory."""
        if self._packages is None:
            self._packages = {}
            for path in self.ws.paths:
                if path == "package.json" or path.endswith("/package.json"):
                    manifest = self._manifest(path)
                    name = manifest.get("name")
                    if isinstance(name, str) and name not in self._packages:
                        self._packages[name] = posixpath.dirname(path)
        return self._packages

    def _manifest(self, path: str) -> dict:
        text = self.ws.text(path)
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _workspace_package(self, spec: str) -> Resolved | None:
        name = package_name(spec)
        folder = self.packages().get(name)
        if folder is None:
            return None
        rest = spec[len(name):].lstrip("/")
        manifest = self._manifest(f"{folder}/package.json" if folder else "package.json")
        join = (lambda p: posixpath.normpath(posixpath.join(folder, p)) if folder else posixpath.normpath(p))
        candidates = []
        exports = manifest.get("exports")
        key = "./" + rest if rest else "."
        entry = _export_target(exports, key)
        if entry:
            candidates.append(entry)
        if rest:
            candidates += [rest, f"src/{rest}"]
        else:
            candidates += [v for v in (manifest.get("source"), manifest.get("module"), manifest.get("main"))
                           if isinstance(v, str)] + ["index", "src/index"]
        for candidate in candidates:
            found = self.probe(join(candidate))
            if found is None and "/dist/" in "/" + candidate:
                found = self.probe(join(candidate.replace("dist/", "src/")).rsplit(".", 1)[0])
            if found:
                return Resolved("file", found)
        return Resolved("package", name)


@lru_cache(maxsize=None)
def _conditions() -> tuple[str, ...]:
    return ("source", "edge-light", "worker", "workerd", "import", "module", "default", "require", "types")


def _export_target(exports, key: str) -> str | None:
    """The file an `exports` map gives for `key`, preferring source and edge conditions."""
    if exports is None:
        return None
    if isinstance(exports, str):
        return exports if key == "." else None
    if isinstance(exports, dict):
        if any(k.startswith(".") for k in exports):
            value = exports.get(key)
            if value is None:
                for pattern, target in exports.items():
                    if "*" in pattern:
                        prefix, _, suffix = pattern.partition("*")
                        if key.startswith(prefix) and key.endswith(suffix):
                            middle = key[len(prefix): len(key) - len(suffix) if suffix else None]
                            resolved = _pick(target)
                            return resolved.replace("*", middle) if resolved else None
                return None
            return _pick(value)
        return _pick(exports) if key == "." else None
    return None


def _pick(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return next((v for v in (_pick(x) for x in value) if v), None)
    if isinstance(value, dict):
        for condition in _conditions():
            if condition in value:
                found = _pick(value[condition])
                if found:
                    return found
    return None
