"""The benchmarks' own PostgreSQL databases: created (or recreated) from a DATABASE_URL."""

import sys
from pathlib import Path
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


def require_postgresql(url: str, script: str) -> None:
    if not url.startswith("postgres"):
        sys.exit(f"{script} measures PostgreSQL: set DATABASE_URL=postgres://…")


def unit_files(directory: Path, units: int | None) -> list[Path]:
    """The dirty unit files bench/dirty.py wrote (the first `units` of them)."""
    files = sorted(p for p in directory.iterdir() if p.suffix in (".xlsx", ".csv"))[:units]
    if not files:
        sys.exit(f"no unit files in {directory}: run bench/dirty.py --out {directory} first")
    return files
