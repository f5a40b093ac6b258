"""Settings: read from the environment and `.env`, secrets kept out of sight, production strict."""

import pytest
from pydantic import ValidationError

from item_store.settings import DEFAULT_DATABASE_URL, Settings, load_settings

KEY = "k" * 32


def test_the_defaults_serve_a_learner():
    settings = Settings(_env_file=None)
    assert settings.database_url.get_secret_value() == DEFAULT_DATABASE_URL
    assert (settings.environment, settings.jwt_secret_key, settings.items_per_minute, settings.demo_user) == ("development", None, 120, True)


def test_the_environment_wins_over_the_defaults(monkeypatch):
    monkeypatch.setenv("ITEMS_PER_MINUTE", "7")
    monkeypatch.setenv("ALLOWED_HOSTS", '["shop.example.com"]')
    monkeypatch.setenv("DEMO_USER", "false")
    settings = Settings(_env_file=None)
    assert (settings.items_per_minute, settings.allowed_hosts, settings.demo_user) == (7, ["shop.example.com"], False)


def test_a_dotenv_file_is_read(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(f"JWT_SECRET_KEY={KEY}\nDATABASE_URL=sqlite:///other.db\n")
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=".env")
    assert settings.jwt_secret_key.get_secret_value() == KEY
    assert settings.database_url.get_secret_value() == "sqlite:///other.db"


def test_secrets_never_show_in_repr_or_json():
    settings = Settings(jwt_secret_key=KEY, database_url="postgresql+psycopg://shop:hunter2@db/shop", _env_file=None)
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert KEY not in text and "hunter2" not in text


def test_a_short_key_is_refused_without_repeating_it():
    with pytest.raises(ValidationError) as error:
        Settings(jwt_secret_key="short-key", _env_file=None)
    assert "short-key" not in str(error.value)


@pytest.mark.parametrize("value", ["0", "100001", "many"])
def test_items_per_minute_is_bounded(value):
    with pytest.raises(ValidationError):
        Settings(items_per_minute=value, _env_file=None)


def test_production_refuses_to_start_without_a_key():
    with pytest.raises(ValidationError, match="JWT_SECRET_KEY must be set in production"):
        Settings(environment="production", _env_file=None)
    assert Settings(environment="production", jwt_secret_key=KEY, _env_file=None).environment == "production"


def test_production_keeps_the_demo_user_off_unless_told_otherwise(monkeypatch):
    assert Settings(environment="production", jwt_secret_key=KEY, _env_file=None).demo_user is False
    monkeypatch.setenv("DEMO_USER", "true")
    assert Settings(environment="production", jwt_secret_key=KEY, _env_file=None).demo_user is True
    assert Settings(environment="development", demo_user=False, _env_file=None).demo_user is False


def test_the_settings_are_read_once_per_process(monkeypatch):
    load_settings.cache_clear()
    try:
        first = load_settings()
        monkeypatch.setenv("ITEMS_PER_MINUTE", "7")
        assert load_settings() is first
    finally:
        load_settings.cache_clear()
