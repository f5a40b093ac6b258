"""The Item store's entry point: what servers run.

    uvicorn item_store.main:app --host 127.0.0.1 --timeout-graceful-shutdown 5    (make item-store)
    fastapi run item_store/main.py --workers 2    (the Docker image: it binds 0.0.0.0 by default)

Importing this module configures the process's logging (a request id on every line, logs.py) and
builds the app from the environment and `.env` (settings.py). Tests build theirs with
`item_store.app.create_app(settings)` instead, which leaves the test process's logging alone.
"""

from item_store.app import create_app
from item_store.logs import configure_logging
from item_store.settings import load_settings

__all__ = ["app", "create_app"]

configure_logging(load_settings().log_level)
app = create_app()
