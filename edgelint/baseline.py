"""Baselines: adopt edgelint on a large repository and fail only on new findings.

`check --write-baseline FILE` records every current finding; `check --baseline FILE` drops the
findings recorded there and reports the entries that no longer occur. A finding matches an entry
by code, path and a fingerprint that ignores line numbers: the whitespace-normalised text of the
finding's first line plus its occurrence count among identical keys, so edits elsewhere in the file
do not resurrect old findings.
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


def fingerprints(findings: list[Finding], line_text) -> list[Entry]:
    """One entry per finding, in order. `line_text(path, line)` gives a source line."""
    seen: Counter = Counter()
    entries = []
    for finding in findings:
        text = " ".join((line_text(finding.path, finding.span.line) or "").split())
        base = hashlib.blake2b(f"{finding.code}\0{finding.path}\0{text}".encode(), digest_size=8).hexdigest()
        seen[base] += 1
        entries.append(Entry(finding.code, finding.path, f"{base}:{seen[base]}"))
    return entries


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


def apply(findings: list[Finding], entries: list[Entry], line_text) -> tuple[list[Finding], list[Entry]]:
    """(new findings, baseline entries that no longer occur)."""
    known = Counter(entries)
    kept = []
    for finding, entry in zip(findings, fingerprints(findings, line_text)):
        if known[entry] > 0:
            known[entry] -= 1
        else:
            kept.append(finding)
    stale = sorted((e for e, n in known.items() for _ in range(n)), key=lambda e: (e.path, e.code))
    return kept, stale
