"""Rate-limit coverage of user actions (the EDGE6xx checks and the audit report).

A *user action* is something a client can invoke over HTTP:

* an App Router route handler: each exported HTTP method (`POST`, `PUT`, `PATCH`, `DELETE`;
  `GET`/`HEAD` only with `[ratelimit] include-get = true`), REFERENCE.md §1.9;
* a Pages Router API route (`pages/api/**` default export); the methods it answers are read from
  `req.method` comparisons (`===`, `!==`, `switch`, `[…].includes`) inside it; without any, it
  answers every method and counts when it reads a request body (else it is a read, like GET);
* a Server Action: every export of a `'use server'` module and every function with an inline
  `'use server'` directive (§1.10). It is a POST to the page that uses it, so middleware coverage
  follows that page's path (§1.7, §5.4).

An action is *covered* when a rate limiter runs before it does its work:

* **inline** — the handler calls a limiter, directly or through project helpers followed through
  imports a few calls deep (`rateLimitRequest(req)` → `ratelimit(...).limit(key)`);
* **wrapper** — the export is `withX(handler)` and `withX` (followed through imports and
  re-exports) calls a limiter, or is named in `[ratelimit] wrappers`;
* **middleware** — `middleware.*`/`proxy.*` calls a limiter and its `config.matcher` covers the
  action's URL (`edgelint.matcher`); a limiter behind a `pathname`/`method` condition covers only
  the URLs the condition admits (evaluated when it is a simple `startsWith`/`===`/`includes`
  test, else partial).

A limiter call is `X.limit(id)` / `X.blockUntilReady(id, ms)` where X is an `@upstash/ratelimit`
`Ratelimit` (constructed at module scope, returned by a factory, imported, or a parameter typed
`Ratelimit`), `X.consume(key)` where X is a rate-limiter-flexible `RateLimiter*` (it rejects over
the limit), a Cloudflare rate-limiting binding (`env.NAME.limit({ key })`, §5.2), a name from
`[ratelimit] limiters`, or — when nothing can be resolved — a receiver whose name says it is a
limiter (`rateLimiter.limit(ip)`, `limiter.check(res, 10, token)` of Next.js' LRU-cache example,
which rejects over the limit). Query builders (`db.select()….limit(10)`, numeric or
pagination arguments) are never limiters. A project function whose name says it rate-limits
(`checkRateLimit`, `withRateLimit`) counts when its body cannot be shown to call a recognised
limiter (a hand-written KV counter, a package) — such coverage is marked `heuristic`.

Machine endpoints (`[ratelimit] ignore-urls`, by default cron and webhook URLs) and route
handlers that do nothing but answer an error (`return new Response(…, { status: 405 })`) are
listed with status 'excluded'. Statuses: 'covered', 'partial' (middleware `has`/`missing`
conditions, some URLs of a dynamic route, some pages of a server action, or a path condition
edgelint cannot evaluate), 'not-covered', 'unknown' (a non-literal matcher, a server action whose
page is not found), 'excluded'. An action whose only limiter's verdict is ignored is 'not-covered' with
`verdict_ignored` (EDGE602 reports it, EDGE601 does not).

Everything is computed once per app (`analysis(ctx)` is cached with `ctx.shared`); the checks
and `edgelint audit` read the same `coverage(ctx)`. Trees are walked iteratively, and every
recursion (call following, identifier resolution, condition evaluation) has a depth bound and a
cycle guard.
"""

from __future__ import annotations

import dataclasses

import os
import re
from dataclasses import dataclass, field
from typing import Iterator

from edgelint import facts, jsvalues, matcher
from edgelint.api import Location
from edgelint.parsing import ParsedFile, Span, string_value
from edgelint.ratelimit_options import DEFAULT_IGNORE_URLS, RatelimitOptions
from edgelint.resolve import Resolver, workspace_resolver

__all__ = ["Action", "ActionCoverage", "Analysis", "DEFAULT_IGNORE_URLS", "LimiterCall", "MiddlewareCoverage",
           "RatelimitOptions", "analysis", "coverage", "user_actions"]

#: How many calls deep handlers, wrappers and middleware are followed into helper functions.
MAX_CALL_DEPTH = 4
#: Links of one method chain followed (`client.schema(…).metadata(…).action(fn)`).
MAX_CHAIN_LINKS = 16
#: How many hops an identifier is followed (local binding, import, re-export, factory return).
MAX_RESOLVE_DEPTH = 10
#: How many import levels are searched upwards to find the pages that use a server action.
MAX_IMPORTER_DEPTH = 5
MAX_IMPORTER_FILES = 400
#: Up to this many pages, a route-group layout's server actions are checked page by page.
MAX_GROUP_PAGES = 16
#: Bound on nested expressions examined by the condition and key evaluators.
MAX_EXPR_DEPTH = 24

MUTATING = ("POST", "PUT", "PATCH", "DELETE")
HTTP_METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
UPSTASH_PACKAGE = "@upstash/ratelimit"
UPSTASH_CLASSES = ("Ratelimit", "MultiRegionRatelimit")
#: rate-limiter-flexible: `await limiter.consume(key)` resolves under the limit and rejects over it.
FLEXIBLE_PACKAGE = "rate-limiter-flexible"
#: Arcjet (`@arcjet/next`, …): `aj.protect(req)` is a limiter when a rate-limit rule is among the
#: client's rules (`arcjet({ rules: [slidingWindow(…)] })`, `aj.withRule(fixedWindow(…))`); its
#: decision refuses with `decision.isDenied()`. Shield or bot rules alone limit nothing.
ARCJET = "arcjet"
ARCJET_RATE_RULES = frozenset({"slidingWindow", "fixedWindow", "tokenBucket"})
ARCJET_NEEDLE = b".protect(req"  # `aj.protect(req)`, `aj.protect(request, …)` (not Clerk's `auth.protect()`)
LIMIT_METHODS = ("limit", "blockUntilReady")
RESPONSE_FIELDS = ("success", "limit", "remaining", "reset", "pending", "reason", "deniedValue")

FUNCTION_TYPES = frozenset({"function_declaration", "generator_function_declaration", "function_expression",
                            "function", "arrow_function", "generator_function", "method_definition"})
WRAPPER_TYPES = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                           "non_null_expression", "type_assertion"})
SCOPE_TYPES = frozenset({"statement_block", "program", "switch_case", "switch_default", "class_body"})

#: A function or callee name that says it applies a rate limit (used when nothing better is known).
_RATE_NAME = re.compile(r"rate_?limit|ratelimit|throttle", re.IGNORECASE)
#: Names of what a limiter uses or returns (`rateLimitKey`, `rateLimitHeaders`); not `rateLimitByKey`.
_NOT_A_CHECK_SUFFIX = re.compile(r"(Headers?|Response|Error|Message|(?<!By)Keys?|Config|Options|Result|Info|"
                                 r"Status|Polic(y|ies)|Settings|(?<!By)Id|Prefix|Window|Store|Client|Redis|Ms|"
                                 r"Seconds|Type)$")
_DECIDES = re.compile(r"success|throw\b|429|allowed|exceeded|remaining|blocked|too many"
                      # a hand-written counter: it increments (Redis INCR, KV increment, `count++`), or
                      # returns a comparison of a count with a limit (`return count <= MAX_ATTEMPTS`)
                      r"|\bincr\b|increment|\+\+|\+=\s*1\b"
                      r"|\breturn\s+[\w$.]+\s*[<>]=?\s*[\w$.]+\s*(?:[;)}\n]|$)",
                      re.IGNORECASE)
_NOT_A_CHECK = re.compile(r"^(get|set|reset|create|build|make|format|is|has|log|init|parse|new|to|clear|"
                          r"should|use|read|load|save|store|record|update|delete|remove|describe|render|"
                          r"headers?|response|error|on)(?=[A-Z_]|$)")
#: A receiver name that says it is a limiter object (`rateLimiter.limit(ip)`).
_LIMITER_RECEIVER = re.compile(r"rate_?limit|limiter", re.IGNORECASE)
#: `.check(` on such a receiver (`limiter.check(`, `rateLimit.check(`, `RATE_LIMITER.check(`).
CHECK_NEEDLES = (b"imiter.check(", b"IMITER.check(", b"imit.check(", b"IMIT.check(")
#: Call names in a receiver chain that make `.limit(n)` a query-builder limit.
QUERY_METHODS = frozenset("""select from where orderBy innerJoin leftJoin rightJoin fullJoin crossJoin groupBy having
offset selectFrom selectDistinct selectAll findMany findFirst query table order eq filter range sort skip find
aggregate $dynamic returning values set with into update delete insert collection match search lean populate
limit orderby distinct join fields columns prepare execute all many get""".split())
QUERY_ROOTS = frozenset("""db database prisma drizzle knex sql tx trx qb supabase kysely query builder
collection model repo repository client conn connection pool ctx_db""".split())
#: Pagination-looking argument names (`.limit(pageSize)`).
_PAGINATION = re.compile(r"limit|size|count|take|per_?page|page|max|num|top|first|rows|batch|chunk|offset|"
                         r"length|amount|quota|items", re.IGNORECASE)
#: Import specifiers found by bytes (`from '…'`, `import('…')`, `require('…')`): a parse-free import graph.
#: Files that may define or call a limiter: the seeds of the "can reach a limiter" closure.
#: Files that may define or call a limiter: byte needles (plain `in` searches are far faster than
#: a case-insensitive regex over every file), in the casings code uses.
SEED_NEEDLES = (b"ratelimit", b"rateLimit", b"RateLimit", b"Ratelimit", b"RATELIMIT", b"rate_limit", b"RATE_LIMIT",
                b"limiter", b"Limiter", b"LIMITER", b"throttl", b"Throttl", b"THROTTL", b".limit(", b".limit?.(",
                b"blockUntilReady", ARCJET_NEEDLE)
_PATH_WORDS = re.compile(r"pathname|nextUrl|\.method\b|\bmethod\b|\.url\b")


# --------------------------------------------------------------------------------------------
# Public data


def url_glob(pattern: str) -> re.Pattern:
    """A URL glob: `*` within one segment, `**` across segments (also none)."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("/**", i) and (i + 3 == len(pattern) or pattern[i + 3] == "/"):
            out.append("(?:/.*)?")
            i += 3
        elif pattern.startswith("**/", i) and i == 0:
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"/?\Z")


@dataclass(frozen=True)
class Construction:
    """Where a limiter is built (an Upstash `Ratelimit`, a rate-limiter-flexible `RateLimiter*`),
    and what its options say."""

    path: str
    span: Span
    analytics: bool | None  # literal `analytics` option; None when absent-and-defaulted is unknown
    multi_region: bool = False
    library: str = UPSTASH_PACKAGE


@dataclass(eq=False)
class LimiterCall:
    """One call that applies a rate limit."""

    path: str
    span: Span
    kind: str  # 'upstash' | 'cloudflare' | 'flexible' | 'arcjet' | 'configured' | 'heuristic' | 'by-name'
    callee: str  # short callee text, e.g. 'ratelimit.limit', 'env.RL.limit', 'checkRateLimit'
    node: object = field(repr=False, default=None)
    binding: str | None = None  # Cloudflare binding name, when known
    construction: Construction | None = None
    key: object = field(repr=False, default=None)  # the key / identifier expression node

    @property
    def recognised(self) -> bool:
        return self.kind in ("upstash", "cloudflare", "flexible", "arcjet", "configured", "heuristic")

    def location(self, message: str = "") -> Location:
        return Location(self.path, self.span, message or f"limiter call `{self.callee}(…)`")


def page_label(pattern: str) -> str:
    """A page URL pattern for messages: a layout's `/x/[[...path]]` reads 'every page under /x'."""
    if pattern.endswith("/[[...path]]"):
        return f"every page under {pattern[: -len('/[[...path]]')] or '/'}"
    return pattern


@dataclass(frozen=True)
class Action:
    """A user action: a route handler method, a Pages API route or a server action."""

    kind: str  # 'route' | 'api' | 'server-action'
    path: str
    url: str | None  # the route's URL pattern; for a server action the first page that uses it
    name: str  # 'POST' …; for API routes 'ANY' or 'POST|PUT'; for server actions the function name
    span: Span
    route: object = field(default=None, compare=False, repr=False)
    pages: tuple[str, ...] = ()  # server actions: URL patterns of the pages that use them
    inline: bool = False  # a server action marked by an inline 'use server'
    node: object = field(default=None, compare=False, repr=False)  # the handler / action value
    node_path: str = field(default="", compare=False, repr=False)  # the file that holds `node`

    @property
    def method(self) -> str:
        return "POST" if self.kind == "server-action" else self.name

    @property
    def methods(self) -> tuple[str, ...]:
        if self.kind == "server-action":
            return ("POST",)
        if self.name == "ANY":
            return HTTP_METHODS
        return tuple(self.name.split("|"))

    @property
    def handled_methods(self) -> tuple[str, ...]:
        """The methods a Pages API route's handler must be limited for (one handler serves them all,
        with branches or a map by method); () for the others, whose export is one method."""
        return self.methods if self.kind == "api" else ()

    def label(self) -> str:
        if self.kind == "server-action":
            return f"server action `{self.name}`"
        if self.kind == "api":
            what = "every method: it reads a request body and checks no method" if self.name == "ANY" \
                else self.name.replace("|", "/")
            return f"API route {self.url} ({what})"
        return f"{self.name} {self.url}"


def _merged_details(patterns: list[str], details: list[str], shown: int = 5) -> str:
    """One clause per distinct reason, naming its pages together: "…'s matcher […] includes
    /a, /b and /c, but its limiter only runs when …, which excludes them" (the middleware and
    its matcher once, not once per page)."""
    groups: dict[str, list[str]] = {}
    for pattern, detail in zip(patterns, details):
        template = re.sub(r"(?<=\s)" + re.escape(pattern) + r"(?=[\s,;)]|$)", "\0", detail)
        groups.setdefault(template, []).append(pattern)
    clauses = []
    for template, group in groups.items():
        names = group[:shown] + ([f"{len(group) - shown} more"] if len(group) > shown else [])
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        clause = template.replace("\0", listed)
        clauses.append(clause.replace("excludes it", "excludes them") if len(group) > 1 else clause)
    return "; ".join(clauses)


@dataclass
class MiddlewareCoverage:
    """What the app's middleware/proxy does for one action."""

    status: str  # 'covered' | 'partial' | 'not-covered' | 'unknown' | 'no-limiter' | 'none'
    detail: str
    path: str | None = None  # the middleware file
    evidence: tuple[Location, ...] = ()
    missed: tuple[str, ...] = ()  # URL patterns (pages) not fully covered
    reason: str = ""  # why not fully covered: 'matcher' | 'matcher-branch' (its limiter would not run there
    # either) | 'conditions' (has/missing) | 'branch' | 'rewrite' | 'unknown'



@dataclass
class ActionCoverage:
    """How (and whether) one action is rate limited."""

    action: Action
    covered_by: str | None  # 'inline' | 'wrapper' | 'middleware' | None
    evidence: tuple[Location, ...]
    detail: str
    partial: bool = False
    status: str = "not-covered"  # 'covered' | 'partial' | 'not-covered' | 'unknown' | 'excluded'
    heuristic: bool = False  # recognised by a name only (a limiter-named helper or wrapper)
    verdict_ignored: bool = False  # a limiter runs but its result is thrown away (EDGE602)
    limiter_calls: tuple[LimiterCall, ...] = ()
    middleware: MiddlewareCoverage | None = None
    excluded_as: str = ""  # status 'excluded', why in a few words: 'machine endpoint', 'only answers 405'
    limited_methods: tuple[str, ...] = ()  # an API route whose limiter runs only in a branch for these methods

    @property
    def covered(self) -> bool:
        return self.status == "covered"

    def to_dict(self) -> dict:
        a = self.action
        return {"kind": a.kind, "path": a.path, "url": a.url, "name": a.name, "line": a.span.line,
                "pages": list(a.pages), "status": self.status, "covered_by": self.covered_by,
                "partial": self.partial, "heuristic": self.heuristic, "verdict_ignored": self.verdict_ignored,
                "detail": self.detail,
                "evidence": [{"path": e.path, "line": e.span.line, "message": e.message} for e in self.evidence],
                "middleware": None if self.middleware is None else
                {"status": self.middleware.status, "detail": self.middleware.detail, "path": self.middleware.path}}


# --------------------------------------------------------------------------------------------
# Small tree helpers


def unwrap(node):
    depth = 0
    while node is not None and node.type in WRAPPER_TYPES and depth < MAX_EXPR_DEPTH:
        inner = [c for c in node.named_children if c.type != "comment"]
        node = inner[0] if inner else None
        depth += 1
    return node


def unwrap_await(node):
    depth = 0
    while node is not None and (node.type in WRAPPER_TYPES or node.type == "await_expression") \
            and depth < MAX_EXPR_DEPTH:
        inner = [c for c in node.named_children if c.type != "comment"]
        node = inner[0] if inner else None
        depth += 1
    return node


def args_of(call) -> list:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [a for a in args.named_children if a.type != "comment"]


def prop_name(member, pf: ParsedFile) -> str:
    prop = member.child_by_field_name("property")
    return pf.text(prop) if prop is not None else ""


def function_body(fn):
    return fn.child_by_field_name("body")


def returned_values(fn) -> list:
    """The expressions a function returns (its expression body, or its `return` statements
    outside nested functions: inside `try`, `if`, … too)."""
    body = function_body(fn)
    if body is None:
        return []
    if body.type != "statement_block":
        return [body]
    found, stack = [], [body]
    while stack:
        node = stack.pop()
        for child in node.named_children:
            if child.type == "return_statement":
                found += [c for c in child.named_children if c.type != "comment"][:1]
            elif child.type not in FUNCTION_TYPES and child.type != "class_body":
                stack.append(child)
    return found


def enclosing_function(node):
    current = node.parent
    while current is not None:
        if current.type in FUNCTION_TYPES:
            return current
        current = current.parent
    return None


def _param_names(fn, pf: ParsedFile) -> list[tuple[str, object]]:
    """(name, default value or None) of each plain parameter (`p`, `p?`, `p = {}`); '' for others."""
    found = []
    for param in parameters_of(fn):
        pattern = param.child_by_field_name("pattern") if param.type in ("required_parameter",
                                                                          "optional_parameter") else param
        default = param.child_by_field_name("value")
        if pattern is not None and pattern.type == "assignment_pattern":
            pattern, default = pattern.child_by_field_name("left"), pattern.child_by_field_name("right")
        found.append((pf.text(pattern) if pattern is not None and pattern.type == "identifier" else "", default))
    return found


def _param_guard(pf: ParsedFile, fn, call) -> int | None:
    """The index of a parameter without which the function returns before `call` (in its body:
    `if (!p) return …` before it, or `call` inside `if (p) { … }`), else None."""
    names = [name for name, _default in _param_names(fn, pf)]
    body = function_body(fn)
    if not any(names) or body is None or body.type != "statement_block":
        return None
    node, parent = call, pf.parent(call)
    while parent is not None and parent != body:
        if parent.type == "if_statement" and parent.child_by_field_name("consequence") == node:
            name = _tested_name(pf, parent.child_by_field_name("condition"), negated=False)
            if name in names:
                return names.index(name)
        node, parent = parent, pf.parent(parent)
    if parent is None:
        return None
    for statement in body.named_children:
        if statement == node:
            break
        if statement.type == "if_statement" and statement.child_by_field_name("alternative") is None and \
                _always_exits(statement.child_by_field_name("consequence")):
            name = _tested_name(pf, statement.child_by_field_name("condition"), negated=True)
            if name in names:
                return names.index(name)
    return None


def _tested_name(pf: ParsedFile, condition, negated: bool) -> str | None:
    """`p` of a condition `p` (or of `!p`, `p == null`, `p === undefined` when `negated`)."""
    condition = unwrap(condition)
    if condition is None:
        return None
    if not negated:
        return pf.text(condition) if condition.type == "identifier" else None
    if condition.type == "unary_expression" and pf.text(condition).startswith("!"):
        inner = unwrap(condition.child_by_field_name("argument"))
        return pf.text(inner) if inner is not None and inner.type == "identifier" else None
    if condition.type == "binary_expression":
        left, right = unwrap(condition.child_by_field_name("left")), unwrap(condition.child_by_field_name("right"))
        operator = condition.child_by_field_name("operator")
        if operator is not None and operator.type in ("==", "===") and left is not None and right is not None \
                and left.type == "identifier" and pf.text(right) in ("null", "undefined"):
            return pf.text(left)
    return None


def _passed_param(pf: ParsedFile, call, index: int, keys: tuple, fn) -> tuple | str | None:
    """What a call passes for the parameter (property `keys` of it) a callee's limiter needs:
    'absent' (not passed, `undefined`, `null`, `false`, an object literal without the property),
    (index, keys) of the caller's own parameter it comes from (`constraints.rateLimit`), or None
    (something is given)."""
    args = args_of(call)
    if index >= len(args):
        return "absent"
    arg = unwrap(args[index])
    while arg is not None and keys and arg.type == "object":
        if any(c.type == "spread_element" for c in arg.named_children):
            return None
        pair = jsvalues.object_pairs(arg, pf).get(keys[0])
        if pair is None:
            return "absent"
        arg, keys = unwrap(pair[1]), keys[1:]
    if arg is None or pf.text(arg) in ("undefined", "null", "false", "void 0"):
        return "absent"
    path = list(keys)
    while arg.type == "member_expression" and arg.child_by_field_name("property") is not None:
        path.insert(0, prop_name(arg, pf))
        arg = unwrap(arg.child_by_field_name("object"))
        if arg is None:
            return None
    if arg.type != "identifier" or fn is None:
        return None
    for position, (name, _default) in enumerate(_param_names(fn, pf)):
        if name == pf.text(arg):
            return position, tuple(path)
    return None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def callee_text(call, pf: ParsedFile) -> str:
    callee = call.child_by_field_name("function")
    if callee is None:
        return ""
    text = re.sub(r"\s+", "", pf.text(callee))
    text = re.sub(r"\((?:[^()]|\([^()]*\))*\)", "(…)", text)
    return _short(text.replace("?.", "."), 80)


def _limiter_named(receiver, pf: ParsedFile) -> bool:
    """Whether a call's receiver is named as a limiter (`rateLimiter`, `this.limiter`)."""
    return _LIMITER_RECEIVER.search(last_name(receiver, pf) or pf.text(receiver)[-40:]) is not None


def last_name(node, pf: ParsedFile) -> str:
    """The last identifier of a callee (`a.b.withX` -> 'withX', `withX` -> 'withX')."""
    node = unwrap(node)
    if node is None:
        return ""
    if node.type == "identifier":
        return pf.text(node)
    if node.type == "member_expression":
        return prop_name(node, pf)
    if node.type == "call_expression":
        return last_name(node.child_by_field_name("function"), pf)
    return ""


def pattern_names(pattern, pf: ParsedFile) -> list[tuple[str, str | None, object]]:
    """(local name, object key or None, name node) bound by a destructuring pattern (bounded)."""
    found = []
    stack = [(pattern, None, 0)]
    while stack:
        node, key, depth = stack.pop()
        if node is None or depth > 8:
            continue
        t = node.type
        if t in ("identifier", "shorthand_property_identifier_pattern"):
            found.append((pf.text(node), key if key is not None else (pf.text(node) if t != "identifier" else None),
                          node))
        elif t == "object_pattern":
            for child in node.named_children:
                if child.type == "shorthand_property_identifier_pattern":
                    found.append((pf.text(child), pf.text(child), child))
                elif child.type == "pair_pattern":
                    k = jsvalues.property_key(child.child_by_field_name("key"), pf)
                    stack.append((child.child_by_field_name("value"), k, depth + 1))
                elif child.type == "object_assignment_pattern":
                    left = child.child_by_field_name("left")
                    if left is not None:
                        found.append((pf.text(left), pf.text(left), left))
                elif child.type == "rest_pattern":
                    inner = next((c for c in child.named_children), None)
                    if inner is not None:
                        found.append((pf.text(inner), "...", inner))
        elif t == "array_pattern":
            for child in node.named_children:
                stack.append((child, "[]", depth + 1))
        elif t in ("assignment_pattern",):
            stack.append((node.child_by_field_name("left"), key, depth + 1))
        elif t in ("required_parameter", "optional_parameter"):
            stack.append((node.child_by_field_name("pattern"), key, depth + 1))
        elif t == "rest_pattern":
            inner = next((c for c in node.named_children), None)
            stack.append((inner, key, depth + 1))
    return found


# --------------------------------------------------------------------------------------------
# Modules: top-level bindings, imports, exports


@dataclass
class Bind:
    kind: str  # 'function' | 'var' | 'import' | 'param' | 'class' | 'destructured'
    name: str
    node: object = None  # the name node
    value: object = None  # initializer / function node
    key: str | None = None  # destructured: the object key
    decl: object = None  # the declarator / parameter node (type annotations)
    source: str = ""  # imports: module specifier
    imported: str = ""  # imports: imported name ('default', '*', or a name)


class Module:
    """What the analysis needs of one source file."""

    def __init__(self, pf: ParsedFile, summary):
        self.pf = pf
        self.path = pf.path
        self.summary = summary
        self.top: dict[str, Bind] = {}
        self.exports: dict[str, tuple] = {}  # name -> ('local', name) | ('reexport', source, name) | ('node', node)
        self.stars: list[str] = list(summary.star_exports) if summary is not None else []
        self._assigned: dict[str, list] | None = None
        self._scopes: dict[int, dict[str, Bind]] = {}
        if summary is not None:
            for imp in summary.imports:
                if imp.type_only or imp.kind not in ("static",):
                    continue
                for imported, local in imp.names:
                    self.top[local] = Bind("import", local, source=imp.source, imported=imported)
        for statement in pf.root.named_children:
            self._statement(statement)

    def _statement(self, statement) -> None:
        pf = self.pf
        node = statement
        exported = statement.type == "export_statement"
        if exported:
            source = statement.child_by_field_name("source")
            clause = next((c for c in statement.named_children if c.type == "export_clause"), None)
            if source is not None:
                spec = string_value(source, pf) or ""
                if clause is not None:
                    for s in clause.named_children:
                        if s.type == "export_specifier":
                            name = s.child_by_field_name("name")
                            alias = s.child_by_field_name("alias") or name
                            self.exports[pf.text(alias)] = ("reexport", spec, pf.text(name))
                return
            if any(c.type == "default" for c in statement.children):
                decl = statement.child_by_field_name("declaration")
                value = statement.child_by_field_name("value")
                target = decl or value
                if target is not None and target.type in ("function_declaration", "generator_function_declaration"):
                    name = target.child_by_field_name("name")
                    if name is not None:
                        self.top[pf.text(name)] = Bind("function", pf.text(name), name, target)
                    self.exports["default"] = ("node", target)
                elif target is not None and target.type == "identifier":
                    self.exports["default"] = ("local", pf.text(target))
                elif target is not None:
                    self.exports["default"] = ("node", target)
                return
            if clause is not None:
                for s in clause.named_children:
                    if s.type == "export_specifier":
                        name = s.child_by_field_name("name")
                        alias = s.child_by_field_name("alias") or name
                        self.exports[pf.text(alias)] = ("local", pf.text(name))
                return
            node = statement.child_by_field_name("declaration")
            if node is None:
                return
        for bind in declared(node, pf):
            self.top[bind.name] = bind
            if exported:
                self.exports[bind.name] = ("local", bind.name)

    def scope(self, block) -> dict[str, Bind]:
        """The bindings the declarations directly in a block introduce, the first of each name
        (built once per block: name lookups climb through the same blocks again and again)."""
        found = self._scopes.get(block.id)
        if found is None:
            found = self._scopes[block.id] = {}
            for child in block.named_children:
                if child.type in ("lexical_declaration", "variable_declaration", "function_declaration",
                                  "class_declaration", "generator_function_declaration"):
                    for bind in declared(child, self.pf):
                        found.setdefault(bind.name, bind)
        return found

    def assigned(self, name: str) -> list:
        """Right-hand sides of `name = …` anywhere in the file (module-level `let` set later)."""
        if self._assigned is None:
            self._assigned = {}
            if b"=" in self.pf.source:
                for node in self.pf.walk():
                    if node.type == "assignment_expression":
                        left = node.child_by_field_name("left")
                        if left is not None and left.type == "identifier":
                            self._assigned.setdefault(self.pf.text(left), []).append(
                                node.child_by_field_name("right"))
        return self._assigned.get(name, [])


def declared(node, pf: ParsedFile) -> list[Bind]:
    """Bindings a declaration statement introduces."""
    t = node.type
    out = []
    if t in ("function_declaration", "generator_function_declaration"):
        name = node.child_by_field_name("name")
        if name is not None:
            out.append(Bind("function", pf.text(name), name, node))
    elif t in ("class_declaration", "abstract_class_declaration"):
        name = node.child_by_field_name("name")
        if name is not None:
            out.append(Bind("class", pf.text(name), name, node))
    elif t in ("lexical_declaration", "variable_declaration"):
        for declarator in node.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            value = declarator.child_by_field_name("value")
            if name is None:
                continue
            if name.type == "identifier":
                out.append(Bind("var", pf.text(name), name, value, decl=declarator))
            else:
                for local, key, ident in pattern_names(name, pf):
                    out.append(Bind("destructured", local, ident, value, key=key, decl=declarator))
    return out


def parameters_of(fn):
    params = fn.child_by_field_name("parameters")
    if params is not None:
        return list(params.named_children)
    single = fn.child_by_field_name("parameter")
    return [single] if single is not None else []


# --------------------------------------------------------------------------------------------
# Reach: the path from a function to a limiter call


class Hop:
    """One call site on the way from a handler to a limiter (span and text computed on demand)."""

    __slots__ = ("path", "node", "_pf")

    def __init__(self, path: str, node, pf: ParsedFile):
        self.path, self.node, self._pf = path, node, pf

    @property
    def span(self) -> Span:
        return self._pf.span(self.node)

    @property
    def what(self) -> str:
        return callee_text(self.node, self._pf)


@dataclass(frozen=True)
class Reach:
    call: LimiterCall
    hops: tuple[Hop, ...]  # call sites from the starting function down to the limiter call
    by_name: bool = False
    ignored: bool = False  # the verdict is thrown away somewhere on the way
    returns_verdict: bool = False  # the starting function returns the limiter's verdict
    ignored_at: tuple[Hop, ...] = ()
    needs_param: tuple | None = None  # (index, keys): the limiter runs only when that parameter (its
    # property `keys[0]`, …) of the function is given
    verdict_flag: bool = False  # what it returns is `success` itself (a boolean), not the result object


    @property
    def score(self) -> int:
        if self.ignored:
            return 1
        return 2 if self.by_name else 3

    def via(self, hop: Hop, *, ignored_here: bool = False, returns: bool = False,
            needs_param: tuple | None = None, verdict_flag: bool = False) -> "Reach":
        return Reach(self.call, (hop, *self.hops), self.by_name, self.ignored or ignored_here,
                     returns, self.ignored_at + ((hop,) if ignored_here else ()), needs_param, verdict_flag)


# --------------------------------------------------------------------------------------------
# The analysis of one app


#: What an `Analysis` learns that does not depend on its focus (shared with `unfocused`).
_FOCUS_FREE = ("_modules", "_limiter_memo", "_construction_memo", "_usage_memo", "_importers", "_limiter_calls",
               "_middleware", "_forward", "_reverse", "_relevant")


class Analysis:
    """Limiter calls, user actions and their coverage for one app (build with `analysis(ctx)`)."""

    def __init__(self, ws, app, options: RatelimitOptions | None = None, resolver: Resolver | None = None,
                 focus: set[str] | None = None):
        self.ws = ws
        self.app = app
        self.focus = focus  # files named on the command line: only their actions are looked at
        self.options = options or RatelimitOptions()
        self.resolver = resolver or Resolver(ws)
        self._modules: dict[str, Module | None] = {}
        self._limiter_memo: dict[tuple, LimiterCall | None] = {}
        self._construction_memo: dict[tuple, Construction | None] = {}
        self._reach_memo: dict[tuple, Reach | None] = {}
        self._active: set[tuple] = set()
        self._importers: dict[str, list[tuple[str, set[str]]]] = {}
        self._limiter_calls: list[LimiterCall] | None = None
        self._actions: list[Action] | None = None
        self._coverage: list[ActionCoverage] | None = None
        self._covered: list[ActionCoverage] = []  # the coverage of the first actions, as far as computed
        self._middleware = None
        self._usage_memo: dict[tuple, str] = {}
        # (path, byte) of a call to a helper that returns a verdict, discarded -> (the call, whether
        # the helper returns `success` itself rather than the result object)
        self.ignored_helper_calls: dict[tuple, tuple[Hop, bool]] = {}
        self._declared = {b.name for w in app.wranglers for b in w.bindings_of("ratelimit")}
        self._forward: dict[str, list[str]] | None = None
        self._searched: list[str] | None = None  # what byte searches go through (`searched_files`)
        self._own_files: set[str] | None = None
        self._reverse: dict[str, list[str]] = {}
        self._relevant: set[str] | None = None
        self._helpers: dict[tuple[str, str], tuple[Location, str, bool]] = {}
        self._known_helpers: dict[str, object] = {}  # advice: the helper (per group) and wrapper others use
        self._whole: Analysis | None = None

    # -- modules -----------------------------------------------------------------------------

    def module(self, path: str) -> Module | None:
        if path not in self._modules:
            pf = self.ws.parse(path)
            self._modules[path] = Module(pf, self.ws.summary(path)) if pf is not None else None
        return self._modules[path]

    def resolve_import(self, mod: Module, source: str) -> Module | None:
        resolved = self.resolver.resolve(mod.path, source)
        if not resolved.is_file:
            return None
        return self.module(resolved.target)

    def import_graph(self) -> dict[str, list[str]]:
        """File -> files it imports, from import specifiers found in the bytes (no parsing; a
        dependency on the specifiers only, so editing a function body keeps cached results)."""
        if self._forward is None:
            forward: dict[str, list[str]] = {}
            packages = set(self.app.package_files)
            files = set(self.app.files) | packages
            queue = list(self.app.files)  # and the files of other apps' packages it reaches
            while queue:
                path = queue.pop()
                targets = []
                for spec in self.ws.fact("import-specifiers", path) or ():
                    resolved = self.resolver.resolve(path, spec)
                    if resolved.is_file and resolved.target in files and resolved.target not in targets:
                        targets.append(resolved.target)
                        if resolved.target in packages and resolved.target not in forward:
                            forward[resolved.target] = []
                            queue.append(resolved.target)
                forward[path] = targets
            # in file order, so that importers are listed in file order too
            forward = {path: forward[path] for path in self.searched_files() if path in forward}
            reverse: dict[str, list[str]] = {}
            for path, targets in forward.items():
                for target in targets:
                    reverse.setdefault(target, []).append(path)
            self._forward, self._reverse = forward, reverse
        return self._forward

    def searched_files(self) -> list[str]:
        """What every byte search of the analysis goes through: the app's files and those of the
        workspace packages it uses (one list, so one corpus of their bytes serves every search)."""
        if self._searched is None:
            self._searched = self.app.files + self.app.package_files
        return self._searched

    def app_files_containing(self, *needles: bytes) -> list[str]:
        """The app's files whose bytes hold a needle."""
        if self._own_files is None:
            self._own_files = set(self.app.files)
        return [path for path in self.ws.grep(self.searched_files(), *needles) if path in self._own_files]

    def relevant(self, path: str) -> bool:
        """Whether a function in `path` could reach a limiter: the file mentions one, or imports
        (transitively) a file that does. Calls into other files are only followed there."""
        if self._relevant is None:
            graph = self.import_graph()
            seeds = [p for p in self.ws.grep(self.searched_files(), *SEED_NEEDLES) if p in graph]
            extra = [n.encode() for n in self.options.limiters + self.options.wrappers]
            if extra:
                seeds += [p for p in self.ws.grep(self.searched_files(), *extra) if p in graph]
            relevant = set(seeds)
            queue = list(seeds)
            while queue:
                current = queue.pop()
                for importer in self._reverse.get(current, ()):
                    if importer not in relevant:
                        relevant.add(importer)
                        queue.append(importer)
            self._relevant = relevant
        return path in self._relevant or path not in self.ws.path_set

    def export_target(self, mod: Module, name: str, depth: int = 0):
        """(module, node) for export `name` of `mod`: a function, value expression or None."""
        seen = set()
        while mod is not None and depth < MAX_RESOLVE_DEPTH:
            depth += 1
            if (mod.path, name) in seen:
                return None
            seen.add((mod.path, name))
            entry = mod.exports.get(name)
            if entry is None and name in mod.top and name != "default" and mod.top[name].kind != "import":
                entry = ("local", name)
            if entry is not None:
                if entry[0] == "node":
                    return mod, entry[1]
                if entry[0] == "local":
                    bind = mod.top.get(entry[1])
                    if bind is None:
                        return None
                    if bind.kind == "import":
                        target = self.resolve_import(mod, bind.source)
                        if bind.imported == "*":
                            return None
                        mod, name = target, bind.imported
                        continue
                    return mod, bind
                if entry[0] == "reexport":
                    mod, name = self.resolve_import(mod, entry[1]), entry[2]
                    continue
            for star in mod.stars:
                target = self.resolve_import(mod, star)
                if target is not None and target.path != mod.path:
                    found = self.export_target(target, name, depth + 1)
                    if found is not None:
                        return found
            return None
        return None

    # -- scopes ------------------------------------------------------------------------------

    def lookup(self, mod: Module, name: str, at) -> Bind | None:
        """The binding `name` refers to at node `at` (innermost scope first)."""
        pf = mod.pf
        node = at
        steps = 0
        while node is not None and steps < 400:
            steps += 1
            t = node.type
            if t in FUNCTION_TYPES:
                for param in parameters_of(node):
                    for local, key, ident in pattern_names(param, pf):
                        if local == name:
                            return Bind("param", name, ident, None, key=key, decl=param)
                fname = node.child_by_field_name("name")
                if t in ("function_expression", "function") and fname is not None and pf.text(fname) == name:
                    return Bind("function", name, fname, node)
            elif t == "program":
                return mod.top.get(name)
            elif t in SCOPE_TYPES:
                bind = mod.scope(node).get(name)
                if bind is not None:
                    return bind
            elif t == "catch_clause":
                param = node.child_by_field_name("parameter")
                if param is not None and name in [n for n, _, _ in pattern_names(param, pf)]:
                    return Bind("param", name, param)
            elif t in ("for_in_statement", "for_statement"):
                left = node.child_by_field_name("left") or node.child_by_field_name("initializer")
                if left is not None and re.search(rf"\b{re.escape(name)}\b", pf.text(left)):
                    return Bind("param", name, left)
            node = pf.parent(node)  # Node.parent is O(depth): slow out of deeply nested input
        return None

    def resolve_binding(self, mod: Module, bind: Bind, depth: int):
        """Follow an import binding to (module, Bind or node) in the module that defines it."""
        if bind.kind != "import":
            return mod, bind
        if bind.imported == "*":
            return None
        target = self.resolve_import(mod, bind.source)
        if target is None:
            return None
        return self.export_target(target, bind.imported, depth + 1)

    def _pruned(self, mod: Module, bind: Bind) -> bool:
        """An import from a file that cannot reach any limiter (not followed when pruning)."""
        if bind.kind != "import":
            return False
        resolved = self.resolver.resolve(mod.path, bind.source)
        return resolved.is_file and not self.relevant(resolved.target)

    def resolve_function(self, mod: Module, expr, depth: int = 0, *, prune: bool = False):
        """(module, function node) that `expr` denotes, when it is a known function. With
        `prune`, imports from files that cannot reach a limiter are not followed."""
        steps = 0
        while expr is not None and steps < MAX_RESOLVE_DEPTH and depth < MAX_RESOLVE_DEPTH:
            steps += 1
            expr = unwrap(expr)
            if expr is None:
                return None
            if expr.type in FUNCTION_TYPES:
                return mod, expr
            if expr.type == "identifier":
                bind = self.lookup(mod, mod.pf.text(expr), expr)
                if bind is None or (prune and self._pruned(mod, bind)):
                    return None
                found = self._bind_value(mod, bind, depth)
                if found is None:
                    return None
                mod, expr = found
                continue
            if expr.type == "member_expression":
                obj = unwrap(expr.child_by_field_name("object"))
                prop = prop_name(expr, mod.pf)
                if obj is not None and obj.type == "identifier":
                    bind = self.lookup(mod, mod.pf.text(obj), obj)
                    if bind is not None and prune and self._pruned(mod, bind):
                        return None
                    if bind is not None and bind.kind == "import" and bind.imported == "*":
                        target = self.resolve_import(mod, bind.source)
                        found = self.export_target(target, prop, depth + 1) if target is not None else None
                        if found is None:
                            return None
                        mod, value = found
                        expr = value.value if isinstance(value, Bind) else value
                        continue
                    if bind is not None:
                        found = self._bind_value(mod, bind, depth)
                        if found is not None and found[1] is not None and unwrap(found[1]) is not None \
                                and unwrap(found[1]).type == "object":
                            pair = jsvalues.object_pairs(found[1], found[0].pf).get(prop)
                            if pair is not None:
                                mod, expr = found[0], pair[1]
                                continue
                return None
            return None
        return None

    def _bind_value(self, mod: Module, bind: Bind, depth: int):
        """(module, value node) of a binding, following imports."""
        if bind.kind == "import":
            found = self.resolve_binding(mod, bind, depth)
            if found is None:
                return None
            mod, target = found
            if isinstance(target, Bind):
                if target.kind == "destructured":
                    return None
                return mod, target.value
            return mod, target
        if bind.kind in ("function", "var", "class"):
            return mod, bind.value
        return None

    # -- limiter recognition -----------------------------------------------------------------

    def _configured(self, text: str) -> bool:
        for name in self.options.limiters:
            if text == name or text.endswith("." + name):
                return True
        return False

    def limiter_call(self, mod: Module, call) -> LimiterCall | None:
        key = (mod.path, call.start_byte, call.end_byte)
        if key not in self._limiter_memo:
            self._limiter_memo[key] = self._classify(mod, call)
        return self._limiter_memo[key]

    def _classify(self, mod: Module, call) -> LimiterCall | None:
        if call.type != "call_expression":
            return None
        pf = mod.pf
        callee = unwrap(call.child_by_field_name("function"))
        if callee is None:
            return None
        if self.options.limiters:
            text = callee_text(call, pf)
            if self._configured(text):
                args = args_of(call)
                return LimiterCall(mod.path, pf.span(call), "configured", text, call, key=args[0] if args else None)
        if callee.type != "member_expression":
            return None
        method = prop_name(callee, pf)
        if method == "consume":
            return self._consume_call(mod, call, callee)
        if method == "check":
            return self._check_call(mod, call, callee)
        if method == "protect":
            built = self.construction(mod, unwrap(callee.child_by_field_name("object")), 0)
            return LimiterCall(mod.path, pf.span(call), "arcjet", callee_text(call, pf), call, construction=built) \
                if built is not None and built.library == ARCJET else None
        if method not in LIMIT_METHODS:
            return None
        text, span = callee_text(call, pf), pf.span(call)
        args = args_of(call)
        if not args:
            return None
        first = unwrap(args[0])
        receiver = unwrap(callee.child_by_field_name("object"))
        if first is None or receiver is None:
            return None
        if _numeric(first, pf):
            return None
        if first.type == "object" and method == "limit":
            pairs = jsvalues.object_pairs(first, pf)
            if "key" in pairs:
                name = self.binding_name(mod, receiver, 0, via_arguments=True)
                return LimiterCall(mod.path, span, "cloudflare", text, call, binding=name, key=pairs["key"][1])
        construction = self.construction(mod, receiver, 0)
        if construction is not None:
            if construction.library in (FLEXIBLE_PACKAGE, ARCJET):
                return None  # rate-limiter-flexible limits with `consume`, Arcjet with `protect`
            if construction.path == "cloudflare":
                return LimiterCall(mod.path, span, "cloudflare", text, call,
                                   binding=self.binding_name(mod, receiver, 0), key=first)
            return LimiterCall(mod.path, span, "upstash", text, call, construction=construction, key=first)
        name = self.binding_name(mod, receiver, 0)
        if name is not None and name in self._declared:
            return LimiterCall(mod.path, span, "cloudflare", text, call, binding=name, key=first)
        if self._query_chain(mod, receiver, 0) or _pagination(first, pf):
            return None
        if _limiter_named(receiver, pf):
            return LimiterCall(mod.path, span, "heuristic", text, call, key=first)
        return None

    def _consume_call(self, mod: Module, call, callee) -> LimiterCall | None:
        """`limiter.consume(key)` of rate-limiter-flexible (its limiter built from the package, or
        a receiver named as a limiter when it cannot be followed)."""
        pf = mod.pf
        args = args_of(call)
        receiver = unwrap(callee.child_by_field_name("object"))
        if not args or receiver is None or _numeric(unwrap(args[0]), pf):
            return None
        text, span = callee_text(call, pf), pf.span(call)
        built = self.construction(mod, receiver, 0)
        if built is not None and built.library == FLEXIBLE_PACKAGE:
            return LimiterCall(mod.path, span, "flexible", text, call, construction=built, key=args[0])
        if built is None and _limiter_named(receiver, pf):
            return LimiterCall(mod.path, span, "heuristic", text, call, key=args[0])
        return None

    def _check_call(self, mod: Module, call, callee) -> LimiterCall | None:
        """`limiter.check(…)` on a receiver named as a limiter: the hand-written LRU-cache limiter
        of Next.js' example `api-routes-rate-limit` (`check(res, limit, token)` rejects over the
        limit) and its variants that resolve `{ success }` (`check(limit, token)`). In every
        variant the key (token) comes last."""
        receiver = unwrap(callee.child_by_field_name("object"))
        args = args_of(call)
        if receiver is None or not args or self.construction(mod, receiver, 0) is not None \
                or not _limiter_named(receiver, mod.pf):
            return None
        return LimiterCall(mod.path, mod.pf.span(call), "heuristic", callee_text(call, mod.pf), call, key=args[-1])

    def _arcjet_client(self, mod: Module, call, depth: int) -> bool:
        """Whether a call builds an Arcjet client with a rate-limit rule: `arcjet({ rules: […] })`
        of an `@arcjet/…` package, or `client.withRule(rule)` (its rules and the client's)."""
        pf = mod.pf
        callee = unwrap(call.child_by_field_name("function"))
        if callee is None:
            return False
        if callee.type == "member_expression" and prop_name(callee, pf) == "withRule":
            base = self.construction(mod, callee.child_by_field_name("object"), depth + 1)
            return any(self._arcjet_rate_rule(mod, rule) for rule in args_of(call)) or (
                base is not None and base.library == ARCJET)
        bind = mod.top.get(pf.text(callee)) if callee.type == "identifier" else None
        if bind is None or bind.kind != "import" or not bind.source.startswith("@arcjet/"):
            return False
        options = unwrap(next(iter(args_of(call)), None))
        rules = jsvalues.object_pairs(options, pf).get("rules") if options is not None else None
        rules = unwrap(rules[1]) if rules is not None else None
        return rules is not None and rules.type == "array" and any(
            self._arcjet_rate_rule(mod, rule) for rule in rules.named_children)

    @staticmethod
    def _arcjet_rate_rule(mod: Module, rule) -> bool:
        """`slidingWindow(…)`, `fixedWindow(…)`, `tokenBucket(…)` imported from an `@arcjet/…` package."""
        rule = unwrap(rule)
        callee = unwrap(rule.child_by_field_name("function")) if rule is not None and rule.type == "call_expression" \
            else None
        if callee is None or callee.type != "identifier" or mod.pf.text(callee) not in ARCJET_RATE_RULES:
            return False
        bind = mod.top.get(mod.pf.text(callee))
        return bind is not None and bind.kind == "import" and bind.source.startswith("@arcjet/")

    def _query_chain(self, mod: Module, node, depth: int) -> bool:
        """Whether a `.limit(` receiver is a query builder chain (Drizzle, Prisma, Kysely, …)."""
        pf = mod.pf
        steps = 0
        while node is not None and steps < 40:
            steps += 1
            node = unwrap_await(node)
            if node is None:
                return False
            if node.type == "call_expression":
                callee = unwrap(node.child_by_field_name("function"))
                if callee is not None and callee.type == "member_expression" and \
                        prop_name(callee, pf) in QUERY_METHODS:
                    return True
                node = callee
            elif node.type == "member_expression":
                if prop_name(node, pf) in QUERY_METHODS:
                    return True
                node = node.child_by_field_name("object")
            elif node.type == "identifier":
                name = pf.text(node)
                if name.lower() in QUERY_ROOTS or name.lower().endswith(("query", "db", "builder")):
                    return True
                if depth < 3:
                    bind = self.lookup(mod, name, node)
                    if bind is not None and bind.kind == "var" and bind.value is not None:
                        return self._query_chain(mod, bind.value, depth + 1)
                return False
            elif node.type == "this":
                return False
            else:
                return False
        return False

    def construction(self, mod: Module, expr, depth: int) -> Construction | None:
        """The `new Ratelimit(...)` an expression evaluates to (through bindings, imports and
        factories), a Construction with path 'cloudflare' for a `RateLimit`-typed binding, or None."""
        if expr is None or depth > MAX_RESOLVE_DEPTH:
            return None
        key = (mod.path, expr.start_byte, expr.end_byte)
        if key in self._construction_memo:
            return self._construction_memo[key]
        self._construction_memo[key] = None  # cycle guard
        found = self._construction(mod, expr, depth)
        self._construction_memo[key] = found
        return found

    def _construction(self, mod: Module, expr, depth: int) -> Construction | None:
        pf = mod.pf
        expr = unwrap_await(expr)
        if expr is None:
            return None
        t = expr.type
        if t == "new_expression":
            ctor = unwrap(expr.child_by_field_name("constructor"))
            if ctor is None:
                return None
            name = last_name(ctor, pf) if ctor.type in ("identifier", "member_expression") else ""
            imported = None
            if ctor.type == "identifier":
                bind = mod.top.get(name)
                if bind is not None and bind.kind == "import":
                    imported = bind.source
            if name in UPSTASH_CLASSES or imported == UPSTASH_PACKAGE:
                args = args_of(expr)
                analytics = None
                if args:
                    pairs = jsvalues.object_pairs(args[0], pf)
                    if "analytics" in pairs:
                        value = jsvalues.literal(pairs["analytics"][1], pf)
                        analytics = value if isinstance(value, bool) else None
                    else:
                        analytics = False
                return Construction(mod.path, pf.span(expr), analytics, name == "MultiRegionRatelimit")
            if imported == FLEXIBLE_PACKAGE:
                return Construction(mod.path, pf.span(expr), None, library=FLEXIBLE_PACKAGE)
            return None
        if t == "identifier":
            name = pf.text(expr)
            bind = self.lookup(mod, name, expr)
            if bind is None:
                return None
            if bind.kind == "param":
                return self._typed(bind, pf)
            if bind.kind == "import":
                found = self.resolve_binding(mod, bind, depth)
                if found is None:
                    return None
                target_mod, target = found
                if isinstance(target, Bind):
                    return self._bind_construction(target_mod, target, depth + 1)
                return self.construction(target_mod, target, depth + 1)
            return self._bind_construction(mod, bind, depth + 1)
        if t in ("ternary_expression", "binary_expression"):  # `c ? a : b`, `a ?? b`: the first side that is one
            sides = ("consequence", "alternative") if t == "ternary_expression" else ("left", "right")
            for side in sides:
                found = self.construction(mod, expr.child_by_field_name(side), depth + 1)
                if found is not None:
                    return found
            return None
        if t == "call_expression" and self._arcjet_client(mod, expr, depth):
            return Construction(mod.path, pf.span(expr), None, library=ARCJET)
        if t == "call_expression":
            target = self.resolve_function(mod, expr.child_by_field_name("function"), depth + 1)
            if target is None:
                return None
            fmod, fn = target
            return self._returned_construction(fmod, fn, depth + 1)
        if t == "member_expression":
            obj = unwrap(expr.child_by_field_name("object"))
            prop = prop_name(expr, pf)
            if obj is not None and obj.type == "identifier":
                bind = self.lookup(mod, pf.text(obj), obj)
                if bind is not None:
                    found = self._bind_value(mod, bind, depth + 1)
                    if found is not None and found[1] is not None:
                        value = unwrap(found[1])
                        if value is not None and value.type == "object":
                            pair = jsvalues.object_pairs(value, found[0].pf).get(prop)
                            if pair is not None:
                                return self.construction(found[0], pair[1], depth + 1)
            return None
        return None

    def _typed(self, bind: Bind, pf: ParsedFile) -> Construction | None:
        decl = bind.decl
        if decl is None:
            return None
        annotation = decl.child_by_field_name("type") if decl.type in (
            "required_parameter", "optional_parameter", "variable_declarator") else None
        text = pf.text(annotation) if annotation is not None else ""
        if re.search(r"\b(MultiRegion)?Ratelimit\b", text):
            return Construction(pf.path, pf.span(decl), None)
        if re.search(r"\bRateLimit(er)?\b", text):
            return Construction("cloudflare", pf.span(decl), None)
        return None

    def _bind_construction(self, mod: Module, bind: Bind, depth: int) -> Construction | None:
        if bind.kind == "var":
            found = self.construction(mod, bind.value, depth) if bind.value is not None else None
            if found is not None:
                return found
            for right in mod.assigned(bind.name) if bind.decl is not None and _is_top(bind.decl) else []:
                found = self.construction(mod, right, depth)
                if found is not None:
                    return found
            return self._typed(bind, mod.pf)
        if bind.kind == "function":
            return None
        return None

    def _returned_construction(self, mod: Module, fn, depth: int) -> Construction | None:
        body = function_body(fn)
        if body is None:
            return None
        if body.type != "statement_block":
            return self.construction(mod, body, depth)
        for node in mod.pf.walk(body):
            if node.type == "return_statement" and enclosing_function(node) == fn and node.named_child_count:
                found = self.construction(mod, node.named_children[0], depth)
                if found is not None:
                    return found
        return None

    def binding_name(self, mod: Module, expr, depth: int, *, via_arguments: bool = False) -> str | None:
        """NAME in `env.NAME`, `getRequestContext().env.NAME`, `env["NAME"]`, or a variable holding
        it; with `via_arguments`, also a parameter given `env.NAME` by the function's callers."""
        pf = mod.pf
        steps = 0
        while expr is not None and steps < 6 and depth < MAX_RESOLVE_DEPTH:
            steps += 1
            expr = unwrap(expr)
            if expr is None:
                return None
            if expr.type == "member_expression":
                obj = unwrap(expr.child_by_field_name("object"))
                if obj is not None and _env_like(obj, pf):
                    return prop_name(expr, pf)
                return None
            if expr.type == "subscript_expression":
                obj = unwrap(expr.child_by_field_name("object"))
                index = expr.child_by_field_name("index")
                value = string_value(index, pf) if index is not None else None
                if obj is not None and _env_like(obj, pf) and value:
                    return value
                return None
            if expr.type == "identifier":
                bind = self.lookup(mod, pf.text(expr), expr)
                if bind is None:
                    return None
                if bind.kind == "var" and bind.value is not None:
                    expr = bind.value
                    continue
                if bind.kind == "destructured" and bind.value is not None and bind.key not in (None, "...", "[]"):
                    if _env_like(unwrap_await(bind.value), pf):
                        return bind.key
                if via_arguments and bind.kind == "param" and bind.key is None and bind.decl is not None:
                    return self._argument_binding(mod, bind.decl, depth + 1)
                return None
            if expr.type == "call_expression":  # getRateLimiter(): what the function returns
                callee = expr.child_by_field_name("function")
                target = self.resolve_function(mod, callee) if callee is not None else None
                if target is None:
                    return None
                for returned in returned_values(target[1]):
                    name = self.binding_name(target[0], returned, depth + 1)
                    if name is not None:
                        return name
                return None
            return None
        return None

    def _argument_binding(self, mod: Module, param, depth: int) -> str | None:
        """The binding a helper's parameter receives: `helper(env.LIMITER, key)` at a call site in
        its module or in a module that imports it (the first call site that passes one)."""
        function = param.parent
        if function is not None and function.type == "formal_parameters":
            function = function.parent
        if function is None or function.type not in FUNCTION_TYPES or depth >= MAX_RESOLVE_DEPTH:
            return None
        index = next((i for i, p in enumerate(parameters_of(function)) if p.id == param.id), None)
        if index is None:
            return None
        for path in [mod.path, *(importer for importer, _names in self.direct_importers(mod.path))]:
            caller = self.module(path)
            if caller is None:
                continue
            for call in caller.pf.nodes_within(caller.pf.root, "call_expression"):
                callee = call.child_by_field_name("function")
                args = args_of(call)
                if callee is None or len(args) <= index or callee.type not in ("identifier", "member_expression"):
                    continue
                target = self.resolve_function(caller, callee, depth + 1)
                if target is not None and target[0].path == mod.path and target[1].id == function.id:
                    name = self.binding_name(caller, args[index], depth + 1)
                    if name is not None:
                        return name
        return None

    def limiter_calls(self) -> list[LimiterCall]:
        """Every limiter call in the app's files (a byte prefilter decides what is parsed)."""
        if self._limiter_calls is None:
            needles = [b".limit(", b".limit?.(", b"blockUntilReady", b".consume(", *CHECK_NEEDLES, ARCJET_NEEDLE] + \
                      [n.rsplit(".", 1)[-1].encode() for n in self.options.limiters]
            found = []
            for path in self.app_files_containing(*needles):
                mod = self.module(path)
                if mod is None:
                    continue
                for node in mod.pf.nodes("call_expression"):
                    call = self.limiter_call(mod, node)
                    if call is not None:
                        found.append(call)
            self._limiter_calls = found
        return self._limiter_calls

    # -- reach ---------------------------------------------------------------------------------

    def _by_name(self, mod: Module, call, name: str, target=None) -> LimiterCall | None:
        """A call to a function *named* as a rate limiter (`checkRateLimit`, `withRateLimit`):
        accepted when its definition cannot be followed (a package) or plausibly decides
        (mentions `success`, throws, answers 429, counts with INCR, returns `count <= limit`…)."""
        if not name or _NOT_A_CHECK.match(name) or _NOT_A_CHECK_SUFFIX.search(name):
            return None
        if target is None:
            if not re.search(r"rate_?limit", name, re.IGNORECASE):
                return None
        else:
            if not _RATE_NAME.search(name):
                return None
            tmod, fn = target
            body = function_body(fn) or fn
            if not _DECIDES.search(tmod.pf.source[body.start_byte:body.end_byte].decode("utf-8", "replace")):
                return None
        return LimiterCall(mod.path, mod.pf.span(call), "by-name", callee_text(call, mod.pf), call)

    def function_reach(self, mod: Module, fn, budget: int = MAX_CALL_DEPTH, methods: tuple = ()) -> Reach | None:
        """The best path from function `fn` to a limiter call, following calls `budget` deep; with
        `methods`, only through calls that run for all of them (not in an `if (req.method ===
        'GET')` branch)."""
        key = (mod.path, fn.start_byte, fn.end_byte, budget, methods)
        if key in self._reach_memo:
            return self._reach_memo[key]
        ident = key[:3]
        if ident in self._active:
            return None
        self._active.add(ident)
        try:
            result = self._function_reach(mod, fn, budget, methods)
        finally:
            self._active.discard(ident)
        self._reach_memo[key] = result
        return result

    def _function_reach(self, mod: Module, fn, budget: int, methods: tuple = ()) -> Reach | None:
        body = function_body(fn) or fn
        best: Reach | None = None
        pf = mod.pf
        for node in pf.nodes_within(body, "call_expression"):
            branch = _method_branch(pf, node, fn) if methods else None
            if branch is not None and not branch >= set(methods):
                continue
            found = self.call_reach(mod, node, budget, fn)
            if found is not None and (best is None or (found.score, found.needs_param is None) >
                                      (best.score, best.needs_param is None)):
                best = found
                if best.score == 3 and best.needs_param is None:
                    break
        if best is not None and best.needs_param is None:
            guard = _param_guard(pf, fn, best.hops[0].node)
            if guard is not None:
                best = dataclasses.replace(best, needs_param=(guard, ()))
        return best

    def call_reach(self, mod: Module, call, budget: int, fn=None) -> Reach | None:
        """Whether a call applies a limiter: it is one, or it calls a function that does."""
        pf = mod.pf
        hop = Hop(mod.path, call, pf)
        limiter = self.limiter_call(mod, call)
        if limiter is not None:
            usage = self.usage(mod, call, limiter.kind in OBJECT_VERDICTS)
            returns = usage in RETURNED and fn is not None and enclosing_function(call) == fn
            return Reach(limiter, (hop,), limiter.kind == "by-name", usage == "ignored", returns,
                         (hop,) if usage == "ignored" else (), verdict_flag=usage == "returned-success")
        callee = call.child_by_field_name("function")
        best = None
        target = self.resolve_function(mod, callee, prune=True) if callee is not None else None
        if budget > 0 and callee is not None:
            if target is not None:
                tmod, tfn = target
                inner = self.function_reach(tmod, tfn, budget - 1)
                if inner is not None:
                    ignored_here = returns = flag = False
                    if inner.returns_verdict:
                        usage = self.usage(mod, call, inner.call.kind in OBJECT_VERDICTS and not inner.verdict_flag)
                        ignored_here = usage == "ignored"
                        returns = usage in RETURNED and fn is not None and enclosing_function(call) == fn
                        flag = returns and (usage == "returned-success" or inner.verdict_flag)
                        if ignored_here:
                            self.ignored_helper_calls[(mod.path, call.start_byte)] = hop, inner.verdict_flag
                    passed = _passed_param(pf, call, *inner.needs_param, fn) if inner.needs_param is not None \
                        else None
                    if passed != "absent":
                        best = inner.via(hop, ignored_here=ignored_here, returns=returns, verdict_flag=flag,
                                         needs_param=passed if isinstance(passed, tuple) else None)
        if best is None:
            named = self._by_name(mod, call, last_name(callee, pf), target)
            if named is not None:
                best = Reach(named, (hop,), True)
        return best

    def expr_reach(self, mod: Module, expr, budget: int = MAX_CALL_DEPTH, *, callee_only: bool = False,
                   links: int = 0) -> Reach | None:
        """Reach of a value expression: a function, a wrapper call `withX(handler)`, a chain
        `client.use(mw).action(fn)`, an identifier bound to one of these. The links of one chain
        and the names followed to their values do not count as calls followed (`budget`); at most
        MAX_CHAIN_LINKS are followed."""
        if expr is None or budget < 0 or links > MAX_CHAIN_LINKS:
            return None
        expr = unwrap_await(expr)
        if expr is None:
            return None
        pf = mod.pf
        t = expr.type
        if t in FUNCTION_TYPES:
            return None if callee_only else self.function_reach(mod, expr, budget)
        if t == "identifier":
            bind = self.lookup(mod, pf.text(expr), expr)
            if bind is None or self._pruned(mod, bind):
                return None
            found = self._bind_value(mod, bind, 0)
            if found is None or found[1] is None:
                return None
            # what a name holds is no call followed: a link (`authClient = client.use(auth)`)
            return self.expr_reach(found[0], found[1], budget, callee_only=callee_only, links=links + 1)
        if t == "call_expression":
            return self.wrapper_reach(mod, expr, budget, include_args=not callee_only, links=links)
        if t == "member_expression":  # a smaller part of the same expression: no call followed
            while expr is not None and expr.type == "member_expression":  # `a.b.c`: no recursion
                expr = unwrap_await(expr.child_by_field_name("object"))
            return self.expr_reach(mod, expr, budget, links=links + 1)
        if t == "array":
            best = None
            for element in expr.named_children:
                found = self.expr_reach(mod, element, budget - 1)
                if found is not None and (best is None or found.score > best.score):
                    best = found
            return best
        return None

    def wrapper_reach(self, mod: Module, call, budget: int, *, include_args: bool = True,
                      links: int = 0) -> Reach | None:
        """Reach of `withX(handler, …)`: through the wrapper's definition (the callee) and, with
        `include_args`, through its function-valued arguments."""
        pf = mod.pf
        hop = Hop(mod.path, call, pf)
        callee = unwrap(call.child_by_field_name("function"))
        best = None
        if callee is not None:
            name = last_name(callee, pf)
            text = callee_text(call, pf)
            if any(text == w or text.endswith("." + w) or name == w for w in self.options.wrappers):
                return Reach(LimiterCall(mod.path, pf.span(call), "configured", text, call), (hop,))
            target = self.resolve_function(mod, callee, prune=True)
            if target is not None:
                inner = self.function_reach(target[0], target[1], budget - 1)
                if inner is not None:
                    best = inner.via(hop)
            elif callee.type == "call_expression":  # withX(options)(handler)
                best = self.wrapper_reach(mod, callee, budget - 1, include_args=True)
            elif callee.type == "member_expression":  # client.use(mw).action(fn): links of one chain are free
                best = self.expr_reach(mod, callee.child_by_field_name("object"), budget, links=links + 1)
            if best is None:
                named = self._by_name(mod, call, name, target)
                if named is not None:
                    best = Reach(named, (hop,), True)
        if include_args:
            for arg in args_of(call):
                arg = unwrap(arg)
                if arg is None or arg.type not in FUNCTION_TYPES | {"identifier", "call_expression"}:
                    continue
                found = self.expr_reach(mod, arg, budget - 1)
                if found is not None and (best is None or found.score > best.score):
                    best = found
        return best

    # -- how a call's result is used --------------------------------------------------------

    def usage(self, mod: Module, call, object_verdict: bool = False) -> str:
        """'checked' | 'ignored' | 'returned' | 'unknown' for the verdict of a limiter call (or of a
        helper that returns it; `object_verdict`: see `result_usage`)."""
        key = (mod.path, call.start_byte, call.end_byte, object_verdict)
        if key not in self._usage_memo:
            self._usage_memo[key] = result_usage(mod.pf, call, object_verdict).kind
        return self._usage_memo[key]

    # -- user actions --------------------------------------------------------------------------

    def actions(self) -> list[Action]:
        if self._actions is None:
            self._actions = self._find_actions()
        return self._actions

    def _find_actions(self) -> list[Action]:
        wanted = set(MUTATING) | ({"GET", "HEAD"} if self.options.include_get else set())
        actions: list[Action] = []
        for route in self.app.routes:
            if self.focus is not None and route.path not in self.focus:
                continue
            if route.kind == "route" and route.router == "app":
                mod = self.module(route.path)
                if mod is None:
                    continue
                for method in HTTP_METHODS:
                    if method not in wanted or method not in mod.exports:
                        continue
                    vmod, node, span = self.export_value(mod, method)
                    actions.append(Action("route", route.path, route.url, method, span, route, node=node,
                                          node_path=vmod.path if vmod is not None else ""))
            elif route.kind == "api":
                mod = self.module(route.path)
                if mod is None or "default" not in mod.exports:
                    continue
                vmod, node, span = self.export_value(mod, "default")
                methods = self._api_methods(vmod, node) if vmod is not None else None
                if methods is None:
                    name = "ANY"
                else:
                    chosen = [m for m in HTTP_METHODS if m in methods and m in wanted]
                    if not chosen:
                        continue
                    name = "|".join(chosen)
                actions.append(Action("api", route.path, route.url, name, span, route, node=node,
                                      node_path=vmod.path if vmod is not None else ""))
        handlers = {r.path for r in self.app.routes if r.kind in ("route", "api")}
        for path in self.app_files_containing(b"use server"):
            if self.focus is not None and path not in self.focus:
                continue
            summary = self.ws.summary(path)
            mod = self.module(path)
            if summary is None or mod is None:
                continue
            if summary.use_server:
                values = sorted(((self.export_value(mod, name), name) for name in mod.exports),
                                key=lambda item: item[0][2])
                for (vmod, node, span), name in values:
                    if node is None or not _callable_value(node):
                        continue
                    label = name if name != "default" else (self._default_name(mod) or "default")
                    pages = self.pages_using(path, name)
                    if path in handlers and not pages:
                        continue  # a route handler file that no page imports: its exports get no action IDs
                    actions.append(Action("server-action", path, pages[0] if pages else None, label, span, None,
                                          pages, node=node, node_path=vmod.path))
                continue
            for fn in self._inline_server_functions(mod):
                name_node, label = _function_label(fn, mod.pf)
                pages = self.pages_using(path)
                actions.append(Action("server-action", path, pages[0] if pages else None, label,
                                      mod.pf.span(name_node), None, pages, True, node=fn, node_path=path))
        return actions

    def _default_name(self, mod: Module) -> str:
        entry = mod.exports.get("default")
        if entry and entry[0] == "local":
            return entry[1]
        if entry and entry[0] == "node":
            name = entry[1].child_by_field_name("name") if entry[1].type in FUNCTION_TYPES else None
            return mod.pf.text(name) if name is not None else ""
        return ""

    def export_value(self, mod: Module, name: str):
        """(module holding the value, value node, span of the exported name) of a module export."""
        entry = mod.exports.get(name)
        summary_export = mod.summary.exports.get(name) if mod.summary is not None else None
        span = summary_export.span if summary_export is not None else Span(1, 1, 1, 1)
        if entry is None:
            return None, None, span
        if entry[0] == "node":
            return mod, entry[1], span
        if entry[0] == "local":
            bind = mod.top.get(entry[1])
            if bind is None:
                return None, None, span
            if summary_export is None and bind.node is not None:
                span = mod.pf.span(bind.node)
            if bind.kind == "import":
                found = self.resolve_binding(mod, bind, 0)
                if found is None:
                    return None, None, span
                return found[0], _as_value(found), span
            if bind.kind == "destructured" and bind.key not in (None, "...", "[]") and bind.value is not None:
                return mod, bind.value, span  # `export const { GET, POST } = makeHandlers(…)`: what it is taken from
            return mod, (bind.value if bind.kind in ("function", "var") else None), span
        if entry[0] == "reexport":
            target = self.resolve_import(mod, entry[1])
            found = self.export_target(target, entry[2]) if target is not None else None
            if found is None:
                return None, None, span
            return found[0], _as_value(found), span
        return None, None, span

    def node_module(self, action: Action) -> Module | None:
        """The module that holds the action's value node (a re-export points elsewhere)."""
        return self.module(action.node_path or action.path) if action.node is not None else None

    def _api_methods(self, mod: Module, node) -> set[str] | None:
        """HTTP methods a Pages API handler branches on, or None when it does not look; those a
        wrapper is given handlers for (`withMiddlewares({ POST: handler })`)."""
        value = unwrap(node) if node is not None else None
        if value is not None and value.type == "call_expression":
            mapped = {key for arg in args_of(value) for key in _method_map(unwrap(arg), mod.pf)}
            if mapped:
                return mapped
        target = self.resolve_function(mod, node) if node is not None else None
        if target is None and node is not None and unwrap(node) is not None and unwrap(node).type == "call_expression":
            for arg in args_of(unwrap(node)):
                target = self.resolve_function(mod, arg)
                if target is not None:
                    break
        if target is None:
            return None
        fmod, fn = target
        pf = fmod.pf
        found: set[str] = set()
        negated: set[str] = set()
        for n in pf.walk(fn):
            if n.type == "member_expression" and prop_name(n, pf) == "method":
                parent = n.parent
                if parent is None:
                    continue
                if parent.type == "binary_expression":
                    op = parent.child_by_field_name("operator")
                    other = parent.child_by_field_name("right") if parent.child_by_field_name("left") == n \
                        else parent.child_by_field_name("left")
                    value = string_value(other, pf) if other is not None else None
                    if value and value.upper() in HTTP_METHODS:
                        (negated if op is not None and op.type in ("!==", "!=") else found).add(value.upper())
                elif parent.type == "parenthesized_expression" and parent.parent is not None and \
                        parent.parent.type == "switch_statement":
                    for case in pf.walk(parent.parent.child_by_field_name("body")):
                        if case.type == "switch_case":
                            value = case.child_by_field_name("value")
                            text = string_value(value, pf) if value is not None else None
                            if text and text.upper() in HTTP_METHODS:
                                found.add(text.upper())
                elif parent.type == "arguments" and parent.parent is not None and \
                        parent.parent.type == "call_expression":
                    callee = parent.parent.child_by_field_name("function")
                    if callee is not None and callee.type == "member_expression" and \
                            prop_name(callee, pf) == "includes":
                        obj = unwrap(callee.child_by_field_name("object"))
                        if obj is not None and obj.type == "array":
                            for item in obj.named_children:
                                text = string_value(item, pf)
                                if text and text.upper() in HTTP_METHODS:
                                    found.add(text.upper())
        if not found and not negated:
            # No method check: it answers every method. Treat it as a read (like GET) unless it
            # reads a request body, i.e. accepts submissions.
            params = parameters_of(fn)
            names = [n for p in params[:1] for n, _k, _i in pattern_names(p, pf)] or ["req", "request"]
            body = function_body(fn) or fn
            text = pf.source[body.start_byte:body.end_byte].decode("utf-8", "replace")
            reads_body = any(re.search(rf"\b{re.escape(n)}\s*\.\s*(body|json|formData|text|arrayBuffer|blob)\b", text)
                             for n in names)
            return None if reads_body else {"GET", "HEAD"}
        if negated and not found:
            return negated  # `if (req.method !== 'POST') return 405`
        return found | negated

    def _inline_server_functions(self, mod: Module) -> list:
        from edgelint.summary import directives

        found = []
        pf = mod.pf
        for node in pf.walk():
            if node.type not in FUNCTION_TYPES:
                continue
            body = function_body(node)
            if body is None or body.type != "statement_block":
                continue
            if "use server" in directives(pf, body):
                found.append(node)
        return found

    # -- pages that use a module (for server actions) -----------------------------------

    def pages_using(self, path: str, name: str | None = None) -> tuple[str, ...]:
        """URL patterns of the App Router pages (and layouts and error boundaries, which render
        for every page of their segment) that import `path` — its export `name` when given —
        directly or through components (bounded breadth-first search up the import graph)."""
        routes = {r.path: r for r in self.app.routes if r.router == "app" and r.kind in (
            "page", "layout", "template", "default", "not-found", "error", "global-error")}
        urls: list[str] = []

        def record(route) -> None:
            for url in self._rendered_at(route):
                if url not in urls:
                    urls.append(url)

        if path in routes:
            record(routes[path])
            return tuple(urls)
        self.import_graph()
        seen = {path}
        frontier = [importer for importer, names in self.direct_importers(path)
                    if name is None or name in names or "*" in names]
        seen.update(frontier)
        for _ in range(MAX_IMPORTER_DEPTH):
            next_frontier = []
            for current in frontier:
                route = routes.get(current)
                if route is not None:
                    record(route)
                    continue
                for importer in self._reverse.get(current, ()):
                    if importer not in seen and len(seen) < MAX_IMPORTER_FILES:
                        seen.add(importer)
                        next_frontier.append(importer)
            frontier = next_frontier
            if not frontier:
                break
        return tuple(sorted(urls))

    def _rendered_at(self, route) -> list[str]:
        """The URL patterns where a page, layout or error boundary renders. A layout inside a
        route group (`app/(admin)/layout.tsx`) wraps only the group's pages, so its patterns
        are theirs (or their common prefix + `/[[...path]]` when there are many)."""
        if route.kind not in ("layout", "error", "global-error"):
            return [route.url]
        under = route.url.removesuffix("/_" + route.kind).rstrip("/")
        folder = route.path.rpartition("/")[0]
        if route.kind != "layout" or not re.search(r"(?:^|/)\([^/]*\)(?:/|$)", folder):
            return [under + "/[[...path]]"]
        pages = sorted({r.url for r in self.app.routes if r.kind == "page" and route.path in r.layouts})
        if not pages:
            return [under + "/[[...path]]"]
        if len(pages) <= MAX_GROUP_PAGES:
            return pages
        common = os.path.commonprefix([p.split("/") for p in pages])
        return ["/".join(common).rstrip("/") + "/[[...path]]"]

    def direct_importers(self, path: str) -> list[tuple[str, set[str]]]:
        """Files that import `path`, each with the names it imports ('*' for a namespace,
        `export *`, a dynamic import or `require`)."""
        if path in self._importers:
            return self._importers[path]
        self.import_graph()
        found = []
        for candidate in self._reverse.get(path, ()):
            names = self._names_in_bytes(candidate, path)
            if names is None:  # not plainly written: the summary says
                names = self._names_in_summary(candidate, path)
            if names:
                found.append((candidate, names))
        self._importers[path] = found
        return found

    def _names_in_bytes(self, importer: str, path: str) -> set[str] | None:
        """What `importer` imports from `path`, read from its import statements in the bytes
        (`facts.imported_names`): no parse of every file that imports a server action."""
        data = self.ws.read(importer)
        if data is None:
            return None
        names: set[str] = set()
        for spec in self.ws.fact("import-specifiers", importer) or ():
            resolved = self.resolver.resolve(importer, spec)
            if resolved.is_file and resolved.target == path:
                found = facts.imported_names(data, spec)
                if found is None:
                    return None
                names |= found
        return names

    def _names_in_summary(self, importer: str, path: str) -> set[str]:
        summary = self.ws.summary(importer)
        names: set[str] = set()
        for imp in summary.imports if summary is not None else ():
            if imp.type_only:
                continue
            resolved = self.resolver.resolve(importer, imp.source)
            if resolved.is_file and resolved.target == path:
                if imp.kind in ("static", "reexport") and imp.names:
                    names.update(n for n, _local in imp.names)
                else:
                    names.add("*")
        return names

    # -- middleware ------------------------------------------------------------------------

    def middleware(self):
        """The app's middleware/proxy (a MiddlewareInfo), or False when there is none."""
        if self._middleware is None:
            self._middleware = self._load_middleware()
        return self._middleware

    def entry_reaches(self, mod: Module, expr) -> list[Reach]:
        """Every path from a middleware entry to a limiter: one per call site in its function(s)
        that reaches one (a middleware may limit different paths with different limiters)."""
        functions = []
        reaches: list[Reach] = []
        expr = unwrap_await(expr)
        if expr is not None and expr.type == "identifier":
            target = self.resolve_function(mod, expr)
            if target is not None:
                mod, expr = target
            else:
                bind = self.lookup(mod, mod.pf.text(expr), expr)
                found = self._bind_value(mod, bind, 0) if bind is not None else None
                if found is not None and found[1] is not None:
                    mod, expr = found[0], unwrap_await(found[1])
        if expr is None:
            return reaches
        if expr.type in FUNCTION_TYPES:
            functions.append((mod, expr))
        elif expr.type == "call_expression":  # clerkMiddleware(async (auth, req) => …), chain([...])
            wrapper = self.wrapper_reach(mod, expr, MAX_CALL_DEPTH, include_args=False)
            if wrapper is not None:
                reaches.append(wrapper)
            for arg in args_of(expr):
                target = self.resolve_function(mod, arg)
                if target is not None:
                    functions.append(target)
                else:
                    found = self.expr_reach(mod, arg, MAX_CALL_DEPTH)
                    if found is not None:
                        reaches.append(found)
        for fmod, fn in functions:
            body = function_body(fn) or fn
            for node in fmod.pf.nodes_within(body, "call_expression"):
                found = self.call_reach(fmod, node, MAX_CALL_DEPTH, fn)
                if found is not None:
                    reaches.append(found)
        return reaches

    def _load_middleware(self):
        routes = [r for r in self.app.routes if r.kind in ("middleware", "proxy")]
        if not routes:
            return False
        route = sorted(routes, key=lambda r: r.kind != "proxy")[0]
        mod = self.module(route.path)
        if mod is None:
            return MiddlewareInfo(route, None, [], matcher.UNKNOWN, None, "cannot be parsed")
        entry, entry_mod = None, None
        # a proxy file's function is its default or `proxy` export (REFERENCE.md §1.7: a `middleware`
        # export there fails `next build`, so it limits nothing)
        for name in ("proxy", "default") if route.kind == "proxy" else ("middleware", "default"):
            if name in mod.exports:
                entry_mod, entry, _span = self.export_value(mod, name)
                if entry is not None:
                    break
        reaches = self.entry_reaches(entry_mod, entry) if entry is not None else []
        problem = ""
        if entry is None and route.kind == "proxy" and "middleware" in mod.exports:
            problem = ("exports its function as `middleware`, which Next.js does not run in a proxy file "
                       "(`next build` fails: it takes the default or `proxy` export)")
        config = mod.summary.value("config") if mod.summary is not None else None
        config_export = mod.summary.exports.get("config") if mod.summary is not None else None
        config_loc = None
        if config_export is not None:
            config_loc = Location(route.path, config_export.value_span or config_export.span, "")
            bind = mod.top.get("config")
            if bind is not None and bind.kind == "var" and bind.value is not None:
                pair = jsvalues.object_pairs(bind.value, mod.pf).get("matcher")
                if pair is not None:
                    config_loc = Location(route.path, mod.pf.span(pair[0], pair[1]), "")
        if config is None:
            value = None
        elif isinstance(config, dict):
            value = _revive(config.get("matcher"))
        else:
            value = matcher.UNKNOWN
        nc = self.app.next_config
        base_path = nc.value("basePath") if nc is not None else None
        locales = nc.value("i18n", "locales") if nc is not None else None
        default_locale = nc.value("i18n", "defaultLocale") if nc is not None else None
        entries = matcher.compile_matcher(
            value, base_path=base_path if isinstance(base_path, str) else "",
            locales=locales if isinstance(locales, list) else None,
            default_locale=default_locale if isinstance(default_locale, str) else None)
        return MiddlewareInfo(route, mod, reaches, entries, config_loc, problem, value)

    def middleware_coverage(self, action: Action) -> MiddlewareCoverage:
        info = self.middleware()
        if not info:
            return MiddlewareCoverage("none", "there is no middleware")
        name = info.route.path
        if info.module is None:
            return MiddlewareCoverage("unknown", f"{name} cannot be parsed", name)
        if not info.reaches:
            return MiddlewareCoverage("no-limiter", f"{name} {info.problem or 'calls no rate limiter'}", name)
        effective = [r for r in info.reaches if not r.ignored]
        matcher_text = _matcher_text(info.value)
        evidence = []
        if info.config_location is not None:
            evidence.append(Location(info.config_location.path, info.config_location.span,
                                     f"middleware matcher {matcher_text}"))
        evidence += [r.call.location("the middleware's limiter call") for r in (effective or info.reaches)[:3]]
        evidence = tuple(dict.fromkeys(evidence))
        if not effective:
            return MiddlewareCoverage("no-limiter", f"{name} calls a limiter but ignores its verdict", name, evidence)
        if action.kind == "server-action":
            patterns = list(action.pages)
            if not patterns:
                if info.entries is None and any(not self._guards(r) for r in effective):
                    return MiddlewareCoverage("covered", f"{name} has no matcher and limits every request", name,
                                              evidence)
                return MiddlewareCoverage("unknown", f"no page that uses this server action was found, so "
                                          f"whether {name} (matcher {matcher_text}) covers it is unknown", name,
                                          evidence)
        else:
            patterns = [action.url or "/"]
        statuses, details, reasons = [], [], []
        for pattern in patterns:
            status, detail, reason = self._pattern_coverage(info, effective, pattern, action)
            statuses.append(status)
            details.append(detail)
            reasons.append(reason)
        missed = tuple(p for p, st in zip(patterns, statuses) if st != "covered")
        reason = next((r for r, st in zip(reasons, statuses) if st != "covered" and r), "")
        if all(s == "covered" for s in statuses):
            status = "covered"
        elif all(s == "not-covered" for s in statuses):
            status = "not-covered"
        elif any(s == "unknown" for s in statuses) and not any(s in ("covered", "partial") for s in statuses):
            status = "unknown"
        else:
            status = "partial"
        if len(patterns) == 1:
            detail = details[0]
        elif status == "not-covered" and all("does not match" in d for d in details):
            tails = {d.partition(" (and its limiter")[2] for d in details}  # the same condition for all
            tail = f", and its limiter{tails.pop()[:-1]}" if len(tails) == 1 and "" not in tails else ""
            detail = (f"{name}'s matcher {matcher_text} matches none of the pages that use it "
                      f"({', '.join(patterns)}){tail}")
        else:
            detail = _merged_details(patterns, details)
        return MiddlewareCoverage(status, detail, name, evidence, missed, reason)

    def _guards(self, reach: Reach) -> list[tuple[Module, object, bool]]:
        guards = []
        for hop in reach.hops:
            mod = self.module(hop.path)
            if mod is None:
                continue
            guards += [(mod, cond, polarity) for cond, polarity in guard_conditions(hop.node)]
        return guards

    def _pattern_coverage(self, info, reaches: list[Reach], pattern: str, action: Action) -> tuple[str, str, str]:
        name = info.route.path
        cov = matcher.route_coverage(info.entries, pattern)
        guarded = [(reach, self._guards(reach)) for reach in reaches]
        if cov.status == "not-covered":
            missed = f"{name}'s matcher {_matcher_text(info.value)} does not match {pattern}"
            if guarded and all(guards for _reach, guards in guarded):
                runs, unknown, chosen, conditions = self._guard_verdicts(guarded, pattern, action)
                if not any(runs) and not unknown and not chosen:  # the matcher alone would not cover it either
                    return "not-covered", f"{missed} (and its limiter only runs when {conditions})", "matcher-branch"
            return "not-covered", missed, "matcher"
        if cov.status == "unknown":
            return "unknown", f"{name}: {cov.detail}", "unknown"
        matcher_reason = "" if cov.status == "covered" else (
            "conditions" if "conditions" in cov.detail else "matcher")
        bypass = self._rewrite_bypass(info, reaches, pattern, action) if cov.status == "covered" else None
        if bypass is not None:
            return "partial", bypass, "rewrite"
        if any(not guards for _reach, guards in guarded):
            if cov.status == "partial":  # the matcher's own sentence says how partly
                how = cov.detail.replace(f" covers {pattern} only partly: it ", " ")
                return cov.status, f"{name} limits it, but its {how}", matcher_reason
            return cov.status, f"{name} limits it ({cov.detail})", matcher_reason
        runs, unknown, chosen, conditions = self._guard_verdicts(guarded, pattern, action)
        if unknown:
            return "partial", (f"{name} runs for {pattern} but calls its limiter only when {conditions} "
                               f"(a condition on the request path or method that edgelint cannot evaluate)"), "branch"
        if chosen:
            return "partial", (f"{name} runs for {pattern} but calls its limiter only when {conditions}, which the "
                               f"client decides by the headers or cookies it sends: it can skip the limiter"), "branch"
        if all(runs):
            return cov.status, f"{name} limits it ({cov.detail}; the limiter runs when {conditions})", matcher_reason
        if not any(runs):
            runs_for = (f"{name} runs on every request" if info.value is None else
                        f"{name}'s matcher {_matcher_text(info.value)} includes {pattern}")
            return ("not-covered", f"{runs_for}, but its limiter only runs when {conditions}, which excludes it",
                    "branch")
        return "partial", f"{name} limits {pattern} only for some URLs: its limiter runs when {conditions}", "branch"

    def _guard_verdicts(self, guarded, pattern: str, action: Action):
        """Whether the middleware's limiter runs for each sample URL of `pattern` given the
        conditions around its calls: (runs per URL, URLs undecided, URLs the client chooses,
        the conditions as text)."""
        samples = [url for url, _ in matcher.route_instantiations(pattern)]
        method = action.method if action.kind != "api" or action.name != "ANY" else None
        runs, unknown, chosen = [], [], []
        for url in samples:
            verdict = "F"
            for _reach, guards in guarded:
                path_verdict = "T"
                for mod, cond, polarity in guards:
                    value = Evaluator(self, mod, url, method, action.kind).cond(cond)
                    path_verdict = _and(path_verdict, value if polarity else _not(value))
                verdict = _or(verdict, path_verdict)
            runs.append(verdict in ("T", "A"))
            if verdict == "U":
                unknown.append(url)
            elif verdict == "C":
                chosen.append(url)
        conditions = " or ".join(
            "(" * (len(guarded) > 1) +
            " and ".join(("" if p else "not ") + f"`{_short(m.pf.text(unwrap(c) or c), 70)}`"
                         for m, c, p in guards) +
            ")" * (len(guarded) > 1)
            for _reach, guards in guarded)
        return runs, unknown, chosen, conditions

    def _rewrite_bypass(self, info, reaches: list[Reach], pattern: str, action: Action) -> str | None:
        """How a client reaches `pattern` past the middleware's limiter through a rewrite the
        middleware makes before it (see `edgelint.rewrites`), with a witness URL; None if none."""
        from edgelint import rewrites

        samples = [url for url, _ in matcher.route_instantiations(pattern)][:4]
        target = rewrites.route_regex(pattern)
        method = action.method if action.kind != "api" or action.name != "ANY" else None
        for reach in reaches:
            for hop in reach.hops:
                mod = self.module(hop.path)
                if mod is None:
                    continue
                pf = mod.pf

                def lookup(ident, mod=mod):
                    bind = self.lookup(mod, mod.pf.text(ident), ident)
                    return bind.value if bind is not None and bind.kind == "var" else None

                for cond, dest, exit_ in rewrites.early_rewrites(hop.node, pf):
                    for source in rewrites.candidate_sources(cond, samples, pf):
                        if not matcher.url_matches(info.entries, source):
                            continue
                        evaluator = Evaluator(self, mod, source, method, action.kind)
                        if evaluator.cond(cond) != "T":
                            continue
                        out = rewrites.destination(dest, source, pf, lambda n, e=evaluator: e.value(n, 0, {}), lookup)
                        if out is not None and out != source and target.match(out):
                            return (f"{info.route.path} rewrites {source} to {out} (line {pf.span(exit_).line}) "
                                    f"before its limiter runs, and middleware does not run again for a rewritten "
                                    f"request: {pattern} is reachable without the limiter")
        return None

    # -- coverage --------------------------------------------------------------------------

    def coverage(self) -> list[ActionCoverage]:
        if self._coverage is None:
            self._coverage = list(self.coverages())
        return self._coverage

    def coverages(self) -> Iterator[ActionCoverage]:
        """Each action's coverage in order, computed as it is asked for (and remembered): advice
        that needs the first action covered some way need not cover them all."""
        actions = self.actions()
        ignored = [url_glob(p) for p in self.options.ignore_urls]
        for index, action in enumerate(actions):
            if index == len(self._covered):
                self._covered.append(self._cover_unless_excluded(action, ignored))
            yield self._covered[index]

    def _cover_unless_excluded(self, action: Action, ignored: list) -> ActionCoverage:
        urls = [action.url] if action.kind != "server-action" else list(action.pages)
        hit = next((p for p, rx in zip(self.options.ignore_urls, ignored)
                    for u in urls if u and rx.match(u)), None) if urls else None
        if hit is not None and (action.kind != "server-action" or all(
                any(rx.match(u) for rx in ignored) for u in urls)):
            return ActionCoverage(action, None, (), f"excluded: {urls[0]} matches ignore-urls pattern {hit!r} "
                                  f"(a machine endpoint)", status="excluded", excluded_as="machine endpoint")
        status = self.refusal(action)
        if status is not None:
            return ActionCoverage(action, None, (), f"excluded: it only answers {status} (there is no work to "
                                  "limit)", status="excluded", excluded_as=f"only answers {status}")
        return self._cover(action)

    def refusal(self, action: Action) -> int | None:
        """The status of a route handler that does nothing but answer an error (`return new
        Response('Method Not Allowed', { status: 405 })`, `NextResponse.json(…, { status: 404 })`):
        a limiter would only answer 429 instead."""
        node = unwrap(action.node) if action.kind == "route" else None
        mod = self.node_module(action) if node is not None and node.type in FUNCTION_TYPES else None
        if mod is None:
            return None
        body = function_body(node)
        if body is not None and body.type == "statement_block":
            statements = [c for c in body.named_children if c.type != "comment"]
            if len(statements) != 1 or statements[0].type != "return_statement":
                return None
            body = next((c for c in statements[0].named_children if c.type != "comment"), None)
        value = unwrap_await(body)
        if value is None or value.type not in ("new_expression", "call_expression"):
            return None
        pf = mod.pf
        maker = value.child_by_field_name("constructor" if value.type == "new_expression" else "function")
        if maker is None or pf.text(maker) not in (("Response", "NextResponse") if value.type == "new_expression"
                                                   else ("Response.json", "NextResponse.json")):
            return None
        args = args_of(value)
        status = jsvalues.object_pairs(args[1], pf).get("status") if len(args) == 2 else None
        number = pf.text(status[1]) if status is not None else ""
        return int(number) if number.isdigit() and 400 <= int(number) <= 599 else None

    def inline_reach(self, action: Action) -> Reach | None:
        mod = self.node_module(action)
        node = action.node
        if mod is None or node is None:
            return None
        node = unwrap(node)
        if node is None:
            return None
        if node.type in FUNCTION_TYPES:
            return self.function_reach(mod, node, methods=action.handled_methods)
        if node.type == "call_expression":
            best = None
            stack = [(node, 0)]
            while stack:
                call, depth = stack.pop()
                for arg in _handler_arguments(call, mod.pf, action.handled_methods):
                    arg = unwrap(arg)
                    if arg is None:
                        continue
                    if arg.type in FUNCTION_TYPES or arg.type == "identifier":
                        target = self.resolve_function(mod, arg)
                        if target is not None:
                            found = self.function_reach(target[0], target[1])
                            if found is not None and (best is None or found.score > best.score):
                                best = found
                    elif arg.type == "call_expression" and depth < 4:
                        stack.append((arg, depth + 1))
            return best
        if node.type == "identifier":
            target = self.resolve_function(mod, node)
            return self.function_reach(*target) if target is not None else None
        return None

    def wrapper_of(self, action: Action) -> Reach | None:
        mod = self.node_module(action)
        node = unwrap(action.node) if action.node is not None else None
        while node is not None and node.type == "member_expression":  # `makeHandlers(auth).POST`, `handlers.POST`
            node = unwrap(node.child_by_field_name("object"))
        if mod is None or node is None:
            return None
        if node.type == "identifier":
            found = self.resolve_function(mod, node)
            if found is not None:
                return None
            bind = self.lookup(mod, mod.pf.text(node), node)
            value = self._bind_value(mod, bind, 0) if bind is not None else None
            if value is None and bind is not None:  # `{ handlers } = NextAuth(…)`: what it is taken from
                found = self.resolve_binding(mod, bind, 0) if bind.kind == "import" else (mod, bind)
                if found is not None and isinstance(found[1], Bind) and found[1].kind == "destructured":
                    value = (found[0], found[1].value)
            if value is None or value[1] is None:
                return None
            mod, node = value[0], unwrap(value[1])
        if node is None or node.type != "call_expression":
            return None
        best = None
        stack = [(node, 0)]
        while stack:
            call, depth = stack.pop()
            found = self.wrapper_reach(mod, call, MAX_CALL_DEPTH, include_args=False)
            if found is not None and (best is None or found.score > best.score):
                best = found
            for arg in _handler_arguments(call, mod.pf, action.handled_methods):
                arg = unwrap(arg)
                if arg is not None and arg.type == "identifier":  # `withMiddlewares({ POST: inner })`
                    bind = self.lookup(mod, mod.pf.text(arg), arg)
                    arg = unwrap(bind.value) if bind is not None and bind.kind == "var" and bind.value is not None \
                        else None
                if arg is not None and arg.type == "call_expression" and depth < 4:
                    stack.append((arg, depth + 1))
        return best

    def _cover(self, action: Action) -> ActionCoverage:
        mapped = self._mapped_methods(action)
        if len(mapped) > 1:  # a handler per method: each must be limited; the first that is not says so
            parts = [self._cover(dataclasses.replace(action, name=method)) for method in mapped]
            return next((part for part in parts if part.status != "covered"), dataclasses.replace(parts[0], action=action))
        inline = self.inline_reach(action)
        wrapper = self.wrapper_of(action)
        mw = self.middleware_coverage(action)
        options = []
        if inline is not None:
            options.append(("inline", inline))
        if wrapper is not None:
            options.append(("wrapper", wrapper))
        effective = [(k, r) for k, r in options if not r.ignored]
        real = [(k, r) for k, r in effective if not r.by_name]
        if effective:
            self._note_helper(action, effective[0][0], effective[0][1])
        if real:
            kind, reach = real[0]
            return ActionCoverage(action, kind, self._evidence(kind, reach, action), self._describe(kind, reach),
                                  status="covered", limiter_calls=(reach.call,), middleware=mw)
        if mw.status == "covered":
            return ActionCoverage(action, "middleware", mw.evidence, mw.detail, status="covered",
                                  limiter_calls=self._middleware_calls(), middleware=mw)
        endpoint = self._trpc_mutations(action) if not effective else None
        if endpoint:
            return endpoint
        if effective:
            kind, reach = effective[0]
            return ActionCoverage(action, kind, self._evidence(kind, reach, action), self._describe(kind, reach),
                                  status="covered", heuristic=True, limiter_calls=(reach.call,), middleware=mw)
        if mw.status == "partial":
            return ActionCoverage(action, "middleware", mw.evidence, mw.detail, partial=True, status="partial",
                                  limiter_calls=self._middleware_calls(), middleware=mw)
        if options:
            kind, reach = options[0]
            return ActionCoverage(action, None, self._evidence(kind, reach, action),
                                  f"{self._describe(kind, reach)}, but the limiter's verdict is ignored",
                                  status="not-covered", verdict_ignored=True, limiter_calls=(reach.call,),
                                  middleware=mw)
        status = "unknown" if mw.status == "unknown" else "not-covered"
        return ActionCoverage(action, None, mw.evidence, mw.detail, status=status, middleware=mw,
                              limited_methods=self._branch_limited(action))

    def _mapped_methods(self, action: Action) -> list[str]:
        """The methods of an API route exported as a map of handlers (`withMethods({ POST: a,
        DELETE: b })`) that the action covers, in the action's order; [] for any other export."""
        node = unwrap(action.node) if action.kind == "api" and action.node is not None else None
        mod = self.node_module(action) if node is not None and node.type == "call_expression" else None
        if mod is None:
            return []
        mapped = {m for arg in args_of(node) for m in _method_map(unwrap(arg), mod.pf)}
        return [m for m in action.methods if m in mapped]

    def _branch_limited(self, action: Action) -> tuple[str, ...]:
        """For an API route its limiter does not cover: the methods of the branch its limiter is in."""
        mod, node = self.node_module(action), unwrap(action.node)
        if action.kind != "api" or mod is None or node is None or node.type not in FUNCTION_TYPES:
            return ()
        reach = self.function_reach(mod, node)
        branch = _method_branch(mod.pf, reach.hops[0].node, node) if reach is not None else None
        return tuple(sorted(branch)) if branch else ()

    def _trpc_mutations(self, action: Action) -> ActionCoverage | None:
        """Coverage of a tRPC endpoint by its mutations (`edgelint.trpc`): covered when every
        mutation calls a limiter, partly when some do, excluded when the router has none (tRPC
        answers a POST to a query with 405), unknown when parts of the router cannot be read;
        None when it is no tRPC endpoint, or no mutation is limited (then it is judged as any
        other handler)."""
        from edgelint import trpc

        mod = self.node_module(action)
        found = trpc.adapter_router(self, mod, action.node) if mod is not None and action.kind != "server-action" \
            else None
        if found is None:
            return None
        mutations, unread = trpc.mutations(self, *found)
        reaches = [(m, self.expr_reach(m.module, m.node)) for m in mutations]
        limited = [(m, r) for m, r in reaches if r is not None and not r.ignored]
        unlimited = [f"`{m.name}`" for m, r in reaches if r is None or r.ignored]
        unknown = f"parts of its tRPC router cannot be read ({', '.join(f'`{u}`' for u in unread[:3])})" \
            if unread else ""
        if not reaches and not unread:
            return ActionCoverage(action, None, (), "its tRPC router has no mutation", status="excluded",
                                  excluded_as="tRPC router without mutations")
        if not limited:
            return ActionCoverage(action, None, (), unknown, status="unknown") if unknown and \
                not unlimited else None
        evidence = self._evidence("inline", limited[0][1], action)
        calls = tuple(dict.fromkeys(r.call for _m, r in limited))
        if unlimited:
            shown = ", ".join(unlimited[:5]) + (", …" if len(unlimited) > 5 else "")
            return ActionCoverage(action, "inline", evidence, f"{len(limited)} of its {len(reaches)} tRPC mutations "
                                  f"call{'s' if len(limited) == 1 else ''} a limiter, not {shown}" + (f"; {unknown}" if unknown else ""),
                                  partial=True, status="partial", limiter_calls=calls)
        if unknown:
            return ActionCoverage(action, "inline", evidence, f"every tRPC mutation of it that can be read calls a "
                                  f"limiter ({len(reaches)}), but {unknown}", status="unknown", limiter_calls=calls)
        return ActionCoverage(action, "inline", evidence, f"every tRPC mutation of it calls a limiter ({len(reaches)}; "
                              f"`{limited[0][0].name}`: {self._describe('inline', limited[0][1])})",
                              status="covered", limiter_calls=calls)

    def _middleware_calls(self) -> tuple[LimiterCall, ...]:
        info = self.middleware()
        return tuple(dict.fromkeys(r.call for r in info.reaches if not r.ignored)) if info else ()

    def _describe(self, kind: str, reach: Reach) -> str:
        call = reach.call
        if kind == "wrapper":
            what = f"wrapper `{_short(reach.hops[0].what, 40)}`"
        else:
            what = "the handler"
        via = " → ".join(f"`{_short(h.what, 40)}`" for h in reach.hops[:-1]) if len(reach.hops) > 1 else ""
        how = {"upstash": "an Upstash limiter", "cloudflare": "a Cloudflare rate-limiting binding",
               "flexible": "a rate-limiter-flexible limiter", "arcjet": "an Arcjet rate-limit rule",
               "configured": "a configured limiter",
               "heuristic": "a limiter",
               "by-name": "a function named as a rate limiter"}[call.kind]
        text = f"{what} calls {how} `{_short(call.callee, 50)}` ({call.path}:{call.span.line})"
        if kind == "inline" and via:
            text += f" via {via}"
        return text

    def _evidence(self, kind: str, reach: Reach, action: Action) -> tuple[Location, ...]:
        out = []
        if kind == "wrapper":
            hop = reach.hops[0]
            out.append(Location(hop.path, hop.span, f"wrapper `{_short(hop.what, 40)}`"))
            mod = self.module(hop.path)
            callee = hop.node.child_by_field_name("function") if hop.node is not None else None
            target = self.resolve_function(mod, callee) if mod is not None and callee is not None else None
            if target is not None:
                fn = target[1]
                name = fn.child_by_field_name("name") or fn
                out.append(Location(target[0].path, target[0].pf.span(name), "wrapper defined here"))
        out.append(reach.call.location())
        return tuple(dict.fromkeys(out))

    # -- findings helpers ----------------------------------------------------------------------

    def _note_helper(self, action: Action, kind: str, reach: Reach) -> None:
        """Remember a project helper through which a handler is limited (to suggest it)."""
        if kind != "inline" or len(reach.hops) < 2 or reach.by_name and reach.call.kind != "by-name":
            return
        hop = reach.hops[0]
        mod = self.module(hop.path)
        callee = hop.node.child_by_field_name("function")
        target = self.resolve_function(mod, callee) if mod is not None and callee is not None else None
        if target is None:
            return
        name = last_name(callee, mod.pf)
        fn = target[1]
        ident = fn.child_by_field_name("name") or fn
        group = "server-action" if action.kind == "server-action" else "handler"
        if name and (group, name) not in self._helpers:
            self._helpers[(group, name)] = (
                Location(target[0].path, target[0].pf.span(ident), "rate-limiting helper"), action.path,
                reach.by_name)

    def unfocused(self) -> "Analysis":
        """The analysis of every action of the app: advice names helpers and wrappers that other
        actions use, and a run on named files must give the same advice as a whole run. It takes
        over what this analysis learned that does not depend on the focus (parsed modules, the
        limiter calls, the import graph, …); its own reach and coverage start afresh, as their
        side effects (helpers, ignored helper verdicts) are this analysis's findings."""
        if self.focus is None:
            return self
        if self._whole is None:
            whole = self._whole = Analysis(self.ws, self.app, self.options, self.resolver)
            for name in _FOCUS_FREE:
                setattr(whole, name, getattr(self, name))
        return self._whole

    def known_helper(self, kind: str = "route") -> tuple[str, Location, str] | None:
        """(name, definition, a file using it) of the first project helper through which an
        action of the same kind (server actions, or handlers) is limited, one that calls a
        recognised limiter if any does; actions are covered in order only until it is known."""
        whole = self.unfocused()
        group = "server-action" if kind == "server-action" else "handler"
        if group in whole._known_helpers:  # asked once per finding: the answer is the same
            return whole._known_helpers[group]

        def first(recognised_only: bool):
            return next(((k[1], loc, user) for k, (loc, user, by_name) in whole._helpers.items()
                         if k[0] == group and not (recognised_only and by_name)), None)

        found = None
        for _covered in whole.coverages():
            found = first(recognised_only=True)
            if found is not None:
                break
        whole._known_helpers[group] = found = found or first(recognised_only=False)
        return found

    def known_wrapper(self) -> tuple[str, Location] | None:
        """The first wrapper that limits an action of this app (to suggest it for the others)."""
        whole = self.unfocused()
        if "wrapper" not in whole._known_helpers:
            whole._known_helpers["wrapper"] = whole._first_wrapper()
        return whole._known_helpers["wrapper"]

    def _first_wrapper(self) -> tuple[str, Location] | None:
        for cov in self.coverages():
            if cov.covered_by == "wrapper" and cov.status == "covered" and not cov.heuristic:
                loc = next((e for e in cov.evidence if e.message == "wrapper defined here"), None)
                name = _short(cov.evidence[0].message.removeprefix("wrapper ").strip("`"), 40) if cov.evidence else ""
                name = re.sub(r"\(.*$", "", name)
                if name and loc is not None:
                    return name, loc
        return None

    def known_limiter(self) -> LimiterCall | None:
        """A recognised, effective limiter call outside the middleware (to suggest it)."""
        middleware = {r.path for r in self.app.routes if r.kind in ("middleware", "proxy")}
        for call in self.limiter_calls():
            if call.kind not in ("upstash", "cloudflare"):
                continue
            built = call.construction.path if call.construction is not None else call.path
            if call.kind == "upstash" and built in middleware:
                continue
            if self.usage(self.module(call.path), call.node, True) != "ignored":
                return call
        return None


@dataclass
class MiddlewareInfo:
    route: object
    module: Module | None
    reaches: list[Reach]
    entries: object
    config_location: Location | None
    problem: str = ""
    value: object = None


# --------------------------------------------------------------------------------------------
# Helpers used by the analysis


def _revive(value, depth: int = 0):
    """Summary values keep non-literals as {'unknown': reason}; turn them back into UNKNOWN."""
    if depth > 16:
        return matcher.UNKNOWN
    if isinstance(value, dict):
        if set(value) == {"unknown"}:
            return matcher.UNKNOWN
        return {k: _revive(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_revive(v, depth + 1) for v in value]
    if isinstance(value, jsvalues.Unknown):
        return matcher.UNKNOWN
    return value


def _as_value(found):
    if found is None:
        return None
    mod, target = found
    if isinstance(target, Bind):
        return target.value if target.kind in ("function", "var") else None
    return target


def _is_top(decl) -> bool:
    node = decl.parent
    while node is not None and node.type in ("lexical_declaration", "variable_declaration", "export_statement"):
        node = node.parent
    return node is not None and node.type == "program"


def _callable_value(node) -> bool:
    node = unwrap(node)
    if node is None:
        return False
    return node.type in FUNCTION_TYPES or node.type in ("call_expression", "identifier", "member_expression")


def _function_label(fn, pf: ParsedFile):
    name = fn.child_by_field_name("name")
    if name is not None:
        return name, pf.text(name)
    parent = fn.parent
    while parent is not None and parent.type in WRAPPER_TYPES:
        parent = parent.parent
    if parent is not None and parent.type == "variable_declarator":
        ident = parent.child_by_field_name("name")
        if ident is not None:
            return ident, pf.text(ident)
    if parent is not None and parent.type == "pair":
        key = parent.child_by_field_name("key")
        if key is not None:
            return key, pf.text(key)
    if parent is not None and parent.type == "jsx_expression" and parent.parent is not None and \
            parent.parent.type == "jsx_attribute":
        attribute = parent.parent
        attr = attribute.named_children[0] if attribute.named_children else None
        element = attribute.parent
        tag = element.child_by_field_name("name") if element is not None else None
        tag_text = pf.text(tag) if tag is not None else "…"
        return fn, f"<{tag_text} {pf.text(attr) if attr is not None else 'action'}={{…}}>"
    return fn, "(inline)"


def _numeric(node, pf: ParsedFile, depth: int = 0) -> bool:
    """A numeric argument: `10`, `PAGE_SIZE * 2`, `Number(x)`, `parseInt(x)`."""
    node = unwrap(node)
    if node is None or depth > MAX_EXPR_DEPTH:
        return False
    if node.type == "number":
        return True
    if node.type == "binary_expression":
        op = node.child_by_field_name("operator")
        if op is not None and op.type in ("*", "-", "/", "%", "+"):
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if op.type != "+":
                return _numeric(left, pf, depth + 1) or _numeric(right, pf, depth + 1)
            return _numeric(left, pf, depth + 1) and _numeric(right, pf, depth + 1)
    if node.type == "call_expression":
        callee = node.child_by_field_name("function")
        return callee is not None and pf.text(callee) in ("Number", "parseInt", "parseFloat", "Math.min", "Math.max",
                                                           "Math.floor", "Math.ceil", "Math.round")
    if node.type == "identifier" and re.fullmatch(r"[A-Z][A-Z0-9_]*", pf.text(node)) and \
            _PAGINATION.search(pf.text(node)):
        return True
    return False


def _pagination(node, pf: ParsedFile) -> bool:
    node = unwrap(node)
    if node is None:
        return False
    if node.type in ("identifier", "member_expression"):
        name = last_name(node, pf) if node.type == "member_expression" else pf.text(node)
        return bool(_PAGINATION.search(name))
    if node.type in ("binary_expression", "ternary_expression"):
        return _numeric(node, pf) or bool(_PAGINATION.search(pf.text(node)))
    return False


def _env_like(node, pf: ParsedFile) -> bool:
    """`env`, `ctx.env`, `getRequestContext().env`, `context.cloudflare.env`, `c.env`, `this.env`."""
    node = unwrap_await(node)
    if node is None:
        return False
    if node.type == "identifier":
        return pf.text(node).lower() in ("env", "bindings", "cfenv", "cloudflareenv")
    if node.type == "member_expression":
        return prop_name(node, pf) in ("env", "bindings")
    return False


def _matcher_text(value) -> str:
    if value is None:
        return "(none: every request)"
    if matcher.is_unknown(value):
        return "(not a static literal)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        parts = []
        for item in value[:6]:
            if isinstance(item, dict):
                parts.append(repr(item.get("source", "?")))
            elif isinstance(item, str):
                parts.append(repr(item))
            else:
                parts.append("…")
        more = ", …" if len(value) > 6 else ""
        return "[" + ", ".join(parts) + more + "]"
    return repr(value)


# --------------------------------------------------------------------------------------------
# Result usage (EDGE602, EDGE605)


def _climb(call):
    node = call
    while node.parent is not None and (node.parent.type in WRAPPER_TYPES or node.parent.type == "await_expression"):
        node = node.parent
    return node


def _scope_of(node):
    fn = enclosing_function(node)
    if fn is not None:
        return function_body(fn) or fn
    current = node
    while current.parent is not None:
        current = current.parent
    return current


def reads(pf: ParsedFile, scope, name: str, exclude) -> list:
    """Identifier nodes reading `name` inside `scope` (outside the `exclude` node)."""
    found = []
    encoded = name.encode()
    if encoded not in pf.source[scope.start_byte:scope.end_byte]:
        return found
    for node in pf.nodes_within(scope, "identifier", "shorthand_property_identifier"):
        if pf.node_bytes(node) == encoded:
            if exclude is not None and exclude.start_byte <= node.start_byte < exclude.end_byte:
                continue
            found.append(node)
    return found


def _handled_pending(read) -> bool:
    """A `pending` read that is awaited, passed to waitUntil/after, or handed on."""
    node = read
    for _ in range(8):
        parent = node.parent
        if parent is None:
            return False
        if parent.type == "await_expression":
            return True
        if parent.type in ("arguments", "return_statement", "array", "pair", "object"):
            return True
        if parent.type in ("expression_statement", "statement_block"):
            return False
        node = parent
    return False


@dataclass(frozen=True)
class Usage:
    kind: str  # 'ignored' | 'checked' | 'returned' | 'returned-success' (`return success`) | 'unknown'
    pending: bool | None  # `pending` read (awaited, handed on) / dropped / unknowable
    reason: str = ""  # for 'ignored': what happens to the verdict


def _counts_failures(pf: ParsedFile, statement, call) -> bool:
    """A discarded `limit()` that only *counts* a failure: the request is refused right after
    (`throw`, or `return` of an error), or the function reads the verdict another way
    (`getRemaining`): `await ratelimit.limit(key); throw new Error('Invalid code')`."""
    following = statement.next_named_sibling
    while following is not None and following.type == "comment":
        following = following.next_named_sibling
    if following is not None:
        if following.type == "throw_statement":
            return True
        if following.type == "return_statement" and re.search(r"error|status\s*:\s*4\d\d|\b4\d\d\b",
                                                              pf.text(following), re.IGNORECASE):
            return True
    fn = enclosing_function(call)
    scope = function_body(fn) if fn is not None else None
    return scope is not None and b".getRemaining(" in pf.source[scope.start_byte:scope.end_byte]


def _refuses_when_exhausted(pf: ParsedFile, read) -> bool:
    """`remaining <= 0`, `remaining < 1`, `remaining === 0`, `0 >= remaining`, `!remaining`: a
    test that holds for every request over the limit (@upstash/ratelimit returns `remaining` 0 or
    below for a refused request), so testing it is as good as testing `success`."""
    node = read
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    parent = node.parent
    if parent is not None and parent.type == "unary_expression" and parent.children[0].type == "!":
        return True
    if parent is None or parent.type != "binary_expression":
        return False
    op = parent.child_by_field_name("operator")
    left, right = parent.child_by_field_name("left"), parent.child_by_field_name("right")
    other = right if left == node else left
    if op is None or other is None or other.type != "number":
        return False
    flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
    operator = op.type if left == node else flipped.get(op.type, op.type)
    bound = float(pf.text(other))
    return (operator == "<=" and bound >= 0) or (operator == "<" and bound >= 1) or \
        (operator in ("===", "==") and bound == 0)


_LET_THROUGH = ("`{}` is read, but a request over the limit goes on: it is only logged, passed on "
                "(`NextResponse.next()`) or copied into a header")


_LOGGING = re.compile(r"^(?:console|logger|log)\b.*|.*\.(?:log|warn|info|debug|error|trace)$")


def _only_logs(pf: ParsedFile, block) -> bool:
    """Whether a branch does nothing but log (no exit, no call that may throw, like `redirect()`)."""
    statements = [c for c in block.named_children if c.type != "comment"] if block.type == "statement_block" \
        else [block]
    for statement in statements:
        call = unwrap(statement.named_children[0]) if statement.type == "expression_statement" and \
            statement.named_children else None
        callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" \
            else None
        if callee is None or not _LOGGING.match(pf.text(callee)):
            return False
    return bool(statements)


def _returned(read) -> bool:
    """Whether a read of the verdict is what its function returns (`return success`,
    `return !success`, `=> success`): the caller decides."""
    node = read
    while node.parent is not None and (node.parent.type == "parenthesized_expression" or (
            node.parent.type == "unary_expression" and node.parent.children[0].type == "!")):
        node = node.parent
    parent = node.parent
    return parent is not None and (parent.type == "return_statement" or (
        parent.type == "arrow_function" and parent.child_by_field_name("body") == node))


def _enforces(pf: ParsedFile, read) -> bool:
    """Whether a read of the verdict can refuse the request. Not: `if (!success) console.warn(…)`
    (only logged; the code goes on), `if (!success) return NextResponse.next()` (passed on), or the
    verdict only copied into a call's arguments (`headers.set('X-RateLimit-Success',
    String(success))`). Anything else is taken to enforce it."""
    node, negated = read, False
    while node.parent is not None and (node.parent.type == "parenthesized_expression" or (
            node.parent.type == "unary_expression" and node.parent.children[0].type == "!")):
        negated ^= node.parent.type == "unary_expression"
        node = node.parent
    parent = node.parent
    if parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is not None and parent.type == "if_statement" and negated:
        failing = parent.child_by_field_name("consequence")
        if not _always_exits(failing):
            return not _only_logs(pf, failing)  # else the code after the `if` runs for it too
        last = failing if failing.type != "statement_block" else \
            [c for c in failing.named_children if c.type != "comment"][-1]
        value = unwrap(last.named_children[0]) if last.type == "return_statement" and last.named_children else None
        return not (value is not None and re.match(r"(?:Next)?Response\.next\s*\(", pf.text(value)))
    climb = node
    while climb.parent is not None and climb.parent.type in ("call_expression", "arguments", "template_string",
                                                               "template_substitution", "binary_expression"):
        climb = climb.parent
        if climb.type == "arguments":
            callee = climb.parent.child_by_field_name("function") if climb.parent is not None else None
            text = pf.text(callee) if callee is not None else ""
            return not re.search(r"(?:headers\.(?:set|append)|console\.\w+|String)$", text)
    return True


def _rejection_usage(pf: ParsedFile, call) -> Usage:
    """How a rate-limiter-flexible `consume()` verdict is used: it *rejects* over the limit, so an
    awaited or returned call refuses the request by throwing ('checked'); a call neither awaited
    nor returned never lets its rejection reach the request ('ignored'), nor does one in a `try`
    whose `catch` is empty or only logs; `.then`/`.catch` chains: 'unknown'."""
    node = call
    while node.parent is not None and node.parent.type in WRAPPER_TYPES:
        node = node.parent
    parent = node.parent
    if parent is None:
        return Usage("unknown", None)
    if parent.type == "member_expression":
        return Usage("unknown", None)  # consume(…).then(…) / .catch(…)
    if parent.type == "expression_statement":
        return Usage("ignored", None, "the promise is neither awaited nor returned, so its rejection (over the "
                                      "limit) never stops the request")
    if parent.type not in ("await_expression", "return_statement", "arrow_function"):
        return Usage("unknown", None)
    current = parent
    while current is not None and current.type not in FUNCTION_TYPES:
        container = current.parent
        if container is not None and container.type == "try_statement" and \
                current == container.child_by_field_name("body"):
            handler = container.child_by_field_name("handler")
            body = handler.child_by_field_name("body") if handler is not None else None
            statements = [c for c in body.named_children if c.type != "comment"] if body is not None else []
            if body is not None and (not statements or _only_logs(pf, body)):
                return Usage("ignored", None, "a `catch` around it swallows its rejection (over the limit)")
            return Usage("checked", None)  # the catch answers, rethrows or records it (`retryIn = …`)
        current = container
    return Usage("checked", None)


def result_usage(pf: ParsedFile, call, object_verdict: bool = False) -> Usage:
    """How the verdict of a limiter call is used.

    'ignored': discarded, or `success` never read; 'checked'; 'returned' (the caller gets it);
    'unknown' (stored, passed on, …: not reported). With `object_verdict` (the call gives the
    `{ success, … }` object of Upstash or a Cloudflare binding, or the Promise of it), a test of
    the value itself (`if (!limiter.limit(key))`, `!(await env.RL.limit({ key }))`) is 'ignored':
    an object or a Promise is always truthy, so the test never refuses anything.
    """
    callee = unwrap(call.child_by_field_name("function"))
    method = prop_name(callee, pf) if callee is not None and callee.type == "member_expression" else ""
    node = _climb(call)
    if method == "consume" or (method == "check" and node.parent is not None
                               and node.parent.type == "expression_statement"):
        return _rejection_usage(pf, call)  # a `check` whose result is not taken rejects over the limit
    parent = node.parent
    if parent is None:
        return Usage("unknown", None)
    t = parent.type
    if t == "expression_statement":
        if _counts_failures(pf, parent, call):
            return Usage("checked", False)
        return Usage("ignored", False, "its result is discarded")
    if t == "variable_declarator" and parent.child_by_field_name("value") == node:
        return _pattern_usage(pf, parent.child_by_field_name("name"), _scope_of(parent), object_verdict)
    if t == "array":  # `const [{ success }, user] = await Promise.all([limiter.limit(key), …])`
        return _promise_all_usage(pf, node, parent, object_verdict)
    if t == "return_statement" or (t == "arrow_function" and parent.child_by_field_name("body") == node):
        return Usage("returned", None)
    if t == "member_expression" and parent.child_by_field_name("object") == node:
        prop = prop_name(parent, pf)
        if prop == "success":
            return Usage("checked", False)
        if prop == "then" and parent.parent is not None and parent.parent.type == "call_expression":
            return _then_usage(pf, parent.parent, object_verdict)
        if prop in RESPONSE_FIELDS:
            return Usage("ignored", prop == "pending", f"only `.{prop}` is read, never `.success`")
        return Usage("unknown", None)
    if t == "arguments":
        call_parent = parent.parent
        callee = call_parent.child_by_field_name("function") if call_parent is not None else None
        if callee is not None and re.search(r"waitUntil$", pf.text(callee)):
            return Usage("ignored", True, "it is only handed to `waitUntil` (to run in the background)")
        if callee is not None and re.fullmatch(r"console\.\w+", pf.text(callee)):
            return Usage("ignored", None, "it is only logged")
        return Usage("unknown", None)
    if object_verdict and _tested_for_truth(node, parent, pf):
        what = "the `{ success }` object" if node.type == "await_expression" or any(
            n.type == "await_expression" for n in _between(call, node)) else "a Promise"
        return Usage("ignored", None, f"the value itself is tested, and {what} is always truthy")
    if t in ("ternary_expression", "if_statement", "binary_expression", "unary_expression",
             "parenthesized_expression"):
        return Usage("checked", None)
    return Usage("unknown", None)


def _pattern_usage(pf: ParsedFile, pattern, scope, object_verdict: bool) -> Usage:
    """How a verdict stored into `pattern` (a name, or `{ success, … }`) is used in `scope`."""
    if pattern is None:
        return Usage("unknown", None)
    if pattern.type == "identifier":
        name = pf.text(pattern)
        uses = reads(pf, scope, name, pattern)
        if not uses:
            return Usage("ignored", False, f"`{name}` is never read")
        if object_verdict and all(_tested_for_truth(_climb(use), _climb(use).parent, pf) for use in uses
                                  if _climb(use).parent is not None):
            return Usage("ignored", None, f"only `{name}` itself is tested, and the `{{ success }}` object "
                                          f"is always truthy")
        props, other = set(), False
        for use in uses:
            up = use.parent
            if up is not None and up.type == "member_expression" and up.child_by_field_name("object") == use:
                props.add(prop_name(up, pf))
            elif up is not None and up.type == "non_null_expression" and up.parent is not None and \
                    up.parent.type == "member_expression":
                props.add(prop_name(up.parent, pf))
            else:
                other = True
        checked = other or "success" in props or not props <= set(RESPONSE_FIELDS) or any(
            _refuses_when_exhausted(pf, use.parent) for use in uses if use.parent is not None and
            use.parent.type == "member_expression" and prop_name(use.parent, pf) == "remaining")
        pending = bool(other or "pending" in props)
        success_reads = [use.parent for use in uses if use.parent is not None and use.parent.type ==
                         "member_expression" and prop_name(use.parent, pf) == "success"]
        if not other and success_reads and all(_returned(r) for r in success_reads):
            return Usage("returned-success", pending)
        if checked and not other and success_reads and not any(_enforces(pf, r) for r in success_reads):
            return Usage("ignored", pending, _LET_THROUGH.format(f"{name}.success"))
        if checked:
            return Usage("checked", pending)
        return Usage("ignored", pending, f"only {', '.join(f'`{name}.{p}`' for p in sorted(props))} "
                                         f"{'is' if len(props) == 1 else 'are'} read, never `{name}.success`")
    if pattern.type == "object_pattern":
        names = pattern_names(pattern, pf)
        keys = {key: (local, ident) for local, key, ident in names}
        if "..." in keys:
            return Usage("unknown", None)
        pending = False
        if "pending" in keys:
            local, _ident = keys["pending"]
            pending = any(_handled_pending(r) for r in reads(pf, scope, local, pattern))
        if "remaining" in keys and "success" not in keys and any(
                _refuses_when_exhausted(pf, r) for r in reads(pf, scope, keys["remaining"][0], pattern)):
            return Usage("checked", pending)
        if "success" in keys:
            local, _ident = keys["success"]
            success_reads = reads(pf, scope, local, pattern)
            if success_reads and all(_returned(r) for r in success_reads):
                return Usage("returned-success", pending)
            if success_reads and not any(_enforces(pf, r) for r in success_reads):
                return Usage("ignored", pending, _LET_THROUGH.format(local))
            if success_reads:
                return Usage("checked", pending)
            return Usage("ignored", pending, f"`{local}` is destructured but never read")
        listed = ", ".join(k for k in keys if k not in (None, "[]"))
        return Usage("ignored", pending, f"only {{ {listed} }} is destructured, never `success`")
    return Usage("unknown", None)


def _promise_all_usage(pf: ParsedFile, node, array, object_verdict: bool) -> Usage:
    """A verdict that is one element of `Promise.all([…])`: used as its element of the result."""
    call = array.parent.parent if array.parent is not None and array.parent.type == "arguments" else None
    if call is None or pf.text(call.child_by_field_name("function")) != "Promise.all":
        return Usage("unknown", None)
    index = [c for c in array.named_children if c.type != "comment"].index(node)
    holder = _climb(call).parent
    if holder is not None and holder.type == "expression_statement":
        return Usage("ignored", False, "its result is discarded")
    if holder is None or holder.type != "variable_declarator" or holder.child_by_field_name("name").type != "array_pattern":
        return Usage("unknown", None)
    elements = [c for c in holder.child_by_field_name("name").children if c.type not in ("[", "]")]
    position, element = 0, None  # holes are the commas with nothing between them
    for child in elements:
        if child.type == ",":
            position += 1
        elif position == index:
            element = child
    if element is not None and element.type == "rest_pattern":
        return Usage("unknown", None)
    if element is None:
        return Usage("ignored", False, "its place in the `Promise.all` result is never read")
    return _pattern_usage(pf, element, _scope_of(holder), object_verdict)


def _then_usage(pf: ParsedFile, then_call, object_verdict: bool) -> Usage:
    """A verdict handed to `.then(callback)`: used as the callback's parameter; passed on (not
    judged) when the callback returns something that reads `success`."""
    args = [a for a in (then_call.child_by_field_name("arguments").named_children
                        if then_call.child_by_field_name("arguments") is not None else ()) if a.type != "comment"]
    callback = unwrap(args[0]) if args else None
    if callback is None or callback.type not in ("arrow_function", "function_expression", "function"):
        return Usage("unknown", None)
    params = parameters_of(callback)
    body = function_body(callback) or callback.child_by_field_name("body")
    if body is None:
        return Usage("unknown", None)
    returned = [body] if body.type != "statement_block" else [r for r in pf.walk(body) if r.type == "return_statement"]
    if any(b"success" in pf.source[r.start_byte:r.end_byte] for r in returned):
        return Usage("unknown", None)
    if not params:
        return Usage("ignored", False, "the `.then` callback never reads it")
    pattern = params[0].child_by_field_name("pattern") if params[0].type in (
        "required_parameter", "optional_parameter") else params[0]
    return _pattern_usage(pf, pattern, body, object_verdict)


#: Limiter kinds whose verdict is an object (`{ success, … }`), or a Promise of one.
OBJECT_VERDICTS = ("upstash", "cloudflare")
#: Usages that hand the verdict to the caller: the result itself, or its `success`.
RETURNED = ("returned", "returned-success")


def _tested_for_truth(node, parent, pf: ParsedFile) -> bool:
    """Whether `node` (a limiter call with its `await` and parentheses) is negated, or is the
    condition of an `if`, a loop or a ternary, as a whole."""
    if parent.type == "unary_expression":
        return pf.text(parent).lstrip().startswith("!")
    if parent.type in ("if_statement", "while_statement", "do_statement"):
        return parent.child_by_field_name("condition") == node
    return parent.type == "ternary_expression" and parent.child_by_field_name("condition") == node


def _between(call, node) -> list:
    """The nodes from `call` up to `node` (an ancestor), both included."""
    chain = [call]
    while chain[-1] != node and chain[-1].parent is not None:
        chain.append(chain[-1].parent)
    return chain


# --------------------------------------------------------------------------------------------
# Guard conditions and their evaluation (middleware limiters behind path/method tests)


def _always_exits(node) -> bool:
    if node is None:
        return False
    if node.type in ("return_statement", "throw_statement"):
        return True
    if node.type == "statement_block":
        children = [c for c in node.named_children if c.type != "comment"]
        return bool(children) and children[-1].type in ("return_statement", "throw_statement")
    return False


#: Responses that answer a request in middleware: it goes no further (to no route handler). Not
#: `NextResponse.rewrite`: the rewritten request goes on to the route it names, and middleware
#: does not run again for it.
_ANSWER = re.compile(r"^(?:new\s+(?:Next)?Response\b|(?:Next)?Response\.(?:json|redirect|error)\s*\()")


def _answers(consequence) -> bool:
    """Whether an early exit answers the request itself (a response, a redirect, an error) rather
    than passing it on (`NextResponse.next()`, a rewrite, `return`): then the requests it takes
    never reach a route, and its condition does not decide whether they are limited."""
    last = consequence
    if consequence is not None and consequence.type == "statement_block":
        statements = [c for c in consequence.named_children if c.type != "comment"]
        last = statements[-1] if statements else None
    if last is None or last.type == "throw_statement":
        return last is not None
    value = unwrap_await(unwrap(last.named_children[0])) if last.type == "return_statement" and \
        last.named_children else None
    return value is not None and _ANSWER.match(value.text.decode("utf-8", "replace")) is not None


def guard_conditions(call) -> list[tuple[object, bool]]:
    """Conditions that must hold (True) or fail (False) for `call` to run, inside its function:
    enclosing `if`/ternary/`&&` tests and earlier early-return `if`s (not those that answer the
    request: what they take never reaches a route)."""
    conds = []
    node = call
    steps = 0
    while node.parent is not None and steps < 200:
        steps += 1
        parent = node.parent
        t = parent.type
        if node.type in FUNCTION_TYPES:
            break
        if t == "if_statement":
            cond = parent.child_by_field_name("condition")
            if node == parent.child_by_field_name("consequence"):
                conds.append((cond, True))
            elif node.type == "else_clause" or node == parent.child_by_field_name("alternative"):
                conds.append((cond, False))
        elif t == "else_clause":
            pass
        elif t == "ternary_expression":
            cond = parent.child_by_field_name("condition")
            if node == parent.child_by_field_name("consequence"):
                conds.append((cond, True))
            elif node == parent.child_by_field_name("alternative"):
                conds.append((cond, False))
        elif t == "binary_expression" and node == parent.child_by_field_name("right"):
            op = parent.child_by_field_name("operator")
            if op is not None and op.type == "&&":
                conds.append((parent.child_by_field_name("left"), True))
            elif op is not None and op.type in ("||", "??"):
                if op.type == "||":
                    conds.append((parent.child_by_field_name("left"), False))
        elif t in ("statement_block", "program", "switch_case"):
            for sibling in parent.named_children:
                if sibling == node or sibling.start_byte >= node.start_byte:
                    break
                if sibling.type == "if_statement" and sibling.child_by_field_name("alternative") is None and \
                        _always_exits(sibling.child_by_field_name("consequence")) and \
                        not _answers(sibling.child_by_field_name("consequence")):
                    conds.append((sibling.child_by_field_name("condition"), False))
        node = parent
    return [(c, p) for c, p in conds if c is not None]


def _not(v: str) -> str:
    return {"T": "F", "F": "T"}.get(v, v)


def _and(a: str, b: str) -> str:
    if "F" in (a, b):
        return "F"
    for weaker in ("U", "C"):
        if weaker in (a, b):
            return weaker
    return "T" if "T" in (a, b) else "A"


def _or(a: str, b: str) -> str:
    if "T" in (a, b):
        return "T"
    for weaker in ("U", "C"):
        if weaker in (a, b):
            return weaker
    if a == b == "F":
        return "F"
    return "A"


#: The request header of a server-action call made by Next's client code. Not every call has it:
#: a multipart form POST without it runs the action too (`decodeAction`, the no-JavaScript form
#: path: next 15.3 `server/lib/server-action-request-meta.js`, `server/app-render/action-handler.js`).
ACTION_HEADER = "next-action"


class Evaluator:
    """Evaluation of a condition for one request (URL path, method, kind of action): 'T' true,
    'F' false, 'U' depends on the path/method in a way not understood, 'C' depends on a request
    header or cookie, which the client chooses to send or not, 'A' does not depend on the
    request at all (assumed true: configuration, auth state). Requests to route handlers and API
    routes are taken not to carry `Next-Action` (`ACTION_HEADER`)."""

    def __init__(self, analysis: Analysis, mod: Module, url: str, method: str | None, kind: str = ""):
        self.analysis = analysis
        self.mod = mod
        self.pf = mod.pf
        self.url = url
        self.method = method
        self.kind = kind

    def cond(self, node, depth: int = 0, params: dict | None = None) -> str:
        node = unwrap(node)
        if node is None or depth > MAX_EXPR_DEPTH:
            return "U"
        pf = self.pf
        params = params or {}
        t = node.type
        if t == "unary_expression" and node.children and node.children[0].type == "!":
            return _not(self.cond(node.child_by_field_name("argument"), depth + 1, params))
        if t == "binary_expression":
            op = node.child_by_field_name("operator")
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            optype = op.type if op is not None else ""
            if optype == "&&":
                return _and(self.cond(left, depth + 1, params), self.cond(right, depth + 1, params))
            if optype in ("||", "??"):
                return _or(self.cond(left, depth + 1, params), self.cond(right, depth + 1, params))
            if optype in ("===", "==", "!==", "!="):
                sent = self._header_test(left, right) or self._header_test(right, left)
                if sent is not None:
                    return _not(sent) if optype in ("!==", "!=") else sent
                a, b = self.value(left, depth + 1, params), self.value(right, depth + 1, params)
                result = self._compare(a, b)
                if result is None:
                    return self._fallback(node, params)
                return _not(result) if optype in ("!==", "!=") else result
            return self._fallback(node, params)
        if t == "call_expression":
            return self._call(node, depth, params)
        if t == "identifier":
            name = pf.text(node)
            if name in params:
                return "A"
            bind = self.analysis.lookup(self.mod, name, node)
            if bind is not None and bind.kind == "var" and bind.value is not None and \
                    bind.value.start_byte < node.start_byte:
                return self.cond(bind.value, depth + 1, params)
            return "A"
        return self._fallback(node, params)

    def _fallback(self, node, params) -> str:
        text = self.pf.text(node)
        if _PATH_WORDS.search(text) or any(p in text for p in params):
            return "U"
        if ("headers" in text or "cookies" in text) and any(
                self._client_input(call) is not None for call in self.pf.nodes_within(node, "call_expression")):
            return "C"
        for ident in self.pf.nodes_within(node, "identifier"):
            bind = self.analysis.lookup(self.mod, self.pf.text(ident), ident)
            if bind is not None and bind.kind in ("var", "destructured") and bind.value is not None and \
                    _PATH_WORDS.search(self.pf.text(bind.value)[:400]):
                if bind.kind == "destructured" and bind.key not in ("pathname", "method"):
                    continue
                return "U"
        return "A"

    def value(self, node, depth: int, params: dict):
        """('path',) | ('method',) | ('str', s) | ('list', [s…]) | None."""
        node = unwrap_await(node)
        if node is None or depth > MAX_EXPR_DEPTH:
            return None
        pf = self.pf
        s = string_value(node, pf)
        if s is not None:
            return ("str", s)
        t = node.type
        if t == "member_expression":
            prop = prop_name(node, pf)
            if prop == "pathname":
                return ("path",)
            if prop == "method":
                return ("method",)
            return None
        if t == "identifier":
            name = pf.text(node)
            if name in params:
                return ("str", params[name])
            bind = self.analysis.lookup(self.mod, name, node)
            if bind is None:
                return ("path",) if name == "pathname" else None
            if bind.kind == "destructured" and bind.key in ("pathname", "method"):
                return ("path",) if bind.key == "pathname" else ("method",)
            if bind.kind == "var" and bind.value is not None:
                return self.value(bind.value, depth + 1, params)
            if bind.kind == "import":
                found = self.analysis._bind_value(self.mod, bind, 0)
                if found is not None and found[1] is not None:
                    literal = jsvalues.literal(found[1], found[0].pf)
                    if isinstance(literal, str):
                        return ("str", literal)
                    if isinstance(literal, list) and all(isinstance(x, str) for x in literal):
                        return ("list", literal)
            return ("path",) if name == "pathname" else None
        if t == "array":
            literal = jsvalues.literal(node, pf)
            if isinstance(literal, list) and all(isinstance(x, str) for x in literal):
                return ("list", literal)
        return None

    def _subject(self, kind: tuple) -> str | None:
        if kind[0] == "path":
            return self.url
        if kind[0] == "method":
            return self.method
        return None

    def _compare(self, a, b) -> str | None:
        if a is None or b is None:
            return None
        if a[0] == "str" and b[0] != "str":
            a, b = b, a
        if a[0] in ("path", "method") and b[0] == "str":
            subject = self._subject(a)
            if subject is None:
                return "U"
            target = b[1].upper() if a[0] == "method" else b[1]
            return "T" if subject == target else "F"
        if a[0] == b[0] == "str":
            return "T" if a[1] == b[1] else "F"
        return None

    def _client_input(self, node) -> str | None:
        """The lower-cased name of the request header (or '' for a cookie or a name not given)
        that `node` reads: `request.headers.get('x')`, `.has('x')`, `(await headers()).get('x')`,
        `request.cookies.get('x')`; else None."""
        node = unwrap_await(unwrap(node))
        if node is None or node.type != "call_expression":
            return None
        callee = unwrap(node.child_by_field_name("function"))
        if callee is None or callee.type != "member_expression" or prop_name(callee, self.pf) not in ("get", "has"):
            return None
        source = unwrap_await(unwrap(callee.child_by_field_name("object")))
        if source is not None and source.type == "call_expression":
            source = unwrap(source.child_by_field_name("function"))
        text = self.pf.text(source) if source is not None else ""
        if not re.search(r"(?:^|\.)(?:headers|cookies)$", text):
            return None
        args = args_of(node)
        name = string_value(args[0], self.pf) if args and text.endswith("headers") else None
        return name.lower() if name else ""

    def _sent(self, header: str) -> str:
        """Whether the request carries the header: the client's choice, but no request to a route
        handler or API route carries `Next-Action` unless the client adds it on purpose."""
        if header == ACTION_HEADER and self.kind != "server-action":
            return "F"
        return "C"

    def _header_test(self, side, other) -> str | None:
        """`typeof <header> === 'string'`, `<header> === null` and the like: whether it was sent."""
        side, other = unwrap(side), unwrap(other)
        if side is None or other is None:
            return None
        typeof = side.type == "unary_expression" and side.children and side.children[0].type == "typeof"
        header = self._client_input(side.child_by_field_name("argument") if typeof else side)
        if header is None:
            return None
        literal = string_value(other, self.pf)
        if typeof and literal is not None:
            return self._sent(header) if literal == "string" else _not(self._sent(header))
        if other.type in ("null", "undefined"):
            return _not(self._sent(header))
        return "C"  # compared with a value the client sends

    def _call(self, node, depth: int, params: dict) -> str:
        pf = self.pf
        header = self._client_input(node)
        if header is not None:
            return self._sent(header)
        callee = unwrap(node.child_by_field_name("function"))
        args = args_of(node)
        if callee is not None and callee.type == "identifier":
            return self._predicate(node, callee, args, depth)
        if callee is None or callee.type != "member_expression":
            return self._fallback(node, params)
        method = prop_name(callee, pf)
        obj = callee.child_by_field_name("object")
        subject = self.value(obj, depth + 1, params)
        if subject is not None and subject[0] in ("path", "method") and args:
            arg = self.value(args[0], depth + 1, params)
            value = self._subject(subject)
            if value is None:
                return "U"
            if subject[0] == "method":
                value = value.upper()
            if arg is not None and arg[0] == "str":
                needle = arg[1].upper() if subject[0] == "method" else arg[1]
                if method == "startsWith":
                    return "T" if value.startswith(needle) else "F"
                if method == "endsWith":
                    return "T" if value.endswith(needle) else "F"
                if method == "includes":
                    return "T" if needle in value else "F"
            if method in ("match", "test") and args:
                return self._regex(args[0], value)
            return "U"
        if method == "test" and args:
            regex = unwrap(obj)
            target = self.value(args[0], depth + 1, params)
            if regex is not None and regex.type == "regex" and target is not None and target[0] in ("path", "method"):
                value = self._subject(target)
                return self._regex(regex, value) if value is not None else "U"
            return self._fallback(node, params)
        if subject is not None and subject[0] == "list":
            items = subject[1]
            if method == "includes" and args:
                target = self.value(args[0], depth + 1, params)
                if target is not None and target[0] in ("path", "method"):
                    value = self._subject(target)
                    if value is None:
                        return "U"
                    if target[0] == "method":
                        return "T" if value.upper() in [i.upper() for i in items] else "F"
                    return "T" if value in items else "F"
                return self._fallback(node, params)
            if method in ("some", "every", "find", "findIndex") and args:
                fn = unwrap(args[0])
                if fn is not None and fn.type in ("arrow_function", "function_expression", "function"):
                    params_list = parameters_of(fn)
                    pname = None
                    if params_list:
                        names = pattern_names(params_list[0], pf)
                        pname = names[0][0] if names else None
                    expr = _returned_expression(fn)
                    if pname is None or expr is None:
                        return "U"
                    result = "F" if method != "every" else "T"
                    for item in items[:64]:
                        v = self.cond(expr, depth + 1, {**params, pname: item})
                        result = _and(result, v) if method == "every" else _or(result, v)
                    return result
        return self._fallback(node, params)

    def _predicate(self, node, callee, args: list, depth: int) -> str:
        """A function called with the request (`isApiRoute(request)`): its returned expression,
        evaluated where it is written (the path and method are the same request's); a function
        not found, or with more than a `return`, depends on the request in a way not understood."""
        given_request = any(a.type in ("identifier", "member_expression") and
                            _REQUEST_NAME.match(self.pf.text(a).split(".")[0]) for a in map(unwrap, args) if a)
        routes = self._route_matcher(callee) if given_request else None
        if routes is not None:
            entries = matcher.compile_matcher(routes)
            if entries and all(e.error is None for e in entries):
                return "T" if matcher.url_matches(entries, self.url) else "F"
            return "U"
        found = self.analysis.resolve_function(self.mod, callee)
        expr = _returned_expression(found[1]) if found is not None else None
        if expr is not None and given_request:
            inner = Evaluator(self.analysis, found[0], self.url, self.method, self.kind)
            return inner.cond(expr, depth + 1)
        return "U" if given_request else self._fallback(node, {})

    def _route_matcher(self, callee) -> list[str] | None:
        """The route patterns of `const isApi = createRouteMatcher(['/api(.*)'])` (Clerk's
        `@clerk/nextjs/server`: path-to-regexp patterns matched against the request's path, as
        Next.js matches `config.matcher`), when `callee` names one with literal patterns."""
        bind = self.analysis.lookup(self.mod, self.pf.text(callee), callee)
        value = unwrap(bind.value) if bind is not None and bind.kind == "var" and bind.value is not None else None
        if value is None or value.type != "call_expression":
            return None
        function = unwrap(value.child_by_field_name("function"))
        if function is None or self.pf.text(function).rsplit(".", 1)[-1] != "createRouteMatcher":
            return None
        args = args_of(value)
        routes = jsvalues.literal(args[0], self.pf) if args else None
        if isinstance(routes, str):
            routes = [routes]
        return routes if isinstance(routes, list) and routes and all(isinstance(r, str) for r in routes) else None

    def _regex(self, node, value: str) -> str:
        node = unwrap(node)
        if node is None or node.type != "regex":
            return "U"
        pattern = node.child_by_field_name("pattern")
        flags = node.child_by_field_name("flags")
        try:
            compiled = re.compile(self.pf.text(pattern) if pattern is not None else "",
                                  re.IGNORECASE if flags is not None and "i" in self.pf.text(flags) else 0)
        except re.error:
            return "U"
        return "T" if compiled.search(value) else "F"


def _returned_expression(fn):
    body = function_body(fn)
    if body is None:
        return None
    if body.type != "statement_block":
        return body
    statements = [c for c in body.named_children if c.type != "comment"]
    if len(statements) == 1 and statements[0].type == "return_statement" and statements[0].named_child_count:
        return statements[0].named_children[0]
    return None


# --------------------------------------------------------------------------------------------
# Keys (EDGE603)


@dataclass(frozen=True)
class KeyVerdict:
    kind: str  # 'const' | 'path' | 'undefined-ip' | 'header-no-fallback' | 'varying' | 'unknown'
    detail: str = ""
    node: object = field(default=None, compare=False)


_REQUEST_NAME = re.compile(r"^(req|request|_req|_request|\w*Request)$")

#: Client-address headers the platform sets on every request it hands the app, so they are never
#: missing in production: Cloudflare adds `CF-Connecting-IP` to every proxied request ("Cloudflare
#: HTTP headers", developers.cloudflare.com/fundamentals/reference/http-headers/), and Vercel
#: sends `x-forwarded-for` and `x-real-ip` to every deployment (vercel.com/docs/headers/request-headers).
PLATFORM_CLIENT_HEADERS = {"next-on-pages": ("cf-connecting-ip",), "opennext": ("cf-connecting-ip",),
                           "vercel": ("x-forwarded-for", "x-real-ip")}


def key_verdict(analysis: Analysis, mod: Module, node, depth: int = 0) -> KeyVerdict:
    """What a limiter key evaluates to, as far as it matters: the same for every caller?"""
    node = unwrap(node)
    pf = mod.pf
    if node is None or depth > MAX_EXPR_DEPTH:
        return KeyVerdict("unknown")
    t = node.type
    s = string_value(node, pf)
    if s is not None:
        return KeyVerdict("const", f"the constant {_short(pf.text(node), 40)}", node)
    if t in ("number", "true", "false", "null", "undefined"):
        return KeyVerdict("const", f"the constant {pf.text(node)}", node)
    if t == "template_string":
        parts = [c.named_children[0] for c in node.named_children
                 if c.type == "template_substitution" and c.named_children]
        verdicts = [key_verdict(analysis, mod, p, depth + 1) for p in parts]
        return _concat(verdicts, node, pf)
    if t == "binary_expression":
        op = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        optype = op.type if op is not None else ""
        if optype in ("??", "||"):
            a = key_verdict(analysis, mod, left, depth + 1)
            b = key_verdict(analysis, mod, right, depth + 1)
            if a.kind == "undefined-ip":
                if b.kind == "const":
                    detail = a.detail.split(", so the key is always the fallback ")[0]  # `(ip ?? 'x') ?? 'y'`
                    return KeyVerdict("undefined-ip", f"{detail}, so the key is always the fallback "
                                      f"{_short(pf.text(right), 40)}", a.node)
                return b
            if a.kind == "header-no-fallback":
                return KeyVerdict("varying") if b.kind in ("const", "varying") else b
            if a.kind in ("const", "path"):
                return a
            return a if a.kind in ("varying", "unknown") else b
        if optype == "+":
            return _concat([key_verdict(analysis, mod, left, depth + 1),
                            key_verdict(analysis, mod, right, depth + 1)], node, pf)
        return KeyVerdict("unknown")
    if _request_path(analysis, mod, node):
        what = "URL" if node.type == "member_expression" and prop_name(node, pf) in ("url", "href") else "path"
        return KeyVerdict("path", f"the request {what} `{_short(pf.text(node), 40)}`", node)
    if t == "member_expression":
        prop = prop_name(node, pf)
        obj = unwrap(node.child_by_field_name("object"))
        if prop == "ip" and obj is not None and obj.type == "identifier" and _REQUEST_NAME.match(pf.text(obj)):
            if analysis.app.version_at_least(15):
                version = analysis.app.next_version
                which = f"Next.js {version}" if version else "an unknown Next.js version (treated as the newest)"
                return KeyVerdict("undefined-ip", f"`{pf.text(node)}`, which is undefined on {which} "
                                  f"(NextRequest.ip was removed in 15.0)", node)
            return KeyVerdict("varying")
        return KeyVerdict("unknown")
    if t == "call_expression":
        callee = unwrap(node.child_by_field_name("function"))
        args = args_of(node)
        if callee is not None and callee.type == "member_expression":
            method = prop_name(callee, pf)
            obj = unwrap_await(callee.child_by_field_name("object"))
            if method == "get" and obj is not None and args and _headers_like(obj, pf):
                header = string_value(args[0], pf)
                if header is not None and header.lower() in PLATFORM_CLIENT_HEADERS.get(analysis.app.target, ()):
                    return KeyVerdict("varying")
                if header is not None:
                    return KeyVerdict("header-no-fallback", f"the `{header}` header with no fallback", node)
            if method in ("toString", "trim", "toLowerCase", "toUpperCase", "normalize"):
                return key_verdict(analysis, mod, callee.child_by_field_name("object"), depth + 1)
        if callee is not None and callee.type == "identifier" and pf.text(callee) == "String" and args:
            return key_verdict(analysis, mod, args[0], depth + 1)
        return KeyVerdict("unknown")
    if t in ("identifier", "shorthand_property_identifier"):
        bind = analysis.lookup(mod, pf.text(node), node)
        if bind is None:
            return KeyVerdict("unknown")
        if bind.kind == "var" and bind.value is not None and bind.decl is not None:
            declaration = bind.decl.parent
            if declaration is not None and declaration.children and declaration.children[0].type == "const":
                return key_verdict(analysis, mod, bind.value, depth + 1)
        if bind.kind == "import":
            found = analysis._bind_value(mod, bind, 0)
            if found is not None and found[1] is not None:
                value = jsvalues.literal(found[1], found[0].pf)
                if isinstance(value, str):
                    return KeyVerdict("const", f"the constant {bind.name} = {value!r}", node)
        return KeyVerdict("unknown")
    return KeyVerdict("unknown")


#: What a request's URL is read from: `request.nextUrl`, `new URL(request.url)`, a `url` variable.
_URL_SOURCE = re.compile(r"\bnextUrl\b|\burl\b|\bURL\s*\(")


def _method_map(node, pf: ParsedFile) -> dict[str, object]:
    """Method -> handler of an object whose keys are all HTTP methods (`{ GET: list, POST: create }`)."""
    if node is None or node.type != "object":
        return {}
    pairs = jsvalues.object_pairs(node, pf)
    found = {key.upper(): value for key, (_key_node, value) in pairs.items() if key.upper() in HTTP_METHODS}
    return found if found and len(found) == len(pairs) else {}


def _handler_arguments(call, pf: ParsedFile, methods: tuple = ()) -> list:
    """The arguments of a wrapper call that may be the handler; of a method map, the handlers of
    `methods` (all of them without)."""
    found = []
    for arg in args_of(call):
        mapped = _method_map(unwrap(arg), pf)
        found += [h for m, h in mapped.items() if not methods or m in methods] if mapped else [arg]
    return found


def _method_branch(pf: ParsedFile, node, fn) -> set[str] | None:
    """The HTTP methods `node` runs for when it sits in a branch of `fn` that tests the request
    method (`if (req.method === 'GET') {…}`, `case 'GET':` of `switch (req.method)`), else None."""
    methods = None
    current = node
    while current is not None and current != fn:
        parent = pf.parent(current)
        tested = None
        if parent is not None and parent.type == "if_statement" and parent.child_by_field_name("consequence") == current:
            tested = _methods_tested(pf, unwrap(parent.child_by_field_name("condition")))
        elif parent is not None and parent.type == "switch_case" and current != parent.child_by_field_name("value"):
            switch = pf.parent(pf.parent(parent))
            value = unwrap(switch.child_by_field_name("value")) if switch is not None else None
            if value is not None and value.type == "member_expression" and prop_name(value, pf) == "method":
                tested = set()
                case = parent
                while case is not None and case.type == "switch_case":  # with the cases that fall through to it
                    text = string_value(case.child_by_field_name("value"), pf)
                    tested = tested | {text.upper()} if text else None
                    case = case.prev_named_sibling
                    if tested is None or case is None or case.type != "switch_case" or \
                            [c for c in case.named_children if c != case.child_by_field_name("value")]:
                        break
        if tested is not None:
            methods = tested if methods is None else methods & tested
        current = parent
    return methods


def _methods_tested(pf: ParsedFile, condition) -> set[str] | None:
    """The methods a condition is true for when it only tests `x.method === 'M'` (joined by `||`)."""
    if condition is None or condition.type != "binary_expression":
        return None
    op = pf.text(condition.child_by_field_name("operator"))
    left, right = unwrap(condition.child_by_field_name("left")), unwrap(condition.child_by_field_name("right"))
    if op == "||":
        a, b = _methods_tested(pf, left), _methods_tested(pf, right)
        return a | b if a is not None and b is not None else None
    if op in ("===", "=="):
        for side, other in ((left, right), (right, left)):
            if side is not None and side.type == "member_expression" and prop_name(side, pf) == "method":
                text = string_value(other, pf) if other is not None else None
                return {text.upper()} if text and text.upper() in HTTP_METHODS else None
    return None


def _request_path(analysis: Analysis, mod: Module, node) -> bool:
    """Whether `node` is the path of the request URL: `request.nextUrl.pathname`,
    `new URL(request.url).pathname`, `url.pathname` or `pathname` destructured from one; or
    the whole URL, `request.url` or `request.nextUrl.href` (the same for every caller of it)."""
    pf = mod.pf
    if node.type == "member_expression" and prop_name(node, pf) in ("url", "href"):
        obj = unwrap(node.child_by_field_name("object"))  # `request.url`, `request.nextUrl.href`
        if obj is not None and obj.type == "member_expression" and prop_name(obj, pf) == "nextUrl":
            obj = unwrap(obj.child_by_field_name("object"))
        return obj is not None and obj.type == "identifier" and bool(_REQUEST_NAME.match(pf.text(obj)))
    if node.type == "member_expression" and prop_name(node, pf) == "pathname":
        obj = unwrap(node.child_by_field_name("object"))
        if obj is None:
            return False
        text = pf.text(obj)
        if obj.type == "identifier":
            bind = analysis.lookup(mod, text, obj)
            if bind is not None and bind.kind == "var" and bind.value is not None:
                text = pf.text(bind.value)[:200]
        return bool(_URL_SOURCE.search(text))
    if node.type in ("identifier", "shorthand_property_identifier"):
        bind = analysis.lookup(mod, pf.text(node), node)
        return bind is not None and bind.kind == "destructured" and bind.key == "pathname" and \
            bind.value is not None and bool(_URL_SOURCE.search(pf.text(bind.value)[:200]))
    return False


def _headers_like(node, pf: ParsedFile) -> bool:
    node = unwrap_await(node)
    if node is None:
        return False
    if node.type == "member_expression":
        return prop_name(node, pf) == "headers"
    if node.type == "identifier":
        return pf.text(node) in ("headers", "headersList", "h", "hdrs", "requestHeaders")
    if node.type == "call_expression":
        callee = node.child_by_field_name("function")
        return callee is not None and pf.text(callee) == "headers"
    return False


def _concat(verdicts: list[KeyVerdict], node, pf: ParsedFile) -> KeyVerdict:
    kinds = [v.kind for v in verdicts]
    if not verdicts or all(k == "const" for k in kinds):
        return KeyVerdict("const", f"the constant {_short(pf.text(node), 50)}", node)
    if all(k in ("const", "path") for k in kinds):
        return KeyVerdict("path", f"{_short(pf.text(node), 50)}, made of the request path and constants", node)
    if "varying" in kinds:
        return KeyVerdict("varying")
    if "unknown" in kinds:
        return KeyVerdict("unknown")
    for kind in ("undefined-ip", "header-no-fallback"):
        if kind in kinds:
            v = verdicts[kinds.index(kind)]
            return KeyVerdict(kind, v.detail, v.node)
    return KeyVerdict("unknown")


# --------------------------------------------------------------------------------------------
# Entry points


def analysis(ctx, options: RatelimitOptions | None = None) -> Analysis:
    """The app's rate-limit analysis, computed once per app and shared (checks, audit).

    Everything is computed inside `ctx.shared`, so the files it reads are recorded as inputs
    of every check that uses it (the findings cache depends on that)."""
    def compute() -> Analysis:
        result = Analysis(ctx.ws, ctx.app, options, workspace_resolver(ctx.ws), ctx.focus)
        result.limiter_calls()
        result.coverage()
        return result

    return ctx.shared("ratelimit-coverage", compute)


def user_actions(ctx, options: RatelimitOptions | None = None) -> list[Action]:
    return analysis(ctx, options).actions()


def coverage(ctx, options: RatelimitOptions | None = None) -> list[ActionCoverage]:
    """Per-action rate-limit coverage (what the audit report prints)."""
    return analysis(ctx, options).coverage()
