"""Summarising files in worker processes (the one piece of work big enough to share out).

Workers receive (path, bytes) and return plain summary data, so nothing but JSON-like values
crosses process boundaries. The pool is used only above `Workspace.POOL_THRESHOLD` files; on
small inputs starting processes costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor


def _summarize(item: tuple[str, bytes]):
    from edgelint import parsing
    from edgelint.summary import summarize

    path, data = item
    try:
        return path, summarize(parsing.parse(path, data)).to_dict()
    except Exception:  # noqa: BLE001 - the parent parses it again and reports what went wrong
        return path, None


def summarize_all(items: list[tuple[str, bytes]], jobs: int):
    """(path, summary dict or None) for every item, in the order given."""
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    chunk = max(1, len(items) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as executor:
        yield from executor.map(_summarize, items, chunksize=chunk)
