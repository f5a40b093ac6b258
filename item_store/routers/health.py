"""Is the service up? `/` answers without touching anything, `/db` (the course's) and `/health`
(for a load balancer or an orchestrator) ask the database. `/health` answers 503 rather than
500 when the database does not answer, so a probe can tell "not ready" from "broken"."""

import logging

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from item_store.database import ping
from item_store.dependencies import SessionDep
from item_store.schemas import UNHEALTHY, Health

logger = logging.getLogger(__name__)

router = APIRouter()


# No return annotation: the course's `/` never declared one, and its schema says so.
@router.get("/")
def home():
    return {"message": "Hello, FastAPI!"}


@router.get("/db")
def read_db(session: SessionDep) -> dict[str, str]:
    ping(session)
    return {"db": "Connected"}


@router.get("/health", response_model=Health, responses=UNHEALTHY)
def health(request: Request) -> Health | JSONResponse:
    try:
        with request.app.state.sessions() as session:
            ping(session)
    except SQLAlchemyError as error:
        logger.warning("health check: the database did not answer: %s", error.__class__.__name__)
        return JSONResponse(Health(status="unavailable").model_dump(), status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
    return Health(status="ok")
