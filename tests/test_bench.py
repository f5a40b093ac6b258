"""make bench: junit-xml into per-notebook sums and slowest cells, the floor notebook, the figures."""

import nbformat
import pytest

from tools.bench import (
    FLOOR_CELLS,
    Run,
    floor_notebook,
    median_cells,
    milliseconds,
    notebook_name,
    notebook_seconds,
    p90,
    parse_args,
    parse_junit,
    ratio,
    report,
    seconds,
    slowest_cells,
    tail,
)

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="5" time="9.1">
<testcase classname="notebooks.01_why_fastapi.ipynb" name="Cell 0" time="0.400" />
<testcase classname="notebooks.01_why_fastapi.ipynb" name="Cell 1" time="2.500" />
<testcase classname="notebooks.02_architecture.ipynb" name="Cell 0" time="0.300" />
<testcase classname="build.bench.run-x1.floor.floor_01.ipynb" name="Cell 3" time="0.050" />
<testcase classname="tests.test_bench" name="test_something" time="0.001" />
</testsuite></testsuites>"""


def test_junit_cells_are_keyed_by_notebook_and_nbval_cell_index():
    assert parse_junit(JUNIT) == {
        ("01_why_fastapi.ipynb", 0): 0.4,
        ("01_why_fastapi.ipynb", 1): 2.5,
        ("02_architecture.ipynb", 0): 0.3,
        ("floor_01.ipynb", 3): 0.05,
    }
    assert notebook_name("notebooks.10_interview_questions.ipynb") == "10_interview_questions.ipynb"


def test_notebooks_sum_their_cells_and_the_slowest_come_first():
    cells = parse_junit(JUNIT)
    assert notebook_seconds(cells) == pytest.approx({"01_why_fastapi.ipynb": 2.9, "02_architecture.ipynb": 0.3, "floor_01.ipynb": 0.05})
    assert slowest_cells(cells, 2) == [(("01_why_fastapi.ipynb", 1), 2.5), (("01_why_fastapi.ipynb", 0), 0.4)]


def test_each_cell_takes_its_median_over_runs():
    runs = [{("a.ipynb", 0): 1.0, ("a.ipynb", 1): 5.0}, {("a.ipynb", 0): 3.0}, {("a.ipynb", 0): 2.0}]
    assert median_cells(runs) == {("a.ipynb", 0): 2.0, ("a.ipynb", 1): 5.0}


def test_the_floor_notebook_is_valid_and_serves_one_app_for_one_request():
    notebook = floor_notebook()
    nbformat.validate(notebook)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert code == list(FLOOR_CELLS)
    assert "from lessons_support import serve, show, stop_all" in code[0]
    imported = {line.split()[1] for line in code[0].splitlines() if line.startswith(("import ", "from "))}
    assert imported >= {"httpx", "uvicorn", "fastapi", "lessons_support"}
    assert code[2:] == ["server = serve(app)", 'show(httpx.get(server.url + "/"))', "stop_all()"]


def test_figures_are_formatted_for_reading():
    assert seconds(17.24) == "17.2 s"
    assert seconds(0.314) == "0.31 s"
    assert seconds(2.4) == "2.40 s"
    assert milliseconds(0.0351) == "35 ms"
    assert ratio(17.2 / 11.4) == "×1.51"
    assert p90([float(n) for n in range(1, 11)]) == pytest.approx(9.1)


def test_the_summary_states_ratio_slowest_cell_and_server_medians():
    lessons = [Run(17.0, {("01_why_fastapi.ipynb", 4): 2.4, ("02_architecture.ipynb", 0): 0.5}), Run(17.4, {("01_why_fastapi.ipynb", 4): 2.0, ("02_architecture.ipynb", 0): 0.7})]
    floor = [Run(11.4, {("floor_01.ipynb", 0): 0.3}), Run(11.4, {("floor_01.ipynb", 0): 0.5})]
    text = report(lessons, floor, [0.03, 0.035, 0.04], [0.2, 0.21, 0.22], full=None)
    summary = text.splitlines()[-3:]
    assert summary == [
        "notebook suite: 17.2 s · floor: 11.4 s · ratio ×1.51 (goal ≤ ×1.5)",
        "slowest cell: 01_why_fastapi.ipynb cell 4, 2.20 s (goal ≤ 2 s)",
        "server start→ready: median 35 ms, p90 39 ms · stop: median 210 ms, p90 218 ms (3 cycles)",
    ]
    assert "01_why_fastapi.ipynb   cell 4   2.20 s  over 2 s" in text
    assert "floor notebook (mean of 1)" in text
    assert "make test" in report(lessons, floor, [0.03, 0.04], [0.2, 0.2], full=58.0).splitlines()[-1]


def test_the_defaults_are_two_runs_and_fifty_cycles():
    args = parse_args([])
    assert (args.repeat, args.cycles, args.full, args.notebooks) == (2, 50, False, [])


def test_a_failure_shows_the_last_lines_without_colour_codes():
    output = "collected\n" + "\x1b[91mNotebook cell execution failed\x1b[0m\n" + "== 1 failed in 3.2s ==\n"
    assert tail(output, lines=2) == "Notebook cell execution failed\n== 1 failed in 3.2s =="
