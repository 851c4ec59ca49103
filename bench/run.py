"""Cold start and scale of `convcalc summary`, measured against a floor taken in the same run.

Usage:  python bench/run.py [--runs 21] [--quick]

Prints one table:
  * cold start: median wall time of `convcalc summary SPEC` (json and table) against the floor of
    starting Python with the libraries the command cannot do without (`import click, yaml` for
    json; plus `rich.console, rich.table` for the table). SPEC is specs/resnet50.yaml when the
    checkout has it, else a generated ResNet-like spec of about 200 layers.
  * scale: wall time and peak memory (max RSS) of `convcalc summary --format json` on generated
    specs of 1,000, 10,000 and 100,000 layers, with the time and memory per layer.

Every command is a fresh process (what a user or a script pays); the runs of the commands and of
their floors are interleaved so that a busy machine slows them alike. Targets (issue 7):
json ≤ 1.3× its floor, table ≤ 1.3× its floor, 10,000 layers under 1 s, time and memory linear.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the installed `convcalc` console script does (it is not installed in the bench's venv).
CONVCALC = "import sys; from convcalc.cli import run; sys.argv[0] = 'convcalc'; sys.exit(run())"
FLOOR_JSON = "import click, yaml"
FLOOR_TABLE = "import click, yaml, rich.console, rich.table"
SCALE_LIMITS = "--limit=layers=10000000,bytes=1000000000"


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed convcalc has its bytecode compiled
    return env


def compile_bytecode(env: dict[str, str]) -> None:
    """What `pip install` does: write convcalc's .pyc files, so no run pays for compiling."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "convcalc")], env=env, check=True)


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS in KiB, and CPU seconds (user + system) of one fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"bench: {' '.join(args)} failed ({process.returncode}): {error.strip()}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def resnet_like() -> str:
    """A ResNet-50-shaped spec (stem, 16 bottlenecks with shortcuts, head): about 200 layers."""
    lines = ["name: resnet-like", "input: [224, 224, 3]", "layers:",
             "  - conv2d: {filters: 64, kernel: 7, stride: 2, padding: 3}", "  - batchnorm", "  - relu",
             "  - maxpool2d: {kernel: 3, stride: 2, padding: 1, name: stem}"]
    previous, width = "stem", 64
    for stage, count in enumerate([3, 4, 6, 3]):
        for block in range(count):
            stride = 2 if stage > 0 and block == 0 else 1
            tag = f"s{stage}b{block}"
            lines += [
                f"  - conv2d: {{filters: {width}, kernel: 1, from: {previous}, name: {tag}c1}}", "  - batchnorm", "  - relu",
                f"  - conv2d: {{filters: {width}, kernel: 3, stride: {stride}, padding: 1}}", "  - batchnorm", "  - relu",
                f"  - conv2d: {{filters: {width * 4}, kernel: 1}}", f"  - batchnorm: {{name: {tag}main}}",
            ]
            shortcut = previous
            if block == 0:
                lines += [f"  - conv2d: {{filters: {width * 4}, kernel: 1, stride: {stride}, from: {previous}}}",
                          f"  - batchnorm: {{name: {tag}short}}"]
                shortcut = f"{tag}short"
            lines += [f"  - add: {{from: [{tag}main, {shortcut}]}}", f"  - relu: {{name: {tag}out}}"]
            previous = f"{tag}out"
        width *= 2
    lines += ["  - global_avgpool", "  - dense: 1000"]
    return "\n".join(lines) + "\n"


def chain(layers: int) -> str:
    """A plain chain that keeps its shape: conv / batchnorm / relu repeated (any length)."""
    pattern = ["  - conv2d: {filters: 16, kernel: 3, padding: 1}", "  - batchnorm", "  - relu"]
    body = [pattern[i % 3] for i in range(layers)]
    return "input: [32, 32, 16]\nlayers:\n" + "\n".join(body) + "\n"


def median_times(commands: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Per command: the median wall time and the median CPU time over `runs` interleaved runs."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for name, args in commands.items():  # warm the file cache once
        run_once(args, env)
    for _ in range(runs):
        for name, args in commands.items():
            wall, _, cpu = run_once(args, env)
            samples[name].append((wall, cpu))
    return {
        name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
        for name, values in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="runs per cold-start command (median taken; default 21, 5 with --quick)")
    parser.add_argument("--quick", action="store_true", help="fewer runs, and no 100,000-layer spec")
    options = parser.parse_args()
    runs = options.runs or (5 if options.quick else 21)
    env = environment()
    compile_bytecode(env)
    python = sys.executable

    with tempfile.TemporaryDirectory(prefix="convcalc-bench-") as scratch:
        spec = ROOT / "specs" / "resnet50.yaml"
        if not spec.exists():
            spec = Path(scratch) / "resnet-like.yaml"
            spec.write_text(resnet_like())
        computed = subprocess.run([python, "-c", CONVCALC, "summary", str(spec), "--format", "json"],
                                  capture_output=True, text=True, env=env, check=True).stdout
        import json

        n_layers = len(json.loads(computed)["layers"])  # blocks expanded
        commands = {
            "floor json": [python, "-c", FLOOR_JSON],
            "summary --format json": [python, "-c", CONVCALC, "summary", str(spec), "--format", "json"],
            "floor table": [python, "-c", FLOOR_TABLE],
            "summary (table)": [python, "-c", CONVCALC, "summary", str(spec)],
        }
        times = median_times(commands, runs, env)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

        rows = []
        sizes = [1_000, 10_000] if options.quick else [1_000, 10_000, 100_000]
        for layers in sizes:
            path = Path(scratch) / f"chain{layers}.yaml"
            path.write_text(chain(layers))
            args = [python, "-c", CONVCALC, "summary", str(path), "--format", "json", SCALE_LIMITS]
            best = min((run_once(args, env) for _ in range(3 if layers < 100_000 else 1)), key=lambda r: r[0])
            rows.append((layers, path.stat().st_size, best[0], best[1]))

    print(f"convcalc cold start and scale  (python {sys.version.split()[0]}, {os.cpu_count()} cpus, "
          f"load average {load:.1f} during the runs, median of {runs} runs)")
    print(f"spec for cold start: {spec.name if spec.parent.name == 'specs' else 'generated ResNet-like'} ({n_layers} layers)")
    print()
    print(f"{'command':<30}{'wall ms':>9}{'× floor':>9}{'cpu ms':>9}{'× floor':>9}  target ≤ 1.3× (wall)")
    for floor, name in (("floor json", "summary --format json"), ("floor table", "summary (table)")):
        label = "floor: import click, yaml" if floor == "floor json" else "floor: + rich.console, .table"
        (floor_wall, floor_cpu), (wall, cpu) = times[floor], times[name]
        print(f"{label:<30}{floor_wall * 1e3:>9.1f}{'':>9}{floor_cpu * 1e3:>9.1f}")
        verdict = "ok" if wall / floor_wall <= 1.3 else "OVER"
        print(f"{name:<30}{wall * 1e3:>9.1f}{wall / floor_wall:>8.2f}×{cpu * 1e3:>9.1f}{cpu / floor_cpu:>8.2f}×  {verdict}")
    print()
    print(f"{'layers':>8}{'spec MB':>9}{'time s':>9}{'µs/layer':>10}{'peak MB':>9}{'KB/layer':>10}  (summary --format json, best of runs;")
    print(f"{'':>55}  KB/layer: memory above the {rows[0][0]:,}-layer run)")
    first_layers, _, _, base_rss = rows[0]
    for layers, size, seconds, rss_kib in rows:
        per_layer = f"{(rss_kib - base_rss) / (layers - first_layers):>10.2f}" if layers != first_layers else f"{'':>10}"
        note = ("  target < 1 s: " + ("ok" if seconds < 1 else "OVER")) if layers == 10_000 else ""
        print(f"{layers:>8,}{size / 1e6:>9.2f}{seconds:>9.3f}{seconds / layers * 1e6:>10.1f}{rss_kib / 1024:>9.1f}{per_layer}{note}")
    if len(rows) >= 3:
        (l1, _, t1, m1), (l2, _, t2, m2) = rows[-2], rows[-1]
        growth = (l2 - first_layers) / (l1 - first_layers)
        print(f"\n{l2:,} vs {l1:,} layers: time ×{t2 / t1:.1f} (linear: ×{l2 / l1:.0f}); "
              f"memory above the {first_layers:,}-layer run ×{(m2 - base_rss) / max(1, m1 - base_rss):.1f} (linear: ×{growth:.0f})")


if __name__ == "__main__":
    main()
