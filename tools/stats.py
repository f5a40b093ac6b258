"""How much each lesson asks of a room per teaching minute:  make stats  (or python tools/stats.py).

For every notebook it counts, on its core path and under "Going further" apart:
- cells;
- prose words: whitespace-separated tokens with a letter or digit in Markdown cells, fenced code
  blocks left out;
- code lines: non-blank lines of code cells that are not comments;
and divides the core path's words and code lines by the lesson's teaching minutes (its at-a-glance
"**Time**" row). The core path is every cell that is not under a heading that starts with
"## Going further"; the Going further sections are measured against their own minutes, the
at-a-glance row "| **Going further** | N min, optional |". The pacing goal is at most
WORDS_PER_MINUTE and CODE_LINES_PER_MINUTE, the pace of lesson 01, for both; the table marks a
lesson over either. It only reports, and exits 0; tests/test_notebook_conventions.py enforces it.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS_PER_MINUTE = 55
CODE_LINES_PER_MINUTE = 4.5
GOING_FURTHER = "## Going further"
TIME = re.compile(r"\*\*Time\*\*\s*\|\s*(\d+) min teaching · (\d+) min exercises")
FURTHER_TIME = re.compile(r"\*\*Going further\*\*\s*\|\s*(\d+) min, optional")
FENCE = re.compile(r"```.*?```", re.DOTALL)
WORD = re.compile(r"[A-Za-z0-9]")


@dataclass
class Part:
    cells: int = 0
    words: int = 0
    code_lines: int = 0


@dataclass
class LessonStats:
    name: str
    teaching_minutes: int
    core: Part
    further: Part
    further_minutes: int = 0

    @property
    def words_per_minute(self) -> float:
        return self.core.words / self.teaching_minutes

    @property
    def code_lines_per_minute(self) -> float:
        return self.core.code_lines / self.teaching_minutes

    @property
    def within_pace(self) -> bool:
        return self.words_per_minute <= WORDS_PER_MINUTE and self.code_lines_per_minute <= CODE_LINES_PER_MINUTE

    @property
    def further_within_pace(self) -> bool:
        if not self.further.cells:
            return True
        if not self.further_minutes:
            return False
        return (
            self.further.words / self.further_minutes <= WORDS_PER_MINUTE
            and self.further.code_lines / self.further_minutes <= CODE_LINES_PER_MINUTE
        )


def prose_words(markdown: str) -> int:
    return sum(1 for token in FENCE.sub(" ", markdown).split() if WORD.search(token))


def code_lines(code: str) -> int:
    return sum(1 for line in code.splitlines() if line.strip() and not line.strip().startswith("#"))


def teaching_minutes(cells: list[dict]) -> int:
    for cell in cells:
        match = TIME.search(source_of(cell))
        if cell["cell_type"] == "markdown" and match:
            return int(match[1])
    raise LookupError("no '**Time** | N min teaching · M min exercises' row")


def further_minutes(cells: list[dict]) -> int:
    for cell in cells:
        match = FURTHER_TIME.search(source_of(cell))
        if cell["cell_type"] == "markdown" and match:
            return int(match[1])
    return 0


def source_of(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def lesson_stats(name: str, notebook: dict) -> LessonStats:
    cells = notebook["cells"]
    core, further = Part(), Part()
    part = core
    for cell in cells:
        source = source_of(cell)
        if cell["cell_type"] == "markdown" and source.startswith("## "):
            part = further if source.startswith(GOING_FURTHER) else core
        part.cells += 1
        if cell["cell_type"] == "markdown":
            part.words += prose_words(source)
        elif cell["cell_type"] == "code":
            part.code_lines += code_lines(source)
    return LessonStats(name, teaching_minutes(cells), core, further, further_minutes(cells))


def table(lessons: list[LessonStats]) -> str:
    header = f"{'lesson':<38} {'cells':>5} {'words':>6} {'code':>5} {'min':>4} {'words/min':>9} {'code/min':>8}  {'further: cells words code  min':>31}  pace"
    rows = [header, "-" * len(header)]
    for lesson in lessons:
        verdict = "ok" if lesson.within_pace and lesson.further_within_pace else "over"
        rows.append(
            f"{lesson.name:<38} {lesson.core.cells:>5} {lesson.core.words:>6} {lesson.core.code_lines:>5} "
            f"{lesson.teaching_minutes:>4} {lesson.words_per_minute:>9.0f} {lesson.code_lines_per_minute:>8.1f}  "
            f"{lesson.further.cells:>12} {lesson.further.words:>6} {lesson.further.code_lines:>6} {lesson.further_minutes:>4}  {verdict}"
        )
    over = [lesson.name for lesson in lessons if not (lesson.within_pace and lesson.further_within_pace)]
    rows.append("")
    rows.append(
        f"pace goal: at most {WORDS_PER_MINUTE} prose words and {CODE_LINES_PER_MINUTE:g} code lines per minute "
        f"on the core path and under Going further; {len(lessons) - len(over)} of {len(lessons)} lessons within it"
    )
    return "\n".join(rows)


def main(paths: list[str]) -> int:
    # 00_setup_check.ipynb is not a lesson: it has no minutes to hold a pace to.
    notebooks = [Path(p) for p in paths] or sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if p.name[:2] != "00")
    lessons = [lesson_stats(path.name, json.loads(path.read_text(encoding="utf-8"))) for path in notebooks]
    print(table(lessons))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
