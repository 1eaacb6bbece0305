#!/usr/bin/env python3
"""Measure edgelint on a large generated monorepo and print a markdown report.

    python tests/benchmarks/run.py [--files 5000] [--runs 5] [--seed 1] [--keep DIR] [--json FILE] [--profile]

Measurements (each run is a fresh subprocess, timed with time.perf_counter from start to exit, so
every number includes interpreter start; the value reported is the median over --runs; the floor,
cold and warm runs take turns, so that the machine's slow spells fall on all three alike):

- floor: read every source file (.ts .tsx .js .jsx .mjs .cjs .mts .cts, outside node_modules)
  and parse it with tree-sitter, using edgelint's grammar choice (`edgelint.parsing.grammar_for`).
  This is the cost of the naive "parse everything" linter; ratios are taken against it, so they
  compare across machines.
- cold: `edgelint check . --format json -o FILE --no-cache`.
- cache fill: the first run with an empty cache (not a target, shows what writing the cache costs).
- warm: the same run again with the cache filled and nothing changed.
- pre-commit: 10 deterministic files get a comment line appended (a different one each run, so
  they miss the cache like a real edit), then `edgelint check <10 files>` runs from the tree root
  with the cache warm for everything else; the files are restored after each run, and the cache
  is put back as the warm runs left it (so no sample reuses what an earlier one stored).

Memory: for each run, the peak RSS of its largest process (os.wait4 rusage, which covers the
process and its reaped children); and, in one more run of each measurement that is not timed,
the peak of the whole process tree (the sum of PSS, or RSS where PSS is unreadable, over the
process and its descendants, sampled every 50 ms from /proc). Reading a process's smaps_rollup
walks its page tables under its memory-map lock, which stalls the process's own page faults:
timed runs are not sampled (sampling made the cold run about 10% slower). The memory target is
checked against the larger of the two peaks.

Consistency: findings must be identical between cold and warm, between `--jobs 1` and the default
(when the CLI has `--jobs`), and the pre-commit run must report exactly the full run's findings
for those 10 files. Options the CLI lacks (`--no-cache`, `--cache-dir`, `--jobs`) are detected
from `edgelint check --help` and the report says what could not be measured.

The script always exits 0: it is a report. Failing targets are listed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PRECOMMIT_FILES = 10
SAMPLE_SECONDS = 0.05

TARGET_COLD_VS_FLOOR = 0.5
TARGET_WARM_VS_COLD = 0.15
TARGET_PRECOMMIT_SECONDS = 0.5
TARGET_PEAK_MB = 250

FLOOR_SCRIPT = r"""
import json, os, sys, time
start = time.perf_counter()
import tree_sitter as ts
import tree_sitter_typescript as tst
from edgelint.parsing import grammar_for
EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
parsers = {"typescript": ts.Parser(ts.Language(tst.language_typescript())),
           "tsx": ts.Parser(ts.Language(tst.language_tsx()))}
files = size = errors = 0
for folder, dirs, names in os.walk(sys.argv[1]):
    dirs[:] = sorted(d for d in dirs if d not in ("node_modules", ".git"))
    for name in sorted(names):
        if name.endswith(EXTENSIONS):
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                data = handle.read()
            tree = parsers[grammar_for(path)].parse(data)
            files += 1
            size += len(data)
            errors += tree.root_node.has_error
print(json.dumps({"files": files, "bytes": size, "with_errors": errors, "in_process": time.perf_counter() - start}))
"""


# ------------------------------------------------------------------------------------------------
# Running one measured subprocess


def _tree_memory_kb(pid: int) -> int:
    """PSS (else RSS) of `pid` and its descendants, in kB; 0 when /proc cannot tell."""
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        value = 0
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        value = int(line.split()[1])
                        break
        except OSError:
            try:
                with open(f"/proc/{current}/status") as handle:
                    for line in handle:
                        if line.startswith("VmRSS:"):
                            value = int(line.split()[1])
                            break
            except OSError:
                pass
        total += value
        try:
            for tid in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{tid}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            pass
    return total


@dataclass
class Sample:
    seconds: float
    max_rss_mb: float  # largest single process (rusage)
    tree_mb: float  # sampled peak of the process tree (0 when not sampled)
    returncode: int
    stdout: str = ""
    stderr: str = ""
    timed: bool = True  # False for the run that samples the tree's memory

    @property
    def peak_mb(self) -> float:
        return max(self.max_rss_mb, self.tree_mb)


def measure(command: list[str], cwd: Path, env: dict | None = None, memory: bool = False) -> Sample:
    """Run `command`, timing it from spawn to exit; with `memory`, sample the process tree's
    memory (then the time does not count: the sampling slows the process)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_SECONDS):
                peak[0] = max(peak[0], _tree_memory_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        if memory:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        if memory:
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        max_rss_kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
        return Sample(seconds, max_rss_kb / 1024, peak[0] / 1024, proc.returncode,
                      out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), not memory)


@dataclass
class Measurement:
    name: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def timed(self) -> list[float]:
        return [s.seconds for s in self.samples if s.timed]

    @property
    def median(self) -> float:
        return statistics.median(self.timed) if self.timed else float("nan")

    @property
    def peak_mb(self) -> float:
        return max((s.peak_mb for s in self.samples), default=float("nan"))

    @property
    def max_rss_mb(self) -> float:
        return max((s.max_rss_mb for s in self.samples), default=float("nan"))

    @property
    def tree_mb(self) -> float:
        return max((s.tree_mb for s in self.samples), default=float("nan"))

    def spread(self) -> str:
        values = sorted(self.timed)
        return f"{values[0]:.3f}–{values[-1]:.3f} s" if values else ""


# ------------------------------------------------------------------------------------------------
# edgelint invocations


class Edgelint:
    def __init__(self, root: Path, work: Path, env: dict):
        self.root = root
        self.work = work
        self.env = env
        self.python = sys.executable
        help_text = subprocess.run([self.python, "-m", "edgelint", "check", "--help"], capture_output=True,
                                   text=True, cwd=root, env=env).stdout

        def has(option: str) -> bool:
            return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text) is not None

        self.has_no_cache = has("--no-cache")
        self.has_cache_dir = has("--cache-dir")
        self.has_jobs = has("--jobs")
        self.cache_dir = work / "cache" if self.has_cache_dir else root / ".edgelint_cache"
        self.version = subprocess.run([self.python, "-m", "edgelint", "--version"], capture_output=True, text=True,
                                      cwd=root, env=env).stdout.strip()
        self._outputs = 0

    @property
    def cache_available(self) -> bool:
        return self.has_no_cache

    def output(self) -> Path:
        self._outputs += 1
        return self.work / f"out-{self._outputs}.json"

    def command(self, paths: list[str], output: Path, *, cache: bool, jobs: int | None = None) -> list[str]:
        command = [self.python, "-m", "edgelint", "check", *paths, "--format", "json", "-o", str(output)]
        if not cache and self.has_no_cache:
            command.append("--no-cache")
        if cache and self.has_cache_dir:
            command += ["--cache-dir", str(self.cache_dir)]
        if jobs is not None and self.has_jobs:
            command += ["--jobs", str(jobs)]
        return command

    def clear_cache(self) -> None:
        shutil.rmtree(self.cache_dir, ignore_errors=True)

    def run(self, paths: list[str], *, cache: bool, jobs: int | None = None,
            memory: bool = False) -> tuple[Sample, list | None]:
        output = self.output()
        sample = measure(self.command(paths, output, cache=cache, jobs=jobs), self.root, self.env, memory)
        findings = None
        if sample.returncode in (0, 1) and output.exists():
            try:
                findings = json.loads(output.read_text("utf-8"))["findings"]
            except (ValueError, KeyError):
                findings = None
        output.unlink(missing_ok=True)
        return sample, findings


def environment(work: Path, freeze: bool) -> tuple[dict, str]:
    """The environment of every measured process, and a sentence saying what it runs.

    Bytecode is cached under a private PYTHONPYCACHEPREFIX (an installed tool has its .pyc files;
    PYTHONDONTWRITEBYTECODE would make every run compile edgelint again). With `freeze`, a copy of
    the working tree's `edgelint/` and `checks/` (as `edgelint.checks`) goes first on PYTHONPATH, so
    edits made by others while the benchmark runs neither change the code measured nor invalidate
    the cache half-way through.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    revision = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True,
                              text=True).stdout.strip() or "unknown revision"
    if not freeze:
        return env, f"the live working tree {REPO} ({revision})"
    snapshot = work / "code"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "edgelint", snapshot / "edgelint", ignore=ignore)
    shutil.copytree(REPO / "checks", snapshot / "edgelint" / "checks", ignore=ignore)
    env["PYTHONPATH"] = os.pathsep.join([str(snapshot), *filter(None, [os.environ.get("PYTHONPATH")])])
    where = subprocess.run([sys.executable, "-c", "import edgelint.checks as c; print(c.__file__)"], capture_output=True,
                           text=True, env=env, cwd=work).stdout.strip()
    if not where.startswith(str(snapshot)):
        env.pop("PYTHONPATH")
        return env, f"the live working tree {REPO} ({revision}); freezing a copy did not take effect"
    return env, f"a frozen copy of {REPO} ({revision}) taken at the start"


def _engine_digest() -> str:
    """Changes when edgelint's own code changes (a changed engine invalidates the cache mid-run)."""
    h = hashlib.blake2b(digest_size=8)
    for folder in ("edgelint", "checks"):
        for path in sorted((REPO / folder).rglob("*.py")):
            try:
                h.update(path.read_bytes())
            except OSError:
                pass
    return h.hexdigest()


# ------------------------------------------------------------------------------------------------
# The benchmark


def prepare_tree(args, work: Path) -> tuple[Path, dict]:
    target = args.keep or work / "tree"
    manifest = target / "benchmark-manifest.json"
    if manifest.exists():
        info = json.loads(manifest.read_text("utf-8"))
        if info.get("files_requested") == args.files and info.get("seed") == args.seed:
            print(f"reusing {target}", file=sys.stderr)
            shutil.rmtree(target / ".edgelint_cache", ignore_errors=True)
            return target, info
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(target), "--files", str(args.files),
                    "--seed", str(args.seed)], check=True)
    return target, json.loads(manifest.read_text("utf-8"))


def precommit_files(root: Path, info: dict, seed: int) -> list[str]:
    """8 files picked at random from the apps, plus 2 files with planted mistakes (so the focus
    comparison has findings to compare); deterministic for a tree and seed."""
    rng = random.Random(f"precommit:{seed}")
    sources = sorted(p.relative_to(root).as_posix() for p in (root / "apps").rglob("*")
                     if p.suffix in (".ts", ".tsx") and p.is_file())
    mistaken = sorted({m["path"] for m in info.get("mistakes", []) if m["path"].endswith((".ts", ".tsx"))})
    chosen = rng.sample(mistaken, min(2, len(mistaken)))
    rest = [p for p in sources if p not in chosen]
    chosen += rng.sample(rest, PRECOMMIT_FILES - len(chosen))
    return sorted(chosen)


def compare(a: list | None, b: list | None) -> str:
    if a is None or b is None:
        return "not compared (a run failed)"
    if a == b:
        return f"identical ({len(a)} findings)"
    key = lambda f: json.dumps(f, sort_keys=True)  # noqa: E731
    if sorted(map(key, a)) == sorted(map(key, b)):
        return f"DIFFERENT ORDER, same {len(a)} findings"
    only_a = len(set(map(key, a)) - set(map(key, b)))
    only_b = len(set(map(key, b)) - set(map(key, a)))
    return f"DIFFERENT ({len(a)} vs {len(b)} findings; {only_a} only in the first, {only_b} only in the second)"


def check_ok(sample: Sample, what: str, problems: list[str]) -> None:
    if sample.returncode not in (0, 1):
        tail = (sample.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        problems.append(f"{what}: exit {sample.returncode}: {tail}")


def run_benchmark(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="edgelint-bench-"))
    problems: list[str] = []
    try:
        root, info = prepare_tree(args, work)
        root = root.resolve()
        env, code = environment(work, not args.no_freeze)
        tool = Edgelint(root, work, env)
        digest_before = _engine_digest()
        runs = args.runs
        results: dict[str, Measurement] = {}
        print(f"tree: {root} ({info['source_files']} source files); {tool.version}; "
              f"cache flags: {'yes' if tool.cache_available else 'no'}; --jobs: {'yes' if tool.has_jobs else 'no'}",
              file=sys.stderr)

        # interpreter and import baselines (context for the pre-commit number)
        bare = Measurement("bare interpreter start (`python -c pass`)")
        startup = Measurement("interpreter start + `edgelint --version`")
        for _ in range(runs):
            bare.samples.append(measure([sys.executable, "-c", "pass"], root, env))
            startup.samples.append(measure([sys.executable, "-m", "edgelint", "--version"], root, env))
        results["python"] = bare
        results["startup"] = startup

        floor = Measurement("floor: read + tree-sitter parse every file")
        cold = Measurement("edgelint cold (`--no-cache`)")
        fill = Measurement("edgelint cache fill (first run, empty cache)")
        warm = Measurement("edgelint warm (cache, nothing changed)")
        if not tool.cache_available:
            cold.note = "cache not available: plain run"
            warm.note = "cache not available: this is a second plain run"
        # untimed warm-up: page cache, and edgelint's bytecode in the private pycache
        measure([sys.executable, "-c", FLOOR_SCRIPT, str(root)], root, env)
        tool.run(["."], cache=False)
        if tool.cache_available:  # each fill starts from an empty cache; the last one stays for the warm runs
            for run in range(runs + 1):
                tool.clear_cache()
                sample, _found = tool.run(["."], cache=True, memory=run == runs)
                check_ok(sample, "cache fill", problems)
                fill.samples.append(sample)
            results["fill"] = fill
        # floor, cold and warm runs take turns (floor, cold, warm, floor, …): a slow spell of the
        # machine falls on all three alike, and the ratios between them hold
        floor_info = {}
        cold_findings = warm_findings = None
        for run in range(runs + 1):  # the last round samples memory, untimed
            memory = run == runs
            sample = measure([sys.executable, "-c", FLOOR_SCRIPT, str(root)], root, env, memory=memory)
            check_ok(sample, "floor", problems)
            floor.samples.append(sample)
            if sample.returncode == 0:
                floor_info = json.loads(sample.stdout)
            sample, found = tool.run(["."], cache=False, memory=memory)
            check_ok(sample, "cold", problems)
            cold.samples.append(sample)
            cold_findings = found if cold_findings is None else cold_findings
            sample, warm_findings = tool.run(["."], cache=True, memory=memory)
            check_ok(sample, "warm", problems)
            warm.samples.append(sample)
        results["floor"], results["cold"], results["warm"] = floor, cold, warm
        print(f"floor: {floor.median:.3f} s; cold: {cold.median:.3f} s; warm: {warm.median:.3f} s", file=sys.stderr)

        # pre-commit on 10 changed files, cache warm
        chosen = precommit_files(root, info, args.seed)
        precommit = Measurement(f"pre-commit: {len(chosen)} changed files, cache warm")
        originals = {p: (root / p).read_bytes() for p in chosen}
        focus_findings = None
        # every sample starts from the cache the warm runs left: a pre-commit run must not find
        # what an earlier sample stored for the same files (real commits name other files)
        warm_cache = work / "warm-cache"
        if tool.cache_dir.exists():
            shutil.copytree(tool.cache_dir, warm_cache, symlinks=True)
        try:
            for run in range(runs + 1):
                if warm_cache.exists():
                    shutil.rmtree(tool.cache_dir, ignore_errors=True)
                    shutil.copytree(warm_cache, tool.cache_dir, symlinks=True)
                for path, data in originals.items():
                    (root / path).write_bytes(data + f"// edited (benchmark run {run + 1})\n".encode())
                sample, focus_findings = tool.run(chosen, cache=True, memory=run == runs)
                check_ok(sample, "pre-commit", problems)
                precommit.samples.append(sample)
                for path, data in originals.items():
                    (root / path).write_bytes(data)
        finally:
            for path, data in originals.items():
                (root / path).write_bytes(data)
        results["precommit"] = precommit
        print(f"pre-commit: {precommit.median:.3f} s", file=sys.stderr)

        # consistency
        consistency = {"cold vs warm": compare(cold_findings, warm_findings)}
        if tool.has_jobs:
            _, serial = tool.run(["."], cache=False, jobs=1)
            consistency["--jobs 1 vs default (no cache)"] = compare(serial, cold_findings)
        else:
            consistency["--jobs 1 vs default"] = "not compared: the CLI has no --jobs option"
        if cold_findings is not None:
            expected = [f for f in cold_findings if f["path"] in set(chosen)]
            consistency["pre-commit focus vs full run (those files)"] = compare(expected, focus_findings)

        if args.no_freeze and digest_before != _engine_digest():
            problems.append("edgelint's source changed during the benchmark: cached runs may have been invalidated; "
                            "run again on a quiet tree, or without --no-freeze")
        profiled = profile(root, tool) if args.profile else ""
        return {"info": info, "floor_info": floor_info, "tool": tool, "results": results, "chosen": chosen,
                "consistency": consistency, "problems": problems, "profile": profiled, "code": code}
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the tree too, unless it is in --keep DIR


# ------------------------------------------------------------------------------------------------
# Report


def report(data: dict, args) -> tuple[str, dict]:
    r: dict[str, Measurement] = data["results"]
    tool: Edgelint = data["tool"]
    info = data["info"]
    floor, cold, warm, pre = r["floor"].median, r["cold"].median, r["warm"].median, r["precommit"].median
    edgelint_peak = max(m.peak_mb for k, m in r.items() if k in ("cold", "fill", "warm", "precommit"))
    cache_note = "" if tool.cache_available else " (cache not available)"

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "**FAIL**"

    rows = []

    def row(m: Measurement, ratio: str, target: str = "", ok: bool | None = None) -> None:
        name = m.name + (f" — {m.note}" if m.note else "")
        rows.append(f"| {name} | {m.median:.3f} | {ratio} | {m.tree_mb:.0f} / {m.max_rss_mb:.0f} | {target} | "
                    f"{'' if ok is None else verdict(ok)} |")

    row(r["python"], f"{r['python'].median / floor:.2f}× floor")
    row(r["startup"], f"{r['startup'].median / floor:.2f}× floor")
    row(r["floor"], "1.00× floor")
    row(r["cold"], f"{cold / floor:.2f}× floor", f"≤ {TARGET_COLD_VS_FLOOR}× floor", cold / floor <= TARGET_COLD_VS_FLOOR)
    if "fill" in r:
        row(r["fill"], f"{r['fill'].median / floor:.2f}× floor, {r['fill'].median / cold:.2f}× cold")
    row(r["warm"], f"{warm / cold:.2f}× cold ({warm / floor:.2f}× floor)", f"≤ {TARGET_WARM_VS_COLD}× cold{cache_note}",
        warm / cold <= TARGET_WARM_VS_COLD)
    row(r["precommit"], f"{pre / floor:.2f}× floor", f"< {TARGET_PRECOMMIT_SECONDS} s wall", pre < TARGET_PRECOMMIT_SECONDS)
    rows.append(f"| peak memory, any edgelint run | | | {edgelint_peak:.0f} | < {TARGET_PEAK_MB} MB | "
                f"{verdict(edgelint_peak < TARGET_PEAK_MB)} |")
    same = all(v.startswith("identical") for v in data["consistency"].values() if not v.startswith("not compared"))
    rows.append(f"| identical findings (cache, pool, focus) | | | | identical | {verdict(same)} |")

    failing = []
    if cold / floor > TARGET_COLD_VS_FLOOR:
        failing.append(f"cold {cold:.2f} s is {cold / floor:.2f}× the floor (target ≤ {TARGET_COLD_VS_FLOOR}×)")
    if warm / cold > TARGET_WARM_VS_COLD:
        failing.append(f"warm {warm:.2f} s is {warm / cold:.2f}× cold (target ≤ {TARGET_WARM_VS_COLD}×){cache_note}")
    if pre >= TARGET_PRECOMMIT_SECONDS:
        failing.append(f"pre-commit {pre:.2f} s (target < {TARGET_PRECOMMIT_SECONDS} s)")
    if edgelint_peak >= TARGET_PEAK_MB:
        failing.append(f"peak memory {edgelint_peak:.0f} MB (target < {TARGET_PEAK_MB} MB)")
    if not same:
        failing.append("findings differ: " + "; ".join(f"{k}: {v}" for k, v in data["consistency"].items()
                                                        if not v.startswith(("identical", "not compared"))))

    fi = data["floor_info"]
    lines = [
        "## edgelint benchmark",
        "",
        f"- tree: `generate.py --files {args.files} --seed {args.seed}`: {info['source_files']} source files "
        f"({info['source_lines']:,} lines, median {info['lines_median']}), {info['all_files']} files in all, "
        f"{len(info['apps'])} apps, {info['routes']} routes ({info['edge_share']:.0%} edge), "
        f"{len(info['mistakes'])} planted mistakes",
        f"- floor parsed {fi.get('files', '?')} files, {fi.get('bytes', 0) / 1e6:.1f} MB "
        f"({fi.get('with_errors', '?')} with syntax errors); {fi.get('in_process', float('nan')):.2f} s of it inside "
        "the process (imports, reading, parsing)",
        f"- {tool.version} ({sys.executable}); Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.machine()}, load average {data['load']}",
        f"- code measured: {data['code']}",
        f"- cache flags (`--no-cache`, `--cache-dir`): {'available' if tool.cache_available else 'cache not available'}; "
        f"`--jobs`: {'available' if tool.has_jobs else 'not available (pool not measured separately)'}",
        f"- medians of {args.runs} runs; every run is a fresh process, interpreter start included",
        "",
        "| measurement | median s | ratio | peak MB: process tree / largest process | target | result |",
        "|---|---:|---|---:|---|---|",
        *rows,
        "",
        "Consistency:",
        *[f"- {k}: {v}" for k, v in data["consistency"].items()],
        "",
        "Spread (min–max): " + "; ".join(f"{k} {m.spread()}" for k, m in r.items()),
        "",
        "Pre-commit files: " + ", ".join(f"`{p}`" for p in data["chosen"]),
    ]
    if data["problems"]:
        lines += ["", "Problems:", *[f"- {p}" for p in data["problems"]]]
    lines += ["", "**Failing targets:**" if failing else "All targets met.", *[f"- {f}" for f in failing]]
    raw = {"files": args.files, "seed": args.seed, "runs": args.runs, "version": tool.version,
           "cache_available": tool.cache_available, "jobs_available": tool.has_jobs,
           "measurements": {k: {"name": m.name, "median_s": m.median, "samples_s": [s.seconds for s in m.samples],
                                "peak_mb": m.peak_mb, "max_rss_mb": m.max_rss_mb} for k, m in r.items()},
           "consistency": data["consistency"], "failing": failing, "problems": data["problems"]}
    return "\n".join(lines) + "\n", raw


def profile(root: Path, tool: Edgelint) -> str:
    """cProfile of one cold run, top entries by cumulative time."""
    command = [sys.executable, "-m", "cProfile", "-s", "cumtime", "-m", "edgelint", "check", ".", "--format", "json",
               "-o", os.devnull]
    if tool.has_no_cache:
        command.append("--no-cache")
    out = subprocess.run(command, cwd=root, capture_output=True, text=True, env=tool.env).stdout
    return "\n".join(out.splitlines()[:60])


def _load() -> str:
    try:
        return "%.2f" % os.getloadavg()[0]
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=5000, help="source files in the generated tree (default 5000)")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per number (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--keep", type=Path, help="generate the tree here and keep it (reused when it matches)")
    parser.add_argument("--json", type=Path, help="also write the raw numbers to this file")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of one cold run")
    parser.add_argument("--no-freeze", action="store_true",
                        help="run the live working tree's edgelint instead of a copy taken at the start")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    try:
        load_before = _load()
        data = run_benchmark(args)
        data["load"] = f"{load_before} before, {_load()} after"
        text, raw = report(data, args)
        print(text)
        if args.json:
            args.json.write_text(json.dumps(raw, indent=2) + "\n", "utf-8")
        if args.profile:
            print(f"### cProfile, one cold run (top by cumulative time)\n\n```\n{data['profile']}\n```")
    except Exception as error:  # a report, never a crash
        import traceback

        traceback.print_exc()
        print(f"\n**Benchmark did not complete:** {type(error).__name__}: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
