"""Reading the course notebooks, for the tests that check them (standard library only)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# 00_setup_check is not a lesson: no objectives, exercises, checkpoint or progress. nbval runs it,
# and its student copy is made and run, like every notebook.
LESSONS = [path for path in NOTEBOOKS if not path.name.startswith("00_")]
TIME = re.compile(r"\*\*Time\*\*\s*\|\s*(\d+) min teaching · (\d+) min exercises")


@dataclass
class Cell:
    kind: str
    source: str
    tags: set[str]
    execution_count: int | None
    outputs: list[dict]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def cells(notebook: dict) -> list[Cell]:
    return [
        Cell(
            kind=cell["cell_type"],
            source="".join(cell.get("source", "")),
            tags=set(cell.get("metadata", {}).get("tags", [])),
            execution_count=cell.get("execution_count"),
            outputs=cell.get("outputs", []),
        )
        for cell in notebook["cells"]
    ]


def minutes(notebook: dict) -> tuple[int, int]:
    """(teaching, exercise) minutes from the notebook's at-a-glance table."""
    for cell in cells(notebook):
        match = TIME.search(cell.source)
        if cell.kind == "markdown" and match:
            return int(match[1]), int(match[2])
    raise LookupError("no '**Time** | N min teaching · M min exercises' row")
