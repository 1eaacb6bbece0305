"""Import resolution (edgelint/resolve.py): built-ins, relative probing, tsconfig/jsconfig paths and
baseUrl through JSONC `extends` chains, workspace packages with `exports` maps, unresolved specifiers."""

from __future__ import annotations

import json

import pytest

from conftest import write_tree
from edgelint.resolve import Resolved, Resolver, builtin_name, package_name, valid_package_name
from edgelint.workspace import Workspace


def resolver_for(tmp_path, files: dict[str, str]) -> Resolver:
    root = write_tree(tmp_path / "repo", files)
    return Resolver(Workspace(root))


@pytest.mark.parametrize(("spec", "name"), [
    ("fs", "fs"), ("node:fs", "fs"), ("fs/promises", "fs"), ("node:fs/promises", "fs"), ("crypto", "crypto"),
    ("node:test", "test"), ("node:sqlite", "sqlite"), ("string_decoder", "string_decoder"),
    ("test", None), ("sqlite", None), ("punycode/", None), ("react", None), ("./fs", None), ("fs-extra", None),
])
def test_builtin_names(spec, name):
    assert builtin_name(spec) == name


def test_package_names():
    assert package_name("@scope/pkg/sub/path") == "@scope/pkg"
    assert package_name("lodash/fp") == "lodash"
    assert valid_package_name("@scope/pkg") and valid_package_name("pg")
    assert not valid_package_name("@/lib") and not valid_package_name("~/x") and not valid_package_name("#internal")


def test_relative_probing_index_and_js_to_ts(tmp_path):
    r = resolver_for(tmp_path, {
        "lib/a.ts": "", "lib/b.tsx": "", "lib/c.mjs": "", "lib/d.mts": "", "lib/dir/index.ts": "",
        "lib/e.ts": "", "lib/pkgdir/package.json": '{"main": "./main.js"}', "lib/pkgdir/main.ts": "",
        "lib/styles.css": "", "lib/data.json": "{}", "lib/x.d.ts": "",
    })
    assert r.resolve("app/page.tsx", "../lib/a") == Resolved("file", "lib/a.ts")
    assert r.resolve("lib/a.ts", "./b") == Resolved("file", "lib/b.tsx")
    assert r.resolve("lib/a.ts", "./c") == Resolved("file", "lib/c.mjs")
    assert r.resolve("lib/a.ts", "./d.mjs") == Resolved("file", "lib/d.mts")  # ESM-style specifier
    assert r.resolve("lib/a.ts", "./e.js") == Resolved("file", "lib/e.ts")  # `./x.js` -> x.ts
    assert r.resolve("lib/a.ts", "./dir") == Resolved("file", "lib/dir/index.ts")
    assert r.resolve("lib/a.ts", "./pkgdir") == Resolved("file", "lib/pkgdir/main.ts")
    assert r.resolve("lib/a.ts", "./styles.css") == Resolved("asset", "lib/styles.css")
    assert r.resolve("lib/a.ts", "./data.json") == Resolved("asset", "lib/data.json")
    assert r.resolve("lib/a.ts", "./x") == Resolved("unresolved", "./x")  # declarations are not modules
    assert r.resolve("lib/a.ts", "./missing") == Resolved("unresolved", "./missing")
    assert r.resolve("lib/a.ts", "../../outside") == Resolved("unresolved", "../../outside")
    assert r.resolve("lib/a.ts", "fs") == Resolved("builtin", "fs")
    assert r.resolve("lib/a.ts", "react-dom/client") == Resolved("package", "react-dom")


def test_tsconfig_jsonc_extends_and_longest_prefix(tmp_path):
    r = resolver_for(tmp_path, {
        "tsconfig.base.json": """{
  // comments, trailing commas and "/*" inside strings
  "compilerOptions": {
    "paths": {
      "@/*": ["./src/*"],
      "@/lib/*": ["./packages/lib/*", "./src/lib/*",],  /* longer prefix wins */
      "@config": ["./config/index.ts"],
    },
  },
}""",
        "apps/web/tsconfig.json": '{ "extends": "../../tsconfig.base.json", "compilerOptions": { "strict": true } }',
        "src/a.ts": "", "src/lib/only-src.ts": "", "packages/lib/both.ts": "", "src/lib/both.ts": "",
        "config/index.ts": "", "src/app/globals.css": "",
    })
    importer = "apps/web/app/page.tsx"
    assert r.resolve(importer, "@/a") == Resolved("file", "src/a.ts")  # relative to the file that set paths
    assert r.resolve(importer, "@/lib/both") == Resolved("file", "packages/lib/both.ts")
    assert r.resolve(importer, "@/lib/only-src") == Resolved("file", "src/lib/only-src.ts")  # fallback target
    assert r.resolve(importer, "@config") == Resolved("file", "config/index.ts")
    assert r.resolve(importer, "@/app/globals.css") == Resolved("asset", "src/app/globals.css")
    assert r.resolve(importer, "@/nothing") == Resolved("unresolved", "@/nothing")  # never a package '@/nothing'
    assert r.tsconfig_for("apps/web/app").chain == ["apps/web/tsconfig.json", "tsconfig.base.json"]


def test_tsconfig_base_url_override_and_extends_arrays(tmp_path):
    r = resolver_for(tmp_path, {
        "configs/paths.json": '{"compilerOptions": {"paths": {"~/*": ["*"]}}}',
        "configs/base-url.json": '{"compilerOptions": {"baseUrl": "../web/src"}}',
        "web/tsconfig.json": '{"extends": ["../configs/paths.json", "../configs/base-url.json"]}',
        "web/src/utils/x.ts": "", "web/src/components/Button.tsx": "",
        "jsapp/jsconfig.json": '{"compilerOptions": {"baseUrl": "."}}', "jsapp/lib/y.js": "",
    })
    # paths are relative to the (inherited) baseUrl when one is set
    assert r.resolve("web/src/page.tsx", "~/utils/x") == Resolved("file", "web/src/utils/x.ts")
    # baseUrl alone resolves bare specifiers to files, before packages
    assert r.resolve("web/src/page.tsx", "components/Button") == Resolved("file", "web/src/components/Button.tsx")
    assert r.resolve("web/src/page.tsx", "react") == Resolved("package", "react")
    assert r.resolve("jsapp/pages/index.js", "lib/y") == Resolved("file", "jsapp/lib/y.js")  # jsconfig.json


def test_tsconfig_extends_cycle_and_broken_file(tmp_path):
    r = resolver_for(tmp_path, {
        "a/tsconfig.json": '{"extends": "../b/tsconfig.json", "compilerOptions": {"paths": {"@a/*": ["./*"]}}}',
        "b/tsconfig.json": '{"extends": "../a/tsconfig.json"}',
        "a/x.ts": "",
        "c/tsconfig.json": '{ "compilerOptions": { "paths": ',
    })
    assert r.resolve("a/page.ts", "@a/x") == Resolved("file", "a/x.ts")
    assert r.resolve("b/page.ts", "@a/x").kind in ("file", "package")  # a cycle in `extends` terminates
    assert r.resolve("c/page.ts", "react") == Resolved("package", "react")
    assert ("EDGE902", "c/tsconfig.json") in r.ws.problems


def test_workspace_packages_with_exports_maps(tmp_path):
    r = resolver_for(tmp_path, {
        "package.json": json.dumps({"name": "root", "workspaces": ["apps/*", "packages/*"]}),
        "packages/ui/package.json": json.dumps({"name": "@acme/ui", "exports": {
            ".": {"types": "./dist/index.d.ts", "import": "./dist/index.mjs", "require": "./dist/index.js"},
            "./button": {"source": "./src/button.tsx", "default": "./dist/button.js"},
            "./icons/*": "./src/icons/*.tsx",
            "./icons/special/*": "./src/special/*.tsx",
            "./edge": {"node": "./src/node.ts", "edge-light": "./src/edge.ts", "default": "./src/node.ts"},
        }}),
        "packages/ui/src/index.ts": "", "packages/ui/src/button.tsx": "", "packages/ui/src/icons/star.tsx": "",
        "packages/ui/src/special/moon.tsx": "", "packages/ui/src/edge.ts": "", "packages/ui/src/node.ts": "",
        "packages/utils/package.json": json.dumps({"name": "@acme/utils", "main": "./lib/main.js"}),
        "packages/utils/lib/main.js": "", "packages/utils/sub/thing.ts": "",
        "packages/bare/package.json": json.dumps({"name": "bare"}), "packages/bare/src/index.ts": "",
        "packages/config/package.json": json.dumps({"name": "@acme/config", "exports": "./index.mjs"}),
        "packages/config/index.mjs": "",
    })
    page = "apps/web/app/page.tsx"
    assert r.resolve(page, "@acme/ui") == Resolved("file", "packages/ui/src/index.ts")  # dist -> src
    assert r.resolve(page, "@acme/ui/button") == Resolved("file", "packages/ui/src/button.tsx")
    assert r.resolve(page, "@acme/ui/icons/star") == Resolved("file", "packages/ui/src/icons/star.tsx")
    assert r.resolve(page, "@acme/ui/icons/special/moon") == Resolved("file", "packages/ui/src/special/moon.tsx")
    assert r.resolve(page, "@acme/ui/edge") == Resolved("file", "packages/ui/src/edge.ts")  # edge condition
    assert r.resolve(page, "@acme/ui/not-exported") == Resolved("package", "@acme/ui")
    assert r.resolve(page, "@acme/utils") == Resolved("file", "packages/utils/lib/main.js")
    assert r.resolve(page, "@acme/utils/sub/thing") == Resolved("file", "packages/utils/sub/thing.ts")
    assert r.resolve(page, "bare") == Resolved("file", "packages/bare/src/index.ts")
    assert r.resolve(page, "@acme/config") == Resolved("file", "packages/config/index.mjs")
    assert r.resolve(page, "@acme/other") == Resolved("package", "@acme/other")
    assert r.package_folder_of("packages/ui/src/button.tsx") == "packages/ui"


def test_edge_main_fields_condition_order_and_subpath_imports(tmp_path):
    """What Next.js' edge compiler picks: a folder's `browser` entry before `main` (webpack's main
    fields for its `web` target, after `edge-light`; a Prisma client generated into the app names
    its Node.js engine in `main`), conditions in the map's own order (`require` before `default`,
    `node` never), and `#name` subpath imports from the nearest package.json's `imports` map."""
    r = resolver_for(tmp_path, {
        "package.json": json.dumps({"name": "app", "imports": {
            "#lib/*": "./lib/*.ts", "#env": {"node": "./lib/env-node.ts", "default": "./lib/env-edge.ts"},
            "#ui": "@acme/ui"}}),
        "lib/sign.ts": "", "lib/env-node.ts": "", "lib/env-edge.ts": "",
        "generated/prisma/package.json": json.dumps({
            "main": "index.js", "browser": "default.js",
            "imports": {"#main-entry-point": {
                "require": {"node": "./index.js", "edge-light": "./wasm.js", "default": "./index.js"},
                "default": "./index.js"}}}),
        "generated/prisma/index.js": "", "generated/prisma/default.js": "", "generated/prisma/wasm.js": "",
        "packages/ui/package.json": json.dumps({"name": "@acme/ui", "main": "./node.js", "edge-light": "./edge.js"}),
        "packages/ui/node.js": "", "packages/ui/edge.js": "",
        "app/api/a/route.ts": "",
    })
    route = "app/api/a/route.ts"
    assert r.resolve(route, "../../../generated/prisma") == Resolved("file", "generated/prisma/default.js")
    assert r.resolve("generated/prisma/default.js", "#main-entry-point", require=True) == \
        Resolved("file", "generated/prisma/wasm.js")  # default.js require()s it
    assert r.resolve(route, "#lib/sign") == Resolved("file", "lib/sign.ts")
    assert r.resolve(route, "#env") == Resolved("file", "lib/env-edge.ts")
    assert r.resolve(route, "#missing") == Resolved("unresolved", "#missing")
    assert r.resolve(route, "../../../packages/ui") == Resolved("file", "packages/ui/edge.js")


def test_import_and_require_conditions_follow_how_a_module_is_imported(tmp_path):
    """webpack matches `import` for ESM imports and `require` for `require()` calls, whatever
    their order in the map."""
    r = resolver_for(tmp_path, {
        "package.json": json.dumps({"name": "root", "workspaces": ["packages/*"]}),
        "packages/dual/package.json": json.dumps({"name": "dual", "exports": {
            ".": {"require": "./node.cjs", "import": "./edge.mjs"}}}),
        "packages/dual/node.cjs": "", "packages/dual/edge.mjs": "", "app/page.tsx": "",
    })
    assert r.resolve("app/page.tsx", "dual") == Resolved("file", "packages/dual/edge.mjs")
    assert r.resolve("app/page.tsx", "dual", require=True) == Resolved("file", "packages/dual/node.cjs")


def test_tsconfig_extends_a_workspace_package(tmp_path):
    r = resolver_for(tmp_path, {
        "packages/tsconfig/package.json": json.dumps({"name": "@acme/tsconfig"}),
        "packages/tsconfig/nextjs.json": '{"compilerOptions": {"paths": {"#/*": ["./src/*"]}}}',
        "apps/web/tsconfig.json": '{"extends": "@acme/tsconfig/nextjs.json"}',
        "packages/tsconfig/src/x.ts": "",
    })
    # paths are relative to the config that declares them (the package), as TypeScript does
    assert r.resolve("apps/web/page.ts", "#/x") == Resolved("file", "packages/tsconfig/src/x.ts")


def test_query_strings_and_absolute(tmp_path):
    r = resolver_for(tmp_path, {"lib/add.wasm": "", "lib/a.ts": ""})
    assert r.resolve("lib/a.ts", "./add.wasm?module") == Resolved("asset", "lib/add.wasm")
    assert r.resolve("lib/a.ts", "/abs/path") == Resolved("unresolved", "/abs/path")
    assert r.resolve("lib/a.ts", "") == Resolved("unresolved", "")


def test_verbatim_module_syntax_is_inherited(tmp_path):
    r = resolver_for(tmp_path, {
        "base.json": '{"compilerOptions": {"verbatimModuleSyntax": true}}',
        "a/tsconfig.json": '{"extends": "../base.json"}',
        "b/tsconfig.json": '{"extends": "../base.json", "compilerOptions": {"verbatimModuleSyntax": false}}',
        "c/tsconfig.json": '{"compilerOptions": {"importsNotUsedAsValues": "preserve"}}',
    })
    assert r.tsconfig_for("a").keeps_value_imports is True
    assert r.tsconfig_for("b").keeps_value_imports is False
    assert r.tsconfig_for("c").keeps_value_imports is True


def test_every_caller_of_a_memoised_resolution_depends_on_what_it_read(tmp_path):
    """Resolutions are memoised; a check that gets a memoised answer must still record the
    tsconfig and package files behind it, or editing them would leave its cached result stale."""
    r = resolver_for(tmp_path, {
        "tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["src/*"]}}}',
        "src/lib/x.ts": "", "src/app/a.ts": "", "src/app/b.ts": "", "src/other/c.ts": "",
        "packages/ui/package.json": '{"name": "@acme/ui", "main": "index.ts"}', "packages/ui/index.ts": "",
    })
    for spec in ("@/lib/x", "@acme/ui", "react", "../lib/x"):
        recorded = []
        for importer in ("src/app/a.ts", "src/app/b.ts", "src/other/c.ts"):
            with r.ws.recording() as recorder:
                first = r.resolve(importer, spec)
            recorded.append((first, recorder.deps))
        (answer, deps), *others = recorded
        assert all(other == (answer, deps) for other in others), spec
        if spec == "@/lib/x":
            assert answer == Resolved("file", "src/lib/x.ts") and ("digest", "tsconfig.json") in deps
