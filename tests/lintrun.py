"""Helpers for the robustness, file-system and security tests: lint a tree in-process with every
rule, render every output format, and check what must hold for any input.

    outcome = lint(root)                  # all checks, audit figures too, no cache
    assert_sane(outcome)                  # nothing crashed; outputs valid; locations inside files
    outcome.outputs["sarif"]              # text, json, sarif, github, audit-text, audit-markdown, audit-json
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from conftest import SARIF_CHECK, SARIF_SCHEMA
from edgelint import audit as audit_module
from edgelint import engine, registry
from edgelint.cli import TARGET_CHOICES, _load_config
from edgelint.reporters import audit_report, render

FORMATS = ("text", "json", "sarif", "github")


@dataclass
class Outcome:
    root: Path
    result: engine.RunResult
    outputs: dict[str, str]

    @property
    def findings(self):
        return self.result.findings

    def codes(self) -> list[str]:
        return [f.code for f in self.result.findings]


def lint(root: Path, *, cache_dir: Path | None = None, jobs: int = 1, audit: bool = True,
         target: str | None = None) -> Outcome:
    """Run every rule on `root` as `edgelint check`/`audit` would, and render every format."""
    assert target is None or target in TARGET_CHOICES
    config = _load_config(None, [root])
    checks = registry.select(config.select, config.ignore, config.extend_select)
    result = engine.run([root], config, checks, target=target, use_cache=cache_dir is not None,
                        cache_dir=str(cache_dir) if cache_dir is not None else None, audit=audit, jobs=jobs)
    result.all_checks = registry.all_checks()
    outputs = {fmt: render(fmt, result, **({"category": "edge/"} if fmt == "sarif" else {})) for fmt in FORMATS}
    if audit:
        audits = audit_module.build(result)
        outputs["audit-text"] = audit_report.render_text(audits)
        outputs["audit-markdown"] = audit_report.render_markdown(audits)
        outputs["audit-json"] = audit_report.render_json(audits)
    for name, text in outputs.items():
        text.encode("utf-8")  # every output can be written as UTF-8 (no lone surrogates)
    return Outcome(root, result, outputs)


def lint_app(root: Path, **options) -> Outcome | None:
    """`lint`, or None when the tree causes a usage or configuration error (`edgelint: error: …`,
    exit 2: no Next.js app any more, an invalid edgelint.toml), which must name what is wrong."""
    from edgelint.config import ConfigError

    try:
        return lint(root, **options)
    except ConfigError as error:
        assert "no Next.js app found" in str(error) or "edgelint.toml" in str(error), error
        return None


def _lines(text: str) -> list[str]:
    """Lines as edgelint, editors and GitHub count them: LF, CRLF and a lone CR end a line."""
    return re.split(r"\r\n|\r|\n", text)


def location_problems(outcome: Outcome) -> list[str]:
    """Every location (finding, related, flow step) that is not inside its file."""
    problems = []
    for finding in outcome.result.findings:
        for where, loc in [("finding", finding.location), *[("related", r) for r in finding.related],
                           *[("flow", s) for s in finding.flow]]:
            span = loc.span
            label = f"{finding.code} {where} {loc.path}:{tuple(span)}"
            if span.line < 1 or span.col < 1 or span.end_line < span.line or (
                    span.end_line == span.line and span.end_col < span.col):
                problems.append(f"{label}: not a valid range")
                continue
            full = outcome.root / loc.path
            if not full.is_file():
                problems.append(f"{label}: no such file")
                continue
            if full.stat().st_size > 8_000_000:
                continue
            text = full.read_bytes().decode("utf-8", "replace")
            lines = _lines(text)
            for line, col in ((span.line, span.col), (span.end_line, span.end_col)):
                if line > len(lines):
                    problems.append(f"{label}: line {line} past the end ({len(lines)} lines)")
                elif col > len(lines[line - 1]) + 1:
                    problems.append(f"{label}: column {col} past the end of line {line} "
                                    f"({len(lines[line - 1])} characters)")
    return problems


@cache
def _sarif_validator():
    from jsonschema.validators import validator_for

    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    return validator_for(schema)(schema)


@cache
def _sarif_check_module():
    spec = importlib.util.spec_from_file_location("sarif_check", SARIF_CHECK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sarif_problems(sarif: str, root: Path) -> list[str]:
    """Schema errors, then the problems `shared/tools/sarif_check.py --source-root ROOT` reports."""
    doc = json.loads(sarif)
    problems = [f"schema: {e.message[:200]} at {list(e.absolute_path)}" for e in _sarif_validator().iter_errors(doc)]
    if SARIF_CHECK.is_file():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "out.sarif"
            path.write_text(sarif, "utf-8")
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = _sarif_check_module().main([str(path), "--source-root", str(root), "--quiet-warnings"])
            if code != 0:
                problems += [line for line in out.getvalue().splitlines() if line.startswith("problem")] or \
                    [out.getvalue()]
    return problems


def assert_sane(outcome: Outcome, *, incomplete_ok: bool = False) -> None:
    """What must hold on any input: no check crashed, the run is complete, the JSON outputs parse,
    the SARIF passes the official schema and GitHub's rules, and every location is inside its file."""
    crashes = [f"{f.path}: {f.message}" for f in outcome.result.findings if f.code == "EDGE906"]
    if not incomplete_ok:
        assert not crashes, "\n".join(crashes)
        assert not outcome.result.incomplete
    for name in ("json", "sarif", "audit-json"):
        if name in outcome.outputs:
            json.loads(outcome.outputs[name])
    assert not (problems := sarif_problems(outcome.outputs["sarif"], outcome.root)), "\n".join(problems)
    assert not (problems := location_problems(outcome)), "\n".join(problems)
