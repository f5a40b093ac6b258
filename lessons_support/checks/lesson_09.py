"""Checks for lesson 09's exercises (see lessons_support/checks/__init__.py).

Both receive the lesson's engine and open their own sessions. The search check adds three items
of its own before each search, in a transaction that it rolls back after it, so the lesson's
table is left as it was (and a search whose SQL failed does not spoil the next one). It inserts
them out of name order, so that a search that forgets to sort is seen; and on SQLite it makes
`LIKE` case-sensitive for its connection, as PostgreSQL's is, so that a search that forgets the
case fails on both.
SQLAlchemy is imported inside the checks: `progress()` imports every check module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lessons_support.checks import exercise
from lessons_support.exercises import CheckResult, evaluate

SEARCH_ITEMS = ("Wool socks", "O'Brien's mug", "100% wool scarf")
SEARCHES = (
    (
        "WOOL",
        ["100% wool scarf", "Wool socks"],
        "names_containing(session, 'WOOL') finds both wool items, in any case, sorted by name",
        "Compare in any case, and let the database sort by name.",
    ),
    (
        "O'Brien",
        ["O'Brien's mug"],
        "a quote in the fragment matches itself",
        "If the SQL broke, the quote ended a string in it: keep the fragment out of the SQL text.",
    ),
    (
        "%",
        ["100% wool scarf"],
        "'%' finds only the name with a real %",
        "LIKE reads % as 'any text' unless it is escaped: see the task's Hint 2.",
    ),
    (
        "' OR 1=1 --",
        [],
        "the fragment ' OR 1=1 -- matches nothing",
        "The fragment was read as SQL: send it as a bound parameter.",
    ),
)


@exercise("09.1", "a search box, made safe")
def search_box(names_containing: Callable[[Any, str], Any], engine: Any):
    from sqlalchemy import column, insert, table
    from sqlalchemy.orm import Session

    items = table("items", column("name"), column("price"), column("in_stock"))
    results: list[CheckResult] = []
    with engine.connect() as connection:
        case_sensitive_like(connection, True)
        try:
            with Session(bind=connection) as session:
                for fragment, expected, task, hint in SEARCHES:
                    session.execute(insert(items), [{"name": name, "price": 9.5, "in_stock": True} for name in SEARCH_ITEMS])
                    results.append(evaluate(task, lambda: names_containing(session, fragment), expect=expected, hint=hint))
                    session.rollback()
                    if results[-1].message.startswith("…"):
                        break
        finally:
            case_sensitive_like(connection, False)
    yield from results


def case_sensitive_like(connection: Any, on: bool) -> None:
    """SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's does not: on SQLite, make this
    connection's LIKE case-sensitive too, so that `contains` where `icontains` is needed fails here
    as it would on PostgreSQL (the pragma is per connection, and is turned off before it goes back)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA case_sensitive_like = {'ON' if on else 'OFF'}")
        connection.commit()


def _stats_in_python(engine: Any) -> dict[str, Any]:
    from sqlalchemy import column, select, table
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        rows = session.execute(select(column("price"), column("in_stock")).select_from(table("items"))).all()
    return {
        "count": len(rows),
        "in_stock": sum(bool(in_stock) for _, in_stock in rows),
        "average_price": round(sum(price for price, _ in rows) / len(rows), 2),
    }


def _same_numbers(expected: dict[str, Any]) -> Callable[[Any], bool]:
    def judge(stats: Any) -> bool:
        if not isinstance(stats, dict) or set(stats) != set(expected):
            raise AssertionError(f"expected a dictionary with the keys {sorted(expected)}, got {stats!r:.200}.")
        for key, value in expected.items():
            try:
                close = abs(float(stats[key]) - value) < 0.006
            except (TypeError, ValueError):
                close = False
            if not close:
                raise AssertionError(f"{key}: expected {value}, got {stats[key]!r:.60}.")
        return True

    return judge


@exercise("09.2", "who counts, Python or the database?")
def who_counts(item_stats: Callable[[Any], Any], engine: Any):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    expected = _stats_in_python(engine)
    rows_read: list[int] = []

    def count_rows(state: Any) -> Any:
        if not state.is_select:
            return None
        frozen = state.invoke_statement().freeze()
        rows_read.append(len(frozen.data))
        return frozen()

    def attempt() -> Any:
        with Session(engine) as session:
            event.listen(session, "do_orm_execute", count_rows)
            return item_stats(session)

    def few_rows(read: int) -> bool:
        if read > 3:
            raise AssertionError(
                f"item_stats read {read} rows from the database, for {expected['count']} items: that is the design in Python. "
                "Ask the database for the numbers themselves."
            )
        return True

    same = evaluate(
        "item_stats gives the same numbers as the design in Python",
        attempt,
        expect=_same_numbers(expected),
        hint="count, in_stock, average_price (rounded to 2 decimals), over every item in the table.",
    )
    yield same
    if same.passed:
        yield evaluate("item_stats reads a few rows, not every item", lambda: sum(rows_read), expect=few_rows)
