"""Alembic's environment for the Item store: which database, and which models to compare with.

The URL is the one item_store.migrate.alembic_config() was given (tests, scripts), else the app's
own DATABASE_URL (environment or .env), so the command line migrates the database the app uses.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine

from item_store.models import Base
from item_store.settings import DatabaseSettings

config = context.config
if config.config_file_name and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    return config.attributes.get("database_url") or DatabaseSettings().database_url.get_secret_value()


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # render_as_batch: SQLite cannot ALTER most of a table; batch mode copies it instead.
    engine = create_engine(database_url())
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
