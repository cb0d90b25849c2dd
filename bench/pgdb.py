"""The benchmarks' own PostgreSQL databases: created (or recreated) from a DATABASE_URL."""

from urllib.parse import urlsplit


def prepare_database(url: str, *, fresh: bool) -> None:
    """Create the database of `url` if missing; with `fresh`, drop it first."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
