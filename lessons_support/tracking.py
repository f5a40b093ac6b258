"""Which exercises a learner has done, kept in their own files and nowhere else.

Each `check_exercise` records its exercise's latest result in `.progress/lesson_NN.json`, in the
directory the kernel runs in (the notebook's own folder, so a student copy keeps its own record);
the environment variable COURSE_PROGRESS_DIR names another directory. Nothing is sent anywhere.

    progress("04")   # this lesson's exercises
    progress()       # the whole course
    python tools/progress.py [DIR]      (make progress)

A record is written to a temporary file and then renamed over the old one, so a crash never leaves
half a file. A record that cannot be read is never overwritten: the learner is told which file it
is and what to do.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

STATUSES = ("passed", "failed", "not done")
MARKS = {"passed": "✓", "failed": "✗", "not done": "·"}


class ProgressFileError(ValueError):
    """A progress file that is not the JSON object this module writes."""


def directory() -> Path:
    return Path(os.environ.get("COURSE_PROGRESS_DIR") or Path.cwd() / ".progress")


def lesson_file(lesson: str, base: Path | None = None) -> Path:
    return (base or directory()) / f"lesson_{lesson}.json"


def read(lesson: str, base: Path | None = None) -> dict[str, str]:
    """{exercise id: status} for one lesson; empty when nothing is recorded yet."""
    path = lesson_file(lesson, base)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ProgressFileError(f"{path} cannot be read ({error.strerror})") from error
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ProgressFileError(f"{path} is not valid JSON ({error})") from error
    if not isinstance(data, dict) or not all(isinstance(k, str) and v in STATUSES for k, v in data.items()):
        raise ProgressFileError(f"{path} is not a record of exercise results")
    return data


def record(exercise_id: str, status: str, base: Path | None = None) -> str | None:
    """Save `status` for `exercise_id`; None when saved, else a sentence saying why not (nothing is lost)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
    lesson = exercise_id.partition(".")[0]
    path = lesson_file(lesson, base)
    try:
        results = read(lesson, base)
    except ProgressFileError as error:
        return f"(Progress not saved: {error}. Move that file away to start this lesson's record afresh.)"
    results[exercise_id] = status
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=path.name, suffix=".tmp", delete=False) as file:
            json.dump(dict(sorted(results.items())), file, indent=1)
        os.replace(file.name, path)
    except OSError as error:
        return f"(Progress not saved: {path.parent} is not writable ({error.strerror}).)"
    return None


def report(lesson: str | None = None, base: Path | None = None) -> str:
    """The progress table: every exercise of one lesson (or of the course), with its mark."""
    from lessons_support.checks import load_all, load_lesson

    exercises = list((load_all() if lesson is None else load_lesson(lesson)).values())
    if not exercises:
        return f"No exercises found for lesson {lesson!r}."
    lines: list[str] = []
    for number in sorted({e.lesson for e in exercises}):
        in_lesson = [e for e in exercises if e.lesson == number]
        try:
            results = read(number, base)
        except ProgressFileError as error:
            lines.append(f"Lesson {number}: record unreadable: {error}.")
            continue
        done = sum(results.get(e.id) == "passed" for e in in_lesson)
        lines.append(f"Lesson {number}: {done} of {len(in_lesson)} exercises done")
        for e in in_lesson:
            status = results.get(e.id, "not done")
            lines.append(f"  {MARKS[status]} Exercise {e.number}: {e.title}{'' if status == 'passed' else f' ({status})'}")
    return "\n".join(lines)


def progress(lesson: str | None = None) -> None:
    """Print which exercises are done: this lesson's (`progress("04")`) or the whole course's."""
    print(report(lesson))


def main(argv: list[str]) -> int:
    base = Path(argv[0]) / ".progress" if argv else None
    print(report(None, base))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
