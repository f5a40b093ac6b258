"""Re-execute notebooks from a fresh kernel and save them with their outputs.

    python tools/execute_notebooks.py notebooks/01_why_fastapi.ipynb [more.ipynb ...]

Each notebook runs top to bottom in a new `python3` kernel of this environment, in its own
folder, as nbval will run it. Outputs and execution counts are kept (strict nbval compares them);
only the volatile per-cell timing metadata is left out. The kernelspec is set to `python3`, and the
metadata that authoring tools such as jupytext add is dropped. A cell that raises without the
`raises-exception` tag stops the run with the error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
AUTHORING_KEYS = ("execution", "lines_to_next_cell", "jupyter")


def normalise(notebook: nbformat.NotebookNode) -> None:
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["kernelspec"] = KERNELSPEC
    for cell in notebook.cells:
        for key in AUTHORING_KEYS:
            cell.metadata.pop(key, None)


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    normalise(notebook)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=300,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    normalise(notebook)
    nbformat.write(notebook, path)


def main(paths: list[str]) -> int:
    for name in paths:
        path = Path(name)
        print(f"executing {path}", flush=True)
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
