"""Configuration: `edgelint.toml` or `.edgelint.toml`, found by walking up from the linted path.

```toml
target = "next-on-pages"      # force a target for every app (default: detected per app)
select = ["EDGE1", "EDGE2"]   # codes, code prefixes or rule names (default: all)
ignore = ["no-node-runtime"]
extend-select = []
fail-on = "warning"           # lowest severity that makes the exit code 1: error | warning | note
exclude = ["legacy/**"]       # gitignore-style patterns, relative to the config file
cache-dir = ".edgelint_cache"

[apps."apps/web"]             # per-app settings, keyed by the app folder relative to the config file
target = "opennext"

[ratelimit]                   # options of the checks of one area (see `edgelint rule CODE`)
limiters = ["guard.check"]
```
Every unknown key is an error that names the file and the key.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

CONFIG_NAMES = ("edgelint.toml", ".edgelint.toml")
TOP_LEVEL_KEYS = {"target", "select", "ignore", "extend-select", "fail-on", "exclude", "cache-dir", "apps"}


class ConfigError(Exception):
    """A usage or configuration error: exit code 2, no traceback."""


@dataclass
class Config:
    path: Path | None = None
    target: str | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    exclude: list[str] = field(default_factory=list)
    cache_dir: str = ".edgelint_cache"
    app_targets: dict[str, str] = field(default_factory=dict)
    sections: dict[str, dict] = field(default_factory=dict)  # area -> raw options

    def _offsets(self, root: Path) -> tuple[str, str]:
        """(the lint root's folder relative to the config file's, the config file's folder relative
        to the lint root): ('apps/web/', '') when the root is inside the config's folder, ('',
        'pages-shop/') when the config file is below the root (files named from the repository
        root, as pre-commit does); ('', '') for the same folder, no config file, or unrelated ones."""
        if self.path is None:
            return "", ""
        try:
            down = os.path.relpath(root.resolve(), self.path.parent.resolve()).replace(os.sep, "/")
        except ValueError:
            return "", ""
        if down in (".", ""):
            return "", ""
        if not down.startswith(".."):
            return down + "/", ""
        up = os.path.relpath(self.path.parent.resolve(), root.resolve()).replace(os.sep, "/")
        return ("", up + "/") if not up.startswith("..") else ("", "")

    def relative(self, root: Path, path: str) -> str | None:
        """A path relative to the lint root, relative to the config file's folder (the config's
        `exclude` and `[apps."…"]` are), or None when it is outside that folder."""
        base, prefix = self._offsets(root)
        if prefix:
            return path[len(prefix):] if path.startswith(prefix) else None
        return base + path

    def app_targets_at(self, root: Path) -> dict[str, str]:
        """`[apps."…"]` targets keyed by app folder relative to the lint root ('.' for the root)."""
        base, prefix = self._offsets(root)
        found = {}
        for folder, target in self.app_targets.items():
            path = prefix + ("" if folder == "." else folder + "/")
            if path.startswith(base):
                found[path[len(base):].rstrip("/") or "."] = target
        return found

    def options_for(self, check_type):
        """An instance of the check's Options dataclass filled from its area's section."""
        if check_type.Options is None:
            return None
        raw = self.sections.get(check_type.area, {})
        names = {f.name.replace("_", "-"): f.name for f in dataclasses.fields(check_type.Options)}
        values = {names[k]: v for k, v in raw.items() if k in names}
        return check_type.Options(**values)


def find_config(start: Path) -> Path | None:
    folder = start if _is(start, Path.is_dir) else start.parent
    for candidate in [folder, *folder.parents]:
        for name in CONFIG_NAMES:
            if _is(candidate / name, Path.is_file):
                return candidate / name
    return None


def _is(path: Path, test) -> bool:
    """`test(path)`, False where the path cannot even be looked at (an unreadable folder)."""
    try:
        return test(path)
    except OSError:
        return False


def load(path: Path | None, targets: tuple[str, ...], option_types: dict[str, list[type]]) -> Config:
    """Read and validate a config file; `option_types` maps an area to its checks' Options types."""
    if path is None:
        return Config()
    import tomllib  # here: most runs have no config file (a warm run is 0.13 s; this import 3 ms of it)

    try:
        data = tomllib.loads(path.read_text("utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read config file: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    config = Config(path=path)
    for key, value in data.items():
        if key in option_types:
            config.sections[key] = _area_section(path, key, value, option_types[key])
        elif key not in TOP_LEVEL_KEYS:
            raise ConfigError(f"{path}: unknown key '{key}' (known: {', '.join(sorted(TOP_LEVEL_KEYS | set(option_types)))})")
    config.target = _choice(path, "target", data.get("target"), targets)
    config.fail_on = _choice(path, "fail-on", data.get("fail-on", "warning"), ("error", "warning", "note"))
    config.select = _strings(path, "select", data["select"]) if "select" in data else None
    config.ignore = _strings(path, "ignore", data.get("ignore", []))
    config.extend_select = _strings(path, "extend-select", data.get("extend-select", []))
    config.exclude = _strings(path, "exclude", data.get("exclude", []))
    cache_dir = data.get("cache-dir", ".edgelint_cache")
    if not isinstance(cache_dir, str):
        raise ConfigError(f"{path}: 'cache-dir' must be a string")
    config.cache_dir = cache_dir
    apps = data.get("apps", {})
    if not isinstance(apps, dict):
        raise ConfigError(f"{path}: 'apps' must be a table of app folders")
    for folder, settings in apps.items():
        if not isinstance(settings, dict) or set(settings) - {"target"}:
            raise ConfigError(f"{path}: [apps.\"{folder}\"] takes only 'target'")
        config.app_targets[folder.strip("/") or "."] = _choice(path, f"apps.{folder}.target",
                                                                settings.get("target"), targets)
    return config


def _choice(path: Path, key: str, value, allowed: tuple[str, ...]):
    if value is None:
        return None
    if value not in allowed:
        raise ConfigError(f"{path}: '{key}' must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _strings(path: Path, key: str, value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: '{key}' must be a list of strings")
    return value


def _area_section(path: Path, area: str, value, option_types: list[type]) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{area}] must be a table")
    known = {}
    for options in option_types:
        for f in dataclasses.fields(options):
            known[f.name.replace("_", "-")] = f
    for key, item in value.items():
        if key not in known:
            raise ConfigError(f"{path}: unknown option '{key}' in [{area}] (known: {', '.join(sorted(known)) or 'none'})")
        expected = known[key].type
        if "list" in str(expected) and not (isinstance(item, list) and all(isinstance(v, str) for v in item)):
            raise ConfigError(f"{path}: [{area}] '{key}' must be a list of strings")
        if str(expected) in ("bool", "<class 'bool'>") and not isinstance(item, bool):
            raise ConfigError(f"{path}: [{area}] '{key}' must be true or false")
        if str(expected) in ("int", "<class 'int'>") and (not isinstance(item, int) or isinstance(item, bool)):
            raise ConfigError(f"{path}: [{area}] '{key}' must be a whole number")
    return value
