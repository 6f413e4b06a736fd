"""A connection held for many one-statement transactions (the worker's marks): each commit is
its own, on PostgreSQL in autocommit; not power-cut-proof, its commits do not wait for the
disk, and the connection goes back to the pool flushing every commit again, as the rest of
the app's do."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.pool import QueuePool

from assessments.kernel.db import create_db_engine, held_connection
from tests.databases import is_sqlite


def _flushing(connection: sa.Connection, url: str) -> str:
    if is_sqlite(url):  # 2 is FULL (every commit synced), 1 NORMAL
        return {2: "on", 1: "off"}[connection.exec_driver_sql("PRAGMA synchronous").scalar_one()]
    return str(connection.exec_driver_sql("SHOW synchronous_commit").scalar_one())


def test_commits_wait_for_the_disk_again_once_the_connection_is_back(database_url: str) -> None:
    engine = create_db_engine(database_url, poolclass=QueuePool, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            assert _flushing(connection, database_url) == "on"
            connection.rollback()
        with held_connection(engine, power_cut_proof=False) as held:
            assert _flushing(held, database_url) == "off"
            held.commit()
            assert _flushing(held, database_url) == "off"  # for every transaction it holds
            held.commit()
        with engine.connect() as connection:  # the same one: the pool holds only one
            assert _flushing(connection, database_url) == "on"
    finally:
        engine.dispose()


def test_each_commit_on_a_held_connection_is_seen_at_once(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        with held_connection(engine) as held, engine.connect() as other:
            held.exec_driver_sql("CREATE TABLE held_probe (n INTEGER)")
            held.commit()
            for n in (1, 2):
                held.execute(sa.text("INSERT INTO held_probe VALUES (:n)"), {"n": n})
                held.commit()
                assert other.exec_driver_sql("SELECT count(*) FROM held_probe").scalar() == n
                other.rollback()
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS held_probe")
        engine.dispose()
