"""A learner's copy runs top to bottom: no cell errors, every check answers "not done yet" kindly,
and the lesson's progress shows nothing done.

It executes every notebook a second time, so it is marked `student` and left out of `make test`;
`make test-student` runs it (CI runs both), before a workshop for instance.
"""

import re

import nbformat
import pytest
from nbclient import NotebookClient

from tests.notebooks import LESSONS, NOTEBOOKS, load
from tools.make_student_copy import student_copy


@pytest.mark.student
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_student_copy_runs_and_every_check_answers_not_yet(path, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(tmp_path))
    notebook = nbformat.from_dict(student_copy(load(path)))
    # In a folder of its own, outside the repository, as a hub's nbgitpuller puts a learner's copies.
    folder = tmp_path / "fastapi-handout"
    folder.mkdir()
    NotebookClient(notebook, kernel_name="python3", timeout=120, allow_errors=True, resources={"metadata": {"path": str(folder)}}).execute()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{errors[0].ename}: {errors[0].evalue} in {cell.source[:80]!r}"
        text = "".join(o.get("text", "") for o in cell.outputs)
        if "check_exercise(" in cell.source:
            assert text.startswith("… ") and len(text.splitlines()) == 1, f"a stub's check must answer 'not done yet', once: {text!r}"
        elif re.search(r"(?<!\w)check\(", cell.source):  # lessons_support.check, not run_setup_check
            assert text.startswith(("✗", "…")), f"a check passed or said nothing without a solution: {text!r}"
    if path in LESSONS:
        exercises = sum("check_exercise(" in cell.source for cell in notebook.cells if cell.cell_type == "code")
        last = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
        assert f"Lesson {path.name[:2]}: 0 of {exercises} exercises done" in last, last
    else:  # the setup check, from a learner's folder outside the repository
        printed = "".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs)
        assert "All 7 checks passed" in printed and "✗" not in printed, printed
