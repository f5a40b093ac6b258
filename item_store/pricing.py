"""The price-quote rule: plain data in, plain data out, nothing of HTTP (routers/quotes.py is the
HTTP side), so it is tested and reused without a request."""

from typing import Any

BULK_QUANTITY = 10
BULK_DISCOUNT = 0.10


def price_quote(name: str, price: float, quantity: int) -> dict[str, Any]:
    """10 % off from BULK_QUANTITY units on; amounts rounded to cents."""
    subtotal = round(price * quantity, 2)
    discount = round(subtotal * BULK_DISCOUNT, 2) if quantity >= BULK_QUANTITY else 0.0
    return {"name": name, "quantity": quantity, "subtotal": subtotal, "discount": discount, "total": round(subtotal - discount, 2)}
