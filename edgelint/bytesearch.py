"""Looking for words in files' bytes, before anything is parsed (the prefilter every rule uses).

A search for any of several needles would take one pass over the bytes per needle. Fewer do:
needles that are case variants of one word (`rateLimit`, `RateLimit`, `RATELIMIT`) are one word
in lower-cased bytes, and needles that share a word need one pass for it (`limit` for `ratelimit`,
`rate_limit` and `.limit(`). A file without any of those words holds no needle; in a file with
one, the needles that contain the word are compared where it stands, so the answer is always
exactly "contains a needle".

Many files are searched at once as a `Corpus`: their bytes joined and lower-cased once, so each
word is one pass in C over all of them instead of a Python call per file.
"""

from __future__ import annotations

import bisect
import functools

#: Words that rule a file out are at least this long (a shorter one is in too many files), unless a
#: needle is shorter.
WORD_LENGTH = 5


def contains_any(data: bytes, needles: tuple[bytes, ...]) -> bool:
    """Whether `data` holds one of `needles`. (`find`, not `in`: for `needle in data`, CPython
    first tries the needle as an integer and formats an error it then discards.)"""
    if len(needles) == 1:
        return data.find(needles[0]) != -1
    plan = _plan(needles)
    if plan is not None:
        lowered, words = plan
        haystack = data.lower() if lowered else data
        if not any(haystack.find(word) != -1 for word in words):
            return False  # every needle contains one of the words (lower-cased, when `lowered`)
    return any(data.find(n) != -1 for n in needles)


class Corpus:
    """The bytes of many files (None: unreadable), searched together."""

    def __init__(self, paths: list[str], contents: list[bytes | None]):
        self.paths, self.contents = paths, contents
        self.path_set = frozenset(paths)
        self.starts, at = [], 0
        for data in contents:
            self.starts.append(at)
            at += len(data or b"") + 1
        self.lowered = b"\0".join(data or b"" for data in contents).lower()  # no needle holds a NUL
        self._hits: dict[bytes, tuple[int, list[int]]] = {}  # word -> files looked through, those holding it

    def containing(self, needles: tuple[bytes, ...], among: list[str] | None = None) -> list[str]:
        """The paths (of `among`, in its order, when given) whose bytes contain one of `needles`.
        When `among` is the corpus's first files (an app's files, of a corpus of them and the
        workspace packages it uses), only their bytes are searched."""
        first = among is None or self.paths[:len(among)] == among
        count = len(self.paths) if among is None or not first else len(among)
        if b"" in needles:  # in every file that could be read
            holding = [i for i in range(count) if self.contents[i] is not None]
        else:
            holding = sorted(self._holding(needles, count))
        found = [self.paths[i] for i in holding]
        if first:
            return found
        found = set(found)
        return [path for path in among if path in found]

    def _holding(self, needles: tuple[bytes, ...], count: int) -> set[int]:
        """The indexes of the first `count` files holding one of `needles` (none empty). A needle
        is anchored on a word of the search that it contains: it can only be in a file where the
        word is, where it starts that far before the word. So each needle is compared where its
        word stands, not looked for through the whole file."""
        text, starts, contents, found = self.lowered, self.starts, self.contents, set()
        for word, anchored in _anchors(needles):
            for index in self._files_with(word, count):
                data = contents[index]
                if index in found or data is None:
                    continue
                start = starts[index]
                end = start + len(data)
                at = text.find(word, start, end)
                while at != -1:
                    offset = at - start
                    if any(offset >= before and data.startswith(needle, offset - before) for needle, before in anchored):
                        found.add(index)
                        break
                    at = text.find(word, at + 1, end)
        return found

    def _files_with(self, word: bytes, count: int) -> list[int]:
        """The indexes of the first `count` files whose lower-cased bytes hold `word`.

        Remembered, with how many files were looked through: searches share words (`kv`,
        `blockuntilready`), and an app's files are searched alone and with its packages. A word
        that holds one already looked for (`.limit` holds `limit`) is looked for only in the files
        that have that one, when they are few."""
        looked, hits = self._hits.get(word, (0, []))
        if looked >= count:
            return hits[:bisect.bisect_left(hits, count)]
        text, starts = self.lowered, self.starts
        end = starts[count] - 1 if count < len(starts) else len(text)  # the last file's end
        within = min((found for known, (seen, found) in self._hits.items() if known in word and seen >= count),
                     key=len, default=None) if not looked else None
        new = []
        if within is not None and len(within) * 4 <= count:
            for index in within[:bisect.bisect_left(within, count)]:
                if text.find(word, starts[index], starts[index + 1] - 1 if index + 1 < len(starts) else end) != -1:
                    new.append(index)
        else:
            at = text.find(word, starts[looked], end)
            while at >= 0:  # a file with the word: note it, go on from the next file
                index = bisect.bisect_right(starts, at) - 1
                new.append(index)
                at = text.find(word, starts[index + 1], end) if index + 1 < count else -1
        hits = hits + new
        self._hits[word] = (count, hits)
        return hits


@functools.lru_cache(maxsize=64)
def _anchors(needles: tuple[bytes, ...]) -> list[tuple[bytes, list[tuple[bytes, int]]]]:
    """The lower-cased words to look for (`_plan`, else the needles themselves), each with the
    needles anchored on it and how far before the word each starts (every needle on the first
    word it contains)."""
    _lowered, words = _plan(needles) or (False, needles)
    words = list(dict.fromkeys(word.lower() for word in words))
    anchored: dict[bytes, list[tuple[bytes, int]]] = {word: [] for word in words}
    for needle in dict.fromkeys(needles):
        form = needle.lower()
        word = next(word for word in words if word in form)
        anchored[word].append((needle, form.find(word)))
    return [(word, found) for word, found in anchored.items() if found]


@functools.lru_cache(maxsize=64)
def _plan(needles: tuple[bytes, ...]) -> tuple[bool, tuple[bytes, ...]] | None:
    """Whether to lower-case the bytes first, and the words one of which every needle contains
    (`Context` for `getRequestContext` and `getCloudflareContext`); None when that would not save
    two passes over a file at least (one pass saved is not worth it: a shorter word is slower to
    look for, and matches more files whose bytes must then be searched for the needles)."""
    forms = list(dict.fromkeys(n.lower() for n in needles))
    lowered = len(forms) < len(needles)
    forms = forms if lowered else list(dict.fromkeys(needles))
    words: list[bytes] = []
    while forms:  # greedy: the word most needles contain (the longest of those), then the rest
        candidates = {f[i:i + size] for f in forms for size in (WORD_LENGTH, WORD_LENGTH + 1)
                      for i in range(len(f) - size + 1)} | set(forms)
        word = max(candidates, key=lambda w: (sum(w in f for f in forms), len(w), w))
        word = _widen(word, [f for f in forms if word in f])
        words.append(word)
        forms = [f for f in forms if word not in f]
    return (lowered, tuple(words)) if len(words) + lowered <= len(needles) - 2 else None


def _widen(word: bytes, forms: list[bytes]) -> bytes:
    """`word` grown a character at a time while every one of `forms` still contains it (a longer
    word matches fewer files by chance: `Context`, not `Conte`)."""
    first = forms[0]
    while True:
        at = first.find(word)
        for wider in (first[max(at - 1, 0):at + len(word)], first[at:at + len(word) + 1]):
            if len(wider) > len(word) and all(wider in f for f in forms):
                word = wider
                break
        else:
            return word
