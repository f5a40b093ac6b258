"""The pip path and the conda/Binder path install the same packages at the same versions,
every one pinned; and the README's lesson table matches the notebooks."""

import re
from pathlib import Path

from tests.notebooks import NOTEBOOKS, load, minutes

ROOT = Path(__file__).resolve().parent.parent


def requirement_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def pip_section_of_environment_yml() -> list[str]:
    lines, inside = [], False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if re.match(r"\s*- pip:\s*$", line):
            inside = True
            continue
        if inside:
            match = re.match(r"\s+- (.+)$", line)
            if not match:
                break
            lines.append(match[1].strip())
    return lines


def test_every_direct_dependency_is_pinned_exactly():
    for line in requirement_lines((ROOT / "requirements.txt").read_text()):
        assert re.fullmatch(r"[A-Za-z0-9_.-]+(\[[a-z0-9,]+\])?==\d+(\.\d+)*(\.post\d+)?", line), line


def test_environment_yml_lists_the_same_pins_as_requirements_txt():
    conda = [line for line in pip_section_of_environment_yml() if line != "-e ."]
    assert sorted(conda) == sorted(requirement_lines((ROOT / "requirements.txt").read_text()))
    assert "-e ." in pip_section_of_environment_yml()


def test_environment_yml_python_satisfies_pyproject():
    text = (ROOT / "environment.yml").read_text()
    version = re.search(r"- python=(\d+)\.(\d+)", text)
    assert version and (int(version[1]), int(version[2])) >= (3, 11)
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text()


def readme_rows() -> dict[str, tuple[int, int]]:
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.search(r"\[`?(notebooks/\d\d_\w+\.ipynb)`?\]\(.*?\)\s*\|\s*(\d+)\s*\+\s*(\d+) min", line)
        if match:
            rows[match[1]] = (int(match[2]), int(match[3]))
    return rows


def test_the_readme_table_lists_every_notebook_with_its_own_time_estimate():
    expected = {f"notebooks/{path.name}": minutes(load(path)) for path in NOTEBOOKS}
    assert readme_rows() == expected
