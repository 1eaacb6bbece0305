"""The project model: Next.js apps, their deployment target, routes and effective runtimes.

Facts used (REFERENCE.md): file conventions §1.4 and §1.7, runtime values §1.2, which forms of
`runtime` Next can read §1.3, layout inheritance by version and bundler §1.5, targets §0 and §2.4-2.5.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from edgelint import catalogs, facts
from edgelint.parsing import SOURCE_EXTENSIONS, Span, offset_span
from edgelint.workspace import Workspace

if TYPE_CHECKING:
    from edgelint import nextconfig, wrangler
    from edgelint.summary import Export, ModuleSummary

TARGETS = ("next-on-pages", "opennext", "vercel", "node", "static")
APP_FILE_KINDS = {"page", "layout", "route", "template", "default", "not-found", "error", "global-error",
                  "loading", "forbidden", "unauthorized"}
METADATA_ROUTES = {"opengraph-image", "twitter-image", "icon", "apple-icon", "sitemap", "robots", "manifest"}
#: The URL a metadata route file serves, where it is not the file's name (Next.js metadata docs).
METADATA_URLS = {"sitemap": "sitemap.xml", "robots": "robots.txt", "manifest": "manifest.webmanifest"}
ROOT_ONLY_METADATA = {"robots", "manifest"}
#: Packages made for Vercel's runtime: `@vercel/functions`, and `@vercel/edge` (its predecessor,
#: same `ipAddress`/`geolocation` from Vercel's request headers).
VERCEL_PACKAGES = ("@vercel/functions", "@vercel/edge")
#: An intercepting route's marker: `(.)` the same level, `(..)` one level up (repeatable), `(...)` the root.
_INTERCEPT = re.compile(r"^(\(\.\.\.\)|(?:\(\.\.\))+|\(\.\))")
HTTP_METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
MUTATING_METHODS = ("POST", "PUT", "PATCH", "DELETE")
DEFAULT_PAGE_EXTENSIONS = ("tsx", "ts", "jsx", "js")


@dataclass(frozen=True)
class Version:
    major: int
    minor: int = 0
    patch: int = 0

    def at_least(self, major: int, minor: int = 0, patch: int = 0) -> bool:
        return (self.major, self.minor, self.patch) >= (major, minor, patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def parse_version(spec) -> Version | None:
    """The lowest version a package.json range admits ('^14.2.3' -> 14.2.3); None if unknown."""
    if not isinstance(spec, str):
        return None
    match = re.search(r"(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?", spec)
    if not match or spec.strip().startswith(("workspace:", "file:", "link:", "git", "http")) and not match:
        return None
    parts = [int(p) if p and p.isdigit() else 0 for p in match.groups()]
    return Version(*parts)


@dataclass
class Runtime:
    """A route's effective runtime and why."""

    value: str  # 'edge' | 'nodejs' | 'experimental-edge'
    reason: str  # 'own' | 'config' | 'layout' | 'next-config' | 'default' | 'unreadable'
    source: str = ""  # the file that set it
    span: Span | None = None  # where it was set

    @property
    def is_edge(self) -> bool:
        return self.value in ("edge", "experimental-edge")

    def describe(self) -> str:
        if self.reason == "own":
            return f"'{self.value}' from its own `runtime` export"
        if self.reason == "config":
            return f"'{self.value}' from its `config.runtime`"
        if self.reason == "layout":
            return f"'{self.value}' inherited from {self.source}"
        if self.reason == "next-config":
            return f"'{self.value}' from `experimental.runtime` in {self.source}"
        if self.reason == "unreadable":
            return f"'{self.value}' because Next.js cannot read its `runtime` export statically"
        return f"'{self.value}', the default"


@dataclass
class Route:
    path: str  # file, relative to the lint root
    kind: str  # page | layout | route | template | default | not-found | error | metadata | pages-page | api | app | document | middleware | proxy
    router: str  # 'app' | 'pages' | ''
    url: str
    layouts: list[str] = field(default_factory=list)  # app router: layout files, root first
    runtime: Runtime | None = None

    @property
    def is_handler(self) -> bool:
        return self.kind in ("route", "api", "metadata")


@dataclass
class App:
    root: str  # relative to the lint root, '' when the app is the lint root itself
    package: dict
    next_version: Version | None
    target: str
    target_reason: str
    turbopack: bool
    next_config: nextconfig.NextConfig | None = None
    wranglers: list[wrangler.WranglerConfig] = field(default_factory=list)
    wrangler_names: list[str] = field(default_factory=list)  # wrangler files looked at (for messages)
    files: list[str] = field(default_factory=list)
    # files of workspace packages it depends on that an app before it owns: read with it (imports are
    # followed into them), reported on with their owner
    package_files: list[str] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    app_dir: str | None = None
    pages_dir: str | None = None
    detected_target: str = ""  # before any override from config or --target
    dependencies: dict = field(default_factory=dict)  # package.json's, `catalog:` ranges resolved

    def rel(self, path: str) -> str:
        """A path inside the app, relative to the lint root."""
        return f"{self.root}/{path}" if self.root else path

    def local(self, path: str) -> str:
        """A lint-root-relative path, relative to the app root."""
        return path[len(self.root) + 1:] if self.root else path

    @property
    def label(self) -> str:
        return self.root or "."

    def route_for(self, path: str) -> Route | None:
        return next((r for r in self.routes if r.path == path), None)

    def version_at_least(self, major: int, minor: int = 0, patch: int = 0, *, unknown: bool = True) -> bool:
        return self.next_version.at_least(major, minor, patch) if self.next_version else unknown

    @property
    def edge_value(self) -> str:
        """The edge runtime's name for route handlers and API routes: `'edge'` from 13.0.7,
        `'experimental-edge'` before (next 13.0.6 `lib/constants.js` SERVER_RUNTIME knows no
        other; 'edge' fails the build there)."""
        return "edge" if self.version_at_least(13, 0, 7) else "experimental-edge"

    def dependency(self, name: str) -> str | None:
        """The version range package.json gives a dependency (any of its dependency lists; a
        `catalog:` range as the pnpm workspace's catalog lists it)."""
        spec = self.dependencies.get(name)
        return spec if isinstance(spec, str) else None


# --------------------------------------------------------------------------------------------
# Apps and targets


def find_apps(ws: Workspace, target_override: str | None = None, app_targets: dict | None = None) -> list[App]:
    """Every Next.js app below the workspace root (a package.json with `next`, or a next.config)."""
    from edgelint import nextconfig  # here, not at the top: checks import this module, replayed runs need none of it

    roots, configs = set(), set()
    for path in ws.paths:
        name = path.rsplit("/", 1)[-1]
        folder = path[: -len(name) - 1] if "/" in path else ""
        if name in nextconfig.CONFIG_NAMES:
            configs.add(folder)
        elif name == "package.json":
            package = _package_json(ws, path)
            if _is_next_app(ws, folder, package):
                roots.add(folder)
    # A next.config is read where `next` runs, beside a package.json: one without a package.json
    # inside another app (a stray `src/next.config.ts`) is not an app of its own.
    roots |= {folder for folder in configs
              if ws.exists(f"{folder}/package.json" if folder else "package.json")
              or not any(_inside(folder, other) for other in roots | configs if other != folder)}
    apps = []
    for root in sorted(roots):
        package = _package_json(ws, f"{root}/package.json" if root else "package.json")
        apps.append(_build_app(ws, root, package, target_override, (app_targets or {}).get(root or ".")))
    _assign_files(ws, apps)
    for app in apps:
        app.routes = discover_routes(ws, app)
        resolve_runtimes(ws, app)
    return apps


def _inside(folder: str, ancestor: str) -> bool:
    return not ancestor or folder.startswith(ancestor + "/")


#: A file that makes an `app/` folder an App Router: a page, layout or route handler.
APP_ROUTE_FILE = re.compile(r"/(?:page|layout|route)\.(?:[cm]?[jt]sx?|mdx?)$")


def _is_next_app(ws: Workspace, folder: str, package: dict) -> bool:
    """A package that depends on `next` is an app when it has a `pages/` folder or an `app/` folder
    with a page, layout or route file (or under `src/`: `next build` needs one), or runs `next` in
    a script without naming it a peer; else it is a library that uses Next.js types or components
    (`packages/ui`, also with a `src/app/` folder of components), linted with the apps that import
    it. (A next.config makes a folder an app in any case: `find_apps`.)"""
    listed = _lists_next(package)
    if not listed:
        return False
    scripts = package.get("scripts") if isinstance(package.get("scripts"), dict) else {}
    runs_next = any(isinstance(v, str) and re.search(r"(?:^|[\s;&|(])next(?:\s|$)", v) for v in scripts.values())
    if runs_next and "peerDependencies" not in listed:
        return True
    prefix = folder + "/" if folder else ""
    pages = tuple(f"{prefix}{src}pages/" for src in ("", "src/"))
    apps = tuple(f"{prefix}{src}app/" for src in ("", "src/"))
    # an `app/` folder of components (a library's `src/app/`) has no page, layout or route file
    return any(path.startswith(pages) or (path.startswith(apps) and APP_ROUTE_FILE.search(path)) for path in ws.paths)


def _lists_next(package: dict) -> set[str]:
    """The dependency lists of a package.json that name `next`."""
    return {key for key in ("dependencies", "devDependencies", "peerDependencies")
            if isinstance(package.get(key), dict) and "next" in package[key]}


def next_libraries(ws: Workspace) -> list[str]:
    """The package.json files that list `next` (called when no app was found, so none of them is
    one: they are libraries by `_is_next_app`), for the message that says why."""
    return [path for path in ws.paths if (path == "package.json" or path.endswith("/package.json"))
            and _lists_next(_package_json(ws, path))]


def _package_json(ws: Workspace, path: str) -> dict:
    if not ws.exists(path):
        return {}
    text = ws.text(path)
    try:
        data = json.loads((text or "{}").removeprefix("\ufeff"))  # npm accepts a byte order mark
    except RecursionError:
        ws.problem("EDGE902", path, "package.json is nested too deeply to be read", Span(1, 1, 1, 2))
        return {}
    except ValueError as error:
        bom = 1 if (text or "").startswith("\ufeff") else 0
        ws.problem("EDGE902", path, f"package.json is not valid JSON: {error.args[0].split(':')[0]}",
                   offset_span(text or "", getattr(error, "pos", 0) + bom))
        return {}
    return data if isinstance(data, dict) else {}


def _dependencies(package: dict) -> dict:
    deps = {}
    for key in ("dependencies", "devDependencies", "peerDependencies"):
        if isinstance(package.get(key), dict):
            deps.update(package[key])
    return deps


def _build_app(ws: Workspace, root: str, package: dict, override: str | None, configured: str | None) -> App:
    from edgelint import nextconfig, wrangler

    deps = {**_workspace_root_dependencies(ws, root), **_dependencies(package)}
    if any(isinstance(v, str) and v.startswith("catalog:") for v in deps.values()):
        known = _catalogs(ws, root)
        deps = {name: (catalogs.resolve(spec, known, name) or spec)
                if isinstance(spec, str) and spec.startswith("catalog:") else spec for name, spec in deps.items()}
    version = parse_version(deps.get("next"))
    scripts = package.get("scripts") if isinstance(package.get("scripts"), dict) else {}
    build = str(scripts.get("build", ""))
    turbopack = "--turbo" in build or (version is not None and version.at_least(16) and "--webpack" not in build)
    app = App(root, package, version, "node", "default", turbopack, dependencies=deps)
    prefix = root + "/" if root else ""
    found = False
    for name in wrangler.WRANGLER_NAMES:
        app.wrangler_names.append(prefix + name)
        if ws.exists(prefix + name) and not found:  # Wrangler reads the first it finds only
            found = True
            data = ws.read(prefix + name)
            if data is None:
                continue
            try:
                config = wrangler.load(prefix + name, data)
            except wrangler.WranglerError as error:
                ws.problem("EDGE902", error.path, f"cannot read Wrangler config: {error}", error.span)
                continue
            app.wranglers.append(config)
            for message, span in config.shape_problems()[:1]:
                ws.problem("EDGE902", config.path, message, span)
    for name in nextconfig.CONFIG_NAMES:
        if ws.exists(prefix + name):
            pf = ws.parse(prefix + name)
            if pf is not None:
                app.next_config = nextconfig.read(pf)
            break
    app.target, app.target_reason = detect_target(ws, app, deps)
    app.detected_target = app.target
    if configured:
        app.target, app.target_reason = configured, "set in the edgelint config"
    if override:
        app.target, app.target_reason = override, "set with --target"
    return app


def _workspace_root_dependencies(ws: Workspace, root: str) -> dict:
    """The dependencies of the workspace root above an app (a package.json with `workspaces`, or
    beside a pnpm-workspace.yaml): installed for every package of the workspace, so `next` or the
    adapter declared only there are the app's too. The app's own declarations win. An app folder
    without a package.json of its own (an Nx "integrated" repository) has the nearest one above."""
    own = ws.exists(f"{root}/package.json" if root else "package.json")
    folder = root
    while folder:
        folder = folder.rpartition("/")[0]
        prefix = f"{folder}/" if folder else ""
        if ws.exists(prefix + "package.json"):
            package = _package_json(ws, prefix + "package.json")
            if not own or "workspaces" in package or ws.exists(prefix + catalogs.WORKSPACE_FILE):
                return _dependencies(package)
    return {}


def _catalogs(ws: Workspace, root: str) -> dict[str, dict[str, str]]:
    """The catalogs of the nearest workspace root at or above the app's folder: a
    pnpm-workspace.yaml (pnpm), or a package.json that declares catalogs (Bun)."""
    folder = root
    while True:
        prefix = f"{folder}/" if folder else ""
        if ws.exists(prefix + catalogs.WORKSPACE_FILE):
            return catalogs.read_catalogs(ws.text(prefix + catalogs.WORKSPACE_FILE) or "")
        if ws.exists(prefix + "package.json"):
            found = catalogs.package_catalogs(_package_json(ws, prefix + "package.json"))
            if found:
                return found
        if not folder:
            return {}
        folder = folder.rpartition("/")[0]


def detect_target(ws: Workspace, app: App, deps: dict) -> tuple[str, str]:
    """The deployment target and the evidence for it (REFERENCE.md §0, §2.4, §2.5).

    A static export (`output: 'export'`, a literal in next.config) comes first: `next build`
    then writes HTML and assets to `out/` and there is no server, so no adapter runs whatever
    the dependencies say (Next.js "Static Exports" guide; Cloudflare's Next.js guide deploys such
    an app as plain assets, without next-on-pages)."""
    prefix = app.root + "/" if app.root else ""
    if app.next_config is not None and app.next_config.value("output") == "export":
        return "static", f"{app.next_config.path} sets output: 'export'"
    if "@opennextjs/cloudflare" in deps:
        return "opennext", "package.json depends on @opennextjs/cloudflare"
    if "@cloudflare/next-on-pages" in deps:  # an open-next.config left over is inert without the package
        return "next-on-pages", "package.json depends on @cloudflare/next-on-pages"
    if any(ws.exists(prefix + f"open-next.config.{e}") for e in ("ts", "js", "mjs")):
        return "opennext", "open-next.config found"
    for config in app.wranglers:
        if config.is_pages:
            return "next-on-pages", f"{config.path} sets pages_build_output_dir"
        if config.is_worker:
            return "opennext", f"{config.path} sets main (a Worker)"
    if ws.exists(prefix + "vercel.json"):
        return "vercel", "vercel.json found"
    vercel = next((name for name in VERCEL_PACKAGES if name in deps), None)
    if vercel is not None:  # helpers that read headers only Vercel sets
        return "vercel", f"package.json depends on {vercel}"
    return "node", "no edge adapter found"


def _assign_files(ws: Workspace, apps: list[App]) -> None:
    """Each source file belongs to the innermost app that contains it; a file of a workspace
    package outside every app (`packages/ui`) to the first app (by folder) that depends on that
    package by name, so the per-file rules see it once, with that app's target. The other apps
    that depend on it list it in `package_files`."""
    by_depth = sorted(apps, key=lambda a: -len(a.root))
    orphans = []
    owners: dict[str, App | None] = {}  # folder -> the innermost app holding it (files share folders)
    for path in ws.paths:
        if not path.endswith(SOURCE_EXTENSIONS):
            continue
        folder = path.rpartition("/")[0]
        if folder not in owners:
            owners[folder] = next((app for app in by_depth if not app.root or path.startswith(app.root + "/")), None)
        owner = owners[folder]
        if owner is not None:
            owner.files.append(path)
        else:
            orphans.append(path)
    if not orphans:
        return
    packages = {}  # folder -> package name, for the package.json files outside every app
    for path in ws.paths:
        if path == "package.json" or path.endswith("/package.json"):
            name = _package_json(ws, path).get("name")
            if isinstance(name, str):
                packages[path.rpartition("/")[0]] = name
    by_root = sorted(apps, key=lambda a: a.root)
    for path in orphans:
        folder = max((f for f in packages if f and path.startswith(f + "/")), key=len, default=None)
        users = [app for app in by_root if folder is not None and packages[folder] in app.dependencies]
        for number, user in enumerate(users):
            (user.package_files if number else user.files).append(path)


# --------------------------------------------------------------------------------------------
# Routes


def page_extensions(app: App) -> tuple[str, ...]:
    if app.next_config is not None:
        value = app.next_config.value("pageExtensions")
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return tuple(value)
    return DEFAULT_PAGE_EXTENSIONS


def _split_name(local: str, suffixes: tuple[str, ...]) -> tuple[str, str] | None:
    """(folder, base name) when the file ends with one of `suffixes` (the page extensions with
    their dot, longest first: an extension may contain dots)."""
    folder, _, name = local.rpartition("/")
    for suffix in suffixes:
        if name.endswith(suffix):
            return folder, name[: -len(suffix)]
    return None


def discover_routes(ws: Workspace, app: App) -> list[Route]:
    suffixes = tuple("." + ext for ext in sorted(page_extensions(app), key=len, reverse=True))
    local_files = {app.local(p): p for p in app.files}
    app.app_dir = next((d for d in ("app", "src/app") if any(f.startswith(d + "/") for f in local_files)), None)
    app.pages_dir = next((d for d in ("pages", "src/pages") if any(f.startswith(d + "/") for f in local_files)), None)
    routes: list[Route] = []
    layouts: dict[str, str] = {}
    if app.app_dir:
        for local, path in local_files.items():
            split = _split_name(local, suffixes) if local.startswith(app.app_dir + "/") else None
            if split and split[1] == "layout" and not _private(split[0], app.app_dir):
                layouts[split[0]] = path
    for local, path in sorted(local_files.items()):
        split = _split_name(local, suffixes)
        if split is None:
            continue
        folder, base = split
        if app.app_dir and local.startswith(app.app_dir + "/"):
            route = _app_route(path, folder, base, app.app_dir, layouts)
        elif app.pages_dir and local.startswith(app.pages_dir + "/"):
            route = _pages_route(path, folder, base, app.pages_dir)
        elif base in ("middleware", "proxy") and folder in ("", "src") and (folder == "src") == (
                (app.pages_dir or app.app_dir or "").startswith("src/")) and (
                base == "middleware" or app.version_at_least(16)):  # proxy.ts is a convention from 16.0 (§0.2)
            route = Route(path, base, "", "/*")
        else:
            route = None
        if route is not None:
            routes.append(route)
    return routes


def _private(folder: str, base_dir: str) -> bool:
    segments = folder[len(base_dir):].split("/")
    return any(s.startswith("_") for s in segments if s)


def _app_route(path: str, folder: str, base: str, app_dir: str, layouts: dict[str, str]) -> Route | None:
    if _private(folder, app_dir):
        return None
    if base in ROOT_ONLY_METADATA and folder != app_dir:
        return None  # Next.js reads robots and manifest at the root of app/ only (`isMetadataRouteFile`)
    if base in METADATA_ROUTES:
        kind = "metadata"
    elif base in APP_FILE_KINDS:
        kind = base
    else:
        return None
    segments = [s for s in folder[len(app_dir):].split("/") if s]
    url_parts: list[str] = []
    for segment in segments:
        if segment.startswith("(") and segment.endswith(")") or segment.startswith("@"):
            continue
        marker = _INTERCEPT.match(segment)
        if marker:  # the URL it intercepts: levels are URL segments (groups and slots are none)
            if marker.group(1) == "(...)":
                url_parts.clear()
            elif marker.group(1) != "(.)":
                del url_parts[len(url_parts) - marker.group(1).count("(..)"):]
            segment = segment[marker.end():]
        if segment[:3].upper() == "%5F":  # `%5Fnews` serves /_news (a folder named `_news` is private)
            segment = "_" + segment[3:]
        url_parts.append(segment)
    url = "/" + "/".join(p for p in url_parts if p)
    if kind == "metadata":
        url = url.rstrip("/") + "/" + METADATA_URLS.get(base, base) + _metadata_suffix(segments, base)
    elif kind in ("not-found", "error", "global-error"):
        url = url.rstrip("/") + "/_" + kind
    chain = []
    parts = folder.split("/")
    for i in range(len(app_dir.split("/")), len(parts) + 1):
        candidate = "/".join(parts[:i])
        if candidate in layouts and not (kind == "layout" and candidate == folder):
            chain.append(layouts[candidate])
    return Route(path, kind, "app", url, chain)


def _metadata_suffix(segments: list[str], base: str) -> str:
    """The hash Next.js appends to a metadata route (not a sitemap) under a route group or a slot,
    so that `(a)/opengraph-image` and `(b)/opengraph-image` do not clash: `-` and the first six
    base-36 digits of the 32-bit djb2 hash of the parent path (`/(marketing)` -> `-pwu6ef`;
    `getMetadataRouteSuffix`, next/dist/lib/metadata/get-metadata-route.js, 14.x to 16.x)."""
    if base == "sitemap" or not any(s.startswith("(") and s.endswith(")") or s.startswith("@") for s in segments):
        return ""
    value = 5381
    for char in "/" + "/".join(segments):
        value = ((value << 5) + value + ord(char)) & 0xFFFFFFFF
    digits = ""
    while value:
        value, rest = divmod(value, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[rest] + digits
    return "-" + (digits or "0")[:6]


def _pages_route(path: str, folder: str, base: str, pages_dir: str) -> Route | None:
    rel_folder = folder[len(pages_dir):].strip("/")
    if not rel_folder and base in ("_app", "_document", "_error"):
        return Route(path, {"_app": "app", "_document": "document", "_error": "error"}[base], "pages", "/" + base)
    parts = [p for p in rel_folder.split("/") if p] + ([] if base == "index" else [base])
    url = "/" + "/".join(parts)
    kind = "api" if parts[:1] == ["api"] else "pages-page"
    return Route(path, kind, "pages", url)


# --------------------------------------------------------------------------------------------
# Runtimes


def read_runtime(export: Export | None, app: App) -> tuple[str | None, bool]:
    """What Next.js makes of a `runtime` export: (value or None, whether Next can read it).

    Follows REFERENCE.md §1.3: only a plain string literal in `export const` is read the same way
    everywhere; template literals and `satisfies` from 15.0; `as const` from 16.3 (and Turbopack
    16.4); `export let` on 14.x and under Turbopack; re-exports and identifiers never.
    """
    if export is None:
        return None, True
    value = export.value if isinstance(export.value, str) else None
    if export.kind == "const" and export.form == "string":
        return value, True
    v15 = app.version_at_least(15)
    if export.kind == "let" and export.form == "string":
        return (value, True) if not v15 or app.turbopack else (None, False)
    if export.kind != "const":
        return None, False
    if export.form == "template" or export.form == "satisfies":
        return (value, True) if v15 else (None, False)
    if export.form == "as-const":
        return (value, True) if app.version_at_least(16, 3, unknown=False) else (None, False)
    return None, False


#: Files whose `export const config = { runtime }` Next reads (Pages Router and middleware, §1.4, §1.6).
CONFIG_RUNTIME_KINDS = ("pages-page", "api", "middleware", "proxy")


def runtime_of(summary: ModuleSummary | None, app: App, route_kind: str, path: str) -> Runtime | None:
    """The runtime a file sets itself, or None when it sets none."""
    if summary is None:
        return None
    export = summary.exports.get("runtime") if app.version_at_least(13) else None  # 12.x reads `config` only
    value, readable = read_runtime(export, app)
    if export is not None:
        if readable and value:
            return Runtime(value, "own", path, export.span)
        return Runtime("nodejs", "unreadable", path, export.span)
    if route_kind in CONFIG_RUNTIME_KINDS or (route_kind != "layout" and not app.version_at_least(13, 3, 1)):
        config = summary.value("config")  # App Router files too up to 13.3.0 (§1.2; 13.3.1 drops it)
        if isinstance(config, dict) and isinstance(config.get("runtime"), str):
            return Runtime(config["runtime"], "config", path, summary.exports["config"].span)
    return None


def layouts_apply(route: Route, app: App) -> bool:
    """Whether layout runtimes reach this route (REFERENCE.md §1.5). Not before 13.4: next 13.2.4's
    and 13.3.1's `build/entries.js` take each route file's own runtime only; 13.4.0 merges layouts."""
    if not app.version_at_least(13, 4):
        return False
    if route.kind in ("route", "metadata"):
        return not app.version_at_least(15) or app.turbopack
    return True


#: How nearly every file that sets a runtime writes it: `export const runtime = 'edge'`, or
#: `export const config = { runtime: 'edge' }` (Pages Router, middleware), on a line of its own.
_PLAIN_RUNTIME = re.compile(rb"^export const (?:(?P<own>runtime) = |(?P<config>config) = \{ runtime: )"
                            rb"(['\"])(?P<value>[\w-]+)\3(?(config),? \});?[ \t]*\r?$", re.M)


def own_runtime(ws: Workspace, app: App, route_kind: str, path: str) -> Runtime | None:
    """`runtime_of` the file: from its bytes when it sets the runtime in a plain form above and
    mentions `runtime` (and `config`) nowhere else, which spares most route files a parse before
    the checks start; else from its summary."""
    return _plain_runtime(ws, app, route_kind, path) or runtime_of(runtime_summary(ws, path), app, route_kind, path)


def _plain_runtime(ws: Workspace, app: App, route_kind: str, path: str) -> Runtime | None:
    if not ws.mentions(path, "runtime"):
        return None
    data = ws.read(path) or b""
    plain = _PLAIN_RUNTIME.search(data)
    if plain is None or data.count(b"runtime") != 1 or b"\\u" in data or facts.in_comment(data, plain.start()) \
            or not _top_level(data, plain.start()):
        return None
    if plain.group("own") and not app.version_at_least(13):
        return None  # 12.x reads `config.runtime` only
    if plain.group("config") and (data.count(b"config") != 1 or not (route_kind in CONFIG_RUNTIME_KINDS or (
            route_kind != "layout" and not app.version_at_least(13, 3, 1)))):
        return None  # not read there (`runtime_of`)
    line, name = data.count(b"\n", 0, plain.start()) + 1, len(b"export const ") + 1
    word = plain.group("own") or plain.group("config")
    return Runtime(plain.group("value").decode(), "own" if plain.group("own") else "config", path,
                   Span(line, name, line, name + len(word)))


def _top_level(data: bytes, at: int) -> bool:
    """Whether as many brackets of each kind open as close before `at` (not in a function body,
    JSX, a namespace or `declare module`; a bracket in a string or comment makes it say no)."""
    before = data[:at]
    return all(before.count(opening) == before.count(closing) for opening, closing in ((b"{", b"}"), (b"(", b")"),
                                                                                     (b"[", b"]")))


def runtime_summary(ws: Workspace, path: str) -> ModuleSummary | None:
    """The summary of a file that may set a runtime (`runtime`, or `config = { runtime }`), else
    None: a byte search spares the parse."""
    return ws.summary_with(path, "runtime")


def resolve_runtimes(ws: Workspace, app: App) -> None:
    plain: dict[tuple[str, str], Runtime | None] = {}  # each route file and layout once (a layout serves many routes)
    for route in app.routes:
        for path, kind in ((route.path, route.kind), *((layout, "layout") for layout in route.layouts)):
            if (path, kind) not in plain:
                plain[path, kind] = _plain_runtime(ws, app, kind, path)
    ws.prefetch_summaries([path for (path, _kind), runtime in plain.items()
                           if runtime is None and ws.mentions(path, "runtime")])

    def own_of(path: str, kind: str) -> Runtime | None:  # `own_runtime`, from the plain forms found above
        return plain[path, kind] or runtime_of(runtime_summary(ws, path), app, kind, path)

    for route in app.routes:
        own = own_of(route.path, route.kind)
        if route.kind == "proxy":
            route.runtime = Runtime("nodejs", "default", route.path)
            continue
        if route.kind == "middleware":
            honoured = own is not None and own.value == "nodejs" and app.version_at_least(15, 2)
            route.runtime = own if honoured else Runtime("edge", "default", route.path)
            continue
        if own is not None:
            route.runtime = own
            continue
        if route.router == "app" and layouts_apply(route, app):
            for layout in reversed(route.layouts):
                inherited = own_of(layout, "layout")
                if inherited is not None and inherited.reason != "unreadable":
                    route.runtime = Runtime(inherited.value, "layout", layout, inherited.span)
                    break
        configured = configured_runtime(app) if route.runtime is None else None
        if configured is not None and (route.router == "app" or _pages_take_configured(ws, app, route)):
            route.runtime = configured
        if route.runtime is None:
            route.runtime = Runtime("nodejs", "default", route.path)


#: What next (13.0–13.3.0) looks for before it reads a file's own segment config.
_STATIC_INFO_WORDS = re.compile(rb"runtime|getStaticProps|getServerSideProps|export const config")


def _pages_take_configured(ws: Workspace, app: App, route: Route) -> bool:
    """Whether a Pages Router route without a runtime of its own gets `experimental.runtime`
    (13.0 to 13.3.0, `getPageStaticInfo` in next 13.1.6, 13.2.4, 13.3.0): a file that mentions
    none of `_STATIC_INFO_WORDS` does; one that does only with `getServerSideProps` or
    `getStaticProps` (otherwise it stays on Node.js)."""
    if route.router != "pages" or route.kind not in ("pages-page", "api") or not app.version_at_least(13):
        return False
    data = ws.read(route.path) or b""
    if not _STATIC_INFO_WORDS.search(data):
        return True
    summary = ws.summary(route.path)
    return summary is not None and bool({"getServerSideProps", "getStaticProps"} & set(summary.exports))


def configured_runtime(app: App) -> Runtime | None:
    """Before 13.3.1, a route that sets no runtime may get next.config's `experimental.runtime`
    (next 13.2.4 and 13.3.0 `build/analysis/get-page-static-info.js`; gone in 13.3.1): every App
    Router route, and the Pages Router routes `_pages_take_configured` admits."""
    config = app.next_config
    if config is None or app.version_at_least(13, 3, 1):
        return None
    value = config.value("experimental", "runtime")
    node = config.node_at("experimental", "runtime")
    if not isinstance(value, str) or node is None:
        return None
    return Runtime(value, "next-config", config.path, config.pf.span(node))


def inherited_runtime(ws: Workspace, app: App, route: Route) -> Runtime | None:
    """The runtime the route's layouts set, whether or not Next applies it to this route."""
    for layout in reversed(route.layouts):
        inherited = own_runtime(ws, app, "layout", layout)
        if inherited is not None and inherited.reason != "unreadable":
            return Runtime(inherited.value, "layout", layout, inherited.span)
    return None


def literal_export(summary: ModuleSummary | None, name: str):
    """The literal value of an export, None if absent or not literal."""
    if summary is None:
        return None
    from edgelint import jsvalues

    value = summary.value(name)
    return None if isinstance(value, jsvalues.Unknown) else value
