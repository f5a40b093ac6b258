"""Every notebook follows the course skeleton and is stored as strict nbval needs it."""

import os
import re
import socket
from pathlib import Path

import pytest

from tests.notebooks import NOTEBOOKS, cells, load, minutes

HEADINGS_IN_ORDER = ["## Setup", "## Exercise", "## Checkpoint", "## Key points", "## In an interview", "## Clean up"]
ids = [path.name for path in NOTEBOOKS]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_title_and_summary_come_first(path):
    first = cells(load(path))[0]
    assert first.kind == "markdown"
    lines = [line for line in first.source.splitlines() if line.strip()]
    number = path.name[:2]
    assert re.fullmatch(rf"# {number} · .+", lines[0]), lines[0]
    assert len(lines) >= 2, "a one-line summary follows the title"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_at_a_glance_has_guide_section_time_and_objectives(path):
    glance = cells(load(path))[1].source
    for row in ("**Guide section**", "**Starts from**", "**What runs**", "**Objectives.**"):
        assert row in glance, row
    teaching, exercises = minutes(load(path))
    assert teaching > 0 and exercises > 0


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_sections_come_in_skeleton_order(path):
    markdown = [c.source for c in cells(load(path)) if c.kind == "markdown"]
    positions = []
    for heading in HEADINGS_IN_ORDER:
        found = [i for i, text in enumerate(markdown) if any(line.startswith(heading) for line in text.splitlines())]
        assert found, f"missing a {heading!r} section"
        positions.append(found[0])
    assert positions == sorted(positions), "sections out of order"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_every_exercise_has_a_solution_a_check_and_a_worked_explanation(path):
    notebook = cells(load(path))
    exercises = [i for i, c in enumerate(notebook) if c.kind == "markdown" and c.source.startswith("## Exercise")]
    minimum = 2 if int(path.name[:2]) >= 4 else 1
    assert len(exercises) >= minimum
    for start in exercises:
        section = notebook[start + 1 :]
        end = next((i for i, c in enumerate(section) if c.kind == "markdown" and c.source.startswith("## ")), len(section))
        section = section[:end]
        code = "\n".join(c.source for c in section if c.kind == "code")
        assert "# BEGIN SOLUTION" in code and "# END SOLUTION" in code, notebook[start].source[:60]
        assert "check(" in code, notebook[start].source[:60]
        assert any("solution" in c.tags and "**Worked solution.**" in c.source for c in section), notebook[start].source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_the_checkpoint_cell_names_this_lesson(path):
    code = [c.source for c in cells(load(path)) if c.kind == "code"]
    assert any(f'compare_with_checkpoint(app, "lesson_{path.name[:2]}")' in source for source in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_the_last_cell_stops_the_servers(path):
    last = cells(load(path))[-1]
    assert last.kind == "code" and "stop_all()" in last.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_code_cells_were_executed_in_order_from_one(path):
    counts = [c.execution_count for c in cells(load(path)) if c.kind == "code" and c.source.strip()]
    assert counts == list(range(1, len(counts) + 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_error_output_except_in_cells_tagged_to_raise(path):
    for cell in cells(load(path)):
        errors = [o for o in cell.outputs if o["output_type"] == "error"]
        if "raises-exception" in cell.tags:
            assert errors, f"tagged to raise but did not: {cell.source[:60]!r}"
        else:
            assert not errors, f"{errors[0]['ename']} in {cell.source[:60]!r}"


def machine_words() -> list[str]:
    words = [str(Path.home()), socket.gethostname(), str(Path(__file__).resolve().parent.parent)]
    user = os.environ.get("USER") or os.environ.get("LOGNAME")
    if user and user != "root":
        words.append(user)
    return [word for word in words if len(word) > 3]


def output_text(output: dict) -> str:
    parts = [output.get("text", ""), output.get("evalue", ""), *output.get("traceback", [])]
    parts += list(output.get("data", {}).values())
    return "".join("".join(p) if isinstance(p, list) else str(p) for p in parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_outputs_show_no_absolute_path_user_or_host(path):
    words = machine_words()
    for cell in cells(load(path)):
        for output in cell.outputs:
            text = output_text(output)
            assert not re.search(r"(?<![\w.])/(home|root|tmp|Users|var|private|work|usr|opt)/\S+", text), (
                "an absolute path is stored in an output (a traceback's file paths count: show an "
                "expected exception with `with expect_error(Kind):` from lessons_support instead of "
                f"a cell tagged to raise): {text[:200]!r}"
            )
            for word in words:
                assert word not in text, f"{word!r} in the output of {cell.source[:60]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_kernel_is_python3(path):
    assert load(path)["metadata"]["kernelspec"]["name"] == "python3"
