"""A throwaway PostgreSQL server for the tests: initdb into a temporary folder, started once, stopped at the end.

The server refuses to run as root, so as root (CI) it runs as the `postgres` system user, in a folder
that user owns. It listens on 127.0.0.1 at a free port and on a Unix socket in that folder; each test
gets a database of its own (`new_database`).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = "PostgreSQL tests skipped: no initdb on PATH or in /usr/lib/postgresql/*/bin; apt-get install postgresql"


def find_binaries() -> Path | None:
    """The folder with initdb and pg_ctl: from PATH, else the newest Debian/Ubuntu install."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    installed = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(installed[-1]).parent if installed else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    def __init__(self, binaries: Path, *, durable: bool = False) -> None:
        """`durable`: flush commits to disk, as a production server does (benchmarks want that)."""
        self.binaries = binaries
        self.durable = durable
        self.folder = Path(tempfile.mkdtemp(prefix="quizbot-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self._names = itertools.count(1)
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)

    def _run(self, program: str, *args: str) -> None:
        command = [*self._as, str(self.binaries / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> None:
        # The C locale sorts text by bytes, as SQLite does; fsync off: nothing in a test needs to survive a crash.
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--locale=C", "-E", "UTF8", "-N")
        options = f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        name = f"test_{next(self._names)}"
        self._run("createdb", "-h", str(self.folder), "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)
