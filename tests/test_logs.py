"""Server logs go to the server's own buffer; logs outside a server go to stderr as usual."""

import logging
import threading

from lessons_support.logs import LogBuffer, capture_into


def test_records_logged_in_a_captured_thread_land_in_its_buffer(capfd):
    buffer = LogBuffer()

    def server_thread():
        capture_into(buffer)
        logging.getLogger("uvicorn.error").info("started")
        try:
            raise ValueError("bad")
        except ValueError:
            logging.getLogger("app").exception("request failed")

    thread = threading.Thread(target=server_thread)
    thread.start()
    thread.join()
    lines = buffer.lines()
    assert [line.message for line in lines] == ["started", "request failed"]
    assert "ValueError: bad" in lines[1].traceback
    assert capfd.readouterr().err == ""


def test_two_servers_keep_their_logs_apart():
    buffers = [LogBuffer(), LogBuffer()]

    def server_thread(index: int):
        capture_into(buffers[index])
        logging.getLogger("app").info("from %d", index)

    threads = [threading.Thread(target=server_thread, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [line.message for line in buffers[0].lines()] == ["from 0"]
    assert [line.message for line in buffers[1].lines()] == ["from 1"]


def test_a_record_logged_outside_any_server_goes_to_stderr(capfd):
    capture_into_nothing = threading.Thread(target=lambda: logging.getLogger("app").warning("in a cell"))
    capture_into_nothing.start()
    capture_into_nothing.join()
    assert "WARNING app: in a cell" in capfd.readouterr().err


def test_the_buffer_keeps_only_the_most_recent_lines():
    buffer = LogBuffer(size=3)
    for n in range(5):
        buffer.add(logging.LogRecord("app", logging.INFO, __file__, 1, "line %d", (n,), None))
    assert [line.message for line in buffer.lines()] == ["line 2", "line 3", "line 4"]
