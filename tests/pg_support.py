"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, a free port.

The cluster listens on its own unix socket (in its data folder) and on 127.0.0.1. Local
(socket) connections are trusted; TCP connections need a password (scram-sha-256), so
the wrong-password message can be tested. Tests run as root, which PostgreSQL refuses:
the server runs as the ``postgres`` user through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

SUPERUSER = "zsdesk_test"
PASSWORD_USER, PASSWORD = "clerk", "right-password"


def pg_bin() -> Path | None:
    """The folder of initdb/pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(candidates[-1]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="zsdesk-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        self.running = False
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        os.chmod(self.root, 0o755)

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> "Cluster":
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-E", "UTF8", "--locale=C",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync",
        )
        self.resume()
        self.sql(f"CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD '{PASSWORD}'")
        return self

    def halt(self) -> None:
        """Stop the server (its data kept), as the IT office or a power cut would: every
        connection goes and nothing answers until :meth:`resume`."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    def resume(self) -> None:
        """Start the server on its data, port and socket (again)."""
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l", str(self.root / "log"), "start")
        self.running = True

    def stop(self) -> None:
        try:
            if self.running:  # a test that halted it and failed before resume
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, user: str = SUPERUSER) -> str:
        """A SQLAlchemy URL over the unix socket (trusted: no password)."""
        return f"postgresql+psycopg://{user}@/{database}?host={self.data}&port={self.port}"

    def tcp_url(self, database: str, user: str = PASSWORD_USER, password: str | None = None) -> str:
        auth = f"{user}:{password}" if password is not None else user
        return f"postgresql+psycopg://{auth}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(host=str(self.data), port=self.port, user=SUPERUSER, dbname=database, autocommit=True) as conn:
            conn.execute(statement)

    def login_role(self, role: str, database: str) -> str:
        """A staff member's own login role (trusted over the socket) with the rights a clerk
        needs on ``database``'s tables; returns the socket URL that logs in as it."""
        import psycopg

        try:
            self.sql(f"CREATE ROLE {role} LOGIN")
        except psycopg.errors.DuplicateObject:
            pass
        self.sql(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}", database)
        self.sql(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}", database)
        return self.url(database, user=role)

    def terminate(self, database: str, application_name: str = "zsdesk") -> int:
        """Drop every connection zsdesk has to ``database`` (pg_terminate_backend), as a
        server restart or a cut network would; returns how many were dropped."""
        import psycopg

        with psycopg.connect(host=str(self.data), port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                (database, application_name),
            ).fetchall()
        return sum(1 for (done,) in rows if done)

    def create_database(self, template: str | None = None) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.sql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        self.sql(f"GRANT ALL ON DATABASE {name} TO {PASSWORD_USER}")
        return name
