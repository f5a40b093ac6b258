"""The Item store as lesson 03 leaves it: lesson 02's app, described for its documentation.

The title, description and version appear in `/openapi.json` and at the top of `/docs` (Swagger
UI) and `/redoc` (ReDoc).

Run it:  uvicorn checkpoints.lesson_03:app --reload
   or:   fastapi dev checkpoints/lesson_03.py     (needs fastapi-cli: pip install "fastapi[standard]")
"""

from fastapi import FastAPI

from checkpoints import lesson_02

DESCRIPTION = (
    "An online shop's item store, built one lesson at a time in the FastAPI course. "
    "Every route below has a **Try it out** button."
)
VERSION = "1.0.0"


def create_app() -> FastAPI:
    app = lesson_02.create_app()
    app.title = "Item store"
    app.description = DESCRIPTION
    app.version = VERSION
    return app


app = create_app()
