"""Start-up and scale of `convcalc summary`, each against a baseline measured in the same run.

Usage:  python bench/run.py [--quick | --full] [--runs N] [--against REV] [--only startup|scale] [--shape S]

Prints two tables:
  * start-up: the median wall and CPU time of `convcalc summary SPEC --format json` and of the
    table, against the floor of starting Python with the libraries the command cannot do without
    (`import click, yaml`; plus `rich.console, rich.table` for the table), and with --against REV
    against the same commands run from REV (a `git archive` of it in a temporary folder, on the
    PYTHONPATH), the ratio printed. SPEC is specs/resnet50.yaml (else a generated ResNet-like spec).
  * scale: wall time, CPU time and peak memory (max RSS) of one fresh `summary` process per shape
    and size, for the shapes that once grew faster than their size: a plain chain of layers, one
    concat of many inputs (fan-in), a chain of residual blocks, blocks nested 48 deep, and layers
    with symbolic sizes.
    Per tenfold step of the size it prints how much the work grew: the CPU time and the memory
    above those of a one-layer spec (what starting up costs). Linear is ×10. The default sizes
    keep the run near two minutes on two shared cores (the chain's JSON to 100,000 layers, the
    rest to 10,000, symbolic layers to 1,000); --full takes every shape to 100,000 and both
    formats, --quick measures fewer.

Every command is a fresh process (what a user or a script pays); the start-up runs are
interleaved so that a busy machine slows them alike. Targets (issues 7, 12, 13): json and table
≤ 1.3× their floors, within 5 % of the commit before the package restructuring (af7a523:
--against af7a523), 10,000 layers under 1 s, every shape ×10 per tenfold step (up to noise).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
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


# --------------------------------------------------------------------------- processes


def environment(checkout: Path) -> dict[str, str]:
    """The environment a command runs in: ``checkout`` first on the path, nothing else of ours."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(checkout)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed convcalc has its bytecode compiled
    return env


def compile_bytecode(checkout: Path, env: dict[str, str]) -> None:
    """What `pip install` does: write convcalc's .pyc files, so no run pays for compiling."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "convcalc")], env=env, check=True)


class Run:
    """One finished process: wall seconds, CPU seconds (user + system), peak RSS in KiB."""

    __slots__ = ("wall", "cpu", "rss")

    def __init__(self, wall: float, cpu: float, rss: int) -> None:
        self.wall, self.cpu, self.rss = wall, cpu, rss


def run_once(args: list[str], env: dict[str, str], cwd: str) -> Run:
    """One fresh process, its output thrown away; a failure ends the bench with its message.

    ``cwd`` is a folder outside every checkout: `python -c` puts the working folder first on the
    path, where a checkout would shadow the PYTHONPATH.
    """
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"bench: {' '.join(args)[:300]} failed ({code}): {error.strip()[:500]}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


# --------------------------------------------------------------------------- specs


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
    """A plain chain that keeps its shape: conv / batchnorm / relu repeated (``layers`` layers)."""
    pattern = ["  - conv2d: {filters: 16, kernel: 3, padding: 1}", "  - batchnorm", "  - relu"]
    return "input: [32, 32, 16]\nlayers:\n" + "\n".join(pattern[i % 3] for i in range(layers)) + "\n"


def fan_in(inputs: int) -> str:
    """One concat of ``inputs`` branches, each a relu of the input (inputs + 1 layers)."""
    branches = "".join(f"  - relu: {{name: r{i}, from: input}}\n" for i in range(inputs))
    return ("input: [8, 8, 3]\nlayers:\n" + branches
            + "  - concat: {from: [" + ", ".join(f"r{i}" for i in range(inputs)) + "]}\n")


def residual(layers: int) -> str:
    """Residual blocks (conv, relu, add: three layers each) in a chain, ``layers`` layers in all."""
    block = "  - residual: {main: [{conv2d: {filters: 16, kernel: 3, padding: 1}}, relu]}\n"
    return "input: [8, 8, 16]\nlayers:\n" + block * max(1, layers // 3)


def nested(layers: int) -> str:
    """Blocks nested 48 deep (each template holds the one before and a relu), a repeat of relus at the
    bottom: every layer's name and path in JSON name all 48 enclosing blocks."""
    lines = ["input: [8, 8, 3]", "blocks:", "  t0:", "    layers:", f"      - repeat: {{times: {max(1, layers - 47)}, layers: [relu]}}"]
    for depth in range(1, 48):
        lines += [f"  t{depth}:", "    layers:", f"      - t{depth - 1}", "      - relu"]
    return "\n".join(lines) + f"\nlayers:\n  - t47\n"


def symbolic(layers: int) -> str:
    """Layers on a symbolic input with symbolic widths (n×n×3, k filters), a strided layer every tenth."""
    lines = []
    for i in range(layers):
        if i % 10 == 9:
            lines.append("  - maxpool2d: {kernel: 2, stride: 2}")
        elif i % 2 == 0:
            lines.append("  - conv2d: {filters: k, kernel: 3, padding: 1}")
        else:
            lines.append("  - relu")
    return "input: [n, n, 3]\nlayers:\n" + "\n".join(lines) + "\n"


# shape -> (what its size counts, spec maker, {format: sizes}, the same with --quick, the same with --full)
_TWO, _THREE = [1_000, 10_000], [1_000, 10_000, 100_000]
SHAPES = {
    "chain": ("layers", chain, {"json": _THREE, "table": _TWO}, {"json": _TWO, "table": _TWO}, {"json": _THREE, "table": _THREE}),
    "concat fan-in": ("inputs", fan_in, {"json": _TWO}, {"json": _TWO}, {"json": _THREE}),
    "residual blocks": ("layers", residual, {"json": _TWO, "table": _TWO}, {"json": _TWO}, {"json": _THREE, "table": _THREE}),
    "nested blocks": ("layers", nested, {"json": _TWO, "table": _TWO}, {"json": _TWO}, {"json": _THREE, "table": _THREE}),
    "symbolic": ("layers", symbolic, {"json": [100, 1_000], "table": [100, 1_000]}, {"json": [30, 300]},
                 {"json": [10, 100, 1_000], "table": [10, 100, 1_000]}),
}
MEMORY_FLOOR_KIB = 8 * 1024  # below this much memory above start-up, a growth ratio is the allocator's noise
WORK_FLOOR = 0.02  # seconds of CPU above start-up below which a growth ratio is the machine's noise


# --------------------------------------------------------------------------- start-up


def median_runs(commands: dict[str, tuple[list[str], dict[str, str]]], runs: int, cwd: str) -> dict[str, tuple[float, float]]:
    """Per command: the median wall and CPU seconds over ``runs`` interleaved runs."""
    samples: dict[str, list[Run]] = {name: [] for name in commands}
    for args, env in commands.values():  # warm the file cache once
        run_once(args, env, cwd)
    for _ in range(runs):
        for name, (args, env) in commands.items():
            samples[name].append(run_once(args, env, cwd))
    return {name: (statistics.median(r.wall for r in got), statistics.median(r.cpu for r in got)) for name, got in samples.items()}


def checkout_of(revision: str, scratch: Path) -> Path:
    """REV's convcalc package in a folder of its own (git archive: nothing in the repository changes)."""
    target = scratch / f"rev-{revision.replace('/', '_')}"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision, "convcalc"],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        raise SystemExit(f"bench: git archive {revision} failed: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def startup(spec: Path, runs: int, against: str | None, scratch: Path) -> list[str]:
    python = sys.executable
    ours = environment(ROOT)
    compile_bytecode(ROOT, ours)
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "floor json": ([python, "-c", FLOOR_JSON], ours),
        "json": ([python, "-c", CONVCALC, "summary", str(spec), "--format", "json"], ours),
        "floor table": ([python, "-c", FLOOR_TABLE], ours),
        "table": ([python, "-c", CONVCALC, "summary", str(spec)], ours),
    }
    if against:
        theirs_root = checkout_of(against, scratch)
        theirs = environment(theirs_root)
        compile_bytecode(theirs_root, theirs)
        commands[f"json @ {against}"] = ([python, "-c", CONVCALC, "summary", str(spec), "--format", "json"], theirs)
        commands[f"table @ {against}"] = ([python, "-c", CONVCALC, "summary", str(spec)], theirs)
    times = median_runs(commands, runs, str(scratch))
    head = f"{'command':<34}{'wall ms':>9}{'cpu ms':>9}{'wall × floor':>14}{'cpu × floor':>13}"
    if against:
        head += f"{'wall × ' + against[:10]:>20}{'cpu × ' + against[:10]:>19}"
    out = [head]
    for kind, label in (("json", "summary --format json"), ("table", "summary (table)")):
        floor_wall, floor_cpu = times[f"floor {kind}"]
        out.append(f"{'floor: import click, yaml' + (', rich' if kind == 'table' else ''):<34}{floor_wall * 1e3:>9.1f}{floor_cpu * 1e3:>9.1f}")
        wall, cpu = times[kind]
        verdict = "ok" if wall / floor_wall <= 1.3 else "OVER 1.3"
        line = f"{label:<34}{wall * 1e3:>9.1f}{cpu * 1e3:>9.1f}{wall / floor_wall:>13.2f}×{cpu / floor_cpu:>12.2f}×"
        if against:
            then_wall, then_cpu = times[f"{kind} @ {against}"]
            out.append(f"{label + ' @ ' + against[:10]:<34}{then_wall * 1e3:>9.1f}{then_cpu * 1e3:>9.1f}"
                       f"{then_wall / floor_wall:>13.2f}×{then_cpu / floor_cpu:>12.2f}×")
            line += f"{wall / then_wall:>19.3f}×{cpu / then_cpu:>18.3f}×"
            verdict += ", " + ("within 5 %" if wall / then_wall <= 1.05 else "MORE than 5 % slower")
        out.append(line + f"  {verdict}")
    return out


# --------------------------------------------------------------------------- scale


def scale(mode: str, scratch: Path, only: set[str] | None) -> list[str]:
    python = sys.executable
    env = environment(ROOT)
    compile_bytecode(ROOT, env)
    try:
        import sympy  # noqa: F401  (the symbolic shape needs the [symbolic] extra)
        has_sympy = True
    except ImportError:
        has_sympy = False
    out = [f"{'shape':<17}{'format':<7}{'size':>9} {'unit':<7}{'spec MB':>8}{'wall s':>8}{'cpu s':>8}{'µs/unit':>9}"
           f"{'peak MB':>9}{'cpu ×':>8}{'mem ×':>8}"]
    for shape, (unit, make, *by_mode) in SHAPES.items():
        sizes_for = dict(zip(("default", "quick", "full"), by_mode))[mode]
        if only and shape not in only:
            continue
        if shape == "symbolic" and not has_sympy:
            out.append(f"{shape:<17}(skipped: needs SymPy, pip install 'convcalc[symbolic]')")
            continue
        base_path = scratch / f"{shape.replace(' ', '_')}-base.yaml"
        base_path.write_text(make(1 if shape != "concat fan-in" else 2))
        for fmt, sizes in sizes_for.items():
            extra = ["--format", "json"] if fmt == "json" else []
            base_args = [python, "-c", CONVCALC, "summary", str(base_path), *extra, SCALE_LIMITS]
            bases = sorted((run_once(base_args, env, str(scratch)) for _ in range(5)), key=lambda r: r.cpu)
            base = bases[2]  # the median start-up: the sizes' best of three is compared with a typical start
            previous: tuple[float, int] | None = None
            for size in sizes:
                path = scratch / f"{shape.replace(' ', '_')}-{size}.yaml"
                path.write_text(make(size))
                args = [python, "-c", CONVCALC, "summary", str(path), *extra, SCALE_LIMITS]
                repeats = 3 if size * 10 <= max(sizes) else 1
                best = min((run_once(args, env, str(scratch)) for _ in range(repeats)), key=lambda r: r.cpu)
                work, memory = max(best.cpu - base.cpu, 1e-3), best.rss - base.rss
                growth = ""
                if previous:
                    took = f"{work / previous[0]:>7.1f}×" if previous[0] >= WORK_FLOOR else f"{'—':>8}"
                    grew = f"{memory / previous[1]:>7.1f}×" if previous[1] >= MEMORY_FLOOR_KIB else f"{'—':>8}"
                    growth = took + grew
                out.append(f"{shape:<17}{fmt:<7}{size:>9,} {unit:<7}{path.stat().st_size / 1e6:>8.2f}{best.wall:>8.2f}"
                           f"{best.cpu:>8.2f}{work / size * 1e6:>9.1f}{best.rss / 1024:>9.1f}{growth}")
                previous = (work, memory)
                path.unlink()
    out.append("cpu ×, mem ×: growth over the size ten times smaller, of the CPU time and peak memory above a")
    out.append("one-layer spec's (start-up); linear is ×10 (— while under 20 ms or 8 MiB above start-up, where")
    out.append("the machine's noise and the allocator's steps decide). µs/unit: that CPU time per layer or input.")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="runs per start-up command (median taken; default 21, 7 with --quick)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="fewer start-up runs, and the two smaller sizes of each shape")
    size.add_argument("--full", action="store_true", help="every shape up to 100,000 layers or inputs, the table too (minutes)")
    parser.add_argument("--against", metavar="REV", help="also time start-up from git revision REV, e.g. af7a523 (the ratio is printed)")
    parser.add_argument("--only", choices=["startup", "scale"], help="run one of the two parts")
    parser.add_argument("--shape", action="append", choices=list(SHAPES), help="scale: only these shapes (repeatable)")
    options = parser.parse_args()
    runs = options.runs or (7 if options.quick else 21)
    scratch = Path(tempfile.mkdtemp(prefix="convcalc-bench-"))
    try:
        spec = ROOT / "specs" / "resnet50.yaml"
        if not spec.exists():
            spec = scratch / "resnet-like.yaml"
            spec.write_text(resnet_like())
        started = time.perf_counter()
        print(f"convcalc bench  (python {sys.version.split()[0]}, {os.cpu_count()} cpus, "
              f"load average {os.getloadavg()[0]:.1f} at the start)")
        if options.only != "scale":
            computed = subprocess.run([sys.executable, "-c", CONVCALC, "summary", str(spec), "--format", "json"], cwd=scratch,
                                      capture_output=True, text=True, env=environment(ROOT), check=True).stdout
            layers = len(json.loads(computed)["layers"])
            print(f"\nstart-up: median of {runs} interleaved runs; {spec.name} ({layers} layers)")
            print("\n".join(startup(spec, runs, options.against, scratch)))
        if options.only != "startup":
            print("\nscale: one fresh `summary` process per size (best of 3 below the largest size)")
            mode = "quick" if options.quick else "full" if options.full else "default"
            print("\n".join(scale(mode, scratch, set(options.shape) if options.shape else None)))
        print(f"\n(load average {os.getloadavg()[0]:.1f} at the end; {time.perf_counter() - started:.0f} s in all)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
