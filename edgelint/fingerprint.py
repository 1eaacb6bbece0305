"""GitHub code scanning's `primaryLocationLineHash` (SARIF.md §4).

For every line, a 64-bit rolling hash (base 37) over the next 100 characters of the file that are
not spaces or tabs, with CR and CRLF read as LF; `:n` counts earlier lines with the same hash.
Characters are UTF-16 code units, as JavaScript reads them. Computing it ourselves makes
pre-commit output, API uploads and upload-sarif agree (upload-sarif keeps a given value).
"""

from __future__ import annotations

BLOCK_SIZE = 100
MOD = 37
MASK = (1 << 64) - 1
FIRST_MOD = pow(MOD, BLOCK_SIZE, 1 << 64)
EOF_CHAR = 65535


def line_hashes(text: str) -> dict[int, str]:
    """1-based line number -> 'hash:count' for every line of `text`."""
    units = text.encode("utf-16-le")
    codes = [units[i] | units[i + 1] << 8 for i in range(0, len(units), 2)]
    window = [0] * BLOCK_SIZE
    line_numbers = [-1] * BLOCK_SIZE
    counts: dict[str, int] = {}
    result: dict[int, str] = {}
    state = {"hash": 0, "index": 0, "line": 0, "line_start": True, "prev_cr": False}

    def output() -> None:
        index = state["index"]
        value = format(state["hash"], "x")
        counts[value] = counts.get(value, 0) + 1
        result[line_numbers[index]] = f"{value}:{counts[value]}"
        line_numbers[index] = -1

    def update(current: int) -> None:
        index = state["index"]
        begin = window[index]
        window[index] = current
        state["hash"] = (MOD * state["hash"] + current - FIRST_MOD * begin) & MASK
        state["index"] = (index + 1) % BLOCK_SIZE

    def process(current: int) -> None:
        if current in (32, 9) or (state["prev_cr"] and current == 10):
            state["prev_cr"] = False
            return
        if current == 13:
            current, state["prev_cr"] = 10, True
        else:
            state["prev_cr"] = False
        if line_numbers[state["index"]] != -1:
            output()
        if state["line_start"]:
            state["line_start"] = False
            state["line"] += 1
            line_numbers[state["index"]] = state["line"]
        if current == 10:
            state["line_start"] = True
        update(current)

    for code in codes:
        process(code)
    process(EOF_CHAR)
    for _ in range(BLOCK_SIZE):
        if line_numbers[state["index"]] != -1:
            output()
        update(0)
    return result
