#!/usr/bin/env python3
"""Compare dgs with pandas, polars and calamine on the generated ledger dataset.

Every measurement runs in a fresh child process. Peak RSS covers that child
alone, including the Python interpreter and imported libraries for the Python
tools (see run_child for how it is taken). Seconds are:

- for dgs and calamine_cells, the wall time of the whole process;
- for Python tools, the wall time of the measured call inside the child,
  without interpreter start-up and imports (the child reports it).

A measurement whose tool is missing (dgs not built, a subcommand not there
yet, a Python package not installed) is skipped with the reason printed.

Results go to stdout as a Markdown table and to benches/results/<date>.md and
<date>.json (<date>-<rows>.md when the dataset is not the 1m default).

Usage: .venv/bin/python benches/compare/run.py [--dgs target/release/dgs]
       [--data benches/data] [--rows-label 1m] [--only read,clean,memory]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCHES = Path(__file__).resolve().parent.parent
REPO = BENCHES.parent
sys.path.insert(0, str(BENCHES))

DESCRIPTION_COLUMN = "Descripción"

# Dedup counts reported by the clean step, under any of these JSON keys
# (`dgs clean --json` prints its DedupStats with a top-level "groups").
GROUP_COUNT_KEYS = ("groups", "group_count", "groups_count", "distinct_keys", "unique_keys", "representatives")


@dataclass
class Measurement:
    """One tool doing one task on one input file."""

    tool: str
    task: str
    input: Path
    rows: int
    command: list[str] = field(default_factory=list)
    skip_reason: str | None = None
    stdout_is_result: bool = False


@dataclass
class Result:
    tool: str
    task: str
    input: str
    rows: int
    input_mb: float
    seconds: float | None = None
    process_seconds: float | None = None
    peak_rss_mb: float | None = None
    groups: int | None = None
    status: str = "ok"
    detail: str = ""


# ---------------------------------------------------------------------------
# Child side: each function runs one Python measurement and returns its facts.
# ---------------------------------------------------------------------------


def worker_pandas_read_csv(path: str) -> dict:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(path, sep=";", encoding="cp1252", decimal=",")
    return {"seconds": time.perf_counter() - started, "rows": len(frame)}


def worker_pandas_read_json(path: str) -> dict:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_json(path, lines=True)
    return {"seconds": time.perf_counter() - started, "rows": len(frame)}


def worker_pandas_read_excel_openpyxl(path: str) -> dict:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    return {"seconds": time.perf_counter() - started, "rows": sum(len(sheet) for sheet in frame.values())}


def worker_pandas_read_excel_calamine(path: str) -> dict:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_excel(path, sheet_name=None, engine="calamine")
    return {"seconds": time.perf_counter() - started, "rows": sum(len(sheet) for sheet in frame.values())}


def worker_polars_read_csv(path: str) -> dict:
    import polars as pl

    started = time.perf_counter()
    frame = pl.read_csv(path, separator=";", encoding="windows-1252", decimal_comma=True)
    return {"seconds": time.perf_counter() - started, "rows": frame.height}


def worker_polars_read_ndjson(path: str) -> dict:
    import polars as pl

    started = time.perf_counter()
    frame = pl.read_ndjson(path)
    return {"seconds": time.perf_counter() - started, "rows": frame.height}


def worker_polars_read_excel(path: str) -> dict:
    import polars as pl

    started = time.perf_counter()
    frames = pl.read_excel(path, sheet_id=0, engine="calamine")
    return {"seconds": time.perf_counter() - started, "rows": sum(frame.height for frame in frames.values())}


def worker_python_calamine_cells(path: str) -> dict:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    workbook = CalamineWorkbook.from_path(path)
    cells = 0
    rows = 0
    for name in workbook.sheet_names:
        for row in workbook.get_sheet_by_name(name).iter_rows():
            rows += 1
            cells += sum(1 for value in row if value != "")
    seconds = time.perf_counter() - started
    # The header row is counted as a row here, so subtract one per sheet.
    return {"seconds": seconds, "rows": rows - len(workbook.sheet_names), "cells": cells}


def worker_pandas_clean(path: str) -> dict:
    import pandas as pd

    from ledger_key import AMOUNT, AMOUNT_TOKEN, COMBINING_MARKS, DATE, DATE_TOKEN, NUMBER, NUMBER_TOKEN, SEPARATOR

    started = time.perf_counter()
    frame = pd.read_csv(path, sep=";", encoding="cp1252", decimal=",")
    text = frame[DESCRIPTION_COLUMN].fillna("")

    clean = text.str.replace(r"\s+", " ", regex=True).str.strip()
    key = clean.str.lower().str.normalize("NFKD").str.replace(COMBINING_MARKS, "", regex=True)
    key = key.str.replace(DATE, DATE_TOKEN, regex=True)
    key = key.str.replace(AMOUNT, AMOUNT_TOKEN, regex=True)
    key = key.str.replace(NUMBER, NUMBER_TOKEN, regex=True)
    key = key.str.replace(SEPARATOR, " ", regex=True).str.strip()
    frame["clean" + DESCRIPTION_COLUMN] = clean
    frame["key"] = key

    representatives = frame.drop_duplicates(subset="key")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(frame), "groups": len(representatives)}


def worker_polars_clean(path: str) -> dict:
    import polars as pl

    from ledger_key import AMOUNT, AMOUNT_TOKEN, COMBINING_MARKS, DATE, DATE_TOKEN, NUMBER, NUMBER_TOKEN, SEPARATOR

    started = time.perf_counter()
    frame = pl.read_csv(path, separator=";", encoding="windows-1252", decimal_comma=True)

    clean = pl.col(DESCRIPTION_COLUMN).fill_null("").str.replace_all(r"\s+", " ").str.strip_chars()
    key = (
        clean.str.to_lowercase()
        .str.normalize("NFKD")
        .str.replace_all(COMBINING_MARKS, "")
        .str.replace_all(DATE, DATE_TOKEN)
        .str.replace_all(AMOUNT, AMOUNT_TOKEN)
        .str.replace_all(NUMBER, NUMBER_TOKEN)
        .str.replace_all(SEPARATOR, " ")
        .str.strip_chars()
    )
    frame = frame.with_columns(clean.alias("clean" + DESCRIPTION_COLUMN), key.alias("key"))

    representatives = frame.unique(subset="key", keep="first", maintain_order=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": frame.height, "groups": representatives.height}


WORKERS = {name.removeprefix("worker_"): function for name, function in globals().items() if name.startswith("worker_")}

# Python measurements: (tool label, task, input kind, worker, required modules).
PYTHON_MEASUREMENTS = [
    ("pandas", "read", "csv", "pandas_read_csv", ["pandas"]),
    ("polars", "read", "csv", "polars_read_csv", ["polars"]),
    ("pandas", "read", "jsonl", "pandas_read_json", ["pandas"]),
    ("polars", "read", "jsonl", "polars_read_ndjson", ["polars"]),
    ("pandas (openpyxl)", "read", "xlsx", "pandas_read_excel_openpyxl", ["pandas", "openpyxl"]),
    ("pandas (calamine)", "read", "xlsx", "pandas_read_excel_calamine", ["pandas", "python_calamine"]),
    ("polars (calamine)", "read", "xlsx", "polars_read_excel", ["polars", "fastexcel"]),
    ("python-calamine cells", "read", "xlsx", "python_calamine_cells", ["python_calamine"]),
    ("pandas", "clean", "csv", "pandas_clean", ["pandas"]),
    ("polars", "clean", "csv", "polars_clean", ["polars"]),
]


def run_worker(name: str, path: str) -> int:
    facts = WORKERS[name](path)
    print(json.dumps(facts))
    return 0


# ---------------------------------------------------------------------------
# Parent side: plan, run, tabulate.
# ---------------------------------------------------------------------------


def load_dataset(data: Path, rows_label: str) -> dict:
    """Return the input paths and row counts from the generator's manifest."""
    manifest_path = data / "manifest.json"
    if not manifest_path.exists():
        sys.exit(f"run.py: {manifest_path} not found; generate the data first with `make bench-data`")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))

    from gen_dataset import size_label

    full_label = size_label(manifest["rows"])
    if rows_label and rows_label != full_label:
        sys.exit(f"run.py: {manifest_path} describes a {full_label} dataset, not {rows_label}; regenerate it")

    dataset = {
        "manifest": manifest,
        "label": full_label,
        "csv": (data / f"ledger_{full_label}.csv", manifest["rows"]),
        "jsonl": (data / f"ledger_{full_label}.jsonl", manifest["rows"]),
    }
    if manifest["xlsx_rows"]:
        dataset["xlsx"] = (data / f"ledger_{size_label(manifest['xlsx_rows'])}.xlsx", manifest["xlsx_rows"])
    if manifest["subset_rows"]:
        subset_label = size_label(manifest["subset_rows"])
        dataset["subset_csv"] = (data / f"ledger_{subset_label}.csv", manifest["subset_rows"])
        dataset["subset_jsonl"] = (data / f"ledger_{subset_label}.jsonl", manifest["subset_rows"])
    return dataset


def dgs_subcommand_missing(dgs: Path, subcommand: str) -> str | None:
    """Return why `dgs SUBCOMMAND` cannot be measured, or None when it can."""
    if not dgs.exists():
        return f"{dgs} not found (build it with `make build`)"
    probe = subprocess.run([str(dgs), subcommand, "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        first_line = (probe.stderr or probe.stdout).strip().splitlines()[:1]
        return f"`dgs {subcommand}` is not available: {' '.join(first_line)}"
    return None


def plan(args: argparse.Namespace, dataset: dict) -> list[Measurement]:
    """List every measurement of the run, with the reason for each one skipped."""
    tasks = set(args.only.split(","))
    measurements: list[Measurement] = []
    read_missing = dgs_subcommand_missing(args.dgs, "read")
    clean_missing = dgs_subcommand_missing(args.dgs, "clean")

    def dgs_read(kind: str, task: str = "read") -> Measurement:
        path, rows = dataset[kind]
        command = [str(args.dgs), "read", str(path), "--format", args.dgs_read_format]
        return Measurement("dgs", task, path, rows, command, read_missing)

    if "read" in tasks:
        for kind in ("csv", "jsonl", "xlsx"):
            if kind in dataset:
                measurements.append(dgs_read(kind))
        if "xlsx" in dataset:
            path, rows = dataset["xlsx"]
            missing = None if args.calamine_cells.exists() else (
                f"{args.calamine_cells} not found (build it with "
                "`cargo build --release -p dgs-benches --bin calamine_cells`)"
            )
            for mode in ("range", "stream"):
                command = [str(args.calamine_cells), "--mode", mode, str(path)]
                measurements.append(Measurement(f"calamine cells ({mode})", "read", path, rows, command, missing))

    for tool, task, kind, worker, modules in PYTHON_MEASUREMENTS:
        if task not in tasks or kind not in dataset:
            continue
        path, rows = dataset[kind]
        absent = [module for module in modules if importlib.util.find_spec(module) is None]
        missing = f"Python module {', '.join(absent)} not installed (run `make venv`)" if absent else None
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", worker, str(path)]
        measurements.append(Measurement(tool, task, path, rows, command, missing, stdout_is_result=True))

    if "clean" in tasks:
        path, rows = dataset["csv"]
        command = [
            str(args.dgs), "clean", str(path), "--column", DESCRIPTION_COLUMN,
            "--refinery", "basic", "--key-refinery", "ledger", "--json",
        ]
        if args.dgs_clean_out:
            command += ["--out", args.dgs_clean_out]
        # Put dgs first among the clean rows so the table reads top-down.
        first_clean = next((i for i, m in enumerate(measurements) if m.task == "clean"), len(measurements))
        measurements.insert(first_clean, Measurement("dgs", "clean", path, rows, command, clean_missing, stdout_is_result=True))

    if "memory" in tasks:
        for kind in ("subset_csv", "csv", "subset_jsonl", "jsonl"):
            if kind in dataset:
                measurements.append(dgs_read(kind, task="read (memory check)"))
    return measurements


GNU_TIME = Path("/usr/bin/time")


def gnu_time_available() -> bool:
    """Return True when /usr/bin/time is GNU time (the Debian `time` package)."""
    if not GNU_TIME.exists():
        return False
    probe = subprocess.run([str(GNU_TIME), "--version"], capture_output=True, text=True)
    return "GNU" in probe.stdout + probe.stderr


def run_child(command: list[str], capture: bool, use_gnu_time: bool) -> tuple[int, float, float, str, str]:
    """Run one child; return (exit code, wall seconds, peak RSS MB, stdout, stderr tail).

    Linux starts a child's ru_maxrss at the RSS of the process that forked it,
    so peak RSS is taken from GNU time, a parent of about 1 MB, when it is
    installed. Otherwise it comes from os.wait4 here and is at least the RSS
    of this script (about 15 MB, which is why the parent imports no data
    library).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        stdout = out if capture else subprocess.DEVNULL
        if use_gnu_time:
            command = [str(GNU_TIME), "-f", "%M", "-o", rss.name, *command]

        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=stdout, stderr=err, stdin=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)

        # ru_maxrss and GNU time's %M are both in kilobytes on Linux.
        peak_kb = usage.ru_maxrss
        if use_gnu_time:
            lines = rss.read().strip().splitlines()
            if lines and lines[-1].isdigit():
                peak_kb = int(lines[-1])

        out.seek(0)
        err.seek(0)
        stdout_text = out.read().decode("utf-8", "replace") if capture else ""
        stderr_tail = err.read().decode("utf-8", "replace")[-2000:]
    return child.returncode, seconds, peak_kb / 1024, stdout_text, stderr_tail


def find_group_count(value) -> int | None:
    """Return the first integer stored under one of GROUP_COUNT_KEYS, at any depth."""
    if isinstance(value, dict):
        for key in GROUP_COUNT_KEYS:
            if isinstance(value.get(key), int):
                return value[key]
        for nested in value.values():
            found = find_group_count(nested)
            if found is not None:
                return found
    if isinstance(value, list):
        for nested in value:
            found = find_group_count(nested)
            if found is not None:
                return found
    return None


def parse_json_output(text: str):
    """Parse a whole JSON document, or else the last line that is one."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        for line in reversed(text.strip().splitlines()):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return None


def measure(measurement: Measurement, use_gnu_time: bool) -> Result:
    size_mb = measurement.input.stat().st_size / 1e6 if measurement.input.exists() else 0.0
    result = Result(measurement.tool, measurement.task, measurement.input.name, measurement.rows, round(size_mb, 1))
    if measurement.skip_reason:
        result.status = "skipped"
        result.detail = measurement.skip_reason
        return result

    code, seconds, rss_mb, stdout, stderr_tail = run_child(measurement.command, measurement.stdout_is_result, use_gnu_time)
    result.process_seconds = round(seconds, 3)
    result.peak_rss_mb = round(rss_mb, 1)
    if code != 0:
        result.status = "failed"
        last_line = stderr_tail.strip().splitlines()[-1] if stderr_tail.strip() else "no stderr"
        result.detail = f"exit code {code}: {last_line}"
        return result

    result.seconds = round(seconds, 3)
    if measurement.stdout_is_result:
        facts = parse_json_output(stdout)
        if measurement.tool == "dgs":
            result.groups = find_group_count(facts)
        elif isinstance(facts, dict):
            result.seconds = round(facts["seconds"], 3)
            result.groups = facts.get("groups")
            if facts.get("rows") != measurement.rows:
                result.detail = f"read {facts.get('rows')} rows, expected {measurement.rows}"
    return result


def format_table(results: list[Result]) -> str:
    dgs_seconds = {(r.task, r.input): r.seconds for r in results if r.tool == "dgs" and r.seconds}
    lines = [
        "| tool | task | input | seconds | rows/s | MB/s | peak RSS MB | groups | time vs dgs |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        if r.status != "ok":
            lines.append(f"| {r.tool} | {r.task} | {r.input} | {r.status}: {r.detail} | | | | | |")
            continue
        rows_per_second = f"{r.rows / r.seconds:,.0f}" if r.seconds else ""
        mb_per_second = f"{r.input_mb / r.seconds:,.1f}" if r.seconds else ""
        baseline = dgs_seconds.get((r.task, r.input))
        ratio = f"{r.seconds / baseline:.2f}x" if baseline and r.seconds and r.tool != "dgs" else ""
        groups = f"{r.groups:,}" if r.groups is not None else ""
        lines.append(
            f"| {r.tool} | {r.task} | {r.input} | {r.seconds:.2f} | {rows_per_second} | {mb_per_second} "
            f"| {r.peak_rss_mb:,.0f} | {groups} | {ratio} |"
        )
    return "\n".join(lines)


def format_checks(results: list[Result], manifest: dict) -> list[str]:
    """Return the target checks that this run's figures allow."""
    checks = [f"- Python reference ledger keys (gen_dataset.py): {manifest['distinct_ledger_keys']:,}"]

    dgs_xlsx = next((r for r in results if r.tool == "dgs" and r.task == "read" and r.input.endswith(".xlsx") and r.seconds), None)
    for mode in ("range", "stream"):
        baseline = next((r for r in results if r.tool == f"calamine cells ({mode})" and r.seconds), None)
        if dgs_xlsx and baseline:
            checks.append(
                f"- dgs XLSX read / Rust calamine cell iteration ({mode}): "
                f"{dgs_xlsx.seconds / baseline.seconds:.2f}x (target <= 1.2x)"
            )

    memory = [r for r in results if r.task == "read (memory check)" and r.status == "ok"]
    for suffix in (".csv", ".jsonl"):
        pair = [r for r in memory if r.input.endswith(suffix)]
        if len(pair) == 2:
            small, large = sorted(pair, key=lambda r: r.rows)
            checks.append(
                f"- dgs read {suffix[1:]} peak RSS: {small.peak_rss_mb:.0f} MB at {small.rows:,} rows, "
                f"{large.peak_rss_mb:.0f} MB at {large.rows:,} rows ({large.peak_rss_mb / small.peak_rss_mb:.2f}x "
                f"for {large.rows / small.rows:.0f}x the rows; bounded memory means close to 1x)"
            )
    return checks


def describe_machine(dgs: Path) -> dict:
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except FileNotFoundError:
        model = platform.processor()
    memory_gib = 0.0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_gib = int(line.split()[1]) / 1024 / 1024

    # Versions come from package metadata so that this process imports no data library.
    versions = {"python": platform.python_version()}
    for distribution in ("pandas", "polars", "pyarrow", "openpyxl", "python-calamine", "fastexcel"):
        try:
            versions[distribution] = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    if dgs.exists():
        probe = subprocess.run([str(dgs), "--version"], capture_output=True, text=True)
        versions["dgs"] = probe.stdout.strip().removeprefix("dgs ") or "unknown"
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib, 1),
        "kernel": platform.release(),
        "commit": commit.stdout.strip(),
        "versions": versions,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dgs", type=Path, default=REPO / "target/release/dgs", help="dgs binary (default target/release/dgs)")
    parser.add_argument("--calamine-cells", type=Path, default=REPO / "target/release/calamine_cells", help="calamine baseline binary")
    parser.add_argument("--data", type=Path, default=BENCHES / "data", help="dataset folder written by gen_dataset.py")
    parser.add_argument("--rows-label", default="", help="expected dataset size label (1m, 20k, ...), checked against the manifest")
    parser.add_argument("--only", default="read,clean,memory", help="comma-separated tasks to run: read, clean, memory")
    parser.add_argument("--tools", default="", help="comma-separated tool name prefixes to run, e.g. dgs,calamine (default: all)")
    parser.add_argument("--dgs-read-format", default="jsonl", choices=["jsonl", "csv"], help="output format of `dgs read`")
    parser.add_argument(
        "--dgs-clean-out",
        default="",
        help="also pass --out FILE to `dgs clean` (.csv or .jsonl); by default dgs writes only its figures, as the peers do",
    )
    parser.add_argument("--results", type=Path, default=BENCHES / "results", help="folder for the Markdown and JSON results")
    parser.add_argument("--results-name", default="", help="file name stem for the results (default: the date, plus -<rows> below 1m)")
    parser.add_argument("--worker", nargs=2, metavar=("NAME", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        return run_worker(*args.worker)

    unknown = set(args.only.split(",")) - {"read", "clean", "memory"}
    if unknown:
        parser.error(f"--only accepts read, clean and memory, got {', '.join(sorted(unknown))}")

    dataset = load_dataset(args.data, args.rows_label)
    machine = describe_machine(args.dgs)
    measurements = plan(args, dataset)
    if args.tools:
        prefixes = tuple(args.tools.split(","))
        measurements = [m for m in measurements if m.tool.startswith(prefixes)]
    use_gnu_time = gnu_time_available()
    rss_source = "GNU time (%M)" if use_gnu_time else "os.wait4 ru_maxrss (includes this script's ~15 MB)"
    print(f"peak RSS from {rss_source}", flush=True)

    results = []
    for measurement in measurements:
        label = f"{measurement.tool} {measurement.task} {measurement.input.name}"
        if measurement.skip_reason:
            print(f"skip  {label}: {measurement.skip_reason}", flush=True)
        else:
            print(f"run   {label}", flush=True)
        result = measure(measurement, use_gnu_time)
        if result.status == "failed":
            print(f"      failed: {result.detail}", flush=True)
        elif result.status == "ok":
            print(f"      {result.seconds:.2f} s, peak RSS {result.peak_rss_mb:.0f} MB", flush=True)
        results.append(result)

    today = dt.date.today().isoformat()
    name = today if dataset["label"] == "1m" else f"{today}-{dataset['label']}"
    if args.results_name:
        name = args.results_name
    header = [
        f"# dgs comparison, {today}",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB RAM, "
        f"Linux {machine['kernel']}; commit {machine['commit']}.",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in machine["versions"].items()) + ".",
        f"Dataset: {dataset['manifest']['rows']:,} rows, seed {dataset['manifest']['seed']} "
        f"(benches/gen_dataset.py); XLSX {dataset['manifest']['xlsx_rows']:,} rows.",
        "Seconds: whole process for dgs and calamine cells, the measured call alone for Python tools.",
        f"Peak RSS: whole child process, from {rss_source}.",
        "",
    ]
    table = format_table(results)
    checks = format_checks(results, dataset["manifest"])
    report = "\n".join(header + [table, "", *checks, ""])
    print()
    print(report)

    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"{name}.md").write_text(report, encoding="utf-8")
    payload = {"date": today, "machine": machine, "dataset": dataset["manifest"], "results": [asdict(r) for r in results]}
    (args.results / f"{name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.results / (name + '.md')} and {name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
