"""Prove that a notebook's app and its checkpoint module are the same app.

Each lesson ends by keeping its app as a real module, `checkpoints/lesson_NN.py`, that the next
lesson starts from and that runs with `uvicorn checkpoints.lesson_NN:app`. The notebook's last
step calls `compare_with_checkpoint(app, "lesson_NN")`: the two OpenAPI schemas, which describe
every route, parameter and model, must be equal, so the notebook and the module never drift.
"""

from __future__ import annotations

import importlib
from typing import Any

from lessons_support.routes import keep_latest_routes


def schema_of(app: Any) -> dict[str, Any]:
    """The app's OpenAPI schema, freshly built from its current routes."""
    keep_latest_routes(app)
    app.openapi_schema = None
    schema = app.openapi()
    app.openapi_schema = None
    return schema


def differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Readable differences between two OpenAPI schemas, by path and by model."""
    found = []
    for section, key in (("paths", "route"), ("components", "component")):
        a, b = ours.get(section, {}), theirs.get(section, {})
        if section == "components":
            a, b = a.get("schemas", {}), b.get("schemas", {})
        for name in sorted(set(a) | set(b)):
            if name not in b:
                found.append(f"{key} {name} is in the notebook only")
            elif name not in a:
                found.append(f"{key} {name} is in the checkpoint only")
            elif a[name] != b[name]:
                found.append(f"{key} {name} differs")
    for key in sorted(set(ours) - {"paths", "components"} | set(theirs) - {"paths", "components"}):
        if ours.get(key) != theirs.get(key):
            found.append(f"{key} differs")
    return found


def load_checkpoint(name: str) -> Any:
    """The app of `checkpoints/<name>.py`, built fresh."""
    module = importlib.import_module(f"checkpoints.{name}")
    return module.create_app()


def compare_with_checkpoint(app: Any, name: str) -> None:
    """Print that `app` matches `checkpoints/<name>.py`, or raise AssertionError saying how not."""
    ours, theirs = schema_of(app), schema_of(load_checkpoint(name))
    found = differences(ours, theirs)
    if found:
        raise AssertionError(f"The notebook's app and checkpoints/{name}.py differ:\n  " + "\n  ".join(found))
    print(f"✓ The app matches checkpoints/{name}.py: {len(ours.get('paths', {}))} paths, same schema.")
