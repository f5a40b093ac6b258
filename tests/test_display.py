"""show: request line, status, chosen headers and pretty JSON, with no host, port or date."""

import httpx

from lessons_support.display import format_response


def response(status=200, json=None, content=b"", headers=None, url="http://127.0.0.1:53211/items/42?category=electronics", extensions=None):
    request = httpx.Request("GET", url)
    if json is not None:
        return httpx.Response(status, json=json, headers=headers, request=request, extensions=extensions)
    return httpx.Response(status, content=content, headers=headers, request=request, extensions=extensions)


def test_json_is_pretty_and_the_url_has_no_host_or_port():
    text = format_response(response(json={"item_id": 42, "category": "electronics"}, headers={"date": "Sat, 28 Nov 2026 10:00:00 GMT"}))
    assert text == (
        "GET /items/42?category=electronics\n"
        "200 OK\n"
        "content-type: application/json\n"
        '{\n  "item_id": 42,\n  "category": "electronics"\n}'
    )


def test_only_the_chosen_headers_are_shown():
    text = format_response(response(json={}, headers={"x-process-time": "0.1", "www-authenticate": "Bearer"}), headers=["WWW-Authenticate"])
    assert "www-authenticate: Bearer" in text
    assert "x-process-time" not in text and "content-type" not in text


def test_text_and_empty_bodies():
    assert format_response(response(204), headers=[]) == "GET /items/42?category=electronics\n204 No Content"
    text = format_response(response(content=b"<h1>Hi</h1>", headers={"content-type": "text/html"}), headers=[])
    assert text.endswith("<h1>Hi</h1>")


def test_long_bodies_are_cut_with_a_note():
    text = format_response(response(content=b"x" * 50, headers={"content-type": "text/plain"}), headers=[], max_body=10)
    assert text.endswith("xxxxxxxxxx\n… (40 more characters)")


def test_invalid_json_falls_back_to_text():
    text = format_response(response(content=b"{not json", headers={"content-type": "application/json"}), headers=[])
    assert text.endswith("{not json")


def test_showing_something_that_is_not_a_response_says_what_show_takes():
    import pytest

    from lessons_support.display import show

    with pytest.raises(TypeError, match=r"show\(\) takes the response of an httpx call"):
        show({"item_id": 42})


def test_a_422_is_shown_one_error_per_line():
    from lessons_support.display import format_errors

    detail = [
        {"type": "int_parsing", "loc": ["path", "item_id"], "msg": "Input should be a valid integer", "input": "abc"},
        {"type": "missing", "loc": ["query", "q"], "msg": "Field required", "input": None},
    ]
    text = format_errors(response(422, json={"detail": detail}))
    assert text == (
        "GET /items/42?category=electronics → 422\n"
        "  path.item_id: Input should be a valid integer [int_parsing] input='abc'\n"
        "  query.q: Field required [missing] input=None"
    )


def test_an_error_without_validation_details_is_still_shown():
    from lessons_support.display import format_errors

    assert format_errors(response(404, json={"detail": "Item not found"})).endswith("→ 404\n  Item not found")
    assert "no validation errors" in format_errors(response(500, content=b"Internal Server Error"))


def test_statuses_renamed_by_rfc_9110_read_the_same_on_every_python():
    for code, phrase in [(422, "Unprocessable Content"), (413, "Content Too Large"), (414, "URI Too Long"), (416, "Range Not Satisfiable")]:
        sent_by_an_older_python = response(code, extensions={"reason_phrase": b"Old Name"})
        assert format_response(sent_by_an_older_python, headers=[], body=False).splitlines()[1] == f"{code} {phrase}"
    assert format_response(response(404, extensions={"reason_phrase": b"Not Found"}), headers=[], body=False).endswith("404 Not Found")
