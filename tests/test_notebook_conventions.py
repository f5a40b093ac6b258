"""Every notebook follows the course skeleton and is stored as strict nbval needs it."""

import os
import re
import socket
from pathlib import Path

import pytest

from lessons_support.checks import load_all
from tests.notebooks import LESSONS, NOTEBOOKS, cells, load, minutes
from tools.stats import CODE_LINES_PER_MINUTE, WORDS_PER_MINUTE, lesson_stats

EXERCISE_HEADING = re.compile(r"## Exercise (\d+): (.+)")
KINDS = ("build", "debug", "design", "combine")
KIND = re.compile(r"\*\*Kind:\*\* (" + "|".join(KINDS) + r")\b")
HINT = re.compile(r"<summary>Hint (\d+)</summary>")
HEADINGS_IN_ORDER = ["## Setup", "## Exercise", "## Checkpoint", "## Key points", "## In an interview", "## Clean up"]
ids = [path.name for path in NOTEBOOKS]
lesson_ids = [path.name for path in LESSONS]


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


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids)
def test_at_a_glance_has_guide_section_time_and_objectives(path):
    glance = cells(load(path))[1].source
    for row in ("**Guide section**", "**Starts from**", "**What runs**", "**Objectives.**"):
        assert row in glance, row
    teaching, exercises = minutes(load(path))
    assert teaching > 0 and exercises > 0


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids)
def test_sections_come_in_skeleton_order(path):
    markdown = [c.source for c in cells(load(path)) if c.kind == "markdown"]
    positions = []
    for heading in HEADINGS_IN_ORDER:
        found = [i for i, text in enumerate(markdown) if any(line.startswith(heading) for line in text.splitlines())]
        assert found, f"missing a {heading!r} section"
        positions.append(found[0])
    assert positions == sorted(positions), "sections out of order"


def exercise_sections(notebook: list) -> list[tuple[int, str, list]]:
    """(number, title, cells after the heading) for every `## Exercise K: title` section."""
    sections = []
    for i, cell in enumerate(notebook):
        match = EXERCISE_HEADING.match(cell.source) if cell.kind == "markdown" else None
        if match:
            rest = notebook[i + 1 :]
            end = next((j for j, c in enumerate(rest) if c.kind == "markdown" and c.source.startswith("## ")), len(rest))
            sections.append((int(match[1]), match[2].strip(), [cell, *rest[:end]]))
    return sections


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids)
def test_every_exercise_has_stepped_hints_a_solution_a_one_line_check_and_a_worked_explanation(path):
    lesson = path.name[:2]
    sections = exercise_sections(cells(load(path)))
    minimum = 2 if int(lesson) >= 4 else 1
    assert len(sections) >= minimum
    assert [number for number, _, _ in sections] == list(range(1, len(sections) + 1)), "exercises are numbered 1, 2, …"
    registry = load_all()
    for number, title, section in sections:
        exercise_id = f"{lesson}.{number}"
        assert exercise_id in registry, f"no check registered for exercise {exercise_id} in lessons_support/checks/lesson_{lesson}.py"
        assert registry[exercise_id].title == title, f"exercise {exercise_id}: heading {title!r}, check {registry[exercise_id].title!r}"
        task = section[0].source
        assert KIND.search(task), f"exercise {exercise_id}: the task says its **Kind:** ({', '.join(KINDS)})"
        hints = [int(n) for n in HINT.findall(task)]
        assert len(hints) >= 2 and hints == list(range(1, len(hints) + 1)), f"exercise {exercise_id}: hints in steps, <summary>Hint 1</summary>, Hint 2, …"
        code = [c for c in section if c.kind == "code"]
        assert any("# BEGIN SOLUTION" in c.source and "# END SOLUTION" in c.source for c in code), exercise_id
        checks = [c for c in code if "check_exercise(" in c.source]
        assert len(checks) == 1, f"exercise {exercise_id}: one check cell"
        check_cell = checks[0].source.strip()
        assert len(check_cell.splitlines()) <= 2 and check_cell.startswith(f'check_exercise("{exercise_id}"'), (
            f"exercise {exercise_id}: the check cell is check_exercise(\"{exercise_id}\", …) on one or two lines, not {check_cell[:80]!r}"
        )
        printed = "".join("".join(o.get("text", "")) for o in checks[0].outputs if o.get("output_type") == "stream")
        assert printed and all(line.startswith("✓") for line in printed.splitlines()), f"exercise {exercise_id}: the worked solution passes: {printed!r}"
        assert any("solution" in c.tags and "**Worked solution.**" in c.source for c in section), exercise_id


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids)
def test_at_least_one_exercise_asks_for_more_than_copying(path):
    kinds = [KIND.search(section[0].source)[1] for _, _, section in exercise_sections(cells(load(path)))]
    assert set(kinds) & {"debug", "design", "combine"}, f"kinds are {kinds}: one should be debug, design or combine"


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids)
def test_the_core_path_fits_its_minutes(path):
    lesson = lesson_stats(path.name, load(path))
    assert lesson.within_pace, (
        f"{lesson.words_per_minute:.0f} words and {lesson.code_lines_per_minute:.1f} code lines per teaching minute on the core path; "
        f"the limits are {WORDS_PER_MINUTE} and {CODE_LINES_PER_MINUTE}: move material under '## Going further: …' (make stats)"
    )


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids)
def test_going_further_sections_have_their_own_minutes(path):
    lesson = lesson_stats(path.name, load(path))
    headings = [c.source.splitlines()[0] for c in cells(load(path)) if c.kind == "markdown" and c.source.startswith("## Going further")]
    assert all(heading.startswith("## Going further: ") for heading in headings), headings
    if headings:
        assert lesson.further_minutes, "the at-a-glance table has a '| **Going further** | N min, optional |' row"
        assert lesson.further_within_pace, (
            f"Going further: {lesson.further.words} words and {lesson.further.code_lines} code lines in {lesson.further_minutes} min"
        )
    else:
        assert not lesson.further_minutes, "a Going further row with no Going further section"


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids)
def test_the_checkpoint_cell_names_this_lesson(path):
    code = [c.source for c in cells(load(path)) if c.kind == "code"]
    assert any(f'compare_with_checkpoint(app, "lesson_{path.name[:2]}")' in source for source in code)


@pytest.mark.parametrize("path", LESSONS, ids=lesson_ids)
def test_the_last_cell_stops_the_servers(path):
    last = cells(load(path))[-1]
    assert last.kind == "code" and "stop_all()" in last.source
    assert f'progress("{path.name[:2]}")' in last.source, "the clean-up shows this lesson's progress"


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
