"""Validate Cloudflare Images transform-by-URL addresses (``/cdn-cgi/image/<OPTIONS>/<SOURCE>``).

This module is pure Python and self-contained. It takes the *static text* of a string (a JS string
literal, a template literal, a JSX attribute...) and reports problems in the options segment and in
the way the source image is attached after it. It never raises: any input, however malformed,
gives a (possibly empty) list of :class:`OptionProblem`.

Facts used (edgelint ``REFERENCE.md``):

* §4.1 URL anatomy: ``/cdn-cgi/image/`` is a fixed prefix; ``<OPTIONS>`` is a comma-separated list
  of ``name=value``; at least one option is required; no spaces anywhere; names may be full or
  abbreviated; ``<SOURCE>`` is a path on the origin or an absolute ``http(s)://`` URL and is *not*
  URL-encoded; the documented relative form has no second leading slash
  (``/cdn-cgi/image/width=80,quality=75/uploads/avatar1.jpg``).
* §4.2 (derived): a ``//`` right after the options (``/cdn-cgi/image/w=100//uploads/a.jpg``) may be
  read as a scheme-relative URL with host ``uploads``; what Cloudflare really does is unverified
  (§8 item 6), so it is reported as a risk, with a fix that removes the extra slash.
* §4.3 the option table: names, aliases and URL values. Options whose URL syntax is unverified
  (``border``, ``upscale``; §8 item 6) are accepted as known names and their values are **not**
  validated. ``draw`` and ``origin-auth`` are Workers-only and reported as unknown in a URL.
* §8a: ``gif`` is a documented output format even though the ``format`` option does not list it,
  so ``format=gif`` is accepted.
* Not in REFERENCE, from the newer Cloudflare ``background`` partial (cloudflare-docs
  ``src/content/partials/images/background.mdx``): the URL form of a functional color encodes its
  commas (``background=rgb%28240%2C40%2C145%29``). A literal comma inside ``background=rgb(...)``
  would split the options, so it is reported as ``unencoded-comma`` with a ``%2C`` fix.
* Not in REFERENCE, from Cloudflare's newer Images "Features" page (developers.cloudflare.com/
  images/optimization/features/): ``blur`` takes a whole number from 0 (no blur) to 250, and
  ``trim=border`` with ``trim.border.color``/``.tolerance`` (0–255)/``.keep`` is a URL option.

Template literals. The caller replaces each ``${...}`` by one placeholder character (default
:data:`PLACEHOLDER`, ``'\\x00'``) and passes the result; all offsets refer to that substituted
text, so the caller maps them back. Rules:

* an option whose name or value contains the placeholder is not validated (its static name still
  counts for duplicate detection when the name itself is static);
* a wholly dynamic options segment (``/cdn-cgi/image/${opts}/${src}``) is not reported;
* a source that starts with a placeholder right after the options' ``/``
  (``.../${opts}/${src}``) *may* produce ``//`` if the value begins with ``/``. Whether that can
  happen is for the caller to decide (it may know the value was normalised: Cloudflare's own
  loader returns ``src.slice(1)`` when ``src`` starts with ``/``, §4.2/§4.5).
  :func:`source_starts_after_slash` returns the span of that ``/`` + placeholder, and
  :func:`check_url` reports it as ``possible-double-slash`` only when called with
  ``source_normalised=False``.

Problem kinds: ``unknown-option``, ``invalid-value``, ``empty-value``, ``malformed-option``,
``bad-separator``, ``empty-option``, ``empty-options``, ``missing-options``, ``duplicate-option``,
``alias-and-name``, ``space``, ``unencoded-hash``, ``unencoded-comma``, ``double-slash``,
``protocol-relative-source``, ``encoded-source``, ``possible-double-slash``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Callable, Optional

__all__ = [
    "PLACEHOLDER",
    "IMAGE_PREFIX",
    "OptionProblem",
    "OptionSpec",
    "OPTIONS",
    "ImageUrl",
    "lookup_option",
    "parse_image_urls",
    "find_image_urls",
    "check_options",
    "check_url",
    "source_starts_after_slash",
    "plain_url_literals",
]

#: Default character standing for one ``${...}`` substitution of a template literal.
PLACEHOLDER = "\x00"

#: The fixed path prefix of a transform-by-URL address (REFERENCE §4.1).
IMAGE_PREFIX = "/cdn-cgi/image/"


@dataclass(frozen=True)
class OptionProblem:
    """One problem found in a ``/cdn-cgi/image/`` URL.

    ``start``/``end`` are offsets into the string given to the checking function (plus the
    ``offset`` argument of :func:`check_options`). ``message`` is a complete sentence naming the
    option, the value and what is allowed. ``fix``, when not ``None``, is replacement text for
    ``[start:end]`` that is mechanical and safe to apply.
    """

    kind: str
    start: int
    end: int
    message: str
    fix: str | None = None


# --------------------------------------------------------------------------------------------
# Value validators. Each takes the (static, stripped) value and returns None when it is valid,
# or the phrase describing what is wrong ("is out of range" / "is not a valid value").
# --------------------------------------------------------------------------------------------

Validator = Callable[[str], Optional[str]]

_OUT_OF_RANGE = "is out of range"
_NOT_VALID = "is not a valid value"

_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_INTEGER_RE = re.compile(r"[+-]?\d+")
_HEX_COLOR_RE = re.compile(r"[0-9A-Fa-f]{3,4}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8}")


def _as_number(value: str, *, integer: bool) -> float | None:
    """Parse a plain decimal number (no exponent, no ``inf``/``nan``), or return ``None``."""
    pattern = _INTEGER_RE if integer else _NUMBER_RE
    if not pattern.fullmatch(value):
        return None
    return float(value)  # float() never overflows on a digit string: it gives inf


def _number(
    low: float,
    high: float | None = None,
    *,
    integer: bool = False,
    low_exclusive: bool = False,
    words: tuple[str, ...] = (),
) -> Validator:
    """A validator for a number in ``[low, high]`` or one of ``words``.

    ``high=None`` means no maximum; ``low_exclusive`` makes ``low`` itself invalid.
    """

    def validate(value: str) -> str | None:
        if value in words:
            return None
        number = _as_number(value, integer=integer)
        if number is None:
            return _NOT_VALID
        too_low = number <= low if low_exclusive else number < low
        too_high = high is not None and number > high
        return _OUT_OF_RANGE if too_low or too_high else None

    return validate


def _choice(*words: str) -> Validator:
    """A validator accepting exactly one of ``words`` (case-sensitive)."""

    def validate(value: str) -> str | None:
        return None if value in words else _NOT_VALID

    return validate


def _one_of_numbers(*numbers: int) -> Validator:
    """A validator accepting one of the given whole numbers, written as plain digits."""

    def validate(value: str) -> str | None:
        number = _as_number(value, integer=True)
        if number is None:
            return _NOT_VALID
        return None if number in numbers else _OUT_OF_RANGE

    return validate


_GRAVITY_WORDS = ("auto", "left", "right", "top", "bottom", "center", "entropy", "face")


def _gravity(value: str) -> str | None:
    """``gravity``: a keyword, or ``XxY`` coordinates with X and Y in 0.0-1.0 (REFERENCE §4.3)."""
    if value in _GRAVITY_WORDS:
        return None
    x_text, sep, y_text = value.partition("x")
    if not sep:
        return _NOT_VALID
    x = _as_number(x_text, integer=False)
    y = _as_number(y_text, integer=False)
    if x is None or y is None:
        return _NOT_VALID
    return None if 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 else _OUT_OF_RANGE


def _trim(value: str) -> str | None:
    """``trim``: ``border`` (the border color, found automatically), or four non-negative numbers
    ``top;right;bottom;left`` (REFERENCE §4.3; Cloudflare Images "Features" page, `trim`)."""
    if value == "border":
        return None
    parts = value.split(";")
    numbers = [_as_number(part, integer=False) for part in parts]
    if len(parts) != 4 or any(number is None for number in numbers):
        return _NOT_VALID
    return None if all(number >= 0 for number in numbers) else _OUT_OF_RANGE


def _background(value: str) -> str | None:
    """``background``: any CSS color; only a hex color (``%23`` + 3/4/6/8 hex digits) is checked."""
    if value.lower().startswith("%23"):
        return None if _HEX_COLOR_RE.fullmatch(value[3:]) else _NOT_VALID
    return None


# --------------------------------------------------------------------------------------------
# The option table (REFERENCE §4.3).
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionSpec:
    """One URL option: full name, alias, value validator and a human text of the allowed values.

    ``validate`` is ``None`` for options whose URL value syntax is unverified (they are accepted
    without checking the value).
    """

    name: str
    alias: str | None
    validate: Validator | None
    allowed: str


_QUALITY_WORDS = ("low", "medium-low", "medium-high", "high")
_QUALITY_TEXT = "1-100 (or low, medium-low, medium-high, high)"
_FACTOR_TEXT = "a non-negative number (1.0 = unchanged, 0.5 = half, 2.0 = double)"
_PIXELS_TEXT = "a non-negative number of pixels"

OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("width", "w", _number(0, integer=True, low_exclusive=True, words=("auto",)),
               "a positive whole number of pixels, or auto"),
    OptionSpec("height", "h", _number(0, integer=True, low_exclusive=True),
               "a positive whole number of pixels"),
    OptionSpec("quality", "q", _number(1, 100, integer=True, words=_QUALITY_WORDS), _QUALITY_TEXT),
    OptionSpec("slow-connection-quality", "scq",
               _number(1, 100, integer=True, words=_QUALITY_WORDS), _QUALITY_TEXT),
    OptionSpec("format", "f",
               _choice("auto", "avif", "webp", "jpeg", "baseline-jpeg", "json",
                       "png", "png-force", "svg", "gif"),
               "auto, avif, webp, jpeg, baseline-jpeg, json, png, png-force, svg or gif"),
    OptionSpec("fit", None, _choice("scale-down", "contain", "cover", "crop", "pad", "squeeze"),
               "scale-down, contain, cover, crop, pad or squeeze"),
    OptionSpec("gravity", "g", _gravity,
               "auto, left, right, top, bottom, center, entropy, face, or coordinates XxY "
               "with X and Y from 0.0 to 1.0 (e.g. 0.5x0.33)"),
    OptionSpec("zoom", "face-zoom", _number(0, 1), "a number from 0 to 1"),
    OptionSpec("dpr", None, _number(0, low_exclusive=True), "a number greater than 0"),
    OptionSpec("sharpen", None, _number(0, 10), "a number from 0 to 10"),
    OptionSpec("blur", None, _number(0, 250, integer=True), "a whole number from 0 (no blur) to 250"),
    OptionSpec("metadata", None, _choice("keep", "copyright", "none"), "keep, copyright or none"),
    OptionSpec("anim", None, _choice("true", "false"), "true or false"),
    OptionSpec("background", None, _background,
               "a CSS color with # written as %23 (e.g. %23RRGGBB or red)"),
    OptionSpec("brightness", None, _number(0), _FACTOR_TEXT),
    OptionSpec("contrast", None, _number(0), _FACTOR_TEXT),
    OptionSpec("gamma", None, _number(0), _FACTOR_TEXT),
    OptionSpec("saturation", None, _number(0), _FACTOR_TEXT),
    OptionSpec("rotate", None, _one_of_numbers(0, 90, 180, 270, 360),
               "90, 180 or 270 (0 and 360 are also accepted)"),
    OptionSpec("flip", None, _choice("h", "v", "hv"), "h, v or hv"),
    OptionSpec("trim", None, _trim, "border, or four pixel numbers top;right;bottom;left (e.g. 20;30;20;0)"),
    OptionSpec("trim.border.color", None, _background, "a CSS color with # written as %23"),
    OptionSpec("trim.border.tolerance", None, _number(0, 255, integer=True), "a whole number from 0 to 255"),
    OptionSpec("trim.border.keep", None, _number(0, integer=True), "a whole number of pixels"),
    OptionSpec("trim.width", None, _number(0), _PIXELS_TEXT),
    OptionSpec("trim.height", None, _number(0), _PIXELS_TEXT),
    OptionSpec("trim.left", None, _number(0), _PIXELS_TEXT),
    OptionSpec("trim.top", None, _number(0), _PIXELS_TEXT),
    OptionSpec("onerror", None, _choice("redirect"), "redirect"),
    OptionSpec("compression", None, _choice("fast"), "fast"),
    OptionSpec("segment", None, _choice("foreground"), "foreground"),
    # URL syntax unverified (REFERENCE §4.3, §8 item 6): known names, values not checked.
    OptionSpec("border", None, None, "a value whose URL syntax is not documented"),
    OptionSpec("upscale", None, None, "a value whose URL syntax is not documented"),
)

#: Options that exist only in the Workers ``cf.image`` form (REFERENCE §4.3).
_WORKERS_ONLY = ("draw", "origin-auth")

_BY_NAME: dict[str, OptionSpec] = {}
for _spec in OPTIONS:
    _BY_NAME[_spec.name] = _spec
    if _spec.alias:
        _BY_NAME[_spec.alias] = _spec


def lookup_option(name: str) -> OptionSpec | None:
    """Return the :class:`OptionSpec` for a full name or alias (case-sensitive), or ``None``."""
    return _BY_NAME.get(name)


# --------------------------------------------------------------------------------------------
# Splitting the options segment into items.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One ``name=value`` item of the options segment; offsets are local to the segment."""

    start: int
    end: int
    text: str


def _pieces_with_equals(segment: str) -> list[bool]:
    """For each index ``i``: does the text from ``i`` to the next ``,``/``&``/``;`` contain ``=``?

    The list has ``len(segment) + 1`` entries (the last one, for the end, is False).
    """
    result = [False] * (len(segment) + 1)
    for index in range(len(segment) - 1, -1, -1):
        char = segment[index]
        result[index] = False if char in ",&;" else (char == "=" or result[index + 1])
    return result


def _split_items(segment: str) -> tuple[list[_Item], list[tuple[int, str]]]:
    """Split ``segment`` into items and separators ``(index, char)``.

    ``,`` and ``&`` always separate (except a ``,`` inside parentheses of a ``background`` value,
    which stays in that value so it can be reported as one). ``;`` separates only when the text
    after it, up to the next separator, contains ``=``: so ``trim=20;30;20;0`` stays one item while
    ``width=100;quality=75`` is two items joined by a bad separator.
    """
    items: list[_Item] = []
    separators: list[tuple[int, str]] = []
    item_start = 0
    depth = 0
    piece_has_equals = _pieces_with_equals(segment)
    for index, char in enumerate(segment):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char in ",&;":
            current = segment[item_start:index]
            if depth > 0 and current.split("=", 1)[0].strip() == "background":
                continue
            if char == ";" and not piece_has_equals[index + 1]:
                continue
            items.append(_Item(item_start, index, current))
            separators.append((index, char))
            item_start = index + 1
            depth = 0
    items.append(_Item(item_start, len(segment), segment[item_start:]))
    return items, separators


def _strip_span(text: str, start: int) -> tuple[str, int]:
    """Return ``text`` stripped of surrounding whitespace and the offset of the stripped text."""
    stripped = text.strip()
    if not stripped:
        return "", start
    return stripped, start + text.index(stripped[0])


# --------------------------------------------------------------------------------------------
# check_options and its small helpers.
# --------------------------------------------------------------------------------------------


def _label(written: str, spec: OptionSpec) -> str:
    """``quality`` when the full name was written, ``q (quality)`` when the alias was."""
    return spec.name if written == spec.name else f"{written} ({spec.name})"


def _could_become_option(text: str) -> bool:
    """True if ``text`` (no ``=``) may still be the beginning of an option that continues later."""
    name = text.strip()
    return not name or any(known.startswith(name) for known in (*_BY_NAME, *_WORKERS_ONLY))


def _space_problems(segment: str, offset: int) -> list[OptionProblem]:
    """One ``space`` problem per whitespace run; the fix deletes it when it touches a boundary."""
    problems = []
    for match in re.finditer(r"\s+", segment):
        before = segment[match.start() - 1] if match.start() > 0 else ","
        after = segment[match.end()] if match.end() < len(segment) else ","
        removable = before in ",&;=" or after in ",&;="
        shown = segment.strip() or repr(segment)
        problems.append(OptionProblem(
            "space", offset + match.start(), offset + match.end(),
            f"The options segment '{shown}' contains a space: Cloudflare does not allow spaces "
            "anywhere in the options.",
            "" if removable else None))
    return problems


def _hash_problems(items: list[_Item], offset: int) -> list[OptionProblem]:
    """Report each unencoded ``#``: it would start the URL fragment and cut the URL there.

    The fix (``%23``) is offered only inside a ``background`` value, where it is the documented
    spelling (REFERENCE §4.3); elsewhere ``#`` has no valid meaning to preserve.
    """
    problems = []
    for item in items:
        shown = item.text.strip()
        is_background = item.text.split("=", 1)[0].strip() == "background"
        for match in re.finditer("#", item.text):
            index = offset + item.start + match.start()
            problems.append(OptionProblem(
                "unencoded-hash", index, index + 1,
                f"{shown} contains an unencoded '#': a browser treats the rest of the URL as a "
                "fragment and never sends it; write it as %23"
                + (" (e.g. background=%23RRGGBB)." if is_background else "."),
                "%23" if is_background else None))
    return problems


def _separator_problems(
    items: list[_Item], separators: list[tuple[int, str]], offset: int
) -> list[OptionProblem]:
    """Empty items (``a=1,,b=2``, trailing ``,``) and ``&``/``;`` used as separators."""
    problems = []
    deleted: set[int] = set()
    if len(items) > 1:
        for number, item in enumerate(items):
            if item.text.strip():
                continue
            which = number if number < len(separators) else number - 1
            if which in deleted:
                continue
            deleted.add(which)
            index, char = separators[which]
            problems.append(OptionProblem(
                "empty-option", offset + index, offset + index + 1,
                f"The separator '{char}' leaves an empty option: options are a comma-separated "
                "list of name=value with nothing between two commas or at either end.", ""))
    for number, (index, char) in enumerate(separators):
        if char != "," and number not in deleted:
            problems.append(OptionProblem(
                "bad-separator", offset + index, offset + index + 1,
                f"'{char}' separates options here, but Cloudflare options are separated by "
                "commas: write ',' instead.", ","))
    return problems


def _missing_options(segment: str, items: list[_Item], offset: int, placeholder: str | None,
                     dynamic_after: bool) -> OptionProblem | None:
    """A static segment with no ``name=value`` at all is the source, not options (§4.1)."""
    if "=" in segment or (placeholder and placeholder in segment):
        return None
    if any(lookup_option(item.text.strip()) for item in items):
        return None
    if dynamic_after and len(items) == 1 and _could_become_option(segment):
        return None
    return OptionProblem(
        "missing-options", offset, offset + len(segment),
        f"'{segment}' follows /cdn-cgi/image/ but is not an option list: at least one "
        "name=value option (e.g. width=800) is required before the source image.")


def _comma_problem(spec: OptionSpec, written: str, value: str, start: int) -> OptionProblem | None:
    """A literal comma inside ``background=rgb(...)``: it must be encoded as ``%2C``."""
    if spec.name != "background" or "," not in value:
        return None
    return OptionProblem(
        "unencoded-comma", start, start + len(value),
        f"{written}={value} has commas inside the color, but commas separate options: encode them "
        "as %2C (e.g. background=rgb%28240%2C40%2C145%29).",
        value.replace(",", "%2C"))


def _item_problems(item: _Item, offset: int, placeholder: str | None, last_is_partial: bool,
                   seen: dict[str, tuple[str, str]]) -> list[OptionProblem]:
    """Problems of one item: unknown name, no value, duplicates, and the value itself."""
    if not item.text.strip():
        return []  # reported by _separator_problems (or as an empty segment)
    if placeholder and placeholder in item.text.split("=", 1)[0]:
        return []  # dynamic name, or wholly dynamic item: nothing static to check
    item_start = offset + item.start
    name_text, eq, value_text = item.text.partition("=")
    name, name_start = _strip_span(name_text, item_start)
    if not eq and last_is_partial and _could_become_option(name):
        return []
    if not name:
        return [OptionProblem(
            "malformed-option", item_start, item_start + len(item.text),
            f"'{item.text.strip()}' has no option name: options are written name=value.")]
    spec = lookup_option(name)
    if spec is None:
        return [_unknown_option(name, name_start)]
    problems = []
    duplicate = _duplicate_problem(spec, name, item.text.strip(), seen, item_start,
                                   item_start + len(item.text))
    if duplicate:
        problems.append(duplicate)
    if not eq:
        problems.append(OptionProblem(
            "malformed-option", name_start, name_start + len(name),
            f"{name} has no value: options are written name=value, and {_label(name, spec)} "
            f"takes {spec.allowed}."))
        return problems
    value, value_start = _strip_span(value_text, item_start + len(name_text) + 1)
    problems.extend(_value_problems(spec, name, value, value_start, placeholder, last_is_partial,
                                    name_start))
    return problems


def _unknown_option(name: str, start: int) -> OptionProblem:
    """An option name that Cloudflare's URL form does not know."""
    if name in _WORKERS_ONLY:
        detail = f"{name} exists only in the Workers cf.image form, not in /cdn-cgi/image/ URLs."
    else:
        close = difflib.get_close_matches(name, list(_BY_NAME), n=1, cutoff=0.7)
        if not close and name.lower() in _BY_NAME:
            close = [name.lower()]
        hint = f" Did you mean {close[0]}?" if close else ""
        detail = f"'{name}' is not a Cloudflare Images URL option.{hint}"
    return OptionProblem("unknown-option", start, start + len(name), detail)


def _duplicate_problem(spec: OptionSpec, written: str, item_text: str,
                       seen: dict[str, tuple[str, str]], start: int,
                       end: int) -> OptionProblem | None:
    """Report an option given twice, or given by both alias and full name.

    ``seen`` maps a full option name to the name and item text of its first occurrence; the
    problem is reported on the later item.
    """
    first = seen.get(spec.name)
    if first is None:
        seen[spec.name] = (written, item_text)
        return None
    first_written, first_text = first
    if first_written == written:
        return OptionProblem(
            "duplicate-option", start, end,
            f"{item_text} repeats {first_text}: give {_label(written, spec)} only once.")
    return OptionProblem(
        "alias-and-name", start, end,
        f"{item_text} and {first_text} both set {spec.name} ({spec.alias} is the alias of "
        f"{spec.name}): use only one of them.")


def _value_problems(spec: OptionSpec, written: str, value: str, value_start: int,
                    placeholder: str | None, last_is_partial: bool,
                    name_start: int) -> list[OptionProblem]:
    """Validate a static value against the option's validator."""
    if placeholder and placeholder in value:
        return []
    if not value:
        if last_is_partial:
            return []
        return [OptionProblem(
            "empty-value", name_start, value_start,
            f"{written}= has an empty value: {_label(written, spec)} takes {spec.allowed}.")]
    if last_is_partial or spec.validate is None or re.search(r"\s", value):
        return []  # may continue dynamically / URL syntax unverified / reported as 'space'
    comma = _comma_problem(spec, written, value, value_start)
    if comma:
        return [comma]
    if "#" in value and spec.name != "background":
        return []  # reported as 'unencoded-hash'
    reason = spec.validate(value.replace("#", "%23"))
    if reason is None:
        return []
    return [OptionProblem(
        "invalid-value", value_start, value_start + len(value),
        f"{written}={value} {reason}: {_label(written, spec)} takes {spec.allowed}.")]


def check_options(segment: str, offset: int = 0, *, dynamic_after: bool = False,
                  placeholder: str | None = PLACEHOLDER) -> list[OptionProblem]:
    """Check one options segment (the text between ``/cdn-cgi/image/`` and the next ``/``).

    ``offset`` is added to every reported position (the segment's offset in the caller's text).
    ``dynamic_after=True`` says that the segment is directly followed by text that is not known
    (string concatenation, the end of a literal): the last item may be incomplete, so its value is
    not validated and an empty segment, or a last item that may still grow into ``name=value``,
    is not reported. Items containing ``placeholder`` are handled as described in the module
    docstring; pass ``placeholder=None`` for fully static text.

    An empty segment gives ``empty-options``; a segment without any ``=`` and without a known
    option name gives ``missing-options`` (it is probably the source image). Problems are sorted
    by position. Never raises.
    """
    try:
        return _check_options(segment, offset, dynamic_after, placeholder)
    except Exception:  # pragma: no cover - defensive: a linter must not crash on odd input
        return []


def _check_options(segment: object, offset: object, dynamic_after: bool,
                   placeholder: object) -> list[OptionProblem]:
    """Implementation of :func:`check_options` (arguments not yet validated)."""
    if not isinstance(segment, str):
        return []
    offset = offset if isinstance(offset, int) else 0
    placeholder = placeholder if isinstance(placeholder, str) and placeholder else None
    if not segment:
        if dynamic_after:
            return []
        return [OptionProblem(
            "empty-options", offset, offset,
            "The options segment is empty: at least one name=value option (e.g. width=800) is "
            "required after /cdn-cgi/image/.")]
    items, separators = _split_items(segment)
    problems = _space_problems(segment, offset) + _hash_problems(items, offset)
    missing = _missing_options(segment, items, offset, placeholder, dynamic_after)
    if missing:
        return sorted(problems + [missing], key=_position)
    problems += _separator_problems(items, separators, offset)
    seen: dict[str, tuple[str, str]] = {}
    for number, item in enumerate(items):
        last_is_partial = dynamic_after and number == len(items) - 1
        problems += _item_problems(item, offset, placeholder, last_is_partial, seen)
    return sorted(problems, key=_position)


def _position(problem: OptionProblem) -> tuple[int, int, str]:
    """Sort key: by start, then end, then kind."""
    return problem.start, problem.end, problem.kind


# --------------------------------------------------------------------------------------------
# Locating URLs in text.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageUrl:
    """Positions of one ``/cdn-cgi/image/`` URL inside a text.

    ``start`` is the ``/`` of the prefix; ``options_start``/``options_end`` delimit the options
    segment; ``source_start`` is the first character after the ``/`` that ends the options, or
    ``None`` when no ``/`` follows them; ``end`` is the end of the URL; ``options_reach_end`` is
    True when the options segment runs to the very end of the text (so it may continue
    dynamically, e.g. ``'/cdn-cgi/image/width=' + w``).
    """

    start: int
    options_start: int
    options_end: int
    source_start: int | None
    end: int
    options_reach_end: bool


_URL_STOP = frozenset("\"'`<>\n\r\f\v")


def _options_end(text: str, start: int) -> int:
    """End of the options segment that starts at ``start``.

    It ends at the first ``/``, quote, angle bracket, line break or unbalanced ``)``. Spaces are
    kept inside it (so they can be reported) only when the segment contains ``=`` and is closed by
    a ``/``, e.g. ``/cdn-cgi/image/width=100, quality=75/a.jpg``; otherwise the first space ends it.
    """
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "/" or char in _URL_STOP or (char == ")" and depth == 0):
            break
        depth += (char == "(") - (char == ")")
        index += 1
    candidate = text[start:index]
    space = re.search(r"\s", candidate)
    if space and not (text[index:index + 1] == "/" and "=" in candidate):
        return start + space.start()
    return index


def _source_end(text: str, start: int) -> int:
    """End of the source image: the first whitespace, quote, angle bracket or unbalanced ``)``."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char.isspace() or char in _URL_STOP or (char == ")" and depth == 0):
            break
        depth += (char == "(") - (char == ")")
        index += 1
    return index


def parse_image_urls(text: str) -> list[ImageUrl]:
    """Every ``/cdn-cgi/image/`` URL in ``text``, as :class:`ImageUrl` positions.

    Only the image prefix matches: ``/cdn-cgi/trace``, ``/cdn-cgi/challenge-platform/...``,
    ``/cdn-cgi/errors/...`` and other ``/cdn-cgi/`` paths are ignored. A URL nested in the source
    of another (``/cdn-cgi/image/w=1/https://h/cdn-cgi/image/w=2/a.jpg``) is listed too.
    """
    if not isinstance(text, str):
        return []
    urls = []
    position = text.find(IMAGE_PREFIX)
    while position != -1:
        options_start = position + len(IMAGE_PREFIX)
        options_end = _options_end(text, options_start)
        has_slash = text[options_end:options_end + 1] == "/"
        source_start = options_end + 1 if has_slash else None
        end = _source_end(text, source_start) if source_start is not None else options_end
        urls.append(ImageUrl(position, options_start, options_end, source_start, end,
                             options_end == len(text)))
        position = text.find(IMAGE_PREFIX, options_start)
    return urls


def find_image_urls(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the ``/cdn-cgi/image/...`` URLs in a static string.

    See :func:`parse_image_urls` for what is matched and where a URL ends.
    """
    return [(url.start, url.end) for url in parse_image_urls(text)]


# --------------------------------------------------------------------------------------------
# Source checks and check_url.
# --------------------------------------------------------------------------------------------

_HOST_RE = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?|[A-Za-z0-9.-]+:\d+")
# ``%2F`` is an encoded ``/``; ``%252F`` the same encoded twice (``%25`` is ``%``).
_ENCODED_SOURCE_RE = re.compile(r"(?:https?%(?:25)*3A%(?:25)*2F%(?:25)*2F|%(?:25)*2F)", re.IGNORECASE)


def source_starts_after_slash(text: str, placeholder: str = PLACEHOLDER) -> tuple[int, int] | None:
    """Span of ``/`` + placeholder when a dynamic source follows the options' ``/`` directly.

    For ``/cdn-cgi/image/${opts}/${src}`` (or ``.../width=80/${src}``), with each ``${...}``
    replaced by ``placeholder``, this returns the span covering the ``/`` after the options and
    the placeholder of the source: if that value can begin with ``/``, the URL gets ``//`` after
    the options (REFERENCE §4.2). Only the caller knows whether the value is normalised, so this
    function merely locates it; the first such URL in ``text`` is returned, ``None`` if none.
    """
    if not isinstance(placeholder, str) or not placeholder:
        return None
    for url in parse_image_urls(text):
        if url.source_start is not None and text.startswith(placeholder, url.source_start):
            return url.options_end, url.source_start + len(placeholder)
    return None


def _source_problems(text: str, url: ImageUrl, placeholder: str | None,
                     source_normalised: bool) -> list[OptionProblem]:
    """Problems in how the source follows the options: ``//``, ``///``, encoded, dynamic."""
    start = url.source_start
    if start is None or start >= url.end:
        return []
    source = text[start:url.end]
    if source.startswith("//"):
        return [OptionProblem(
            "protocol-relative-source", start, start + 2,
            f"The source image '{source}' is protocol-relative: Cloudflare takes a path on the "
            "origin or an absolute http:// or https:// URL; write https:// explicitly.")]
    if source.startswith("/"):
        return [_double_slash(source, start)]
    encoded = _ENCODED_SOURCE_RE.match(source)
    if encoded:
        twice = " twice" if "%25" in encoded.group(0) else ""
        return [OptionProblem(
            "encoded-source", start, url.end,
            f"The source image '{source}' is URL-encoded{twice} (it starts with {encoded.group(0)}): "
            "the source after the options is written as is, for example /cdn-cgi/image/width=100/"
            "https://example.com/a.png.")]
    if placeholder and source.startswith(placeholder) and not source_normalised:
        return [OptionProblem(
            "possible-double-slash", url.options_end, start + len(placeholder),
            "The source image is inserted right after '/' and may itself start with '/', giving "
            "'//' after the options, which can be read as a protocol-relative URL: strip the "
            "leading slash first (Cloudflare's loader uses src.slice(1)).")]
    return []


def _double_slash(source: str, start: int) -> OptionProblem:
    """``//`` after the options: scheme-relative if it names a host, else an extra slash."""
    first_segment, slash, _ = source[1:].partition("/")
    if slash and _HOST_RE.fullmatch(first_segment):
        return OptionProblem(
            "protocol-relative-source", start - 1, start + 1,
            f"The source image '/{source}' is protocol-relative (host {first_segment}): Cloudflare "
            "takes a path on the origin or an absolute http:// or https:// URL; write https:// "
            "explicitly.")
    return OptionProblem(
        "double-slash", start, start + 1,
        f"The source path '{source}' starts with '/', so '//' follows the options and "
        f"'{first_segment}' may be read as a host name: drop the leading slash "
        f"(/cdn-cgi/image/<options>/{source[1:]}).", "")


def check_url(text: str, *, placeholder: str | None = PLACEHOLDER,
              source_normalised: bool = True) -> list[OptionProblem]:
    """Check every ``/cdn-cgi/image/`` URL in the static string ``text``.

    Runs :func:`check_options` on each options segment (with ``dynamic_after=True`` when the
    segment reaches the end of ``text``), reports ``empty-options`` for ``/cdn-cgi/image//...``,
    and checks how the source follows: ``double-slash``, ``protocol-relative-source``,
    ``encoded-source``, and, only with ``source_normalised=False``, ``possible-double-slash`` for a
    placeholder source right after the options (see :func:`source_starts_after_slash`). Absolute
    ``http(s)://`` sources are fine. Offsets refer to ``text``. Never raises.
    """
    try:
        if not isinstance(text, str):
            return []
        placeholder = placeholder if isinstance(placeholder, str) and placeholder else None
        problems: list[OptionProblem] = []
        for url in parse_image_urls(text):
            problems += _url_problems(text, url, placeholder, bool(source_normalised))
        return sorted(problems, key=_position)
    except Exception:  # pragma: no cover - defensive: a linter must not crash on odd input
        return []


def _url_problems(text: str, url: ImageUrl, placeholder: str | None,
                  source_normalised: bool) -> list[OptionProblem]:
    """All problems of one URL."""
    segment = text[url.options_start:url.options_end]
    if not segment:
        if url.source_start is None:
            return []  # a bare prefix: the rest is concatenated later
        return [OptionProblem(
            "empty-options", url.start + len(IMAGE_PREFIX) - 1, url.options_end + 1,
            "The URL has '//' right after /cdn-cgi/image: the options segment is empty, but at "
            "least one name=value option (e.g. width=800) is required.")]
    problems = check_options(segment, url.options_start, dynamic_after=url.options_reach_end,
                             placeholder=placeholder)
    if any(problem.kind == "missing-options" for problem in problems):
        return problems
    return problems + _source_problems(text, url, placeholder, source_normalised)


# --------------------------------------------------------------------------------------------
# A byte-level look that spares most files a parse.
# --------------------------------------------------------------------------------------------

#: A string literal that is one whole image URL: a quote, an optional `http(s)://host`, the
#: prefix, options of plain characters, '/', a source that starts with a plain character, and the
#: same quote. In the source, a template literal may interpolate a plain name (`${item.id}`).
_PLAIN_LITERAL = re.compile(
    rb"""(['"`])((?:https?://[A-Za-z0-9.-]+(?::[0-9]+)?)?)/cdn-cgi/image/[A-Za-z0-9=,.%;_-]+/"""
    rb"""[A-Za-z0-9_.-](?:[^'"`\\\n\r&$]|\$\{[A-Za-z_$][\w$.]*\})*\1""")
_INTERPOLATION = re.compile(rb"\$\{[^}]*\}")
#: Template-engine tokens the static text of a literal counts as dynamic (`_image.TextBuilder`).
_ENGINE_TOKEN = re.compile(rb"#\{|\{\{|\{[A-Za-z_$]|%[sd]")


def plain_url_literals(data: bytes) -> list[int] | None:
    """The byte offsets of the URLs (their `/cdn-cgi/image/`) when every `cdn-cgi` in a file's
    bytes begins a string literal that is one whole, valid image URL, else None.

    Such a literal is checked completely by :func:`check_url` without a syntax tree: its options
    are static, its source starts with a written character (so nothing inserted can add a '/'),
    and it has no escapes, entities or template-engine tokens that the static text of the
    literal would read differently. Concatenating or interpolating it elsewhere changes neither
    its options nor the start of its source. A file for which this returns a list has no
    EDGE401/EDGE402 problem; any other file is parsed and analysed in full."""
    offsets = []
    at = data.find(b"cdn-cgi")
    while at != -1:
        line_start = data.rfind(b"\n", 0, at) + 1
        quote = max(data.rfind(b"'", line_start, at), data.rfind(b'"', line_start, at), data.rfind(b"`", line_start, at))
        found = _PLAIN_LITERAL.match(data, quote) if quote != -1 else None
        if found is None or found.end(2) + 1 != at:
            return None
        literal = found.group(0)[1:-1]
        if b"${" in literal and found.group(1) != b"`":
            return None
        text = _INTERPOLATION.sub(PLACEHOLDER.encode(), literal)
        if _ENGINE_TOKEN.search(text) or check_url(text.decode("utf-8", "replace"), source_normalised=False):
            return None
        offsets.append(at - 1)
        at = data.find(b"cdn-cgi", at + 1)  # one in the source of this URL is not plain
    return offsets
