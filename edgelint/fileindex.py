"""What earlier runs learned about each file, reused while the file's stat is unchanged.

Like git's index: for every file edgelint read, the cache remembers its stat (size, modification
and change times in nanoseconds, inode) with the digest of its bytes and the answers of the byte
searches made in it ("does it contain `cdn-cgi/image`?"). A later run that finds the same stat
trusts the digest and the answers without opening the file, so an unchanged tree costs one
`stat` per file instead of reading and hashing all of them.

A file changed less than `RACY_SECONDS` before the run started is never remembered: a second
write within the same clock tick could leave its stat unchanged (git's "racy" entries). Anything
else that changes a file's bytes changes its stat, so a stale answer needs a forged timestamp.
"""

from __future__ import annotations

import os
import time

RACY_SECONDS = 2

#: At most this many distinct searches are remembered (each is one bit per file).
MAX_SEARCHES = 512
#: At most this many answers of searches through whole path lists are remembered.
MAX_GREPS = 4_000


class FileIndex:
    def __init__(self, data=None, greps=None, started_ns: int | None = None):
        self.searches: list[str] = []  # a search's position is its bit
        self.entries: dict[str, list] = {}  # path -> [size, mtime_ns, ctime_ns, ino, digest, asked, found]
        self.greps: dict[str, list[int]] = {}  # fingerprint of a path list + search -> positions found
        self.changed = False  # entries or searches (files.json)
        self.greps_changed = False  # greps (greps.json)
        self.journal: list | None = None  # in a worker process: what it learned, for the parent
        self._search_ids: dict[str, int] = {}
        self._racy_from = (started_ns or time.time_ns()) - RACY_SECONDS * 1_000_000_000
        try:
            searches, entries = data["searches"], data["entries"]
            if isinstance(searches, list) and all(isinstance(s, str) for s in searches) and isinstance(entries, dict):
                self.searches = searches[:MAX_SEARCHES]
                self.entries = {k: v for k, v in entries.items() if _well_formed(v)}
        except (TypeError, KeyError, AttributeError):
            pass  # no index yet, or a malformed one: start empty
        self._search_ids = {s: i for i, s in enumerate(self.searches)}
        if isinstance(greps, dict):
            self.greps = {k: v for k, v in greps.items() if isinstance(v, list) and all(type(i) is int and i >= 0 for i in v)}

    def to_dict(self) -> dict:
        return {"searches": self.searches, "entries": self.entries}

    def greps_to_dict(self) -> dict:
        return self.greps if len(self.greps) <= MAX_GREPS else dict(list(self.greps.items())[-MAX_GREPS:])

    @staticmethod
    def stat_of(path: str) -> tuple | None:
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return None
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)

    def digest(self, rel: str, stat: tuple | None) -> str | None:
        """The remembered digest when the file's stat is the remembered one."""
        entry = self.entries.get(rel)
        if entry is None or stat is None or tuple(entry[:4]) != stat:
            return None
        return entry[4]

    def remember(self, rel: str, stat: tuple | None, digest: str) -> None:
        """Note the digest of bytes read after taking `stat` (answers for other bytes are dropped)."""
        if self.journal is not None:
            self.journal.append(("remember", rel, stat, digest))
        if stat is None or max(stat[1], stat[2]) >= self._racy_from:
            self.entries.pop(rel, None)
            return
        entry = self.entries.get(rel)
        if entry is not None and entry[4] == digest:
            if tuple(entry[:4]) != stat:
                entry[:4] = stat
                self.changed = True
            return
        self.entries[rel] = [*stat, digest, 0, 0]
        self.changed = True

    def search_bit(self, search: str) -> int | None:
        """The bit that holds the answers of `search`, if any file was asked it yet."""
        return self._search_ids.get(search)

    def answer(self, rel: str, search: str) -> bool | None:
        """The remembered answer of `search` in a file whose digest was just confirmed, or None."""
        bit = self._search_ids.get(search)
        entry = self.entries.get(rel)
        if bit is None or entry is None or not entry[5] >> bit & 1:
            return None
        return bool(entry[6] >> bit & 1)

    def note_answer(self, rel: str, search: str, found: bool) -> None:
        if self.journal is not None:
            self.journal.append(("note_answer", rel, search, found))
        entry = self.entries.get(rel)
        if entry is None:
            return
        bit = self._search_ids.get(search)
        if bit is None:
            if len(self.searches) >= MAX_SEARCHES:
                return
            bit = self._search_ids[search] = len(self.searches)
            self.searches.append(search)
        entry[5] |= 1 << bit
        entry[6] = entry[6] | 1 << bit if found else entry[6] & ~(1 << bit)
        self.changed = True

    def grep(self, key: str, paths: list[str]) -> list[str] | None:
        """The remembered paths found by a search through `paths` (`key` names the search and the
        exact contents of every path, see `Workspace._grep`)."""
        found = self.greps.get(key)
        if found is None or any(i >= len(paths) for i in found):
            return None
        return [paths[i] for i in found]

    def note_grep(self, key: str, paths: list[str], found: list[str]) -> None:
        if key not in self.greps:
            where = {path: i for i, path in enumerate(paths)}
            self.note_grep_positions(key, [where[path] for path in found])

    def note_grep_positions(self, key: str, positions: list[int]) -> None:
        if self.journal is not None:
            self.journal.append(("note_grep_positions", key, positions))
        self.greps[key] = positions
        self.greps_changed = True


def _well_formed(entry) -> bool:
    return (type(entry) is list and len(entry) == 7 and type(entry[0]) is int and type(entry[1]) is int
            and type(entry[2]) is int and type(entry[3]) is int and type(entry[4]) is str
            and type(entry[5]) is int and type(entry[6]) is int and entry[5] >= 0 and entry[6] >= 0)

