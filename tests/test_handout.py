"""tools/handout.py: the student copies as a git repository, and the nbgitpuller link."""

import json
import subprocess
from urllib.parse import parse_qs, urlsplit

from tests.notebooks import NOTEBOOKS
from tools import handout


def test_build_commits_every_student_copy_once_and_then_nothing(tmp_path):
    folder = tmp_path / "fastapi-handout"
    assert handout.build(folder) is True
    names = sorted(path.name for path in folder.glob("*.ipynb"))
    assert names == [path.name for path in NOTEBOOKS] and names[0] == handout.FIRST
    for path in folder.glob("*.ipynb"):
        cells = json.loads(path.read_text())["cells"]
        assert not any("solution" in cell.get("metadata", {}).get("tags", []) for cell in cells), path.name
        assert "BEGIN SOLUTION" not in path.read_text(), path.name
    assert sum("pass  # your code here" in path.read_text() for path in folder.glob("*.ipynb")) >= 14
    log = subprocess.run(["git", "log", "--oneline"], cwd=folder, capture_output=True, text=True, check=True).stdout
    assert len(log.splitlines()) == 1 and "Student copies of the course at" in log
    assert handout.build(folder) is False
    assert subprocess.run(["git", "status", "--porcelain"], cwd=folder, capture_output=True, text=True).stdout == ""


def test_a_changed_lesson_makes_one_new_commit(tmp_path):
    notebooks, folder = tmp_path / "notebooks", tmp_path / "handout"
    notebooks.mkdir()
    lesson = NOTEBOOKS[1]
    (notebooks / lesson.name).write_text(lesson.read_text())
    handout.build(folder, notebooks)
    changed = json.loads(lesson.read_text())
    changed["cells"][0]["source"] = ["# An updated title\n"]
    (notebooks / lesson.name).write_text(json.dumps(changed))
    assert handout.build(folder, notebooks) is True
    log = subprocess.run(["git", "log", "--oneline"], cwd=folder, capture_output=True, text=True).stdout
    assert len(log.splitlines()) == 2


def test_the_link_clones_the_repo_and_opens_the_setup_check():
    link = handout.link("https://hub.example.org/", "https://github.com/you/fastapi-handout.git", "spring")
    parts = urlsplit(link)
    assert parts.scheme == "https" and parts.netloc == "hub.example.org"
    assert parts.path == "/hub/user-redirect/git-pull"
    assert parse_qs(parts.query) == {
        "repo": ["https://github.com/you/fastapi-handout.git"],
        "branch": ["spring"],
        "targetpath": ["fastapi-handout"],
        "urlpath": ["lab/tree/fastapi-handout/00_setup_check.ipynb"],
    }


def test_a_folder_inside_the_course_is_refused_and_left_alone(tmp_path):
    import pytest

    before = {path: path.read_bytes() for path in (handout.ROOT / "notebooks").glob("*.ipynb")}
    for inside in (handout.ROOT / "notebooks", handout.ROOT / "notebooks" / "..", handout.ROOT / "student-handout"):
        with pytest.raises(SystemExit, match="inside the course"):
            handout.build(inside)
    assert {path: path.read_bytes() for path in (handout.ROOT / "notebooks").glob("*.ipynb")} == before
    assert not (handout.ROOT / "student-handout").exists()


def test_a_lesson_gone_from_the_course_leaves_the_handout(tmp_path):
    notebooks, folder = tmp_path / "notebooks", tmp_path / "handout"
    notebooks.mkdir()
    for lesson in NOTEBOOKS[:2]:
        (notebooks / lesson.name).write_text(lesson.read_text())
    handout.build(folder, notebooks)
    (notebooks / NOTEBOOKS[1].name).unlink()
    assert handout.build(folder, notebooks) is True
    assert sorted(path.name for path in folder.glob("*.ipynb")) == [NOTEBOOKS[0].name]


def test_the_command_line_prints_the_link(capsys):
    assert handout.main(["link", "--hub", "https://hub.example.org", "--repo", "https://github.com/you/h"]) == 0
    assert capsys.readouterr().out.strip() == handout.link("https://hub.example.org", "https://github.com/you/h")


def test_the_binder_link_opens_the_setup_check_from_github_or_any_git_host():
    assert handout.binder_link("https://github.com/you/fastapi-course.git") == (
        "https://mybinder.org/v2/gh/you/fastapi-course/HEAD?urlpath=lab%2Ftree%2Fnotebooks%2F00_setup_check.ipynb"
    )
    assert handout.binder_link("https://gitlab.example.org/team/course", "v2") == (
        "https://mybinder.org/v2/git/https%3A%2F%2Fgitlab.example.org%2Fteam%2Fcourse/v2"
        "?urlpath=lab%2Ftree%2Fnotebooks%2F00_setup_check.ipynb"
    )
