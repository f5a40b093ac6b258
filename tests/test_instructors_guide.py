"""INSTRUCTORS.md: its examples produce the errors it shows, its schedules add up to the lessons'
stated minutes, and its lesson sections match the notebooks."""

from __future__ import annotations

import doctest
import re
from datetime import datetime, timedelta

import pytest

from tests.notebooks import LESSONS, ROOT, cells, load, minutes

GUIDE = ROOT / "INSTRUCTORS.md"
TEXT = GUIDE.read_text(encoding="utf-8")
ROW = re.compile(r"^\| (\d\d:\d\d) \| ([^|]+?) \| ?(\d*) ?\|$", re.M)


def test_every_example_prints_what_the_guide_shows():
    result = doctest.testfile(
        str(GUIDE), module_relative=False, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=True
    )
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples differ: see the output above"
    assert result.attempted > 100


def schedule(heading: str) -> list[tuple[datetime, str, int | None]]:
    section = TEXT.split(heading, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    rows = [(datetime.strptime(start, "%H:%M"), what, int(m) if m else None) for start, what, m in ROW.findall(section)]
    assert rows, f"no schedule table under {heading!r}"
    return rows


def lesson_minutes() -> dict[str, int]:
    return {path.name[:2]: sum(minutes(load(path))) for path in LESSONS}


@pytest.mark.parametrize("heading", ["### One day", "Day 1 is the one-day schedule above. Day 2:"])
def test_a_schedules_times_follow_on_and_give_each_lesson_its_minutes(heading):
    rows = schedule(heading)
    for (start, what, length), (following, _, _) in zip(rows, rows[1:]):
        assert length is not None and start + timedelta(minutes=length) == following, f"{what} at {start:%H:%M}"
    assert rows[-1][1] == "End" and rows[-1][2] is None
    given: dict[str, int] = {}
    for _, what, length in rows:
        if match := re.match(r"Lesson (\d\d)\b", what):
            given[match[1]] = given.get(match[1], 0) + length
    stated = lesson_minutes()
    assert given and {lesson: stated[lesson] for lesson in given} == given
    assert any(re.match(r"Break|Lunch", what) for _, what, _ in rows)


def test_the_two_days_cover_lessons_01_to_12_once_each():
    days = [schedule("### One day"), schedule("Day 1 is the one-day schedule above. Day 2:")]
    taught = [match[1] for day in days for _, what, _ in day if (match := re.match(r"Lesson (\d\d)\b", what))]
    assert sorted(set(taught)) == [f"{n:02d}" for n in range(1, 13)]


def section(path) -> str:
    number = path.name[:2]
    parts = re.split(r"^### Lesson (\d\d): ", TEXT, flags=re.M)
    found = {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}
    assert number in found, f"INSTRUCTORS.md has no '### Lesson {number}: ...' section"
    return found[number]


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_each_lessons_section_matches_its_notebook(path):
    text = section(path)
    notebook = load(path)
    title = cells(notebook)[0].source.splitlines()[0].split(" · ", 1)[1]
    assert text.splitlines()[0] == title
    teaching, exercises = minutes(notebook)
    assert f"**Time:** {teaching} + {exercises} min (teaching + exercises)" in text
    headings = [c.source.splitlines()[0][3:] for c in cells(notebook) if c.kind == "markdown" and c.source.startswith("## ")]
    core = [heading for heading in headings if not heading.startswith("Going further")]
    listed = re.search(r"^\*\*Core path:\*\* (.+)$", text, re.M)[1].split(" → ")
    assert listed == core
    assert "**Skip if short of time:**" in text
    mistakes = text.split("**Mistakes learners make here**", 1)[1]
    assert len(re.findall(r"^\d\. \*\*", mistakes, re.M)) >= 2
    assert mistakes.count("```pycon") >= 2 and mistakes.count("**Unstick them:**") >= 2
