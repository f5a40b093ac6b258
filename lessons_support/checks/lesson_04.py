"""Checks for lesson 04's exercises (see lessons_support/checks/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lessons_support.checks import built, exercise, refused_under, rejected_at, served
from lessons_support.exercises import evaluate


@exercise("04.1", "reviews of an item")
def reviews(build_reviews_app: Callable[[], Any]):
    send = served(built(build_reviews_app))
    yield evaluate(
        "GET /items/7/reviews answers with the defaults",
        lambda: send("GET", "/items/7/reviews"),
        status=200,
        expect={"item_id": 7, "min_stars": 1, "limit": 10},
        hint="The path gives item_id; the two others come from the query string, with their defaults.",
    )
    yield evaluate(
        "GET /items/7/reviews?min_stars=5&limit=50 accepts the largest values",
        lambda: send("GET", "/items/7/reviews", params={"min_stars": 5, "limit": 50}),
        status=200,
        expect={"item_id": 7, "min_stars": 5, "limit": 50},
        hint="The task's ranges include both ends: 5 stars and a limit of 50 are allowed.",
    )
    yield evaluate(
        "GET /items/0/reviews?min_stars=6&limit=51 is refused on all three values",
        lambda: send("GET", "/items/0/reviews", params={"min_stars": 6, "limit": 51}),
        status=422,
        expect=rejected_at("path.item_id", "query.min_stars", "query.limit"),
        hint="Each value needs its own limits, declared with its type, so that FastAPI refuses it before your function runs.",
    )
    yield evaluate(
        "GET /items/1/reviews?min_stars=0&limit=0 is refused on both query values",
        lambda: send("GET", "/items/1/reviews", params={"min_stars": 0, "limit": 0}),
        status=422,
        expect=rejected_at("query.min_stars", "query.limit"),
        hint="A range has two ends: check the lower bound of min_stars and of limit too.",
    )


CATEGORIES = {"categories": ["electronics", "books", "toys"]}


@exercise("04.2", "the catalog that cannot list its categories")
def catalog(build_catalog_app: Callable[[], Any]):
    send = served(built(build_catalog_app))
    yield evaluate(
        "GET /catalog/all lists the categories",
        lambda: send("GET", "/catalog/all"),
        status=200,
        expect=CATEGORIES,
        hint="Which route answered? A 422 whose loc is path.category means /catalog/all did not reach list_categories.",
    )
    yield evaluate(
        "GET /catalog/books?sort=-price browses books, most expensive first",
        lambda: send("GET", "/catalog/books", params={"sort": "-price"}),
        status=200,
        expect={"category": "books", "sort": "-price"},
        hint="Browsing must answer as the buggy app did: keep the browse route and its parameters.",
    )
    yield evaluate(
        "GET /catalog/garden is refused: no such category",
        lambda: send("GET", "/catalog/garden"),
        status=422,
        expect=refused_under("path.category"),
        hint="Keep category limited to the categories: fixing /catalog/all must not let any other word through.",
    )
    yield evaluate(
        "GET /catalog/books?sort=name is refused: price or -price only",
        lambda: send("GET", "/catalog/books", params={"sort": "name"}),
        status=422,
        expect=rejected_at("query.sort"),
        hint="Keep the buggy app's rule for sort: only price and -price.",
    )
