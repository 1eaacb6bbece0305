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
    for ep in _plugins():
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


class Selection:
    """The checks that select / extend-select / ignore layers choose (`select_layers`), iterable,
    loaded when first used: a run replayed from the cache needs only `key`, and importing the 49
    rule modules would be a tenth of it."""

    def __init__(self, layers: list[tuple[list[str] | None, list[str], list[str]]]):
        self.layers = layers
        self._checks: list[type[Check]] | None = None

    @property
    def checks(self) -> list[type[Check]]:
        if self._checks is None:
            self._checks = select_layers(self.layers)
        return self._checks

    def __iter__(self):  # no `__len__`: asking whether a selection is empty must not load it
        return iter(self.checks)

    def key(self) -> list | None:
        """What decides the checks without loading them: the layers, when edgelint's own checks
        are the only ones (edgelint's code names the cache's folder, so it decides the rest);
        None when a plugin is installed (then only the checks themselves can say)."""
        if _plugins():
            return None
        return [[chosen, extend, ignore] for chosen, extend, ignore in self.layers]


@cache
def _plugins() -> tuple:
    return tuple(_entry_points())


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
    """The checks to run for one source of `select`/`ignore`/`extend-select`; an unknown reference
    is a ConfigError naming it."""
    return select_layers([(select, extend, ignore)])


def select_layers(layers: list[tuple[list[str] | None, list[str], list[str]]]) -> list[type[Check]]:
    """The checks to run after each (select, extend-select, ignore) layer in turn (the config file,
    then the command line), as ruff resolves them: a layer's `select` starts afresh (what earlier
    layers ignored is selected again), and within a layer the more specific reference wins, an
    `ignore` on a tie (`--ignore ALL --select EDGE101` runs EDGE101)."""
    enabled = set(all_checks())
    for chosen, extend, ignore in layers:
        picks = _specificities([*(chosen or []), *extend])
        drops = _specificities(ignore)
        base = set() if chosen is not None else enabled
        enabled = {check for check in all_checks() if (
            check in base if check not in picks and check not in drops
            else check in picks and picks[check] > drops.get(check, -1))}
    return sorted(enabled, key=lambda c: c.code)


def _specificities(refs: list[str]) -> dict[type[Check], int]:
    """Each check some reference matches -> the most specific of them: `ALL` 0, an area 5 (like
    `EDGE1`), a prefix its length, a code or name 100."""
    found: dict[type[Check], int] = {}
    for ref in refs:
        matched = find(ref)
        if not matched:
            raise ConfigError(f"unknown rule '{ref}' (see `edgelint rules`)")
        text = ref.strip()
        exact = any(c.code == text.upper() or c.name == text.lower() for c in matched)
        rank = 0 if text.upper() == "ALL" else 100 if exact else 5 if text.lower() in {c.area for c in matched} \
            else len(text)
        for check in matched:
            found[check] = max(found.get(check, -1), rank)
    return found
