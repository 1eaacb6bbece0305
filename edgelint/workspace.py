"""The files of one linted directory, read, parsed and summarised lazily and at most once.

Everything a check learns about a file goes through here, so that a file nobody asks about is
never parsed (speed), a file that cannot be read or parsed is reported once (robustness), and
summaries can be served from the cache.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from edgelint import files, parsing
from edgelint.parsing import ParsedFile, Span
from edgelint.summary import ModuleSummary, summarize


class Problem:
    """A file that could not be read or parsed (reported as an EDGE9xx finding)."""

    def __init__(self, code: str, path: str, message: str, span: Span | None = None):
        self.code, self.path, self.message, self.span = code, path, message, span


class Workspace:
    def __init__(self, root: Path, paths: list[str] | None = None, cache=None):
        self.root = root
        self.paths = paths if paths is not None else files.discover(root)
        self.path_set = set(self.paths)
        self.cache = cache
        self.problems: dict[tuple[str, str], Problem] = {}
        self._bytes: dict[str, bytes | None] = {}
        self._parsed: dict[str, ParsedFile | None] = {}
        self._summaries: dict[str, ModuleSummary | None] = {}

    def exists(self, rel: str) -> bool:
        return rel in self.path_set

    def problem(self, code: str, path: str, message: str, span: Span | None = None) -> None:
        self.problems.setdefault((code, path), Problem(code, path, message, span))

    def read(self, rel: str) -> bytes | None:
        """The file's bytes, or None (with a problem recorded) when it cannot be read."""
        if rel not in self._bytes:
            data = files.read_bytes(self.root, rel)
            if isinstance(data, files.SkippedFile):
                self.problem("EDGE903", rel, f"skipped: {data.reason}")
                data = None
            self._bytes[rel] = data
        return self._bytes[rel]

    def text(self, rel: str) -> str | None:
        data = self.read(rel)
        return data.decode("utf-8", "replace") if data is not None else None

    def digest(self, rel: str) -> str | None:
        data = self.read(rel)
        return hashlib.blake2b(data, digest_size=16).hexdigest() if data is not None else None

    def contains(self, rel: str, *needles: bytes) -> bool:
        data = self.read(rel)
        return data is not None and any(n in data for n in needles)

    def parse(self, rel: str) -> ParsedFile | None:
        """The parsed file, or None when it cannot be parsed (a problem is recorded)."""
        if rel in self._parsed:
            return self._parsed[rel]
        result = None
        data = self.read(rel)
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
        self._parsed[rel] = result
        return result

    def _note_syntax_errors(self, pf: ParsedFile) -> None:
        errors = pf.error_nodes()
        if errors:
            first = errors[0]
            what = "missing " + first.type if first.is_missing else "unexpected syntax"
            self.problem("EDGE901", pf.path, f"syntax error ({what}); the rest of the file was still analysed, "
                                              f"but findings near it may be incomplete", pf.span(first))

    def summary(self, rel: str) -> ModuleSummary | None:
        if rel in self._summaries:
            return self._summaries[rel]
        summary = None
        digest = self.cache.key_for(self, rel) if self.cache is not None else None
        if digest is not None:
            summary = self.cache.load_summary(digest)
            if summary is not None:
                summary.path = rel
                for span in summary.parse_errors[:1]:
                    self.problem("EDGE901", rel, "syntax error; the rest of the file was still analysed, "
                                                 "but findings near it may be incomplete", span)
        if summary is None:
            pf = self.parse(rel)
            if pf is not None:
                summary = summarize(pf)
                if digest is not None:
                    self.cache.store_summary(digest, summary)
        self._summaries[rel] = summary
        return summary

    def under(self, prefix: str) -> list[str]:
        """Paths below directory `prefix` ('' for all)."""
        if not prefix:
            return self.paths
        start = prefix.rstrip("/") + "/"
        return [p for p in self.paths if p.startswith(start)]
