"""The direct dependencies (requirements.in) are pinned; the lock made from them (requirements.txt)
pins every package with its hashes; the conda/Binder path (environment.yml) installs the same
versions; this environment is the locked one; and the README's lesson table matches the notebooks."""

import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.notebooks import LESSONS, load, minutes

ROOT = Path(__file__).resolve().parent.parent


def requirement_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def direct_dependencies() -> list[Requirement]:
    return [Requirement(line) for line in requirement_lines((ROOT / "requirements.in").read_text())]


@dataclass
class Locked:
    line: str  # name==version, with its environment marker if it has one
    requirement: Requirement
    hashes: list[str]
    via: list[str]


def lock() -> list[Locked]:
    """requirements.txt as written by `make lock` (uv pip compile --generate-hashes)."""
    entries = []
    for block in re.split(r"\n(?=\S)", (ROOT / "requirements.txt").read_text()):
        lines = block.splitlines()
        if lines[0].startswith(("#", "-")):
            continue  # comments; options (there should be none: test_the_lock_names_no_index_file_or_path)
        words = " ".join(line.strip().rstrip("\\") for line in lines if not line.strip().startswith("#")).split()
        hashes = [word for word in words if word.startswith("--hash=")]
        line = " ".join(word for word in words if word not in hashes)
        via = [line.strip(" #").removeprefix("via").strip() for line in lines if line.strip().startswith("#")]
        entries.append(Locked(line, Requirement(line), hashes, [name for name in via if name]))
    return entries


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


def exact_version(requirement: Requirement) -> str | None:
    specifiers = list(requirement.specifier)
    if len(specifiers) == 1 and specifiers[0].operator == "==" and "*" not in specifiers[0].version:
        return specifiers[0].version
    return None


def test_every_direct_dependency_is_pinned_exactly():
    for requirement in direct_dependencies():
        assert exact_version(requirement) and not requirement.url and not requirement.marker, requirement


def test_every_package_in_the_lock_is_pinned_exactly_and_hashed():
    entries = lock()
    assert len(entries) > len(direct_dependencies())
    for entry in entries:
        assert re.fullmatch(r"[a-z0-9-]+==[0-9][0-9a-z.]*( ; .+)?", entry.line), entry.line
        assert exact_version(entry.requirement), entry.line
        assert entry.hashes and all(re.fullmatch(r"--hash=sha256:[0-9a-f]{64}", h) for h in entry.hashes), entry.line


def test_the_lock_names_no_index_file_or_path():
    # Only packages and hashes: pip takes them from the user's own index, and checks every file.
    for line in requirement_lines((ROOT / "requirements.txt").read_text()):
        assert not re.search(r"file:|://|^-[^-]|^--(?!hash=)|\s@\s", line), line


def test_every_direct_dependency_is_in_the_lock_at_its_pinned_version():
    locked = {canonicalize_name(entry.requirement.name): entry for entry in lock()}
    for requirement in direct_dependencies():
        entry = locked.get(canonicalize_name(requirement.name))
        assert entry, f"{requirement.name} is not in requirements.txt: run `make lock`"
        assert exact_version(entry.requirement) == exact_version(requirement), f"{entry.line}: run `make lock`"


def test_the_lock_was_made_from_requirements_in_as_it_is():
    from_requirements_in = {
        canonicalize_name(entry.requirement.name) for entry in lock() if "-r requirements.in" in entry.via
    }
    assert from_requirements_in == {canonicalize_name(r.name) for r in direct_dependencies()}, "run `make lock`"


def test_environment_yml_pins_every_package_of_the_lock():
    pip_section = pip_section_of_environment_yml()
    assert pip_section[-1] == "-e ."
    assert pip_section[:-1] == [entry.line for entry in lock()], "run `make lock`"


def test_this_environment_has_the_locked_versions():
    for entry in lock():
        marker = entry.requirement.marker
        if marker is None or marker.evaluate():
            try:
                installed = version(entry.requirement.name)
            except PackageNotFoundError:
                installed = None
            assert installed == exact_version(entry.requirement), f"{entry.line}: reinstall from the lock"


def test_the_supported_pythons_agree():
    makefile = (ROOT / "Makefile").read_text()
    supported = re.search(r"^SUPPORTED_PYTHONS := (.+)$", makefile, re.M)[1].split()
    assert supported == ["3.11", "3.12", "3.13"]
    assert "--python-version $(firstword $(SUPPORTED_PYTHONS))" in makefile
    assert f'requires-python = ">={supported[0]}"' in (ROOT / "pyproject.toml").read_text()
    conda_python = re.search(r"- python=(\d+\.\d+)\s*$", (ROOT / "environment.yml").read_text(), re.M)
    assert conda_python and conda_python[1] in supported
    assert "Python 3.11, 3.12 and 3.13" in (ROOT / "README.md").read_text(encoding="utf-8")


PLATFORMS = {"linux": "posix", "darwin": "posix", "win32": "nt"}


def test_the_lock_gives_one_version_of_each_package_on_every_supported_python_and_platform():
    entries, direct = lock(), {canonicalize_name(r.name) for r in direct_dependencies()}
    for python in ("3.11.0", "3.11.9", "3.12.0", "3.13.0"):
        for sys_platform, os_name in PLATFORMS.items():
            environment = {
                "python_version": python.rsplit(".", 1)[0],
                "python_full_version": python,
                "sys_platform": sys_platform,
                "os_name": os_name,
                "implementation_name": "cpython",
                "platform_python_implementation": "CPython",
            }
            chosen = [
                canonicalize_name(entry.requirement.name)
                for entry in entries
                if entry.requirement.marker is None or entry.requirement.marker.evaluate(environment)
            ]
            assert len(chosen) == len(set(chosen)), (python, sys_platform)
            assert direct <= set(chosen), (python, sys_platform)


def readme_rows() -> dict[str, tuple[int, int]]:
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.search(r"\[`?(notebooks/\d\d_\w+\.ipynb)`?\]\(.*?\)\s*\|\s*(\d+)\s*\+\s*(\d+) min", line)
        if match:
            rows[match[1]] = (int(match[2]), int(match[3]))
    return rows


def test_the_readme_table_lists_every_notebook_with_its_own_time_estimate():
    expected = {f"notebooks/{path.name}": minutes(load(path)) for path in LESSONS}
    assert readme_rows() == expected
