"""`POST /quotes/`: the route only translates HTTP; the rule is pricing.price_quote."""

from typing import Any

from fastapi import APIRouter

from item_store.pricing import price_quote
from item_store.schemas import UNPARSABLE_BODY, Quote, QuoteRequest

router = APIRouter()


@router.post("/quotes/", response_model=Quote, responses=UNPARSABLE_BODY)
def create_quote(body: QuoteRequest) -> dict[str, Any]:
    return price_quote(body.name, body.price, body.quantity)
