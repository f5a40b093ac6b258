"""make stats: words and code lines per teaching minute, core path and "Going further" apart."""

import pytest

from tools.stats import LessonStats, Part, code_lines, lesson_stats, prose_words, table


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "source": text, "metadata": {}}


def code(text: str) -> dict:
    return {"cell_type": "code", "source": text, "metadata": {}, "outputs": [], "execution_count": 1}


GLANCE = markdown("| | |\n|---|---|\n| **Time** | 10 min teaching · 5 min exercises |")


def test_prose_words_count_tokens_with_a_letter_or_digit_and_skip_fenced_code():
    assert prose_words("Hello, FastAPI world — 42 times.") == 5
    assert prose_words("Before\n```python\nignored words here\n```\nafter") == 2


def test_code_lines_skip_blank_lines_and_comments():
    assert code_lines("import x\n\n# a comment\n    # indented comment\nx.run()  # trailing comment counts\n") == 2


def test_cells_under_going_further_are_counted_apart_until_the_next_section():
    notebook = {
        "cells": [
            markdown("# 01 · Title\n\nSummary."),
            GLANCE,
            markdown("## Setup"),
            code("a = 1\nb = 2"),
            markdown("## Going further: more\n\nfour more words here"),
            code("c = 3"),
            markdown("## Key points"),
        ]
    }
    stats = lesson_stats("01_x.ipynb", notebook)
    assert stats.teaching_minutes == 10
    assert (stats.core.cells, stats.core.code_lines) == (5, 2)
    assert (stats.further.cells, stats.further.words, stats.further.code_lines) == (2, 7, 1)


def test_the_pace_verdict_uses_the_core_path_per_teaching_minute():
    within = LessonStats("a", 10, Part(cells=1, words=550, code_lines=45), Part(words=10_000))
    over = LessonStats("b", 10, Part(cells=1, words=551, code_lines=10), Part())
    assert within.within_pace and not over.within_pace
    report = table([within, over])
    assert "1 of 2 lessons within it" in report
    assert report.splitlines()[2].endswith("ok") and report.splitlines()[3].endswith("over")


def test_a_notebook_without_a_time_row_says_so():
    with pytest.raises(LookupError, match="Time"):
        lesson_stats("x.ipynb", {"cells": [markdown("# 01 · x")]})


def test_going_further_is_measured_against_its_own_minutes():
    row = markdown("| | |\n|---|---|\n| **Time** | 10 min teaching · 5 min exercises |\n| **Going further** | 4 min, optional |")
    further = [markdown("## Going further: more\n\n" + "word " * 200), code("x = 1\n" * 18)]
    stats = lesson_stats("01_x.ipynb", {"cells": [row, *further]})
    assert stats.further_minutes == 4 and stats.further_within_pace
    stats = lesson_stats("01_x.ipynb", {"cells": [row, *further, code("y = 2")]})
    assert not stats.further_within_pace
    assert not lesson_stats("01_x.ipynb", {"cells": [GLANCE, *further]}).further_within_pace
