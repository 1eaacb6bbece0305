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

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from edgelint import __version__
from edgelint.fileindex import FileIndex
from edgelint.files import ALWAYS_SKIPPED

if TYPE_CHECKING:
    from edgelint.summary import ModuleSummary

try:  # the C module behind `hashlib.blake2b`: importing hashlib itself also loads OpenSSL (~10 ms)
    from _blake2 import blake2b
except ImportError:  # not CPython
    from hashlib import blake2b

MAX_SUMMARIES = 60_000
MAX_CHECK_ENTRIES = 16_000
MAX_PATH_LISTS = 4_000
MAX_FACT_ENTRIES = 60_000

#: Dependency kinds stored as groups (a path list and a fingerprint): ("digest", path) and
#: ("fact", name, path).
GROUPED = ("digest", "fact")


@cache
def code_digest() -> str:
    """A digest of edgelint's own source (engine and checks), so edits invalidate results. Of the
    bytes, not the file times: a fresh install of the same version (every CI run) keeps its cache."""
    import edgelint
    import edgelint.checks as checks

    sources = set()  # once each: installed, the checks are a folder inside edgelint's
    for package in (edgelint, checks):
        for folder, subfolders, names in os.walk(os.path.dirname(package.__file__)):
            subfolders[:] = [name for name in subfolders if name != "__pycache__"]
            sources.update(os.path.join(folder, name) for name in names if name.endswith(".py"))
    h = blake2b(__version__.encode(), digest_size=16)
    for path in sorted(sources):
        try:
            with open(path, "rb") as source:
                h.update(source.read())
        except OSError:
            pass
    return h.hexdigest()


class _Shards:
    """A JSON dict split over 256 files by the first two hex digits of its keys (16 files by the
    first digit when `digits` is 1), keeping at most `limit` keys.

    Only the shards a run touches are read, and only the shards it changed are written."""

    def __init__(self, directory: Path, prefix: str, limit: int, digits: int = 2):
        self.directory, self.prefix, self.digits = directory, prefix, digits
        self.limit = limit // 16 ** digits + 1  # per shard
        self._loaded: dict[str, dict] = {}
        self._dirty: set[str] = set()
        self.journal: list | None = None  # in a worker process: the writes to hand to the parent

    def _shard(self, key: str) -> dict:
        name = key[:self.digits]
        if name not in self._loaded:
            data = _read_json(self.directory / f"{self.prefix}-{name}.json")
            self._loaded[name] = data if isinstance(data, dict) else {}  # missing or corrupt: rewritten at the end
        return self._loaded[name]

    def get(self, key: str):
        return self._shard(key).get(key)

    def put(self, key: str, value) -> None:
        self._shard(key)[key] = value
        self._dirty.add(key[:self.digits])
        if self.journal is not None:
            self.journal.append(("put", self.prefix, key, value))

    def merge(self, key: str, part: dict) -> None:
        """Add `part` to the dict stored under `key`; two worker processes adding to one key keep
        each other's entries (the parent applies each part, not each worker's whole dict)."""
        current = self._shard(key).get(key)
        self._shard(key)[key] = {**(current if isinstance(current, dict) else {}), **part}
        self._dirty.add(key[:self.digits])
        if self.journal is not None:
            self.journal.append(("merge", self.prefix, key, part))

    def drop(self, key: str) -> None:
        self._shard(key).pop(key, None)
        self._dirty.add(key[:self.digits])

    def save(self) -> None:
        for name in sorted(self._dirty):
            data = self._loaded[name]
            if len(data) > self.limit:
                data = dict(list(data.items())[-self.limit:])
            _write_json(self.directory / f"{self.prefix}-{name}.json", data)
        self._dirty.clear()


def _write_json(path: Path, data) -> None:
    _write_atomically(path, json.dumps(data, separators=(",", ":")))


def _write_atomically(path: Path, text: str) -> None:
    """Write a temporary file beside `path` and rename it into place. The temporary file has a
    random name and is created exclusively (O_EXCL: never through a planted link), as
    `tempfile.mkstemp` does, at a fraction of its cost (a run writes dozens of these)."""
    temp = path.parent / f".tmp-{os.urandom(8).hex()}.json"
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class Cache:
    def __init__(self, directory: Path):
        self.directory = directory
        self.folder = directory / code_digest()[:16]
        self._summaries = _Shards(self.folder, "s", MAX_SUMMARIES)
        # a run on changed files stores results of checks on every app, each in a file of its own
        # with 256 shards: a file write costs more than the bytes written (16 shards hold 0.5 MB)
        self._checks = _Shards(self.folder, "c", MAX_CHECK_ENTRIES, digits=1)
        self._facts = _Shards(self.folder, "f", MAX_FACT_ENTRIES)
        self._file_index: FileIndex | None = None
        self._walk_memo: dict | None = None
        self._lists = _Shards(self.folder, "l", MAX_PATH_LISTS)
        self._valid_lists: dict[str, list[str]] = {}
        self._journal: list | None = None

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
        from edgelint.summary import ModuleSummary

        try:
            return ModuleSummary.from_dict(data)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):  # not what this version writes
            self._summaries.drop(digest)
            return None

    def has_summary(self, digest: str) -> bool:
        return self._summaries.get(digest) is not None

    def store_summary(self, digest: str, summary: ModuleSummary) -> None:
        self._summaries.put(digest, summary.to_dict())

    # -- facts (`edgelint.facts`) ----------------------------------------------------------------

    def fact(self, digest: str, name: str):
        facts = self._facts.get(digest)
        return facts.get(name) if isinstance(facts, dict) else None

    def store_fact(self, digest: str, name: str, value) -> None:
        self._facts.merge(digest, {name: value})

    # -- what earlier runs learned about each file ---------------------------------------------

    @property
    def file_index(self) -> FileIndex:
        if self._file_index is None:
            self._file_index = FileIndex(_read_json(self.folder / "files.json"), _read_json(self.folder / "greps.json"))
        return self._file_index

    @property
    def walk_memo(self) -> dict:
        """What each folder held at the last walk (`files._walk`; unused in git work trees)."""
        if self._walk_memo is None:
            data = _read_json(self.folder / "dirs.json")
            dirs = data.get("dirs") if isinstance(data, dict) else None
            ok = isinstance(dirs, dict) and all(_listing(folder, value) for folder, value in dirs.items())
            self._walk_memo = {"dirs": dirs if ok else {}}
        return self._walk_memo

    # -- check results ------------------------------------------------------------------------

    def check_entry(self, key: str) -> dict | None:
        entry = self._checks.get(key)
        if not isinstance(entry, dict) or not {"groups", "deps", "findings", "problems"} <= set(entry):
            return None
        return entry

    def store_check(self, key: str, deps: dict, findings: list[dict], problems: list[dict],
                    scopes: dict | None = None) -> None:
        """Store a check's result. Its dependencies on file digests and facts are kept in groups
        of one kind: a list of paths (shared with other entries that read the same files) and one
        fingerprint of their values; the path lists its byte searches went through are shared the
        same way."""
        groups: dict[tuple, list] = {}
        others = []
        for dep, value in deps.items():
            if dep[0] in GROUPED:
                groups.setdefault(dep[:-1], []).append((dep[-1], value))
            else:
                others.append([list(dep), value])
        for paths in (scopes or {}).values():
            self.store_list(paths)
        stored = []
        for kind, values in groups.items():
            values.sort(key=lambda item: item[0])
            stored.append([list(kind), self.store_list([rel for rel, _ in values]),
                           fingerprint([value for _, value in values])])
        self._checks.put(key, {"groups": stored, "deps": others, "findings": findings, "problems": problems})

    def run_entry(self, key: str) -> dict | None:
        entry = self._checks.get(key)
        return entry if isinstance(entry, dict) and {"fingerprint", "extra", "apps", "findings", "suppressed",
                                                     "files"} <= set(entry) else None

    def store_run(self, key: str, entry: dict) -> None:
        """What a whole run found (`replay.replay_run`)."""
        self._checks.put(key, entry)

    # -- shared path lists --------------------------------------------------------------------

    def path_list(self, digest: str) -> list[str] | None:
        if digest not in self._valid_lists:  # checked once: many entries share a list
            paths = self._lists.get(digest)
            if not (isinstance(paths, list) and all(isinstance(p, str) for p in paths) and list_digest(paths) == digest):
                return None
            self._valid_lists[digest] = paths
        return self._valid_lists[digest]

    def store_list(self, paths: list[str]) -> str:
        digest = list_digest(paths)
        if self._lists.get(digest) is None:
            self._lists.put(digest, list(paths))
        return digest

    # -- worker processes (`edgelint.parallel`) -----------------------------------------------

    def start_journal(self) -> None:
        """In a worker process: keep every write, for `take_journal`."""
        self._journal = []
        for shards in (self._summaries, self._checks, self._facts, self._lists):
            shards.journal = self._journal
        self.file_index.journal = self._journal

    def take_journal(self) -> list:
        taken = self._journal[:]
        self._journal.clear()
        return taken

    def apply(self, journal: list) -> None:
        """Make the writes a worker process made (in the order it made them)."""
        shards = {s.prefix: s for s in (self._summaries, self._checks, self._facts, self._lists)}
        index = self.file_index
        for kind, *args in journal:
            if kind in ("put", "merge"):
                prefix, key, value = args
                getattr(shards[prefix], kind)(key, value)
            else:
                getattr(index, kind)(*args)

    # -- writing ------------------------------------------------------------------------------

    def save(self) -> None:
        index = self._file_index
        walked = self._walk_memo is not None and self._walk_memo.get("changed")
        if not (self._summaries._dirty or self._checks._dirty or self._facts._dirty or self._lists._dirty
                or (index is not None and (index.changed or index.greps_changed)) or walked):
            return
        try:
            fresh = not self.directory.exists()
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists() and (fresh or _ours(self.directory)):
                ignore.write_text("# written by edgelint: never commit the cache\n*\n", "utf-8")
            for shards in (self._summaries, self._checks, self._facts, self._lists):
                shards.save()
            if index is not None and index.changed:
                _write_json(self.folder / "files.json", index.to_dict())
            if index is not None and index.greps_changed:
                _write_json(self.folder / "greps.json", index.greps_to_dict())
            if walked:
                _write_json(self.folder / "dirs.json", {"dirs": self._walk_memo["dirs"]})
            for other in self.directory.iterdir():  # caches of other edgelint versions
                if other != self.folder and _CACHE_FOLDER.fullmatch(other.name) and other.is_dir() \
                        and not other.is_symlink():
                    _remove_cache_folder(other)
        except OSError:
            pass  # read-only or full disk: the cache is an optimisation only


#: What edgelint writes into a cache directory; nothing else is ever deleted or overwritten there
#: (`cache-dir` may point at a folder that holds other files).
_CACHE_FOLDER = re.compile(r"[0-9a-f]{16}")
_CACHE_FILE = re.compile(r"[scfl]-[0-9a-f]{1,2}\.json|files\.json|greps\.json|dirs\.json|\.tmp-.*\.json")


def _listing(folder, value) -> bool:
    """A well-formed folder listing of the walk memo: names only of the folder's own children
    (no `..`, no separators), so a planted memo cannot make edgelint read outside the tree, and
    no folder the walk always skips (`node_modules`, build output)."""
    if not (isinstance(folder, str) and isinstance(value, list) and len(value) == 5 and type(value[0]) is int
            and type(value[1]) is int and (value[2] is None or (isinstance(value[2], list)
                                                                 and all(type(x) is int for x in value[2])))
            and isinstance(value[3], list) and isinstance(value[4], list)):
        return False
    prefix = folder + "/" if folder else ""
    start = len(prefix)
    for path in value[3] + value[4]:  # a plain loop: this runs over every file of the tree
        if type(path) is not str or not path.startswith(prefix):
            return False
        name = path[start:]
        if name in ("", ".", "..") or "/" in name or "\\" in name or "\0" in name:
            return False
    return not any(path[start:] in ALWAYS_SKIPPED for path in value[4])


def _read_json(path: Path):
    """The JSON in a cache file, None when it is missing or corrupt (it is rewritten at the end)."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


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


def list_digest(paths: list[str]) -> str:
    """Names a list of paths (file lists, and the paths a byte search went through)."""
    return blake2b("\0".join(paths).encode("utf-8", "replace"), digest_size=16).hexdigest()


def fingerprint(values: list, *, label: str = "") -> str:
    """One digest for many values, in their order: file digests (strings) or facts (JSON). The
    paths they belong to are named by the caller (a stored path list, or `label`)."""
    try:
        text = "\0".join(values)  # file digests: all strings (the common case, and a fast one)
    except TypeError:  # facts, or a digest that is None: the whole list as JSON, in one call
        text = json.dumps(values, separators=(",", ":"))
    return blake2b(f"{label}\1{text}".encode("utf-8", "replace"), digest_size=16).hexdigest()


def key(*parts) -> str:
    return blake2b(json.dumps(parts, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()
