"""The package stands alone: it imports nothing of the course's lessons_support or checkpoints,
its image installs a lock that agrees with the course's, and the Dockerfile says what the README
and CI rely on."""

import ast
import re
from pathlib import Path

import pytest

from item_store.scripts import run_image_command

PACKAGE = Path(__file__).resolve().parent.parent
FORBIDDEN = ("lessons_support", "checkpoints")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_module_imports_the_course(path):
    assert not {name for name in imported_modules(path) if name.split(".")[0] in FORBIDDEN}


def pins(lock: Path) -> dict[str, str]:
    return dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;]+)", lock.read_text(), re.M))


def test_the_image_lock_pins_the_versions_of_the_course_lock():
    image, course = pins(PACKAGE / "requirements.txt"), pins(PACKAGE.parent / "requirements.txt")
    assert {"fastapi", "fastapi-cli", "uvicorn", "sqlalchemy", "alembic", "psycopg", "pwdlib"} <= set(image)
    assert {name: version for name, version in image.items() if course.get(name, version) != version} == {}


def test_every_direct_requirement_is_in_the_image_lock():
    wanted = pins(PACKAGE / "requirements.in")
    assert {name: version for name, version in wanted.items() if pins(PACKAGE / "requirements.txt").get(name) != version} == {}


def test_the_image_runs_fastapi_run_with_two_workers_as_a_user_of_its_own():
    dockerfile = (PACKAGE / "Dockerfile").read_text()
    assert run_image_command.image_command(dockerfile) == ["fastapi", "run", "item_store/main.py", "--workers", "2", "--port", "8000"]
    environment = run_image_command.image_environment(dockerfile)
    assert (environment["ENVIRONMENT"], environment["DEMO_USER"]) == ("production", "false")
    names = [name for name, _ in run_image_command.instructions(dockerfile)]
    assert names[0] == "FROM" and "USER" in names and names.index("USER") < names.index("CMD")
    assert "--require-hashes -r item_store/requirements.txt" in dockerfile


def test_a_cmd_in_shell_form_is_refused():
    with pytest.raises(run_image_command.CheckFailed, match="exec form"):
        run_image_command.image_command('FROM x\nCMD "fastapi run"\n')


def test_the_image_holds_the_package_without_its_tests(tmp_path):
    app = run_image_command.lay_out_app(tmp_path)
    assert (app / "item_store" / "main.py").is_file() and (app / "item_store" / "alembic.ini").is_file()
    assert not (app / "item_store" / "tests").exists()
    assert not list(app.rglob("__pycache__"))


def test_workers_count_once_each_has_finished_starting(tmp_path):
    log = tmp_path / "server.log"
    log.write_text(
        "2026-11-30 14:37:45,135 INFO 32308 [-] uvicorn.error: Started server process [32308]\n"
        "2026-11-30 14:37:45,157 INFO 32308 [-] uvicorn.error: Application startup complete.\n"
        "2026-11-30 14:37:45,160 INFO 32307 [-] uvicorn.error: Started server process [32307]\n"
    )
    assert run_image_command.started_workers(log) == 1  # 32307 is still starting
    with log.open("a") as more:
        more.write("2026-11-30 14:37:45,190 INFO 32307 [-] uvicorn.error: Application startup complete.\n")
    assert run_image_command.started_workers(log) == 2
