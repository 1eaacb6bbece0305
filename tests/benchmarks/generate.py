#!/usr/bin/env python3
"""Write a large, realistic, deterministic Next.js monorepo for the edgelint benchmark.

    python tests/benchmarks/generate.py OUT_DIR [--files 5000] [--seed 1]

The tree (a plain directory, not a git repository) looks like a pnpm/Turborepo monorepo:

    package.json (workspaces)  pnpm-workspace.yaml  tsconfig.base.json  turbo.json  .gitignore
    apps/storefront   next-on-pages, Next 14.2, wrangler.toml + KV, App Router + Pages Router
    apps/console      next-on-pages, Next 15.1, src/app, wrangler.toml + KV
    apps/docs         OpenNext on Workers, Next 15.2, wrangler.jsonc + KV
    apps/www          plain Vercel, Next 14.2, a few edge handlers, Pages Router API routes
    packages/ui, packages/db, packages/lib, packages/config   (package.json `name` + `exports`)
    node_modules/     a small stub that every tool must skip

Every app is cut into "domains" (orders, invoices, ...). A domain has App Router pages in a route
group (list, `[id]` detail, `[id]/edit`, `new`, loading), route handlers (GET/POST and
GET/PUT/DELETE), a server-actions file, optional Pages Router API routes and
getServerSideProps pages, a chain of 5-10 components that import each other, a chain of lib
modules ending in `@acme/db`, client hooks and leaf components. Edge routes, KV reads and
writes (getRequestContext / getCloudflareContext), `/cdn-cgi/image/` URLs, a custom image
loader and Upstash rate limiting appear where a real team would put them; about one domain in
eight carries one deliberate mistake so that checks have something to find. The mistakes and
the counts are written to `benchmark-manifest.json` at the root of the tree.

`--files` is the number of source files (.ts/.tsx/.js/.mjs, outside node_modules) to aim for;
the result is within a few files of it. The same `--files` and `--seed` always give
byte-identical output: one `random.Random(seed)` plans the tree in a fixed order, every file
gets its own `random.Random` derived from the seed and its path, nothing reads the clock, and
files are written in sorted order.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

SCOPE = "@acme"
SOURCE_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
MISTAKE_RATE = 0.13
PACKAGES_SHARE = 0.16  # of --files; the apps share the rest by weight


# ------------------------------------------------------------------------------------------------
# The shape of the monorepo


@dataclass(frozen=True)
class AppSpec:
    name: str
    target: str  # next-on-pages | opennext | vercel
    next_version: str
    weight: float
    src_dir: bool  # app/ and pages/ live under src/
    kv: tuple[str, ...]  # KV bindings
    pages_router: bool
    edge_share: float  # share of domains whose pages and handlers run on the edge
    groups: tuple[str, str]  # (dynamic route group, content route group)

    @property
    def major(self) -> int:
        return int(self.next_version.split(".")[0])

    @property
    def prefix(self) -> str:
        return f"apps/{self.name}/" + ("src/" if self.src_dir else "")

    @property
    def root(self) -> str:
        return f"apps/{self.name}/"


APPS = (
    AppSpec("storefront", "next-on-pages", "14.2.15", 0.31, False, ("PRODUCT_CACHE", "CART_KV", "SESSIONS"),
            True, 0.17, ("(shop)", "(marketing)")),
    AppSpec("console", "next-on-pages", "15.1.6", 0.25, True, ("SETTINGS_KV", "FLAGS", "AUDIT_LOG"),
            False, 0.13, ("(dashboard)", "(help)")),
    AppSpec("docs", "opennext", "15.2.4", 0.16, False, ("NEXT_INC_CACHE_KV", "VIEWS"),
            False, 0.0, ("(app)", "(content)")),
    AppSpec("www", "vercel", "14.2.20", 0.12, False, (), True, 0.15, ("(app)", "(site)")),
)

NOUNS = """
accounts addresses alerts announcements approvals articles assets audits authors badges bookings
brands budgets bundles campaigns carriers categories certificates channels checkouts collections
comments contracts coupons customers dashboards deliveries departments deployments devices
discounts documents donations drafts employees endpoints estimates events expenses exports feeds
files forms fulfilments gifts goals guides incidents integrations inventories invitations invoices
issues journeys keys labels leads lessons licenses listings locations logs meetings members
messages metrics milestones newsletters notes notifications offers orders organizations packages
partners payments payouts permissions pipelines plans playlists policies posts prices products
profiles projects promotions purchases quotes ratings receipts recipes refunds regions releases
reports requests reservations returns reviews roles routes rules schedules segments sessions
settings shipments shops skus snippets sources sprints stores subscriptions suppliers surveys
tags tasks teams templates tenants tickets tokens topics transactions trips upgrades uploads users
variants vendors videos visits vouchers warehouses webhooks workflows workspaces
""".split()
QUALIFIERS = ("archived", "bulk", "draft", "global", "internal", "legacy", "partner", "pending", "recurring",
              "scheduled", "shared", "team")

FIELDS = (
    ("title", "string", "'Untitled'"), ("status", "'draft' | 'active' | 'archived'", "'draft'"),
    ("price", "number", "0"), ("createdAt", "string", "''"), ("ownerId", "string", "''"),
    ("quantity", "number", "1"), ("tags", "string[]", "[]"), ("description", "string", "''"),
    ("sku", "string", "''"), ("rating", "number", "0"), ("isFeatured", "boolean", "false"),
    ("slug", "string", "''"), ("email", "string", "''"), ("currency", "string", "'USD'"),
    ("updatedAt", "string", "''"), ("region", "string", "'eu'"), ("priority", "number", "3"),
    ("notes", "string | null", "null"), ("imageUrl", "string", "''"), ("total", "number", "0"),
    ("dueDate", "string | null", "null"), ("assignee", "string | null", "null"), ("weight", "number", "0"),
    ("locale", "string", "'en'"), ("version", "number", "1"),
)
STATUSES = ("draft", "active", "archived")
CHAIN_ROLES = ("View", "Panel", "Section", "List", "Table", "Row", "Cell", "Card", "Header", "Meta",
               "Badge", "Label", "Tooltip", "Summary", "Stats", "Toolbar", "Filters", "Chip")
LIB_CHAIN = ("service", "repository", "mapper", "normalize", "validate", "schema", "query", "transport")
UI_PRIMITIVES = ("Avatar", "Badge", "Button", "Card", "Checkbox", "Dialog", "Drawer", "Dropdown", "EmptyState",
                 "Field", "Grid", "Heading", "Input", "Link", "Menu", "Pagination", "Popover", "Progress",
                 "Radio", "Select", "Skeleton", "Spinner", "Stack", "Switch", "Table", "Tabs", "Text",
                 "Textarea", "Toast", "Tooltip")
ICON_NAMES = """
alarm anchor archive arrow-down arrow-left arrow-right arrow-up at bag bank battery bell bolt book
bookmark box briefcase brush bug building calendar camera cart chart chat check chevron circle
clipboard clock cloud code cog compass copy credit-card crop cube database desktop download edit
envelope eye file film filter flag flame folder gift globe grid hash heart home image inbox key
laptop layers link list lock map megaphone mic minus moon music paperclip pause pen phone pin play
plus power printer puzzle receipt refresh rocket save scissors search send server share shield
shop sliders star sun table tag terminal thumb ticket trash truck umbrella upload user video wallet
wifi wrench zap
""".split()
ICON_VARIANTS = ("", "-outline", "-solid", "-duotone", "-mini", "-off", "-plus", "-check", "-x", "-alert")

KV_OPS_TTL = ("60 * 60", "60 * 60 * 24", "60 * 15", "60 * 60 * 24 * 7", "3600", "86400")
IMAGE_WIDTHS = (64, 128, 320, 480, 640, 960, 1200)
FITS = ("cover", "contain", "scale-down", "crop", "pad")


# ------------------------------------------------------------------------------------------------
# Small helpers


def pascal(kebab: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_/ ]", kebab) if part)


def camel(kebab: str) -> str:
    p = pascal(kebab)
    return p[:1].lower() + p[1:]


def singular(word: str) -> str:
    for plural, single in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if word.endswith(plural):
            return word[: -len(plural)] + single
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def fill(template: str, **values) -> str:
    """Replace `{{name}}` placeholders; JSX braces and `${}` pass through untouched."""
    def repl(match: re.Match) -> str:
        value = values[match.group(1)]
        return value if isinstance(value, str) else str(value)

    return re.sub(r"\{\{(\w+)\}\}", repl, template)


def wait_until(app: "AppSpec") -> tuple[str, str]:
    """(import line, statement) that hands a limiter's `pending` promise to the platform's waitUntil."""
    if app.target == "next-on-pages":
        return "import { getRequestContext } from '@cloudflare/next-on-pages';", "getRequestContext().ctx.waitUntil(pending);"
    if app.target == "opennext":
        return "import { getCloudflareContext } from '@opennextjs/cloudflare';", "getCloudflareContext().ctx.waitUntil(pending);"
    return "import { waitUntil } from '@vercel/functions';", "waitUntil(pending);"


def file_rng(seed: int, path: str) -> random.Random:
    return random.Random(f"{seed}:{path}")


@dataclass
class Domain:
    app: AppSpec
    name: str  # kebab plural: "orders"
    mode: str  # "edge" | "node" | "content"
    size: int  # source files to aim for
    fields: list[tuple[str, str, str]]
    mistake: str | None = None
    kv: str | None = None  # the KV binding its cache module uses
    chain: list[str] = field(default_factory=list)  # component chain, head first
    lib_chain: list[str] = field(default_factory=list)

    @property
    def entity(self) -> str:
        return pascal(singular(self.name))

    @property
    def entities(self) -> str:
        return pascal(self.name)

    @property
    def var(self) -> str:
        return camel(singular(self.name))

    @property
    def title(self) -> str:
        return self.name.replace("-", " ").capitalize()

    @property
    def group(self) -> str:
        return self.app.groups[1] if self.mode == "content" else self.app.groups[0]

    @property
    def edge_pages(self) -> bool:
        """Pages of this domain inherit runtime = 'edge' from their route group's layout."""
        return self.mode == "edge" and self.app.target == "next-on-pages"

    @property
    def route_dir(self) -> str:
        return f"{self.app.prefix}app/{self.group}/{self.name}"


class Tree:
    """The files to write: path -> text, plus what the manifest reports."""

    def __init__(self, seed: int):
        self.seed = seed
        self.files: dict[str, str] = {}
        self.routes: list[dict] = []
        self.mistakes: list[dict] = []

    def add(self, path: str, text: str) -> None:
        if path in self.files:
            raise ValueError(f"generated twice: {path}")
        self.files[path] = text if text.endswith("\n") else text + "\n"

    def rng(self, path: str):
        return file_rng(self.seed, path)

    def route(self, path: str, kind: str, edge: bool) -> None:
        self.routes.append({"path": path, "kind": kind, "edge": edge})

    def mistake(self, path: str, kind: str, area: str) -> None:
        self.mistakes.append({"path": path, "kind": kind, "area": area})

    def source_count(self, prefix: str = "") -> int:
        return sum(1 for p in self.files if p.startswith(prefix) and p.endswith(SOURCE_SUFFIXES)
                   and "node_modules/" not in p)


# ------------------------------------------------------------------------------------------------
# Padding: helper functions that give files their realistic, seed-dependent length


def _helper_switch(rng, name: str, d: Domain) -> list[str]:
    labels = rng.sample(STATUSES, len(STATUSES))
    return [f"export function {name}(value: string): string {{", "  switch (value) {",
            *[line for s in labels for line in (f"    case '{s}':", f"      return '{s.capitalize()}';")],
            "    default:", "      return value;", "  }", "}"]


def _helper_sort(rng, name: str, d: Domain) -> list[str]:
    key = rng.choice(d.fields)[0]
    return [f"export function {name}(items: {d.entity}[], direction: 'asc' | 'desc' = 'asc'): {d.entity}[] {{",
            "  const factor = direction === 'asc' ? 1 : -1;",
            "  return [...items].sort((a, b) => {",
            f"    const left = String(a.{key} ?? '');",
            f"    const right = String(b.{key} ?? '');",
            "    return left.localeCompare(right) * factor;",
            "  });", "}"]


def _helper_group(rng, name: str, d: Domain) -> list[str]:
    key = rng.choice(d.fields)[0]
    return [f"export function {name}(items: {d.entity}[]): Record<string, {d.entity}[]> {{",
            f"  const groups: Record<string, {d.entity}[]> = {{}};",
            "  for (const item of items) {",
            f"    const key = String(item.{key} ?? 'other');",
            "    (groups[key] ??= []).push(item);",
            "  }", "  return groups;", "}"]


def _helper_total(rng, name: str, d: Domain) -> list[str]:
    return [f"export function {name}(items: {d.entity}[]): number {{",
            "  return items.reduce((sum, item) => {",
            "    const weight = typeof item.version === 'number' ? item.version : 1;",
            "    return sum + weight;", "  }, 0);", "}"]


def _helper_guard(rng, name: str, d: Domain) -> list[str]:
    checks = [f"    typeof (value as {{ {f}?: unknown }}).{f} !== 'undefined'" for f, _, _ in d.fields[:rng.randint(2, 4)]]
    return [f"export function {name}(value: unknown): value is {d.entity} {{", "  return (",
            "    typeof value === 'object' &&", "    value !== null &&",
            " &&\n".join(checks), "  );", "}"]


def _helper_format(rng, name: str, d: Domain) -> list[str]:
    unit = rng.choice(("day", "hour", "minute"))
    return [f"export function {name}(iso: string | null | undefined, locale = 'en'): string {{",
            "  if (!iso) {", "    return '—';", "  }",
            "  const date = new Date(iso);",
            "  const diff = Math.round((date.getTime() - Date.now()) / 1000 / 60);",
            "  const formatter = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });",
            f"  return formatter.format(diff, '{unit}');", "}"]


def _helper_debounce(rng, name: str, d: Domain) -> list[str]:
    return [f"export function {name}<T extends (...args: never[]) => void>(fn: T, wait = {rng.choice((150, 200, 300))}) {{",
            "  let timer: ReturnType<typeof setTimeout> | undefined;",
            "  return (...args: Parameters<T>) => {",
            "    if (timer) clearTimeout(timer);",
            "    timer = setTimeout(() => fn(...args), wait);", "  };", "}"]


def _helper_constants(rng, name: str, d: Domain) -> list[str]:
    keys = rng.sample(d.fields, min(len(d.fields), rng.randint(3, 6)))
    return [f"export const {name.upper()}_COLUMNS = [",
            *[f"  {{ key: '{k}', label: '{pascal(k)}', sortable: {str(rng.random() < 0.5).lower()} }}," for k, _, _ in keys],
            "] as const;"]


def _helper_async(rng, name: str, d: Domain) -> list[str]:
    return [f"export async function {name}(ids: string[], load: (id: string) => Promise<{d.entity} | null>) {{",
            f"  const results: {d.entity}[] = [];",
            f"  for (let i = 0; i < ids.length; i += {rng.choice((5, 10, 20))}) {{",
            f"    const batch = ids.slice(i, i + {rng.choice((5, 10, 20))});",
            "    const loaded = await Promise.all(batch.map((id) => load(id)));",
            f"    results.push(...loaded.filter((x): x is {d.entity} => x !== null));",
            "  }", "  return results;", "}"]


HELPERS = (_helper_switch, _helper_sort, _helper_group, _helper_total, _helper_guard, _helper_format,
           _helper_debounce, _helper_constants, _helper_async)


def target_lines(rng) -> int:
    """A file length between 30 and 200 lines, most files short."""
    return int(rng.triangular(30, 200, 55))


def pad(rng, lines: list[str], d: Domain, target: int, *, export: bool = True) -> list[str]:
    """Append helper functions until the file has about `target` lines.

    `export=False` keeps them module-private ('use server' files: every export is a server action).
    """
    used = 0
    while len(lines) < target:
        helper = rng.choice(HELPERS)
        body = helper(rng, f"{camel(helper.__name__[8:])}{d.entity}{used}", d)
        if not export:
            body = [line[len("export "):] if line.startswith("export ") else line for line in body]
        lines += ["", *body]
        used += 1
    return lines


def type_lines(d: Domain) -> list[str]:
    return [f"  {name}: {ts};" for name, ts, _ in d.fields]


# ------------------------------------------------------------------------------------------------
# Root files


ROOT_GITIGNORE = """\
# dependencies
node_modules/
.pnpm-store/

# builds
.next/
out/
dist/
.vercel/
.open-next/
.wrangler/
.turbo/

# tools
.edgelint_cache/
coverage/
*.tsbuildinfo
.env*.local
"""

TSCONFIG_BASE = """\
{
  // Shared by every app and package; apps add `paths` and the Next.js plugin.
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["dom", "dom.iterable", "esnext"],
    "allowJs": true,
    "skipLibCheck": true,
    "strict": true,
    "noEmit": true,
    "esModuleInterop": true,
    "module": "esnext",
    "moduleResolution": "bundler",
    "resolveJsonModule": true,
    "isolatedModules": true,
    "jsx": "preserve",
    "incremental": true,
  },
}
"""

TURBO_JSON = """\
{
  "$schema": "https://turbo.build/schema.json",
  "tasks": {
    "build": { "dependsOn": ["^build"], "outputs": [".next/**", "!.next/cache/**", ".vercel/output/**"] },
    "lint": {},
    "dev": { "cache": false, "persistent": true }
  }
}
"""


def root_files(tree: Tree) -> None:
    tree.add(".gitignore", ROOT_GITIGNORE)
    tree.add("pnpm-workspace.yaml", "packages:\n  - 'apps/*'\n  - 'packages/*'\n")
    tree.add("tsconfig.base.json", TSCONFIG_BASE)
    tree.add("turbo.json", TURBO_JSON)
    tree.add(".npmrc", "auto-install-peers=true\n")
    manifest = {
        "name": "acme-monorepo", "private": True, "packageManager": "pnpm@9.12.3",
        "workspaces": ["apps/*", "packages/*"],
        "scripts": {"build": "turbo run build", "dev": "turbo run dev", "lint": "turbo run lint",
                    "edgelint": "edgelint check ."},
        "devDependencies": {"prettier": "^3.3.3", "turbo": "^2.2.3", "typescript": "^5.6.3"},
    }
    tree.add("package.json", json.dumps(manifest, indent=2))
    tree.add("README.md", "# Acme\n\nStorefront, console, docs and marketing site. `pnpm i && pnpm dev`.\n")


def node_modules_stub(tree: Tree) -> None:
    """A few installed packages: real trees have them, every tool must skip them."""
    for package in ("next", "@upstash/ratelimit", "@cloudflare/next-on-pages", "react"):
        base = f"node_modules/{package}"
        tree.add(f"{base}/package.json", json.dumps({"name": package, "version": "0.0.0-stub", "main": "index.js"}))
        for i in range(8):
            tree.add(f"{base}/dist/chunk-{i}.js",
                     "\n".join(f"export const c{i}_{j} = (a) => a + {j};" for j in range(40)))


# ------------------------------------------------------------------------------------------------
# Packages


PACKAGE_JSON_DEV = {"typescript": "^5.6.3", "@types/react": "^18.3.12"}

UI_CN = """\
export type ClassValue = string | false | null | undefined | Record<string, boolean>;

/** Joins class names, skipping falsy values; objects add their truthy keys. */
export function cn(...values: ClassValue[]): string {
  const out: string[] = [];
  for (const value of values) {
    if (!value) continue;
    if (typeof value === 'string') {
      out.push(value);
      continue;
    }
    for (const [key, on] of Object.entries(value)) {
      if (on) out.push(key);
    }
  }
  return out.join(' ');
}
"""

UI_PRIMITIVE = """\
import type { ComponentPropsWithoutRef, ReactNode } from 'react';
import { cn } from './cn';

export type {{Name}}Props = ComponentPropsWithoutRef<'{{tag}}'> & {
  variant?: {{variants}};
  size?: 'sm' | 'md' | 'lg';
  icon?: ReactNode;
};

const VARIANTS: Record<NonNullable<{{Name}}Props['variant']>, string> = {
{{variant_map}}
};

export function {{Name}}({ variant = '{{first}}', size = 'md', icon, className, children, ...rest }: {{Name}}Props) {
  return (
    <{{tag}} className={cn('{{slug}}', VARIANTS[variant], `{{slug}}-${size}`, className)} {...rest}>
      {icon ? <span className="{{slug}}-icon">{icon}</span> : null}
      {children}
    </{{tag}}>
  );
}
"""

UI_IMAGE = """\
import { cn } from './cn';

type Props = {
  src: string;
  alt: string;
  width: number;
  height?: number;
  quality?: number;
  fit?: 'cover' | 'contain' | 'scale-down';
  className?: string;
};

function normalizeSrc(src: string): string {
  return src.startsWith('/') ? src.slice(1) : src;
}

/** An image served through Cloudflare Image Resizing. */
export function CdnImage({ src, alt, width, height, quality = 80, fit = 'cover', className }: Props) {
  const options = [`width=${width}`, `quality=${quality}`, `fit=${fit}`, 'format=auto'];
  if (height) options.push(`height=${height}`);
  return (
    <img
      src={`/cdn-cgi/image/${options.join(',')}/${normalizeSrc(src)}`}
      alt={alt}
      width={width}
      height={height}
      loading="lazy"
      className={cn('cdn-image', className)}
    />
  );
}
"""

UI_ICON = """\
import type { SVGProps } from 'react';

export function {{Name}}Icon({ title, ...props }: SVGProps<SVGSVGElement> & { title?: string }) {
  return (
    <svg viewBox="0 0 24 24" width={24} height={24} fill="none" stroke="currentColor" strokeWidth={1.5} {...props}>
      {title ? <title>{title}</title> : null}
{{paths}}
    </svg>
  );
}
"""


def ui_package(tree: Tree, budget: int) -> None:
    base = "packages/ui"
    tree.add(f"{base}/package.json", json.dumps({
        "name": f"{SCOPE}/ui", "version": "0.0.0", "private": True, "type": "module",
        "exports": {".": "./src/index.ts", "./cn": "./src/cn.ts", "./image": "./src/image.tsx",
                    "./icons/*": "./src/icons/*.tsx", "./*": "./src/*.tsx"},
        "peerDependencies": {"react": "^18.3.1 || ^19.0.0"}, "devDependencies": PACKAGE_JSON_DEV}, indent=2))
    tree.add(f"{base}/tsconfig.json", '{\n  "extends": "../../tsconfig.base.json",\n  "include": ["src"]\n}\n')
    tree.add(f"{base}/src/cn.ts", UI_CN)
    tree.add(f"{base}/src/image.tsx", UI_IMAGE)
    for name in UI_PRIMITIVES:
        rng = tree.rng(f"{base}/src/{name}.tsx")
        variants = rng.sample(("primary", "secondary", "ghost", "danger", "subtle", "outline"), rng.randint(2, 4))
        tag = rng.choice(("div", "button", "span", "section")) if name != "Button" else "button"
        tree.add(f"{base}/src/{name}.tsx", fill(
            UI_PRIMITIVE, Name=name, tag=tag, slug=name.lower(), first=variants[0],
            variants=" | ".join(f"'{v}'" for v in variants),
            variant_map="\n".join(f"  {v}: '{name.lower()}-{v}'," for v in variants)))
    exports = [f"export * from './{n}';" for n in UI_PRIMITIVES] + ["export * from './cn';",
                                                                     "export * from './image';"]
    tree.add(f"{base}/src/index.ts", "\n".join(exports))
    icons = [n + v for v in ICON_VARIANTS for n in ICON_NAMES]
    wanted = max(0, budget - tree.source_count(base + "/"))
    icons += [f"{icons[i % len(icons)]}-{i // len(icons) + 1}" for i in range(max(0, wanted - len(icons)))]
    for name in icons[:wanted]:
        rng = tree.rng(name)
        paths = [f'      <path d="M{rng.randint(1, 22)} {rng.randint(1, 22)}l{rng.randint(-9, 9)} {rng.randint(-9, 9)}'
                 f'h{rng.randint(1, 9)}v{rng.randint(1, 9)}z" />' for _ in range(rng.randint(1, 6))]
        tree.add(f"{base}/src/icons/{pascal(name)}.tsx", fill(UI_ICON, Name=pascal(name), paths="\n".join(paths)))


DB_CLIENT = """\
import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

export type Database = ReturnType<typeof createDb>;

/** A Drizzle client over a D1 binding (the binding is obtained per request by the caller). */
export function createDb(binding: D1Database) {
  return drizzle(binding, { schema });
}

export function paginate<T extends { limit: (n: number) => T; offset: (n: number) => T }>(query: T, page = 1, size = 25) {
  return query.limit(size).offset((page - 1) * size);
}
"""

DB_TABLE = """\
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const {{table}} = sqliteTable('{{sql}}', {
  id: text('id').primaryKey(),
{{columns}}
});

export type {{Entity}}Row = typeof {{table}}.$inferSelect;
export type New{{Entity}}Row = typeof {{table}}.$inferInsert;
"""


def db_package(tree: Tree, domains: list[Domain]) -> None:
    base = "packages/db"
    tree.add(f"{base}/package.json", json.dumps({
        "name": f"{SCOPE}/db", "version": "0.0.0", "private": True, "type": "module",
        "exports": {".": "./src/index.ts", "./client": "./src/client.ts", "./schema/*": "./src/schema/*.ts"},
        "dependencies": {"drizzle-orm": "^0.36.4"}, "devDependencies": PACKAGE_JSON_DEV}, indent=2))
    tree.add(f"{base}/src/client.ts", DB_CLIENT)
    tree.add(f"{base}/src/index.ts", "export * from './client';\nexport * from './schema';\n")
    tree.add(f"{base}/src/schema/index.ts",
             "\n".join(f"export * from './{d.name}';" for d in sorted(domains, key=lambda d: d.name)))
    for d in domains:
        columns = []
        for name, ts, _ in d.fields:
            sql = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
            kind = "integer" if ts in ("number", "boolean") else "text"
            columns.append(f"  {name}: {kind}('{sql}'){'.notNull()' if 'null' not in ts else ''},")
        tree.add(f"{base}/src/schema/{d.name}.ts", fill(DB_TABLE, table=camel(d.name), sql=d.name.replace("-", "_"),
                                                        Entity=d.entity, columns="\n".join(columns)))


LIB_FORMAT = """\
const currencyFormatters = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: number, currency = 'USD', locale = 'en-US'): string {
  const key = `${locale}:${currency}`;
  let formatter = currencyFormatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
    currencyFormatters.set(key, formatter);
  }
  return formatter.format(amount / 100);
}

export function formatDate(iso: string | null | undefined, locale = 'en-US'): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso));
}

export function truncate(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
"""

LIB_IMAGE = """\
export type ImageOptions = {
  width: number;
  height?: number;
  quality?: number;
  fit?: 'scale-down' | 'contain' | 'cover' | 'crop' | 'pad';
  format?: 'auto' | 'webp' | 'avif' | 'json';
};

/** A Cloudflare Image Resizing URL for a path on this zone. */
export function cdnImage(src: string, { width, height, quality = 80, fit = 'cover', format = 'auto' }: ImageOptions): string {
  const options = [`width=${width}`, `quality=${quality}`, `fit=${fit}`, `format=${format}`];
  if (height) options.push(`height=${height}`);
  const path = src.startsWith('/') ? src.slice(1) : src;
  return `/cdn-cgi/image/${options.join(',')}/${path}`;
}
"""

LIB_RATELIMIT = """\
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis';

/** One limiter per use, created at module scope so its ephemeral cache survives warm isolates. */
export function createLimiter(prefix: string, requests = 30, window: `${number} s` | `${number} m` = '10 s') {
  return new Ratelimit({
    redis: Redis.fromEnv(),
    limiter: Ratelimit.slidingWindow(requests, window),
    prefix,
    analytics: true,
  });
}

export function clientId(headers: Headers): string {
  return headers.get('cf-connecting-ip') ?? headers.get('x-forwarded-for')?.split(',')[0] ?? 'anonymous';
}
"""

LIB_RESULT = """\
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: string): Result<T> {
  return { ok: false, error };
}
"""

LIB_VALIDATION = """\
import { fail, ok, type Result } from '../result';

export type {{Entity}}Input = {
{{type_lines}}
};

export function parse{{Entity}}Input(raw: unknown): Result<{{Entity}}Input> {
  if (typeof raw !== 'object' || raw === null) {
    return fail('expected an object');
  }
  const value = raw as Record<string, unknown>;
{{checks}}
  return ok(value as {{Entity}}Input);
}
"""


def lib_package(tree: Tree, domains: list[Domain]) -> None:
    base = "packages/lib"
    tree.add(f"{base}/package.json", json.dumps({
        "name": f"{SCOPE}/lib", "version": "0.0.0", "private": True, "type": "module",
        "exports": {"./*": "./src/*.ts"},
        "dependencies": {"@upstash/ratelimit": "^2.0.5", "@upstash/redis": "^1.34.3"},
        "devDependencies": PACKAGE_JSON_DEV}, indent=2))
    tree.add(f"{base}/src/format.ts", LIB_FORMAT)
    tree.add(f"{base}/src/image.ts", LIB_IMAGE)
    tree.add(f"{base}/src/ratelimit.ts", LIB_RATELIMIT)
    tree.add(f"{base}/src/result.ts", LIB_RESULT)
    for d in domains:
        checks = []
        for name, ts, _ in d.fields:
            if "null" in ts:
                continue
            kind = "object" if ts.endswith("[]") else ("string" if ts.startswith("'") else ts)
            checks += [f"  if (typeof value.{name} !== '{kind}') {{", f"    return fail('{name} must be a {kind}');", "  }"]
        tree.add(f"{base}/src/validation/{d.name}.ts", fill(
            LIB_VALIDATION, Entity=d.entity, type_lines="\n".join(type_lines(d)), checks="\n".join(checks)))


TAILWIND_PRESET = """\
import type { Config } from 'tailwindcss';

const preset: Partial<Config> = {
  theme: {
    extend: {
      colors: {
        brand: { 50: '#f3f7ff', 500: '#3b5bdb', 900: '#1b2a6b' },
      },
      borderRadius: { card: '0.75rem' },
    },
  },
};

export default preset;
"""

ESLINT_CONFIG = """\
import next from 'eslint-config-next';

export default [
  ...next,
  {
    rules: {
      'no-console': ['warn', { allow: ['warn', 'error'] }],
      'react/jsx-key': 'error',
    },
  },
];
"""


def config_package(tree: Tree) -> None:
    base = "packages/config"
    tree.add(f"{base}/package.json", json.dumps({
        "name": f"{SCOPE}/config", "version": "0.0.0", "private": True,
        "exports": {"./tailwind": "./tailwind.preset.ts", "./eslint": "./eslint.config.mjs",
                    "./tsconfig/*": "./tsconfig/*.json"}}, indent=2))
    tree.add(f"{base}/tailwind.preset.ts", TAILWIND_PRESET)
    tree.add(f"{base}/eslint.config.mjs", ESLINT_CONFIG)
    tree.add(f"{base}/tsconfig/nextjs.json",
             '{\n  "extends": "../../../tsconfig.base.json",\n  "compilerOptions": { "plugins": [{ "name": "next" }] }\n}\n')


# ------------------------------------------------------------------------------------------------
# App skeleton: package.json, configs, root layout, shared lib modules


def app_package_json(app: AppSpec) -> str:
    deps = {"next": app.next_version, "react": "18.3.1" if app.major < 15 else "19.0.0",
            "react-dom": "18.3.1" if app.major < 15 else "19.0.0", "@upstash/ratelimit": "^2.0.5",
            "@upstash/redis": "^1.34.3", f"{SCOPE}/ui": "workspace:*", f"{SCOPE}/db": "workspace:*",
            f"{SCOPE}/lib": "workspace:*"}
    dev = {f"{SCOPE}/config": "workspace:*", "typescript": "^5.6.3", "@types/react": "^18.3.12"}
    scripts = {"dev": "next dev", "build": "next build", "lint": "next lint"}
    if app.target == "next-on-pages":
        dev.update({"@cloudflare/next-on-pages": "1.13.12", "@cloudflare/workers-types": "^4.20241112.0",
                    "wrangler": "^3.90.0"})
        scripts.update({"pages:build": "npx @cloudflare/next-on-pages", "deploy": "npm run pages:build && wrangler pages deploy"})
    elif app.target == "opennext":
        deps["@opennextjs/cloudflare"] = "^1.3.0"
        dev.update({"@cloudflare/workers-types": "^4.20241218.0", "wrangler": "^4.14.0"})
        scripts["deploy"] = "opennextjs-cloudflare build && opennextjs-cloudflare deploy"
    else:
        deps["@vercel/functions"] = "^1.5.0"
    return json.dumps({"name": app.name, "version": "1.0.0", "private": True, "scripts": scripts,
                       "dependencies": dict(sorted(deps.items())), "devDependencies": dict(sorted(dev.items()))},
                      indent=2)


def app_tsconfig(app: AppSpec) -> str:
    target = "./src/*" if app.src_dir else "./*"
    types = '\n    "types": ["@cloudflare/workers-types/2023-07-01"],' if app.target != "vercel" else ""
    return f"""{{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {{{types}
    "plugins": [{{ "name": "next" }}],
    "paths": {{
      "@/*": ["{target}"],
    }},
  }},
  "include": ["next-env.d.ts", "**/*.ts", "**/*.tsx", ".next/types/**/*.ts"],
  "exclude": ["node_modules"],
}}
"""


def wrangler_toml(app: AppSpec, rng) -> str:
    out = ["#:schema node_modules/wrangler/config-schema.json", f'name = "{app.name}"',
           'pages_build_output_dir = ".vercel/output/static"', 'compatibility_date = "2024-09-23"',
           'compatibility_flags = ["nodejs_compat"]', "", "[vars]",
           f'NEXT_PUBLIC_SITE_URL = "https://{app.name}.acme.example"', ""]
    ids = {k: "%032x" % rng.getrandbits(128) for k in app.kv}
    for binding in app.kv:
        out += ["[[kv_namespaces]]", f'binding = "{binding}"', f'id = "{ids[binding]}"', ""]
    out += ["[env.production]", f'vars = {{ NEXT_PUBLIC_SITE_URL = "https://{app.name}.acme.com" }}', "kv_namespaces = ["]
    out += [f'  {{ binding = "{b}", id = "{"%032x" % rng.getrandbits(128)}" }},' for b in app.kv]
    out += ["]"]
    return "\n".join(out)


def wrangler_jsonc(app: AppSpec, rng) -> str:
    kv = "\n".join(f'    {{ "binding": "{b}", "id": "{"%032x" % rng.getrandbits(128)}" }},' for b in app.kv)
    return f"""/**
 * Worker for {app.name}, built with OpenNext (`pnpm deploy`).
 */
{{
  "$schema": "node_modules/wrangler/config-schema.json",
  "name": "{app.name}",
  "main": ".open-next/worker.js",
  "compatibility_date": "2024-12-30",
  // OpenNext runs Next.js on the Node.js runtime: nodejs_compat is required.
  "compatibility_flags": ["nodejs_compat"],
  "assets": {{ "directory": ".open-next/assets", "binding": "ASSETS" }},
  "services": [{{ "binding": "WORKER_SELF_REFERENCE", "service": "{app.name}" }}],
  "kv_namespaces": [
{kv}
  ],
}}
"""


NEXT_CONFIG_PAGES = """\
import { setupDevPlatform } from '@cloudflare/next-on-pages/next-dev';

if (process.env.NODE_ENV === 'development') {
  await setupDevPlatform();
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  transpilePackages: ['@acme/ui', '@acme/lib', '@acme/db'],
  images: {
    loader: 'custom',
    loaderFile: './{{loader}}',
  },
  webpack(config, { nextRuntime }) {
    if (nextRuntime === 'edge') {
      const originalEntry = config.entry;
      config.entry = async () => {
        const entries = await originalEntry();
        for (const [name, value] of Object.entries(entries)) {
          const list = Array.isArray(value) ? value : value.import;
          if (Array.isArray(list) && !list.includes('./{{polyfill}}')) {
            list.unshift('./{{polyfill}}');
          }
        }
        return entries;
      };
    }
    return config;
  },
};

export default nextConfig;
"""

NEXT_CONFIG_OPENNEXT = """\
import type { NextConfig } from 'next';
import { initOpenNextCloudflareForDev } from '@opennextjs/cloudflare';

initOpenNextCloudflareForDev();

const nextConfig: NextConfig = {
  transpilePackages: ['@acme/ui', '@acme/lib', '@acme/db'],
  images: {
    loader: 'custom',
    loaderFile: './{{loader}}',
  },
};

export default nextConfig;
"""

NEXT_CONFIG_VERCEL = """\
/** @type {import('next').NextConfig} */
const nextConfig = {
  transpilePackages: ['@acme/ui', '@acme/lib', '@acme/db'],
  images: {
    remotePatterns: [{ protocol: 'https', hostname: 'images.acme.com' }],
  },
  async redirects() {
    return [{ source: '/home', destination: '/', permanent: true }];
  },
};

export default nextConfig;
"""

OPEN_NEXT_CONFIG = """\
import { defineCloudflareConfig } from '@opennextjs/cloudflare';
import kvIncrementalCache from '@opennextjs/cloudflare/overrides/incremental-cache/kv-incremental-cache';

export default defineCloudflareConfig({
  incrementalCache: kvIncrementalCache,
});
"""

IMAGE_LOADER = """\
import type { ImageLoaderProps } from 'next/image';

// Cloudflare Image Resizing; see the images section of the platform docs.
const normalizeSrc = (src: string) => (src.startsWith('/') ? src.slice(1) : src);

export default function cloudflareLoader({ src, width, quality }: ImageLoaderProps) {
  if (process.env.NODE_ENV === 'development') {
    return src;
  }
  const params = [`width=${width}`, `quality=${quality || 75}`, 'format=auto'];
  return `/cdn-cgi/image/${params.join(',')}/${normalizeSrc(src)}`;
}
"""

EDGE_POLYFILLS = """\
// Prepended to the edge bundles by the webpack hook in next.config.mjs.
import { Buffer } from 'buffer';

if (typeof globalThis.Buffer === 'undefined') {
  globalThis.Buffer = Buffer;
}
"""

APP_RATELIMIT = """\
import { createLimiter, clientId } from '@acme/lib/ratelimit';

export const ratelimit = createLimiter('{{app}}', {{requests}}, '10 s');
export const strictLimit = createLimiter('{{app}}:strict', 5, '1 m');
export { clientId };
"""

WITH_RATE_LIMIT = """\
import type { NextRequest } from 'next/server';
{{wait_import}}
import { clientId, ratelimit } from './ratelimit';

type Handler<C> = (request: NextRequest, context: C) => Promise<Response>;

export function withRateLimit<C>(handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    const { success, pending, limit, remaining, reset } = await ratelimit.limit(`route:${clientId(request.headers)}`);
    {{wait_call}}
    if (!success) {
      return Response.json(
        { error: 'Too many requests' },
        {
          status: 429,
          headers: {
            'X-RateLimit-Limit': String(limit),
            'X-RateLimit-Remaining': String(remaining),
            'Retry-After': String(Math.ceil((reset - Date.now()) / 1000)),
          },
        },
      );
    }
    return handler(request, context);
  };
}
"""

MIDDLEWARE = """\
import { NextResponse, type NextFetchEvent, type NextRequest } from 'next/server';
import { clientId, ratelimit } from '@/lib/ratelimit';

const PUBLIC = [{{public}}];

export async function middleware(request: NextRequest, event: NextFetchEvent) {
  const { pathname } = request.nextUrl;
  if (pathname.startsWith('/api/')) {
    const { success, pending, remaining } = await ratelimit.limit(`mw:${clientId(request.headers)}`);
    event.waitUntil(pending);
    if (!success) {
      return NextResponse.json({ error: 'Too many requests' }, { status: 429 });
    }
    const response = NextResponse.next();
    response.headers.set('X-RateLimit-Remaining', String(remaining));
    return response;
  }
  if (!PUBLIC.some((prefix) => pathname.startsWith(prefix)) && !request.cookies.has('session')) {
    const url = request.nextUrl.clone();
    url.pathname = '/login';
    url.searchParams.set('next', pathname);
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
}

export const config = {
  matcher: [{{matcher}}],
};
"""

ROOT_LAYOUT = """\
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: '{{Title}}', template: '%s · {{Title}}' },
  description: '{{Title}} by Acme',
  openGraph: {
    images: ['https://{{app}}.acme.com/cdn-cgi/image/width=1200,height=630,fit=cover,format=jpeg/og/{{app}}.png'],
  },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <a href="/">{{Title}}</a>
          <nav>
{{nav}}
          </nav>
        </header>
        {children}
      </body>
    </html>
  );
}
"""

GROUP_LAYOUT = """\
import type { ReactNode } from 'react';
{{runtime}}
export default function {{Name}}Layout({ children }: { children: ReactNode }) {
  return (
    <div className="{{slug}}">
      <aside className="{{slug}}-nav">
{{nav}}
      </aside>
      <section>{children}</section>
    </div>
  );
}
"""

HOME_PAGE = """\
import { CdnImage } from '@acme/ui/image';
import { Heading } from '@acme/ui/Heading';

export default function HomePage() {
  return (
    <main>
      <CdnImage src="/hero/{{app}}.jpg" alt="" width={1600} quality={80} />
      <Heading>{{Title}}</Heading>
      <ul>
{{links}}
      </ul>
    </main>
  );
}
"""

NOT_FOUND = """\
{{runtime}}export default function NotFound() {
  return (
    <main>
      <h1>Not found</h1>
      <p>We could not find that page.</p>
    </main>
  );
}
"""

ERROR_PAGE = """\
'use client';

import { useEffect } from 'react';

export default function Error({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <main>
      <h1>Something went wrong</h1>
      <button type="button" onClick={() => reset()}>
        Try again
      </button>
    </main>
  );
}
"""

ENV_D_TS = """\
// Generated by `wrangler types --env-interface CloudflareEnv env.d.ts`
interface CloudflareEnv {
{{bindings}}
  NEXT_PUBLIC_SITE_URL: string;
}
"""

NEXT_ENV_D_TS = """\
/// <reference types="next" />
/// <reference types="next/image-types/global" />

// NOTE: This file should not be edited
"""

KV_MODULE_PAGES = """\
import { getRequestContext } from '@cloudflare/next-on-pages';

/** The KV bindings of this app, obtained in request scope. */
export function kv() {
  return getRequestContext().env;
}

export function waitUntil(promise: Promise<unknown>): void {
  getRequestContext().ctx.waitUntil(promise);
}
"""

KV_MODULE_OPENNEXT = """\
import { getCloudflareContext } from '@opennextjs/cloudflare';

/** The KV bindings of this app, obtained in request scope. */
export async function kv() {
  const { env } = await getCloudflareContext({ async: true });
  return env;
}

export async function waitUntil(promise: Promise<unknown>): Promise<void> {
  const { ctx } = await getCloudflareContext({ async: true });
  ctx.waitUntil(promise);
}
"""

SESSION_MODULE = """\
import { cookies } from 'next/headers';

export type Session = { userId: string; role: 'admin' | 'member' | 'viewer' };

export async function currentSession(): Promise<Session | null> {
  const raw = {{cookies}}.get('session')?.value;
  if (!raw) return null;
  try {
    const [userId, role] = atob(raw).split(':');
    return { userId, role: (role as Session['role']) ?? 'viewer' };
  } catch {
    return null;
  }
}
"""

CONSTANTS = """\
export const EDGE_RUNTIME = 'edge';
export const PAGE_SIZE = {{page_size}};
export const SITE_URL = process.env.NEXT_PUBLIC_SITE_URL ?? 'http://localhost:3000';
"""


KV_HEALTH = """\

/** Used by the status page: one cheap read per namespace. */
export async function kvHealth(): Promise<Record<string, boolean>> {
  const env = {{env}};
  const checks = await Promise.allSettled([
{{reads}}
  ]);
  return Object.fromEntries(checks.map((c, i) => [[{{names}}][i], c.status === 'fulfilled']));
}
"""


def kv_module(app: AppSpec) -> str:
    used = [b for b in app.kv if b != "NEXT_INC_CACHE_KV"]  # that one is OpenNext's own
    health = fill(KV_HEALTH, env="kv()" if app.target == "next-on-pages" else "await kv()",
                  reads="\n".join(f"    env.{b}.get('health:ping')," for b in used),
                  names=", ".join(f"'{b}'" for b in used))
    return (KV_MODULE_PAGES if app.target == "next-on-pages" else KV_MODULE_OPENNEXT) + health


def app_skeleton(tree: Tree, app: AppSpec, domains: list[Domain]) -> None:
    rng = tree.rng(app.root)
    root, src = app.root, app.prefix
    tree.add(root + "package.json", app_package_json(app))
    tree.add(root + "tsconfig.json", app_tsconfig(app))
    tree.add(root + "next-env.d.ts", NEXT_ENV_D_TS)
    tree.add(root + ".gitignore", ".next/\n.vercel/\n.open-next/\n.wrangler/\n")
    loader = ("src/" if app.src_dir else "") + "lib/image-loader.ts"
    polyfill = ("src/" if app.src_dir else "") + "lib/edge-polyfills.js"
    if app.target == "next-on-pages":
        tree.add(root + "wrangler.toml", wrangler_toml(app, rng))
        tree.add(root + "next.config.mjs", fill(NEXT_CONFIG_PAGES, loader=loader, polyfill=polyfill))
        tree.add(src + "lib/edge-polyfills.js", EDGE_POLYFILLS)
    elif app.target == "opennext":
        tree.add(root + "wrangler.jsonc", wrangler_jsonc(app, rng))
        tree.add(root + "next.config.ts", fill(NEXT_CONFIG_OPENNEXT, loader=loader))
        tree.add(root + "open-next.config.ts", OPEN_NEXT_CONFIG)
    else:
        tree.add(root + "vercel.json", json.dumps({"$schema": "https://openapi.vercel.sh/vercel.json",
                                                   "framework": "nextjs", "regions": ["fra1"]}, indent=2))
        tree.add(root + "next.config.mjs", NEXT_CONFIG_VERCEL)
    if app.kv:
        tree.add(root + "env.d.ts", fill(ENV_D_TS, bindings="\n".join(f"  {b}: KVNamespace;" for b in app.kv)))
        tree.add(src + "lib/kv.ts", kv_module(app))
    if app.target != "vercel":
        tree.add(src + "lib/image-loader.ts", IMAGE_LOADER)
    tree.add(src + "lib/ratelimit.ts", fill(APP_RATELIMIT, app=app.name, requests=rng.choice((20, 30, 60))))
    wait_import, wait_call = wait_until(app)
    tree.add(src + "lib/with-rate-limit.ts", fill(WITH_RATE_LIMIT, wait_import=wait_import, wait_call=wait_call))
    tree.add(src + "lib/session.ts", fill(SESSION_MODULE, cookies="(await cookies())" if app.major >= 15 else "cookies()"))
    tree.add(src + "lib/constants.ts", fill(CONSTANTS, page_size=rng.choice((20, 25, 50))))
    public = ", ".join(f"'/{d.name}'" for d in domains if d.mode == "content") or "'/'"
    matcher = {"storefront": "'/api/:path*'", "console": "'/api/:path*', '/((?!_next/static|_next/image|favicon.ico).*)'",
               "docs": "'/api/:path*', '/account/:path*'", "www": "'/api/:path*'"}[app.name]
    tree.add(src + "middleware.ts", fill(MIDDLEWARE, public=public, matcher=matcher))
    tree.route(src + "middleware.ts", "middleware", True)

    nav = "\n".join(f'            <a href="/{d.name}">{d.title}</a>' for d in domains[:8])
    tree.add(src + "app/layout.tsx", fill(ROOT_LAYOUT, Title=pascal(app.name), app=app.name, nav=nav))
    tree.add(src + "app/globals.css", ":root {\n  --brand: #3b5bdb;\n}\n\nbody {\n  margin: 0;\n}\n")
    links = "\n".join(f'        <li><a href="/{d.name}">{d.title}</a></li>' for d in domains[:12])
    tree.add(src + "app/page.tsx", fill(HOME_PAGE, app=app.name, Title=pascal(app.name), links=links))
    tree.route(src + "app/page.tsx", "page", False)
    edge_nf = app.target == "next-on-pages"
    tree.add(src + "app/not-found.tsx", fill(NOT_FOUND, runtime="export const runtime = 'edge';\n\n" if edge_nf else ""))
    tree.route(src + "app/not-found.tsx", "not-found", edge_nf)
    tree.add(src + "app/error.tsx", ERROR_PAGE)
    for kind, group in zip(("dynamic", "content"), app.groups):
        edge = kind == "dynamic" and app.target == "next-on-pages"
        runtime = "\n// Every page in this group reads the session per request.\nexport const runtime = 'edge';\n" if edge else ""
        members = [d for d in domains if d.group == group]
        nav = "\n".join(f'        <a href="/{d.name}">{d.title}</a>' for d in members[:10])
        name = pascal(group.strip("()"))
        path = f"{src}app/{group}/layout.tsx"
        tree.add(path, fill(GROUP_LAYOUT, runtime=runtime, Name=name, slug=group.strip("()"), nav=nav))
    if app.pages_router:
        tree.add(src + "pages/_app.tsx", PAGES_APP)


PAGES_APP = """\
import type { AppProps } from 'next/app';

export default function App({ Component, pageProps }: AppProps) {
  return <Component {...pageProps} />;
}
"""


# ------------------------------------------------------------------------------------------------
# Domain files: types, lib chain, KV cache, components, routes, actions, hooks


TYPES_MODULE = """\
export type {{Entity}} = {
  id: string;
{{type_lines}}
};

export type {{Entity}}Filter = {
  page?: number;
  limit?: number;
  query?: string;
  status?: string;
};

export const EMPTY_{{ENTITY}}: Omit<{{Entity}}, 'id'> = {
{{defaults}}
};
"""


def domain_types(tree: Tree, d: Domain) -> None:
    defaults = "\n".join(f"  {name}: {default}," for name, _, default in d.fields)
    tree.add(f"{d.app.prefix}lib/{d.name}/types.ts", fill(
        TYPES_MODULE, Entity=d.entity, ENTITY=re.sub(r"(?<!^)(?=[A-Z])", "_", d.entity).upper(),
        type_lines="\n".join(type_lines(d)), defaults=defaults))


def lib_chain_file(tree: Tree, d: Domain, index: int) -> None:
    """lib/<domain>/<step>.ts: each step imports the next; the last one reaches @acme/db."""
    step = d.lib_chain[index]
    path = f"{d.app.prefix}lib/{d.name}/{step}.ts"
    rng = tree.rng(path)
    nxt = d.lib_chain[index + 1] if index + 1 < len(d.lib_chain) else None
    lines = [f"import type {{ {d.entity}, {d.entity}Filter }} from './types';"]
    if nxt:
        lines.append(f"import {{ {nxt}{d.entities} }} from './{nxt}';")
    else:
        lines.append(f"import {{ {camel(d.name)} }} from '{SCOPE}/db/schema/{d.name}';")
    if index == 0 and d.kv:
        lines.append("import { readCached, writeCached } from './cache';")
    if nxt is None and d.mistake == "node-builtin-in-edge-chain":
        lines.append("import { readFileSync } from 'node:fs';")
        tree.mistake(path, "node:fs imported by a module that edge routes reach", "edge-compat")
    lines.append("")
    if nxt is None and d.mistake == "node-builtin-in-edge-chain":
        lines += ["const FIXTURES = JSON.parse(readFileSync(new URL('./fixtures.json', import.meta.url), 'utf8'));", ""]
    lines += [f"export async function {step}{d.entities}(filter: {d.entity}Filter = {{}}): Promise<{d.entity}[]> {{",
              f"  const page = Math.max(1, filter.page ?? 1);", f"  const limit = Math.min(100, filter.limit ?? 25);"]
    if nxt:
        lines += [f"  const rows = await {nxt}{d.entities}({{ ...filter, page, limit }});"]
    else:
        lines += [f"  void {camel(d.name)};", f"  const rows: {d.entity}[] = [];"]
    lines += ["  return rows.filter((row) => !filter.query || JSON.stringify(row).includes(filter.query));", "}"]
    if index == 0:
        lines += ["", f"export async function get{d.entity}(id: string): Promise<{d.entity} | null> {{"]
        if d.kv:
            lines += ["  const cached = await readCached(id);", "  if (cached) return cached;"]
        lines += [f"  const [found] = await {step}{d.entities}({{ query: id, limit: 1 }});"]
        if d.kv:
            lines += ["  if (found) await writeCached(found);"]
        lines += ["  return found ?? null;", "}", "",
                  f"export async function create{d.entity}(input: Omit<{d.entity}, 'id'>): Promise<{d.entity}> {{",
                  f"  return {{ id: crypto.randomUUID(), ...input }};", "}", "",
                  f"export const list{d.entities} = {step}{d.entities};"]
    tree.add(path, "\n".join(pad(rng, lines, d, target_lines(rng))))


KV_CACHE_PAGES = """\
import { getRequestContext } from '@cloudflare/next-on-pages';
import type { {{Entity}} } from './types';
{{toplevel}}
const PREFIX = '{{name}}:';

export async function readCached(id: string): Promise<{{Entity}} | null> {
  const { env } = getRequestContext();
  return env.{{binding}}.get<{{Entity}}>(PREFIX + id, { type: 'json', cacheTtl: 300 });
}

export async function writeCached(item: {{Entity}}): Promise<void> {
  {{write}}
}

export async function forget(id: string): Promise<void> {
  const { env, ctx } = getRequestContext();
  ctx.waitUntil(env.{{binding}}.delete(PREFIX + id));
}

export async function listCachedKeys(): Promise<string[]> {
  const { env } = getRequestContext();
  const { keys } = await env.{{binding}}.list({ prefix: PREFIX, limit: 500 });
  return keys.map((key) => key.name.slice(PREFIX.length));
}
"""

KV_CACHE_OPENNEXT = """\
import { getCloudflareContext } from '@opennextjs/cloudflare';
import type { {{Entity}} } from './types';

const PREFIX = '{{name}}:';

export async function readCached(id: string): Promise<{{Entity}} | null> {
  const { env } = await getCloudflareContext({ async: true });
  return env.{{binding}}.get<{{Entity}}>(PREFIX + id, 'json');
}

export async function writeCached(item: {{Entity}}): Promise<void> {
  {{write}}
}
"""


def kv_cache(tree: Tree, d: Domain) -> None:
    path = f"{d.app.prefix}lib/{d.name}/cache.ts"
    rng = tree.rng(path)
    ttl = rng.choice(KV_OPS_TTL)
    toplevel = ""
    if d.app.target == "next-on-pages":
        write = ("const { env } = getRequestContext();\n"
                 f"  await env.{d.kv}.put(PREFIX + item.id, JSON.stringify(item), {{ expirationTtl: {ttl} }});")
        if d.mistake == "kv-put-not-awaited":
            write = ("const { env } = getRequestContext();\n"
                     f"  env.{d.kv}.put(PREFIX + item.id, JSON.stringify(item), {{ expirationTtl: {ttl} }});")
            tree.mistake(path, "KV put neither awaited nor passed to waitUntil", "kv")
        elif d.mistake == "kv-ttl-too-short":
            write = ("const { env } = getRequestContext();\n"
                     f"  await env.{d.kv}.put(PREFIX + item.id, JSON.stringify(item), {{ expirationTtl: 30 }});")
            tree.mistake(path, "expirationTtl below the 60 s minimum", "kv")
        elif d.mistake == "kv-context-at-module-scope":
            toplevel = "\n// Resolved once for the whole module.\nconst { env: moduleEnv } = getRequestContext();\n"
            write = f"await moduleEnv.{d.kv}.put(PREFIX + item.id, JSON.stringify(item), {{ expirationTtl: {ttl} }});"
            tree.mistake(path, "getRequestContext() called at module scope", "kv")
        template = KV_CACHE_PAGES
    else:
        write = ("const { env } = await getCloudflareContext({ async: true });\n"
                 f"  await env.{d.kv}.put(PREFIX + item.id, JSON.stringify(item), {{ expirationTtl: {ttl} }});")
        template = KV_CACHE_OPENNEXT
    tree.add(path, fill(template, Entity=d.entity, name=d.name, binding=d.kv, write=write, toplevel=toplevel))


def component_chain_file(tree: Tree, d: Domain, index: int) -> None:
    """components/<domain>/<Entity><Role>.tsx: each imports the next one of the chain."""
    name = d.chain[index]
    path = f"{d.app.prefix}components/{d.name}/{name}.tsx"
    rng = tree.rng(path)
    nxt = d.chain[index + 1] if index + 1 < len(d.chain) else None
    client = nxt is None and rng.random() < 0.5
    imports = []
    if client:
        imports += ["'use client';", "", "import { useState } from 'react';"]
    imports += [f"import {{ cn }} from '{SCOPE}/ui/cn';",
                f"import {{ formatDate, truncate }} from '{SCOPE}/lib/format';",
                f"import type {{ {d.entity} }} from '@/lib/{d.name}/types';"]
    if nxt:
        imports.append(f"import {{ {nxt} }} from './{nxt}';")
    else:
        primitive = rng.choice(UI_PRIMITIVES)
        imports.append(f"import {{ {primitive} }} from '{SCOPE}/ui/{primitive}';")
    image = rng.random() < 0.3
    if image:
        imports.append(f"import {{ cdnImage }} from '{SCOPE}/lib/image';")
    shown = rng.sample(d.fields, min(len(d.fields), rng.randint(2, 6)))
    body = [f"export type {name}Props = {{", f"  items: {d.entity}[];", "  className?: string;", "};", "",
            f"export function {name}({{ items, className }}: {name}Props) {{"]
    if client:
        body += ["  const [expanded, setExpanded] = useState(false);"]
    body += ["  if (items.length === 0) {", f"    return <p className=\"empty\">No {d.title.lower()} yet.</p>;", "  }",
             "  return (", f"    <div className={{cn('{camel(name)}', className)}}>"]
    if client:
        body += ["      <button type=\"button\" onClick={() => setExpanded(!expanded)}>",
                 "        {expanded ? 'Less' : 'More'}", "      </button>"]
    body += ["      <ul>", "        {items.map((item) => (", "          <li key={item.id}>"]
    for field_name, ts, _ in shown:
        if "string" in ts and field_name.endswith("At"):
            body.append(f"            <time>{{formatDate(item.{field_name})}}</time>")
        elif ts == "string":
            body.append(f"            <span>{{truncate(String(item.{field_name}))}}</span>")
        else:
            body.append(f"            <span>{{String(item.{field_name})}}</span>")
    if image:
        opts = dict(width=rng.choice(IMAGE_WIDTHS), fit=rng.choice(("cover", "contain", "scale-down")))
        body.append(f"            <img src={{cdnImage(`/media/{d.name}/${{item.id}}.jpg`, {{ width: {opts['width']}, "
                    f"fit: '{opts['fit']}' }})}} alt=\"\" />")
    body += ["          </li>", "        ))}", "      </ul>"]
    if nxt:
        body.append(f"      <{nxt} items={{items}} />")
    else:
        body.append(f"      <{primitive}>{{items.length}} {d.title.lower()}</{primitive}>")
    body += ["    </div>", "  );", "}"]
    lines = imports + [""] + body
    tree.add(path, "\n".join(pad(rng, lines, d, target_lines(rng))))


def leaf_component(tree: Tree, d: Domain, index: int) -> None:
    """components/<domain>/<Entity>Widget<n>.tsx: a leaf that imports a sibling or a primitive."""
    role = CHAIN_ROLES[index % len(CHAIN_ROLES)]
    name = f"{d.entity}{role}Extra{index}"
    path = f"{d.app.prefix}components/{d.name}/extra/{name}.tsx"
    rng = tree.rng(path)
    primitive = rng.choice(UI_PRIMITIVES)
    icon = pascal(rng.choice(ICON_NAMES))
    lines = [f"import {{ {primitive} }} from '{SCOPE}/ui/{primitive}';",
             f"import type {{ {d.entity} }} from '@/lib/{d.name}/types';"]
    if index and rng.random() < 0.5:
        sib_index = rng.randrange(index)
        sibling = f"{d.entity}{CHAIN_ROLES[sib_index % len(CHAIN_ROLES)]}Extra{sib_index}"
        lines.append(f"import {{ {sibling} }} from './{sibling}';")
    else:
        sibling = None
    background = rng.random() < 0.25
    bad_image = d.mistake == "image-bad-option" and index == 0
    lines += ["", f"export function {name}({{ item }}: {{ item: {d.entity} }}) {{", "  return ("]
    lines += [f"    <{primitive} data-icon=\"{icon}\">"]
    if bad_image:
        lines.append(f"      <img src={{`/cdn-cgi/image/width=320,fit=fill,format=auto/media/{d.name}/${{item.id}}.png`}} alt=\"\" />")
        tree.mistake(path, "fit=fill is not a valid /cdn-cgi/image/ fit value", "image")
    elif background:
        lines.append(f"      <img src={{`/cdn-cgi/image/width={rng.choice(IMAGE_WIDTHS)},fit=pad,background=%23ffffff,"
                     f"format=auto/media/{d.name}/${{item.id}}.png`}} alt=\"\" />")
    for field_name, _, _ in rng.sample(d.fields, min(3, len(d.fields))):
        lines.append(f"      <span className=\"{field_name}\">{{String(item.{field_name})}}</span>")
    if sibling:
        lines.append(f"      <{sibling} item={{item}} />")
    lines += [f"    </{primitive}>", "  );", "}"]
    tree.add(path, "\n".join(pad(rng, lines, d, target_lines(rng))))


def client_hook(tree: Tree, d: Domain, index: int) -> None:
    name = f"use{d.entities}{'' if index == 0 else index}"
    path = f"{d.app.prefix}hooks/{d.name}/{name}.ts"
    rng = tree.rng(path)
    lines = ["'use client';", "", "import { useCallback, useEffect, useState } from 'react';",
             f"import type {{ {d.entity} }} from '@/lib/{d.name}/types';", "",
             f"export function {name}(initial: {d.entity}[] = []) {{",
             f"  const [items, setItems] = useState<{d.entity}[]>(initial);",
             "  const [loading, setLoading] = useState(false);", "",
             "  const refresh = useCallback(async () => {", "    setLoading(true);", "    try {",
             f"      const res = await fetch('/api/{d.name}?page=1');",
             f"      const data = (await res.json()) as {{ items: {d.entity}[] }};",
             "      setItems(data.items);", "    } finally {", "      setLoading(false);", "    }", "  }, []);", "",
             "  useEffect(() => {", f"    const timer = setInterval(refresh, {rng.choice((15000, 30000, 60000))});",
             "    return () => clearInterval(timer);", "  }, [refresh]);", "",
             "  return { items, loading, refresh };", "}"]
    tree.add(path, "\n".join(pad(rng, lines, d, target_lines(rng))))


# -- routes ---------------------------------------------------------------------------------------


def list_page(tree: Tree, d: Domain) -> None:
    path = f"{d.route_dir}/page.tsx"
    rng = tree.rng(path)
    v15 = d.app.major >= 15
    lines = [f"import {{ {d.chain[0]} }} from '@/components/{d.name}/{d.chain[0]}';",
             f"import {{ list{d.entities} }} from '@/lib/{d.name}/{d.lib_chain[0]}';"]
    if d.mode == "content":
        lines += ["", f"export const metadata = {{ title: '{d.title}' }};", "",
                  f"export default async function {d.entities}Page() {{",
                  f"  const items = await list{d.entities}({{ limit: 100 }});"]
    else:
        lines += ["import { currentSession } from '@/lib/session';",
                  "import { PAGE_SIZE } from '@/lib/constants';", "",
                  f"export const metadata = {{ title: '{d.title}' }};", "",
                  "type SearchParams = { page?: string; q?: string };", "",
                  f"export default async function {d.entities}Page({{ searchParams }}: {{ searchParams: "
                  f"{'Promise<SearchParams>' if v15 else 'SearchParams'} }}) {{",
                  f"  const {{ page = '1', q }} = {'await searchParams' if v15 else 'searchParams'};",
                  "  const session = await currentSession();",
                  f"  const items = await list{d.entities}({{ page: Number(page), limit: PAGE_SIZE, query: q }});"]
    lines += ["  return (", "    <main>", f"      <h1>{d.title}</h1>",
              f"      <{d.chain[0]} items={{items}} />", "    </main>", "  );", "}"]
    tree.add(path, "\n".join(pad(rng, lines, d, target_lines(rng))))
    tree.route(path, "page", d.edge_pages)


def detail_page(tree: Tree, d: Domain) -> None:
    content = d.mode == "content"
    param = "slug" if content else "id"
    path = f"{d.route_dir}/[{param}]/page.tsx"
    rng = tree.rng(path)
    v15 = d.app.major >= 15
    params_type = f"{{ params: {'Promise<' if v15 else ''}{{ {param}: string }}{'>' if v15 else ''} }}"
    lines = ["import { notFound } from 'next/navigation';",
             f"import {{ {d.chain[min(2, len(d.chain) - 1)]} }} from '@/components/{d.name}/{d.chain[min(2, len(d.chain) - 1)]}';",
             f"import {{ get{d.entity}, list{d.entities} }} from '@/lib/{d.name}/{d.lib_chain[0]}';", ""]
    if content:
        if d.app.target == "next-on-pages" and d.mistake != "static-params-without-fallback":
            lines += ["// Unknown slugs would need a Node.js function, which next-on-pages cannot deploy.",
                      "export const dynamicParams = false;", ""]
        if d.mistake == "static-params-without-fallback":
            tree.mistake(path, "generateStaticParams without dynamicParams = false on next-on-pages", "runtime")
        lines += ["export async function generateStaticParams() {",
                  f"  const items = await list{d.entities}({{ limit: 100 }});",
                  "  return items.map((item) => ({ slug: item.id }));", "}", ""]
    if d.mistake == "runtime-not-literal":
        lines[0:0] = ["import { EDGE_RUNTIME } from '@/lib/constants';"]
        lines += ["export const runtime = EDGE_RUNTIME;", ""]
        tree.mistake(path, "runtime is an imported identifier, not a string literal", "runtime")
    if d.mistake == "edge-on-opennext":
        lines += ["export const runtime = 'edge';", ""]
        tree.mistake(path, "runtime = 'edge' in an OpenNext app", "runtime")
    lines += [f"export default async function {d.entity}Page({{ params }}: {params_type}) {{",
              f"  const {{ {param} }} = {'await params' if v15 else 'params'};",
              f"  const item = await get{d.entity}({param});", "  if (!item) {", "    notFound();", "  }",
              "  return (", "    <article>", f"      <h1>{{String(item.{d.fields[0][0]})}}</h1>",
              f"      <{d.chain[min(2, len(d.chain) - 1)]} items={{[item]}} />", "    </article>", "  );", "}"]
    tree.add(path, "\n".join(pad(rng, lines, d, target_lines(rng))))
    tree.route(path, "page", d.edge_pages or d.mistake == "edge-on-opennext")


def form_page(tree: Tree, d: Domain, kind: str) -> None:
    """`new/page.tsx` and `[id]/edit/page.tsx`: forms bound to server actions."""
    path = f"{d.route_dir}/new/page.tsx" if kind == "new" else f"{d.route_dir}/[id]/edit/page.tsx"
    rng = tree.rng(path)
    action = f"create{d.entity}Action" if kind == "new" else f"update{d.entity}Action"
    inputs = [f"        <input name=\"{f}\" placeholder=\"{pascal(f)}\" />" for f, _, _ in d.fields[: rng.randint(3, 8)]]
    lines = [f"import {{ {action} }} from '../{'../' if kind == 'edit' else ''}actions';", ""]
    if kind == "edit":
        v15 = d.app.major >= 15
        lines += [f"export default async function Edit{d.entity}Page({{ params }}: {{ params: "
                  f"{'Promise<{ id: string }>' if v15 else '{ id: string }'} }}) {{",
                  f"  const {{ id }} = {'await params' if v15 else 'params'};"]
    else:
        lines += [f"export default function New{d.entity}Page() {{", "  const id = '';"]
    lines += ["  return (", "    <main>", f"      <h1>{'New' if kind == 'new' else 'Edit'} {d.entity.lower()}</h1>",
              f"      <form action={{{action}}}>", "        <input type=\"hidden\" name=\"id\" value={id} />", *inputs,
              "        <button type=\"submit\">Save</button>", "      </form>", "    </main>", "  );", "}"]
    tree.add(path, "\n".join(pad(rng, lines, d, target_lines(rng))))
    tree.route(path, "page", d.edge_pages)


def loading_file(tree: Tree, d: Domain) -> None:
    tree.add(f"{d.route_dir}/loading.tsx", f"""import {{ Skeleton }} from '{SCOPE}/ui/Skeleton';

export default function Loading() {{
  return (
    <main aria-busy="true">
      <Skeleton />
      <Skeleton />
      <Skeleton />
    </main>
  );
}}
""")


def server_actions(tree: Tree, d: Domain) -> None:
    path = f"{d.route_dir}/actions.ts"
    rng = tree.rng(path)
    v15 = d.app.major >= 15
    hdrs = "await headers()" if v15 else "headers()"
    limited = d.mistake != "unlimited-server-action"
    lines = ["'use server';", "", "import { revalidatePath } from 'next/cache';", "import { headers } from 'next/headers';",
             "import { redirect } from 'next/navigation';",
             f"import {{ parse{d.entity}Input }} from '{SCOPE}/lib/validation/{d.name}';",
             f"import {{ create{d.entity} }} from '@/lib/{d.name}/{d.lib_chain[0]}';",
             "import { clientId, strictLimit } from '@/lib/ratelimit';", wait_until(d.app)[0], ""]
    for verb in ("create", "update"):
        lines += [f"export async function {verb}{d.entity}Action(formData: FormData) {{"]
        if limited or verb == "create":
            lines += [f"  const {{ success, pending }} = await strictLimit.limit(`{verb}:{d.name}:${{clientId({hdrs})}}`);",
                      f"  {wait_until(d.app)[1]}",
                      "  if (!success) {", "    return { error: 'Too many attempts, try again in a minute.' };", "  }"]
        lines += ["  const parsed = parse" + d.entity + "Input(Object.fromEntries(formData));",
                  "  if (!parsed.ok) {", "    return { error: parsed.error };", "  }"]
        if verb == "create":
            lines += [f"  const created = await create{d.entity}(parsed.value);", f"  revalidatePath('/{d.name}');",
                      f"  redirect(`/{d.name}/${{created.id}}`);", "}", ""]
        else:
            lines += [f"  revalidatePath(`/{d.name}/${{String(formData.get('id'))}}`);", "  return { ok: true };", "}", ""]
    if not limited:
        tree.mistake(path, f"server action update{d.entity}Action is not rate limited", "ratelimit")
    tree.add(path, "\n".join(pad(rng, lines, d, target_lines(rng), export=False)))


def api_collection_route(tree: Tree, d: Domain) -> None:
    path = f"{d.app.prefix}app/api/{d.name}/route.ts"
    rng = tree.rng(path)
    own_edge = d.mode == "edge" and d.mistake != "dynamic-route-not-edge"
    if d.mode == "edge" and not own_edge:
        tree.mistake(path, "POST handler without runtime = 'edge' on next-on-pages", "runtime")
    wrapped = rng.random() < 0.4
    lines = ["import type { NextRequest } from 'next/server';",
             f"import {{ parse{d.entity}Input }} from '{SCOPE}/lib/validation/{d.name}';",
             f"import {{ create{d.entity}, list{d.entities} }} from '@/lib/{d.name}/{d.lib_chain[0]}';"]
    if wrapped:
        lines.append("import { withRateLimit } from '@/lib/with-rate-limit';")
    else:
        lines += ["import { clientId, ratelimit } from '@/lib/ratelimit';", wait_until(d.app)[0]]
    lines += [""] + (["export const runtime = 'edge';", ""] if own_edge else [])
    lines += ["export async function GET(request: NextRequest) {",
              "  const { searchParams } = request.nextUrl;",
              "  const page = Number(searchParams.get('page') ?? '1');",
              f"  const items = await list{d.entities}({{ page, limit: 25, query: searchParams.get('q') ?? undefined }});",
              "  return Response.json({ items, page });", "}", ""]
    post_body = [f"  const parsed = parse{d.entity}Input(await request.json());", "  if (!parsed.ok) {",
                 "    return Response.json({ error: parsed.error }, { status: 400 });", "  }",
                 f"  const created = await create{d.entity}(parsed.value);",
                 "  return Response.json(created, { status: 201 });"]
    if wrapped:
        lines += ["export const POST = withRateLimit(async (request: NextRequest) => {", *post_body, "});"]
    else:
        lines += ["export async function POST(request: NextRequest) {",
                  f"  const {{ success, pending }} = await ratelimit.limit(`{d.name}:${{clientId(request.headers)}}`);",
                  f"  {wait_until(d.app)[1]}",
                  "  if (!success) {", "    return Response.json({ error: 'Too many requests' }, { status: 429 });", "  }",
                  *post_body, "}"]
    tree.add(path, "\n".join(pad(rng, lines, d, target_lines(rng))))
    tree.route(path, "route", own_edge)


def api_item_route(tree: Tree, d: Domain) -> None:
    path = f"{d.app.prefix}app/api/{d.name}/[id]/route.ts"
    rng = tree.rng(path)
    own_edge = d.mode == "edge"
    v15 = d.app.major >= 15
    ctx_type = "{ params: Promise<{ id: string }> }" if v15 else "{ params: { id: string } }"
    get_id = "const { id } = await params;" if v15 else "const { id } = params;"
    lines = ["import type { NextRequest } from 'next/server';",
             f"import {{ get{d.entity} }} from '@/lib/{d.name}/{d.lib_chain[0]}';"]
    if d.kv and d.app.target == "next-on-pages":
        lines.append(f"import {{ forget }} from '@/lib/{d.name}/cache';")
    lines += ["import { withRateLimit } from '@/lib/with-rate-limit';", ""]
    if own_edge:
        lines += ["export const runtime = 'edge';", ""]
    lines += [f"export async function GET(_request: NextRequest, {{ params }}: {ctx_type}) {{", f"  {get_id}",
              f"  const item = await get{d.entity}(id);",
              "  return item ? Response.json(item) : Response.json({ error: 'Not found' }, { status: 404 });", "}", "",
              f"export const PUT = withRateLimit(async (request: NextRequest, {{ params }}: {ctx_type}) => {{",
              f"  {get_id}", "  const patch = (await request.json()) as Record<string, unknown>;",
              "  return Response.json({ id, ...patch });", "});", "",
              f"export const DELETE = withRateLimit(async (_request: NextRequest, {{ params }}: {ctx_type}) => {{",
              f"  {get_id}"]
    if d.kv and d.app.target == "next-on-pages":
        lines.append("  await forget(id);")
    lines += ["  return new Response(null, { status: 204 });", "});"]
    tree.add(path, "\n".join(pad(rng, lines, d, target_lines(rng))))
    tree.route(path, "route", own_edge)


def content_route(tree: Tree, d: Domain) -> None:
    """A static GET handler (feed) for content domains."""
    path = f"{d.route_dir}/feed.json/route.ts"
    tree.add(path, f"""import {{ list{d.entities} }} from '@/lib/{d.name}/{d.lib_chain[0]}';

export const dynamic = 'force-static';

export async function GET() {{
  const items = await list{d.entities}({{ limit: 50 }});
  return Response.json({{ version: 'https://jsonfeed.org/version/1.1', title: '{d.title}', items }});
}}
""")
    tree.route(path, "route", False)


def pages_api_routes(tree: Tree, d: Domain) -> None:
    base = f"{d.app.prefix}pages/api/{d.name}"
    edge = d.app.target == "next-on-pages" or (d.app.target == "vercel" and d.mode == "edge")
    for name in ("index", "[id]"):
        path = f"{base}/{name}.ts"
        rng = tree.rng(path)
        if edge:
            lines = ["import type { NextRequest } from 'next/server';",
                     f"import {{ get{d.entity}, list{d.entities} }} from '@/lib/{d.name}/{d.lib_chain[0]}';",
                     "import { clientId, ratelimit } from '@/lib/ratelimit';", wait_until(d.app)[0], "",
                     "export const config = { runtime: 'edge' };", "",
                     "export default async function handler(request: NextRequest) {",
                     "  if (request.method !== 'GET') {",
                     "    const { success, pending } = await ratelimit.limit(`pages-api:${clientId(request.headers)}`);",
                     f"    {wait_until(d.app)[1]}",
                     "    if (!success) return new Response('Too many requests', { status: 429 });", "  }",
                     "  const id = request.nextUrl.searchParams.get('id');",
                     f"  const body = id ? await get{d.entity}(id) : await list{d.entities}({{ limit: 20 }});",
                     "  return Response.json(body);", "}"]
        else:
            lines = ["import type { NextApiRequest, NextApiResponse } from 'next';",
                     f"import {{ get{d.entity}, list{d.entities} }} from '@/lib/{d.name}/{d.lib_chain[0]}';", "",
                     "export default async function handler(req: NextApiRequest, res: NextApiResponse) {",
                     "  const id = typeof req.query.id === 'string' ? req.query.id : null;",
                     f"  const body = id ? await get{d.entity}(id) : await list{d.entities}({{ limit: 20 }});",
                     "  res.setHeader('Cache-Control', 's-maxage=60');", "  res.status(200).json(body);", "}"]
        tree.add(path, "\n".join(pad(rng, lines, d, target_lines(rng))))
        tree.route(path, "api", edge)


def pages_ssr_page(tree: Tree, d: Domain) -> None:
    path = f"{d.app.prefix}pages/legacy/{d.name}/[id].tsx"
    rng = tree.rng(path)
    config = ""
    edge = d.app.target == "next-on-pages"
    if edge:
        value = "edge" if d.mistake == "pages-runtime-edge" else "experimental-edge"
        config = f"export const config = {{ runtime: '{value}' }};\n\n"
        if d.mistake == "pages-runtime-edge":
            tree.mistake(path, "Pages Router page with runtime 'edge' (must be 'experimental-edge')", "runtime")
    lines = ["import type { GetServerSideProps } from 'next';",
             f"import {{ get{d.entity} }} from '@/lib/{d.name}/{d.lib_chain[0]}';",
             f"import type {{ {d.entity} }} from '@/lib/{d.name}/types';", "", config.rstrip("\n"), "",
             f"type Props = {{ item: {d.entity} }};", "",
             "export const getServerSideProps: GetServerSideProps<Props> = async ({ params }) => {",
             f"  const item = await get{d.entity}(String(params?.id));",
             "  return item ? { props: { item } } : { notFound: true };", "};", "",
             f"export default function Legacy{d.entity}({{ item }}: Props) {{",
             f"  return <pre>{{JSON.stringify(item, null, 2)}}</pre>;", "}"]
    tree.add(path, "\n".join(pad(rng, lines, d, target_lines(rng))).replace("\n\n\n", "\n\n"))
    tree.route(path, "pages-page", edge)


def client_page_mistake(tree: Tree, d: Domain) -> None:
    """A 'use client' page that exports segment config (ignored by Next.js)."""
    path = f"{d.route_dir}/live/page.tsx"
    tree.add(path, f"""'use client';

import {{ use{d.entities} }} from '@/hooks/{d.name}/use{d.entities}';

export const runtime = 'edge';

export default function Live{d.entities}Page() {{
  const {{ items, loading }} = use{d.entities}();
  return (
    <main>
      <h1>Live {d.title.lower()}</h1>
      {{loading ? <p>Loading…</p> : <p>{{items.length}} items</p>}}
    </main>
  );
}}
""")
    tree.mistake(path, "segment config exported from a client component", "runtime")
    tree.route(path, "page", False)


def opengraph_image(tree: Tree, d: Domain) -> None:
    path = f"{d.route_dir}/[id]/opengraph-image.tsx"
    tree.add(path, f"""import {{ ImageResponse }} from 'next/og';

export const runtime = 'edge';
export const size = {{ width: 1200, height: 630 }};
export const contentType = 'image/png';

export default async function Image({{ params }}: {{ params: {{ id: string }} }}) {{
  return new ImageResponse(
    (
      <div style={{{{ fontSize: 64, background: '#0b1020', color: 'white', width: '100%', height: '100%' }}}}>
        {d.entity} {{params.id}}
      </div>
    ),
    size,
  );
}}
""")
    tree.route(path, "metadata", True)


# ------------------------------------------------------------------------------------------------
# Planning


#: Per target, the mistakes to plant in turn, each with the domain modes it fits.
MISTAKES = {
    "next-on-pages": (
        ("dynamic-route-not-edge", {"edge"}), ("static-params-without-fallback", {"content"}),
        ("runtime-not-literal", {"edge"}), ("node-builtin-in-edge-chain", {"edge"}),
        ("kv-put-not-awaited", {"edge"}), ("image-bad-option", {"edge", "content"}),
        ("kv-ttl-too-short", {"edge"}), ("pages-runtime-edge", {"edge"}),
        ("kv-context-at-module-scope", {"edge"}), ("unlimited-server-action", {"edge"}),
    ),
    "opennext": (("edge-on-opennext", {"node", "content"}), ("unlimited-server-action", {"node"}),
                 ("image-bad-option", {"node", "content"})),
    "vercel": (("client-segment-config", {"node", "edge"}), ("node-builtin-in-edge-chain", {"edge"}),
               ("unlimited-server-action", {"node", "edge"}), ("image-bad-option", {"node", "edge", "content"})),
}


def domain_names(rng) -> list[str]:
    names = list(NOUNS)
    rng.shuffle(names)
    compounds = [f"{q}-{n}" for q in QUALIFIERS for n in NOUNS]
    rng.shuffle(compounds)
    return names + compounds


def split_budget(rng, total: int, parts: int) -> list[int]:
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [int(w * scale) for w in weights]
    sizes[-1] += total - sum(sizes)
    return sizes


def plan_domains(rng, app: AppSpec, budget: int, names: list[str]) -> list[Domain]:
    count = max(2, round(budget / 40))
    domains = []
    edge = max(1, round(count * app.edge_share)) if app.edge_share else 0
    content = round(count * (0.4 if app.target == "opennext" else 0.3 if app.target == "vercel" else 1.0))
    content = min(content, count - edge)
    modes = ["edge"] * edge + ["content"] * content + ["node"] * (count - edge - content)
    rng.shuffle(modes)
    for size, mode in zip(split_budget(rng, budget, count), modes):
        name = names.pop(0)
        fields = rng.sample(FIELDS, rng.randint(4, 12))
        if ("status", FIELDS[1][1], FIELDS[1][2]) not in fields:
            fields.insert(0, FIELDS[1])
        d = Domain(app, name, mode, size, fields)
        if app.kv and mode != "content":
            d.kv = rng.choice([b for b in app.kv if b != "NEXT_INC_CACHE_KV"])
        d.chain = [f"{d.entity}{role}" for role in rng.sample(CHAIN_ROLES, rng.randint(5, 10))]
        d.lib_chain = ["service"] + rng.sample(LIB_CHAIN[1:], rng.randint(3, 6))
        domains.append(d)
    return domains


def plant_mistakes(rng, app: AppSpec, domains: list[Domain], turns: dict[str, int]) -> None:
    """About MISTAKE_RATE of the domains get one mistake each; the kinds go round in turn (carried
    over from app to app of the same target), so a large tree has every kind its targets allow."""
    rotation = MISTAKES[app.target]
    for _ in range(max(1, round(len(domains) * MISTAKE_RATE))):
        kind, modes = rotation[turns.get(app.target, 0) % len(rotation)]
        turns[app.target] = turns.get(app.target, 0) + 1
        if kind == "pages-runtime-edge" and not app.pages_router:
            continue
        pool = [d for d in domains if d.mistake is None and d.mode in modes]
        if pool:
            rng.choice(pool).mistake = kind


def write_domain(tree: Tree, d: Domain) -> None:
    """Core files by priority, then leaf components up to the domain's size."""
    start = tree.source_count()
    domain_types(tree, d)
    for i in range(len(d.lib_chain)):
        lib_chain_file(tree, d, i)
    if d.kv:
        kv_cache(tree, d)
    for i in range(len(d.chain)):
        component_chain_file(tree, d, i)
    list_page(tree, d)
    detail_page(tree, d)
    if d.mode == "content":
        content_route(tree, d)
    else:
        api_collection_route(tree, d)
        api_item_route(tree, d)
        server_actions(tree, d)
        form_page(tree, d, "new")
        form_page(tree, d, "edit")
        loading_file(tree, d)
        client_hook(tree, d, 0)
        if d.app.pages_router:
            pages_api_routes(tree, d)
            if d.mode == "edge" or d.app.target == "vercel":
                pages_ssr_page(tree, d)
    if d.mistake == "client-segment-config":
        if d.mode == "content":
            client_hook(tree, d, 0)
        client_page_mistake(tree, d)
    if d.app.target == "vercel" and d.mode == "edge":
        opengraph_image(tree, d)
    index = 0
    while tree.source_count() - start < d.size:
        leaf_component(tree, d, index)
        index += 1
    if d.mistake == "image-bad-option" and index == 0:
        leaf_component(tree, d, 0)


def generate(files: int, seed: int) -> Tree:
    rng = random.Random(seed)
    tree = Tree(seed)
    root_files(tree)
    node_modules_stub(tree)
    names = domain_names(rng)
    packages_budget = int(files * PACKAGES_SHARE)
    apps_budget = files - packages_budget
    total_weight = sum(a.weight for a in APPS)
    all_domains = []
    turns: dict[str, int] = {}
    for app in APPS:
        budget = round(apps_budget * app.weight / total_weight)
        skeleton = 24 + (1 if app.pages_router else 0)
        domains = plan_domains(rng, app, max(budget - skeleton, 30), names)
        plant_mistakes(rng, app, domains, turns)
        app_skeleton(tree, app, domains)
        for d in domains:
            write_domain(tree, d)
        all_domains += domains
    config_package(tree)
    db_package(tree, all_domains)
    lib_package(tree, all_domains)
    ui_package(tree, files - tree.source_count())
    return tree


def manifest(tree: Tree, files: int, seed: int) -> dict:
    routes = tree.routes
    edge = sum(1 for r in routes if r["edge"])
    sizes = sorted(text.count("\n") for p, text in tree.files.items() if p.endswith(SOURCE_SUFFIXES)
                   and not p.startswith("node_modules/"))
    return {
        "generator": "tests/benchmarks/generate.py", "files_requested": files, "seed": seed,
        "source_files": tree.source_count(), "all_files": len(tree.files),
        "source_lines": sum(sizes), "lines_median": sizes[len(sizes) // 2], "lines_max": sizes[-1],
        "apps": [{"root": f"apps/{a.name}", "target": a.target, "next": a.next_version,
                  "source_files": tree.source_count(a.root)} for a in APPS],
        "routes": len(routes), "edge_routes": edge, "edge_share": round(edge / max(1, len(routes)), 3),
        "mistakes": sorted(tree.mistakes, key=lambda m: (m["path"], m["kind"])),
    }


def write(tree: Tree, out: Path, info: dict) -> None:
    if out.exists():
        if not out.is_dir():
            raise SystemExit(f"{out} exists and is not a directory")
        if any(out.iterdir()):
            if not (out / "benchmark-manifest.json").exists():
                raise SystemExit(f"{out} is not empty and was not made by this script; refusing to overwrite")
            shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    tree.files["benchmark-manifest.json"] = json.dumps(info, indent=2) + "\n"
    for path in sorted(tree.files):
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(tree.files[path].encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write (replaced if made by this script)")
    parser.add_argument("--files", type=int, default=5000, help="source files to aim for (default 5000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.files < 200:
        parser.error("--files must be at least 200")
    tree = generate(args.files, args.seed)
    info = manifest(tree, args.files, args.seed)
    write(tree, args.out, info)
    print(f"wrote {info['all_files']} files ({info['source_files']} source, {info['source_lines']} lines) to {args.out}; "
          f"{info['routes']} routes, {info['edge_share']:.0%} edge, {len(info['mistakes'])} planted mistakes",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
