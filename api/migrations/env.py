"""Alembic environment: runs on the connection handed over by :func:`api.db.migrate`,
or on ``INFRAPLAN_DATABASE_URL`` when run by hand with the ``alembic`` command."""

from __future__ import annotations

from alembic import context

from api.db import Base, make_engine

target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run the migrations on the given connection (or a new engine)."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    from api.config import get_settings

    engine = make_engine(get_settings().database_url, pooled=False)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
