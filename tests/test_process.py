"""UvicornProcess: the real uvicorn command as a child process, waited for, read, stopped."""

import signal

import pytest

from lessons_support.process import UvicornProcess, mask

MAIN = 'from fastapi import FastAPI\napp = FastAPI()\n@app.get("/")\ndef home():\n    return {"message": "hi"}\n'


def test_it_serves_the_module_on_loopback_and_stops_cleanly(tmp_path):
    (tmp_path / "main.py").write_text(MAIN)
    process = UvicornProcess("main:app", cwd=tmp_path, log_path=tmp_path / "log")
    try:
        assert process.url.startswith("http://127.0.0.1:")
        assert process.get("/").json() == {"message": "hi"}
        lines = process.new_log_lines()
        assert "INFO:     Uvicorn running on http://127.0.0.1:PORT (Press CTRL+C to quit)" in lines
        assert not any('"GET / HTTP/1.1" 200' in line for line in lines)
    finally:
        code = process.stop()
    # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught (the reloader exits 0)
    assert code in (0, -signal.SIGTERM)
    assert "Finished server process [PID]" in "\n".join(process.new_log_lines())


def test_a_bad_import_string_fails_at_once_with_uvicorns_own_line(tmp_path):
    (tmp_path / "main.py").write_text(MAIN)
    with pytest.raises(RuntimeError, match='exited with code 3: ERROR:    Error loading ASGI app. Attribute "ap" not found'):
        UvicornProcess("main:ap", cwd=tmp_path, log_path=tmp_path / "log", timeout=20)


def test_mask_hides_folders_process_ids_and_ports():
    line = "INFO: Watching ['/tmp/x/project'] [4242] on http://127.0.0.1:53211"
    assert mask(line) == "INFO: Watching ['<project folder>'] [PID] on http://127.0.0.1:PORT"
