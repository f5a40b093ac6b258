"""Time the notebook suite against its floor, in one run:  make bench  (or python tools/bench.py).

    python tools/bench.py [--repeat 2] [--cycles 50] [--full] [notebooks/NN_x.ipynb ...]

The floor is as many trivial notebooks as there are lessons, each importing the same stack,
serving an app and making one request. Both suites run under strict nbval the way `make test`
runs them (`-n auto --dist loadfile`, pyproject.toml's options), alternately, `--repeat` times
each; the medians give the ratio. Then: each notebook's seconds (the sum of its cells' run
times, without kernel start and stop), the slowest cells, and the medians of `serve()` until
ready and `stop()` over `--cycles` cycles in this process. `--full` also times `make test`'s
pytest command. It only reports: a missed goal still exits 0; a failing run exits 1 and prints
the end of pytest's output.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BENCH_DIR = ROOT / "build" / "bench"  # git-ignored, under the repo so pytest reads pyproject.toml
PYTEST = [sys.executable, "-m", "pytest", "-c", "pyproject.toml", "--rootdir", "."]
XDIST = ["-n", "auto", "--dist", "loadfile"]
RATIO_GOAL = 1.5
CELL_GOAL = 2.0
TEST_GOAL = 60.0
SLOWEST = 10
TAIL_LINES = 60
ANSI = re.compile(r"\x1b\[[0-9;]*m")

FLOOR_CELLS = (
    "import httpx\nimport uvicorn\nfrom fastapi import FastAPI\nfrom pydantic import BaseModel\n\n"
    "from lessons_support import serve, show, stop_all",
    'app = FastAPI(title="Floor")\n\n\n@app.get("/")\ndef home():\n    return {"message": "Hello"}',
    "server = serve(app)",
    'show(httpx.get(server.url + "/"))',
    "stop_all()",
)

Cell = tuple[str, int]  # (notebook file name, nbval's code-cell index)


class BenchError(RuntimeError):
    """A run failed: the message holds the end of its output."""


@dataclass
class Run:
    seconds: float
    cells: dict[Cell, float]


def floor_notebook() -> nbformat.NotebookNode:
    """A trivial lesson: the same imports, an app with one route, serve, one request, stop."""
    title = nbformat.v4.new_markdown_cell("# Floor\n\nThe least a lesson notebook costs.")
    return nbformat.v4.new_notebook(cells=[title, *(nbformat.v4.new_code_cell(s) for s in FLOOR_CELLS)])


def write_floor(folder: Path, count: int) -> list[Path]:
    """Execute one floor notebook with tools/execute_notebooks.py, as the lessons are, and copy
    it with its outputs to `count` files."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"floor_{n:02d}.ipynb" for n in range(1, count + 1)]
    nbformat.write(floor_notebook(), paths[0])
    command = [sys.executable, str(ROOT / "tools" / "execute_notebooks.py"), str(paths[0])]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchError(f"executing the floor notebook failed:\n{tail(result.stdout + result.stderr)}")
    for path in paths[1:]:
        shutil.copyfile(paths[0], path)
    return paths


def notebook_name(classname: str) -> str:
    """`notebooks.01_why_fastapi.ipynb` (pytest's junit classname) -> `01_why_fastapi.ipynb`."""
    return classname.removesuffix(".ipynb").rsplit(".", 1)[-1] + ".ipynb"


def parse_junit(text: str) -> dict[Cell, float]:
    """Each nbval cell's seconds, from a junit-xml report."""
    cells: dict[Cell, float] = {}
    for case in ElementTree.fromstring(text).iter("testcase"):
        name = case.get("name", "")
        if name.startswith("Cell "):
            cells[(notebook_name(case.get("classname", "")), int(name.removeprefix("Cell ")))] = float(case.get("time", 0))
    return cells


def median_cells(runs: Sequence[dict[Cell, float]]) -> dict[Cell, float]:
    """Per cell, the median of its seconds over the runs that have it."""
    keys = {key for run in runs for key in run}
    return {key: statistics.median(run[key] for run in runs if key in run) for key in sorted(keys)}


def notebook_seconds(cells: dict[Cell, float]) -> dict[str, float]:
    """Per notebook, the sum of its cells' seconds, in file-name order."""
    totals: dict[str, float] = {}
    for (notebook, _), value in sorted(cells.items()):
        totals[notebook] = totals.get(notebook, 0.0) + value
    return totals


def slowest_cells(cells: dict[Cell, float], count: int = SLOWEST) -> list[tuple[Cell, float]]:
    return sorted(cells.items(), key=lambda item: (-item[1], item[0]))[:count]


def seconds(value: float) -> str:
    return f"{value:.1f} s" if value >= 9.995 else f"{value:.2f} s"


def milliseconds(value: float) -> str:
    return f"{value * 1000:.0f} ms"


def ratio(value: float) -> str:
    return f"×{value:.2f}"


def p90(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def tail(output: str, lines: int = TAIL_LINES) -> str:
    """The last lines of pytest's output, without nbval's colour codes."""
    return "\n".join(ANSI.sub("", output).rstrip().splitlines()[-lines:])


def run_pytest(label: str, args: Sequence[str], junit: Path | None = None) -> Run:
    """Run pytest from the repo root and time it; raise BenchError if it fails."""
    command = [*PYTEST, *args, *(["--junit-xml", str(junit), "-o", "junit_duration_report=call"] if junit else [])]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise BenchError(f"the {label} run failed (exit {result.returncode}):\n{tail(output)}")
    if "configfile: pyproject.toml" not in output:
        raise BenchError(f"the {label} run did not read pyproject.toml:\n{tail(output)}")
    return Run(elapsed, parse_junit(junit.read_text()) if junit else {})


def server_cycles(cycles: int) -> tuple[list[float], list[float]]:
    """Seconds from serve() to a server accepting connections, and for stop(), `cycles` times."""
    from fastapi import FastAPI

    from lessons_support import serve

    app = FastAPI()

    @app.get("/")
    def home() -> dict[str, str]:
        return {"message": "Hello"}

    starts: list[float] = []
    stops: list[float] = []
    for _ in range(cycles):
        start = time.perf_counter()
        server = serve(app, name="bench")
        starts.append(time.perf_counter() - start)
        start = time.perf_counter()
        server.stop()
        stops.append(time.perf_counter() - start)
    return starts, stops


def table(rows: Iterable[Sequence[str]], header: Sequence[str], align: str) -> str:
    """Columns padded to their widest cell; `align` has an `l` or `r` per column."""
    lines = [header, *rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        "  ".join(cell.ljust(width) if side == "l" else cell.rjust(width) for cell, width, side in zip(line, widths, align)).rstrip()
        for line in lines
    ]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text)


def over(value: float, goal: float) -> str:
    return f"over {goal:g} s" if value > goal else ""


def report(lessons: Sequence[Run], floor: Sequence[Run], starts: Sequence[float], stops: Sequence[float], full: float | None) -> str:
    suite = statistics.median(run.seconds for run in lessons)
    base = statistics.median(run.seconds for run in floor)
    cells = median_cells([run.cells for run in lessons])
    floor_cells = median_cells([run.cells for run in floor])
    per_notebook = notebook_seconds(cells)
    floor_notebooks = notebook_seconds(floor_cells)
    worst: dict[str, tuple[Cell, float]] = {}
    for cell, value in slowest_cells(cells, len(cells)):
        worst.setdefault(cell[0], (cell, value))
    floor_mean = statistics.mean(floor_notebooks.values()) if floor_notebooks else 0.0
    rows = [(name, seconds(total), f"cell {worst[name][0][1]}", seconds(worst[name][1]), over(worst[name][1], CELL_GOAL)) for name, total in per_notebook.items()]
    rows.append((f"floor notebook (mean of {len(floor_notebooks)})", seconds(floor_mean), "", "", ""))
    slow = slowest_cells(cells)
    lines = [
        "Per notebook: the sum of its cells' run times (kernel start and stop not included), medians of runs.",
        table(rows, ("notebook", "cells", "slowest cell", "seconds", "goal"), "lrrrl"),
        "",
        f"The {len(slow)} slowest cells (goal ≤ {CELL_GOAL:g} s each):",
        table([(name, f"cell {index}", seconds(value), over(value, CELL_GOAL)) for (name, index), value in slow], ("notebook", "cell", "seconds", "goal"), "lrrl"),
        "",
        f"Runs (wall seconds, pytest -n auto --dist loadfile): lessons {', '.join(seconds(r.seconds) for r in lessons)} · floor {', '.join(seconds(r.seconds) for r in floor)}",
        "",
        f"notebook suite: {seconds(suite)} · floor: {seconds(base)} · ratio {ratio(suite / base)} (goal ≤ ×{RATIO_GOAL:g})",
    ]
    if slow:
        (name, index), value = slow[0]
        lines.append(f"slowest cell: {name} cell {index}, {seconds(value)} (goal ≤ {CELL_GOAL:g} s)")
    lines.append(
        f"server start→ready: median {milliseconds(statistics.median(starts))}, p90 {milliseconds(p90(starts))} · "
        f"stop: median {milliseconds(statistics.median(stops))}, p90 {milliseconds(p90(stops))} ({len(starts)} cycles)"
    )
    if full is not None:
        lines.append(f"make test (pytest wall time): {seconds(full)} (goal < {TEST_GOAL:g} s on 2 cores)")
    return "\n".join(lines)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each suite, alternated (default 2)")
    parser.add_argument("--cycles", type=int, default=50, help="server start/stop cycles (default 50)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="lesson notebooks to time (default: all in notebooks/)")
    parser.add_argument("--full", action="store_true", help="also time `make test`'s pytest command (about a minute)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.cycles < 2:
        parser.error("--repeat must be at least 1 and --cycles at least 2")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    lessons_paths = sorted(path.resolve() for path in args.notebooks) or sorted(NOTEBOOKS.glob("*.ipynb"))
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    lessons: list[Run] = []
    floor: list[Run] = []
    full = None
    try:
        with tempfile.TemporaryDirectory(dir=BENCH_DIR, prefix="run-") as name:
            folder = Path(name)
            print(f"executing the floor notebook, copied {len(lessons_paths)} times", flush=True)
            floor_dir = folder / "floor"
            write_floor(floor_dir, len(lessons_paths))
            for n in range(1, args.repeat + 1):
                for label, targets, runs in (("floor", [floor_dir], floor), ("lessons", lessons_paths, lessons)):
                    run = run_pytest(label, [*map(str, targets), *XDIST], folder / f"{label}-{n}.xml")
                    runs.append(run)
                    print(f"run {n}/{args.repeat} {label}: {seconds(run.seconds)}", flush=True)
            if args.full:
                full = run_pytest("make test", XDIST).seconds
                print(f"make test: {seconds(full)}", flush=True)
    except BenchError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"server: {args.cycles} start/stop cycles", flush=True)
    starts, stops = server_cycles(args.cycles)
    print()
    print(report(lessons, floor, starts, stops, full))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
