"""The files of one linted directory, read, parsed and summarised lazily and at most once.

Everything a check learns about a file goes through here, so that a file nobody asks about is
never parsed (speed), a file that cannot be read or parsed is reported once (robustness), and
summaries can be served from the cache.

Every access is also *recorded* while a recorder is active: which file contents were used,
which byte searches were made and with what answer, whether the file list was used, and which
problems were noted. The cache replays a check's findings on a later run when all of its recorded
dependencies still have the same values (see `edgelint.cache`).
"""

from __future__ import annotations

import functools
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from edgelint import facts, files, parsing
from edgelint.bytesearch import Corpus, contains_any
from edgelint.cache import blake2b, fingerprint
from edgelint.cache import list_digest as _list_digest
from edgelint.fileindex import RACY_SECONDS, FileIndex
from edgelint.parsing import ParsedFile, Span

if TYPE_CHECKING:
    from edgelint.summary import ModuleSummary


#: Below this many files to summarise, a process pool costs more than it saves.
POOL_THRESHOLD = 150
#: From this many files on, a search without a file index goes through all of them at once
#: (`edgelint.bytesearch.Corpus`); the corpora of this many path lists are kept.
CORPUS_FILES = 100
KEPT_CORPORA = 3

SYNTAX_ERROR_MESSAGE = ("syntax error: tree-sitter could not parse this; the rest of the file was still analysed, "
                        "but findings near it may be incomplete")


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern.encode("latin-1"))


def _search_key(needles: tuple[bytes, ...], pattern: re.Pattern | None) -> str:
    """How the file index names a byte search."""
    return b"\0".join([pattern.pattern if pattern is not None else b"", *needles]).decode("latin-1")


class Problem:
    """A file that could not be read or parsed (reported as an EDGE9xx finding)."""

    def __init__(self, code: str, path: str, message: str, span: Span | None = None):
        self.code, self.path, self.message, self.span = code, path, message, span

    def to_dict(self) -> dict:
        return {"code": self.code, "path": self.path, "message": self.message,
                "span": list(self.span) if self.span else None}

    @classmethod
    def from_dict(cls, data: dict) -> "Problem":
        return cls(data["code"], data["path"], data["message"], Span(*data["span"]) if data["span"] else None)


class Recorder:
    """What a piece of analysis depended on: dependency -> value, and the problems it noted."""

    def __init__(self):
        self.deps: dict[tuple, object] = {}
        self.problems: list[Problem] = []
        self.scopes: dict[str, list[str]] = {}  # path lists that "grep" dependencies searched


class Workspace:
    def __init__(self, root: Path, paths: list[str] | None = None, cache=None, jobs: int = 1, record: bool = True):
        self.root = root
        self.jobs = jobs
        self.records = record  # False: `recording` records nothing (a run without a cache needs no dependencies)
        self.started_ns = time.time_ns()
        unreadable: list[tuple[str, str]] = []
        self._paths = paths if paths is not None else files.discover(
            root, cache.walk_memo if cache is not None else None, unreadable)
        self.path_set = set(self._paths)
        self.cache = cache
        self._stats: dict[str, tuple | None] = {}
        self.problems: dict[tuple[str, str], Problem] = {}
        self._bytes: dict[str, bytes | None] = {}
        self._digests: dict[str, str | None] = {}
        self._parsed: dict[str, ParsedFile | None] = {}
        self._trees_for: str | None = None  # what the parsed trees are kept for (`forget_trees`)
        self.parsed_paths: set[str] = set()  # every file parsed in this process (trees come and go)
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._recorders: list[Recorder] = []
        self._list_digest: str | None = None
        self._scopes: dict[str, list[str]] = {}
        self._grep_results: dict[tuple, list[str]] = {}
        self._list_ids: dict[int, tuple[list[str], int, str]] = {}  # id of a path list -> it, its length, its digest
        self._fingerprints: dict[str, str] = {}
        self._corpora: dict[str, Corpus] = {}  # path list digest -> its files' bytes, searched at once
        self._facts: dict[tuple[str, str], object] = {}
        self._contains: dict[tuple, bool] = {}  # (path, needles) -> the answer
        self.memo: dict[str, dict] = {}  # per-run memos of the engine (validated dependency groups)
        self.unreadable = unreadable  # (folder, why) for the folders that could not be listed (said on stderr)

    @property
    def index(self) -> FileIndex | None:
        """The cache's file index, read when first needed (a replayed run may not need it)."""
        return self.cache.file_index if self.cache is not None else None

    # -- recording ----------------------------------------------------------------------------

    @contextmanager
    def recording(self):
        recorder = Recorder()
        if not self.records:
            yield recorder
            return
        self._recorders.append(recorder)
        try:
            yield recorder
        finally:
            self._recorders.remove(recorder)

    @property
    def recording_active(self) -> bool:
        return bool(self._recorders)

    def _record(self, dep: tuple, value) -> None:
        for recorder in self._recorders:
            recorder.deps[dep] = value

    def replay(self, recorder_deps: dict, problems: list[Problem], scopes: dict | None = None) -> None:
        """Add remembered dependencies and problems to the active recorders (and note the problems)."""
        self._scopes.update(scopes or {})
        for recorder in self._recorders:
            recorder.deps.update(recorder_deps)
            recorder.scopes.update(scopes or {})
        for problem in problems:
            self.problem(problem.code, problem.path, problem.message, problem.span)

    def current(self, dep: tuple, path_list=None):
        """The value a dependency has now (for validating a cache entry; `path_list(digest)` gives
        the path lists its "grep" dependencies searched, when this run has not seen them)."""
        kind = dep[0]
        if kind == "list":
            return self.list_digest()
        if kind == "digest":
            return self._digest(dep[1])
        if kind == "contains":
            return self._has(dep[1], tuple(n.encode("latin-1") for n in dep[2:]), None)
        if kind == "fact":
            return self._fact(dep[1], dep[2])
        if kind == "grep":
            paths = self._scopes.get(dep[1]) or (path_list(dep[1]) if path_list is not None else None)
            if paths is None:
                return "unknown scope"
            pattern = _compiled(dep[2]) if dep[2] else None
            return _list_digest(self._grep(paths, tuple(n.encode("latin-1") for n in dep[3:]), pattern))
        return None

    # -- the file list ------------------------------------------------------------------------

    @property
    def paths(self) -> list[str]:
        if self._recorders:
            self._record(("list",), self.list_digest())
        return self._paths

    @paths.setter
    def paths(self, value: list[str]) -> None:
        self._paths = value
        self.path_set = set(value)
        self._list_digest = None

    def list_digest(self) -> str:
        if self._list_digest is None:
            self._list_digest = _list_digest(self._paths)
        return self._list_digest

    def exists(self, rel: str) -> bool:
        if self._recorders:
            self._record(("list",), self.list_digest())
        return rel in self.path_set

    def under(self, prefix: str) -> list[str]:
        """Paths below directory `prefix` ('' for all)."""
        if not prefix:
            return self.paths
        start = prefix.rstrip("/") + "/"
        return [p for p in self.paths if p.startswith(start)]

    # -- contents -----------------------------------------------------------------------------

    def problem(self, code: str, path: str, message: str, span: Span | None = None) -> None:
        problem = Problem(code, path, message, span)
        self.problems.setdefault((code, path), problem)
        for recorder in self._recorders:
            recorder.problems.append(problem)

    def _stat(self, rel: str) -> tuple | None:
        """The file's stat as the file index compares it, taken before its bytes are first read."""
        if rel not in self._stats:
            self._stats[rel] = FileIndex.stat_of(os.path.join(self.root, rel)) if rel in self.path_set else None
        return self._stats[rel]

    def _read(self, rel: str) -> bytes | None:
        if rel not in self._bytes:
            if rel not in self.path_set and not files.inside(self.root, rel):
                self._bytes[rel] = None  # a path computed from the repository's files: never read outside it
                return None
            if self.cache is not None:  # the stat the file index keeps with the digest of these bytes
                self._stat(rel)
            data = files.read_bytes(self.root, rel)
            if isinstance(data, files.SkippedFile):
                self.problem("EDGE903", rel, f"skipped: {data.reason}")
                data = None
            self._bytes[rel] = data
        return self._bytes[rel]

    def _digest(self, rel: str) -> str | None:
        if rel not in self._digests:
            listed = rel in self.path_set  # a file outside the list has no stat to vouch for it
            digest = self.index.digest(rel, self._stat(rel)) if listed and self.cache is not None else None
            if digest is None:
                data = self._read(rel)
                digest = blake2b(data, digest_size=16).hexdigest() if data is not None else None
                if digest is not None and listed and self.cache is not None:
                    self.index.remember(rel, self._stat(rel), digest)
            self._digests[rel] = digest
        return self._digests[rel]

    def _has(self, rel: str, needles: tuple[bytes, ...], pattern: re.Pattern | None, search: str = "") -> bool:
        """Whether the file's bytes contain a needle or match `pattern`; answered by the file index
        when the file is unchanged since an earlier run made the same search."""
        if self.index is not None and self._digest(rel) is not None:
            search = search or _search_key(needles, pattern)
            known = self.index.answer(rel, search)
            if known is not None:
                return known
        data = self._read(rel)
        found = data is not None and (contains_any(data, needles)
                                      or (pattern is not None and pattern.search(data) is not None))
        if self.index is not None and search:
            self.index.note_answer(rel, search, found)
        return found

    def _cache_digest(self, rel: str) -> str | None:
        """The file's digest where a cache keys entries by it, else a stand-in ('' when the file can
        be read: hashing it would be wasted); None when it cannot be read."""
        if self.cache is not None:
            return self._digest(rel)
        return "" if self._read(rel) is not None else None

    def read(self, rel: str) -> bytes | None:
        """The file's bytes, or None (with a problem recorded) when it cannot be read."""
        data = self._read(rel)
        if self._recorders:
            self._record(("digest", rel), self._digest(rel))
        return data

    def text(self, rel: str) -> str | None:
        """The file as text; a leading byte-order mark is not part of it (editors hide it, and
        columns are counted without it)."""
        data = self.read(rel)
        return data.decode("utf-8", "replace").removeprefix("\ufeff") if data is not None else None

    def digest(self, rel: str) -> str | None:
        if self._recorders:
            self._record(("digest", rel), self._digest(rel))
        return self._digest(rel)

    def fact(self, name: str, rel: str):
        """A fact (`edgelint.facts`) of the file, None when it cannot be read; recorded as a
        dependency on the value, so edits that leave it unchanged keep cached results."""
        if self.on_file is not None:
            self.on_file(rel)
        value = self._fact(name, rel)
        if self._recorders:
            self._record(("fact", name, rel), value)
        return value

    def _fact(self, name: str, rel: str):
        if name not in facts.FACTS and name not in facts.FROM_SUMMARY:
            raise KeyError(name)  # a cached result naming a fact this version does not know
        if (name, rel) not in self._facts:
            digest = self._cache_digest(rel)
            value = None
            if digest is not None:
                value = self.cache.fact(digest, name) if self.cache is not None else None
                if value is not None and not facts.well_formed(name, value):
                    value = None
                if value is None:
                    value = self._compute_fact(name, rel)
                    if self.cache is not None and value is not None:
                        self.cache.store_fact(digest, name, value)
            self._facts[name, rel] = value
        return self._facts[name, rel]

    def _compute_fact(self, name: str, rel: str):
        try:
            if name in facts.FROM_SUMMARY:  # from the summary this run has, or makes and keeps
                summary = self._summary(rel)
                return facts.derive(name, summary) if summary is not None else None
            data = self._read(rel)
            return facts.compute(name, rel, data) if data is not None else None
        except Exception:  # noqa: BLE001 - a file the fact's analysis cannot read has no fact
            return None

    def note_fact(self, name: str, rel: str, value) -> None:
        """Remember a fact a check computed on the way (it has the tree already); not a dependency."""
        digest = self._cache_digest(rel)
        if digest is not None and value is not None:
            self._facts.setdefault((name, rel), value)
            if self.cache is not None:
                self.cache.store_fact(digest, name, value)

    def grep(self, paths: list[str], *needles: bytes, pattern: re.Pattern | None = None) -> list[str]:
        """The paths whose bytes contain a needle or match `pattern`, recorded as one dependency
        on the answer (so a change to a file that matches neither before nor after is free)."""
        found = self._grep(paths, needles, pattern)
        if self._recorders:
            scope = self._list_id(paths)
            self._scopes[scope] = paths
            for recorder in self._recorders:
                recorder.scopes[scope] = paths
            self._record(("grep", scope, pattern.pattern.decode("latin-1") if pattern else "",
                          *(n.decode("latin-1") for n in needles)), _list_digest(found))
        return found

    def _list_id(self, paths: list[str]) -> str:
        """The digest naming a searched path list, computed once per list object (the lists
        searched, an app's files above all, are built once and not changed; each is searched
        many times, and its digest takes a pass over thousands of paths)."""
        known = self._list_ids.get(id(paths))
        if known is None or known[0] is not paths or known[1] != len(paths):
            known = self._list_ids[id(paths)] = (paths, len(paths), _list_digest(paths))  # holding the list keeps its id
        return known[2]

    def _grep(self, paths: list[str], needles: tuple[bytes, ...], pattern: re.Pattern | None) -> list[str]:
        key = (self._list_id(paths), needles, pattern.pattern if pattern is not None else b"")
        if key not in self._grep_results:
            search = _search_key(needles, pattern)
            found = remembered = None
            if self.index is not None:  # the same search through the same contents, in an earlier run
                remembered = blake2b(f"{self._contents(key[0], paths)}\0{search}".encode("utf-8", "replace"),
                                     digest_size=16).hexdigest()
                found = self.index.grep(remembered, paths)
            if found is None:
                found = self._search_all(paths, needles, pattern, search, key[0])
                if remembered is not None:
                    self.index.note_grep(remembered, paths, found)
            self._grep_results[key] = found
        return self._grep_results[key]

    def _search_all(self, paths: list[str], needles: tuple[bytes, ...], pattern: re.Pattern | None,
                    search: str, list_id: str) -> list[str]:
        """The paths whose bytes match, answered from the file index where it knows (every path's
        digest is current here: `_contents` computed them), by reading the others."""
        if self.index is None and pattern is None and len(paths) >= CORPUS_FILES:
            return self._corpus(list_id, paths).containing(needles, paths)
        bit = self.index.search_bit(search) if self.index is not None else None
        if bit is None:
            return [path for path in paths if self._has(path, needles, pattern, search)]
        entries, mask, found = self.index.entries, 1 << bit, []
        for path in paths:  # a tight loop: this runs over every file of an app
            entry = entries.get(path)
            if entry is not None and entry[5] & mask:
                if entry[6] & mask:
                    found.append(path)
            elif self._has(path, needles, pattern, search):
                found.append(path)
        return found

    def _corpus(self, list_id: str, paths: list[str]) -> Corpus:
        """A corpus holding the files: one kept from an earlier search when they are its first files
        (an app's, of a corpus of them and the workspace packages it uses: only those are searched),
        or when it holds them all and not many more; else a new one. The last few are kept, across
        units of work."""
        corpus = self._corpora.pop(list_id, None)
        if corpus is None:
            wanted = set(paths)
            corpus = next((kept for kept in reversed(self._corpora.values()) if kept.paths[:len(paths)] == paths or (
                len(kept.paths) <= len(paths) * 5 // 4 and wanted <= kept.path_set)), None) or \
                Corpus(paths, [self._read(path) for path in paths])
        self._corpora[list_id] = corpus
        while len(self._corpora) > KEPT_CORPORA:
            del self._corpora[next(iter(self._corpora))]
        return corpus

    def _contents(self, list_id: str, paths: list[str]) -> str:
        """A fingerprint of the paths and their bytes (memoised per path list)."""
        if list_id not in self._fingerprints:
            self._fingerprints[list_id] = fingerprint(self.digests(paths), label=list_id)
        return self._fingerprints[list_id]

    def digests(self, paths: list[str]) -> list[str | None]:
        """The digests of many files (a C-level lookup for the ones already known: this runs over
        every file of an app, many times in a run)."""
        known = self._digests
        missing = [p for p in paths if p not in known]
        if missing and self.cache is not None:
            self._stat_many(missing)
        for path in missing:
            self._digest(path)
        return list(map(known.__getitem__, paths))

    def _stat_many(self, paths: list[str]) -> None:
        """`_stat` of many files in one loop (a replayed run stats every file of the tree to see
        that none changed: the calls and path joins per file cost as much as the stats)."""
        stats, listed, stat_of = self._stats, self.path_set, FileIndex.stat_of
        prefix = os.path.join(self.root, "")
        for rel in paths:
            if rel not in stats:
                stats[rel] = stat_of(prefix + rel) if rel in listed else None

    def stat_fingerprint(self, paths: list[str]) -> str | None:
        """One digest of the file list and of each listed file's stat as the file index compares
        it (the digest of the bytes for a file outside the list), so that a whole tree can be
        found unchanged without reading the file index; None when a file changed too recently
        for its stat to vouch for its bytes (`fileindex.RACY_SECONDS`)."""
        self._stat_many(paths)
        listed, racy_from = self.path_set, self.started_ns - RACY_SECONDS * 1_000_000_000
        stats = [self._stats[path] if path in listed else self._digest(path) for path in paths]
        if any(type(stat) is tuple and max(stat[1], stat[2]) >= racy_from for stat in stats):
            return None
        return blake2b(f"{_list_digest(paths)}{stats!r}".encode(), digest_size=16).hexdigest()

    def register_scope(self, paths: list[str]) -> None:
        """Make a list of paths known before cached results that grep it are validated."""
        self._scopes[_list_digest(paths)] = paths

    def contains(self, rel: str, *needles: bytes) -> bool:
        """Whether the file's bytes contain any needle (a dependency on that answer only)."""
        key = (rel, needles)
        found = self._contains.get(key)
        if found is None:
            found = self._contains[key] = self._has(rel, needles, None)
        if self._recorders:
            self._record(("contains", rel, *(n.decode("latin-1") for n in needles)), found)
        return found

    def learn_contains(self, paths: list[str], needles: tuple[bytes, ...], found: set[str]) -> None:
        """Take the answers of `contains(path, *needles)` for `paths` from a worker process that
        searched them: those in `found` hold a needle."""
        for rel in paths:
            self._contains.setdefault((rel, needles), rel in found)

    #: Told the path of every file parsed or summarised: the engine points it at the running check,
    #: whose time budget and internal-error reports follow the file it works on.
    on_file = None

    def parse(self, rel: str) -> ParsedFile | None:
        """The parsed file, or None when it cannot be parsed (a problem is recorded)."""
        if self.on_file is not None:
            self.on_file(rel)
        if self._recorders:
            self._record(("digest", rel), self._digest(rel))
        return self._parse(rel)

    def _parse(self, rel: str) -> ParsedFile | None:
        if rel in self._parsed:
            return self._parsed[rel]
        result = None
        data = self._read(rel)
        if data is not None:
            if files.is_binary(data):
                self.problem("EDGE903", rel, "skipped: binary file (contains NUL bytes)")
            elif len(data) > parsing.MAX_PARSE_BYTES:
                self.problem("EDGE903", rel, f"skipped: larger than {parsing.MAX_PARSE_BYTES // 1000} kB, "
                                             "not parsed (minified or generated code?)")
            else:
                try:
                    result = parsing.parse(rel, data)
                except parsing.ParseTimeout:
                    self.problem("EDGE903", rel, f"skipped: parsing took longer than "
                                                 f"{parsing.PARSE_TIMEOUT_SECONDS:g} s")
                else:
                    self._note_syntax_errors(result)
                    self.parsed_paths.add(rel)
        self._parsed[rel] = result
        return result

    def read_ahead(self, paths: list[str]) -> None:
        """Read these source files now (before forking workers, which then share the bytes
        instead of each reading them again). Silently: a file that cannot be read is left for
        the read a check makes, which notes why, so a run with workers reports what a run
        without them reports (and images or fonts are never loaded for nothing)."""
        for rel in paths:
            if rel not in self._bytes and rel.endswith(parsing.SOURCE_EXTENSIONS) and rel in self.path_set:
                if self.cache is not None:
                    self._stat(rel)
                data = files.read_bytes(self.root, rel)
                if not isinstance(data, files.SkippedFile):
                    self._bytes[rel] = data

    def forget_trees(self, unless_for: str | None = None) -> None:
        """Let parsed trees go (about 120 kB each; summaries stay), unless they were kept for the
        same `unless_for` (an app): called before each unit of work, so memory holds the trees
        of one app, not of the whole repository, and the units of one app share them."""
        if unless_for is None or unless_for != self._trees_for:
            self._parsed.clear()
        self._trees_for = unless_for

    def _note_syntax_errors(self, pf: ParsedFile) -> None:
        errors = pf.syntax_errors()
        if errors:
            self.problem("EDGE901", pf.path, SYNTAX_ERROR_MESSAGE, pf.span(errors[0]))

    def prefetch_summaries(self, paths) -> None:
        """Summarise many files at once, in a process pool when there are enough of them.

        Files already summarised (in memory or in the cache) and files that cannot be parsed
        normally (binary, too large) are left to `summary`. The result is the same as summarising
        them one by one; dependencies are recorded when `summary` is asked."""
        pending = []
        for rel in dict.fromkeys(paths):
            if rel in self._summaries or rel not in self.path_set:
                continue
            digest = self._cache_digest(rel)
            if digest is None or (self.cache is not None and self.cache.has_summary(digest)):
                continue
            data = self._read(rel)
            if files.is_binary(data) or len(data) > parsing.MAX_PARSE_BYTES:
                continue
            pending.append((rel, data))
        if len(pending) < POOL_THRESHOLD or self.jobs <= 1:
            return
        from edgelint import pool
        from edgelint.summary import ModuleSummary as summary_type

        try:
            results = list(pool.summarize_all(pending, self.jobs))
        except (OSError, RuntimeError):  # no processes allowed here, or a worker died: one by one instead
            return
        for rel, result in results:
            if result is None:
                continue  # timed out or failed: `summary` will parse it and report why
            summary = summary_type.from_dict(result)
            self._summaries[rel] = summary
            if summary.parse_errors:
                self.problem("EDGE901", rel, SYNTAX_ERROR_MESSAGE, summary.parse_errors[0])
            if self.cache is not None:
                self.cache.store_summary(self._digest(rel), summary)

    def readable(self, rel: str) -> bool:
        """Whether the file can be read (a dependency on that answer only)."""
        return self.contains(rel, b"")

    def mentions(self, rel: str, *names: str) -> bool:
        """Whether the file may export or import one of `names` (export names, module specifiers,
        …): its bytes contain one, or `\\u`, as an identifier may spell a name with escapes."""
        return self.contains(rel, *(n.encode() for n in names), b"\\u")

    def summary_with(self, rel: str, *names: str) -> ModuleSummary | None:
        """The summary of a file that `mentions` one of `names`, else None without parsing it."""
        return self.summary(rel) if self.mentions(rel, *names) else None

    def summary(self, rel: str) -> ModuleSummary | None:
        if self.on_file is not None:
            self.on_file(rel)
        if self._recorders:
            self._record(("digest", rel), self._digest(rel))
        return self._summary(rel)

    def _summary(self, rel: str) -> ModuleSummary | None:
        if rel in self._summaries:
            return self._summaries[rel]
        digest = self._cache_digest(rel)
        summary = None
        if self.cache is not None and digest is not None:
            cached = self.cache.summary(digest)
            if cached is not None:
                summary = cached
                summary.path = rel
                if summary.parse_errors:
                    self.problem("EDGE901", rel, SYNTAX_ERROR_MESSAGE, summary.parse_errors[0])
        if summary is None:
            pf = self._parse(rel)
            if pf is not None:
                from edgelint.summary import summarize

                summary = summarize(pf)
                if self.cache is not None and digest is not None:
                    self.cache.store_summary(digest, summary)
        self._summaries[rel] = summary
        return summary

    def note_problems_again(self, rel: str) -> None:
        """Record for the active recorders the problems this run noted for the file earlier (a
        cached result must replay them, though the file's analysis was memoised)."""
        for (_code, path), problem in self.problems.items():
            if path == rel:
                for recorder in self._recorders:
                    recorder.problems.append(problem)
