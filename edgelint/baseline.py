"""Baselines: adopt edgelint on a large repository and fail only on new findings.

`check --write-baseline FILE` records every current finding; `check --baseline FILE` drops the
findings recorded there and reports the entries that no longer occur. A finding matches an entry
by code, path and a fingerprint that ignores line numbers: the whitespace-normalised text of the
finding's first line plus its occurrence count among identical keys, so edits elsewhere in the file
do not resurrect old findings.

Paths are from the baseline file's folder (usually the repository root), so one baseline serves a
run from the root, from an app's folder or on an app's folder. A run that checks only some files or rules (named files,
`--select`) judges only the entries in its scope: the others are neither stale nor dropped when it
writes the baseline (it replaces the entries of its scope and keeps the rest).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from edgelint import __version__
from edgelint.api import Finding
from edgelint.config import ConfigError


@dataclass(frozen=True)
class Entry:
    code: str
    path: str
    fingerprint: str


def fingerprints(findings: list[Finding], line_text, prefix: str = "") -> list[Entry]:
    """One entry per finding, in order. `line_text(path, line)` gives a source line; `prefix` is
    the lint root's folder seen from the baseline file's ('apps/web/')."""
    seen: Counter = Counter()
    entries = []
    for finding in findings:
        text = " ".join((line_text(finding.path, finding.span.line) or "").split())
        path = prefix + finding.path
        base = hashlib.blake2b(f"{finding.code}\0{path}\0{text}".encode(), digest_size=8).hexdigest()
        seen[base] += 1
        entries.append(Entry(finding.code, path, f"{base}:{seen[base]}"))
    return entries


class Scope:
    """What a run checked: its rules, and its files (None: all), as paths from the baseline's folder."""

    def __init__(self, codes: set[str], files: set[str] | None, prefix: str = ""):
        self.codes, self.prefix = codes, prefix
        self.files = None if files is None else {prefix + f for f in files}

    def __contains__(self, entry: Entry) -> bool:
        return entry.code in self.codes and entry.path.startswith(self.prefix) and (
            self.files is None or entry.path in self.files)


def write(path: Path, entries: list[Entry]) -> None:
    data = {"edgelint": __version__, "findings": [e.__dict__ for e in sorted(entries, key=lambda e: (e.path, e.code, e.fingerprint))]}
    path.write_text(json.dumps(data, indent=1) + "\n", "utf-8")


def read(path: Path) -> list[Entry]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found (create it with --write-baseline)") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the baseline file ({error.strerror or 'read error'})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a baseline file written by edgelint (not UTF-8 text)") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}:{error.lineno}:{error.colno}: not a baseline file written by edgelint "
                          f"(invalid JSON: {error.msg})") from None
    except (ValueError, RecursionError):
        raise ConfigError(f"{path}: not a baseline file written by edgelint (invalid JSON)") from None
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, list):
        raise ConfigError(f"{path}: not a baseline file written by edgelint (no \"findings\" list)")
    entries = []
    for number, item in enumerate(findings, 1):
        fields = [item.get(key) for key in ("code", "path", "fingerprint")] if isinstance(item, dict) else []
        if len(fields) != 3 or not all(isinstance(value, str) for value in fields):
            raise ConfigError(f"{path}: not a baseline file written by edgelint (finding {number} lacks "
                              "a string \"code\", \"path\" or \"fingerprint\")")
        entries.append(Entry(*fields))
    return entries


def apply(findings: list[Finding], entries: list[Entry], line_text, scope: Scope) -> tuple[list[Finding], list[Entry]]:
    """(new findings, baseline entries of the run's scope that no longer occur)."""
    known = Counter(entries)
    kept = []
    for finding, entry in zip(findings, fingerprints(findings, line_text, scope.prefix)):
        if known[entry] > 0:
            known[entry] -= 1
        else:
            kept.append(finding)
    stale = sorted((e for e, n in known.items() for _ in range(n) if e in scope), key=lambda e: (e.path, e.code))
    return kept, stale


def merged(entries: list[Entry], previous: list[Entry], scope: Scope) -> list[Entry]:
    """The entries a run writes: its own, and those of a previous baseline outside its scope."""
    return [*entries, *(e for e in previous if e not in scope)]
