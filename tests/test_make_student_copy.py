"""The student copy: solutions out, placeholders in, and every check still answers kindly."""

import io
from contextlib import redirect_stdout

import pytest

from tests.notebooks import LESSONS, NOTEBOOKS, load
from tools.make_student_copy import SolutionMarkerError, strip_solutions, student_copy


def test_the_solution_lines_become_a_placeholder_with_their_indent():
    source = "x = 1\n# BEGIN SOLUTION\ny = 2\n# END SOLUTION\nz = 3\n"
    assert strip_solutions(source) == "x = 1\npass  # your code here\nz = 3\n"
    nested = "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n"
    assert strip_solutions(nested) == "def f():\n    pass  # your code here\n"


def test_unbalanced_markers_are_refused():
    with pytest.raises(SolutionMarkerError):
        strip_solutions("# BEGIN SOLUTION\nx = 1\n")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_copy_drops_worked_solutions_and_outputs_and_nothing_else(path):
    notebook = load(path)
    copy = student_copy(notebook)
    assert not any("**Worked solution.**" in "".join(c["source"]) for c in copy["cells"])
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in copy["cells"] if c["cell_type"] == "code")
    kept = [c for c in notebook["cells"] if "solution" not in c.get("metadata", {}).get("tags", [])]
    assert len(copy["cells"]) == len(kept)
    solutions = sum("# BEGIN SOLUTION" in "".join(c["source"]) for c in notebook["cells"])
    placeholders = sum("pass  # your code here" in c["source"] for c in copy["cells"])
    assert solutions == placeholders
    assert placeholders >= 1 or path not in LESSONS


def test_a_check_on_an_unattempted_exercise_prints_a_friendly_message():
    namespace: dict = {}
    exec(strip_solutions("def answer():\n    # BEGIN SOLUTION\n    return 42\n    # END SOLUTION\n"), namespace)
    from lessons_support import check

    out = io.StringIO()
    with redirect_stdout(out):
        check("the answer", namespace["answer"], expect=42, hint="Return 42.")
    assert out.getvalue() == "… the answer: not done yet: write your answer in the exercise cell above.\n"
