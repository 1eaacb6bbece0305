"""Tests for edgelint.imageurl: /cdn-cgi/image/ option segments (REFERENCE.md §4)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgelint.imageurl import (
    OPTIONS,
    PLACEHOLDER,
    OptionProblem,
    check_options,
    check_url,
    find_image_urls,
    lookup_option,
    parse_image_urls,
    source_starts_after_slash,
)

P = PLACEHOLDER


def url(options: str, source: str = "uploads/a.jpg") -> str:
    """A relative transform URL with the given options segment and source."""
    return f"/cdn-cgi/image/{options}/{source}"


def kinds(text: str, **kwargs) -> list[str]:
    """The kinds of the problems check_url reports for ``text``."""
    return [problem.kind for problem in check_url(text, **kwargs)]


def apply_fixes(text: str, problems: list[OptionProblem]) -> str:
    """Apply every fix (right to left); fail if a problem without a fix is present."""
    for problem in sorted(problems, key=lambda p: p.start, reverse=True):
        assert problem.fix is not None, problem
        text = text[:problem.start] + problem.fix + text[problem.end:]
    return text


# ------------------------------------------------------------------------------------------
# Values at their boundaries (REFERENCE §4.3)
# ------------------------------------------------------------------------------------------

VALID_OPTIONS = [
    "width=1", "width=1920", "width=auto", "w=80",
    "height=1", "h=600",
    "quality=1", "quality=100", "quality=75", "q=50",
    "quality=low", "quality=medium-low", "quality=medium-high", "quality=high",
    "slow-connection-quality=1", "slow-connection-quality=100", "scq=50", "scq=low",
    "format=auto", "format=avif", "format=webp", "format=jpeg", "format=baseline-jpeg",
    "format=json", "format=png", "format=png-force", "format=svg", "format=gif", "f=auto",
    "fit=scale-down", "fit=contain", "fit=cover", "fit=crop", "fit=pad", "fit=squeeze",
    "gravity=auto", "gravity=left", "gravity=right", "gravity=top", "gravity=bottom",
    "gravity=center", "gravity=entropy", "gravity=face", "gravity=0.5x0.33", "gravity=0x0",
    "gravity=1x1", "gravity=1.0x0.0", "g=face",
    "zoom=0", "zoom=1", "zoom=0.5", "face-zoom=0.25",
    "dpr=1", "dpr=2", "dpr=0.5",
    "sharpen=0", "sharpen=10", "sharpen=1.0", "sharpen=9.99",
    "blur=0", "blur=1", "blur=250", "blur=50",
    "metadata=keep", "metadata=copyright", "metadata=none",
    "anim=true", "anim=false",
    "background=%23RRGGBB".replace("RRGGBB", "ff0000"), "background=%23fff", "background=red",
    "background=rgb%28240%2C40%2C145%29",
    "brightness=0", "brightness=0.5", "brightness=2.0",
    "contrast=1", "gamma=1.5", "saturation=0",
    "rotate=90", "rotate=180", "rotate=270", "rotate=0", "rotate=360",
    "flip=h", "flip=v", "flip=hv",
    "trim=20;30;20;0", "trim=0;0;0;0", "trim=border",
    "trim.border.color=%23000000", "trim.border.color=white", "trim.border.tolerance=5", "trim.border.keep=10",
    "trim.width=678", "trim.height=678", "trim.left=30", "trim.top=40",
    "onerror=redirect", "compression=fast", "segment=foreground",
    # URL syntax unverified (REFERENCE §8 item 6): known names, value not validated.
    "border=anything-goes", "upscale=whatever",
]


@pytest.mark.parametrize("option", VALID_OPTIONS)
def test_valid_option_values(option: str) -> None:
    assert check_url(url(option)) == []


INVALID_OPTIONS = [
    # (option, expected kind)
    ("width=0", "invalid-value"), ("width=-1", "invalid-value"), ("width=1.5", "invalid-value"),
    ("width=abc", "invalid-value"), ("w=AUTO", "invalid-value"),
    ("height=0", "invalid-value"), ("h=10.5", "invalid-value"),
    ("quality=0", "invalid-value"), ("quality=101", "invalid-value"),
    ("quality=75.5", "invalid-value"), ("quality=max", "invalid-value"), ("q=150", "invalid-value"),
    ("slow-connection-quality=0", "invalid-value"), ("scq=101", "invalid-value"),
    ("format=jpg", "invalid-value"), ("format=AVIF", "invalid-value"), ("f=heic", "invalid-value"),
    ("fit=fill", "invalid-value"),
    ("gravity=1.1x0.5", "invalid-value"), ("gravity=0.5x-0.1", "invalid-value"),
    ("gravity=middle", "invalid-value"), ("gravity=0.5", "invalid-value"),
    ("gravity=0.5x", "invalid-value"), ("g=north", "invalid-value"),
    ("zoom=1.1", "invalid-value"), ("zoom=-0.1", "invalid-value"), ("face-zoom=2", "invalid-value"),
    ("dpr=0", "invalid-value"), ("dpr=-1", "invalid-value"), ("dpr=x", "invalid-value"),
    ("sharpen=10.5", "invalid-value"), ("sharpen=-1", "invalid-value"),
    ("blur=-1", "invalid-value"), ("blur=251", "invalid-value"), ("blur=0.5", "invalid-value"),
    ("metadata=strip", "invalid-value"),
    ("anim=yes", "invalid-value"), ("anim=0", "invalid-value"),
    ("background=%23ggg", "invalid-value"), ("background=%2312345", "invalid-value"),
    ("brightness=-1", "invalid-value"), ("contrast=high", "invalid-value"),
    ("gamma=-0.5", "invalid-value"), ("saturation=lots", "invalid-value"),
    ("rotate=45", "invalid-value"), ("rotate=91", "invalid-value"), ("rotate=-90", "invalid-value"),
    ("rotate=90.0", "invalid-value"),
    ("flip=vh", "invalid-value"), ("flip=x", "invalid-value"),
    ("trim=20;30;20", "invalid-value"), ("trim=20;30;20;0;5", "invalid-value"),
    ("trim=a;b;c;d", "invalid-value"), ("trim=-1;0;0;0", "invalid-value"),
    ("trim=borders", "invalid-value"), ("trim.border.tolerance=256", "invalid-value"),
    ("trim.border.keep=-1", "invalid-value"), ("trim.border.color=%23ggg", "invalid-value"),
    ("trim.width=-1", "invalid-value"), ("trim.top=abc", "invalid-value"),
    ("onerror=404", "invalid-value"), ("compression=slow", "invalid-value"),
    ("segment=background", "invalid-value"),
    ("width=", "empty-value"), ("quality=", "empty-value"),
    ("widht=100", "unknown-option"), ("Width=100", "unknown-option"), ("draw=x", "unknown-option"),
    ("origin-auth=share-publicly", "unknown-option"),
    ("anim", "malformed-option"), ("=100", "malformed-option"),
]


@pytest.mark.parametrize(("option", "kind"), INVALID_OPTIONS)
def test_invalid_option_values(option: str, kind: str) -> None:
    assert kinds(url(option)) == [kind]


@pytest.mark.parametrize(("option", "kind"), INVALID_OPTIONS)
def test_invalid_value_span_and_message_name_the_option(option: str, kind: str) -> None:
    text = url(option)
    [problem] = check_url(text)
    name = option.split("=", 1)[0]
    assert problem.start >= len("/cdn-cgi/image/")
    assert problem.end <= len("/cdn-cgi/image/") + len(option)
    if kind == "invalid-value":
        value = option.split("=", 1)[1]
        assert text[problem.start:problem.end] == value
        assert f"{option} " in problem.message
        assert lookup_option(name).allowed in problem.message
    elif name:
        assert name in problem.message


def test_quality_message_matches_documented_wording() -> None:
    [problem] = check_url(url("quality=150"))
    assert problem.message.startswith(
        "quality=150 is out of range: quality takes 1-100 (or low, medium-low, medium-high, high)")


def test_not_a_number_is_described_differently_from_out_of_range() -> None:
    [problem] = check_url(url("quality=max"))
    assert "is not a valid value" in problem.message
    assert "out of range" not in problem.message


def test_alias_message_names_both_spellings() -> None:
    [problem] = check_url(url("q=0"))
    assert problem.message.startswith("q=0 is out of range: q (quality) takes 1-100")


def test_huge_number_is_out_of_range_not_a_crash() -> None:
    assert kinds(url("quality=" + "9" * 5000)) == ["invalid-value"]
    assert kinds(url("width=1e3")) == ["invalid-value"]
    assert kinds(url("zoom=nan")) == ["invalid-value"]


def test_unknown_option_suggests_close_name() -> None:
    [problem] = check_url(url("qualty=80"))
    assert problem.kind == "unknown-option"
    assert "qualty" in problem.message and "Did you mean quality?" in problem.message


def test_workers_only_option_is_explained() -> None:
    [problem] = check_url(url("draw=x"))
    assert "Workers" in problem.message


# ------------------------------------------------------------------------------------------
# Whole URLs
# ------------------------------------------------------------------------------------------


def test_cloudflare_documented_example_has_no_problems() -> None:
    assert check_url("/cdn-cgi/image/width=80,quality=75/uploads/avatar1.jpg") == []


@pytest.mark.parametrize("text", [
    "/cdn-cgi/image/width=100/https://s3.example.com/bucket/image.png",
    "https://example.com/cdn-cgi/image/width=100,format=auto/http://other.example/a.jpg",
    "/cdn-cgi/image/fit=scale-down,width=1920,f=auto,q=85/https://cdn.example.com/a.jpg?v=2",
])
def test_absolute_sources_are_fine(text: str) -> None:
    assert check_url(text) == []


def test_format_gif_is_accepted() -> None:
    # REFERENCE §8a: gif is a documented output format.
    assert check_url(url("format=gif")) == []
    assert check_url(url("f=gif")) == []


def test_several_options_each_checked() -> None:
    text = url("w=0,q=101,blur=251,fit=cover")
    problems = check_url(text)
    assert [text[p.start:p.end] for p in problems] == ["0", "101", "251"]


@pytest.mark.parametrize(("options", "fixed"), [
    ("width=100&quality=75", "width=100,quality=75"),
    ("width=100;quality=75", "width=100,quality=75"),
    ("width=100&quality=75;fit=cover", "width=100,quality=75,fit=cover"),
    ("trim=20;30;20;0;width=100", "trim=20;30;20;0,width=100"),
])
def test_bad_separators_are_fixed_to_commas(options: str, fixed: str) -> None:
    text = url(options)
    problems = check_url(text)
    assert problems and {p.kind for p in problems} == {"bad-separator"}
    assert all(p.fix == "," for p in problems)
    assert apply_fixes(text, problems) == url(fixed)
    assert check_url(url(fixed)) == []


def test_semicolons_inside_trim_are_fine() -> None:
    assert check_url(url("trim=20;30;20;0,width=100")) == []
    assert check_url(url("width=100,trim=20;30;20;0")) == []


@pytest.mark.parametrize(("options", "fixed"), [
    ("w=1,,q=2", "w=1,q=2"),
    ("w=1,q=2,", "w=1,q=2"),
    (",w=1", "w=1"),
    ("w=1&&q=2&", "w=1,q=2"),
])
def test_empty_options_between_separators(options: str, fixed: str) -> None:
    text = url(options)
    problems = check_url(text)
    assert "empty-option" in {p.kind for p in problems}
    assert apply_fixes(text, problems) == url(fixed)


def test_empty_options_segment() -> None:
    text = "/cdn-cgi/image//x.jpg"
    [problem] = check_url(text)
    assert problem.kind == "empty-options"
    assert text[problem.start:problem.end] == "//"


@pytest.mark.parametrize(("text", "segment"), [
    ("/cdn-cgi/image/https://example.com/a.jpg", "https:"),
    ("/cdn-cgi/image/uploads/a.jpg", "uploads"),
    ("/cdn-cgi/image/avatar.jpg", "avatar.jpg"),
])
def test_missing_options(text: str, segment: str) -> None:
    [problem] = check_url(text)
    assert problem.kind == "missing-options"
    assert text[problem.start:problem.end] == segment


def test_duplicate_option() -> None:
    text = url("width=100,quality=80,width=200")
    [problem] = check_url(text)
    assert problem.kind == "duplicate-option"
    assert text[problem.start:problem.end] == "width=200"
    assert "width=100" in problem.message and "width=200" in problem.message


@pytest.mark.parametrize(("options", "later"), [
    ("w=100,width=200", "width=200"),
    ("quality=80,q=80", "q=80"),
    ("zoom=0.5,face-zoom=0.5", "face-zoom=0.5"),
    ("scq=50,slow-connection-quality=60", "slow-connection-quality=60"),
])
def test_alias_and_full_name(options: str, later: str) -> None:
    text = url(options)
    [problem] = check_url(text)
    assert problem.kind == "alias-and-name"
    assert text[problem.start:problem.end] == later


def test_spaces_are_reported_with_safe_fix_at_boundaries() -> None:
    text = url("width=100, quality=75")
    problems = check_url(text)
    assert [p.kind for p in problems] == ["space"]
    assert apply_fixes(text, problems) == url("width=100,quality=75")


def test_space_inside_a_value_has_no_fix() -> None:
    text = url("background=rgb(255 255 0)")
    problems = check_url(text)
    assert [(p.kind, p.fix) for p in problems] == [("space", None), ("space", None)]


def test_unencoded_hash_in_background() -> None:
    text = url("background=#ff0000,width=100")
    [problem] = check_url(text)
    assert problem.kind == "unencoded-hash"
    assert problem.fix == "%23"
    assert check_url(apply_fixes(text, [problem])) == []


def test_unencoded_hash_with_bad_hex_reports_both() -> None:
    assert sorted(kinds(url("background=#ggg"))) == ["invalid-value", "unencoded-hash"]


def test_unencoded_commas_in_background_color() -> None:
    text = url("background=rgb(240,40,145),width=100")
    [problem] = check_url(text)
    assert problem.kind == "unencoded-comma"
    assert check_url(apply_fixes(text, [problem])) == []


def test_double_slash_after_options() -> None:
    text = "/cdn-cgi/image/w=100//uploads/a.jpg"
    [problem] = check_url(text)
    assert problem.kind == "double-slash"
    assert apply_fixes(text, [problem]) == "/cdn-cgi/image/w=100/uploads/a.jpg"


@pytest.mark.parametrize("text", [
    "/cdn-cgi/image/w=1///host/x",
    "/cdn-cgi/image/w=1//cdn.example.com/x.jpg",
    "/cdn-cgi/image/w=1//localhost:3000/x.jpg",
])
def test_protocol_relative_source(text: str) -> None:
    [problem] = check_url(text)
    assert problem.kind == "protocol-relative-source"
    assert problem.fix is None
    assert text[problem.start:problem.end] == "//"


@pytest.mark.parametrize("source", [
    "https%3A%2F%2Fexample.com%2Fa.jpg",
    "HTTP%3a%2f%2fexample.com%2fa.jpg",
    "%2Fuploads%2Fa.jpg",
    "https%253A%252F%252Fexample.com%252Fa.jpg",
    "%252Fuploads%252Fa.jpg",
])
def test_encoded_source(source: str) -> None:
    assert kinds(url("width=100", source)) == ["encoded-source"]


def test_double_encoded_source_says_twice() -> None:
    [problem] = check_url(url("width=100", "https%253A%252F%252Fexample.com%252Fa.jpg"))
    assert "URL-encoded twice" in problem.message
    [once] = check_url(url("width=100", "https%3A%2F%2Fexample.com%2Fa.jpg"))
    assert "twice" not in once.message


def test_percent_in_a_plain_source_path_is_fine() -> None:
    assert check_url(url("width=100", "uploads/my%20photo.jpg")) == []


def test_several_urls_in_one_string() -> None:
    text = "/cdn-cgi/image/width=640/a.jpg 640w, /cdn-cgi/image/width=0/a.jpg 1280w"
    problems = check_url(text)
    assert [p.kind for p in problems] == ["invalid-value"]
    assert problems[0].start == text.index("width=0") + len("width=")


def test_bare_prefix_or_open_ended_options_are_not_reported() -> None:
    # Typical concatenation pieces: '/cdn-cgi/image/' + opts, '/cdn-cgi/image/width=' + w
    assert check_url("/cdn-cgi/image/") == []
    assert check_url("/cdn-cgi/image/width=") == []
    assert check_url("/cdn-cgi/image/width=100,q") == []
    assert check_url("/cdn-cgi/image/width=100/") == []


def test_open_ended_options_still_check_complete_items() -> None:
    assert kinds("/cdn-cgi/image/quality=101,width=") == ["invalid-value"]


@pytest.mark.parametrize("text", [
    "/cdn-cgi/trace",
    "/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1",
    "/cdn-cgi/errors/no-cookie.html",
    "/cdn-cgi/imagedelivery/abc/def",
    "/cdn-cgi/image",
])
def test_non_image_cdn_cgi_paths_are_ignored(text: str) -> None:
    assert find_image_urls(text) == []
    assert check_url(text) == []


def test_find_image_urls_spans() -> None:
    text = '<img src="/cdn-cgi/image/width=80/a.jpg" alt="x"> url(/cdn-cgi/image/w=1/b.png)'
    spans = find_image_urls(text)
    assert [text[s:e] for s, e in spans] == [
        "/cdn-cgi/image/width=80/a.jpg", "/cdn-cgi/image/w=1/b.png"]


def test_find_image_urls_in_absolute_url() -> None:
    text = "https://example.com/cdn-cgi/image/width=80/https://o.example/a.jpg"
    [(start, end)] = find_image_urls(text)
    assert (start, end) == (text.index("/cdn-cgi"), len(text))


def test_find_image_urls_keeps_spaced_options_together() -> None:
    text = "/cdn-cgi/image/width=100, quality=75/a.jpg"
    assert find_image_urls(text) == [(0, len(text))]


def test_prose_mention_does_not_swallow_following_words() -> None:
    text = "see /cdn-cgi/image/ for details"
    [url_info] = parse_image_urls(text)
    assert text[url_info.start:url_info.end] == "/cdn-cgi/image/"
    assert check_url(text) == []


# ------------------------------------------------------------------------------------------
# check_options directly
# ------------------------------------------------------------------------------------------


def test_check_options_offsets() -> None:
    [problem] = check_options("width=80,quality=0", offset=100)
    assert (problem.start, problem.end) == (117, 118)


def test_check_options_empty_segment() -> None:
    assert [p.kind for p in check_options("")] == ["empty-options"]
    assert check_options("", dynamic_after=True) == []


def test_check_options_dynamic_after_skips_last_value_only() -> None:
    assert [p.kind for p in check_options("width=")] == ["empty-value"]
    assert check_options("width=", dynamic_after=True) == []
    assert check_options("quality=1", dynamic_after=True) == []
    assert [p.kind for p in check_options("quality=0,width=1", dynamic_after=True)] == [
        "invalid-value"]


def test_check_options_static_text_without_placeholder() -> None:
    # With placeholder=None a NUL byte is just an invalid character.
    assert [p.kind for p in check_options("width=\x00", placeholder=None)] == ["invalid-value"]


# ------------------------------------------------------------------------------------------
# Template literals: placeholders
# ------------------------------------------------------------------------------------------


def test_wholly_dynamic_options_are_not_reported() -> None:
    assert check_url(f"/cdn-cgi/image/{P}/{P}") == []


def test_dynamic_values_are_not_validated_but_static_ones_are() -> None:
    assert check_url(url(f"width={P},quality=75", P)) == []
    assert check_url(url(f"width={P}0,quality=1{P}", P)) == []
    text = url(f"width={P},quality=150", P)
    [problem] = check_url(text)
    assert problem.kind == "invalid-value"
    assert text[problem.start:problem.end] == "150"


def test_dynamic_option_names_are_skipped() -> None:
    assert check_url(url(f"{P}=5,w{P}=abc")) == []
    assert check_url(url(f"{P},width=80")) == []


def test_static_names_with_dynamic_values_still_count_as_duplicates() -> None:
    assert kinds(url(f"width={P},w={P}")) == ["alias-and-name"]


def test_static_separator_next_to_dynamic_values_is_reported() -> None:
    assert kinds(url(f"width={P}&quality={P}", P)) == ["bad-separator"]


def test_dynamic_source_after_slash_reported_only_when_not_normalised() -> None:
    text = f"/cdn-cgi/image/{P}/{P}"
    assert check_url(text) == []
    [problem] = check_url(text, source_normalised=False)
    assert problem.kind == "possible-double-slash"
    assert text[problem.start:problem.end] == "/" + P
    assert source_starts_after_slash(text) == (problem.start, problem.end)


def test_source_starts_after_slash_static_options() -> None:
    text = f"https://example.com/cdn-cgi/image/width=80,quality=75/{P}"
    span = source_starts_after_slash(text)
    assert span is not None and text[span[0]:span[1]] == "/" + P
    assert kinds(text, source_normalised=False) == ["possible-double-slash"]


@pytest.mark.parametrize("text", [
    "/cdn-cgi/image/width=80/uploads/a.jpg",
    f"/cdn-cgi/image/width=80/uploads/{P}",
    f"/cdn-cgi/image/width={P}",
    "no url here",
])
def test_source_starts_after_slash_none(text: str) -> None:
    assert source_starts_after_slash(text) is None
    assert "possible-double-slash" not in kinds(text, source_normalised=False)


def test_static_double_slash_before_dynamic_source() -> None:
    text = f"/cdn-cgi/image/{P}//{P}"
    assert kinds(text) == ["double-slash"]
    assert source_starts_after_slash(text) is None


def test_custom_placeholder() -> None:
    mark = "\ufffc"
    assert check_url(f"/cdn-cgi/image/width={mark}/{mark}", placeholder=mark) == []
    assert kinds(f"/cdn-cgi/image/width={mark}/{mark}", placeholder=mark,
                 source_normalised=False) == ["possible-double-slash"]
    assert source_starts_after_slash(f"/cdn-cgi/image/{mark}/{mark}", mark) is not None
    # The default placeholder is then an ordinary (invalid) character.
    assert kinds(f"/cdn-cgi/image/width={P}/a.jpg", placeholder=mark) == ["invalid-value"]


# ------------------------------------------------------------------------------------------
# The option table and robustness
# ------------------------------------------------------------------------------------------


def test_option_table_covers_reference_names_and_aliases() -> None:
    names = {spec.name for spec in OPTIONS}
    # REFERENCE §4.3: transform-via-url list plus the newer partials.
    assert names >= {
        "anim", "background", "blur", "border", "brightness", "compression", "contrast", "dpr",
        "fit", "format", "gamma", "gravity", "height", "metadata", "onerror", "quality",
        "rotate", "saturation", "sharpen", "trim", "width", "flip", "zoom", "segment",
        "slow-connection-quality", "upscale", "trim.width", "trim.height", "trim.left",
        "trim.top", "trim.border.color", "trim.border.tolerance", "trim.border.keep"}
    aliases = {spec.alias: spec.name for spec in OPTIONS if spec.alias}
    assert aliases == {"w": "width", "h": "height", "q": "quality", "f": "format",
                       "g": "gravity", "scq": "slow-connection-quality", "face-zoom": "zoom"}
    assert lookup_option("draw") is None and lookup_option("origin-auth") is None


def test_unverified_options_are_not_validated() -> None:
    assert lookup_option("border").validate is None
    assert lookup_option("upscale").validate is None


@pytest.mark.parametrize("value", [None, 5, b"/cdn-cgi/image/w=0/a", ["x"]])
def test_non_string_input_does_not_raise(value: object) -> None:
    assert check_url(value) == []  # type: ignore[arg-type]
    assert find_image_urls(value) == []  # type: ignore[arg-type]
    assert check_options(value) == []  # type: ignore[arg-type]
    assert source_starts_after_slash(value) is None  # type: ignore[arg-type]


_ALPHABET = st.sampled_from(
    ["/cdn-cgi/image/", "/", ",", "&", ";", "=", "#", " ", "(", ")", "%2F", "https://", P,
     "w", "width", "q", "quality", "trim", "background", "1", "0.5", "x", "auto", '"', "\n"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join), st.booleans())
def test_never_raises_and_spans_stay_in_bounds(text: str, normalised: bool) -> None:
    for problem in check_url(text, source_normalised=normalised):
        assert 0 <= problem.start <= problem.end <= len(text)
        assert problem.message
    for start, end in find_image_urls(text):
        assert text.startswith("/cdn-cgi/image/", start) and end <= len(text)
    for problem in check_options(text, 7, dynamic_after=normalised):
        assert 7 <= problem.start <= problem.end <= 7 + len(text)
    span = source_starts_after_slash(text)
    assert span is None or text[span[0]:span[1]] == "/" + P
