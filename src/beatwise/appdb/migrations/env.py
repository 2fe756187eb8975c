"""Alembic environment: runs migrations on the URL given by ``beatwise.appdb.migrate``."""

from __future__ import annotations

from alembic import context

import beatwise.appdb.models  # noqa: F401  (registers every model on the metadata)
from beatwise.appdb.base import Base
from beatwise.appdb.session import make_engine

config = context.config
engine = make_engine(config.attributes["url"])
try:
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
finally:
    engine.dispose()
