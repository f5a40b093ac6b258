"""The Item store of the FastAPI course as a standalone service: items, auth, live events, health."""

__version__ = "1.0.0"
