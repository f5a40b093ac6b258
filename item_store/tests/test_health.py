"""`/health` asks the database and says 503 when it does not answer; `/`, `/db` and `/quotes/`."""

from sqlalchemy import create_engine

from item_store.database import make_sessions


def test_health_is_ok_when_the_database_answers(client):
    response = client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_health_is_503_when_the_database_does_not_answer(client, app, tmp_path, caplog):
    app.state.sessions = make_sessions(create_engine(f"sqlite:///{tmp_path / 'missing' / 'folder' / 'items.db'}"))
    response = client.get("/health")
    assert (response.status_code, response.json()) == (503, {"status": "unavailable"})
    assert "health check: the database did not answer: OperationalError" in caplog.text


def test_home_and_db(client):
    assert client.get("/").json() == {"message": "Hello, FastAPI!"}
    assert client.get("/db").json() == {"db": "Connected"}


def test_a_bulk_quote_gets_ten_percent_off(client):
    assert client.post("/quotes/", json={"name": "Pen", "price": 1.25, "quantity": 10}).json() == {
        "name": "Pen",
        "quantity": 10,
        "subtotal": 12.5,
        "discount": 1.25,
        "total": 11.25,
    }
    assert client.post("/quotes/", json={"name": "Pen", "price": 1.25, "quantity": 9}).json()["discount"] == 0.0
