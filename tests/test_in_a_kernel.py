"""The helpers inside a real Jupyter kernel, where the classic flakes happen.

A 500's traceback is logged by uvicorn after the response is sent, from the server thread; with
default logging it lands on stderr, which is whatever cell runs next. Here a notebook makes a
route raise, runs more cells, and the test reads every cell's outputs.
"""

import nbformat
from nbclient import NotebookClient

CELLS = [
    "import httpx, time\nfrom fastapi import FastAPI\nfrom lessons_support import serve, stop_all",
    "app = FastAPI()\n@app.get('/boom')\ndef boom():\n    raise ZeroDivisionError('learner bug')\nserver = serve(app)",
    "print(httpx.get(server.url + '/boom').status_code)",
    "time.sleep(0.3)\nprint('next cell')",
    "server = serve(app)\nprint('served again')",
    "@app.get('/boom')\ndef boom():\n    return 'fixed'\nprint(httpx.get(server.url + '/boom').json())",
    "stop_all()",
]


def run(cells: list[str], tmp_path) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, kernel_name="python3", timeout=60, resources={"metadata": {"path": str(tmp_path)}}).execute()
    return notebook


def test_a_500_traceback_reaches_no_cell_and_edits_take_effect(tmp_path):
    notebook = run(CELLS, tmp_path)
    outputs = [cell.outputs for cell in notebook.cells]
    streams = [(o.get("name"), o.get("text")) for cell in outputs for o in cell]
    assert all(name == "stdout" for name, _ in streams), streams
    assert [text for _, text in streams] == ["500\n", "next cell\n", "served again\n", "fixed\n"]


def test_the_traceback_is_there_when_asked_for(tmp_path):
    cells = CELLS[:3] + ["time.sleep(0.2)\nserver.print_last_error()", "stop_all()"]
    notebook = run(cells, tmp_path)
    text = "".join(o.get("text", "") for o in notebook.cells[3].outputs)
    assert "ZeroDivisionError: learner bug" in text
