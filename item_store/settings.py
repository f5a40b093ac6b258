"""The service's settings, read from the environment (and a `.env` file) by pydantic-settings.

Every knob a deployment turns lives here, so that the code never reads `os.environ` itself. The
signing key and the database URL (which may hold a password) are `SecretStr`: `repr`, logs and
`model_dump_json()` show `**********`, and a validation error never repeats them
(`hide_input_in_errors`).
"""

from functools import lru_cache
from typing import Annotated, Literal

from fastapi import Request
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# An HS256 key must be at least as long as the hash's output, 256 bits (RFC 7518, section 3.2),
# or it can be guessed offline from any token.
MIN_KEY_BYTES = 32
DEFAULT_DATABASE_URL = "sqlite:///item_store.db"


class DatabaseSettings(BaseSettings):
    """The database alone: what the migrations need (migrations/env.py), without the app's rules,
    so that `alembic upgrade head` runs in production without the signing key."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    database_url: SecretStr = SecretStr(DEFAULT_DATABASE_URL)


class Settings(DatabaseSettings):
    environment: Literal["development", "production"] = "development"
    # Unset in development: each process draws a random key, so tokens die with it. Several
    # workers or replicas must share one key, so production refuses to start without it.
    jwt_secret_key: Annotated[SecretStr, Field(min_length=MIN_KEY_BYTES)] | None = None
    items_per_minute: int = Field(default=120, ge=1, le=100_000)
    # The course's demo user (alice / wonderland), a password everyone knows: on by default in
    # development, off by default in production, where only an explicit DEMO_USER=true turns it on.
    demo_user: bool = True
    allowed_hosts: list[str] = ["127.0.0.1", "localhost", "testserver"]
    cors_origins: list[str] = ["https://shop.example.com", "http://localhost:3000"]
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @model_validator(mode="after")
    def production_rules(self) -> "Settings":
        """Production needs a signing key, and keeps the demo user off unless told otherwise."""
        if self.environment != "production":
            return self
        if self.jwt_secret_key is None:
            raise ValueError(
                "JWT_SECRET_KEY must be set in production: every worker and replica must sign with the same key. "
                "Make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        if "demo_user" not in self.model_fields_set:
            self.demo_user = False
        return self


@lru_cache
def load_settings() -> Settings:
    """The settings of the environment and `.env`, read once per process."""
    return Settings()


def get_settings(request: Request) -> Settings:
    """The settings the app was built with: the dependency a test may override."""
    return request.app.state.settings
