"""The database tables, as SQLAlchemy 2.x typed classes. Alembic's migrations create them.

`migrations/versions/` must describe exactly these tables: `alembic check` (run by
scripts/check_migrations.py) fails when autogenerate would add anything. The naming convention
gives every constraint a predictable name, which a later migration needs to drop or alter it.
"""

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from item_store.schemas import MAX_NAME_LENGTH

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ItemRow(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH))
    price: Mapped[float]
    in_stock: Mapped[bool] = mapped_column(default=True)
