"""check_exercise: one line in the notebook, every result printed, the outcome recorded."""

import pytest

from lessons_support import checks, tracking
from lessons_support.exercises import NotYet, evaluate


@pytest.fixture
def registered(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(tmp_path))
    monkeypatch.setattr(checks, "REGISTRY", {})

    @checks.exercise("98.1", "double a number")
    def double(answer):
        yield evaluate("double(2) is 4", lambda: answer(2), expect=4)
        yield evaluate("double(-3) is -6", lambda: answer(-3), expect=-6)

    @checks.exercise("98.2", "a stub the check recognises")
    def stub(answer):
        if answer is None:
            raise NotYet
        yield evaluate("answer is 1", answer, expect=1)

    monkeypatch.setattr(checks, "load_all", lambda: dict(checks.REGISTRY))
    monkeypatch.setattr(checks, "load_lesson", lambda lesson: {k: e for k, e in checks.REGISTRY.items() if e.lesson == lesson})
    return tmp_path


def test_a_right_answer_prints_every_result_and_is_recorded(registered, capsys):
    checks.check_exercise("98.1", lambda x: 2 * x)
    assert capsys.readouterr().out == "✓ double(2) is 4: passed.\n✓ double(-3) is -6: passed.\n"
    assert tracking.read("98") == {"98.1": "passed"}


def test_a_wrong_answer_fails_and_is_recorded_as_failed(registered, capsys):
    checks.check_exercise("98.1", lambda x: x + 2)
    out = capsys.readouterr().out
    assert out.startswith("✓ double(2) is 4: passed.\n✗ double(-3) is -6: expected -6, got -1.")
    assert tracking.read("98") == {"98.1": "failed"}


def test_a_stub_answers_not_yet_once_and_records_not_done(registered, capsys):
    checks.check_exercise("98.1", lambda x: None)
    assert capsys.readouterr().out == "… double(2) is 4: not done yet: write your answer in the exercise cell above.\n"
    checks.check_exercise("98.2", None)
    assert capsys.readouterr().out == "… Exercise 2 (a stub the check recognises): not done yet: write your answer in the exercise cell above.\n"
    assert tracking.read("98") == {"98.1": "not done", "98.2": "not done"}


def test_the_latest_result_wins(registered, capsys):
    checks.check_exercise("98.1", lambda x: x)
    checks.check_exercise("98.1", lambda x: 2 * x)
    assert tracking.read("98") == {"98.1": "passed"}


def test_an_unknown_exercise_is_named():
    with pytest.raises(LookupError, match="no exercise '77.9'"):
        checks.check_exercise("77.9")


def test_ids_must_name_a_lesson_and_a_number():
    with pytest.raises(ValueError, match="looks like '04.1'"):
        checks.exercise("4.1", "x")


def test_the_report_lists_done_failed_and_untried_exercises(registered, capsys):
    checks.check_exercise("98.1", lambda x: 2 * x)
    capsys.readouterr()
    assert tracking.report("98") == (
        "Lesson 98: 1 of 2 exercises done\n"
        "  ✓ Exercise 1: double a number\n"
        "  · Exercise 2: a stub the check recognises (not done)"
    )


def test_an_unreadable_record_is_never_overwritten(registered, capsys):
    record = registered / "lesson_98.json"
    record.write_text("{not json", encoding="utf-8")
    checks.check_exercise("98.1", lambda x: 2 * x)
    out = capsys.readouterr().out
    assert "(Progress not saved: " in out and "is not valid JSON" in out and "Move that file away" in out
    assert record.read_text(encoding="utf-8") == "{not json"
    assert "record unreadable" in tracking.report("98")


def test_a_record_of_another_shape_is_refused(registered):
    (registered / "lesson_98.json").write_text('{"98.1": "maybe"}', encoding="utf-8")
    with pytest.raises(tracking.ProgressFileError, match="not a record of exercise results"):
        tracking.read("98")


def test_every_course_exercise_is_registered_once_with_a_title():
    exercises = checks.load_all()
    assert exercises, "no lesson check modules found"
    for exercise_id, found in exercises.items():
        assert found.id == exercise_id and found.title and found.title == found.title.strip()


def test_the_command_line_prints_the_course_from_a_folder(registered, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("student")
    (folder / ".progress").mkdir()
    (folder / ".progress" / "lesson_98.json").write_text('{"98.2": "failed"}', encoding="utf-8")
    assert tracking.main([str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Lesson 98: 0 of 2 exercises done" in out and "✗ Exercise 2: a stub the check recognises (failed)" in out
