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
import tempfile
from functools import cache
from pathlib import Path

from edgelint import __version__
from edgelint.summary import ModuleSummary

MAX_SUMMARIES = 60_000
MAX_CHECK_ENTRIES = 4_000


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


class Cache:
    def __init__(self, directory: Path):
        self.directory = directory
        self._summaries: dict[str, dict] | None = None
        self._checks: dict[str, dict] | None = None
        self._dirty = False

    @property
    def _file(self) -> Path:
        return self.directory / f"cache-{code_digest()[:12]}.json"

    def _load(self) -> None:
        if self._summaries is not None:
            return
        self._summaries, self._checks = {}, {}
        try:
            data = json.loads(self._file.read_text("utf-8"))
            if isinstance(data, dict) and isinstance(data.get("summaries"), dict) and isinstance(data.get("checks"), dict):
                self._summaries, self._checks = data["summaries"], data["checks"]
        except (OSError, ValueError, UnicodeDecodeError):
            pass  # missing or corrupt: start empty, rewrite at the end

    # -- summaries ----------------------------------------------------------------------------

    def summary(self, digest: str) -> ModuleSummary | None:
        self._load()
        data = self._summaries.get(digest)
        if data is None:
            return None
        try:
            return ModuleSummary.from_dict(data)
        except (KeyError, TypeError, ValueError):
            del self._summaries[digest]
            return None

    def store_summary(self, digest: str, summary: ModuleSummary) -> None:
        self._load()
        self._summaries[digest] = summary.to_dict()
        self._dirty = True

    # -- check results ------------------------------------------------------------------------

    def check_entry(self, key: str) -> dict | None:
        self._load()
        entry = self._checks.get(key)
        if not isinstance(entry, dict) or not {"deps", "findings", "problems"} <= set(entry):
            return None
        return entry

    def store_check(self, key: str, deps: dict, findings: list[dict], problems: list[dict]) -> None:
        self._load()
        self._checks[key] = {"deps": [[list(k), v] for k, v in deps.items()], "findings": findings,
                             "problems": problems}
        self._dirty = True

    # -- writing ------------------------------------------------------------------------------

    def save(self) -> None:
        if not self._dirty:
            return
        summaries = dict(list(self._summaries.items())[-MAX_SUMMARIES:])
        checks = dict(list(self._checks.items())[-MAX_CHECK_ENTRIES:])
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# written by edgelint: never commit the cache\n*\n", "utf-8")
            handle, temp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"version": __version__, "summaries": summaries, "checks": checks}, out,
                          separators=(",", ":"))
            os.replace(temp, self._file)
            for old in self.directory.glob("cache-*.json"):
                if old != self._file:
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # read-only or full disk: the cache is an optimisation only
        self._dirty = False


def key(*parts) -> str:
    return hashlib.blake2b(json.dumps(parts, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()
