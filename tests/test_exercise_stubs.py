"""A student stub and its worked solution define the same names, so the rest of the notebook
(the check, later cells) finds in the stub everything the solution gives it.

That both run is proven by executing them: nbval runs the solutions and compares each check's
stored "✓" lines (tests/test_notebook_conventions.py requires them), and
tests/test_student_copies_run.py runs the stubs and requires each check to answer "… not done yet".
"""

import ast

import pytest

from tests.notebooks import NOTEBOOKS, cells, load
from tools.make_student_copy import strip_solutions

SOLUTION_CELLS = [
    pytest.param(cell.source, id=f"{path.name[:2]}-cell{index}")
    for path in NOTEBOOKS
    for index, cell in enumerate(cells(load(path)))
    if cell.kind == "code" and "# BEGIN SOLUTION" in cell.source
]


def defined_names(source: str) -> set[str]:
    """Names a cell binds at the top level: functions, classes, assignments, imports."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def test_there_are_exercise_cells():
    assert len(SOLUTION_CELLS) >= 20


@pytest.mark.parametrize("source", SOLUTION_CELLS)
def test_the_stub_defines_the_same_names_as_the_solution(source):
    stub = strip_solutions(source)
    assert defined_names(stub) == defined_names(source), (
        f"the stub defines {sorted(defined_names(stub))}, the solution {sorted(defined_names(source))}: "
        "keep each def/class line outside # BEGIN SOLUTION, and only its body inside"
    )
    assert defined_names(source), "an exercise cell defines what its check uses"


def test_names_are_read_from_defs_classes_assignments_and_imports():
    source = "import a.b\nfrom c import d as e\nx, y = 1, 2\nz: int = 3\ndef f(): pass\nclass K: pass\n"
    assert defined_names(source) == {"a", "e", "x", "y", "z", "f", "K"}
