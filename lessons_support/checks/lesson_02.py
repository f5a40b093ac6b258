"""Checks for lesson 02's exercises (see lessons_support/checks/__init__.py)."""

from __future__ import annotations

from typing import Any

from lessons_support.checks import built, exercise, served
from lessons_support.exercises import evaluate

OFFER = {"name": "string", "price": "number"}


def documented_response(app: Any, prefix: str) -> dict[str, str]:
    """{field: JSON type} of the 200 response that the app's OpenAPI schema documents for its GET `prefix…` path."""
    schema = app.openapi()
    path = next(path for path in schema["paths"] if path.startswith(prefix))
    body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    return {name: field.get("type", "?") for name, field in body.get("properties", {}).items()}


@exercise("02.1", "an offer that breaks its contract")
def offer_contract(build_offer_app):
    app = built(build_offer_app)
    send = served(app)
    answer = evaluate(
        "GET /offers/Desk answers the Offer, price included",
        lambda: send("GET", "/offers/Desk"),
        status=200,
        expect={"name": "Desk", "price": 999.99},
        hint="Clients expect Offer's fields, name and price, and nothing else.",
    )
    yield answer
    if not answer.passed:
        return
    yield evaluate(
        "/openapi.json still documents Offer's fields for clients",
        lambda: documented_response(app, "/offers/"),
        expect=OFFER,
        hint="Clients rely on the contract as it is: fix the route, not the response model.",
    )
