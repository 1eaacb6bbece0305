import json
import re
import time
from dataclasses import dataclass

from edgelint.api import Check
from edgelint.jsvalues import Unknown, literal, object_pairs, unwrap

GET_TYPES = ("text", "json", "arrayBuffer", "stream")
MIN_EXPIRATION_TTL = 60
MIN_CACHE_TTL = 30
MAX_LIST_LIMIT = 1000
MAX_KEY_BYTES = 512
MAX_METADATA_BYTES = 1024
MAX_BULK_KEYS = 100
#: An `expiration` above this is a time in milliseconds (seconds would be the year 5138).
MILLISECONDS_THRESHOLD = 100_000_000_000


@dataclass
class Options:
    #: the smallest `cacheTtl` to accept: 30 since 2026-01-30; set 60 for an older Wrangler
    min_cache_ttl: int = MIN_CACHE_TTL


class KvInvalidOptions(Check):
    """## What it does
    Reports literal arguments of KV calls that Cloudflare rejects (REFERENCE.md §3.1, §3.2):

    * `put(key, value, { expirationTtl })` below 60 seconds;
    * `put(…, { expiration })` in milliseconds (`Date.now()` without `/ 1000`, or a literal above
      10^11), in the past (an absolute time in seconds since the epoch), or less than 60 seconds
      ahead (`Math.floor(Date.now() / 1000) + 30`);
    * `put(…, { metadata })` whose JSON is longer than 1024 bytes;
    * `get(key, { cacheTtl })` / `getWithMetadata` below 30 seconds;
    * `get(key, type)` / `get(key, { type })` with a type other than `'text'`, `'json'`,
      `'arrayBuffer'`, `'stream'`;
    * `list({ limit })` above 1000;
    * a key that is empty, `.` or `..`, or longer than 512 bytes (for a template literal, its
      fixed text alone), and a bulk `get([…])` of more than 100 keys.

    Values are read without running code: literals, arithmetic on literals (`60 * 60 * 24`) and
    `const` names of the same file. Anything else is left alone.

    ## Why is this bad?
    These are Cloudflare's limits: `expirationTtl` at least 60 s and no expiration less than
    60 s ahead, `expiration` in seconds since the epoch, `cacheTtl` an integer of at least 30,
    `list` pages of at most 1,000 keys, keys of at most 512 bytes, metadata of at most 1,024
    bytes, bulk reads of at most 100 keys (REFERENCE.md §3.1, §3.2). A call outside them is
    rejected at run time, usually on a path that tests do not cover. The minimum `cacheTtl` is
    30 s since 2026-01-30 (60 before, REFERENCE.md §3.1): values from 30 to 59 need a current Wrangler and are
    not reported unless `min-cache-ttl` says so.

    Targets: all (the options are KV options wherever the call runs).

    ## Example
    ```ts
    await env.CART_KV.put(`lock:${id}`, '1', { expirationTtl: 30 })
    ```

    ## Use instead
    ```ts
    await env.CART_KV.put(`lock:${id}`, '1', { expirationTtl: 60 })
    ```

    ## Options
    `[kv]` `min-cache-ttl = 60` reports `cacheTtl` values below 60, the minimum before 2026-01-30
    (for projects that pin an older Wrangler).
    """

    code, name, area = "EDGE306", "kv-invalid-options", "kv"
    severity = "error"
    Options = Options

    def run(self, ctx):
        from ._kv import kv_index

        index = kv_index(ctx)
        minimum = getattr(self.options, "min_cache_ttl", MIN_CACHE_TTL)
        if not isinstance(minimum, (int, float)) or isinstance(minimum, bool):
            minimum = MIN_CACHE_TTL
        for file, call in index.kv_calls():
            for node, message in _problems(file, call, minimum):
                yield ctx.finding(self, file.path, file.pf.span(node), message, method=call.method,
                                  binding=call.name)


def _problems(file, call, min_cache_ttl=MIN_CACHE_TTL):
    from ._kv import fold_number

    args = call.arguments
    method = call.method
    if method in ("get", "getWithMetadata", "put", "delete") and args:
        yield from _key_problems(file, method, args[0])
    if method in ("get", "getWithMetadata") and len(args) >= 2:
        yield from _read_options(file, method, args[1], min_cache_ttl)
    elif method == "put" and len(args) >= 3:
        yield from _put_options(file, args[2])
    elif method == "list" and args:
        pairs = _option_pairs(args[0], file)
        if "limit" in pairs:
            value = fold_number(pairs["limit"][1], file)
            if value is not None and value > MAX_LIST_LIMIT:
                yield pairs["limit"][1], (f"`list({{ limit: {_show(value)} }})`: the maximum is {MAX_LIST_LIMIT} "
                                          "keys per page; paginate with `cursor` until `list_complete`")


def _option_pairs(node, file) -> dict:
    """The properties of an options argument that is an object literal (or a same-file `const`
    one), by name; {} for anything else."""
    from ._kv import resolve_object

    options = resolve_object(node, file)
    return object_pairs(options, file.pf) if options is not None else {}


def _key_problems(file, method, node):
    from ._kv import resolve_string

    pf = file.pf
    if node.type == "array" and method in ("get", "getWithMetadata"):
        items = [c for c in node.named_children if c.type != "comment"]
        if len(items) > MAX_BULK_KEYS:
            yield node, f"bulk `{method}()` of {len(items)} keys: at most {MAX_BULK_KEYS} keys per call"
        return
    key = resolve_string(node, file)
    if key is not None:
        size = len(key.encode("utf-8"))
        if key in ("", ".", ".."):
            yield node, f"KV key {json.dumps(key)} is not allowed (keys must not be empty, `.` or `..`)"
        elif size > MAX_KEY_BYTES:
            yield node, f"KV key is {size} bytes long: the maximum is {MAX_KEY_BYTES} bytes"
        return
    if node.type == "template_string":
        fixed = sum(len(pf.text(c).encode("utf-8")) for c in node.named_children if c.type == "string_fragment")
        if fixed > MAX_KEY_BYTES:
            yield node, (f"KV key is at least {fixed} bytes long (its fixed text alone): the maximum is "
                         f"{MAX_KEY_BYTES} bytes")


def _read_options(file, method, node, min_cache_ttl):
    from ._kv import fold_number, resolve_string

    kind = resolve_string(node, file)
    if kind is not None:
        if kind not in GET_TYPES:
            yield node, _type_message(method, kind)
        return
    pairs = _option_pairs(node, file)
    if "type" in pairs:
        kind = resolve_string(pairs["type"][1], file)
        if kind is not None and kind not in GET_TYPES:
            yield pairs["type"][1], _type_message(method, kind)
    if "cacheTtl" in pairs:
        value = fold_number(pairs["cacheTtl"][1], file)
        if value is not None and value < min_cache_ttl:
            yield pairs["cacheTtl"][1], (f"`cacheTtl: {_show(value)}` in `{method}()`: the minimum is "
                                         f"{_show(min_cache_ttl)} seconds; KV rejects the read")


def _type_message(method, kind):
    return (f"`{method}()` type {json.dumps(kind)} is not a KV value type; use one of "
            + ", ".join(f"'{t}'" for t in GET_TYPES))


def _put_options(file, node):
    from ._kv import fold_number

    pf = file.pf
    pairs = _option_pairs(node, file)
    if "expirationTtl" in pairs:
        value = fold_number(pairs["expirationTtl"][1], file)
        if value is not None and value < MIN_EXPIRATION_TTL:
            yield pairs["expirationTtl"][1], (f"`expirationTtl: {_show(value)}` in `put()`: the minimum is "
                                              f"{MIN_EXPIRATION_TTL} seconds; KV rejects the write")
    if "expiration" in pairs:
        value_node = pairs["expiration"][1]
        value = fold_number(value_node, file)
        if value is None and _uses_milliseconds(value_node, pf):
            yield value_node, ("`expiration` is computed from `Date.now()`, which is in milliseconds, but KV wants "
                               "seconds since the epoch; divide by 1000 (or use `expirationTtl`)")
        elif value is not None and value >= MILLISECONDS_THRESHOLD:
            yield value_node, (f"`expiration: {_show(value)}` looks like milliseconds; KV wants seconds since "
                               "the epoch (or use `expirationTtl`)")
        elif value is not None and value < time.time() + MIN_EXPIRATION_TTL:
            yield value_node, (f"`expiration: {_show(value)}` is in the past (seconds since the epoch): KV rejects "
                               "an expiration less than 60 seconds ahead; use `expirationTtl` for a relative time")
        elif (ahead := _seconds_ahead(value_node, file, pf)) is not None and ahead < MIN_EXPIRATION_TTL:
            yield value_node, (f"`expiration` is {_show(ahead)} seconds from now: KV rejects an expiration less than "
                               f"{MIN_EXPIRATION_TTL} seconds ahead; use `expirationTtl: {MIN_EXPIRATION_TTL}` or more")
    if "metadata" in pairs:
        value = literal(pairs["metadata"][1], pf)
        if not isinstance(value, Unknown) and not _has_unknown(value):
            size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
            if size > MAX_METADATA_BYTES:
                yield pairs["metadata"][1], (f"`metadata` is {size} bytes as JSON: the maximum is "
                                             f"{MAX_METADATA_BYTES} bytes")


#: The current time in seconds: `Date.now() / 1000`, rounded or not (`Math.floor(…)`, `… | 0`).
_NOW_SECONDS = re.compile(r"(?:Math\.(?:floor|round|ceil|trunc)\()?\(?(?:Date\.now\(\)|new Date\(\)\.getTime\(\))"
                          r"/1000\)?\)?(?:\|0)?")


def _seconds_ahead(node, file, pf) -> float | None:
    """N for `now_in_seconds + N` (either order), N a number known statically; else None."""
    from ._kv import fold_number

    node = unwrap(node)
    operator = node.child_by_field_name("operator") if node is not None and node.type == "binary_expression" else None
    if operator is None or operator.type != "+":
        return None
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    for now, offset in ((left, right), (right, left)):
        if _NOW_SECONDS.fullmatch(re.sub(r"\s+", "", pf.text(now))):
            return fold_number(offset, file)
    return None


def _uses_milliseconds(node, pf) -> bool:
    """`Date.now()` / `new Date().getTime()` in the expression and no division anywhere in it."""
    has_now = divided = False
    for child in pf.walk(node):
        if child.type == "call_expression":
            text = pf.text(child.child_by_field_name("function") or child).replace(" ", "")
            if text == "Date.now" or text.endswith((".getTime", ".valueOf")):
                has_now = True
        elif child.type == "binary_expression":
            operator = child.child_by_field_name("operator")
            if operator is not None and operator.type == "/":
                divided = True
    return has_now and not divided


def _has_unknown(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _show(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
