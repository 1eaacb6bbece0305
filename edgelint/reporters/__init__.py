"""Output formats. Each reporter module has `render(result, **options) -> str`."""

from __future__ import annotations

import importlib

FORMATS = ("text", "json", "sarif", "github")


def render(fmt: str, result, **options) -> str:
    module = importlib.import_module(f"edgelint.reporters.{fmt}_report")
    return module.render(result, **options)
