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


@pytest.fixture(scope="session")
def postgres_url():
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
    # Not pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="tuneplate-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    subprocess.run(
        _as_postgres([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "tune"]),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=100"
    ctl = str(binaries / "pg_ctl")
    subprocess.run(
        _as_postgres([ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]),
        check=True,
        capture_output=True,
    )
    yield f"postgresql+psycopg://tune@127.0.0.1:{port}/postgres"
    subprocess.run(
        _as_postgres([ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
    )
    shutil.rmtree(root, ignore_errors=True)
