"""Checks for lesson 05's exercises (see lessons_support/checks/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lessons_support.checks import built, exercise, rejected_at, served
from lessons_support.exercises import evaluate

LAPTOP = {"name": "Laptop", "price": 999.99, "in_stock": True}


@exercise("05.1", "a review model")
def review_model(build_reviews_app: Callable[[], Any]):
    send = served(built(build_reviews_app))
    yield evaluate(
        "POST /reviews/ with 5 stars answers 201 and the review, default comment included",
        lambda: send("POST", "/reviews/", json={"stars": 5}),
        status=201,
        expect={"stars": 5, "comment": ""},
        hint="Creating answers 201, and the answer is the review, with the comment's default filled in.",
    )
    yield evaluate(
        "POST /reviews/ with 1 star and a 280-character comment is accepted",
        lambda: send("POST", "/reviews/", json={"stars": 1, "comment": "x" * 280}),
        status=201,
        expect={"stars": 1, "comment": "x" * 280},
        hint="1 star and 280 characters are within the task's limits (both ends count), so this review is created.",
    )
    yield evaluate(
        "POST /reviews/ with a comment and no stars is refused",
        lambda: send("POST", "/reviews/", json={"comment": "Great"}),
        status=422,
        expect=rejected_at("body.stars"),
        hint="stars is required: a review without it is the client's mistake.",
    )
    yield evaluate(
        "POST /reviews/ with 6 stars, a 281-character comment and an author is refused three times",
        lambda: send("POST", "/reviews/", json={"stars": 6, "comment": "x" * 281, "author": "Ada"}),
        status=422,
        expect=rejected_at("body.stars", "body.comment", "body.author", ordered=False),
        hint="Each rule of the task is its own error: a range for stars, a length for comment, and no field the model does not have.",
    )
    yield evaluate(
        "POST /reviews/ with 0 stars is refused",
        lambda: send("POST", "/reviews/", json={"stars": 0}),
        status=422,
        expect=rejected_at("body.stars"),
        hint="A range has two ends: stars starts at 1.",
    )


def same_fields(expected: dict[str, Any]) -> Callable[[Any], bool]:
    """An `expect` for a Pydantic model: its fields, dumped, are exactly `expected`."""

    def judge(value: Any) -> bool:
        dump = getattr(value, "model_dump", None)
        if dump is None:
            raise AssertionError(f"expected an Item, got {type(value).__name__}: {value!r:.200}.")
        found = dump()
        if found != expected:
            raise AssertionError(f"expected an Item with {expected}, got {type(value).__name__} with {found}.")
        return True

    return judge


@exercise("05.2", "a PATCH that wipes the item")
def patch_update(apply_update: Callable[..., Any], build_patch_app: Callable[[Any], Any], update_model: type):
    app = build_patch_app(apply_update)
    laptop = app.state.store.get(1)
    send = served(app)

    def patched(body: dict[str, Any]) -> Any:
        """PATCH /items/1 with `body`, the store first reset to the given app's own: the laptop alone."""
        app.state.store = build_patch_app(apply_update).state.store
        return send("PATCH", "/items/1", json=body)

    yield evaluate(
        "apply_update(laptop, a new price) gives the laptop at that price",
        lambda: apply_update(laptop, update_model(price=899.0)),
        expect=same_fields({**LAPTOP, "price": 899.0}),
        hint="Start from the stored item's fields and change only those the client sent; the result is an Item, without the id.",
    )
    yield evaluate(
        "PATCH /items/1 with in_stock false leaves the name and price alone",
        lambda: patched({"in_stock": False}),
        status=200,
        expect={**LAPTOP, "in_stock": False, "id": 1},
        hint="A field the client did not send keeps its stored value, not ItemUpdate's default.",
    )
    yield evaluate(
        "PATCH /items/1 with a new price and a null name changes the price only",
        lambda: patched({"name": None, "price": 899.0}),
        status=200,
        expect={**LAPTOP, "price": 899.0, "id": 1},
        hint="A field sent as null keeps its stored value too: the task reads null as 'no change'.",
    )
    yield evaluate(
        "PATCH /items/1 with an empty body changes nothing",
        lambda: patched({}),
        status=200,
        expect={**LAPTOP, "id": 1},
        hint="With nothing sent, the item comes back as it was stored.",
    )
