"""Starting a discord.py client against the server and waiting until it is ready."""

from __future__ import annotations

import asyncio
import contextlib

import discord


async def wait_ready(client: discord.Client, task: asyncio.Task[None], timeout: float = 10.0) -> None:
    """Return once `client` (started as `task`) is ready; if it died instead, raise its error."""
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait({ready, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if ready in done:
        return
    ready.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ready
    if task in done:
        task.result()
    raise TimeoutError("the client did not become ready")
