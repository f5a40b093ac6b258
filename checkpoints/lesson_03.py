"""The Item store as lesson 03 leaves it: lesson 02's app, described for its documentation.

The title, description and version appear in `/openapi.json` and at the top of `/docs` (Swagger
UI) and `/redoc` (ReDoc). Later lessons build their app with `FastAPI(**METADATA)`.

Run it:  uvicorn checkpoints.lesson_03:app --reload
   or:   fastapi dev checkpoints/lesson_03.py     (needs fastapi-cli: pip install "fastapi[standard]")
"""

from fastapi import FastAPI

from checkpoints import lesson_01, lesson_02

METADATA = {
    "title": "Item store",
    "description": (
        "An online shop's item store, built one lesson at a time in the FastAPI course. "
        "Every route below has a **Try it out** button."
    ),
    "version": "1.0.0",
}


def create_app() -> FastAPI:
    app = FastAPI(**METADATA)
    app.include_router(lesson_01.home_router)
    app.include_router(lesson_01.items_router)
    app.include_router(lesson_01.db_router)
    app.include_router(lesson_02.quotes_router)
    return app


app = create_app()
