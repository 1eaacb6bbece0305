"""Resolving import specifiers the way TypeScript and Next.js do, without node_modules.

Order: Node built-ins (`fs`, `node:fs`, `fs/promises`; `node:test`-style names only with the
prefix); relative paths; `tsconfig.json` / `jsconfig.json` `paths` (longest matching `*` pattern
wins, exact patterns first) and `baseUrl`, following `extends` chains (strings or arrays, relative
files or workspace packages; later entries override earlier ones, option by option, as
TypeScript does); workspace packages of a monorepo (a package.json `name` inside the linted
directory: its `exports` map with the edge compiler's conditions in the map's order, else the
`MAIN_FIELDS`, else `index.*` / `src/index.*`, and `dist/` paths mapped back to `src/` when the
build output is not checked in); `#name` subpath imports through the `imports` map of the
nearest package.json; anything else is a bare package, recorded by name and never parsed.

Probing tries the TypeScript extensions, `./x.js` → `x.ts` (and `.jsx` → `.tsx`, `.mjs` → `.mts`,
`.cjs` → `.cts`), a directory's `package.json` entry (`MAIN_FIELDS`: `source`, then what Next.js'
edge compiler reads, `edge-light`, `browser`, `module`, `main`) and its `index.*` files. A
specifier that names an existing file with another extension (`.css`, `.json`, `.wasm`, …) is an
asset.
"""

from __future__ import annotations

import json
import posixpath
import weakref
from dataclasses import dataclass, field

from edgelint import jsonc
from edgelint.parsing import SOURCE_EXTENSIONS
from edgelint.workspace import Workspace

NODE_BUILTINS = frozenset("""
assert async_hooks buffer child_process cluster console constants crypto dgram diagnostics_channel dns domain
events fs http http2 https inspector module net os path perf_hooks process punycode querystring readline repl
stream string_decoder sys timers tls trace_events tty url util v8 vm wasi worker_threads zlib
""".split())
#: Modules that exist only with the `node:` prefix (a bare `test` is an ordinary package name).
NODE_PREFIX_ONLY = frozenset({"test", "sqlite", "sea", "test/reporters"})
PROBE_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
JS_TO_TS = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}
DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")
#: Extensions that are always assets, even when the file is not in the tree (generated, ignored).
ASSET_EXTENSIONS = (".css", ".scss", ".sass", ".less", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif",
                    ".ico", ".json", ".md", ".mdx", ".wasm", ".txt", ".html", ".woff", ".woff2", ".ttf", ".otf")
MAX_EXTENDS = 8
#: `exports`/`imports` conditions that match: a `source` condition first (monorepos map it to
#: TypeScript sources in `src/`), then, in the map's own key order as webpack matches them, the
#: conditions of Next.js' edge compiler (`edge-light`, `worker` (14.x), and webpack's defaults for a
#: `web` target: `browser`, `import`/`require`, `module`, …) and `default`. Not `node`, and not
#: `workerd`: Wrangler's bundler reads it, Next's edge compiler never does
#: (`edgeConditionNames` in next/dist/build/webpack-config-rules/resolve.js, 14.2 to 16.0).
CONDITIONS = frozenset({"edge-light", "worker", "browser", "import", "require", "module", "webpack",
                        "production", "development", "default"})
#: package.json fields naming a folder's entry when it has no `exports`, in order of preference:
#: TypeScript sources, then the main fields of Next.js' edge compiler (`edge-light`, then
#: webpack's defaults for its `web` target: `browser`, `module`, `main`). A Prisma client
#: generated into the app names its Node.js engine in `main` and its edge client in `browser`.
MAIN_FIELDS = ("source", "edge-light", "worker", "browser", "module", "main")


@dataclass(frozen=True)
class Resolved:
    kind: str  # 'file' | 'builtin' | 'package' | 'unresolved' | 'asset'
    target: str  # the file path, the built-in module name (without 'node:'), or the package name

    @property
    def is_file(self) -> bool:
        return self.kind == "file"


def builtin_name(spec: str) -> str | None:
    """'fs' for 'fs', 'node:fs', 'fs/promises'; 'test' only for 'node:test'; None otherwise."""
    if spec.startswith("node:"):
        return spec[5:].split("/", 1)[0] or None
    if spec.endswith("/"):
        return None  # `punycode/`: the npm package of that name, not the built-in
    head = spec.split("/", 1)[0]
    return head if head in NODE_BUILTINS else None


def package_name(spec: str) -> str:
    parts = spec.split("/")
    return "/".join(parts[:2]) if spec.startswith("@") and len(parts) > 1 else parts[0]


def valid_package_name(name: str) -> bool:
    """Whether `name` could be an npm package (`@/x`, `~/x`, `#x` are aliases, never packages)."""
    if not name or name[0] in "~#./" or name.startswith("@/") or name == "@":
        return False
    return not (name.startswith("@") and "/" not in name)


@dataclass
class TsConfig:
    path: str
    base: str  # the directory `paths` are relative to: baseUrl when set, else the file that set `paths`
    paths: dict[str, list[str]]
    base_url: str | None
    chain: list[str] = field(default_factory=list)  # the files read, this one first, then what it extends
    #: `verbatimModuleSyntax` (or the older `preserveValueImports` / `importsNotUsedAsValues:
    #: "preserve"`): imports without `type` are kept even when their bindings are used only as types
    keeps_value_imports: bool = False


@dataclass
class _Options:
    """The compiler options that matter for resolution, as merged along an `extends` chain."""

    paths: dict[str, list[str]] | None = None
    paths_dir: str = ""
    base_url: str | None = None
    files: list[str] = field(default_factory=list)
    keeps_value_imports: bool | None = None


_RESOLVERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def workspace_resolver(ws: Workspace) -> "Resolver":
    """The workspace's resolver. What a specifier resolves to does not depend on the app that
    asks (a workspace package resolves alike from each), so the apps linted in one process share
    its answers, those for the packages they share included."""
    if ws not in _RESOLVERS:
        _RESOLVERS[ws] = Resolver(ws)
    return _RESOLVERS[ws]


class Resolver:
    def __init__(self, ws: Workspace):
        self.ws = ws
        # remembered answers, each with the dependencies and problems recorded finding it (`_remembered`)
        self._tsconfigs: dict[str, tuple] = {}
        self._loaded: dict[str, tuple] = {}
        self._loading: set[str] = set()
        self._packages: dict[str, tuple] = {}
        self._manifests: dict[str, tuple] = {}
        self._cache: dict[tuple, tuple] = {}
        self._answers: dict[tuple, Resolved] = {}  # (folder, specifier, require) -> the answer

    # -- public -----------------------------------------------------------------------------

    def resolve(self, importer: str, spec: str, require: bool = False) -> Resolved:
        """What `spec` imported from `importer` is (by `require()` when `require`: then the
        `require` condition of an `exports` map applies, else `import`). Remembered per folder
        and specifier, and for a specifier that is not relative per tsconfig (it resolves alike
        in every folder that tsconfig covers)."""
        folder = posixpath.dirname(importer)
        asked = (folder, spec, require)
        if asked in self._answers and not self.ws.recording_active:  # no dependencies to record again
            return self._answers[asked]
        if spec.startswith(".") or spec.startswith("/"):
            key = (folder, spec)
        elif builtin_name(spec) is not None:
            key = ("", spec)  # a built-in before anything a tsconfig says
        else:
            config = self.tsconfig_for(folder)
            key = (config.path if config is not None else None, spec, require)
        self._answers[asked] = answer = self._remembered(self._cache, key, lambda: self._resolve(importer, spec, require))
        return answer

    def _remembered(self, memo: dict, key, compute):
        """`compute()`, once per key. Later callers record the dependencies and problems the first
        call recorded: a check given a remembered answer depends on the files behind it as well
        (else editing a tsconfig or package.json would leave its cached result stale)."""
        entry = memo.get(key)
        if entry is None:
            with self.ws.recording() as recorder:  # what `compute` records reaches the callers' recorders too
                value = compute()
            entry = memo[key] = (value, recorder.deps, recorder.problems)
        elif self.ws.recording_active:
            self.ws.replay(entry[1], entry[2])
        return entry[0]

    # -- steps ------------------------------------------------------------------------------

    def _resolve(self, importer: str, spec: str, require: bool = False) -> Resolved:
        spec = spec.split("?", 1)[0].split("#", 1)[0] if not spec.startswith("#") else spec
        if not spec:
            return Resolved("unresolved", spec)
        builtin = builtin_name(spec)
        if builtin is not None:
            return Resolved("builtin", builtin)
        folder = posixpath.dirname(importer)
        if spec.startswith(("./", "../")) or spec in (".", ".."):
            return self._file(posixpath.normpath(posixpath.join(folder, spec)), spec)
        if spec.startswith("/"):
            return Resolved("unresolved", spec)
        config = self.tsconfig_for(folder)
        if spec.startswith("#") and not (config is not None and self._paths(config, spec)[1]):
            return self._subpath_import(folder, spec, require)
        matched = False
        if config is not None:
            found, matched = self._paths(config, spec)
            if found is not None:
                return found
        package = self._workspace_package(spec, require)
        if package is not None:
            return package
        name = package_name(spec)
        if matched or not valid_package_name(name):
            return Resolved("asset", spec) if _is_asset(spec) else Resolved("unresolved", spec)
        return Resolved("package", name)

    def _file(self, path: str, spec: str) -> Resolved:
        found = self.probe(path)
        if found:
            return Resolved("file", found)
        if _is_asset(path) or (self.ws.exists(path) and not path.endswith(SOURCE_EXTENSIONS)):
            return Resolved("asset", path)
        return Resolved("unresolved", spec)

    def probe(self, path: str, _via: tuple[str, ...] = ()) -> str | None:
        """The source file a module path denotes, with TypeScript's extension probing (`_via`: the
        folders whose package.json `main` led here, so that a loop of them ends)."""
        if path.startswith("../") or path == ".." or not path or path == ".":
            return self._probe_dir("", _via) if path == "." else None
        exists = self.ws.exists
        ext = posixpath.splitext(path)[1]
        if ext in SOURCE_EXTENSIONS and exists(path) and not path.endswith(DECLARATION_SUFFIXES):
            return path
        for alternative in JS_TO_TS.get(ext, ()):
            if exists(path[: -len(ext)] + alternative):
                return path[: -len(ext)] + alternative
        for extension in PROBE_EXTENSIONS:
            if exists(path + extension):
                return path + extension
        return self._probe_dir(path, _via)

    def _probe_dir(self, path: str, via: tuple[str, ...] = ()) -> str | None:
        exists = self.ws.exists
        prefix = f"{path}/" if path else ""
        if exists(prefix + "package.json") and path not in via and len(via) < MAX_EXTENDS:
            manifest = self._manifest(prefix + "package.json")
            for key in MAIN_FIELDS:
                value = manifest.get(key)
                if isinstance(value, str) and value.strip("./"):
                    target = posixpath.normpath(posixpath.join(path or ".", value))
                    if target != path and not target.startswith("../"):
                        found = self.probe(target, (*via, path))
                        if found:
                            return found
        for extension in PROBE_EXTENSIONS:
            if exists(f"{prefix}index{extension}"):
                return f"{prefix}index{extension}"
        return None

    def _paths(self, config: TsConfig, spec: str) -> tuple[Resolved | None, bool]:
        """(what `paths`/`baseUrl` resolve `spec` to, whether a `paths` pattern matched it)."""
        best = None
        for pattern, targets in config.paths.items():
            prefix, star, suffix = pattern.partition("*")
            if not star:
                if spec == pattern:
                    best = (None, targets, "")
                    break
                continue
            if spec.startswith(prefix) and spec.endswith(suffix) and len(spec) >= len(prefix) + len(suffix):
                matched = spec[len(prefix): len(spec) - len(suffix)]
                if best is None or len(prefix) > len(best[0]):
                    best = (prefix, targets, matched)
        if best is not None:
            for target in best[1]:
                candidate = posixpath.normpath(posixpath.join(config.base, target.replace("*", best[2])))
                found = self.probe(candidate)
                if found:
                    return Resolved("file", found), True
                if self.ws.exists(candidate) and not candidate.endswith(SOURCE_EXTENSIONS):
                    return Resolved("asset", candidate), True
            if _is_asset(spec):
                return Resolved("asset", spec), True
        if config.base_url is not None:
            found = self.probe(posixpath.normpath(posixpath.join(config.base_url, spec)))
            if found:
                return Resolved("file", found), best is not None
        return None, best is not None

    # -- tsconfig ---------------------------------------------------------------------------

    def tsconfig_for(self, folder: str) -> TsConfig | None:
        """The nearest tsconfig.json (else jsconfig.json) at or above `folder`, merged along `extends`
        (remembered for every folder climbed through, with the dependencies of finding it)."""
        if folder not in self._tsconfigs:
            climbed = []  # a loop, not recursion: folders may be nested a thousand deep
            with self.ws.recording() as recorder:
                current = folder
                while True:
                    if current in self._tsconfigs:
                        config = self.tsconfig_for(current)  # remembered: its reads are replayed here
                        break
                    climbed.append(current)
                    config = self._own_tsconfig(current)
                    if config is not None or not current:
                        break
                    current = posixpath.dirname(current)
            for below in climbed:
                self._tsconfigs[below] = (config, recorder.deps, recorder.problems)
            return config
        return self._remembered(self._tsconfigs, folder, None)

    def _own_tsconfig(self, folder: str) -> TsConfig | None:
        """The tsconfig.json (else jsconfig.json) in `folder` itself, if it can be read."""
        config = None
        for name in ("tsconfig.json", "jsconfig.json"):
            path = f"{folder}/{name}" if folder else name
            if self.ws.exists(path):
                options = self._load_tsconfig(path, 0)
                if options is not None:
                    folder_of = posixpath.dirname(path)
                    paths = options.paths or {}
                    base = options.base_url if options.base_url is not None else (
                        options.paths_dir if options.paths is not None else folder_of)
                    config = TsConfig(path, base, paths, options.base_url, options.files,
                                      bool(options.keeps_value_imports))
                break
        return config

    def _load_tsconfig(self, path: str, depth: int) -> _Options | None:
        if path in self._loading:
            return None  # a cycle in `extends` reads as nothing
        self._loading.add(path)
        try:
            return self._remembered(self._loaded, path, lambda: self._read_tsconfig(path, depth))
        finally:
            self._loading.discard(path)

    def _read_tsconfig(self, path: str, depth: int) -> _Options | None:
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
        merged = _Options(files=[path])
        extends = value.get("extends")
        for parent in ([extends] if isinstance(extends, str) else extends if isinstance(extends, list) else []):
            if not isinstance(parent, str) or depth >= MAX_EXTENDS:
                continue
            parent_path = self._extends_path(folder, parent)
            inherited = self._load_tsconfig(parent_path, depth + 1) if parent_path else None
            if inherited is None:
                continue
            if inherited.paths is not None:
                merged.paths, merged.paths_dir = inherited.paths, inherited.paths_dir
            if inherited.base_url is not None:
                merged.base_url = inherited.base_url
            if inherited.keeps_value_imports is not None:
                merged.keeps_value_imports = inherited.keeps_value_imports
            merged.files += [f for f in inherited.files if f not in merged.files]
        options = value.get("compilerOptions") if isinstance(value.get("compilerOptions"), dict) else {}
        keeps = [options.get("verbatimModuleSyntax"), options.get("preserveValueImports"),
                 options.get("importsNotUsedAsValues") == "preserve" if "importsNotUsedAsValues" in options else None]
        if any(isinstance(k, bool) for k in keeps):
            merged.keeps_value_imports = any(k is True for k in keeps)
        base_url = options.get("baseUrl")
        if isinstance(base_url, str):
            merged.base_url = posixpath.normpath(posixpath.join(folder, base_url))
        paths = options.get("paths")
        if isinstance(paths, dict):
            merged.paths = {k: [t for t in v if isinstance(t, str)] for k, v in paths.items()
                            if isinstance(k, str) and isinstance(v, list)}
            merged.paths_dir = folder
        return merged

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
        prefix = f"{package}/" if package else ""
        for option in (prefix + rest, prefix + rest + ".json", prefix + rest + "/tsconfig.json"):
            if self.ws.exists(option):
                return option
        return None

    # -- workspace packages -----------------------------------------------------------------

    def packages(self) -> dict[str, str]:
        """Package name -> folder for every package.json in the linted directory (first wins)."""
        return self._remembered(self._packages, "", self._find_packages)

    def _find_packages(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for path in self.ws.paths:
            if path == "package.json" or path.endswith("/package.json"):
                name = self._manifest(path).get("name")
                if isinstance(name, str) and name and name not in found:
                    found[name] = posixpath.dirname(path)
        return found

    def package_folder_of(self, path: str) -> str | None:
        """The folder of the nearest package.json at or above the file `path`."""
        folder = posixpath.dirname(path)
        while True:
            manifest = f"{folder}/package.json" if folder else "package.json"
            if self.ws.exists(manifest):
                return folder
            if not folder:
                return None
            folder = posixpath.dirname(folder)

    def manifest(self, folder: str) -> dict:
        return self._manifest(f"{folder}/package.json" if folder else "package.json")

    def _manifest(self, path: str) -> dict:
        return self._remembered(self._manifests, path, lambda: self._read_manifest(path))

    def _read_manifest(self, path: str) -> dict:
        text = self.ws.text(path) if self.ws.exists(path) else None
        try:
            data = json.loads((text or "{}").removeprefix("\ufeff"))
        except (ValueError, RecursionError):
            data = {}
        return data if isinstance(data, dict) else {}

    def _subpath_import(self, folder: str, spec: str, require: bool = False) -> Resolved:
        """`#lib/x`: the `imports` map of the nearest package.json at or above `folder` (the
        same conditions and `*` patterns as `exports`; a target is a path in that package or a
        package name)."""
        current = folder
        while True:
            if self.ws.exists(f"{current}/package.json" if current else "package.json"):
                target = _export_target(self.manifest(current).get("imports"), spec, imports=True, require=require)
                if not target:
                    return Resolved("unresolved", spec)
                if target.startswith("./"):
                    path = posixpath.normpath(posixpath.join(current or ".", target))
                    return self._file(path, spec) if not path.startswith("../") else Resolved("unresolved", spec)
                return self._resolve(f"{current}/package.json" if current else "package.json", target, require) \
                    if not target.startswith(("#", "/", ".")) else Resolved("unresolved", spec)
            if not current:
                return Resolved("unresolved", spec)
            current = posixpath.dirname(current)

    def _workspace_package(self, spec: str, require: bool = False) -> Resolved | None:
        name = package_name(spec)
        folder = self.packages().get(name)
        if folder is None:
            return None
        rest = spec[len(name):].lstrip("/")
        manifest = self.manifest(folder)

        def join(p: str) -> str:
            return posixpath.normpath(posixpath.join(folder, p)) if folder else posixpath.normpath(p)

        candidates = []
        exports = manifest.get("exports")
        entry = _export_target(exports, "./" + rest if rest else ".", require=require)
        if entry:
            candidates.append(entry)
        if exports is None or not entry:
            if rest:
                candidates += [rest, f"src/{rest}"]
            else:
                candidates += [v for v in map(manifest.get, MAIN_FIELDS) if isinstance(v, str)] + ["index", "src/index"]
        for candidate in candidates:
            target = join(candidate)
            if target.startswith("../"):
                continue
            found = self.probe(target)
            if found is None and "/dist/" in "/" + candidate.lstrip("./"):
                source = "src/" + candidate.lstrip("./").split("dist/", 1)[1]
                source = source.rsplit(".", 1)[0] if source.endswith((".js", ".mjs", ".cjs")) else source
                found = self.probe(join(source))
            if found:
                return Resolved("file", found)
        return Resolved("package", name)


def _is_asset(path: str) -> bool:
    return path.lower().endswith(ASSET_EXTENSIONS)


def _export_target(exports, key: str, imports: bool = False, require: bool = False) -> str | None:
    """The file an `exports` map gives for `key` (or an `imports` map, whose keys start with
    `#`), preferring source and edge conditions."""
    if exports is None:
        return None
    if isinstance(exports, (str, list)) and not imports:
        return _pick(exports, require) if key == "." else None
    if not isinstance(exports, dict):
        return None
    if not imports and not any(k.startswith(".") for k in exports):
        return _pick(exports, require) if key == "." else None
    if key in exports:
        return _pick(exports[key], require)
    best = None
    for pattern, target in exports.items():
        prefix, star, suffix = pattern.partition("*")
        if star and key.startswith(prefix) and key.endswith(suffix) and len(key) >= len(prefix) + len(suffix):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, target, key[len(prefix): len(key) - len(suffix)])
        elif not star and pattern.endswith("/") and key.startswith(pattern):  # legacy folder mapping
            if best is None or len(pattern) > len(best[0]):
                best = (pattern, target, None, key[len(pattern):])
    if best is None:
        return None
    resolved = _pick(best[1], require)
    if resolved is None:
        return None
    if best[2] is None:
        return resolved + best[3]
    return resolved.replace("*", best[2])


def _pick(value, require: bool = False, depth: int = 0) -> str | None:
    if depth > 32:  # condition objects nested deeper are not a real package (and would recurse far)
        return None
    if isinstance(value, str):
        return None if value.endswith(DECLARATION_SUFFIXES) else value
    if isinstance(value, list):
        return next((v for v in (_pick(x, require, depth + 1) for x in value) if v), None)
    if isinstance(value, dict):
        active = CONDITIONS - {"import" if require else "require"}  # webpack's for `require()` / `import`
        for condition in ("source", *(k for k in value if k != "source")):
            if condition in value and (condition == "source" or condition in active):
                found = _pick(value[condition], require, depth + 1)
                if found:
                    return found
    return None
