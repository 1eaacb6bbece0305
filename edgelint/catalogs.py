"""Catalogs: the version ranges a workspace gives dependencies written `catalog:` — pnpm's in
`pnpm-workspace.yaml`, Bun's in the root package.json.

A package.json may declare `"next": "catalog:"` (the default catalog, also `catalog:default`) or
`"react": "catalog:react18"` (a named one); pnpm replaces them with the range listed in the
workspace file:

    catalog:
      next: 15.2.4
    catalogs:
      react18:
        react: ^18.3.1

Only that block form is read (the form pnpm's documentation uses); anything else (flow mappings,
anchors) leaves the range unknown, as an unreadable package.json range is.
"""

from __future__ import annotations

WORKSPACE_FILE = "pnpm-workspace.yaml"


def read_catalogs(text: str) -> dict[str, dict[str, str]]:
    """Catalog name -> {package: range} of a pnpm-workspace.yaml (the default catalog is 'default')."""
    catalogs: dict[str, dict[str, str]] = {}
    section = None  # 'catalog' | 'catalogs'
    named: str | None = None  # the catalog being read under `catalogs:`
    named_indent = None
    for raw in text.splitlines():
        line = _strip_comment(raw).rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        key, sep, value = _split(line.strip())
        if indent == 0:
            section = key if sep and key in ("catalog", "catalogs") and not value else None
            named = named_indent = None
            continue
        if section is None or not sep:
            continue
        if section == "catalog":
            if value:
                catalogs.setdefault("default", {})[key] = value
        elif named_indent is None or indent <= named_indent:
            named, named_indent = (key, indent) if not value else (None, None)
        elif named is not None and value:
            catalogs.setdefault(named, {})[key] = value
    return catalogs


def package_catalogs(package: dict) -> dict[str, dict[str, str]]:
    """Bun's catalogs in a root package.json: `workspaces.catalog` / `workspaces.catalogs`, or the
    same keys at the top level (Bun's "Catalogs" docs; the `workspaces` form wins)."""
    found: dict[str, dict[str, str]] = {}
    workspaces = package.get("workspaces")
    for holder in (package, workspaces if isinstance(workspaces, dict) else {}):
        default = holder.get("catalog")
        if isinstance(default, dict):
            found["default"] = {k: v for k, v in default.items() if isinstance(v, str)}
        named = holder.get("catalogs")
        if isinstance(named, dict):
            for name, listed in named.items():
                if isinstance(listed, dict):
                    found[name] = {k: v for k, v in listed.items() if isinstance(v, str)}
    return found


def resolve(spec: str, catalogs: dict[str, dict[str, str]], package: str) -> str | None:
    """The range a `catalog:` spec stands for, None when the catalog does not list the package."""
    name = spec.removeprefix("catalog:").strip() or "default"
    return catalogs.get(name, {}).get(package)


def _strip_comment(line: str) -> str:
    quote = None
    for index, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line


def _split(text: str) -> tuple[str, str, str]:
    """(key, ':', value) of `key: value`, quotes removed; ('', '', '') when it is not one."""
    if text.startswith(("'", '"')):
        end = text.find(text[0], 1)
        if end == -1 or not text[end + 1:].lstrip().startswith(":"):
            return "", "", ""
        key, rest = text[1:end], text[end + 1:].lstrip()[1:]
    else:
        key, sep, rest = text.partition(":")
        if not sep:
            return "", "", ""
    value = rest.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return key.strip(), ":", value
