"""pnpm catalogs (edgelint/catalogs.py): `catalog:` ranges in package.json are read from the
workspace's pnpm-workspace.yaml, so version-dependent rules know the Next.js and adapter versions."""

from __future__ import annotations

import json

from conftest import write_tree
from edgelint import catalogs, project
from edgelint.workspace import Workspace

WORKSPACE = """\
packages:
  - "apps/*"   # the apps
  - packages/*

catalog:
  next: 16.3.0            # pinned
  react: ^19.1.0
  "@cloudflare/next-on-pages": '1.10.1'
  '@types/node': "^22 # not a comment"

catalogs:
  react18:
    react: ^18.3.1
    react-dom: ^18.3.1
  legacy:
    next: 14.2.15

onlyBuiltDependencies:
  - esbuild
"""


def test_the_default_and_named_catalogs_are_read():
    found = catalogs.read_catalogs(WORKSPACE)
    assert found == {
        "default": {"next": "16.3.0", "react": "^19.1.0", "@cloudflare/next-on-pages": "1.10.1",
                     "@types/node": "^22 # not a comment"},
        "react18": {"react": "^18.3.1", "react-dom": "^18.3.1"},
        "legacy": {"next": "14.2.15"},
    }
    assert catalogs.resolve("catalog:", found, "next") == "16.3.0"
    assert catalogs.resolve("catalog:default", found, "react") == "^19.1.0"
    assert catalogs.resolve("catalog:legacy", found, "next") == "14.2.15"
    assert catalogs.resolve("catalog:react18", found, "next") is None
    assert catalogs.resolve("catalog:missing", found, "next") is None


def test_files_without_catalogs_or_in_other_forms_give_none():
    assert catalogs.read_catalogs("packages:\n  - apps/*\n") == {}
    assert catalogs.read_catalogs("catalog: { next: 15.0.0 }\n") == {}  # flow form: not read
    assert catalogs.read_catalogs("") == {}
    assert catalogs.read_catalogs("catalog:\n  - not a mapping\n\tbroken: [\n") == {}


def _apps(tmp_path, files):
    """The apps of a tree: every folder with a package.json gets an `app/` page (an app needs one)."""
    pages = {path.rsplit("/", 1)[0] + "/app/page.tsx": "export default function P() { return null }\n"
             for path in files if path.endswith("/package.json")}
    root = write_tree(tmp_path / "repo", {**files, **pages})
    return {app.root: app for app in project.find_apps(Workspace(root))}


def test_apps_read_their_versions_from_the_nearest_workspace_file(tmp_path):
    apps = _apps(tmp_path, {
        "pnpm-workspace.yaml": WORKSPACE,
        "apps/web/package.json": json.dumps({"dependencies": {"next": "catalog:", "react": "catalog:react18"},
                                             "devDependencies": {"@cloudflare/next-on-pages": "catalog:"}}),
        "apps/old/package.json": json.dumps({"dependencies": {"next": "catalog:legacy"}}),
        "apps/odd/package.json": json.dumps({"dependencies": {"next": "catalog:nowhere"}}),
    })
    web = apps["apps/web"]
    assert str(web.next_version) == "16.3.0" and web.target == "next-on-pages"
    assert web.dependency("react") == "^18.3.1" and web.dependency("@cloudflare/next-on-pages") == "1.10.1"
    assert str(apps["apps/old"].next_version) == "14.2.15"
    assert apps["apps/odd"].next_version is None and apps["apps/odd"].dependency("next") == "catalog:nowhere"


def test_bun_catalogs_in_the_root_package_json(tmp_path):
    """Bun keeps catalogs in the root package.json, under `workspaces` (or at its top level)."""
    apps = _apps(tmp_path, {
        "package.json": json.dumps({"name": "mono", "workspaces": {
            "packages": ["apps/*"], "catalog": {"next": "14.2.15"}, "catalogs": {"edge": {"next": "15.5.0"}}}}),
        "apps/web/package.json": json.dumps({"dependencies": {"next": "catalog:"}}),
        "apps/docs/package.json": json.dumps({"dependencies": {"next": "catalog:edge"}}),
    })
    assert str(apps["apps/web"].next_version) == "14.2.15" and str(apps["apps/docs"].next_version) == "15.5.0"
    top = _apps(tmp_path / "top", {
        "package.json": json.dumps({"name": "mono", "workspaces": ["apps/*"], "catalog": {"next": "15.1.0"}}),
        "apps/web/package.json": json.dumps({"dependencies": {"next": "catalog:"}}),
    })
    assert str(top["apps/web"].next_version) == "15.1.0"
