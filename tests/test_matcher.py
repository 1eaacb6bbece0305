"""Tests for edgelint.matcher: Next.js middleware/proxy `config.matcher` semantics.

Expected values come from next 16.4.6 itself (`getMiddlewareMatchers` and
`unstable_doesMiddlewareMatch` run under Node.js 20, Nov 2026), from the Next.js docs
(middleware.mdx / proxy.mdx) where the code agrees, and from path-to-regexp 6.3.0. Where the
expectation rests on reading Next's server code rather than on running it, the test says so.
"""

from __future__ import annotations

import time

import pytest

from edgelint.matcher import (
    MAX_URL_LENGTH,
    UNKNOWN,
    Coverage,
    MatcherEntry,
    PathPatternError,
    build_source,
    compile_matcher,
    is_unknown,
    parse_path_pattern,
    path_pattern_to_js_regexp,
    route_coverage,
    route_instantiations,
    url_coverage,
    url_matches,
)

NEGATIVE = "/((?!api|_next/static|_next/image|favicon.ico).*)"


def matches(matcher, url: str, **settings) -> bool:
    return url_matches(compile_matcher(matcher, **settings), url)


def only_entry(matcher, **settings) -> MatcherEntry:
    entries = compile_matcher(matcher, **settings)
    assert isinstance(entries, list) and len(entries) == 1
    return entries[0]


# ----------------------------------------------------------------------------------------------
# The regex Next.js writes into its middleware manifest (strings copied from next 16.4.6 output)
# ----------------------------------------------------------------------------------------------

_SUFFIX = r"(\.json|\.rsc|\.segments\/.+\.segment\.rsc)?[\/#\?]?$"
_DATA = r"^(?:\/(_next\/data\/[^/]{1,}))?"


@pytest.mark.parametrize(
    "matcher, settings, expected",
    [
        ("/about/:path", {}, _DATA + r"\/about(?:\/([^\/#\?]+?))" + _SUFFIX),
        ("/about/:path*", {}, _DATA + r"\/about(?:\/((?:[^\/#\?]+?)(?:\/(?:[^\/#\?]+?))*))?" + _SUFFIX),
        ("/about/(.*)", {}, _DATA + r"\/about(?:\/(.*))" + _SUFFIX),
        ("/api", {}, _DATA + r"\/api" + _SUFFIX),
        (NEGATIVE, {}, _DATA + r"(?:\/((?!api|_next\/static|_next\/image|favicon.ico).*))" + _SUFFIX),
        ("/", {}, _DATA + r"(?:\/(\/?index|\/?index\.json|\/?index(?:\.rsc|\.segments\/.+\.segment\.rsc)))?"
         r"[\/#\?]?$"),
        # 6.3.0 refuses a repeat without prefix; Next retries with prefix '/'
        ("/a(x)*", {}, _DATA + r"\/a(?:\/((?:x)(?:\/(?:x))*))?" + _SUFFIX),
        # 6.3.0 "safe pattern": the second parameter may not run into the '.' again
        ("/files/:name.:ext", {}, _DATA + r"\/files(?:\/([^\/#\?]+?))(?:\.((?:(?!\.)[^\/#\?])+?))" + _SUFFIX),
        ("/:locale(en|fr)/:path*", {},
         _DATA + r"(?:\/(en|fr))(?:\/((?:[^\/#\?]+?)(?:\/(?:[^\/#\?]+?))*))?" + _SUFFIX),
        ("/a/:p(\\d+)*", {}, _DATA + r"\/a(?:\/((?:\d+)(?:\/(?:\d+))*))?" + _SUFFIX),
        ("/about", {"locales": ["en", "de"], "default_locale": "en"},
         _DATA + r"(?:\/((?!_next\/)[^/.]{1,}))\/about" + _SUFFIX),
        ("/", {"locales": ["en", "de"], "default_locale": "en"},
         _DATA + r"(?:\/((?!_next\/)[^/.]{1,}))(|\.json|\/?index|\/?index\.json|\/?index(?:\.rsc|"
         r"\.segments\/.+\.segment\.rsc))?[\/#\?]?$"),
        ("/about", {"base_path": "/docs"},
         r"^\/docs(?:\/(_next\/data\/[^/]{1,}))?\/about" + _SUFFIX),
    ],
)
def test_js_regexp_is_what_next_builds(matcher, settings, expected):
    entry = only_entry(matcher, **settings)
    assert entry.error is None
    assert entry.js_regexp == expected


def test_build_source_wraps_like_next():
    assert build_source("/api") == ("/:nextData(_next/data/[^/]{1,})?/api"
                                    "{(\\.json|\\.rsc|\\.segments/.+\\.segment\\.rsc)}?")
    assert build_source("/x", locale=False, i18n=True, base_path="/b").startswith("/b/:nextData(")
    assert ":nextInternalLocale" in build_source("/x", i18n=True)
    assert ":nextInternalLocale" not in build_source("/x", locale=False, i18n=True)


def test_path_pattern_to_js_regexp_without_wrapping():
    assert path_pattern_to_js_regexp("/about/:path") == r"^\/about(?:\/([^\/#\?]+?))[\/#\?]?$"


# ----------------------------------------------------------------------------------------------
# Matching concrete URLs: the docs' examples, checked against next 16.4.6
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "matcher, url, expected",
    [
        # named parameter: one segment
        ("/about/:path", "/about/a", True),
        ("/about/:path", "/about/a/c", False),
        ("/about/:path", "/about", False),
        # modifiers
        ("/about/:path*", "/about", True),
        ("/about/:path*", "/about/a", True),
        ("/about/:path*", "/about/a/b/c", True),
        ("/about/:path*", "/aboutx", False),
        ("/about/:path+", "/about", False),
        ("/about/:path+", "/about/a/b/c", True),
        ("/about/:path?", "/about", True),
        ("/about/:path?", "/about/a", True),
        ("/about/:path?", "/about/a/b/c", False),
        # a regex group: like :path* except that /about itself does not match
        ("/about/(.*)", "/about/a/b", True),
        ("/about/(.*)", "/about/", True),
        ("/about/(.*)", "/about", False),
        # custom parameter regex
        ("/about/:id(\\d+)", "/about/12", True),
        ("/about/:id(\\d+)", "/about/x", False),
        # plain path: exactly that path (plus trailing slash and transport forms), not below it
        ("/api", "/api", True),
        ("/api", "/api/", True),
        ("/api", "/api/x", False),
        ("/api", "/apis", False),
        ("/api", "/api.json", True),
        ("/api", "/api.rsc", True),
        ("/api", "/api.segments/a/b.segment.rsc", True),
        ("/api", "/apiXjson", False),
        # negative lookahead: everything except
        (NEGATIVE, "/shop", True),
        (NEGATIVE, "/", True),
        (NEGATIVE, "/api", False),
        (NEGATIVE, "/api/x", False),
        (NEGATIVE, "/apix", False),  # the lookahead is a prefix test
        (NEGATIVE, "/_next/static/x.js", False),
        (NEGATIVE, "/favicon.ico", False),
        # root matcher
        ("/", "/", True),
        ("/", "/index", True),
        ("/", "/index.json", True),
        ("/", "/x", False),
        # case-sensitive: Next builds the RegExp without the i flag
        ("/about/:path", "/About/a", False),
        ("/A/:b", "/A/x", True),
        # path-to-regexp corner cases
        ("/a(x)*", "/a/x/x", True),
        ("/a(x)*", "/axx", False),
        ("/a{-:b}?", "/a", True),
        ("/a{-:b}?", "/a-x", True),
        ("/a/{b}?", "/a/b", True),
        ("/a/{b}?", "/a", False),
        ("/a/:b?/c", "/a/c", True),
        ("/a/:b?/c", "/a/x/c", True),
        ("/a.b", "/aXb", False),  # literal text is escaped
        ("/\\(x\\)", "/(x)", True),
        ("/:locale(en|fr)/:path*", "/de/x", False),
        ("/:locale(en|fr)/:path*", "/en/x", True),
    ],
)
def test_url_matching(matcher, url, expected):
    assert matches(matcher, url) is expected


@pytest.mark.parametrize(
    "matcher, url, expected",
    [
        # JS regex dialect: translated, not passed through
        ("/a/(x{,2})", "/a/xx", False),  # JS: '{,2}' is literal text; Python would read a quantifier
        ("/a/(x{,2})", "/a/x{,2}", True),
        ("/a/([]x)", "/a/x", False),  # JS: [] matches nothing
        ("/a/([]x)", "/a/yx", False),
        ("/a/([^]x)", "/a/yx", True),  # JS: [^] matches anything
        ("/a/(\\a\\q)", "/a/aq", True),  # JS identity escapes
        ("/a/(.*\\.png$)", "/a/x.png", True),
        ("/a/(.*\\.png$)", "/a/x.png.json", False),  # $ is the end of input
        ("/a/(x$\\s*)", "/a/x\n", False),  # ... not "before a final newline" as in Python
        ("/a/(x.y)", "/a/xzy", True),
        ("/a/(x.y)", "/a/x\ny", False),  # JS '.' excludes line terminators
        ("/a/(x.y)", "/a/x\u2028y", False),
        ("/a/(x(?<n>y))", "/a/xy", True),  # named group
    ],
)
def test_js_regex_dialect(matcher, url, expected):
    assert matches(matcher, url) is expected


def test_array_of_strings_matches_any_entry():
    entries = compile_matcher(["/a", "/b"])
    assert [url_matches(entries, u) for u in ("/a", "/b", "/c")] == [True, True, False]


def test_next_data_routes_match_with_the_page():
    # every matcher also matches /_next/data/<buildId>/<page>.json
    assert matches("/about/:path", "/_next/data/b1/about/a.json")
    assert matches("/api", "/_next/data/b/api.json")
    assert not matches("/api", "/_next/data/b/other.json")
    # the docs: excluding _next/data in a negative lookahead does not stop data routes ...
    excl = "/((?!api|_next/data|_next/static|_next/image|favicon.ico|sitemap.xml|robots.txt).*)"
    assert matches(excl, "/_next/data/b1/about.json")
    assert matches(excl, "/_next/data/b1/index.json")
    # ... but a data route of an excluded page stays excluded (it is the page path that counts)
    assert not matches(excl, "/_next/data/b1/api/x.json")
    assert not matches(NEGATIVE, "/_next/static/chunk.js")


def test_public_index_quirk_from_docs_is_not_in_the_code():
    # docs: "/public is treated as /public/index"; next 16.4.6 says no for /public
    assert not matches("/public/:path", "/public")
    assert matches("/public/:path", "/public/index")


def test_url_forms_query_fragment_and_absolute():
    assert matches("/a/:p*", "/a/x?q=1")
    assert matches("/a/:p*", "/a/x#h")
    assert matches("/a/:p*", "https://example.com/a/x?y=1")
    assert not matches("/a/:p*", "https://example.com/b")


def test_percent_decoded_pathname_is_tried_too():
    # resolve-routes.js matches the raw pathname and decodeURIComponent(pathname) (read, not run)
    assert matches("/café", "/caf%C3%A9")
    assert not matches("/cafe", "/caf%C3%A9")
    assert not matches("/café", "/caf%zz")


def test_base_path_is_part_of_the_matched_path():
    assert matches("/about", "/docs/about", base_path="/docs")
    assert not matches("/about", "/about", base_path="/docs")


def test_i18n_default_locale_is_added_before_matching():
    # resolve-routes.js prefixes the default locale when the path has none (read, not run)
    i18n = {"locales": ["en", "de"], "default_locale": "en"}
    assert matches("/about", "/about", **i18n)
    assert matches("/about", "/de/about", **i18n)
    assert matches("/about", "/fr/about", **i18n) is False  # 'fr' is no locale here -> /en/fr/about
    # locale: false -> the source sees the locale-prefixed path as is
    assert not matches([{"source": "/about", "locale": False}], "/about", **i18n)
    assert matches([{"source": "/:lang/about", "locale": False}], "/about", **i18n)


# ----------------------------------------------------------------------------------------------
# compile_matcher: shapes, validation and errors
# ----------------------------------------------------------------------------------------------


def test_no_matcher_and_unknown():
    assert compile_matcher(None) is None
    assert compile_matcher(UNKNOWN) is UNKNOWN
    assert compile_matcher([]) == []


def test_unknown_from_jsvalues_is_recognised_by_class_name():
    class Unknown:  # same name as edgelint.jsvalues.Unknown
        reason = "identifier"

    assert is_unknown(Unknown())
    assert compile_matcher(Unknown()) is UNKNOWN
    entry = compile_matcher(["/a", Unknown()])[1]
    assert entry.error and "identifier" in entry.error and not entry.invalid


def test_object_entries_and_conditions():
    entries = compile_matcher([
        "/plain",
        {"source": "/api/:path*", "has": [{"type": "header", "key": "authorization"}]},
        {"source": "/x", "missing": [{"type": "cookie", "key": "session", "value": "1"}]},
        {"source": "/y", "has": []},
    ])
    assert [e.conditional for e in entries] == [False, True, True, False]
    assert all(e.error is None for e in entries)
    assert "authorization" in entries[1].conditions
    assert "missing cookie 'session'='1'" == entries[2].conditions


@pytest.mark.parametrize(
    "value, message_part",
    [
        ("about", "must start with '/'"),
        ("", "must start with '/'"),
        ("/a/((x))", "Capturing groups are not allowed at 4"),
        ("/a/(?:x)", 'Pattern cannot start with "?" at 4'),
        ("/x/(?!y)", 'Pattern cannot start with "?" at 4'),
        ("/a/:p(", "Unbalanced pattern at 5"),
        ("/a/:p**", "Unexpected MODIFIER at 6, expected END"),
        ("/a/:p:q", 'Must have text between two parameters, missing text after "p"'),
        ("/a/:", "Missing parameter name at 3"),
        ("/a/{:b", "Unexpected END at 6, expected CLOSE"),
        ("/a/:p([a-)", "unterminated character class"),
        ("/a/(.*+)", "nothing to repeat"),
        ("/a/(x(?P<n>y))", "invalid group"),
        ("/about\\", "expected END"),  # fine alone, broken once Next appends its suffix
        ("/" + "a" * 4019, "4096"),  # 4020 characters: over the limit once wrapped
        ([{"source": "/b", "regexp": "^/b$"}], "regexp"),  # rejected by Next's schema
        ([{"source": "/a", "locale": True}], "`locale` must be false"),
        ([{"source": "/a", "has": [{"type": "header"}]}], "needs a string `key`"),
        ([{"source": "/a", "has": [{"type": "host"}]}], "needs a `value`"),
        ([{"source": "/a", "has": [{"type": "ip", "key": "x"}]}], "invalid type"),
        ([{"source": "/a", "has": "x"}], "must be an array"),
        ([{"source": 5}], "not a string"),
        ([{}], "not a string"),
        ([5], "must be a string or an object"),
        ({"source": "/a"}, "bare object"),
        (42, "must be a string or an array"),
    ],
)
def test_invalid_entries_carry_an_error(value, message_part):
    entry = only_entry(value)
    assert entry.regex is None
    assert entry.invalid is True
    assert message_part in entry.error


def test_length_limit_boundary():
    assert only_entry("/" + "a" * 4018).error is None  # 4019 characters: next build accepts it


@pytest.mark.parametrize(
    "value, message_part",
    [
        ("/a/(x(?<=y+)z)", "cannot evaluate"),  # variable-width lookbehind: valid JS, not Python
        ("/a/(x(?i:y))", "Node.js >= 23"),
        ("/a/(x(?<n>y)\\k<n>\\1)", "back-reference"),
    ],
)
def test_unsupported_entries_are_not_called_invalid(value, message_part):
    entry = only_entry(value)
    assert entry.regex is None and entry.invalid is False
    assert message_part in entry.error


def test_invalid_entry_does_not_hide_valid_ones():
    entries = compile_matcher(["/ok/:p*", "nope", {"source": "/x", "regexp": "y"}])
    assert [e.invalid for e in entries] == [False, True, True]
    assert url_matches(entries, "/ok/a")


# ----------------------------------------------------------------------------------------------
# path-to-regexp parser
# ----------------------------------------------------------------------------------------------


def test_parse_tokens():
    tokens = parse_path_pattern("/users/:id(\\d+)?/:rest*")
    assert tokens[0] == "/users"
    assert (tokens[1].name, tokens[1].prefix, tokens[1].pattern, tokens[1].modifier) == ("id", "/", "\\d+", "?")
    assert (tokens[2].name, tokens[2].modifier) == ("rest", "*")


def test_parse_error_type():
    with pytest.raises(PathPatternError):
        parse_path_pattern("/a/((x))")


# ----------------------------------------------------------------------------------------------
# Route coverage
# ----------------------------------------------------------------------------------------------


def test_route_instantiations():
    assert route_instantiations("/") == [("/", "baseline")]
    urls = [u for u, _ in route_instantiations("/shop/[[...rest]]")]
    assert urls == ["/shop/sample", "/shop", "/shop/sample/nested/page"]
    urls = [u for u, _ in route_instantiations("/blog/[slug]/[...path]")]
    assert urls == ["/blog/sample/sample", "/blog/123/sample", "/blog/sample/sample/nested/page"]


def test_no_matcher_covers_everything():
    cov = route_coverage(None, "/checkout")
    assert cov.status == "covered" and cov.entry is None
    assert "every route" in cov.detail


def test_unknown_matcher_is_unknown():
    assert route_coverage(UNKNOWN, "/x").status == "unknown"
    assert url_coverage(UNKNOWN, "/x").status == "unknown"
    assert url_matches(UNKNOWN, "/x") is False


def test_empty_array_covers_nothing():
    cov = route_coverage(compile_matcher([]), "/x")
    assert cov.status == "not-covered"


def test_dynamic_segment_is_covered_by_named_parameter():
    entries = compile_matcher("/blog/:slug")
    cov = route_coverage(entries, "/blog/[slug]")
    assert cov.status == "covered"
    assert cov.entry is entries[0]
    assert cov.detail == "matcher '/blog/:slug' covers /blog/[slug]"


def test_catch_all_is_only_partly_covered_by_one_segment_parameter():
    cov = route_coverage(compile_matcher("/blog/:slug"), "/blog/[...slug]")
    assert cov.status == "partial"
    assert cov.entry.source == "/blog/:slug"
    assert "/blog/sample/nested/page" in cov.detail
    assert cov.matched == ("/blog/sample",) and cov.missed == ("/blog/sample/nested/page",)


def test_api_wildcard_covers_nested_dynamic_route():
    cov = route_coverage(compile_matcher("/api/:path*"), "/api/orders/[id]")
    assert cov.status == "covered"
    assert cov.detail == "matcher '/api/:path*' covers /api/orders/[id]"


def test_not_covered_detail_lists_entries():
    cov = route_coverage(compile_matcher(["/api/:path*", "/admin/(.*)"]), "/checkout")
    assert cov.status == "not-covered" and cov.entry is None
    assert cov.detail == "no matcher entry matches /checkout (entries: '/api/:path*', '/admin/(.*)')"


def test_exact_api_matcher_misses_subroutes():
    # the Upstash example: matcher '/api' protects /api only
    assert route_coverage(compile_matcher("/api"), "/api").status == "covered"
    assert route_coverage(compile_matcher("/api"), "/api/orders").status == "not-covered"


def test_negative_lookahead_coverage():
    entries = compile_matcher(NEGATIVE)
    assert route_coverage(entries, "/shop/[[...rest]]").status == "covered"
    assert route_coverage(entries, "/").status == "covered"
    assert route_coverage(entries, "/api/orders/[id]").status == "not-covered"


def test_optional_catch_all_needs_the_bare_path_too():
    cov = route_coverage(compile_matcher("/shop/:rest+"), "/shop/[[...rest]]")
    assert cov.status == "partial"
    assert cov.detail == ("matcher '/shop/:rest+' covers /shop/[[...rest]] only partly: "
                          "it does not match /shop ([[...rest]] with no segment)")
    assert route_coverage(compile_matcher("/shop/:rest*"), "/shop/[[...rest]]").status == "covered"


def test_regex_group_does_not_cover_the_bare_path():
    # '/about/(.*)' matches /about/ but not /about, unlike '/about/:path*'
    assert route_coverage(compile_matcher("/about/(.*)"), "/about/[[...x]]").status == "partial"
    assert route_coverage(compile_matcher("/about/:path*"), "/about/[[...x]]").status == "covered"


def test_numeric_only_parameter_is_partial():
    cov = route_coverage(compile_matcher("/users/:id(\\d+)"), "/users/[id]")
    assert cov.status == "partial"
    assert "/users/sample" in cov.detail


def test_specific_values_of_a_dynamic_segment_are_partial():
    cov = route_coverage(compile_matcher("/:locale(en|fr)/about"), "/[locale]/about")
    assert cov.status == "partial"
    assert "/en/about" in cov.detail
    cov = route_coverage(compile_matcher("/blog/hello"), "/blog/[slug]")
    assert cov.status == "partial"


def test_static_route_not_matched_by_unrelated_word():
    assert route_coverage(compile_matcher("/blog/hello"), "/blog/world").status == "not-covered"


def test_conditional_entry_gives_partial_at_best():
    entries = compile_matcher([{"source": "/api/:path*", "has": [{"type": "header", "key": "x-key"}]}])
    cov = route_coverage(entries, "/api/orders")
    assert cov.status == "partial"
    assert cov.entry is entries[0]
    assert "conditions" in cov.detail and "x-key" in cov.detail
    # an unconditional entry next to it wins
    entries = compile_matcher([{"source": "/api/:path*", "missing": [{"type": "header", "key": "p"}]},
                               "/api/:path*"])
    assert route_coverage(entries, "/api/orders").status == "covered"


def test_prefetch_exclusion_from_docs_is_partial():
    entries = compile_matcher([{
        "source": NEGATIVE,
        "missing": [{"type": "header", "key": "next-router-prefetch"},
                    {"type": "header", "key": "purpose", "value": "prefetch"}],
    }])
    assert route_coverage(entries, "/dashboard").status == "partial"


def test_unsupported_entry_makes_uncovered_answer_unknown():
    entries = compile_matcher(["/api/:path*", "/a/(x(?<=y+)z)"])
    assert route_coverage(entries, "/api/x").status == "covered"  # decided without it
    cov = route_coverage(entries, "/checkout")
    assert cov.status == "unknown"
    assert "(?<=y+)" in cov.detail
    entries = compile_matcher(["/api/:path*", UNKNOWN])
    assert route_coverage(entries, "/checkout").status == "unknown"
    assert url_coverage(entries, "/checkout").status == "unknown"


def test_invalid_entries_are_ignored_and_named():
    cov = route_coverage(compile_matcher(["/api/:path*", "checkout"]), "/checkout")
    assert cov.status == "not-covered"
    assert "'checkout'" in cov.detail


def test_route_coverage_with_i18n_and_base_path():
    entries = compile_matcher("/about", locales=["en", "de"], default_locale="en", base_path="/docs")
    cov = route_coverage(entries, "/about")
    assert cov.status == "covered"
    assert cov.matched == ("/docs/en/about", "/docs/de/about")
    entries = compile_matcher([{"source": "/about", "locale": False}], locales=["en", "de"])
    assert route_coverage(entries, "/about").status == "not-covered"


def test_route_pattern_normalisation():
    entries = compile_matcher("/blog/:slug")
    assert route_coverage(entries, "blog/[slug]/").status == "covered"


def test_url_coverage_statuses():
    entries = compile_matcher(["/a", {"source": "/b", "has": [{"type": "query", "key": "q"}]}])
    assert url_coverage(entries, "/a") == Coverage("covered", entries[0], "matcher '/a' matches /a", ("/a",), ())
    assert url_coverage(entries, "/b").status == "partial"
    assert url_matches(entries, "/b") is True  # conditions assumed satisfiable
    assert url_coverage(entries, "/c").status == "not-covered"
    assert url_matches(entries, "/c") is False


# ----------------------------------------------------------------------------------------------
# Robustness: never raise, never hang
# ----------------------------------------------------------------------------------------------

_WEIRD = [
    None, 0, 1.5, True, False, b"/x", object(), {}, {1: 2}, [[]], [None], [UNKNOWN], "", "/", "/" * 5000,
    "/" + "(" * 3000, "/" + "(?:" * 500 + "a" + ")" * 500, "/\ud800", "/\U0001F600" * 2100, ["/a"] * 300,
    {"source": "/a", "has": [1]}, [{"source": "/a", "has": [{"type": "header", "key": 1}]}],
    [{"source": "/a", "locale": None, "has": None}], "/:p((?:a+)+b)",
]


@pytest.mark.parametrize("value", _WEIRD, ids=range(len(_WEIRD)))
def test_never_raises(value):
    for shape in (value, [value], ["/ok", value]):
        entries = compile_matcher(shape)
        for pattern in ("/", "/a", "/[x]", "/[...x]/[[...y]]", "", None, 5, "/a/[b]/[c]/[d]/[e]"):
            assert route_coverage(entries, pattern).status in ("covered", "partial", "not-covered", "unknown")
        for url in ("/a", "", "%", "/%E2%82", "http://h/a?x", "/" + "a" * 3000, None, "/" + "a" * 40 + "c"):
            assert isinstance(url_matches(entries, url), bool)
            assert isinstance(url_coverage(entries, url), Coverage)


def test_catastrophic_regex_is_flagged_and_bounded():
    entries = compile_matcher(["/:p((?:a+)+b)", "/x(.*)+y"])
    assert all(e.risk for e in entries)
    started = time.monotonic()
    cov = url_coverage(entries, "/" + "a" * 40 + "c")
    assert cov.status == "unknown"
    assert route_coverage(entries, "/[slug]").status in ("partial", "not-covered", "unknown")
    assert time.monotonic() - started < 2.0
    # short paths are still evaluated
    assert url_matches(entries, "/aab") is True
    assert url_matches(entries, "/aac") is False


def test_common_matchers_are_not_flagged_risky():
    for source in (NEGATIVE, "/((?!api|_next|.*\\..*).*)", "/:path*", "/(.*)", "/a/:p(\\d+)*", "/x/:y(a|b|c)+",
                   "/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?"
                   "|xlsx?|zip|webmanifest)).*)"):
        assert only_entry(source).risk is None, source


def test_overlong_url_is_unknown():
    cov = url_coverage(compile_matcher("/:path*"), "/" + "a" * MAX_URL_LENGTH)
    assert cov.status == "unknown"
