"""Finding and reading the files of a repository, git-aware and safe on hostile trees.

Inside a git work tree the file list comes from `git ls-files` (tracked plus untracked files that
are not ignored), so `.gitignore` is respected exactly as git does. Elsewhere the tree is walked
and `.gitignore` files are applied with pathspec. Build output and dependency folders are always
skipped. Symbolic links are never followed out of the linted directory, and links that loop,
dangle or lead out of it are left out (a link that breaks while edgelint runs is skipped with a
note when a check reads it). Files whose names are not valid UTF-8
are left out: no import can name them and Next.js cannot route them, and no report format could
name them either.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path

ALWAYS_SKIPPED = {"node_modules", ".next", ".vercel", ".open-next", ".wrangler", "out", "dist", ".git",
                  ".edgelint_cache", ".turbo", ".worker-next", "coverage", ".svelte-kit"}

#: Files larger than this are not read at all (they are listed in a note).
MAX_READ_BYTES = 8_000_000


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


#: A path inside one of the ALWAYS_SKIPPED folders (at any depth).
_SKIPPED_DIR = re.compile("(?:^|/)(?:" + "|".join(re.escape(name) for name in sorted(ALWAYS_SKIPPED)) + ")/")


def _skipped_dir(rel: str) -> bool:
    return _SKIPPED_DIR.search(rel) is not None


def discover(root: Path, memo: dict | None = None, unreadable: list | None = None) -> list[str]:
    """Relative, '/'-separated paths of the files below `root`, sorted (`memo`: see `_walk`;
    `unreadable` gets (folder, reason) for each folder that cannot be listed)."""
    listed = _git_files(root)
    walked = listed is None
    if walked:
        listed = _walk(root, memo, unreadable)  # links are already judged there
    result = set()
    root_real = os.path.realpath(root)
    for rel in listed:
        if not rel or not (rel.isascii() or _utf8(rel)):
            continue
        if not walked and (_skipped_dir(rel) or _unusable_link(os.path.join(root, rel), root_real)):
            continue  # the walk judged these already
        result.add(rel)
    return sorted(result)


def _unusable_link(path: str, root_real: str) -> bool:
    """A symbolic link that dangles, loops or leads out of the linted directory."""
    return os.path.islink(path) and not (os.path.exists(path) and _inside(os.path.realpath(path), root_real))


def _matcher(lines: list[str]):
    """`verdict(path)` for one `.gitignore`: True (ignored), False (re-included by a `!` pattern)
    or None (no pattern matches). Without negated patterns the verdict is "any pattern matches",
    which one combined regular expression answers far faster than pathspec trying each pattern in
    turn; with negations, pathspec's own ordering rules decide, for the paths that expression
    matches (most paths match no pattern at all)."""
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    patterns = [p for p in spec.patterns if p.include is not None]
    if not patterns:
        return lambda path: None
    combined = re.compile(_combined([p.regex.pattern.replace("(?P<ps_d>", "(?:") for p in patterns]))
    if any(not p.include for p in patterns):
        return lambda path: spec.check_file(path).include if combined.match(path) else None
    return lambda path: True if combined.match(path) else None


#: How pathspec's expression of a pattern that may match at any depth starts.
_ANY_DEPTH = "^(?:.+/)?"


def _combined(expressions: list[str]) -> str:
    """One expression matching where any of `expressions` matches. Those that start with
    `_ANY_DEPTH` share it: `(?:.+/)?` backtracks over every `/` of the path, once for all of them
    instead of once per pattern (a `.gitignore` of 15 such patterns made the walk 5 times slower)."""
    anywhere = [e[len(_ANY_DEPTH):] for e in expressions if e.startswith(_ANY_DEPTH)]
    rest = [e for e in expressions if not e.startswith(_ANY_DEPTH)]
    if anywhere:
        rest.append(_ANY_DEPTH + "(?:" + "|".join(f"(?:{e})" for e in anywhere) + ")")
    return "|".join(f"(?:{e})" for e in rest)


def _utf8(name: str) -> bool:
    """Whether a name read from the file system (surrogate-escaped) is valid UTF-8."""
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


#: How git is started: a repository's own `.git/config` must not make edgelint run a program, and
#: `core.fsmonitor` names one that `git ls-files` starts (checked with git 2.39).
GIT = ("git", "-c", "core.fsmonitor=false")


def _work_tree(root: Path) -> Path | None:
    """The top of the git work tree that holds `root` (the folder with `.git`), else None."""
    root = Path(root).resolve()
    return next((folder for folder in (root, *root.parents) if (folder / ".git").exists()), None)


def _in_work_tree(root: Path) -> bool:
    """Whether git may see a work tree at `root` (else starting git is spared): a `.git` above it,
    or GIT_DIR set."""
    return bool(os.environ.get("GIT_DIR")) or _work_tree(root) is not None


def repository_prefix(root: Path) -> str:
    """The lint root's path inside the git work tree that holds it ('apps/web/'), '' when it is
    the work tree's top or in none: GitHub reads report paths from the repository root."""
    top = _work_tree(root)
    if top is None:
        return ""
    rel = Path(root).resolve().relative_to(top).as_posix()
    return "" if rel == "." else rel + "/"


def tracked(root: Path, rel: str) -> bool:
    """Whether git tracks anything at or below `rel` (False outside a git work tree)."""
    if not _in_work_tree(root):
        return False
    import subprocess  # here: no git is started outside a work tree

    try:
        out = subprocess.run([*GIT, "--literal-pathspecs", "-C", str(root), "ls-files", "-z", "--cached", "--",
                              rel], capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and bool(out.stdout)


def _git_files(root: Path) -> list[str] | None:
    """The files git lists below `root` (tracked, and untracked but not ignored), None outside a
    work tree (`git ls-files` fails there, in a bare repository or inside `.git` too)."""
    if not _in_work_tree(root):
        return None
    import subprocess  # here: no git is started outside a work tree

    listings = []
    try:  # both at once; tracked files deleted from the work tree (`rm`, not `git rm`) are no files to lint
        for options in (["--cached", "--others", "--exclude-standard"], ["--deleted"]):
            listings.append(subprocess.Popen([*GIT, "-C", str(root), "ls-files", "-z", *options, "--", "."],
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        (out, _), (deleted, _) = (listing.communicate(timeout=60) for listing in listings)
    except (OSError, subprocess.SubprocessError):
        for listing in listings:
            listing.kill()
            listing.wait()
        return None
    if listings[0].returncode != 0:
        return None
    gone = set(deleted.split(b"\0")) if listings[1].returncode == 0 else set()
    return [os.fsdecode(raw) for raw in out.split(b"\0") if raw and raw not in gone]


#: A folder changed less than this before a walk is listed again next time, not reused (a change
#: within the same clock tick could leave its modification time as it was).
RACY_NS = 2_000_000_000


def _walk(root: Path, memo: dict | None = None, unreadable: list | None = None) -> list[str]:
    """Files below `root`, `.gitignore` applied, symbolic links to folders not followed. An explicit
    stack, not `os.walk`: that recurses once per level in Python 3.11, and a tree 1,000 folders deep
    ended in a RecursionError.

    `memo` (kept by the cache between runs) holds what each folder held after `.gitignore` was
    applied: a folder whose modification time and inode are unchanged (no entry added, removed or
    renamed) and whose `.gitignore`, if any, is unchanged is not listed again. A changed
    `.gitignore` lists everything below it again. The memo is updated in place."""
    found: list[str] = []
    specs: list[list] = []  # [folder of a .gitignore, its verdict (made when first needed)], shallowest first
    root_real = os.path.realpath(root)
    before = memo.get("dirs", {}) if memo is not None else {}
    after: dict[str, list] = {}
    racy_from = time.time_ns() - RACY_NS

    def verdicts_in(rel_dir: str) -> list[tuple[int, object]]:
        """The `.gitignore` verdicts that apply to the entries of `rel_dir`, deepest first, each
        with the length of its folder's prefix in their paths."""
        applicable = []
        for spec in reversed(specs):
            base = spec[0]
            if base and rel_dir != base and not rel_dir.startswith(base + "/"):
                continue
            if spec[1] is None:
                spec[1] = _gitignore_verdict(os.path.join(root, base, ".gitignore"))
            applicable.append((len(base) + 1 if base else 0, spec[1]))
        return applicable

    def ignored(rel: str, is_dir: bool, verdicts: list[tuple[int, object]]) -> bool:
        """As git decides: the deepest `.gitignore` with a pattern that matches has the last word."""
        for cut, verdict in verdicts:
            decided = verdict(rel[cut:] + "/" if is_dir else rel[cut:])
            if decided is not None:
                return decided
        return False

    stack: list[tuple[str, bool]] = [("", False)]  # (folder, whether its memo must not be used)
    while stack:
        rel_dir, relist = stack.pop()
        dirpath = os.path.join(root, rel_dir) if rel_dir else os.fspath(root)
        known = info = None
        if memo is not None:
            try:
                info = os.stat(dirpath)
            except OSError:
                continue
            known = before.get(rel_dir)
        signature = [info.st_mtime_ns, info.st_ino] if info is not None else None
        # a folder's time changes when a .gitignore appears in it, not when one is edited
        if known is not None and not relist and known[:2] == signature and (known[2] is None or _stat_signature(
                os.path.join(dirpath, ".gitignore")) == known[2]):
            if known[2] is not None:
                specs.append([rel_dir, None])
            found += known[3]
            after[rel_dir] = known
            stack.extend((folder, False) for folder in reversed(known[4]))
            continue
        try:
            with os.scandir(dirpath) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:  # unreadable, or gone meanwhile: skipped, and said so
            if unreadable is not None and rel_dir and not isinstance(error, FileNotFoundError):
                unreadable.append((rel_dir, error.strerror or "cannot be read"))
            continue
        gitignore = None
        if any(entry.name == ".gitignore" for entry in entries):  # [] when it cannot be stat'ed
            gitignore = _stat_signature(os.path.join(dirpath, ".gitignore")) or []
            specs.append([rel_dir, None])
        folders, here = [], []
        verdicts = verdicts_in(rel_dir) if entries else []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_dir = entry.is_dir()  # a link to a folder counts as a folder (and is not followed)
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name not in ALWAYS_SKIPPED and not entry.is_symlink() and not ignored(rel, True, verdicts):
                    folders.append(rel)
                continue
            if entry.is_symlink() and _unusable_link(entry.path, root_real):
                continue
            if not ignored(rel, False, verdicts):
                here.append(rel)
        found += here
        if info is not None and info.st_mtime_ns < racy_from:
            after[rel_dir] = [*signature, gitignore, here, folders]
        below = relist or (known is not None and known[2] != gitignore)
        stack.extend((folder, below) for folder in reversed(folders))
    if memo is not None and after != before:
        memo["dirs"] = after
        memo["changed"] = True
    return found


def _stat_signature(path: str) -> list | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def _gitignore_verdict(path: str):
    try:
        lines = Path(path).read_text("utf-8", "replace").splitlines()
    except OSError:
        lines = []
    return _matcher(lines)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def inside(root: Path, rel: str) -> bool:
    """Whether a relative path names something inside `root`, after following symbolic links (for
    paths not found by `discover`, e.g. computed from a config file of the analysed repository)."""
    if not rel or rel.startswith(("/", "\\")) or ".." in rel.replace("\\", "/").split("/") or ":" in rel[:2]:
        return False
    return _inside(os.path.realpath(root / rel), os.path.realpath(root))


def read_bytes(root: Path, rel: str) -> bytes | SkippedFile:
    """The bytes of a file, or why it cannot be read (never raises)."""
    full = os.path.join(root, rel)
    if _PLAIN_OPEN:
        try:
            data = _read_plain_file(full)
        except OSError:
            data = None  # a link, gone, unreadable: the close look below says which
        if data is not None:
            return data
    try:
        info = os.lstat(full)
        if stat.S_ISLNK(info.st_mode):
            if not _inside(os.path.realpath(full), os.path.realpath(root)):
                return SkippedFile(rel, "symbolic link that points outside the linted directory")
            try:
                info = os.stat(full)
            except FileNotFoundError:
                return SkippedFile(rel, "broken symbolic link (its target does not exist)")
            except OSError as error:
                if error.errno == errno.ELOOP:
                    return SkippedFile(rel, "symbolic link loop")
                raise
        if info.st_size > MAX_READ_BYTES:
            return SkippedFile(rel, f"larger than {MAX_READ_BYTES // 1_000_000} MB")
        if not stat.S_ISREG(info.st_mode):
            return SkippedFile(rel, "not a regular file")
        return _read_file(full, info.st_size)
    except FileNotFoundError:
        return SkippedFile(rel, "file vanished while linting")
    except PermissionError:
        return SkippedFile(rel, "permission denied")
    except OSError as error:
        return SkippedFile(rel, error.strerror or "cannot be read")


#: Flags that open a regular file in one call, and fail on a symbolic link (and never wait on a pipe).
_PLAIN_OPEN = getattr(os, "O_NOFOLLOW", 0) and os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)


def _read_plain_file(path: str) -> bytes | None:
    """The bytes of a regular file that is not a symbolic link and not too large, else None or
    OSError (then `read_bytes` looks at it closely). One system call and one path fewer than the
    close look: reading 5,000 small files takes a quarter less time."""
    fd = os.open(path, _PLAIN_OPEN)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_READ_BYTES:
            return None
        return _read_open_file(fd, info.st_size)
    finally:
        os.close(fd)


def read_head(path: str | Path, size: int) -> bytes | None:
    """The first `size` bytes of a regular file (following links), None when it is no regular
    file or cannot be read: never waits on a named pipe."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        return os.read(fd, min(size, info.st_size + 1)) if stat.S_ISREG(info.st_mode) else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _read_file(path: str, size: int) -> bytes:
    """The bytes of a regular file of about `size` bytes: one read call in the usual case (a
    file object would cost as much again as the reading, over thousands of files)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        return _read_open_file(fd, size)
    finally:
        os.close(fd)


def _read_open_file(fd: int, size: int) -> bytes:
    data = os.read(fd, size + 1)
    if len(data) > size:  # it grew since it was measured: read the rest
        chunks = [data]
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        data = b"".join(chunks)
    return data


def is_binary(data: bytes) -> bool:
    """Whether a file's start looks binary: NUL bytes in its first 8 KiB, and either many of them
    (1 % or more: UTF-16 text, images) or bytes that are not UTF-8. A source file with a NUL
    character in a string literal (a key separator) is text, and is analysed."""
    head = data[:8192]
    nuls = head.count(b"\0")
    if not nuls:
        return False
    if nuls * 100 >= len(head):
        return True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)  # a character cut at 8 KiB is no error
    except UnicodeDecodeError:
        return True
    return False
