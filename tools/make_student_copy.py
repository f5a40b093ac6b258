"""Write learners' copies of the notebooks, with every exercise solution taken out.

    python tools/make_student_copy.py notebooks student

In each code cell, the lines between `# BEGIN SOLUTION` and `# END SOLUTION` become
`pass  # your code here`, so a learner's "Run all" goes through and each check answers with what
is still missing. Markdown cells tagged `solution` (the worked solutions) are left out. Outputs
and execution counts are cleared, so a learner starts from a clean notebook. The instructor's
notebooks, with solutions, stay the single source: never edit a student copy by hand.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

SOLUTION = re.compile(r"^([ \t]*)# BEGIN SOLUTION\n.*?^[ \t]*# END SOLUTION\n?", re.MULTILINE | re.DOTALL)
PLACEHOLDER = "{indent}pass  # your code here\n"


class SolutionMarkerError(ValueError):
    """A cell opens a solution it never closes, or closes one it never opened."""


def strip_solutions(source: str) -> str:
    stripped = SOLUTION.sub(lambda m: PLACEHOLDER.format(indent=m[1]), source)
    if "# BEGIN SOLUTION" in stripped or "# END SOLUTION" in stripped:
        raise SolutionMarkerError(f"unbalanced solution markers in:\n{source}")
    return stripped


def student_copy(notebook: dict) -> dict:
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown" and "solution" in cell.get("metadata", {}).get("tags", []):
            continue
        cell = dict(cell)
        if cell["cell_type"] == "code":
            cell["source"] = strip_solutions("".join(cell["source"]))
            cell["outputs"] = []
            cell["execution_count"] = None
        cells.append(cell)
    return {**notebook, "cells": cells}


def main(source: str, target: str) -> int:
    out = Path(target)
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(source).glob("[0-9][0-9]_*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        try:
            copy = student_copy(notebook)
        except SolutionMarkerError as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 1
        (out / path.name).write_text(json.dumps(copy, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{out / path.name}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
