"""What a check plugin uses: the check base class, findings and the per-app context.

A check is a class with a permanent `code`, a kebab-case `name`, an `area` (its first SARIF tag),
a default `severity`, the `targets` it applies to and ruff-style docs in its docstring. It
implements `run(ctx)` and yields `Finding`s. Third-party plugins register a module through the
`edgelint.checks` entry-point group; every `Check` subclass with a code in it is loaded.

    class NoThing(Check):
        '''What it does / Why is this bad? / Example / Use instead / Options'''
        code, name, area = "EDGE199", "no-thing", "runtime"
        def run(self, ctx):
            for route in ctx.routes():
                ...
                yield ctx.finding(self, route.path, span, "message")
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

from edgelint.parsing import ParsedFile, Span

if TYPE_CHECKING:
    from edgelint.project import App, Route, Runtime, Version
    from edgelint.summary import ModuleSummary
    from edgelint.workspace import Workspace

#: Re-exported for checks and plugins, imported when first used: a run whose results all come
#: from the cache never needs the project model or summaries.
_LAZY = {"App": "edgelint.project", "Route": "edgelint.project", "Runtime": "edgelint.project",
         "Version": "edgelint.project", "ModuleSummary": "edgelint.summary", "Workspace": "edgelint.workspace"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

SEVERITIES = ("note", "warning", "error")
AREAS = ("runtime", "edge-compat", "kv", "image", "polyfill", "ratelimit", "meta")

__all__ = ["App", "Check", "Context", "Figure", "Finding", "Fix", "Location", "RouteFact", "ParsedFile", "Route", "Runtime", "Span",
           "Version", "ModuleSummary", "SEVERITIES", "AREAS"]


@dataclass(frozen=True)
class Location:
    path: str  # relative to the lint root, '/'-separated
    span: Span
    message: str = ""


@dataclass(frozen=True)
class Fix:
    """A safe textual edit: replace bytes [start, end) of `path` with `replacement`."""

    path: str
    start: int
    end: int
    replacement: str
    description: str = ""


@dataclass
class Finding:
    code: str
    message: str
    location: Location
    severity: str = ""  # empty: the check's default
    related: tuple[Location, ...] = ()
    flow: tuple[Location, ...] = ()  # an ordered path (an import chain), shown as a SARIF code flow
    fixes: tuple[Fix, ...] = ()
    data: dict = field(default_factory=dict)  # extra facts for JSON output (entries, counts, …)
    # filled in by the engine
    name: str = ""
    area: str = ""

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def span(self) -> Span:
        return self.location.span

    def sort_key(self):
        return (self.location.path, self.location.span, self.code, self.message)

    def to_dict(self) -> dict:
        """Plain data (for the cache); `from_dict` restores an equal Finding."""
        def loc(l: Location):
            return [l.path, list(l.span), l.message]

        return {"code": self.code, "message": self.message, "location": loc(self.location),
                "severity": self.severity, "related": [loc(r) for r in self.related],
                "flow": [loc(r) for r in self.flow],
                "fixes": [[f.path, f.start, f.end, f.replacement, f.description] for f in self.fixes],
                "data": self.data, "name": self.name, "area": self.area}

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        def loc(v) -> Location:
            return Location(v[0], Span(*v[1]), v[2])

        return cls(d["code"], d["message"], loc(d["location"]), d["severity"], tuple(loc(r) for r in d["related"]),
                   tuple(loc(r) for r in d["flow"]), tuple(Fix(*f) for f in d["fixes"]), d["data"], d["name"],
                   d["area"])


@dataclass(frozen=True)
class Figure:
    """A coverage figure for `edgelint audit`: `value` of `total` (or a plain count when total is None).

    `passed` overrides the default judgement (value == total)."""

    area: str
    label: str
    value: int
    total: int | None = None
    passed: bool | None = None
    detail: str = ""


@dataclass(frozen=True)
class RouteFact:
    """A fact for one row of the audit's route table (e.g. column 'rate limit', text 'middleware').

    A path that is not a route of the model adds a row of its own, with `url` and `kind`
    (server actions, for instance)."""

    path: str
    column: str
    text: str
    url: str = ""
    kind: str = ""
    lines: tuple[int, ...] = ()  # where in `path` the fact's subject is (findings there count on its row)


class Check:
    """Base class of every check. Subclasses set the class attributes and implement `run`."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    area: ClassVar[str] = ""
    severity: ClassVar[str] = "error"
    status: ClassVar[str] = "stable"  # 'stable' | 'preview'
    targets: ClassVar[frozenset[str] | None] = None  # None: every target
    fixable: ClassVar[bool] = False
    #: Options dataclass; its fields are read from the config section named after the area.
    Options: ClassVar[type | None] = None

    def __init__(self, options=None):
        self.options = options if options is not None else (self.Options() if self.Options else None)

    @classmethod
    def docs(cls) -> str:
        """The rule's documentation as users read it (`edgelint.sources.public_docs`)."""
        import inspect

        from edgelint.sources import public_docs

        return public_docs(inspect.cleandoc(cls.__doc__ or ""))

    @classmethod
    def summary_line(cls) -> str:
        return cls.docs().split("\n\n", 1)[0].replace("\n", " ").removeprefix("## What it does").strip()

    def applies_to(self, app: App) -> bool:
        return self.targets is None or app.target in self.targets

    def run(self, ctx: "Context") -> Iterable[Finding]:
        raise NotImplementedError

    def audit(self, ctx: "Context") -> Iterable["Figure | RouteFact"]:
        """Coverage figures and route facts for `edgelint audit` (optional)."""
        return ()


def option_fields(options_type) -> list[dataclasses.Field]:
    return list(dataclasses.fields(options_type)) if options_type else []


class Context:
    """What a check sees of one app: its model, its files and helpers to make findings."""

    def __init__(self, ws: Workspace, app: App, apps: list[App], focus: set[str] | None = None):
        self.ws = ws
        self.app = app
        self.apps = apps
        self.focus = focus  # files named on the command line (pre-commit); None = everything
        ws.register_scope(app.files)
        self._shared: dict = {}

    # the model
    @property
    def target(self) -> str:
        return self.app.target

    @property
    def next_version(self) -> Version | None:
        return self.app.next_version

    def routes(self, *kinds: str) -> list[Route]:
        return [r for r in self.app.routes if not kinds or r.kind in kinds]

    def shared(self, key: str, compute):
        """A value computed once per app and shared between checks (e.g. the import graph).

        The files it was computed from count as inputs of every check that uses it (the cache
        relies on that)."""
        if key not in self._shared:
            try:
                with self.ws.recording() as recorder:
                    value = compute()
            except BaseException as error:  # the checks that share it fail at once, not each again
                self._shared[key] = error
                raise
            self._shared[key] = (value, dict(recorder.deps), list(recorder.problems), dict(recorder.scopes))
        if isinstance(self._shared[key], BaseException):
            raise self._shared[key]
        value, deps, problems, scopes = self._shared[key]
        self.ws.replay(deps, problems, scopes)
        return value

    # files
    def files(self) -> list[str]:
        return self.app.files

    def files_containing(self, *needles: bytes) -> Iterator[str]:
        """Source files of the app whose bytes contain any needle (a cheap prefilter)."""
        yield from self.ws.grep(self.app.files, *needles)

    def in_focus(self, path: str) -> bool:
        return self.focus is None or path in self.focus

    def parse(self, path: str) -> ParsedFile | None:
        return self.ws.parse(path)

    def summary(self, path: str) -> ModuleSummary | None:
        return self.ws.summary(path)

    def summary_with(self, path: str, *names: str) -> ModuleSummary | None:
        """The summary of a file that may export (or import) one of `names`, else None; see
        `Workspace.summary_with`."""
        return self.ws.summary_with(path, *names)

    # findings
    def finding(self, check: Check, path: str, span: Span, message: str, *, severity: str = "",
                related: Iterable[Location] = (), flow: Iterable[Location] = (), fixes: Iterable[Fix] = (),
                **data) -> Finding:
        return Finding(check.code, user_text(message), Location(path, span), severity,
                       tuple(_public(loc) for loc in related), tuple(_public(loc) for loc in flow), tuple(fixes), data)


#: A citation of the project's platform notes (`REFERENCE.md §4.1`, `§6.3 pitfall 2`, `§6.3 item 7`,
#: `§2.4 "next.config support"`): the checks' docs keep them for maintainers; messages drop them,
#: as users have no such file.
_CITED = r"REFERENCE\.md(?:\s*:?\s*§\d+[a-z]?(?:\.\d+[a-z]?)*(?:\s+(?:pitfall|step|item)\s+\d+|\s+\"[^\"]*\")?,?)*"
#: Bare section numbers of those notes: "§6.3 pitfall 2", "§2.3, §2.4".
_SECTIONS = r"§\d+[a-z]?(?:\.\d+[a-z]?)*(?:\s+(?:pitfall|step|item)\s+\d+)?(?:,\s*§\d+[a-z]?(?:\.\d+[a-z]?)*)*"


@functools.cache
def _citations() -> list[tuple[re.Pattern, str]]:
    """The patterns that remove citations, compiled when first needed (few runs have any)."""
    return [
        (re.compile(r"\s*\(" + _CITED + r"\)"), ""),  # "… (REFERENCE.md §4.1, §4.5)."
        (re.compile(r"[,;]\s*" + _CITED + r"(?=\))"), ""),  # "(`x`, REFERENCE.md §4.2)"
        (re.compile(r"\(" + _CITED + r"\s*[,;:]\s*"), "("),  # "(REFERENCE.md §2.1, Next.js …)"
        (re.compile(r"\s*[—-]?\s*" + _CITED), ""),  # anything left
        (re.compile(r"\s*\(" + _SECTIONS + r"\)"), ""),  # a bare "(§6.3 pitfall 2)"
    ]


def counted(count: int, noun: str, plural: str = "") -> str:
    """`1 route`, `2 routes`, `0 entries` (with `plural` for nouns that do not just take an s)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def user_text(message: str) -> str:
    """A finding's message as users see it: without citations of the project's own notes."""
    if "REFERENCE.md" not in message and "(§" not in message:
        return message
    for pattern, replacement in _citations():
        message = pattern.sub(replacement, message)
    return message


def _public(location: Location) -> Location:
    if "REFERENCE.md" not in location.message:
        return location
    return dataclasses.replace(location, message=user_text(location.message))
