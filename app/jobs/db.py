"""The SQL database of job and dataset records: SQLite in the data folder, or PostgreSQL.

``GENSERVE_DATABASE_URL`` picks the server (``postgresql+psycopg://user@host/db``); unset, the
records live in ``<data_dir>/genserve.sqlite3``. A PostgreSQL schema other than ``public`` is
chosen with libpq's options, e.g. ``...?options=-csearch_path%3Dgenserve``.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase

from app.config import Settings

__all__ = ["Base", "create_schema", "database_url", "make_engine"]

SQLITE_FILE = "genserve.sqlite3"


class Base(DeclarativeBase):
    pass


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{(settings.data_dir / SQLITE_FILE).resolve()}"


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL lets the API read while a worker writes; the busy timeout waits out short locks."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(settings: Settings) -> Engine:
    url = database_url(settings)
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_pre_ping=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def create_schema(engine: Engine, attempts: int = 5) -> None:
    """Create missing tables. Replicas starting together may race on PostgreSQL: retry."""
    from app.jobs import records  # noqa: F401  (registers the tables on Base.metadata)

    for attempt in range(attempts):
        try:
            Base.metadata.create_all(engine)
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
