"""A throwaway PostgreSQL server for the distributed tests, started from Debian's packages.

Without the packages the tests skip with the reason, except in CI (CI=true),
where a missing server is a failure: `.ci/run` installs it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb refuses to run as root; Debian's package creates the `postgres` user.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Server:
    """A PostgreSQL server in a temporary folder; tests may stop and start it again."""

    def __init__(self, binaries: Path):
        # Not pytest's tmp_path: its parents are private to root, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="tuneplate-pg-"))
        self.data, sockets = self.root / "data", self.root / "sockets"
        sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(sockets, "postgres")
        subprocess.run(
            _as_postgres(
                [str(binaries / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "tune"]
            ),
            check=True,
            capture_output=True,
        )
        port = _free_port()
        self.options = (
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=100"
        )
        self.ctl = str(binaries / "pg_ctl")
        self.url = f"postgresql+psycopg://tune@127.0.0.1:{port}/postgres"

    def start(self) -> None:
        log = str(self.root / "log")
        cmd = [self.ctl, "-D", str(self.data), "-o", self.options, "-l", log, "-w", "start"]
        subprocess.run(_as_postgres(cmd), check=True, capture_output=True)

    def stop(self) -> None:
        """Stop at once, as a crash or a network cut would: clients are not told."""
        cmd = [self.ctl, "-D", str(self.data), "-m", "immediate", "stop"]
        subprocess.run(_as_postgres(cmd), capture_output=True)


@pytest.fixture(scope="session")
def postgres_server():
    binaries = _pg_bin()
    missing = binaries is None or (os.geteuid() == 0 and shutil.which("runuser") is None)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        reason = (
            "PostgreSQL server packages or psycopg are not installed (apt-get install postgresql)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must install them")
        pytest.skip(reason)
    server = Server(binaries)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server):
    return postgres_server.url
