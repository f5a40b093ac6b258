"""check: friendly pass or fail, never a traceback, whatever the learner's code does."""

import httpx

from lessons_support.exercises import check, evaluate


def ok_response(json, status=200):
    return httpx.Response(status, json=json, request=httpx.Request("GET", "http://x/"))


def test_a_right_answer_passes():
    result = evaluate("greet", lambda: ok_response({"message": "Hello, Ada!"}), status=200, expect={"message": "Hello, Ada!"})
    assert result.passed and result.message == "✓ greet: passed."


def test_a_wrong_body_fails_with_both_values_and_the_hint():
    result = evaluate("greet", lambda: ok_response({"message": "Hi"}), status=200, expect={"message": "Hello, Ada!"}, hint="Say Hello.")
    assert not result.passed
    assert 'expected {"message": "Hello, Ada!"}, got {"message": "Hi"}' in result.message
    assert result.message.endswith("Hint: Say Hello.")


def test_a_wrong_status_is_explained():
    result = evaluate("greet", lambda: ok_response({"detail": "Not Found"}, 404), status=200)
    assert "expected status 200, got 404" in result.message
    result = evaluate("greet", lambda: ok_response({"detail": []}, 500), status=200)
    assert "print_last_error" in result.message
    result = evaluate("greet", lambda: ok_response({"detail": [{"loc": ["query", "q"]}]}, 422), status=200)
    assert '"query", "q"' in result.message


def test_learner_code_that_raises_becomes_a_message(capsys):
    def broken():
        return {}["missing"]

    check("lookup", broken, expect=1, hint="Check the key.")
    out = capsys.readouterr().out
    assert out == "✗ lookup: your code raised KeyError: 'missing'\n  Hint: Check the key.\n"


def test_an_unattempted_exercise_is_not_an_error():
    def todo():
        raise NotImplementedError

    result = evaluate("todo", todo, expect=1)
    assert not result.passed and result.message == "… todo: not done yet: write your answer in the exercise cell above."


def test_a_stub_that_returns_nothing_is_not_done_yet():
    assert evaluate("t", lambda: None, expect=1).message.startswith("… t: not done yet")
    assert evaluate("t", lambda: httpx.Response(200, content=b"null", request=httpx.Request("GET", "http://x/")), status=200, expect={"a": 1}).message.startswith("… t: not done yet")
    assert evaluate("t", lambda: None, expect=None).passed


def test_a_value_of_the_wrong_type_is_named():
    assert "expected a dict, got a list" in evaluate("t", lambda: [1], expect={"a": 1}).message
    assert "expected an HTTP response, got a str" in evaluate("t", lambda: "x", status=200).message
    assert evaluate("t", lambda: 3, expect=3.0).passed


def test_a_predicate_can_explain_itself():
    def at_least_ten(value):
        assert value >= 10, f"{value} is below 10"
        return True

    assert evaluate("t", lambda: 12, expect=at_least_ten).passed
    assert "5 is below 10" in evaluate("t", lambda: 5, expect=at_least_ten).message
    assert "is not what was expected" in evaluate("t", lambda: 5, expect=lambda v: v > 10).message


def test_a_coroutine_is_awaited():
    async def measure():
        return 0.3

    assert evaluate("t", measure, expect=lambda seconds: seconds < 1).passed


def test_a_broken_predicate_is_reported_not_raised():
    result = evaluate("t", lambda: "text", expect=lambda value: value > 1)
    assert not result.passed and "could not read your result" in result.message


def test_a_value_instead_of_a_function_is_judged_as_the_result():
    assert evaluate("t", ok_response({"a": 1}), status=200, expect={"a": 1}).passed
    assert evaluate("t", 3, expect=3).passed
