"""One bot process per database file, held by a lock that the operating system drops when the process dies."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class LockError(Exception):
    """The database cannot be claimed for this process; the message says why in one line."""


def hold(database: Path) -> IO[str]:
    """Lock `<database>.lock` for this process's lifetime; keep the returned file open."""
    path = database.with_name(database.name + ".lock")
    try:
        handle = path.open("a+")
    except OSError as error:
        raise LockError(
            f"database {database}: unable to open {path.name} ({error.strerror}); "
            "check that the folder exists and is writable"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise LockError(
            f"database {database} is in use by another quizbot process (pid {holder}); "
            "stop that one first, or give this one its own database.path"
        ) from None
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
