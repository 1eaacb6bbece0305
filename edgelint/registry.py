"""Loading checks from the `edgelint.checks` entry-point group (the built-in ones included).

An entry point names a module or package; every `Check` subclass with a code defined in it (and,
for a package, in its submodules) is a check. Codes and names must be unique.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from functools import cache

from edgelint.api import Check
from edgelint.config import ConfigError

GROUP = "edgelint.checks"


def _checks_in(module) -> list[type[Check]]:
    found = []
    modules = [module]
    if hasattr(module, "__path__"):
        for info in sorted(pkgutil.iter_modules(module.__path__), key=lambda i: i.name):
            if not info.name.startswith("_"):
                modules.append(importlib.import_module(f"{module.__name__}.{info.name}"))
    for mod in modules:
        for value in vars(mod).values():
            if isinstance(value, type) and issubclass(value, Check) and value.code and value.__module__ == mod.__name__:
                found.append(value)
    return found


@cache
def all_checks() -> tuple[type[Check], ...]:
    modules = []
    for ep in _entry_points():
        try:
            modules.append(ep.load())
        except Exception as error:  # a broken plugin must not take the linter down
            raise ConfigError(f"cannot load edgelint plugin '{ep.name}' ({ep.value}): {error}") from None
    if not any(getattr(m, "__name__", "") == "edgelint.checks" for m in modules):
        modules.insert(0, importlib.import_module("edgelint.checks"))
    checks: dict[str, type[Check]] = {}
    names: dict[str, str] = {}
    for module in modules:
        for check in _checks_in(module):
            if check.code in checks and checks[check.code] is not check:
                raise ConfigError(f"two checks use the code {check.code}: {checks[check.code].__module__} and "
                                  f"{check.__module__}")
            if check.name in names and names[check.name] != check.code:
                raise ConfigError(f"two checks use the name {check.name}")
            checks[check.code] = check
            names[check.name] = check.code
    return tuple(sorted(checks.values(), key=lambda c: c.code))


def _entry_points() -> list:
    """The entry points of GROUP. Importing `importlib.metadata` takes about 25 ms, a tenth of a
    pre-commit run, and almost always the only entry point is edgelint's own: so the installed
    distributions' `entry_points.txt` files are searched for the group's name first, and
    `importlib.metadata` is asked only when another distribution names it (or a `sys.path` entry
    is not a folder, such as a zip archive, which only it can search)."""
    for folder in sys.path:
        try:
            entries = list(os.scandir(folder or "."))
        except NotADirectoryError:
            return _metadata_entry_points()
        except OSError:
            continue  # a missing folder holds no distributions
        for entry in entries:
            name = entry.name.lower()
            # `name-version.dist-info`, `name.egg-info`: a project name in these has no "-"
            if not name.endswith((".dist-info", ".egg-info")) or name.rsplit(".", 1)[0].split("-")[0] == "edgelint":
                continue
            try:
                with open(os.path.join(entry.path, "entry_points.txt"), "rb") as handle:
                    if GROUP.encode() in handle.read():
                        return _metadata_entry_points()
            except OSError:
                continue
    return []


def _metadata_entry_points() -> list:
    from importlib.metadata import entry_points

    return list(entry_points(group=GROUP))


def find(ref: str) -> list[type[Check]]:
    """Checks matching a code, a code prefix (EDGE1, EDGE10), a name, an area or 'ALL'."""
    ref = ref.strip()
    checks = all_checks()
    if not ref:
        return []
    if ref.upper() == "ALL":
        return list(checks)
    exact = [c for c in checks if c.code == ref.upper() or c.name == ref.lower()]
    if exact:
        return exact
    return [c for c in checks if c.code.startswith(ref.upper()) or c.area == ref.lower()]


def select(select: list[str] | None, ignore: list[str], extend: list[str]) -> list[type[Check]]:
    """The checks to run; an unknown reference is a ConfigError naming it."""
    def resolve(refs: list[str]) -> set[type[Check]]:
        chosen = set()
        for ref in refs:
            matched = find(ref)
            if not matched:
                raise ConfigError(f"unknown rule '{ref}' (see `edgelint rules`)")
            chosen.update(matched)
        return chosen

    chosen = resolve(select) if select is not None else set(all_checks())
    chosen |= resolve(extend)
    chosen -= resolve(ignore)
    return sorted(chosen, key=lambda c: c.code)
