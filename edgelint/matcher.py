"""Next.js middleware / proxy ``config.matcher`` semantics, evaluated without Node.js.

What this module answers
========================
Given the statically parsed value of ``export const config = { matcher }`` in ``middleware.ts`` or
``proxy.ts``, decide whether the middleware runs for a concrete URL (`url_matches`, `url_coverage`)
and whether it covers every URL of a Next.js route pattern such as ``/blog/[slug]``
(`route_coverage`).

How Next.js compiles a matcher (read in the published ``next`` package, 16.4.6, the newest on npm
in Nov 2026; cross-checked in 14.2.15 and 15.5.0; REFERENCE.md §5.4, §1.7)
==========================================================================================
* ``dist/build/analysis/get-page-static-info.js`` ``getMiddlewareMatchers`` (source
  ``packages/next/src/build/analysis/get-page-static-info.ts`` in ``vercel/next.js``): a string is
  treated as ``{source: string}``; each ``source`` is *wrapped* before compilation::

      [basePath] + '/:nextData(_next/data/[^/]{1,})?'
                 + ['/:nextInternalLocale((?!_next/)[^/.]{1,})'  when i18n.locales and locale !== false]
                 + source                                         (omitted for '/' when i18n)
                 + '{(\\.json|\\.rsc|\\.segments/.+\\.segment\\.rsc)}?'                  (source != '/')
                 + '([|\\.json|]/?index|/?index\\.json|/?index(?:\\.rsc|...))?'        (source == '/')

  so every matcher also matches the ``/_next/data/<buildId>/...`` data-route form and the ``.json``
  / ``.rsc`` / segment-prefetch transport forms of the same page. (14.2.15 appended ``(.json)?``
  with an unescaped dot, 15.5.0 ``{(\\.json)}?``; the ``.rsc`` forms are the 16.x addition.)
* The wrapped source goes through ``tryToParsePath`` (``dist/lib/try-to-parse-path.js``):
  path-to-regexp **6.3.0** ``parse`` + ``tokensToRegexp`` with default options (``strict: false``
  -> optional trailing ``[/#?]``; ``end: true`` -> ``$``; ``sensitive: false``), keeping only
  ``RegExp.source``. When 6.3.0 refuses a repeated parameter without prefix (``/a(x)*``), Next
  retries with prefix ``/`` (``dist/lib/route-pattern-normalizer.js`` ``normalizeTokensForRegexp``).
  14.2.x bundles an older 6.x without that check and without the "safe pattern" lookahead.
* At run time ``dist/shared/lib/router/utils/middleware-route-matcher.js`` does
  ``new RegExp(matcher.regexp).exec(pathname)`` -- **without** the ``i`` flag, so matching is
  **case-sensitive** and anchored at both ends; ``has``/``missing`` are checked only after the
  path matched. ``dist/server/lib/router-utils/resolve-routes.js`` tries the raw pathname and its
  ``decodeURIComponent`` form, and with ``i18n`` it first prefixes the default locale to paths
  that have none (except ``/_next/...``).
* Validation (``dist/build/segment-config/middleware/middleware-config.js``, zod; a failure ends
  ``next build``): ``matcher`` is a string or an array of strings and
  ``{source, locale?, has?, missing?}`` objects (strict: any other key, e.g. ``regexp``, is
  rejected -- 14.2.15's ``checkCustomRoutes`` rejects it too, whatever the docs say); ``source``
  must start with ``/``, must parse, and must stay within 4096 characters *after* wrapping;
  ``locale`` may only be ``false``; ``has``/``missing`` items are ``{type: header|query|cookie,
  key, value?}`` or ``{type: host, value}``.
* No ``matcher`` -> middleware runs on every request (``entries.js``: ``regexp: '.*'``). An empty
  array is truthy, so it yields zero matchers and the middleware runs on nothing.
* Docs (``docs/01-app/03-api-reference/03-file-conventions/proxy.mdx``): a data route runs the
  middleware even when ``_next/data`` is excluded by a negative lookahead. That falls out of the
  wrapper above: ``/_next/data/b/about.json`` matches through the optional ``nextData`` group
  whenever ``/about`` matches. It is modelled by the regex, nothing more.

The expected values in ``tests/test_matcher.py`` were produced by ``getMiddlewareMatchers`` and
``unstable_doesMiddlewareMatch`` of next 16.4.6 under Node.js 20 (the regex strings are the ones
Next produced); ~3,000 URL checks and 15,000 random sources agreed with it. ``unstable_doesMiddleware
Match`` does not add the i18n default locale, so that step rests on reading ``resolve-routes.js``.
This module is an independent Python implementation; no code was copied.

Not modelled / could not verify
===============================
* The docs' "``/public`` is treated as ``/public/index``" remark: no such rewrite exists in the
  16.4.6 matcher code, and ``unstable_doesMiddlewareMatch`` says ``/public/:path`` does *not*
  match ``/public``. We follow the code. Likewise the proxy docs' "``/about`` matches
  ``/about/team``": the code matches ``/about`` (and its transport forms) only.
* Older releases: 14.x's ``(.json)?`` suffix (its dot matches any character) and its older
  path-to-regexp (adjacent ``:a:b`` parameters accepted). Route coverage is unaffected.
* JavaScript regex syntax is translated to Python's ``re`` (see `_translate_js_regex`). Features
  Python cannot express -- variable-width lookbehind, ``(?i:...)`` modifiers (Node.js >= 23 only),
  back-references -- make the entry *unsupported* (``error`` set, ``invalid`` False): coverage
  is then 'unknown' rather than a guess.

Robustness
==========
No public function raises. Python's ``re`` has no timeout, so input size is bounded instead:
sources longer than Next's own 4096-character limit are rejected before compiling; concrete
paths longer than `MAX_URL_LENGTH` are not matched (answer: unknown); and a regex with nested
repetition (``(a+)+``, ``(?:a|ab)*``, or ``:p(.*)*`` whose pattern can swallow ``/``) gets a
``risk`` and is only run on paths of at most `RISKY_PATH_LENGTH` characters. The URLs invented
for route patterns are short (``/blog/sample``). Polynomial blow-ups (many ``.*`` in a row) are
not detected; with paths capped at 1024 characters they stay slow rather than endless.

Non-literal values: pass `UNKNOWN` (or any ``Unknown`` object from ``edgelint.jsvalues``, matched
by class name so this module stays import-free) as the whole matcher or as one array element.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

__all__ = [
    "MAX_SOURCE_LENGTH",
    "MAX_URL_LENGTH",
    "RISKY_PATH_LENGTH",
    "UNKNOWN",
    "Coverage",
    "MatcherEntry",
    "PathPatternError",
    "build_source",
    "compile_matcher",
    "is_unknown",
    "parse_path_pattern",
    "path_pattern_to_js_regexp",
    "route_coverage",
    "route_instantiations",
    "url_coverage",
    "url_matches",
]

#: Next.js' limit on the *wrapped* source (zod ``.max(4096)``, counted in UTF-16 code units).
MAX_SOURCE_LENGTH = 4096
#: Longest concrete URL path we are willing to run a user regex on (backtracking guard).
MAX_URL_LENGTH = 1024
#: Longest path an entry with a backtracking `MatcherEntry.risk` is evaluated on.
RISKY_PATH_LENGTH = 24
#: At most this many words are taken from one matcher source to probe dynamic segments.
MAX_PROBE_WORDS = 24

# Sample values used to instantiate route patterns (see `route_instantiations`).
SEGMENT_SAMPLES = ("sample", "123")
CATCH_ALL_SAMPLES = ("sample", "sample/nested/page")
OPTIONAL_CATCH_ALL_SAMPLES = ("sample", "", "sample/nested/page")


# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------


class _UnknownType:
    """Type of the `UNKNOWN` sentinel: a matcher (or entry) that is not a static literal."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


#: Pass this (as the whole matcher or as one array element) when the value is not a literal.
UNKNOWN = _UnknownType()


def is_unknown(value) -> bool:
    """True for `UNKNOWN` and for ``edgelint.jsvalues.Unknown`` objects (matched by class name)."""
    return value is UNKNOWN or type(value).__name__ == "Unknown"


def _unknown_reason(value) -> str:
    """Message for a non-literal value, with the ``reason`` an ``Unknown`` carries if any."""
    reason = getattr(value, "reason", None)
    return f"not a static literal ({reason})" if isinstance(reason, str) and reason else "not a static literal"


@dataclass(frozen=True)
class MatcherEntry:
    """One compiled matcher entry.

    ``source`` is the pattern as written (for a malformed entry, a short repr of it).
    ``conditional`` is True when the entry has non-empty ``has``/``missing`` conditions: it then
    runs the middleware only for some requests, so it can give partial coverage at best.
    ``regex`` is the Python translation of the regex Next.js builds (match with ``regex.match`` on
    the request pathname); None when it could not be built, and ``error`` says why.
    ``invalid`` tells the two failure kinds apart: True means Next.js itself rejects the entry
    (``next build`` fails); False with an ``error`` means the entry is valid or undecidable for
    Next.js but cannot be evaluated here (unsupported regex feature, non-literal value).
    ``js_regexp`` is the regex string Next.js writes into its middleware manifest.
    ``risk`` says why the regex might backtrack catastrophically (nested repetition); such an
    entry is only evaluated on paths of at most `RISKY_PATH_LENGTH` characters, longer ones are
    undecided.
    ``conditions`` is a human summary of ``has``/``missing``; ``locale`` is False for
    ``locale: false``; ``base_path``, ``locales`` and ``default_locale`` are the next.config
    settings the entry was compiled with (they decide the request pathname the regex sees).
    """

    source: str
    conditional: bool
    regex: re.Pattern | None
    error: str | None
    invalid: bool = False
    js_regexp: str | None = None
    risk: str | None = None
    conditions: str = ""
    locale: bool = True
    base_path: str = ""
    locales: tuple[str, ...] = ()
    default_locale: str | None = None

    @property
    def usable(self) -> bool:
        """True when the entry can be evaluated (compiled without error)."""
        return self.regex is not None and self.error is None


@dataclass(frozen=True)
class Coverage:
    """Answer of `route_coverage` / `url_coverage`.

    ``status`` is one of:

    * ``'covered'``: every request URL tried runs the middleware unconditionally;
    * ``'partial'``: some URLs run it and others do not, or the only matching entries carry
      ``has``/``missing`` conditions;
    * ``'not-covered'``: no URL tried runs it;
    * ``'unknown'``: the matcher (or an entry that might decide the answer) is not evaluable.

    ``entry`` is the entry that covers or partially covers the route (None otherwise, and None for
    "no matcher"). ``detail`` is one human sentence. ``matched`` / ``missed`` list the concrete
    URLs tried that did / did not run the middleware (conditionally matched URLs count as missed).
    """

    status: str
    entry: MatcherEntry | None
    detail: str
    matched: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# path-to-regexp 6.3.0: lexer, parser, regex builder (re-implemented from its documented and
# observed behaviour; error messages keep path-to-regexp's wording)
# --------------------------------------------------------------------------------------------


class PathPatternError(ValueError):
    """A source that path-to-regexp 6.3.0 (and therefore Next.js) refuses to parse."""


@dataclass(frozen=True)
class _Key:
    """A parameter token: ``prefix`` + ``(pattern)`` + ``suffix``, repeated per ``modifier``."""

    name: str | int
    prefix: str
    suffix: str
    pattern: str
    modifier: str


_DELIMITER = "/#?"
_PREFIXES = "./"
_NAME_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_ESCAPE_RE = re.compile(r"([.+*?=^!:${}()\[\]|/\\])")


def _escape(text: str) -> str:
    """path-to-regexp's ``escapeString``; its output is valid in both JS and Python regexes."""
    return _ESCAPE_RE.sub(r"\\\1", text)


def _lex(src: str) -> list[tuple[str, int, str | None]]:
    """Split a path pattern into (kind, index, value) tokens, as path-to-regexp's lexer does.

    A trailing lone backslash yields an ESCAPED_CHAR with value None (JS ``undefined``); the
    parser then silently drops it, exactly like path-to-regexp.
    """
    tokens: list[tuple[str, int, str | None]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in "*+?":
            tokens.append(("MODIFIER", i, c))
            i += 1
        elif c == "\\":
            tokens.append(("ESCAPED_CHAR", i, src[i + 1] if i + 1 < n else None))
            i += 2
        elif c == "{":
            tokens.append(("OPEN", i, c))
            i += 1
        elif c == "}":
            tokens.append(("CLOSE", i, c))
            i += 1
        elif c == ":":
            j = i + 1
            while j < n and src[j] in _NAME_CHARS:
                j += 1
            if j == i + 1:
                raise PathPatternError(f"Missing parameter name at {i}")
            tokens.append(("NAME", i, src[i + 1:j]))
            i = j
        elif c == "(":
            pattern, i = _lex_group(src, i)
            tokens.append(("PATTERN", i, pattern))
        else:
            tokens.append(("CHAR", i, c))
            i += 1
    tokens.append(("END", i, ""))
    return tokens


def _lex_group(src: str, start: int) -> tuple[str, int]:
    """Read a parenthesised custom pattern starting at ``src[start] == '('``.

    Nested groups must be non-capturing-style ``(?...)``; the pattern may not start with ``?``.
    Returns the pattern text and the index after the closing parenthesis.
    """
    n = len(src)
    j = start + 1
    if j < n and src[j] == "?":
        raise PathPatternError(f'Pattern cannot start with "?" at {j}')
    depth, out = 1, []
    while j < n:
        c = src[j]
        if c == "\\":
            out.append(src[j:j + 2])
            j += 2
            continue
        if c == ")":
            depth -= 1
            if depth == 0:
                j += 1
                break
        elif c == "(":
            depth += 1
            if j + 1 >= n or src[j + 1] != "?":
                raise PathPatternError(f"Capturing groups are not allowed at {j}")
        out.append(c)
        j += 1
    if depth:
        raise PathPatternError(f"Unbalanced pattern at {start}")
    if not out:
        raise PathPatternError(f"Missing pattern at {start}")
    return "".join(out), j


class _TokenStream:
    """Cursor over lexer tokens with path-to-regexp's try/must-consume helpers."""

    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def try_consume(self, kind: str):
        """Consume and return the next token's value if it is of ``kind`` (value may be None)."""
        if self.pos < len(self.tokens) and self.tokens[self.pos][0] == kind:
            self.pos += 1
            return self.tokens[self.pos - 1][2]
        return None

    def must_consume(self, kind: str) -> None:
        """Consume a token of ``kind`` or raise path-to-regexp's "Unexpected ..." error."""
        if self.pos < len(self.tokens) and self.tokens[self.pos][0] == kind:
            self.pos += 1
            return
        got_kind, index, _ = self.tokens[min(self.pos, len(self.tokens) - 1)]
        raise PathPatternError(f"Unexpected {got_kind} at {index}, expected {kind}")

    def consume_text(self) -> str:
        """Consume a run of CHAR / ESCAPED_CHAR tokens."""
        out = ""
        while True:
            value = self.try_consume("CHAR") or self.try_consume("ESCAPED_CHAR")
            if not value:
                return out
            out += value


def _safe_pattern(result: list, prefix: str) -> str:
    """Default parameter pattern of path-to-regexp 6.3.0 (its backtracking fix).

    One segment (``[^/#?]+?``); when the preceding literal text has no delimiter, also refuse to
    run into that text again (``/:a-:b`` -> ``b`` is ``(?:(?!-)[^/#?])+?``). Two parameters with
    nothing between them are an error.
    """
    prev = result[-1] if result else None
    prev_text = prefix or (prev if isinstance(prev, str) else "")
    if prev is not None and not prev_text:
        raise PathPatternError(f'Must have text between two parameters, missing text after "{prev.name}"')
    delimiter = _escape(_DELIMITER)
    if not prev_text or any(ch in prev_text for ch in _DELIMITER):
        return f"[^{delimiter}]+?"
    return f"(?:(?!{_escape(prev_text)})[^{delimiter}])+?"


def parse_path_pattern(src: str) -> list[str | _Key]:
    """Parse a path pattern into literal strings and parameter keys (path-to-regexp 6.3.0 ``parse``).

    Raises `PathPatternError` with path-to-regexp's message when the pattern is malformed.
    """
    stream = _TokenStream(_lex(src))
    result: list[str | _Key] = []
    path = ""
    unnamed = 0
    while stream.pos < len(stream.tokens):
        char = stream.try_consume("CHAR")
        name = stream.try_consume("NAME")
        pattern = stream.try_consume("PATTERN")
        if name or pattern:
            prefix = char or ""
            if prefix not in _PREFIXES:
                path += prefix
                prefix = ""
            if path:
                result.append(path)
                path = ""
            if not name:
                name, unnamed = unnamed, unnamed + 1
            pattern = pattern or _safe_pattern(result, prefix)
            result.append(_Key(name, prefix, "", pattern, stream.try_consume("MODIFIER") or ""))
            continue
        value = char or stream.try_consume("ESCAPED_CHAR")
        if value:
            path += value
            continue
        if path:
            result.append(path)
            path = ""
        if stream.try_consume("OPEN"):
            prefix = stream.consume_text()
            name = stream.try_consume("NAME") or ""
            pattern = stream.try_consume("PATTERN") or ""
            suffix = stream.consume_text()
            stream.must_consume("CLOSE")
            if not name and pattern:
                name, unnamed = unnamed, unnamed + 1
            if name and not pattern:
                pattern = _safe_pattern(result, prefix)
            result.append(_Key(name, prefix, suffix, pattern, stream.try_consume("MODIFIER") or ""))
            continue
        stream.must_consume("END")
    return result


def _normalize_repeats(tokens: list[str | _Key]) -> list[str | _Key]:
    """Next.js' fallback for 6.3.0's "Can not repeat ... without a prefix and suffix": use prefix '/'."""
    out: list[str | _Key] = []
    for tok in tokens:
        if isinstance(tok, _Key) and tok.modifier in ("*", "+") and not tok.prefix and not tok.suffix:
            tok = _Key(tok.name, "/", tok.suffix, tok.pattern, tok.modifier)
        out.append(tok)
    return out


def _tokens_to_regex(tokens: list[str | _Key], translate) -> str:
    """path-to-regexp ``tokensToRegexp`` with default options; ``translate`` maps each custom
    pattern into the target regex dialect. The end anchor is added by the caller."""
    parts = ["^"]
    for tok in tokens:
        if isinstance(tok, str):
            parts.append(_escape(tok))
            continue
        prefix, suffix = _escape(tok.prefix), _escape(tok.suffix)
        if not tok.pattern:
            parts.append(f"(?:{prefix}{suffix}){tok.modifier}")
            continue
        pattern = translate(tok.pattern)
        if prefix or suffix:
            if tok.modifier in ("*", "+"):
                optional = "?" if tok.modifier == "*" else ""
                parts.append(f"(?:{prefix}((?:{pattern})(?:{suffix}{prefix}(?:{pattern}))*){suffix}){optional}")
            else:
                parts.append(f"(?:{prefix}({pattern}){suffix}){tok.modifier}")
        else:
            parts.append(f"({pattern}){tok.modifier}")
    parts.append(f"[{_escape(_DELIMITER)}]?")
    return "".join(parts)


def path_pattern_to_js_regexp(src: str) -> str:
    """The ``RegExp.source`` Next.js gets for path pattern ``src`` (no wrapping applied).

    Raises `PathPatternError` for malformed patterns.
    """
    tokens = _normalize_repeats(parse_path_pattern(src))
    return _js_source_escape(_tokens_to_regex(tokens, lambda p: p) + "$")


def _js_source_escape(route: str) -> str:
    """Escape like V8's ``RegExp.prototype.source``: ``/`` outside classes and line terminators."""
    out, in_class, i = [], False, 0
    while i < len(route):
        c = route[i]
        if c == "\\" and i + 1 < len(route):
            out.append(route[i:i + 2])
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            c = "\\/"
        elif c in "\n\r\u2028\u2029":
            c = {"\n": "\\n", "\r": "\\r", "\u2028": "\\u2028", "\u2029": "\\u2029"}[c]
        out.append(c)
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------------------------
# JavaScript (non-unicode mode) regex syntax -> Python ``re`` syntax
# --------------------------------------------------------------------------------------------


class _JsRegexInvalid(ValueError):
    """The pattern is a SyntaxError for JavaScript too (Next.js rejects it)."""


class _JsRegexUnsupported(ValueError):
    """Valid (or runtime-dependent) JavaScript that this module cannot evaluate in Python."""


_JS_SPACES = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_JS_DOT = "[^\\n\\r\\u2028\\u2029]"
_QUANTIFIER_RE = re.compile(r"\{\d+(?:,\d*)?\}")
_GROUP_NAME_RE = re.compile(r"\(\?<([^>=!]*)>")
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


def _translate_js_regex(pattern: str) -> str:
    """Translate a JavaScript regex fragment (no flags) into an equivalent Python ``re`` fragment.

    Handled differences: ``.`` (JS excludes all line terminators), ``$`` (JS: end of input only
    -> ``\\Z``), ``\\s`` (JS includes Unicode spaces), identity escapes such as ``\\a`` (JS: the
    letter), ``\\cX``, ``{`` that is not a quantifier (JS: literal; Python 3.11 reads ``{,2}`` as
    a quantifier), ``[]`` / ``[^]``, ``[`` inside a class, named groups ``(?<n>`` and ``\\k<n>``.
    Python-only syntax that JS rejects (possessive ``*+``, ``(?P<``, ``(?>``, inline flags) raises
    `_JsRegexInvalid`; JS features Python lacks raise `_JsRegexUnsupported`. The flag ``re.ASCII``
    must be used when compiling (JS ``\\d``, ``\\w``, ``\\b`` are ASCII-only).
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    after_quantifier = False
    while i < n:
        c = pattern[i]
        quantifier = False
        if c == "\\":
            piece, i = _translate_escape(pattern, i, in_class=False)
        elif c == "[":
            piece, i = _translate_class(pattern, i)
        elif c == "(":
            piece, i = _translate_group_open(pattern, i)
        elif c in "*+?":
            if after_quantifier and c != "?":
                raise _JsRegexInvalid(f"nothing to repeat at {i} ({pattern[i - 1:i + 1]!r})")
            piece, i, quantifier = c, i + 1, c != "?" or not after_quantifier
        elif c == "{":
            m = _QUANTIFIER_RE.match(pattern, i)
            if m:
                piece, i, quantifier = m.group(0), m.end(), True
            else:
                piece, i = "\\{", i + 1
        elif c == "}":
            piece, i = "\\}", i + 1
        elif c == "$":
            piece, i = "\\Z", i + 1
        elif c == ".":
            piece, i = _JS_DOT, i + 1
        else:
            piece, i = c, i + 1
        after_quantifier = quantifier
        out.append(piece)
    return "".join(out)


def _translate_group_open(pattern: str, i: int) -> tuple[str, int]:
    """Translate the opening of a group at ``pattern[i] == '('``."""
    for opener in ("(?:", "(?=", "(?!", "(?<=", "(?<!"):
        if pattern.startswith(opener, i):
            return opener, i + len(opener)
    if not pattern.startswith("(?", i):
        return "(", i + 1
    m = _GROUP_NAME_RE.match(pattern, i)
    if m:
        name = m.group(1)
        if not name.isidentifier():
            raise _JsRegexUnsupported(f"group name {name!r} is not usable in Python")
        return f"(?P<{name}>", m.end()
    if re.match(r"\(\?[imsx-]+:", pattern[i:i + 12]):
        raise _JsRegexUnsupported("regex modifiers (?flags:...) need Node.js >= 23; older Node rejects them")
    raise _JsRegexInvalid(f"invalid group {pattern[i:i + 4]!r} at {i}")


def _translate_escape(pattern: str, i: int, *, in_class: bool) -> tuple[str, int]:
    """Translate the escape sequence starting at ``pattern[i] == '\\\\'``."""
    if i + 1 >= len(pattern):
        raise _JsRegexInvalid("\\ at end of pattern")
    c = pattern[i + 1]
    nxt = i + 2
    if c in "dDwW":
        return "\\" + c, nxt
    if c in "bB":
        if in_class:
            return ("\\x08" if c == "b" else "B"), nxt
        return "\\" + c, nxt
    if c == "s":
        return (_JS_SPACES if in_class else f"[{_JS_SPACES}]"), nxt
    if c == "S":
        return ("\\S" if in_class else f"[^{_JS_SPACES}]"), nxt
    if c in "nrtfv":
        return "\\" + c, nxt
    if c == "0" and not (nxt < len(pattern) and pattern[nxt].isdigit()):
        return "\\x00", nxt
    if c.isdigit():
        raise _JsRegexUnsupported(f"back-reference or octal escape \\{c} is not supported")
    if c == "x" and _HEX2.match(pattern, nxt):
        return pattern[i:nxt + 2], nxt + 2
    if c == "u" and _HEX4.match(pattern, nxt):
        return pattern[i:nxt + 4], nxt + 4
    if c == "c":
        if nxt < len(pattern) and pattern[nxt].isascii() and pattern[nxt].isalpha():
            return f"\\x{ord(pattern[nxt]) % 32:02x}", nxt + 1
        return "\\\\c", nxt
    if c == "k" and not in_class:
        m = re.match(r"<([^>]+)>", pattern[nxt:])
        if m:
            if not m.group(1).isidentifier():
                raise _JsRegexUnsupported(f"group name {m.group(1)!r} is not usable in Python")
            return f"(?P={m.group(1)})", nxt + m.end()
    if c.isascii() and c.isalpha():
        return c, nxt  # JS identity escape: \a is the letter a
    return re.escape(c), nxt


def _translate_class(pattern: str, i: int) -> tuple[str, int]:
    """Translate a character class starting at ``pattern[i] == '['`` (JS rules: ``]`` first closes)."""
    j = i + 1
    negated = j < len(pattern) and pattern[j] == "^"
    if negated:
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        return ("[\\s\\S]" if negated else "(?!)"), j + 1
    out = ["[^" if negated else "["]
    while j < len(pattern):
        c = pattern[j]
        if c == "]":
            out.append("]")
            return "".join(out), j + 1
        if c == "\\":
            piece, j = _translate_escape(pattern, j, in_class=True)
            out.append(piece)
            continue
        out.append("\\" + c if c in "[&~|" else c)
        j += 1
    raise _JsRegexInvalid(f"unterminated character class at {i}")


# --------------------------------------------------------------------------------------------
# Catastrophic-backtracking guard
# --------------------------------------------------------------------------------------------

_SLASH_PROBES = ("/", "a/", "/a", "a/b", "1/2", "-/-", "a/b/c")
_QUANTIFIER_BOUNDS_RE = re.compile(r"\{(\d+)(,(\d*))?\}")


def _repeating_quantifier_at(pattern: str, i: int) -> tuple[bool, int]:
    """Whether a quantifier that can repeat (``*``, ``+``, ``{n,}``, ``{n,m}`` with m > 1) starts at ``i``."""
    if i < len(pattern) and pattern[i] in "*+":
        return True, i + 1
    m = _QUANTIFIER_BOUNDS_RE.match(pattern, i)
    if m:
        unbounded = m.group(2) is not None and (not m.group(3) or int(m.group(3)) > 1)
        return unbounded, m.end()
    return False, i


def _backtracking_risk(pattern: str) -> str | None:
    """Why a JS regex fragment could backtrack exponentially, or None.

    Flags a repeated group whose body holds another repeating quantifier or an alternation
    (``(a+)+``, ``(?:a|ab)*``): the classic exponential shapes. Conservative, not exact.
    """
    stack: list[list[bool]] = [[False, False]]  # per open group: [has repeat inside, has '|']
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            j = i + 1 + (pattern[i + 1:i + 2] == "^")
            j += pattern[j:j + 1] == "]"  # a leading ']' (JS: empty class) still closes below
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
            repeat, i = _repeating_quantifier_at(pattern, i)
            stack[-1][0] = stack[-1][0] or repeat
            continue
        if c == "(":
            stack.append([False, False])
            i += 1
            continue
        if c == ")" and len(stack) > 1:
            inner = stack.pop()
            repeat, i = _repeating_quantifier_at(pattern, i + 1)
            if repeat and (inner[0] or inner[1]):
                return "a repeated group contains another repetition or an alternation"
            stack[-1][0] = stack[-1][0] or repeat or inner[0]
            continue
        if c == "|":
            stack[-1][1] = True
        repeat, j = _repeating_quantifier_at(pattern, i)
        if repeat:
            stack[-1][0] = True
            i = j
            continue
        i += 1
    return None


def _token_risk(tok: _Key, python_pattern: str) -> str | None:
    """Backtracking risk of one parameter token, including path-to-regexp's own repetition.

    ``:p(P)*`` becomes ``P(?:/P)*``; that is ambiguous (exponential) when P itself repeats and
    can match a '/'.
    """
    risk = _backtracking_risk(tok.pattern)
    if risk or tok.modifier not in ("*", "+"):
        return risk
    if not _backtracking_risk(f"({tok.pattern})+"):
        return None
    try:
        probe = re.compile(python_pattern, re.ASCII)
    except re.error:
        return None
    if any(probe.fullmatch(text) for text in _SLASH_PROBES):
        return "a repeated parameter whose pattern repeats and can match '/'"
    return None


# --------------------------------------------------------------------------------------------
# Next.js wrapping and entry compilation
# --------------------------------------------------------------------------------------------

_NEXT_DATA_PREFIX = "/:nextData(_next/data/[^/]{1,})?"
_LOCALE_PREFIX = "/:nextInternalLocale((?!_next/)[^/.]{1,})"
_TRANSPORT_SUFFIXES = "\\.rsc|\\.segments/.+\\.segment\\.rsc"
_DATA_SUFFIX = "{(\\.json|" + _TRANSPORT_SUFFIXES + ")}?"
_ROOT_TRANSPORT = "/?index(?:" + _TRANSPORT_SUFFIXES + ")"
_ALLOWED_KEYS = ("source", "locale", "has", "missing")
_HAS_TYPES_WITH_KEY = ("header", "query", "cookie")


def build_source(source: str, *, locale: bool = True, base_path: str = "", i18n: bool = False) -> str:
    """The source string Next.js actually compiles for a matcher ``source`` (see module docstring).

    ``i18n`` is True when next.config has ``i18n.locales``; ``locale`` is False for an entry with
    ``locale: false``; ``base_path`` is next.config ``basePath``.
    """
    is_root = source == "/"
    if i18n and locale:
        source = _LOCALE_PREFIX + ("" if is_root else source)
    if is_root:
        suffix = "(" + ("|\\.json|" if i18n else "") + "/?index|/?index\\.json|" + _ROOT_TRANSPORT + ")?"
    else:
        suffix = _DATA_SUFFIX
    return f"{base_path or ''}{_NEXT_DATA_PREFIX}{source}{suffix}"


def _utf16_len(text: str) -> int:
    """Length as JavaScript counts it (UTF-16 code units)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _check_source(source: str, what: str) -> None:
    """Next.js' ``SourceSchema``: starts with '/', at most 4096 long, parses. Raises `PathPatternError`."""
    if not source.startswith("/"):
        raise PathPatternError(f"{what} must start with '/'")
    if _utf16_len(source) > MAX_SOURCE_LENGTH:
        raise PathPatternError(f"{what} exceeds Next.js' maximum of {MAX_SOURCE_LENGTH} characters")
    parse_path_pattern(source)


def _short(value, limit: int = 80) -> str:
    """A bounded repr for messages about malformed values."""
    try:
        text = repr(value)
    except Exception:  # pragma: no cover - exotic __repr__
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _describe_conditions(has, missing) -> str:
    """Human summary such as "has header 'x-a'; missing cookie 'session'='1'"."""
    parts = []
    for label, items in (("has", has), ("missing", missing)):
        for item in items or ():
            key = item.get("key")
            what = f"{item.get('type')} {key!r}" if key is not None else str(item.get("type"))
            if item.get("value") is not None:
                what += f"={item['value']!r}"
            parts.append(f"{label} {what}")
    return "; ".join(parts)


def _condition_error(items, field_name: str) -> str | None:
    """Validate a ``has``/``missing`` array like Next's ``RouteHasSchema``; None when valid."""
    if items is None:
        return None
    if not isinstance(items, list):
        return f"`{field_name}` must be an array"
    for item in items:
        if not isinstance(item, dict):
            return f"`{field_name}` item {_short(item)} is not an object"
        kind = item.get("type")
        if kind in _HAS_TYPES_WITH_KEY:
            allowed, need_key = {"type", "key", "value"}, True
        elif kind == "host":
            allowed, need_key = {"type", "value"}, False
        else:
            return f"`{field_name}` item has invalid type {_short(kind)} (header, query, cookie or host)"
        extra = sorted(str(k) for k in item if k not in allowed)
        if extra:
            return f"`{field_name}` item has unrecognized key(s) {', '.join(extra)}"
        if need_key and not isinstance(item.get("key"), str):
            return f"`{field_name}` item of type {kind} needs a string `key`"
        value = item.get("value")
        if value is not None and not isinstance(value, str):
            return f"`{field_name}` item `value` must be a string"
        if kind == "host" and value is None:
            return f"`{field_name}` item of type host needs a `value`"
    return None


@dataclass(frozen=True)
class _Settings:
    """next.config settings that change how sources are wrapped and which pathname is matched."""

    base_path: str = ""
    locales: tuple[str, ...] = ()
    default_locale: str | None = None


def _failed(source: str, error: str, settings: _Settings, *, invalid: bool, conditional: bool = False,
            conditions: str = "", locale: bool = True) -> MatcherEntry:
    """An entry that could not be compiled (``invalid``: Next.js rejects it too)."""
    return MatcherEntry(source=source, conditional=conditional, regex=None, error=error, invalid=invalid,
                        conditions=conditions, locale=locale, base_path=settings.base_path,
                        locales=settings.locales, default_locale=settings.default_locale)


def _read_entry(raw, settings: _Settings):
    """Validate one matcher element; ``(source, locale, has, missing)`` or a failed `MatcherEntry`."""
    if is_unknown(raw):
        return _failed("<non-literal>", _unknown_reason(raw), settings, invalid=False)
    if isinstance(raw, str):
        return raw, True, None, None
    if not isinstance(raw, dict):
        return _failed(_short(raw), f"matcher entry must be a string or an object, not {type(raw).__name__}",
                       settings, invalid=True)
    source = raw.get("source")
    if is_unknown(source):
        return _failed("<non-literal>", "`source` is " + _unknown_reason(source), settings, invalid=False)
    if not isinstance(source, str):
        shown = _short(source) if "source" in raw else "<missing>"
        return _failed(shown, "`source` is missing or not a string", settings, invalid=True)
    extra = sorted(str(k) for k in raw if k not in _ALLOWED_KEYS)
    if extra:
        return _failed(source, f"unrecognized key(s) {', '.join(extra)} (Next.js accepts "
                       "source, locale, has, missing)", settings, invalid=True)
    for key in ("locale", "has", "missing"):
        if is_unknown(raw.get(key)):
            return _failed(source, f"`{key}` is " + _unknown_reason(raw.get(key)), settings, invalid=False)
    locale = raw.get("locale")
    if locale is not None and locale is not False:
        return _failed(source, "`locale` must be false or absent", settings, invalid=True)
    for name in ("has", "missing"):
        problem = _condition_error(raw.get(name), name)
        if problem:
            return _failed(source, problem, settings, invalid=True)
    return source, locale is not False, raw.get("has"), raw.get("missing")


def _regex_risk(tokens) -> str | None:
    """The first backtracking risk among the parameter tokens, or None."""
    for tok in tokens:
        if isinstance(tok, _Key) and tok.pattern:
            risk = _token_risk(tok, _translate_js_regex(tok.pattern))
            if risk:
                return risk
    return None


def _compile_entry(raw, settings: _Settings) -> MatcherEntry:
    """Validate and compile one matcher element (a string, an object, or an unknown value)."""
    parsed = _read_entry(raw, settings)
    if isinstance(parsed, MatcherEntry):
        return parsed
    source, locale, has, missing = parsed
    conditional = bool(has) or bool(missing)
    common = dict(conditional=conditional, locale=locale,
                  conditions=_describe_conditions(has, missing) if conditional else "")
    try:
        _check_source(source, "source")
        built = build_source(source, locale=locale, base_path=settings.base_path, i18n=bool(settings.locales))
        _check_source(built, "wrapped source")
        tokens = _normalize_repeats(parse_path_pattern(built))
        js_route = _tokens_to_regex(tokens, lambda p: p) + "$"
        py_route = _tokens_to_regex(tokens, _translate_js_regex) + "\\Z"
        risk = _regex_risk(tokens)
    except (PathPatternError, _JsRegexInvalid) as exc:
        return _failed(source, str(exc), settings, invalid=True, **common)
    except _JsRegexUnsupported as exc:
        return _failed(source, f"cannot evaluate: {exc}", settings, invalid=False, **common)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FutureWarning about set syntax Python may add later
            compiled = re.compile(py_route, re.ASCII)
    except (re.error, RecursionError, OverflowError) as exc:
        return _failed(source, f"cannot evaluate the regex in Python: {exc}", settings, invalid=False, **common)
    return MatcherEntry(source=source, regex=compiled, error=None, js_regexp=_js_source_escape(js_route),
                        risk=risk, base_path=settings.base_path, locales=settings.locales,
                        default_locale=settings.default_locale, **common)


def compile_matcher(value, *, base_path: str = "", locales=None, default_locale: str | None = None):
    """Compile a literal ``config.matcher`` value into entries.

    ``value`` is a ``str``, a ``list`` of strings and/or ``{source, locale?, has?, missing?}``
    dicts, None (no matcher: the middleware runs on every request) or `UNKNOWN`.
    Returns None for None, `UNKNOWN` for an unknown value, else one `MatcherEntry` per element
    (an empty list for ``[]``, on which Next.js runs the middleware nowhere). Malformed values
    give entries with ``error`` set; this function never raises.

    ``base_path``, ``locales`` (next.config ``i18n.locales``) and ``default_locale`` mirror the
    next.config settings Next.js uses when compiling; leave them empty when unknown.
    """
    try:
        settings = _make_settings(base_path, locales, default_locale)
        if value is None:
            return None
        if is_unknown(value):
            return UNKNOWN
        if isinstance(value, (list, tuple)):
            return [_compile_entry(item, settings) for item in value]
        if isinstance(value, str):
            return [_compile_entry(value, settings)]
        if isinstance(value, dict):
            return [_failed(_short(value.get("source")), "a bare object is not accepted: Next.js >= 15 requires "
                            "a string or an array (14.x accepted it)", settings, invalid=True)]
        return [_failed(_short(value), f"matcher must be a string or an array, not {type(value).__name__}",
                        settings, invalid=True)]
    except Exception as exc:  # last-resort guard: never raise to the caller
        return [_failed(_short(value), f"internal error while compiling matcher: {exc!r}", _Settings(),
                        invalid=False)]


def _make_settings(base_path, locales, default_locale) -> _Settings:
    """Normalise the next.config settings (bad types are ignored rather than raised)."""
    base = base_path if isinstance(base_path, str) else ""
    locs = tuple(x for x in (locales or ()) if isinstance(x, str) and x) if isinstance(locales, (list, tuple)) else ()
    default = default_locale if isinstance(default_locale, str) and default_locale in locs else None
    if locs and default is None:
        default = locs[0]
    return _Settings(base, locs, default)


# --------------------------------------------------------------------------------------------
# Matching concrete URLs
# --------------------------------------------------------------------------------------------


def _pathname(url: str) -> str:
    """The pathname of a URL or path (query and fragment dropped); '/' when empty."""
    if "://" in url[:16]:
        try:
            path = urlsplit(url).path
        except ValueError:
            path = ""
    else:
        path = re.split(r"[?#]", url, maxsplit=1)[0]
    return path or "/"


def _request_pathname(path: str, settings: _Settings) -> str:
    """The pathname Next.js matches: with i18n, the default locale is added when none is present
    (``resolve-routes.js``), except for ``/_next/...`` paths."""
    if not settings.locales:
        return path
    base = settings.base_path
    had_base = bool(base) and (path == base or path.startswith(base + "/"))
    rest = (path[len(base):] or "/") if had_base else path
    first = rest.split("/")[1] if rest.startswith("/") else ""
    if rest.startswith("/_next/") or first.lower() in {loc.lower() for loc in settings.locales}:
        return path
    prefixed = "/" + settings.default_locale + ("" if rest == "/" else rest)
    return base + prefixed if had_base else prefixed


def _path_variants(path: str) -> list[str]:
    """The raw pathname and, when it decodes cleanly, its percent-decoded form (as Next tries both)."""
    variants = [path]
    if "%" in path and not re.search(r"%(?![0-9A-Fa-f]{2})", path):
        try:
            decoded = unquote(path, errors="strict")
        except UnicodeDecodeError:
            decoded = path
        if decoded != path:
            variants.append(decoded)
    return variants


def _entry_verdict(entry: MatcherEntry, path: str) -> bool | None:
    """Whether the entry's path regex matches the request pathname (has/missing ignored).

    None when it cannot be decided here: unsupported or non-literal entry, or a risky regex on a
    path longer than `RISKY_PATH_LENGTH`. Entries Next.js rejects (``invalid``) match nothing.
    """
    if entry.invalid:
        return False
    if not entry.usable:
        return None
    variants = _path_variants(path)
    if entry.risk and any(len(p) > RISKY_PATH_LENGTH for p in variants):
        return None
    return any(entry.regex.match(p) is not None for p in variants)


def _settings_of(entries) -> _Settings:
    for entry in entries:
        return _Settings(entry.base_path, entry.locales, entry.default_locale)
    return _Settings()


@dataclass(frozen=True)
class _Verdict:
    """How one request pathname fares against all entries.

    ``state``: 'covered' (an unconditional entry matches), 'conditional' (only entries with
    has/missing match), 'undecided' (no unconditional match, but some entry could not be
    evaluated -- listed in ``undecided``), 'miss'.
    """

    state: str
    entry: MatcherEntry | None = None
    undecided: tuple[MatcherEntry, ...] = ()


def _classify(entries, path: str) -> _Verdict:
    conditional, undecided = None, []
    for entry in entries:
        verdict = _entry_verdict(entry, path)
        if verdict is None:
            undecided.append(entry)
        elif verdict and not entry.conditional:
            return _Verdict("covered", entry)
        elif verdict:
            conditional = conditional or entry
    if undecided:
        return _Verdict("undecided", conditional, tuple(undecided))
    return _Verdict("conditional", conditional) if conditional else _Verdict("miss")


def _entry_list(entries) -> str:
    return ", ".join(repr(e.source) for e in entries) or "none"


def _undecided_note(entries) -> str:
    """Sentence fragment naming the entries that could not be evaluated, and why."""
    reasons = []
    for entry in entries:
        why = entry.error or (f"{entry.risk}; not run on long paths" if entry.risk else "not evaluable")
        reasons.append(f"{entry.source!r} ({why})")
    return "could not evaluate " + ", ".join(reasons)


def url_coverage(entries, url: str) -> Coverage:
    """Whether the middleware runs for one concrete URL (path, path with query, or absolute URL).

    'covered': an unconditional entry matches; 'partial': only entries with has/missing match;
    'not-covered': nothing matches; 'unknown': unknown matcher, an unevaluable entry could decide,
    or the URL is longer than `MAX_URL_LENGTH`.
    """
    try:
        if entries is None:
            return Coverage("covered", None, f"no matcher: middleware runs on every request, including {url}")
        if is_unknown(entries):
            return Coverage("unknown", None, f"matcher is not a static literal; cannot tell whether it matches {url}")
        if not isinstance(url, str):
            return Coverage("unknown", None, f"not a URL: {_short(url)}")
        entries = list(entries)
        path = _request_pathname(_pathname(url), _settings_of(entries))
        if len(path) > MAX_URL_LENGTH:
            return Coverage("unknown", None, f"URL longer than {MAX_URL_LENGTH} characters; not evaluated")
        verdict = _classify(entries, path)
        entry = verdict.entry
        if verdict.state == "covered":
            return Coverage("covered", entry, f"matcher {entry.source!r} matches {url}", matched=(url,))
        if verdict.state == "undecided":
            return Coverage("unknown", entry, f"no evaluable matcher entry runs unconditionally on {url}; "
                            f"{_undecided_note(verdict.undecided)}", missed=(url,))
        if verdict.state == "conditional":
            return Coverage("partial", entry, f"matcher {entry.source!r} matches {url} only when "
                            f"its conditions hold ({entry.conditions})", missed=(url,))
        return Coverage("not-covered", None, f"no matcher entry matches {url} (entries: {_entry_list(entries)})",
                        missed=(url,))
    except Exception as exc:  # never raise
        return Coverage("unknown", None, f"internal error while matching {_short(url)}: {exc!r}")


def url_matches(entries, url: str) -> bool:
    """True when the middleware may run for ``url``: no matcher, or some entry's path pattern
    matches (``has``/``missing`` conditions are assumed satisfiable). False for an `UNKNOWN`
    matcher and for unevaluable input -- use `url_coverage` for the four-valued answer."""
    return url_coverage(entries, url).status in ("covered", "partial")


# --------------------------------------------------------------------------------------------
# Route patterns
# --------------------------------------------------------------------------------------------

_DYNAMIC_RE = re.compile(r"^\[([^\[\].]+)\]$")
_CATCH_ALL_RE = re.compile(r"^\[\.\.\.([^\[\]]+)\]$")
_OPTIONAL_CATCH_ALL_RE = re.compile(r"^\[\[\.\.\.([^\[\]]+)\]\]$")


def _segment_options(segment: str) -> tuple[tuple[str, ...], str]:
    """Sample values for one route segment and its kind ('static', 'dynamic', 'catch-all', 'optional')."""
    if _OPTIONAL_CATCH_ALL_RE.match(segment):
        return OPTIONAL_CATCH_ALL_SAMPLES, "optional"
    if _CATCH_ALL_RE.match(segment):
        return CATCH_ALL_SAMPLES, "catch-all"
    if _DYNAMIC_RE.match(segment):
        return SEGMENT_SAMPLES, "dynamic"
    return (segment,), "static"


def _join(values) -> str:
    return "/" + "/".join(v for v in values if v)


def _describe_value(segment: str, kind: str, value: str) -> str:
    if kind == "optional" and not value:
        return f"{segment} with no segment"
    if kind in ("catch-all", "optional"):
        count = value.count("/") + 1
        return f"{segment} with {'one segment' if count == 1 else f'{count} segments'}"
    return f"{segment} = {value!r}"


def route_instantiations(url_pattern: str) -> list[tuple[str, str]]:
    """Concrete URLs standing for a route pattern, each with a note on what it represents.

    The first is the baseline (``[x]`` -> ``sample``, ``[...x]`` -> one segment, ``[[...x]]`` ->
    one segment); then each dynamic segment is varied alone: ``[x]`` -> ``123``; ``[...x]`` ->
    three segments; ``[[...x]]`` -> none and three segments. Static segments stay as written.
    """
    segments = [s for s in url_pattern.split("/") if s]
    options = [_segment_options(s) for s in segments]
    baseline = [opts[0] for opts, _ in options]
    result = [(_join(baseline), "baseline")]
    for index, (opts, kind) in enumerate(options):
        for value in opts[1:]:
            values = list(baseline)
            values[index] = value
            result.append((_join(values), _describe_value(segments[index], kind, value)))
    seen, unique = set(), []
    for url, note in result:
        if url not in seen:
            seen.add(url)
            unique.append((url, note))
    return unique


def _probe_urls(url_pattern: str, entries) -> list[str]:
    """URLs that put words from the matcher sources into the dynamic segments.

    Used only when no sample URL matched, to tell "matches some values of ``[locale]``" (partial)
    from "matches none" (not covered): e.g. ``/:locale(en|fr)/about`` vs ``/[locale]/about``.
    """
    segments = [s for s in url_pattern.split("/") if s]
    dynamic = [i for i, s in enumerate(segments) if _segment_options(s)[1] != "static"]
    if not dynamic:
        return []
    words: list[str] = []
    for entry in entries:
        for word in re.findall(r"[A-Za-z0-9_][A-Za-z0-9_.~-]*", entry.source)[:MAX_PROBE_WORDS]:
            if word not in words:
                words.append(word)
    baseline = [_segment_options(s)[0][0] for s in segments]
    urls = []
    for word in words[:MAX_PROBE_WORDS]:
        for index in dynamic:
            values = list(baseline)
            values[index] = word
            urls.append(_join(values))
        values = [word if i in dynamic else v for i, v in enumerate(baseline)]
        urls.append(_join(values))
    return urls


def _request_url(url: str, settings: _Settings, locale: str | None) -> str:
    """The pathname Next.js matches for app URL ``url`` under basePath and (optional) locale."""
    path = url
    if locale:
        path = f"/{locale}" + ("" if url == "/" else url)
    if settings.base_path:
        path = settings.base_path + ("" if path == "/" else path)
    return path


def _locale_variants(settings: _Settings) -> list[str | None]:
    """Locales to try: none without i18n, else the default and one other configured locale."""
    if not settings.locales:
        return [None]
    others = [loc for loc in settings.locales if loc != settings.default_locale]
    return [settings.default_locale] + others[:1]


def route_coverage(entries, url_pattern: str) -> Coverage:
    """Whether the middleware runs for every URL of a Next.js route pattern.

    ``url_pattern`` uses Next.js segment syntax (``/blog/[slug]``, ``/docs/[...slug]``,
    ``/shop/[[...rest]]``) with route groups already removed. The pattern is instantiated with
    `route_instantiations` (and, with i18n, with the default and one other locale prefix); every
    instantiation must be matched by an unconditional entry for 'covered'. Some but not all, or
    only conditional entries -> 'partial', naming a URL that missed. None matched -> 'not-covered'
    unless words from the matcher (e.g. ``en`` in ``/:locale(en|fr)``) placed in the dynamic
    segments match, which is 'partial'. Unknown matcher, or an unevaluable entry that could change
    a non-'covered' answer -> 'unknown'. Never raises.
    """
    try:
        if not isinstance(url_pattern, str):
            return Coverage("unknown", None, f"not a route pattern: {_short(url_pattern)}")
        pattern = "/" + url_pattern.strip("/")
        if entries is None:
            return Coverage("covered", None, f"no matcher: middleware runs on every route, including {pattern}")
        if is_unknown(entries):
            return Coverage("unknown", None, f"matcher is not a static literal; coverage of {pattern} is unknown")
        entries = list(entries)
        if not entries:
            return Coverage("not-covered", None, f"matcher is an empty array: middleware runs on no route, "
                            f"so not on {pattern}")
        return _route_coverage(entries, pattern)
    except Exception as exc:  # never raise
        return Coverage("unknown", None, f"internal error while checking {_short(url_pattern)}: {exc!r}")


def _route_coverage(entries: list[MatcherEntry], pattern: str) -> Coverage:
    settings = _settings_of(entries)
    tried = [(_request_url(url, settings, loc), note)
             for loc in _locale_variants(settings) for url, note in route_instantiations(pattern)]
    results = [(url, note, _classify(entries, url)) for url, note in tried]
    matched = tuple(url for url, _, v in results if v.state == "covered")
    missed = tuple(url for url, _, v in results if v.state != "covered")
    if not missed:
        entry = results[0][2].entry
        return Coverage("covered", entry, f"matcher {entry.source!r} covers {pattern}", matched, missed)

    undecided = next((v for _, _, v in results if v.state == "undecided"), None)
    if undecided:
        first = next(url for url, _, v in results if v.state == "undecided")
        return Coverage("unknown", undecided.entry, f"cannot tell whether the middleware runs on {first} "
                        f"({pattern}): {_undecided_note(undecided.undecided)}", matched, missed)

    if any(v.state != "miss" for _, _, v in results):
        best = _best_entry(results)
        url, note, verdict = next((r for r in results if r[2].state == "miss"), None) or \
            next(r for r in results if r[2].state == "conditional")
        if verdict.state == "conditional":
            why = f"matches {url} only when its conditions hold ({verdict.entry.conditions})"
        else:
            why = f"does not match {url} ({note})"
        return Coverage("partial", best, f"matcher {best.source!r} covers {pattern} only partly: it {why}",
                        matched, missed)

    for url in (_request_url(u, settings, loc) for loc in _locale_variants(settings)
                for u in _probe_urls(pattern, entries)):
        verdict = _classify(entries, url)
        if verdict.state in ("covered", "conditional"):
            return Coverage("partial", verdict.entry, f"matcher {verdict.entry.source!r} covers {pattern} only "
                            f"for some parameter values (it matches {url} but not {missed[0]})", matched, missed)
    invalid = [e for e in entries if e.invalid]
    note = f"; ignored entries Next.js rejects: {_entry_list(invalid)}" if invalid else ""
    return Coverage("not-covered", None, f"no matcher entry matches {pattern} "
                    f"(entries: {_entry_list(entries)}){note}", matched, missed)


def _best_entry(results) -> MatcherEntry:
    """The entry matching the most instantiations, unconditional hits counting first."""
    score: dict[int, tuple[int, int, MatcherEntry]] = {}
    for _url, _note, verdict in results:
        if verdict.entry is None:
            continue
        full, cond, _ = score.get(id(verdict.entry), (0, 0, verdict.entry))
        score[id(verdict.entry)] = (full + (verdict.state == "covered"), cond + (verdict.state != "covered"),
                                    verdict.entry)
    return max(score.values(), key=lambda item: (item[0], item[1]))[2]
