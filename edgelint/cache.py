"""The on-disk cache (`.edgelint_cache/`, like ruff's): module summaries and check results.

- Module summaries are keyed by the blake2b digest of the file's bytes.
- A check's findings for one app are keyed by the check, its options, the target, the app
  model and edgelint's own code, and stored with the *dependencies* the check recorded while it
  ran (file digests, byte-search answers, the file list; see `Workspace.recording`). A later run
  replays the findings when every dependency still has its recorded value, so an unchanged tree
  costs only reading and hashing, and a pre-commit run re-runs only the checks whose inputs
  changed.

Everything is JSON (never pickle: a cache inside an untrusted repository must not be able to run
code). Writes go to a temporary file renamed into place, so concurrent runs never see a torn file;
an unreadable or corrupt cache is ignored and rewritten. The directory holds a `.gitignore` with
`*` so it is never committed. A read-only location just disables writing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from functools import cache
from pathlib import Path

from edgelint import __version__
from edgelint.summary import ModuleSummary

MAX_SUMMARIES = 60_000
MAX_CHECK_ENTRIES = 16_000


@cache
def code_digest() -> str:
    """A digest of edgelint's own source (engine and checks), so edits invalidate results."""
    import edgelint
    import edgelint.checks as checks

    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    for package in (edgelint, checks):
        folder = Path(package.__file__).parent
        for path in sorted(folder.rglob("*.py")):
            try:
                h.update(path.read_bytes())
            except OSError:
                pass
    return h.hexdigest()


class _Shards:
    """A JSON dict split over 256 files by the first two hex digits of its keys.

    Only the shards a run touches are read, and only the shards it changed are written."""

    def __init__(self, directory: Path, prefix: str):
        self.directory, self.prefix = directory, prefix
        self._loaded: dict[str, dict] = {}
        self._dirty: set[str] = set()

    def _shard(self, key: str) -> dict:
        name = key[:2]
        if name not in self._loaded:
            data = {}
            try:
                data = json.loads((self.directory / f"{self.prefix}-{name}.json").read_text("utf-8"))
                if not isinstance(data, dict):
                    data = {}
            except (OSError, ValueError, UnicodeDecodeError):
                pass  # missing or corrupt: start empty, rewrite at the end
            self._loaded[name] = data
        return self._loaded[name]

    def get(self, key: str):
        return self._shard(key).get(key)

    def put(self, key: str, value) -> None:
        self._shard(key)[key] = value
        self._dirty.add(key[:2])

    def drop(self, key: str) -> None:
        self._shard(key).pop(key, None)
        self._dirty.add(key[:2])

    def save(self, limit: int) -> None:
        for name in sorted(self._dirty):
            data = self._loaded[name]
            if len(data) > limit:
                data = dict(list(data.items())[-limit:])
            _write_atomically(self.directory / f"{self.prefix}-{name}.json",
                              json.dumps(data, separators=(",", ":")))
        self._dirty.clear()


def _write_atomically(path: Path, text: str) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class Cache:
    def __init__(self, directory: Path):
        self.directory = directory
        self.folder = directory / code_digest()[:16]
        self._summaries = _Shards(self.folder, "s")
        self._checks = _Shards(self.folder, "c")

    @property
    def usable(self) -> bool:
        """False when the folder is a symbolic link: planted in an untrusted repository, it would make
        edgelint read and write wherever it points."""
        return not self.folder.is_symlink()

    # -- summaries ----------------------------------------------------------------------------

    def summary(self, digest: str) -> ModuleSummary | None:
        data = self._summaries.get(digest)
        if data is None:
            return None
        try:
            return ModuleSummary.from_dict(data)
        except (KeyError, TypeError, ValueError):
            self._summaries.drop(digest)
            return None

    def store_summary(self, digest: str, summary: ModuleSummary) -> None:
        self._summaries.put(digest, summary.to_dict())

    # -- check results ------------------------------------------------------------------------

    def check_entry(self, key: str) -> dict | None:
        entry = self._checks.get(key)
        if not isinstance(entry, dict) or not {"deps", "findings", "problems"} <= set(entry):
            return None
        return entry

    def store_check(self, key: str, deps: dict, findings: list[dict], problems: list[dict],
                    scopes: dict | None = None) -> None:
        self._checks.put(key, {"deps": [[list(k), v] for k, v in deps.items()], "findings": findings,
                               "problems": problems, "scopes": scopes or {}})

    # -- writing ------------------------------------------------------------------------------

    def save(self) -> None:
        if not (self._summaries._dirty or self._checks._dirty):
            return
        try:
            fresh = not self.directory.exists()
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists() and (fresh or _ours(self.directory)):
                ignore.write_text("# written by edgelint: never commit the cache\n*\n", "utf-8")
            self._summaries.save(MAX_SUMMARIES // 256 + 1)
            self._checks.save(MAX_CHECK_ENTRIES // 256 + 1)
            for other in self.directory.iterdir():  # caches of other edgelint versions
                if other != self.folder and _CACHE_FOLDER.fullmatch(other.name) and other.is_dir() \
                        and not other.is_symlink():
                    _remove_cache_folder(other)
        except OSError:
            pass  # read-only or full disk: the cache is an optimisation only


#: What edgelint writes into a cache directory; nothing else is ever deleted or overwritten there
#: (`cache-dir` may point at a folder that holds other files).
_CACHE_FOLDER = re.compile(r"[0-9a-f]{16}")
_CACHE_FILE = re.compile(r"[sc]-[0-9a-f]{2}\.json|\.tmp-.*\.json")


def _ours(directory: Path) -> bool:
    """Whether `directory` holds nothing but edgelint's own cache folders."""
    return all(p.name == ".gitignore" or (_CACHE_FOLDER.fullmatch(p.name) and p.is_dir()) for p in directory.iterdir())


def _remove_cache_folder(folder: Path) -> None:
    """Delete an old cache folder: only the files edgelint writes, then the folder if it is empty."""
    for path in folder.iterdir():
        if _CACHE_FILE.fullmatch(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass  # something else is in there: leave it


def key(*parts) -> str:
    return hashlib.blake2b(json.dumps(parts, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()
