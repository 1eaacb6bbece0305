"""Loading checks from the `edgelint.checks` entry-point group (the built-in ones included).

An entry point names a module or package; every `Check` subclass with a code defined in it (and,
for a package, in its submodules) is a check. Codes and names must be unique.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from importlib.metadata import entry_points

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
    for ep in entry_points(group=GROUP):
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


def find(ref: str) -> list[type[Check]]:
    """Checks matching a code, a code prefix (EDGE1, EDGE10), a name, an area or 'ALL'."""
    ref = ref.strip()
    checks = all_checks()
    if ref.upper() == "ALL":
        return list(checks)
    exact = [c for c in checks if c.code == ref.upper() or c.name == ref]
    if exact:
        return exact
    return [c for c in checks if c.code.startswith(ref.upper()) or c.area == ref]


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
